package web

import (
	"cmp"
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

// Maps of the directory: an SVG drawn on the server from geo's outline of
// metropolitan France, with numbered markers that match the numbers of a
// list beside it. Nothing is loaded from elsewhere, so the map works
// offline, under the strict CSP (classes and presentation attributes, no
// style attribute) and without JavaScript. The map is an image with a
// text alternative (role="img", <title>, <desc>); every marker has its own
// <title> for mouse users, and the list says everything the map shows.
// Points outside the map's frame (the overseas départements) are returned
// apart, for the page to list under "Outre-mer".

// A tile map for production is not offered yet. It would mean drawing
// tiles under the markers (in Web Mercator, not geo's projection), adding
// the tile host to the CSP's img-src, and naming the tiles' licence on the
// map.

// mapMarker is one point on a map.
type mapMarker struct {
	Label string // what the marker shows: "1", "A"
	Title string // its tooltip and the list's text: "1. Espace numérique, Rennes"
	Point passnum.LatLon
	// Filled markers stand for venues accepting passes; the others are
	// outlined.
	Filled bool
}

// mapSpec is a map to draw.
type mapSpec struct {
	ID    string // unique in the page: ids of the title and description
	Title string // short: "Carte des résultats"
	Desc  string // what the map shows, in a sentence or two
	// Markers, in the order of the list.
	Markers []mapMarker
	// Centre is the place searched around, drawn as a cross with its name
	// (CentreName); nil without a place criterion.
	Centre     *passnum.LatLon
	CentreName string
	// Zoom frames the markers and the centre rather than all of France,
	// with a box of MinKm across at least.
	Zoom  bool
	MinKm float64
	// Big draws larger markers, for a small map of a few points.
	Big bool
}

// mapOut is a drawn map and the markers it could not place.
type mapOut struct {
	SVG template.HTML
	// Overseas lists the markers outside metropolitan France, to name
	// beside the map.
	Overseas []mapMarker
}

// mapFullSize is the side of geo.MapViewBox.
const mapFullSize = 1000.0

// unitsPerKm is the map's scale, measured on geo's projection itself: a
// degree of latitude is 111.195 km (geo.DistanceKm's sphere).
var unitsPerKm = func() float64 {
	_, y1, _ := geo.Point{Lat: 46, Lon: 2}.MapXY()
	_, y2, _ := geo.Point{Lat: 47, Lon: 2}.MapXY()
	return math.Abs(y1-y2) / geo.DistanceKm(geo.Point{Lat: 46, Lon: 2}, geo.Point{Lat: 47, Lon: 2})
}()

// box is a square part of the map, in map units.
type box struct{ x, y, side float64 }

func (b box) viewBox() string {
	return fmt.Sprintf("%s %s %s %s", num1(b.x), num1(b.y), num1(b.side), num1(b.side))
}

// num1 writes a coordinate with one decimal at most, as SVG reads it.
func num1(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}

// frame returns the box around points: a square that holds them all with
// a margin, at least minSide across, kept within the map when it can be.
func frame(points [][2]float64, minSide float64) box {
	if len(points) == 0 {
		return box{0, 0, mapFullSize}
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range points {
		minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
		minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
	}
	side := math.Max(maxX-minX, maxY-minY)*1.3 + 12 // room for the markers at the edges
	side = math.Max(side, minSide)
	if side >= mapFullSize {
		return box{0, 0, mapFullSize}
	}
	cx, cy := (minX+maxX)/2, (minY+maxY)/2
	x := math.Min(math.Max(cx-side/2, 0), mapFullSize-side)
	y := math.Min(math.Max(cy-side/2, 0), mapFullSize-side)
	return box{x, y, side}
}

// placed is a marker where it is drawn: at its point, or moved aside when
// it would hide another one, with a line to its point.
type placed struct {
	m      mapMarker
	px, py float64 // the point
	x, y   float64 // the marker
	moved  bool
}

// declutter moves markers that would cover earlier ones along a spiral
// around their point, so that every number stays readable.
func declutter(ps []placed, r float64) {
	for i := range ps {
		angle, dist := -math.Pi/2, 0.0
		for try := 0; try < 60; try++ {
			x, y := ps[i].px+dist*math.Cos(angle), ps[i].py+dist*math.Sin(angle)
			clear := true
			for j := 0; j < i; j++ {
				if math.Hypot(ps[j].x-x, ps[j].y-y) < 2.1*r {
					clear = false
					break
				}
			}
			if clear {
				ps[i].x, ps[i].y, ps[i].moved = x, y, dist > 0
				break
			}
			if dist == 0 {
				dist = 2.2 * r
			}
			angle += 0.9
			dist += 0.35 * r
			ps[i].x, ps[i].y, ps[i].moved = x, y, true // the last try, if none is clear
		}
	}
}

// scaleKm picks the length of the scale bar: a round number of km near a
// quarter of the box.
func scaleKm(side float64) float64 {
	want := side / unitsPerKm / 4
	best := 1.0
	for _, km := range []float64{1, 2, 5, 10, 20, 50, 100, 200} {
		if km <= want {
			best = km
		}
	}
	return best
}

// drawMap draws a map of metropolitan France with the markers of spec.
func drawMap(spec mapSpec) mapOut {
	l, overseas := layOut(spec)
	esc := html.EscapeString
	var s strings.Builder
	titleID, descID := spec.ID+"-titre", spec.ID+"-desc"
	fmt.Fprintf(&s, `<svg class="map" id="%s" role="img" aria-labelledby="%s %s" viewBox="%s" width="100%%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">`,
		esc(spec.ID), titleID, descID, l.b.viewBox())
	fmt.Fprintf(&s, `<title id="%s">%s</title><desc id="%s">%s</desc>`, titleID, esc(spec.Title), descID, esc(spec.Desc))
	fmt.Fprintf(&s, `<rect class="map-sea" x="%s" y="%s" width="%s" height="%s"></rect>`, num1(l.b.x), num1(l.b.y), num1(l.b.side), num1(l.b.side))
	fmt.Fprintf(&s, `<path class="map-land" vector-effect="non-scaling-stroke" d="%s"></path>`, geo.FranceOutlinePath())
	r := l.r
	// Towns for bearings, under everything else.
	for _, t := range landmarks(l.b, r, l.taken) {
		fmt.Fprintf(&s, `<g class="map-town"><circle cx="%s" cy="%s" r="%s"></circle><text x="%s" y="%s" font-size="%s" stroke-width="%s">%s</text></g>`,
			num2(t.x), num2(t.y), num2(r*0.18), num2(t.x+r*0.3), num2(t.y-r*0.3), num2(r*0.8), num2(r*0.25), esc(t.name))
	}
	if l.hasCentre {
		c := r * 0.8
		fmt.Fprintf(&s, `<g class="map-centre"><path vector-effect="non-scaling-stroke" d="M%s %sL%s %sM%s %sL%s %s"></path>`,
			num2(l.cx-c), num2(l.cy), num2(l.cx+c), num2(l.cy), num2(l.cx), num2(l.cy-c), num2(l.cx), num2(l.cy+c))
		s.WriteString(`</g>`)
	}
	writeMarkers(&s, l.ps, r)
	// The centre's name over the markers.
	if l.label != nil {
		fmt.Fprintf(&s, `<text x="%s" y="%s" font-size="%s" stroke-width="%s" text-anchor="%s" class="map-centre-name">%s</text>`,
			num2(l.label.x), num2(l.label.y), num2(l.label.fs), num2(r*0.3), l.label.anchor, esc(spec.CentreName))
	}
	// The scale bar, bottom left.
	fmt.Fprintf(&s, `<g class="map-scale"><path vector-effect="non-scaling-stroke" d="M%s %sv%sh%sv%s"></path><text x="%s" y="%s" font-size="%s" stroke-width="%s">%s km</text></g>`,
		num2(l.x0), num2(l.y0-r*0.4), num2(r*0.4), num2(l.length), num2(-r*0.4), num2(l.x0), num2(l.y0-r*0.7), num2(r*0.95), num2(r*0.3), num1(l.km))
	s.WriteString(`</svg>`)
	return mapOut{SVG: template.HTML(s.String()), Overseas: overseas}
}

// mapLayout is where the parts of a map go.
type mapLayout struct {
	b      box
	r      float64  // the markers' radius
	ps     []placed // the markers in metropolitan France
	cx, cy float64  // the centre's cross, when hasCentre
	// hasCentre: the spec's centre is in metropolitan France.
	hasCentre bool
	label     *placedLabel // the centre's name; nil when not shown
	// The scale bar: km long, length in map units, from (x0, y0).
	km, length, x0, y0 float64
	// taken are where the centre's name, the scale bar and the markers
	// are: the names of towns keep clear of them.
	taken []rect
}

// layOut places the markers, the centre and the scale bar of a map, and
// returns apart the markers outside metropolitan France.
func layOut(spec mapSpec) (mapLayout, []mapMarker) {
	var l mapLayout
	var overseas []mapMarker
	var pts [][2]float64
	for _, m := range spec.Markers {
		x, y, ok := geo.Point{Lat: m.Point.Lat, Lon: m.Point.Lon}.MapXY()
		if !ok {
			overseas = append(overseas, m)
			continue
		}
		l.ps = append(l.ps, placed{m: m, px: x, py: y})
		pts = append(pts, [2]float64{x, y})
	}
	if spec.Centre != nil {
		l.cx, l.cy, l.hasCentre = geo.Point{Lat: spec.Centre.Lat, Lon: spec.Centre.Lon}.MapXY()
		if l.hasCentre {
			pts = append(pts, [2]float64{l.cx, l.cy})
		}
	}
	l.b = box{0, 0, mapFullSize}
	if spec.Zoom && len(pts) > 0 {
		l.b = frame(pts, math.Max(spec.MinKm, 10)*unitsPerKm)
	}
	// Sizes follow the box, so that markers look the same at every zoom.
	r := l.b.side / 30
	if spec.Big {
		r = l.b.side / 20
	}
	l.r = r
	declutter(l.ps, r)
	for _, p := range l.ps {
		l.taken = append(l.taken, rect{p.x - r*1.2, p.y - r*1.2, p.x + r*1.2, p.y + r*1.2})
	}
	if l.hasCentre && spec.CentreName != "" && spec.Zoom {
		if l.label = centreLabel(spec.CentreName, l.cx, l.cy, r, l.ps); l.label != nil {
			l.taken = append(l.taken, l.label.box)
		}
		l.taken = append(l.taken, rect{l.cx - r, l.cy - r, l.cx + r, l.cy + r})
	}
	l.km = scaleKm(l.b.side)
	l.length = l.km * unitsPerKm
	l.x0, l.y0 = l.b.x+l.b.side*0.04, l.b.y+l.b.side*0.95
	l.taken = append(l.taken, rect{l.x0 - r*0.3, l.y0 - r*1.8, l.x0 + l.length + r*0.3, l.y0 + r*0.3})
	return l, overseas
}

// writeMarkers draws the markers: first the leaders of those moved aside
// to their points, then the numbered circles.
func writeMarkers(s *strings.Builder, ps []placed, r float64) {
	esc := html.EscapeString
	for _, p := range ps {
		if p.moved {
			fmt.Fprintf(s, `<path class="map-leader" vector-effect="non-scaling-stroke" d="M%s %sL%s %s"></path><circle class="map-spot" cx="%s" cy="%s" r="%s"></circle>`,
				num2(p.px), num2(p.py), num2(p.x), num2(p.y), num2(p.px), num2(p.py), num2(r/5))
		}
	}
	for _, p := range ps {
		class := "map-marker"
		if !p.m.Filled {
			class += " map-marker-outline"
		}
		fmt.Fprintf(s, `<g class="%s"><title>%s</title><circle cx="%s" cy="%s" r="%s" vector-effect="non-scaling-stroke"></circle>`,
			class, esc(p.m.Title), num2(p.x), num2(p.y), num2(r))
		fs := r * 1.15
		if len([]rune(p.m.Label)) > 2 {
			fs = r * 0.85
		}
		fmt.Fprintf(s, `<text x="%s" y="%s" font-size="%s" text-anchor="middle" dominant-baseline="central">%s</text></g>`,
			num2(p.x), num2(p.y+r*0.05), num2(fs), esc(p.m.Label))
	}
}

// rect is a part of the map something is drawn on.
type rect struct{ x0, y0, x1, y1 float64 }

func (a rect) overlaps(b rect) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }

// placedLabel is the centre's name where it is drawn.
type placedLabel struct {
	x, y, fs float64
	anchor   string
	box      rect
}

// centreLabel places the name of the centre beside its cross, on the
// first side that no marker covers; nil when markers surround it.
func centreLabel(name string, cx, cy, r float64, ps []placed) *placedLabel {
	fs := r * 0.9
	width := float64(len([]rune(name))) * fs * 0.6
	type spot struct {
		dx, dy float64
		anchor string
	}
	var spots []spot
	for _, k := range []float64{1, 1.6} { // near the cross first, then a little farther
		spots = append(spots, spot{r * 0.9 * k, r * 1.6 * k, "start"}, spot{r * 0.9 * k, -r * 0.9 * k, "start"},
			spot{-r * 0.9 * k, r * 1.6 * k, "end"}, spot{-r * 0.9 * k, -r * 0.9 * k, "end"}, spot{-width / 2, r * 2.6 * k, "start"})
	}
	for _, at := range spots {
		x0 := cx + at.dx
		if at.anchor == "end" {
			x0 -= width
		}
		l := &placedLabel{x: cx + at.dx, y: cy + at.dy, fs: fs, anchor: at.anchor, box: rect{x0, cy + at.dy - fs, x0 + width, cy + at.dy + fs*0.25}}
		if !slices.ContainsFunc(ps, func(p placed) bool { return l.box.overlaps(rect{p.x - r, p.y - r, p.x + r, p.y + r}) }) {
			return l
		}
	}
	return nil // amid markers, a name far from its cross would mislead
}

// town is a commune named on a map for bearings.
type town struct {
	name string
	x, y float64
}

// bigCities are named on the map of all France.
var bigCities = []string{"75056", "13055", "69123", "31555", "06088", "44109", "67482", "33063", "59350", "35238", "29019", "21231", "45234", "63113", "34172"}

// landmarks picks the communes to name on a map: on the map of all
// France, its big cities; zoomed in, the most populous communes in the
// box, as many as fit without their names running into each other.
func landmarks(b box, r float64, taken []rect) []town {
	var candidates []geo.Commune
	if b.side >= mapFullSize {
		for _, code := range bigCities {
			if c, ok := geo.LookupCommune(code); ok {
				candidates = append(candidates, c)
			}
		}
	} else {
		// The communes around the box's centre: France has about one per
		// 16 km², so this many cover the box.
		km := b.side / unitsPerKm
		n := int(min(max(km*km/16*1.5, 200), 4000))
		centre := boxCentre(b)
		candidates = geo.NearestCommunes(centre, n)
		slices.SortStableFunc(candidates, func(a, c geo.Commune) int { return cmp.Compare(c.Population, a.Population) })
	}
	const most = 8
	var out []town
	taken = slices.Clone(taken)
	fs := r * 0.8
	for _, c := range candidates {
		if len(out) == most {
			break
		}
		x, y, ok := c.Point().MapXY()
		if !ok || x < b.x || y < b.y || x > b.x+b.side || y > b.y+b.side {
			continue
		}
		// The name's box, roughly: half a font size per letter.
		box := rect{x - r*0.3, y - r*0.3 - fs, x + r*0.3 + float64(len([]rune(c.Name)))*fs*0.55, y + r*0.3}
		if box.x0 < b.x || box.y0 < b.y || box.x1 > b.x+b.side || box.y1 > b.y+b.side {
			continue // a name cut by the edge
		}
		if slices.ContainsFunc(taken, box.overlaps) {
			continue
		}
		taken = append(taken, box)
		out = append(out, town{c.Name, x, y})
	}
	return out
}

// boxCentre is the point at the centre of a box, found by bisection on
// the projection (geo gives the way there, not back).
func boxCentre(b box) geo.Point {
	cx, cy := b.x+b.side/2, b.y+b.side/2
	lo, hi := geo.Point{Lat: 41, Lon: -5.5}, geo.Point{Lat: 51.5, Lon: 10}
	p := geo.Point{}
	for i := 0; i < 40; i++ {
		p = geo.Point{Lat: (lo.Lat + hi.Lat) / 2, Lon: (lo.Lon + hi.Lon) / 2}
		x, y, _ := p.MapXY()
		if x < cx {
			lo.Lon = p.Lon
		} else {
			hi.Lon = p.Lon
		}
		if y > cy { // y grows southwards
			lo.Lat = p.Lat
		} else {
			hi.Lat = p.Lat
		}
	}
	return p
}

// num2 writes a size with two decimals at most: markers on a zoomed map
// are a few units across.
func num2(f float64) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
	if s == "-0" || s == "" {
		s = "0"
	}
	return s
}
