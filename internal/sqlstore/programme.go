package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/passnum/passnum"
)

const programmeColumns = `id, name, budget_cents, face_value_cents, carnet_size, valid_from, valid_until, tolerance_days, fee_bp,
	territory, services, funds_received_cents, issued_cents, activated_cents, created_at`

func scanProgramme(sc scanner) (*passnum.Programme, error) {
	var p passnum.Programme
	var territory, services, created string
	if err := sc.Scan(&p.ID, &p.Name, &p.BudgetCents, &p.FaceValueCents, &p.CarnetSize, &p.ValidFrom, &p.ValidUntil,
		&p.ToleranceDays, &p.FeeBP, &territory, &services, &p.FundsReceived, &p.IssuedCents, &p.ActivatedCents, &created); err != nil {
		return nil, err
	}
	p.Territory = strings.Fields(territory)
	p.Services = strings.Split(services, "|")
	in := instants{table: "programmes", id: p.ID}
	p.CreatedAt = in.at("created_at", created)
	return &p, in.err
}

// programme loads a programme with its funders and current counters.
func (t *tx) programme(id int64) (*passnum.Programme, error) {
	p, err := scanProgramme(t.row(`SELECT `+programmeColumns+` FROM programmes WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("programme", id)
	} else if err != nil {
		return nil, err
	}
	rows, err := t.query(`SELECT f.funder_id, o.name, f.share_bp FROM programme_funders f JOIN organisations o ON o.id = f.funder_id
		WHERE f.programme_id = ? ORDER BY f.share_bp DESC, f.funder_id`, id)
	if err != nil {
		return nil, fmt.Errorf("funders of programme %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f passnum.FunderShare
		if err := rows.Scan(&f.FunderID, &f.FunderName, &f.ShareBP); err != nil {
			return nil, fmt.Errorf("funders of programme %d: %w", id, err)
		}
		p.Funders = append(p.Funders, f)
	}
	return p, wrapf(rows.Err(), "funders of programme %d", id)
}

// settings returns a programme's immutable settings (territory, services,
// validity, face value), cached: redemption reads them for every pass.
func (t *tx) settings(id int64) (*passnum.Programme, error) {
	if p, ok := t.s.programmes.Load(id); ok {
		return p.(*passnum.Programme), nil
	}
	p, err := t.programme(id)
	if err != nil {
		return nil, err
	}
	t.s.programmes.Store(id, p)
	return p, nil
}

// forgetSettings empties the settings cache. A failed commit may have
// taken away a programme that a transaction of the same commit cached.
func (s *Store) forgetSettings() { s.programmes.Clear() }

// funds tells whether the actor's organisation funds the programme.
func funds(a *passnum.Actor, p *passnum.Programme) bool {
	for _, f := range p.Funders {
		if f.FunderID == a.OrgID {
			return true
		}
	}
	return false
}

// canSeeProgramme: the operator sees every programme, a funder the ones it
// funds, a hub those whose territory concerns its own (as its indicators:
// nothing before the operator sets it). Others see none. Callers answer
// "not found" for a programme the actor may not see, as for one that does
// not exist.
func (t *tx) canSeeProgramme(a *passnum.Actor, p *passnum.Programme) (bool, error) {
	switch a.OrgKind {
	case passnum.KindOperator:
		return true, nil
	case passnum.KindFunder:
		return funds(a, p), nil
	case passnum.KindHub:
		hub, err := t.hubTerritory(a.OrgID)
		if err != nil || hub == nil {
			return false, err
		}
		return concerns(p.Territory, hub), nil
	}
	return false, nil
}

// concerns tells whether a programme's territory (as stored) shares a
// place with a hub's.
func concerns(programme []string, hub passnum.Territory) bool {
	t, err := passnum.ParseTerritory(programme)
	return err == nil && t.Overlaps(hub)
}

// hubTerritory reads a hub's territory, nil when the operator has not set
// it. It is read in the caller's transaction, so that a territory changed
// meanwhile applies to the whole answer or to none of it.
func (t *tx) hubTerritory(hubID int64) (passnum.Territory, error) {
	var areas string
	if err := t.get(&areas, `SELECT territory FROM organisations WHERE id = ? AND kind = 'hub'`, hubID); errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if strings.TrimSpace(areas) == "" {
		return nil, nil
	}
	return passnum.ParseTerritory(strings.Fields(areas))
}

// visibleProgramme returns a programme the actor may see, or "not found".
func (t *tx) visibleProgramme(a *passnum.Actor, id int64) (*passnum.Programme, error) {
	p, err := t.programme(id)
	if err != nil {
		return nil, err
	}
	ok, err := t.canSeeProgramme(a, p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("programme", id)
	}
	return p, nil
}

// CreateProgramme creates a programme with its funders' shares.
func (s *Store) CreateProgramme(ctx context.Context, c passnum.ProgrammeCreate) (*passnum.Programme, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActProgrammeCreate); err != nil {
		return nil, err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var p *passnum.Programme
	err := s.write(ctx, "create programme", func(tx *tx) error {
		var err error
		p, err = tx.createProgramme(c)
		return err
	})
	return p, err
}

// createProgramme creates a normalised, valid programme with its funders'
// shares: CreateProgramme's, and a convention's (convention.go).
func (t *tx) createProgramme(c passnum.ProgrammeCreate) (*passnum.Programme, error) {
	for _, f := range c.Funders {
		o, err := t.findOrg(f.FunderID)
		if err != nil {
			return nil, passnum.Invalid("funders", "Financeur n°%d introuvable.", f.FunderID)
		}
		if o.Kind != passnum.KindFunder {
			return nil, passnum.Invalid("funders", "%s n'est pas un financeur.", o.Name)
		}
	}
	id, err := t.insert(`INSERT INTO programmes (name, budget_cents, face_value_cents, carnet_size, valid_from, valid_until,
		tolerance_days, fee_bp, territory, services, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Name, c.BudgetCents, c.FaceValueCents, c.CarnetSize, c.ValidFrom, c.ValidUntil, *c.ToleranceDays, *c.FeeBP,
		strings.Join(c.Territory, " "), strings.Join(c.Services, "|"), t.nowText())
	if err != nil {
		return nil, err
	}
	for _, f := range c.Funders {
		if err := t.exec(`INSERT INTO programme_funders (programme_id, funder_id, share_bp) VALUES (?, ?, ?)`, id, f.FunderID, f.ShareBP); err != nil {
			return nil, fmt.Errorf("programme %d: funder %d: %w", id, f.FunderID, err)
		}
	}
	if err := t.audit("programme.create", fmt.Sprintf("programme:%d", id), fmt.Sprintf("%q budget=%d", c.Name, c.BudgetCents)); err != nil {
		return nil, err
	}
	return t.programme(id)
}

// FindProgramme returns a programme with its counters and passes by state.
func (s *Store) FindProgramme(ctx context.Context, id int64) (*passnum.Programme, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActProgrammeRead); err != nil {
		return nil, err
	}
	var p *passnum.Programme
	err := s.read(ctx, func(tx *tx) error {
		var err error
		if p, err = tx.visibleProgramme(a, id); err != nil {
			return err
		}
		p.PassesByState, err = tx.passesByState(id)
		return err
	})
	return p, wrapf(err, "programme %d", id)
}

func (t *tx) passesByState(programmeID int64) (map[passnum.PassState]int64, error) {
	out := map[passnum.PassState]int64{}
	for _, st := range passnum.PassStates {
		out[st] = 0
	}
	rows, err := t.query(`SELECT state, COUNT(*) FROM passes WHERE programme_id = ? GROUP BY state`, programmeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var st passnum.PassState
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// ListProgrammes lists the programmes the actor may see (canSeeProgramme).
func (s *Store) ListProgrammes(ctx context.Context, f passnum.ProgrammeFilter) ([]*passnum.Programme, int, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActProgrammeRead); err != nil {
		return nil, 0, err
	}
	cond, args := "1 = 1", []any{}
	if a.OrgKind == passnum.KindFunder {
		cond, args = "id IN (SELECT programme_id FROM programme_funders WHERE funder_id = ?)", []any{a.OrgID}
	}
	offset, limit := page(f.Offset, f.Limit)
	var out []*passnum.Programme
	var total int
	err := s.read(ctx, func(tx *tx) error {
		out = out[:0]
		if a.OrgKind == passnum.KindHub {
			// Territories overlap by région, département or commune, which
			// SQL cannot compare as written: programmes are few, read the
			// territory of each.
			var err error
			out, total, err = tx.hubProgrammes(a.OrgID, offset, limit)
			return err
		}
		if err := tx.get(&total, `SELECT COUNT(*) FROM programmes WHERE `+cond, args...); err != nil {
			return err
		}
		var err error
		out, err = loadAll(tx, tx.programme, `SELECT id FROM programmes WHERE `+cond+` ORDER BY id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		return err
	})
	return out, total, err
}

// hubProgrammes lists a page of the programmes that concern a hub's
// territory, and how many there are.
func (t *tx) hubProgrammes(hubID int64, offset, limit int) ([]*passnum.Programme, int, error) {
	hub, err := t.hubTerritory(hubID)
	if err != nil || hub == nil {
		return nil, 0, err
	}
	type row struct {
		id        int64
		territory string
	}
	all, err := selectAll(t, func(sc scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.id, &r.territory)
	}, `SELECT id, territory FROM programmes ORDER BY id`)
	if err != nil {
		return nil, 0, err
	}
	var ids []int64
	for _, r := range all {
		if concerns(strings.Fields(r.territory), hub) {
			ids = append(ids, r.id)
		}
	}
	total := len(ids)
	ids = ids[min(offset, len(ids)):]
	ids = ids[:min(limit, len(ids))]
	out := make([]*passnum.Programme, 0, len(ids))
	for _, id := range ids {
		p, err := t.programme(id)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, nil
}

// RecordFunds records a payment order received from a funder: the money
// that lets passes be activated.
func (s *Store) RecordFunds(ctx context.Context, c passnum.FundsCreate) (*passnum.PaymentOrder, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActFundsRecord); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var po *passnum.PaymentOrder
	err := s.write(ctx, "record funds", func(tx *tx) error {
		p, err := tx.programme(c.ProgrammeID)
		if err != nil {
			return err
		}
		if !funds(&passnum.Actor{OrgID: c.FunderID}, p) {
			return passnum.Invalid("funder_id", "L'organisation n°%d ne finance pas le programme « %s ».", c.FunderID, p.Name)
		}
		var n int
		if err := tx.get(&n, `SELECT COUNT(*) FROM payment_orders WHERE programme_id = ? AND reference = ?`, c.ProgrammeID, c.Reference); err != nil {
			return err
		}
		if n > 0 {
			return &passnum.Error{Code: passnum.ECONFLICT, Reason: passnum.ReasonPaymentOrderDuplicate, Field: "reference",
				Message: fmt.Sprintf("L'ordre de paiement %q est déjà enregistré pour ce programme.", c.Reference)}
		}
		id, err := tx.insert(`INSERT INTO payment_orders (programme_id, funder_id, reference, amount_cents, received_on, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ProgrammeID, c.FunderID, c.Reference, c.AmountCents, c.ReceivedOn, tx.nowText())
		if err != nil {
			return err
		}
		if err := tx.exec(`UPDATE programmes SET funds_received_cents = funds_received_cents + ? WHERE id = ?`, c.AmountCents, c.ProgrammeID); err != nil {
			return err
		}
		ref := fmt.Sprintf("payment_order:%d", id)
		if err := tx.post("funds", ref, passnum.Move(c.ProgrammeID, passnum.AccountFunderContribution, c.FunderID, passnum.AccountBank, c.FunderID, c.AmountCents)); err != nil {
			return err
		}
		if err := tx.audit("funds.record", ref, fmt.Sprintf("programme:%d funder:%d %d cents %q", c.ProgrammeID, c.FunderID, c.AmountCents, c.Reference)); err != nil {
			return err
		}
		po = &passnum.PaymentOrder{ID: id, ProgrammeID: c.ProgrammeID, FunderID: c.FunderID, Reference: c.Reference,
			AmountCents: c.AmountCents, ReceivedOn: c.ReceivedOn, CreatedAt: tx.now}
		return nil
	})
	return po, wrapf(err, "funds of funder %d for programme %d", c.FunderID, c.ProgrammeID)
}

// ListPaymentOrders lists the funds received for a programme.
func (s *Store) ListPaymentOrders(ctx context.Context, programmeID int64) ([]*passnum.PaymentOrder, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActProgrammeRead); err != nil {
		return nil, err
	}
	var out []*passnum.PaymentOrder
	err := s.read(ctx, func(tx *tx) error {
		out = out[:0]
		if _, err := tx.visibleProgramme(a, programmeID); err != nil {
			return err
		}
		rows, err := tx.query(`SELECT id, programme_id, funder_id, reference, amount_cents, received_on, created_at FROM payment_orders
			WHERE programme_id = ? ORDER BY id`, programmeID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var po passnum.PaymentOrder
			var created string
			if err := rows.Scan(&po.ID, &po.ProgrammeID, &po.FunderID, &po.Reference, &po.AmountCents, &po.ReceivedOn, &created); err != nil {
				return err
			}
			in := instants{table: "payment_orders", id: po.ID}
			if po.CreatedAt = in.at("created_at", created); in.err != nil {
				return in.err
			}
			out = append(out, &po)
		}
		return rows.Err()
	})
	return out, wrapf(err, "payment orders of programme %d", programmeID)
}
