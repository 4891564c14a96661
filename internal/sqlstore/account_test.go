package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// sentMail is a message of the outbox, as read from its table.
type sentMail struct{ to, kind, subject, body string }

// mailsTo returns the messages to an address, oldest first.
func mailsTo(t *testing.T, env *st.Env, to string) []sentMail {
	t.Helper()
	rows, err := sqlstore.QueryStrings(env.Store, `SELECT recipient || '|' || kind || '|' || subject || '|' || body FROM outbox WHERE recipient = ? ORDER BY id`, to)
	if err != nil {
		t.Fatal(err)
	}
	var out []sentMail
	for _, r := range rows {
		p := strings.SplitN(r, "|", 4)
		out = append(out, sentMail{p[0], p[1], p[2], p[3]})
	}
	return out
}

// lastMail returns the newest message of kind to an address, failing the
// test if there is none.
func lastMail(t *testing.T, env *st.Env, to string, kind passnum.MailKind) sentMail {
	t.Helper()
	m := mailsTo(t, env, to)
	for i := len(m) - 1; i >= 0; i-- {
		if m[i].kind == string(kind) {
			return m[i]
		}
	}
	t.Fatalf("messages to %s: %+v, none of kind %s", to, m, kind)
	return sentMail{}
}

// mustSay fails unless the text holds each of the words.
func mustSay(t *testing.T, what, text string, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("%s does not say %q:\n%s", what, w, text)
		}
	}
}

// adminOf returns an administrator of org with an account, acting.
func adminOf(t *testing.T, env *st.Env, f *st.Fixture, org *passnum.Organisation, email, name string) context.Context {
	t.Helper()
	u := newUser(t, env, f, email, name, org, passnum.RoleAdmin)
	return st.As(&passnum.Actor{UserID: u.ID, OrgID: org.ID, OrgKind: org.Kind, Role: passnum.RoleAdmin, Label: fmt.Sprintf("user:%d", u.ID)})
}

func TestInvitation(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, public := env.Store, context.Background()
		s.SetPublicURL("https://pass.example.fr/")
		claire := adminOf(t, env, f, f.Venue, "claire@lieu.example", "Claire Martin")

		u, err := s.CreateUser(claire, passnum.UserCreate{Email: " Noe.Martin@Lieu.example ", Name: "Noé Martin", OrgID: f.Venue.ID, Role: passnum.RoleAgent})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "noe.martin@lieu.example" || u.ConfirmedAt != nil {
			t.Fatalf("invited account %+v: want the address normalised and not confirmed", u)
		}
		m := lastMail(t, env, "noe.martin@lieu.example", passnum.MailAccountInvited)
		mustSay(t, "the invitation", m.subject, "Invitation", f.Venue.Name)
		mustSay(t, "the invitation", m.body, "Bonjour Noé Martin", "Claire Martin vous invite à rejoindre "+f.Venue.Name, "en tant qu'agent",
			"choisissez votre mot de passe", "https://pass.example.fr/compte/invitation?jeton=", "une seule fois, pendant 7 jours",
			"(noe.martin@lieu.example)", "https://pass.example.fr/compte/nouveau-lien")
		token := passnum.LinkToken(m.body, passnum.InvitationPath)
		if len(token) != 52 {
			t.Fatalf("token %q in %s", token, m.body)
		}
		// Without a password, nothing opens the account.
		for _, pw := range []string{"", "correct horse battery staple"} {
			if _, err := s.AuthenticatePassword(public, u.Email, pw); passnum.ErrorReason(err) != passnum.ReasonBadCredentials {
				t.Errorf("sign-in with %q before accepting: %v, want bad-credentials", pw, err)
			}
		}
		l, err := s.FindAccountLink(public, token)
		if err != nil || l.Purpose != passnum.LinkInvitation || l.InvitedBy != "Claire Martin" || l.OrgName != f.Venue.Name ||
			l.Role != passnum.RoleAgent || l.Email != u.Email || l.Expired || l.Used || l.Replaced {
			t.Fatalf("link %+v %v", l, err)
		}
		if _, err := s.ConfirmAddress(public, token); passnum.ErrorReason(err) != passnum.ReasonAccountLinkInvalid {
			t.Errorf("an invitation used as a confirmation: %v", err)
		}
		tests := []struct {
			name, token, password, reason string
		}{
			{"weak password", token, "noemartin123", passnum.ReasonWeakPassword},
			{"password with the name", token, "Noé Martin 2027 !", passnum.ReasonWeakPassword},
			{"unknown token", strings.Repeat("a", 52), "trois pommes vertes sur la table", passnum.ReasonAccountLinkInvalid},
			{"empty token", "", "trois pommes vertes sur la table", passnum.ReasonAccountLinkInvalid},
		}
		for _, tt := range tests {
			if _, err := s.AcceptInvitation(public, tt.token, tt.password); passnum.ErrorReason(err) != tt.reason {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.reason)
			}
		}
		got, err := s.AcceptInvitation(public, token, "trois pommes vertes sur la table")
		if err != nil || got.ConfirmedAt == nil || !got.ConfirmedAt.Equal(st.Start) {
			t.Fatalf("accepted: %+v %v", got, err)
		}
		if in, err := s.AuthenticatePassword(public, u.Email, "trois pommes vertes sur la table"); err != nil || in.ID != u.ID {
			t.Fatalf("sign-in after accepting: %v", err)
		}
		if _, err := s.AcceptInvitation(public, token, "un autre mot de passe bien long"); passnum.ErrorReason(err) != passnum.ReasonAccountLinkInvalid ||
			!strings.Contains(passnum.ErrorMessage(err), "déjà servi") {
			t.Errorf("second acceptance: %v", err)
		}
		if err := s.ResendInvitation(claire, f.Venue.ID, u.ID); passnum.ErrorReason(err) != passnum.ReasonInvitationAccepted {
			t.Errorf("resending an accepted invitation: %v", err)
		}
		audit := auditText(t, env)
		mustSay(t, "the audit trail", audit, "user.invite", "user.invitation_accepted")
		if strings.Contains(audit, token) || strings.Contains(audit, "trois pommes") {
			t.Error("the audit trail holds the token or the password")
		}
	})
}

func TestInvitationExpiredResent(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, public := env.Store, context.Background()
		claire := adminOf(t, env, f, f.Venue, "claire@lieu.example", "Claire Martin")
		u, err := s.CreateUser(claire, passnum.UserCreate{Email: "lea@lieu.example", Name: "Léa Morel", OrgID: f.Venue.ID, Role: passnum.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		first := passnum.LinkToken(lastMail(t, env, u.Email, passnum.MailAccountInvited).body, passnum.InvitationPath)
		mustSay(t, "the invitation", lastMail(t, env, u.Email, passnum.MailAccountInvited).body, "en tant qu'administrateur")
		env.Clock.Advance(passnum.InvitationLifetime + time.Minute)
		l, err := s.FindAccountLink(public, first)
		if err != nil || !l.Expired || l.Used {
			t.Fatalf("expired link %+v %v", l, err)
		}
		_, err = s.AcceptInvitation(public, first, "trois pommes vertes sur la table")
		if passnum.ErrorReason(err) != passnum.ReasonAccountLinkInvalid {
			t.Fatalf("expired invitation accepted: %v", err)
		}
		mustSay(t, "the refusal", passnum.ErrorMessage(err), "a expiré le", "demandez un nouveau lien", "Claire Martin")

		// Who may resend: the organisation's admins and the operator's.
		other := st.As(st.Actor(f.Venue2, passnum.RoleAdmin))
		agent := st.As(st.Actor(f.Venue, passnum.RoleAgent))
		for name, c := range map[string]struct {
			ctx    context.Context
			org    int64
			reason string
		}{
			"another venue's admin":     {other, f.Venue.ID, passnum.ReasonForbidden},
			"an agent":                  {agent, f.Venue.ID, passnum.ReasonForbidden},
			"an organisation not yours": {other, f.Venue2.ID, passnum.ReasonNotFound},
		} {
			if err := s.ResendInvitation(c.ctx, c.org, u.ID); passnum.ErrorReason(err) != c.reason {
				t.Errorf("%s: %v, want %s", name, err, c.reason)
			}
		}
		if n := len(mailsTo(t, env, u.Email)); n != 1 {
			t.Fatalf("%d messages after refusals, want 1", n)
		}
		if err := s.ResendInvitation(st.As(f.Operator), f.Venue.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		m := lastMail(t, env, u.Email, passnum.MailAccountInvited)
		mustSay(t, "the new invitation", m.body, "vous invite à rejoindre "+f.Venue.Name, "en tant qu'administrateur")
		second := passnum.LinkToken(m.body, passnum.InvitationPath)
		// The person asks for a link themselves: a third one, which makes
		// the second stop working.
		if err := s.RequestAccountLink(public, " LEA@lieu.example"); err != nil {
			t.Fatal(err)
		}
		third := passnum.LinkToken(lastMail(t, env, u.Email, passnum.MailAccountInvited).body, passnum.InvitationPath)
		if third == "" || third == second {
			t.Fatalf("no new link: %q %q", second, third)
		}
		if l, err := s.FindAccountLink(public, second); err != nil || !l.Replaced || l.Used {
			t.Errorf("the replaced link: %+v %v", l, err)
		}
		if _, err := s.AcceptInvitation(public, third, "trois pommes vertes sur la table"); err != nil {
			t.Fatal(err)
		}
		// Addresses that need no link get none, and the answer is the same.
		for _, email := range []string{"lea@lieu.example", "nobody@lieu.example", "claire@lieu.example", ""} {
			before := len(mailsTo(t, env, email))
			if err := s.RequestAccountLink(public, email); err != nil {
				t.Errorf("%q: %v", email, err)
			}
			if n := len(mailsTo(t, env, email)); n != before {
				t.Errorf("%q: %d messages, want %d", email, n, before)
			}
		}
	})
}

// TestInvitationRace: two acceptances of one invitation at once (two
// servers, a double click): one password wins, the other is refused.
func TestInvitationRace(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s := env.Store
		u, err := s.CreateUser(st.As(f.Operator), passnum.UserCreate{Email: "sam@lieu.example", Name: "Sam Petit", OrgID: f.Venue.ID, Role: passnum.RoleAgent})
		if err != nil {
			t.Fatal(err)
		}
		token := passnum.LinkToken(lastMail(t, env, u.Email, passnum.MailAccountInvited).body, passnum.InvitationPath)
		passwords := []string{"trois pommes vertes sur la table", "quatre poires jaunes dans le panier"}
		errs := make([]error, len(passwords))
		var wg sync.WaitGroup
		for i, pw := range passwords {
			wg.Go(func() { _, errs[i] = s.AcceptInvitation(context.Background(), token, pw) })
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won < 0:
				won = i
			case err == nil:
				t.Fatal("both acceptances succeeded")
			case passnum.ErrorReason(err) != passnum.ReasonAccountLinkInvalid:
				t.Errorf("loser: %v", err)
			}
		}
		if won < 0 {
			t.Fatalf("no acceptance succeeded: %v", errs)
		}
		if _, err := s.AuthenticatePassword(context.Background(), u.Email, passwords[won]); err != nil {
			t.Errorf("the winner's password: %v", err)
		}
		if _, err := s.AuthenticatePassword(context.Background(), u.Email, passwords[1-won]); err == nil {
			t.Error("the loser's password opens the account")
		}
	})
}

func TestApplicantConfirmsAddress(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, public := env.Store, context.Background()
		s.SetPublicURL("https://pass.example.fr")
		operatorAdmin(t, env, f.Operator)
		const email, pw = "awa@blosne.example", "un mot de passe assez long"
		if _, err := s.ApplyAsVenue(public, application("4411223300001", email)); err != nil {
			t.Fatal(err)
		}
		m := lastMail(t, env, email, passnum.MailConfirmAddress)
		mustSay(t, "the confirmation", m.subject, "Confirmez votre adresse")
		mustSay(t, "the confirmation", m.body, "https://pass.example.fr/compte/confirmation?jeton=", "pendant 2 jours",
			"le mot de passe que vous avez choisi", "https://pass.example.fr/compte/nouveau-lien")
		first := passnum.LinkToken(m.body, passnum.ConfirmAddressPath)
		// The right password is told the address waits; a wrong one is
		// told nothing more than for any address.
		_, err := s.AuthenticatePassword(public, email, pw)
		if passnum.ErrorReason(err) != passnum.ReasonAddressUnconfirmed {
			t.Fatalf("sign-in before confirming: %v", err)
		}
		mustSay(t, "the refusal", passnum.ErrorMessage(err), "pas encore confirmée", "Demandez un nouveau lien")
		if _, err := s.AuthenticatePassword(public, email, pw+"!"); passnum.ErrorReason(err) != passnum.ReasonBadCredentials {
			t.Errorf("wrong password: %v", err)
		}
		if _, _, err := s.Login(public, email, pw); passnum.ErrorReason(err) != passnum.ReasonAddressUnconfirmed {
			t.Errorf("login before confirming: %v", err)
		}
		if err := s.RequestAccountLink(public, email); err != nil {
			t.Fatal(err)
		}
		second := passnum.LinkToken(lastMail(t, env, email, passnum.MailConfirmAddress).body, passnum.ConfirmAddressPath)
		if _, err := s.ConfirmAddress(public, first); passnum.ErrorReason(err) != passnum.ReasonAccountLinkInvalid {
			t.Errorf("the replaced link: %v", err)
		}
		if _, err := s.AcceptInvitation(public, second, "trois pommes vertes sur la table"); passnum.ErrorReason(err) != passnum.ReasonAccountLinkInvalid {
			t.Errorf("a confirmation used as an invitation: %v", err)
		}
		u, err := s.ConfirmAddress(public, second)
		if err != nil || u.ConfirmedAt == nil {
			t.Fatalf("confirm: %+v %v", u, err)
		}
		if _, _, err := s.Login(public, email, pw); err != nil {
			t.Errorf("login after confirming: %v", err)
		}
		if _, err := s.ConfirmAddress(public, second); passnum.ErrorReason(err) != passnum.ReasonAccountLinkInvalid {
			t.Errorf("second confirmation: %v", err)
		}
		mustSay(t, "the audit trail", auditText(t, env), "user.address_confirmed", "user.link_request")
	})
}

func TestAddressInUseMessage(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s := env.Store
		newUser(t, env, f, "camille@quincaillerie.example", "Camille", f.Venue, passnum.RoleAgent)
		if _, err := s.ApplyAsVenue(context.Background(), application("4411223300001", "camille@quincaillerie.example")); err != nil {
			t.Fatal(err)
		}
		ms := mailsTo(t, env, "camille@quincaillerie.example")
		if len(ms) != 1 || ms[0].kind != string(passnum.MailAddressInUse) {
			t.Fatalf("messages %+v: want one, address in use, and no confirmation", ms)
		}
		mustSay(t, "the message", ms[0].subject, "candidature", "votre adresse")
		mustSay(t, "the message", ms[0].body, "Espace numérique du Blosne", "aucun compte n'a été créé", "Mot de passe oublié", "Si ce n'est pas vous")
	})
}

func TestPasswordResetMessage(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, public := env.Store, context.Background()
		// An invited person whose invitation expired may choose a
		// password with a reset link instead: it confirms the address too.
		u, err := s.CreateUser(st.As(f.Operator), passnum.UserCreate{Email: "sam@lieu.example", Name: "Sam Petit", OrgID: f.Venue.ID, Role: passnum.RoleAgent})
		if err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(passnum.InvitationLifetime + time.Hour)
		if err := s.RequestPasswordReset(public, u.Email, "https://pass.example.fr/mot-de-passe/nouveau?jeton="); err != nil {
			t.Fatal(err)
		}
		m := lastMail(t, env, u.Email, passnum.MailPasswordReset)
		mustSay(t, "the reset message", m.subject, "Réinitialiser votre mot de passe")
		mustSay(t, "the reset message", m.body, "Bonjour Sam Petit", "choisir un nouveau mot de passe", "une seule fois, pendant 1 heure",
			"ignorez ce message", "https://pass.example.fr/mot-de-passe/nouveau?jeton=")
		token := passnum.LinkToken(m.body, "/mot-de-passe/nouveau")
		if err := s.ResetPassword(public, token, "trois pommes vertes sur la table"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.AuthenticatePassword(public, u.Email, "trois pommes vertes sur la table"); err != nil || got.ConfirmedAt == nil {
			t.Fatalf("sign-in after reset: %+v %v", got, err)
		}
	})
}

func TestMailPreferences(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s := env.Store
		agent := newUser(t, env, f, "noe@lieu.example", "Noé", f.Venue, passnum.RoleAgent)
		self := st.As(&passnum.Actor{UserID: agent.ID, OrgID: f.Venue.ID, OrgKind: passnum.KindVenue, Role: passnum.RoleAgent, Label: fmt.Sprintf("user:%d", agent.ID)})
		got, err := s.MailPreferences(self, agent.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[passnum.MailKind]passnum.MailPreference{}
		for _, p := range got {
			kinds[p.Kind] = p
		}
		// A venue's person: the account's messages and the venue's, not
		// a funder's nor the operator's.
		want := map[passnum.MailKind]bool{passnum.MailAccountInvited: true, passnum.MailPasswordReset: true, passnum.MailStatementPaid: true,
			passnum.MailVenueQualification: true, passnum.MailFunderDocument: false, passnum.MailRightsRequest: false, passnum.MailTest: false}
		for k, listed := range want {
			if _, ok := kinds[k]; ok != listed {
				t.Errorf("%s listed: %v, want %v", k, ok, listed)
			}
		}
		if p := kinds[passnum.MailAccountInvited]; !p.Required || !p.On {
			t.Errorf("invitations: %+v, want required and on", p)
		}
		if p := kinds[passnum.MailStatementPaid]; p.Required || !p.On {
			t.Errorf("statements: %+v, want optional and on", p)
		}
		bad := []struct {
			name string
			ctx  context.Context
			off  []passnum.MailKind
			code string
		}{
			{"a required kind", self, []passnum.MailKind{passnum.MailPasswordReset}, passnum.EINVALID},
			{"a kind of funders", self, []passnum.MailKind{passnum.MailFunderDocument}, passnum.EINVALID},
			{"an unknown kind", self, []passnum.MailKind{"spam"}, passnum.EINVALID},
			{"another venue's admin", st.As(st.Actor(f.Venue2, passnum.RoleAdmin)), []passnum.MailKind{passnum.MailStatementPaid}, passnum.ENOTFOUND},
			{"a colleague agent", st.As(st.Actor(f.Venue, passnum.RoleAgent)), []passnum.MailKind{passnum.MailStatementPaid}, passnum.ENOTFOUND},
		}
		for _, b := range bad {
			if _, err := s.SetMailPreferences(b.ctx, agent.ID, b.off); passnum.ErrorCode(err) != b.code {
				t.Errorf("%s: %v, want %s", b.name, err, b.code)
			}
		}
		if n, err := sqlstore.QueryStrings(s, `SELECT kind FROM mail_opt_outs`); err != nil || len(n) != 0 {
			t.Fatalf("opt-outs after refusals: %v %v", n, err)
		}
		got, err = s.SetMailPreferences(self, agent.ID, []passnum.MailKind{passnum.MailStatementPaid, passnum.MailStatementPaid})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range got {
			if p.On == (p.Kind == passnum.MailStatementPaid) {
				t.Errorf("after turning statements off: %+v", p)
			}
		}
		if off, err := sqlstore.QueryStrings(s, `SELECT kind FROM mail_opt_outs WHERE user_id = ?`, agent.ID); err != nil || len(off) != 1 || off[0] != string(passnum.MailStatementPaid) {
			t.Errorf("opt-outs %v %v", off, err)
		}
		// The venue's admin may set them too (the API's clients).
		if _, err := s.SetMailPreferences(st.As(st.Actor(f.Venue, passnum.RoleAdmin)), agent.ID, nil); err != nil {
			t.Fatal(err)
		}
		if again, err := s.MailPreferences(self, agent.ID); err != nil || !again[len(again)-1].On {
			t.Errorf("after turning all on: %+v %v", again, err)
		}
		mustSay(t, "the audit trail", auditText(t, env), "user.mail_preferences", "off: settlement.statement")
	})
}

// TestInvitationByProvider: an invited person whose first sign-in is with
// a provider that verified the address has confirmed it; the invitation's
// link then says it served.
func TestInvitationByProvider(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, public := env.Store, context.Background()
		u, err := s.CreateUser(st.As(f.Operator), passnum.UserCreate{Email: "sam@mairie.example", Name: "Sam Petit", OrgID: f.Prescriber.ID, Role: passnum.RoleAgent})
		if err != nil {
			t.Fatal(err)
		}
		token := passnum.LinkToken(lastMail(t, env, u.Email, passnum.MailAccountInvited).body, passnum.InvitationPath)
		_, info, err := s.SignInWithProvider(public, passnum.ProviderIdentity{Issuer: "https://proconnect.example", Subject: "sam-1", Email: "Sam@mairie.example", EmailVerified: true})
		if err != nil || info.User.ConfirmedAt == nil {
			t.Fatalf("sign-in with the provider: %+v %v", info, err)
		}
		if l, err := s.FindAccountLink(public, token); err != nil || !l.Used {
			t.Errorf("the invitation after the provider's sign-in: %+v %v", l, err)
		}
	})
}
