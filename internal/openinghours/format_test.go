package openinghours

import (
	"slices"
	"testing"
)

func TestFrench(t *testing.T) {
	tests := []struct {
		hours string
		want  []string
	}{
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", []string{"du lundi au vendredi : 9 h – 12 h, 14 h – 18 h 30", "samedi : 8 h 30 – 12 h"}},
		{"Mo-Fr 09:00-18:00; PH off", []string{"du lundi au vendredi : 9 h – 18 h", "fermé les jours fériés"}},
		{"24/7", []string{"ouvert 24 h sur 24, 7 jours sur 7"}},
		{"24/7; PH off", []string{"ouvert 24 h sur 24, 7 jours sur 7", "fermé les jours fériés"}},
		{"off", []string{"fermé"}},
		{"09:05-17:55", []string{"tous les jours : 9 h 05 – 17 h 55"}},
		{"Mo,We,Fr 10:00-12:00", []string{"lundi, mercredi et vendredi : 10 h – 12 h"}},
		{"Sa,Su 10:00-12:00", []string{"samedi et dimanche : 10 h – 12 h"}},
		{"Mo-We,Fr 10:00-12:00", []string{"du lundi au mercredi et le vendredi : 10 h – 12 h"}},
		{"Fr-Mo 10:00-12:00", []string{"du vendredi au lundi : 10 h – 12 h"}},
		{"Mo-Fr 09:00-18:00; We off", []string{"lundi, mardi, jeudi et vendredi : 9 h – 18 h"}},
		{"Mo 09:00-12:00; Tu 14:00-18:00; We 09:00-12:00", []string{"lundi et mercredi : 9 h – 12 h", "mardi : 14 h – 18 h"}},
		{"Fr,Sa 20:00-02:00", []string{"vendredi et samedi : 20 h – 2 h"}},
		{"Sa 00:00-24:00", []string{"samedi : 24 h sur 24"}},
		{"Sa 10:00-24:00", []string{"samedi : 10 h – minuit"}},
		{"Sa 00:00-12:00", []string{"samedi : minuit – 12 h"}},
		{"Sa 00:00-26:00", []string{"samedi : minuit – 2 h le lendemain"}},
		{"Sa 10:00-36:00", []string{"samedi : 10 h – 12 h le lendemain"}},
		{"Sa 10:00-48:00", []string{"samedi : 10 h – minuit le surlendemain"}},
		{"Mo-Fr 09:00-18:00; PH 10:00-12:00", []string{"du lundi au vendredi : 9 h – 18 h", "jours fériés : 10 h – 12 h"}},
		{"PH 10:00-12:00", []string{"fermé", "jours fériés : 10 h – 12 h"}},
		{"Mo-Su 10:00-18:00; PH off; Sa 10:00-12:00", []string{"du lundi au vendredi et le dimanche : 10 h – 18 h", "samedi : 10 h – 12 h", "fermé les jours fériés (sauf ceux qui tombent le samedi)"}},
		{"Mo-Su 10:00-18:00; PH off; Sa,Su 10:00-12:00", []string{"du lundi au vendredi : 10 h – 18 h", "samedi et dimanche : 10 h – 12 h", "fermé les jours fériés (sauf ceux qui tombent le samedi ou le dimanche)"}},
		// As venues of the national data set write them, for the receipt.
		{"Tu-Fr 12:00-19:00; Sa,Su 14:00-19:00", []string{"du mardi au vendredi : 12 h – 19 h", "samedi et dimanche : 14 h – 19 h"}},
		{"Mo-Fr 09:00-12:30,13:30-17:00; Sa 09:00-12:00; PH off", []string{"du lundi au vendredi : 9 h – 12 h 30, 13 h 30 – 17 h", "samedi : 9 h – 12 h", "fermé les jours fériés"}},
		{"Mo,Tu,Th,Fr 14:00-19:00; We 10:00-12:00", []string{"lundi, mardi, jeudi et vendredi : 14 h – 19 h", "mercredi : 10 h – 12 h"}},
		{"Sa 10:00-12:00; PH 10:00-11:00; Mo-Fr 09:00-18:00", []string{"du lundi au vendredi : 9 h – 18 h", "samedi : 10 h – 12 h", "jours fériés : 10 h – 11 h (sauf ceux qui tombent du lundi au vendredi)"}},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.hours).French(); !slices.Equal(got, tt.want) {
			t.Errorf("Parse(%q).French() =\n%q\nwant\n%q", tt.hours, got, tt.want)
		}
	}
}

func TestZeroSchedule(t *testing.T) {
	var s Schedule
	if got := s.String(); got != "off" {
		t.Errorf("String() = %q, want off", got)
	}
	if got := s.French(); !slices.Equal(got, []string{"fermé"}) {
		t.Errorf("French() = %q, want [fermé]", got)
	}
	if s.OpenAt(at(t, "2025-03-03 10:00")) {
		t.Error("open")
	}
	if c, ok := s.NextChange(at(t, "2025-03-03 10:00")); ok {
		t.Errorf("NextChange = %s, want none", c)
	}
	if !s.Equal(mustParse(t, "off")) {
		t.Error("not Equal to Parse(off)")
	}
}
