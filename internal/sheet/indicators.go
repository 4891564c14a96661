package sheet

import (
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/passnum/passnum"
)

// Indicators turns an indicator report into a table: the dimension's label,
// one column per indicator that has a meaning along the dimension (three for
// the delay: first quartile, median, third quartile), then, when the report
// has more than one funder, each funder's part of the money used. The last
// row is the total.
func Indicators(rep *passnum.IndicatorReport) *Table {
	var cols []Column
	var vals []func(v *passnum.IndicatorValues) Cell

	cols = append(cols, Column{Header: rep.Dimension.Label(), Kind: Text})
	for _, ind := range passnum.IndicatorDefinitions {
		if !ind.Applies(rep.Dimension) {
			continue
		}
		if ind.Key == "delay_median" {
			cols = append(cols,
				Column{Header: "1er quartile du délai avant le premier atelier (jours)", Kind: Days},
				Column{Header: ind.Label + " (jours)", Kind: Days},
				Column{Header: "3e quartile du délai avant le premier atelier (jours)", Kind: Days})
			for _, q := range []func(d passnum.DelayStats) int{
				func(d passnum.DelayStats) int { return d.Q1 },
				func(d passnum.DelayStats) int { return d.Median },
				func(d passnum.DelayStats) int { return d.Q3 },
			} {
				vals = append(vals, func(v *passnum.IndicatorValues) Cell {
					d := v.Delay()
					if d.Count == 0 {
						return Cell{Empty: true}
					}
					return Cell{N: int64(q(d))}
				})
			}
			continue
		}
		kind, unit := indicatorKind(ind)
		header := ind.Label
		if unit != "" {
			header += " (" + unit + ")"
		}
		cols = append(cols, Column{Header: header, Kind: kind})
		key := ind.Key
		vals = append(vals, func(v *passnum.IndicatorValues) Cell {
			n, ok := v.Value(key)
			if !ok {
				return Cell{Empty: true}
			}
			return Cell{N: n}
		})
	}
	if len(rep.Funders) > 1 {
		ids := make([]int64, 0, len(rep.Funders))
		for id := range rep.Funders {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			cols = append(cols, Column{Header: "Part de " + rep.Funders[id] + " (€)", Kind: Euros})
			vals = append(vals, func(v *passnum.IndicatorValues) Cell { return Cell{N: v.FunderShare(id)} })
		}
	}

	t := &Table{Title: "Indicateurs par " + lowerFirst(rep.Dimension.Label()), Columns: cols,
		Rows: make([][]Cell, 0, len(rep.Rows)+1)}
	scope := rep.ScopeLabel
	if rep.Scope.Year != 0 {
		scope += ", année " + strconv.Itoa(rep.Scope.Year)
	}
	if scope != "" {
		t.Notes = append(t.Notes, "Périmètre : "+scope)
	}
	if !rep.ComputedAt.IsZero() {
		t.Notes = append(t.Notes, "Chiffres arrêtés le "+passnum.FrenchDateTime(rep.ComputedAt))
	}
	if rep.Freshness != nil {
		t.Notes = append(t.Notes, rep.Freshness.French())
	}
	t.Notes = append(t.Notes, "Case vide : indicateur sans valeur pour la ligne (taux sans pass remis, délai sans carnet entamé).")

	row := func(label string, v *passnum.IndicatorValues) []Cell {
		cells := make([]Cell, 0, len(cols))
		cells = append(cells, Cell{Text: label})
		for _, f := range vals {
			cells = append(cells, f(v))
		}
		return cells
	}
	for i := range rep.Rows {
		t.Rows = append(t.Rows, row(rep.Rows[i].Label, &rep.Rows[i].Values))
	}
	t.Rows = append(t.Rows, row("Total", &rep.Total))
	return t
}

// indicatorKind tells how an indicator's value is written, from its unit,
// and the unit to add to its header: money and rates say theirs; counts
// and hours are named by their label.
func indicatorKind(ind passnum.Indicator) (Kind, string) {
	switch ind.Unit {
	case "€":
		return Euros, "€"
	case "%":
		return Percent, "%"
	case "heures":
		return Hours, ""
	case "jours":
		return Days, "jours"
	}
	return Int, ""
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
