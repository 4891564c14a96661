// Package csvfile writes the CSV files people open in a spreadsheet: ';'
// separated, UTF-8 with a byte-order mark (so that Excel reads the
// accents), amounts in euros with a decimal comma and no grouping, which
// French spreadsheets read as numbers. One format per document, written in
// one place for the API and the web pages.
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
// evaluated when the file is opened. A cell starting with = + - @, a tab or
// a carriage return gets a leading apostrophe, as OWASP advises, unless it
// is a number ("-2"). XLSX needs nothing: a string cell is never a formula.
func Defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}

// Euros writes cents as euros with a decimal comma and no grouping:
// "1234,50".
func Euros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d,%02d", sign, cents/100, cents%100)
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
	if _, err := io.WriteString(w, BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	if err := cw.Write(StatementColumns); err != nil {
		return err
	}
	for _, l := range st.Lines {
		shares := make([]string, len(l.Shares))
		for i, sh := range l.Shares {
			shares[i] = fmt.Sprintf("%d=%s", sh.FunderID, Euros(sh.AmountCents))
		}
		session := ""
		if l.SessionID != 0 {
			session = strconv.FormatInt(l.SessionID, 10)
		}
		if err := cw.Write([]string{strconv.FormatInt(st.ID, 10), st.VenueName, st.CutOff, st.Reference, passnum.FormatSerial(l.Serial),
			strconv.FormatInt(l.RedemptionID, 10), l.RedeemedAt.In(paris).Format("2006-01-02 15:04"), l.ServiceTitle, session,
			strconv.FormatInt(l.ProgrammeID, 10), Euros(l.AmountCents), strings.Join(shares, "|")}); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("statement %d csv: %w", st.ID, err)
	}
	return nil
}
