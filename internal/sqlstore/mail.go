package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/passnum/passnum"
)

// mail is a message to queue: to one address, of one kind, for an
// account when UserID is not 0 (an applicant's address before it has one,
// an address already in use, is for nobody's account).
type mail struct {
	Kind    passnum.MailKind
	UserID  int64
	To      string
	Subject string
	Body    string // plain French text; links on lines of their own
}

// queueMail puts m in the outbox in the transaction that decided to send
// it, so that a message leaves if and only if what it tells happened. A
// kind that the account turned off is not queued; required kinds always
// are.
func (t *tx) queueMail(m mail) error {
	// What goes into the headers is checked here, so that a message that
	// could not be sent (a malformed address, an injected header) never
	// enters the queue: the transaction that wanted it fails instead.
	if err := passnum.CheckMail(m.To, m.Subject); err != nil {
		return fmt.Errorf("message %s: %w", m.Kind, err)
	}
	if err := passnum.CheckText("corps", m.Body); err != nil {
		return fmt.Errorf("message %s: %w", m.Kind, err)
	}
	if m.UserID != 0 && !passnum.MailKindOf(m.Kind).Required {
		var off int
		if err := t.get(&off, `SELECT COUNT(*) FROM mail_opt_outs WHERE user_id = ? AND kind = ?`, m.UserID, m.Kind); err != nil {
			return err
		}
		if off > 0 {
			return nil
		}
	}
	_, err := t.insert(`INSERT INTO outbox (recipient, subject, body, kind, user_id, created_at, state, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		m.To, m.Subject, m.Body, m.Kind, nullID(m.UserID), t.nowText(), passnum.MailPending, t.nowText())
	return err
}

// recipient is an account a message goes to.
type recipient struct {
	UserID int64
	Email  string
}

// queueMailTo queues one message of kind for each of the accounts.
func (t *tx) queueMailTo(accounts []recipient, kind passnum.MailKind, subject, body string) error {
	for _, a := range accounts {
		if err := t.queueMail(mail{Kind: kind, UserID: a.UserID, To: a.Email, Subject: subject, Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// admins returns the administrators of the organisations that query
// (with args) selects as org ids, each once.
func (t *tx) adminsOf(orgQuery string, args ...any) ([]recipient, error) {
	return selectAll(t, func(sc scanner) (recipient, error) {
		var r recipient
		return r, sc.Scan(&r.UserID, &r.Email)
	}, `SELECT DISTINCT u.id, u.email FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE m.role = 'admin' AND m.org_id IN (`+orgQuery+`) ORDER BY u.email`, args...)
}

// The queue (passnum.MailQueue): senders claim due messages in a short
// transaction, send them outside it, and record the outcome. The claim is
// an UPDATE guarded by the state and the claim's expiry, in a
// serializable transaction that the store retries on conflict: two
// senders that pick the same message cannot both claim it, and a sender
// that stopped mid-way loses its messages when its claim expires.

// dueMail is the condition of a message a sender may claim at ?, ?.
const dueMail = `((state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND claimed_until < ?))`

// maxAnswer bounds the answer of a server kept with a message.
const maxAnswer = 500

// ClaimMail claims the due messages, oldest due first.
func (s *Store) ClaimMail(ctx context.Context, claimer string, limit int, lease time.Duration) ([]*passnum.OutgoingMail, error) {
	if claimer == "" || limit <= 0 || lease <= 0 {
		return nil, fmt.Errorf("claim mail: claimer %q, limit %d, lease %s", claimer, limit, lease)
	}
	// Senders poll: the empty queue, the common case, costs a read, not
	// a write transaction (on SQLite, a turn of the one writer).
	var due []int64
	err := s.read(ctx, func(tx *tx) (err error) {
		now := tx.nowText()
		due, err = selectAll(tx, scanInt64, `SELECT id FROM outbox WHERE `+dueMail+` LIMIT 1`, now, now)
		return err
	})
	if err != nil || len(due) == 0 {
		return nil, err
	}
	var out []*passnum.OutgoingMail
	err = s.write(ctx, "claim mail", func(tx *tx) error {
		out = out[:0]
		now := tx.nowText()
		ids, err := selectAll(tx, scanInt64, `SELECT id FROM outbox WHERE `+dueMail+` ORDER BY next_attempt_at, id LIMIT ?`, now, now, limit)
		if err != nil {
			return err
		}
		until := passnum.FormatTime(tx.now.Add(lease))
		for _, id := range ids {
			m := &passnum.OutgoingMail{ID: id}
			var userID sql.NullInt64
			var created, due string
			if err := tx.row(`SELECT kind, user_id, recipient, subject, body, created_at, next_attempt_at, attempts FROM outbox WHERE id = ?`, id).
				Scan(&m.Kind, &userID, &m.To, &m.Subject, &m.Body, &created, &due, &m.Attempts); err != nil {
				return fmt.Errorf("outbox %d: %w", id, err)
			}
			in := instants{table: "outbox", id: id}
			m.CreatedAt, m.DueAt, m.UserID, m.Attempts = in.at("created_at", created), in.at("next_attempt_at", due), userID.Int64, m.Attempts+1
			if in.err != nil {
				return in.err
			}
			// A kind the account can turn off carries a one-click link;
			// each attempt has its own secret, of which only the hash
			// is kept.
			var hash any
			if m.UserID != 0 && !passnum.MailKindOf(m.Kind).Required {
				if m.UnsubscribeToken, err = randomSecret(); err != nil {
					return err
				}
				hash = hashToken(m.UnsubscribeToken)
			}
			n, err := tx.execN(`UPDATE outbox SET state = 'sending', claimed_by = ?, claimed_until = ?, attempts = attempts + 1, unsubscribe_hash = ?
				WHERE id = ? AND `+dueMail, claimer, until, hash, id, now, now)
			if err != nil {
				return fmt.Errorf("claim outbox %d: %w", id, err)
			}
			if n == 1 {
				out = append(out, m)
			}
		}
		return nil
	})
	return out, err
}

// RecordMailOutcome records what became of claimer's attempt at message
// id, if claimer still holds the claim.
func (s *Store) RecordMailOutcome(ctx context.Context, id int64, claimer string, o passnum.MailOutcome) error {
	answer := truncateAnswer(o.Answer)
	return s.write(ctx, "record mail outcome", func(tx *tx) error {
		var n int64
		var err error
		switch o.State {
		case passnum.MailSent:
			n, err = tx.execN(`UPDATE outbox SET state = 'sent', sent_at = ?, last_error = ?, claimed_by = '', claimed_until = NULL
				WHERE id = ? AND state = 'sending' AND claimed_by = ?`, tx.nowText(), answer, id, claimer)
		case passnum.MailPending:
			n, err = tx.execN(`UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?, claimed_by = '', claimed_until = NULL
				WHERE id = ? AND state = 'sending' AND claimed_by = ?`, passnum.FormatTime(o.RetryAt), answer, id, claimer)
		case passnum.MailFailed:
			n, err = tx.execN(`UPDATE outbox SET state = 'failed', last_error = ?, claimed_by = '', claimed_until = NULL
				WHERE id = ? AND state = 'sending' AND claimed_by = ?`, answer, id, claimer)
		default:
			return fmt.Errorf("outbox %d: no outcome %q", id, o.State)
		}
		if err != nil {
			return fmt.Errorf("outbox %d: %w", id, err)
		}
		if n == 0 {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ECONFLICT, "Le message n°%d n'est plus réservé par cet expéditeur : un autre l'a repris.", id)
		}
		return nil
	})
}

// truncateAnswer keeps the start of a server's answer, on one line.
func truncateAnswer(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " ")
	if len(s) <= maxAnswer {
		return s
	}
	cut := maxAnswer
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// RetryMail puts a failed message back in the queue, due at once, with
// its attempts counted again from zero.
func (s *Store) RetryMail(ctx context.Context, id int64) error {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActOutboxRetry); err != nil {
		return err
	}
	return s.write(ctx, "retry mail", func(tx *tx) error {
		var state passnum.MailState
		if err := tx.get(&state, `SELECT state FROM outbox WHERE id = ?`, id); errors.Is(err, sql.ErrNoRows) {
			return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Introuvable : message n°%d.", id)
		} else if err != nil {
			return err
		}
		if state != passnum.MailFailed {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonMailNotFailed,
				"Le message n°%d est %s : seul un message en échec peut être renvoyé.", id, state.Label())
		}
		if err := tx.exec(`UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND state = 'failed'`, tx.nowText(), id); err != nil {
			return err
		}
		return tx.audit("outbox.retry", fmt.Sprintf("outbox:%d", id), "")
	})
}

// unsubscribeOf reads what an unsubscribe token turns off.
func (t *tx) unsubscribeOf(token string) (userID int64, u *passnum.MailUnsubscribe, err error) {
	invalid := passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonUnsubscribeInvalid,
		"Ce lien de désabonnement est inconnu ou a expiré. Connectez-vous pour choisir les messages que vous recevez.")
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 100 {
		return 0, nil, invalid
	}
	u = &passnum.MailUnsubscribe{}
	err = t.row(`SELECT o.user_id, o.kind, u.email FROM outbox o JOIN users u ON u.id = o.user_id WHERE o.unsubscribe_hash = ?`, hashToken(token)).
		Scan(&userID, &u.Kind, &u.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, invalid
	} else if err != nil {
		return 0, nil, err
	}
	info := passnum.MailKindOf(u.Kind)
	if info.Required {
		return 0, nil, invalid
	}
	u.Label = info.Label
	var off int
	if err := t.get(&off, `SELECT COUNT(*) FROM mail_opt_outs WHERE user_id = ? AND kind = ?`, userID, u.Kind); err != nil {
		return 0, nil, err
	}
	u.Done = off > 0
	return userID, u, nil
}

// FindUnsubscribe tells what an unsubscribe token turns off.
func (s *Store) FindUnsubscribe(ctx context.Context, token string) (*passnum.MailUnsubscribe, error) {
	var u *passnum.MailUnsubscribe
	err := s.read(ctx, func(tx *tx) (err error) {
		_, u, err = tx.unsubscribeOf(token)
		return err
	})
	return u, err
}

// Unsubscribe turns off the token's kind of message for its account.
func (s *Store) Unsubscribe(ctx context.Context, token string) (*passnum.MailUnsubscribe, error) {
	var u *passnum.MailUnsubscribe
	err := s.write(ctx, "unsubscribe", func(tx *tx) error {
		userID, found, err := tx.unsubscribeOf(token)
		if err != nil {
			return err
		}
		u = found
		if u.Done {
			return nil
		}
		if err := tx.exec(`INSERT INTO mail_opt_outs (user_id, kind, created_at) VALUES (?, ?, ?)`, userID, u.Kind, tx.nowText()); err != nil {
			return err
		}
		tx.actor = &passnum.Actor{UserID: userID, Label: fmt.Sprintf("user:%d", userID)}
		u.Done = true
		return tx.audit("mail.unsubscribe", fmt.Sprintf("user:%d", userID), "kind "+string(u.Kind)+", one-click link")
	})
	return u, err
}
