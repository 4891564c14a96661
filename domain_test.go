package passnum_test

import (
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
)

func TestValidateSIRET(t *testing.T) {
	tests := []struct {
		siret string
		ok    bool
	}{
		{"78282932000079", true},
		{"78282932000078", false}, // last digit off
		{"7828293200007", false},  // 13 digits
		{"782829320000790", false},
		{"7828293200007A", false},
		{"35600000000048", true}, // La Poste head office (passes Luhn)
		{"35600000049837", true}, // a La Poste establishment: digit sum multiple of 5, not Luhn
		{"35600000049838", false},
		{"", false},
	}
	for _, tc := range tests {
		if err := passnum.ValidateSIRET(tc.siret); (err == nil) != tc.ok {
			t.Errorf("ValidateSIRET(%q) = %v, want ok=%v", tc.siret, err, tc.ok)
		}
	}
}

func TestTerritory(t *testing.T) {
	terr, err := passnum.ParseTerritory([]string{"departement:35", "commune:29019", "region:84", "departement:35"})
	if err != nil {
		t.Fatal(err)
	}
	if len(terr) != 3 {
		t.Fatalf("duplicates kept: %v", terr)
	}
	tests := []struct {
		commune string
		in      bool
	}{
		{"35238", true},  // Rennes, in département 35
		{"29019", true},  // Brest, listed as a commune
		{"29232", false}, // Quimper: Finistère is not in the territory
		{"84007", false}, // Avignon: département 84, not région 84
		{"69123", true},  // Lyon, in région 84 (Auvergne-Rhône-Alpes)
		{"2A004", false}, // Ajaccio
		{"97411", false}, // Saint-Denis de La Réunion
	}
	for _, tc := range tests {
		if got := terr.Contains(tc.commune); got != tc.in {
			t.Errorf("Contains(%s) = %v, want %v", tc.commune, got, tc.in)
		}
	}
	for _, bad := range []string{"35", "region:00", "departement:20", "commune:3523", "commune:99999", "canton:3501", ""} {
		if _, err := passnum.ParseArea(bad); err == nil {
			t.Errorf("ParseArea(%q) accepted", bad)
		}
	}
	reunion, _ := passnum.ParseTerritory([]string{"region:04"})
	if !reunion.Contains("97411") || passnum.DepartementOfCommune("97411") != "974" {
		t.Error("overseas départements have three-character codes")
	}
	for region, want := range map[string]string{"53": "22 29 35 56", "94": "2A 2B", "04": "974", "00": ""} {
		if got := strings.Join(passnum.DepartementsOfRegion(region), " "); got != want {
			t.Errorf("DepartementsOfRegion(%s) = %q, want %q", region, got, want)
		}
	}
}

// TestTerritoryOverlaps: a programme concerns a hub when their territories
// share a place, whatever the level each is written at.
func TestTerritoryOverlaps(t *testing.T) {
	for _, tc := range []struct {
		programme, hub string
		want           bool
	}{
		{"departement:35", "departement:35", true},
		{"departement:35", "region:53", true},       // the département's région
		{"departement:35", "commune:35238", true},   // a commune in it
		{"region:53", "commune:29019", true},        // Brest, in Bretagne
		{"commune:35238", "region:53", true},        // Rennes, in Bretagne
		{"commune:35238", "departement:35", true},   // Rennes, in Ille-et-Vilaine
		{"departement:35", "departement:29", false}, // a neighbour
		{"departement:35", "region:52", false},      // another région
		{"departement:35", "commune:29019", false},  // a commune elsewhere
		{"commune:35238", "commune:35047", false},   // two communes of one département
		{"region:84", "departement:84", false},      // Auvergne-Rhône-Alpes is not Vaucluse
		{"departement:29 departement:56", "departement:56 region:11", true},
		{"region:04", "commune:97411", true}, // overseas
		{"departement:974", "departement:971", false},
	} {
		p, err := passnum.ParseTerritory(strings.Fields(tc.programme))
		if err != nil {
			t.Fatal(err)
		}
		h, err := passnum.ParseTerritory(strings.Fields(tc.hub))
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Overlaps(h); got != tc.want {
			t.Errorf("%s overlaps %s: %v, want %v", tc.programme, tc.hub, got, tc.want)
		}
		if got := h.Overlaps(p); got != tc.want {
			t.Errorf("%s overlaps %s: %v, want %v", tc.hub, tc.programme, got, tc.want)
		}
	}
}

func TestActivationCapacity(t *testing.T) {
	tests := []struct {
		received int64
		fee      int
		want     int64
	}{
		{1040000, 400, 1000000}, // 10 400 € with a 4 % fee pays 10 000 € of passes
		{1000000, 0, 1000000},
		{1039999, 400, 999999}, // rounded down: never activate a cent not received
		{0, 400, 0},
	}
	for _, tc := range tests {
		if got := passnum.ActivationCapacity(tc.received, tc.fee); got != tc.want {
			t.Errorf("ActivationCapacity(%d, %d) = %d, want %d", tc.received, tc.fee, got, tc.want)
		}
	}
}

func TestEvaluatePassOrderAndBoundaries(t *testing.T) {
	prog := &passnum.Programme{Name: "P", ValidFrom: "2027-01-01", ValidUntil: "2027-12-31", ToleranceDays: 31,
		Territory: []string{"region:53"}, Services: []string{"Aide aux démarches administratives"}}
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02 15:04", s, paris); return t }
	redeemedAt := at("2027-03-02 14:05")
	tests := []struct {
		name   string
		state  passnum.PassState
		now    time.Time
		venue  string
		cat    string
		reason string
	}{
		{"usable", passnum.StateDistributed, at("2027-06-01 10:00"), "35238", "Aide aux démarches administratives", ""},
		{"redeemed wins over everything", passnum.StateRedeemed, at("2029-01-01 10:00"), "69123", "x", passnum.ReasonAlreadyRedeemed},
		{"settled is redeemed too", passnum.StateSettled, at("2027-06-01 10:00"), "35238", "", passnum.ReasonAlreadyRedeemed},
		{"blocked", passnum.StateBlocked, at("2027-06-01 10:00"), "35238", "", passnum.ReasonBlocked},
		{"expired state", passnum.StateExpired, at("2027-06-01 10:00"), "35238", "", passnum.ReasonExpired},
		{"issued", passnum.StateIssued, at("2027-06-01 10:00"), "35238", "", passnum.ReasonNotActivated},
		{"activated", passnum.StateActivated, at("2027-06-01 10:00"), "35238", "", passnum.ReasonNotDistributed},
		{"allocated", passnum.StateAllocated, at("2027-06-01 10:00"), "35238", "", passnum.ReasonNotDistributed},
		{"last minute of tolerance", passnum.StateDistributed, at("2028-01-31 23:59"), "35238", "", ""},
		{"after tolerance", passnum.StateDistributed, at("2028-02-01 00:00"), "35238", "", passnum.ReasonExpired},
		{"before validity", passnum.StateDistributed, at("2026-12-31 23:59"), "35238", "", passnum.ReasonNotYetValid},
		{"first minute of validity", passnum.StateDistributed, at("2027-01-01 00:00"), "35238", "", ""},
		{"outside territory", passnum.StateDistributed, at("2027-06-01 10:00"), "69123", "", passnum.ReasonOutsideTerr},
		{"category not allowed", passnum.StateDistributed, at("2027-06-01 10:00"), "35238", "Loisirs et créations numériques", passnum.ReasonServiceNotAllow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := passnum.PassFacts{Pass: passnum.Pass{State: tc.state, RedeemedAt: &redeemedAt}, Programme: prog,
				RedeemedVenue: "Médiathèque", VenueCommune: tc.venue, ServiceCategory: tc.cat}
			reason, msg := passnum.EvaluatePass(f, tc.now)
			if reason != tc.reason || msg == "" {
				t.Fatalf("got %q (%s), want %q", reason, msg, tc.reason)
			}
			if reason == passnum.ReasonAlreadyRedeemed && msg != "Pass déjà utilisé le 2 mars 2027 à 14 h 05 chez Médiathèque." {
				t.Errorf("message %q", msg)
			}
		})
	}
}

func TestPermissions(t *testing.T) {
	op := &passnum.Actor{OrgKind: passnum.KindOperator, Role: passnum.RoleAgent}
	venue := &passnum.Actor{OrgKind: passnum.KindVenue, Role: passnum.RoleAgent}
	tests := []struct {
		actor  *passnum.Actor
		action passnum.Action
		can    bool
	}{
		{op, passnum.ActAllocate, true},
		{op, passnum.ActIssue, false}, // issuing is for operator admins
		{venue, passnum.ActRedeem, true},
		{venue, passnum.ActCatalogueEdit, false},
		{&passnum.Actor{OrgKind: passnum.KindVenue, Role: passnum.RoleAdmin}, passnum.ActCatalogueEdit, true},
		{&passnum.Actor{OrgKind: passnum.KindFunder, Role: passnum.RoleAgent}, passnum.ActBlock, true},
		{&passnum.Actor{OrgKind: passnum.KindPrescriber, Role: passnum.RoleAgent}, passnum.ActRedeem, false},
		{nil, passnum.ActProgrammeRead, false},
	}
	for _, tc := range tests {
		if got := tc.actor.Can(tc.action); got != tc.can {
			t.Errorf("%+v Can(%s) = %v, want %v", tc.actor, tc.action, got, tc.can)
		}
	}
	if err := passnum.Authorize(nil, passnum.ActRedeem); passnum.ErrorCode(err) != passnum.EUNAUTHORIZED {
		t.Errorf("no actor: %v", err)
	}
	if err := passnum.Authorize(venue, passnum.ActIssue); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
		t.Errorf("venue issues: %v", err)
	}
}

func TestProgrammeDefaults(t *testing.T) {
	c := passnum.ProgrammeCreate{Name: " P ", Funders: []passnum.FunderShare{{FunderID: 1, ShareBP: 10000}}, BudgetCents: 1,
		ValidFrom: "2027-01-01", ValidUntil: "2027-12-31", Territory: []string{"departement:35"}}
	c.Normalize()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Name != "P" || c.FaceValueCents != 1000 || c.CarnetSize != 10 || *c.ToleranceDays != 31 || *c.FeeBP != 400 || len(c.Services) != 9 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestFrenchDate(t *testing.T) {
	for in, want := range map[string]string{"2027-12-31": "31 décembre 2027", "2027-02-01": "1er février 2027", "bad": "bad"} {
		if got := passnum.FrenchDate(in); got != want {
			t.Errorf("FrenchDate(%s) = %q, want %q", in, got, want)
		}
	}
}

// TestActivityReportRedactFor: the venue that wrote a report and the
// operator read all of it; anybody else, not the notes nor the references.
func TestActivityReportRedactFor(t *testing.T) {
	for _, tc := range []struct {
		name  string
		actor *passnum.Actor
		whole bool
	}{
		{"the venue's agent", &passnum.Actor{OrgID: 7, OrgKind: passnum.KindVenue, Role: passnum.RoleAgent}, true},
		{"the operator", &passnum.Actor{OrgID: 1, OrgKind: passnum.KindOperator, Role: passnum.RoleAgent}, true},
		{"a hub", &passnum.Actor{OrgID: 3, OrgKind: passnum.KindHub, Role: passnum.RoleAdmin}, false},
		{"another venue", &passnum.Actor{OrgID: 8, OrgKind: passnum.KindVenue, Role: passnum.RoleAdmin}, false},
		{"a hub numbered as the venue", &passnum.Actor{OrgID: 7, OrgKind: passnum.KindHub, Role: passnum.RoleAdmin}, false},
		{"nobody", nil, false},
	} {
		r := passnum.ActivityReport{VenueID: 7, Participants: 3, BeneficiaryRefs: []string{"B-1"}, LinkedPeople: 1, Notes: "Mme Durand"}
		r.RedactFor(tc.actor)
		if whole := r.Notes != "" && len(r.BeneficiaryRefs) == 1; whole != tc.whole || (r.Notes == "") != (len(r.BeneficiaryRefs) == 0) {
			t.Errorf("%s: %+v", tc.name, r)
		}
		if r.Participants != 3 || r.LinkedPeople != 1 {
			t.Errorf("%s: the counts went: %+v", tc.name, r)
		}
	}
}
