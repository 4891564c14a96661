package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/passnum/passnum"
)

// The register of rights requests (passnum.RightsRequestService). The
// register holds no personal data beyond what the person gave to be
// found again (a reference or how they introduced themselves) and what
// they asked: it is the controller's proof that every request was
// answered in time.

const rightsRequestColumns = `id, ref, kind, channel, details, received_on, due_on, COALESCE(extension_reason, ''), extension_reason IS NOT NULL,
	COALESCE(answered_on, ''), answer, org_id, recorded_by, answered_by, created_at`

func scanRightsRequest(sc scanner) (*passnum.RightsRequest, error) {
	var r passnum.RightsRequest
	var created string
	if err := sc.Scan(&r.ID, &r.Ref, &r.Kind, &r.Channel, &r.Details, &r.ReceivedOn, &r.DueOn, &r.ExtensionReason, &r.Extended,
		&r.AnsweredOn, &r.Answer, &r.OrgID, &r.RecordedBy, &r.AnsweredBy, &created); err != nil {
		return nil, err
	}
	in := instants{table: "rights_requests", id: r.ID}
	r.CreatedAt = in.at("created_at", created)
	return &r, in.err
}

func (t *tx) rightsRequest(id int64) (*passnum.RightsRequest, error) {
	r, err := scanRightsRequest(t.row(`SELECT `+rightsRequestColumns+` FROM rights_requests WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Introuvable : demande n°%d.", id)
	}
	return r, wrapf(err, "rights request %d", id)
}

// RecordRightsRequest records a request received, due one month later. A
// prescriber records what a person asks in front of it: the channel is
// the prescriber, whatever the request says. The reference is recorded as
// given, known or not: the register keeps every request, and whether the
// reference exists is for the operator's staff to find out.
func (s *Store) RecordRightsRequest(ctx context.Context, c passnum.RightsRequestCreate) (*passnum.RightsRequest, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActRightsRequestRecord); err != nil {
		return nil, err
	}
	today := passnum.Today(s.now())
	if a.OrgKind == passnum.KindPrescriber {
		c.Channel = passnum.ChannelPrescriber
	}
	if c.ReceivedOn == "" {
		c.ReceivedOn = today
	}
	if err := c.Validate(today); err != nil {
		return nil, err
	}
	due, err := passnum.RightsDueDate(c.ReceivedOn, false)
	if err != nil {
		return nil, err
	}
	var out *passnum.RightsRequest
	err = s.write(ctx, "record rights request", func(tx *tx) error {
		id, err := tx.insert(`INSERT INTO rights_requests (ref, kind, channel, details, received_on, due_on, answer, org_id, recorded_by, answered_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, '', ?)`, c.Ref, string(c.Kind), string(c.Channel), c.Details, c.ReceivedOn, due, a.OrgID, tx.actorLabel(), tx.nowText())
		if err != nil {
			return err
		}
		if err := tx.audit("rights-requests.record", fmt.Sprintf("rights-request:%d", id), fmt.Sprintf("%s, %s, received %s, due %s", c.Kind, c.Channel, c.ReceivedOn, due)); err != nil {
			return err
		}
		if out, err = tx.rightsRequest(id); err != nil {
			return err
		}
		return tx.tellRightsRequest(out, a.UserID)
	})
	return out, wrapf(err, "record rights request")
}

// openRightsRequest reads a request to change it: it must still be open.
func (t *tx) openRightsRequest(id int64) (*passnum.RightsRequest, error) {
	r, err := t.rightsRequest(id)
	if err != nil {
		return nil, err
	}
	if !r.Open() {
		return nil, passnum.Errorf(passnum.ECONFLICT, passnum.ReasonRightsRequestAnswered,
			"La demande n°%d a déjà reçu sa réponse le %s.", id, passnum.FrenchDate(r.AnsweredOn))
	}
	return r, nil
}

// ExtendRightsRequest extends the time limit of an open request by two
// months. Article 12.3 allows it once, and only if the person is told
// within the first month: an overdue request can no longer be extended.
func (s *Store) ExtendRightsRequest(ctx context.Context, e passnum.RightsRequestExtension) (*passnum.RightsRequest, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActRightsRequestManage); err != nil {
		return nil, err
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	var out *passnum.RightsRequest
	err := s.write(ctx, "extend rights request", func(tx *tx) error {
		r, err := tx.openRightsRequest(e.ID)
		if err != nil {
			return err
		}
		if r.Extended {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonRightsRequestExtension,
				"Le délai de la demande n°%d a déjà été prolongé : il ne peut l'être qu'une fois.", r.ID)
		}
		if r.DueOn < passnum.Today(tx.now) {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonRightsRequestExtension,
				"Le délai d'un mois de la demande n°%d est passé depuis le %s : il ne peut plus être prolongé, répondez sans attendre.", r.ID, passnum.FrenchDate(r.DueOn))
		}
		due, err := passnum.RightsDueDate(r.ReceivedOn, true)
		if err != nil {
			return err
		}
		if err := tx.exec(`UPDATE rights_requests SET due_on = ?, extension_reason = ? WHERE id = ?`, due, e.Reason, r.ID); err != nil {
			return err
		}
		if err := tx.audit("rights-requests.extend", fmt.Sprintf("rights-request:%d", r.ID), fmt.Sprintf("due %s", due)); err != nil {
			return err
		}
		out, err = tx.rightsRequest(r.ID)
		return err
	})
	return out, wrapf(err, "extend rights request %d", e.ID)
}

// AnswerRightsRequest records the answer given to an open request, on
// the day it was given, which cannot precede the request.
func (s *Store) AnswerRightsRequest(ctx context.Context, ans passnum.RightsRequestAnswer) (*passnum.RightsRequest, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActRightsRequestManage); err != nil {
		return nil, err
	}
	if ans.AnsweredOn == "" {
		ans.AnsweredOn = passnum.Today(s.now())
	}
	if err := ans.Validate(passnum.Today(s.now())); err != nil {
		return nil, err
	}
	var out *passnum.RightsRequest
	err := s.write(ctx, "answer rights request", func(tx *tx) error {
		r, err := tx.openRightsRequest(ans.ID)
		if err != nil {
			return err
		}
		if ans.AnsweredOn < r.ReceivedOn {
			return passnum.Invalid("answered_on", "La réponse ne peut précéder la demande, reçue le %s.", passnum.FrenchDate(r.ReceivedOn))
		}
		if err := tx.exec(`UPDATE rights_requests SET answered_on = ?, answer = ?, answered_by = ? WHERE id = ?`,
			ans.AnsweredOn, ans.Answer, tx.actorLabel(), r.ID); err != nil {
			return err
		}
		late := ""
		if ans.AnsweredOn > r.DueOn {
			late = ", late"
		}
		if err := tx.audit("rights-requests.answer", fmt.Sprintf("rights-request:%d", r.ID), fmt.Sprintf("answered %s, due %s%s", ans.AnsweredOn, r.DueOn, late)); err != nil {
			return err
		}
		out, err = tx.rightsRequest(r.ID)
		return err
	})
	return out, wrapf(err, "answer rights request %d", ans.ID)
}

// FindRightsRequest reads one request of the register.
func (s *Store) FindRightsRequest(ctx context.Context, id int64) (*passnum.RightsRequest, error) {
	return readOne(ctx, s, passnum.ActRightsRequestManage, func(tx *tx, _ *passnum.Actor) (*passnum.RightsRequest, error) {
		return tx.rightsRequest(id)
	})
}

// ListRightsRequests lists the register: open requests first, soonest
// due first, then answered ones, latest answer first.
func (s *Store) ListRightsRequests(ctx context.Context, f passnum.RightsRequestFilter) ([]*passnum.RightsRequest, int, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActRightsRequestManage); err != nil {
		return nil, 0, err
	}
	where, args := "1 = 1", []any{}
	if f.Open {
		where += " AND answered_on IS NULL"
	}
	if f.DueBy != "" {
		if d, err := time.Parse(passnum.DateLayout, f.DueBy); err != nil || d.Format(passnum.DateLayout) != f.DueBy {
			return nil, 0, passnum.Invalid("due_by", "Date invalide : %q (AAAA-MM-JJ).", f.DueBy)
		}
		where, args = where+" AND due_on <= ?", append(args, f.DueBy)
	}
	if ref := passnum.RightsRef(f.Ref); ref != "" {
		where, args = where+" AND ref = ?", append(args, ref)
	}
	offset, limit := page(f.Offset, f.Limit)
	var out []*passnum.RightsRequest
	var total int
	err := s.read(ctx, func(tx *tx) error {
		if err := tx.get(&total, `SELECT COUNT(*) FROM rights_requests WHERE `+where, args...); err != nil {
			return err
		}
		var err error
		out, err = selectAll(tx, scanRightsRequest, `SELECT `+rightsRequestColumns+` FROM rights_requests WHERE `+where+`
			ORDER BY CASE WHEN answered_on IS NULL THEN 0 ELSE 1 END, CASE WHEN answered_on IS NULL THEN due_on ELSE '' END,
				answered_on DESC, id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		return err
	})
	return out, total, wrapf(err, "list rights requests")
}
