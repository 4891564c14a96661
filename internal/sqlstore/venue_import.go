package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

// Imports of the national standard (passnum.VenueService.ImportVenues):
// every row is checked before anything is written, and the file goes in
// whole, in one transaction, or not at all.

// MaxImportRows bounds one import: the national data set holds about
// 20 000 venues.
const MaxImportRows = 100_000

// importBatch is how many rows one INSERT writes: 33 parameters a row stay
// well under SQLite's 32 766 and PostgreSQL's 65 535.
const importBatch = 500

// errDryRun rolls back a dry run once its report is complete.
var errDryRun = errors.New("dry run")

// ImportVenues upserts venues of the national standard (operator admins):
// a row updates the venue with its id, else the only venue with its pivot,
// else creates a venue, listed (in the directory, not qualified). Rows
// identical to their venue after normalisation are counted unchanged and
// not written. Any bad row stops the whole import: the error lists every
// problem with its line, and nothing changes. Likely duplicates (another
// venue with the same SIRET, or of the same name within
// passnum.DuplicateDistanceMeters) are warnings. A dry run reports what
// would happen and changes nothing.
func (s *Store) ImportVenues(ctx context.Context, rows []passnum.ImportRow, dryRun bool) (*passnum.ImportReport, error) {
	return s.importVenues(ctx, rows, dryRun, false, nil)
}

// ImportValidVenues imports the rows without problems as ImportVenues
// does, in one transaction, and reports every other row in the report's
// Skipped with its line and why, instead of refusing the file: a national
// file gathered from many producers always holds a few bad lines. A row is
// left out for its own problems (checkVenue, an id seen on an earlier
// line) or for a SIRET it would share with another candidate or qualified
// venue. A file without any valid row is refused, as by ImportVenues.
func (s *Store) ImportValidVenues(ctx context.Context, rows []passnum.ImportRow, dryRun bool) (*passnum.ImportReport, error) {
	return s.importVenues(ctx, rows, dryRun, true, nil)
}

// importVenues imports rows all or nothing, or only the valid ones. claim,
// when not nil, runs first in the import's transaction: its error stops
// the import (a pending import already confirmed).
func (s *Store) importVenues(ctx context.Context, rows []passnum.ImportRow, dryRun, validOnly bool, claim func(*tx) error) (*passnum.ImportReport, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActOrgCreate); err != nil {
		return nil, err
	}
	if len(rows) > MaxImportRows {
		return nil, passnum.Invalid("rows", "Fichier trop long : %s lignes, %s au plus par import.",
			passnum.FrenchNumber(int64(len(rows))), passnum.FrenchNumber(MaxImportRows))
	}
	venues := make([]passnum.Venue, 0, len(rows))
	kept := make([]passnum.ImportRow, 0, len(rows))
	var problems []passnum.ImportProblem
	firstLine := map[string]int{}
	for _, r := range rows {
		v := r.Venue
		v.OrgID, v.Qualification, v.QualificationUpdatedAt = 0, "", nil
		own := problemsOf(r.Line, checkVenue(&v))
		if v.ID != "" {
			if first, seen := firstLine[v.ID]; seen {
				own = append(own, passnum.ImportProblem{Line: r.Line, Field: "id",
					Message: fmt.Sprintf("id : « %s » est déjà l'identifiant de la %s : chaque lieu a le sien.", v.ID, lineRef(first))})
			} else if len(own) == 0 || !validOnly {
				// A line left out does not take its id from a later one.
				firstLine[v.ID] = r.Line
			}
		}
		if len(own) > 0 {
			problems = append(problems, own...)
			continue
		}
		venues, kept = append(venues, v), append(kept, r)
	}
	if len(problems) > 0 && (!validOnly || len(kept) == 0) {
		return nil, importRefused(problems)
	}
	rep := &passnum.ImportReport{DryRun: dryRun}
	err := s.write(ctx, "import venues", func(tx *tx) error {
		*rep = passnum.ImportReport{DryRun: dryRun, Warnings: []passnum.ImportProblem{}}
		if claim != nil {
			if err := claim(tx); err != nil {
				return err
			}
		}
		// The closure may run again (a retried transaction): it changes
		// none of the variables outside it, and planImport gets copies of
		// the venues, which it changes.
		lines, checked, skipped := kept, venues, slices.Clone(problems)
		var plan *importPlan
		for {
			var err error
			plan, err = tx.planImport(lines, slices.Clone(checked))
			if err != nil {
				return fmt.Errorf("import: match the rows: %w", err)
			}
			if len(plan.problems) == 0 {
				break
			}
			if !validOnly {
				return importRefused(plan.problems)
			}
			// The lines whose SIRET conflicts are left out, and the
			// others matched again without them: a venue they matched
			// may now be another line's.
			skipped = append(skipped, plan.problems...)
			if lines, checked = withoutLines(lines, checked, plan.problems); len(lines) == 0 {
				return importRefused(skipped)
			}
		}
		if len(plan.create)+len(plan.update) > 0 {
			if err := tx.directoryChanged(); err != nil {
				return err
			}
		}
		rep.Created, rep.Updated, rep.Unchanged = len(plan.create), len(plan.update), plan.unchanged
		rep.Warnings = append(rep.Warnings, plan.warnings...)
		if validOnly {
			rep.Skip(skipped)
			if rep.Skipped == nil {
				rep.Skipped = []passnum.ImportProblem{}
			}
		}
		if err := tx.createImported(plan.create); err != nil {
			return fmt.Errorf("import: create %d venues: %w", len(plan.create), err)
		}
		if err := tx.updateImported(plan.update); err != nil {
			return fmt.Errorf("import: update %d venues: %w", len(plan.update), err)
		}
		if err := tx.audit("venues.import", "venues", fmt.Sprintf("%d rows: %d created, %d updated, %d unchanged, %d warnings, %d lines skipped",
			len(rows), rep.Created, rep.Updated, rep.Unchanged, len(rep.Warnings), rep.SkippedLines())); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, err
	}
	return rep, nil
}

// withoutLines returns the rows, and their venues, whose line has no
// problem.
func withoutLines(rows []passnum.ImportRow, venues []passnum.Venue, problems []passnum.ImportProblem) ([]passnum.ImportRow, []passnum.Venue) {
	bad := map[int]bool{}
	for _, p := range problems {
		bad[p.Line] = true
	}
	var keptRows []passnum.ImportRow
	var keptVenues []passnum.Venue
	for i, r := range rows {
		if !bad[r.Line] {
			keptRows, keptVenues = append(keptRows, r), append(keptVenues, venues[i])
		}
	}
	return keptRows, keptVenues
}

// importRefused is the answer to a file with bad lines.
func importRefused(problems []passnum.ImportProblem) error {
	slices.SortStableFunc(problems, func(a, b passnum.ImportProblem) int { return a.Line - b.Line })
	lines := map[int]bool{}
	for _, p := range problems {
		lines[p.Line] = true
	}
	msg := fmt.Sprintf("%s lignes en erreur : rien n'a été importé.", passnum.FrenchNumber(int64(len(lines))))
	if len(lines) == 1 {
		msg = "1 ligne en erreur : rien n'a été importé."
	}
	return &passnum.Error{Code: passnum.EINVALID, Reason: passnum.ReasonImportInvalid, Message: msg, Problems: problems}
}

// importPlan is what an import will write.
type importPlan struct {
	create    []importItem
	update    []importItem
	unchanged int
	problems  []passnum.ImportProblem
	warnings  []passnum.ImportProblem
}

// importItem is a row of the file with the venue it creates or updates.
type importItem struct {
	line int
	v    *passnum.Venue // OrgID set for an update
	old  *passnum.Venue // the venue it updates
}

// planImport matches the rows with the venues recorded, from one read of
// them all: by id, then by pivot when one venue only has it and no row
// took it by id.
func (t *tx) planImport(rows []passnum.ImportRow, venues []passnum.Venue) (*importPlan, error) {
	existing, err := selectAll(t, scanVenueRaw, `SELECT `+venueColumns+venueFrom+`WHERE o.kind = 'venue'`)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*passnum.Venue, len(existing))
	byPivot := make(map[string][]*passnum.Venue, len(existing))
	for _, v := range existing {
		byID[v.ID] = v
		byPivot[v.Pivot] = append(byPivot[v.Pivot], v)
	}
	match := make([]*passnum.Venue, len(rows))
	taken := map[int64]bool{}
	for i := range venues {
		if old := byID[venues[i].ID]; old != nil {
			match[i], taken[old.OrgID] = old, true
		}
	}
	for i := range venues {
		if match[i] != nil {
			continue
		}
		if same := byPivot[venues[i].Pivot]; len(same) == 1 && !taken[same[0].OrgID] {
			match[i], taken[same[0].OrgID] = same[0], true
		}
	}
	p := &importPlan{}
	for i := range venues {
		v, old := &venues[i], match[i]
		item := importItem{line: rows[i].Line, v: v, old: old}
		switch {
		case old == nil:
			p.create = append(p.create, item)
		case sameVenue(v, old):
			p.unchanged++
		default:
			v.OrgID, v.Qualification = old.OrgID, old.Qualification
			p.update = append(p.update, item)
		}
	}
	p.check(existing, match, rows, venues)
	return p, nil
}

// check finds the SIRET conflicts that stop an import (two candidate or
// qualified venues) and the likely duplicates it warns of: the venues as
// they will be, those of the file and the others, compared by pivot, and
// by name and distance.
func (p *importPlan) check(existing []*passnum.Venue, match []*passnum.Venue, rows []passnum.ImportRow, venues []passnum.Venue) {
	all := importEntries(existing, match, rows, venues)
	byPivot := map[string][]*importEntry{}
	byName := map[string][]*importEntry{}
	for _, e := range all {
		byPivot[e.v.Pivot] = append(byPivot[e.v.Pivot], e)
		if pt, ok := venuePoint(e.v); ok {
			e.point = &pt
			e.name = geo.Normalize(e.v.Name)
			byName[e.name] = append(byName[e.name], e)
		}
	}
	for _, e := range all {
		if e.line > 0 {
			p.checkPivot(e, byPivot[e.v.Pivot])
		}
	}
	for _, group := range byName {
		p.checkNear(group)
	}
	slices.SortStableFunc(p.warnings, func(a, b passnum.ImportProblem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Field, b.Field)
	})
}

// importEntry is a venue as it will be after an import: a row of the file,
// or a recorded venue that no row matches.
type importEntry struct {
	v     *passnum.Venue
	line  int // 0: recorded, not in the file
	point *geo.Point
	name  string // normalised, for entries with a point
}

// label names an entry in a problem or a warning.
func (e *importEntry) label() string {
	if e.line > 0 {
		return fmt.Sprintf("« %s » (%s)", e.v.Name, lineRef(e.line))
	}
	return fmt.Sprintf("« %s » (id %s, déjà dans l'annuaire)", e.v.Name, e.v.ID)
}

// importEntries lists the venues as they will be: the recorded ones no row
// matches, then the rows, each with the organisation and status of the
// venue it matches.
func importEntries(existing []*passnum.Venue, match []*passnum.Venue, rows []passnum.ImportRow, venues []passnum.Venue) []*importEntry {
	inFile := map[int64]bool{}
	for _, m := range match {
		if m != nil {
			inFile[m.OrgID] = true
		}
	}
	var all []*importEntry
	for _, v := range existing {
		if !inFile[v.OrgID] {
			all = append(all, &importEntry{v: v})
		}
	}
	for i := range venues {
		v := &venues[i]
		if match[i] != nil {
			v.Qualification = match[i].Qualification
			v.OrgID = match[i].OrgID
		}
		all = append(all, &importEntry{v: v, line: rows[i].Line})
	}
	return all
}

// checkPivot compares a row with the other venues of its pivot: a SIRET
// shared by two candidate or qualified venues stops the import, else a
// shared SIRET is a warning.
func (p *importPlan) checkPivot(e *importEntry, same []*importEntry) {
	var others, qualified []string
	for _, o := range same {
		if o == e {
			continue
		}
		others = append(others, o.label())
		if e.v.Qualification != "" && e.v.Qualification != passnum.QualificationListed &&
			o.v.Qualification != "" && o.v.Qualification != passnum.QualificationListed {
			qualified = append(qualified, o.label())
		}
	}
	if len(qualified) > 0 {
		p.problems = append(p.problems, passnum.ImportProblem{Line: e.line, Field: "pivot",
			Message: fmt.Sprintf("pivot : %s, candidat ou qualifié, a le même SIRET %s que %s : un SIRET ne peut être qualifié qu'une fois.",
				e.label(), e.v.Pivot, strings.Join(qualified, ", "))})
	} else if len(others) > 0 {
		p.warnings = append(p.warnings, passnum.ImportProblem{Line: e.line, Field: "pivot",
			Message: fmt.Sprintf("pivot : même SIRET %s que %s : le même lieu en double ?", e.v.Pivot, strings.Join(limit(others, 3), ", "))})
	}
}

// checkNear warns of the venues of one name that stand within
// passnum.DuplicateDistanceMeters of each other, one of them at least in
// the file. Sorted by latitude, each entry is compared with those a few
// hundred metres north of it only.
func (p *importPlan) checkNear(group []*importEntry) {
	if len(group) < 2 {
		return
	}
	const degreePerMeter = 1 / 111_000.0
	slices.SortFunc(group, func(a, b *importEntry) int {
		return cmpFloat(a.point.Lat, b.point.Lat)
	})
	near := map[*importEntry][]string{}
	for i, a := range group {
		for _, b := range group[i+1:] {
			if b.point.Lat-a.point.Lat > passnum.DuplicateDistanceMeters*degreePerMeter*1.01 {
				break
			}
			if a.line == 0 && b.line == 0 {
				continue
			}
			d := geo.DistanceKm(*a.point, *b.point) * 1000
			if d > passnum.DuplicateDistanceMeters {
				continue
			}
			// Warned on the line of the file, the later one if both
			// are.
			first, second := a, b
			if b.line == 0 || a.line > b.line && a.line != 0 {
				first, second = b, a
			}
			near[second] = append(near[second], fmt.Sprintf("%s à %d m", first.label(), int(math.Round(d))))
		}
	}
	for e, others := range near {
		p.warnings = append(p.warnings, passnum.ImportProblem{Line: e.line, Field: "nom",
			Message: fmt.Sprintf("nom : même nom que %s : le même lieu en double ?", strings.Join(limit(others, 3), ", "))})
	}
}

func limit(l []string, n int) []string {
	if len(l) <= n {
		return l
	}
	return append(l[:n:n], fmt.Sprintf("et %d autres", len(l)-n))
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sameVenue tells whether two normalised venues say the same, field by
// field, whatever their organisation and status.
func sameVenue(a, b *passnum.Venue) bool {
	eqF := func(x, y *float64) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return a.ID == b.ID && a.Pivot == b.Pivot && a.Name == b.Name && a.Commune == b.Commune && a.PostalCode == b.PostalCode &&
		a.INSEE == b.INSEE && a.Address == b.Address && a.AddressComplement == b.AddressComplement &&
		eqF(a.Lat, b.Lat) && eqF(a.Lon, b.Lon) && slices.Equal(a.Typology, b.Typology) && a.Phone == b.Phone &&
		slices.Equal(a.Emails, b.Emails) && slices.Equal(a.Websites, b.Websites) && a.OpeningHours == b.OpeningHours &&
		a.Summary == b.Summary && a.Detail == b.Detail && a.Source == b.Source && slices.Equal(a.Roaming, b.Roaming) &&
		a.Parent == b.Parent && a.UpdatedOn == b.UpdatedOn && slices.Equal(a.Services, b.Services) &&
		slices.Equal(a.Publics, b.Publics) && slices.Equal(a.Supports, b.Supports) && slices.Equal(a.Fees, b.Fees) &&
		slices.Equal(a.NationalSchemes, b.NationalSchemes) && slices.Equal(a.Labels, b.Labels) &&
		slices.Equal(a.OtherLabels, b.OtherLabels) && slices.Equal(a.AccessModes, b.AccessModes) &&
		slices.Equal(a.SupportModes, b.SupportModes) && a.AccessibilitySheet == b.AccessibilitySheet &&
		a.AppointmentURL == b.AppointmentURL
}

// createImported writes new listed venues by batches: organisations,
// then their venue rows and the first line of their history.
func (t *tx) createImported(items []importItem) error {
	for start := 0; start < len(items); start += importBatch {
		batch := items[start:min(start+importBatch, len(items))]
		// The ids come back in no promised order: each is matched with a
		// row by what was inserted. Rows alike in all of it are alike as
		// organisations too, so any pairing among them is right.
		key := func(name, siret, insee string) string { return name + "\x00" + siret + "\x00" + insee }
		pending := map[string][]*passnum.Venue{}
		var q strings.Builder
		q.WriteString(`INSERT INTO organisations (kind, name, siret, commune_insee, qualification, created_at) VALUES `)
		args := make([]any, 0, 4*len(batch))
		for i, it := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("('venue', ?, ?, ?, 'listed', ?)")
			args = append(args, it.v.Name, it.v.Pivot, nullable(it.v.INSEE), t.nowText())
			k := key(it.v.Name, it.v.Pivot, it.v.INSEE)
			pending[k] = append(pending[k], it.v)
		}
		q.WriteString(" RETURNING id, name, COALESCE(siret, ''), COALESCE(commune_insee, '')")
		rows, err := t.query(q.String(), args...)
		if err != nil {
			return fmt.Errorf("line %d on: organisations: %w", batch[0].line, err)
		}
		n := 0
		for rows.Next() {
			var id int64
			var name, siret, insee string
			if err := rows.Scan(&id, &name, &siret, &insee); err != nil {
				rows.Close()
				return fmt.Errorf("line %d on: organisations: %w", batch[0].line, err)
			}
			k := key(name, siret, insee)
			if len(pending[k]) == 0 {
				rows.Close()
				return fmt.Errorf("organisation %d (%q) matches no row", id, name)
			}
			pending[k][0].OrgID = id
			pending[k] = pending[k][1:]
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("line %d on: organisations: %w", batch[0].line, err)
		}
		if n != len(batch) {
			return fmt.Errorf("%d organisations created for %d rows", n, len(batch))
		}
		if err := t.insertVenues(batch); err != nil {
			return fmt.Errorf("line %d on: venues: %w", batch[0].line, err)
		}
		q.Reset()
		q.WriteString(`INSERT INTO qualification_history (venue_id, status, reason, actor, created_at) VALUES `)
		args = args[:0]
		for i, it := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, 'listed', 'importé depuis le standard', ?, ?)")
			args = append(args, it.v.OrgID, t.actorLabel(), t.nowText())
		}
		if err := t.exec(q.String(), args...); err != nil {
			return fmt.Errorf("line %d on: qualification history: %w", batch[0].line, err)
		}
	}
	return nil
}

// insertVenues writes the venue rows of a batch in one statement.
func (t *tx) insertVenues(batch []importItem) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO venues (org_id, ` + strings.Join(venueDataColumns, ", ") + `, updated_at) VALUES `)
	row := "(" + placeholders(len(venueDataColumns)+2) + ")"
	args := make([]any, 0, (len(venueDataColumns)+2)*len(batch))
	for i, it := range batch {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
		args = append(args, it.v.OrgID)
		args = append(args, venueDataArgs(it.v)...)
		args = append(args, t.nowText())
	}
	return t.exec(q.String(), args...)
}

// updateImported rewrites the venues that changed, with one prepared
// statement, and their organisations when the name, pivot or commune
// changed.
func (t *tx) updateImported(items []importItem) error {
	if len(items) == 0 {
		return nil
	}
	stmt, err := t.Tx.PrepareContext(t.ctx, t.s.dialect.rebind(updateVenueSQL))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, it := range items {
		if _, err := stmt.ExecContext(t.ctx, append(venueDataArgs(it.v), t.nowText(), it.v.OrgID)...); err != nil {
			return fmt.Errorf("venue %d (line %d): %w", it.v.OrgID, it.line, err)
		}
		if it.v.Name != it.old.Name || it.v.Pivot != it.old.Pivot || it.v.INSEE != it.old.INSEE {
			if err := t.exec(`UPDATE organisations SET name = ?, siret = ?, commune_insee = ? WHERE id = ?`,
				it.v.Name, nullable(it.v.Pivot), nullable(it.v.INSEE), it.v.OrgID); err != nil {
				return fmt.Errorf("organisation %d (line %d): %w", it.v.OrgID, it.line, err)
			}
		}
	}
	return nil
}
