package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// Selection of applications and conventions (passnum.SelectionService).

// decidable returns a submitted application to a call the actor runs:
// its funder's admins, or the operator's.
func (t *tx) decidable(a *passnum.Actor, id int64, verb string) (*passnum.Application, *passnum.Call, error) {
	p, c, party, err := t.visibleApplication(a, id)
	if err != nil {
		return nil, nil, err
	}
	if party != partyFunder && party != partyOperator {
		return nil, nil, passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Seul le financeur de l'appel à projets décide de ses candidatures.")
	}
	if p.Status != passnum.ApplicationSubmitted {
		return nil, nil, applicationState(p, verb)
	}
	return p, c, nil
}

// ReviewApplication records the call's funder's scores and comment.
func (s *Store) ReviewApplication(ctx context.Context, id int64, r passnum.Review) (*passnum.Application, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCallManage); err != nil {
		return nil, err
	}
	var out *passnum.Application
	err := s.write(ctx, "review application", func(tx *tx) error {
		_, c, err := tx.decidable(a, id, "noter")
		if err != nil {
			return err
		}
		if err := r.Validate(c); err != nil {
			return err
		}
		if err := tx.exec(`UPDATE applications SET scores = ?, comment = ?, updated_at = ? WHERE id = ?`,
			jsonText(r.Scores), r.Comment, tx.nowText(), id); err != nil {
			return err
		}
		points := 0
		for _, sc := range r.Scores {
			points += sc.Points
		}
		if err := tx.audit("application.review", fmt.Sprintf("application:%d", id), fmt.Sprintf("points=%d", points)); err != nil {
			return err
		}
		out, err = tx.application(id)
		return err
	})
	return out, wrapf(err, "review of application %d", id)
}

// DecideApplication selects an application within its call's envelope and
// matching rule, or refuses it; both with a reason.
func (s *Store) DecideApplication(ctx context.Context, id int64, d passnum.Decision) (*passnum.Application, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCallManage); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out *passnum.Application
	err := s.write(ctx, "decide application", func(tx *tx) error {
		p, c, err := tx.decidable(a, id, "retenir ou refuser")
		if err != nil {
			return err
		}
		status, granted := passnum.ApplicationRefused, int64(0)
		if d.Selected {
			asked, total := p.Totals(c.FunderID)
			if !passnum.WithinShare(asked, total, c.MaxShareBP) {
				return passnum.MatchingRuleBroken(c, asked, total)
			}
			if asked > c.LeftCents {
				return passnum.EnvelopeExceeded(c, asked)
			}
			status, granted = passnum.ApplicationSelected, asked
		}
		if err := tx.exec(`UPDATE applications SET status = ?, reason = ?, granted_cents = ?, decided_at = ?, updated_at = ? WHERE id = ?`,
			status, d.Reason, granted, tx.nowText(), tx.nowText(), id); err != nil {
			return err
		}
		if err := tx.audit("application.decide", fmt.Sprintf("application:%d", id), fmt.Sprintf("call:%d %s granted=%d", c.ID, status, granted)); err != nil {
			return err
		}
		out, err = tx.application(id)
		return err
	})
	return out, wrapf(err, "decision on application %d", id)
}

// convention loads a convention with its parties, amounts and programmes.
func (t *tx) convention(id int64) (*passnum.Convention, error) {
	var c passnum.Convention
	var territory, created string
	err := t.row(`SELECT v.id, v.call_id, v.application_id, a.applicant_id, v.title, v.territory, v.starts_on, v.ends_on, v.total_cents, v.created_at
		FROM conventions v JOIN applications a ON a.id = v.application_id WHERE v.id = ?`, id).
		Scan(&c.ID, &c.CallID, &c.ApplicationID, &c.ApplicantID, &c.Title, &territory, &c.StartsOn, &c.EndsOn, &c.TotalCents, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("convention", id)
	} else if err != nil {
		return nil, err
	}
	c.Territory = strings.Fields(territory)
	in := instants{table: "conventions", id: id}
	if c.CreatedAt = in.at("created_at", created); in.err != nil {
		return nil, in.err
	}
	c.Parties, err = selectAll(t, func(sc scanner) (passnum.ConventionParty, error) {
		var p passnum.ConventionParty
		var signed sql.NullString
		err := sc.Scan(&p.FunderID, &p.FunderName, &signed)
		p.SignedOn = signed.String
		return p, err
	}, `SELECT p.funder_id, o.name, p.signed_on FROM convention_parties p JOIN organisations o ON o.id = p.funder_id
		WHERE p.convention_id = ? ORDER BY p.funder_id`, id)
	if err != nil {
		return nil, fmt.Errorf("parties of convention %d: %w", id, err)
	}
	c.Signed = len(c.Parties) > 0
	for _, p := range c.Parties {
		if p.SignedOn == "" {
			c.Signed = false
		}
	}
	c.Amounts, err = selectAll(t, func(sc scanner) (passnum.FundingLine, error) {
		var l passnum.FundingLine
		return l, sc.Scan(&l.FunderID, &l.FunderName, &l.Year, &l.AmountCents)
	}, `SELECT a.funder_id, o.name, a.year, a.amount_cents FROM convention_amounts a JOIN organisations o ON o.id = a.funder_id
		WHERE a.convention_id = ? ORDER BY a.year, a.funder_id`, id)
	if err != nil {
		return nil, fmt.Errorf("amounts of convention %d: %w", id, err)
	}
	if c.Programmes, err = selectAll(t, scanInt64, `SELECT programme_id FROM convention_programmes WHERE convention_id = ? ORDER BY programme_id`, id); err != nil {
		return nil, fmt.Errorf("programmes of convention %d: %w", id, err)
	}
	if c.Programmes == nil {
		c.Programmes = []int64{}
	}
	return &c, nil
}

// canSeeConvention: the operator, the call's funder, a party, a hub whose
// territory the convention's concerns.
func (t *tx) canSeeConvention(a *passnum.Actor, c *passnum.Convention) (bool, error) {
	switch a.OrgKind {
	case passnum.KindOperator:
		return true, nil
	case passnum.KindFunder:
		for _, p := range c.Parties {
			if p.FunderID == a.OrgID {
				return true, nil
			}
		}
		var funder int64
		if err := t.get(&funder, `SELECT funder_id FROM calls WHERE id = ?`, c.CallID); err != nil {
			return false, err
		}
		return funder == a.OrgID, nil
	case passnum.KindHub:
		hub, err := t.hubTerritory(a.OrgID)
		if err != nil || hub == nil {
			return false, err
		}
		return concerns(c.Territory, hub), nil
	}
	return false, nil
}

func (t *tx) visibleConvention(a *passnum.Actor, id int64) (*passnum.Convention, error) {
	c, err := t.convention(id)
	if err != nil {
		return nil, err
	}
	ok, err := t.canSeeConvention(a, c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("convention", id)
	}
	return c, nil
}

// managedConvention returns a convention of a call the actor runs.
func (t *tx) managedConvention(a *passnum.Actor, id int64) (*passnum.Convention, *passnum.Call, error) {
	c, err := t.visibleConvention(a, id)
	if err != nil {
		return nil, nil, err
	}
	call, err := t.call(c.CallID)
	if err != nil {
		return nil, nil, err
	}
	if !a.IsOperator() && call.FunderID != a.OrgID {
		return nil, nil, passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Seul le financeur de l'appel à projets gère ses conventions.")
	}
	return c, call, nil
}

// CreateConvention turns a selected application into a convention: its
// amounts and parties are the application's budget.
func (s *Store) CreateConvention(ctx context.Context, in passnum.ConventionCreate) (*passnum.Convention, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCallManage); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *passnum.Convention
	err := s.write(ctx, "create convention", func(tx *tx) error {
		p, c, party, err := tx.visibleApplication(a, in.ApplicationID)
		if err != nil {
			return err
		}
		if party != partyFunder && party != partyOperator {
			return passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Seul le financeur de l'appel à projets établit ses conventions.")
		}
		if p.Status != passnum.ApplicationSelected {
			return applicationState(p, "conventionner")
		}
		var n int
		if err := tx.get(&n, `SELECT COUNT(*) FROM conventions WHERE application_id = ?`, p.ID); err != nil {
			return err
		}
		if n > 0 {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonApplicationState, "La candidature n°%d a déjà sa convention.", p.ID)
		}
		_, total := p.Totals(c.FunderID)
		id, err := tx.insert(`INSERT INTO conventions (call_id, application_id, title, territory, starts_on, ends_on, total_cents, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, p.ID, p.Title, strings.Join(p.Territory, " "), in.StartsOn, in.EndsOn, total, tx.nowText())
		if err != nil {
			return err
		}
		parties := map[int64]bool{}
		for _, l := range p.Lines {
			if err := tx.exec(`INSERT INTO convention_amounts (convention_id, funder_id, year, amount_cents) VALUES (?, ?, ?, ?)`,
				id, l.FunderID, l.Year, l.AmountCents); err != nil {
				return err
			}
			parties[l.FunderID] = true
		}
		for f := range parties {
			if err := tx.exec(`INSERT INTO convention_parties (convention_id, funder_id) VALUES (?, ?)`, id, f); err != nil {
				return err
			}
		}
		if err := tx.audit("convention.create", fmt.Sprintf("convention:%d", id), fmt.Sprintf("application:%d total=%d %s..%s",
			p.ID, total, in.StartsOn, in.EndsOn)); err != nil {
			return err
		}
		out, err = tx.convention(id)
		return err
	})
	return out, wrapf(err, "convention of application %d", in.ApplicationID)
}

// FindConvention reads a convention the actor may see.
func (s *Store) FindConvention(ctx context.Context, id int64) (*passnum.Convention, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActConventionRead); err != nil {
		return nil, err
	}
	var c *passnum.Convention
	err := s.read(ctx, func(tx *tx) error {
		var err error
		c, err = tx.visibleConvention(a, id)
		return err
	})
	return c, wrapf(err, "convention %d", id)
}

// ListConventions lists the conventions the actor may see. Conventions
// are few (one per selected collectivité): each is read and checked.
func (s *Store) ListConventions(ctx context.Context, f passnum.ConventionFilter) ([]*passnum.Convention, int, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActConventionRead); err != nil {
		return nil, 0, err
	}
	cond, args := "1 = 1", []any{}
	if f.CallID != 0 {
		cond, args = "call_id = ?", []any{f.CallID}
	}
	offset, limit := page(f.Offset, f.Limit)
	var out []*passnum.Convention
	var total int
	err := s.read(ctx, func(tx *tx) error {
		all, err := loadAll(tx, tx.convention, `SELECT id FROM conventions WHERE `+cond+` ORDER BY id`, args...)
		if err != nil {
			return err
		}
		var seen []*passnum.Convention
		for _, c := range all {
			ok, err := tx.canSeeConvention(a, c)
			if err != nil {
				return err
			}
			if ok {
				seen = append(seen, c)
			}
		}
		total = len(seen)
		seen = seen[min(offset, len(seen)):]
		out = seen[:min(limit, len(seen))]
		return nil
	})
	return out, total, wrapf(err, "conventions")
}

// SignConvention records the day a party signed.
func (s *Store) SignConvention(ctx context.Context, id int64, sig passnum.Signature) (*passnum.Convention, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCallManage); err != nil {
		return nil, err
	}
	day, err := time.Parse(passnum.DateLayout, sig.SignedOn)
	if err != nil {
		return nil, passnum.Invalid("signed_on", "Date de signature invalide : %q (AAAA-MM-JJ).", sig.SignedOn)
	}
	var out *passnum.Convention
	err = s.write(ctx, "sign convention", func(tx *tx) error {
		c, _, err := tx.managedConvention(a, id)
		if err != nil {
			return err
		}
		if sig.SignedOn > passnum.Today(tx.now) {
			return passnum.Invalid("signed_on", "La date de signature (%s) est dans le futur.", passnum.FrenchDate(day.Format(passnum.DateLayout)))
		}
		found := false
		for _, p := range c.Parties {
			if p.FunderID == sig.FunderID {
				found = true
				if p.SignedOn != "" {
					return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonApplicationState, "%s a déjà signé la convention, le %s.", p.FunderName, passnum.FrenchDate(p.SignedOn))
				}
			}
		}
		if !found {
			return passnum.Invalid("funder_id", "L'organisation n°%d n'est pas partie à la convention.", sig.FunderID)
		}
		if err := tx.exec(`UPDATE convention_parties SET signed_on = ? WHERE convention_id = ? AND funder_id = ?`, sig.SignedOn, id, sig.FunderID); err != nil {
			return err
		}
		if err := tx.audit("convention.sign", fmt.Sprintf("convention:%d", id), fmt.Sprintf("funder:%d signed_on=%s", sig.FunderID, sig.SignedOn)); err != nil {
			return err
		}
		out, err = tx.convention(id)
		return err
	})
	return out, wrapf(err, "signature of convention %d", id)
}

// CreateProgrammeFromConvention creates the programme a signed convention
// finances, its funders' shares taken from the convention's amounts.
func (s *Store) CreateProgrammeFromConvention(ctx context.Context, id int64, in passnum.ConventionProgramme) (*passnum.Programme, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActProgrammeCreate); err != nil {
		return nil, err
	}
	var p *passnum.Programme
	err := s.write(ctx, "programme from convention", func(tx *tx) error {
		c, err := tx.visibleConvention(a, id)
		if err != nil {
			return err
		}
		if !c.Signed {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonApplicationState, "La convention n°%d n'est pas encore signée par toutes ses parties : le programme vient après.", id)
		}
		pc := in.ProgrammeCreate(c)
		if err := pc.Validate(); err != nil {
			return err
		}
		if p, err = tx.createProgramme(pc); err != nil {
			return err
		}
		if err := tx.exec(`INSERT INTO convention_programmes (convention_id, programme_id) VALUES (?, ?)`, id, p.ID); err != nil {
			return err
		}
		return tx.audit("convention.programme", fmt.Sprintf("convention:%d", id), fmt.Sprintf("programme:%d budget=%d", p.ID, p.BudgetCents))
	})
	return p, wrapf(err, "programme of convention %d", id)
}
