package passnum

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// MailState is where a message of the outbox is in its delivery. Without
// outgoing mail set up, every message stays pending and operator admins
// read the outbox; with it, a sender claims pending messages (sending),
// then records them sent, or pending again for a later attempt, or failed.
type MailState string

const (
	MailPending MailState = "pending"
	MailSending MailState = "sending"
	MailSent    MailState = "sent"
	MailFailed  MailState = "failed"
)

// Label is the state in French, for the outbox page.
func (s MailState) Label() string {
	switch s {
	case MailPending:
		return "en attente"
	case MailSending:
		return "en cours d'envoi"
	case MailSent:
		return "envoyé"
	case MailFailed:
		return "échec"
	}
	return string(s)
}

// MailStates are the states of a message, in the order of its life.
var MailStates = []MailState{MailPending, MailSending, MailSent, MailFailed}

// ParseMailState reads a state as the API's filter gives it; field names
// it in the error.
func ParseMailState(field, s string) (MailState, error) {
	for _, st := range MailStates {
		if string(st) == s {
			return st, nil
		}
	}
	return "", Invalid(field, "État de message inconnu : %s (pending, sending, sent ou failed).", quoteShort(s))
}

// OutgoingMail is a message a sender claimed from the outbox: it alone
// may send it until the claim expires. UnsubscribeToken is set for the
// kinds an account can turn off: the secret of this attempt's one-click
// unsubscribe link, of which the store keeps only a hash.
type OutgoingMail struct {
	ID               int64
	Kind             MailKind
	UserID           int64
	To               string
	Subject          string
	Body             string
	CreatedAt        time.Time
	DueAt            time.Time // when this attempt was due
	Attempts         int       // this attempt included
	UnsubscribeToken string
}

// MailOutcome is what became of one attempt to send a claimed message:
// State is MailSent, MailPending (tried again at RetryAt) or MailFailed.
// Answer is the server's answer or the error, for the outbox page.
type MailOutcome struct {
	State   MailState
	Answer  string
	RetryAt time.Time
}

// MailQueue is the outbox as a sender sees it. Its methods need no actor:
// the sender is the platform itself.
type MailQueue interface {
	// ClaimMail claims up to limit messages that are due (pending and
	// their next attempt has come, or claimed by a sender whose claim
	// expired) for claimer, until now+lease; each message is claimed by
	// one claimer at a time.
	ClaimMail(ctx context.Context, claimer string, limit int, lease time.Duration) ([]*OutgoingMail, error)
	// RecordMailOutcome records the outcome of claimer's attempt; a
	// claimer whose claim was taken over by another records nothing
	// (ECONFLICT).
	RecordMailOutcome(ctx context.Context, id int64, claimer string, o MailOutcome) error
}

// MailUnsubscribe is what a one-click unsubscribe link turns off: one
// kind of message for one account.
type MailUnsubscribe struct {
	Kind  MailKind
	Label string // the kind's French label
	Email string
	// Done tells that the account already turned the kind off.
	Done bool
}

// MailService is the outbox as people act on it.
type MailService interface {
	// RetryMail puts a failed message back in the queue, to be sent at
	// once (operator admins; audited).
	RetryMail(ctx context.Context, id int64) error
	// FindUnsubscribe tells what an unsubscribe token turns off. It needs
	// no actor: the token, sent in the message, is the authority.
	FindUnsubscribe(ctx context.Context, token string) (*MailUnsubscribe, error)
	// Unsubscribe turns off the kind of message of the token for its
	// account; doing it twice is not an error.
	Unsubscribe(ctx context.Context, token string) (*MailUnsubscribe, error)
}

// ReasonMailAddress: an e-mail address is malformed, or holds a line
// break or a header of its own.
const ReasonMailAddress = "mail-address"

// ReasonMailNotFailed: only a failed message can be sent again.
const ReasonMailNotFailed = "mail-not-failed"

// ReasonUnsubscribeInvalid: an unsubscribe link is unknown or expired.
const ReasonUnsubscribeInvalid = "unsubscribe-link-invalid"

// CheckMailAddress checks an address a message is sent to or from: one
// bare address (local@domain), no display name, no character that could
// end a header line. field names it in the error.
func CheckMailAddress(field, addr string) error {
	if err := CheckLine(field, addr); err != nil {
		return err
	}
	a, err := mail.ParseAddress(addr)
	at := strings.LastIndexByte(addr, '@')
	if err != nil || a.Address != addr || at <= 0 || at == len(addr)-1 || strings.ContainsAny(addr, " ,;<>\"") {
		return &Error{Code: EINVALID, Reason: ReasonMailAddress, Field: field,
			Message: "Adresse e-mail invalide : " + quoteShort(addr) + " (une seule adresse, de la forme nom@domaine.fr)."}
	}
	return nil
}

// CheckMail checks what of a message goes into its headers, before it is
// queued and again before it is sent: a header injection ("\r\nBcc: …")
// or a malformed address is refused, and nothing is sent.
func CheckMail(to, subject string) error {
	if err := CheckMailAddress("destinataire", to); err != nil {
		return err
	}
	if err := CheckLine("objet", subject); err != nil {
		return err
	}
	if strings.TrimSpace(subject) == "" {
		return Invalid("objet", "Un message a besoin d'un objet.")
	}
	return nil
}

// quoteShort quotes s for an error message, cut to a readable length.
func quoteShort(s string) string {
	const shown = 80
	if r := []rune(s); len(r) > shown {
		s = string(r[:shown]) + "…"
	}
	return "« " + s + " »"
}
