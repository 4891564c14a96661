// Package opendata builds the public, anonymous open-data export of the
// Pass numérique: counts by month, commune and département, protected by
// statistical disclosure control so that open data never reveals a small
// group (DOMAIN.md, invariant 5).
//
// # What is published
//
// For every month and every measure (for example beneficiaries reached,
// passes redeemed, carnets distributed) the export holds a two-level
// hierarchy: one row per commune, one row per département (the sum of its
// communes) and one national row (the sum of the départements). So each
// (month, measure) pair publishes these equations, and no others:
//
//	département = Σ its communes
//	national    = Σ départements
//
// # Rules
//
//  1. Zero is published. "Nobody" is not a small group, and a suppressed
//     zero would only hide that nothing happened.
//  2. Primary suppression: every count c with 1 ≤ c < threshold is suppressed,
//     at every level (commune, département and national).
//  3. Secondary suppression: no published equation may contain exactly one
//     suppressed cell, otherwise it could be recomputed as the total minus
//     the published parts. While some equation has exactly one suppressed
//     cell, another cell of it is suppressed: the smallest non-zero published
//     child (ties broken by code), or the parent total when every published
//     child is zero. A suppressed parent is a child of the equation above, so
//     the rule propagates up; the loop runs to a fixed point.
//  4. Secondary suppression never picks a zero, so every suppressed cell has a
//     value ≥ 1. Together with rule 3 this guarantees that each suppressed
//     cell can move by ±1 in another non-negative solution of the published
//     equations (move a suppressed sibling the other way, or the suppressed
//     parent with it, and carry the change down through suppressed children):
//     no suppressed value is ever pinned to a single value. The tests check
//     this with an interval-propagation attacker and with explicit witness
//     solutions.
//
// # Not covered
//
//   - Differencing across measures: measures are protected independently.
//     If a reader knows a relation between measures (for example passes
//     redeemed ≤ passes distributed) the intervals narrow, though they never
//     collapse to the published equations alone.
//   - Differencing across months or releases: no all-months totals are
//     published here; if they are added, or if a later release revises a
//     month, the equations across months are not protected by this package.
//   - Other exports (by venue, by programme) published elsewhere that share
//     cells with this one, and outside knowledge (a commune's population).
//   - The width of the protection interval: a suppressed cell is guaranteed
//     ambiguous (at least value − 1 and value + 1 are feasible), not hidden
//     within a wide range.
package opendata

import (
	"errors"
	"fmt"
	"sort"

	"github.com/passnum/passnum"
)

// DefaultThreshold is the smallest group size that may be published: counts
// from 1 to DefaultThreshold−1 are suppressed.
const DefaultThreshold = 5

// Cell holds the counts of one commune for one month. Counts are indexed like
// Table.Measures.
type Cell struct {
	Month       string // "2026-01"
	Departement string // département code, e.g. "29", "2A", "971"
	Commune     string // INSEE commune code, e.g. "29019"
	Counts      []int
}

// Table is the raw, confidential input of the export: one cell per (month,
// commune). A commune belongs to one département.
type Table struct {
	Measures []string
	Cells    []Cell
}

// Level is the level of a published row.
type Level string

// Levels of the hierarchy.
const (
	LevelNational    Level = "national"
	LevelDepartement Level = "departement"
	LevelCommune     Level = "commune"
)

// Value is one published count. When Suppressed is true, N must not be
// published (the writers leave it empty / null).
type Value struct {
	N          int
	Suppressed bool
}

// Row is one published row: a commune, a département or the nation, for a
// month. Values are indexed like Release.Measures.
type Row struct {
	Month       string
	Level       Level
	Departement string // empty for the national row
	Commune     string // empty unless Level is LevelCommune
	Values      []Value
}

// Release is the protected export, ready to be written. Rows are ordered by
// month, then national row, then each département followed by its communes.
type Release struct {
	Measures  []string
	Threshold int
	Rows      []Row
	// Freshness says how recent the figures are when a read replica
	// served them; nil without one.
	Freshness *passnum.Freshness
}

// node is one cell of a (month, measure) tree: index 0 is the nation.
type node struct {
	code     string
	value    int
	parent   int // -1 for the root
	children []int
	supp     bool
	row      int // the row of Release.Rows the value lands in
}

// Suppress protects t and returns the release to publish. threshold is the
// smallest count that may be published (use DefaultThreshold); it must be at
// least 1. t is not modified.
func Suppress(t *Table, threshold int) (*Release, error) {
	if threshold < 1 {
		return nil, fmt.Errorf("opendata: threshold %d < 1", threshold)
	}
	if len(t.Measures) == 0 {
		return nil, errors.New("opendata: no measure")
	}
	names := map[string]bool{"month": true, "level": true, "departement": true, "commune": true}
	for _, m := range t.Measures {
		if !validMeasure(m) {
			return nil, fmt.Errorf("opendata: measure %q: want lower-case letters, digits and _", m)
		}
		if names[m] || names[m+"_suppressed"] {
			return nil, fmt.Errorf("opendata: measure %q: duplicate column", m)
		}
		names[m], names[m+"_suppressed"] = true, true
	}
	// Index the cells: month → département → commune → counts.
	type key struct{ month, commune string }
	seen := map[key]bool{}
	deptOf := map[string]string{}
	byMonth := map[string]map[string]map[string][]int{}
	for _, c := range t.Cells {
		if c.Month == "" || c.Departement == "" || c.Commune == "" {
			return nil, fmt.Errorf("opendata: cell %+v: empty month, département or commune", c)
		}
		if len(c.Counts) != len(t.Measures) {
			return nil, fmt.Errorf("opendata: cell %s %s: %d counts for %d measures", c.Month, c.Commune, len(c.Counts), len(t.Measures))
		}
		for i, n := range c.Counts {
			if n < 0 {
				return nil, fmt.Errorf("opendata: cell %s %s: negative %s", c.Month, c.Commune, t.Measures[i])
			}
		}
		if d, ok := deptOf[c.Commune]; ok && d != c.Departement {
			return nil, fmt.Errorf("opendata: commune %s in départements %s and %s", c.Commune, d, c.Departement)
		}
		deptOf[c.Commune] = c.Departement
		k := key{c.Month, c.Commune}
		if seen[k] {
			return nil, fmt.Errorf("opendata: duplicate cell %s %s", c.Month, c.Commune)
		}
		seen[k] = true
		if byMonth[c.Month] == nil {
			byMonth[c.Month] = map[string]map[string][]int{}
		}
		if byMonth[c.Month][c.Departement] == nil {
			byMonth[c.Month][c.Departement] = map[string][]int{}
		}
		byMonth[c.Month][c.Departement][c.Commune] = c.Counts
	}

	r := &Release{Measures: append([]string(nil), t.Measures...), Threshold: threshold}
	for _, month := range sortedKeys(byMonth) {
		depts := byMonth[month]
		// Lay out the rows and one tree shape shared by all measures.
		nodes := []node{{parent: -1, row: len(r.Rows)}}
		r.Rows = append(r.Rows, Row{Month: month, Level: LevelNational})
		var leaves [][]int // per node index, the counts (leaves only)
		leaves = append(leaves, nil)
		for _, d := range sortedKeys(depts) {
			di := len(nodes)
			nodes = append(nodes, node{code: d, parent: 0, row: len(r.Rows)})
			leaves = append(leaves, nil)
			nodes[0].children = append(nodes[0].children, di)
			r.Rows = append(r.Rows, Row{Month: month, Level: LevelDepartement, Departement: d})
			for _, c := range sortedKeys(depts[d]) {
				ci := len(nodes)
				nodes = append(nodes, node{code: c, parent: di, row: len(r.Rows)})
				leaves = append(leaves, depts[d][c])
				nodes[di].children = append(nodes[di].children, ci)
				r.Rows = append(r.Rows, Row{Month: month, Level: LevelCommune, Departement: d, Commune: c})
			}
		}
		for i := range nodes {
			r.Rows[nodes[i].row].Values = make([]Value, len(t.Measures))
		}
		for m := range t.Measures {
			tree := make([]node, len(nodes))
			copy(tree, nodes)
			// Values: leaves from the table, parents as sums (children
			// come after their parent, so walk backwards).
			for i := len(tree) - 1; i >= 0; i-- {
				if len(tree[i].children) == 0 && leaves[i] != nil {
					tree[i].value = leaves[i][m]
				}
				if p := tree[i].parent; p >= 0 {
					tree[p].value += tree[i].value
				}
			}
			suppressTree(tree, threshold)
			for _, n := range tree {
				r.Rows[n.row].Values[m] = Value{N: n.value, Suppressed: n.supp}
			}
		}
	}
	return r, nil
}

// suppressTree applies rules 2 to 4 of the package documentation to one
// (month, measure) tree.
func suppressTree(tree []node, threshold int) {
	for i := range tree {
		if v := tree[i].value; v >= 1 && v < threshold {
			tree[i].supp = true
		}
	}
	for changed := true; changed; {
		changed = false
		for p := range tree {
			kids := tree[p].children
			if len(kids) == 0 {
				continue
			}
			n := 0
			if tree[p].supp {
				n++
			}
			for _, c := range kids {
				if tree[c].supp {
					n++
				}
			}
			if n != 1 {
				continue
			}
			// Smallest non-zero published child; else the parent. The
			// parent is then ≥ 1 because it is the sum of a suppressed
			// child (≥ 1). When the parent is the lone suppressed cell, it
			// is ≥ 1 and all children are published, so a non-zero child
			// exists.
			best := -1
			for _, c := range kids {
				if tree[c].supp || tree[c].value == 0 {
					continue
				}
				if best < 0 || tree[c].value < tree[best].value ||
					(tree[c].value == tree[best].value && tree[c].code < tree[best].code) {
					best = c
				}
			}
			if best < 0 {
				best = p
			}
			tree[best].supp = true
			changed = true
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// validMeasure reports whether m can be a column name: [a-z][a-z0-9_]*.
func validMeasure(m string) bool {
	if m == "" || m[0] < 'a' || m[0] > 'z' {
		return false
	}
	for _, r := range m {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}
