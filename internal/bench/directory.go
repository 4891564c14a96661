package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

// The directory of venues: imports of the national standard and public
// searches, over a realistic network of venues spread over France.

// AimDirectoryP95 is the aim for searches of the public directory
// over 20 000 venues.
const AimDirectoryP95 = 20 * time.Millisecond

// departementCodes lists the départements of package geo.
func departementCodes() []string {
	var codes []string
	for i := 1; i <= 95; i++ {
		if i == 20 {
			codes = append(codes, "2A", "2B")
			continue
		}
		codes = append(codes, fmt.Sprintf("%02d", i))
	}
	return append(codes, "971", "972", "973", "974", "976")
}

// communePicker draws communes at random, in proportion to their
// population to the power 0.7: venues follow people, but small towns have
// more than their share (a library, a France Services, a town hall).
type communePicker struct {
	communes []geo.Commune
	cumul    []float64
}

func newCommunePicker() *communePicker {
	p := &communePicker{}
	total := 0.0
	for _, dep := range departementCodes() {
		for _, c := range geo.Search(dep, 0) {
			if c.Departement != dep || c.Population == 0 {
				continue
			}
			total += math.Pow(float64(c.Population), 0.7)
			p.communes = append(p.communes, c)
			p.cumul = append(p.cumul, total)
		}
	}
	return p
}

func (p *communePicker) pick(r *mrand.Rand) geo.Commune {
	i, _ := slices.BinarySearch(p.cumul, r.Float64()*p.cumul[len(p.cumul)-1])
	return p.communes[min(i, len(p.communes)-1)]
}

// Opening hours as venues write them.
var benchHours = []string{
	"", "", "Mo-Fr 09:00-12:00,14:00-17:30", "Tu-Sa 10:00-18:00", "Mo,We,Fr 14:00-18:00",
	"Mo-Fr 08:30-12:30,13:30-17:00; Sa 09:00-12:00", "Th 14:00-17:00", "Tu-Fr 13:00-19:00; Sa 10:00-17:00; PH off",
	"Mo-Fr 09:00-18:00", "We 10:00-12:00,14:00-18:00; Sa 10:00-12:00",
}

var benchKinds = []string{
	"Médiathèque", "Espace public numérique", "France Services", "CCAS", "Tiers-lieu", "Centre social",
	"Maison de quartier", "Association numérique", "Point d'accès numérique", "Bibliothèque",
}

// GenerateVenues returns n valid venues of the national standard spread
// over France, as rows of a file, the same for the same seed: ids
// bench-00001…, names from the commune, points within about 3 km of the
// commune's (one in ten without coordinates), one to three services,
// sometimes publics and supports, and opening hours most of the time.
func GenerateVenues(n int, seed uint64) []passnum.ImportRow {
	r := mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	picker := newCommunePicker()
	pickSome := func(values []string, most int) []string {
		k := r.IntN(most + 1)
		var out []string
		for range k {
			if v := values[r.IntN(len(values))]; !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	rows := make([]passnum.ImportRow, n)
	for i := range rows {
		c := picker.pick(r)
		v := passnum.Venue{
			ID:           fmt.Sprintf("bench-%05d", i+1),
			Pivot:        benchSIRET(r),
			Name:         fmt.Sprintf("%s de %s", benchKinds[r.IntN(len(benchKinds))], c.Name),
			Commune:      c.Name,
			PostalCode:   c.PostalCodes[r.IntN(len(c.PostalCodes))],
			INSEE:        c.INSEE,
			Address:      fmt.Sprintf("%d rue de la République", 1+r.IntN(120)),
			UpdatedOn:    "2026-09-15",
			Services:     pickSome(passnum.ServiceCategories, 3),
			Publics:      pickSome(passnum.Publics, 1),
			Supports:     pickSome(passnum.Supports, 1),
			Fees:         []string{passnum.Fees[r.IntN(2)]},
			OpeningHours: benchHours[r.IntN(len(benchHours))],
		}
		if len(v.Services) == 0 {
			v.Services = []string{passnum.ServiceCategories[r.IntN(len(passnum.ServiceCategories))]}
		}
		if r.IntN(10) > 0 {
			lat := c.Lat + (r.Float64()-0.5)*0.05
			lon := c.Lon + (r.Float64()-0.5)*0.07
			lat, lon = math.Round(lat*1e5)/1e5, math.Round(lon*1e5)/1e5
			v.Lat, v.Lon = &lat, &lon
		}
		rows[i] = passnum.ImportRow{Line: i + 2, Venue: v}
	}
	return rows
}

// benchSIRET returns a random SIRET that passes the Luhn check.
func benchSIRET(r *mrand.Rand) string {
	for {
		s := fmt.Sprintf("%013d", r.Int64N(1e13))
		for d := '0'; d <= '9'; d++ {
			if passnum.ValidateSIRET(s+string(d)) == nil {
				return s + string(d)
			}
		}
	}
}

// DirectoryResult is what MeasureDirectory found.
type DirectoryResult struct {
	Venues   int     `json:"venues"`
	Searches int     `json:"searches"`
	P50Ms    float64 `json:"p50_ms"`
	P95Ms    float64 `json:"p95_ms"`
	P99Ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
	// RebuildMs is the first search after the import: it builds the
	// in-memory directory.
	RebuildMs float64 `json:"rebuild_ms"`
	// Results is the mean number of venues found (Total), to tell that
	// the searches were not empty.
	Results float64 `json:"mean_results"`
}

// DirectorySearches returns n searches of the public directory, the same
// for the same seed, in equal shares: a commune and the default radius; a
// postal code; a category, with "accepts passes" half the time; "open now"
// around a commune; words of a name; a commune, a category and a public
// together.
func DirectorySearches(n int, seed uint64) []passnum.DirectoryFilter {
	r := mrand.New(mrand.NewPCG(seed, seed+1))
	picker := newCommunePicker()
	words := []string{"médiathèque", "france services", "tiers lieu", "centre social", "espace public", "bibliotheque"}
	week := time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC) // a Monday
	out := make([]passnum.DirectoryFilter, n)
	for i := range out {
		c := picker.pick(r)
		var f passnum.DirectoryFilter
		switch i % 6 {
		case 0:
			f.Commune = c.INSEE
		case 1:
			f.PostalCode = c.PostalCodes[0]
		case 2:
			f.Category, f.Passes = passnum.ServiceCategories[r.IntN(len(passnum.ServiceCategories))], r.IntN(2) == 0
		case 3:
			f.Commune, f.RadiusKm, f.OpenNow = c.INSEE, 30, true
			f.Now = week.Add(time.Duration(r.IntN(7*24*60)) * time.Minute)
		case 4:
			f.Query = words[r.IntN(len(words))]
		case 5:
			f.Commune, f.Category, f.Public = c.INSEE, passnum.ServiceCategories[r.IntN(3)], passnum.Publics[r.IntN(len(passnum.Publics))]
		}
		f.Limit = 20
		out[i] = f
	}
	return out
}

// MeasureDirectory runs searches one after the other and times each.
func MeasureDirectory(ctx context.Context, s passnum.DirectoryService, searches []passnum.DirectoryFilter) (*DirectoryResult, error) {
	res := &DirectoryResult{Searches: len(searches)}
	start := time.Now()
	page, err := s.SearchDirectory(ctx, passnum.DirectoryFilter{})
	if err != nil {
		return nil, err
	}
	res.RebuildMs = ms(time.Since(start))
	res.Venues = page.Total
	times := make([]time.Duration, len(searches))
	total := 0
	for i, f := range searches {
		start := time.Now()
		page, err := s.SearchDirectory(ctx, f)
		times[i] = time.Since(start)
		if err != nil {
			return nil, fmt.Errorf("search %+v: %w", f, err)
		}
		total += page.Total
	}
	slices.Sort(times)
	res.P50Ms, res.P95Ms, res.P99Ms = ms(percentile(times, 50)), ms(percentile(times, 95)), ms(percentile(times, 99))
	res.MaxMs = ms(times[len(times)-1])
	res.Results = float64(total) / float64(len(searches))
	return res, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// ImportResult is what MeasureImport found.
type ImportResult struct {
	Rows      int     `json:"rows"`
	Seconds   float64 `json:"seconds"`
	Created   int     `json:"created"`
	Updated   int     `json:"updated"`
	Unchanged int     `json:"unchanged"`
	Warnings  int     `json:"warnings"`
}

// MeasureImport times one import of rows as the operator.
func MeasureImport(ctx context.Context, s Service, rows []passnum.ImportRow) (*ImportResult, error) {
	opCtx, err := operator(ctx, s)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rep, err := s.ImportVenues(opCtx, rows, false)
	if err != nil {
		var e *passnum.Error
		if errors.As(err, &e) && len(e.Problems) > 0 {
			p := e.Problems[0]
			return nil, fmt.Errorf("import: %w (line %d: %s)", err, p.Line, strings.TrimSpace(p.Message))
		}
		return nil, err
	}
	return &ImportResult{Rows: len(rows), Seconds: time.Since(start).Seconds(), Created: rep.Created, Updated: rep.Updated,
		Unchanged: rep.Unchanged, Warnings: len(rep.Warnings)}, nil
}
