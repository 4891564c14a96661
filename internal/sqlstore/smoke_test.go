package sqlstore_test

import (
	"testing"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

func TestFixtureAndRedeem(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		st.MustCheck(t, env, f.Operator)
		serials := f.Serials(0)
		r, err := env.Store.Redeem(st.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(serials[:2]...), ServiceID: f.Service.ID, IdempotencyKey: "k1"})
		if err != nil {
			t.Fatalf("redeem: %v", err)
		}
		if len(r.Serials) != 2 {
			t.Fatalf("serials %v", r.Serials)
		}
		st.MustCheck(t, env, f.Operator)
	})
}
