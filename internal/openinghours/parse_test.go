package openinghours

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		// The standard's example is already canonical.
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00"},
		{"Mo,We,Fr 10:00-12:00", "Mo,We,Fr 10:00-12:00"},
		{"Mo-We,Fr 10:00-12:00", "Mo-We,Fr 10:00-12:00"},
		{"Su 10:00-12:00", "Su 10:00-12:00"},
		{"Fr-Mo 10:00-12:00", "Fr-Mo 10:00-12:00"},
		{"Mo,Fr-Su 10:00-12:00", "Fr-Mo 10:00-12:00"},
		{"Su,Mo-Fr 10:00-12:00", "Mo-Fr,Su 10:00-12:00"},
		{"Sa-Su 10:00-12:00", "Sa,Su 10:00-12:00"},
		{"Mo-Su 09:00-18:00", "Mo-Su 09:00-18:00"},
		{"09:00-18:00", "Mo-Su 09:00-18:00"},
		{"Tu,Mo 10:00-12:00", "Mo,Tu 10:00-12:00"},
		{"Mo-We,Tu 10:00-12:00", "Mo-We 10:00-12:00"},
		// Spans are sorted and joined when they overlap or touch.
		{"Mo 14:00-18:00,09:00-12:00", "Mo 09:00-12:00,14:00-18:00"},
		{"Mo 09:00-12:00,12:00-14:00", "Mo 09:00-14:00"},
		{"Mo 09:00-13:00,12:00-14:00,10:00-11:00", "Mo 09:00-14:00"},
		// Over midnight, and ends past 24:00.
		{"Fr 20:00-02:00", "Fr 20:00-02:00"},
		{"Fr 20:00-26:00", "Fr 20:00-02:00"},
		{"Fr 22:00-00:00", "Fr 22:00-24:00"},
		{"Sa 00:00-26:00", "Sa 00:00-26:00"},
		{"Sa 08:00-32:00", "Sa 08:00-32:00"},
		{"Sa 00:00-48:00", "Sa 00:00-48:00"},
		{"Sa 00:00-24:00", "Sa 00:00-24:00"},
		// Later rules replace earlier ones for the days they name.
		{"Mo-Fr 09:00-18:00; We off", "Mo,Tu,Th,Fr 09:00-18:00"},
		{"Mo-Fr 09:00-18:00; We closed", "Mo,Tu,Th,Fr 09:00-18:00"},
		{"Mo-Fr 09:00-18:00; We 09:00-12:00", "Mo,Tu,Th,Fr 09:00-18:00; We 09:00-12:00"},
		{"09:00-18:00; Su off", "Mo-Sa 09:00-18:00"},
		// After ", ", a rule adds hours.
		{"Mo-Fr 17:00-03:00, Sa 18:00-04:00", "Mo-Fr 17:00-03:00; Sa 18:00-04:00"},
		{"Mo-Fr 09:00-12:00, We 14:00-18:00", "Mo,Tu,Th,Fr 09:00-12:00; We 09:00-12:00,14:00-18:00"},
		{"Mo 09:00-18:00 open", "Mo 09:00-18:00"},
		{"off", "off"},
		{"closed", "off"},
		{"24/7", "24/7"},
		{"Mo-Su 00:00-24:00", "24/7"},
		{"00:00-24:00", "24/7"},
		{"24/7; Su off", "Mo-Sa 00:00-24:00"},
		// Public holidays.
		{"Mo-Fr 09:00-18:00; PH off", "Mo-Fr 09:00-18:00; PH off"},
		{"24/7; PH off", "24/7; PH off"},
		{"Mo-Sa 10:00-18:00; Su,PH 10:00-12:00", "Mo-Sa 10:00-18:00; Su 10:00-12:00; PH 10:00-12:00"},
		{"PH 10:00-12:00", "PH 10:00-12:00"},
		// Holidays that keep the day's hours, because the day comes later.
		{"Mo-Su 10:00-18:00; PH off; Sa 10:00-12:00", "Mo-Fr,Su 10:00-18:00; PH off; Sa 10:00-12:00"},
		{"Sa 10:00-12:00; PH 10:00-11:00; Mo-Fr 09:00-18:00", "Sa 10:00-12:00; PH 10:00-11:00; Mo-Fr 09:00-18:00"},
		{"Mo-Fr 09:00-18:00; PH 10:00-12:00; Su off", "Mo-Fr 09:00-18:00; PH 10:00-12:00; Su off"},
		// PH rules that change nothing are dropped.
		{"PH off; Mo-Fr 09:00-18:00", "Mo-Fr 09:00-18:00"},
		{"off; PH off", "off"},
		{"Mo-Su 10:00-12:00; PH 10:00-12:00", "Mo-Su 10:00-12:00"},
		// Whitespace is free, and a final ";" is tolerated.
		{" Mo - Fr  09:00 - 12:00 , 14:00-18:00 ;Sa 10:00-12:00; ", "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00"},
		{"Mo-Fr\u00a009:00-18:00", "Mo-Fr 09:00-18:00"},
		{"Mo-Fr\t09:00-18:00;Sa 10:00-12:00", "Mo-Fr 09:00-18:00; Sa 10:00-12:00"},
		{"Mo-Fr09:00-18:00", "Mo-Fr 09:00-18:00"},
		{"Mo , We 10:00-12:00", "Mo,We 10:00-12:00"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := s.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in          string
		want        string // the reason, or the start of it
		unsupported bool
	}{
		{"", "la valeur est vide", false},
		{"   ", "la valeur est vide", false},
		{"Mo-Fx", "jour inconnu « Fx » (attendu Mo, Tu, We, Th, Fr, Sa, Su)", false},
		{"Lu-Ve 09:00-18:00", "jour inconnu « Lu »", false},
		{"mo-fr 09:00-18:00", "jour inconnu « mo » (attendu Mo, Tu, We, Th, Fr, Sa, Su ; les majuscules comptent : écrivez « Mo »)", false},
		{"MO-FR 09:00-18:00", "jour inconnu « MO »", false},
		{"Mo-Fr 09:00-18:00; ph off", "jour inconnu « ph » (attendu Mo, Tu, We, Th, Fr, Sa, Su ; les majuscules comptent : écrivez « PH »)", false},
		{"Mo-Fr 09:00-18:00; We Off", "mot inconnu « Off » (les majuscules comptent : écrivez « off »)", false},
		{"Mo-Fr 09:00-18:00 OPEN", "mot inconnu « OPEN » (les majuscules comptent : écrivez « open »)", false},
		{"Mo-Fr 09:00-18:00; Closed", "mot inconnu « Closed » (les majuscules comptent : écrivez « closed »)", false},
		{"Mo-Fr 9:00-18:00", "heure « 9:00 » mal écrite (attendu HH:MM, par exemple 09:00)", false},
		{"Mo-Fr 09h00-18h00", "heure « 09h00 » mal écrite", false},
		{"Mo-Fr 0900-1800", "heure « 0900 » mal écrite", false},
		{"Mo-Fr 09:60-18:00", "heure « 09:60 » impossible", false},
		{"Mo 24:00-26:00", "heure de début « 24:00 » impossible", false},
		{"Mo 10:00-48:30", "heure de fin « 48:30 » impossible", false},
		{"Mo 10:00-10:00", "l'heure de fin de « 10:00-10:00 » est l'heure de début", false},
		{"Mo 00:00-00:00", "l'heure de fin de « 00:00-00:00 » est l'heure de début", false},
		{"Mo 10:00", "il manque l'heure de fin après « 10:00 »", false},
		{"Mo 10:00-", "une heure de fin est attendue après « 10:00- »", false},
		{"Mo-Fr 09:00-12:00 14:00-18:00", "il manque une virgule entre deux plages horaires", false},
		{"Mo-Fr 09:00-12:00 Sa 10:00-12:00", "« Sa » inattendu : séparez les règles par « ; »", false},
		{"Mo Fr 10:00-12:00", "« Fr » : séparez les jours par une virgule", false},
		{"Mo-Fr", "des jours sans heures : « Mo-Fr »", false},
		{"Mo-Fr open", "des jours sans heures : « Mo-Fr »", false},
		{"open", "« open » sans heures", false},
		{"Mo,", "un jour est attendu après « , »", false},
		{"Mo- 10:00-12:00", "un jour est attendu après « Mo- »", false},
		{"Mo-Fr 09:00-18:00;; Sa 10:00-12:00", "règle vide entre deux « ; »", false},
		{"; Mo 10:00-12:00", "règle vide", false},
		{"Mo 10:00-12:00,", "règle vide", false},
		{"Mo-Fr matin", "texte inattendu « matin »", false},
		{"Mo-Fr: 09:00-18:00", "« : » inattendu après les jours : écrivez par exemple « Mo-Fr 09:00-18:00 », sans deux-points", false},
		{"Mo-Fr 09:00-12:00/14:00-18:00", "« / » entre deux plages horaires : séparez-les par une virgule", false},
		{"Mo-Fr 09:00-12:00 et 14:00-18:00", "texte inattendu « et »", false},
		{"Mo-Fr 09:00-12:00 - 14:00-18:00", "caractère inattendu « - »", false},
		{"Mo-Fr 09:00-18:00 !", "caractère inattendu « ! »", false},
		{"24/7 off", "texte inattendu « off »", false},
		// A rule that later ones replace entirely: a ";" meant as ",".
		{"Mo-Fr 09:00-12:00; 14:00-18:00", "la règle « Mo-Fr 09:00-12:00 » n'a aucun effet", false},
		{"Mo 09:00-12:00; Mo 14:00-18:00", "la règle « Mo 09:00-12:00 » n'a aucun effet", false},
		{"PH off; Mo-Fr 10:00-12:00; PH 10:00-11:00", "la règle « PH off » n'a aucun effet", false},
		{"Mo-We 10:00-12:00; Mo-Fr off", "la règle « Mo-We 10:00-12:00 » n'a aucun effet", false},
		// Valid OpenStreetMap that the directory does not evaluate (the
		// first reason of the week's grammar stands when the rules of
		// rules.go do not read it either); months, weeks, school
		// holidays, comments and fallback rules are in TestParseRules.
		{"2024 Jan 01 off; Mo-Fr 09:00-18:00 || Sa 10:00-12:00", "les règles de repli « || » ne sont pas prises en charge", true},
		{`Mo-Fr 09:00-18:00 "sur rendez-vous"; Mo[1] off`, "les commentaires entre guillemets ne sont pas pris en charge", true},
		{"Mo-Fr Aug 09:00-18:00", "les mois (« Aug ») ne sont pas pris en charge", true},
		{"2024 Jan 01 off", "les années (« 2024 ») ne sont pas prises en charge", true},
		{"2024-2025 Mo 10:00-12:00", "les années (« 2024 ») ne sont pas prises en charge", true},
		{"Mo-Fr 09:00-18:00; easter off", "les dates (« easter ») ne sont pas prises en charge", true},
		{"Mo[1] 10:00-12:00", "les jours choisis dans le mois comme « Mo[1] » ne sont pas pris en charge", true},
		{"sunrise-sunset", "les heures liées au soleil (« sunrise ») ne sont pas prises en charge", true},
		{"Mo 10:00-sunset", "les heures liées au soleil (« sunset ») ne sont pas prises en charge", true},
		{"Mo-Fr 18:00+", "les heures de fermeture non précisées comme « 18:00+ »", true},
		{"Mo-Fr 10:00-18:00+", "les heures de fermeture non précisées comme « 10:00-18:00+ »", true},
		{"Mo-Fr 10:00-16:00/01:30", "les horaires répétés comme « 10:00-16:00/… »", true},
		{"Mo-Fr 09:00-18:00 unknown", "l'état « unknown » n'est pas pris en charge", true},
		{"Mo 12:00-14:00 off", "« off » après des heures n'est pas pris en charge", true},
		{"PH Mo 10:00-12:00", "« PH Mo » (les jours fériés qui tombent certains jours) n'est pas pris en charge", true},
	}
	for _, tt := range tests {
		s, err := Parse(tt.in)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, %v; want an *Error", tt.in, s, err)
			continue
		}
		if !strings.HasPrefix(e.Reason, tt.want) {
			t.Errorf("Parse(%q): reason %q, want it to start with %q", tt.in, e.Reason, tt.want)
		}
		if e.Unsupported != tt.unsupported {
			t.Errorf("Parse(%q): Unsupported = %v, want %v", tt.in, e.Unsupported, tt.unsupported)
		}
		if e.Offset < 0 || e.Offset > len(tt.in) {
			t.Errorf("Parse(%q): offset %d out of the value", tt.in, e.Offset)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Mo-Fx", "horaires : « Mo-Fx » : jour inconnu « Fx » (attendu Mo, Tu, We, Th, Fr, Sa, Su)."},
		{"  Mo-Fr 9:00-18:00 ", "horaires : « Mo-Fr 9:00-18:00 » : heure « 9:00 » mal écrite (attendu HH:MM, par exemple 09:00)."},
		{"Mo-Fr 09:00-18:00; Mo-Fr 10:00-12:00,14:00-16:00,18:00-20:00; Sa 10:00-12:00,14:00-16:00,18:00-20:00; Su 10:00-12:00,14:00-16:00 xyz",
			"horaires : « Mo-Fr 09:00-18:00; Mo-Fr 10:00-12:00,14:00-16:00,18:00-20:00; Sa 10:00-12:00,14:00-16:00,18:00-20:00; Su 10:00-12:00,14:… » : texte inattendu « xyz »."},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) error:\n got %v\nwant %s", tt.in, err, tt.want)
		}
	}
}

// TestErrorOffset checks that errors point at the part at fault, for tools
// that underline it.
func TestErrorOffset(t *testing.T) {
	tests := []struct {
		in   string
		want string // the value from the offset on
	}{
		{"Mo-Fx 10:00-12:00", "Fx 10:00-12:00"},
		{"Mo 10:00-12:00; Tu 9:00-12:00", "9:00-12:00"},
		{"Mo 10:00-12:00; easter off", "easter off"},
		{"Mo-Fr 09:00-12:00; 14:00-18:00", "Mo-Fr 09:00-12:00; 14:00-18:00"},
		{"Mo 10:00-12:00 || Tu 10:00-sunset", "|| Tu 10:00-sunset"},
		{"  Mo 10:00-12:00; Tu 9:00", "9:00"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want an *Error", tt.in, err)
			continue
		}
		if got := tt.in[e.Offset:]; got != tt.want {
			t.Errorf("Parse(%q): error at %q, want at %q", tt.in, got, tt.want)
		}
	}
}

// TestParseEqual checks values written differently that mean the same.
func TestParseEqual(t *testing.T) {
	tests := [][]string{
		{"24/7", "Mo-Su 00:00-24:00", "00:00-24:00", "Mo-Fr 00:00-24:00; Sa,Su 00:00-24:00"},
		{"Mo-Fr 09:00-18:00; We off", "Mo,Tu,Th,Fr 09:00-18:00", "Mo-Tu,Th-Fr 09:00-18:00", "Th,Fr,Mo,Tu 09:00-18:00"},
		{"Fr-Mo 10:00-12:00", "Mo,Fr,Sa,Su 10:00-12:00", "Fr-Su 10:00-12:00, Mo 10:00-12:00"},
		{"Fr 20:00-02:00", "Fr 20:00-26:00"},
		{"off", "closed", "Mo-Su off", "Mo-Fr off; Sa,Su closed"},
		{"Mo 09:00-12:00,14:00-18:00", "Mo 09:00-12:00, Mo 14:00-18:00", "Mo 14:00-18:00,09:00-12:00"},
	}
	for _, group := range tests {
		first, err := Parse(group[0])
		if err != nil {
			t.Fatalf("Parse(%q): %v", group[0], err)
		}
		for _, in := range group[1:] {
			s, err := Parse(in)
			if err != nil {
				t.Errorf("Parse(%q): %v", in, err)
			} else if !s.Equal(first) {
				t.Errorf("Parse(%q) = %s, want equal to Parse(%q) = %s", in, s, group[0], first)
			}
		}
	}
	a, _ := Parse("Mo 09:00-18:00")
	for _, in := range []string{"Mo 09:00-18:01", "Tu 09:00-18:00", "Mo 09:00-18:00; PH off", "Mo 09:00-12:00,12:01-18:00"} {
		if b, _ := Parse(in); b.Equal(a) {
			t.Errorf("Parse(%q) is Equal to Parse(%q)", in, "Mo 09:00-18:00")
		}
	}
}
