package opendata

import (
	"fmt"

	"github.com/passnum/passnum"
)

// FromCells turns the store's open data cells (passnum.OpenDataCell, one by
// month and commune of the person) into the confidential table Suppress
// protects, with the measures of passnum.OpenDataMeasures.
//
// A cell whose commune has no département (a person without a commune) is
// left out: it has no place in the commune → département → nation
// hierarchy, and publishing it as a row of its own would add an equation
// this package does not protect. The national rows are therefore the sums
// of the localised people only, as the public page says.
func FromCells(cells []passnum.OpenDataCell) (*Table, error) {
	t := &Table{Measures: append([]string(nil), passnum.OpenDataMeasures...)}
	for _, c := range cells {
		dep := passnum.DepartementOfCommune(c.Commune)
		if dep == "" || c.Month == "" {
			continue
		}
		if len(c.Counts) != len(t.Measures) {
			return nil, fmt.Errorf("opendata: cell %s %s: %d counts for %d measures", c.Month, c.Commune, len(c.Counts), len(t.Measures))
		}
		counts := make([]int, len(c.Counts))
		for i, n := range c.Counts {
			if n < 0 || int64(int(n)) != n {
				return nil, fmt.Errorf("opendata: cell %s %s: %s = %d out of range", c.Month, c.Commune, t.Measures[i], n)
			}
			counts[i] = int(n)
		}
		t.Cells = append(t.Cells, Cell{Month: c.Month, Departement: dep, Commune: c.Commune, Counts: counts})
	}
	return t, nil
}

// Publish protects the store's open data cells with threshold (use
// DefaultThreshold) and returns the release to write.
func Publish(cells []passnum.OpenDataCell, threshold int) (*Release, error) {
	t, err := FromCells(cells)
	if err != nil {
		return nil, err
	}
	return Suppress(t, threshold)
}
