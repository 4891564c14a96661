package sqlstore

import (
	"context"
	"fmt"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sepa"
)

// Credit notes (DOMAIN.md: "after expiry unused passes are refunded as a
// credit note at face value"). Once a programme is past validity and
// tolerance, Expire (carnet.go) moves every pass not used — issued,
// activated, allocated, distributed or blocked — to expired. The operator
// and the funders then agree on what became of the passes
// (Reconcile), and IssueCreditNotes credits each funder, once, its share
// of the face value of the expired passes: passes_expired →
// funder_credit[funder]. Blocked passes are credited through their expiry:
// Expire takes them too, and credit notes wait until no pass is left open.

// reconcile counts a programme's passes and their value.
func (t *tx) reconcile(p *passnum.Programme) (*passnum.Reconciliation, error) {
	r := &passnum.Reconciliation{ProgrammeID: p.ID, ByState: map[passnum.PassState]int64{}}
	for _, st := range passnum.PassStates {
		r.ByState[st] = 0
	}
	rows, err := t.query(`SELECT state, COUNT(*) FROM passes WHERE programme_id = ? GROUP BY state`, p.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var st passnum.PassState
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return nil, err
		}
		r.ByState[st] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	face := p.FaceValueCents
	r.SettledCents = r.ByState[passnum.StateSettled] * face
	r.PayableCents = r.ByState[passnum.StateRedeemed] * face
	r.ExpiredCents = r.ByState[passnum.StateExpired] * face
	if err := t.get(&r.CreditedCents, `SELECT COALESCE(SUM(amount_cents), 0) FROM credit_notes WHERE programme_id = ?`, p.ID); err != nil {
		return nil, err
	}
	var notes int
	if err := t.get(&notes, `SELECT COUNT(*) FROM credit_notes WHERE programme_id = ?`, p.ID); err != nil {
		return nil, err
	}
	r.Credited = notes > 0
	var open int64
	for _, st := range []passnum.PassState{passnum.StateIssued, passnum.StateActivated, passnum.StateAllocated, passnum.StateDistributed, passnum.StateBlocked} {
		open += r.ByState[st]
	}
	r.ReadyToCredit = !t.now.Before(p.ExpiresAfter()) && open == 0 && !r.Credited
	return r, nil
}

// Reconcile counts what became of a programme's passes: the operator and
// the programme's funders see it.
func (s *Store) Reconcile(ctx context.Context, programmeID int64) (*passnum.Reconciliation, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActChargeRead); err != nil {
		return nil, err
	}
	var out *passnum.Reconciliation
	err := s.read(ctx, func(tx *tx) error {
		p, err := tx.programme(programmeID)
		if err != nil {
			return err
		}
		if !a.IsOperator() && !funds(a, p) {
			return notFound("programme", programmeID)
		}
		out, err = tx.reconcile(p)
		return err
	})
	return out, wrapf(err, "reconcile programme %d", programmeID)
}

// IssueCreditNotes credits each funder of a programme past validity and
// tolerance, once, its share (SplitByShares) of the face value of the
// passes that expired unused.
func (s *Store) IssueCreditNotes(ctx context.Context, programmeID int64) ([]*passnum.CreditNote, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSettle); err != nil {
		return nil, err
	}
	var out []*passnum.CreditNote
	err := s.write(ctx, "credit notes", func(tx *tx) error {
		out = nil
		p, err := tx.programme(programmeID)
		if err != nil {
			return err
		}
		r, err := tx.reconcile(p)
		if err != nil {
			return err
		}
		switch {
		case r.Credited:
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonAlreadyCredited, "Les avoirs du programme « %s » ont déjà été émis.", p.Name)
		case tx.now.Before(p.ExpiresAfter()):
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonNotExpired,
				"Trop tôt : les pass du programme « %s » restent utilisables jusqu'au %s (fin de validité et tolérance). Les avoirs viendront après.",
				p.Name, passnum.FrenchDateTime(p.ExpiresAfter().Add(-1)))
		case !r.ReadyToCredit:
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonExpiryPending,
				"Des pass du programme « %s » ne sont pas encore expirés : lancez d'abord l'expiration des pass, puis émettez les avoirs.", p.Name)
		}
		n := r.ByState[passnum.StateExpired]
		if n == 0 {
			return nil // every pass was used: nothing to credit
		}
		total := n * p.FaceValueCents
		shares := make([]int, len(p.Funders))
		for i, f := range p.Funders {
			shares[i] = f.ShareBP
		}
		parts := passnum.SplitByShares(total, shares)
		var entries []passnum.Entry
		for i, f := range p.Funders {
			id, err := tx.insert(`INSERT INTO credit_notes (programme_id, funder_id, passes, amount_cents, reference, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				p.ID, f.FunderID, n, parts[i], fmt.Sprintf("pending-%d-%d", p.ID, f.FunderID), tx.nowText())
			if err != nil {
				return fmt.Errorf("credit note of funder %d: %w", f.FunderID, err)
			}
			ref := sepa.CreditorReference(fmt.Sprintf("PNAV%d", id))
			if err := tx.exec(`UPDATE credit_notes SET reference = ? WHERE id = ?`, ref, id); err != nil {
				return fmt.Errorf("credit note %d: reference: %w", id, err)
			}
			if parts[i] != 0 {
				entries = append(entries, passnum.Move(p.ID, passnum.AccountPassesExpired, 0, passnum.AccountFunderCredit, f.FunderID, parts[i])...)
			}
			note := &passnum.CreditNote{ID: id, FunderID: f.FunderID, FunderName: f.FunderName, ProgrammeID: p.ID, Passes: int(n),
				AmountCents: parts[i], Reference: ref, CreatedAt: storedInstant(tx.now)}
			if err := tx.tellCreditNote(note, p); err != nil {
				return fmt.Errorf("credit note %d: message: %w", id, err)
			}
			out = append(out, note)
		}
		objRef := fmt.Sprintf("programme:%d", p.ID)
		if err := tx.post("credit", objRef, entries); err != nil {
			return err
		}
		return tx.audit("credit_notes.issue", objRef, fmt.Sprintf("%d passes, %d cents, %d funders", n, total, len(p.Funders)))
	})
	if err != nil {
		return nil, fmt.Errorf("credit notes of programme %d: %w", programmeID, err)
	}
	if out == nil {
		out = []*passnum.CreditNote{}
	}
	return out, nil
}

// ListCreditNotes lists credit notes, newest first: the operator any
// funder's (funderID 0: all), a funder its own; programmeID 0: all.
func (s *Store) ListCreditNotes(ctx context.Context, funderID, programmeID int64) ([]*passnum.CreditNote, error) {
	return listFunderDocuments(ctx, s, funderID, programmeID, selectCreditNotes, scanCreditNote)
}

// FindCreditNote reads one credit note: the operator any, a funder its
// own; another funder's is not found.
func (s *Store) FindCreditNote(ctx context.Context, id int64) (*passnum.CreditNote, error) {
	return findFunderDocument(ctx, s, id, "credit note", selectCreditNotes, scanCreditNote)
}

const selectCreditNotes = `SELECT c.id, c.funder_id, o.name, c.programme_id, c.passes, c.amount_cents, c.reference, c.created_at
	FROM credit_notes c JOIN organisations o ON o.id = c.funder_id`

func scanCreditNote(sc scanner) (*passnum.CreditNote, error) {
	var c passnum.CreditNote
	var created string
	err := sc.Scan(&c.ID, &c.FunderID, &c.FunderName, &c.ProgrammeID, &c.Passes, &c.AmountCents, &c.Reference, &created)
	in := instants{table: "credit_notes", id: c.ID, err: err}
	c.CreatedAt = in.at("created_at", created)
	return &c, in.err
}
