package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/oidclogin"
	"github.com/passnum/passnum/internal/oidctest"
	"github.com/passnum/passnum/internal/sqlstore"
	"github.com/passnum/passnum/internal/storetest"
)

const (
	testClientID     = "passnum-essais"
	testClientSecret = "secret-client-des-essais-0123456789"
)

// proconnectSite is passnum and a real OpenID Connect provider, each on
// its own HTTP server, as a browser meets them.
type proconnectSite struct {
	*site
	base     string // passnum's address
	provider *oidctest.Provider
	// down makes the provider's server fail every request, as a
	// provider that is down.
	down atomic.Bool
}

func newProconnectSite(t *testing.T, env *storetest.Env) *proconnectSite {
	t.Helper()
	ps := &proconnectSite{site: newSite(t, env, Options{})}
	var pages, provider http.Handler
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { pages.ServeHTTP(w, r) }))
	t.Cleanup(web.Close)
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ps.down.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		provider.ServeHTTP(w, r)
	}))
	t.Cleanup(idp.Close)
	ps.base = web.URL
	var err error
	ps.provider, err = oidctest.New(idp.URL, oidctest.Config{ClientID: testClientID, ClientSecret: testClientSecret,
		RedirectURL: web.URL + "/connexion/proconnect/retour", PostLogoutURLs: []string{web.URL + "/connexion"}})
	if err != nil {
		t.Fatal(err)
	}
	provider = ps.provider.Handler()
	client := oidclogin.New(oidclogin.Config{Issuer: idp.URL, ClientID: testClientID, ClientSecret: testClientSecret,
		RedirectURL: web.URL + "/connexion/proconnect/retour", PostLogoutURL: web.URL + "/connexion", DiscoveryRetry: time.Millisecond})
	srv, err := NewServer(env.Store, Options{BaseURL: web.URL, Now: env.Clock.Now, SignIn: client,
		Logger: slog.New(slog.NewJSONHandler(ps.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	pages = srv.Handler()
	return ps
}

// browser is a person's browser: cookies kept, redirects followed (or
// not, to stop at the provider's answer).
type browser struct {
	t      *testing.T
	client *http.Client
	follow bool
}

func newBrowser(t *testing.T, follow bool) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, follow: follow}
	b.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		if b.follow {
			return nil
		}
		return http.ErrUseLastResponse
	}}
	return b
}

// page is what the browser shows: where it ended and what it reads.
type page struct {
	answer
	url *url.URL
}

func (b *browser) do(method, to string, form url.Values) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, to, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{answer{resp.StatusCode, resp.Header, string(raw)}, resp.Request.URL}
}

func (b *browser) get(to string) page { b.t.Helper(); return b.do("GET", to, nil) }

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// submit posts a form of the page, with its CSRF token.
func (b *browser) submit(p page, to string, form url.Values) page {
	b.t.Helper()
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", p.url)
	}
	form.Set("csrf", m[1])
	return b.do("POST", to, form)
}

// callback stops at the provider's answer: the address of passnum's
// callback the provider sends the browser to.
func (ps *proconnectSite) callback(b *browser) string {
	ps.t.Helper()
	b.follow = false
	defer func() { b.follow = true }()
	start := b.get(ps.base + "/connexion/proconnect")
	if start.status != http.StatusSeeOther {
		ps.t.Fatalf("start: %d %s", start.status, start.text())
	}
	at := b.get(start.header.Get("Location"))
	to := at.header.Get("Location")
	if at.status != http.StatusSeeOther || !strings.HasPrefix(to, ps.base+"/connexion/proconnect/retour?") {
		ps.t.Fatalf("provider: %d, to %q", at.status, to)
	}
	return to
}

// counts returns whether the unknown person of the tests got an account
// (0 or 1) and how many links the prescriber's agent has.
func (ps *proconnectSite) counts() (users, links int) {
	ps.t.Helper()
	op := storetest.As(ps.f.Operator)
	if _, err := ps.env.Store.FindUserByEmail(op, unknownEmail); err == nil {
		users = 1
	} else if passnum.ErrorCode(err) != passnum.ENOTFOUND {
		ps.t.Fatal(err)
	}
	agent, err := ps.env.Store.FindUserByEmail(op, ps.as(passnum.KindPrescriber, passnum.RoleAgent).email)
	if err != nil {
		ps.t.Fatal(err)
	}
	got, err := ps.env.Store.ListProviderLinks(storetest.As(&passnum.Actor{UserID: agent.ID, OrgID: ps.f.Prescriber.ID, OrgKind: passnum.KindPrescriber, Role: passnum.RoleAgent, Label: "test"}))
	if err != nil {
		ps.t.Fatal(err)
	}
	return users, len(got)
}

// unknownEmail is the e-mail of someone the provider knows and passnum
// does not.
const unknownEmail = "inconnu@mairie.example.fr"

func (b *browser) loggedIn(base string) bool {
	u, _ := url.Parse(base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "passnum_session" && c.Value != "" {
			return true
		}
	}
	return false
}

// TestProConnectSignIn goes through sign-in with a real provider over
// HTTP, as a browser: the good way, then each way it must be refused
// with nothing created and nobody signed in.
func TestProConnectSignIn(t *testing.T) {
	env := storetest.OpenSQLite(t)
	ps := newProconnectSite(t, env)
	agent := ps.as(passnum.KindPrescriber, passnum.RoleAgent)
	camille := oidctest.Person{Subject: "7c8a1f2e-sub", Email: strings.ToUpper(agent.email), GivenName: "Camille", UsualName: "Martin", SIRET: "21350238800019"}

	t.Run("login page shows the button only when set up", func(t *testing.T) {
		b := newBrowser(t, true)
		says(t, "login page", b.get(ps.base+"/connexion").text(), []string{"S'identifier avec ProConnect", "Qu'est-ce que ProConnect ?"}, nil)
		says(t, "login page without provider", ps.get(anonymous, "/connexion").text(), nil, []string{"ProConnect"})
		if a := ps.get(anonymous, "/connexion/proconnect"); a.status != http.StatusNotFound {
			t.Errorf("start without a provider: %d", a.status)
		}
	})

	t.Run("good sign-in, account page, unlink, logout at the provider", func(t *testing.T) {
		ps.provider.SetPerson(&camille)
		b := newBrowser(t, true)
		home := b.get(ps.base + "/connexion/proconnect?suite=/prescripteur")
		if home.status != http.StatusOK || home.url.Path != "/prescripteur" || !b.loggedIn(ps.base) {
			t.Fatalf("ended at %s with %d: %s", home.url, home.status, home.text())
		}
		users, links := ps.counts()
		if links != 1 {
			t.Fatalf("%d links after the first sign-in, want 1", links)
		}
		account := b.get(ps.base + "/compte/proconnect")
		says(t, "account page", account.text(), []string{"Identités ProConnect reliées à votre compte", strings.ToLower(camille.Email), "Retirer la liaison"}, nil)

		// Signed in again with another e-mail: found by the link.
		moved := camille
		moved.Email = "camille.martin@agglo.example.fr"
		ps.provider.SetPerson(&moved)
		again := newBrowser(t, true)
		if p := again.get(ps.base + "/connexion/proconnect"); p.url.Path != "/prescripteur" {
			t.Fatalf("second sign-in ended at %s: %s", p.url, p.text())
		}
		if u, l := ps.counts(); u != users || l != 1 {
			t.Fatalf("%d users, %d links after the second sign-in; want %d, 1", u, l, users)
		}

		// Unlinked from the account page.
		account = b.get(ps.base + "/compte/proconnect")
		m := regexp.MustCompile(`action="(/compte/proconnect/\d+/retrait)"`).FindStringSubmatch(account.body)
		if m == nil {
			t.Fatalf("no unlink form: %s", account.body)
		}
		unlinked := b.submit(account, ps.base+m[1], url.Values{})
		says(t, "after unlink", unlinked.text(), []string{"La liaison avec ProConnect est retirée", "n'est relié à aucune identité ProConnect"}, nil)
		if _, l := ps.counts(); l != 0 {
			t.Fatalf("%d links after unlink", l)
		}

		// Logout ends the session here and at the provider, which sends
		// the person back to the login page.
		before := len(ps.provider.Logouts())
		b = again
		out := b.submit(b.get(ps.base+"/prescripteur"), ps.base+"/deconnexion", url.Values{})
		if out.url.Path != "/connexion" || b.loggedIn(ps.base) {
			t.Fatalf("logout ended at %s, logged in %v", out.url, b.loggedIn(ps.base))
		}
		says(t, "after logout", out.text(), []string{"Vous êtes déconnecté"}, nil)
		logouts := ps.provider.Logouts()
		if len(logouts) != before+1 || logouts[len(logouts)-1].IDTokenHint == "" || logouts[len(logouts)-1].PostLogoutURL != ps.base+"/connexion" {
			t.Fatalf("logouts at the provider: %+v", logouts)
		}
		if strings.Contains(ps.logs.String(), logouts[len(logouts)-1].IDTokenHint) {
			t.Fatal("the ID token is in the log")
		}
		// A password session logs out here only.
		pw := newBrowser(t, true)
		login := pw.get(ps.base + "/connexion")
		if p := pw.submit(login, ps.base+"/connexion", url.Values{"email": {agent.email}, "password": {agent.password}}); p.url.Path != "/prescripteur" {
			t.Fatalf("password login ended at %s", p.url)
		}
		pw.submit(pw.get(ps.base+"/prescripteur"), ps.base+"/deconnexion", url.Values{})
		if n := len(ps.provider.Logouts()); n != before+1 {
			t.Fatalf("a password session logged out at the provider (%d logouts)", n)
		}
		// Nor does a password session opened in a browser that kept the
		// cookie of an earlier ProConnect session (which expired).
		ps.provider.SetPerson(&camille)
		stale := newBrowser(t, true)
		if p := stale.get(ps.base + "/connexion/proconnect"); p.url.Path != "/prescripteur" {
			t.Fatalf("sign-in ended at %s: %s", p.url, p.text())
		}
		base, _ := url.Parse(ps.base)
		var idToken *http.Cookie
		for _, c := range stale.client.Jar.Cookies(base) {
			if c.Name == "passnum_idtoken" {
				idToken = c
			}
		}
		if idToken == nil {
			t.Fatal("no ID token cookie after sign-in with ProConnect")
		}
		stale.client.Jar, _ = cookiejar.New(nil)
		stale.client.Jar.SetCookies(base, []*http.Cookie{idToken})
		login = stale.get(ps.base + "/connexion")
		stale.submit(login, ps.base+"/connexion", url.Values{"email": {agent.email}, "password": {agent.password}})
		if out := stale.submit(stale.get(ps.base+"/prescripteur"), ps.base+"/deconnexion", url.Values{}); out.url.Host != base.Host {
			t.Fatalf("logout of a password session went to %s", out.url)
		}
		if n := len(ps.provider.Logouts()); n != before+1 {
			t.Fatalf("a password session logged out at the provider with a stale ID token (%d logouts)", n)
		}
	})

	t.Run("userinfo in plain JSON", func(t *testing.T) {
		ps.provider.SetPerson(&camille)
		ps.provider.SetFaults(oidctest.Faults{JSONUserinfo: true})
		defer ps.provider.SetFaults(oidctest.Faults{})
		b := newBrowser(t, true)
		if p := b.get(ps.base + "/connexion/proconnect"); p.url.Path != "/prescripteur" || !b.loggedIn(ps.base) {
			t.Fatalf("ended at %s: %s", p.url, p.text())
		}
	})

	// Each refusal: the page, its status and what it says; nobody signed
	// in, nothing created.
	refusals := []struct {
		name   string
		person oidctest.Person
		faults oidctest.Faults
		// tamper changes the callback's address before the browser
		// follows it; nil: as the provider sent it.
		tamper func(t *testing.T, b *browser, to string) string
		status int
		says   string
		log    string
	}{
		{name: "wrong state", person: camille, tamper: func(t *testing.T, b *browser, to string) string {
			return strings.Replace(to, "state=", "state=x", 1)
		}, status: http.StatusBadRequest, says: "n'a pas été commencée dans ce navigateur", log: "bad-state"},
		{name: "callback from another browser", person: camille, tamper: func(t *testing.T, b *browser, to string) string {
			*b = *newBrowser(t, true)
			return to
		}, status: http.StatusBadRequest, says: "n'a pas été commencée dans ce navigateur", log: "bad-state"},
		{name: "replayed code, with a new attempt's state", person: camille, tamper: func(t *testing.T, b *browser, to string) string {
			// The first use signs in; the code then goes with a new
			// attempt of the same browser: the provider refuses it.
			if p := b.get(to); p.url.Path != "/prescripteur" {
				t.Fatalf("first use ended at %s: %s", p.url, p.text())
			}
			fresh := newBrowser(t, false)
			newTo, _ := url.Parse(ps.callback(fresh))
			old, _ := url.Parse(to)
			q := newTo.Query()
			q.Set("code", old.Query().Get("code"))
			newTo.RawQuery = q.Encode()
			*b = *fresh
			b.follow = true
			return newTo.String()
		}, status: http.StatusBadRequest, says: "ProConnect a refusé de confirmer cette connexion", log: "code-refused"},
		{name: "replayed callback in the same browser", person: camille, tamper: func(t *testing.T, b *browser, to string) string {
			if p := b.get(to); p.url.Path != "/prescripteur" {
				t.Fatalf("first use ended at %s: %s", p.url, p.text())
			}
			// Logged out here only, then the same address again.
			b.client.Jar, _ = cookiejar.New(nil)
			return to
		}, status: http.StatusBadRequest, says: "n'a pas été commencée dans ce navigateur", log: "bad-state"},
		{name: "provider error", person: camille, tamper: func(t *testing.T, b *browser, to string) string {
			u, _ := url.Parse(to)
			q := url.Values{"state": {u.Query().Get("state")}, "error": {"access_denied"}}
			u.RawQuery = q.Encode()
			return u.String()
		}, status: http.StatusUnauthorized, says: "la connexion a été annulée", log: "denied"},
		{name: "expired token", person: camille, faults: oidctest.Faults{Expired: true}, status: http.StatusUnauthorized, says: "a expiré avant d'arriver", log: "token-expired"},
		{name: "token for another audience", person: camille, faults: oidctest.Faults{Audience: "another-client"}, status: http.StatusUnauthorized, says: "n'est pas destinée à passnum", log: "bad-token"},
		{name: "bad signature", person: camille, faults: oidctest.Faults{ForeignKey: true}, status: http.StatusUnauthorized, says: "sa signature est incorrecte", log: "bad-token"},
		{name: "unknown e-mail", person: oidctest.Person{Subject: "unknown-sub", Email: unknownEmail}, status: http.StatusUnauthorized,
			says: "Demandez à l'administrateur de votre structure de vous inviter", log: "provider-account-unknown"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			ps.provider.SetPerson(&tc.person)
			ps.provider.SetFaults(tc.faults)
			defer ps.provider.SetFaults(oidctest.Faults{})
			b := newBrowser(t, false)
			to := ps.callback(b)
			b.follow = true
			if tc.tamper != nil {
				to = tc.tamper(t, b, to)
			}
			users, links := ps.counts()
			logged := len(ps.logs.String())
			p := b.get(to)
			if p.status != tc.status || b.loggedIn(ps.base) {
				t.Fatalf("status %d, logged in %v; want %d, not logged in: %s", p.status, b.loggedIn(ps.base), tc.status, p.text())
			}
			says(t, tc.name, p.text(), []string{tc.says, "Se connecter avec un mot de passe"}, nil)
			if tc.person.Email == unknownEmail {
				says(t, tc.name, p.text(), []string{"Adresse transmise par ProConnect : " + unknownEmail}, nil)
			}
			if u, l := ps.counts(); u != users || l != links {
				t.Fatalf("%d users, %d links; want %d, %d", u, l, users, links)
			}
			log := ps.logs.String()[logged:]
			if !strings.Contains(log, "provider sign-in refused") || !strings.Contains(log, tc.log) {
				t.Fatalf("log does not tell the refusal (%s):\n%s", tc.log, log)
			}
			code, _ := url.Parse(to)
			for _, secret := range []string{testClientSecret, code.Query().Get("code")} {
				if secret != "" && strings.Contains(log, secret) {
					t.Fatalf("the log holds a secret %q:\n%s", secret, log)
				}
			}
		})
	}

}

// TestProConnectProviderComesBack: a provider down at the first sign-in
// leads to the clear page; once it is back, the next sign-in discovers it
// and gets through.
func TestProConnectProviderComesBack(t *testing.T) {
	ps := newProconnectSite(t, storetest.OpenSQLite(t))
	agent := ps.as(passnum.KindPrescriber, passnum.RoleAgent)
	ps.provider.SetPerson(&oidctest.Person{Subject: "sub-back", Email: agent.email})
	ps.down.Store(true)
	b := newBrowser(t, true)
	p := b.get(ps.base + "/connexion/proconnect")
	if p.status != http.StatusServiceUnavailable || b.loggedIn(ps.base) {
		t.Fatalf("status %d: %s", p.status, p.text())
	}
	says(t, "provider down", p.text(), []string{"ProConnect indisponible", "Utilisez votre mot de passe"}, nil)
	if !strings.Contains(ps.logs.String(), "provider-unavailable") {
		t.Fatal("the log does not tell that the provider is unavailable")
	}
	says(t, "login page", b.get(ps.base+"/connexion").text(), []string{"S'identifier avec ProConnect"}, nil)
	ps.down.Store(false)
	time.Sleep(2 * time.Millisecond) // the client's DiscoveryRetry
	if p := b.get(ps.base + "/connexion/proconnect"); p.url.Path != "/prescripteur" || !b.loggedIn(ps.base) {
		t.Fatalf("after the provider came back, ended at %s: %s", p.url, p.text())
	}
}

// TestProConnectProviderDownAtStart: a provider never reached since the
// server started (discovery failed) leads to the clear page, and the
// server serves everything else.
func TestProConnectProviderDownAtStart(t *testing.T) {
	env := storetest.OpenSQLite(t)
	s := newSite(t, env, Options{})
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	client := oidclogin.New(oidclogin.Config{Issuer: gone.URL, ClientID: testClientID, ClientSecret: testClientSecret,
		RedirectURL: "http://localhost:8080/connexion/proconnect/retour"})
	if err := client.Discover(t.Context()); err == nil {
		t.Fatal("discovery of a closed server succeeded")
	}
	other := s.another(Options{SignIn: client})
	says(t, "login page", other.get(anonymous, "/connexion").text(), []string{"S'identifier avec ProConnect"}, nil)
	a := other.get(anonymous, "/connexion/proconnect")
	if a.status != http.StatusServiceUnavailable {
		t.Fatalf("status %d", a.status)
	}
	says(t, "provider down", a.text(), []string{"ProConnect indisponible", "Utilisez votre mot de passe"}, nil)
}

// TestProConnectSecondFactor: an administrator who must have a second
// factor and signs in with ProConnect gets the same short pending session
// as after a password, is led to the second factor, and once it is
// proved, logout still goes on to the provider with the ID token as hint.
func TestProConnectSecondFactor(t *testing.T) {
	env := storetest.OpenSQLite(t, sqlstore.WithSecondFactor(passnum.SecondFactorAdmins))
	ps := newProconnectSite(t, env)
	admin := ps.as(passnum.KindOperator, passnum.RoleAdmin)
	ps.provider.SetPerson(&oidctest.Person{Subject: "admin-sub", Email: admin.email, GivenName: "Alex", UsualName: "Durand", SIRET: "21350238800019"})

	b := newBrowser(t, false)
	cb := ps.callback(b)
	b.follow = false // see each answer, until the step is passed
	a := b.get(cb)
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), secondFactorPath+"?suite=") {
		t.Fatalf("callback of an admin who must prove a second factor: %d to %q\n%.600s", a.status, a.header.Get("Location"), a.text())
	}
	var pending *http.Cookie
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if c.Name == "passnum_session" {
			pending = c
		}
	}
	if pending == nil || pending.MaxAge <= 0 || time.Duration(pending.MaxAge)*time.Second > passnum.SecondFactorStepLifetime {
		t.Fatalf("pending session cookie %+v, want one living at most %s", pending, passnum.SecondFactorStepLifetime)
	}
	// Held at the step, then enrolled (no factor yet), which completes
	// the session under a new secret.
	if p := b.get(ps.base + "/operateur"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), secondFactorPath) {
		t.Fatalf("home before the second factor: %d to %q", p.status, p.header.Get("Location"))
	}
	b.follow = true
	enrol := b.get(ps.base + "/compte/second-facteur/application")
	m := seedShown.FindStringSubmatch(enrol.body)
	if m == nil {
		t.Fatalf("enrolment page: %d\n%.400s", enrol.status, enrol.text())
	}
	seed := strings.ReplaceAll(m[1], " ", "")
	done := b.submit(enrol, ps.base+"/compte/second-facteur/application", url.Values{"code": {code(t, seed, env.Clock.Now())}})
	if done.status != http.StatusOK || len(recoveryShown.FindAllStringSubmatch(done.body, -1)) != passnum.RecoveryCodeCount {
		t.Fatalf("enrolment: %d\n%.400s", done.status, done.text())
	}
	home := b.get(ps.base + "/operateur")
	if home.status != http.StatusOK || home.url.Path != "/operateur" {
		t.Fatalf("home after the second factor: %d at %s", home.status, home.url)
	}
	before := len(ps.provider.Logouts())
	b.submit(home, ps.base+"/deconnexion", url.Values{})
	if logouts := ps.provider.Logouts(); len(logouts) != before+1 || logouts[len(logouts)-1].IDTokenHint == "" {
		t.Fatalf("logout after the second factor did not reach the provider: %+v", logouts)
	}
}
