package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// accountLinkURL is the address of a page of passnum with a token.
func (t *tx) accountLinkURL(path, token string) string {
	return t.link(path + "?jeton=" + token)
}

// newAccountLink records a link of purpose for an account and returns its
// token, which is only in the message: the links of the same purpose sent
// before stop working, so that only the newest message counts.
func (t *tx) newAccountLink(userID int64, purpose passnum.AccountLinkPurpose, invitedBy, orgID int64, role passnum.Role) (string, error) {
	token, err := randomSecret()
	if err != nil {
		return "", err
	}
	if err := t.exec(`UPDATE account_links SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`,
		t.nowText(), userID, purpose); err != nil {
		return "", fmt.Errorf("earlier links of user %d: %w", userID, err)
	}
	_, err = t.insert(`INSERT INTO account_links (user_id, purpose, token_hash, invited_by, org_id, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		userID, purpose, hashToken(token), nullID(invitedBy), nullID(orgID), role, t.nowText(), passnum.FormatTime(t.now.Add(purpose.Lifetime())))
	if err != nil {
		return "", fmt.Errorf("link of user %d: %w", userID, err)
	}
	return token, nil
}

// inviterName is how an invitation names who sent it: the administrator
// by name, or, for an API token, the organisation that holds it.
func (t *tx) inviterName(invitedBy int64) (string, error) {
	var name string
	if invitedBy != 0 {
		return name, t.get(&name, `SELECT name FROM users WHERE id = ?`, invitedBy)
	}
	if t.actor != nil && t.actor.OrgID != 0 {
		if err := t.get(&name, `SELECT name FROM organisations WHERE id = ?`, t.actor.OrgID); err != nil {
			return "", err
		}
		return "Un administrateur de " + name, nil
	}
	return "L'opérateur du Pass numérique", nil
}

// invite sends an invitation to join orgID with role to an account without
// a password, from the acting administrator.
func (t *tx) invite(userID, orgID int64, role passnum.Role) error {
	var invitedBy int64
	if t.actor != nil {
		invitedBy = t.actor.UserID
	}
	return t.sendInvitation(userID, invitedBy, orgID, role)
}

func (t *tx) sendInvitation(userID, invitedBy, orgID int64, role passnum.Role) error {
	u, err := t.findUser(userID)
	if err != nil {
		return err
	}
	org, err := t.findOrg(orgID)
	if err != nil {
		return err
	}
	inviter, err := t.inviterName(invitedBy)
	if err != nil {
		return fmt.Errorf("inviter of user %d: %w", userID, err)
	}
	token, err := t.newAccountLink(userID, passnum.LinkInvitation, invitedBy, orgID, role)
	if err != nil {
		return err
	}
	return t.queueMail(mail{Kind: passnum.MailAccountInvited, UserID: userID, To: u.Email,
		Subject: invitationSubject(org.Name),
		Body:    invitationBody(u.Name, u.Email, inviter, org.Name, role, t.accountLinkURL(passnum.InvitationPath, token), t.link(passnum.NewLinkPath))})
}

func invitationSubject(org string) string {
	return "Invitation à rejoindre " + org + " sur passnum"
}

// roleWords says a role in a sentence: "en tant qu'administrateur".
func roleWords(r passnum.Role) string {
	if r == passnum.RoleAdmin {
		return "en tant qu'administrateur (vous gérerez aussi les membres et les réglages de la structure)"
	}
	return "en tant qu'agent"
}

// invitationBody is the plain French text of an invitation.
func invitationBody(name, email, inviter, org string, role passnum.Role, link, newLink string) string {
	return fmt.Sprintf(`Bonjour %s,

%s vous invite à rejoindre %s sur passnum, la plateforme du Pass numérique, %s.

Pour activer votre compte, choisissez votre mot de passe en ouvrant ce lien :

%s

Ce lien fonctionne une seule fois, pendant %s. Vous vous connecterez ensuite avec votre adresse électronique (%s) et ce mot de passe.
Si le lien a expiré, demandez-en un nouveau à cette adresse :

%s

Si vous ne vous attendiez pas à cette invitation, ignorez ce message : le compte reste inutilisable tant que personne n'a choisi son mot de passe avec ce lien.

L'équipe passnum
`, name, inviter, org, roleWords(role), link, frenchLifetime(passnum.InvitationLifetime), email, newLink)
}

// sendAddressConfirmation sends the link that confirms the address of an
// account that has a password (a venue applicant's).
func (t *tx) sendAddressConfirmation(userID int64) error {
	u, err := t.findUser(userID)
	if err != nil {
		return err
	}
	token, err := t.newAccountLink(userID, passnum.LinkConfirmAddress, 0, 0, "")
	if err != nil {
		return err
	}
	return t.queueMail(mail{Kind: passnum.MailConfirmAddress, UserID: userID, To: u.Email, Subject: confirmSubject,
		Body: confirmBody(u.Name, t.accountLinkURL(passnum.ConfirmAddressPath, token), t.link(passnum.NewLinkPath))})
}

const confirmSubject = "Confirmez votre adresse électronique pour passnum"

// confirmBody is the plain French text of an address confirmation.
func confirmBody(name, link, newLink string) string {
	return fmt.Sprintf(`Bonjour %s,

Un compte passnum vient d'être créé avec cette adresse électronique. Pour pouvoir vous connecter, confirmez qu'elle est bien la vôtre en ouvrant ce lien :

%s

Ce lien fonctionne une seule fois, pendant %s. Vous vous connecterez ensuite avec cette adresse et le mot de passe que vous avez choisi.
Si le lien a expiré, demandez-en un nouveau à cette adresse :

%s

Si vous n'avez rien demandé, ignorez ce message : sans confirmation, le compte ne peut pas être utilisé.

L'équipe passnum
`, name, link, frenchLifetime(passnum.ConfirmAddressLifetime), newLink)
}

// frenchLifetime writes a duration in days when it is whole days ("7
// jours"), as frenchDuration does otherwise.
func frenchLifetime(d time.Duration) string {
	const day = 24 * time.Hour
	if d%day != 0 {
		return frenchDuration(d)
	}
	if n := int(d / day); n > 1 {
		return fmt.Sprintf("%d jours", n)
	}
	return "1 jour"
}

// requireConfirmedAddress refuses to open a session for an account whose
// address is not confirmed yet. It is told only to whoever gave the right
// password, so that it reveals nothing about which addresses have
// accounts.
func requireConfirmedAddress(u *passnum.User) error {
	if u.ConfirmedAt != nil {
		return nil
	}
	return passnum.Errorf(passnum.EUNAUTHORIZED, passnum.ReasonAddressUnconfirmed,
		"Votre adresse électronique n'est pas encore confirmée : ouvrez le lien du message « %s » que nous vous avons envoyé, puis connectez-vous. "+
			"Vous ne le trouvez plus, ou il a expiré ? Demandez un nouveau lien.", confirmSubject)
}

// ResendInvitation sends a new invitation to a member of orgID who has not
// chosen a password yet, from the acting administrator; the links sent
// before stop working.
func (s *Store) ResendInvitation(ctx context.Context, orgID, userID int64) error {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActUserCreate); err != nil {
		return err
	}
	if !canManageOrg(a, orgID) {
		return passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Vous ne pouvez renvoyer une invitation qu'aux membres de votre propre organisation.")
	}
	err := s.write(ctx, "resend invitation", func(tx *tx) error {
		u, err := tx.findUser(userID)
		if err != nil {
			return err
		}
		m, ok := membership(u, orgID)
		if !ok {
			return notFound("user", userID)
		}
		if u.ConfirmedAt != nil {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonInvitationAccepted,
				"%s a déjà activé son compte : elle se connecte avec son adresse, ou choisit un nouveau mot de passe avec « Mot de passe oublié ».", u.Name)
		}
		if err := tx.invite(userID, orgID, m.Role); err != nil {
			return err
		}
		return tx.audit("user.invite_again", fmt.Sprintf("user:%d", userID), fmt.Sprintf("org:%d %s", orgID, m.Role))
	})
	return wrapf(err, "invitation of user %d", userID)
}

// errLinkUnknown is the answer for a token that matches no link.
func errLinkUnknown() error {
	return &passnum.Error{Code: passnum.EINVALID, Reason: passnum.ReasonAccountLinkInvalid, Field: "token",
		Message: "Ce lien n'est pas reconnu : copiez l'adresse entière reçue par courriel, ou demandez un nouveau lien."}
}

// errLinkDead tells why a link no longer works and what to do.
func errLinkDead(l *passnum.AccountLink) error {
	return &passnum.Error{Code: passnum.EINVALID, Reason: passnum.ReasonAccountLinkInvalid, Field: "token", Message: l.DeadReason()}
}

// accountLink reads the link of a token: what its page shows, and the
// account it is for.
func (t *tx) accountLink(token string) (*passnum.AccountLink, int64, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 100 {
		return nil, 0, errLinkUnknown()
	}
	var l passnum.AccountLink
	var userID, invitedBy, orgID sql.NullInt64
	var expires, hash string
	var used, confirmed sql.NullString
	err := t.row(`SELECT k.purpose, k.user_id, k.invited_by, k.org_id, k.role, k.expires_at, k.used_at, u.email, u.name, u.password_hash, u.confirmed_at
		FROM account_links k JOIN users u ON u.id = k.user_id WHERE k.token_hash = ?`, hashToken(token)).
		Scan(&l.Purpose, &userID, &invitedBy, &orgID, &l.Role, &expires, &used, &l.Email, &l.Name, &hash, &confirmed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, errLinkUnknown()
	} else if err != nil {
		return nil, 0, err
	}
	in := instants{table: "account_links"}
	if l.ExpiresAt = in.at("expires_at", expires); in.err != nil {
		return nil, 0, in.err
	}
	l.Expired = !t.now.Before(l.ExpiresAt)
	// A link is used once it served, or once the account no longer needs
	// it: an invited person who chose a password with "forgotten
	// password", an address confirmed otherwise.
	l.Used = confirmed.Valid || (l.Purpose == passnum.LinkInvitation && hash != "")
	l.Replaced = used.Valid && !l.Used
	if orgID.Valid {
		if err := t.get(&l.OrgName, `SELECT name FROM organisations WHERE id = ?`, orgID.Int64); err != nil {
			return nil, 0, err
		}
	}
	if l.Purpose == passnum.LinkInvitation {
		if l.InvitedBy, err = t.inviterName(invitedBy.Int64); err != nil {
			return nil, 0, err
		}
	}
	return &l, userID.Int64, nil
}

// FindAccountLink tells what a link is for, even when it no longer works,
// so that its page can say why and what to do.
func (s *Store) FindAccountLink(ctx context.Context, token string) (*passnum.AccountLink, error) {
	var l *passnum.AccountLink
	err := s.read(ctx, func(tx *tx) error {
		var err error
		l, _, err = tx.accountLink(token)
		return err
	})
	return l, err
}

// liveAccountLink returns the account of a link of purpose that still
// works, and the link's id.
func (t *tx) liveAccountLink(token string, purpose passnum.AccountLinkPurpose) (*passnum.AccountLink, int64, error) {
	l, userID, err := t.accountLink(token)
	if err != nil {
		return nil, 0, err
	}
	if l.Purpose != purpose {
		return nil, 0, errLinkUnknown()
	}
	if l.DeadReason() != "" {
		return nil, 0, errLinkDead(l)
	}
	return l, userID, nil
}

// AcceptInvitation sets the password of an invited account with the
// invitation's token, which confirms its address: the links of the
// account stop working.
func (s *Store) AcceptInvitation(ctx context.Context, token, password string) (*passnum.User, error) {
	if err := passnum.CheckPassword(password, "", ""); err != nil {
		return nil, err
	}
	// As ResetPassword: a dead link and a weak password are refused by a
	// read, before the costly hash, computed once outside the write.
	if err := s.read(ctx, func(tx *tx) error {
		l, _, err := tx.liveAccountLink(token, passnum.LinkInvitation)
		if err != nil {
			return err
		}
		return passnum.CheckPassword(password, l.Name, l.Email)
	}); err != nil {
		return nil, err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	var u *passnum.User
	err = s.write(ctx, "accept invitation", func(tx *tx) error {
		_, userID, err := tx.liveAccountLink(token, passnum.LinkInvitation)
		if err != nil {
			return err
		}
		tx.actor = &passnum.Actor{UserID: userID, Label: fmt.Sprintf("user:%d", userID)}
		// The condition on the hash makes a second acceptance racing this
		// one change nothing: the account has one first password.
		n, err := tx.execN(`UPDATE users SET password_hash = ?, confirmed_at = ? WHERE id = ? AND password_hash = ''`, hash, tx.nowText(), userID)
		if err != nil {
			return fmt.Errorf("password of user %d: %w", userID, err)
		}
		if n == 0 {
			return errLinkDead(&passnum.AccountLink{Used: true})
		}
		if err := tx.exec(`UPDATE account_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, tx.nowText(), userID); err != nil {
			return err
		}
		if err := tx.audit("user.invitation_accepted", fmt.Sprintf("user:%d", userID), "password chosen, address confirmed"); err != nil {
			return err
		}
		u, err = tx.findUser(userID)
		return err
	})
	return u, err
}

// ConfirmAddress confirms the address of an account with its
// confirmation link.
func (s *Store) ConfirmAddress(ctx context.Context, token string) (*passnum.User, error) {
	var u *passnum.User
	err := s.write(ctx, "confirm address", func(tx *tx) error {
		_, userID, err := tx.liveAccountLink(token, passnum.LinkConfirmAddress)
		if err != nil {
			return err
		}
		tx.actor = &passnum.Actor{UserID: userID, Label: fmt.Sprintf("user:%d", userID)}
		if err := tx.exec(`UPDATE users SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL`, tx.nowText(), userID); err != nil {
			return fmt.Errorf("confirmation of user %d: %w", userID, err)
		}
		if err := tx.exec(`UPDATE account_links SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, tx.nowText(), userID, passnum.LinkConfirmAddress); err != nil {
			return err
		}
		if err := tx.audit("user.address_confirmed", fmt.Sprintf("user:%d", userID), ""); err != nil {
			return err
		}
		u, err = tx.findUser(userID)
		return err
	})
	return u, err
}

// RequestAccountLink sends a new link to an address whose account cannot
// sign in yet: a new invitation when it has no password (from whoever
// invited it last), a new confirmation otherwise. For any other address
// it does nothing, so that the answer tells nobody which addresses have
// accounts; the callers rate-limit it.
func (s *Store) RequestAccountLink(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || len(email) > 320 {
		return nil
	}
	return s.write(ctx, "request account link", func(tx *tx) error {
		var userID int64
		var hash string
		err := tx.row(`SELECT id, password_hash FROM users WHERE email = ? AND confirmed_at IS NULL`, email).Scan(&userID, &hash)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		tx.actor = &passnum.Actor{UserID: userID, Label: fmt.Sprintf("user:%d", userID)}
		if hash != "" {
			if err := tx.sendAddressConfirmation(userID); err != nil {
				return err
			}
			return tx.audit("user.link_request", fmt.Sprintf("user:%d", userID), string(passnum.LinkConfirmAddress))
		}
		// The last invitation says who invited the person, where and as
		// what; an account without one (made before invitations) joins
		// its first organisation.
		var invitedBy, orgID sql.NullInt64
		var role passnum.Role
		err = tx.row(`SELECT invited_by, org_id, role FROM account_links WHERE user_id = ? AND purpose = ? AND org_id IS NOT NULL ORDER BY id DESC LIMIT 1`,
			userID, passnum.LinkInvitation).Scan(&invitedBy, &orgID, &role)
		if errors.Is(err, sql.ErrNoRows) {
			u, err := tx.findUser(userID)
			if err != nil || len(u.Memberships) == 0 {
				return err // no organisation to join: nothing to send
			}
			orgID.Int64, role = u.Memberships[0].OrgID, u.Memberships[0].Role
		} else if err != nil {
			return err
		}
		if err := tx.sendInvitation(userID, invitedBy.Int64, orgID.Int64, role); err != nil {
			return err
		}
		return tx.audit("user.link_request", fmt.Sprintf("user:%d", userID), string(passnum.LinkInvitation))
	})
}

// mayManageMailOf tells whether the actor may read and set the messages
// userID receives: the person, the operator's admins, and the admins of
// one of the person's organisations (for the API's clients that manage
// their people's accounts).
func mayManageMailOf(a *passnum.Actor, u *passnum.User) bool {
	if passnum.Authorize(a, passnum.ActMailPreferences) != nil {
		return false
	}
	if a.UserID != 0 && a.UserID == u.ID {
		return true
	}
	return slices.ContainsFunc(u.Memberships, func(m passnum.Membership) bool { return canManageOrg(a, m.OrgID) })
}

// mailPreferences lists the kinds that concern u and whether u receives
// each.
func (t *tx) mailPreferences(u *passnum.User) ([]passnum.MailPreference, error) {
	off, err := selectAll(t, func(sc scanner) (passnum.MailKind, error) {
		var k passnum.MailKind
		return k, sc.Scan(&k)
	}, `SELECT kind FROM mail_opt_outs WHERE user_id = ?`, u.ID)
	if err != nil {
		return nil, err
	}
	out := []passnum.MailPreference{}
	for _, k := range passnum.MailKindsFor(u.Memberships) {
		out = append(out, passnum.MailPreference{Kind: k.Kind, Label: k.Label, Required: k.Required, On: k.Required || !slices.Contains(off, k.Kind)})
	}
	return out, nil
}

// MailPreferences lists the kinds of messages that concern a person and
// whether they receive each.
func (s *Store) MailPreferences(ctx context.Context, userID int64) ([]passnum.MailPreference, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActMailPreferences); err != nil {
		return nil, err
	}
	var out []passnum.MailPreference
	err := s.read(ctx, func(tx *tx) error {
		u, err := tx.findUser(userID)
		if err != nil {
			return err
		}
		if !mayManageMailOf(a, u) {
			return notFound("user", userID)
		}
		out, err = tx.mailPreferences(u)
		return err
	})
	return out, wrapf(err, "mail preferences of user %d", userID)
}

// SetMailPreferences turns off the kinds in off, which must concern the
// person and may be turned off, and turns on the others.
func (s *Store) SetMailPreferences(ctx context.Context, userID int64, off []passnum.MailKind) ([]passnum.MailPreference, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActMailPreferences); err != nil {
		return nil, err
	}
	var out []passnum.MailPreference
	err := s.write(ctx, "set mail preferences", func(tx *tx) error {
		u, err := tx.findUser(userID)
		if err != nil {
			return err
		}
		if !mayManageMailOf(a, u) {
			return notFound("user", userID)
		}
		kinds := passnum.MailKindsFor(u.Memberships)
		for _, k := range off {
			i := slices.IndexFunc(kinds, func(info passnum.MailKindInfo) bool { return info.Kind == k })
			switch {
			case i < 0:
				return passnum.Invalid("off", "Type de message inconnu ou qui ne vous concerne pas : %q.", k)
			case kinds[i].Required:
				return passnum.Invalid("off", "« %s » ne peut pas être désactivé : ces messages servent à la sécurité de votre compte ou vous demandent d'agir.", kinds[i].Label)
			}
		}
		slices.Sort(off)
		off = slices.Compact(off)
		if err := tx.exec(`DELETE FROM mail_opt_outs WHERE user_id = ?`, userID); err != nil {
			return err
		}
		names := make([]string, len(off))
		for i, k := range off {
			if err := tx.exec(`INSERT INTO mail_opt_outs (user_id, kind, created_at) VALUES (?, ?, ?)`, userID, k, tx.nowText()); err != nil {
				return err
			}
			names[i] = string(k)
		}
		if err := tx.audit("user.mail_preferences", fmt.Sprintf("user:%d", userID), "off: "+strings.Join(names, " ")); err != nil {
			return err
		}
		out, err = tx.mailPreferences(u)
		return err
	})
	return out, wrapf(err, "mail preferences of user %d", userID)
}
