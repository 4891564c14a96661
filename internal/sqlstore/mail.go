package sqlstore

import (
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
	if m.UserID != 0 && !passnum.MailKindOf(m.Kind).Required {
		var off int
		if err := t.get(&off, `SELECT COUNT(*) FROM mail_opt_outs WHERE user_id = ? AND kind = ?`, m.UserID, m.Kind); err != nil {
			return err
		}
		if off > 0 {
			return nil
		}
	}
	_, err := t.insert(`INSERT INTO outbox (recipient, subject, body, kind, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		m.To, m.Subject, m.Body, m.Kind, nullID(m.UserID), t.nowText())
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
