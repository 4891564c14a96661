package sqlstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/passnum/passnum"
)

// CheckInvariants recomputes the invariants of DOMAIN.md from the records,
// in one consistent snapshot: it runs invariantChecks in order and names
// every one that fails.
func (s *Store) CheckInvariants(ctx context.Context) (*passnum.CheckReport, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActInvariantsCheck); err != nil {
		return nil, err
	}
	rep := &passnum.CheckReport{Problems: []string{}}
	// The journal's new entries are sealed first, so that the chain
	// checks cover them; not while the disk is full, where the seal
	// would be one more write refused. A failure to seal leaves the
	// entries for the next run and does not keep the records from being
	// checked.
	if !s.storage.full.Load() {
		if _, err := s.SealAudit(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("check: the audit journal could not be sealed", "err", err)
		}
	}
	err := s.read(ctx, func(tx *tx) error {
		rep.Problems = rep.Problems[:0]
		return tx.checkInvariants(rep)
	})
	return rep, err
}

// failFunc records a problem a check found.
type failFunc = func(format string, args ...any)

// invariantCheck is one named check of CheckInvariants. It finds its
// violations in one of three ways: number, a query giving one number that
// is 0 when the invariant holds, which message then says; rows, a query
// whose every row is a violation, which message says column by column; or
// run, Go, for the few checks that recompute what SQL alone cannot (the
// ledger, funder charges, credit notes) and say their problems themselves.
type invariantCheck struct {
	name  string // unique: its area, a dot, what it checks ("ledger.total")
	about string // what it checks, in a sentence

	number string
	rows   string
	// args turns a row's columns into message's arguments; without it
	// they are the columns as read, integers.
	args    func(row []int64) []any
	message string // a format for fmt.Sprintf

	run func(t *tx, fail failFunc) error

	// unreadable says that the check's violations are records that
	// cannot be read. Once it has found some, a later check that fails
	// ends the report with its error as one more problem, beside the
	// values that explain it, instead of an error in their place.
	unreadable bool
}

// invariantChecks are the checks of CheckInvariants, in the order they
// run and report.
var invariantChecks = slices.Concat(
	[]invariantCheck{{name: "instants.shape", about: "Every stored instant has the shape of one (instant.go); the other checks read records, and they come first.",
		run: (*tx).checkInstants, unreadable: true}},
	ledgerChecks,
	redemptionChecks,
	workshopChecks,   // workshop_check.go
	venueChecks,      // venue_check.go
	settlementChecks, // settlement_check.go
	passChecks,
	callChecks,  // call_check.go
	auditChecks, // chain.go
)

// checkInvariants counts what it checks, then runs the checks in order.
// A check that fails to read stops the others: its error is the report's,
// or a problem beside those of an unreadable check before it.
func (t *tx) checkInvariants(rep *passnum.CheckReport) error {
	fail := func(format string, args ...any) { rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...)) }
	if err := t.countRecords(rep); err != nil {
		return err
	}
	damaged := false
	for i := range invariantChecks {
		c := &invariantChecks[i]
		if err := c.find(t, fail); err != nil {
			if !damaged {
				return fmt.Errorf("invariant check %s: %w", c.name, err)
			}
			fail("the other checks stopped on a damaged record: %v", err)
			return nil
		}
		if c.unreadable && len(rep.Problems) > 0 {
			damaged = true
		}
	}
	return nil
}

// countRecords fills what the report says was checked.
func (t *tx) countRecords(rep *passnum.CheckReport) error {
	if err := t.get(&rep.Postings, `SELECT COUNT(*) FROM postings`); err != nil {
		return err
	}
	if err := t.get(&rep.Passes, `SELECT COUNT(*) FROM passes`); err != nil {
		return err
	}
	return t.get(&rep.Programmes, `SELECT COUNT(*) FROM programmes`)
}

// find runs the check and reports its violations with fail.
func (c *invariantCheck) find(t *tx, fail failFunc) error {
	switch {
	case c.run != nil:
		return c.run(t, fail)
	case c.number != "":
		var n int64
		if err := t.get(&n, c.number); err != nil {
			return err
		}
		if n != 0 {
			fail(c.message, n)
		}
		return nil
	}
	rows, err := t.query(c.rows)
	if err != nil {
		return err
	}
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		return err
	}
	row := make([]int64, len(columns))
	dest := make([]any, len(columns))
	for i := range row {
		dest[i] = &row[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		args := make([]any, len(row))
		for i, v := range row {
			args[i] = v
		}
		if c.args != nil {
			args = c.args(row)
		}
		fail(c.message, args...)
	}
	return rows.Err()
}

// ledgerChecks: the books balance, and reconcile with the records.
var ledgerChecks = []invariantCheck{
	{name: "ledger.postings", about: "Every posting balances (the first 20 that do not are named).",
		rows:    `SELECT posting_id, SUM(amount_cents) FROM entries GROUP BY posting_id HAVING SUM(amount_cents) <> 0 ORDER BY posting_id LIMIT 20`,
		message: "ledger: posting %d does not balance (off by %d cents)"},
	{name: "ledger.total", about: "The whole ledger balances.",
		number:  `SELECT COALESCE(SUM(amount_cents), 0) FROM entries`,
		message: "ledger: the entries sum to %d cents instead of 0"},
	{name: "ledger.accounts", about: "Each account of each programme holds what the records say (pass states at face value, payment orders, payments to venues, credit notes), and the programme's counters agree: issued ≤ budget, activated ≤ what the funds received pay for.",
		run: (*tx).checkLedger},
}

// redemptionChecks: invariant 1, a pass is redeemed at most once.
var redemptionChecks = []invariantCheck{
	{name: "redemption.once", about: "No pass has two live redemption lines (the first 20 that do are named).",
		rows:    `SELECT serial, COUNT(*) FROM redemption_passes WHERE voided = 0 GROUP BY serial HAVING COUNT(*) > 1 LIMIT 20`,
		args:    func(row []int64) []any { return []any{passnum.FormatSerial(row[0]), row[1]} },
		message: "pass %s is redeemed %d times"},
	{name: "redemption.pass-lines", about: "A pass is redeemed (or settled) exactly when one live redemption line points to it, and it names that line's redemption.",
		number: `SELECT COUNT(*) FROM passes p LEFT JOIN redemption_passes r ON r.serial = p.serial AND r.voided = 0
		WHERE (CASE WHEN p.state IN ('redeemed', 'settled') THEN 1 ELSE 0 END) <> (CASE WHEN r.serial IS NULL THEN 0 ELSE 1 END)
		   OR (r.serial IS NOT NULL AND (p.redemption_id IS NULL OR p.redemption_id <> r.redemption_id))`,
		message: "%d passes disagree with their redemption lines (redeemed state without a live line, or the reverse)"},
	{name: "redemption.lines", about: "A redemption counts its lines, and is voided exactly when its lines are.",
		number: `SELECT COUNT(*) FROM redemptions r WHERE r.passes <> (SELECT COUNT(*) FROM redemption_passes l WHERE l.redemption_id = r.id)
		OR (r.voided_at IS NULL) <> (NOT EXISTS (SELECT 1 FROM redemption_passes l WHERE l.redemption_id = r.id AND l.voided = 1))`,
		message: "%d redemptions disagree with their lines (count or void flag)"},
}

// passChecks: a pass's state agrees with the rest of its record and its
// carnet.
var passChecks = []invariantCheck{
	// Blocked and expired passes may or may not have been activated;
	// ProgrammeStats counts activated passes by state on this basis.
	{name: "pass.activation-date", about: "A pass has an activation date exactly when its state says it was activated.",
		number: `SELECT COUNT(*) FROM passes
		WHERE (state = 'issued' AND activated_at IS NOT NULL)
		   OR (state IN ('activated', 'allocated', 'distributed', 'redeemed', 'settled') AND activated_at IS NULL)`,
		message: "%d passes disagree with their activation date (an activated state without one, or an issued pass with one)"},
	{name: "pass.carnet", about: "Passes are in their carnet's range, distributed ones in distributed carnets, allocated ones in allocated carnets, the others in no prescriber's.",
		number: `SELECT COUNT(*) FROM passes p JOIN carnets c ON c.number = p.carnet
		WHERE (p.state IN ('distributed', 'redeemed', 'settled') AND c.beneficiary_id IS NULL)
		   OR (p.state = 'allocated' AND (c.prescriber_id IS NULL OR c.beneficiary_id IS NOT NULL))
		   OR (p.state IN ('issued', 'activated') AND c.prescriber_id IS NOT NULL)
		   OR p.serial < c.first_serial OR p.serial >= c.first_serial + c.size`,
		message: "%d passes disagree with their carnet (state versus allocation or distribution)"},
}

// ledgerKey is an account of a programme, held for a party (a funder, a
// venue) or for none (0).
type ledgerKey struct {
	prog    int64
	account string
	party   int64
}

// checkLedger recomputes, programme by programme, what each account should
// hold, checking the programme's counters on the way, and compares it with
// the balances of the entries.
func (t *tx) checkLedger(fail failFunc) error {
	balance := map[ledgerKey]int64{}
	err := t.each(`SELECT programme_id, account, party_id, SUM(amount_cents) FROM entries GROUP BY programme_id, account, party_id`, func(sc scanner) error {
		var k ledgerKey
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
	ids, err := selectAll(t, scanInt64, `SELECT id FROM programmes ORDER BY id`)
	if err != nil {
		return err
	}
	want := map[ledgerKey]int64{}
	for _, id := range ids {
		if err := t.expectProgramme(id, want, fail); err != nil {
			return err
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
	return nil
}

// expectProgramme adds to want what a programme's accounts should hold,
// and checks its counters against a recount.
func (t *tx) expectProgramme(id int64, want map[ledgerKey]int64, fail failFunc) error {
	p, err := t.programme(id)
	if err != nil {
		return err
	}
	face := p.FaceValueCents
	all, activated, err := t.expectPasses(p, want, fail)
	if err != nil {
		return err
	}
	want[ledgerKey{id, passnum.AccountIssuance, 0}] = -all * face
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
	received, err := t.expectFunds(p, want)
	if err != nil {
		return err
	}
	if received != p.FundsReceived {
		fail("programme %d: funds received counter %d cents, payment orders sum to %d", id, p.FundsReceived, received)
	}
	return nil
}

// expectPasses adds to want the value of a programme's passes in the
// account of their state, and returns how many passes it has and how many
// were activated.
func (t *tx) expectPasses(p *passnum.Programme, want map[ledgerKey]int64, fail failFunc) (all, activated int64, err error) {
	// A redeemed pass on a live statement line is in venue_statement
	// (settlement.go).
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
			fail("programme %d: %d passes in unknown state %q", p.ID, n, st)
			return nil
		}
		if st == passnum.StateRedeemed && onStatement == 1 {
			account = passnum.AccountVenueStatement
		}
		party := int64(0)
		if account == passnum.AccountVenuePayable || account == passnum.AccountVenueStatement || account == passnum.AccountPassesSettled {
			party = venue
		}
		want[ledgerKey{p.ID, account, party}] += n * p.FaceValueCents
		return nil
	}, p.ID)
	return all, activated, err
}

// expectFunds adds to want what a programme's funders paid (payment
// orders), what their money paid to venues and what credit notes owe
// them, and returns the sum of the payment orders.
func (t *tx) expectFunds(p *passnum.Programme, want map[ledgerKey]int64) (received int64, err error) {
	err = t.each(`SELECT funder_id, SUM(amount_cents) FROM payment_orders WHERE programme_id = ? GROUP BY funder_id`, func(sc scanner) error {
		var funder, sum int64
		if err := sc.Scan(&funder, &sum); err != nil {
			return err
		}
		received += sum
		want[ledgerKey{p.ID, passnum.AccountBank, funder}] += sum
		want[ledgerKey{p.ID, passnum.AccountFunderContribution, funder}] = -sum
		return nil
	}, p.ID)
	if err != nil {
		return 0, err
	}
	// Payments to venues and credit notes (settlement_check.go).
	paid, credited, err := t.settlementMoney(p)
	if err != nil {
		return 0, err
	}
	for funder, v := range paid {
		want[ledgerKey{p.ID, passnum.AccountBank, funder}] -= v
		want[ledgerKey{p.ID, passnum.AccountVenuePayments, funder}] = v
	}
	for funder, v := range credited {
		want[ledgerKey{p.ID, passnum.AccountPassesExpired, 0}] -= v
		want[ledgerKey{p.ID, passnum.AccountFunderCredit, funder}] = v
	}
	return received, nil
}

func party(id int64) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprintf("[%d]", id)
}
