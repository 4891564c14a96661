package sqlstore

import (
	"context"
	"fmt"
	mrand "math/rand/v2"

	"github.com/passnum/passnum"
)

// SeedMoreUses is for benchmarks only (internal/bench): after a history
// (SeedHistory) and a snapshot of the indicators, it uses n passes handed
// to people, drawn at random, one redemption each, now, at venues and
// services of earlier uses — what n calls of Redeem would write, so that
// the bench measures the refresh that follows them. It returns the number
// of passes used.
func (s *Store) SeedMoreUses(ctx context.Context, n int, seed uint64) (int64, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActIssue); err != nil {
		return 0, err
	}
	var used int64
	err := s.write(ctx, "seed more uses", func(tx *tx) error {
		type pass struct{ serial, programme int64 }
		passes, err := selectAll(tx, func(sc scanner) (pass, error) {
			var p pass
			return p, sc.Scan(&p.serial, &p.programme)
		}, `SELECT serial, programme_id FROM passes WHERE state = 'distributed'`)
		if err != nil {
			return err
		}
		type place struct{ venue, service int64 }
		places, err := selectAll(tx, func(sc scanner) (place, error) {
			var p place
			return p, sc.Scan(&p.venue, &p.service)
		}, `SELECT venue_id, service_id FROM redemptions ORDER BY id LIMIT 400`)
		if err != nil {
			return err
		}
		if len(places) == 0 {
			return fmt.Errorf("seed more uses: no earlier use")
		}
		r := mrand.New(mrand.NewPCG(seed, uint64(n)))
		r.Shuffle(len(passes), func(i, j int) { passes[i], passes[j] = passes[j], passes[i] })
		passes = passes[:min(n, len(passes))]
		type pv struct{ programme, venue int64 }
		count := map[pv]int64{}
		faces := map[int64]*passnum.Programme{}
		for _, p := range passes {
			prog := faces[p.programme]
			if prog == nil {
				if prog, err = tx.settings(p.programme); err != nil {
					return err
				}
				faces[p.programme] = prog
			}
			at := places[r.IntN(len(places))]
			id, err := tx.insert(`INSERT INTO redemptions (venue_id, service_id, actor, idempotency_key, request_hash, passes, amount_cents, created_at)
				VALUES (?, ?, 'bench', ?, '', 1, ?, ?)`, at.venue, at.service, fmt.Sprintf("seed-more-%d", p.serial), prog.FaceValueCents, tx.nowText())
			if err != nil {
				return err
			}
			if err := tx.exec(`INSERT INTO redemption_passes (redemption_id, serial, programme_id) VALUES (?, ?, ?)`, id, p.serial, p.programme); err != nil {
				return err
			}
			if err := tx.exec(`UPDATE passes SET state = 'redeemed', redemption_id = ?, venue_id = ?, redeemed_at = ? WHERE serial = ?`,
				id, at.venue, tx.nowText(), p.serial); err != nil {
				return err
			}
			count[pv{p.programme, at.venue}]++
		}
		for k, c := range count {
			prog := faces[k.programme]
			if err := tx.post("redemption", fmt.Sprintf("seed-more:programme:%d:venue:%d", k.programme, k.venue),
				passnum.Move(prog.ID, passnum.AccountPassesLive, 0, passnum.AccountVenuePayable, k.venue, c*prog.FaceValueCents)); err != nil {
				return err
			}
		}
		used = int64(len(passes))
		return tx.audit("bench.seed_more_uses", "passes", fmt.Sprintf("%d redemptions", used))
	})
	return used, err
}
