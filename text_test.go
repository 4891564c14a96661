package passnum

import (
	"errors"
	"strings"
	"testing"
)

// hostileTexts are texts no field may hold, with what the message must
// say about each.
var hostileTexts = []struct {
	name, text, says string
}{
	{"NUL", "Le Grand\x00Clic", "U+0000"},
	{"BEL", "Atelier\a", "U+0007"},
	{"ESC", "\x1b[31mRouge", "U+001B"},
	{"DEL", "Clic\x7f", "U+007F"},
	{"C1 NEL", "Clic\u0085", "U+0085"},
	{"C1 CSI", "Clic\u009b", "U+009B"},
	{"right-to-left override", "Facture \u202egdp.exe", "U+202E"},
	{"left-to-right embedding", "\u202aClic", "U+202A"},
	{"first strong isolate", "Clic\u2068", "U+2068"},
	{"pop directional isolate", "Clic\u2069", "U+2069"},
	{"right-to-left mark", "Clic\u200f", "U+200F"},
	{"arabic letter mark", "Clic\u061c", "U+061C"},
	{"line separator", "Clic\u2028Clac", "ligne"},
	{"invalid UTF-8", "Caf\xe9", "UTF-8"},
	{"truncated UTF-8", "Caf\xc3", "UTF-8"},
	{"replacement character", "Caf\ufffd", "U+FFFD"},
}

func TestCheckTextRefuses(t *testing.T) {
	for _, h := range hostileTexts {
		for _, check := range []func(string, string) error{CheckLine, CheckText} {
			err := check("nom", h.text)
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("%s: %v, want an error", h.name, err)
				continue
			}
			if e.Code != EINVALID || e.Reason != ReasonControlCharacter || e.Field != "nom" || !strings.Contains(e.Message, h.says) {
				t.Errorf("%s: %+v, want %s, %s on nom saying %q", h.name, e, EINVALID, ReasonControlCharacter, h.says)
			}
		}
	}
}

func TestCheckTextLines(t *testing.T) {
	for _, c := range []struct {
		text           string
		line, multiple bool // accepted in a one-line field, in a multi-line one
	}{
		{"Le Grand Clic", true, true},
		{"Médiathèque « Les Champs Libres » — 1ᵉʳ étage, 10 € ; l’accueil", true, true},
		{"مكتبة عامة", true, true},  // right-to-left script, without controls
		{"👩‍💻 Atelier", true, true}, // a zero width joiner is not a control
		{"", true, true},
		{"Ligne 1\nLigne 2", false, true},
		{"Ligne 1\r\nLigne 2", false, true},
		{"Colonne\tColonne", false, true},
		{"Ligne 1\rLigne 2", false, false}, // a lone CR is no line break anywhere but on old Macs
		{"Fin\r", false, false},
	} {
		if err := CheckLine("nom", c.text); (err == nil) != c.line {
			t.Errorf("CheckLine(%q) = %v, want accepted %v", c.text, err, c.line)
		}
		if err := CheckText("notes", c.text); (err == nil) != c.multiple {
			t.Errorf("CheckText(%q) = %v, want accepted %v", c.text, err, c.multiple)
		}
	}
}

func TestCheckStrings(t *testing.T) {
	type inner struct {
		Labels []string          `json:"labels"`
		Notes  string            `json:"notes" text:"multiline"`
		Extra  map[string]string `json:"extra"`
	}
	type input struct {
		Name  string  `json:"nom"`
		Inner inner   `json:"inner"`
		Ptr   *inner  `json:"ptr,omitempty"`
		Bytes []byte  `json:"bytes"`
		Other float64 `json:"other"`
	}
	for _, c := range []struct {
		name  string
		in    input
		field string // "" when accepted
	}{
		{"clean", input{Name: "Clic", Inner: inner{Notes: "a\nb\tc", Labels: []string{"x"}}, Bytes: []byte{0, 7}}, ""},
		{"name", input{Name: "Cl\x00ic"}, "nom"},
		{"line break in a one-line field", input{Name: "Cl\nic"}, "nom"},
		{"list value", input{Inner: inner{Labels: []string{"ok", "b\u202ead"}}}, "labels"},
		{"multi-line field", input{Inner: inner{Notes: "a\x07"}}, "notes"},
		{"through a pointer", input{Ptr: &inner{Notes: "\u2066"}}, "notes"},
		{"map key", input{Inner: inner{Extra: map[string]string{"k\x00": "v"}}}, "extra"},
		{"map value", input{Inner: inner{Extra: map[string]string{"k": "v\n"}}}, "extra"},
	} {
		err := CheckStrings(&c.in)
		var e *Error
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v, want accepted", c.name, err)
		case c.field != "" && (!errors.As(err, &e) || e.Field != c.field || e.Reason != ReasonControlCharacter):
			t.Errorf("%s: %v, want refused on %s", c.name, err, c.field)
		}
	}
}

func TestCleanText(t *testing.T) {
	for _, c := range []struct{ in, text, line string }{
		{"Le Grand Clic", "Le Grand Clic", "Le Grand Clic"},
		{"Le Grand\x00 Clic\a", "Le Grand Clic", "Le Grand Clic"},
		{"Facture \u202egdp.exe\u202c", "Facture gdp.exe", "Facture gdp.exe"},
		{"a\r\nb\nc\rd", "a\nb\nc\nd", "a b c d"},
		{"a\tb", "a b", "a b"},
		{"\u0085C1\u009f", "C1", "C1"},
		{"Caf\xe9", "Caf\ufffd", "Caf\ufffd"},
		{"Médiathèque « Les Champs Libres »", "Médiathèque « Les Champs Libres »", "Médiathèque « Les Champs Libres »"},
	} {
		if got := CleanText(c.in); got != c.text {
			t.Errorf("CleanText(%q) = %q, want %q", c.in, got, c.text)
		}
		if got := CleanLine(c.in); got != c.line {
			t.Errorf("CleanLine(%q) = %q, want %q", c.in, got, c.line)
		}
		// What the writers keep passes the rule, but for U+FFFD, which
		// marks where bytes were lost.
		if got := CleanText(c.in); !strings.ContainsRune(got, '\ufffd') && CheckText("x", got) != nil {
			t.Errorf("CleanText(%q) = %q, refused by CheckText", c.in, got)
		}
	}
}
