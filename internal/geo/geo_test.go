package geo

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

func TestCounts(t *testing.T) {
	d := data()
	if n := len(d.communes); n < 34000 || n > 36000 {
		t.Errorf("%d communes, want between 34 000 and 36 000", n)
	}
	if n := len(d.departements); n != 101 {
		t.Errorf("%d départements, want 101", n)
	}
	if n := len(d.regions); n != 18 {
		t.Errorf("%d régions, want 18", n)
	}
}

// TestConsistency checks every commune against its département and région,
// and the départements against the domain's own table (territory.go), so
// that the two cannot drift apart.
func TestConsistency(t *testing.T) {
	d := data()
	postal := regexp.MustCompile(`^\d{5}$`)
	seen := map[string]bool{}
	for _, c := range d.communes {
		if seen[c.INSEE] {
			t.Errorf("commune %s repeated", c.INSEE)
		}
		seen[c.INSEE] = true
		if err := passnum.ValidateCommune(c.INSEE); err != nil {
			t.Errorf("commune %s: %v", c.INSEE, err)
		}
		dep, ok := LookupDepartement(c.Departement)
		switch {
		case !ok:
			t.Errorf("commune %s %s: unknown département %q", c.INSEE, c.Name, c.Departement)
		case dep.Code != passnum.DepartementOfCommune(c.INSEE):
			t.Errorf("commune %s %s: département %s does not match the code", c.INSEE, c.Name, dep.Code)
		case dep.Region != c.Region:
			t.Errorf("commune %s %s: région %s, but département %s is in région %s", c.INSEE, c.Name, c.Region, dep.Code, dep.Region)
		}
		if c.Name == "" || len(c.PostalCodes) == 0 || c.Population < 0 {
			t.Errorf("commune %+v: no name, postal code or population", c)
		}
		for _, p := range c.PostalCodes {
			if !postal.MatchString(p) {
				t.Errorf("commune %s %s: postal code %q", c.INSEE, c.Name, p)
			}
		}
		if !slices.IsSorted(c.PostalCodes) {
			t.Errorf("commune %s %s: postal codes %v not sorted", c.INSEE, c.Name, c.PostalCodes)
		}
	}
	for _, dep := range d.departements {
		if _, ok := LookupRegion(dep.Region); !ok {
			t.Errorf("département %s: unknown région %q", dep.Code, dep.Region)
		}
		if got := passnum.RegionOfDepartement(dep.Code); got != dep.Region {
			t.Errorf("département %s: région %s, the domain says %q", dep.Code, dep.Region, got)
		}
	}
	for _, r := range d.regions {
		if r.Name == "" {
			t.Errorf("région %s has no name", r.Code)
		}
	}
}

func TestCommune(t *testing.T) {
	tests := []struct {
		insee, name, dep, region string
		postal                   []string // the first ones
		npostal                  int
	}{
		{"35238", "Rennes", "35", "53", []string{"35000", "35200", "35700"}, 3},
		{"2A004", "Ajaccio", "2A", "94", []string{"20000"}, 3},
		{"2a004", "Ajaccio", "2A", "94", []string{"20000"}, 3},
		{"97411", "Saint-Denis", "974", "04", []string{"97400", "97417", "97490"}, 3},
		{"93066", "Saint-Denis", "93", "11", []string{"93200"}, 3},
		{"75056", "Paris", "75", "11", []string{"75001", "75002", "75003"}, 21},
		{"13055", "Marseille", "13", "93", []string{"13001"}, 16},
		{"97611", "Mamoudzou", "976", "06", []string{"97600"}, 2},
		{" 94038 ", "L'Haÿ-les-Roses", "94", "11", []string{"94240"}, 1},
	}
	for _, tt := range tests {
		c, ok := LookupCommune(tt.insee)
		if !ok {
			t.Errorf("LookupCommune(%q) not found", tt.insee)
			continue
		}
		if c.Name != tt.name || c.Departement != tt.dep || c.Region != tt.region ||
			len(c.PostalCodes) != tt.npostal || !slices.Equal(c.PostalCodes[:len(tt.postal)], tt.postal) || c.Population <= 0 {
			t.Errorf("LookupCommune(%q) = %+v, want %s in %s, région %s, postal codes %v… (%d)",
				tt.insee, c, tt.name, tt.dep, tt.region, tt.postal, tt.npostal)
		}
	}
	for _, insee := range []string{"", "99999", "35000", "97502", "2C004", "rennes"} {
		if c, ok := LookupCommune(insee); ok {
			t.Errorf("LookupCommune(%q) = %+v, want none", insee, c)
		}
	}
	// A caller may change what it gets without changing the table.
	c, _ := LookupCommune("35238")
	c.PostalCodes[0] = "00000"
	if c, _ := LookupCommune("35238"); c.PostalCodes[0] != "35000" {
		t.Errorf("the table changed: %v", c.PostalCodes)
	}
}

func TestDepartementRegion(t *testing.T) {
	deps := []struct{ code, name, region string }{
		{"35", "Ille-et-Vilaine", "53"},
		{"2A", "Corse-du-Sud", "94"},
		{"2b", "Haute-Corse", "94"},
		{"974", "La Réunion", "04"},
		{"976", "Mayotte", "06"},
		{"01", "Ain", "84"},
	}
	for _, tt := range deps {
		d, ok := LookupDepartement(tt.code)
		if !ok || d.Name != tt.name || d.Region != tt.region {
			t.Errorf("LookupDepartement(%q) = %+v, %v; want %s in %s", tt.code, d, ok, tt.name, tt.region)
		}
	}
	regions := []struct{ code, name string }{
		{"53", "Bretagne"}, {"11", "Île-de-France"}, {"94", "Corse"}, {"04", "La Réunion"},
	}
	for _, tt := range regions {
		r, ok := LookupRegion(tt.code)
		if !ok || r.Name != tt.name {
			t.Errorf("LookupRegion(%q) = %+v, %v; want %s", tt.code, r, ok, tt.name)
		}
	}
	for _, code := range []string{"", "20", "975", "987", "99"} {
		if d, ok := LookupDepartement(code); ok {
			t.Errorf("LookupDepartement(%q) = %+v, want none", code, d)
		}
	}
	for _, code := range []string{"", "975", "35"} {
		if r, ok := LookupRegion(code); ok {
			t.Errorf("LookupRegion(%q) = %+v, want none", code, r)
		}
	}
}

func TestLabel(t *testing.T) {
	tests := map[string]string{
		"35238": "Rennes (35000, Ille-et-Vilaine)",
		"97411": "Saint-Denis (97400, La Réunion)",
		"93066": "Saint-Denis (93200, Seine-Saint-Denis)",
		"75056": "Paris (75001, Paris)",
		"2A004": "Ajaccio (20000, Corse-du-Sud)",
	}
	for insee, want := range tests {
		c, _ := LookupCommune(insee)
		if got := Label(c); got != want {
			t.Errorf("Label(%s) = %q, want %q", insee, got, want)
		}
	}
	if got := Label(Commune{Name: "Nulle-Part"}); got != "Nulle-Part" {
		t.Errorf("Label of a bare commune = %q", got)
	}
}

func TestNormalize(t *testing.T) {
	tests := map[string]string{
		"Saint-Malo":                "saint malo",
		"st malo":                   "saint malo",
		"ST-MALO":                   "saint malo",
		"Ste Colombe":               "sainte colombe",
		"Stes-Maries-de-la-Mer":     "saintes maries de la mer",
		"L'Haÿ-les-Roses":           "l hay les roses",
		"L’Haÿ  les roses ":         "l hay les roses",
		"Cœur-de-la-Vallée":         "coeur de la vallee",
		"Saint-E\u0301tienne":       "saint etienne", // decomposed é
		"Bors (Canton de Charente)": "bors canton de charente",
		"Stenay":                    "stenay",
		"  --  ":                    "",
		"35 000":                    "35 000",
	}
	for in, want := range tests {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSearch(t *testing.T) {
	tests := []struct {
		query string
		limit int
		first string   // INSEE code of the first result; "" for no result
		also  []string // INSEE codes among the results
		n     int      // number of results, if not 0
	}{
		// Names, however written.
		{query: "rennes", limit: 10, first: "35238"},
		{query: "RENNES", limit: 10, first: "35238"},
		{query: "  Rennes ", limit: 10, first: "35238"},
		{query: "renn", limit: 10, first: "35238"},
		{query: "st malo", limit: 10, first: "35288"},
		{query: "Saint-Malo", limit: 10, first: "35288"},
		{query: "saint malo", limit: 10, first: "35288"},
		{query: "saint-malo", limit: 10, first: "35288"},
		{query: "St-Malo", limit: 10, first: "35288"},
		{query: "saintmalo", limit: 10, first: "35288"},
		{query: "malo", limit: 10, also: []string{"35288"}},
		{query: "saint etienne", limit: 10, first: "42218"},
		{query: "Saint-Étienne", limit: 10, first: "42218"},
		{query: "SAINT ÉTIENNE", limit: 10, first: "42218"},
		{query: "l'hay les roses", limit: 10, first: "94038"},
		{query: "lhay les roses", limit: 10, first: "94038"},
		{query: "L'Haÿ-les-Roses", limit: 10, first: "94038"},
		{query: "ajaccio", limit: 10, first: "2A004"},
		{query: "stes maries", limit: 10, first: "13096"},
		{query: "Sainte-Colombe", limit: 12, first: "69189", n: 12},
		{query: "ste colombe", limit: 12, first: "69189", n: 12},
		{query: "st colombe", limit: 20, also: []string{"69189"}},
		{query: "saint denis", limit: 10, first: "97411", also: []string{"93066"}},
		{query: "paris", limit: 10, first: "75056"},
		// A name narrowed by a code.
		{query: "saint denis 93", limit: 10, first: "93066"},
		{query: "saint-denis 974", limit: 10, first: "97411", n: 1},
		{query: "97400 saint denis", limit: 10, first: "97411", n: 1},
		{query: "rennes 75", limit: 10},
		// Postal codes, their starts, département codes.
		{query: "35000", limit: 10, first: "35238", n: 1},
		{query: "35 000", limit: 10, first: "35238", n: 1},
		{query: "35700", limit: 10, first: "35238"},
		{query: "75015", limit: 10, first: "75056", n: 1},
		{query: "75116", limit: 10, first: "75056", n: 1},
		{query: "97400", limit: 10, first: "97411"},
		{query: "13001", limit: 10, first: "13055", also: []string{"13001"}, n: 2}, // postal code of Marseille, INSEE code of Aix
		{query: "350", limit: 5, first: "35238", n: 1},
		{query: "351", limit: 5, n: 5},
		{query: "35", limit: 10, first: "35238", n: 10},
		{query: "974", limit: 100, first: "97411", n: 24},
		{query: "2a", limit: 10, first: "2A004"},
		{query: "2B", limit: 500, n: 236},
		// INSEE codes.
		{query: "2A004", limit: 10, first: "2A004", n: 1},
		{query: "2a004", limit: 10, first: "2A004", n: 1},
		{query: "35238", limit: 10, first: "35238", n: 1},
		{query: "75056", limit: 10, first: "75056", n: 1},
		// Nothing.
		{query: "xqzwvk", limit: 10},
		{query: "", limit: 10},
		{query: "  - ' ", limit: 10},
		{query: "1", limit: 10},
		{query: "123456", limit: 10},
		{query: "00000", limit: 10},
		{query: "2C004", limit: 10},
		// Limits.
		{query: "saint", limit: 7, n: 7},
		{query: "e", limit: 1, n: 1},
	}
	for _, tt := range tests {
		got := Search(tt.query, tt.limit)
		codes := make([]string, len(got))
		for i, c := range got {
			codes[i] = c.INSEE
		}
		switch {
		case tt.first == "" && tt.n == 0 && tt.also == nil && len(got) > 0:
			t.Errorf("Search(%q) = %v, want nothing", tt.query, codes)
		case tt.first != "" && (len(got) == 0 || got[0].INSEE != tt.first):
			t.Errorf("Search(%q) = %v, want %s first", tt.query, codes, tt.first)
		case tt.n != 0 && len(got) != tt.n:
			t.Errorf("Search(%q) = %d results %v, want %d", tt.query, len(got), codes, tt.n)
		case len(got) > tt.limit:
			t.Errorf("Search(%q, %d) = %d results", tt.query, tt.limit, len(got))
		}
		for _, want := range tt.also {
			if !slices.Contains(codes, want) {
				t.Errorf("Search(%q) = %v, want %s among them", tt.query, codes, want)
			}
		}
	}
}

// inArea tells whether c has a postal code starting with code or lies in
// the département code: the plain form of table.area.
func inArea(c *Commune, code string) bool {
	return c.Departement == code || slices.ContainsFunc(c.PostalCodes, func(p string) bool { return strings.HasPrefix(p, code) })
}

// TestSearchOrder compares Search with a plain reference: compute the group
// of every commune, sort. It checks the scans and their early stops.
func TestSearchOrder(t *testing.T) {
	d := data()
	queries := []string{
		"rennes", "saint", "st", "ste", "sain", "malo", "saint denis", "saint colombe", "e", "ville",
		"court", "sur mer", "le", "la roche", "roche", "bois", "lhay", "y", "sur", "marie",
		"saint denis 93", "bois 35", "saint 2a", "xqzwvk", "val d", "champ", "oe", "ae",
		"e 44", "s 75", "me 13", "a 35 351", "ville 2b", "rennes 75", "saint 974 97",
	}
	for _, query := range queries {
		var words, codes []string
		for _, w := range strings.Fields(Normalize(query)) {
			if isCode(w) {
				codes = append(codes, strings.ToUpper(w))
			} else {
				words = append(words, w)
			}
		}
		q := strings.Join(words, "")
		type hit struct {
			group int
			c     Commune
		}
		var want []hit
		for _, c := range d.communes {
			if slices.ContainsFunc(codes, func(code string) bool { return !inArea(&c, code) }) {
				continue
			}
			spaced := Normalize(c.Name)
			compact := strings.ReplaceAll(spaced, " ", "")
			switch {
			case compact == q:
				want = append(want, hit{0, c})
			case strings.HasPrefix(compact, q):
				want = append(want, hit{1, c})
			case wordPrefixes(spaced, words):
				want = append(want, hit{2, c})
			case strings.Contains(compact, q):
				want = append(want, hit{3, c})
			}
		}
		slices.SortFunc(want, func(a, b hit) int {
			return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(b.c.Population, a.c.Population), strings.Compare(a.c.INSEE, b.c.INSEE))
		})
		for _, limit := range []int{0, 1, 10, 100} {
			got := Search(query, limit)
			n := len(want)
			if limit > 0 {
				n = min(n, limit)
			}
			if len(got) != n {
				t.Errorf("Search(%q, %d): %d results, want %d", query, limit, len(got), n)
				continue
			}
			for i := range got {
				if got[i].INSEE != want[i].c.INSEE {
					t.Errorf("Search(%q, %d)[%d] = %s %s, want %s %s (group %d)",
						query, limit, i, got[i].INSEE, got[i].Name, want[i].c.INSEE, want[i].c.Name, want[i].group)
					break
				}
			}
		}
	}
}

// TestSearchCodeOrder compares searches by code with a plain reference.
func TestSearchCodeOrder(t *testing.T) {
	d := data()
	for _, query := range []string{"351", "35", "97", "976", "2B", "35000", "13001", "75015", "20000", "1", "0"} {
		var want []string
		code := strings.ToUpper(query)
		if len(code) == 5 {
			for _, c := range d.communes {
				if slices.Contains(c.PostalCodes, code) {
					want = append(want, c.INSEE)
				}
			}
			if c, ok := LookupCommune(code); ok && !slices.Contains(want, c.INSEE) {
				want = append(want, c.INSEE)
			}
		} else if len(code) > 1 {
			for _, c := range d.communes {
				if inArea(&c, code) {
					want = append(want, c.INSEE)
				}
			}
		}
		for _, limit := range []int{0, 1, 10} {
			var got []string
			for _, c := range Search(query, limit) {
				got = append(got, c.INSEE)
			}
			w := want
			if limit > 0 && len(w) > limit {
				w = w[:limit]
			}
			if !slices.Equal(got, w) {
				t.Errorf("Search(%q, %d) = %v, want %v", query, limit, got, w)
			}
		}
	}
}

// BenchmarkSearch measures queries typed in the commune field with the
// limit a list of suggestions uses: "typing" is every prefix of a few names
// and codes, as typed letter by letter (ns/op is per query); the others are
// single queries, among them the slow kinds: a common word ("saint"), a
// name found nowhere ("xqzwvk"), a département ("35").
func BenchmarkSearch(b *testing.B) {
	data() // load outside the measurement
	var typing []string
	for _, s := range []string{"Saint-Malo", "rennes", "L'Haÿ-les-Roses", "Aix-en-Provence", "35700", "Sainte-Colombe 69"} {
		for i := 1; i <= len(s); i++ {
			typing = append(typing, s[:i])
		}
	}
	b.Run("typing", func(b *testing.B) {
		i := 0
		for b.Loop() {
			Search(typing[i%len(typing)], 10)
			i++
		}
	})
	for _, query := range []string{"rennes", "saint", "st malo", "malo", "court", "saint denis 974", "xqzwvk", "35000", "35", "2A004"} {
		b.Run(query, func(b *testing.B) {
			for b.Loop() {
				Search(query, 10)
			}
		})
	}
}

// BenchmarkLoad measures the first use: reading the embedded files and
// building the indexes.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := load(); err != nil {
			b.Fatal(err)
		}
	}
}
