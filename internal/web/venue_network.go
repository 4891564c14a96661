package web

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/mednum"
)

// The operator's side of the venue network: the queue of applications,
// each venue's file with the one decision form, the list of venues with
// the national standard's import and exports.

// An import is checked first (a dry run), then confirmed. Between the two,
// the lines read from the file wait in the database
// (passnum.VenueService.KeepVenueImport) under a random token, for the
// person who sent it only, for passnum.VenueImportTTL: the operator does
// not have to choose the file again, what is confirmed is exactly what
// was checked, and any server of the installation confirms it, after a
// restart too. The store checks everything again when it imports, so a
// confirmation after the data changed is still safe.
const maxImportBytes = 20 << 20

// uploadLimits lets the forms that send files exceed maxFormBytes.
var uploadLimits = map[string]int64{
	"/operateur/lieux/import": maxImportBytes + 64<<10,
}

// Modes of an import, the form's field mode.
const (
	importAllOrNothing = "tout"
	importValidLines   = "valables"
)

func init() {
	// The venue network's template functions, with the others before any
	// page is parsed.
	funcs["venueStatus"] = func(q any) string { return statusLabel(passnum.Qualification(fmt.Sprint(q))) }
	funcs["venueStatusTitle"] = func(q any) string { return capitalize(statusLabel(passnum.Qualification(fmt.Sprint(q)))) }
	funcs["waiting"] = func(days int) string {
		if days < 1 {
			return "moins d'un jour"
		}
		return passnum.FrenchNumber(int64(days)) + " " + pluralize(int64(days), "jour", "jours")
	}
	funcs["venueBadge"] = func(q any) string { return statusBadge(passnum.Qualification(fmt.Sprint(q))) }
	funcs["maskIBAN"] = maskIBAN
	funcs["vocabulary"] = func(field string) []string { return passnum.VocabularyOf(field).Values }
	funcs["standardVersion"] = func() string { return passnum.StandardVersion }
	funcs["charterVersion"] = func() string { return passnum.CharterVersion }
	funcs["ownMenu"] = func() []ownMenuItem { return ownMenu }
}

// ownMenuItem is an entry of the menu of the venue's own pages.
type ownMenuItem struct{ Section, Href, Label string }

var ownMenu = []ownMenuItem{
	{"fiche", "/lieu/fiche", "La fiche"}, {"candidature", "/lieu/candidature", "Candidature et qualification"},
	{"banque", "/lieu/banque", "Coordonnées bancaires"}, {"permanences", "/lieu/permanences", "Permanences"},
	{"equipe", "/lieu/equipe", "Équipe"},
}

// statusLabel names a qualification status for people.
func statusLabel(q passnum.Qualification) string {
	if l := q.Label(); l != string(q) {
		return l
	}
	switch q {
	case passnum.QualificationListed:
		return "référencé, sans candidature"
	case passnum.QualificationChangesRequested:
		return "compléments demandés"
	case passnum.QualificationRefused:
		return "candidature refusée"
	}
	return string(q)
}

// statusBadge is the badge class of a status: green when the venue
// redeems, orange while a decision or the venue is awaited, red when it
// may not.
func statusBadge(q passnum.Qualification) string {
	switch q {
	case passnum.QualificationQualified:
		return "badge-ok"
	case passnum.QualificationPending, passnum.QualificationChangesRequested:
		return "badge-wait"
	case passnum.QualificationListed:
		return "badge-neutral"
	}
	return "badge-ko"
}

// allStatuses lists the statuses in the order of the workflow.
var allStatuses = []passnum.Qualification{
	passnum.QualificationPending, passnum.QualificationChangesRequested, passnum.QualificationQualified,
	passnum.QualificationSuspended, passnum.QualificationRefused, passnum.QualificationWithdrawn, passnum.QualificationListed,
}

// queueStatuses are the tabs of the queue of applications.
var queueStatuses = []passnum.Qualification{
	passnum.QualificationPending, passnum.QualificationChangesRequested, passnum.QualificationRefused,
}

// decision is one choice of the operator's decision form.
type decision struct {
	Status passnum.Qualification
	Label  string
	Hint   string
}

// decisionsFrom lists the operator's possible decisions on a venue of
// status q; the venue's own (re)submission is not one of them.
func decisionsFrom(q passnum.Qualification) []decision {
	var out []decision
	for _, next := range q.NextStatuses() {
		if q.ByVenue(next) {
			continue
		}
		d := decision{Status: next}
		switch next {
		case passnum.QualificationQualified:
			d.Label, d.Hint = "Qualifier le lieu", "Il peut encaisser des pass dès maintenant."
			if q == passnum.QualificationSuspended {
				d.Label, d.Hint = "Rétablir la qualification", "Le lieu peut de nouveau encaisser des pass."
			}
		case passnum.QualificationChangesRequested:
			d.Label, d.Hint = "Demander des compléments", "Le lieu corrige sa candidature et la renvoie ; dites-lui quoi dans le motif."
		case passnum.QualificationRefused:
			d.Label, d.Hint = "Refuser la candidature", "Le lieu pourra candidater de nouveau plus tard."
		case passnum.QualificationSuspended:
			d.Label, d.Hint = "Suspendre la qualification", "Le lieu ne peut plus encaisser de pass jusqu'à nouvel ordre."
		case passnum.QualificationWithdrawn:
			d.Label, d.Hint = "Retirer la qualification", "Le lieu ne peut plus encaisser ; il devra candidater de nouveau."
		default:
			d.Label = capitalize(statusLabel(next))
		}
		out = append(out, d)
	}
	return out
}

// venueRow is a venue in the operator's lists.
type venueRow struct {
	*passnum.Venue
	// Waiting is how many days the venue has been in its status.
	Waiting int
	Since   *time.Time
}

type venueListPage struct {
	Queue    bool
	Rows     []venueRow
	Total    int
	Status   passnum.Qualification
	Statuses []passnum.Qualification
	Counts   map[passnum.Qualification]int
	All      int
	Query    string
	Page     int
	Pages    int
	// Export is the query of the export links (the status filter).
	Export string
}

const venuesPerPage = 100

// applications is the operator's queue: the applications waiting for a
// decision come first, the oldest on top.
func (s *Server) applications(w http.ResponseWriter, r *http.Request) error {
	status := passnum.Qualification(r.URL.Query().Get("statut"))
	if !slices.Contains(queueStatuses, status) {
		status = passnum.QualificationPending
	}
	return s.venueList(w, r, "Candidatures des lieux", &venueListPage{Queue: true, Status: status, Statuses: queueStatuses})
}

// networkVenues lists every venue, filtered by status or words.
func (s *Server) networkVenues(w http.ResponseWriter, r *http.Request) error {
	status := passnum.Qualification(r.URL.Query().Get("statut"))
	if !slices.Contains(allStatuses, status) {
		status = ""
	}
	d := &venueListPage{Status: status, Statuses: allStatuses, Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	if status != "" {
		d.Export = "?statut=" + string(status)
	}
	return s.venueList(w, r, "Lieux de médiation numérique", d)
}

func (s *Server) venueList(w http.ResponseWriter, r *http.Request, title string, d *venueListPage) error {
	ctx := r.Context()
	d.Counts = map[passnum.Qualification]int{}
	for _, q := range allStatuses {
		_, n, err := s.svc.ListVenues(ctx, passnum.VenueFilter{Qualification: q, Limit: 1})
		if err != nil {
			return err
		}
		d.Counts[q] = n
		d.All += n
	}
	d.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	d.Page = max(d.Page, 1)
	f := passnum.VenueFilter{Qualification: d.Status, Query: d.Query, Offset: (d.Page - 1) * venuesPerPage, Limit: venuesPerPage}
	if d.Queue {
		// The whole queue, to put the longest waiting on top.
		f.Offset, f.Limit = 0, 0
	}
	venues, total, err := s.svc.ListVenues(ctx, f)
	if err != nil {
		return err
	}
	d.Total, d.Pages = total, max(1, (total+venuesPerPage-1)/venuesPerPage)
	now := s.now()
	for _, v := range venues {
		row := venueRow{Venue: v, Since: v.QualificationUpdatedAt}
		if row.Since != nil {
			row.Waiting = int(now.Sub(*row.Since).Hours() / 24)
		}
		d.Rows = append(d.Rows, row)
	}
	if d.Queue {
		slices.SortStableFunc(d.Rows, func(a, b venueRow) int { return cmp.Compare(b.Waiting, a.Waiting) })
	}
	v := s.newView(r, title, d)
	if d.Queue {
		v.Title = "Candidatures : " + statusLabel(d.Status)
	}
	return s.render(w, r, http.StatusOK, "network_venues", v)
}

// venueFilePage is the operator's page of a venue.
type venueFilePage struct {
	File      *passnum.VenueFile
	Members   []*passnum.User
	Decisions []decision
	History   []historyRow
}

func (s *Server) venueFile(w http.ResponseWriter, r *http.Request) error {
	return s.venueFilePage(w, r, s.newView(r, "Dossier du lieu", nil), http.StatusOK)
}

func (s *Server) venueFilePage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r, "id", "Lieu")
	if err != nil {
		return err
	}
	ctx := r.Context()
	file, err := s.svc.FindVenueFile(ctx, id)
	if err != nil {
		return err
	}
	d := &venueFilePage{File: file, Decisions: decisionsFrom(file.Venue.Qualification)}
	if d.Members, err = s.svc.ListMembers(ctx, id); err != nil {
		return err
	}
	d.History = s.qualificationHistory(r, file, d.Members)
	v.Title, v.Data = file.Venue.Name, d
	return s.render(w, r, status, "network_file", v)
}

// historyRow is a line of a venue's history with who made it.
type historyRow struct {
	passnum.QualificationEvent
	Who string
}

// qualificationHistory names who made each move of a venue's history, newest first:
// the people the visitor may list (the venue's members, the operator's
// for the operator), otherwise the venue for its (re)submissions and the
// operator for its decisions.
func (s *Server) qualificationHistory(r *http.Request, file *passnum.VenueFile, members []*passnum.User) []historyRow {
	names := map[string]string{}
	add := func(users []*passnum.User, suffix string) {
		for _, u := range users {
			names["user:"+strconv.FormatInt(u.ID, 10)] = u.Name + suffix
		}
	}
	a := visitorFrom(r).actor()
	if a.IsOperator() {
		if ops, err := s.svc.ListMembers(r.Context(), a.OrgID); err == nil {
			add(ops, " (opérateur)")
		}
	}
	add(members, "")
	out := make([]historyRow, len(file.History))
	for i, e := range file.History {
		who := names[e.Actor]
		switch {
		case who != "":
		case a.IsOperator():
			who = e.Actor
		case passnum.Qualification("").ByVenue(e.Status):
			who = "votre lieu"
		default:
			who = "l'opérateur"
		}
		out[len(out)-1-i] = historyRow{e, who}
	}
	return out
}

// decide applies the operator's decision on a venue.
func (s *Server) decide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Lieu")
	if err != nil {
		return err
	}
	f := r.PostForm
	v := s.newView(r, "Dossier du lieu", nil)
	v.Form = f
	to := passnum.Qualification(f.Get("status"))
	reason := strings.TrimSpace(f.Get("reason"))
	if to == "" {
		v.addError("status", "Choisissez votre décision.")
	}
	if reason == "" {
		v.addError("reason", "Écrivez le motif de votre décision : le lieu le lira, et il reste dans l'historique.")
	}
	if v.Summary != nil {
		return s.venueFilePage(w, r, v, http.StatusBadRequest)
	}
	file, err := s.svc.MoveQualification(r.Context(), id, to, reason)
	if err != nil {
		return sendBack(v, err, map[string]string{"qualification": "status", "to": "status", "venue_id": "status"},
			func(status int) error { return s.venueFilePage(w, r, v, status) })
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/lieux/%d", id),
		fmt.Sprintf("Décision enregistrée : %s est maintenant « %s ».", file.Venue.Name, statusLabel(file.Venue.Qualification)))
}

// Import of a file of the standard.

type importPage struct {
	Name string
	Mode string // importAllOrNothing or importValidLines
	// Problems refused the file: every line, all or nothing, or no valid
	// line at all.
	Problems []passnum.ImportProblem
	Report   *passnum.ImportReport
	Token    string
	Rows     int
	Max      string
}

// ValidLines tells whether the import takes the valid lines only.
func (d *importPage) ValidLines() bool { return d.Mode == importValidLines }

func (s *Server) importForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "network_import", s.newView(r, "Importer des lieux", &importPage{Max: "20 Mo", Mode: importAllOrNothing}))
}

// importCheck reads the file sent and runs the import without writing
// anything: the operator sees every problem, or what the import would do
// (with the lines it would leave out, in the mode of the valid lines).
func (s *Server) importCheck(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Importer des lieux", nil)
	d := &importPage{Max: "20 Mo", Mode: importAllOrNothing}
	v.Data = d
	if r.PostForm.Get("mode") == importValidLines {
		d.Mode = importValidLines
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		v.addError("file", "Choisissez le fichier à importer : un CSV ou un JSON du standard des lieux de médiation numérique.")
		return s.render(w, r, http.StatusBadRequest, "network_import", v)
	}
	defer file.Close()
	d.Name = path.Base(header.Filename)
	data, err := io.ReadAll(io.LimitReader(file, maxImportBytes+1))
	if err != nil {
		return err
	}
	if len(data) > maxImportBytes {
		v.addError("file", "Ce fichier dépasse 20 Mo : découpez-le en plusieurs fichiers.")
		return s.render(w, r, http.StatusRequestEntityTooLarge, "network_import", v)
	}
	var (
		rows   []passnum.ImportRow
		unread []passnum.ImportProblem
	)
	if isJSON(d.Name, data) {
		rows, unread = mednum.ReadJSON(bytes.NewReader(data))
	} else {
		rows, unread = mednum.ReadCSV(bytes.NewReader(data))
	}
	if len(unread) == 0 && len(rows) == 0 {
		v.addError("file", "Ce fichier ne contient aucun lieu.")
		return s.render(w, r, http.StatusBadRequest, "network_import", v)
	}
	if len(unread) > 0 && (!d.ValidLines() || len(rows) == 0) {
		d.Problems = unread
	} else {
		importVenues := s.svc.ImportVenues
		if d.ValidLines() {
			importVenues = s.svc.ImportValidVenues
		}
		d.Report, err = importVenues(r.Context(), rows, true)
		if err != nil {
			if !importProblems(err, &d.Problems) {
				return err
			}
			if d.ValidLines() { // no valid line: every line says why
				all := &passnum.ImportReport{}
				all.Skip(append(unread, d.Problems...))
				d.Problems = all.Skipped
			}
		}
	}
	if len(d.Problems) > 0 {
		trimProblems(d.Problems)
		v.Title = "Import refusé : " + d.Name
		return s.render(w, r, http.StatusUnprocessableEntity, "network_import", v)
	}
	if d.Report == nil {
		return fmt.Errorf("import dry run of %s: no report", d.Name)
	}
	if d.ValidLines() {
		d.Report.Skip(unread)
	}
	trimProblems(d.Report.Warnings)
	trimProblems(d.Report.Skipped)
	d.Rows = len(rows)
	kept, err := s.svc.KeepVenueImport(r.Context(), passnum.PendingVenueImport{Name: d.Name, ValidLines: d.ValidLines(), Rows: rows, Unread: unread})
	if err != nil {
		return err
	}
	d.Token = kept.Token
	v.Title = "Vérification de l'import : " + d.Name
	return s.render(w, r, http.StatusOK, "network_import", v)
}

// importProblems reads the lines an import refused from its error; false
// for errors that are not about the file: internal ones, and a role that
// may not import, which gets the refusal's own page and status.
func importProblems(err error, out *[]passnum.ImportProblem) bool {
	var e *passnum.Error
	if !asError(err, &e) || e.Code == passnum.EINTERNAL || e.Code == passnum.EFORBIDDEN || e.Code == passnum.EUNAUTHORIZED {
		return false
	}
	if len(e.Problems) > 0 {
		*out = e.Problems
	} else {
		*out = []passnum.ImportProblem{{Field: e.Field, Message: e.Message}}
	}
	return true
}

// trimProblems drops the column name the messages start with, which the
// table shows in its own column.
func trimProblems(problems []passnum.ImportProblem) {
	for i, p := range problems {
		if p.Field != "" {
			problems[i].Message = capitalize(strings.TrimSpace(strings.TrimPrefix(p.Message, p.Field+" :")))
		}
	}
}

// isJSON tells a JSON file from a CSV one, by its name or its first
// character.
func isJSON(name string, data []byte) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		return true
	case ".csv":
		return false
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n")
	return len(t) > 0 && (t[0] == '[' || t[0] == '{')
}

// importConfirm imports the file checked before, on whichever server
// checked it; the store imports it once, for the person who checked it.
func (s *Server) importConfirm(w http.ResponseWriter, r *http.Request) error {
	p, report, err := s.svc.ConfirmVenueImport(r.Context(), r.PostForm.Get("token"))
	if err != nil {
		if p == nil || passnum.ErrorReason(err) == passnum.ReasonImportExpired {
			return err
		}
		d := &importPage{Name: p.Name, Max: "20 Mo", Mode: importAllOrNothing}
		if p.ValidLines {
			d.Mode = importValidLines
		}
		if !importProblems(err, &d.Problems) {
			return err
		}
		trimProblems(d.Problems)
		v := s.newView(r, "Import refusé : "+p.Name, d)
		return s.render(w, r, errStatus(err), "network_import", v)
	}
	msg := fmt.Sprintf("Import de %s terminé : %s créés, %s mis à jour, %s inchangés.",
		p.Name, passnum.FrenchNumber(int64(report.Created)), passnum.FrenchNumber(int64(report.Updated)), passnum.FrenchNumber(int64(report.Unchanged)))
	if p.ValidLines {
		msg += fmt.Sprintf(" %s, comme la vérification l'avait montré.", passnum.FrenchCount(int64(report.SkippedLines()), "ligne écartée", "lignes écartées"))
	}
	return s.redirect(w, r, "/operateur/lieux", msg)
}

// Exports in the national standard.

func (s *Server) exportVenues(w http.ResponseWriter, r *http.Request, format string) error {
	status := passnum.Qualification(r.URL.Query().Get("statut"))
	if !slices.Contains(allStatuses, status) {
		status = ""
	}
	venues, _, err := s.svc.ListVenues(r.Context(), passnum.VenueFilter{Qualification: status})
	if err != nil {
		return err
	}
	name := "lieux-mediation-numerique"
	if status != "" {
		name += "-" + string(status)
	}
	var buf bytes.Buffer
	switch format {
	case "json":
		err = mednum.WriteJSON(&buf, venues)
		name += ".json"
	case "spreadsheet":
		// A spreadsheet opens a CSV file as UTF-8 and splits it in
		// columns only when told so by the byte order mark and the ';';
		// the venues' text, which anyone applying online types, is made
		// inert there (csvfile.Cell).
		err = mednum.WriteSpreadsheetCSV(&buf, venues)
		name += "-tableur.csv"
	default:
		err = mednum.WriteCSV(&buf, venues)
		name += ".csv"
	}
	if err != nil {
		return err
	}
	h := w.Header()
	if format == "json" {
		h.Set("Content-Type", "application/json; charset=utf-8")
	} else {
		h.Set("Content-Type", "text/csv; charset=utf-8")
	}
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err = buf.WriteTo(w)
	return err
}

func (s *Server) exportVenuesCSV(w http.ResponseWriter, r *http.Request) error {
	return s.exportVenues(w, r, "csv")
}

func (s *Server) exportVenuesSpreadsheet(w http.ResponseWriter, r *http.Request) error {
	return s.exportVenues(w, r, "spreadsheet")
}

func (s *Server) exportVenuesJSON(w http.ResponseWriter, r *http.Request) error {
	return s.exportVenues(w, r, "json")
}
