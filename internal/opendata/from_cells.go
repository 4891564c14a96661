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
// DefaultThreshold) and returns the release to write, with the months
// before the month before ("2027-04": up to March). The month in progress
// is left out: its counts move with every computation, and two releases a
// quarter of an hour apart would show by their difference a person who
// came in a suppressed cell. A month is published once it is over.
func Publish(cells []passnum.OpenDataCell, threshold int, before string) (*Release, error) {
	closed := make([]passnum.OpenDataCell, 0, len(cells))
	for _, c := range cells {
		if c.Month < before {
			closed = append(closed, c)
		}
	}
	t, err := FromCells(closed)
	if err != nil {
		return nil, err
	}
	return Suppress(t, threshold)
}
