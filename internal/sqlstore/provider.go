package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/passnum/passnum"
)

// maxProviderValue bounds what a provider gives (issuer, subject, e-mail)
// before it reaches a query: a signed token is trusted for who it names,
// not for its size.
const maxProviderValue = 320

// SignInWithProvider opens a session for the person a provider vouched
// for. The account is found by the link (issuer, subject) made at an
// earlier sign-in; failing that, by the verified e-mail of an account an
// administrator created, which is then linked, so that the next sign-ins
// still find it after the e-mail changes. No account is ever created:
// people are invited by the administrators of their structure.
func (s *Store) SignInWithProvider(ctx context.Context, id passnum.ProviderIdentity) (string, *passnum.SessionInfo, error) {
	email := strings.ToLower(strings.TrimSpace(id.Email))
	if id.Issuer == "" || id.Subject == "" || len(id.Issuer) > maxProviderValue || len(id.Subject) > maxProviderValue || len(email) > maxProviderValue {
		return "", nil, fmt.Errorf("provider sign-in: identity out of bounds (issuer %d, subject %d, e-mail %d bytes)", len(id.Issuer), len(id.Subject), len(email))
	}
	var u *passnum.User
	err := s.write(ctx, "provider sign-in", func(tx *tx) error {
		var linkID, userID int64
		err := tx.row(`SELECT id, user_id FROM provider_links WHERE issuer = ? AND subject = ?`, id.Issuer, id.Subject).Scan(&linkID, &userID)
		switch {
		case err == nil:
			// Known identity: the e-mail it has now is the one the person
			// sees on their account page.
			if err := tx.exec(`UPDATE provider_links SET email = ?, last_used_at = ? WHERE id = ?`, email, tx.nowText(), linkID); err != nil {
				return fmt.Errorf("provider link %d: %w", linkID, err)
			}
			u, err = tx.findUser(userID)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if !id.EmailVerified {
			return passnum.Errorf(passnum.EUNAUTHORIZED, passnum.ReasonProviderEmailUnverified,
				"ProConnect indique que votre adresse électronique n'est pas vérifiée : elle ne peut pas désigner votre compte. Connectez-vous avec votre mot de passe.")
		}
		err = tx.row(`SELECT id FROM users WHERE email = ?`, email).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) || email == "" {
			return errProviderAccountUnknown()
		} else if err != nil {
			return err
		}
		// An account already linked at this provider keeps its identity:
		// an address reused by someone else (accueil@…) must not let them
		// into the account.
		var linked int
		if err := tx.get(&linked, `SELECT COUNT(*) FROM provider_links WHERE user_id = ? AND issuer = ?`, userID, id.Issuer); err != nil {
			return err
		}
		if linked > 0 {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonProviderLinkConflict,
				"Votre compte passnum est déjà relié à une autre identité ProConnect. Connectez-vous avec votre mot de passe, puis retirez l'ancienne liaison dans « Connexion ProConnect » ; ou demandez à l'administrateur de votre structure.")
		}
		tx.actor = &passnum.Actor{UserID: userID, Label: fmt.Sprintf("user:%d", userID)}
		linkID, err = tx.insert(`INSERT INTO provider_links (user_id, issuer, subject, email, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)`,
			userID, id.Issuer, id.Subject, email, tx.nowText(), tx.nowText())
		if err != nil {
			return fmt.Errorf("provider link of user %d: %w", userID, err)
		}
		// The provider verified the address: an invited person who first
		// signs in with it has confirmed it, as accepting the invitation
		// would (account.go).
		if err := tx.exec(`UPDATE users SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL`, tx.nowText(), userID); err != nil {
			return fmt.Errorf("confirmation of user %d: %w", userID, err)
		}
		// The subject is the person's identifier at the provider: the
		// link's number is enough to find it.
		if err := tx.audit("provider.link", fmt.Sprintf("user:%d", userID), fmt.Sprintf("provider_link:%d issuer:%s", linkID, id.Issuer)); err != nil {
			return err
		}
		u, err = tx.findUser(userID)
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("provider sign-in: %w", err)
	}
	return s.openSession(ctx, u, passnum.SignInMethodProConnect)
}

func errProviderAccountUnknown() error {
	return passnum.Errorf(passnum.EUNAUTHORIZED, passnum.ReasonProviderAccountUnknown,
		"Aucun compte passnum n'a l'adresse électronique que ProConnect nous a transmise, et aucun compte n'a été créé. Demandez à l'administrateur de votre structure de vous inviter avec cette adresse, puis reconnectez-vous.")
}

// selfActor is the actor of a person managing their own account: a
// session's, never an API token's.
func selfActor(ctx context.Context) (*passnum.Actor, error) {
	a := passnum.ActorFromContext(ctx)
	if a == nil || a.UserID == 0 {
		return nil, passnum.Errorf(passnum.EUNAUTHORIZED, passnum.ReasonUnauthenticated, "Connectez-vous pour gérer votre compte.")
	}
	return a, nil
}

// ListProviderLinks lists the provider links of the actor's own account,
// oldest first.
func (s *Store) ListProviderLinks(ctx context.Context) ([]*passnum.ProviderLink, error) {
	a, err := selfActor(ctx)
	if err != nil {
		return nil, err
	}
	var out []*passnum.ProviderLink
	err = s.read(ctx, func(tx *tx) error {
		var err error
		out, err = selectAll(tx, func(sc scanner) (*passnum.ProviderLink, error) {
			var l passnum.ProviderLink
			var created, used string
			if err := sc.Scan(&l.ID, &l.UserID, &l.Issuer, &l.Email, &created, &used); err != nil {
				return nil, err
			}
			in := instants{table: "provider_links", id: l.ID}
			l.CreatedAt, l.LastUsedAt = in.at("created_at", created), in.at("last_used_at", used)
			return &l, in.err
		}, `SELECT id, user_id, issuer, email, created_at, last_used_at FROM provider_links WHERE user_id = ? ORDER BY id`, a.UserID)
		return err
	})
	return out, wrapf(err, "provider links of user %d", a.UserID)
}

// UnlinkProvider removes a link of the actor's own account; another
// person's link is not found, as if it did not exist.
func (s *Store) UnlinkProvider(ctx context.Context, linkID int64) error {
	a, err := selfActor(ctx)
	if err != nil {
		return err
	}
	err = s.write(ctx, "provider unlink", func(tx *tx) error {
		var issuer string
		err := tx.row(`SELECT issuer FROM provider_links WHERE id = ? AND user_id = ?`, linkID, a.UserID).Scan(&issuer)
		if errors.Is(err, sql.ErrNoRows) {
			return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Cette liaison ProConnect n'existe pas ou a déjà été retirée.")
		} else if err != nil {
			return err
		}
		if err := tx.exec(`DELETE FROM provider_links WHERE id = ?`, linkID); err != nil {
			return err
		}
		tx.actor = a
		return tx.audit("provider.unlink", fmt.Sprintf("user:%d", a.UserID), fmt.Sprintf("provider_link:%d issuer:%s", linkID, issuer))
	})
	return wrapf(err, "unlink provider link %d", linkID)
}
