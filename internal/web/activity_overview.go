package web

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// The advisers' activity over a territory: what the venues' digital
// advisers reported (activity reports, workshop_report.go), summed up for
// the operator (every venue, or a territory it types) and for a hub (the
// venues located in its territory, which the store enforces). The page
// shows figures, a chart by theme and a table by venue; the CSV lists the
// reports.

// activityData is the page of the advisers' activity.
type activityData struct {
	Base        string // "/operateur/activite" or "/financeur/activite"
	Operator    bool   // the operator chooses the territory
	From, To    string // the period, YYYY-MM-DD
	Territory   []string
	NoTerritory bool // a hub whose territory is not set yet
	Summary     *passnum.ActivitySummary
	Hours       string
	Chart       template.HTML
	Themes      []themeCount
	Venues      []venueActivityRow
	ExportURL   string
}

type venueActivityRow struct {
	V     passnum.VenueActivity
	Hours string
	URL   string // the venue's file, for the operator
}

// activityFilter reads the filter of the page and of its export: the
// period as on the venue's reports, and the territory, typed by the
// operator (areas separated as on the hub's territory form) or the hub's
// own. It returns nil when there is nothing to read: a hub without a
// territory, or a territory that does not parse (the error is on v).
func (s *Server) activityFilter(r *http.Request, v *view, d *activityData) (*passnum.ActivityFilter, error) {
	a := visitorFrom(r).actor()
	d.Operator = a.IsOperator()
	d.Base = "/financeur/activite"
	if d.Operator {
		d.Base = "/operateur/activite"
	}
	q := r.URL.Query()
	d.From, d.To = s.reportPeriod(v, q)
	f := &passnum.ActivityFilter{From: d.From, To: d.To}
	if !d.Operator {
		hub, err := s.svc.FindOrganisation(r.Context(), a.OrgID)
		if err != nil {
			return nil, err
		}
		d.Territory = hub.Territory
		if len(d.Territory) == 0 {
			d.NoTerritory = true
			return nil, nil
		}
		return f, nil
	}
	typed := strings.TrimSpace(q.Get("territoire"))
	v.Form.Set("territoire", typed)
	if typed == "" {
		return f, nil
	}
	t, err := passnum.ParseTerritory(strings.FieldsFunc(typed, func(c rune) bool {
		return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
	}))
	if err != nil {
		v.addServiceError(err, map[string]string{"territory": "territoire"})
		return nil, nil
	}
	d.Territory = t.Strings()
	v.Form.Set("territoire", strings.Join(d.Territory, " "))
	f.Territory = d.Territory
	return f, nil
}

// query is the filter as it is in the address of the page.
func (d *activityData) query() string {
	q := url.Values{"du": {d.From}, "au": {d.To}}
	if d.Operator && len(d.Territory) > 0 {
		q.Set("territoire", strings.Join(d.Territory, " "))
	}
	return q.Encode()
}

func (s *Server) activityOverview(w http.ResponseWriter, r *http.Request) error {
	d := &activityData{}
	v := s.newView(r, "Activité des conseillers", d)
	f, err := s.activityFilter(r, v, d)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if v.Summary != nil {
		status = http.StatusBadRequest
	}
	if f == nil {
		return s.render(w, r, status, "activity_overview", v)
	}
	// The page lists no report, only their sums.
	f.SummaryOnly = true
	_, _, sum, err := s.svc.ListActivityReports(r.Context(), *f)
	if err != nil {
		return err
	}
	d.Summary, d.Hours = sum, durationLabel(sum.Minutes)
	d.Themes, d.Chart = themeChart(sum)
	for _, va := range sum.ByVenue {
		row := venueActivityRow{V: va, Hours: durationLabel(va.Minutes)}
		if d.Operator {
			row.URL = fmt.Sprintf("/operateur/lieux/%d", va.VenueID)
		}
		d.Venues = append(d.Venues, row)
	}
	d.ExportURL = d.Base + "/export.csv?" + d.query()
	return s.render(w, r, status, "activity_overview", v)
}

// activityCSVHeader is the first line of the export over a territory: the
// venue's reports' columns (reportCSVHeader) with the venue first, and
// without the venue's own points of presence. personnes_liees counts the
// people linked; their references and the notes are what the service
// answered: the operator's, and always empty for a hub, which never
// receives them (passnum.ActivityReport.RedactFor).
var activityCSVHeader = []string{"structure_numero", "structure", "numero", "date", "format", "duree_minutes", "thematiques", "autonomie",
	"lieu", "participants", "personnes_liees", "seance", "encaissement", "pass_utilises", "auteur", "cree_le", "references_personnes", "notes"}

// exportActivity writes the reports of the period and territory as CSV.
func (s *Server) exportActivity(w http.ResponseWriter, r *http.Request) error {
	d := &activityData{}
	v := s.newView(r, "Activité des conseillers", d)
	f, err := s.activityFilter(r, v, d)
	if err != nil {
		return err
	}
	if v.Summary != nil {
		return passnum.Invalid(v.Summary[0].Field, "%s", v.Summary[0].Message)
	}
	var all []*passnum.ActivityReport
	var names map[int64]string
	if f != nil {
		if all, names, err = s.allReports(r, *f); err != nil {
			return err
		}
	}
	rows := make([][]string, len(all))
	for i, rep := range all {
		rows[i] = []string{strconv.FormatInt(rep.VenueID, 10), names[rep.VenueID],
			strconv.FormatInt(rep.ID, 10), rep.Date, passnum.FormatLabel(rep.Format), strconv.Itoa(rep.DurationMinutes),
			strings.Join(rep.Themes, " | "), rep.Autonomy, passnum.PlaceKindLabel(rep.PlaceKind),
			strconv.Itoa(rep.Participants), strconv.Itoa(rep.LinkedPeople), optionalID(rep.SessionID), optionalID(rep.RedemptionID),
			strconv.Itoa(rep.PassesUsed), cmp.Or(rep.AuthorName, rep.Author), rep.CreatedAt.In(parisTime).Format("2006-01-02 15:04"),
			strings.Join(rep.BeneficiaryRefs, " "), rep.Notes}
	}
	writeSpreadsheetCSV(w, fmt.Sprintf("activite-conseillers-%s-%s.csv", d.From, d.To), activityCSVHeader, rows)
	return nil
}
