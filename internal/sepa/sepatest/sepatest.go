// Package sepatest checks payment files against the official schemas of
// their message version (see ../testdata/README.md), for the tests of every
// package that writes them.
package sepatest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/passnum/passnum"
)

// schemas names the schema of each format in ../testdata.
var schemas = map[passnum.PainFormat]string{
	passnum.PainEPC09: "pain.001.001.09.EPC132-08-2023.xsd",
	passnum.PainISO10: "pain.001.001.10.xsd",
}

// Schema returns the path of the schema of format f: the European
// Payments Council's for pain.001.001.09, ISO's for pain.001.001.10.
func Schema(f passnum.PainFormat) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", schemas[f])
}

// Xmllint returns the path of xmllint. Without it the test is skipped on
// a developer's machine, but fails under CI (CI set, as .ci/run does): the
// files must be checked against the official schemas.
func Xmllint(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("xmllint is missing (Debian: apt-get install libxml2-utils); under CI this test fails")
		}
		t.Fatal("xmllint is missing: the pain.001 files cannot be checked against the schemas (Debian: apt-get install libxml2-utils)")
	}
	return path
}

// Check validates content against the schema of format f with xmllint
// (Xmllint) and says why it does not.
func Check(t testing.TB, content []byte, f passnum.PainFormat) error {
	t.Helper()
	if _, ok := schemas[f]; !ok {
		t.Fatalf("no schema for format %q", f)
	}
	lint := Xmllint(t)
	ns := []byte(`xmlns="urn:iso:std:iso:20022:tech:xsd:` + string(f) + `"`)
	if !bytes.Contains(content, ns) {
		return fmt.Errorf("the document is not in the namespace of %s", f)
	}
	file := filepath.Join(t.TempDir(), string(f)+".xml")
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lint, "--noout", "--schema", Schema(f), file).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", schemas[f], err, out)
	}
	return nil
}

// Validate fails t unless content validates against the schema of f.
func Validate(t testing.TB, content []byte, f passnum.PainFormat) {
	t.Helper()
	if err := Check(t, content, f); err != nil {
		t.Errorf("the %s file does not validate: %v", f, err)
	}
}
