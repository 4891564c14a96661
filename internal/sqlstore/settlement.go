package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sepa"
)

// Settlement (passnum.SettlementService, PaymentService and the charges of
// BillingService): venues are paid for the passes they redeemed, funders
// are charged for them.
//
// A pass's value moves through the ledger as it is settled:
//
//	redeemed, on no live statement      venue_payable[venue]
//	  run →  redeemed, on a draft or validated statement   venue_statement[venue]
//	  paid → settled                      passes_settled[venue]
//	  rejected → back to                  venue_payable[venue]
//
// and a payment moves each funder's share of the statement (SplitByShares
// of each programme's part) out of bank[funder] into
// venue_payments[funder]. The database refuses a pass on two live
// statement lines (statement_lines_once), so that no pass is paid twice
// whatever the code does.

// RunSettlement puts every redeemed pass that is on no live statement and
// was redeemed before the end of cutOff (Paris time) on a draft statement
// of its venue, one per venue, and charges the funders; in one
// transaction.
func (s *Store) RunSettlement(ctx context.Context, cutOff string) (*passnum.SettlementRun, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActSettle); err != nil {
		return nil, err
	}
	end, err := passnum.CutOffEnd(cutOff)
	if err != nil {
		return nil, err
	}
	var out *passnum.SettlementRun
	err = s.write(ctx, "settlement run", func(tx *tx) error {
		if today := passnum.Today(tx.now); cutOff > today {
			return passnum.Invalid("cut_off", "Date d'arrêté dans le futur (%s) : elle doit être au plus aujourd'hui, %s.", passnum.FrenchDate(cutOff), passnum.FrenchDate(today))
		}
		out, err = tx.settle(cutOff, passnum.FormatTime(end))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("settlement run to %s: %w", cutOff, err)
	}
	return out, nil
}

// settlementPending selects, from passes p, the passes a run settles: the
// redeemed ones on no live statement, redeemed before the end of the
// cut-off (its one parameter).
const settlementPending = `p.state = 'redeemed' AND p.redeemed_at < ?
	AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.serial = p.serial AND l.rejected = 0)`

// settle records a run to cutOff: a draft statement per venue with passes
// pending before endText, their lines, and the funders' charges.
func (t *tx) settle(cutOff, endText string) (*passnum.SettlementRun, error) {
	runID, err := t.insert(`INSERT INTO settlement_runs (cut_off, actor, created_at) VALUES (?, ?, ?)`, cutOff, t.actorLabel(), t.nowText())
	if err != nil {
		return nil, fmt.Errorf("insert run: %w", err)
	}
	run := &passnum.SettlementRun{ID: runID, CutOff: cutOff, Actor: t.actorLabel(), CreatedAt: storedInstant(t.now)}
	byVenue, counts, err := t.pendingValue(endText, run)
	if err != nil {
		return nil, fmt.Errorf("run %d: %w", runID, err)
	}
	for _, venue := range slices.Sorted(maps.Keys(byVenue)) {
		if err := t.draftStatement(run, venue, counts[venue], byVenue[venue]); err != nil {
			return nil, fmt.Errorf("run %d: statement of venue %d: %w", runID, venue, err)
		}
		run.Statements++
	}
	if run.Statements > 0 {
		if err := t.statementLines(run, endText); err != nil {
			return nil, fmt.Errorf("run %d: %w", runID, err)
		}
		if err := t.chargeFunders(runID, cutOff); err != nil {
			return nil, fmt.Errorf("run %d: charge funders: %w", runID, err)
		}
	}
	if err := t.exec(`UPDATE settlement_runs SET statements = ?, passes = ?, amount_cents = ? WHERE id = ?`,
		run.Statements, run.Passes, run.AmountCents, runID); err != nil {
		return nil, fmt.Errorf("run %d: totals: %w", runID, err)
	}
	return run, t.audit("settlement.run", fmt.Sprintf("run:%d", runID),
		fmt.Sprintf("cut-off %s: %d statements, %d passes, %d cents", cutOff, run.Statements, run.Passes, run.AmountCents))
}

// pendingValue returns the value of the passes pending before endText by
// venue and programme, and their count by venue, and adds them to run's
// totals.
func (t *tx) pendingValue(endText string, run *passnum.SettlementRun) (byVenue map[int64]map[int64]int64, counts map[int64]int64, err error) {
	type group struct{ venue, programme, n int64 }
	groups, err := selectAll(t, func(sc scanner) (group, error) {
		var g group
		return g, sc.Scan(&g.venue, &g.programme, &g.n)
	}, `SELECT p.venue_id, p.programme_id, COUNT(*) FROM passes p WHERE `+settlementPending+` GROUP BY p.venue_id, p.programme_id ORDER BY p.venue_id, p.programme_id`, endText)
	if err != nil {
		return nil, nil, fmt.Errorf("pending passes: %w", err)
	}
	byVenue, counts = map[int64]map[int64]int64{}, map[int64]int64{}
	for _, g := range groups {
		p, err := t.settings(g.programme)
		if err != nil {
			return nil, nil, err
		}
		if byVenue[g.venue] == nil {
			byVenue[g.venue] = map[int64]int64{}
		}
		byVenue[g.venue][g.programme] += g.n * p.FaceValueCents
		counts[g.venue] += g.n
		run.Passes += int(g.n)
		run.AmountCents += g.n * p.FaceValueCents
	}
	return byVenue, counts, nil
}

// draftStatement writes the draft statement of a venue's passes in run,
// worth value by programme, and moves that value to the venue's statement
// account.
func (t *tx) draftStatement(run *passnum.SettlementRun, venue, passes int64, value map[int64]int64) error {
	var amount int64
	for _, v := range value {
		amount += v
	}
	id, err := t.insert(`INSERT INTO statements (run_id, venue_id, cut_off, state, passes, amount_cents, created_at) VALUES (?, ?, ?, 'draft', ?, ?, ?)`,
		run.ID, venue, run.CutOff, passes, amount, t.nowText())
	if err != nil {
		return err
	}
	ref := sepa.CreditorReference(passnum.StatementReferenceBody(run.CutOff, id))
	if err := t.exec(`UPDATE statements SET reference = ? WHERE id = ?`, ref, id); err != nil {
		return fmt.Errorf("statement %d: reference: %w", id, err)
	}
	var entries []passnum.Entry
	for _, prog := range slices.Sorted(maps.Keys(value)) {
		entries = append(entries, passnum.Move(prog, passnum.AccountVenuePayable, venue, passnum.AccountVenueStatement, venue, value[prog])...)
	}
	if err := t.post("settlement", fmt.Sprintf("statement:%d", id), entries); err != nil {
		return fmt.Errorf("statement %d: %w", id, err)
	}
	return nil
}

// statementLines writes the lines of every statement of run at once: one
// pass over the redeemed passes. A line is charged to the funders the
// first time its pass is on a statement only.
func (t *tx) statementLines(run *passnum.SettlementRun, endText string) error {
	n, err := t.execN(`INSERT INTO statement_lines (statement_id, serial, redemption_id, programme_id, redeemed_at, service_id, session_id, amount_cents, charged)
		SELECT s.id, p.serial, p.redemption_id, p.programme_id, p.redeemed_at, r.service_id, r.session_id, g.face_value_cents,
		       CASE WHEN EXISTS (SELECT 1 FROM statement_lines o WHERE o.serial = p.serial) THEN 0 ELSE 1 END
		FROM passes p
		JOIN statements s ON s.run_id = ? AND s.venue_id = p.venue_id
		JOIN redemptions r ON r.id = p.redemption_id
		JOIN programmes g ON g.id = p.programme_id
		WHERE `+settlementPending, run.ID, endText)
	if err != nil {
		return fmt.Errorf("statement lines: %w", err)
	}
	if n != int64(run.Passes) {
		return fmt.Errorf("%d passes counted, %d lines written", run.Passes, n)
	}
	return nil
}

// chargeFunders writes the funder charges of a run: for each programme,
// the value of the lines charged in the run split between its funders by
// share, and the fee on that value (passnum.FeeCents) split the same way.
func (t *tx) chargeFunders(runID int64, cutOff string) error {
	type group struct{ programme, n, cents int64 }
	groups, err := selectAll(t, func(sc scanner) (group, error) {
		var g group
		return g, sc.Scan(&g.programme, &g.n, &g.cents)
	}, `SELECT l.programme_id, COUNT(*), SUM(l.amount_cents) FROM statement_lines l JOIN statements s ON s.id = l.statement_id
		WHERE s.run_id = ? AND l.charged = 1 GROUP BY l.programme_id ORDER BY l.programme_id`, runID)
	if err != nil {
		return err
	}
	for _, g := range groups {
		p, err := t.settings(g.programme)
		if err != nil {
			return fmt.Errorf("programme %d: %w", g.programme, err)
		}
		for _, c := range funderCharges(p, g.n, g.cents) {
			id, err := t.insert(`INSERT INTO funder_charges (run_id, programme_id, funder_id, passes, passes_cents, fee_bp, fee_cents, total_cents, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, runID, p.ID, c.FunderID, c.Passes, c.PassesCents, c.FeeBP, c.FeeCents, c.TotalCents, t.nowText())
			if err != nil {
				return fmt.Errorf("programme %d, funder %d: %w", p.ID, c.FunderID, err)
			}
			if err := t.tellFunderCharge(id, p, c, cutOff); err != nil {
				return fmt.Errorf("charge %d: message: %w", id, err)
			}
		}
	}
	return nil
}

// funderCharges splits the value of n passes of a programme and its fee
// between the programme's funders. CheckInvariants recomputes charges
// with it.
func funderCharges(p *passnum.Programme, n, cents int64) []passnum.FunderCharge {
	shares := make([]int, len(p.Funders))
	for i, f := range p.Funders {
		shares[i] = f.ShareBP
	}
	value := passnum.SplitByShares(cents, shares)
	fee := passnum.SplitByShares(passnum.FeeCents(cents, p.FeeBP), shares)
	out := make([]passnum.FunderCharge, len(p.Funders))
	for i, f := range p.Funders {
		out[i] = passnum.FunderCharge{FunderID: f.FunderID, FunderName: f.FunderName, ProgrammeID: p.ID, Passes: int(n),
			PassesCents: value[i], FeeBP: p.FeeBP, FeeCents: fee[i], TotalCents: value[i] + fee[i]}
	}
	return out
}

// lineShares splits one line between the funders of its programme.
func lineShares(p *passnum.Programme, amount int64) []passnum.LineShare {
	shares := make([]int, len(p.Funders))
	for i, f := range p.Funders {
		shares[i] = f.ShareBP
	}
	parts := passnum.SplitByShares(amount, shares)
	out := make([]passnum.LineShare, len(parts))
	for i, f := range p.Funders {
		out[i] = passnum.LineShare{FunderID: f.FunderID, AmountCents: parts[i]}
	}
	return out
}

// ListSettlementRuns lists the runs, newest first (operator).
func (s *Store) ListSettlementRuns(ctx context.Context) ([]*passnum.SettlementRun, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActStatementRead); err != nil {
		return nil, err
	}
	if !a.IsOperator() {
		return nil, forbidden(a)
	}
	var out []*passnum.SettlementRun
	err := s.read(ctx, func(tx *tx) error {
		var err error
		out, err = selectAll(tx, func(sc scanner) (*passnum.SettlementRun, error) {
			var r passnum.SettlementRun
			var created string
			err := sc.Scan(&r.ID, &r.CutOff, &r.Statements, &r.Passes, &r.AmountCents, &r.Actor, &created)
			in := instants{table: "settlement_runs", id: r.ID, err: err}
			r.CreatedAt = in.at("created_at", created)
			return &r, in.err
		}, `SELECT id, cut_off, statements, passes, amount_cents, actor, created_at FROM settlement_runs ORDER BY id DESC`)
		return err
	})
	if out == nil {
		out = []*passnum.SettlementRun{}
	}
	return out, err
}

func forbidden(a *passnum.Actor) error {
	return passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Votre rôle (%s, %s) ne permet pas cette action.", a.OrgKind.Label(), a.Role)
}

const statementColumns = `s.id, s.run_id, s.venue_id, o.name, s.cut_off, s.state, s.passes, s.amount_cents, COALESCE(s.reference, ''),
	COALESCE(s.batch_id, 0), COALESCE(s.rejected_reason, ''), s.created_at, s.validated_at, s.paid_at`

func scanStatement(sc scanner) (*passnum.Statement, error) {
	var st passnum.Statement
	var created string
	var validated, paid sql.NullString
	err := sc.Scan(&st.ID, &st.RunID, &st.VenueID, &st.VenueName, &st.CutOff, &st.State, &st.Passes, &st.AmountCents, &st.Reference,
		&st.BatchID, &st.RejectedReason, &created, &validated, &paid)
	in := instants{table: "statements", id: st.ID, err: err}
	st.CreatedAt, st.ValidatedAt, st.PaidAt = in.at("created_at", created), in.optional("validated_at", validated), in.optional("paid_at", paid)
	return &st, in.err
}

// statement reads a statement without its lines; a venue sees only its
// own, funders none.
func (t *tx) statement(a *passnum.Actor, id int64) (*passnum.Statement, error) {
	st, err := scanStatement(t.row(`SELECT `+statementColumns+` FROM statements s JOIN organisations o ON o.id = s.venue_id WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.IsOperator() && st.VenueID != a.OrgID) {
		return nil, notFound("statement", id)
	}
	return st, err
}

// ListStatements lists statements, newest first: the operator any venue's,
// a venue its own.
func (s *Store) ListStatements(ctx context.Context, f passnum.StatementFilter) ([]*passnum.Statement, int, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActStatementRead); err != nil {
		return nil, 0, err
	}
	if !a.IsOperator() {
		f.VenueID = a.OrgID
	}
	var conds []string
	var args []any
	if f.VenueID != 0 {
		conds, args = append(conds, "s.venue_id = ?"), append(args, f.VenueID)
	}
	if f.RunID != 0 {
		conds, args = append(conds, "s.run_id = ?"), append(args, f.RunID)
	}
	if f.BatchID != 0 {
		conds, args = append(conds, "s.batch_id = ?"), append(args, f.BatchID)
	}
	if f.State != "" {
		conds, args = append(conds, "s.state = ?"), append(args, string(f.State))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	offset, limit := page(f.Offset, f.Limit)
	out := []*passnum.Statement{}
	var total int
	err := s.read(ctx, func(tx *tx) error {
		if err := tx.get(&total, `SELECT COUNT(*) FROM statements s`+where, args...); err != nil {
			return err
		}
		list, err := selectAll(tx, scanStatement, `SELECT `+statementColumns+` FROM statements s JOIN organisations o ON o.id = s.venue_id`+where+
			` ORDER BY s.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		if list != nil {
			out = list
		}
		return err
	})
	return out, total, err
}

// FindStatement reads a statement with its lines and the funders' shares of
// each.
func (s *Store) FindStatement(ctx context.Context, id int64) (*passnum.Statement, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActStatementRead); err != nil {
		return nil, err
	}
	var out *passnum.Statement
	err := s.read(ctx, func(tx *tx) error {
		st, err := tx.statement(a, id)
		if err != nil {
			return err
		}
		lines, err := selectAll(tx, func(sc scanner) (passnum.StatementLine, error) {
			var l passnum.StatementLine
			var at string
			err := sc.Scan(&l.Serial, &l.RedemptionID, &at, &l.ServiceTitle, &l.SessionID, &l.ProgrammeID, &l.AmountCents)
			in := instants{table: "statement_lines of pass", id: l.Serial, err: err}
			l.RedeemedAt = in.at("redeemed_at", at)
			return l, in.err
		}, `SELECT l.serial, l.redemption_id, l.redeemed_at, COALESCE(c.title, ''), COALESCE(l.session_id, 0), l.programme_id, l.amount_cents
			FROM statement_lines l LEFT JOIN catalogue_services c ON c.id = l.service_id
			WHERE l.statement_id = ? ORDER BY l.redeemed_at, l.serial`, id)
		if err != nil {
			return err
		}
		for i := range lines {
			p, err := tx.settings(lines[i].ProgrammeID)
			if err != nil {
				return err
			}
			lines[i].Shares = lineShares(p, lines[i].AmountCents)
		}
		st.Lines = lines
		out = st
		return nil
	})
	return out, err
}

// ValidateStatement marks a draft statement checked by the operator: it
// goes into the next payment batch.
func (s *Store) ValidateStatement(ctx context.Context, id int64) (*passnum.Statement, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSettle); err != nil {
		return nil, err
	}
	var out *passnum.Statement
	err := s.write(ctx, "validate statement", func(tx *tx) error {
		st, err := tx.statement(a, id)
		if err != nil {
			return err
		}
		if st.State != passnum.StatementDraft {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonStatementState, "Le relevé n°%d est %s : seul un relevé en brouillon peut être validé.", id, st.State.Label())
		}
		if err := tx.exec(`UPDATE statements SET state = 'validated', validated_at = ? WHERE id = ?`, tx.nowText(), id); err != nil {
			return err
		}
		if err := tx.audit("statement.validate", fmt.Sprintf("statement:%d", id), fmt.Sprintf("venue:%d %d cents", st.VenueID, st.AmountCents)); err != nil {
			return err
		}
		if out, err = tx.statement(a, id); err != nil {
			return err
		}
		return tx.tellStatementValidated(out)
	})
	return out, wrapf(err, "validate statement %d", id)
}

// SetPayerAccount records the operator's account the transfers leave
// from. Its BIC may be empty; an empty Format keeps the account's format
// (passnum.PainEPC09 for a first account).
func (s *Store) SetPayerAccount(ctx context.Context, pa passnum.PayerAccount) error {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActSettle); err != nil {
		return err
	}
	if err := passnum.CheckStrings(&pa); err != nil {
		return err
	}
	pa.Name = strings.TrimSpace(pa.Name)
	pa.IBAN = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(pa.IBAN), " ", ""))
	pa.BIC = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(pa.BIC), " ", ""))
	if pa.Name == "" || len([]rune(pa.Name)) > 70 {
		return passnum.Invalid("name", "Indiquez le titulaire du compte, 70 caractères au plus.")
	}
	if err := passnum.ValidateIBAN(pa.IBAN); err != nil {
		return err
	}
	if pa.BIC != "" {
		if err := passnum.ValidateBIC(pa.BIC); err != nil {
			return err
		}
	}
	if pa.Format != "" && !pa.Format.Valid() {
		return passnum.Invalid("format", "Format de fichier de virements inconnu : « %s ». Choisissez %s (guide SEPA de l'EPC) ou %s (ISO 20022).", pa.Format, passnum.PainEPC09, passnum.PainISO10)
	}
	return s.write(ctx, "payer account", func(tx *tx) error {
		if pa.Format == "" {
			pa.Format = passnum.PainEPC09
			cur, err := tx.payer()
			if err == nil {
				pa.Format = cur.Format
			} else if passnum.ErrorCode(err) != passnum.ENOTFOUND {
				return err
			}
		}
		n, err := tx.execN(`UPDATE payer_account SET name = ?, iban = ?, bic = ?, format = ?, updated_at = ? WHERE id = 1`, pa.Name, pa.IBAN, pa.BIC, string(pa.Format), tx.nowText())
		if err != nil {
			return err
		}
		if n == 0 {
			if err := tx.exec(`INSERT INTO payer_account (id, name, iban, bic, format, updated_at) VALUES (1, ?, ?, ?, ?, ?)`, pa.Name, pa.IBAN, pa.BIC, string(pa.Format), tx.nowText()); err != nil {
				return err
			}
		}
		return tx.audit("settlement.payer", "payer_account", pa.Name+" "+maskIBAN(pa.IBAN)+" "+string(pa.Format))
	})
}

// maskIBAN keeps an IBAN's country and last four characters, for the
// audit trail.
func maskIBAN(iban string) string {
	if len(iban) < 8 {
		return "…"
	}
	return iban[:4] + "…" + iban[len(iban)-4:]
}

// PayerAccount reads the operator's account (ENOTFOUND until set).
func (s *Store) PayerAccount(ctx context.Context) (*passnum.PayerAccount, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActStatementRead); err != nil {
		return nil, err
	}
	if !a.IsOperator() {
		return nil, forbidden(a)
	}
	var out *passnum.PayerAccount
	err := s.read(ctx, func(tx *tx) error {
		var err error
		out, err = tx.payer()
		return err
	})
	return out, err
}

func (t *tx) payer() (*passnum.PayerAccount, error) {
	var pa passnum.PayerAccount
	err := t.row(`SELECT name, iban, bic, format FROM payer_account WHERE id = 1`).Scan(&pa.Name, &pa.IBAN, &pa.BIC, &pa.Format)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Le compte de l'opérateur d'où partent les virements n'est pas encore renseigné.")
	}
	return &pa, err
}

// CreatePaymentBatch gathers the validated statements not yet in a batch
// into a new batch. Statements of venues without a bank account are left
// out and named in Skipped; with none left, nothing is created.
func (s *Store) CreatePaymentBatch(ctx context.Context, executionDate string) (*passnum.PaymentBatch, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSettle); err != nil {
		return nil, err
	}
	if _, err := passnum.CutOffEnd(executionDate); err != nil {
		return nil, passnum.Invalid("execution_date", "Date d'exécution invalide : %q. Écrivez-la AAAA-MM-JJ, par exemple 2027-04-05.", executionDate)
	}
	var out *passnum.PaymentBatch
	err := s.write(ctx, "payment batch", func(tx *tx) error {
		if today := passnum.Today(tx.now); executionDate < today {
			return passnum.Invalid("execution_date", "Date d'exécution passée (%s) : choisissez aujourd'hui ou une date à venir.", passnum.FrenchDate(executionDate))
		}
		if _, err := tx.payer(); err != nil {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonNoPayerAccount, "Renseignez d'abord le compte de l'opérateur d'où partent les virements.")
		}
		type cand struct {
			id     int64
			amount int64
			name   string
			ok     bool
		}
		list, err := selectAll(tx, func(sc scanner) (cand, error) {
			var c cand
			var iban sql.NullString
			err := sc.Scan(&c.id, &c.amount, &c.name, &iban)
			c.ok = iban.Valid && iban.String != ""
			return c, err
		}, `SELECT s.id, s.amount_cents, o.name, v.bank_iban FROM statements s JOIN organisations o ON o.id = s.venue_id
			LEFT JOIN venues v ON v.org_id = s.venue_id
			WHERE s.state = 'validated' AND s.batch_id IS NULL ORDER BY s.id`)
		if err != nil {
			return err
		}
		var ids []any
		var sum int64
		var skipped []string
		for _, c := range list {
			if !c.ok {
				if !slices.Contains(skipped, c.name) {
					skipped = append(skipped, c.name)
				}
				continue
			}
			ids = append(ids, c.id)
			sum += c.amount
		}
		if len(ids) == 0 {
			if len(skipped) > 0 {
				return passnum.Errorf(passnum.EREFUSED, passnum.ReasonNoBankAccount,
					"Aucun virement possible : ces lieux n'ont pas de coordonnées bancaires : %s. Demandez-leur de les renseigner.", strings.Join(skipped, ", "))
			}
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonNothingToPay, "Aucun relevé validé n'attend de virement : validez d'abord des relevés.")
		}
		id, err := tx.insert(`INSERT INTO payment_batches (execution_date, statements, control_sum_cents, actor, created_at) VALUES (?, ?, ?, ?, ?)`,
			executionDate, len(ids), sum, tx.actorLabel(), tx.nowText())
		if err != nil {
			return err
		}
		msgID := fmt.Sprintf("PASSNUM-%s-%d", strings.ReplaceAll(passnum.Today(tx.now), "-", ""), id)
		if err := tx.exec(`UPDATE payment_batches SET message_id = ? WHERE id = ?`, msgID, id); err != nil {
			return fmt.Errorf("batch %d: message id: %w", id, err)
		}
		for chunk := range slices.Chunk(ids, 500) {
			if err := tx.exec(`UPDATE statements SET batch_id = ? WHERE id IN (`+placeholders(len(chunk))+`)`, append([]any{id}, chunk...)...); err != nil {
				return fmt.Errorf("batch %d: statements: %w", id, err)
			}
		}
		detail := fmt.Sprintf("%d statements, %d cents, execution %s", len(ids), sum, executionDate)
		if len(skipped) > 0 {
			detail += "; left out (no bank account): " + strings.Join(skipped, ", ")
		}
		if err := tx.audit("settlement.batch", fmt.Sprintf("batch:%d", id), detail); err != nil {
			return err
		}
		out = &passnum.PaymentBatch{ID: id, MessageID: msgID, ExecutionDate: executionDate, Statements: len(ids), ControlSumCents: sum,
			Actor: tx.actorLabel(), CreatedAt: storedInstant(tx.now), Skipped: skipped}
		return nil
	})
	return out, wrapf(err, "payment batch to execute on %s", executionDate)
}

func scanBatch(sc scanner) (*passnum.PaymentBatch, error) {
	var b passnum.PaymentBatch
	var created string
	err := sc.Scan(&b.ID, &b.MessageID, &b.ExecutionDate, &b.Statements, &b.ControlSumCents, &b.Actor, &created)
	in := instants{table: "payment_batches", id: b.ID, err: err}
	b.CreatedAt = in.at("created_at", created)
	return &b, in.err
}

const batchColumns = `id, COALESCE(message_id, ''), execution_date, statements, control_sum_cents, actor, created_at`

// ListPaymentBatches lists the batches, newest first (operator).
func (s *Store) ListPaymentBatches(ctx context.Context) ([]*passnum.PaymentBatch, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActStatementRead); err != nil {
		return nil, err
	}
	if !a.IsOperator() {
		return nil, forbidden(a)
	}
	out := []*passnum.PaymentBatch{}
	err := s.read(ctx, func(tx *tx) error {
		list, err := selectAll(tx, scanBatch, `SELECT `+batchColumns+` FROM payment_batches ORDER BY id DESC`)
		if list != nil {
			out = list
		}
		return err
	})
	return out, err
}

// FindPaymentBatch reads one batch (operator).
func (s *Store) FindPaymentBatch(ctx context.Context, id int64) (*passnum.PaymentBatch, error) {
	return readOne(ctx, s, passnum.ActStatementRead, func(tx *tx, a *passnum.Actor) (*passnum.PaymentBatch, error) {
		if !a.IsOperator() {
			return nil, forbidden(a)
		}
		b, err := scanBatch(tx.row(`SELECT `+batchColumns+` FROM payment_batches WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("payment batch", id)
		}
		return b, err
	})
}

// PaymentBatchTransfers returns the payer and one transfer per statement of
// a batch, with each venue's bank account as it is now (operator). The
// venue is the transfer's ultimate creditor when the account's holder
// bears another name.
func (s *Store) PaymentBatchTransfers(ctx context.Context, batchID int64) (*passnum.PayerAccount, []passnum.Transfer, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActStatementRead); err != nil {
		return nil, nil, err
	}
	if !a.IsOperator() {
		return nil, nil, forbidden(a)
	}
	var payer *passnum.PayerAccount
	var out []passnum.Transfer
	err := s.read(ctx, func(tx *tx) error {
		var n int
		if err := tx.get(&n, `SELECT COUNT(*) FROM payment_batches WHERE id = ?`, batchID); err != nil {
			return err
		}
		if n == 0 {
			return notFound("payment batch", batchID)
		}
		var err error
		if payer, err = tx.payer(); err != nil {
			return err
		}
		out, err = selectAll(tx, func(sc scanner) (passnum.Transfer, error) {
			var t passnum.Transfer
			err := sc.Scan(&t.StatementID, &t.EndToEndID, &t.Creditor, &t.UltimateCreditor, &t.IBAN, &t.BIC, &t.AmountCents, &t.Reference, &t.Period)
			return t, err
		}, `SELECT s.id, COALESCE(s.reference, ''), COALESCE(NULLIF(v.bank_holder, ''), o.name),
				CASE WHEN COALESCE(v.bank_holder, '') IN ('', o.name) THEN '' ELSE o.name END,
				COALESCE(v.bank_iban, ''), COALESCE(v.bank_bic, ''), s.amount_cents, COALESCE(s.reference, ''), s.cut_off
			FROM statements s JOIN organisations o ON o.id = s.venue_id LEFT JOIN venues v ON v.org_id = s.venue_id
			WHERE s.batch_id = ? ORDER BY s.id`, batchID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	for i := range out {
		if r := []rune(out[i].Creditor); len(r) > 70 {
			out[i].Creditor = string(r[:70])
		}
		if r := []rune(out[i].UltimateCreditor); len(r) > 70 {
			out[i].UltimateCreditor = string(r[:70])
		}
	}
	return payer, out, nil
}

// batchedStatement reads a statement that must be validated and in a
// batch for its transfer's outcome to be recorded.
func (t *tx) batchedStatement(a *passnum.Actor, id int64, what string) (*passnum.Statement, error) {
	st, err := t.statement(a, id)
	if err != nil {
		return nil, err
	}
	if st.State != passnum.StatementValidated {
		return nil, passnum.Errorf(passnum.ECONFLICT, passnum.ReasonStatementState, "Le relevé n°%d est %s : seul un relevé validé, dont le virement est parti, peut être %s.", id, st.State.Label(), what)
	}
	if st.BatchID == 0 {
		return nil, passnum.Errorf(passnum.ECONFLICT, passnum.ReasonStatementNotBatched, "Le relevé n°%d n'est dans aucun lot de virements : créez d'abord un lot.", id)
	}
	return st, nil
}

// statementValue returns the value of a statement's live lines by
// programme.
func (t *tx) statementValue(id int64) (map[int64]int64, error) {
	type pv struct{ prog, cents int64 }
	rows, err := selectAll(t, func(sc scanner) (pv, error) {
		var v pv
		return v, sc.Scan(&v.prog, &v.cents)
	}, `SELECT programme_id, SUM(amount_cents) FROM statement_lines WHERE statement_id = ? AND rejected = 0 GROUP BY programme_id`, id)
	if err != nil {
		return nil, err
	}
	out := map[int64]int64{}
	for _, r := range rows {
		out[r.prog] = r.cents
	}
	return out, nil
}

// paymentEntries moves a statement's value to passes_settled and each
// funder's share of it out of the bank: two balanced moves per programme.
func (t *tx) paymentEntries(venue int64, value map[int64]int64) ([]passnum.Entry, error) {
	var entries []passnum.Entry
	for _, prog := range slices.Sorted(maps.Keys(value)) {
		p, err := t.settings(prog)
		if err != nil {
			return nil, err
		}
		entries = append(entries, passnum.Move(prog, passnum.AccountVenueStatement, venue, passnum.AccountPassesSettled, venue, value[prog])...)
		for _, sh := range lineShares(p, value[prog]) {
			if sh.AmountCents != 0 {
				entries = append(entries, passnum.Move(prog, passnum.AccountBank, sh.FunderID, passnum.AccountVenuePayments, sh.FunderID, sh.AmountCents)...)
			}
		}
	}
	return entries, nil
}

// MarkPaid records that a statement's transfer went through: its passes
// are settled.
func (s *Store) MarkPaid(ctx context.Context, id int64) (*passnum.Statement, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSettle); err != nil {
		return nil, err
	}
	var out *passnum.Statement
	err := s.write(ctx, "mark paid", func(tx *tx) error {
		st, err := tx.batchedStatement(a, id, "marqué payé")
		if err != nil {
			return err
		}
		value, err := tx.statementValue(id)
		if err != nil {
			return err
		}
		n, err := tx.execN(`UPDATE passes SET state = 'settled'
			WHERE state = 'redeemed' AND serial IN (SELECT serial FROM statement_lines WHERE statement_id = ? AND rejected = 0)`, id)
		if err != nil {
			return err
		}
		if n != int64(st.Passes) {
			return fmt.Errorf("%d passes on the statement, %d settled", st.Passes, n)
		}
		if err := tx.exec(`UPDATE statements SET state = 'paid', paid_at = ? WHERE id = ?`, tx.nowText(), id); err != nil {
			return err
		}
		entries, err := tx.paymentEntries(st.VenueID, value)
		if err != nil {
			return err
		}
		ref := fmt.Sprintf("statement:%d", id)
		if err := tx.post("payment", ref, entries); err != nil {
			return err
		}
		if err := tx.audit("statement.paid", ref, fmt.Sprintf("venue:%d batch:%d %d cents", st.VenueID, st.BatchID, st.AmountCents)); err != nil {
			return err
		}
		if out, err = tx.statement(a, id); err != nil {
			return err
		}
		return tx.tellStatementPaid(out)
	})
	return out, wrapf(err, "mark statement %d paid", id)
}

// RejectStatement records that a statement's transfer was rejected: its
// lines are no longer live, so its passes go to the next run, and the
// reason stays on the statement.
func (s *Store) RejectStatement(ctx context.Context, id int64, reason string) (*passnum.Statement, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSettle); err != nil {
		return nil, err
	}
	if err := passnum.CheckLine("reason", reason); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, passnum.Invalid("reason", "Le motif du rejet est obligatoire : recopiez celui que donne la banque (par exemple « AC04 compte clos »).")
	}
	if len([]rune(reason)) > 500 {
		return nil, passnum.Invalid("reason", "Motif trop long : 500 caractères au plus.")
	}
	var out *passnum.Statement
	err := s.write(ctx, "reject statement", func(tx *tx) error {
		st, err := tx.batchedStatement(a, id, "rejeté")
		if err != nil {
			return err
		}
		value, err := tx.statementValue(id)
		if err != nil {
			return err
		}
		if err := tx.exec(`UPDATE statement_lines SET rejected = 1 WHERE statement_id = ?`, id); err != nil {
			return err
		}
		if err := tx.exec(`UPDATE statements SET state = 'rejected', rejected_reason = ?, rejected_at = ? WHERE id = ?`, reason, tx.nowText(), id); err != nil {
			return err
		}
		var entries []passnum.Entry
		for _, prog := range slices.Sorted(maps.Keys(value)) {
			entries = append(entries, passnum.Move(prog, passnum.AccountVenueStatement, st.VenueID, passnum.AccountVenuePayable, st.VenueID, value[prog])...)
		}
		ref := fmt.Sprintf("statement:%d", id)
		if err := tx.post("rejection", ref, entries); err != nil {
			return err
		}
		if err := tx.audit("statement.reject", ref, reason); err != nil {
			return err
		}
		if out, err = tx.statement(a, id); err != nil {
			return err
		}
		return tx.tellTransferRejected(out, reason)
	})
	return out, wrapf(err, "reject statement %d", id)
}

// ListFunderCharges lists funder charges, newest first: the operator any
// funder's (funderID 0: all), a funder its own; programmeID 0: all.
func (s *Store) ListFunderCharges(ctx context.Context, funderID, programmeID int64) ([]*passnum.FunderCharge, error) {
	return listFunderDocuments(ctx, s, funderID, programmeID, selectFunderCharges, scanFunderCharge)
}

// FindFunderCharge reads one funder charge: the operator any, a funder its
// own; another funder's is not found.
func (s *Store) FindFunderCharge(ctx context.Context, id int64) (*passnum.FunderCharge, error) {
	return findFunderDocument(ctx, s, id, "funder charge", selectFunderCharges, scanFunderCharge)
}

// funderDocuments is the condition on c, a table of documents addressed to
// funders (charges, credit notes), that a list or a find of the actor's
// keeps to: a funder reads its own whatever it asks, the operator any
// funder's (funderID 0: all); programmeID 0: all.
func funderDocuments(a *passnum.Actor, funderID, programmeID int64) (string, []any) {
	if !a.IsOperator() {
		funderID = a.OrgID
	}
	cond, args := []string{"1 = 1"}, []any{}
	if funderID != 0 {
		cond, args = append(cond, "c.funder_id = ?"), append(args, funderID)
	}
	if programmeID != 0 {
		cond, args = append(cond, "c.programme_id = ?"), append(args, programmeID)
	}
	return strings.Join(cond, " AND "), args
}

// listFunderDocuments lists the documents of query (a SELECT from a table
// c of documents addressed to funders), newest first, that the actor may
// read (funderDocuments).
func listFunderDocuments[T any](ctx context.Context, s *Store, funderID, programmeID int64, query string, scan func(scanner) (*T, error)) ([]*T, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActChargeRead); err != nil {
		return nil, err
	}
	where, args := funderDocuments(a, funderID, programmeID)
	out := []*T{}
	err := s.read(ctx, func(tx *tx) error {
		list, err := selectAll(tx, scan, query+` WHERE `+where+` ORDER BY c.id DESC`, args...)
		if list != nil {
			out = list
		}
		return err
	})
	return out, err
}

// findFunderDocument reads document id of query as listFunderDocuments
// would show it: a document the actor may not read is not found, as what
// (a key of frenchObject).
func findFunderDocument[T any](ctx context.Context, s *Store, id int64, what, query string, scan func(scanner) (*T, error)) (*T, error) {
	return readOne(ctx, s, passnum.ActChargeRead, func(tx *tx, a *passnum.Actor) (*T, error) {
		where, args := funderDocuments(a, 0, 0)
		d, err := scan(tx.row(query+` WHERE c.id = ? AND `+where, append([]any{id}, args...)...))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound(what, id)
		}
		return d, err
	})
}

const selectFunderCharges = `SELECT c.id, c.funder_id, o.name, c.programme_id, c.run_id, r.cut_off, c.passes, c.passes_cents, c.fee_bp, c.fee_cents, c.total_cents, c.created_at
	FROM funder_charges c JOIN organisations o ON o.id = c.funder_id JOIN settlement_runs r ON r.id = c.run_id`

func scanFunderCharge(sc scanner) (*passnum.FunderCharge, error) {
	var c passnum.FunderCharge
	var created string
	err := sc.Scan(&c.ID, &c.FunderID, &c.FunderName, &c.ProgrammeID, &c.RunID, &c.Period, &c.Passes, &c.PassesCents, &c.FeeBP, &c.FeeCents, &c.TotalCents, &created)
	in := instants{table: "funder_charges", id: c.ID, err: err}
	c.CreatedAt = in.at("created_at", created)
	return &c, in.err
}
