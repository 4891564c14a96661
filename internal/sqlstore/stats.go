package sqlstore

import (
	"context"
	"fmt"

	"github.com/passnum/passnum"
)

// ProgrammeStats recomputes what a programme's money achieved from the
// records, in one consistent snapshot: no counter is cached, so the figures
// can be trusted as the passes are (invariant 3). It counts the programme's
// passes by state from an index, reads rows only for blocked and expired
// passes, and otherwise works on carnets: a carnet holds exactly its size
// in passes, so the passes of allocated, distributed and started carnets
// are sums of sizes.
func (s *Store) ProgrammeStats(ctx context.Context, id int64) (*passnum.ProgrammeStats, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActProgrammeRead); err != nil {
		return nil, err
	}
	var out *passnum.ProgrammeStats
	err := s.read(ctx, func(tx *tx) error {
		p, err := tx.visibleProgramme(a, id)
		if err != nil {
			return err
		}
		st := &passnum.ProgrammeStats{ProgrammeID: id, Shares: []passnum.ShareMoney{}}
		if err := tx.passFunnel(id, &st.Funnel); err != nil {
			return fmt.Errorf("passes: %w", err)
		}
		if err := tx.carnetFunnel(id, st); err != nil {
			return fmt.Errorf("carnets: %w", err)
		}
		// The same states as Block's for the stock.
		if err := tx.row(`SELECT
				COALESCE(SUM(CASE WHEN state IN ('issued', 'activated', 'allocated') THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN state = 'blocked' AND block_scope = 'stock' THEN 1 ELSE 0 END), 0)
			FROM passes WHERE programme_id = ? AND state IN ('issued', 'activated', 'allocated', 'blocked')`, id).
			Scan(&st.StockBlockable, &st.StockBlocked); err != nil {
			return fmt.Errorf("stock: %w", err)
		}
		received, err := tx.receivedByFunder(id)
		if err != nil {
			return fmt.Errorf("payment orders: %w", err)
		}
		st.SpentCents = st.Funnel.Redeemed * p.FaceValueCents
		st.Shares = append(st.Shares, shareMoney(p, st.SpentCents, received)...)
		out = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("statistics of programme %d: %w", id, err)
	}
	return out, nil
}

// passFunnel counts a programme's passes by state into f.
func (t *tx) passFunnel(id int64, f *passnum.Funnel) error {
	// Passes by state, from the (programme_id, state, carnet) index
	// alone.
	rows, err := t.query(`SELECT state, COUNT(*) FROM passes WHERE programme_id = ? GROUP BY state`, id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var state passnum.PassState
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			rows.Close()
			return err
		}
		f.Issued += n
		switch state {
		case passnum.StateActivated, passnum.StateAllocated, passnum.StateDistributed:
			f.Activated += n
		case passnum.StateRedeemed, passnum.StateSettled:
			f.Activated += n
			f.Redeemed += n
		case passnum.StateBlocked:
			f.Blocked += n
		case passnum.StateExpired:
			f.Expired += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// A pass in any state from activated on was activated (the only
	// way there is Activate, and CheckInvariants verifies it); a
	// blocked or expired one may or may not have been. Reading the
	// activation date of those only, rather than of every pass,
	// halves the time of these statistics on SQLite.
	var exited int64
	if err := t.get(&exited, `SELECT COUNT(*) FROM passes WHERE programme_id = ? AND state IN ('blocked', 'expired') AND activated_at IS NOT NULL`, id); err != nil {
		return err
	}
	f.Activated += exited
	return nil
}

// carnetFunnel counts a programme's carnets allocated, distributed and
// started, and their passes, into st.
func (t *tx) carnetFunnel(id int64, st *passnum.ProgrammeStats) error {
	f := &st.Funnel
	// Allocation and distribution are facts about carnets.
	if err := t.row(`SELECT COUNT(*),
			COALESCE(SUM(CASE WHEN prescriber_id IS NOT NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN prescriber_id IS NOT NULL THEN size ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN beneficiary_id IS NOT NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN beneficiary_id IS NOT NULL THEN size ELSE 0 END), 0)
		FROM carnets WHERE programme_id = ?`, id).
		Scan(&st.Carnets.Issued, &st.Carnets.Allocated, &f.Allocated, &st.Carnets.Distributed, &f.Distributed); err != nil {
		return err
	}
	// Started carnets ("entamés"): those of the used passes, found
	// through the (programme_id, state, carnet) index alone.
	return t.row(`SELECT COUNT(*), COALESCE(SUM(size), 0) FROM carnets
		WHERE number IN (SELECT carnet FROM passes WHERE programme_id = ? AND state IN ('redeemed', 'settled'))`, id).
		Scan(&st.Carnets.Started, &f.Started)
}

// receivedByFunder sums the payment orders of a programme by funder.
func (t *tx) receivedByFunder(id int64) (map[int64]int64, error) {
	type sum struct{ funder, cents int64 }
	sums, err := selectAll(t, func(sc scanner) (sum, error) {
		var s sum
		return s, sc.Scan(&s.funder, &s.cents)
	}, `SELECT funder_id, SUM(amount_cents) FROM payment_orders WHERE programme_id = ? GROUP BY funder_id`, id)
	if err != nil {
		return nil, err
	}
	received := map[int64]int64{}
	for _, s := range sums {
		received[s.funder] = s.cents
	}
	return received, nil
}

// shareMoney splits a programme's budget and the value spent between its
// funders by share, beside what each paid in.
func shareMoney(p *passnum.Programme, spentCents int64, received map[int64]int64) []passnum.ShareMoney {
	shares := make([]int, len(p.Funders))
	for i, fs := range p.Funders {
		shares[i] = fs.ShareBP
	}
	committed := passnum.SplitByShares(p.BudgetCents, shares)
	spent := passnum.SplitByShares(spentCents, shares)
	out := make([]passnum.ShareMoney, len(p.Funders))
	for i, fs := range p.Funders {
		out[i] = passnum.ShareMoney{
			FunderID: fs.FunderID, FunderName: fs.FunderName, ShareBP: fs.ShareBP,
			CommittedCents: committed[i], ReceivedCents: received[fs.FunderID],
			SpentCents: spent[i], RemainingCents: committed[i] - spent[i],
		}
	}
	return out
}
