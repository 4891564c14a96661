package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestWeakPasswordsRefused: the service refuses a password that is easy
// to guess wherever one is set, saying why, and creates nothing.
func TestWeakPasswordsRefused(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		s := env.Store
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		op := st.As(f.Operator)
		weak := map[string]string{
			"aaaaaaaaaaaa":         "répète un même caractère",
			"123456789012":         "suite simple",
			"azeazeazeaze":         "même morceau",
			"qwerty123456":         "plus courants",
			"Soleil2024!!":         "très courant avec quelques",
			"Awa Diallo, Rennes":   "votre nom (« Diallo »)",
			"diallo.awa au blosne": "votre nom",
			"awa du blosne 35":     "adresse électronique (« blosne »)",
		}
		for password, says := range weak {
			_, err := s.CreateUser(op, passnum.UserCreate{Email: "awa@blosne.example", Name: "Awa Diallo", Password: password,
				OrgID: f.Venue.ID, Role: passnum.RoleAgent})
			var e *passnum.Error
			if !asError(err, &e) || e.Reason != passnum.ReasonWeakPassword || e.Field != "password" || !strings.Contains(e.Message, says) {
				t.Errorf("CreateUser with %q: %v, want weak-password saying %q", password, err, says)
			}
			a := application("4410239900001", "awa@blosne.example")
			a.AdminPassword = password
			_, err = s.ApplyAsVenue(context.Background(), a)
			if !asError(err, &e) || !strings.Contains(strings.Join(problemFields(err), " "), "admin_password") {
				t.Errorf("ApplyAsVenue with %q: %v, want a problem on admin_password", password, err)
			}
		}
		if _, err := s.FindUserByEmail(op, "awa@blosne.example"); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Errorf("an account was created: %v", err)
		}
		if _, n, err := s.ListVenues(op, passnum.VenueFilter{Qualification: passnum.QualificationPending}); err != nil || n != 0 {
			t.Errorf("%d applications (%v)", n, err)
		}
		if _, err := s.CreateUser(op, passnum.UserCreate{Email: "awa@blosne.example", Name: "Awa Diallo", Password: "Rivière-Tulipe-Marteau-48",
			OrgID: f.Venue.ID, Role: passnum.RoleAgent}); err != nil {
			t.Errorf("a strong password: %v", err)
		}
	})
}
