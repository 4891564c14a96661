package openinghours

import "testing"

func TestCanonical(t *testing.T) {
	for _, tc := range []struct {
		in, want  string
		evaluated bool
		refused   bool
	}{
		{"Mo-Fr 09:00-12:00 ; Sa 10:00-12:00", "Mo-Fr 09:00-12:00; Sa 10:00-12:00", true, false},
		// Valid OpenStreetMap syntax the package does not evaluate: kept
		// as written, trimmed.
		{" Mo-Fr 09:00-17:00; Jul-Aug off ", "Mo-Fr 09:00-17:00; Jul-Aug off", false, false},
		{"week 1-20 Mo-Fr 09:00-12:00", "week 1-20 Mo-Fr 09:00-12:00", false, false},
		{`Mo-Fr 09:00-12:00 "sur rendez-vous"`, `Mo-Fr 09:00-12:00 "sur rendez-vous"`, false, false},
		{"Mo-Fr 09:00-18:00; SH off", "Mo-Fr 09:00-18:00; SH off", false, false},
		{"Mo-Fr 09:00-18:00 || Sa 10:00-12:00", "Mo-Fr 09:00-18:00 || Sa 10:00-12:00", false, false},
		// Mistakes are still refused.
		{"du lundi au vendredi", "", false, true},
		{"Mo-Fx 09:00-12:00", "", false, true},
		{"mo-fr 09:00-12:00", "", false, true},
	} {
		got, evaluated, err := Canonical(tc.in)
		if (err != nil) != tc.refused || got != tc.want || evaluated != tc.evaluated {
			t.Errorf("Canonical(%q) = %q, %v, %v; want %q, %v, refused %v", tc.in, got, evaluated, err, tc.want, tc.evaluated, tc.refused)
		}
	}
}
