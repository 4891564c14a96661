package sqlstore_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

// validSIRET completes 13 digits into a SIRET that passes the Luhn check.
func validSIRET(first13 string) string {
	for d := '0'; d <= '9'; d++ {
		s := first13 + string(d)
		if passnum.ValidateSIRET(s) == nil {
			return s
		}
	}
	panic("no check digit for " + first13)
}

func TestSearch(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		s, op := env.Store, st.As(f.Operator)
		distributed := f.Batch.FirstCarnet // carnet 0, distributed
		c, err := s.FindCarnet(op, distributed)
		if err != nil || c.BeneficiaryRef == "" {
			t.Fatalf("carnet %+v %v", c, err)
		}
		ref := c.BeneficiaryRef
		serial := f.Serials(5)[2]
		code := f.Codes[serial]
		// Enough organisations with a common word to hit the bound.
		for i := range passnum.MaxSearchResults + 3 {
			if _, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindPrescriber, Name: fmt.Sprintf("Maison France Services n°%d", i)}); err != nil {
				t.Fatal(err)
			}
		}

		type want struct {
			passes        []int64
			carnets       []int64
			beneficiaries []string
			orgs          []int64
			// orgCount, when set, checks only how many organisations.
			orgCount int
		}
		tests := []struct {
			name  string
			query string
			want  want
		}{
			{"short code", code, want{passes: []int64{serial}}},
			{"short code typed loosely", " " + strings.ToLower(strings.ReplaceAll(code, "-", " ")) + " ", want{passes: []int64{serial}}},
			{"QR payload", f.Payloads[serial], want{passes: []int64{serial}}},
			{"forged QR payload", forge(f.Payloads[serial]), want{}},
			{"serial as printed", passnum.FormatSerial(serial), want{passes: []int64{serial}}},
			{"carnet number (also a serial)", fmt.Sprint(distributed), want{passes: []int64{distributed}, carnets: []int64{distributed}}},
			{"SIRET with spaces", "782 829 320 00079", want{orgs: []int64{f.Venue.ID}}},
			{"beneficiary reference", ref, want{beneficiaries: []string{ref}}},
			{"beneficiary reference typed loosely", strings.ToLower(strings.ReplaceAll(ref, "-", " ")), want{beneficiaries: []string{ref}}},
			{"name, any case", "QUINCAILLERIE", want{orgs: []int64{f.Venue.ID}}},
			{"name without accents", "mediatheque", want{orgs: []int64{f.Venue2.ID}}},
			{"name with accents, funder", "état", want{orgs: []int64{f.State.ID}}},
			{"name across a dash", "etat anct", want{orgs: []int64{f.State.ID}}},
			{"bounded", "france services", want{orgCount: passnum.MaxSearchResults}},
			{"nothing", "zzzz", want{}},
			{"unknown serial", "987654321", want{}},
		}
		ids := func(n int, id func(int) int64) []int64 {
			out := []int64{}
			for i := range n {
				out = append(out, id(i))
			}
			return out
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res, err := s.Search(op, tc.query)
				if err != nil {
					t.Fatal(err)
				}
				passes := ids(len(res.Passes), func(i int) int64 { return res.Passes[i].Serial })
				carnets := ids(len(res.Carnets), func(i int) int64 { return res.Carnets[i].Number })
				orgs := ids(len(res.Organisations), func(i int) int64 { return res.Organisations[i].ID })
				bens := []string{}
				for _, b := range res.Beneficiaries {
					bens = append(bens, b.Ref)
				}
				w := tc.want
				eq := func(a []int64, b []int64) bool { return fmt.Sprint(a) == fmt.Sprint(append([]int64{}, b...)) }
				if !eq(passes, w.passes) || !eq(carnets, w.carnets) || fmt.Sprint(bens) != fmt.Sprint(append([]string{}, w.beneficiaries...)) {
					t.Fatalf("passes %v carnets %v beneficiaries %v, want %+v", passes, carnets, bens, w)
				}
				if w.orgCount != 0 && len(orgs) != w.orgCount || w.orgCount == 0 && !eq(orgs, w.orgs) {
					t.Fatalf("organisations %v, want %+v", orgs, w)
				}
				if res.Empty() != (len(passes)+len(carnets)+len(bens)+len(orgs) == 0) {
					t.Fatal("Empty disagrees")
				}
				for _, c := range res.Carnets {
					if c.Remaining != 5 || c.BeneficiaryRef != ref {
						t.Fatalf("carnet %+v without its remaining passes or reference", c)
					}
				}
			})
		}
		// A 14-digit SIRET is also read as a number: no pass or carnet has it.
		other := validSIRET("1234567890123")
		v, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Tiers-lieu", SIRET: other, CommuneINSEE: "35238"})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := s.Search(op, other); err != nil || len(res.Organisations) != 1 || res.Organisations[0].ID != v.ID || len(res.Passes)+len(res.Carnets) != 0 {
			t.Fatalf("SIRET: %+v %v", res, err)
		}

		for _, q := range []string{"", "   ", strings.Repeat("x", 301)} {
			_, err := s.Search(op, q)
			var e *passnum.Error
			if !asError(err, &e) || e.Code != passnum.EINVALID || e.Field != "q" {
				t.Fatalf("query %q: %v", q, err)
			}
		}
		for _, a := range []*passnum.Actor{st.Actor(f.State, passnum.RoleAdmin), st.Actor(f.Prescriber, passnum.RoleAdmin), st.Actor(f.Venue, passnum.RoleAdmin)} {
			if _, err := s.Search(st.As(a), code); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
				t.Fatalf("%s searched: %v", a.OrgKind, err)
			}
		}
	})
}

// TestBeneficiaryRefOnCarnets: the operator and the prescriber who handed a
// carnet out read its beneficiary's reference; a funder does not.
func TestBeneficiaryRefOnCarnets(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 6, Allocated: 4, Distributed: 2, CarnetSize: 2})
		s := env.Store
		number := f.Batch.FirstCarnet
		c, err := s.FindCarnet(st.As(f.Operator), number)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.FindBeneficiary(passnum.WithReadReason(st.As(f.Operator), "vérification"), c.BeneficiaryRef)
		if err != nil || b.ID != c.BeneficiaryID {
			t.Fatalf("the operator reads reference %q: %+v %v", c.BeneficiaryRef, b, err)
		}
		tests := []struct {
			name  string
			actor *passnum.Actor
			sees  bool
		}{
			{"operator", f.Operator, true},
			{"prescriber", st.Actor(f.Prescriber, passnum.RoleAgent), true},
			{"funder", st.Actor(f.State, passnum.RoleAdmin), false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ctx := st.As(tc.actor)
				c, err := s.FindCarnet(ctx, number)
				if err != nil {
					t.Fatal(err)
				}
				if (c.BeneficiaryRef == b.Ref) != tc.sees || !tc.sees && c.BeneficiaryRef != "" {
					t.Fatalf("FindCarnet: reference %q", c.BeneficiaryRef)
				}
				list, _, err := s.ListCarnets(ctx, passnum.CarnetFilter{ProgrammeID: f.Programme.ID})
				if err != nil {
					t.Fatal(err)
				}
				withRef := 0
				for _, c := range list {
					if c.BeneficiaryRef != "" {
						withRef++
						if c.BeneficiaryID == 0 {
							t.Fatalf("reference on an undistributed carnet: %+v", c)
						}
					}
				}
				if want := map[bool]int{true: 2, false: 0}[tc.sees]; withRef != want {
					t.Fatalf("ListCarnets: %d carnets with a reference, want %d", withRef, want)
				}
			})
		}
	})
}
