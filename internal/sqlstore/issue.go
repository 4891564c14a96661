package sqlstore

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/csvfile"
	"github.com/passnum/passnum/internal/passcode"
)

// Issue issues a batch of carnets under a programme. The whole batch is one
// transaction: either every pass exists, with its ledger posting, or none.
func (s *Store) Issue(ctx context.Context, r passnum.IssueRequest) (*passnum.Batch, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActIssue); err != nil {
		return nil, err
	}
	if r.Carnets < 1 || r.Carnets > passnum.MaxBatchCarnets {
		return nil, passnum.Invalid("carnets", "Le nombre de carnets est compris entre 1 et %d.", passnum.MaxBatchCarnets)
	}
	// Codes are 60 random bits: two passes drawing the same one is
	// unlikely (about 1 in 20 000 for a batch of ten million), and then the
	// unique index refuses the batch and we draw again.
	for attempt := 1; ; attempt++ {
		b, err := s.issue(ctx, r)
		if ok, _ := uniqueViolation(err); ok && attempt < 3 {
			s.log.Warn("pass code collision, drawing the batch again", "attempt", attempt)
			continue
		}
		return b, err
	}
}

func (s *Store) issue(ctx context.Context, r passnum.IssueRequest) (*passnum.Batch, error) {
	var b *passnum.Batch
	err := s.write(ctx, "issue", func(tx *tx) error {
		p, err := tx.programme(r.ProgrammeID)
		if err != nil {
			return err
		}
		if !tx.now.Before(p.ExpiresAfter()) {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonProgrammeExpired, "Le programme « %s » a expiré le %s : on ne peut plus y émettre de carnets.", p.Name, passnum.FrenchDate(p.ValidUntil))
		}
		passes := int64(r.Carnets) * int64(p.CarnetSize)
		value := passes * p.FaceValueCents
		if p.IssuedCents+value > p.BudgetCents {
			left := p.BudgetCents - p.IssuedCents
			return &passnum.Error{Code: passnum.EREFUSED, Reason: passnum.ReasonBudgetExceeded, Field: "carnets", Message: fmt.Sprintf(
				"Émission refusée : %s (%s) %s le budget financé de %s. Déjà émis : %s ; il reste de quoi émettre %s.",
				passnum.FrenchCount(int64(r.Carnets), "carnet", "carnets"), passnum.FrenchEuros(value), plural(int64(r.Carnets), "dépasserait", "dépasseraient"),
				passnum.FrenchEuros(p.BudgetCents), passnum.FrenchEuros(p.IssuedCents), passnum.FrenchCount(left/(int64(p.CarnetSize)*p.FaceValueCents), "carnet", "carnets"))}
		}
		var firstCarnet, firstSerial int64
		if err := tx.get(&firstCarnet, `SELECT COALESCE(MAX(number), 0) + 1 FROM carnets`); err != nil {
			return err
		}
		if err := tx.get(&firstSerial, `SELECT COALESCE(MAX(serial), 0) + 1 FROM passes`); err != nil {
			return err
		}
		b = &passnum.Batch{ProgrammeID: p.ID, Carnets: r.Carnets, Passes: int(passes),
			FirstCarnet: firstCarnet, LastCarnet: firstCarnet + int64(r.Carnets) - 1,
			FirstSerial: firstSerial, LastSerial: firstSerial + passes - 1,
			KeyID: s.keys.ActiveID(), CreatedAt: tx.now}
		if b.ID, err = tx.insert(`INSERT INTO batches (programme_id, carnets, passes, first_carnet, last_carnet, first_serial, last_serial, key_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.ProgrammeID, b.Carnets, b.Passes, b.FirstCarnet, b.LastCarnet, b.FirstSerial, b.LastSerial, b.KeyID, tx.nowText()); err != nil {
			return err
		}
		if err := tx.exec(`UPDATE programmes SET issued_cents = issued_cents + ? WHERE id = ?`, value, p.ID); err != nil {
			if checkViolation(err) { // a concurrent issuance took the budget first
				return passnum.Errorf(passnum.EREFUSED, passnum.ReasonBudgetExceeded, "Émission refusée : le budget financé est atteint.")
			}
			return err
		}
		carnetRow := func(i int, row []any) {
			n := int64(i)
			row[0], row[1], row[2], row[3], row[4] = firstCarnet+n, p.ID, b.ID, p.CarnetSize, firstSerial+n*int64(p.CarnetSize)
		}
		if err := tx.bulkInsert("carnets", []string{"number", "programme_id", "batch_id", "size", "first_serial"}, r.Carnets, carnetRow, nil); err != nil {
			return fmt.Errorf("insert carnets: %w", err)
		}
		random := bufio.NewReaderSize(rand.Reader, 1<<16)
		var codeErr error
		passRow := func(i int, row []any) {
			code, err := passcode.NewCode(random)
			if err != nil {
				codeErr = err
			}
			row[0], row[1], row[2], row[3], row[4] = firstSerial+int64(i), firstCarnet+int64(i/p.CarnetSize), p.ID, int64(code), string(passnum.StateIssued)
		}
		progress := r.Progress
		if err := tx.bulkInsert("passes", []string{"serial", "carnet", "programme_id", "code", "state"}, int(passes), passRow, progress); err != nil {
			return fmt.Errorf("insert passes: %w", err)
		}
		if codeErr != nil {
			return codeErr
		}
		ref := fmt.Sprintf("batch:%d", b.ID)
		if err := tx.post("issuance", ref, passnum.Move(p.ID, passnum.AccountIssuance, 0, passnum.AccountPassesIssued, 0, value)); err != nil {
			return err
		}
		// The page's job, if any, ends done with the batch, in its
		// transaction (job.go).
		if err := tx.jobDone(b.Summary()); err != nil {
			return err
		}
		return tx.audit("carnets.issue", ref, fmt.Sprintf("programme:%d carnets %d-%d serials %d-%d", p.ID, b.FirstCarnet, b.LastCarnet, b.FirstSerial, b.LastSerial))
	})
	return b, err
}

// ListBatches lists the batches of a programme.
func (s *Store) ListBatches(ctx context.Context, programmeID int64) ([]*passnum.Batch, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActProgrammeRead); err != nil {
		return nil, err
	}
	var out []*passnum.Batch
	err := s.read(ctx, func(tx *tx) error {
		out = out[:0]
		if _, err := tx.visibleProgramme(a, programmeID); err != nil {
			return err
		}
		var err error
		out, err = loadAll(tx, tx.batch, `SELECT id FROM batches WHERE programme_id = ? ORDER BY id`, programmeID)
		return err
	})
	return out, err
}

func (t *tx) batch(id int64) (*passnum.Batch, error) {
	var b passnum.Batch
	var created string
	err := t.row(`SELECT id, programme_id, carnets, passes, first_carnet, last_carnet, first_serial, last_serial, key_id, created_at FROM batches WHERE id = ?`, id).
		Scan(&b.ID, &b.ProgrammeID, &b.Carnets, &b.Passes, &b.FirstCarnet, &b.LastCarnet, &b.FirstSerial, &b.LastSerial, &b.KeyID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("batch", id)
	}
	in := instants{table: "batches", id: id, err: err}
	b.CreatedAt = in.at("created_at", created)
	return &b, in.err
}

// Activate activates the issued passes of a batch or of a range of carnets,
// as far as the funds received allow: all of them or none.
func (s *Store) Activate(ctx context.Context, r passnum.ActivateRequest) (int64, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActActivate); err != nil {
		return 0, err
	}
	if (r.BatchID == 0) == (r.FirstCarnet == 0) {
		return 0, passnum.Invalid("batch_id", "Indiquez soit un lot, soit une plage de carnets.")
	}
	if r.BatchID == 0 && (r.FirstCarnet < 0 || r.LastCarnet < r.FirstCarnet) {
		return 0, passnum.Invalid("last_carnet", "Plage de carnets invalide : du n° %d au n° %d.", r.FirstCarnet, r.LastCarnet)
	}
	var activated int64
	err := s.write(ctx, "activate", func(tx *tx) error {
		p, err := tx.programme(r.ProgrammeID)
		if err != nil {
			return err
		}
		if !tx.now.Before(p.ExpiresAfter()) {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonProgrammeExpired, "Le programme « %s » a expiré le %s : ses pass ne peuvent plus être activés.", p.Name, passnum.FrenchDate(p.ValidUntil))
		}
		var first, last int64
		ref := ""
		if r.BatchID != 0 {
			b, err := tx.batch(r.BatchID)
			if err != nil {
				return err
			}
			if b.ProgrammeID != p.ID {
				return passnum.Invalid("batch_id", "Le lot n°%d n'appartient pas au programme « %s ».", b.ID, p.Name)
			}
			first, last, ref = b.FirstSerial, b.LastSerial, fmt.Sprintf("batch:%d", b.ID)
		} else {
			var lo, hi sql.NullInt64
			if err := tx.row(`SELECT MIN(first_serial), MAX(first_serial + size - 1) FROM carnets WHERE programme_id = ? AND number BETWEEN ? AND ?`,
				p.ID, r.FirstCarnet, r.LastCarnet).Scan(&lo, &hi); err != nil {
				return err
			}
			if !lo.Valid {
				return passnum.Invalid("first_carnet", "Aucun carnet du programme « %s » entre les n° %d et %d.", p.Name, r.FirstCarnet, r.LastCarnet)
			}
			first, last, ref = lo.Int64, hi.Int64, fmt.Sprintf("carnets:%d-%d", r.FirstCarnet, r.LastCarnet)
		}
		var n int64
		if err := tx.get(&n, `SELECT COUNT(*) FROM passes WHERE programme_id = ? AND serial BETWEEN ? AND ? AND state = 'issued'`, p.ID, first, last); err != nil {
			return err
		}
		if n == 0 {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonNothingToActivate, "Aucun pass à activer : ils sont déjà activés ou bloqués.")
		}
		value := n * p.FaceValueCents
		capacity := passnum.ActivationCapacity(p.FundsReceived, p.FeeBP) - p.ActivatedCents
		if value > capacity {
			return &passnum.Error{Code: passnum.EREFUSED, Reason: passnum.ReasonFundsInsufficient, Message: fmt.Sprintf(
				"Activation refusée : %s pass (%s) demandent plus que les fonds reçus disponibles (%s, frais de gestion de %s %% déduits). Enregistrez d'abord l'ordre de paiement du financeur.",
				passnum.FrenchNumber(n), passnum.FrenchEuros(value), passnum.FrenchEuros(max(capacity, 0)), passnum.FrenchPercent(p.FeeBP))}
		}
		activated, err = tx.execN(`UPDATE passes SET state = 'activated', activated_at = ? WHERE programme_id = ? AND serial BETWEEN ? AND ? AND state = 'issued'`,
			tx.nowText(), p.ID, first, last)
		if err != nil {
			return err
		}
		if activated != n {
			return fmt.Errorf("activate: %d passes counted, %d updated", n, activated)
		}
		if err := tx.exec(`UPDATE programmes SET activated_cents = activated_cents + ? WHERE id = ?`, value, p.ID); err != nil {
			return err
		}
		if err := tx.post("activation", ref, passnum.Move(p.ID, passnum.AccountPassesIssued, 0, passnum.AccountPassesLive, 0, value)); err != nil {
			return err
		}
		return tx.audit("passes.activate", ref, fmt.Sprintf("programme:%d %d passes", p.ID, n))
	})
	return activated, err
}

// ExportPasses writes a batch's passes as CSV for the printer: serial,
// carnet, validity, short code and signed QR payload. It is the only place
// codes leave the database, so only operator admins may call it.
func (s *Store) ExportPasses(ctx context.Context, batchID int64, w io.Writer, progress func(done, total int)) error {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActPassExport); err != nil {
		return err
	}
	return s.read(ctx, func(tx *tx) error {
		b, err := tx.batch(batchID)
		if err != nil {
			return err
		}
		p, err := tx.programme(b.ProgrammeID)
		if err != nil {
			return err
		}
		rows, err := tx.query(`SELECT serial, carnet, code, state FROM passes WHERE serial BETWEEN ? AND ? ORDER BY serial`, b.FirstSerial, b.LastSerial)
		if err != nil {
			return err
		}
		defer rows.Close()
		// csvfile.Writer, as every file a spreadsheet may open: a
		// byte-order mark lets it read the UTF-8, ';' splits the columns.
		cw := csvfile.NewWriter(w)
		if err := cw.Write([]string{"serie", "carnet", "programme", "valable_jusqu_au", "code", "qr", "etat"}); err != nil {
			return err
		}
		done := 0
		for rows.Next() {
			var serial, carnet, code int64
			var state string
			if err := rows.Scan(&serial, &carnet, &code, &state); err != nil {
				return err
			}
			c := passcode.Code(code)
			payload, err := s.keys.Sign(passcode.Claims{Serial: serial, Programme: p.ID, Expiry: p.ValidUntil, Code: c})
			if err != nil {
				return err
			}
			if err := cw.Write([]string{passnum.FormatSerial(serial), fmt.Sprint(carnet), fmt.Sprint(p.ID), p.ValidUntil, c.String(), payload, state}); err != nil {
				return err
			}
			done++
			if progress != nil && done%10000 == 0 {
				progress(done, b.Passes)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := cw.Flush(); err != nil {
			return err
		}
		if progress != nil {
			progress(done, b.Passes)
		}
		return nil
	})
}
