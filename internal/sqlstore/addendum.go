package sqlstore

import (
	"context"
	"fmt"

	"github.com/passnum/passnum"
)

// Addenda (avenants) of conventions.

// paidUnder is what a funder paid in (payment orders) to the programmes a
// convention finances.
func (t *tx) paidUnder(conventionID, funderID int64) (int64, error) {
	var paid int64
	err := t.get(&paid, `SELECT COALESCE(SUM(po.amount_cents), 0) FROM payment_orders po
		JOIN convention_programmes cp ON cp.programme_id = po.programme_id WHERE cp.convention_id = ? AND po.funder_id = ?`, conventionID, funderID)
	return paid, err
}

// CreateAddendum changes a convention's amounts: the call's funder (or
// the operator) records it. It is refused, and nothing changes, when it
// would lower a funder's commitment below what it already paid, break the
// call's matching rule or go beyond its envelope.
func (s *Store) CreateAddendum(ctx context.Context, conventionID int64, in passnum.AddendumCreate) (*passnum.Addendum, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCallManage); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *passnum.Addendum
	err := s.write(ctx, "create addendum", func(tx *tx) error {
		c, call, err := tx.managedConvention(a, conventionID)
		if err != nil {
			return err
		}
		before := map[[2]int64]int64{}
		for _, l := range c.Amounts {
			before[[2]int64{l.FunderID, int64(l.Year)}] = l.AmountCents
		}
		after := map[[2]int64]int64{}
		for k, v := range before {
			after[k] = v
		}
		var lines []passnum.AddendumLine
		for _, l := range in.Amounts {
			k := [2]int64{l.FunderID, int64(l.Year)}
			if before[k] == l.AmountCents {
				continue
			}
			if o, err := tx.findOrg(l.FunderID); err != nil || o.Kind != passnum.KindFunder {
				return passnum.Invalid("amounts", "Le financeur n°%d est introuvable.", l.FunderID)
			}
			after[k] = l.AmountCents
			lines = append(lines, passnum.AddendumLine{FunderID: l.FunderID, Year: l.Year, BeforeCents: before[k], AfterCents: l.AmountCents})
		}
		if len(lines) == 0 {
			return passnum.Invalid("amounts", "L'avenant ne change aucun montant de la convention.")
		}
		// Totals after the addendum, by funder and in all.
		funderAfter := map[int64]int64{}
		var total int64
		for k, v := range after {
			funderAfter[k[0]] += v
			total += v
		}
		for _, l := range lines {
			called, err := tx.calledFor(c.ID, l.FunderID, l.Year)
			if err != nil {
				return err
			}
			if l.AfterCents < called {
				o, _ := tx.findOrg(l.FunderID)
				return &passnum.Error{Code: passnum.EREFUSED, Reason: passnum.ReasonOverCalled, Field: "amounts",
					Message: fmt.Sprintf("L'avenant ramènerait l'engagement de %s pour %d à %s, en dessous de ce qui lui est déjà appelé (%s). Rien n'a été enregistré.",
						o.Name, l.Year, passnum.FrenchEuros(l.AfterCents), passnum.FrenchEuros(called))}
			}
			paid, err := tx.paidUnder(c.ID, l.FunderID)
			if err != nil {
				return err
			}
			if funderAfter[l.FunderID] < paid {
				o, _ := tx.findOrg(l.FunderID)
				return &passnum.Error{Code: passnum.EREFUSED, Reason: passnum.ReasonBelowPaid, Field: "amounts",
					Message: fmt.Sprintf("L'avenant ramènerait l'engagement de %s à %s, en dessous de ce qu'il a déjà versé (%s). Rien n'a été enregistré.",
						o.Name, passnum.FrenchEuros(funderAfter[l.FunderID]), passnum.FrenchEuros(paid))}
			}
		}
		if total <= 0 {
			return passnum.Invalid("amounts", "Une convention garde un montant positif.")
		}
		granted := funderAfter[call.FunderID]
		if !passnum.WithinShare(granted, total, call.MaxShareBP) {
			return passnum.MatchingRuleBroken(call, granted, total)
		}
		previous := c.FunderTotal(call.FunderID)
		if more := granted - previous; more > call.LeftCents {
			return passnum.EnvelopeExceeded(call, more)
		}
		var number int
		if err := tx.get(&number, `SELECT COALESCE(MAX(number), 0) + 1 FROM convention_addenda WHERE convention_id = ?`, c.ID); err != nil {
			return err
		}
		id, err := tx.insert(`INSERT INTO convention_addenda (convention_id, number, reason, created_at) VALUES (?, ?, ?, ?)`,
			c.ID, number, in.Reason, tx.nowText())
		if err != nil {
			return err
		}
		parties := map[int64]bool{}
		for _, p := range c.Parties {
			parties[p.FunderID] = true
		}
		for _, l := range lines {
			if err := tx.exec(`INSERT INTO addendum_lines (addendum_id, funder_id, year, before_cents, after_cents) VALUES (?, ?, ?, ?, ?)`,
				id, l.FunderID, l.Year, l.BeforeCents, l.AfterCents); err != nil {
				return err
			}
			if l.BeforeCents == 0 {
				err = tx.exec(`INSERT INTO convention_amounts (convention_id, funder_id, year, amount_cents) VALUES (?, ?, ?, ?)`, c.ID, l.FunderID, l.Year, l.AfterCents)
			} else {
				err = tx.exec(`UPDATE convention_amounts SET amount_cents = ? WHERE convention_id = ? AND funder_id = ? AND year = ?`, l.AfterCents, c.ID, l.FunderID, l.Year)
			}
			if err != nil {
				return err
			}
			if !parties[l.FunderID] {
				// A co-funder brought in is a party, who signs.
				if err := tx.exec(`INSERT INTO convention_parties (convention_id, funder_id) VALUES (?, ?)`, c.ID, l.FunderID); err != nil {
					return err
				}
				parties[l.FunderID] = true
			}
		}
		if err := tx.exec(`UPDATE conventions SET total_cents = ? WHERE id = ?`, total, c.ID); err != nil {
			return err
		}
		if err := tx.exec(`UPDATE applications SET granted_cents = ? WHERE id = ?`, granted, c.ApplicationID); err != nil {
			return err
		}
		if err := tx.audit("convention.addendum", fmt.Sprintf("convention:%d", c.ID), fmt.Sprintf("addendum:%d number=%d total=%d granted=%d",
			id, number, total, granted)); err != nil {
			return err
		}
		all, err := tx.addenda(c.ID)
		if err != nil {
			return err
		}
		out = all[len(all)-1]
		return nil
	})
	return out, wrapf(err, "addendum to convention %d", conventionID)
}

func (t *tx) addenda(conventionID int64) ([]*passnum.Addendum, error) {
	out, err := selectAll(t, func(sc scanner) (*passnum.Addendum, error) {
		var a passnum.Addendum
		var created string
		if err := sc.Scan(&a.ID, &a.ConventionID, &a.Number, &a.Reason, &created); err != nil {
			return nil, err
		}
		in := instants{table: "convention_addenda", id: a.ID}
		a.CreatedAt = in.at("created_at", created)
		return &a, in.err
	}, `SELECT id, convention_id, number, reason, created_at FROM convention_addenda WHERE convention_id = ? ORDER BY number`, conventionID)
	if err != nil {
		return nil, err
	}
	for _, a := range out {
		a.Lines, err = selectAll(t, func(sc scanner) (passnum.AddendumLine, error) {
			var l passnum.AddendumLine
			return l, sc.Scan(&l.FunderID, &l.FunderName, &l.Year, &l.BeforeCents, &l.AfterCents)
		}, `SELECT l.funder_id, o.name, l.year, l.before_cents, l.after_cents FROM addendum_lines l JOIN organisations o ON o.id = l.funder_id
			WHERE l.addendum_id = ? ORDER BY l.year, l.funder_id`, a.ID)
		if err != nil {
			return nil, fmt.Errorf("addendum %d: %w", a.ID, err)
		}
	}
	return out, nil
}

// ListAddenda lists a convention's addenda, oldest first.
func (s *Store) ListAddenda(ctx context.Context, conventionID int64) ([]*passnum.Addendum, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActConventionRead); err != nil {
		return nil, err
	}
	var out []*passnum.Addendum
	err := s.read(ctx, func(tx *tx) error {
		if _, err := tx.visibleConvention(a, conventionID); err != nil {
			return err
		}
		var err error
		out, err = tx.addenda(conventionID)
		return err
	})
	return out, wrapf(err, "addenda of convention %d", conventionID)
}
