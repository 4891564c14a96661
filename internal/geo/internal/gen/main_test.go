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

// TestRun generates the files from a tiny copy of the package: only the
// current communes outside the overseas collectivités are kept, postal
// codes are sorted, and a second run writes the same bytes.
func TestRun(t *testing.T) {
	out := t.TempDir()
	if err := run("testdata/package", out); err != nil {
		t.Fatal(err)
	}
	header := "# @etalab/decoupage-administratif@0.0.0-test, written by internal/geo/internal/gen; columns: "
	want := map[string]string{
		"communes.tsv.gz": header + "INSEE code, name, postal codes, département, région, population\n" +
			"35238\tRennes\t35000 35200 35700\t35\t53\t230890\n" +
			"97411\tSaint-Denis\t97400 97417 97490\t974\t04\t155634\n",
		"departements.tsv": header + "code, name, région\n" +
			"35\tIlle-et-Vilaine\t53\n" +
			"974\tLa Réunion\t04\n",
		"regions.tsv": header + "code, name\n" +
			"04\tLa Réunion\n" +
			"53\tBretagne\n",
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

	if err := run("testdata/package", out); err != nil {
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
	tests := map[string]struct{ pkg, communes string }{
		"other package":      {pkg: `{"name": "other", "version": "1.0.0"}`},
		"wrong région":       {communes: communes(`"departement": "35", "region": "04", "codesPostaux": ["35000"], "population": 1`)},
		"wrong département":  {communes: communes(`"departement": "974", "region": "04", "codesPostaux": ["35000"], "population": 1`)},
		"no postal code":     {communes: communes(`"departement": "35", "region": "53", "population": 1`)},
		"bad postal code":    {communes: communes(`"departement": "35", "region": "53", "codesPostaux": ["3500"], "population": 1`)},
		"no population":      {communes: communes(`"departement": "35", "region": "53", "codesPostaux": ["35000"]`)},
		"no current commune": {communes: `[]`},
	}
	for name, tt := range tests {
		pkg := t.TempDir()
		if err := os.CopyFS(pkg, os.DirFS("testdata/package")); err != nil {
			t.Fatal(err)
		}
		if tt.pkg != "" {
			write(t, filepath.Join(pkg, "package.json"), tt.pkg)
		}
		if tt.communes != "" {
			write(t, filepath.Join(pkg, "data", "communes.json"), tt.communes)
		}
		if err := run(pkg, t.TempDir()); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if !json.Valid([]byte(content)) {
		t.Fatalf("%s: invalid JSON", path)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
