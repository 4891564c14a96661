package sqlstore

import (
	"github.com/passnum/passnum"
)

// settlementMoney recomputes, for a programme, what each funder's money
// paid to venues (its share of each paid statement's part of the
// programme, as MarkPaid splits it) and what credit notes owe each funder.
func (t *tx) settlementMoney(p *passnum.Programme) (paid, credited map[int64]int64, err error) {
	type sv struct{ statement, cents int64 }
	parts, err := selectAll(t, func(sc scanner) (sv, error) {
		var v sv
		return v, sc.Scan(&v.statement, &v.cents)
	}, `SELECT l.statement_id, SUM(l.amount_cents) FROM statement_lines l JOIN statements s ON s.id = l.statement_id
		WHERE s.state = 'paid' AND l.rejected = 0 AND l.programme_id = ? GROUP BY l.statement_id`, p.ID)
	if err != nil {
		return nil, nil, err
	}
	paid, credited = map[int64]int64{}, map[int64]int64{}
	for _, v := range parts {
		for _, sh := range lineShares(p, v.cents) {
			paid[sh.FunderID] += sh.AmountCents
		}
	}
	type fv struct{ funder, cents int64 }
	notes, err := selectAll(t, func(sc scanner) (fv, error) {
		var v fv
		return v, sc.Scan(&v.funder, &v.cents)
	}, `SELECT funder_id, amount_cents FROM credit_notes WHERE programme_id = ?`, p.ID)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range notes {
		credited[n.funder] += n.cents
	}
	return paid, credited, nil
}

// settlementChecks: statements, their lines, payment batches, funder
// charges and credit notes agree with each other and with the passes.
var settlementChecks = []invariantCheck{
	{name: "settlement.statement-totals", about: "A statement's passes and amount are those of its lines.",
		number: `SELECT COUNT(*) FROM statements s WHERE s.passes <> (SELECT COUNT(*) FROM statement_lines l WHERE l.statement_id = s.id)
			OR s.amount_cents <> (SELECT COALESCE(SUM(l.amount_cents), 0) FROM statement_lines l WHERE l.statement_id = s.id)`,
		message: "%d statements whose totals are not the sum of their lines"},
	{name: "settlement.line-rejection", about: "A statement line is rejected exactly when its statement is.",
		number: `SELECT COUNT(*) FROM statement_lines l JOIN statements s ON s.id = l.statement_id
			WHERE (CASE WHEN s.state = 'rejected' THEN 1 ELSE 0 END) <> l.rejected`,
		message: "%d statement lines whose rejection disagrees with their statement's state"},
	{name: "settlement.paid-once", about: "No pass is on two live statements.",
		number:  `SELECT COUNT(*) FROM (SELECT serial FROM statement_lines WHERE rejected = 0 GROUP BY serial HAVING COUNT(*) > 1) d`,
		message: "%d passes on two live statements (paid twice)"},
	{name: "settlement.line-pass", about: "A live statement line agrees with its pass: programme, venue, face value, redemption, and a state that follows the statement's (settled once paid, redeemed before).",
		number: `SELECT COUNT(*) FROM statement_lines l JOIN statements s ON s.id = l.statement_id
			LEFT JOIN passes p ON p.serial = l.serial JOIN programmes g ON g.id = l.programme_id
			WHERE l.rejected = 0 AND (p.serial IS NULL OR p.programme_id <> l.programme_id OR p.venue_id IS NULL OR p.venue_id <> s.venue_id
			   OR l.amount_cents <> g.face_value_cents OR p.redemption_id IS NULL OR p.redemption_id <> l.redemption_id
			   OR p.state <> (CASE WHEN s.state = 'paid' THEN 'settled' ELSE 'redeemed' END))`,
		message: "%d live statement lines that disagree with their pass (programme, venue, value, redemption, or state versus the statement's)"},
	{name: "settlement.settled-passes", about: "A settled pass is on a live statement.",
		number: `SELECT COUNT(*) FROM passes p WHERE p.state = 'settled'
			AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.serial = p.serial AND l.rejected = 0)`,
		message: "%d settled passes on no live statement"},
	{name: "settlement.charged-once", about: "A pass on statements is charged to its funders exactly once.",
		number:  `SELECT COUNT(*) FROM (SELECT serial FROM statement_lines GROUP BY serial HAVING SUM(charged) <> 1) d`,
		message: "%d passes charged to funders other than exactly once"},
	{name: "settlement.statement-state", about: "A draft statement is in no batch; a paid or rejected one is; any but a draft was validated.",
		number: `SELECT COUNT(*) FROM statements WHERE (state = 'draft' AND batch_id IS NOT NULL) OR (state IN ('paid', 'rejected') AND batch_id IS NULL)
			OR (state <> 'draft' AND validated_at IS NULL)`,
		message: "%d statements whose state disagrees with their batch or validation"},
	{name: "settlement.batch-totals", about: "A payment batch's count and control sum are those of its statements.",
		number: `SELECT COUNT(*) FROM payment_batches b WHERE b.statements <> (SELECT COUNT(*) FROM statements s WHERE s.batch_id = b.id)
			OR b.control_sum_cents <> (SELECT COALESCE(SUM(s.amount_cents), 0) FROM statements s WHERE s.batch_id = b.id)`,
		message: "%d payment batches whose count or control sum is not that of their statements"},
	{name: "settlement.run-totals", about: "A settlement run's statements, passes and amount are those of its statements.",
		number: `SELECT COUNT(*) FROM settlement_runs r WHERE r.statements <> (SELECT COUNT(*) FROM statements s WHERE s.run_id = r.id)
			OR r.passes <> (SELECT COALESCE(SUM(s.passes), 0) FROM statements s WHERE s.run_id = r.id)
			OR r.amount_cents <> (SELECT COALESCE(SUM(s.amount_cents), 0) FROM statements s WHERE s.run_id = r.id)`,
		message: "%d settlement runs whose totals are not those of their statements"},
	{name: "settlement.funder-charges", about: "Each funder's charge of a run and programme is its share of the lines charged there, with the fee, and none is missing.",
		run: (*tx).checkFunderCharges},
	{name: "settlement.credit-notes", about: "Every funder of a programme with credit notes has one, its share of the same expired passes at face value.",
		run: (*tx).checkCreditNotes},
}

// chargeKey is a funder's charge of a settlement run and programme.
type chargeKey struct{ run, programme, funder int64 }

// checkFunderCharges recomputes the funder charges from the charged lines
// of each run and programme, and compares them with those recorded.
func (t *tx) checkFunderCharges(fail failFunc) error {
	want, err := t.expectCharges()
	if err != nil {
		return err
	}
	type row struct {
		k                       chargeKey
		passes                  int
		passesCents, fee, total int64
		feeBP                   int
	}
	rows, err := selectAll(t, func(sc scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.k.run, &r.k.programme, &r.k.funder, &r.passes, &r.passesCents, &r.feeBP, &r.fee, &r.total)
	}, `SELECT run_id, programme_id, funder_id, passes, passes_cents, fee_bp, fee_cents, total_cents FROM funder_charges`)
	if err != nil {
		return err
	}
	seen := map[chargeKey]bool{}
	for _, r := range rows {
		seen[r.k] = true
		w, ok := want[r.k]
		if !ok || w.Passes != r.passes || w.PassesCents != r.passesCents || w.FeeBP != r.feeBP || w.FeeCents != r.fee || w.TotalCents != r.total {
			fail("funder charge of run %d, programme %d, funder %d: %d passes, %d + %d = %d cents; the lines say %d passes, %d + %d = %d cents",
				r.k.run, r.k.programme, r.k.funder, r.passes, r.passesCents, r.fee, r.total, w.Passes, w.PassesCents, w.FeeCents, w.TotalCents)
		}
	}
	for k := range want {
		if !seen[k] {
			fail("funder charge of run %d, programme %d, funder %d is missing", k.run, k.programme, k.funder)
		}
	}
	return nil
}

// expectCharges computes the funder charges the charged lines call for.
func (t *tx) expectCharges() (map[chargeKey]passnum.FunderCharge, error) {
	type rp struct{ run, programme, n, cents int64 }
	groups, err := selectAll(t, func(sc scanner) (rp, error) {
		var g rp
		return g, sc.Scan(&g.run, &g.programme, &g.n, &g.cents)
	}, `SELECT s.run_id, l.programme_id, COUNT(*), SUM(l.amount_cents) FROM statement_lines l JOIN statements s ON s.id = l.statement_id
		WHERE l.charged = 1 GROUP BY s.run_id, l.programme_id`)
	if err != nil {
		return nil, err
	}
	want := map[chargeKey]passnum.FunderCharge{}
	for _, g := range groups {
		p, err := t.settings(g.programme)
		if err != nil {
			return nil, err
		}
		for _, c := range funderCharges(p, g.n, g.cents) {
			want[chargeKey{g.run, g.programme, c.FunderID}] = c
		}
	}
	return want, nil
}

// checkCreditNotes checks that every funder of a programme credited its
// share of the expired passes at face value, all for the same passes.
func (t *tx) checkCreditNotes(fail failFunc) error {
	progs, err := selectAll(t, scanInt64, `SELECT DISTINCT programme_id FROM credit_notes ORDER BY programme_id`)
	if err != nil {
		return err
	}
	for _, id := range progs {
		p, err := t.settings(id)
		if err != nil {
			return err
		}
		notes, err := selectAll(t, func(sc scanner) ([3]int64, error) {
			var v [3]int64
			return v, sc.Scan(&v[0], &v[1], &v[2])
		}, `SELECT funder_id, passes, amount_cents FROM credit_notes WHERE programme_id = ?`, id)
		if err != nil {
			return err
		}
		n := notes[0][1]
		byFunder := map[int64]int64{}
		for _, sh := range lineShares(p, n*p.FaceValueCents) {
			byFunder[sh.FunderID] = sh.AmountCents
		}
		if len(notes) != len(p.Funders) {
			fail("programme %d: %d credit notes for %d funders", id, len(notes), len(p.Funders))
		}
		for _, note := range notes {
			if note[1] != n || note[2] != byFunder[note[0]] {
				fail("programme %d: credit note of funder %d is %d cents for %d passes; the share of %d expired passes is %d", id, note[0], note[2], note[1], n, byFunder[note[0]])
			}
		}
		var expired int64
		if err := t.get(&expired, `SELECT COUNT(*) FROM passes WHERE programme_id = ? AND state = 'expired'`, id); err != nil {
			return err
		}
		if expired < n {
			fail("programme %d: credit notes for %d passes but only %d expired", id, n, expired)
		}
	}
	return nil
}
