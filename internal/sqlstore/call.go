package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/passnum/passnum"
)

// Calls for projects and their applications (passnum.CallService).

const callColumns = `c.id, c.funder_id, o.name, c.title, c.description, c.envelope_cents, c.max_share_bp, c.applicant_kinds,
	c.territory, c.opens_on, c.closes_on, c.questions, c.criteria, c.created_at,
	(SELECT COALESCE(SUM(granted_cents), 0) FROM applications WHERE call_id = c.id AND status = 'selected'),
	(SELECT COUNT(*) FROM applications WHERE call_id = c.id AND status <> 'draft')`

func scanCall(sc scanner) (*passnum.Call, error) {
	var c passnum.Call
	var kinds, territory, questions, criteria, created string
	if err := sc.Scan(&c.ID, &c.FunderID, &c.FunderName, &c.Title, &c.Description, &c.EnvelopeCents, &c.MaxShareBP, &kinds,
		&territory, &c.OpensOn, &c.ClosesOn, &questions, &criteria, &created, &c.CommittedCents, &c.Applications); err != nil {
		return nil, err
	}
	for _, k := range strings.Fields(kinds) {
		c.ApplicantKinds = append(c.ApplicantKinds, passnum.ApplicantKind(k))
	}
	c.Territory = strings.Fields(territory)
	if c.Territory == nil {
		c.Territory = []string{}
	}
	if err := json.Unmarshal([]byte(questions), &c.Questions); err != nil {
		return nil, fmt.Errorf("call %d: questions: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(criteria), &c.Criteria); err != nil {
		return nil, fmt.Errorf("call %d: criteria: %w", c.ID, err)
	}
	c.LeftCents = c.EnvelopeCents - c.CommittedCents
	in := instants{table: "calls", id: c.ID}
	c.CreatedAt = in.at("created_at", created)
	return &c, in.err
}

func (t *tx) call(id int64) (*passnum.Call, error) {
	c, err := scanCall(t.row(`SELECT `+callColumns+` FROM calls c JOIN organisations o ON o.id = c.funder_id WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("call", id)
	}
	return c, err
}

// jsonText encodes a list for a TEXT column, never "null".
func jsonText[T any](v []T) string {
	if v == nil {
		v = []T{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// CreateCall opens a call for projects: a funder's admins open their own,
// the operator's admins one for any funder.
func (s *Store) CreateCall(ctx context.Context, c passnum.CallCreate) (*passnum.Call, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCallManage); err != nil {
		return nil, err
	}
	if a.OrgKind == passnum.KindFunder {
		if c.FunderID != 0 && c.FunderID != a.OrgID {
			return nil, passnum.Invalid("funder_id", "Un financeur ouvre ses propres appels à projets.")
		}
		c.FunderID = a.OrgID
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *passnum.Call
	err := s.write(ctx, "create call", func(tx *tx) error {
		o, err := tx.findOrg(c.FunderID)
		if err != nil || o.Kind != passnum.KindFunder {
			return passnum.Invalid("funder_id", "Le financeur n°%d est introuvable.", c.FunderID)
		}
		kinds := make([]string, len(c.ApplicantKinds))
		for i, k := range c.ApplicantKinds {
			kinds[i] = string(k)
		}
		id, err := tx.insert(`INSERT INTO calls (funder_id, title, description, envelope_cents, max_share_bp, applicant_kinds, territory,
			opens_on, closes_on, questions, criteria, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.FunderID, c.Title, c.Description, c.EnvelopeCents, c.MaxShareBP, strings.Join(kinds, " "), strings.Join(c.Territory, " "),
			c.OpensOn, c.ClosesOn, jsonText(c.Questions), jsonText(c.Criteria), tx.nowText())
		if err != nil {
			return err
		}
		if err := tx.audit("call.create", fmt.Sprintf("call:%d", id), fmt.Sprintf("funder:%d %q envelope=%d max_share_bp=%d %s..%s",
			c.FunderID, c.Title, c.EnvelopeCents, c.MaxShareBP, c.OpensOn, c.ClosesOn)); err != nil {
			return err
		}
		out, err = tx.call(id)
		return err
	})
	return out, wrapf(err, "call %q", c.Title)
}

// FindCall reads a call: calls are public once opened, so every actor
// allowed to read calls reads any.
func (s *Store) FindCall(ctx context.Context, id int64) (*passnum.Call, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActCallRead); err != nil {
		return nil, err
	}
	var c *passnum.Call
	err := s.read(ctx, func(tx *tx) error {
		var err error
		c, err = tx.call(id)
		return err
	})
	return c, wrapf(err, "call %d", id)
}

// ListCalls lists calls, newest first.
func (s *Store) ListCalls(ctx context.Context, f passnum.CallFilter) ([]*passnum.Call, int, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActCallRead); err != nil {
		return nil, 0, err
	}
	cond, args := "1 = 1", []any{}
	if f.FunderID != 0 {
		cond, args = "c.funder_id = ?", []any{f.FunderID}
	}
	offset, limit := page(f.Offset, f.Limit)
	var out []*passnum.Call
	var total int
	err := s.read(ctx, func(tx *tx) error {
		if err := tx.get(&total, `SELECT COUNT(*) FROM calls c WHERE `+cond, args...); err != nil {
			return err
		}
		var err error
		out, err = selectAll(tx, scanCall, `SELECT `+callColumns+` FROM calls c JOIN organisations o ON o.id = c.funder_id
			WHERE `+cond+` ORDER BY c.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		return err
	})
	return out, total, wrapf(err, "calls")
}

// OpenCalls lists the calls open today, for everyone: a call is public.
func (s *Store) OpenCalls(ctx context.Context) ([]*passnum.Call, error) {
	day := passnum.Today(s.now())
	var out []*passnum.Call
	err := s.read(ctx, func(tx *tx) error {
		var err error
		out, err = selectAll(tx, scanCall, `SELECT `+callColumns+` FROM calls c JOIN organisations o ON o.id = c.funder_id
			WHERE c.opens_on <= ? AND c.closes_on >= ? ORDER BY c.closes_on, c.id`, day, day)
		return err
	})
	return out, wrapf(err, "open calls on %s", day)
}

const applicationColumns = `a.id, a.call_id, a.applicant_id, o.name, a.applicant_kind, a.title, a.territory, a.target_people, a.target_passes,
	a.target_venues, a.target_hubs, a.answers, a.status, a.reason, a.scores, a.comment, a.created_at, a.updated_at, a.submitted_at, a.decided_at`

func scanApplication(sc scanner) (*passnum.Application, error) {
	var p passnum.Application
	var territory, answers, scores, created, updated string
	var submitted, decided sql.NullString
	if err := sc.Scan(&p.ID, &p.CallID, &p.ApplicantID, &p.ApplicantName, &p.ApplicantKind, &p.Title, &territory,
		&p.Targets.People, &p.Targets.Passes, &p.Targets.Venues, &p.Targets.Hubs, &answers, &p.Status, &p.Reason, &scores,
		&p.Comment, &created, &updated, &submitted, &decided); err != nil {
		return nil, err
	}
	p.Territory = strings.Fields(territory)
	if p.Territory == nil {
		p.Territory = []string{}
	}
	if err := json.Unmarshal([]byte(answers), &p.Answers); err != nil {
		return nil, fmt.Errorf("application %d: answers: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(scores), &p.Scores); err != nil {
		return nil, fmt.Errorf("application %d: scores: %w", p.ID, err)
	}
	in := instants{table: "applications", id: p.ID}
	p.CreatedAt = in.at("created_at", created)
	p.UpdatedAt = in.at("updated_at", updated)
	p.SubmittedAt = in.optional("submitted_at", submitted)
	p.DecidedAt = in.optional("decided_at", decided)
	return &p, in.err
}

// application loads an application with its group and its budget.
func (t *tx) application(id int64) (*passnum.Application, error) {
	p, err := scanApplication(t.row(`SELECT `+applicationColumns+` FROM applications a JOIN organisations o ON o.id = a.applicant_id
		WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("application", id)
	} else if err != nil {
		return nil, err
	}
	if p.Members, err = selectAll(t, scanInt64, `SELECT org_id FROM application_members WHERE application_id = ? ORDER BY org_id`, id); err != nil {
		return nil, fmt.Errorf("members of application %d: %w", id, err)
	}
	if p.Members == nil {
		p.Members = []int64{}
	}
	p.Lines, err = selectAll(t, func(sc scanner) (passnum.FundingLine, error) {
		var l passnum.FundingLine
		return l, sc.Scan(&l.FunderID, &l.FunderName, &l.Year, &l.AmountCents)
	}, `SELECT l.funder_id, o.name, l.year, l.amount_cents FROM application_lines l JOIN organisations o ON o.id = l.funder_id
		WHERE l.application_id = ? ORDER BY l.year, l.funder_id`, id)
	if err != nil {
		return nil, fmt.Errorf("budget of application %d: %w", id, err)
	}
	if p.Lines == nil {
		p.Lines = []passnum.FundingLine{}
	}
	return p, nil
}

// applicationParty tells how the actor stands to an application: the
// applicant (its lead or a member of its group), the call's funder, the
// operator, or none.
type applicationParty int

const (
	partyNone applicationParty = iota
	partyApplicant
	partyFunder
	partyOperator
)

func partyOf(a *passnum.Actor, p *passnum.Application, c *passnum.Call) applicationParty {
	switch {
	case a.IsOperator():
		return partyOperator
	case a.OrgKind != passnum.KindFunder:
		return partyNone
	case a.OrgID == p.ApplicantID:
		return partyApplicant
	case a.OrgID == c.FunderID:
		return partyFunder
	}
	for _, m := range p.Members {
		if m == a.OrgID {
			return partyApplicant
		}
	}
	return partyNone
}

// visibleApplication returns an application the actor may read, with its
// call, or "not found": a draft is its applicant's alone (and the
// operator's); the call's funder sees it once submitted.
func (t *tx) visibleApplication(a *passnum.Actor, id int64) (*passnum.Application, *passnum.Call, applicationParty, error) {
	p, err := t.application(id)
	if err != nil {
		return nil, nil, partyNone, err
	}
	c, err := t.call(p.CallID)
	if err != nil {
		return nil, nil, partyNone, err
	}
	party := partyOf(a, p, c)
	if party == partyNone || party == partyFunder && p.Status == passnum.ApplicationDraft {
		return nil, nil, partyNone, notFound("application", id)
	}
	return p, c, party, nil
}

// SaveApplication creates or rewrites a draft of the actor's collectivité.
func (s *Store) SaveApplication(ctx context.Context, in passnum.ApplicationInput) (*passnum.Application, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActApplicationWrite); err != nil {
		return nil, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *passnum.Application
	err := s.write(ctx, "save application", func(tx *tx) error {
		c, err := tx.call(in.CallID)
		if err != nil {
			return passnum.Invalid("call_id", "L'appel à projets n°%d est introuvable.", in.CallID)
		}
		if c.FunderID == a.OrgID {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonApplicantIneligible, "Le financeur d'un appel à projets n'y candidate pas.")
		}
		if today := passnum.Today(tx.now); today > c.ClosesOn {
			return callClosed(c)
		}
		for _, m := range in.Members {
			o, err := tx.findOrg(m)
			if err != nil || o.Kind != passnum.KindFunder || m == a.OrgID {
				return passnum.Invalid("members", "La collectivité n°%d ne peut pas être membre du groupement.", m)
			}
		}
		for _, l := range in.Lines {
			if o, err := tx.findOrg(l.FunderID); err != nil || o.Kind != passnum.KindFunder {
				return passnum.Invalid("lines", "Le financeur n°%d du budget est introuvable.", l.FunderID)
			}
		}
		now := tx.nowText()
		id := in.ID
		if id == 0 {
			id, err = tx.insert(`INSERT INTO applications (call_id, applicant_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				c.ID, a.OrgID, passnum.ApplicationDraft, now, now)
			if err != nil {
				return err
			}
		} else {
			p, _, party, err := tx.visibleApplication(a, id)
			if err != nil {
				return err
			}
			if party != partyApplicant || p.ApplicantID != a.OrgID {
				return notFound("application", id)
			}
			if p.Status != passnum.ApplicationDraft {
				return applicationState(p, "modifier")
			}
			if p.CallID != in.CallID {
				return passnum.Invalid("call_id", "Une candidature reste attachée à son appel à projets.")
			}
			for _, q := range []string{`DELETE FROM application_members WHERE application_id = ?`, `DELETE FROM application_lines WHERE application_id = ?`} {
				if err := tx.exec(q, id); err != nil {
					return err
				}
			}
		}
		if err := tx.exec(`UPDATE applications SET applicant_kind = ?, title = ?, territory = ?, target_people = ?, target_passes = ?,
			target_venues = ?, target_hubs = ?, answers = ?, updated_at = ? WHERE id = ?`,
			string(in.ApplicantKind), in.Title, strings.Join(in.Territory, " "), in.Targets.People, in.Targets.Passes,
			in.Targets.Venues, in.Targets.Hubs, jsonText(in.Answers), now, id); err != nil {
			return err
		}
		for _, m := range in.Members {
			if err := tx.exec(`INSERT INTO application_members (application_id, org_id) VALUES (?, ?)`, id, m); err != nil {
				return fmt.Errorf("member %d: %w", m, err)
			}
		}
		for _, l := range in.Lines {
			if err := tx.exec(`INSERT INTO application_lines (application_id, funder_id, year, amount_cents) VALUES (?, ?, ?, ?)`,
				id, l.FunderID, l.Year, l.AmountCents); err != nil {
				return fmt.Errorf("budget line %d/%d: %w", l.FunderID, l.Year, err)
			}
		}
		if out, err = tx.application(id); err != nil {
			return err
		}
		asked, total := out.Totals(c.FunderID)
		return tx.audit("application.save", fmt.Sprintf("application:%d", id), fmt.Sprintf("call:%d applicant:%d asked=%d total=%d",
			c.ID, a.OrgID, asked, total))
	})
	return out, wrapf(err, "application to call %d", in.CallID)
}

func callClosed(c *passnum.Call) error {
	return passnum.Errorf(passnum.EREFUSED, passnum.ReasonCallClosed, "L'appel à projets « %s » reçoit les candidatures du %s au %s.",
		c.Title, passnum.FrenchDate(c.OpensOn), passnum.FrenchDate(c.ClosesOn))
}

func applicationState(p *passnum.Application, verb string) error {
	return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonApplicationState, "La candidature n°%d est %s : on ne peut plus la %s.",
		p.ID, p.Status.Label(), verb)
}

// FindApplication reads an application the actor may see.
func (s *Store) FindApplication(ctx context.Context, id int64) (*passnum.Application, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActApplicationRead); err != nil {
		return nil, err
	}
	var p *passnum.Application
	err := s.read(ctx, func(tx *tx) error {
		var err error
		p, _, _, err = tx.visibleApplication(a, id)
		return err
	})
	return p, wrapf(err, "application %d", id)
}

// ListApplications lists the applications the actor may see: the
// operator all, a funder those to its calls (submitted) and its own.
func (s *Store) ListApplications(ctx context.Context, f passnum.ApplicationFilter) ([]*passnum.Application, int, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActApplicationRead); err != nil {
		return nil, 0, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if !a.IsOperator() {
		where = append(where, `(a.applicant_id = ? OR a.id IN (SELECT application_id FROM application_members WHERE org_id = ?)
			OR (a.status <> 'draft' AND a.call_id IN (SELECT id FROM calls WHERE funder_id = ?)))`)
		args = append(args, a.OrgID, a.OrgID, a.OrgID)
	}
	if f.CallID != 0 {
		where, args = append(where, "a.call_id = ?"), append(args, f.CallID)
	}
	cond := strings.Join(where, " AND ")
	offset, limit := page(f.Offset, f.Limit)
	var out []*passnum.Application
	var total int
	err := s.read(ctx, func(tx *tx) error {
		if err := tx.get(&total, `SELECT COUNT(*) FROM applications a WHERE `+cond, args...); err != nil {
			return err
		}
		var err error
		out, err = loadAll(tx, tx.application, `SELECT a.id FROM applications a WHERE `+cond+` ORDER BY a.id LIMIT ? OFFSET ?`,
			append(args, limit, offset)...)
		return err
	})
	return out, total, wrapf(err, "applications")
}

// SubmitApplication submits a complete draft while its call is open.
func (s *Store) SubmitApplication(ctx context.Context, id int64) (*passnum.Application, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActApplicationWrite); err != nil {
		return nil, err
	}
	var out *passnum.Application
	err := s.write(ctx, "submit application", func(tx *tx) error {
		p, c, _, err := tx.visibleApplication(a, id)
		if err != nil {
			return err
		}
		if p.ApplicantID != a.OrgID {
			return passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Seul le chef de file dépose la candidature du groupement.")
		}
		if p.Status != passnum.ApplicationDraft {
			return applicationState(p, "déposer")
		}
		if !c.OpenOn(passnum.Today(tx.now)) {
			return callClosed(c)
		}
		if err := p.Complete(c); err != nil {
			return err
		}
		if err := tx.exec(`UPDATE applications SET status = ?, submitted_at = ?, updated_at = ? WHERE id = ?`,
			passnum.ApplicationSubmitted, tx.nowText(), tx.nowText(), id); err != nil {
			return err
		}
		if err := tx.audit("application.submit", fmt.Sprintf("application:%d", id), fmt.Sprintf("call:%d", c.ID)); err != nil {
			return err
		}
		out, err = tx.application(id)
		return err
	})
	return out, wrapf(err, "application %d", id)
}

// PostMessage adds a question or an answer to an application's thread:
// its applicant, the call's funder once it is submitted, or the operator.
func (s *Store) PostMessage(ctx context.Context, applicationID int64, body string) (*passnum.ApplicationMessage, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActApplicationRead); err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	if err := passnum.CheckText("body", body); err != nil {
		return nil, err
	}
	if body == "" || len(body) > 5000 {
		return nil, passnum.Invalid("body", "Le message est vide ou dépasse 5 000 caractères.")
	}
	var out *passnum.ApplicationMessage
	err := s.write(ctx, "post message", func(tx *tx) error {
		if _, _, _, err := tx.visibleApplication(a, applicationID); err != nil {
			return err
		}
		id, err := tx.insert(`INSERT INTO application_messages (application_id, author_org_id, body, created_at) VALUES (?, ?, ?, ?)`,
			applicationID, a.OrgID, body, tx.nowText())
		if err != nil {
			return err
		}
		if err := tx.audit("application.message", fmt.Sprintf("application:%d", applicationID), fmt.Sprintf("message:%d", id)); err != nil {
			return err
		}
		msgs, err := tx.messages(applicationID)
		if err != nil {
			return err
		}
		out = msgs[len(msgs)-1]
		return nil
	})
	return out, wrapf(err, "message on application %d", applicationID)
}

func (t *tx) messages(applicationID int64) ([]*passnum.ApplicationMessage, error) {
	return selectAll(t, func(sc scanner) (*passnum.ApplicationMessage, error) {
		var m passnum.ApplicationMessage
		var created string
		if err := sc.Scan(&m.ID, &m.ApplicationID, &m.AuthorOrgID, &m.AuthorOrgName, &m.Body, &created); err != nil {
			return nil, err
		}
		in := instants{table: "application_messages", id: m.ID}
		m.CreatedAt = in.at("created_at", created)
		return &m, in.err
	}, `SELECT m.id, m.application_id, m.author_org_id, o.name, m.body, m.created_at FROM application_messages m
		JOIN organisations o ON o.id = m.author_org_id WHERE m.application_id = ? ORDER BY m.id`, applicationID)
}

// ListMessages lists an application's questions and answers.
func (s *Store) ListMessages(ctx context.Context, applicationID int64) ([]*passnum.ApplicationMessage, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActApplicationRead); err != nil {
		return nil, err
	}
	var out []*passnum.ApplicationMessage
	err := s.read(ctx, func(tx *tx) error {
		if _, _, _, err := tx.visibleApplication(a, applicationID); err != nil {
			return err
		}
		var err error
		out, err = tx.messages(applicationID)
		return err
	})
	return out, wrapf(err, "messages of application %d", applicationID)
}
