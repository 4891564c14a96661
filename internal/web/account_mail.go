package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// The pages of account links (invitations, address confirmations, new
// links) and of a person's e-mail preferences. The links' pages show what
// the link does and act only on a form sent from them: a mail scanner that
// opens every link of a message confirms nothing.

// linkPage is what the page of an invitation or a confirmation shows.
type linkPage struct {
	Link *passnum.AccountLink
	// Dead says why the link no longer works, and what to do.
	Dead string
}

// findLink reads the link of a page's token; a dead link is told on the
// page, not as an error page, with the way to get a new one.
func (s *Server) findLink(r *http.Request, v *view, token string, purpose passnum.AccountLinkPurpose) (*linkPage, error) {
	v.Form.Set("token", token)
	d := &linkPage{}
	l, err := s.svc.FindAccountLink(r.Context(), token)
	switch {
	case passnum.ErrorCode(err) == passnum.EINTERNAL:
		return nil, err
	case err != nil:
		d.Dead = passnum.ErrorMessage(err)
	case l.Purpose != purpose:
		d.Dead = "Ce lien n'est pas reconnu : copiez l'adresse entière reçue par courriel, ou demandez un nouveau lien."
	default:
		d.Link, d.Dead = l, l.DeadReason()
	}
	return d, nil
}

func (s *Server) invitationForm(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Activer votre compte", nil)
	d, err := s.findLink(r, v, r.URL.Query().Get("jeton"), passnum.LinkInvitation)
	if err != nil {
		return err
	}
	v.Data = d
	return s.render(w, r, http.StatusOK, "account_invitation", v)
}

// acceptInvitation sets the password of an invited account.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Activer votre compte", nil)
	token, password := r.PostForm.Get("token"), r.PostForm.Get("password")
	d, err := s.findLink(r, v, token, passnum.LinkInvitation)
	if err != nil {
		return err
	}
	v.Data = d
	if d.Dead != "" {
		return s.render(w, r, http.StatusBadRequest, "account_invitation", v)
	}
	if password != r.PostForm.Get("confirm") {
		v.addError("confirm", "Les deux mots de passe ne sont pas identiques : tapez-les de nouveau.")
		return s.render(w, r, http.StatusBadRequest, "account_invitation", v)
	}
	u, err := s.svc.AcceptInvitation(r.Context(), token, password)
	if err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		v.addServiceError(err, map[string]string{"token": ""})
		return s.render(w, r, errStatus(err), "account_invitation", v)
	}
	s.setFlash(w, "success", "Votre compte est activé. Connectez-vous avec votre adresse "+u.Email+" et le mot de passe que vous venez de choisir.")
	http.Redirect(w, r, "/connexion", http.StatusSeeOther)
	return nil
}

func (s *Server) confirmationForm(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Confirmer votre adresse", nil)
	d, err := s.findLink(r, v, r.URL.Query().Get("jeton"), passnum.LinkConfirmAddress)
	if err != nil {
		return err
	}
	v.Data = d
	return s.render(w, r, http.StatusOK, "account_confirmation", v)
}

// confirmAddress confirms the address of an account with its link.
func (s *Server) confirmAddress(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Confirmer votre adresse", nil)
	token := r.PostForm.Get("token")
	d, err := s.findLink(r, v, token, passnum.LinkConfirmAddress)
	if err != nil {
		return err
	}
	v.Data = d
	if d.Dead != "" {
		return s.render(w, r, http.StatusBadRequest, "account_confirmation", v)
	}
	u, err := s.svc.ConfirmAddress(r.Context(), token)
	if err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		v.addServiceError(err, map[string]string{"token": ""})
		return s.render(w, r, errStatus(err), "account_confirmation", v)
	}
	s.setFlash(w, "success", "Votre adresse "+u.Email+" est confirmée. Connectez-vous avec le mot de passe que vous avez choisi.")
	http.Redirect(w, r, "/connexion", http.StatusSeeOther)
	return nil
}

func (s *Server) newLinkForm(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Recevoir un nouveau lien", map[string]any{"Sent": false})
	v.Form.Set("email", strings.ToLower(strings.TrimSpace(r.URL.Query().Get("adresse"))))
	return s.render(w, r, http.StatusOK, "account_new_link", v)
}

// newLink sends a new invitation or confirmation link to an address whose
// account cannot sign in yet. As "forgotten password", the page says the
// same whether or not the address has such an account, and the requests
// are limited per address and per client network.
func (s *Server) newLink(w http.ResponseWriter, r *http.Request) error {
	return s.sendLink(w, r, "account_new_link", "Recevoir un nouveau lien", s.linkByEmail, s.linkByNet, func(email string) error {
		return s.svc.RequestAccountLink(r.Context(), email)
	})
}

// mailPreferencesPage lists the messages that concern the person.
type mailPreferencesPage struct {
	Preferences []passnum.MailPreference
}

func (s *Server) mailPreferences(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Mes e-mails", nil)
	prefs, err := s.svc.MailPreferences(r.Context(), visitorFrom(r).Info.User.ID)
	if err != nil {
		return err
	}
	v.Data = &mailPreferencesPage{Preferences: prefs}
	return s.render(w, r, http.StatusOK, "mail_preferences", v)
}

// saveMailPreferences turns off the optional kinds left unticked: the form
// sends the kinds to receive, and lists every optional kind it showed in
// "shown", so that a kind added to the catalogue after the page was drawn
// is not turned off by a form that did not show it.
func (s *Server) saveMailPreferences(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	var off []passnum.MailKind
	for _, k := range f["shown"] {
		if !slices.Contains(f["on"], k) {
			off = append(off, passnum.MailKind(k))
		}
	}
	userID := visitorFrom(r).Info.User.ID
	if _, err := s.svc.SetMailPreferences(r.Context(), userID, off); err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		v := s.newView(r, "Mes e-mails", nil)
		prefs, lerr := s.svc.MailPreferences(r.Context(), userID)
		if lerr != nil {
			return lerr
		}
		v.Data = &mailPreferencesPage{Preferences: prefs}
		v.addServiceError(err, map[string]string{"off": ""})
		return s.render(w, r, errStatus(err), "mail_preferences", v)
	}
	return s.redirect(w, r, passnum.MailPreferencesPath, "Vos choix sont enregistrés.")
}

// resendInvitation sends a member of an organisation a new invitation,
// from the operator's page of the organisation.
func (s *Server) resendInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Organisation")
	if err != nil {
		return err
	}
	userID, err := pathID(r, "user", "Personne")
	if err != nil {
		return err
	}
	if err := s.svc.ResendInvitation(r.Context(), id, userID); err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/organisations/%d#membres", id), "Une nouvelle invitation est envoyée ; les liens envoyés avant ne fonctionnent plus.")
}

// ownResendInvitation is resendInvitation from the venue's team page.
func (s *Server) ownResendInvitation(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.ownView(r, "Équipe", "equipe")
	if err != nil {
		return err
	}
	if !d.IsAdmin {
		return s.adminOnly(w, r, v)
	}
	userID, err := pathID(r, "user", "Personne")
	if err != nil {
		return err
	}
	if err := s.svc.ResendInvitation(r.Context(), d.Org.ID, userID); err != nil {
		return err
	}
	return s.redirect(w, r, "/lieu/equipe", "Une nouvelle invitation est envoyée ; les liens envoyés avant ne fonctionnent plus.")
}

// invitedMessage tells an administrator what happens after an invitation.
func invitedMessage(u *passnum.User) string {
	return fmt.Sprintf("Invitation envoyée à %s (%s) : elle choisira son mot de passe avec le lien reçu, valable %s. "+
		"Tant qu'elle ne l'a pas fait, vous pouvez renvoyer l'invitation depuis la liste des membres.", u.Name, u.Email, frenchDays(passnum.InvitationLifetime))
}

// frenchDays writes a whole number of days: "7 jours".
func frenchDays(d time.Duration) string {
	if n := int(d / (24 * time.Hour)); n != 1 {
		return fmt.Sprintf("%d jours", n)
	}
	return "1 jour"
}
