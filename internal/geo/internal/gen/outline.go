package main

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// atlasPackage is the npm package the outline must come from: Natural
// Earth's country boundaries as TopoJSON.
const atlasPackage = "world-atlas"

// franceID is France's id in world-atlas: its ISO 3166-1 numeric code.
const franceID = "250"

// The map of package geo: a square viewBox of mapSize units showing
// longitudes mapWest…mapEast and latitudes mapSouth…mapNorth, in an
// equirectangular projection whose scale is true at mapMidLat, the
// latitudes centred in the square. geo.Point.MapXY projects the same way:
// change both together (geo's tests compare its projection with this
// outline).
const (
	mapWest, mapEast   = -5.5, 10.0
	mapSouth, mapNorth = 41.0, 51.5
	mapMidLat          = 46.5
	mapSize            = 1000.0
)

// project returns the map coordinates of a point.
func project(lon, lat float64) [2]float64 {
	cos := math.Cos(mapMidLat * math.Pi / 180)
	scale := mapSize / ((mapEast - mapWest) * cos) // units per degree of latitude
	pad := (mapSize - (mapNorth-mapSouth)*scale) / 2
	return [2]float64{(lon - mapWest) * cos * scale, pad + (mapNorth-lat)*scale}
}

// tolerance is how far, in map units (about a kilometre each), the
// simplified outline may stray from Natural Earth's: at most a pixel on a
// map up to 1000 pixels wide. It makes the outline 8 KB instead of 31.
const tolerance = 1.0

// topology is the part of a TopoJSON file
// (https://github.com/topojson/topojson-specification) that the outline
// needs.
type topology struct {
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects struct {
		Countries struct {
			Geometries []struct {
				ID   string  `json:"id"`
				Type string  `json:"type"`
				Arcs [][]any `json:"arcs"` // Polygon: rings of arc indices; MultiPolygon: polygons of rings
			} `json:"geometries"`
		} `json:"countries"`
	} `json:"objects"`
}

// atlasFile is the file of world-atlas read: Natural Earth's 1:10 million
// boundaries. The 1:50 million ones leave out Ré, Belle-Île, Noirmoutier
// and Yeu, and put a third of the coastal communes in the sea.
const atlasFile = "countries-10m.json"

// readOutline reads France's boundary in atlasFile of the unpacked npm
// package world-atlas in dir, and returns the polygons of metropolitan
// France and Corsica as SVG path data for geo's map, with the package's
// version.
func readOutline(dir string) (string, string, error) {
	var meta struct{ Name, Version string }
	if err := readJSON(filepath.Join(dir, "package.json"), &meta); err != nil {
		return "", "", fmt.Errorf("%w (fetch the package with npm pack, see the doc of this command)", err)
	}
	if meta.Name != atlasPackage || meta.Version == "" {
		return "", "", fmt.Errorf("%s: package %q version %q, want %s", dir, meta.Name, meta.Version, atlasPackage)
	}
	path := filepath.Join(dir, atlasFile)
	var topo topology
	if err := readJSON(path, &topo); err != nil {
		return "", "", err
	}
	rings, err := franceRings(&topo)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", path, err)
	}
	return svgPath(rings), meta.Version, nil
}

// franceRings returns the rings (longitude, latitude) of the polygons of
// France that lie within the map: metropolitan France and its islands, not
// the overseas départements.
func franceRings(topo *topology) ([][][2]float64, error) {
	if topo.Transform == nil {
		return nil, errors.New("not quantized: no transform")
	}
	// Each arc is quantized and delta-encoded: its first position is
	// absolute, each next one relative to the previous.
	arcs := make([][][2]float64, len(topo.Arcs))
	for i, arc := range topo.Arcs {
		var x, y float64
		arcs[i] = make([][2]float64, len(arc))
		for j, d := range arc {
			x, y = x+d[0], y+d[1]
			arcs[i][j] = [2]float64{
				x*topo.Transform.Scale[0] + topo.Transform.Translate[0],
				y*topo.Transform.Scale[1] + topo.Transform.Translate[1],
			}
		}
	}
	var polygons [][]any
	found := false
	for _, g := range topo.Objects.Countries.Geometries {
		if g.ID != franceID {
			continue
		}
		found = true
		switch g.Type {
		case "Polygon":
			polygons = append(polygons, anySlice(g.Arcs))
		case "MultiPolygon":
			polygons = append(polygons, g.Arcs...)
		default:
			return nil, fmt.Errorf("the outline of France is a %s, not a polygon", g.Type)
		}
	}
	if !found {
		return nil, fmt.Errorf("no country %s (France)", franceID)
	}
	var kept [][][2]float64
	for _, polygon := range polygons {
		var rings [][][2]float64
		within := true
		for _, r := range polygon {
			ring, err := joinArcs(arcs, r)
			if err != nil {
				return nil, err
			}
			for _, p := range ring {
				within = within && p[0] >= mapWest && p[0] <= mapEast && p[1] >= mapSouth && p[1] <= mapNorth
			}
			rings = append(rings, ring)
		}
		if within {
			kept = append(kept, rings...)
		}
	}
	if len(kept) == 0 {
		return nil, errors.New("no part of France within the map")
	}
	return kept, nil
}

// anySlice makes a Polygon's rings look like a MultiPolygon's polygon.
func anySlice(rings [][]any) []any {
	s := make([]any, len(rings))
	for i, r := range rings {
		s[i] = r
	}
	return s
}

// joinArcs returns the ring made of arcs given by their indices, as decoded
// from JSON: an index i ≥ 0 is arc i, an index i < 0 is arc ^i reversed.
// Consecutive arcs share their end and start points.
func joinArcs(arcs [][][2]float64, ring any) ([][2]float64, error) {
	indices, ok := ring.([]any)
	if !ok {
		return nil, fmt.Errorf("ring %v is not a list of arcs", ring)
	}
	var points [][2]float64
	for _, v := range indices {
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) {
			return nil, fmt.Errorf("arc index %v", v)
		}
		i := int(f)
		reversed := i < 0
		if reversed {
			i = ^i
		}
		if i >= len(arcs) {
			return nil, fmt.Errorf("arc index %d of %d arcs", i, len(arcs))
		}
		arc := arcs[i]
		for j := range arc {
			k := j
			if reversed {
				k = len(arc) - 1 - j
			}
			if j == 0 && len(points) > 0 {
				continue // the previous arc's last point
			}
			points = append(points, arc[k])
		}
	}
	return points, nil
}

// svgPath writes rings (longitude, latitude) as SVG path data in geo's map:
// each ring simplified, then an absolute move, relative lines, a close;
// coordinates to a tenth of a unit. Relative steps are taken between
// rounded points, so that rounding errors do not add up; steps that round
// to nothing are left out, and so are rings that shrink to less than a
// triangle (islets).
func svgPath(rings [][][2]float64) string {
	var b strings.Builder
	for _, ring := range rings {
		if len(ring) > 1 && ring[0] == ring[len(ring)-1] {
			ring = ring[:len(ring)-1] // "z" closes it
		}
		if len(ring) < 3 {
			continue
		}
		projected := make([][2]float64, len(ring))
		for i, p := range ring {
			projected[i] = project(p[0], p[1])
		}
		// A closed ring is simplified as two lines between its first
		// point and the point farthest from it, which both stay.
		far := 0
		for i, p := range projected {
			if math.Hypot(p[0]-projected[0][0], p[1]-projected[0][1]) > math.Hypot(projected[far][0]-projected[0][0], projected[far][1]-projected[0][1]) {
				far = i
			}
		}
		points := simplify(projected[:far+1])
		points = append(points, simplify(slices.Concat(projected[far:], projected[:1]))[1:]...)
		points = points[:len(points)-1] // the first again
		if len(points) < 3 {
			continue
		}

		tenthsOf := func(p [2]float64) (int, int) { return int(math.Round(10 * p[0])), int(math.Round(10 * p[1])) }
		x0, y0 := tenthsOf(points[0])
		start := fmt.Sprintf("M%s %s", tenths(x0), tenths(y0))
		var steps []string
		for _, p := range points[1:] {
			x, y := tenthsOf(p)
			if x != x0 || y != y0 {
				steps = append(steps, tenths(x-x0), tenths(y-y0))
				x0, y0 = x, y
			}
		}
		if len(steps) >= 4 {
			b.WriteString(start + "l" + strings.Join(steps, " ") + "z")
		}
	}
	return b.String()
}

// simplify returns the points of a line that the Douglas-Peucker algorithm
// keeps: the ends, and, recursively, the point farthest from the segment
// between them if farther than tolerance.
func simplify(line [][2]float64) [][2]float64 {
	if len(line) <= 2 {
		return slices.Clone(line)
	}
	a, b := line[0], line[len(line)-1]
	far, farthest := 0, -1.0
	for i, p := range line[1 : len(line)-1] {
		if d := distanceToSegment(p, a, b); d > farthest {
			far, farthest = i+1, d
		}
	}
	if farthest <= tolerance {
		return [][2]float64{a, b}
	}
	left := simplify(line[:far+1])
	return append(left, simplify(line[far:])[1:]...)
}

// distanceToSegment returns the distance from p to the segment ab.
func distanceToSegment(p, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = max(0, min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l))
	}
	return math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy)
}

// tenths formats a number of tenths as a decimal: 123 is "12.3", -5 is
// "-0.5", 40 is "4".
func tenths(n int) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	if n%10 == 0 {
		return sign + strconv.Itoa(n/10)
	}
	return fmt.Sprintf("%s%d.%d", sign, n/10, n%10)
}
