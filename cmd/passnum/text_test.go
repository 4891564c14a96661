package main

import (
	"strings"
	"testing"
)

// TestControlCharacters: an option whose text holds a control character,
// a bidirectional override or bytes that are not UTF-8 is refused before
// anything runs, naming the option; a line break in a name is refused by
// the service, naming the option too; a file of the standard with such a
// name has its line reported. Nothing is stored.
func TestControlCharacters(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.ok("migrate")
		funder := id(t, h.ok("org", "create", "--kind", "funder", "--name", "État"))
		before := h.ok("org", "list")
		for name, text := range map[string]string{
			"NUL": "Le Grand\x00Clic", "BEL": "Le Grand Clic\a", "ESC": "\x1b[2JClic", "U+202E": "Facture \u202egdp.exe",
			"C1": "Le Grand\u0085Clic", "invalid UTF-8": "Le Grand Cl\xefc",
		} {
			for _, args := range [][]string{
				{"org", "create", "--kind", "funder", "--name", text},
				{"programme", "create", "--name", text, "--funder", funder + ":10000", "--budget", "100",
					"--from", "2027-01-01", "--until", "2027-12-31", "--territory", "region:53"},
			} {
				errs := h.fail(1, args, "(option --name)")
				if !strings.Contains(errs, "U+") && !strings.Contains(errs, "UTF-8") {
					t.Errorf("%s: %q does not say which character", name, errs)
				}
			}
		}
		h.fail(1, []string{"org", "create", "--kind", "funder", "--name", "Le Grand\nClic"}, "tient sur une ligne", "(option --name)")
		h.fail(1, []string{"org", "create", "--kind", "funder", "--name", "Le Grand\tClic"}, "tabulation", "(option --name)")

		file := writeTemp(t, "lieux.csv", strings.Replace(venuesCSV, "Le Grand Clic", "Le Grand\x00Clic", 1))
		if _, errs, code := h.run("venue", "import", "--file", file); code != 1 || !strings.Contains(errs, "ligne 2 : nom : ") || !strings.Contains(errs, "U+0000") {
			t.Errorf("import: exit %d, %q", code, errs)
		}

		if after := h.ok("org", "list"); after != before {
			t.Errorf("something was stored:\n%s\n%s", before, after)
		}
		if out := h.ok("venue", "list"); !strings.Contains(out, "Aucun lieu") {
			t.Errorf("a venue was imported: %q", out)
		}
		h.ok("check")
	})
}
