package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// Activity reports (comptes-rendus d'activité): the help a venue's digital
// advisers give, paid by passes or not. A venue's members write and read
// their venue's; a hub reads those of the venues in its territory; the
// operator reads every venue's.

const reportColumns = `r.id, r.venue_id, r.author, r.author_name, r.format, r.report_date, r.duration_minutes, r.themes, r.autonomy,
	COALESCE(r.place_id, 0), r.place_kind, r.participants, COALESCE(r.session_id, 0), COALESCE(r.redemption_id, 0), r.passes_used, r.notes, r.created_at`

func scanReport(sc scanner) (*passnum.ActivityReport, error) {
	var r passnum.ActivityReport
	var themes, created string
	if err := sc.Scan(&r.ID, &r.VenueID, &r.Author, &r.AuthorName, &r.Format, &r.Date, &r.DurationMinutes, &themes, &r.Autonomy,
		&r.PlaceID, &r.PlaceKind, &r.Participants, &r.SessionID, &r.RedemptionID, &r.PassesUsed, &r.Notes, &created); err != nil {
		return nil, err
	}
	r.Themes = splitList(themes)
	in := instants{table: "activity_reports", id: r.ID}
	r.CreatedAt = in.at("created_at", created)
	return &r, in.err
}

// fillPeople loads the linked beneficiary references of reports.
func (t *tx) fillPeople(reports []*passnum.ActivityReport) error {
	if len(reports) == 0 {
		return nil
	}
	byID := make(map[int64]*passnum.ActivityReport, len(reports))
	ids := make([]any, len(reports))
	for i, r := range reports {
		byID[r.ID], ids[i] = r, r.ID
	}
	rows, err := t.query(`SELECT report_id, beneficiary_ref FROM activity_report_people WHERE report_id IN (`+placeholders(len(ids))+`)
		ORDER BY report_id, beneficiary_ref`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ref string
		if err := rows.Scan(&id, &ref); err != nil {
			return err
		}
		byID[id].BeneficiaryRefs = append(byID[id].BeneficiaryRefs, ref)
		byID[id].LinkedPeople++
	}
	return rows.Err()
}

func (t *tx) activityReport(id int64) (*passnum.ActivityReport, error) {
	r, err := scanReport(t.row(`SELECT `+reportColumns+` FROM activity_reports r WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("compte-rendu n°", id)
	} else if err != nil {
		return nil, err
	}
	return r, wrapf(t.fillPeople([]*passnum.ActivityReport{r}), "people of report %d", id)
}

// CreateActivityReport records help given by the caller's venue, which
// must be qualified: what an applicant would report would be counted by
// hubs and the operator before anyone reviewed it. Linked
// people must exist; a session or a redemption, when named, must be the
// venue's; a redemption sets the passes used (its pass count) and, when
// the report names no session, the session; a redemption is reported once,
// so that passes are counted once. Without a redemption, the passes used
// are as declared.
func (s *Store) CreateActivityReport(ctx context.Context, r passnum.ActivityReport) (*passnum.ActivityReport, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActActivityWrite); err != nil {
		return nil, err
	}
	r.ID, r.VenueID = 0, a.OrgID
	if err := r.Validate(s.now()); err != nil {
		return nil, err
	}
	for _, id := range []struct {
		field string
		value int64
	}{{"session_id", r.SessionID}, {"redemption_id", r.RedemptionID}, {"place_id", r.PlaceID}} {
		if id.value < 0 {
			return nil, passnum.Invalid(id.field, "Numéro invalide : %d.", id.value)
		}
	}
	var out *passnum.ActivityReport
	err := s.write(ctx, "create activity report", func(tx *tx) error {
		r := r // the transaction may run again: start from the request each time
		if err := tx.actsBeyondItsFile(r.VenueID, "rédiger des comptes rendus d'activité"); err != nil {
			return err
		}
		if r.Date > passnum.Today(tx.now) {
			return passnum.Invalid("date", "Un compte-rendu porte sur une aide déjà donnée : la date ne peut être dans le futur.")
		}
		if r.PlaceID != 0 {
			if err := tx.checkPlace(r.VenueID, r.PlaceID, false); err != nil {
				return err
			}
		}
		if err := tx.knownBeneficiaries(r.BeneficiaryRefs); err != nil {
			return err
		}
		if r.RedemptionID != 0 {
			if err := tx.reportRedemption(&r); err != nil {
				return err
			}
		}
		if r.SessionID != 0 {
			var venue int64
			var cancelled sql.NullString
			err := tx.row(`SELECT venue_id, cancelled_at FROM workshop_sessions WHERE id = ?`, r.SessionID).Scan(&venue, &cancelled)
			if errors.Is(err, sql.ErrNoRows) || err == nil && venue != r.VenueID {
				return passnum.Invalid("session_id", "Séance n° %d introuvable parmi celles de votre lieu.", r.SessionID)
			} else if err != nil {
				return err
			}
			if cancelled.Valid {
				return passnum.Invalid("session_id", "Cette séance a été annulée : elle n'a pas eu lieu.")
			}
		}
		r.Author, r.AuthorName = tx.actorLabel(), ""
		if a.UserID != 0 {
			err := tx.get(&r.AuthorName, `SELECT name FROM users WHERE id = ?`, a.UserID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		id, err := tx.insert(`INSERT INTO activity_reports (venue_id, author, author_name, format, report_date, duration_minutes, themes, autonomy,
			place_id, place_kind, participants, session_id, redemption_id, passes_used, notes, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.VenueID, r.Author, r.AuthorName, r.Format, r.Date, r.DurationMinutes, joinList(r.Themes), r.Autonomy,
			nullID(r.PlaceID), r.PlaceKind, r.Participants, nullID(r.SessionID), nullID(r.RedemptionID), r.PassesUsed, r.Notes, tx.nowText())
		if err != nil {
			return err
		}
		for _, ref := range r.BeneficiaryRefs {
			if err := tx.exec(`INSERT INTO activity_report_people (report_id, beneficiary_ref) VALUES (?, ?)`, id, ref); err != nil {
				return fmt.Errorf("report %d: people: %w", id, err)
			}
		}
		if err := tx.audit("activity.create", fmt.Sprintf("activity:%d", id),
			fmt.Sprintf("venue:%d %s %d participants %d passes", r.VenueID, r.Date, r.Participants, r.PassesUsed)); err != nil {
			return err
		}
		out, err = tx.activityReport(id)
		return err
	})
	passnum.RedactFor(a, out)
	return out, wrapf(err, "activity report of venue %d", r.VenueID)
}

// knownBeneficiaries checks that every reference names a beneficiary.
func (t *tx) knownBeneficiaries(refs []string) error {
	if len(refs) == 0 {
		return nil
	}
	args := make([]any, len(refs))
	for i, ref := range refs {
		args[i] = ref
	}
	known, err := selectAll(t, func(sc scanner) (string, error) {
		var ref string
		return ref, sc.Scan(&ref)
	}, `SELECT ref FROM beneficiaries WHERE ref IN (`+placeholders(len(args))+`) AND erased_at IS NULL`, args...)
	if err != nil {
		return err
	}
	for _, ref := range refs {
		if !slices.Contains(known, ref) {
			return passnum.Invalid("beneficiary_refs", "Aucune personne n'a la référence %s : vérifiez-la sur son carnet, ou laissez la personne anonyme.", ref)
		}
	}
	return nil
}

// reportRedemption checks the redemption a report names and takes from it
// the passes used and, when the report names none, the session.
func (t *tx) reportRedemption(r *passnum.ActivityReport) error {
	red, err := t.redemption(r.RedemptionID)
	if err == nil && red.VenueID != r.VenueID {
		err = notFound("redemption", r.RedemptionID)
	}
	if passnum.ErrorCode(err) == passnum.ENOTFOUND {
		return passnum.Invalid("redemption_id", "Encaissement n° %d introuvable parmi ceux de votre lieu.", r.RedemptionID)
	} else if err != nil {
		return err
	}
	if red.VoidedAt != nil {
		return passnum.Invalid("redemption_id", "Cet encaissement a été annulé le %s : ses pass n'ont pas servi.", passnum.FrenchDateTime(*red.VoidedAt))
	}
	switch {
	case r.SessionID == 0:
		r.SessionID = red.SessionID
	case red.SessionID != 0 && red.SessionID != r.SessionID:
		return passnum.Invalid("redemption_id", "Cet encaissement a été fait pour la séance n° %d, pas pour la séance n° %d.", red.SessionID, r.SessionID)
	}
	var other int64
	err = t.get(&other, `SELECT id FROM activity_reports WHERE redemption_id = ?`, r.RedemptionID)
	if err == nil {
		return &passnum.Error{Code: passnum.ECONFLICT, Reason: passnum.ReasonRedemptionReported, Field: "redemption_id",
			Message: fmt.Sprintf("Cet encaissement figure déjà dans le compte-rendu n° %d : un encaissement ne se compte qu'une fois.", other)}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	r.PassesUsed = len(red.Serials)
	return nil
}

// ListActivityReports lists reports, newest first, with the total and a
// summary over every report of the filter (not only the page). A venue's
// members read their venue's; a hub's, those of the venues located in its
// territory (none without one), narrowed to part of it if the filter names
// a territory, without their notes nor people's references
// (passnum.ActivityReport.RedactFor); the operator every venue's, or one's,
// or a territory's.
func (s *Store) ListActivityReports(ctx context.Context, f passnum.ActivityFilter) ([]*passnum.ActivityReport, int, *passnum.ActivitySummary, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActActivityRead); err != nil {
		return nil, 0, nil, err
	}
	hub := a.OrgKind == passnum.KindHub
	where, args := []string{"1 = 1"}, []any{}
	if !a.IsOperator() && !hub {
		f.VenueID, f.Territory = a.OrgID, nil
	} else {
		where = append(where, countedReport)
	}
	if f.VenueID != 0 {
		where, args = append(where, "r.venue_id = ?"), append(args, f.VenueID)
	}
	for _, bound := range []struct{ field, value, cond string }{{"from", f.From, "r.report_date >= ?"}, {"to", f.To, "r.report_date <= ?"}} {
		if bound.value == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, bound.value); err != nil {
			return nil, 0, nil, passnum.Invalid(bound.field, "Date invalide : %q (AAAA-MM-JJ).", bound.value)
		}
		where, args = append(where, bound.cond), append(args, bound.value)
	}
	if len(f.Territory) > 0 {
		t, err := passnum.ParseTerritory(f.Territory)
		if err != nil {
			return nil, 0, nil, err
		}
		cond, targs := territoryCond(t)
		where, args = append(where, cond), append(args, targs...)
	}
	offset, limit := page(f.Offset, f.Limit)
	var out []*passnum.ActivityReport
	var total int
	var sum *passnum.ActivitySummary
	err := s.read(ctx, func(tx *tx) error {
		where, args := slices.Clone(where), slices.Clone(args)
		if hub {
			// Read with the reports, so that a territory changed meanwhile
			// applies to both or to neither.
			t, err := tx.hubTerritory(a.OrgID)
			if err != nil {
				return err
			}
			if t == nil {
				where = append(where, "1 = 0") // no territory: no figures
			} else {
				cond, targs := territoryCond(t)
				where, args = append(where, cond), append(args, targs...)
			}
		}
		cond := strings.Join(where, " AND ")
		var err error
		if sum, err = tx.activitySummary(cond, args); err != nil {
			return err
		}
		total = sum.Reports
		if f.SummaryOnly {
			return nil
		}
		if out, err = selectAll(tx, scanReport, `SELECT `+reportColumns+` FROM `+reportsFrom+` WHERE `+cond+`
			ORDER BY r.report_date DESC, r.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...); err != nil {
			return err
		}
		return tx.fillPeople(out)
	})
	if err != nil {
		return nil, 0, nil, err
	}
	for _, r := range out {
		r.RedactFor(a)
	}
	passnum.RedactFor(a, out)
	if err := s.journalReports(ctx, a, out); err != nil {
		return nil, 0, nil, err
	}
	if out == nil {
		out = []*passnum.ActivityReport{}
	}
	return out, total, sum, nil
}

// reportsFrom joins reports to their venue (as o), for the conditions on
// where the venue is.
const reportsFrom = `activity_reports r JOIN organisations o ON o.id = r.venue_id`

// countedReport keeps the reports that figures count: those filed while
// their venue was qualified, its status then being its history's last
// line written before the report (its current status, for a venue without
// history). Only a qualified venue files reports (CreateActivityReport), so
// this is a second guard, for reports filed before that rule; a venue
// suspended or withdrawn later keeps the reports it filed while qualified.
// Hubs and the operator read only these; a venue reads all of its own.
const countedReport = `COALESCE((SELECT h.status FROM qualification_history h
	WHERE h.venue_id = r.venue_id AND h.created_at <= r.created_at ORDER BY h.id DESC LIMIT 1), o.qualification) = 'qualified'`

// territoryCond selects the venues (o) whose commune lies in t: by commune
// or by département, a région being its départements, in SQL that SQLite
// and PostgreSQL read alike. The département of a commune is its first
// three characters overseas (97x), its first two elsewhere, as in
// passnum.DepartementOfCommune.
func territoryCond(t passnum.Territory) (string, []any) {
	var communes, deps []any
	for _, area := range t {
		switch area.Level {
		case passnum.LevelCommune:
			communes = append(communes, area.Code)
		case passnum.LevelDepartement:
			deps = append(deps, area.Code)
		case passnum.LevelRegion:
			for _, d := range passnum.DepartementsOfRegion(area.Code) {
				deps = append(deps, d)
			}
		}
	}
	var or []string
	if len(communes) > 0 {
		or = append(or, `o.commune_insee IN (`+placeholders(len(communes))+`)`)
	}
	if len(deps) > 0 {
		or = append(or, `CASE WHEN substr(o.commune_insee, 1, 2) = '97' THEN substr(o.commune_insee, 1, 3)
			ELSE substr(o.commune_insee, 1, 2) END IN (`+placeholders(len(deps))+`)`)
	}
	if len(or) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", append(communes, deps...)
}

// activitySummary counts the reports selected by cond (on reportsFrom).
// People without a reference are anonymous: the participants of each
// report minus the people linked to it.
func (t *tx) activitySummary(cond string, args []any) (*passnum.ActivitySummary, error) {
	sum := &passnum.ActivitySummary{ByTheme: map[string]int{}, ByVenue: []passnum.VenueActivity{}}
	err := t.row(`SELECT COUNT(*),
			COALESCE(SUM(CASE WHEN r.format = 'individual' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN r.format = 'collective' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(r.participants), 0), COALESCE(SUM(r.duration_minutes), 0),
			COALESCE(SUM(CASE WHEN r.passes_used > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(r.passes_used), 0)
		FROM `+reportsFrom+` WHERE `+cond, args...).
		Scan(&sum.Reports, &sum.Individual, &sum.Collective, &sum.Participants, &sum.Minutes, &sum.WithPasses, &sum.PassesUsed)
	if err != nil {
		return nil, err
	}
	var links int
	if err := t.row(`SELECT COUNT(*), COUNT(DISTINCT p.beneficiary_ref) FROM activity_report_people p
		JOIN activity_reports r ON r.id = p.report_id JOIN organisations o ON o.id = r.venue_id WHERE `+cond, args...).Scan(&links, &sum.LinkedPeople); err != nil {
		return nil, err
	}
	sum.AnonymousPeople = sum.Participants - links
	err = t.each(`SELECT r.venue_id, o.name, COUNT(*), SUM(r.participants), SUM(r.duration_minutes) FROM `+reportsFrom+`
		WHERE `+cond+` GROUP BY r.venue_id, o.name`, func(sc scanner) error {
		var v passnum.VenueActivity
		if err := sc.Scan(&v.VenueID, &v.VenueName, &v.Reports, &v.Participants, &v.Minutes); err != nil {
			return err
		}
		sum.ByVenue = append(sum.ByVenue, v)
		return nil
	}, args...)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(sum.ByVenue, func(a, b passnum.VenueActivity) int {
		return cmp.Or(cmp.Compare(b.Reports, a.Reports), strings.Compare(a.VenueName, b.VenueName), cmp.Compare(a.VenueID, b.VenueID))
	})
	rows, err := t.query(`SELECT r.themes FROM `+reportsFrom+` WHERE `+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var themes string
		if err := rows.Scan(&themes); err != nil {
			return nil, err
		}
		for _, theme := range splitList(themes) {
			sum.ByTheme[theme]++
		}
	}
	return sum, rows.Err()
}
