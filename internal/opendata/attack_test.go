package opendata

import (
	"fmt"
	"math"
)

// equation is one published sum: cells[parent] = Σ cells[children]. Cells are
// indices into Release.Rows (the measure is fixed by the caller).
type equation struct {
	parent   int
	children []int
}

// equations rebuilds the published equations of one month from the rows
// alone, as a reader of the open data would: national = Σ départements,
// département = Σ its communes.
func equations(r *Release) []equation {
	var eqs []equation
	national := map[string]int{}
	dept := map[[2]string]int{}
	for i, row := range r.Rows {
		switch row.Level {
		case LevelNational:
			national[row.Month] = i
		case LevelDepartement:
			dept[[2]string{row.Month, row.Departement}] = i
		}
	}
	byParent := map[int][]int{}
	for i, row := range r.Rows {
		switch row.Level {
		case LevelDepartement:
			p := national[row.Month]
			byParent[p] = append(byParent[p], i)
		case LevelCommune:
			p := dept[[2]string{row.Month, row.Departement}]
			byParent[p] = append(byParent[p], i)
		}
	}
	for p, cs := range byParent {
		eqs = append(eqs, equation{parent: p, children: cs})
	}
	return eqs
}

const inf = math.MaxInt / 4

// interval is what the attacker knows of a cell: lo ≤ value ≤ hi.
type interval struct{ lo, hi int }

// attack is the interval-propagation attacker: it starts from the published
// values and non-negativity, and tightens bounds with every published
// equation until nothing changes. Its bounds are sound (they contain every
// non-negative solution of the published equations).
func attack(r *Release, m int) []interval {
	iv := make([]interval, len(r.Rows))
	for i, row := range r.Rows {
		if v := row.Values[m]; v.Suppressed {
			iv[i] = interval{0, inf}
		} else {
			iv[i] = interval{v.N, v.N}
		}
	}
	eqs := equations(r)
	add := func(a, b int) int {
		if a >= inf || b >= inf {
			return inf
		}
		return a + b
	}
	for changed := true; changed; {
		changed = false
		tighten := func(i, lo, hi int) {
			if lo > iv[i].lo {
				iv[i].lo, changed = lo, true
			}
			if hi < iv[i].hi {
				iv[i].hi, changed = hi, true
			}
		}
		for _, e := range eqs {
			sumLo, sumHi := 0, 0
			for _, c := range e.children {
				sumLo = add(sumLo, iv[c].lo)
				sumHi = add(sumHi, iv[c].hi)
			}
			tighten(e.parent, sumLo, sumHi)
			for _, c := range e.children {
				othersLo := sumLo - iv[c].lo
				othersHi := inf
				if sumHi < inf {
					othersHi = sumHi - iv[c].hi
				}
				lo := 0
				if othersHi < inf {
					lo = max(0, iv[e.parent].lo-othersHi)
				}
				hi := inf
				if iv[e.parent].hi < inf {
					hi = iv[e.parent].hi - othersLo
				}
				tighten(c, lo, hi)
			}
		}
	}
	return iv
}

// truth gives the true value of every row for measure m, computed from the
// confidential table (not from the release).
func truth(t *Table, r *Release, m int) []int {
	commune := map[[2]string]int{}
	for _, c := range t.Cells {
		commune[[2]string{c.Month, c.Commune}] = c.Counts[m]
	}
	vals := make([]int, len(r.Rows))
	for i, row := range r.Rows {
		for _, c := range t.Cells {
			if c.Month != row.Month {
				continue
			}
			switch {
			case row.Level == LevelNational,
				row.Level == LevelDepartement && row.Departement == c.Departement,
				row.Level == LevelCommune && row.Commune == c.Commune:
				vals[i] += c.Counts[m]
			}
		}
	}
	return vals
}

// witness builds, for the suppressed cell x, a change d of the suppressed
// cells with d[x] = −1 that keeps every published equation true: move a
// suppressed sibling the other way, or the suppressed parent the same way
// and go on up; carry each change down through a suppressed child (one with
// a value ≥ 1 when decreasing). It is only a search: checkSolution proves.
func witness(r *Release, m int, vals []int, x int) (map[int]int, error) {
	parent := map[int]int{}
	kids := map[int][]int{}
	for _, e := range equations(r) {
		kids[e.parent] = e.children
		for _, c := range e.children {
			parent[c] = e.parent
		}
	}
	supp := func(i int) bool { return r.Rows[i].Values[m].Suppressed }
	d := map[int]int{}
	var down func(n, delta int) error
	down = func(n, delta int) error {
		d[n] = delta
		cs := kids[n]
		if len(cs) == 0 {
			return nil
		}
		for _, c := range cs {
			if supp(c) && vals[c]+delta >= 0 && vals[c]-delta >= 0 {
				return down(c, delta)
			}
		}
		return fmt.Errorf("row %d: no suppressed child can move by %d", n, delta)
	}
	if err := down(x, -1); err != nil {
		return nil, err
	}
	cur, delta := x, -1
	for {
		p, ok := parent[cur]
		if !ok {
			return d, nil // the root is free: nothing above it
		}
		for _, s := range kids[p] {
			if s != cur && supp(s) && vals[s]+delta >= 0 && vals[s]-delta >= 0 {
				return d, down(s, -delta)
			}
		}
		if !supp(p) {
			return nil, fmt.Errorf("row %d: lone suppressed cell under published row %d", cur, p)
		}
		d[p] = delta
		cur = p
	}
}

// checkSolution verifies that vals+sign·d is a non-negative solution of the
// published equations that agrees with every published value.
func checkSolution(r *Release, m int, vals []int, d map[int]int, sign int) error {
	alt := append([]int(nil), vals...)
	for i, dv := range d {
		alt[i] += sign * dv
	}
	for i, row := range r.Rows {
		if alt[i] < 0 {
			return fmt.Errorf("row %d negative: %d", i, alt[i])
		}
		if v := row.Values[m]; !v.Suppressed && v.N != alt[i] {
			return fmt.Errorf("row %d: published %d, solution %d", i, v.N, alt[i])
		}
	}
	for _, e := range equations(r) {
		sum := 0
		for _, c := range e.children {
			sum += alt[c]
		}
		if sum != alt[e.parent] {
			return fmt.Errorf("row %d = %d, children sum to %d", e.parent, alt[e.parent], sum)
		}
	}
	return nil
}
