package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/ratelimit"
	"github.com/passnum/passnum/internal/storetest"
)

// login goes through the login form as a browser would and returns the
// answer and the session cookie it set.
func (s *site) login(email, password string) (answer, *http.Cookie) {
	s.t.Helper()
	return s.loginFrom("", email, password)
}

// loginFrom is login through a reverse proxy that names the client
// (X-Forwarded-For), or directly when client is "".
func (s *site) loginFrom(client, email, password string) (answer, *http.Cookie) {
	s.t.Helper()
	var h http.Header
	if client != "" {
		h = http.Header{"X-Forwarded-For": {client}}
	}
	a := s.request(anonymous, "POST", "/connexion", url.Values{"email": {email}, "password": {password}}, h)
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

// TestLoginLimit: failed logins are counted per account and client
// network, per account and per network, so that guessing stays bounded
// while other people's failures do not shut out a person who knows their
// password (issue 12: behind a reverse proxy, 50 failed logins with
// made-up addresses blocked every login for a quarter of an hour, and 10
// wrong passwords from anywhere locked an account out everywhere).
func TestLoginLimit(t *testing.T) {
	// The test's connections come from 127.0.0.1, a trusted proxy that
	// names the client in X-Forwarded-For.
	proxies, err := ratelimit.ParseTrustedProxies("127.0.0.1/32, ::1/128")
	if err != nil {
		t.Fatal(err)
	}
	const (
		proxy    = "" // the proxy's own address: every client behind an unconfigured proxy
		attacker = "198.51.100.1"
		owner    = "203.0.113.9"
	)
	tooMany := func(t *testing.T, what string, a answer, c *http.Cookie, says string) {
		t.Helper()
		if a.status != http.StatusTooManyRequests || c != nil || !strings.Contains(a.text(), says) || a.header.Get("Retry-After") == "" {
			t.Fatalf("%s: %d %v %q\n%.300s", what, a.status, c, a.header.Get("Retry-After"), a.text())
		}
	}
	loggedIn := func(t *testing.T, what string, a answer, c *http.Cookie) {
		t.Helper()
		if a.status != http.StatusSeeOther || c == nil {
			t.Fatalf("%s: %d\n%.300s", what, a.status, a.text())
		}
	}
	failed := func(t *testing.T, what string, a answer) {
		t.Helper()
		if a.status != http.StatusUnauthorized {
			t.Fatalf("%s: %d\n%.300s", what, a.status, a.text())
		}
	}

	t.Run("made-up addresses do not shut out a real person", func(t *testing.T) {
		storetest.Each(t, func(t *testing.T, env *storetest.Env) {
			s := newSite(t, env, Options{TrustedProxies: proxies})
			p := s.as(passnum.KindPrescriber, passnum.RoleAgent)
			for i := range 50 {
				a, _ := s.loginFrom(proxy, fmt.Sprintf("personne%d@example.org", i), "un mot de passe au hasard")
				failed(t, fmt.Sprintf("made-up address %d", i+1), a)
			}
			a, c := s.loginFrom(proxy, p.email, p.password)
			loggedIn(t, "the right password from the same network", a, c)
		})
	})

	t.Run("guessing one account is stopped on the guesser's network only", func(t *testing.T) {
		storetest.Each(t, func(t *testing.T, env *storetest.Env) {
			s := newSite(t, env, Options{TrustedProxies: proxies})
			p := s.as(passnum.KindPrescriber, passnum.RoleAgent)
			for i := range loginLimit {
				a, _ := s.loginFrom(attacker, p.email, fmt.Sprintf("essai %d", i))
				failed(t, fmt.Sprintf("guess %d", i+1), a)
			}
			a, c := s.loginFrom(attacker, strings.ToUpper(p.email), p.password)
			tooMany(t, "the right password from the guesser's network", a, c, "Trop de tentatives de connexion ont échoué")
			a, c = s.loginFrom(owner, p.email, p.password)
			loggedIn(t, "the owner on another network", a, c)
			other := s.as(passnum.KindVenue, passnum.RoleAgent)
			a, c = s.loginFrom(attacker, other.email, other.password)
			loggedIn(t, "another account from the guesser's network", a, c)
			env.Clock.Advance(loginWindow + time.Second)
			a, c = s.loginFrom(attacker, p.email, p.password)
			loggedIn(t, "the guesser's network after the window", a, c)
		})
	})

	t.Run("a limit reached on one server holds on another", func(t *testing.T) {
		storetest.Each(t, func(t *testing.T, env *storetest.Env) {
			a := newSite(t, env, Options{TrustedProxies: proxies})
			b := a.anotherOn(storetest.Reopen(t, env).Store, Options{TrustedProxies: proxies})
			p := a.as(passnum.KindPrescriber, passnum.RoleAgent)
			// The guesser's tries alternate between the two servers, as a
			// load balancer would send them.
			for i := range loginLimit {
				site := []*site{a, b}[i%2]
				r, _ := site.loginFrom(attacker, p.email, fmt.Sprintf("essai %d", i))
				failed(t, fmt.Sprintf("guess %d", i+1), r)
			}
			for _, site := range []*site{a, b} {
				r, c := site.loginFrom(attacker, p.email, p.password)
				tooMany(t, "the right password from the guesser's network", r, c, "Trop de tentatives de connexion ont échoué")
			}
			r, c := b.loginFrom(owner, p.email, p.password)
			loggedIn(t, "the owner on another network, on the other server", r, c)
		})
	})

	t.Run("an account guessed from many networks is refused everywhere", func(t *testing.T) {
		storetest.Each(t, func(t *testing.T, env *storetest.Env) {
			s := newSite(t, env, Options{TrustedProxies: proxies})
			// Three networks' worth instead of loginAccountLimit's ten,
			// for the test's time: the rule is the same.
			s.srv.loginLimits.account.Limit = 3 * loginLimit
			p := s.as(passnum.KindPrescriber, passnum.RoleAgent)
			for n := range 3 {
				for i := range loginLimit {
					a, _ := s.loginFrom(fmt.Sprintf("192.0.2.%d", n+1), p.email, fmt.Sprintf("essai %d", i))
					failed(t, fmt.Sprintf("network %d, guess %d", n+1, i+1), a)
				}
			}
			a, c := s.loginFrom(owner, p.email, p.password)
			tooMany(t, "the owner on a fourth network", a, c, "depuis plusieurs réseaux")
			other := s.as(passnum.KindVenue, passnum.RoleAgent)
			a, c = s.loginFrom("192.0.2.1", other.email, other.password)
			loggedIn(t, "another account from a guesser's network", a, c)
		})
	})

	t.Run("a network past its bound is slowed, not refused", func(t *testing.T) {
		env := storetest.OpenSQLite(t)
		s := newSite(t, env, Options{TrustedProxies: proxies})
		s.srv.loginLimits.net.Limit = 5
		p := s.as(passnum.KindPrescriber, passnum.RoleAgent)
		for i := range 5 {
			a, _ := s.loginFrom(attacker, fmt.Sprintf("personne%d@example.org", i), "un mot de passe au hasard")
			failed(t, fmt.Sprintf("made-up address %d", i+1), a)
		}
		// While another login of the network is being checked, the
		// person's waits for its turn, then gets in.
		release, ok := s.srv.loginTurns.Take(context.Background(), attacker, time.Second)
		if !ok {
			t.Fatal("no turn")
		}
		done := make(chan bool)
		go func() {
			a, c := s.loginFrom(attacker, p.email, p.password)
			done <- a.status == http.StatusSeeOther && c != nil
		}()
		for s.srv.loginTurns.Waiting(attacker) != 2 {
			time.Sleep(time.Millisecond)
		}
		select {
		case <-done:
			t.Fatal("the login did not wait for its turn")
		case <-time.After(50 * time.Millisecond):
		}
		release()
		if !<-done {
			t.Fatal("the right password was refused on a slowed network")
		}
		// Other networks do not wait.
		a, c := s.loginFrom(owner, p.email, p.password)
		loggedIn(t, "another network", a, c)
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
