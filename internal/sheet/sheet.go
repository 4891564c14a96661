// Package sheet writes tables that people open in a spreadsheet, as CSV
// (';' separated, UTF-8 with a byte-order mark, French decimal commas) or as
// XLSX (real numbers with number formats, so that columns can be summed).
// A Table says what each column holds; the writers decide how it looks.
package sheet

import (
	"fmt"
	"io"
	"strconv"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/csvfile"
)

// Kind says how a column's values are written.
type Kind int

// Kinds of column. Every kind but Text reads Cell.N, an integer, so that
// amounts and rates are exact until they are written.
const (
	Text    Kind = iota // string
	Int                 // integer count
	Euros               // value in cents, written as euros
	Percent             // value in basis points, written as a percentage
	Hours               // value in minutes, written as hours with one decimal
	Days                // integer days
)

// Column is a column's header and the kind of its values.
type Column struct {
	Header string
	Kind   Kind
}

// Cell is one value: Text for Text columns, N for the others; Empty leaves
// the cell blank (a value that has no meaning, shown "—" on screen).
type Cell struct {
	Text  string
	N     int64
	Empty bool
}

// Table is what a writer writes: a title, notes, a header and rows whose
// cells follow Columns.
type Table struct {
	// Title is the sheet's name in XLSX (shortened to what Excel accepts)
	// and, in full, its first line.
	Title string
	// Notes are lines written above the header in XLSX only (e.g.
	// "Chiffres arrêtés le …"); CSV stays a plain table, header first.
	Notes   []string
	Columns []Column
	Rows    [][]Cell
}

// check reports a row whose length does not match the columns: writing it
// would shift values under the wrong headers.
func (t *Table) check() error {
	if len(t.Columns) == 0 {
		return fmt.Errorf("sheet %q: no column", t.Title)
	}
	for i, row := range t.Rows {
		if len(row) != len(t.Columns) {
			return fmt.Errorf("sheet %q: row %d has %d cells, want %d", t.Title, i+1, len(row), len(t.Columns))
		}
	}
	return nil
}

// WriteCSV writes t as CSV: byte-order mark, header, then one line per row,
// ';' separated, numbers with a decimal comma and no grouping, which French
// spreadsheets read as numbers, text through csvfile's rule for cells.
// Title and notes are not written, so the file stays a plain table that
// programs can read too.
func WriteCSV(w io.Writer, t *Table) error {
	if err := t.check(); err != nil {
		return err
	}
	cw := csvfile.NewWriter(w)
	rec := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		rec[i] = c.Header
	}
	if err := cw.Write(rec); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, row := range t.Rows {
		for i, c := range row {
			rec[i] = csvValue(t.Columns[i].Kind, c)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// csvValue writes one cell as CSV text.
func csvValue(k Kind, c Cell) string {
	if c.Empty {
		return ""
	}
	switch k {
	case Text:
		return c.Text // csvfile.Writer defuses it
	case Euros:
		return passnum.EurosCell(c.N)
	case Percent:
		// Basis points are hundredths of a percent: the same two decimals
		// as cents of a euro.
		return passnum.EurosCell(c.N)
	case Hours:
		return tenths(c.N)
	}
	return strconv.FormatInt(c.N, 10)
}

// tenths writes minutes as hours with one decimal, rounded half away from
// zero as a spreadsheet rounds the XLSX value for display: 750 → "12,5".
func tenths(minutes int64) string {
	sign := ""
	if minutes < 0 {
		sign, minutes = "-", -minutes
	}
	t := (minutes*10 + 30) / 60
	return fmt.Sprintf("%s%d,%d", sign, t/10, t%10)
}
