package mednum

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// lineCounter passes a reader through and tells the line of an offset in
// what went through. Offsets are asked in increasing order; it keeps only
// the bytes read past the last offset asked, so the memory it holds is the
// read-ahead of the JSON decoder.
type lineCounter struct {
	r       io.Reader
	pending []byte // bytes from base on
	base    int64
	line    int // line of base, from 1
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.pending = append(c.pending, p[:n]...)
	return n, err
}

// lineAt returns the line of offset off (clamped to what was read).
func (c *lineCounter) lineAt(off int64) int {
	k := min(max(off-c.base, 0), int64(len(c.pending)))
	c.line += bytes.Count(c.pending[:k], []byte{'\n'})
	c.pending = c.pending[k:]
	if cap(c.pending) > 1<<20 && len(c.pending) < cap(c.pending)/4 {
		c.pending = append([]byte(nil), c.pending...) // let the old buffer go
	}
	c.base += k
	return c.line
}

// ReadJSON reads a JSON file of the standard: an array of objects whose
// keys are the standard's columns. A multi-valued field is an array of
// strings or a string joined by '|', ';' or ',' (as in CSV); latitude and
// longitude are numbers or numeric strings; null is an absent value. The
// line of a problem is where its object starts; its message names the
// object by its rank ("objet n°3 : …"). The file is read as a stream, one
// object at a time.
func ReadJSON(r io.Reader) ([]passnum.ImportRow, []passnum.ImportProblem) {
	br := bufio.NewReaderSize(r, 64<<10)
	skipBOM(br)
	lc := &lineCounter{r: br, line: 1}
	dec := json.NewDecoder(lc)
	syntax := func(err error) []passnum.ImportProblem {
		line := lc.line
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			line = lc.lineAt(se.Offset)
			return []passnum.ImportProblem{{Line: line, Message: "JSON illisible : " + jsonSyntaxMessage(se) + "."}}
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return []passnum.ImportProblem{{Line: lc.lineAt(dec.InputOffset() + 1<<30), Message: "JSON incomplet : le fichier s'arrête avant la fin du tableau (un « ] » ou un « } » manque)."}}
		}
		return []passnum.ImportProblem{{Line: line, Message: fmt.Sprintf("Lecture du fichier impossible : %v.", err)}}
	}

	tok, err := dec.Token()
	if err == io.EOF {
		return nil, []passnum.ImportProblem{{Line: 1, Message: "Le fichier est vide : il faut un tableau JSON d'objets, [ {…}, {…} ]."}}
	}
	if err != nil {
		return nil, syntax(err)
	}
	if tok != json.Delim('[') {
		return nil, []passnum.ImportProblem{{Line: lc.lineAt(dec.InputOffset()), Message: "Le fichier doit contenir un tableau JSON d'objets, [ {…}, {…} ], un objet par lieu."}}
	}
	var (
		rows     []passnum.ImportRow
		problems []passnum.ImportProblem
		check    = newChecker()
	)
	for n := 1; dec.More(); n++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, append(problems, syntax(err)...)
		}
		// raw is the object's exact text: it starts len(raw) bytes before
		// the decoder's position.
		line := lc.lineAt(dec.InputOffset() - int64(len(raw)))
		prefix := fmt.Sprintf("objet n°%d : ", n)
		v, op := readObject(raw, line, prefix)
		if v != nil {
			op = check.check(v, line, prefix, op)
		}
		if len(op) > 0 {
			problems = append(problems, op...)
			continue
		}
		rows = append(rows, passnum.ImportRow{Line: line, Venue: *v})
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return nil, append(problems, syntax(err)...)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, append(problems, passnum.ImportProblem{Line: lc.lineAt(dec.InputOffset()),
			Message: "Texte après la fin du tableau JSON : un fichier contient un seul tableau, [ {…}, {…} ]."})
	}
	if len(rows) == 0 && len(problems) == 0 {
		return nil, []passnum.ImportProblem{{Line: 1, Message: "Aucun lieu : le tableau JSON est vide."}}
	}
	return rows, problems
}

// readObject builds the venue of one JSON object. It returns a nil venue
// when raw is not an object.
func readObject(raw json.RawMessage, line int, prefix string) (*passnum.Venue, []passnum.ImportProblem) {
	bad := func(field, format string, args ...any) passnum.ImportProblem {
		return passnum.ImportProblem{Line: line, Field: field, Message: prefix + fmt.Sprintf(format, args...)}
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, []passnum.ImportProblem{bad("", "un objet { \"id\": …, \"nom\": … } est attendu, pas %s.", jsonKind(raw))}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.Token() // '{': raw is a valid object
	v := new(passnum.Venue)
	var problems []passnum.ImportProblem
	seen := map[int]bool{}
	for dec.More() {
		tok, _ := dec.Token()
		key := tok.(string)
		var value json.RawMessage
		dec.Decode(&value)
		c, ok := lookupColumn(key)
		switch {
		case !ok:
			problems = append(problems, bad(key, "clé inconnue « %s » : le standard ne connaît que %s.", key, strings.Join(passnum.StandardFields, ", ")))
			continue
		case seen[c]:
			problems = append(problems, bad(columns[c].name, "la clé %s figure deux fois.", columns[c].name))
			continue
		}
		seen[c] = true
		col := columns[c]
		if string(value) == "null" {
			continue
		}
		switch col.kind {
		case kindText:
			var s string
			if err := json.Unmarshal(value, &s); err != nil {
				problems = append(problems, bad(col.name, "%s : un texte entre guillemets est attendu, pas %s.", col.name, jsonKind(value)))
				continue
			}
			*col.text(v) = s
		case kindCoord:
			var s string
			switch value[0] {
			case '"':
				json.Unmarshal(value, &s)
			case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
				s = string(value)
				if f, err := strconv.ParseFloat(s, 64); err == nil {
					*col.coord(v) = &f
					continue
				}
			default:
				problems = append(problems, bad(col.name, "%s : un nombre est attendu, pas %s.", col.name, jsonKind(value)))
				continue
			}
			f, p := parseCoord(col.name, s)
			if p != nil {
				problems = append(problems, bad(col.name, "%s", p.Message))
			}
			*col.coord(v) = f
		default:
			var s string
			var list []string
			if err := json.Unmarshal(value, &s); err == nil {
				list = splitList(col.kind, s)
			} else if err := json.Unmarshal(value, &list); err != nil {
				problems = append(problems, bad(col.name, "%s : une liste de textes [\"…\", \"…\"] ou un texte (valeurs séparées par « | ») est attendu, pas %s.", col.name, jsonKind(value)))
				continue
			}
			*col.list(v) = list
		}
	}
	return v, problems
}

// jsonKind names the kind of a JSON value for an error message.
func jsonKind(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "rien"
	}
	switch raw[0] {
	case '{':
		return "un objet"
	case '[':
		return "une liste"
	case '"':
		return "un texte"
	case 't', 'f':
		return "un booléen (" + string(raw) + ")"
	case 'n':
		return "null"
	}
	return "un nombre (" + string(raw) + ")"
}

// jsonSyntaxMessage puts the JSON decoder's message in French.
func jsonSyntaxMessage(se *json.SyntaxError) string {
	msg := se.Error()
	var what string
	if m := invalidCharacter.FindStringSubmatch(msg); m != nil {
		what = "caractère « " + m[1] + " » inattendu"
		msg = m[2]
	}
	for _, t := range []struct{ english, french string }{
		{"after array element", "une virgule manque entre deux valeurs de la liste"},
		{"expected comma after array element", "une virgule manque entre deux objets, ou il y en a une en trop"},
		{"after object key:value pair", "une virgule manque entre deux clés de l'objet"},
		{"after object key", "un deux-points manque après la clé"},
		{"looking for beginning of object key string", "un nom de clé entre guillemets est attendu (une virgule en trop avant « } » ?)"},
		{"looking for beginning of value", "une valeur est attendue (une virgule en trop, ou un texte sans guillemets ?)"},
		{"in string literal", "un texte ne peut contenir de retour à la ligne ni de tabulation : ils s'écrivent \\n et \\t"},
		{"in literal", "seuls true, false et null s'écrivent sans guillemets"},
		{"in numeric literal", "nombre mal écrit"},
	} {
		if msg == t.english {
			if what != "" {
				return what + " : " + t.french
			}
			return t.french
		}
	}
	if what != "" {
		return what + " (" + msg + ")"
	}
	return msg
}

var invalidCharacter = regexp.MustCompile(`^invalid character '(.+)' (.*)$`)

// WriteJSON writes venues as a JSON file of the standard: an array of
// objects with the standard's keys in its order, one object per line. As
// in the standard's own tools, multi-valued fields are strings joined by
// '|' and latitude and longitude are numbers; empty optional fields are
// left out.
func WriteJSON(w io.Writer, venues []*passnum.Venue) error {
	bw := bufio.NewWriter(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	str := func(s string) {
		enc.Encode(s)
		buf.Truncate(buf.Len() - 1) // Encode's newline
	}
	rec := make([]string, len(columns))
	bw.WriteString("[")
	for i, v := range venues {
		if err := fields(v, rec); err != nil {
			return err
		}
		buf.Reset()
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n{")
		first := true
		for j, c := range columns {
			if rec[j] == "" && !isRequired(c.name) {
				continue
			}
			if !first {
				buf.WriteByte(',')
			}
			first = false
			str(c.name)
			buf.WriteByte(':')
			if c.kind == kindCoord {
				buf.WriteString(rec[j])
			} else {
				str(rec[j])
			}
		}
		buf.WriteByte('}')
		if _, err := bw.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	if len(venues) > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}
