package sqlstore_test

import (
	"fmt"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestRedemptionChecksAtTheWrite: what changes between a redemption's
// checks and its write transaction (on SQLite the checks run before it, on
// a reader) is seen by the write: a venue suspended, a service withdrawn, a
// pass blocked or redeemed by another redemption meanwhile refuse the
// redemption with their own reason, and nothing of it is written.
func TestRedemptionChecksAtTheWrite(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 6, Activated: 6, Allocated: 6, Distributed: 6})
		s, op, venue := env.Store, st.As(f.Operator), st.VenueCtx(f.Venue)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name    string
			carnet  int
			change  func(serial int64)
			restore func()
			reason  string
		}{
			{"venue suspended", 0, func(int64) {
				_, err := s.MoveQualification(op, f.Venue.ID, passnum.QualificationSuspended, "contrôle en cours")
				must(err)
			}, func() {
				_, err := s.MoveQualification(op, f.Venue.ID, passnum.QualificationQualified, "contrôle terminé")
				must(err)
			}, passnum.ReasonVenueNotQual},
			{"service withdrawn", 1, func(int64) {
				_, err := s.SetCatalogueServiceActive(op, f.Service.ID, false)
				must(err)
			}, func() {
				_, err := s.SetCatalogueServiceActive(op, f.Service.ID, true)
				must(err)
			}, passnum.ReasonServiceUnknown},
			{"pass blocked", 2, func(serial int64) {
				_, err := s.Block(op, passnum.BlockRequest{Scope: passnum.BlockPass, Serial: serial, Reason: "pass volé"})
				must(err)
			}, nil, passnum.ReasonBlocked},
			{"pass redeemed elsewhere", 3, func(serial int64) {
				_, err := s.Redeem(st.VenueCtx(f.Venue2), passnum.RedeemRequest{Codes: f.CodesOf(serial), ServiceID: f.Service2.ID, IdempotencyKey: fmt.Sprintf("autre-%d", serial)})
				must(err)
			}, nil, passnum.ReasonAlreadyRedeemed},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				serial := f.Serials(tc.carnet)[0]
				once := true
				sqlstore.AfterRedemptionChecks(t, func() {
					if once { // the redemption of the change itself goes through too
						once = false
						tc.change(serial)
					}
				})
				_, total, err := s.ListRedemptions(op, passnum.RedemptionFilter{VenueID: f.Venue.ID})
				must(err)
				_, err = s.Redeem(venue, passnum.RedeemRequest{Codes: f.CodesOf(serial), ServiceID: f.Service.ID, IdempotencyKey: "k-" + tc.name})
				if passnum.ErrorCode(err) != passnum.EREFUSED || passnum.ErrorReason(err) != tc.reason {
					t.Fatalf("got %v, want a refusal %s", err, tc.reason)
				}
				if _, after, err := s.ListRedemptions(op, passnum.RedemptionFilter{VenueID: f.Venue.ID}); err != nil || after != total {
					t.Errorf("%d redemptions of the venue after the refusal, %d before (%v)", after, total, err)
				}
				if tc.restore != nil {
					tc.restore()
				}
				st.MustCheck(t, env, f.Operator)
			})
		}
		// And with nothing changed, the same redemption goes through.
		sqlstore.AfterRedemptionChecks(t, func() {})
		if _, err := s.Redeem(venue, passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(4)[0]), ServiceID: f.Service.ID, IdempotencyKey: "k-fine"}); err != nil {
			t.Fatal(err)
		}
	})
}
