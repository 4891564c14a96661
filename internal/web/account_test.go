package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// login goes through the login form as a browser would and returns the
// answer and the session cookie it set.
func (s *site) login(email, password string) (answer, *http.Cookie) {
	s.t.Helper()
	a := s.post(anonymous, "/connexion", url.Values{"email": {email}, "password": {password}})
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if strings.HasSuffix(c.Name, "passnum_session") && c.Value != "" {
			return a, c
		}
	}
	return a, nil
}

// TestLogin: the session cookie is HttpOnly and SameSite, Secure with a
// __Host- name behind https; a person lands on their organisation's page;
// logging out ends the session on the server, not only in the browser.
func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		venue := s.as(passnum.KindVenue, passnum.RoleAgent)
		a, c := s.login(venue.email, venue.password)
		if a.status != http.StatusSeeOther || a.header.Get("Location") != "/lieu" || c == nil {
			t.Fatalf("login: %d to %q, cookie %v\n%s", a.status, a.header.Get("Location"), c, a.text())
		}
		if c.Name != "passnum_session" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
			t.Errorf("session cookie over http: %+v", c)
		}
		p := &person{secret: c.Value}
		if a := s.get(p, "/lieu"); a.status != http.StatusOK || !strings.Contains(a.text(), "Encaisser des pass") {
			t.Fatalf("venue home: %d", a.status)
		}
		// The page asked before logging in is where the person goes after.
		if a := s.post(anonymous, "/connexion", url.Values{"email": {venue.email}, "password": {venue.password}, "suite": {"/lieu/historique"}}); a.header.Get("Location") != "/lieu/historique" {
			t.Errorf("login with suite: to %q", a.header.Get("Location"))
		}
		// …but never another site.
		for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example"} {
			if a := s.post(anonymous, "/connexion", url.Values{"email": {venue.email}, "password": {venue.password}, "suite": {next}}); a.header.Get("Location") != "/lieu" {
				t.Errorf("login with suite %q: to %q", next, a.header.Get("Location"))
			}
		}
		if a := s.post(p, "/deconnexion", nil); a.status != http.StatusSeeOther {
			t.Fatalf("logout: %d", a.status)
		}
		if _, err := env.Store.AuthenticateSession(context.Background(), c.Value); passnum.ErrorCode(err) != passnum.EUNAUTHORIZED {
			t.Errorf("session after logout: %v", err)
		}
		if a := s.get(p, "/lieu"); a.status != http.StatusSeeOther {
			t.Errorf("page after logout: %d", a.status)
		}
		// A wrong password says so, in the error box, and sets no cookie.
		a, c = s.login(venue.email, "pas le bon mot de passe")
		if a.status != http.StatusUnauthorized || c != nil || !strings.Contains(a.text(), "Adresse électronique ou mot de passe incorrect") || !strings.Contains(a.body, `role="alert"`) {
			t.Errorf("bad password: %d %v\n%.400s", a.status, c, a.text())
		}

		// Behind https.
		secure := s.another(Options{BaseURL: "https://pass.example.fr"})
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		a = secure.request(anonymous, "POST", "/connexion", url.Values{"email": {op.email}, "password": {op.password}}, nil)
		var got *http.Cookie
		for _, c := range (&http.Response{Header: a.header}).Cookies() {
			if strings.Contains(c.Name, "session") {
				got = c
			}
		}
		// The anonymous cookie's name is __Host-passnum_csrf there: the
		// test's plain one is refused.
		if a.status != http.StatusForbidden || got != nil {
			t.Errorf("https login with an http cookie: %d %v", a.status, got)
		}
		a = secure.get(nil, "/connexion")
		var anon *http.Cookie
		for _, c := range (&http.Response{Header: a.header}).Cookies() {
			anon = c
		}
		if anon == nil || anon.Name != "__Host-passnum_csrf" || !anon.Secure || !anon.HttpOnly {
			t.Errorf("anonymous cookie over https: %+v", anon)
		}
		if a.header.Get("Strict-Transport-Security") == "" {
			t.Error("no HSTS over https")
		}
	})
}

// TestLoginLimit: after 10 failed logins for an account, even the right
// password is refused for a quarter of an hour; other accounts are not
// affected; and the limit lifts with time.
func TestLoginLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		p := s.as(passnum.KindPrescriber, passnum.RoleAgent)
		for i := range loginLimit {
			if a, _ := s.login(p.email, "essai "+string(rune('a'+i))); a.status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, a.status)
			}
		}
		a, c := s.login(p.email, p.password)
		if a.status != http.StatusTooManyRequests || c != nil || !strings.Contains(a.text(), "Trop de tentatives") || a.header.Get("Retry-After") == "" {
			t.Fatalf("after the limit: %d %v %q\n%.300s", a.status, c, a.header.Get("Retry-After"), a.text())
		}
		other := s.as(passnum.KindVenue, passnum.RoleAgent)
		if a, c := s.login(other.email, other.password); a.status != http.StatusSeeOther || c == nil {
			t.Errorf("another account: %d", a.status)
		}
		env.Clock.Advance(loginWindow + time.Second)
		if a, c := s.login(p.email, p.password); a.status != http.StatusSeeOther || c == nil {
			t.Errorf("after the window: %d", a.status)
		}
	})
}

var resetLinkRE = regexp.MustCompile(`https?://\S+/mot-de-passe/nouveau\?jeton=(\S+)`)

// TestPasswordReset: the forgotten-password page answers the same for
// known and unknown addresses; the link from the outbox sets a new
// password once, and ends the sessions opened with the old one.
func TestPasswordReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{BaseURL: "http://pass.example.fr"})
		p := s.as(passnum.KindFunder, passnum.RoleAdmin)
		known := s.post(anonymous, "/mot-de-passe-oublie", url.Values{"email": {strings.ToUpper(p.email)}})
		unknown := s.post(anonymous, "/mot-de-passe-oublie", url.Values{"email": {"personne@example.fr"}})
		if known.status != http.StatusOK || known.text() != unknown.text() || !strings.Contains(known.text(), "Si un compte existe") {
			t.Fatalf("known %d and unknown %d addresses answer differently:\n%s\n%s", known.status, unknown.status, known.text(), unknown.text())
		}
		msgs, _, err := env.Store.ListOutbox(storetest.As(s.f.Operator), passnum.OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 || msgs[0].To != p.email {
			t.Fatalf("outbox: %+v", msgs)
		}
		m := resetLinkRE.FindStringSubmatch(msgs[0].Body)
		if m == nil || !strings.HasPrefix(m[0], "http://pass.example.fr/") {
			t.Fatalf("no link on the base URL in:\n%s", msgs[0].Body)
		}
		token := m[1]
		// The operator admin reads the outbox in the pages.
		if a := s.get(s.as(passnum.KindOperator, passnum.RoleAdmin), "/operateur/courriels"); !strings.Contains(a.text(), "Réinitialiser votre mot de passe") {
			t.Errorf("outbox page: %d\n%.300s", a.status, a.text())
		}
		if a := s.get(anonymous, "/mot-de-passe/nouveau?jeton="+url.QueryEscape(token)); a.status != http.StatusOK || !strings.Contains(a.body, token) {
			t.Fatalf("reset form: %d", a.status)
		}
		newPassword := "un tout nouveau mot de passe"
		cases := []struct {
			name     string
			form     url.Values
			status   int
			contains string
		}{
			{"different confirmation", url.Values{"token": {token}, "password": {newPassword}, "confirm": {newPassword + "!"}}, http.StatusBadRequest, "pas identiques"},
			{"too short", url.Values{"token": {token}, "password": {"court"}, "confirm": {"court"}}, http.StatusBadRequest, "12 caractères"},
			{"one character", url.Values{"token": {token}, "password": {"aaaaaaaaaaaa"}, "confirm": {"aaaaaaaaaaaa"}}, http.StatusBadRequest, "répète un même caractère"},
			{"common", url.Values{"token": {token}, "password": {"Motdepasse2024!"}, "confirm": {"Motdepasse2024!"}}, http.StatusBadRequest, "très courant"},
			{"the person's name", url.Values{"token": {token}, "password": {"Camille au bord de l'eau"}, "confirm": {"Camille au bord de l'eau"}}, http.StatusBadRequest, "votre nom (« Camille »)"},
			{"bad token", url.Values{"token": {"abc"}, "password": {newPassword}, "confirm": {newPassword}}, http.StatusBadRequest, "Demandez-en un nouveau"},
			{"good", url.Values{"token": {token}, "password": {newPassword}, "confirm": {newPassword}}, http.StatusSeeOther, ""},
			{"token used twice", url.Values{"token": {token}, "password": {newPassword}, "confirm": {newPassword}}, http.StatusBadRequest, "Demandez-en un nouveau"},
		}
		for _, tc := range cases {
			a := s.post(anonymous, "/mot-de-passe/nouveau", tc.form)
			if a.status != tc.status || !strings.Contains(a.text(), tc.contains) {
				t.Errorf("%s: %d\n%.400s", tc.name, a.status, a.text())
			}
		}
		if a := s.get(p, "/financeur"); a.status != http.StatusSeeOther {
			t.Errorf("old session after reset: %d", a.status)
		}
		if a, c := s.login(p.email, p.password); c != nil || a.status != http.StatusUnauthorized {
			t.Errorf("old password after reset: %d", a.status)
		}
		if a, c := s.login(p.email, newPassword); c == nil {
			t.Errorf("new password: %d", a.status)
		}
		// Three reset e-mails an hour per address, whatever is asked.
		for range resetLimit + 2 {
			s.post(anonymous, "/mot-de-passe-oublie", url.Values{"email": {p.email}})
		}
		if msgs, _, _ := env.Store.ListOutbox(storetest.As(s.f.Operator), passnum.OutboxFilter{}); len(msgs) != resetLimit {
			t.Errorf("%d messages for one address in an hour, want %d", len(msgs), resetLimit)
		}
	})
}

// TestSwitchOrganisation: a person who belongs to a funder and a
// prescriber moves between them and sees each one's pages.
func TestSwitchOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		p := s.as(passnum.KindFunder, passnum.RoleAgent)
		u, err := env.Store.AuthenticateSession(context.Background(), p.secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.Store.AddMembership(storetest.As(s.f.Operator), u.User.ID, s.f.Prescriber.ID, passnum.RoleAgent); err != nil {
			t.Fatal(err)
		}
		if a := s.get(p, "/financeur"); !strings.Contains(a.body, `href="/structure"`) {
			t.Fatalf("no way to switch: %.300s", a.text())
		}
		if a := s.get(p, "/prescripteur"); a.status != http.StatusForbidden {
			t.Fatalf("prescriber page as funder: %d", a.status)
		}
		a := s.post(p, "/structure", url.Values{"org": {itoa(s.f.Prescriber.ID)}})
		if a.status != http.StatusSeeOther || a.header.Get("Location") != "/prescripteur" || !strings.Contains(a.flash(), s.f.Prescriber.Name) {
			t.Fatalf("switch: %d to %q (%q)", a.status, a.header.Get("Location"), a.flash())
		}
		if a := s.get(p, "/prescripteur"); a.status != http.StatusOK {
			t.Errorf("prescriber page after switch: %d", a.status)
		}
		// Not to an organisation the person is not a member of.
		if a := s.post(p, "/structure", url.Values{"org": {itoa(s.f.Venue.ID)}}); a.status != http.StatusForbidden {
			t.Errorf("switch to a stranger: %d", a.status)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
