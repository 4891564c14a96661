package sqlstore_test

import (
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestCheckInvariantsDetectsTampering changes the records behind the
// store's back, one way at a time, and expects CheckInvariants to name the
// broken invariant.
func TestCheckInvariantsDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		sql    string
		expect string
	}{
		{"pass marked redeemed without a redemption", `UPDATE passes SET state = 'redeemed' WHERE serial = (SELECT MIN(serial) FROM passes WHERE state = 'distributed')`, "disagree with their redemption lines"},
		{"pass value moved without a posting", `UPDATE passes SET state = 'expired' WHERE serial = (SELECT MIN(serial) FROM passes WHERE state = 'allocated')`, "account passes_expired holds 0 cents, records say 1000"},
		{"an entry deleted", `DELETE FROM entries WHERE posting_id = (SELECT MAX(posting_id) FROM entries) AND amount_cents > 0`, "does not balance"},
		{"issued counter edited", `UPDATE programmes SET issued_cents = issued_cents + 1000`, "issued counter"},
		{"live redemption line voided", `UPDATE redemption_passes SET voided = 1`, "disagree with their redemption lines"},
		{"payment order amount edited", `UPDATE payment_orders SET amount_cents = amount_cents + 1 WHERE id = (SELECT MIN(id) FROM payment_orders)`, "funds received counter"},
		{"budget and counters lowered below the passes issued", `UPDATE programmes SET budget_cents = 1000, issued_cents = 1000, activated_cents = 1000`, "exceeds the funded budget"},
		{"allocated pass without an activation date", `UPDATE passes SET activated_at = NULL WHERE serial = (SELECT MIN(serial) FROM passes WHERE state = 'allocated')`, "disagree with their activation date"},
		{"distributed pass in an undistributed carnet", `UPDATE carnets SET beneficiary_id = NULL WHERE number = (SELECT MIN(number) FROM carnets WHERE beneficiary_id IS NOT NULL)`, "disagree with their carnet"},
		{"an instant that is not one", `UPDATE postings SET created_at = 'garbage' WHERE id = (SELECT MIN(id) FROM postings)`, `postings.created_at: 1 value does not have the shape of an instant (2006-01-02T15:04:05.000000Z), such as "garbage"`},
		{"an instant the other checks read", `UPDATE programmes SET created_at = '2027-03-15'`, "the other checks stopped on a damaged record: programmes 1: created_at \"2027-03-15\" is not an instant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st.Each(t, func(t *testing.T, env *st.Env) {
				f := st.NewFixture(t, env, st.Options{Carnets: 4, Allocated: 3, Distributed: 2, CarnetSize: 2})
				if _, err := env.Store.Redeem(st.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(0)[0]), ServiceID: f.Service.ID, IdempotencyKey: "x"}); err != nil {
					t.Fatal(err)
				}
				st.MustCheck(t, env, f.Operator)
				if err := sqlstore.ExecRaw(env.Store, tc.sql); err != nil {
					t.Fatalf("tamper: %v", err)
				}
				rep, err := env.Store.CheckInvariants(st.As(f.Operator))
				if err != nil {
					t.Fatal(err)
				}
				if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), tc.expect) {
					t.Fatalf("problems %q do not mention %q", rep.Problems, tc.expect)
				}
			})
		})
	}
	t.Run("second live redemption refused by the database", func(t *testing.T) {
		st.Each(t, func(t *testing.T, env *st.Env) {
			f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
			if _, err := env.Store.Redeem(st.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(0)[0]), ServiceID: f.Service.ID, IdempotencyKey: "x"}); err != nil {
				t.Fatal(err)
			}
			err := sqlstore.ExecRaw(env.Store, `INSERT INTO redemption_passes (redemption_id, serial, programme_id) SELECT redemption_id + 1000, serial, programme_id FROM redemption_passes`)
			if err == nil {
				t.Fatal("the database accepted a second live redemption of the same pass")
			}
			if err := sqlstore.ExecRaw(env.Store, `UPDATE programmes SET budget_cents = issued_cents - 1`); err == nil {
				t.Fatal("the database accepted a budget below the value issued")
			}
			if err := sqlstore.ExecRaw(env.Store, `DELETE FROM audit_log`); err == nil {
				t.Fatal("the audit log accepted a deletion")
			}
		})
	})
}
