package passnum

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// The characters text may hold: one rule for every text people or
// programs give the platform (names, titles, references, notes…), applied
// by the service to its inputs, so that the API, the pages, the command
// line and the imports refuse alike, and by the writers of files, for what
// was stored before the rule.
//
// Refused everywhere:
//   - bytes that are not UTF-8, and U+FFFD, the replacement character,
//     which only a failed conversion puts in text (a JSON decoder turns a
//     lone surrogate "\ud800" into it without a word);
//   - the C0 controls (U+0000–U+001F: NUL, BEL, ESC…), DEL (U+007F) and
//     the C1 controls (U+0080–U+009F): invisible, they end strings in C
//     programs, ring terminals, move cursors, and no keyboard types them;
//   - the bidirectional controls: embeddings and overrides (U+202A–U+202E),
//     isolates (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C).
//     They reorder what is shown without changing what is stored
//     ("Trojan Source"): a name with U+202E reads backwards on a statement,
//     and two names that look the same differ. French text never needs
//     them;
//   - the line and paragraph separators U+2028 and U+2029, line breaks that
//     most programs do not recognise as such.
//
// A multi-line field (notes, descriptions, the reason of a decision; its
// struct field is tagged `text:"multiline"`) may hold line feeds, carriage
// returns before a line feed (a browser's text area sends CRLF) and tabs
// (pasted from a document; harmless inside a paragraph). A one-line field
// (a name, a title, a reference, an e-mail, a code) may hold none of them:
// a line break would split a line of a file or of a log, and a tab starts
// a formula in a spreadsheet.

// controlRune tells whether r is refused in every text (see above).
func controlRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// bidiRune tells whether r is one of the bidirectional controls.
func bidiRune(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// CheckLine checks the text of a one-line field: an EINVALID error with
// reason ReasonControlCharacter, naming field, when s holds a character
// the rule refuses, a line break or a tab.
func CheckLine(field, s string) error { return checkText(field, s, false) }

// CheckText checks the text of a multi-line field: as CheckLine, but line
// feeds, tabs and carriage returns before a line feed are allowed.
func CheckText(field, s string) error { return checkText(field, s, true) }

func checkText(field, s string, multiline bool) error {
	// The common case, printable ASCII, costs one pass over the bytes.
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return nil
	}
	bad := func(format string, args ...any) error {
		return &Error{Code: EINVALID, Reason: ReasonControlCharacter, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return bad("Ce texte contient des octets qui ne sont pas du texte UTF-8 : envoyez-le encodé en UTF-8.")
			}
			return bad("Ce texte contient le caractère de remplacement « \ufffd » (U+FFFD), trace d'une conversion ratée : corrigez le texte d'origine.")
		case !controlRune(r):
		case multiline && (r == '\n' || r == '\t' || r == '\r' && strings.HasPrefix(s[i+1:], "\n")):
		case r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029:
			return bad("Ce champ tient sur une ligne : retirez le retour à la ligne.")
		case r == '\t':
			return bad("Ce champ ne peut pas contenir de tabulation : remplacez-la par une espace.")
		case bidiRune(r):
			return bad("Ce texte contient un caractère invisible qui change le sens de l'écriture (U+%04X) : retirez-le, par exemple en retapant le texte au lieu de le coller.", r)
		default:
			return bad("Ce texte contient un caractère de contrôle invisible (U+%04X) : retirez-le, par exemple en retapant le texte au lieu de le coller.", r)
		}
	}
	return nil
}

// CheckStrings checks every string of v, a struct or a pointer to one:
// CheckText for the fields tagged `text:"multiline"`, CheckLine for the
// others, through nested structs, pointers, slices and maps (keys too). A
// field is named by its JSON name, as the service's other errors name
// them. It returns the first problem, nil when there is none.
func CheckStrings(v any) error {
	var first error
	walkStrings(reflect.ValueOf(v), "", false, func(err *Error) bool {
		first = err
		return false
	})
	return first
}

// checkAllStrings is CheckStrings returning every problem, one per field.
func checkAllStrings(v any) []*Error {
	var errs []*Error
	seen := map[string]bool{}
	walkStrings(reflect.ValueOf(v), "", false, func(err *Error) bool {
		if !seen[err.Field] {
			seen[err.Field] = true
			errs = append(errs, err)
		}
		return true
	})
	return errs
}

// walkStrings calls bad with the error of each string of v that the rule
// refuses, until bad returns false; it returns false then.
func walkStrings(v reflect.Value, field string, multiline bool, bad func(*Error) bool) bool {
	switch v.Kind() {
	case reflect.String:
		if err := checkText(field, v.String(), multiline); err != nil {
			return bad(err.(*Error))
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return walkStrings(v.Elem(), field, multiline, bad)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := field // an embedded struct's fields are named on their own
			if !f.Anonymous {
				name = jsonName(f)
			}
			if !walkStrings(v.Field(i), name, f.Tag.Get("text") == "multiline", bad) {
				return false
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return true // bytes, not text
		}
		for i := range v.Len() {
			if !walkStrings(v.Index(i), field, multiline, bad) {
				return false
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if !walkStrings(it.Key(), field, false, bad) || !walkStrings(it.Value(), field, multiline, bad) {
				return false
			}
		}
	}
	return true
}

// jsonName is the name of a struct field in JSON.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" || name == "-" {
		return strings.ToLower(f.Name)
	}
	return name
}

// CleanText returns s as files may hold it, for text stored before the
// rule or that never went through it: bytes that are not UTF-8 become
// U+FFFD, a tab a space, CRLF a line feed, and every other character the
// rule refuses is dropped; line feeds stay.
func CleanText(s string) string { return cleanText(s, '\n') }

// CleanLine is CleanText for one line: line breaks become spaces too.
func CleanLine(s string) string { return cleanText(s, ' ') }

func cleanText(s string, lineBreak rune) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && (c != '\n' || lineBreak != '\n') || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r == '\r' && strings.HasPrefix(s[i+1:], "\n"):
		case r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029:
			b.WriteRune(lineBreak)
		case controlRune(r):
		default:
			b.WriteRune(r) // utf8.RuneError for a byte that is not UTF-8
		}
	}
	return b.String()
}
