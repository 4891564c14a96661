package sqlstore

import (
	"context"
	"fmt"

	"github.com/passnum/passnum"
)

// CheckInvariants recomputes the invariants of DOMAIN.md from the records,
// in one consistent snapshot, and names every one that fails:
//
//   - every stored instant has the shape of one (instant.go);
//   - every posting balances, and so does the whole ledger;
//   - each state account's balance equals the passes in that state times
//     the face value (the books reconcile with pass states);
//   - bank and funder accounts equal the payment orders recorded;
//   - issued value ≤ funded budget; activated value ≤ what funds received
//     pay for; the programme counters equal a recount;
//   - no pass is redeemed twice, and a pass is redeemed exactly when one
//     live redemption line points to it;
//   - carnets and pass states agree (distributed passes are in distributed
//     carnets, allocated ones in allocated carnets);
//   - a pass has an activation date exactly when its state says so;
//   - sessions, the redemptions tied to them and activity reports agree
//     (workshop_check.go);
//   - every venue has its description, which agrees with its organisation,
//     and a SIRET belongs to one candidate or qualified venue at most
//     (venue_check.go);
//   - statements, their lines, payment batches, funder charges and credit
//     notes agree with each other and with the passes; no pass is on two
//     live statements (settlement_check.go).
func (s *Store) CheckInvariants(ctx context.Context) (*passnum.CheckReport, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActInvariantsCheck); err != nil {
		return nil, err
	}
	rep := &passnum.CheckReport{Problems: []string{}}
	err := s.read(ctx, func(tx *tx) error {
		rep.Problems = rep.Problems[:0]
		return tx.checkInvariants(rep)
	})
	return rep, err
}

func (t *tx) checkInvariants(rep *passnum.CheckReport) error {
	fail := func(format string, args ...any) { rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...)) }
	// Instants first: the other checks read records, and one whose
	// instant does not read stops them with an error, which the report
	// then shows beside the damaged values instead of replacing them.
	if err := t.checkInstants(fail); err != nil {
		return err
	}
	damaged := len(rep.Problems) > 0
	if err := t.checkRecords(rep, fail); err != nil {
		if !damaged {
			return err
		}
		fail("the other checks stopped on a damaged record: %v", err)
	}
	return nil
}

// checkRecords checks every invariant but the instants' shape.
func (t *tx) checkRecords(rep *passnum.CheckReport, fail func(format string, args ...any)) error {
	if err := t.get(&rep.Postings, `SELECT COUNT(*) FROM postings`); err != nil {
		return err
	}
	if err := t.get(&rep.Passes, `SELECT COUNT(*) FROM passes`); err != nil {
		return err
	}
	// Every posting balances.
	err := t.each(`SELECT posting_id, SUM(amount_cents) FROM entries GROUP BY posting_id HAVING SUM(amount_cents) <> 0 ORDER BY posting_id LIMIT 20`, func(sc scanner) error {
		var id, sum int64
		if err := sc.Scan(&id, &sum); err != nil {
			return err
		}
		fail("ledger: posting %d does not balance (off by %d cents)", id, sum)
		return nil
	})
	if err != nil {
		return err
	}
	var total int64
	if err := t.get(&total, `SELECT COALESCE(SUM(amount_cents), 0) FROM entries`); err != nil {
		return err
	}
	if total != 0 {
		fail("ledger: the entries sum to %d cents instead of 0", total)
	}

	// Balances by programme, account and party.
	type key struct {
		prog    int64
		account string
		party   int64
	}
	balance := map[key]int64{}
	err = t.each(`SELECT programme_id, account, party_id, SUM(amount_cents) FROM entries GROUP BY programme_id, account, party_id`, func(sc scanner) error {
		var k key
		var sum int64
		if err := sc.Scan(&k.prog, &k.account, &k.party, &sum); err != nil {
			return err
		}
		balance[k] = sum
		return nil
	})
	if err != nil {
		return err
	}
	// What the ledger should hold, recounted from records.
	want := map[key]int64{}
	ids, err := selectAll(t, scanInt64, `SELECT id FROM programmes ORDER BY id`)
	if err != nil {
		return err
	}
	rep.Programmes = len(ids)
	for _, id := range ids {
		p, err := t.programme(id)
		if err != nil {
			return err
		}
		face := p.FaceValueCents
		// A redeemed pass on a live statement line is in venue_statement
		// (settlement.go).
		var all, activated int64
		err = t.each(`SELECT p.state, COALESCE(p.venue_id, 0), CASE WHEN l.serial IS NULL THEN 0 ELSE 1 END, COUNT(*),
				SUM(CASE WHEN p.activated_at IS NOT NULL THEN 1 ELSE 0 END)
			FROM passes p LEFT JOIN statement_lines l ON l.serial = p.serial AND l.rejected = 0
			WHERE p.programme_id = ? GROUP BY p.state, COALESCE(p.venue_id, 0), CASE WHEN l.serial IS NULL THEN 0 ELSE 1 END`, func(sc scanner) error {
			var st passnum.PassState
			var venue, onStatement, n, act int64
			if err := sc.Scan(&st, &venue, &onStatement, &n, &act); err != nil {
				return err
			}
			all += n
			activated += act
			account := passnum.StateAccount(st)
			if account == "" {
				fail("programme %d: %d passes in unknown state %q", id, n, st)
				return nil
			}
			if st == passnum.StateRedeemed && onStatement == 1 {
				account = passnum.AccountVenueStatement
			}
			party := int64(0)
			if account == passnum.AccountVenuePayable || account == passnum.AccountVenueStatement || account == passnum.AccountPassesSettled {
				party = venue
			}
			want[key{id, account, party}] += n * face
			return nil
		}, id)
		if err != nil {
			return err
		}
		want[key{id, passnum.AccountIssuance, 0}] = -all * face
		if all*face > p.BudgetCents {
			fail("programme %d: issued value %d cents exceeds the funded budget %d", id, all*face, p.BudgetCents)
		}
		if all*face != p.IssuedCents {
			fail("programme %d: issued counter %d cents, recount %d", id, p.IssuedCents, all*face)
		}
		if activated*face != p.ActivatedCents {
			fail("programme %d: activated counter %d cents, recount %d", id, p.ActivatedCents, activated*face)
		}
		if p.ActivatedCents > passnum.ActivationCapacity(p.FundsReceived, p.FeeBP) {
			fail("programme %d: %d cents of passes activated but funds received pay for %d", id, p.ActivatedCents, passnum.ActivationCapacity(p.FundsReceived, p.FeeBP))
		}
		var received int64
		err = t.each(`SELECT funder_id, SUM(amount_cents) FROM payment_orders WHERE programme_id = ? GROUP BY funder_id`, func(sc scanner) error {
			var funder, sum int64
			if err := sc.Scan(&funder, &sum); err != nil {
				return err
			}
			received += sum
			want[key{id, passnum.AccountBank, funder}] += sum
			want[key{id, passnum.AccountFunderContribution, funder}] = -sum
			return nil
		}, id)
		if err != nil {
			return err
		}
		// Payments to venues and credit notes (settlement_check.go).
		paid, credited, err := t.settlementMoney(p)
		if err != nil {
			return err
		}
		for funder, v := range paid {
			want[key{id, passnum.AccountBank, funder}] -= v
			want[key{id, passnum.AccountVenuePayments, funder}] = v
		}
		for funder, v := range credited {
			want[key{id, passnum.AccountPassesExpired, 0}] -= v
			want[key{id, passnum.AccountFunderCredit, funder}] = v
		}
		if received != p.FundsReceived {
			fail("programme %d: funds received counter %d cents, payment orders sum to %d", id, p.FundsReceived, received)
		}
	}
	for k, v := range want {
		if balance[k] != v {
			fail("ledger: programme %d account %s%s holds %d cents, records say %d", k.prog, k.account, party(k.party), balance[k], v)
		}
	}
	for k, v := range balance {
		if _, ok := want[k]; !ok && v != 0 {
			fail("ledger: programme %d account %s%s holds %d cents, records say 0", k.prog, k.account, party(k.party), v)
		}
	}

	// Invariant 1: a pass is redeemed at most once.
	err = t.each(`SELECT serial, COUNT(*) FROM redemption_passes WHERE voided = 0 GROUP BY serial HAVING COUNT(*) > 1 LIMIT 20`, func(sc scanner) error {
		var serial, n int64
		if err := sc.Scan(&serial, &n); err != nil {
			return err
		}
		fail("pass %s is redeemed %d times", passnum.FormatSerial(serial), n)
		return nil
	})
	if err != nil {
		return err
	}
	var mismatched int64
	if err := t.get(&mismatched, `SELECT COUNT(*) FROM passes p LEFT JOIN redemption_passes r ON r.serial = p.serial AND r.voided = 0
		WHERE (CASE WHEN p.state IN ('redeemed', 'settled') THEN 1 ELSE 0 END) <> (CASE WHEN r.serial IS NULL THEN 0 ELSE 1 END)
		   OR (r.serial IS NOT NULL AND (p.redemption_id IS NULL OR p.redemption_id <> r.redemption_id))`); err != nil {
		return err
	}
	if mismatched > 0 {
		fail("%d passes disagree with their redemption lines (redeemed state without a live line, or the reverse)", mismatched)
	}
	var badRedemptions int64
	if err := t.get(&badRedemptions, `SELECT COUNT(*) FROM redemptions r WHERE r.passes <> (SELECT COUNT(*) FROM redemption_passes l WHERE l.redemption_id = r.id)
		OR (r.voided_at IS NULL) <> (NOT EXISTS (SELECT 1 FROM redemption_passes l WHERE l.redemption_id = r.id AND l.voided = 1))`); err != nil {
		return err
	}
	if badRedemptions > 0 {
		fail("%d redemptions disagree with their lines (count or void flag)", badRedemptions)
	}

	if err := t.checkWorkshops(fail); err != nil {
		return err
	}
	if err := t.checkVenues(fail); err != nil {
		return err
	}
	if err := t.checkSettlement(fail); err != nil {
		return err
	}

	// A pass has an activation date exactly when its state says it was
	// activated (blocked and expired passes may or may not have been):
	// ProgrammeStats counts activated passes by state on this basis.
	var undated int64
	if err := t.get(&undated, `SELECT COUNT(*) FROM passes
		WHERE (state = 'issued' AND activated_at IS NOT NULL)
		   OR (state IN ('activated', 'allocated', 'distributed', 'redeemed', 'settled') AND activated_at IS NULL)`); err != nil {
		return err
	}
	if undated > 0 {
		fail("%d passes disagree with their activation date (an activated state without one, or an issued pass with one)", undated)
	}

	// Carnets and pass states agree.
	var orphans int64
	if err := t.get(&orphans, `SELECT COUNT(*) FROM passes p JOIN carnets c ON c.number = p.carnet
		WHERE (p.state IN ('distributed', 'redeemed', 'settled') AND c.beneficiary_id IS NULL)
		   OR (p.state = 'allocated' AND (c.prescriber_id IS NULL OR c.beneficiary_id IS NOT NULL))
		   OR (p.state IN ('issued', 'activated') AND c.prescriber_id IS NOT NULL)
		   OR p.serial < c.first_serial OR p.serial >= c.first_serial + c.size`); err != nil {
		return err
	}
	if orphans > 0 {
		fail("%d passes disagree with their carnet (state versus allocation or distribution)", orphans)
	}
	return nil
}

func party(id int64) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprintf("[%d]", id)
}
