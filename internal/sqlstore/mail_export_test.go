package sqlstore

import (
	"context"

	"github.com/passnum/passnum"
)

// QueueMail queues a message as the store's code does (tx.queueMail), in
// a transaction of its own: tests of the queue use it for the kinds whose
// messages no store method queues yet.
func QueueMail(s *Store, kind passnum.MailKind, userID int64, to, subject, body string) error {
	return s.write(context.Background(), "test queue mail", func(tx *tx) error {
		return tx.queueMail(mail{Kind: kind, UserID: userID, To: to, Subject: subject, Body: body})
	})
}
