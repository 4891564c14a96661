package openinghours

import "testing"

func TestCanonical(t *testing.T) {
	for _, tc := range []struct {
		in, want  string
		evaluated bool
		refused   bool
	}{
		{"Mo-Fr 09:00-12:00 ; Sa 10:00-12:00", "Mo-Fr 09:00-12:00; Sa 10:00-12:00", true, false},
		// Months, weeks, comments, school holidays, fallback rules:
		// evaluated, in canonical form.
		{" Mo-Fr 09:00-17:00; Jul-Aug off ", "Mo-Fr 09:00-17:00; Jul-Aug off", true, false},
		{"week 1-20 Mo-Fr 09:00-12:00", "week 01-20 Mo-Fr 09:00-12:00", true, false},
		{`Mo-Fr 09:00-12:00 "sur rendez-vous"`, `Mo-Fr 09:00-12:00 "sur rendez-vous"`, true, false},
		{"Mo-Fr 09:00-18:00; SH off", "Mo-Fr 09:00-18:00; SH off", true, false},
		{"Mo-Fr 09:00-18:00 || Sa 10:00-12:00", "Mo-Fr 09:00-18:00 || Sa 10:00-12:00", true, false},
		// Valid syntax the package does not evaluate: kept as written,
		// trimmed.
		{" Mo-Fr 09:00-12:00; Mo[1] off ", "Mo-Fr 09:00-12:00; Mo[1] off", false, false},
		{"Mo-Fr 08:00-sunset", "Mo-Fr 08:00-sunset", false, false},
		{"2027 Jan-Jun Mo 10:00-12:00", "2027 Jan-Jun Mo 10:00-12:00", false, false},
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
