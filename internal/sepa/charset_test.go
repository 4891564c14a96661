package sepa

import (
	"strings"
	"testing"
)

func TestTransliterate(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Médiathèque « L'Œil » & Cie", "Mediatheque L'OEil + Cie"},
		{"La “Fabrique”", "La 'Fabrique'"},
		{"Association Emmaüs Connect", "Association Emmaus Connect"},
		{"Ça Gère, l’Épicerie", "Ca Gere, l'Epicerie"},
		{"  Café\u202fde la\u00a0 Gare\t", "Cafe de la Gare"},
		{"Straße Æsop – Ødegård Łódź", "Strasse AEsop - Odegard Lodz"},
		{"Tiers-lieu_numérique; ouvert!", "Tiers-lieu-numerique, ouvert."},
		{"Fab[lab] {Nord}", "Fab(lab) (Nord)"},
		{`Le "Cyber" n° 3`, "Le 'Cyber' no 3"},
		{"contact@lieu.fr #1 *50%*", "contactlieu.fr 1 50"},
		{"Fête 🎉 ici", "Fete ici"},
		{"Prix : 5 €…", "Prix : 5 EUR..."},
		{"Ligne 1\r\nLigne 2", "Ligne 1 Ligne 2"},
		{"北京", ""},
		// Control characters stored before passnum's rule never reach the
		// bank's file.
		{"Le Grand\x00Clic\a\x1b\x7f\u0085 \u202eCilc\u202c\u2066", "Le GrandClic Cilc"},
		{"", ""},
		{"a/b-c?d:e(f)g.h,i'j+k", "a/b-c?d:e(f)g.h,i'j+k"}, // the whole set, unchanged
	}
	for _, tt := range tests {
		if got := Transliterate(tt.in); got != tt.want {
			t.Errorf("Transliterate(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Transliterate(tt.want); got != tt.want {
			t.Errorf("Transliterate(%q) = %q, not idempotent", tt.want, got)
		}
	}
}

func TestAppendTextCuts(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{strings.Repeat("é", 100), 70, strings.Repeat("e", 70)},
		{strings.Repeat("a", 70), 70, strings.Repeat("a", 70)},
		{"aaaa bbbb", 5, "aaaa"}, // no trailing space
		{"aaaa bbbb", 6, "aaaa b"},
		{"Œuvre", 1, "O"}, // a cut may fall inside a transliteration
		{"ab", 0, ""},
	}
	for _, tt := range tests {
		if got := string(appendText([]byte("x"), tt.in, tt.max)); got != "x"+tt.want {
			t.Errorf("appendText(%q, %d) = %q, want %q", tt.in, tt.max, got[1:], tt.want)
		}
	}
}

// FuzzTransliterate checks that whatever goes in, what comes out is in
// the set, trimmed, without two spaces in a row, and stays as it is when
// transliterated again.
func FuzzTransliterate(f *testing.F) {
	for _, s := range []string{"Médiathèque « L'Œil » & Cie", " a  b ", "\u00a0\u202f", "🎉"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Transliterate(s)
		if got != "" && !clean(got) {
			t.Fatalf("Transliterate(%q) = %q, outside the set or not trimmed", s, got)
		}
		if again := Transliterate(got); again != got {
			t.Fatalf("Transliterate(%q) = %q, then %q", s, got, again)
		}
	})
}
