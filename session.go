package passnum

import (
	"context"
	"time"
)

// SessionLifetime is how long a web session lasts from login: a working
// day. People log in again the next morning; a stolen cookie is worth
// nothing after it.
const SessionLifetime = 12 * time.Hour

// PasswordResetLifetime is how long a forgotten-password link works.
const PasswordResetLifetime = time.Hour

// Session is a person logged in to the web interface, acting for one of
// the organisations they belong to. Its secret lives only in the person's
// cookie; stores keep a hash of it.
type Session struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	OrgID     int64     `json:"org_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// SecondFactorPending: the person proved their password and the
	// session waits for their second factor; it acts for nobody yet.
	SecondFactorPending bool `json:"second_factor_pending,omitempty"`
}

// SessionInfo is what a request learns from its session cookie: the
// session, the person with their memberships, and the actor they are.
type SessionInfo struct {
	Session *Session
	User    *User
	Actor   *Actor
}

// OutboxMessage is an e-mail waiting to be sent. Until an operator sets up
// outgoing mail, operator admins read the outbox and pass messages on.
type OutboxMessage struct {
	ID        int64      `json:"id"`
	Kind      MailKind   `json:"kind"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	// Delivery, once outgoing mail is set up (maildelivery.go): the
	// state, the attempts made, the last answer of the server or error,
	// and when the next attempt is due while the message is pending.
	State         MailState  `json:"state"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error,omitempty"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
}

// OutboxFilter selects outbox messages, newest first.
type OutboxFilter struct {
	Offset int
	Limit  int
	// State, when set, keeps the messages in this state.
	State MailState
}

// SessionService opens and closes web sessions and resets forgotten
// passwords. Login, AuthenticateSession, RequestPasswordReset and
// ResetPassword need no actor: they are how a person becomes one.
type SessionService interface {
	// Login checks an e-mail and password and opens a session acting for
	// the person's first organisation. It returns the session's secret,
	// to be set as a cookie and never stored.
	Login(ctx context.Context, email, password string) (secret string, info *SessionInfo, err error)
	// AuthenticateSession returns who is behind a session secret; an
	// unknown, expired or logged-out secret is EUNAUTHORIZED.
	AuthenticateSession(ctx context.Context, secret string) (*SessionInfo, error)
	// SwitchOrganisation makes the session act for another organisation
	// the person belongs to.
	SwitchOrganisation(ctx context.Context, secret string, orgID int64) (*SessionInfo, error)
	// Logout ends a session; ending an unknown one is not an error.
	Logout(ctx context.Context, secret string) error
	// RequestPasswordReset puts a message with a one-hour, single-use link
	// (linkPrefix followed by the token) in the outbox when an account
	// has this e-mail, and does nothing otherwise: the answer is the same,
	// so that nobody learns which addresses have accounts.
	RequestPasswordReset(ctx context.Context, email, linkPrefix string) error
	// ResetPassword sets a new password with a reset token, which then no
	// longer works, and ends every session of the person.
	ResetPassword(ctx context.Context, token, password string) error
	// ListOutbox lists messages waiting in the outbox (operator admins).
	ListOutbox(ctx context.Context, f OutboxFilter) ([]*OutboxMessage, int, error)
}
