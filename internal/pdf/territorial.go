package pdf

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/passnum/passnum"
)

// Territorial is what a territorial report prints: one scope (a hub's
// territory, a funder, a programme or all) over one period (Scope.Year,
// 0 = since the start).
type Territorial struct {
	OperatorName string
	Scope        passnum.Scope
	// Reports are the scope's breakdowns along TerritorialDimensions; the
	// total is taken from any of them. A missing dimension leaves its
	// section out.
	Reports map[passnum.Dimension]*passnum.IndicatorReport
	// Conventions are the conventions of the scope, printed on a page of
	// their own; nil leaves the page out.
	Conventions *passnum.ConventionSummary
}

// TerritorialDimensions are the breakdowns a territorial report prints.
var TerritorialDimensions = []passnum.Dimension{passnum.DimMonth, passnum.DimDepartement, passnum.DimCommune,
	passnum.DimVenue, passnum.DimPrescriber, passnum.DimCategory, passnum.DimAgeBand, passnum.DimFunder}

// TerritorialFor gathers the reports of scope with the caller's rights
// (ctx's actor): a scope the caller may not read is refused by the first
// call to svc.Indicators.
//
// Each breakdown is read from the latest snapshot on its own, so a refresh
// finishing between two reads would mix two snapshots in one document: the
// reports are read again until they all come from the same one.
func TerritorialFor(ctx context.Context, svc passnum.IndicatorService, scope passnum.Scope, operatorName string) (*Territorial, error) {
	const attempts = 3
	for range attempts {
		t := &Territorial{OperatorName: operatorName, Scope: scope, Reports: map[passnum.Dimension]*passnum.IndicatorReport{}}
		var at time.Time
		same := true
		for i, dim := range TerritorialDimensions {
			rep, err := svc.Indicators(ctx, scope, dim)
			if err != nil {
				return nil, fmt.Errorf("territorial report %s by %s: %w", scope, dim, err)
			}
			if i == 0 {
				at = rep.ComputedAt
			} else if !rep.ComputedAt.Equal(at) {
				same = false
			}
			t.Reports[dim] = rep
		}
		if same {
			return t, nil
		}
	}
	return nil, fmt.Errorf("territorial report %s: the indicators were recomputed during each of %d reads", scope, attempts)
}

// first returns the report the document's scope, date and total come from.
func (t *Territorial) first() *passnum.IndicatorReport {
	for _, dim := range TerritorialDimensions {
		if r := t.Reports[dim]; r != nil {
			return r
		}
	}
	for _, r := range t.Reports { // a dimension the report does not print still has the total
		if r != nil {
			return r
		}
	}
	return nil
}

// periodLabel says which period the figures cover.
func periodLabel(s passnum.Scope) string {
	if s.Year != 0 {
		return "Année " + strconv.Itoa(s.Year)
	}
	return "Depuis le début des programmes"
}

// maxCommunes is how many communes the report lists: a département has
// hundreds, and a conférence des financeurs reads the leading ones; the
// rest are counted in a line below the table.
const maxCommunes = 30

// TerritorialReport writes the territorial report of t, A4 portrait: the
// key figures, the funnel and the funders' parts on the first page, then
// the breakdowns by month, place, venue, prescriber, service category and
// age band.
func TerritorialReport(w io.Writer, t *Territorial) error {
	if t == nil {
		return fmt.Errorf("pdf: territorial report: nothing to print")
	}
	head := t.first()
	if head == nil {
		return fmt.Errorf("pdf: territorial report %s: no indicators", t.Scope)
	}
	label := head.ScopeLabel
	if label == "" {
		label = t.Scope.String()
	}
	title := "Rapport territorial — " + label
	total := &head.Total

	d := newDoc(title, t.OperatorName, head.ComputedAt)
	d.footer(t.OperatorName + " · " + title)
	d.runningHead(title)
	d.AddPage()
	d.masthead(t.OperatorName, "Rapport territorial", periodLabel(t.Scope),
		"Chiffres arrêtés le "+passnum.FrenchDateTime(head.ComputedAt))
	d.font("B", 14)
	d.para(0, 6.5, label)
	d.Ln(3)

	keyFigures(d, total)

	d.heading("Du pass émis au pass utilisé")
	var funnel []barItem
	for _, key := range []string{"issued", "activated", "allocated", "distributed", "started", "redeemed"} {
		n, _ := total.Value(key)
		funnel = append(funnel, barItem{label: indicatorLabel(key), value: n, text: total.Format(key)})
	}
	hbars(d, funnel, 52)
	d.font("I", 8)
	d.para(0, 4, "Chaque barre compte des pass. Un carnet est entamé dès qu'un de ses pass est utilisé : tous ses pass comptent alors parmi les pass de carnets entamés.")

	funderShares(d, t.Reports[passnum.DimFunder], total, head.Funders)

	// The breakdowns, from the second page on.
	d.AddPage()
	if rep := t.Reports[passnum.DimMonth]; rep != nil {
		d.heading("Activité par mois")
		monthBars(d, rep)
		indicatorTable(d, rep, []string{"distributed", "redeemed", "people_reached", "hours", "spent_cents"}, 0, [2]string{})
	}
	if rep := t.Reports[passnum.DimDepartement]; rep != nil {
		d.keep(30)
		d.heading("Par département")
		indicatorTable(d, rep, []string{"distributed", "redeemed", "redemption_rate", "people_reached", "spent_cents"}, 0, [2]string{})
	}
	if rep := t.Reports[passnum.DimCommune]; rep != nil {
		d.keep(30)
		d.heading(fmt.Sprintf("Par commune (les %d premières par pass utilisés)", maxCommunes))
		indicatorTable(d, rep, []string{"distributed", "redeemed", "redemption_rate", "people_reached", "spent_cents"}, maxCommunes, [2]string{"autre commune", "autres communes"})
	}
	if rep := t.Reports[passnum.DimVenue]; rep != nil {
		d.keep(30)
		d.heading("Par lieu de médiation numérique")
		indicatorTable(d, rep, []string{"redeemed", "people_reached", "hours"}, 0, [2]string{})
	}
	if rep := t.Reports[passnum.DimPrescriber]; rep != nil {
		d.keep(30)
		d.heading("Par prescripteur")
		indicatorTable(d, rep, []string{"distributed", "redeemed", "redemption_rate"}, 0, [2]string{})
	}
	if rep := t.Reports[passnum.DimCategory]; rep != nil {
		var items []barItem
		for _, r := range rep.Rows {
			items = append(items, barItem{label: r.Label, value: r.Values.Redeemed, text: r.Values.Format("redeemed")})
		}
		d.keep(float64(len(items))*6 + 40) // the chart and the start of its table on one page
		d.heading("Par catégorie de service")
		if len(items) > 0 {
			d.font("", 8)
			d.line(4, "Pass utilisés par catégorie", "L")
			hbars(d, items, 70)
			d.Ln(2)
		}
		indicatorTable(d, rep, []string{"redeemed", "people_reached", "hours", "spent_cents"}, 0, [2]string{})
	}
	if rep := t.Reports[passnum.DimAgeBand]; rep != nil {
		d.keep(30)
		d.heading("Par tranche d'âge")
		indicatorTable(d, rep, []string{"distributed", "redeemed", "redemption_rate", "people_reached", "people_completed", "hours"}, 0, [2]string{})
		d.font("I", 8)
		d.para(0, 4, "Tout utilisé : personnes ayant utilisé tous leurs pass.")
	}

	d.keep(20)
	d.Ln(4)
	d.font("I", 8)
	d.para(0, 4, "Les indicateurs sont calculés à partir des enregistrements de la plateforme et arrêtés à la date indiquée. "+
		"Une personne compte une fois dans chaque ligne où elle apparaît et une fois dans le total : les personnes ne s'additionnent pas d'une ligne à l'autre. "+
		"Un tiret (—) signale un indicateur sans objet pour la ligne ou sans valeur. Leurs définitions sont publiées avec la plateforme.")
	if t.Conventions != nil {
		conventionsPage(d, t.Conventions)
	}
	return d.write(w)
}

// indicatorLabel is an indicator's French label, its key if unknown.
func indicatorLabel(key string) string {
	if i, ok := passnum.IndicatorByKey(key); ok {
		return i.Label
	}
	return key
}

// keyFigures draws the scope's headline figures as boxes, three on the
// first row and four on the second.
func keyFigures(d *doc, v *passnum.IndicatorValues) {
	type figure struct{ key, note string }
	delay := ""
	if s := v.Delay(); s.Count > 0 {
		delay = fmt.Sprintf("la moitié des carnets entre %d et %d j", s.Q1, s.Q3)
	}
	rows := [][]figure{
		{{"distributed", ""}, {"redeemed", ""}, {"redemption_rate", "pass utilisés ÷ pass remis"}},
		{{"people_reached", ""}, {"hours", ""}, {"delay_median", delay}, {"spent_cents", ""}},
	}
	const h, gap = 24.0, 3.0
	top := d.GetY()
	for _, row := range rows {
		w := (bodyW - gap*float64(len(row)-1)) / float64(len(row))
		for i, f := range row {
			x := margin + float64(i)*(w+gap)
			value := v.Format(f.key)
			if n, ok := v.Value(f.key); ok && f.key == "delay_median" {
				unit := "jours"
				if n < 2 { // French counts 0 and 1 in the singular
					unit = "jour"
				}
				value = passnum.FrenchNumber(n) + "\u00a0" + unit
			} else if ok && f.key == "hours" {
				value += "\u00a0h"
			}
			d.SetLineWidth(0.3)
			d.Rect(x, top, w, h, "D")
			d.SetXY(x+2, top+1.5)
			d.font("", 8)
			d.MultiCell(w-4, 3.5, cp1252(indicatorLabel(f.key)), "", "L", false)
			d.SetXY(x+2, top+10)
			d.font("B", 16)
			d.cell(w-4, 7, d.fit(value, w-4), "L")
			if f.note != "" {
				d.SetXY(x+2, top+18)
				d.font("", 7)
				d.cell(w-4, 4, d.fit(f.note, w-4), "L")
			}
		}
		top += h + gap
	}
	d.SetXY(margin, top)
}

// barItem is one bar of a chart: its label, its length and the figure
// printed beside it.
type barItem struct {
	label string
	value int64
	text  string
}

// hbars draws a horizontal bar chart: a label of labelW on the left, bars
// in grey with a black outline and the figure right of each bar, so that
// the chart reads the same printed in black and white.
func hbars(d *doc, items []barItem, labelW float64) {
	const rowH, numW = 6.0, 28.0
	var most int64
	for _, it := range items {
		most = max(most, it.value)
	}
	barW := bodyW - labelW - numW
	d.keep(float64(len(items))*rowH + 2)
	d.SetLineWidth(0.2)
	for _, it := range items {
		y := d.GetY()
		d.SetXY(margin, y)
		d.font("", 9)
		d.cell(labelW-2, rowH, d.fit(it.label, labelW-3), "L")
		x := margin + labelW
		w := 0.0
		if most > 0 && it.value > 0 {
			w = max(0.4, barW*float64(it.value)/float64(most))
			d.SetFillColor(170, 170, 170)
			d.Rect(x, y+1, w, rowH-2, "FD")
		}
		d.SetXY(x+w+1.5, y)
		d.font("B", 9)
		d.cell(numW, rowH, it.text, "L")
		d.SetY(y + rowH)
	}
	// The axis the bars start from.
	d.Line(margin+labelW, d.GetY()-float64(len(items))*rowH, margin+labelW, d.GetY())
	d.Ln(1)
}

// monthBars draws the passes used per month as vertical bars, the figure
// above each bar and the month under it. Figures and months turn a quarter
// when the bars are too narrow to hold them level.
func monthBars(d *doc, rep *passnum.IndicatorReport) {
	var items []barItem
	for _, r := range rep.Rows {
		if r.Key == passnum.NoKey { // stocks have no month: nothing used to draw
			continue
		}
		label := r.Key
		if m, err := time.Parse("2006-01", r.Key); err == nil {
			label = m.Format("01/06")
		}
		items = append(items, barItem{label: label, value: r.Values.Redeemed, text: r.Values.Format("redeemed")})
	}
	if len(items) == 0 {
		return
	}
	const size = 7.0                   // points
	const ascent = size * 0.3528 * 0.7 // capital height in millimetres, to centre turned text
	slot := min(14, bodyW/float64(len(items)))
	barW := slot * 0.7
	// Room above the bars for the figures and below for the months: a
	// line, or the longest of them when turned.
	d.font("", size)
	valueH, labelH := 4.0, 5.0
	var most int64
	for _, it := range items {
		most = max(most, it.value)
		if w := d.GetStringWidth(cp1252(it.text)); w > slot-0.5 {
			valueH = max(valueH, w+4)
		}
		if w := d.GetStringWidth(cp1252(it.label)); w > slot-0.5 {
			labelH = max(labelH, w+5)
		}
	}
	const chartH = 45.0
	d.keep(valueH + chartH + labelH + 8)
	d.font("", 8)
	d.line(4, "Pass utilisés par mois", "L")
	top := d.GetY() + valueH
	axis := top + chartH
	d.SetLineWidth(0.2)
	d.SetFillColor(170, 170, 170)
	for i, it := range items {
		cx := margin + slot*(float64(i)+0.5)
		h := 0.0
		if most > 0 && it.value > 0 {
			h = max(0.4, chartH*float64(it.value)/float64(most))
			d.Rect(cx-barW/2, axis-h, barW, h, "FD")
		}
		d.font("", size)
		text, label := cp1252(it.text), cp1252(it.label)
		if tw := d.GetStringWidth(text); tw <= slot-0.5 {
			d.Text(cx-tw/2, axis-h-1, text)
		} else {
			d.TransformBegin()
			d.TransformRotate(90, cx+ascent/2, axis-h-1)
			d.Text(cx+ascent/2, axis-h-1, text)
			d.TransformEnd()
		}
		if lw := d.GetStringWidth(label); lw <= slot-0.5 {
			d.Text(cx-lw/2, axis+3.5, label)
		} else {
			d.TransformBegin()
			d.TransformRotate(90, cx+ascent/2, axis+1+lw)
			d.Text(cx+ascent/2, axis+1+lw, label)
			d.TransformEnd()
		}
	}
	d.Line(margin, axis, margin+slot*float64(len(items)), axis)
	d.SetXY(margin, axis+labelH+2)
}

// shortTitles are the column titles of the indicators in tables, where the
// full labels do not fit.
var shortTitles = map[string]string{
	"issued":           "Pass émis",
	"distributed":      "Pass remis",
	"redeemed":         "Pass utilisés",
	"redemption_rate":  "Taux d'util.",
	"people_reached":   "Personnes",
	"people_completed": "Tout utilisé",
	"hours":            "Heures",
	"delay_median":     "Délai médian",
	"spent_cents":      "Montant utilisé",
}

// columnWidth is the width of an indicator's column, in millimetres.
func columnWidth(key string) float64 {
	switch key {
	case "spent_cents":
		return 30
	case "delay_median":
		return 30
	case "redemption_rate":
		return 20
	}
	return 21
}

// indicatorTable writes a breakdown as a table: the rows' labels, the
// indicators of keys ("—" where one has no meaning along the dimension),
// and the total. limit > 0 keeps the limit rows with the most passes used
// and says how many more there are, calling them others (singular, plural).
func indicatorTable(d *doc, rep *passnum.IndicatorReport, keys []string, limit int, others [2]string) {
	labelW := bodyW
	cols := []column{{rep.Dimension.Label(), 0, "L"}}
	for _, k := range keys {
		w := columnWidth(k)
		labelW -= w
		cols = append(cols, column{shortTitles[k], w, "R"})
	}
	cols[0].width = labelW
	values := func(label string, v *passnum.IndicatorValues) []string {
		cells := []string{label}
		for _, k := range keys {
			if i, ok := passnum.IndicatorByKey(k); ok && !i.Applies(rep.Dimension) {
				cells = append(cells, "—")
				continue
			}
			cells = append(cells, v.Format(k))
		}
		return cells
	}

	rows := rep.Rows
	if limit > 0 && len(rows) > limit {
		// The store orders rows by passes used already; sorting again keeps
		// the cut right whatever the order the report came in.
		rows = slices.Clone(rows)
		slices.SortStableFunc(rows, func(a, b passnum.IndicatorRow) int {
			if (a.Key == passnum.NoKey) != (b.Key == passnum.NoKey) {
				if a.Key == passnum.NoKey {
					return 1
				}
				return -1
			}
			return cmp.Compare(b.Values.Redeemed, a.Values.Redeemed)
		})
		rows = rows[:limit]
	}

	t := &table{d: d, rowH: 5.5, cols: cols}
	t.keep(3)
	t.header()
	for i := range rows {
		t.row(values(rows[i].Label, &rows[i].Values)...)
	}
	if len(rep.Rows) == 0 {
		t.row("Aucune donnée")
	}
	d.font("B", 9)
	t.row(values("Total", &rep.Total)...)
	d.font("", 9)
	if more := len(rep.Rows) - len(rows); more > 0 {
		d.font("I", 8)
		d.line(5, fmt.Sprintf("… et %s, non détaillées ici ; le total les compte.", plural(more, others[0], others[1])), "L")
	}
	d.Ln(2)
}

// funderShares writes the money used split between the funders: each
// one's part and its share of the total, with the passes used that it
// co-financed when the breakdown by funder is there.
func funderShares(d *doc, rep *passnum.IndicatorReport, total *passnum.IndicatorValues, names map[int64]string) {
	type line struct {
		name, passes string
		cents        int64
	}
	var lines []line
	if rep != nil {
		for _, r := range rep.Rows {
			lines = append(lines, line{r.Label, r.Values.Format("redeemed"), r.Values.SpentCents})
		}
	} else {
		for _, f := range total.ByFunder {
			name := names[f.FunderID]
			if name == "" {
				name = fmt.Sprintf("n° %d", f.FunderID)
			}
			lines = append(lines, line{name, "—", f.Cents})
		}
	}
	d.keep(30)
	d.heading("Montant utilisé par financeur")
	t := &table{d: d, rowH: 6, cols: []column{
		{"Financeur", bodyW - 88, "L"},
		{"Pass utilisés", 26, "R"},
		{"Sa part", 36, "R"},
		{"Part du total", 26, "R"},
	}}
	t.header()
	for _, l := range lines {
		share := "—"
		if total.SpentCents > 0 {
			share = passnum.FrenchPercent(int(l.cents * passnum.BasisPoints / total.SpentCents))
		}
		t.row(l.name, l.passes, passnum.FrenchEuros(l.cents), share)
	}
	if len(lines) == 0 {
		t.row("Aucun montant utilisé")
	}
	d.font("B", 9)
	t.row("Total", total.Format("redeemed"), passnum.FrenchEuros(total.SpentCents), "")
	d.font("I", 8)
	d.para(0, 4, "Un pass cofinancé compte dans la ligne de chacun de ses financeurs ; sa valeur est partagée entre eux selon leurs parts de la convention.")
}
