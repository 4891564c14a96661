package mednum

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/csvfile"
)

const bom = "\ufeff"

// skipBOM drops a UTF-8 byte order mark at the start of br.
func skipBOM(br *bufio.Reader) bool {
	if b, err := br.Peek(len(bom)); err == nil && string(b) == bom {
		br.Discard(len(bom))
		return true
	}
	return false
}

// detectComma chooses the separator of a CSV file from its header line:
// ';' when it has more semicolons than commas outside quotes, else ','.
func detectComma(header string) rune {
	commas, semicolons, quoted := 0, 0, false
	for _, r := range header {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == ',':
			commas++
		case r == ';':
			semicolons++
		}
	}
	if semicolons > commas {
		return ';'
	}
	return ','
}

// ReadCSV reads a CSV file of the standard (see the package documentation
// for what it accepts). It returns the venues of the lines without
// problems and every problem found; callers import the rows only when
// there is no problem.
func ReadCSV(r io.Reader) ([]passnum.ImportRow, []passnum.ImportProblem) {
	br := bufio.NewReaderSize(r, 64<<10)
	hasBOM := skipBOM(br)
	// The header line chooses the separator; it is then read again, by the
	// CSV reader, so that line numbers count it.
	header, err := br.ReadString('\n')
	if err != nil && err != io.EOF {
		return nil, []passnum.ImportProblem{{Line: 1, Message: fmt.Sprintf("Lecture du fichier impossible : %v.", err)}}
	}
	cr := csv.NewReader(io.MultiReader(strings.NewReader(header), br))
	cr.Comma = detectComma(header)
	// Only a file shaped like WriteSpreadsheetCSV's (a byte-order mark and
	// ';') has the apostrophes that keep formulas inert undone: the
	// standard's own CSV keeps the exact text, and a text that begins with
	// an apostrophe there ("'\n…", "'=…") is the text.
	spreadsheet := hasBOM && cr.Comma == ';'
	cr.FieldsPerRecord = -1 // a wrong count is reported with its line, not as a parse error
	cr.ReuseRecord = true

	var (
		rows     []passnum.ImportRow
		problems []passnum.ImportProblem
		cols     []int // column of the standard of each field of a record
		check    = newChecker()
		lastLine = 1
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			problems = append(problems, passnum.ImportProblem{Line: pe.StartLine, Message: csvErrorMessage(pe)})
			if cols == nil { // the header itself is unreadable
				return nil, problems
			}
			continue
		}
		if err != nil {
			problems = append(problems, passnum.ImportProblem{Line: lastLine + 1, Message: fmt.Sprintf("Lecture du fichier impossible : %v.", err)})
			return nil, problems
		}
		line, _ := cr.FieldPos(0)
		lastLine = line
		if cols == nil {
			var hp []passnum.ImportProblem
			if cols, hp = readHeader(rec, line); hp != nil {
				return nil, hp
			}
			continue
		}
		if blank(rec) { // a spreadsheet's trailing ";;;;"
			continue
		}
		if len(rec) != len(cols) {
			problems = append(problems, passnum.ImportProblem{Line: line, Message: fmt.Sprintf(
				"%d valeurs au lieu de %d, une par colonne : un séparateur « %c » en trop ou manquant, ou un texte qui en contient un sans être entre guillemets ?",
				len(rec), len(cols), cr.Comma)})
			continue
		}
		if !validUTF8(rec) {
			problems = append(problems, passnum.ImportProblem{Line: line, Message: notUTF8})
			continue
		}
		// The venue is read in place, and dropped if it has a problem.
		rows = append(rows, passnum.ImportRow{Line: line})
		v := &rows[len(rows)-1].Venue
		if rp := check.check(v, line, "", readRecord(v, rec, cols, line, spreadsheet)); len(rp) > 0 {
			problems = append(problems, rp...)
			rows = rows[:len(rows)-1]
		}
	}
	if cols == nil && len(problems) == 0 {
		return nil, []passnum.ImportProblem{{Line: 1, Message: "Le fichier est vide : il faut une ligne d'en-tête (" + strings.Join(passnum.StandardRequired, ",") + ",…) puis un lieu par ligne."}}
	}
	if len(rows) == 0 && len(problems) == 0 {
		return nil, []passnum.ImportProblem{{Line: 2, Message: "Aucun lieu : le fichier n'a que sa ligne d'en-tête."}}
	}
	return rows, problems
}

// readHeader maps the fields of the header to the standard's columns.
func readHeader(rec []string, line int) ([]int, []passnum.ImportProblem) {
	var problems []passnum.ImportProblem
	cols := make([]int, len(rec))
	seen := map[int]int{} // column → position in the header, from 1
	for i, name := range rec {
		if !utf8.ValidString(name) {
			return nil, []passnum.ImportProblem{{Line: line, Message: notUTF8}}
		}
		c, ok := lookupColumn(name)
		switch {
		case strings.TrimSpace(name) == "":
			problems = append(problems, passnum.ImportProblem{Line: line, Message: fmt.Sprintf(
				"La colonne n°%d n'a pas de nom : retirez-la (un séparateur en trop en fin de ligne ?).", i+1)})
		case !ok:
			problems = append(problems, passnum.ImportProblem{Line: line, Field: name, Message: fmt.Sprintf(
				"Colonne inconnue « %s » (colonne n°%d) : le standard ne connaît que %s.", name, i+1, strings.Join(passnum.StandardFields, ", "))})
		case seen[c] > 0:
			problems = append(problems, passnum.ImportProblem{Line: line, Field: columns[c].name, Message: fmt.Sprintf(
				"La colonne %s figure deux fois (colonnes n°%d et n°%d).", columns[c].name, seen[c], i+1)})
		default:
			seen[c] = i + 1
		}
		cols[i] = c
	}
	for _, name := range passnum.StandardRequired {
		if seen[columnIndex[name]] == 0 {
			problems = append(problems, passnum.ImportProblem{Line: line, Field: name, Message: fmt.Sprintf(
				"La colonne obligatoire %s manque dans la ligne d'en-tête.", name)})
		}
	}
	if problems != nil {
		return nil, problems
	}
	return cols, nil
}

const notUTF8 = "Le texte n'est pas en UTF-8 : enregistrez le fichier au format « CSV UTF-8 » (dans un tableur : Enregistrer sous, puis ce type de fichier)."

func validUTF8(rec []string) bool {
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return false
		}
	}
	return true
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// readRecord fills v from one record; it returns the problems of the
// fields that could not be read (Validate finds the others). In a file
// written for a spreadsheet, it undoes csvfile.Defuse.
func readRecord(v *passnum.Venue, rec []string, cols []int, line int, spreadsheet bool) []passnum.ImportProblem {
	var problems []passnum.ImportProblem
	for i, s := range rec {
		if spreadsheet {
			s = csvfile.Restore(s)
		}
		c := columns[cols[i]]
		switch c.kind {
		case kindText:
			*c.text(v) = s
		case kindCoord:
			f, p := parseCoord(c.name, s)
			if p != nil {
				p.Line = line
				problems = append(problems, *p)
			}
			*c.coord(v) = f
		default:
			*c.list(v) = splitList(c.kind, s)
		}
	}
	return problems
}

// csvErrorMessage puts an error of encoding/csv in French.
func csvErrorMessage(pe *csv.ParseError) string {
	where := fmt.Sprintf("ligne %d, caractère %d", pe.Line, pe.Column)
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return "Guillemet (\") au milieu d'une valeur sans guillemets (" + where + ") : mettez la valeur entre guillemets et doublez ceux qu'elle contient (\"\")."
	case errors.Is(pe.Err, csv.ErrQuote):
		if pe.Line > pe.StartLine {
			return fmt.Sprintf("Guillemet non fermé : la valeur ouverte par un guillemet ligne %d ne se termine pas (%s).", pe.StartLine, where)
		}
		return "Guillemet mal placé (" + where + ") : après le guillemet qui ferme une valeur vient le séparateur ; un guillemet dans une valeur s'écrit \"\"."
	}
	return fmt.Sprintf("CSV illisible (%s) : %v.", where, pe.Err)
}

// WriteCSV writes venues as a ','-separated CSV file of the standard, for
// the programs that read it (data.gouv.fr, the national map): the header
// of passnum.StandardFields, then one line per venue, text exactly as
// stored, but for the control characters that no file holds
// (passnum.CleanText).
func WriteCSV(w io.Writer, venues []*passnum.Venue) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := writeRecords(venues, cw.Write); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteSpreadsheetCSV writes venues as the same table for people who open
// it in a spreadsheet, through csvfile.Writer: ';' separated, with a byte
// order mark, and no cell a spreadsheet would run as a formula (a name
// "=HYPERLINK(…)" or a phone "+33…" gets a leading apostrophe, which the
// spreadsheet does not show). ReadCSV takes such a file back.
func WriteSpreadsheetCSV(w io.Writer, venues []*passnum.Venue) error {
	bw := bufio.NewWriter(w)
	cw := csvfile.NewWriter(bw)
	if err := writeRecords(venues, cw.Write); err != nil {
		return err
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// writeRecords writes the header, then one record per venue.
func writeRecords(venues []*passnum.Venue, write func([]string) error) error {
	if err := write(passnum.StandardFields); err != nil {
		return err
	}
	rec := make([]string, len(columns))
	for _, v := range venues {
		if err := fields(v, rec); err != nil {
			return err
		}
		if err := write(rec); err != nil {
			return err
		}
	}
	return nil
}

// fields writes the cells of v into rec, one per column.
func fields(v *passnum.Venue, rec []string) error {
	for i, c := range columns {
		switch c.kind {
		case kindText:
			rec[i] = passnum.CleanText(*c.text(v))
			if c.name == "horaires" {
				rec[i] = canonicalHours(rec[i])
			}
		case kindCoord:
			rec[i] = ""
			if f := *c.coord(v); f != nil {
				rec[i] = formatCoord(*f)
			}
		default:
			s, ok := joinList(c.kind, *c.list(v))
			if !ok {
				return passnum.Invalid(c.name, "Lieu « %s » (%s) : une valeur de %s contient « | », le séparateur de listes du standard ; corrigez-la avant l'export.", v.Name, v.ID, c.name)
			}
			rec[i] = passnum.CleanText(s)
		}
	}
	return nil
}
