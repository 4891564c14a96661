package geo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestMapXY(t *testing.T) {
	tests := []struct {
		p    Point
		x, y float64 // when ok
		ok   bool
	}{
		// Computed apart.
		{Point{51.5, -5.5}, 0, 7.943, true},      // north-west corner, a little below the top
		{Point{41, 10}, 1000, 992.057, true},     // south-east corner
		{Point{46.25, 2.25}, 500, 500, true},     // the centre
		{Point{47.5, 2.25}, 500, 382.844, true},  // a degree of latitude is 93.725 units…
		{Point{46.25, 3.25}, 564.516, 500, true}, // …a degree of longitude cos(46.5°) of that
		{Point{51.6, 2}, 0, 0, false},
		{Point{40.9, 9}, 0, 0, false},
		{Point{45, -5.6}, 0, 0, false},
		{Point{45, 10.1}, 0, 0, false},
		{Point{-20.88, 55.45}, 0, 0, false}, // La Réunion
		{Point{math.NaN(), 2}, 0, 0, false},
	}
	for _, tt := range tests {
		x, y, ok := tt.p.MapXY()
		if ok != tt.ok || math.Abs(x-tt.x) > 0.001 || math.Abs(y-tt.y) > 0.001 {
			t.Errorf("%v.MapXY() = %.3f, %.3f, %v; want %.3f, %.3f, %v", tt.p, x, y, ok, tt.x, tt.y, tt.ok)
		}
	}
	var x0, y0, x1, y1 float64
	if _, err := fmt.Sscanf(MapViewBox, "%g %g %g %g", &x0, &y0, &x1, &y1); err != nil || x0 != 0 || y0 != 0 || x1 != mapSize || y1 != mapSize {
		t.Errorf("MapViewBox %q, want 0 0 %g %g", MapViewBox, mapSize, mapSize)
	}
}

// rings parses SVG path data as FranceOutlinePath writes it: for each
// subpath an absolute move, relative lines, a close.
func rings(t *testing.T, path string) [][][2]float64 {
	t.Helper()
	var rs [][][2]float64
	for _, sub := range strings.SplitAfter(path, "z") {
		if sub == "" {
			continue
		}
		move, lines, ok := strings.Cut(strings.TrimSuffix(sub, "z"), "l")
		if !strings.HasPrefix(move, "M") || !strings.HasSuffix(sub, "z") || !ok {
			t.Fatalf("subpath %.40q…: not M…l…z", sub)
		}
		nums := strings.Fields(move[1:] + " " + lines)
		if len(nums)%2 != 0 || len(nums) < 6 {
			t.Fatalf("subpath %.40q…: %d numbers", sub, len(nums))
		}
		var ring [][2]float64
		var x, y float64
		for i := 0; i < len(nums); i += 2 {
			dx, err1 := strconv.ParseFloat(nums[i], 64)
			dy, err2 := strconv.ParseFloat(nums[i+1], 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("subpath %.40q…: numbers %q %q", sub, nums[i], nums[i+1])
			}
			x, y = x+dx, y+dy
			ring = append(ring, [2]float64{x, y})
		}
		rs = append(rs, ring)
	}
	return rs
}

// inside tells whether a point lies inside rings (even-odd rule).
func inside(rs [][][2]float64, x, y float64) bool {
	in := false
	for _, r := range rs {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a[1] > y) != (b[1] > y) && x < a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
				in = !in
			}
		}
	}
	return in
}

// TestOutline checks that the outline drawn by the generator and the
// points projected by MapXY agree: the communes fall inside France, cities
// abroad and the seas outside.
func TestOutline(t *testing.T) {
	path := FranceOutlinePath()
	if len(path) < 2000 || len(path) > 20000 {
		t.Errorf("outline of %d bytes", len(path))
	}
	rs := rings(t, path)
	points := 0
	for _, r := range rs {
		points += len(r)
		for _, p := range r {
			if p[0] < 0 || p[0] > mapSize || p[1] < 0 || p[1] > mapSize {
				t.Fatalf("point %v outside the viewBox", p)
			}
		}
	}
	if len(rs) < 2 || points < 300 {
		t.Errorf("%d rings of %d points, want at least the mainland and Corsica, 300 points", len(rs), points)
	}

	places := []struct {
		name   string
		p      Point
		france bool
	}{
		{"Paris", Point{48.8566, 2.3522}, true},
		{"Brest", Point{48.3904, -4.4861}, true},
		{"Lille", Point{50.6292, 3.0573}, true},
		{"Colmar", Point{48.0794, 7.3585}, true},
		{"Nice", Point{43.7102, 7.2620}, true},
		{"Perpignan", Point{42.6887, 2.8948}, true},
		{"Biarritz", Point{43.4832, -1.5586}, true},
		{"Corte", Point{42.3063, 9.1505}, true}, // Ajaccio, on its gulf, is at sea at this scale
		{"Bastia", Point{42.6977, 9.4508}, true},
		{"Brussels", Point{50.8503, 4.3517}, false},
		{"Luxembourg", Point{49.6116, 6.1319}, false},
		{"Bern", Point{46.9480, 7.4474}, false},
		{"Turin", Point{45.0703, 7.6869}, false},
		{"Barcelona", Point{41.3874, 2.1686}, false},
		{"Bay of Biscay", Point{45.5, -3}, false},
		{"Gulf of Lion", Point{42.8, 4}, false},
		{"English Channel", Point{50, -1.5}, false},
		{"Sardinia", Point{40.9, 9.1}, false}, // outside the frame too
	}
	for _, pl := range places {
		x, y, ok := pl.p.MapXY()
		if got := ok && inside(rs, x, y); got != pl.france {
			t.Errorf("%s (%.1f, %.1f): inside France %v, want %v", pl.name, x, y, got, pl.france)
		}
	}

	// Only communes on the coast or a border (Le Havre, Divonne-les-Bains)
	// and on islets may be left out, about 140.
	outside, metropolitan := 0, 0
	for _, c := range data().communes {
		x, y, ok := c.Point().MapXY()
		if len(c.Departement) == 3 {
			if ok {
				t.Errorf("overseas commune %s %s on the map at %.1f, %.1f", c.INSEE, c.Name, x, y)
			}
			continue
		}
		metropolitan++
		if !ok || !inside(rs, x, y) {
			outside++
		}
	}
	if outside > metropolitan/200 {
		t.Errorf("%d of %d metropolitan communes outside the outline, want at most 0.5 %%", outside, metropolitan)
	}
}
