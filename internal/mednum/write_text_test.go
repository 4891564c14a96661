package mednum

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

// TestWritersText: the standard's CSV and JSON keep the exact text, a
// formula too, but drop control characters; the spreadsheet's CSV makes
// the formula inert.
func TestWritersText(t *testing.T) {
	v := exampleVenue()
	v.Name = `=HYPERLINK("http://x","y")` + "\x00\u202e"
	v.Phone = ""
	v.Detail = "Ligne 1\r\nLigne 2\a"
	var standard, sheet, js bytes.Buffer
	for _, err := range []error{WriteCSV(&standard, []*passnum.Venue{&v}), WriteSpreadsheetCSV(&sheet, []*passnum.Venue{&v}),
		WriteJSON(&js, []*passnum.Venue{&v})} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for name, out := range map[string]string{"standard": standard.String(), "spreadsheet": sheet.String(), "json": js.String()} {
		if strings.ContainsFunc(out, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x202e }) {
			t.Errorf("%s: a control character in %q", name, out)
		}
	}
	read := func(s string, comma rune) []string {
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, bom)))
		r.Comma = comma
		recs, err := r.ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("%d records, %v", len(recs), err)
		}
		return recs[1]
	}
	if got := read(standard.String(), ','); got[2] != `=HYPERLINK("http://x","y")` || got[16] != "Ligne 1\nLigne 2" {
		t.Errorf("standard CSV: nom %q, presentation_detail %q", got[2], got[16])
	}
	if got := read(sheet.String(), ';'); got[2] != `'=HYPERLINK("http://x","y")` {
		t.Errorf("spreadsheet CSV: nom %q", got[2])
	}
	if !strings.Contains(js.String(), `"nom":"=HYPERLINK(\"http://x\",\"y\")"`) {
		t.Errorf("JSON: %s", js.String())
	}
}
