package sheet

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/passnum/passnum"
	"github.com/xuri/excelize/v2"
)

// Number formats of the XLSX cells. Formats are stored in the file in
// Excel's neutral syntax ('.' for decimals, ',' for grouping); the
// spreadsheet shows them with the reader's separators.
var numFmts = map[Kind]string{
	Int:     "#,##0",
	Euros:   `#,##0.00 "€"`,
	Percent: "0.0%",
	Hours:   "0.0",
	Days:    "#,##0",
}

// Column widths, in characters. A long header wraps rather than widening
// a column of small numbers.
const (
	minWidth       = 8
	maxWidth       = 50
	maxHeaderWidth = 20
	lineHeight     = 15 // points, Excel's default row height
)

// WriteXLSX writes t as a workbook of one sheet: the title on the first
// line, the notes below it, a blank line, then the bold header, frozen so
// that it stays in view, and the rows. Numbers are written as numbers with
// a format, so people can sum and sort them.
//
// It goes through excelize's StreamWriter, which writes rows as they come
// instead of building every cell in memory.
func WriteXLSX(w io.Writer, t *Table) error {
	if err := t.check(); err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close() // removes the stream's temporary file, if any
	if err := writeSheet(f, t); err != nil {
		return fmt.Errorf("write xlsx %q: %w", t.Title, err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write xlsx %q: %w", t.Title, err)
	}
	return nil
}

func writeSheet(f *excelize.File, t *Table) error {
	name := SheetName(t.Title)
	if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}

	// Where the header goes: after the title, the notes and a blank line,
	// which keeps the table a block of its own for Excel's filters and
	// pivot tables.
	headerRow := 1
	if t.Title != "" || len(t.Notes) > 0 {
		headerRow = 2 + len(t.Notes)
		if t.Title != "" {
			headerRow++
		}
	}

	if headerRow+len(t.Rows) > excelize.TotalRows || len(t.Columns) > excelize.MaxColumns {
		return fmt.Errorf("%d rows of %d columns do not fit in a sheet (%d rows, %d columns at most)",
			len(t.Rows), len(t.Columns), excelize.TotalRows-headerRow, excelize.MaxColumns)
	}

	// Widths and panes must be set before the first row.
	widths := columnWidths(t)
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(panes(t, headerRow)); err != nil {
		return err
	}

	row := 1
	if t.Title != "" {
		if err := sw.SetRow(cellName(1, row), []any{excelize.Cell{StyleID: st.title, Value: passnum.CleanLine(t.Title)}}); err != nil {
			return err
		}
		row++
	}
	for _, n := range t.Notes {
		if err := sw.SetRow(cellName(1, row), []any{passnum.CleanText(n)}); err != nil {
			return err
		}
		row++
	}

	values := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		values[i] = excelize.Cell{StyleID: st.header, Value: passnum.CleanText(c.Header)}
	}
	if err := sw.SetRow(cellName(1, headerRow), values, excelize.RowOpts{Height: headerHeight(t, widths)}); err != nil {
		return err
	}
	for r, cells := range t.Rows {
		for i, c := range cells {
			values[i] = xlsxValue(t.Columns[i].Kind, c, st.kind[t.Columns[i].Kind])
		}
		if err := sw.SetRow(cellName(1, headerRow+1+r), values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// xlsxValue returns what SetRow writes for one cell: nil (blank), a string
// or a number with its format.
func xlsxValue(k Kind, c Cell, style int) any {
	if c.Empty {
		return nil
	}
	var v any
	switch k {
	case Text:
		// A string cell is never a formula: "=HYPERLINK(…)" stays text.
		// Control characters stored before passnum's rule are dropped.
		return passnum.CleanText(c.Text)
	case Euros:
		v = float64(c.N) / 100
	case Percent:
		v = float64(c.N) / 10000
	case Hours:
		// Unrounded, so that a column's sum is the sum of the minutes; the
		// format shows one decimal.
		v = float64(c.N) / 60
	default:
		v = c.N
	}
	return excelize.Cell{StyleID: style, Value: v}
}

type styles struct {
	title, header int
	kind          map[Kind]int
}

func newStyles(f *excelize.File) (*styles, error) {
	var st styles
	var err error
	if st.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}}); err != nil {
		return nil, err
	}
	if st.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
	}); err != nil {
		return nil, err
	}
	st.kind = make(map[Kind]int, len(numFmts))
	for k, nf := range numFmts {
		if st.kind[k], err = f.NewStyle(&excelize.Style{CustomNumFmt: &nf}); err != nil {
			return nil, err
		}
	}
	return &st, nil
}

// SheetName returns title as Excel accepts a sheet's name: without
// []:*?/\, not starting or ending with an apostrophe, at most 31 UTF-16
// units, without control characters (passnum.CleanLine); "Feuille1" when
// nothing is left.
func SheetName(title string) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return -1
		}
		return r
	}, passnum.CleanLine(title))
	name = strings.TrimSpace(name)
	var b strings.Builder
	n := 0
	for _, r := range name {
		l := utf16.RuneLen(r)
		if l < 0 || n+l > excelize.MaxSheetNameLength {
			break
		}
		n += l
		b.WriteRune(r)
	}
	name = strings.TrimSpace(strings.Trim(b.String(), "'"))
	if name == "" {
		return "Feuille1"
	}
	return name
}

// columnWidths sizes each column to its widest value as shown, and to its
// header up to maxHeaderWidth (longer headers wrap).
func columnWidths(t *Table) []float64 {
	out := make([]float64, len(t.Columns))
	for i, c := range t.Columns {
		w := min(utf8.RuneCountInString(c.Header), maxHeaderWidth)
		for _, row := range t.Rows {
			w = max(w, shownWidth(c.Kind, row[i]))
		}
		out[i] = float64(min(max(w+2, minWidth), maxWidth))
	}
	return out
}

// shownWidth estimates how many characters a cell takes on screen.
func shownWidth(k Kind, c Cell) int {
	if c.Empty {
		return 0
	}
	s := csvValue(k, c)
	n := utf8.RuneCountInString(s)
	switch k {
	case Int, Days:
		n += (n - 1) / 3 // grouping
	case Euros:
		n += (n-4)/3 + 2 // grouping, " €"
	}
	return n
}

// headerHeight gives the header row the lines its longest wrapped header
// needs: rows written by a program keep the height they are given.
func headerHeight(t *Table, widths []float64) float64 {
	lines := 1
	for i, c := range t.Columns {
		per := max(int(widths[i])-1, 1)
		n := utf8.RuneCountInString(c.Header)
		lines = max(lines, (n+per-1)/per)
	}
	return float64(min(lines, 4) * lineHeight)
}

// panes freezes the rows down to the header and, when the first column
// names the rows, that column too: both stay in view while scrolling a
// wide or long table.
func panes(t *Table, headerRow int) *excelize.Panes {
	x := 0
	if t.Columns[0].Kind == Text && len(t.Columns) > 1 {
		x = 1
	}
	pane := "bottomLeft"
	if x > 0 {
		pane = "bottomRight"
	}
	top := cellName(x+1, headerRow+1)
	return &excelize.Panes{Freeze: true, XSplit: x, YSplit: headerRow, TopLeftCell: top, ActivePane: pane,
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: pane}}}
}

// cellName is excelize.CoordinatesToCellName for coordinates known valid.
func cellName(col, row int) string {
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		panic(err) // writeSheet checked that the table fits in a sheet
	}
	return name
}
