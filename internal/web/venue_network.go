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
	"sync"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/mednum"
)

// The operator's side of the venue network: the queue of applications,
// each venue's file with the one decision form, the list of venues with
// the national standard's import and exports.

// networkState is what the venue network's pages keep in memory: the
// imports waiting for confirmation.
type networkState struct {
	mu      sync.Mutex
	imports map[string]*pendingImport
}

func newNetworkState() *networkState {
	return &networkState{
		imports: map[string]*pendingImport{},
	}
}

// An import is checked first (a dry run), then confirmed. Between the two,
// the lines read from the file wait in memory under a random token, for
// the person who sent it only, and for a short while: the operator does
// not have to choose the file again, and what is confirmed is exactly
// what was checked. The store checks everything again when it imports,
// all or nothing, so a confirmation after the data changed is still safe.
// A restart forgets the pending imports: the page then asks to send the
// file again.
const (
	maxImportBytes    = 20 << 20
	importTTL         = 30 * time.Minute
	maxPendingImports = 4
)

// uploadLimits lets the forms that send files exceed maxFormBytes.
var uploadLimits = map[string]int64{
	"/operateur/lieux/import": maxImportBytes + 64<<10,
}

// pendingImport is a file checked and waiting for confirmation.
type pendingImport struct {
	user    int64
	name    string
	rows    []passnum.ImportRow
	expires time.Time
}

// keepImport stores rows for confirmation and returns their token. Each
// person has at most one import waiting, and the server a few.
func (n *networkState) keepImport(p *pendingImport, now time.Time) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, old := range n.imports {
		if old.user == p.user || !now.Before(old.expires) {
			delete(n.imports, k)
		}
	}
	for len(n.imports) >= maxPendingImports {
		oldest := ""
		for k, old := range n.imports {
			if oldest == "" || old.expires.Before(n.imports[oldest].expires) {
				oldest = k
			}
		}
		delete(n.imports, oldest)
	}
	token := randomToken()
	p.expires = now.Add(importTTL)
	n.imports[token] = p
	return token
}

// takeImport returns and forgets the import of token, if it is the
// person's and still fresh.
func (n *networkState) takeImport(token string, user int64, now time.Time) *pendingImport {
	n.mu.Lock()
	defer n.mu.Unlock()
	p := n.imports[token]
	if p == nil || p.user != user || !now.Before(p.expires) {
		return nil
	}
	delete(n.imports, token)
	return p
}

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
	Name     string
	Problems []passnum.ImportProblem
	Report   *passnum.ImportReport
	Token    string
	Rows     int
	Max      string
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "network_import", s.newView(r, "Importer des lieux", &importPage{Max: "20 Mo"}))
}

// importCheck reads the file sent and runs the import without writing
// anything: the operator sees every problem, or what the import would do.
func (s *Server) importCheck(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Importer des lieux", nil)
	d := &importPage{Max: "20 Mo"}
	v.Data = d
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
	var rows []passnum.ImportRow
	if isJSON(d.Name, data) {
		rows, d.Problems = mednum.ReadJSON(bytes.NewReader(data))
	} else {
		rows, d.Problems = mednum.ReadCSV(bytes.NewReader(data))
	}
	if len(d.Problems) == 0 && len(rows) == 0 {
		v.addError("file", "Ce fichier ne contient aucun lieu.")
		return s.render(w, r, http.StatusBadRequest, "network_import", v)
	}
	if len(d.Problems) == 0 {
		d.Report, err = s.svc.ImportVenues(r.Context(), rows, true)
		if err != nil {
			if !importProblems(err, &d.Problems) {
				return err
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
	trimProblems(d.Report.Warnings)
	d.Rows = len(rows)
	d.Token = s.network.keepImport(&pendingImport{user: visitorFrom(r).actor().UserID, name: d.Name, rows: rows}, s.now())
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

// importConfirm imports the file checked before.
func (s *Server) importConfirm(w http.ResponseWriter, r *http.Request) error {
	p := s.network.takeImport(r.PostForm.Get("token"), visitorFrom(r).actor().UserID, s.now())
	if p == nil {
		return passnum.Errorf(passnum.ECONFLICT, reasonImportExpired,
			"Cet import n'est plus en attente (plus de 30 minutes ont passé, ou il a déjà été confirmé) : envoyez le fichier de nouveau. Rien n'a été importé.")
	}
	report, err := s.svc.ImportVenues(r.Context(), p.rows, false)
	if err != nil {
		d := &importPage{Name: p.name, Max: "20 Mo"}
		if !importProblems(err, &d.Problems) {
			return err
		}
		trimProblems(d.Problems)
		v := s.newView(r, "Import refusé : "+p.name, d)
		return s.render(w, r, errStatus(err), "network_import", v)
	}
	return s.redirect(w, r, "/operateur/lieux", fmt.Sprintf("Import de %s terminé : %s créés, %s mis à jour, %s inchangés.",
		p.name, passnum.FrenchNumber(int64(report.Created)), passnum.FrenchNumber(int64(report.Updated)), passnum.FrenchNumber(int64(report.Unchanged))))
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
