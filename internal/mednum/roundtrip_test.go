package mednum

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/openinghours"
)

// Generators of valid venues, drawn from the standard's vocabularies.

// textRunes are what text fields are made of: letters with and without
// accents, digits, and the characters that matter to CSV and to list
// separators.
var textRunes = []rune("abcdeéèêfghijklmnopqrstuvwxyzàâçôùABCDÉFGHIJKLMNOPQRSTUVWXYZ0123456789 '’-,;:.!?()«»\"/&|—")

func text(min, max int) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		for {
			s := strings.TrimSpace(string(rapid.SliceOfN(rapid.SampledFrom(textRunes), min, max).Draw(t, "runes")))
			if min == 0 || s != "" {
				return s
			}
		}
	})
}

// multiline is text with line breaks, as in presentation_detail.
func multiline() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		lines := rapid.SliceOfN(text(0, 40), 0, 4).Draw(t, "lines")
		return strings.TrimSpace(strings.Join(lines, "\n"))
	})
}

func optional[V any](g *rapid.Generator[V]) *rapid.Generator[V] {
	return rapid.Custom(func(t *rapid.T) V {
		var zero V
		if rapid.Bool().Draw(t, "present") {
			return g.Draw(t, "value")
		}
		return zero
	})
}

func subset(values []string) *rapid.Generator[[]string] {
	return rapid.Custom(func(t *rapid.T) []string {
		s := rapid.SliceOfNDistinct(rapid.SampledFrom(values), 0, min(len(values), 4), rapid.ID[string]).Draw(t, "values")
		if len(s) == 0 {
			return nil
		}
		return s
	})
}

// siret draws a SIRET number that passes the Luhn check.
var siret = rapid.Custom(func(t *rapid.T) string {
	digits := rapid.StringMatching(`[0-9]{13}`).Draw(t, "digits")
	for d := '0'; d <= '9'; d++ {
		if s := digits + string(d); passnum.ValidateSIRET(s) == nil {
			return s
		}
	}
	panic("unreachable: one check digit in ten passes")
})

var pivot = rapid.OneOf(
	siret,
	rapid.StringMatching(`W[0-9]{9}`),        // RNA number
	rapid.StringMatching(`[0-9]{6}[0-9]{3}`), // RIDET (New Caledonia)
)

var (
	email   = rapid.StringMatching(`[a-z0-9]{1,10}([._+-][a-z0-9]{1,8})?@[a-z0-9]{1,10}\.(fr|org|com)`)
	webURL  = rapid.StringMatching(`https?://[a-z0-9]{1,12}\.(fr|org|coop)(/[a-zA-Z0-9_,;=?.&-]{0,24})?`)
	insee   = rapid.SampledFrom([]string{"35238", "35066", "75056", "69123", "2A004", "2B033", "97411", "01053"})
	typo    = rapid.SampledFrom([]string{"ASSO", "BIB", "CCAS", "MUNI", "TIERS_LIEUX", "FRANCE_SERVICE", "Autre"})
	phone   = rapid.StringMatching(`\+33[1-9][0-9]{8}`)
	hourSet = []string{
		"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "Tu,Th,Fr 14:00-18:00; We,Sa 10:00-12:30,14:00-17:00",
		"24/7", "Mo-Fr 09:00-18:00; PH off", "Fr 20:00-02:00", "Mo-Sa 10:00-19:00; We off", "We 14:00-17:00",
	}
)

// hours draws opening hours in canonical form, as an export writes them.
var hours = rapid.Custom(func(t *rapid.T) string {
	s, err := openinghours.Parse(rapid.SampledFrom(hourSet).Draw(t, "hours"))
	if err != nil {
		panic(err)
	}
	return s.String()
})

var date = rapid.Custom(func(t *rapid.T) string {
	day := rapid.IntRange(0, 10*365).Draw(t, "day")
	return time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day).Format(time.DateOnly)
})

// venue draws a valid venue, normalised.
var venue = rapid.Custom(func(t *rapid.T) *passnum.Venue {
	v := &passnum.Venue{
		ID:                 text(1, 40).Draw(t, "id"),
		Pivot:              pivot.Draw(t, "pivot"),
		Name:               text(1, 60).Draw(t, "nom"),
		Commune:            text(1, 30).Draw(t, "commune"),
		PostalCode:         rapid.StringMatching(`[0-9]{5}`).Draw(t, "code_postal"),
		INSEE:              optional(insee).Draw(t, "code_insee"),
		Address:            text(1, 40).Draw(t, "adresse"),
		AddressComplement:  text(0, 30).Draw(t, "complement_adresse"),
		Typology:           rapid.SliceOfNDistinct(typo, 0, 3, rapid.ID[string]).Draw(t, "typologie"),
		Phone:              optional(phone).Draw(t, "telephone"),
		Emails:             rapid.SliceOfNDistinct(email, 0, 3, rapid.ID[string]).Draw(t, "courriels"),
		Websites:           rapid.SliceOfNDistinct(webURL, 0, 3, rapid.ID[string]).Draw(t, "site_web"),
		OpeningHours:       optional(hours).Draw(t, "horaires"),
		Summary:            text(0, 280).Draw(t, "presentation_resume"),
		Detail:             multiline().Draw(t, "presentation_detail"),
		Source:             text(0, 20).Draw(t, "source"),
		Roaming:            subset(passnum.Roaming).Draw(t, "itinerance"),
		Parent:             text(0, 20).Draw(t, "structure_parente"),
		UpdatedOn:          date.Draw(t, "date_maj"),
		Services:           subset(passnum.ServiceCategories).Draw(t, "services"),
		Publics:            subset(passnum.Publics).Draw(t, "publics_specifiquement_adresses"),
		Supports:           subset(passnum.Supports).Draw(t, "prise_en_charge_specifique"),
		Fees:               subset(passnum.Fees).Draw(t, "frais_a_charge"),
		NationalSchemes:    subset(passnum.NationalSchemes).Draw(t, "dispositif_programmes_nationaux"),
		Labels:             subset(passnum.Labels).Draw(t, "formations_labels"),
		OtherLabels:        rapid.SliceOfN(text(1, 30).Filter(func(s string) bool { return !strings.Contains(s, "|") }), 0, 3).Draw(t, "autres_formations_labels"),
		AccessModes:        subset(passnum.AccessModes).Draw(t, "modalites_acces"),
		SupportModes:       subset(passnum.SupportModes).Draw(t, "modalites_accompagnement"),
		AccessibilitySheet: optional(webURL).Draw(t, "fiche_acces_libre"),
		AppointmentURL:     optional(webURL).Draw(t, "prise_rdv"),
	}
	if rapid.Bool().Draw(t, "located") {
		lat := rapid.Float64Range(-90, 90).Draw(t, "latitude")
		lon := rapid.Float64Range(-180, 180).Draw(t, "longitude")
		v.Lat, v.Lon = &lat, &lon
	}
	v.Normalize()
	if errs := v.Validate(); len(errs) > 0 {
		t.Fatalf("generator made an invalid venue: %v", errs[0])
	}
	return v
})

// venues draws a file's worth of venues with distinct ids.
var venues = rapid.Custom(func(t *rapid.T) []*passnum.Venue {
	vs := rapid.SliceOfN(venue, 1, 6).Draw(t, "venues")
	for i, v := range vs {
		v.ID = fmt.Sprintf("%s-%d", v.ID, i)
	}
	return vs
})

// formats are the ways to write a file and read it back.
var formats = []struct {
	name  string
	write func(*bytes.Buffer, []*passnum.Venue) error
	read  func(*bytes.Buffer) ([]passnum.ImportRow, []passnum.ImportProblem)
}{
	{"CSV ,", func(b *bytes.Buffer, vs []*passnum.Venue) error { return WriteCSV(b, vs) },
		func(b *bytes.Buffer) ([]passnum.ImportRow, []passnum.ImportProblem) { return ReadCSV(b) }},
	{"CSV for a spreadsheet", func(b *bytes.Buffer, vs []*passnum.Venue) error { return WriteSpreadsheetCSV(b, vs) },
		func(b *bytes.Buffer) ([]passnum.ImportRow, []passnum.ImportProblem) { return ReadCSV(b) }},
	{"JSON", func(b *bytes.Buffer, vs []*passnum.Venue) error { return WriteJSON(b, vs) },
		func(b *bytes.Buffer) ([]passnum.ImportRow, []passnum.ImportProblem) { return ReadJSON(b) }},
}

// TestRoundTrip: what passnum writes, it reads back unchanged, in every
// format.
func TestRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		vs := venues.Draw(t, "venues")
		for _, f := range formats {
			var b bytes.Buffer
			if err := f.write(&b, vs); err != nil {
				t.Fatalf("%s: write: %v", f.name, err)
			}
			file := b.String()
			rows, problems := f.read(&b)
			if len(problems) > 0 {
				t.Fatalf("%s: problems %+v\n%s", f.name, problems, file)
			}
			if len(rows) != len(vs) {
				t.Fatalf("%s: %d rows, want %d", f.name, len(rows), len(vs))
			}
			for i, r := range rows {
				if !reflect.DeepEqual(r.Venue, *vs[i]) {
					t.Fatalf("%s: venue %d\n got %#v\nwant %#v\nfile:\n%s", f.name, i, r.Venue, *vs[i], file)
				}
				if r.Line != i+2 && !strings.HasPrefix(f.name, "CSV") || r.Line < i+2 {
					t.Fatalf("%s: venue %d on line %d", f.name, i, r.Line)
				}
			}
		}
	})
}

// checkRead checks what a reader returned for any input: problems have a
// line, rows come in order and are valid, normalised venues that write
// and read back the same.
func checkRead(t *testing.T, rows []passnum.ImportRow, problems []passnum.ImportProblem) {
	if len(rows) == 0 && len(problems) == 0 {
		t.Fatal("no rows and no problem")
	}
	for _, p := range problems {
		if p.Line < 1 || p.Message == "" {
			t.Fatalf("problem %+v", p)
		}
	}
	var vs []*passnum.Venue
	for i, r := range rows {
		if r.Line < 1 || i > 0 && r.Line <= rows[i-1].Line {
			t.Fatalf("row %d on line %d", i, r.Line)
		}
		v := r.Venue
		v.Normalize()
		if !reflect.DeepEqual(v, r.Venue) {
			t.Fatalf("row %d is not normalised: %#v", i, r.Venue)
		}
		if errs := v.Validate(); len(errs) > 0 {
			t.Fatalf("row %d is invalid: %v", i, errs[0])
		}
		if v.OpeningHours != "" {
			if s, err := openinghours.Parse(v.OpeningHours); err != nil || s.String() != v.OpeningHours {
				t.Fatalf("row %d: hours %q are not canonical", i, v.OpeningHours)
			}
		}
		vs = append(vs, &v)
	}
	if len(problems) > 0 {
		return
	}
	for _, f := range formats {
		var b bytes.Buffer
		if err := f.write(&b, vs); err != nil {
			t.Fatalf("%s: write what was read: %v", f.name, err)
		}
		again, problems := f.read(&b)
		if len(problems) > 0 || len(again) != len(vs) {
			t.Fatalf("%s: read back %d rows, problems %+v", f.name, len(again), problems)
		}
		for i := range again {
			want := *vs[i]
			if strings.HasPrefix(f.name, "CSV") {
				want = crlfToLF(want)
			}
			if !reflect.DeepEqual(again[i].Venue, want) {
				t.Fatalf("%s: venue %d read back\n got %#v\nwant %#v", f.name, i, again[i].Venue, want)
			}
		}
	}
}

// crlfToLF returns v with its line breaks as CSV reads them back:
// encoding/csv turns a "\r\n" inside a quoted value into "\n" (RFC 4180
// has no way to keep it). Texts typed in a browser's textarea come with
// "\r\n"; normalising them is the domain's job (Venue.Normalize).
func crlfToLF(v passnum.Venue) passnum.Venue {
	for _, c := range columns {
		switch c.kind {
		case kindText:
			*c.text(&v) = strings.ReplaceAll(*c.text(&v), "\r\n", "\n")
		case kindCoord:
		default:
			l := slices.Clone(*c.list(&v))
			for i := range l {
				l[i] = strings.ReplaceAll(l[i], "\r\n", "\n")
			}
			*c.list(&v) = l
		}
	}
	return v
}

func fuzzSeeds(f *testing.F, names ...string) {
	for _, name := range names {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzReadCSV(f *testing.F) {
	fuzzSeeds(f, "exemple-valide.csv")
	f.Add([]byte("id;pivot;nom;commune;code_postal;adresse;date_maj;latitude;longitude;services\n" +
		"a;W123456789;Lieu;Rennes;35000;1 rue;2026-01-01;48,11;-1,68;Aide aux démarches administratives, Loisirs et créations numériques\n"))
	f.Add([]byte("id,pivot,nom,commune,code_postal,adresse,date_maj,presentation_detail\n" +
		"a,W123456789,Lieu,Rennes,35000,1 rue,2026-01-01,\"deux\nlignes\"\r\nb,W123456789,\"Li\"\"eu\",Rennes,35000,1 rue,2026-02-30,\n"))
	f.Add([]byte("\ufeff\"id\"\n\"x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, problems := ReadCSV(bytes.NewReader(data))
		checkRead(t, rows, problems)
	})
}

func FuzzReadJSON(f *testing.F) {
	fuzzSeeds(f, "exemple-valide.json")
	f.Add([]byte(`[{"id":"a","pivot":"W123456789","nom":"Lieu","commune":"Rennes","code_postal":"35000","adresse":"1 rue","date_maj":"2026-01-01","latitude":"48,1","longitude":-1.6,"services":["Loisirs et créations numériques"]}]`))
	f.Add([]byte(`[{"id":"a"},{"id":"a","nom":1}, 3]`))
	f.Add([]byte("[\n{\"id\":\n"))
	f.Add([]byte(`[{"id":"a","pivot":"W123456789","nom":"Lieu","commune":"Rennes","code_postal":"35000","adresse":"1 rue","date_maj":"2026-01-01","presentation_detail":"deux\r\nlignes"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, problems := ReadJSON(bytes.NewReader(data))
		checkRead(t, rows, problems)
	})
}

// BenchmarkReadCSV20000 reads a national-size file: 20 000 venues like the
// example, each with its own id.
func BenchmarkReadCSV20000(b *testing.B) {
	const n = 20000
	vs := make([]*passnum.Venue, n)
	for i := range vs {
		v := exampleVenue()
		v.ID = fmt.Sprintf("lieu-%05d", i)
		v.Name = fmt.Sprintf("%s n°%d", v.Name, i)
		vs[i] = &v
	}
	var file bytes.Buffer
	if err := WriteCSV(&file, vs); err != nil {
		b.Fatal(err)
	}
	data := file.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rows, problems := ReadCSV(bytes.NewReader(data))
		if len(rows) != n || len(problems) > 0 {
			b.Fatalf("%d rows, %d problems", len(rows), len(problems))
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
