package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

// refusalOf returns the error's code and reason, and the reason of the
// first refused pass.
func refusalOf(t *testing.T, err error) (code, reason string) {
	t.Helper()
	if err == nil {
		t.Fatal("expected a refusal, got success")
	}
	return passnum.ErrorCode(err), passnum.ErrorReason(err)
}

// TestRedeemRules presents passes in every situation the rules know and
// asserts the specific reason, on both stores.
func TestRedeemRules(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 20, Activated: 16, Allocated: 12, Distributed: 8})
		s := env.Store
		op := st.As(f.Operator)
		venue := st.VenueCtx(f.Venue)
		// Carnet 0: one pass already redeemed at f.Venue2.
		used := f.Serials(0)[0]
		if _, err := s.Redeem(st.VenueCtx(f.Venue2), passnum.RedeemRequest{Codes: f.CodesOf(used), ServiceID: f.Service2.ID, IdempotencyKey: "first"}); err != nil {
			t.Fatalf("first redemption: %v", err)
		}
		// Carnet 1: blocked as lost.
		if _, err := s.Block(op, passnum.BlockRequest{Scope: passnum.BlockCarnet, Carnet: f.Batch.FirstCarnet + 1, Reason: "carnet perdu"}); err != nil {
			t.Fatal(err)
		}
		notActivated := f.Serials(17)[0]   // carnets 16.. are not activated
		notDistributed := f.Serials(10)[0] // allocated, not distributed
		notAllocated := f.Serials(14)[0]   // activated only
		good := f.Serials(2)[0]
		code := f.Codes[good]
		// A typo: change one character of a valid code.
		typo := []byte(code)
		if typo[0] == 'A' {
			typo[0] = 'B'
		} else {
			typo[0] = 'A'
		}
		tests := []struct {
			name   string
			ctx    func() (svcID int64, ctxVenue *passnum.Organisation)
			codes  []string
			reason string
			detail string // a fragment of the French message
		}{
			{"already redeemed", nil, f.CodesOf(used), passnum.ReasonAlreadyRedeemed, "Médiathèque de Brest"},
			{"blocked carnet", nil, f.CodesOf(f.Serials(1)[2]), passnum.ReasonBlocked, "carnet perdu"},
			{"not activated", nil, f.CodesOf(notActivated), passnum.ReasonNotActivated, "pas encore activé"},
			{"allocated, not distributed", nil, f.CodesOf(notDistributed), passnum.ReasonNotDistributed, "prescripteur"},
			{"activated, not allocated", nil, f.CodesOf(notAllocated), passnum.ReasonNotDistributed, "prescripteur"},
			{"unknown code", nil, []string{"0000-0000-0000-0"}, passnum.ReasonUnknown, "inconnu"},
			{"typo caught by the check character", nil, []string{string(typo)}, passnum.ReasonMalformed, "contrôle"},
			{"too short", nil, []string{"7K3M-QX9D"}, passnum.ReasonMalformed, "13 caractères"},
			{"forged QR payload", nil, []string{forge(f.Payloads[good])}, passnum.ReasonForged, "falsifié"},
			{"same pass twice", nil, []string{code, strings.ToLower(code)}, passnum.ReasonDuplicate, "deux fois"},
			{"venue outside the territory", func() (int64, *passnum.Organisation) { return f.OutService.ID, f.Outside }, []string{code}, passnum.ReasonOutsideTerr, "région 53"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				svc, v := f.Service.ID, f.Venue
				if tc.ctx != nil {
					svc, v = tc.ctx()
				}
				before := snapshot(t, env, f)
				_, err := s.Redeem(st.VenueCtx(v), passnum.RedeemRequest{Codes: tc.codes, ServiceID: svc, IdempotencyKey: "k-" + tc.name})
				code, reason := refusalOf(t, err)
				if code != passnum.EREFUSED || reason != tc.reason {
					t.Fatalf("got %s/%s (%v), want refused/%s", code, reason, err, tc.reason)
				}
				if msg := passnum.ErrorMessage(err); !strings.Contains(msg, tc.detail) && !strings.Contains(passesMessages(err), tc.detail) {
					t.Errorf("message %q (passes: %q) does not say %q", msg, passesMessages(err), tc.detail)
				}
				if after := snapshot(t, env, f); after != before {
					t.Errorf("a refused redemption changed the data:\nbefore %s\nafter  %s", before, after)
				}
				// Check gives the same verdict without spending.
				checks, err := s.Check(st.VenueCtx(v), passnum.CheckRequest{Codes: tc.codes, ServiceID: svc})
				if err != nil {
					t.Fatalf("check: %v", err)
				}
				last := checks[len(checks)-1]
				if last.Usable || last.Reason != tc.reason {
					t.Errorf("check said %+v, want reason %s", last, tc.reason)
				}
			})
		}
		t.Run("service category not allowed", func(t *testing.T) {
			svc, err := s.CreateCatalogueService(op, passnum.CatalogueServiceCreate{VenueID: f.Venue.ID, Title: "Retouche photo", Category: "Loisirs et créations numériques", DurationMinutes: 60, PricePasses: 1})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Redeem(venue, passnum.RedeemRequest{Codes: []string{code}, ServiceID: svc.ID, IdempotencyKey: "k-cat"})
			if _, reason := refusalOf(t, err); reason != passnum.ReasonServiceNotAllow {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("service of another venue", func(t *testing.T) {
			_, err := s.Redeem(venue, passnum.RedeemRequest{Codes: []string{code}, ServiceID: f.Service2.ID, IdempotencyKey: "k-other"})
			if _, reason := refusalOf(t, err); reason != passnum.ReasonServiceUnknown {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("price in passes", func(t *testing.T) {
			svc, err := s.CreateCatalogueService(op, passnum.CatalogueServiceCreate{VenueID: f.Venue.ID, Title: "Atelier de 3 heures", Category: "Aide aux démarches administratives", DurationMinutes: 180, PricePasses: 2})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Redeem(venue, passnum.RedeemRequest{Codes: []string{code}, ServiceID: svc.ID, IdempotencyKey: "k-price"})
			if _, reason := refusalOf(t, err); reason != passnum.ReasonPassCount {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("venue not qualified", func(t *testing.T) {
			if _, err := s.MoveQualification(op, f.Venue2.ID, passnum.QualificationSuspended, "contrôle en cours"); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if _, err := s.MoveQualification(op, f.Venue2.ID, passnum.QualificationQualified, "contrôle terminé"); err != nil {
					t.Fatal(err)
				}
			}()
			_, err := s.Redeem(st.VenueCtx(f.Venue2), passnum.RedeemRequest{Codes: []string{code}, ServiceID: f.Service2.ID, IdempotencyKey: "k-susp"})
			if _, reason := refusalOf(t, err); reason != passnum.ReasonVenueNotQual {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("all or none", func(t *testing.T) {
			before := snapshot(t, env, f)
			_, err := s.Redeem(venue, passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(3)[0], f.Serials(3)[1], used), ServiceID: f.Service.ID, IdempotencyKey: "k-mixed"})
			var e *passnum.Error
			if !asError(err, &e) || len(e.Passes) != 3 || !e.Passes[0].Usable || e.Passes[2].Usable {
				t.Fatalf("want the verdict on all three passes, got %v", err)
			}
			if after := snapshot(t, env, f); after != before {
				t.Fatalf("partial redemption: %s → %s", before, after)
			}
		})
		t.Run("QR payload redeems like the typed code", func(t *testing.T) {
			r, err := s.Redeem(venue, passnum.RedeemRequest{Codes: []string{f.Payloads[f.Serials(4)[0]]}, ServiceID: f.Service.ID, IdempotencyKey: "k-qr"})
			if err != nil || len(r.Serials) != 1 || r.Serials[0] != f.Serials(4)[0] {
				t.Fatalf("got %+v, %v", r, err)
			}
		})
		t.Run("not yet valid and expired", func(t *testing.T) {
			defer env.Clock.Set(st.Start)
			env.Clock.Set(time.Date(2026, 12, 20, 10, 0, 0, 0, time.UTC))
			_, err := s.Redeem(venue, passnum.RedeemRequest{Codes: []string{code}, ServiceID: f.Service.ID, IdempotencyKey: "k-early"})
			if _, reason := refusalOf(t, err); reason != passnum.ReasonNotYetValid {
				t.Fatalf("early: %v", err)
			}
			// Within the tolerance (31 days after 31 December): still valid.
			env.Clock.Set(time.Date(2028, 1, 30, 10, 0, 0, 0, time.UTC))
			if _, err := s.Check(venue, passnum.CheckRequest{Codes: []string{code}}); err != nil {
				t.Fatal(err)
			}
			checks, _ := s.Check(venue, passnum.CheckRequest{Codes: []string{code}})
			if !checks[0].Usable {
				t.Fatalf("within tolerance: %+v", checks[0])
			}
			env.Clock.Set(time.Date(2028, 2, 2, 10, 0, 0, 0, time.UTC))
			_, err = s.Redeem(venue, passnum.RedeemRequest{Codes: []string{code}, ServiceID: f.Service.ID, IdempotencyKey: "k-late"})
			if _, reason := refusalOf(t, err); reason != passnum.ReasonExpired {
				t.Fatalf("late: %v", err)
			}
		})
		st.MustCheck(t, env, f.Operator)
	})
}

func passesMessages(err error) string {
	var e *passnum.Error
	if !asError(err, &e) {
		return ""
	}
	var out []string
	for _, p := range e.Passes {
		out = append(out, p.Message)
	}
	return strings.Join(out, " | ")
}

// forge alters the signature of a QR payload.
func forge(payload string) string {
	b := []byte(payload)
	last := len(b) - 3
	if b[last] == 'A' {
		b[last] = 'B'
	} else {
		b[last] = 'A'
	}
	return string(b)
}

func TestIdempotencyAndVoid(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		s := env.Store
		venue := st.VenueCtx(f.Venue)
		req := passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(0)[:3]...), ServiceID: f.Service.ID, IdempotencyKey: "caisse-1/0001"}
		first, err := s.Redeem(venue, req)
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.Redeem(venue, req)
		if err != nil || again.ID != first.ID || !again.Replayed || first.Replayed {
			t.Fatalf("replay: %+v %v", again, err)
		}
		req2 := req
		req2.Codes = f.CodesOf(f.Serials(1)[0])
		if _, err := s.Redeem(venue, req2); passnum.ErrorReason(err) != "idempotency-key-reused" {
			t.Fatalf("reused key with another request: %v", err)
		}
		// Another venue cannot void it.
		if _, err := s.VoidRedemption(st.VenueCtx(f.Venue2), first.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("foreign void: %v", err)
		}
		env.Clock.Advance(23 * time.Hour)
		v, err := s.VoidRedemption(venue, first.ID)
		if err != nil || v.VoidedAt == nil {
			t.Fatalf("void: %+v %v", v, err)
		}
		if _, err := s.VoidRedemption(venue, first.ID); passnum.ErrorReason(err) != "already-voided" {
			t.Fatalf("second void: %v", err)
		}
		st.MustCheck(t, env, f.Operator)
		// The passes can be spent again.
		second, err := s.Redeem(venue, passnum.RedeemRequest{Codes: req.Codes, ServiceID: f.Service.ID, IdempotencyKey: "caisse-1/0002"})
		if err != nil {
			t.Fatalf("redeem after void: %v", err)
		}
		env.Clock.Advance(24*time.Hour + time.Second)
		if _, err := s.VoidRedemption(venue, second.ID); passnum.ErrorReason(err) != "void-window-closed" {
			t.Fatalf("late void: %v", err)
		}
		list, total, err := s.ListRedemptions(venue, passnum.RedemptionFilter{})
		if err != nil || total != 2 || len(list) != 2 || list[0].ID != second.ID {
			t.Fatalf("list: %d %v", total, err)
		}
		st.MustCheck(t, env, f.Operator)
	})
}

// TestReusedKeyAnswersAtOnce: a key reused for another request is refused
// without retrying any transaction. (When the twin commits between the
// lookup and the write, the database finds the reuse: the concurrency tests
// of the API cover that path.)
func TestReusedKeyAnswersAtOnce(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		venue := st.VenueCtx(f.Venue)
		if _, err := env.Store.Redeem(venue, passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(0)[0]), ServiceID: f.Service.ID, IdempotencyKey: "k"}); err != nil {
			t.Fatal(err)
		}
		retries := env.Store.Retries()
		start := time.Now()
		_, err := env.Store.Redeem(venue, passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(0)[1]), ServiceID: f.Service.ID, IdempotencyKey: "k"})
		if passnum.ErrorReason(err) != "idempotency-key-reused" {
			t.Fatalf("reused key: %v", err)
		}
		if env.Store.Retries() != retries {
			t.Errorf("a reused key was retried %d times (%v)", env.Store.Retries()-retries, time.Since(start))
		}
	})
}
