package sheet

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// readBack writes tb as XLSX and opens it again, as a spreadsheet would.
func readBack(t *testing.T, tb *Table) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, tb); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestWriteXLSX(t *testing.T) {
	f := readBack(t, sample())
	const name = "Relevé  marsavril 2027"
	if got := f.GetSheetList(); len(got) != 1 || got[0] != name {
		t.Fatalf("sheets %q, want [%q]", got, name)
	}
	text := func(cell string) string {
		t.Helper()
		v, err := f.GetCellValue(name, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	// Title, note, a blank line, then the header on row 4.
	for cell, want := range map[string]string{
		"A1": "Relevé : mars/avril [2027]",
		"A2": "Chiffres arrêtés le 1er avril 2027 à 14 h 05",
		"A3": "",
		"A4": "Lieu", "B4": "Pass", "C4": "Montant (€)", "D4": "Taux (%)", "E4": "Heures", "F4": "Délai (jours)",
		"A5": "Le Clic ; association", "A6": "=1+1", "A7": "Total",
	} {
		if got := text(cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	// A text that looks like a formula stays text.
	if typ, _ := f.GetCellType(name, "A6"); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		t.Errorf("A6 has type %v, want a string", typ)
	}

	euro, pct, hours, count := `#,##0.00 "€"`, "0.0%", "0.0", "#,##0"
	for _, tc := range []struct {
		cell   string
		want   float64
		numFmt string
	}{
		{"B5", 1200, count},
		{"C5", 1234.56, euro},
		{"D5", 0.1234, pct},
		{"E5", 12.5, hours},
		{"F5", 3, count},
		{"C6", -2.5, euro},
		{"D6", 0.5, pct},
		{"E6", 59.0 / 60, hours},
		{"C7", 1232.06, euro},
	} {
		// No type, or "n", is a number in OOXML; anything else is not.
		if typ, err := f.GetCellType(name, tc.cell); err != nil || (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) {
			t.Errorf("%s has type %v (%v), want a number", tc.cell, typ, err)
		}
		got, err := strconv.ParseFloat(text(tc.cell), 64)
		// Excel keeps 15 significant digits.
		if err != nil || math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s = %q, want %v", tc.cell, text(tc.cell), tc.want)
		}
		id, err := f.GetCellStyle(name, tc.cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if st.CustomNumFmt == nil || *st.CustomNumFmt != tc.numFmt {
			t.Errorf("%s has format %v, want %q", tc.cell, st.CustomNumFmt, tc.numFmt)
		}
	}
	for _, cell := range []string{"F6", "D7"} {
		if got := text(cell); got != "" {
			t.Errorf("%s = %q, want blank", cell, got)
		}
	}
	if rows, _ := f.GetRows(name); len(rows) != 7 {
		t.Errorf("%d rows, want 7", len(rows))
	}

	id, _ := f.GetCellStyle(name, "C4")
	if st, err := f.GetStyle(id); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header not bold: %+v %v", st, err)
	}
	p, err := f.GetPanes(name)
	if err != nil || !p.Freeze || p.YSplit != 4 || p.XSplit != 1 || p.TopLeftCell != "B5" {
		t.Errorf("panes %+v (%v), want frozen under row 4 and after column A", p, err)
	}
	for col, want := range map[string]float64{"A": 23, "C": 13, "D": 10} {
		if w, _ := f.GetColWidth(name, col); w != want {
			t.Errorf("column %s is %v wide, want %v", col, w, want)
		}
	}
}

func TestWriteXLSXPlain(t *testing.T) {
	// Without title nor notes the header is the first row.
	tb := &Table{Columns: []Column{{"Nombre", Int}}, Rows: [][]Cell{{{N: 7}}}}
	f := readBack(t, tb)
	rows, err := f.GetRows("Feuille1")
	if err != nil || len(rows) != 2 || rows[0][0] != "Nombre" || rows[1][0] != "7" {
		t.Errorf("rows %q (%v)", rows, err)
	}
	if p, _ := f.GetPanes("Feuille1"); !p.Freeze || p.YSplit != 1 || p.XSplit != 0 {
		t.Errorf("panes %+v, want frozen under row 1 only", p)
	}
}

// TestXLSXHostileText: text that looks like a formula is a string cell,
// never a formula, and no control character reaches the file.
func TestXLSXHostileText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, hostileTable()); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "<f>") || strings.Contains(string(data), "<f ") {
			t.Errorf("%s holds a formula", zf.Name)
		}
		if strings.ContainsFunc(string(data), controlOtherThanLineFeed) || strings.Contains(string(data), "_x00") {
			t.Errorf("%s holds a control character", zf.Name)
		}
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	name := f.GetSheetList()[0]
	if name != "Lieux" {
		t.Errorf("sheet %q", name)
	}
	for i, h := range hostile {
		cell := "A" + strconv.Itoa(5+i) // title, note, blank line, header
		got, err := f.GetCellValue(name, cell, excelize.Options{RawCellValue: true})
		typ, _ := f.GetCellType(name, cell)
		if err != nil || got != h.xlsx || typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
			t.Errorf("%q written %q of type %v (%v), want the string %q", h.typed, got, typ, err, h.xlsx)
		}
	}
}
