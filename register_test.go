package passnum

import (
	"strings"
	"testing"
)

// Every declared field is in the register once, under its purpose, with
// the installation's period; recipients follow the readers.
func TestRegister(t *testing.T) {
	p := DefaultPrivacySettings()
	p.RetentionMonths = map[RetentionKey]int{RetainBeneficiary: 48}
	r := NewRegister(p)
	if len(r.Activities) != len(Purposes) {
		t.Fatalf("%d activities, want one per purpose (%d)", len(r.Activities), len(Purposes))
	}
	seen := map[string]int{}
	for _, a := range r.Activities {
		for _, f := range a.Fields {
			seen[f.Key]++
			if d := FindPersonalField(f.Key); d == nil || d.Purpose != a.Purpose.Key {
				t.Errorf("%s listed under %s", f.Key, a.Purpose.Key)
			}
		}
	}
	for _, f := range PersonalFields {
		if seen[f.Key] != 1 {
			t.Errorf("%s is in the register %d times, want once", f.Key, seen[f.Key])
		}
	}
	tests := []struct {
		name, got, want string
	}{
		{"beneficiary period, set by the installation", fieldOf(r, "beneficiary.commune").Retention, "4 ans"},
		{"notes, default period", fieldOf(r, "activity.notes").Retention, "2 ans"},
		{"accounting", fieldOf(r, "pass.use").Retention, "10 ans"},
		{"account, no period", fieldOf(r, "user.identity").Retention, "tant que dure la relation"},
		{"readers of a beneficiary's commune", fieldOf(r, "beneficiary.commune").ReadersLabel(), "opérateur, prescripteur"},
		{"readers of a password", fieldOf(r, "user.password").ReadersLabel(), "personne"},
		{"diagnostic basis", r.Activities[1].Basis, "consentement de la personne (article 6.1.a du RGPD)"},
		{"transfers", r.Transfers, "Aucun transfert de données hors de l'Union européenne."},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	for _, rr := range r.Recipients {
		if rr.Kind == KindFunder || rr.Kind == KindHub {
			for _, f := range rr.Fields {
				if strings.Contains(f, "Référence pseudonyme") || strings.Contains(f, "Commune de résidence") {
					t.Errorf("%s receives %q", rr.Kind, f)
				}
			}
		}
	}
	if retention := r.Retention[0]; retention.Key != RetainBeneficiary || retention.Period != "4 ans" || len(retention.Fields) == 0 {
		t.Errorf("first retention rule: %+v", retention)
	}
}

func fieldOf(r *Register, key string) RegisterField {
	for _, a := range r.Activities {
		for _, f := range a.Fields {
			if f.Key == key {
				return f
			}
		}
	}
	return RegisterField{Key: key}
}

// A field held about beneficiaries must be told to them: adding one to
// the declaration without words for the notice fails here.
func TestNoticeTellsEveryField(t *testing.T) {
	for _, f := range PersonalFields {
		if f.Subject != SubjectBeneficiary {
			continue
		}
		if _, ok := plainFields[f.Key]; !ok {
			t.Errorf("%s: no everyday words in plainFields", f.Key)
		}
		if plainPurposes[f.Purpose] == "" {
			t.Errorf("%s: purpose %s has no everyday words in plainPurposes", f.Key, f.Purpose)
		}
		for _, k := range f.Readers {
			if plainReaders[k] == "" {
				t.Errorf("%s: reader %s has no everyday words in plainReaders", f.Key, k)
			}
		}
	}
	p := DefaultPrivacySettings()
	p.ControllerEmail, p.DPOEmail = "contact@example.fr", "dpo@example.fr"
	p.RetentionMonths = map[RetentionKey]int{RetainBeneficiary: 18}
	text := strings.Join(NewNotice(p).Text(), "\n")
	short := strings.Join(NewShortNotice(p).Lines, "\n")
	for _, want := range []string{"contact@example.fr", "dpo@example.fr", "18 mois après votre dernier pass", "CNIL",
		"la ville où vous habitez", "dire non à tout moment", "de corriger une erreur", "d'effacer vos données", "de ne plus utiliser vos données"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q", want)
		}
	}
	for _, want := range []string{"contact@example.fr", "18 mois", "CNIL"} {
		if !strings.Contains(short, want) {
			t.Errorf("short notice lacks %q", want)
		}
	}
}
