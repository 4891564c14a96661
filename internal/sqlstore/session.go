package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// sessionPrefix marks session secrets, as tokenPrefix marks API tokens, so
// that a secret found in a log or a paste says what it is.
const sessionPrefix = "ps_"

// randomSecret returns 32 random bytes in lower-case base32 (52 characters):
// 256 bits, so that a plain SHA-256 of it is enough to store.
func randomSecret() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)), nil
}

func errSessionExpired() error {
	return passnum.Errorf(passnum.EUNAUTHORIZED, passnum.ReasonSessionExpired, "Votre session a expiré : reconnectez-vous.")
}

func errNoMembership() error {
	return passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonNoMembership,
		"Votre compte n'est rattaché à aucune organisation : demandez à l'administrateur de votre structure de vous y ajouter.")
}

// userActor is the actor of a person acting for one of their memberships.
func userActor(u *passnum.User, m passnum.Membership) *passnum.Actor {
	return &passnum.Actor{UserID: u.ID, OrgID: m.OrgID, OrgKind: m.OrgKind, Role: m.Role, Label: fmt.Sprintf("user:%d", u.ID)}
}

// membership returns the user's membership of org, if any.
func membership(u *passnum.User, orgID int64) (passnum.Membership, bool) {
	for _, m := range u.Memberships {
		if m.OrgID == orgID {
			return m, true
		}
	}
	return passnum.Membership{}, false
}

// Login checks an e-mail and password and opens a session acting for the
// person's first organisation (the lowest id). Only the SHA-256 of the
// returned secret is stored.
func (s *Store) Login(ctx context.Context, email, password string) (string, *passnum.SessionInfo, error) {
	u, err := s.AuthenticatePassword(ctx, email, password)
	if err != nil {
		return "", nil, err
	}
	return s.openSession(ctx, u, "password")
}

// openSession opens a session for u, who just proved who they are by
// method (the audit trail says which: "password", or a sign-in provider),
// in their first organisation. Every way of signing in ends here, so that
// what a session requires (memberships, and whatever else sign-in comes to
// ask) is decided in one place.
func (s *Store) openSession(ctx context.Context, u *passnum.User, method string) (string, *passnum.SessionInfo, error) {
	if len(u.Memberships) == 0 {
		return "", nil, errNoMembership()
	}
	raw, err := randomSecret()
	if err != nil {
		return "", nil, err
	}
	secret := sessionPrefix + raw
	var info *passnum.SessionInfo
	err = s.write(ctx, "login", func(tx *tx) error {
		// Read the memberships again inside the transaction: one may have
		// been removed since the person proved who they are.
		u, err := tx.findUser(u.ID)
		if err != nil {
			return err
		}
		if len(u.Memberships) == 0 {
			return errNoMembership()
		}
		m := u.Memberships[0]
		tx.actor = userActor(u, m)
		// Housekeeping, bounded to this person: their expired sessions
		// are of no use to anyone.
		if err := tx.exec(`DELETE FROM sessions WHERE user_id = ? AND expires_at <= ?`, u.ID, tx.nowText()); err != nil {
			return err
		}
		// An account that has a second factor, or that the policy
		// requires one of, gets a session that waits for it: short-lived,
		// acting for nobody, reaching only the second-factor step.
		factors, err := tx.confirmedFactors(u.ID)
		if err != nil {
			return err
		}
		pending := factors > 0 || s.secondFactor.Requires(u)
		expires := tx.now.Add(passnum.SessionLifetime)
		if pending {
			expires = tx.now.Add(passnum.SecondFactorStepLifetime)
		}
		id, err := tx.insert(`INSERT INTO sessions (secret_hash, user_id, org_id, created_at, expires_at, second_factor_pending) VALUES (?, ?, ?, ?, ?, ?)`,
			hashToken(secret), u.ID, m.OrgID, tx.nowText(), passnum.FormatTime(expires), boolInt(pending))
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("session:%d org:%d", id, m.OrgID)
		if method != "password" {
			detail += " via " + method
		}
		if pending {
			detail += ", second factor pending"
		}
		if err := tx.audit("session.login", fmt.Sprintf("user:%d", u.ID), detail); err != nil {
			return err
		}
		info = &passnum.SessionInfo{
			Session: &passnum.Session{ID: id, UserID: u.ID, OrgID: m.OrgID, CreatedAt: storedInstant(tx.now), ExpiresAt: storedInstant(expires), SecondFactorPending: pending},
			User:    u,
			Actor:   tx.actor,
		}
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("login of user %d: %w", u.ID, err)
	}
	return secret, info, nil
}

// validSessionSecret tells whether secret could be one of ours, so that
// garbage is refused without a database lookup.
func validSessionSecret(secret string) bool {
	return strings.HasPrefix(secret, sessionPrefix) && len(secret) <= 100
}

// session returns the live, complete session behind a secret, with its
// person and actor. A session waiting for its second factor acts for
// nobody: it is refused here (anySession reads it).
func (t *tx) session(secret string) (*passnum.SessionInfo, error) {
	info, err := t.anySession(secret)
	if err != nil {
		return nil, err
	}
	if info.Session.SecondFactorPending {
		return nil, errSecondFactorPending()
	}
	return info, nil
}

func errSecondFactorPending() error {
	return passnum.Errorf(passnum.EUNAUTHORIZED, passnum.ReasonSecondFactorPending,
		"Votre connexion attend votre second facteur : tapez le code de votre application, utilisez votre clé d'accès ou un code de secours.")
}

// anySession returns the live session behind a secret, complete or
// waiting for its second factor, with its person and actor. A session
// whose membership was removed is dead too: the person no longer acts
// for that organisation.
func (t *tx) anySession(secret string) (*passnum.SessionInfo, error) {
	if !validSessionSecret(secret) {
		return nil, errSessionExpired()
	}
	var sess passnum.Session
	var created, expires string
	var pending int
	err := t.row(`SELECT s.id, s.user_id, s.org_id, s.created_at, s.expires_at, s.second_factor_pending FROM sessions s
		JOIN memberships m ON m.user_id = s.user_id AND m.org_id = s.org_id
		WHERE s.secret_hash = ? AND s.expires_at > ?`, hashToken(secret), t.nowText()).
		Scan(&sess.ID, &sess.UserID, &sess.OrgID, &created, &expires, &pending)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSessionExpired()
	} else if err != nil {
		return nil, err
	}
	sess.SecondFactorPending = pending != 0
	in := instants{table: "sessions", id: sess.ID}
	if sess.CreatedAt, sess.ExpiresAt = in.at("created_at", created), in.at("expires_at", expires); in.err != nil {
		return nil, in.err
	}
	u, err := t.findUser(sess.UserID)
	if err != nil {
		return nil, fmt.Errorf("session %d: %w", sess.ID, err)
	}
	m, ok := membership(u, sess.OrgID)
	if !ok { // removed between the two reads of a write transaction
		return nil, errSessionExpired()
	}
	return &passnum.SessionInfo{Session: &sess, User: u, Actor: userActor(u, m)}, nil
}

// AuthenticateSession returns who is behind a session secret. It only
// reads: a request costs no write, so pages stay fast on SQLite's single
// writer. A session waiting for its second factor is returned too, marked
// (Session.SecondFactorPending): the caller lets it reach that step only.
func (s *Store) AuthenticateSession(ctx context.Context, secret string) (*passnum.SessionInfo, error) {
	if !validSessionSecret(secret) {
		return nil, errSessionExpired()
	}
	var info *passnum.SessionInfo
	err := s.read(ctx, func(tx *tx) error {
		var err error
		info, err = tx.anySession(secret)
		return err
	})
	return info, err
}

// SwitchOrganisation makes a session act for another organisation of its
// person.
func (s *Store) SwitchOrganisation(ctx context.Context, secret string, orgID int64) (*passnum.SessionInfo, error) {
	if !validSessionSecret(secret) {
		return nil, errSessionExpired()
	}
	var info *passnum.SessionInfo
	err := s.write(ctx, "switch organisation", func(tx *tx) error {
		cur, err := tx.session(secret)
		if err != nil {
			return err
		}
		m, ok := membership(cur.User, orgID)
		if !ok {
			return passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonNotAMember, "Vous n'êtes pas membre de cette organisation.")
		}
		if err := tx.exec(`UPDATE sessions SET org_id = ? WHERE id = ?`, orgID, cur.Session.ID); err != nil {
			return err
		}
		tx.actor = userActor(cur.User, m)
		if err := tx.audit("session.switch", fmt.Sprintf("user:%d", cur.User.ID), fmt.Sprintf("session:%d org:%d → org:%d", cur.Session.ID, cur.Session.OrgID, orgID)); err != nil {
			return err
		}
		sess := *cur.Session
		sess.OrgID = orgID
		info = &passnum.SessionInfo{Session: &sess, User: cur.User, Actor: tx.actor}
		return nil
	})
	return info, wrapf(err, "switch session to organisation %d", orgID)
}

// Logout ends a session. An unknown, expired or already ended one is not
// an error: the person is logged out either way.
func (s *Store) Logout(ctx context.Context, secret string) error {
	if !validSessionSecret(secret) {
		return nil
	}
	return s.write(ctx, "logout", func(tx *tx) error {
		var id, userID int64
		err := tx.row(`SELECT id, user_id FROM sessions WHERE secret_hash = ?`, hashToken(secret)).Scan(&id, &userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		if err := tx.exec(`DELETE FROM sessions WHERE id = ?`, id); err != nil {
			return err
		}
		tx.actor = &passnum.Actor{UserID: userID, Label: fmt.Sprintf("user:%d", userID)}
		return tx.audit("session.logout", fmt.Sprintf("user:%d", userID), fmt.Sprintf("session:%d", id))
	})
}

// resetSubject is the subject of password reset messages.
const resetSubject = "Réinitialiser votre mot de passe passnum"

// RequestPasswordReset puts a message with a single-use link in the outbox
// when an account has this e-mail, and does nothing otherwise, so that the
// answer does not tell which addresses have accounts. Only the SHA-256 of
// the token is stored; the token itself is only in the message.
func (s *Store) RequestPasswordReset(ctx context.Context, email, linkPrefix string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || len(email) > 320 {
		return nil
	}
	token, err := randomSecret()
	if err != nil {
		return err
	}
	return s.write(ctx, "request password reset", func(tx *tx) error {
		var userID int64
		var name string
		err := tx.row(`SELECT id, name FROM users WHERE email = ?`, email).Scan(&userID, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		tx.actor = &passnum.Actor{UserID: userID, Label: fmt.Sprintf("user:%d", userID)}
		expires := tx.now.Add(passnum.PasswordResetLifetime)
		id, err := tx.insert(`INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			userID, hashToken(token), tx.nowText(), passnum.FormatTime(expires))
		if err != nil {
			return fmt.Errorf("password reset of user %d: %w", userID, err)
		}
		if err := tx.queueMail(mail{Kind: passnum.MailPasswordReset, UserID: userID, To: email,
			Subject: resetSubject, Body: resetBody(name, linkPrefix+token)}); err != nil {
			return fmt.Errorf("password reset %d: message: %w", id, err)
		}
		return tx.audit("password.reset_request", fmt.Sprintf("user:%d", userID), fmt.Sprintf("password_reset:%d", id))
	})
}

// resetBody is the plain French text of a password reset message.
func resetBody(name, link string) string {
	return fmt.Sprintf(`Bonjour %s,

Vous avez demandé à changer le mot de passe de votre compte passnum.
Pour choisir un nouveau mot de passe, ouvrez ce lien :

%s

Ce lien fonctionne une seule fois, pendant %s.

Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.

L'équipe passnum
`, name, link, frenchDuration(passnum.PasswordResetLifetime))
}

// frenchDuration writes a duration of whole hours or minutes: "1 heure",
// "12 heures", "30 minutes".
func frenchDuration(d time.Duration) string {
	n, unit := int(d/time.Minute), "minute"
	if d%time.Hour == 0 {
		n, unit = int(d/time.Hour), "heure"
	}
	if n > 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// ResetPassword sets a new password with a reset token. In one
// transaction, the token and every other unused token of the person stop
// working, and every session of the person ends.
func (s *Store) ResetPassword(ctx context.Context, token, password string) error {
	// What needs no account first; the person's name and address once
	// the token says whose password it is.
	if err := passnum.CheckPassword(password, "", ""); err != nil {
		return err
	}
	bad := &passnum.Error{Code: passnum.EINVALID, Reason: passnum.ReasonResetTokenInvalid, Field: "token",
		Message: "Ce lien de réinitialisation ne fonctionne plus : il a déjà servi ou il a expiré. Demandez-en un nouveau."}
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 100 {
		return bad
	}
	live := func(tx *tx) (id, userID int64, err error) {
		err = tx.row(`SELECT id, user_id FROM password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
			hashToken(token), tx.nowText()).Scan(&id, &userID)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, 0, bad
		}
		return id, userID, err
	}
	// Hashing a password costs tens of milliseconds and 19 MiB: a dead
	// token is turned away before, by a read, so that a flood of them
	// costs little; and the hash is computed once, outside the write
	// transaction, which may run several times.
	if err := s.read(ctx, func(tx *tx) error {
		_, userID, err := live(tx)
		if err != nil {
			return err
		}
		u, err := tx.findUser(userID)
		if err != nil {
			return err
		}
		return passnum.CheckPassword(password, u.Name, u.Email)
	}); err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return s.write(ctx, "reset password", func(tx *tx) error {
		id, userID, err := live(tx)
		if err != nil {
			return err
		}
		tx.actor = &passnum.Actor{UserID: userID, Label: fmt.Sprintf("user:%d", userID)}
		// The link came by e-mail: following it confirms the address too.
		if err := tx.exec(`UPDATE users SET password_hash = ?, confirmed_at = COALESCE(confirmed_at, ?) WHERE id = ?`, hash, tx.nowText(), userID); err != nil {
			return fmt.Errorf("password of user %d: %w", userID, err)
		}
		// This token is used; the others the person asked for are void.
		if err := tx.exec(`UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, tx.nowText(), userID); err != nil {
			return fmt.Errorf("password resets of user %d: %w", userID, err)
		}
		ended, err := tx.execN(`DELETE FROM sessions WHERE user_id = ?`, userID)
		if err != nil {
			return fmt.Errorf("sessions of user %d: %w", userID, err)
		}
		return tx.audit("password.reset", fmt.Sprintf("user:%d", userID), fmt.Sprintf("password_reset:%d, %d sessions ended", id, ended))
	})
}

// ListOutbox lists the messages of the outbox, newest first (operator
// admins only: they hold password reset links).
func (s *Store) ListOutbox(ctx context.Context, f passnum.OutboxFilter) ([]*passnum.OutboxMessage, int, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActOutboxRead); err != nil {
		return nil, 0, err
	}
	offset, limit := page(f.Offset, f.Limit)
	var out []*passnum.OutboxMessage
	var total int
	err := s.read(ctx, func(tx *tx) error {
		where, args := "", []any{}
		if f.State != "" {
			where, args = ` WHERE state = ?`, append(args, f.State)
		}
		if err := tx.get(&total, `SELECT COUNT(*) FROM outbox`+where, args...); err != nil {
			return err
		}
		var err error
		out, err = selectAll(tx, func(sc scanner) (*passnum.OutboxMessage, error) {
			var m passnum.OutboxMessage
			var created string
			var sent sql.NullString
			var next string
			if err := sc.Scan(&m.ID, &m.Kind, &m.To, &m.Subject, &m.Body, &created, &sent, &m.State, &m.Attempts, &m.LastError, &next); err != nil {
				return nil, err
			}
			in := instants{table: "outbox", id: m.ID}
			m.CreatedAt, m.SentAt = in.at("created_at", created), in.optional("sent_at", sent)
			if m.State == passnum.MailPending {
				at := in.at("next_attempt_at", next)
				m.NextAttemptAt = &at
			}
			return &m, in.err
		}, `SELECT id, kind, recipient, subject, body, created_at, sent_at, state, attempts, last_error, next_attempt_at FROM outbox`+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		return err
	})
	return out, total, err
}
