package passnum_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
)

func TestValidateIBANAndBIC(t *testing.T) {
	ibans := []struct {
		iban string
		ok   bool
		why  string // part of the message when refused
	}{
		{"FR1420041010050500013M02606", true, ""}, // the example of the French banks' documentation
		{"DE89370400440532013000", true, ""},
		{"GB82WEST12345698765432", true, ""},
		{"FR1520041010050500013M02606", false, "clé de contrôle"}, // check digits off by one
		{"FR1420041010050500013M02607", false, "clé de contrôle"}, // last character changed
		{"FR142004101005050001302606", false, "27 caractères"},
		{"US64SVBKUS6S3300958879", false, "zone SEPA"},
		{"FR14200410100505000-3M02606", false, "caractère"},
		{"FR14", false, "trop court"},
	}
	for _, tc := range ibans {
		err := passnum.ValidateIBAN(tc.iban)
		if (err == nil) != tc.ok || err != nil && !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ValidateIBAN(%q) = %v, want ok %v (%q)", tc.iban, err, tc.ok, tc.why)
		}
	}
	bics := []struct {
		bic string
		ok  bool
	}{
		{"BNPAFRPP", true}, {"BNPAFRPPXXX", true}, {"CCBPFRPPNAN", true},
		{"BNPAFRP", false}, {"BNPAFRPPXX", false}, {"1NPAFRPP", false}, {"BNPA1RPP", false}, {"bnpafrpp", false},
	}
	for _, tc := range bics {
		if err := passnum.ValidateBIC(tc.bic); (err == nil) != tc.ok {
			t.Errorf("ValidateBIC(%q) = %v, want ok %v", tc.bic, err, tc.ok)
		}
	}
	// Normalize removes spaces and upper-cases, as people copy them.
	b := passnum.BankAccount{Holder: " Le Grand Clic ", IBAN: "fr14 2004 1010 0505 0001 3m02 606", BIC: "bnpa frpp"}
	if err := b.Validate(); err != nil || b.IBAN != "FR1420041010050500013M02606" || b.BIC != "BNPAFRPP" || b.Holder != "Le Grand Clic" {
		t.Errorf("bank account %+v: %v", b, err)
	}
}

func TestQualificationMoves(t *testing.T) {
	q := func(s string) passnum.Qualification { return passnum.Qualification(s) }
	tests := []struct {
		from, to string
		ok       bool
	}{
		{"pending", "qualified", true},
		{"pending", "changes_requested", true},
		{"pending", "refused", true},
		{"pending", "suspended", false}, // not qualified yet
		{"changes_requested", "pending", true},
		{"changes_requested", "qualified", false}, // the venue corrects first
		{"refused", "pending", true},
		{"refused", "qualified", false},
		{"qualified", "suspended", true},
		{"qualified", "withdrawn", true},
		{"qualified", "pending", false},
		{"suspended", "qualified", true},
		{"suspended", "withdrawn", true},
		{"withdrawn", "qualified", false}, // a withdrawn venue applies again
		{"withdrawn", "pending", true},
		{"listed", "pending", true},
		{"listed", "qualified", false},
	}
	for _, tc := range tests {
		if got := q(tc.from).CanMove(q(tc.to)); got != tc.ok {
			t.Errorf("%s → %s: %v, want %v", tc.from, tc.to, got, tc.ok)
		}
	}
	for _, s := range []passnum.Qualification{passnum.QualificationListed, passnum.QualificationChangesRequested, passnum.QualificationRefused} {
		if !s.Valid() || s.Label() == string(s) {
			t.Errorf("%s: valid %v, label %q", s, s.Valid(), s.Label())
		}
	}
}

func validVenue() passnum.Venue {
	lat, lon := 48.1154, -1.6805
	return passnum.Venue{ID: "lieu-1", Pivot: "82417356000015", Name: "Le Grand Clic", Commune: "Rennes", PostalCode: "35000",
		INSEE: "35238", Address: "12 rue de Saint-Malo", Lat: &lat, Lon: &lon, Phone: "+33299000000",
		Emails: []string{"contact@grandclic.fr"}, Websites: []string{"https://grandclic.fr"}, UpdatedOn: "2026-09-15",
		Services: []string{"Aide aux démarches administratives"}, Publics: []string{"Seniors"}, Fees: []string{"Gratuit"}}
}

func TestVenueValidate(t *testing.T) {
	if errs := func() []*passnum.Error { v := validVenue(); return v.Validate() }(); len(errs) != 0 {
		t.Fatalf("a valid venue: %v", errs)
	}
	tests := []struct {
		name   string
		change func(v *passnum.Venue)
		fields []string // every field reported, in order
	}{
		{"nothing required", func(v *passnum.Venue) { *v = passnum.Venue{} },
			[]string{"id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"}},
		{"SIRET with a wrong key", func(v *passnum.Venue) { v.Pivot = "82417356000016" }, []string{"pivot"}},
		{"RNA number", func(v *passnum.Venue) { v.Pivot = "W351234567" }, nil},
		{"pivot of 8 characters", func(v *passnum.Venue) { v.Pivot = "W3512345" }, []string{"pivot"}},
		{"unknown département", func(v *passnum.Venue) { v.INSEE = "99001" }, []string{"code_insee"}},
		{"bad INSEE pattern", func(v *passnum.Venue) { v.INSEE = "2C001" }, []string{"code_insee"}},
		{"one coordinate", func(v *passnum.Venue) { v.Lon = nil }, []string{"latitude"}},
		{"latitude out of range", func(v *passnum.Venue) { lat := 91.0; v.Lat = &lat }, []string{"latitude"}},
		{"national phone number", func(v *passnum.Venue) { v.Phone = "02 99 00 00 00" }, []string{"telephone"}},
		{"bad e-mail and web site", func(v *passnum.Venue) { v.Emails = []string{"contact"}; v.Websites = []string{"grandclic.fr"} },
			[]string{"courriels", "site_web"}},
		{"summary too long", func(v *passnum.Venue) { v.Summary = strings.Repeat("é", passnum.SummaryMaxLength+1) }, []string{"presentation_resume"}},
		{"date that does not exist", func(v *passnum.Venue) { v.UpdatedOn = "2026-02-30" }, []string{"date_maj"}},
		{"closed vocabularies", func(v *passnum.Venue) {
			v.Services = []string{"Aide aux démarches"}
			v.Publics = []string{"seniors"}
			v.Roaming = []string{"Itinerant"}
		}, []string{"itinerance", "services", "publics_specifiquement_adresses"}},
		{"a list value holding the separator", func(v *passnum.Venue) { v.OtherLabels = []string{"Label a|b"} }, []string{"autres_formations_labels"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := validVenue()
			tc.change(&v)
			var got []string
			for _, e := range v.Validate() {
				if e.Code != passnum.EINVALID || !strings.HasPrefix(e.Message, e.Field) && tc.name != "nothing required" && e.Field != "latitude" {
					t.Errorf("error %+v does not name its field first", e)
				}
				got = append(got, e.Field)
			}
			if strings.Join(got, " ") != strings.Join(tc.fields, " ") {
				t.Errorf("fields %v, want %v", got, tc.fields)
			}
		})
	}
}

func TestVenueNormalize(t *testing.T) {
	v := validVenue()
	v.Name, v.Pivot, v.INSEE = "  Le Grand Clic ", "824 173 560 00015", "2a004"
	v.Detail = "Première ligne\r\nSeconde ligne"
	v.Services = []string{" Aide aux démarches administratives", "", "Aide aux démarches administratives"}
	v.Normalize()
	if v.Name != "Le Grand Clic" || v.Pivot != "82417356000015" || v.INSEE != "2A004" || v.Detail != "Première ligne\nSeconde ligne" ||
		len(v.Services) != 1 || v.Services[0] != "Aide aux démarches administratives" {
		t.Errorf("normalized %+v", v)
	}
}

func TestActivityReportValidate(t *testing.T) {
	today := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	ok := func() passnum.ActivityReport {
		return passnum.ActivityReport{Format: passnum.FormatCollective, Date: "2026-11-20", DurationMinutes: 90,
			Themes: []string{"Courriels"}, PlaceKind: "lieu", Participants: 5, BeneficiaryRefs: []string{"b-x1y2-z3w4"}}
	}
	if r := ok(); r.Validate(today) != nil || r.BeneficiaryRefs[0] != "B-X1Y2-Z3W4" {
		t.Fatalf("a valid report: %v %v", r.Validate(today), r.BeneficiaryRefs)
	}
	tests := []struct {
		name   string
		change func(r *passnum.ActivityReport)
		field  string
	}{
		{"unknown format", func(r *passnum.ActivityReport) { r.Format = "groupe" }, "format"},
		{"tomorrow's help", func(r *passnum.ActivityReport) { r.Date = "2026-11-26" }, "date"},
		{"no theme", func(r *passnum.ActivityReport) { r.Themes = nil }, "themes"},
		{"unknown theme", func(r *passnum.ActivityReport) { r.Themes = []string{"Jardinage"} }, "themes"},
		{"individual for two", func(r *passnum.ActivityReport) { r.Format, r.Participants = passnum.FormatIndividual, 2 }, "participants"},
		{"more people linked than present", func(r *passnum.ActivityReport) {
			r.Participants = 1
			r.Format = passnum.FormatIndividual
			r.BeneficiaryRefs = []string{"B-1", "B-2"}
		}, "beneficiary_refs"},
		{"too short", func(r *passnum.ActivityReport) { r.DurationMinutes = 2 }, "duration_minutes"},
		{"unknown place", func(r *passnum.ActivityReport) { r.PlaceKind = "jardin" }, "place_kind"},
	}
	for _, tc := range tests {
		r := ok()
		tc.change(&r)
		var e *passnum.Error
		if err := r.Validate(today); err == nil || !asError(err, &e) || e.Field != tc.field {
			t.Errorf("%s: %v, want an error on %s", tc.name, err, tc.field)
		}
	}
}

func asError(err error, target **passnum.Error) bool { return errors.As(err, target) }
