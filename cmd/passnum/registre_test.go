package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated docs: docs/REGISTRE.md from the declaration of personal data, docs/LICENCES.md from the licences of the build")

// TestRegisterDoc keeps docs/REGISTRE.md equal to the register the code
// builds with the default settings: a change of the declaration
// (privacy.go) or of a default fails here until the file is rewritten
// with -update-docs.
func TestRegisterDoc(t *testing.T) {
	var b bytes.Buffer
	if err := passnum.NewRegister(passnum.DefaultPrivacySettings()).WriteMarkdown(&b, privacyVariables()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "REGISTRE.md")
	if *updateDocs {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run go test ./cmd/passnum -run TestRegisterDoc -update-docs", err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Fatalf("%s is not the register the code builds: run go test ./cmd/passnum -run TestRegisterDoc -update-docs, and read the difference before committing it", path)
	}
	for _, v := range privacyVariables() {
		if !bytes.Contains(got, []byte("`"+v.Name+"`")) {
			t.Errorf("%s does not document %s", path, v.Name)
		}
	}
}

// TestRegisterCommand: the register of the installation, with its
// settings, in Markdown or PDF; bad formats and settings are one line.
func TestRegisterCommand(t *testing.T) {
	h := newHarness(t)
	t.Setenv(envPrivacyController, "Coopérative Pass Bretagne")
	t.Setenv(envPrivacyRetention, "beneficiary=48")
	md := h.ok("register")
	for _, want := range []string{"# Registre des activités de traitement", "**Responsable du traitement** : Coopérative Pass Bretagne", "| 4 ans |"} {
		if !strings.Contains(md, want) {
			t.Errorf("register does not say %q", want)
		}
	}
	out := filepath.Join(t.TempDir(), "registre.pdf")
	h.ok("register", "--format", "pdf", "--out", out)
	if b, err := os.ReadFile(out); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("register PDF: %v %.10q", err, b)
	}
	h.fail(2, []string{"register", "--format", "pdf"}, "--out")
	h.fail(2, []string{"register", "--format", "odt"}, "format inconnu")
	t.Setenv(envPrivacyRetention, "accounting=12")
	h.fail(1, []string{"register"}, "10 ans")
}
