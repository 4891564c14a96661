package csvfile

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
)

func TestStatement(t *testing.T) {
	st := &passnum.Statement{ID: 7, VenueName: "Le Grand Clic ; association", CutOff: "2027-03-31", Reference: "RF18539007547034",
		Lines: []passnum.StatementLine{{Serial: 42, RedemptionID: 3, RedeemedAt: time.Date(2027, 3, 15, 13, 30, 0, 0, time.UTC),
			ServiceTitle: "Premiers pas", SessionID: 9, ProgrammeID: 1, AmountCents: 1000,
			Shares: []passnum.LineShare{{FunderID: 2, AmountCents: 334}, {FunderID: 3, AmountCents: 666}}}}}
	var buf bytes.Buffer
	if err := Statement(&buf, st); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), BOM) {
		t.Fatal("no byte-order mark")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), BOM)))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("%d records: %v", len(recs), err)
	}
	want := []string{"7", "Le Grand Clic ; association", "2027-03-31", "RF18539007547034", "0000000042", "3", "2027-03-15 14:30",
		"Premiers pas", "9", "1", "10,00", "2=3,34|3=6,66"}
	if strings.Join(recs[1], "¦") != strings.Join(want, "¦") {
		t.Errorf("line %q, want %q", recs[1], want)
	}
}

func TestDefuse(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+33 1 23": "'+33 1 23", "-": "'-", "@sum": "'@sum", "\tx": "'\tx", "\rx": "'\rx",
		"-2": "-2", "+3,5": "'+3,5", "1,5": "1,5", "Rennes": "Rennes", "": "",
	} {
		if got := Defuse(in); got != want {
			t.Errorf("Defuse(%q) = %q, want %q", in, got, want)
		}
	}
}

// formulas are what a hostile person types for a spreadsheet to run,
// each with the text the cell must show, inert.
var formulas = []struct{ typed, inert string }{
	{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
	{"+1", "'+1"},
	{"'=1", "''=1"}, // typed with its apostrophe: read back as typed
	{"'\ntexte", "''\ntexte"},
	{"-1+1", "'-1+1"},
	{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
	{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
	{"\t=1+1", "' =1+1"},  // a tab becomes a space
	{"\r=1+1", "'\n=1+1"}, // a lone carriage return a line feed
	{"  @SUM(A1)", "'  @SUM(A1)"},
	{"Atelier\x00 \u202eclic\a", "Atelier clic"},
	{"-2", "-2"}, {"-2,50", "-2,50"}, {"Rennes", "Rennes"},
}

// TestStatementInert writes a statement whose venue, service and reference
// are hostile: every cell reads back as text, with no control character.
func TestStatementInert(t *testing.T) {
	for _, f := range formulas {
		st := &passnum.Statement{ID: 7, VenueName: f.typed, CutOff: "2027-03-31", Reference: f.typed,
			Lines: []passnum.StatementLine{{Serial: 42, RedemptionID: 3, RedeemedAt: time.Date(2027, 3, 15, 13, 30, 0, 0, time.UTC),
				ServiceTitle: f.typed, ProgrammeID: 1, AmountCents: 1000}}}
		var buf bytes.Buffer
		if err := Statement(&buf, st); err != nil {
			t.Fatal(err)
		}
		if i := strings.IndexFunc(buf.String(), func(r rune) bool { return r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f || r == 0x202e }); i >= 0 {
			t.Errorf("%q: a control character at %d of %q", f.typed, i, buf.String())
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), BOM)))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("%q: %d records: %v", f.typed, len(recs), err)
		}
		for _, col := range []int{1, 3, 7} { // lieu, reference, atelier
			if got := recs[1][col]; got != f.inert {
				t.Errorf("%q in %s: %q, want %q", f.typed, StatementColumns[col], got, f.inert)
			}
		}
	}
}

func TestCell(t *testing.T) {
	for _, f := range formulas {
		if got := Cell(f.typed); got != f.inert {
			t.Errorf("Cell(%q) = %q, want %q", f.typed, got, f.inert)
		}
	}
}

func TestRestore(t *testing.T) {
	for _, f := range formulas {
		if got := Restore(Cell(f.typed)); got != passnum.CleanText(f.typed) {
			t.Errorf("Restore(Cell(%q)) = %q, want %q", f.typed, got, passnum.CleanText(f.typed))
		}
	}
	for _, s := range []string{"'Rennes", "'", "Rennes", ""} {
		if got := Restore(s); got != s {
			t.Errorf("Restore(%q) = %q, want it unchanged", s, got)
		}
	}
}

// BenchmarkWriter writes rows of the printer's export of passes (the
// largest file written through Writer: a million lines for a million
// passes), through Writer and through encoding/csv alone, to measure what
// Cell costs.
func BenchmarkWriter(b *testing.B) {
	row := []string{"0001234567", "123457", "1", "2027-12-31", "7K3M-QX9D-2HFT-R",
		"PN1:1234567:1:2027-12-31:7K3MQX9D2HFTR:k1:3q2-7wXbY0aTqv9cR4mN8sJ1dLfE6hGz5kPuWyZoAiBnCxDvEtFrGsHqIpJaKbLcMdNeOf", "activated"}
	b.Run("Writer", func(b *testing.B) {
		w := NewWriter(io.Discard)
		for b.Loop() {
			w.Write(row)
		}
		w.Flush()
	})
	b.Run("encoding/csv", func(b *testing.B) {
		w := csv.NewWriter(io.Discard)
		w.Comma = ';'
		for b.Loop() {
			w.Write(row)
		}
		w.Flush()
	})
}
