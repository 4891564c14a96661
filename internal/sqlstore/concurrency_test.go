package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestConcurrentRedemptions has 32 goroutines redeem overlapping sets of
// passes at once, at three venues. Each pass must end redeemed exactly once,
// by exactly one successful redemption, and the ledger must balance. On
// PostgreSQL the conflicting transactions fail serialization and are
// retried.
func TestConcurrentRedemptions(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		const carnets, size, workers, attempts = 12, 5, 32, 12
		f := st.NewFixture(t, env, st.Options{Carnets: carnets, Allocated: carnets, Distributed: carnets, CarnetSize: size})
		var all []int64
		for i := 0; i < carnets; i++ {
			all = append(all, f.Serials(i)...)
		}
		venues := []*passnum.Organisation{f.Venue, f.Venue2}
		services := []int64{f.Service.ID, f.Service2.ID}
		var mu sync.Mutex
		winners := map[int64]int{} // serial → successful redemptions containing it
		var ok, refused int
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 42))
				for a := 0; a < attempts; a++ {
					// 1 to 3 passes from a small window, so that workers collide.
					start := rng.IntN(len(all) - 3)
					set := all[start : start+1+rng.IntN(3)]
					v := rng.IntN(len(venues))
					r, err := env.Store.Redeem(st.VenueCtx(venues[v]), passnum.RedeemRequest{
						Codes: f.CodesOf(set...), ServiceID: services[v], IdempotencyKey: fmt.Sprintf("w%d-%d", w, a)})
					mu.Lock()
					switch {
					case err == nil:
						ok++
						for _, s := range r.Serials {
							winners[s]++
						}
					case passnum.ErrorCode(err) == passnum.EREFUSED && passnum.ErrorReason(err) == passnum.ReasonAlreadyRedeemed:
						refused++
					default:
						t.Errorf("worker %d: unexpected error: %v", w, err)
					}
					mu.Unlock()
				}
			}(w)
		}
		wg.Wait()
		if ok == 0 || refused == 0 {
			t.Fatalf("the test did not exercise contention: %d successes, %d refusals", ok, refused)
		}
		for serial, n := range winners {
			if n != 1 {
				t.Errorf("pass %d redeemed by %d successful redemptions", serial, n)
			}
		}
		p, err := env.Store.FindProgramme(st.As(f.Operator), f.Programme.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.PassesByState[passnum.StateRedeemed]; got != int64(len(winners)) {
			t.Errorf("%d passes in state redeemed, %d won by a redemption", got, len(winners))
		}
		_, total, _ := env.Store.ListRedemptions(st.As(f.Operator), passnum.RedemptionFilter{})
		if total != ok {
			t.Errorf("%d redemptions stored, %d acknowledged", total, ok)
		}
		st.MustCheck(t, env, f.Operator)
		t.Logf("%s: %d redemptions, %d refused as already redeemed, %d passes redeemed, %d transactions retried",
			env.Name, ok, refused, len(winners), env.Store.Retries())
	})
}

// TestCancelledRedemptionsLeaveOthersAlone: venues whose clients hang up
// while their redemption waits in the SQLite committer must not take down
// the redemptions of other venues grouped in the same transaction. Half the
// callers cancel their context at a random moment; the others redeem
// distinct passes, so every one of them must succeed. A cancelled caller
// either gets its redemption (it was already running) or a cancellation,
// never a half-written one.
func TestCancelledRedemptionsLeaveOthersAlone(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		const carnets, size = 100, 5
		f := st.NewFixture(t, env, st.Options{Carnets: carnets, Allocated: carnets, Distributed: carnets, CarnetSize: size})
		var all []int64
		for i := 0; i < carnets; i++ {
			all = append(all, f.Serials(i)...)
		}
		var mu sync.Mutex
		acknowledged := map[int64]bool{} // serial → its redemption was acknowledged
		var normalFailed, cancelled int
		var wg sync.WaitGroup
		for i, serial := range all {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := st.VenueCtx(f.Venue)
				impatient := i%2 == 1
				if impatient {
					var cancel context.CancelFunc
					ctx, cancel = context.WithCancel(ctx)
					delay := time.Duration(rand.IntN(20000)) * time.Microsecond
					defer time.AfterFunc(delay, cancel).Stop()
				}
				_, err := env.Store.Redeem(ctx, passnum.RedeemRequest{
					Codes: f.CodesOf(serial), ServiceID: f.Service.ID, IdempotencyKey: fmt.Sprint("k", serial)})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					acknowledged[serial] = true
				case impatient && errors.Is(err, context.Canceled):
					cancelled++
				case impatient:
					t.Errorf("cancelled redemption of pass %d: %v, want success or context.Canceled", serial, err)
				default:
					normalFailed++
					t.Errorf("redemption of pass %d, whose caller waited: %v", serial, err)
				}
			}()
		}
		wg.Wait()
		if cancelled == 0 {
			t.Log("no redemption was cancelled in time: the test exercised nothing this run")
		}
		// Every acknowledged redemption is in the store, and nothing else.
		reds, total, err := env.Store.ListRedemptions(st.As(f.Operator), passnum.RedemptionFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		stored := map[int64]bool{}
		for _, r := range reds {
			for _, s := range r.Serials {
				stored[s] = true
			}
		}
		for s := range acknowledged {
			if !stored[s] {
				t.Errorf("pass %d: redemption acknowledged, not in the store", s)
			}
		}
		if total < len(acknowledged) {
			t.Errorf("%d redemptions stored, %d acknowledged", total, len(acknowledged))
		}
		st.MustCheck(t, env, f.Operator)
		t.Logf("%s: %d acknowledged, %d cancelled, %d stored, %d normal callers failed", env.Name, len(acknowledged), cancelled, total, normalFailed)
	})
}
