package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestWeakPasswordsRefused: creating an account or applying as a venue
// with a password that is easy to guess answers 400 weak-password, saying
// why on the password's field.
func TestWeakPasswordsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		a := newAPI(t, env)
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2})
		op := a.operatorToken()
		for password, says := range map[string]string{
			"aaaaaaaaaaaa":      "répète un même caractère",
			"abcdefghijkl":      "suite simple",
			"password1234":      "plus courants",
			"Inès Martin 2027!": "votre nom (« Inès »)",
		} {
			p := a.do(op, "POST", "/api/v1/users", map[string]any{"email": "ines@vitre.example", "name": "Inès Martin", "password": password,
				"org_id": f.Venue.ID, "role": "agent"}).problem(http.StatusBadRequest, passnum.ReasonWeakPassword)
			if p.Field != "password" || !strings.Contains(p.Detail, says) || strings.Contains(p.Detail, password) {
				t.Errorf("user with %q: %+v, want password saying %q", password, p, says)
			}
			app := application("00000000000000", "ines@vitre.example") // a SIRET whose check digit holds
			app["admin_password"] = password
			p = a.do("", "POST", "/api/v1/venue-applications", app).problem(http.StatusBadRequest, passnum.ReasonWeakPassword)
			found := false
			for _, e := range p.Errors {
				found = found || e.Field == "admin_password" && strings.Contains(e.Message, says)
			}
			if !found {
				t.Errorf("application with %q: %+v, want admin_password saying %q", password, p.Errors, says)
			}
		}
		if _, err := env.Store.FindUserByEmail(storetest.As(f.Operator), "ines@vitre.example"); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Errorf("an account was created: %v", err)
		}
	})
}
