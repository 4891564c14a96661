// Package csvfile writes the CSV files people open in a spreadsheet: ';'
// separated, UTF-8 with a byte-order mark (so that Excel reads the
// accents), amounts in euros with a decimal comma and no grouping, which
// French spreadsheets read as numbers (passnum.EurosCell). Every such file goes through Writer,
// and so through one rule for its cells (Cell): nothing a spreadsheet would
// run as a formula, no control character. One format per document, written
// in one place for the API and the web pages.
package csvfile

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// BOM starts every file, for spreadsheets.
const BOM = "\ufeff"

// Defuse keeps a spreadsheet from running text typed by people (a venue, a
// commune, a note) as a formula: "=HYPERLINK(…)" in a CSV cell would be
// evaluated when the file is opened, "@SUM(…)" and "+1" too, and "-1+1".
// A cell starting with = + - @, a tab, a carriage return or a line feed,
// or with spaces before = + - @, gets a leading apostrophe, as OWASP
// advises, which spreadsheets read as "this is text" and do not show,
// unless it is a negative number written as this package writes them
// ("-2", "-2,50"). A text that itself begins with an apostrophe gets a
// second one, so that Restore can tell the two apart: "'=1" typed by a
// person is written with two apostrophes and read back as "'=1", never
// as "=1". XLSX needs nothing: a string cell is never a formula.
func Defuse(s string) string {
	if s == "" || negativeNumber(s) {
		return s
	}
	if s[0] == '\'' {
		return "'" + s
	}
	first := s[0]
	if t := strings.TrimLeft(s, " "); first == ' ' && t != "" {
		first = t[0]
	}
	if strings.IndexByte("=+-@\t\r\n", first) >= 0 {
		return "'" + s
	}
	return s
}

// Restore undoes Defuse, for a file written for a spreadsheet that comes
// back without having been opened in one (a spreadsheet drops the
// apostrophe itself): "'=1+1" is "=1+1", "'Rennes" stays as it is.
func Restore(s string) string {
	if t, ok := strings.CutPrefix(s, "'"); ok && Defuse(t) == s {
		return t
	}
	return s
}

// negativeNumber tells whether s is "-" then digits, with at most one
// decimal comma or point among them.
func negativeNumber(s string) bool {
	digits, separators := 0, 0
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case (c == ',' || c == '.') && digits > 0 && i < len(s)-1:
			separators++
		default:
			return false
		}
	}
	return s[0] == '-' && digits > 0 && separators <= 1
}

// Cell is the one rule for the text of a cell of a file meant for a
// spreadsheet: characters no text may hold (control characters, stored
// before passnum's rule refused them) are dropped and line breaks kept
// (passnum.CleanText), then the cell is defused (Defuse).
func Cell(s string) string { return Defuse(passnum.CleanText(s)) }

// Writer writes a CSV file for a spreadsheet: the byte-order mark, then
// records separated by ';', each cell through Cell. The zero value is not
// usable: call NewWriter.
type Writer struct {
	// CRLF ends records with "\r\n" instead of "\n", so that a line
	// break within a cell (a multi-line note) stands apart from the end of
	// a record for tools that read lines. Set it before the first Write.
	CRLF bool

	w       io.Writer
	cw      *csv.Writer
	started bool
	rec     []string
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	return &Writer{w: w, cw: cw}
}

// Write writes one record, the byte-order mark first.
func (w *Writer) Write(record []string) error {
	if !w.started {
		w.started = true
		w.cw.UseCRLF = w.CRLF
		if _, err := io.WriteString(w.w, BOM); err != nil {
			return err
		}
	}
	w.rec = w.rec[:0]
	for _, c := range record {
		w.rec = append(w.rec, Cell(c))
	}
	return w.cw.Write(w.rec)
}

// Flush writes what is buffered and returns the first error met.
func (w *Writer) Flush() error {
	w.cw.Flush()
	return w.cw.Error()
}

// StatementColumns are the columns of a statement's file, one line per
// pass; parts_financeurs lists each funder's part as "funder number=amount",
// separated by '|'.
var StatementColumns = []string{"releve", "lieu", "periode", "reference", "serie", "encaissement", "encaisse_le",
	"atelier", "seance", "programme", "montant_euros", "parts_financeurs"}

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// Statement writes a venue statement with its lines (FindStatement), times
// in Paris time.
func Statement(w io.Writer, st *passnum.Statement) error {
	cw := NewWriter(w)
	if err := cw.Write(StatementColumns); err != nil {
		return err
	}
	for _, l := range st.Lines {
		shares := make([]string, len(l.Shares))
		for i, sh := range l.Shares {
			shares[i] = fmt.Sprintf("%d=%s", sh.FunderID, passnum.EurosCell(sh.AmountCents))
		}
		session := ""
		if l.SessionID != 0 {
			session = strconv.FormatInt(l.SessionID, 10)
		}
		if err := cw.Write([]string{strconv.FormatInt(st.ID, 10), st.VenueName, st.CutOff, st.Reference, passnum.FormatSerial(l.Serial),
			strconv.FormatInt(l.RedemptionID, 10), l.RedeemedAt.In(paris).Format("2006-01-02 15:04"), l.ServiceTitle, session,
			strconv.FormatInt(l.ProgrammeID, 10), passnum.EurosCell(l.AmountCents), strings.Join(shares, "|")}); err != nil {
			return err
		}
	}
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("statement %d csv: %w", st.ID, err)
	}
	return nil
}
