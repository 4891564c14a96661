package sheet

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// sample has every kind, an empty cell and text a spreadsheet would
// misread: a separator and a formula.
func sample() *Table {
	return &Table{
		Title: "Relevé : mars/avril [2027]",
		Notes: []string{"Chiffres arrêtés le 1er avril 2027 à 14 h 05"},
		Columns: []Column{{"Lieu", Text}, {"Pass", Int}, {"Montant (€)", Euros}, {"Taux (%)", Percent},
			{"Heures", Hours}, {"Délai (jours)", Days}},
		Rows: [][]Cell{
			{{Text: "Le Clic ; association"}, {N: 1200}, {N: 123456}, {N: 1234}, {N: 750}, {N: 3}},
			{{Text: "=1+1"}, {N: 0}, {N: -250}, {N: 5000}, {N: 59}, {Empty: true}},
			{{Text: "Total"}, {N: 1200}, {N: 123206}, {Empty: true}, {N: 809}, {N: 3}},
		},
	}
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffLieu;Pass;Montant (€);Taux (%);Heures;Délai (jours)\n" +
		"\"Le Clic ; association\";1200;1234,56;12,34;12,5;3\n" +
		"'=1+1;0;-2,50;50,00;1,0;\n" +
		"Total;1200;1232,06;;13,5;3\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteBadRow(t *testing.T) {
	tb := sample()
	tb.Rows[1] = tb.Rows[1][:5]
	for name, write := range map[string]func(*bytes.Buffer, *Table) error{
		"csv":  func(b *bytes.Buffer, t *Table) error { return WriteCSV(b, t) },
		"xlsx": func(b *bytes.Buffer, t *Table) error { return WriteXLSX(b, t) },
	} {
		var buf bytes.Buffer
		err := write(&buf, tb)
		if err == nil || !strings.Contains(err.Error(), "row 2 has 5 cells, want 6") {
			t.Errorf("%s: err = %v, want a short row reported", name, err)
		}
	}
}

func TestCSVValue(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		cell Cell
		want string
	}{
		{Text, Cell{Text: "Médiathèque"}, "Médiathèque"},
		{Text, Cell{Text: "+33 1 23"}, "+33 1 23"}, // defused by csvfile.Writer (TestCSVHostileText)
		{Text, Cell{Text: "a=b"}, "a=b"},
		{Text, Cell{}, ""},
		{Int, Cell{N: 1234567}, "1234567"},
		{Int, Cell{N: -3}, "-3"},
		{Euros, Cell{N: 1}, "0,01"},
		{Euros, Cell{N: 100000000}, "1000000,00"},
		{Percent, Cell{N: 10000}, "100,00"},
		{Percent, Cell{N: 7}, "0,07"},
		{Hours, Cell{N: 0}, "0,0"},
		{Hours, Cell{N: 2}, "0,0"},
		{Hours, Cell{N: 3}, "0,1"}, // 0.05 h rounds up
		{Hours, Cell{N: 60}, "1,0"},
		{Hours, Cell{N: 89}, "1,5"},
		{Hours, Cell{N: -90}, "-1,5"},
		{Days, Cell{N: 12}, "12"},
		{Days, Cell{N: 12, Empty: true}, ""},
	} {
		if got := csvValue(tc.kind, tc.cell); got != tc.want {
			t.Errorf("csvValue(%d, %+v) = %q, want %q", tc.kind, tc.cell, got, tc.want)
		}
	}
}

func TestSheetName(t *testing.T) {
	for _, tc := range []struct{ title, want string }{
		{"Indicateurs par lieu", "Indicateurs par lieu"},
		{"Relevé : mars/avril [2027]", "Relevé  marsavril 2027"},
		{"Indicateurs par catégorie de service", "Indicateurs par catégorie de se"},
		{"'cité'", "cité"},
		{"a?*\\:", "a"},
		{"", "Feuille1"},
		{"[]", "Feuille1"},
		{strings.Repeat("é", 40), strings.Repeat("é", 31)},
		{strings.Repeat("😀", 20), strings.Repeat("😀", 15)}, // two UTF-16 units each
	} {
		if got := SheetName(tc.title); got != tc.want {
			t.Errorf("SheetName(%q) = %q, want %q", tc.title, got, tc.want)
		}
	}
}

// hostile is text typed for a spreadsheet to run, or to hide, with what
// each kind of file must show.
var hostile = []struct{ typed, csv, xlsx string }{
	{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`, `=HYPERLINK("http://x","y")`},
	{"+1", "'+1", "+1"},
	{"-1+1", "'-1+1", "-1+1"},
	{"@SUM(A1:A9)", "'@SUM(A1:A9)", "@SUM(A1:A9)"},
	{"\t=1+1", "' =1+1", " =1+1"},
	{"\r=1+1", "'\n=1+1", "\n=1+1"},
	{"Clic\x00\a\u0085\u202e", "Clic", "Clic"},
}

func hostileTable() *Table {
	tb := &Table{Title: "Lieux\x07", Notes: []string{"Note\x00"}, Columns: []Column{{"Lieu\u202e", Text}, {"Pass", Int}}}
	for _, h := range hostile {
		tb.Rows = append(tb.Rows, []Cell{{Text: h.typed}, {N: -1}})
	}
	return tb
}

// TestCSVHostileText: every text cell of the CSV is inert, no control
// character is written, numbers stay numbers.
func TestCSVHostileText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, hostileTable()); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[0][0] != "Lieu" {
		t.Errorf("header %q", recs[0])
	}
	for i, h := range hostile {
		if got := recs[i+1]; got[0] != h.csv || got[1] != "-1" {
			t.Errorf("%q written %q, want %q and -1", h.typed, got, h.csv)
		}
	}
	if strings.ContainsFunc(buf.String(), controlOtherThanLineFeed) {
		t.Errorf("a control character in %q", buf.String())
	}
}

// controlOtherThanLineFeed tells whether a file holds a character the
// writers must drop (CRLF line ends of XML and CSV aside).
func controlOtherThanLineFeed(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\r' || r >= 0x7f && r <= 0x9f || r == 0x202e
}
