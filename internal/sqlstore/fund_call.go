package sqlstore

import (
	"context"
	"fmt"

	"github.com/passnum/passnum"
)

// Calls for funds of conventions, and the follow-up of the money in
// (passnum.MoneyInService).

func (t *tx) fundCalls(conventionID int64) ([]passnum.FundCall, error) {
	return selectAll(t, func(sc scanner) (passnum.FundCall, error) {
		var f passnum.FundCall
		var created string
		if err := sc.Scan(&f.ID, &f.ConventionID, &f.FunderID, &f.FunderName, &f.Year, &f.AmountCents, &f.DueOn, &created); err != nil {
			return f, err
		}
		in := instants{table: "fund_calls", id: f.ID}
		f.CreatedAt = in.at("created_at", created)
		return f, in.err
	}, `SELECT f.id, f.convention_id, f.funder_id, o.name, f.year, f.amount_cents, f.due_on, f.created_at FROM fund_calls f
		JOIN organisations o ON o.id = f.funder_id WHERE f.convention_id = ? ORDER BY f.due_on, f.id`, conventionID)
}

// calledFor is what was called from a funder for a year of a convention.
func (t *tx) calledFor(conventionID, funderID int64, year int) (int64, error) {
	var n int64
	err := t.get(&n, `SELECT COALESCE(SUM(amount_cents), 0) FROM fund_calls WHERE convention_id = ? AND funder_id = ? AND year = ?`, conventionID, funderID, year)
	return n, err
}

// CallForFunds asks a party of a convention for (part of) its amount of a
// year: the call's funder or the operator does.
func (s *Store) CallForFunds(ctx context.Context, conventionID int64, in passnum.FundCallCreate) (*passnum.FundCall, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCallManage); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *passnum.FundCall
	err := s.write(ctx, "call for funds", func(tx *tx) error {
		c, _, err := tx.managedConvention(a, conventionID)
		if err != nil {
			return err
		}
		var committed int64
		name := ""
		for _, l := range c.Amounts {
			if l.FunderID == in.FunderID && l.Year == in.Year {
				committed, name = l.AmountCents, l.FunderName
			}
		}
		if name == "" {
			return passnum.Invalid("funder_id", "La convention n'engage pas le financeur n°%d pour %d.", in.FunderID, in.Year)
		}
		called, err := tx.calledFor(c.ID, in.FunderID, in.Year)
		if err != nil {
			return err
		}
		if called+in.AmountCents > committed {
			return &passnum.Error{Code: passnum.EREFUSED, Reason: passnum.ReasonOverCalled, Field: "amount_cents",
				Message: fmt.Sprintf("%s s'est engagé pour %s en %d, dont %s déjà appelés : on ne peut plus lui appeler que %s.",
					name, passnum.FrenchEuros(committed), in.Year, passnum.FrenchEuros(called), passnum.FrenchEuros(committed-called))}
		}
		id, err := tx.insert(`INSERT INTO fund_calls (convention_id, funder_id, year, amount_cents, due_on, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, in.FunderID, in.Year, in.AmountCents, in.DueOn, tx.nowText())
		if err != nil {
			return err
		}
		if err := tx.audit("convention.fund_call", fmt.Sprintf("convention:%d", c.ID), fmt.Sprintf("fund_call:%d funder:%d year=%d %d cents due %s",
			id, in.FunderID, in.Year, in.AmountCents, in.DueOn)); err != nil {
			return err
		}
		calls, err := tx.fundCalls(c.ID)
		if err != nil {
			return err
		}
		for i := range calls {
			if calls[i].ID == id {
				out = &calls[i]
			}
		}
		return nil
	})
	return out, wrapf(err, "call for funds of convention %d", conventionID)
}

// MoneyIn follows a convention's money: calls for funds, and each party's
// committed, called, received and owed amounts, late ones flagged.
func (s *Store) MoneyIn(ctx context.Context, conventionID int64) (*passnum.MoneyIn, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActConventionRead); err != nil {
		return nil, err
	}
	var out *passnum.MoneyIn
	err := s.read(ctx, func(tx *tx) error {
		c, err := tx.visibleConvention(a, conventionID)
		if err != nil {
			return err
		}
		calls, err := tx.fundCalls(c.ID)
		if err != nil {
			return err
		}
		received := map[int64]int64{}
		for _, p := range c.Parties {
			if received[p.FunderID], err = tx.paidUnder(c.ID, p.FunderID); err != nil {
				return err
			}
		}
		if calls == nil {
			calls = []passnum.FundCall{}
		}
		out = &passnum.MoneyIn{ConventionID: c.ID, Calls: calls, Funders: passnum.Standing(c, calls, received, passnum.Today(tx.now))}
		return nil
	})
	return out, wrapf(err, "money in of convention %d", conventionID)
}
