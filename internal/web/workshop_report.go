package web

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/csvfile"
)

// Activity reports (comptes-rendus d'activité): what the venue's digital
// advisers record of the help they give, paid by passes or not. The list
// sums a period up (as figures, a chart and a table), pages through the
// reports and exports them as CSV; a form records a new one.

// reportsPerPage is how many reports a page lists.
const reportsPerPage = 20

// reportsData is the page of the venue's activity reports.
type reportsData struct {
	From, To  string // the period, YYYY-MM-DD
	Summary   *passnum.ActivitySummary
	Hours     string // the time spent, "12 h 30"
	Chart     template.HTML
	Themes    []themeCount
	Reports   []reportRow
	Total     int
	PageNo    int
	Pages     int
	PrevURL   string
	NextURL   string
	ExportURL string
}

type themeCount struct {
	Theme string
	Count int
}

type reportRow struct {
	R     *passnum.ActivityReport
	Date  string
	Place string
}

// reportPeriod reads the period of the list and its export: from the 1st
// of January to today by default.
func (s *Server) reportPeriod(v *view, q url.Values) (from, to string) {
	today := s.now().In(parisTime)
	from, to = strings.TrimSpace(q.Get("du")), strings.TrimSpace(q.Get("au"))
	if from == "" {
		from = time.Date(today.Year(), 1, 1, 0, 0, 0, 0, parisTime).Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, from); err != nil {
		v.addError("du", "Date de début invalide : « "+from+" ».")
		from = ""
	}
	if to == "" {
		to = today.Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, to); err != nil {
		v.addError("au", "Date de fin invalide : « "+to+" ».")
		to = ""
	}
	if from != "" && to != "" && to < from {
		v.addError("au", "La fin de la période précède son début.")
		from, to = to, from
	}
	v.Form.Set("du", from)
	v.Form.Set("au", to)
	return from, to
}

func (s *Server) reports(w http.ResponseWriter, r *http.Request) error {
	d := &reportsData{PageNo: 1}
	v := s.newView(r, "Comptes rendus d'activité", d)
	q := r.URL.Query()
	d.From, d.To = s.reportPeriod(v, q)
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		d.PageNo = min(n, 100000)
	}
	list, total, sum, err := s.svc.ListActivityReports(r.Context(), passnum.ActivityFilter{From: d.From, To: d.To,
		Offset: (d.PageNo - 1) * reportsPerPage, Limit: reportsPerPage})
	if err != nil {
		return err
	}
	d.Summary, d.Total = sum, total
	d.Hours = durationLabel(sum.Minutes)
	d.Themes, d.Chart = themeChart(sum)
	places, err := s.placeNames(r)
	if err != nil {
		return err
	}
	for _, rep := range list {
		d.Reports = append(d.Reports, reportRow{R: rep, Date: passnum.FrenchDate(rep.Date), Place: reportPlace(rep, places)})
	}
	d.Pages = max(1, (total+reportsPerPage-1)/reportsPerPage)
	period := url.Values{"du": {d.From}, "au": {d.To}}
	d.PrevURL, d.NextURL = pagerLinks("/lieu/comptes-rendus", period, d.PageNo, d.Pages)
	d.ExportURL = "/lieu/comptes-rendus/export.csv?" + period.Encode()
	status := http.StatusOK
	if v.Summary != nil {
		status = http.StatusBadRequest
	}
	return s.render(w, r, status, "workshop_reports", v)
}

// themeChart orders the themes of a summary, most reports first, and
// draws them; pages show the same figures in a table beside the chart.
func themeChart(sum *passnum.ActivitySummary) ([]themeCount, template.HTML) {
	var themes []themeCount
	for theme, n := range sum.ByTheme {
		themes = append(themes, themeCount{theme, n})
	}
	slices.SortFunc(themes, func(a, b themeCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(slices.Index(passnum.Themes, a.Theme), slices.Index(passnum.Themes, b.Theme)))
	})
	if len(themes) == 0 {
		return nil, ""
	}
	steps := make([]passnum.FunnelStep, len(themes))
	for i, t := range themes {
		steps[i] = passnum.FunnelStep{Key: "theme", Label: t.Theme, Count: int64(t.Count)}
	}
	return themes, barChart("Comptes rendus par thématique", steps)
}

// placeNames names the venue's points of presence by number.
func (s *Server) placeNames(r *http.Request) (map[int64]string, error) {
	_, places, err := s.venuePlaces(r, true)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for _, p := range places {
		out[p.ID] = p.Name
	}
	return out, nil
}

// reportPlace says where help was given: "au lieu", "en permanence
// (Mairie de Bruz)".
func reportPlace(rep *passnum.ActivityReport, places map[int64]string) string {
	out := passnum.PlaceKindLabel(rep.PlaceKind)
	if name := places[rep.PlaceID]; name != "" {
		out += " (" + name + ")"
	}
	return out
}

// reportCSVHeader is the first line of the export.
var reportCSVHeader = []string{"numero", "date", "format", "duree_minutes", "thematiques", "autonomie", "lieu", "lieu_permanence",
	"participants", "personnes_liees", "seance", "encaissement", "pass_utilises", "notes", "auteur", "cree_le"}

// exportReports writes the reports of the period as CSV for a
// spreadsheet.
func (s *Server) exportReports(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Comptes rendus d'activité", nil)
	from, to := s.reportPeriod(v, r.URL.Query())
	if v.Summary != nil {
		return passnum.Invalid("du", "%s", v.Summary[0].Message)
	}
	places, err := s.placeNames(r)
	if err != nil {
		return err
	}
	all, _, err := s.allReports(r, passnum.ActivityFilter{From: from, To: to})
	if err != nil {
		return err
	}
	rows := make([][]string, len(all))
	for i, rep := range all {
		rows[i] = reportCSVRow(rep, places[rep.PlaceID])
	}
	writeSpreadsheetCSV(w, fmt.Sprintf("comptes-rendus-%s-%s.csv", from, to), reportCSVHeader, rows)
	return nil
}

// allReports reads every report of the filter, page by page, before
// anything is written, so that an error is still a proper page; new
// reports shift the pages, hence the set of those seen. It names the
// venues of the reports too.
func (s *Server) allReports(r *http.Request, f passnum.ActivityFilter) ([]*passnum.ActivityReport, map[int64]string, error) {
	var all []*passnum.ActivityReport
	seen := map[int64]bool{}
	venues := map[int64]string{}
	// The notes and people a file holds are journaled as its export.
	ctx := passnum.WithExport(r.Context(), r.URL.Path)
	for offset := 0; ; offset += 500 {
		f.Offset, f.Limit = offset, 500
		list, total, sum, err := s.svc.ListActivityReports(ctx, f)
		if err != nil {
			return nil, nil, err
		}
		for _, va := range sum.ByVenue {
			venues[va.VenueID] = va.VenueName
		}
		for _, rep := range list {
			if !seen[rep.ID] {
				seen[rep.ID] = true
				all = append(all, rep)
			}
		}
		if len(list) == 0 || offset+len(list) >= total {
			return all, venues, nil
		}
	}
}

// reportCSVRow is a report's line of the export (reportCSVHeader); place
// names the point of presence, if any.
func reportCSVRow(rep *passnum.ActivityReport, place string) []string {
	return []string{
		strconv.FormatInt(rep.ID, 10), rep.Date, passnum.FormatLabel(rep.Format), strconv.Itoa(rep.DurationMinutes),
		strings.Join(rep.Themes, " | "), rep.Autonomy, passnum.PlaceKindLabel(rep.PlaceKind), place,
		strconv.Itoa(rep.Participants), strings.Join(rep.BeneficiaryRefs, " "), optionalID(rep.SessionID), optionalID(rep.RedemptionID),
		strconv.Itoa(rep.PassesUsed), rep.Notes, cmp.Or(rep.AuthorName, rep.Author), rep.CreatedAt.In(parisTime).Format("2006-01-02 15:04"),
	}
}

// optionalID writes an optional number: "" for none.
func optionalID(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// writeSpreadsheetCSV writes a file for a spreadsheet through
// csvfile.Writer: ';' between fields, UTF-8 with a byte order mark, as
// French spreadsheets expect, no cell a spreadsheet would read as a
// formula and no control character.
func writeSpreadsheetCSV(w http.ResponseWriter, filename string, header []string, rows [][]string) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
	cw := csvfile.NewWriter(w)
	cw.CRLF = true // notes hold line breaks
	if err := cw.Write(header); err != nil {
		return // the person left
	}
	for _, row := range rows {
		if err := cw.Write(row); err != nil {
			return
		}
	}
	cw.Flush()
}

// reportFormData is the form of a new activity report.
type reportFormData struct {
	Places      []*passnum.Place
	Sessions    []sessionRow
	Redemptions []*passnum.Redemption
	Today       string
	// Venue is the visitor's venue: one that is not qualified writes no
	// report, and is told why instead of the form.
	Venue *passnum.Organisation
}

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Nouveau compte rendu d'activité", nil)
	now := s.now()
	v.Form = url0(map[string]string{"format": passnum.FormatIndividual, "date": now.In(parisTime).Format(time.DateOnly),
		"duration_minutes": "60", "place_kind": "lieu", "participants": "1", "passes_used": "0"})
	// From a session's page: the session's figures to start with.
	if id, err := strconv.ParseInt(r.URL.Query().Get("seance"), 10, 64); err == nil && id > 0 {
		ws, regs, err := s.svc.FindSession(r.Context(), id)
		if err != nil {
			return err
		}
		var refs []string
		came := 0
		for _, reg := range regs {
			if reg.CancelledAt == nil && reg.Attended != nil && *reg.Attended {
				came++
				if reg.BeneficiaryRef != "" {
					refs = append(refs, reg.BeneficiaryRef)
				}
			}
		}
		if came == 0 {
			came = max(1, ws.Registered)
		}
		format := passnum.FormatCollective
		if came == 1 {
			format = passnum.FormatIndividual
		}
		v.Form.Set("format", format)
		v.Form.Set("date", ws.StartsAt.In(parisTime).Format(time.DateOnly))
		v.Form.Set("duration_minutes", strconv.Itoa(ws.DurationMinutes))
		v.Form.Set("participants", strconv.Itoa(came))
		v.Form.Set("beneficiary_refs", strings.Join(refs, ", "))
		v.Form.Set("session_id", strconv.FormatInt(ws.ID, 10))
		if ws.PlaceID != 0 {
			v.Form.Set("place_kind", "permanence")
			v.Form.Set("place_id", strconv.FormatInt(ws.PlaceID, 10))
		}
	}
	return s.reportFormPage(w, r, v, http.StatusOK)
}

func (s *Server) reportFormPage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	now := s.now()
	d := &reportFormData{Today: now.In(parisTime).Format(time.DateOnly)}
	var err error
	if _, d.Places, err = s.venuePlaces(r, false); err != nil {
		return err
	}
	if d.Venue, err = s.svc.FindOrganisation(r.Context(), visitorFrom(r).actor().OrgID); err != nil {
		return err
	}
	list, err := s.svc.ListSessions(r.Context(), passnum.SessionFilter{From: startOfDay(now).AddDate(0, 0, -31), To: now, Limit: 500})
	if err != nil {
		return err
	}
	for _, ws := range list {
		if ws.CancelledAt == nil {
			d.Sessions = append(d.Sessions, sessionRowOf(ws, "", now))
		}
	}
	slices.Reverse(d.Sessions)
	reds, _, err := s.svc.ListRedemptions(r.Context(), passnum.RedemptionFilter{Limit: 50})
	if err != nil {
		return err
	}
	for _, red := range reds {
		if red.VoidedAt == nil {
			d.Redemptions = append(d.Redemptions, red)
		}
	}
	v.Data = d
	return s.render(w, r, status, "workshop_report_new", v)
}

// reportFields maps the service's error fields to the form's.
var reportFields = map[string]string{"format": "format", "date": "date", "duration_minutes": "duration_minutes", "themes": "themes",
	"autonomy": "autonomy", "place_kind": "place_kind", "place_id": "place_id", "participants": "participants",
	"beneficiary_refs": "beneficiary_refs", "session_id": "session_id", "redemption_id": "redemption_id",
	"passes_used": "passes_used", "notes": "notes"}

func (s *Server) createReport(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	v := s.newView(r, "Nouveau compte rendu d'activité", nil)
	v.Form = f
	rep := passnum.ActivityReport{Format: f.Get("format"), Date: strings.TrimSpace(f.Get("date")), Themes: f["themes"],
		Autonomy: f.Get("autonomy"), PlaceKind: f.Get("place_kind"), BeneficiaryRefs: splitCodes(f.Get("beneficiary_refs")),
		Notes: f.Get("notes")}
	number := func(field, msg string, required bool) int {
		raw := strings.TrimSpace(f.Get(field))
		if raw == "" && !required {
			return 0
		}
		n, ok := parseCount(raw)
		if !ok {
			v.addError(field, msg)
			return 0
		}
		return int(min(n, 1_000_000))
	}
	rep.DurationMinutes = number("duration_minutes", "Indiquez la durée en minutes, par exemple 45.", true)
	rep.Participants = number("participants", "Indiquez le nombre de participants, par exemple 1.", true)
	rep.PassesUsed = number("passes_used", "Indiquez le nombre de pass utilisés, 0 s'il n'y en a pas.", false)
	for _, id := range []struct {
		field string
		into  *int64
	}{{"place_id", &rep.PlaceID}, {"session_id", &rep.SessionID}, {"redemption_id", &rep.RedemptionID}} {
		if raw := f.Get(id.field); raw != "" {
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || n < 0 {
				v.addError(id.field, "Choisissez dans la liste.")
				continue
			}
			*id.into = n
		}
	}
	if v.Summary != nil {
		return s.reportFormPage(w, r, v, http.StatusBadRequest)
	}
	created, err := s.svc.CreateActivityReport(r.Context(), rep)
	if err != nil {
		return sendBack(v, err, reportFields, func(status int) error { return s.reportFormPage(w, r, v, status) })
	}
	return s.redirect(w, r, "/lieu/comptes-rendus", fmt.Sprintf("Compte rendu n°%d enregistré : %s, %s, %d %s.", created.ID,
		passnum.FrenchDate(created.Date), passnum.FormatLabel(created.Format), created.Participants,
		pluralize(int64(created.Participants), "participant", "participants")))
}
