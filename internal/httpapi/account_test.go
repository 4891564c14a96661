package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestInvitationAPI: without a password, POST /users invites the person;
// with one, the account signs in at once (scripts, as before); a pending
// invitation is sent again, an accepted one refused.
func TestInvitationAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		a := newAPI(t, env)
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2})
		admin := a.token(f.Venue.ID, passnum.RoleAdmin)
		var invited, scripted passnum.User
		a.do(admin, "POST", "/api/v1/users", map[string]any{"email": "ines@vitre.example", "name": "Inès Martin", "org_id": f.Venue.ID, "role": "agent"}).ok(http.StatusCreated, &invited)
		if invited.ConfirmedAt != nil {
			t.Errorf("invited account confirmed: %+v", invited)
		}
		a.do(admin, "POST", "/api/v1/users", map[string]any{"email": "robot@vitre.example", "name": "Compte de service", "password": "trois pommes vertes sur la table",
			"org_id": f.Venue.ID, "role": "agent"}).ok(http.StatusCreated, &scripted)
		if scripted.ConfirmedAt == nil {
			t.Errorf("account with a password not confirmed: %+v", scripted)
		}
		if _, err := env.Store.AuthenticatePassword(context.Background(), "robot@vitre.example", "trois pommes vertes sur la table"); err != nil {
			t.Errorf("the scripted account cannot sign in: %v", err)
		}
		msgs, _, err := env.Store.ListOutbox(storetest.As(f.Operator), passnum.OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var token string
		for _, m := range msgs {
			if m.To == "robot@vitre.example" {
				t.Errorf("the scripted account got a message: %+v", m)
			}
			if m.To == "ines@vitre.example" && m.Kind == passnum.MailAccountInvited {
				token = passnum.LinkToken(m.Body, passnum.InvitationPath)
				if !strings.Contains(m.Body, "Un administrateur de "+f.Venue.Name+" vous invite à rejoindre "+f.Venue.Name) {
					t.Errorf("the invitation does not name who invited:\n%s", m.Body)
				}
			}
		}
		if token == "" {
			t.Fatal("no invitation queued")
		}
		resend := fmt.Sprintf("/api/v1/users/%d/invitation", invited.ID)
		a.do(a.token(f.Venue2.ID, passnum.RoleAdmin), "POST", resend, map[string]any{"org_id": f.Venue.ID}).problem(http.StatusForbidden, passnum.ReasonForbidden)
		a.do(admin, "POST", resend, map[string]any{"org_id": f.Venue.ID}).ok(http.StatusNoContent, nil)
		if _, err := env.Store.AcceptInvitation(context.Background(), token, "trois pommes vertes sur la table"); passnum.ErrorReason(err) != passnum.ReasonAccountLinkInvalid {
			t.Errorf("the link sent before the new one still works: %v", err)
		}
		a.do(admin, "POST", fmt.Sprintf("/api/v1/users/%d/invitation", scripted.ID), map[string]any{"org_id": f.Venue.ID}).problem(http.StatusConflict, passnum.ReasonInvitationAccepted)
		// An applicant chooses a password: none is refused.
		app := application("00000000000000", "awa@vitre.example")
		delete(app, "admin_password")
		p := a.do("", "POST", "/api/v1/venue-applications", app).problem(http.StatusBadRequest, passnum.ReasonWeakPassword)
		found := false
		for _, e := range p.Errors {
			found = found || e.Field == "admin_password"
		}
		if !found {
			t.Errorf("application without a password: %+v", p.Errors)
		}
	})
}

// TestMailPreferencesAPI: an organisation's admins read and set the
// messages of its members; a kind that cannot be turned off is refused.
func TestMailPreferencesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		a := newAPI(t, env)
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2})
		u, err := env.Store.CreateUser(storetest.As(f.Operator), passnum.UserCreate{Email: "ines@vitre.example", Name: "Inès", OrgID: f.Venue.ID, Role: passnum.RoleAgent})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/users/%d/mail-preferences", u.ID)
		admin := a.token(f.Venue.ID, passnum.RoleAdmin)
		var prefs []passnum.MailPreference
		a.do(admin, "GET", path, nil).ok(http.StatusOK, &prefs)
		on := map[passnum.MailKind]bool{}
		for _, p := range prefs {
			on[p.Kind] = p.On
		}
		if !on[passnum.MailStatementPaid] || !on[passnum.MailPasswordReset] {
			t.Fatalf("preferences %+v", prefs)
		}
		a.do(admin, "PUT", path, map[string]any{"off": []string{"settlement.statement"}}).ok(http.StatusOK, &prefs)
		for _, p := range prefs {
			if p.Kind == passnum.MailStatementPaid && p.On {
				t.Error("statements still on")
			}
		}
		p := a.do(admin, "PUT", path, map[string]any{"off": []string{"account.password_reset"}}).problem(http.StatusBadRequest, passnum.ReasonInvalidInput)
		if !strings.Contains(p.Detail, "ne peut pas être désactivé") {
			t.Errorf("problem %+v", p)
		}
		a.do(a.token(f.Venue2.ID, passnum.RoleAdmin), "GET", path, nil).problem(http.StatusNotFound, passnum.ReasonNotFound)
		a.do(a.token(f.Venue.ID, passnum.RoleAgent), "PUT", path, map[string]any{"off": []string{}}).problem(http.StatusNotFound, passnum.ReasonNotFound)
		a.do(a.operatorToken(), "GET", path, nil).ok(http.StatusOK, &prefs)
		a.do(admin, "PUT", path, `{"off": "settlement.statement"}`).problem(http.StatusBadRequest, passnum.ReasonInvalidInput)
	})
}
