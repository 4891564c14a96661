package geo

import (
	_ "embed"
	"math"
	"strings"
)

// MapViewBox is the SVG viewBox of the map of metropolitan France drawn
// with FranceOutlinePath and Point.MapXY:
//
//	<svg viewBox="0 0 1000 1000"><path d="…FranceOutlinePath()…"/>
//	<circle cx="…x…" cy="…y…" r="4"/></svg>
//
// The overseas départements are not on it: a page lists their results
// beside it, by name, for example in a box labelled "Outre-mer".
const MapViewBox = "0 0 1000 1000"

// The map shows longitudes mapWest…mapEast across its whole width and
// latitudes mapSouth…mapNorth centred in its height, in an equirectangular
// projection whose scale is true at mapMidLat, the latitude of Vichy: east–west
// distances look 9 % too long at Dunkirk, 7 % too short in southern Corsica. The
// generator draws the outline with the same numbers (internal/gen,
// project); TestOutline checks that the two agree.
const (
	mapWest, mapEast   = -5.5, 10.0
	mapSouth, mapNorth = 41.0, 51.5
	mapMidLat          = 46.5
	mapSize            = 1000.0
)

// MapXY returns the point's coordinates in MapViewBox, and whether it lies
// within the map's frame, longitudes -5.5…10 and latitudes 41…51.5: all
// of metropolitan France and Corsica, with some of the neighbouring
// countries and seas; not the overseas départements.
func (p Point) MapXY() (x, y float64, ok bool) {
	if !(p.Lon >= mapWest && p.Lon <= mapEast && p.Lat >= mapSouth && p.Lat <= mapNorth) {
		return 0, 0, false // NaN too
	}
	cos := math.Cos(mapMidLat * radians)
	scale := mapSize / ((mapEast - mapWest) * cos) // units per degree of latitude
	pad := (mapSize - (mapNorth-mapSouth)*scale) / 2
	return (p.Lon - mapWest) * cos * scale, pad + (mapNorth-p.Lat)*scale, true
}

//go:embed france-outline.txt
var franceOutline string

// FranceOutlinePath returns the outline of metropolitan France, Corsica
// and the larger islands (Ré, Oléron, Belle-Île, Noirmoutier…) as SVG path
// data for MapViewBox: one closed subpath per polygon, about 950 points to
// a tenth of a unit, 8 KB. It is Natural Earth's 1:10 million boundary,
// simplified to within a unit (about a kilometre): a commune on the coast
// or a border may be drawn a little outside it.
func FranceOutlinePath() string {
	_, path, _ := strings.Cut(franceOutline, "\n") // after the "#" line naming the source
	return strings.TrimSpace(path)
}
