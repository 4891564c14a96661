package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/passcode"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestCarnetStatusByCode brings carnets to every status a holder can be
// told, and asks with the code of one of their passes.
func TestCarnetStatusByCode(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		// Carnets 0-15 activated, 0-11 allocated, 0-7 distributed; 16-19 unpaid.
		f := st.NewFixture(t, env, st.Options{Carnets: 20, Activated: 16, Allocated: 12, Distributed: 8})
		s, op := env.Store, st.As(f.Operator)
		ctx := context.Background() // no actor: anyone may ask
		venue := st.VenueCtx(f.Venue)
		redeem := func(key string, serials ...int64) {
			t.Helper()
			if _, err := s.Redeem(venue, passnum.RedeemRequest{Codes: f.CodesOf(serials...), ServiceID: f.Service.ID, IdempotencyKey: key}); err != nil {
				t.Fatal(err)
			}
		}
		redeem("two", f.Serials(0)[:2]...) // carnet 0: 3 left
		redeem("all", f.Serials(1)...)     // carnet 1: used up
		for _, b := range []passnum.BlockRequest{
			{Scope: passnum.BlockCarnet, Carnet: f.Batch.FirstCarnet + 2, Reason: "carnet volé"},
			{Scope: passnum.BlockPass, Serial: f.Serials(5)[0], Reason: "pass abîmé"},
		} {
			if _, err := s.Block(op, b); err != nil {
				t.Fatal(err)
			}
		}
		redeem("one", f.Serials(5)[1])
		// Carnet 6: all but one used, the last one blocked.
		redeem("four", f.Serials(6)[:4]...)
		if _, err := s.Block(op, passnum.BlockRequest{Scope: passnum.BlockPass, Serial: f.Serials(6)[4], Reason: "x"}); err != nil {
			t.Fatal(err)
		}

		inValidity := st.Start
		before := time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC)   // 31 December 2026, 13:00 in Paris
		tolerance := time.Date(2028, 1, 31, 12, 0, 0, 0, time.UTC) // within the month of tolerance
		afterwards := time.Date(2028, 2, 1, 12, 0, 0, 0, time.UTC) // past it
		tests := []struct {
			name      string
			carnet    int
			at        time.Time
			status    string
			remaining int
			used      int
			message   string
		}{
			{"usable", 0, inValidity, passnum.CarnetUsable, 3, 2, "Il vous reste 3 pass sur 5, valables jusqu'au 31 décembre 2027."},
			{"last pass blocked", 6, inValidity, passnum.CarnetBlocked, 0, 4, "Ce carnet est bloqué"},
			{"one blocked, others usable", 5, inValidity, passnum.CarnetUsable, 3, 1, "Il vous reste 3 pass sur 5"},
			{"used up", 1, inValidity, passnum.CarnetUsedUp, 0, 5, "ont tous été utilisés"},
			{"blocked", 2, inValidity, passnum.CarnetBlocked, 0, 0, "Contactez la structure qui vous l'a remis"},
			{"not activated", 17, inValidity, passnum.CarnetNotActivated, 0, 0, "le financeur n'a pas encore versé les fonds"},
			{"allocated, not distributed", 10, inValidity, passnum.CarnetNotDistributed, 0, 0, "demandez à la structure"},
			{"activated, not allocated", 14, inValidity, passnum.CarnetNotDistributed, 0, 0, "demandez à la structure"},
			{"not yet valid", 3, before, passnum.CarnetNotYetValid, 0, 0, "à partir du 1er janvier 2027, jusqu'au 31 décembre 2027"},
			{"within the tolerance", 3, tolerance, passnum.CarnetUsable, 5, 0, "Il vous reste 5 pass sur 5"},
			{"expired", 3, afterwards, passnum.CarnetExpired, 0, 0, "valables jusqu'au 31 décembre 2027"},
			{"expired, partly used", 0, afterwards, passnum.CarnetExpired, 0, 2, "expiré"},
			{"used up stays used up after expiry", 1, afterwards, passnum.CarnetUsedUp, 0, 5, "utilisés"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				defer env.Clock.Set(st.Start)
				env.Clock.Set(tc.at)
				serial := f.Serials(tc.carnet)[4]
				for _, code := range []string{f.Codes[serial], strings.ToLower(f.Codes[serial]), f.Payloads[serial]} {
					cs, err := s.CarnetStatusByCode(ctx, code)
					if err != nil {
						t.Fatal(err)
					}
					if cs.Number != f.Batch.FirstCarnet+int64(tc.carnet) || cs.Size != 5 || cs.Status != tc.status ||
						cs.Remaining != tc.remaining || cs.Used != tc.used || !strings.Contains(cs.Message, tc.message) {
						t.Fatalf("status %+v, want %s remaining %d used %d %q", cs, tc.status, tc.remaining, tc.used, tc.message)
					}
					if cs.Programme.ID != f.Programme.ID || strings.Join(cs.Programme.Funders, ",") != "État — ANCT,Département d'Ille-et-Vilaine" ||
						cs.Programme.ValidUntil != "2027-12-31" || cs.Programme.FaceValueCents != 1000 {
						t.Fatalf("programme %+v", cs.Programme)
					}
					raw, _ := json.Marshal(cs)
					if strings.Contains(string(raw), "B-") || strings.Contains(string(raw), "beneficiary") || strings.Contains(string(raw), "prescriber") {
						t.Fatalf("the status tells about the holder: %s", raw)
					}
				}
			})
		}
		// Once passes are formally expired, the answer is the same.
		env.Clock.Set(afterwards)
		if _, err := s.Expire(op); err != nil {
			t.Fatal(err)
		}
		if cs, err := s.CarnetStatusByCode(ctx, f.Codes[f.Serials(3)[0]]); err != nil || cs.Status != passnum.CarnetExpired || cs.Remaining != 0 {
			t.Fatalf("after Expire: %+v %v", cs, err)
		}
	})
}

// TestCarnetStatusUnknownCodes: whatever is wrong with a code, the answer
// is the same, so that it tells a guesser nothing.
func TestCarnetStatusUnknownCodes(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		good := f.Codes[f.Serials(0)[0]]
		typo := []byte(good)
		if typo[0] == 'A' {
			typo[0] = 'B'
		} else {
			typo[0] = 'A'
		}
		unknown, err := passcode.NewCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		// A genuine signature over the claims of another pass.
		swapped := strings.Replace(f.Payloads[f.Serials(0)[0]], good[:4], f.Codes[f.Serials(0)[1]][:4], 1)
		var first *passnum.Error
		for _, code := range []string{unknown.String(), string(typo), "7K3M-QX9D", "", "   ", "n'importe quoi", forge(f.Payloads[f.Serials(0)[0]]), swapped,
			"PN1:garbage", strings.Repeat("A", 10000)} {
			_, err := env.Store.CarnetStatusByCode(context.Background(), code)
			var e *passnum.Error
			if !asError(err, &e) || e.Code != passnum.ENOTFOUND || e.Reason != "carnet-unknown" || !strings.Contains(e.Message, "imprimé sous le QR code") {
				t.Fatalf("code %q: %v", code, err)
			}
			if first == nil {
				first = e
			} else if e.Code != first.Code || e.Reason != first.Reason || e.Message != first.Message || e.Field != first.Field || e.Passes != nil {
				t.Fatalf("code %q answers %+v, another %+v", code, e, first)
			}
		}
	})
}

func TestProgrammeSummary(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		ps, err := env.Store.ProgrammeSummary(context.Background(), f.Programme.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := passnum.ProgrammeSummary{ID: f.Programme.ID, Name: "Pass numérique Bretagne 2027", Funders: []string{"État — ANCT", "Département d'Ille-et-Vilaine"},
			FaceValueCents: 1000, ValidFrom: "2027-01-01", ValidUntil: "2027-12-31", Territory: []string{"region:53"},
			Services: []string{"Maîtrise des outils numériques du quotidien", "Aide aux démarches administratives"}}
		got, _ := json.Marshal(ps)
		exp, _ := json.Marshal(want)
		if string(got) != string(exp) {
			t.Fatalf("summary %s\nwant    %s", got, exp)
		}
		if _, err := env.Store.ProgrammeSummary(context.Background(), 999999); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("unknown programme: %v", err)
		}
	})
}

func TestListPublicVenues(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s, op := env.Store, st.As(f.Operator)
		venue := func(name, siret13, commune string, q passnum.Qualification) *passnum.Organisation {
			t.Helper()
			v, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: name, SIRET: validSIRET(siret13), CommuneINSEE: commune, Qualification: q})
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		atelier := venue("atelier des Gayeulles", "1111111111111", "35238", passnum.QualificationQualified) // Rennes, lower case on purpose
		fougeres := venue("Bibliothèque de Fougères", "2222222222222", "35115", passnum.QualificationQualified)
		venue("Lieu en attente", "3333333333333", "35238", passnum.QualificationPending)
		venue("Lieu suspendu", "4444444444444", "35238", passnum.QualificationSuspended)
		// Venue2 withdraws its only service: it stays listed, with none.
		if _, err := s.SetCatalogueServiceActive(op, f.Service2.ID, false); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		tests := []struct {
			name   string
			filter passnum.PublicVenueFilter
			want   []int64
		}{
			{"commune first, then its département, then the nearest (Brest before Lyon)", passnum.PublicVenueFilter{Commune: "35238"},
				[]int64{atelier.ID, f.Venue.ID, fougeres.ID, f.Venue2.ID, f.Outside.ID}},
			{"inside a région", passnum.PublicVenueFilter{Territory: []string{"region:53"}, Commune: "35238"},
				[]int64{atelier.ID, f.Venue.ID, fougeres.ID, f.Venue2.ID}},
			{"inside a département", passnum.PublicVenueFilter{Territory: []string{"departement:29"}, Commune: "35238"}, []int64{f.Venue2.ID}},
			{"a commune and a département", passnum.PublicVenueFilter{Territory: []string{"commune:35115", "departement:69"}}, []int64{fougeres.ID, f.Outside.ID}},
			{"no commune: by name", passnum.PublicVenueFilter{}, []int64{atelier.ID, fougeres.ID, f.Outside.ID, f.Venue.ID, f.Venue2.ID}},
			{"Brest first", passnum.PublicVenueFilter{Commune: "29019", Limit: 2}, []int64{f.Venue2.ID, atelier.ID}},
			{"nowhere", passnum.PublicVenueFilter{Territory: []string{"region:11"}}, []int64{}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ListPublicVenues(ctx, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				ids := []int64{}
				for _, v := range got {
					ids = append(ids, v.ID)
					if v.Services == nil {
						t.Fatalf("venue %d: services null", v.ID)
					}
					switch v.ID {
					case f.Venue.ID:
						if len(v.Services) != 1 || v.Services[0].ID != f.Service.ID || v.CommuneINSEE != "35238" || v.Name != f.Venue.Name {
							t.Fatalf("venue %+v", v)
						}
					case f.Venue2.ID:
						if len(v.Services) != 0 {
							t.Fatalf("a withdrawn service is listed: %+v", v.Services)
						}
					}
				}
				if !slicesEqual(ids, tc.want) {
					t.Fatalf("venues %v, want %v", ids, tc.want)
				}
			})
		}
		t.Run("limit", func(t *testing.T) {
			for i := range 25 {
				venue("Lieu "+string(rune('a'+i)), "5"+strings.Repeat("0", 10)+string(rune('1'+i%9))+string(rune('0'+i/9)), "35238", passnum.QualificationQualified)
			}
			for _, tc := range []struct{ limit, want int }{{0, 20}, {5, 5}, {1000, 30}} {
				got, err := s.ListPublicVenues(ctx, passnum.PublicVenueFilter{Limit: tc.limit})
				if err != nil || len(got) != tc.want {
					t.Fatalf("limit %d: %d venues, %v", tc.limit, len(got), err)
				}
			}
		})
		for _, bad := range []passnum.PublicVenueFilter{{Territory: []string{"region:99"}}, {Territory: []string{"35238"}}, {Commune: "99999"}, {Commune: "Rennes"}} {
			if _, err := s.ListPublicVenues(ctx, bad); passnum.ErrorCode(err) != passnum.EINVALID {
				t.Fatalf("filter %+v: %v", bad, err)
			}
		}
	})
}

func slicesEqual(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
