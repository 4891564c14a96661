package main

import (
	"math"
	"slices"
	"testing"
)

// TestProject checks the map's frame: its west and east edges are the
// viewBox's, its north and south edges are equally far from the top and
// the bottom, and a degree of longitude is cos(46.5°) of a degree of
// latitude.
func TestProject(t *testing.T) {
	nw, se := project(mapWest, mapNorth), project(mapEast, mapSouth)
	if nw[0] != 0 || se[0] != mapSize {
		t.Errorf("west and east edges at %g and %g, want 0 and %g", nw[0], se[0], mapSize)
	}
	if nw[1] <= 0 || math.Abs(nw[1]+se[1]-mapSize) > 1e-9 {
		t.Errorf("north and south edges at %g and %g, want as far from the top as from the bottom", nw[1], se[1])
	}
	a, b, c := project(0, 46.5), project(10, 46.5), project(0, 36.5)
	if got := (b[0] - a[0]) / (c[1] - a[1]); math.Abs(got-math.Cos(46.5*math.Pi/180)) > 1e-9 {
		t.Errorf("a degree of longitude is %.4f of a degree of latitude", got)
	}
}

func TestSVGPath(t *testing.T) {
	// Corners of the map, in longitude and latitude.
	nw, ne, se, sw := [2]float64{mapWest, mapNorth}, [2]float64{mapEast, mapNorth}, [2]float64{mapEast, mapSouth}, [2]float64{mapWest, mapSouth}
	const tiny = 1e-5 // less than a twentieth of a unit on the map
	tests := map[string]struct {
		rings [][][2]float64
		want  string
	}{
		"closed ring":                 {[][][2]float64{{nw, ne, se, sw, nw}}, "M0 7.9l1000 0 0 984.2 -1000 0z"},
		"open ring":                   {[][][2]float64{{nw, ne, se}}, "M0 7.9l1000 0 0 984.2z"},
		"steps that round to nothing": {[][][2]float64{{nw, {nw[0] + tiny, nw[1]}, ne, {ne[0], ne[1] - tiny}, se}}, "M0 7.9l1000 0 0 984.2z"},
		"two rings":                   {[][][2]float64{{nw, ne, se}, {sw, nw, se}}, "M0 7.9l1000 0 0 984.2zM0 992.1l0 -984.2 1000 984.2z"},
		"ring shrunk to a line":       {[][][2]float64{{nw, {nw[0] + tiny, nw[1]}, ne}, {nw, ne, se}}, "M0 7.9l1000 0 0 984.2z"},
	}
	for name, tt := range tests {
		if got := svgPath(tt.rings); got != tt.want {
			t.Errorf("%s: svgPath = %q, want %q", name, got, tt.want)
		}
	}
}

func TestTenths(t *testing.T) {
	tests := map[int]string{0: "0", 5: "0.5", -5: "-0.5", 40: "4", -40: "-4", 123: "12.3", -10001: "-1000.1"}
	for n, want := range tests {
		if got := tenths(n); got != want {
			t.Errorf("tenths(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestSimplify(t *testing.T) {
	type line = [][2]float64
	tests := map[string]struct{ in, want line }{
		"a point":                {line{{1, 2}}, line{{1, 2}}},
		"a segment":              {line{{0, 0}, {10, 0}}, line{{0, 0}, {10, 0}}},
		"within the tolerance":   {line{{0, 0}, {5, 0.9}, {10, 0}}, line{{0, 0}, {10, 0}}},
		"beyond the tolerance":   {line{{0, 0}, {5, 1.1}, {10, 0}}, line{{0, 0}, {5, 1.1}, {10, 0}}},
		"near the kept point":    {line{{0, 0}, {2, 0.5}, {5, 3}, {8, 0.5}, {10, 0}}, line{{0, 0}, {5, 3}, {10, 0}}},
		"past the segment's end": {line{{0, 0}, {11.5, 0}, {10, 0}}, line{{0, 0}, {11.5, 0}, {10, 0}}},
	}
	for name, tt := range tests {
		if got := simplify(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s: simplify(%v) = %v, want %v", name, tt.in, got, tt.want)
		}
	}
}
