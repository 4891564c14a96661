package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// mailLink returns the token of the newest link to path in a message of
// kind to an address, read from the outbox as its operator's admins can.
func mailLink(t *testing.T, s *site, to string, kind passnum.MailKind, path string) string {
	t.Helper()
	msgs, _, err := s.env.Store.ListOutbox(storetest.As(s.f.Operator), passnum.OutboxFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.To == to && m.Kind == kind {
			if token := passnum.LinkToken(m.Body, path); token != "" {
				return token
			}
		}
	}
	t.Fatalf("no message %s to %s with a link to %s", kind, to, path)
	return ""
}

// countMails counts the messages of kind to an address.
func countMails(t *testing.T, s *site, to string, kind passnum.MailKind) int {
	t.Helper()
	msgs, _, err := s.env.Store.ListOutbox(storetest.As(s.f.Operator), passnum.OutboxFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.To == to && m.Kind == kind {
			n++
		}
	}
	return n
}

// TestInvitationPages: an administrator invites a person, who chooses a
// password from the link and signs in; a pending invitation is sent
// again from the members' list; an expired one says so and how to get a
// new link.
func TestInvitationPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		orgPage := fmt.Sprintf("/operateur/organisations/%d", s.f.Venue.ID)
		if a := s.get(op, orgPage); strings.Contains(a.body, `name="password"`) || !strings.Contains(a.text(), "Inviter la personne") {
			t.Errorf("the member form still asks a password, or does not invite:\n%s", a.text())
		}
		a := s.post(op, orgPage+"/membres", url.Values{"name": {"Noé Martin"}, "email": {"noe.martin@example.fr"}, "role": {"agent"}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "Invitation envoyée à Noé Martin (noe.martin@example.fr)") {
			t.Fatalf("invite: %d %q\n%.400s", a.status, a.flash(), a.text())
		}
		says(t, "the organisation's page", s.get(op, orgPage).text(), []string{"Noé Martin", "Invitation en attente", "Renvoyer l'invitation à Noé Martin"}, nil)
		token := mailLink(t, s, "noe.martin@example.fr", passnum.MailAccountInvited, passnum.InvitationPath)
		page := passnum.InvitationPath + "?jeton=" + token
		says(t, "the invitation page", s.get(anonymous, page).text(),
			[]string{"Bonjour Noé Martin, Camille operator vous invite à rejoindre " + s.f.Venue.Name, "en tant qu'agent", "noe.martin@example.fr", "Activer mon compte"}, nil)
		form := func(pw, confirm string) url.Values {
			return url.Values{"token": {token}, "password": {pw}, "confirm": {confirm}}
		}
		bad := []struct {
			name        string
			form        url.Values
			field, says string
		}{
			{"different confirmation", form("trois pommes vertes sur la table", "trois pommes"), "confirm", "pas identiques"},
			{"weak", form("azertyuiopqs", "azertyuiopqs"), "password", "suite simple"},
			{"with the name", form("Noé Martin 1990 !", "Noé Martin 1990 !"), "password", "votre nom"},
		}
		for _, b := range bad {
			a := s.post(anonymous, passnum.InvitationPath, b.form)
			if a.status != http.StatusBadRequest || !contains(errorLinks(a), b.field) || !strings.Contains(a.text(), b.says) {
				t.Errorf("%s: %d %v\n%.500s", b.name, a.status, errorLinks(a), a.text())
			}
			if strings.Contains(a.body, b.form.Get("password")) {
				t.Errorf("%s: the page shows the password back", b.name)
			}
		}
		if _, cookie := s.login("noe.martin@example.fr", "trois pommes vertes sur la table"); cookie != nil {
			t.Fatal("signed in before accepting")
		}
		a = s.post(anonymous, passnum.InvitationPath, form("trois pommes vertes sur la table", "trois pommes vertes sur la table"))
		if a.status != http.StatusSeeOther || a.header.Get("Location") != "/connexion" || !strings.Contains(a.flash(), "Votre compte est activé") {
			t.Fatalf("accept: %d %q\n%.500s", a.status, a.flash(), a.text())
		}
		if _, cookie := s.login("noe.martin@example.fr", "trois pommes vertes sur la table"); cookie == nil {
			t.Fatal("cannot sign in after accepting")
		}
		says(t, "the used link", s.get(anonymous, page).text(), []string{"Ce lien a déjà servi", "Recevoir un nouveau lien"}, []string{"Activer mon compte"})
		says(t, "the organisation's page", s.get(op, orgPage).text(), []string{"Activé"}, nil)
		if a := s.post(op, orgPage+"/membres", url.Values{"name": {"X"}, "email": {"pas-une-adresse"}, "role": {"agent"}}); a.status != http.StatusBadRequest || !contains(errorLinks(a), "email") {
			t.Errorf("bad member: %d %v", a.status, errorLinks(a))
		}

		// The venue's admin invites from its team page, and sends again.
		venue := s.as(passnum.KindVenue, passnum.RoleAdmin)
		if a := s.post(venue, "/lieu/equipe", url.Values{"name": {"Léa Morel"}, "email": {"lea.morel@example.fr"}, "role": {"admin"}}); a.status != http.StatusSeeOther {
			t.Fatalf("venue invites: %d\n%.400s", a.status, a.text())
		}
		first := mailLink(t, s, "lea.morel@example.fr", passnum.MailAccountInvited, passnum.InvitationPath)
		lea, err := env.Store.FindUserByEmail(storetest.As(s.f.Operator), "lea.morel@example.fr")
		if err != nil {
			t.Fatal(err)
		}
		if a := s.post(venue, fmt.Sprintf("/lieu/equipe/%d/invitation", lea.ID), nil); a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "nouvelle invitation") {
			t.Fatalf("resend: %d %q", a.status, a.flash())
		}
		if n := countMails(t, s, "lea.morel@example.fr", passnum.MailAccountInvited); n != 2 {
			t.Errorf("%d invitations, want 2", n)
		}
		says(t, "the replaced link", s.get(anonymous, passnum.InvitationPath+"?jeton="+first).text(), []string{"Un lien plus récent vous a été envoyé"}, []string{"Activer mon compte"})
		// Another venue's admin cannot.
		if a := s.post(venue, fmt.Sprintf("/lieu/equipe/%d/invitation", s.f.Venue2.ID+1000), nil); a.status != http.StatusNotFound {
			t.Errorf("resend to nobody: %d", a.status)
		}

		// Expired: the page says when, and gives the way to a new link.
		env.Clock.Advance(passnum.InvitationLifetime + time.Hour)
		second := mailLink(t, s, "lea.morel@example.fr", passnum.MailAccountInvited, passnum.InvitationPath)
		a = s.get(anonymous, passnum.InvitationPath+"?jeton="+second)
		says(t, "the expired link", a.text(), []string{"Cette invitation a expiré le", "demandez à Camille venue de vous inviter de nouveau", "Recevoir un nouveau lien"}, []string{"Activer mon compte"})
		if !strings.Contains(a.body, `value="lea.morel@example.fr"`) {
			t.Error("the new link form does not hold the address")
		}
		a = s.post(anonymous, passnum.InvitationPath, url.Values{"token": {second}, "password": {"trois pommes vertes sur la table"}, "confirm": {"trois pommes vertes sur la table"}})
		if a.status != http.StatusBadRequest || !strings.Contains(a.text(), "a expiré") {
			t.Errorf("accepting an expired link: %d\n%.400s", a.status, a.text())
		}
		if a := s.get(anonymous, passnum.InvitationPath+"?jeton=nimporte-quoi"); !strings.Contains(a.text(), "Ce lien n'est pas reconnu") {
			t.Errorf("unknown link:\n%s", a.text())
		}
	})
}

// TestNewLinkAndUnconfirmedLogin: an applicant who signs in before
// confirming is told so and offered a new link; the new-link page says
// the same for every address and is limited per address.
func TestNewLinkAndUnconfirmedLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		form := application(3)
		if a := s.post(anonymous, "/candidature", form); a.status != http.StatusSeeOther {
			t.Fatalf("application: %d\n%.600s", a.status, a.text())
		}
		email, pw := form.Get("admin_email"), form.Get("admin_password")
		a, cookie := s.login(email, pw)
		if cookie != nil || a.status != http.StatusUnauthorized {
			t.Fatalf("signed in before confirming: %d", a.status)
		}
		says(t, "the login page", a.text(), []string{"Votre adresse électronique n'est pas encore confirmée", "Recevoir un nouveau lien de confirmation"}, nil)
		if a, _ := s.login(email, pw+"x"); strings.Contains(a.text(), "pas encore confirmée") || strings.Contains(a.text(), "Recevoir un nouveau lien de confirmation") {
			t.Errorf("a wrong password learns the address waits:\n%s", a.text())
		}
		sent := func() int { return countMails(t, s, email, passnum.MailConfirmAddress) }
		if n := sent(); n != 1 {
			t.Fatalf("%d confirmations after applying, want 1", n)
		}
		answer := func(address string) string {
			t.Helper()
			a := s.post(anonymous, passnum.NewLinkPath, url.Values{"email": {address}})
			if a.status != http.StatusOK {
				t.Fatalf("new link for %q: %d", address, a.status)
			}
			return a.text()
		}
		want := answer(email)
		if n := sent(); n != 2 {
			t.Errorf("%d confirmations after asking, want 2", n)
		}
		for _, other := range []string{"personne@example.fr", "operator.admin@example.fr"} {
			if got := answer(other); got != want {
				t.Errorf("the page differs for %s:\n%s\n%s", other, got, want)
			}
		}
		for range 5 {
			answer(email)
		}
		if n := sent(); n != 1+3 {
			t.Errorf("%d confirmations, want at most 3 asked per hour", n)
		}
		if a := s.post(anonymous, passnum.NewLinkPath, url.Values{"email": {""}}); a.status != http.StatusBadRequest {
			t.Errorf("empty address: %d", a.status)
		}
		// The link's page confirms on a button, not on opening.
		token := mailLink(t, s, email, passnum.MailConfirmAddress, passnum.ConfirmAddressPath)
		says(t, "the confirmation page", s.get(anonymous, passnum.ConfirmAddressPath+"?jeton="+token).text(), []string{"Confirmer mon adresse", email}, nil)
		if _, cookie := s.login(email, pw); cookie != nil {
			t.Fatal("opening the link confirmed the address")
		}
		a = s.post(anonymous, passnum.ConfirmAddressPath, url.Values{"token": {token}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "est confirmée") {
			t.Fatalf("confirm: %d %q\n%.400s", a.status, a.flash(), a.text())
		}
		if _, cookie := s.login(email, pw); cookie == nil {
			t.Fatal("cannot sign in after confirming")
		}
	})
}

// TestMailPreferencesPage: every signed-in person reaches "Mes e-mails"
// from the account menu; the optional kinds of their organisation are
// boxes to tick, the required ones listed as always sent.
func TestMailPreferencesPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		venue := s.as(passnum.KindVenue, passnum.RoleAgent)
		if a := s.get(venue, "/lieu"); !strings.Contains(a.body, `href="/compte/courriels"`) {
			t.Error("the account menu has no link to the preferences")
		}
		a := s.get(venue, passnum.MailPreferencesPath)
		says(t, "the preferences", a.text(), []string{"Mes e-mails", "Relevé validé, puis payé", "Messages toujours envoyés", "Réinitialisation du mot de passe", "ne peuvent pas être désactivés"},
			[]string{"Appel de fonds mensuel", "Message d'essai"})
		if !strings.Contains(a.body, `name="on" value="settlement.statement" checked`) {
			t.Errorf("the statements box is not ticked:\n%s", a.body)
		}
		a = s.post(venue, passnum.MailPreferencesPath, url.Values{"shown": {"settlement.statement"}})
		if a.status != http.StatusSeeOther || a.flash() != "Vos choix sont enregistrés." {
			t.Fatalf("save: %d %q", a.status, a.flash())
		}
		if a := s.get(venue, passnum.MailPreferencesPath); strings.Contains(a.body, `value="settlement.statement" checked`) {
			t.Error("the statements box is still ticked")
		}
		a = s.post(venue, passnum.MailPreferencesPath, url.Values{"shown": {"account.password_reset"}})
		if a.status != http.StatusBadRequest || !strings.Contains(a.text(), "ne peut pas être désactivé") {
			t.Errorf("turning off a required kind: %d\n%.400s", a.status, a.text())
		}
		// A funder sees its own kinds.
		funder := s.as(passnum.KindFunder, passnum.RoleAdmin)
		says(t, "a funder's preferences", s.get(funder, passnum.MailPreferencesPath).text(), []string{"Appel de fonds mensuel", "Pass qui expirent dans les 30 jours"}, []string{"Relevé validé"})
		if a := s.get(anonymous, passnum.MailPreferencesPath); a.status != http.StatusSeeOther {
			t.Errorf("without a session: %d", a.status)
		}
	})
}
