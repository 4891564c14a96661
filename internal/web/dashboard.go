package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/pdf"
	"github.com/passnum/passnum/internal/sheet"
)

// Indicator dashboards: the operator, funders and hubs read the indicators
// of the latest snapshot (defined in indicators.go at the root) for one
// scope, one period and one breakdown, as key figures, charts and a table,
// and download that table (CSV, XLSX) or a territorial report (PDF). The
// service decides which scopes each may read; the page only offers those.
// The operator recomputes the snapshot and sets hubs' territories.

// Sizes of the breakdown chart: a chart of 300 communes says nothing, the
// table below it has every row.
const (
	dashboardChartRows   = 15
	dashboardChartMonths = 24
	// chartLabelRunes is what fits in the chart's label column.
	chartLabelRunes = 30
)

// dashboardFilter is what the dashboard shows: a scope (with its period)
// and a dimension, read from the query string.
type dashboardFilter struct {
	Scope passnum.Scope
	Dim   passnum.Dimension
}

// query is the filter as query parameters, for links to exports and
// back to the page.
func (f dashboardFilter) query(withDim bool) string {
	q := url.Values{"scope": {f.Scope.WholeTime().String()}}
	if f.Scope.Year != 0 {
		q.Set("year", strconv.Itoa(f.Scope.Year))
	}
	if withDim {
		q.Set("dim", string(f.Dim))
	}
	return q.Encode()
}

// fileName names a download: "indicateurs-financeur-3-2027-par-commune".
func (f dashboardFilter) fileName(prefix string, withDim bool) string {
	parts := []string{prefix}
	switch f.Scope.Kind {
	case passnum.ScopeProgramme:
		parts = append(parts, "programme", strconv.FormatInt(f.Scope.ID, 10))
	case passnum.ScopeFunder:
		parts = append(parts, "financeur", strconv.FormatInt(f.Scope.ID, 10))
	case passnum.ScopeHub:
		parts = append(parts, "hub", strconv.FormatInt(f.Scope.ID, 10))
	case passnum.ScopeArea:
		parts = append(parts, strings.Split(f.Scope.Area, ":")...)
	default:
		parts = append(parts, "tout")
	}
	if f.Scope.Year != 0 {
		parts = append(parts, strconv.Itoa(f.Scope.Year))
	}
	if withDim {
		parts = append(parts, "par", strings.ReplaceAll(string(f.Dim), "_", "-"))
	}
	return strings.Join(parts, "-")
}

// dashboardBase is the dashboard's address in the visitor's space: funders
// and hubs share /financeur.
func dashboardBase(r *http.Request) string {
	if visitorFrom(r).actor().IsOperator() {
		return "/operateur/indicateurs"
	}
	return "/financeur/indicateurs"
}

// readDashboardFilter reads scope, year and dim from the query. Without
// them, the visitor's own scope (the first the service lists: everything
// for the operator, its own for a funder or a hub) since the start, by
// programme, or by commune for a hub, whose programmes matter less than
// where its people are.
func (s *Server) readDashboardFilter(r *http.Request) (dashboardFilter, []passnum.ScopeChoice, error) {
	q := r.URL.Query()
	a := visitorFrom(r).actor()
	scopes, err := s.svc.IndicatorScopes(r.Context())
	if err != nil {
		return dashboardFilter{}, nil, err
	}
	var f dashboardFilter
	if raw := strings.TrimSpace(q.Get("scope")); raw != "" {
		if f.Scope, err = passnum.ParseScope(raw); err != nil {
			return f, scopes, err
		}
	} else if len(scopes) > 0 {
		f.Scope = scopes[0].Scope
	} else {
		return f, scopes, passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonScopeNotFound, "Aucun périmètre d'indicateurs pour votre structure.")
	}
	if raw := strings.TrimSpace(q.Get("year")); raw != "" && raw != "0" {
		y, err := strconv.Atoi(raw)
		if err != nil || y < 2000 || y > 2200 {
			return f, scopes, passnum.Invalid("year", "Période inconnue : %q. Choisissez une année dans la liste.", raw)
		}
		f.Scope.Year = y
	}
	f.Dim = passnum.Dimension(q.Get("dim"))
	switch {
	case f.Dim == "" && a.OrgKind == passnum.KindHub:
		f.Dim = passnum.DimCommune
	case f.Dim == "":
		f.Dim = passnum.DimProgramme
	case !f.Dim.Valid():
		return f, scopes, passnum.Invalid("dim", "Ventilation inconnue : %q. Choisissez-la dans la liste.", f.Dim)
	}
	return f, scopes, nil
}

// noIndicators tells whether err says that no snapshot was computed yet.
func noIndicators(err error) bool { return passnum.ErrorReason(err) == passnum.ReasonNoIndicators }

// dashboardData is the dashboard page.
type dashboardData struct {
	Base       string
	Filter     dashboardFilter
	DimName    string // the dimension inside a sentence: "par commune"
	Scopes     []scopeOption
	Years      []int
	Dims       []dimOption
	CanRefresh bool
	// NotComputed: no snapshot yet, nothing else to show.
	NotComputed bool
	// Hub is the hub of a hub scope, to say what its territory is, or
	// that it has none yet.
	Hub *passnum.Organisation

	Report      *passnum.IndicatorReport
	Period      string // "depuis le début", "en 2027"
	Figures     []keyFigure
	Funnel      template.HTML
	FunnelSteps []passnum.FunnelStep
	Blocked     int64
	Chart       template.HTML
	ChartTitle  string
	ChartNote   string
	Columns     []passnum.Indicator
	Rows        []breakdownRow
	Total       []string

	Query     string // the filter with its dimension
	CSVURL    string
	XLSXURL   string
	ReportURL string
}

type scopeOption struct {
	Value, Label string
	Selected     bool
}

type dimOption struct {
	Value, Label string
	Selected     bool
}

// keyFigure is one of the headline figures: a value, its label and what
// it means.
type keyFigure struct {
	Label, Value, Note string
}

type breakdownRow struct {
	Label string
	Cells []string
}

func (s *Server) indicators(w http.ResponseWriter, r *http.Request) error {
	f, scopes, err := s.readDashboardFilter(r)
	if err != nil {
		return err
	}
	a := visitorFrom(r).actor()
	d := &dashboardData{Base: dashboardBase(r), Filter: f, CanRefresh: a.Can(passnum.ActIndicatorsRun), Query: f.query(true),
		DimName: lowerFirst(f.Dim.Label())}
	for _, sc := range scopes {
		d.Scopes = append(d.Scopes, scopeOption{sc.Scope.String(), sc.Label, sc.Scope == f.Scope.WholeTime()})
	}
	for _, dim := range passnum.Dimensions {
		d.Dims = append(d.Dims, dimOption{string(dim), dim.Label(), dim == f.Dim})
	}
	v := s.newView(r, "Indicateurs", d)
	rep, err := s.svc.Indicators(r.Context(), f.Scope, f.Dim)
	switch {
	case noIndicators(err):
		d.NotComputed = true
	case passnum.ErrorReason(err) == passnum.ReasonScopeNotFound:
		// An address typed or kept from another account: say so in
		// words rather than with the scope's code.
		s.errorPage(w, r, http.StatusNotFound, "Périmètre introuvable",
			"Ces chiffres n'existent pas ou ne sont pas consultables par votre structure. Choisissez un périmètre dans la liste de la page Indicateurs.")
		return nil
	case err != nil:
		return err
	}
	if f.Scope.Kind == passnum.ScopeHub {
		if d.Hub, err = s.svc.FindOrganisation(r.Context(), f.Scope.ID); err != nil {
			return err
		}
	}
	if rep == nil {
		return s.render(w, r, http.StatusOK, "dashboard", v)
	}
	d.Report = rep
	v.Title = "Indicateurs — " + rep.ScopeLabel
	d.Years = rep.Years
	if f.Scope.Year != 0 && !slices.Contains(d.Years, f.Scope.Year) {
		d.Years = append(slices.Clone(d.Years), f.Scope.Year)
		slices.Sort(d.Years)
	}
	d.Period = "depuis le début"
	if f.Scope.Year != 0 {
		d.Period = "en " + strconv.Itoa(f.Scope.Year)
	}
	d.Figures = keyFigures(rep, a)
	d.FunnelSteps = rep.Total.Funnel.Steps()
	d.Funnel = barChart("Parcours des pass", d.FunnelSteps)
	d.Blocked = rep.Total.Blocked
	d.ChartTitle, d.ChartNote, d.Chart = breakdownChart(rep)
	for _, ind := range passnum.IndicatorDefinitions {
		if ind.Applies(f.Dim) {
			d.Columns = append(d.Columns, ind)
		}
	}
	cells := func(v *passnum.IndicatorValues) []string {
		out := make([]string, len(d.Columns))
		for i, ind := range d.Columns {
			out[i] = v.Format(ind.Key)
		}
		return out
	}
	for i := range rep.Rows {
		d.Rows = append(d.Rows, breakdownRow{rep.Rows[i].Label, cells(&rep.Rows[i].Values)})
	}
	d.Total = cells(&rep.Total)
	d.CSVURL = d.Base + "/export.csv?" + d.Query
	d.XLSXURL = d.Base + "/export.xlsx?" + d.Query
	d.ReportURL = d.Base + "/rapport.pdf?" + f.query(false)
	return s.render(w, r, http.StatusOK, "dashboard", v)
}

// keyFigures are the headline figures of a report's total, labelled as
// the indicators are defined. A funder reads its own part of the money;
// the operator reads it on a funder's scope.
func keyFigures(rep *passnum.IndicatorReport, a *passnum.Actor) []keyFigure {
	t := &rep.Total
	label := func(key string) string {
		ind, _ := passnum.IndicatorByKey(key)
		return ind.Label
	}
	rate := "—"
	if bp := t.RedemptionRateBP(); bp >= 0 {
		rate = passnum.FrenchPercent(int(bp))
	}
	delay := t.Delay()
	delayValue, delayNote := "—", "aucun carnet remis n'a encore servi"
	if delay.Count > 0 {
		delayValue = fmt.Sprintf("%d %s", delay.Median, pluralize(int64(delay.Median), "jour", "jours"))
		delayNote = fmt.Sprintf("la moitié des carnets entre %d et %d jours (%s %s)", delay.Q1, delay.Q3,
			passnum.FrenchNumber(delay.Count), pluralize(delay.Count, "carnet entamé", "carnets entamés"))
	}
	out := []keyFigure{
		{label("distributed"), passnum.FrenchNumber(t.Distributed), "remis à des personnes par les prescripteurs"},
		{label("redeemed"), passnum.FrenchNumber(t.Redeemed), "en atelier dans un lieu qualifié"},
		{label("redemption_rate"), rate, "pass utilisés ÷ pass remis"},
		{label("booked_at_handout_rate"), t.Format("booked_at_handout_rate"), fmt.Sprintf("%s sur %s : premier atelier réservé par le prescripteur",
			passnum.FrenchNumber(t.BookedAtHandOut), pluralize(t.HandedOut, passnum.FrenchNumber(t.HandedOut)+" carnet remis", passnum.FrenchNumber(t.HandedOut)+" carnets remis"))},
		{label("people_reached"), passnum.FrenchNumber(t.PeopleReached), "au moins un pass utilisé"},
		{label("people_completed"), passnum.FrenchNumber(t.PeopleCompleted), "tous les pass qu'elles ont reçus"},
		{label("hours"), t.Format("hours") + nbsp + "h", "durée des ateliers payés par des pass"},
		{label("delay_median"), delayValue, delayNote},
		{label("spent_cents"), t.Format("spent_cents"), "valeur faciale des pass utilisés"},
	}
	funder := int64(0)
	switch {
	case a.OrgKind == passnum.KindFunder:
		funder = a.OrgID
	case rep.Scope.Kind == passnum.ScopeFunder:
		funder = rep.Scope.ID
	}
	if funder != 0 {
		name := rep.Funders[funder]
		if name == "" {
			name = "ce financeur"
		}
		l := "Part de " + name
		if a.OrgID == funder {
			l = "Votre part du montant utilisé"
		}
		out = append(out, keyFigure{l, passnum.FrenchEuros(t.FunderShare(funder)), "selon les parts de chaque convention, au centime"})
	}
	return out
}

// breakdownChart draws the passes used per row: the 15 rows that used
// most (rows come sorted that way), every age band, or the last 24 months
// in order. Its figures are all in the table below it.
func breakdownChart(rep *passnum.IndicatorReport) (title, note string, chart template.HTML) {
	if rep.Total.Redeemed == 0 || len(rep.Rows) == 0 {
		return "", "", ""
	}
	rows := rep.Rows
	switch rep.Dimension {
	case passnum.DimMonth:
		if len(rows) > dashboardChartMonths {
			rows = rows[len(rows)-dashboardChartMonths:]
			note = fmt.Sprintf("Les %d derniers mois ; le tableau ci-dessous les a tous.", dashboardChartMonths)
		}
	case passnum.DimAgeBand:
	default:
		if len(rows) > dashboardChartRows {
			rows = rows[:dashboardChartRows]
			note = fmt.Sprintf("Les %d lignes qui ont utilisé le plus de pass, sur %d ; le tableau ci-dessous les a toutes.", dashboardChartRows, len(rep.Rows))
		}
	}
	steps := make([]passnum.FunnelStep, len(rows))
	for i, row := range rows {
		steps[i] = passnum.FunnelStep{Key: "redeemed", Label: shorten(row.Label, chartLabelRunes), Count: row.Values.Redeemed}
	}
	title = "Pass utilisés par " + lowerFirst(rep.Dimension.Label())
	return title, note, barChart(title, steps)
}

// lowerFirst writes a heading's label inside a sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// shorten cuts s to n runes with an ellipsis, for the chart's labels.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// indicatorsReport reads the report a download is made of, with the
// caller's rights.
func (s *Server) indicatorsReport(r *http.Request) (*passnum.IndicatorReport, dashboardFilter, error) {
	f, _, err := s.readDashboardFilter(r)
	if err != nil {
		return nil, f, err
	}
	rep, err := s.svc.Indicators(r.Context(), f.Scope, f.Dim)
	return rep, f, err
}

// exportIndicatorsCSV downloads the dashboard's table for a spreadsheet
// (internal/sheet: ';' separated, UTF-8 with a byte order mark).
func (s *Server) exportIndicatorsCSV(w http.ResponseWriter, r *http.Request) error {
	rep, f, err := s.indicatorsReport(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := sheet.WriteCSV(&buf, sheet.Indicators(rep)); err != nil {
		return err
	}
	return sendFile(w, "text/csv; charset=utf-8", f.fileName("indicateurs", true)+".csv", buf.Bytes())
}

// xlsxType is the media type of an Excel workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// exportIndicatorsXLSX downloads the dashboard's table as a workbook, with
// real numbers that add up.
func (s *Server) exportIndicatorsXLSX(w http.ResponseWriter, r *http.Request) error {
	rep, f, err := s.indicatorsReport(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, sheet.Indicators(rep)); err != nil {
		return err
	}
	return sendFile(w, xlsxType, f.fileName("indicateurs", true)+".xlsx", buf.Bytes())
}

// indicatorsPDF downloads the territorial report of the scope and period,
// for a conférence des financeurs or a hub's partners.
func (s *Server) indicatorsPDF(w http.ResponseWriter, r *http.Request) error {
	f, _, err := s.readDashboardFilter(r)
	if err != nil {
		return err
	}
	t, err := pdf.TerritorialFor(r.Context(), s.svc, f.Scope, s.operatorName(r))
	if err != nil {
		return err
	}
	// The page on conventions: those of the scope the reader may see.
	t.Conventions, err = s.svc.ConventionSummary(r.Context(), passnum.ConventionFilterForScope(f.Scope))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.TerritorialReport(&buf, t); err != nil {
		return err
	}
	return sendFile(w, "application/pdf", f.fileName("rapport-territorial", false)+".pdf", buf.Bytes())
}

// refreshIndicators recomputes the snapshot now, rather than waiting for
// the regular computation, as a job with a progress bar (ten million
// passes take a minute or two), then offers to come back to the same view.
func (s *Server) refreshIndicators(w http.ResponseWriter, r *http.Request) error {
	// The filters come back as they were sent; the page checks them.
	back := url.Values{}
	for _, k := range []string{"scope", "year", "dim"} {
		if v := r.PostForm.Get(k); v != "" {
			back.Set(k, v)
		}
	}
	to := "/operateur/indicateurs"
	if len(back) > 0 {
		to += "?" + back.Encode()
	}
	j, err := s.jobs.start(r.Context(), s.svc, passnum.JobStart{Kind: passnum.JobIndicators, Label: "Calcul des indicateurs", BackTo: to},
		func(ctx context.Context, lj *liveJob) error {
			_, err := s.svc.RefreshIndicators(ctx, func(done, total int64) {
				lj.done.Store(done)
				lj.total.Store(total)
			})
			return err
		})
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/operateur/travaux/%d", j.ID), http.StatusSeeOther)
	return nil
}

// setTerritory sets the areas of a hub's territory: the figures it reads
// are those of the passes of people living there. They follow at the next
// computation of the indicators.
func (s *Server) setTerritory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Organisation")
	if err != nil {
		return err
	}
	// Spaces between areas, as in the hint; commas and semicolons too,
	// which people type in lists.
	areas := strings.FieldsFunc(r.PostForm.Get("territory"), func(c rune) bool {
		return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
	})
	o, err := s.svc.SetTerritory(r.Context(), id, areas)
	if err != nil {
		if code := passnum.ErrorCode(err); code == passnum.EINTERNAL || code == passnum.ENOTFOUND {
			return err
		}
		v := s.newView(r, "Organisation", nil)
		v.Form = r.PostForm
		v.addServiceError(err, map[string]string{"territory": "territory"})
		return s.organisationPage(w, r, v, errStatus(err))
	}
	msg := fmt.Sprintf("Le territoire de %s n'est plus défini : il ne lit plus aucun chiffre.", o.Name)
	if len(o.Territory) > 0 {
		msg = fmt.Sprintf("Territoire de %s : %s. Ses indicateurs en tiendront compte au prochain calcul.", o.Name, describeTerritory(o.Territory))
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/organisations/%d#territoire", id), msg)
}
