package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestWeakPasswordsRefused: the forms that set a password (the operator's
// and a venue admin's new accounts, the online application) refuse one
// that is easy to guess, saying why on the field, and create nothing.
func TestWeakPasswordsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		venue := s.as(passnum.KindVenue, passnum.RoleAdmin)
		weak := map[string]string{
			"aaaaaaaaaaaa":       "répète un même caractère",
			"azertyuiopqs":       "suite simple",
			"Motdepasse2024!":    "très courant",
			"Lucie Ferrand 1990": "votre nom (« Lucie »)",
		}
		// Members are invited and choose their password themselves
		// (account_mail_test.go): no administrator types one.
		for _, page := range []struct {
			who  *person
			path string
		}{{op, fmt.Sprintf("/operateur/organisations/%d", s.f.Venue.ID)}, {venue, "/lieu/equipe"}} {
			if a := s.get(page.who, page.path); strings.Contains(a.body, `name="password"`) {
				t.Errorf("%s asks the administrator for a password", page.path)
			}
		}
		forms := []struct {
			who   *person
			path  string
			form  url.Values
			field string
		}{
			{anonymous, "/candidature", func() url.Values {
				a := application(7)
				a.Set("admin_name", "Lucie Ferrand")
				return a
			}(), "admin_password"},
		}
		for _, f := range forms {
			for password, says := range weak {
				form := cloneValues(f.form)
				form.Set(f.field, password)
				a := s.post(f.who, f.path, form)
				if a.status != http.StatusBadRequest || !strings.Contains(a.text(), says) || !strings.Contains(a.body, `id="`+f.field+`"`) {
					t.Errorf("%s with %q: %d, want 400 saying %q: %.400s", f.path, password, a.status, says, a.text())
				}
				if strings.Contains(a.body, password) {
					t.Errorf("%s: the page shows the password %q back", f.path, password)
				}
			}
		}
		if u, err := env.Store.FindUserByEmail(storetest.As(s.f.Operator), "lucie.ferrand@example.fr"); err == nil {
			t.Errorf("an account was created: %+v", u)
		}
		if _, n, err := env.Store.ListVenues(storetest.As(s.f.Operator), passnum.VenueFilter{Qualification: passnum.QualificationPending}); err != nil || n != 0 {
			t.Errorf("%d applications recorded (%v)", n, err)
		}
	})
}
