package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/passnum/passnum"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/REGISTRE.md from the declaration of personal data")

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
