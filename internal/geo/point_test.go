package geo

import (
	"cmp"
	"math"
	"slices"
	"testing"
)

// territoryBoxes frame the land of metropolitan France (Corsica included)
// and of each overseas département, a little generously. They are written
// here apart from the generator's, as a check of the shipped data.
var territoryBoxes = map[string][4]float64{ // min and max latitude, min and max longitude
	"":    {41.3, 51.1, -5.2, 9.6},
	"971": {15.8, 16.55, -61.85, -60.95},
	"972": {14.35, 14.9, -61.25, -60.8},
	"973": {2.1, 5.8, -54.65, -51.6},
	"974": {-21.4, -20.85, 55.2, 55.85},
	"976": {-13.05, -12.6, 44.95, 45.35},
}

// TestCommunePoints checks that every commune has a point within its
// territory, that most of the population has a point of its own commune,
// and a few points known from elsewhere.
func TestCommunePoints(t *testing.T) {
	population := map[Precision]int{}
	total := 0
	for _, c := range data().communes {
		territory := ""
		if len(c.Departement) == 3 {
			territory = c.Departement
		}
		b := territoryBoxes[territory]
		if !(c.Lat >= b[0] && c.Lat <= b[1] && c.Lon >= b[2] && c.Lon <= b[3]) {
			t.Errorf("commune %s %s: point %v outside its territory %v", c.INSEE, c.Name, c.Point(), b)
		}
		if !c.Precision.valid() {
			t.Errorf("commune %s %s: precision %q", c.INSEE, c.Name, c.Precision)
		}
		population[c.Precision] += c.Population
		total += c.Population
	}
	if share := float64(population[PrecisionCommune]) / float64(total); share < 0.85 {
		t.Errorf("%.0f %% of the population has a point of its own commune, want at least 85 %%", 100*share)
	}

	// Town halls, roughly, known apart from GeoNames; a commune's place in
	// GeoNames is its centre, not always the town hall. The estimated
	// points get the margin their precision announces.
	tests := []struct {
		insee string
		at    Point
		km    float64
	}{
		{"35238", Point{48.11, -1.68}, 3},      // Rennes
		{"75056", Point{48.8566, 2.3522}, 2},   // Paris, Hôtel de Ville
		{"69123", Point{45.7676, 4.8357}, 3},   // Lyon, not Tassin-la-Demi-Lune under its code
		{"13055", Point{43.2965, 5.3698}, 3},   // Marseille, not one of its quarters
		{"2A004", Point{41.9192, 8.7386}, 3},   // Ajaccio
		{"97411", Point{-20.8789, 55.4481}, 3}, // Saint-Denis, La Réunion
		{"93066", Point{48.9362, 2.3574}, 3},   // Saint-Denis, Seine-Saint-Denis
		{"97611", Point{-12.7806, 45.2279}, 3}, // Mamoudzou
		{"49023", Point{47.2036, -0.9886}, 3},  // Beaupréau-en-Mauges, at Beaupréau
		{"29155", Point{48.4572, -5.0947}, 3},  // Ouessant
		{"97308", Point{3.8906, -51.8047}, 3},  // Saint-Georges, Guyane
		{"44124", Point{47.5886, -1.1631}, 15}, // Le Pin: no place; its postal code's
		{"69244", Point{45.7636, 4.7803}, 25},  // Tassin-la-Demi-Lune: filed under Lyon in GeoNames; its arrondissement's
		{"01001", Point{46.1534, 4.9260}, 15},  // L'Abergement-Clémenciat: its postal code's
		{"57463", Point{49.1193, 6.1757}, 3},   // Metz
		{"97209", Point{14.6161, -61.0588}, 3}, // Fort-de-France
		{"97105", Point{15.9985, -61.7255}, 3}, // Basse-Terre
		{"97302", Point{4.9372, -52.3260}, 3},  // Cayenne
		{"59350", Point{50.6292, 3.0573}, 3},   // Lille
		{"33063", Point{44.8378, -0.5792}, 3},  // Bordeaux
		{"67482", Point{48.5734, 7.7521}, 3},   // Strasbourg
		{"06088", Point{43.7102, 7.2620}, 3},   // Nice
		{"64445", Point{43.2951, -0.3708}, 3},  // Pau
		{"29019", Point{48.3904, -4.4861}, 3},  // Brest
		{"74010", Point{45.8992, 6.1294}, 3},   // Annecy
		{"66136", Point{42.6887, 2.8948}, 3},   // Perpignan
		{"62193", Point{50.9513, 1.8587}, 3},   // Calais
		{"31555", Point{43.6047, 1.4442}, 3},   // Toulouse
		{"44109", Point{47.2184, -1.5536}, 3},  // Nantes
		{"2B033", Point{42.6977, 9.4508}, 3},   // Bastia
	}
	for _, tt := range tests {
		c, ok := LookupCommune(tt.insee)
		if !ok {
			t.Errorf("commune %s not found", tt.insee)
			continue
		}
		if d := DistanceKm(c.Point(), tt.at); d > tt.km {
			t.Errorf("%s %s at %v (%s), %.1f km from %v, want within %g km", c.INSEE, c.Name, c.Point(), c.Precision, d, tt.at, tt.km)
		}
	}
}

func TestPrecisions(t *testing.T) {
	tests := map[string]Precision{
		"35238": PrecisionCommune,        // Rennes
		"44124": PrecisionPostalCode,     // Le Pin
		"69244": PrecisionArrondissement, // Tassin-la-Demi-Lune
	}
	for insee, want := range tests {
		if c, _ := LookupCommune(insee); c.Precision != want {
			t.Errorf("%s %s: precision %q, want %q", c.INSEE, c.Name, c.Precision, want)
		}
	}
}

func TestDistanceKm(t *testing.T) {
	paris, marseille := Point{48.8566, 2.3522}, Point{43.2965, 5.3698}
	tests := []struct {
		a, b Point
		km   float64
	}{
		{paris, paris, 0},
		{Point{0, 0}, Point{90, 0}, earthRadiusKm * math.Pi / 2},
		{Point{0, 0}, Point{0, 180}, earthRadiusKm * math.Pi},
		{Point{0, -179.5}, Point{0, 179.5}, earthRadiusKm * math.Pi / 180}, // across the 180th meridian
		{Point{-45, 0}, Point{45, 180}, earthRadiusKm * math.Pi},           // antipodes
		{paris, marseille, 660.479},                                        // computed apart
		{Point{48.11, -1.68}, Point{48.11198, -1.67429}, 0.4777},
	}
	for _, tt := range tests {
		for _, d := range []float64{DistanceKm(tt.a, tt.b), DistanceKm(tt.b, tt.a)} {
			if math.Abs(d-tt.km) > 1e-3 {
				t.Errorf("DistanceKm(%v, %v) = %.4f, want %.4f", tt.a, tt.b, d, tt.km)
			}
		}
	}
}

// destination returns the point km from p in the direction bearing
// (degrees clockwise from north), on the same sphere as DistanceKm.
func destination(p Point, km, bearing float64) Point {
	d, θ := km/earthRadiusKm, bearing*radians
	lat1, lon1 := p.Lat*radians, p.Lon*radians
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(θ))
	lon2 := lon1 + math.Atan2(math.Sin(θ)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
	lon := math.Mod(lon2/radians+540, 360) - 180
	return Point{lat2 / radians, lon}
}

// TestBoxAround checks that the box holds the whole circle, and that it is
// no larger than it: the circle reaches each side.
func TestBoxAround(t *testing.T) {
	tests := []struct {
		p        Point
		km       float64
		fullLon  bool // near a pole or across the 180th meridian
		tightLon bool // the circle reaches the east and west sides
	}{
		{Point{48.11, -1.68}, 10, false, true},
		{Point{48.11, -1.68}, 300, false, true},
		{Point{-20.88, 55.45}, 25, false, true},
		{Point{0, 0}, 1000, false, true},
		{Point{89.95, 10}, 10, true, false},
		{Point{-89.99, 10}, 5, true, false},
		{Point{60, 179.99}, 5, true, false},
		{Point{60, -179.99}, 5, true, false},
	}
	for _, tt := range tests {
		minLat, maxLat, minLon, maxLon := BoxAround(tt.p, tt.km)
		if full := minLon == -180 && maxLon == 180; full != tt.fullLon {
			t.Errorf("BoxAround(%v, %g) longitudes %g…%g, want whole: %v", tt.p, tt.km, minLon, maxLon, tt.fullLon)
		}
		reached := [4]float64{90, -90, 180, -180} // the circle's own extent
		for bearing := 0.0; bearing < 360; bearing += 0.25 {
			q := destination(tt.p, tt.km, bearing)
			if q.Lat < minLat-1e-9 || q.Lat > maxLat+1e-9 || q.Lon < minLon-1e-9 || q.Lon > maxLon+1e-9 {
				t.Errorf("BoxAround(%v, %g) = %g…%g, %g…%g, without %v at bearing %g",
					tt.p, tt.km, minLat, maxLat, minLon, maxLon, q, bearing)
				break
			}
			reached = [4]float64{min(reached[0], q.Lat), max(reached[1], q.Lat), min(reached[2], q.Lon), max(reached[3], q.Lon)}
		}
		if !tt.fullLon && (math.Abs(reached[0]-minLat) > 1e-6 || math.Abs(reached[1]-maxLat) > 1e-6) {
			t.Errorf("BoxAround(%v, %g) latitudes %g…%g, the circle's %g…%g", tt.p, tt.km, minLat, maxLat, reached[0], reached[1])
		}
		if tt.tightLon && (math.Abs(reached[2]-minLon) > 1e-4 || math.Abs(reached[3]-maxLon) > 1e-4) {
			t.Errorf("BoxAround(%v, %g) longitudes %g…%g, the circle's %g…%g", tt.p, tt.km, minLon, maxLon, reached[2], reached[3])
		}
	}
	if a, b, c, d := BoxAround(Point{48, -1}, -5); a != 48 || b != 48 || c != -1 || d != -1 {
		t.Errorf("BoxAround with a negative distance = %g…%g, %g…%g, want the point", a, b, c, d)
	}
}

// TestNearestCommunes compares NearestCommunes with sorting every commune
// by distance.
func TestNearestCommunes(t *testing.T) {
	rennes, _ := LookupCommune("35238")
	// L'Abergement-Clémenciat's point is shared by the other communes of
	// 01400 without a place of their own: they tie.
	estimated, _ := LookupCommune("01001")
	if got := NearestCommunes(estimated.Point(), 2); len(got) != 2 || got[1].Point() != estimated.Point() {
		t.Errorf("NearestCommunes(%v, 2) = %v, want two communes at the point", estimated.Point(), got)
	}
	points := []Point{rennes.Point(), estimated.Point(), {48.2, -1.5}, {43.3, 5.4}, {-21, 55.5}, {0, 0}, {46.2, 1.2}}
	communes := data().communes // by rank
	km := make([]float64, len(communes))
	byDistance := make([]int, len(communes))
	for _, p := range points {
		for i, c := range communes {
			km[i] = DistanceKm(p, c.Point())
			byDistance[i] = i
		}
		slices.SortFunc(byDistance, func(i, j int) int { return cmp.Or(cmp.Compare(km[i], km[j]), cmp.Compare(i, j)) })
		for _, n := range []int{1, 7, 40} {
			got := NearestCommunes(p, n)
			if len(got) != n {
				t.Errorf("NearestCommunes(%v, %d): %d communes", p, n, len(got))
				continue
			}
			for i := range got {
				if want := communes[byDistance[i]]; got[i].INSEE != want.INSEE {
					t.Errorf("NearestCommunes(%v, %d)[%d] = %s %s, want %s %s", p, n, i, got[i].INSEE, got[i].Name, want.INSEE, want.Name)
					break
				}
			}
		}
	}
	if got := NearestCommunes(rennes.Point(), 1); len(got) != 1 || got[0].INSEE != "35238" {
		t.Errorf("NearestCommunes(Rennes, 1) = %v", got)
	}
	for _, n := range []int{0, -1} {
		if got := NearestCommunes(rennes.Point(), n); got != nil {
			t.Errorf("NearestCommunes(Rennes, %d) = %d communes, want none", n, len(got))
		}
	}
	if got := NearestCommunes(rennes.Point(), 1e6); len(got) != len(data().communes) {
		t.Errorf("NearestCommunes(Rennes, 1e6) = %d communes, want all %d", len(got), len(data().communes))
	}
	// A caller may change what it gets without changing the table.
	got := NearestCommunes(rennes.Point(), 1)
	got[0].PostalCodes[0] = "00000"
	if c, _ := LookupCommune("35238"); c.PostalCodes[0] != "35000" {
		t.Errorf("the table changed: %v", c.PostalCodes)
	}
}

func BenchmarkNearestCommunes(b *testing.B) {
	p := Point{48.11, -1.68}
	data()
	for b.Loop() {
		NearestCommunes(p, 10)
	}
}
