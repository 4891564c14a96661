package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	"github.com/passnum/passnum/internal/storetest"
)

// userID is the id of the site's person of kind and role.
func (s *site) userID(k passnum.OrgKind, r passnum.Role) int64 {
	s.t.Helper()
	u, err := s.env.Store.FindUserByEmail(storetest.As(s.f.Operator), s.as(k, r).email)
	if err != nil {
		s.t.Fatal(err)
	}
	return u.ID
}

// eachRequiring runs f on both stores, opened with the policy that
// requires a second factor of the operator's and funders' admins.
func eachRequiring(t *testing.T, f func(t *testing.T, env *storetest.Env)) {
	t.Helper()
	opt := sqlstore.WithSecondFactor(passnum.SecondFactorAdmins)
	t.Run("sqlite", func(t *testing.T) { f(t, storetest.OpenSQLite(t, opt)) })
	if os.Getenv(storetest.PostgresEnv) != "" {
		t.Run("postgres", func(t *testing.T) { f(t, storetest.OpenPostgres(t, opt)) })
	}
}

// jarBrowser is a client with a cookie jar that does not follow redirects,
// so that tests see each answer.
type jarBrowser struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
}

func newJarBrowser(t *testing.T, base string) *jarBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &jarBrowser{t: t, base: base, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *jarBrowser) do(req *http.Request) answer {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return answer{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *jarBrowser) get(path string) answer {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form with the CSRF token of the last page read.
func (b *jarBrowser) post(path string, form url.Values) answer {
	b.t.Helper()
	form.Set("csrf", b.csrf)
	req, err := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

func wantRedirect(t *testing.T, a answer, prefix string) {
	t.Helper()
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), prefix) {
		t.Fatalf("%d to %q, want 303 to %s…:\n%.400s", a.status, a.header.Get("Location"), prefix, a.text())
	}
}

func code(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(seed, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	seedShown     = regexp.MustCompile(`class="totp-secret"><code>([A-Z2-7 ]+)</code>`)
	recoveryShown = regexp.MustCompile(`<li><code>([a-z2-9-]{19})</code></li>`)
)

// TestSecondFactorSignIn goes through the pages as a browser does: an
// operator admin signs in, is held at enrolment, enrols a TOTP
// application, signs out, signs in with a code, is rate-limited after
// wrong codes, then signs in with a recovery code.
func TestSecondFactorSignIn(t *testing.T) {
	eachRequiring(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		admin := s.as(passnum.KindOperator, passnum.RoleAdmin)
		b := newJarBrowser(t, s.http.URL)
		login := func() {
			t.Helper()
			b.get("/connexion")
			a := b.post("/connexion", url.Values{"email": {admin.email}, "password": {admin.password}, "suite": {"/operateur/organisations"}})
			wantRedirect(t, a, secondFactorPath+"?suite=%2Foperateur%2Forganisations")
		}
		login()
		// Held: every page leads to the step, every form is refused.
		wantRedirect(t, b.get("/operateur"), secondFactorPath+"?suite=%2Foperateur")
		if a := b.post("/operateur/blocages", url.Values{}); a.status != http.StatusUnauthorized || !strings.Contains(a.text(), "Second facteur attendu") {
			t.Fatalf("form of a pending session: %d\n%.300s", a.status, a.text())
		}
		// No factor yet: the step leads to enrolment.
		wantRedirect(t, b.get(secondFactorPath+"?suite=%2Foperateur%2Forganisations"), "/compte/second-facteur/application?suite=%2Foperateur%2Forganisations")
		page := b.get("/compte/second-facteur/application?suite=%2Foperateur%2Forganisations")
		m := seedShown.FindStringSubmatch(page.body)
		if page.status != http.StatusOK || m == nil || !strings.Contains(page.body, `<svg class="qr"`) {
			t.Fatalf("enrolment page: %d, seed shown %v\n%.500s", page.status, m != nil, page.text())
		}
		seed := strings.ReplaceAll(m[1], " ", "")
		if a := b.post("/compte/second-facteur/application", url.Values{"code": {"000000"}, "suite": {"/operateur/organisations"}}); a.status != http.StatusBadRequest ||
			!strings.Contains(a.text(), "Ce code ne correspond pas") || !strings.Contains(a.body, seed[:4]) {
			t.Fatalf("wrong first code: %d\n%.400s", a.status, a.text())
		}
		done := b.post("/compte/second-facteur/application", url.Values{"code": {code(t, seed, env.Clock.Now())}, "suite": {"/operateur/organisations"}})
		codes := recoveryShown.FindAllStringSubmatch(done.body, -1)
		if done.status != http.StatusOK || len(codes) != passnum.RecoveryCodeCount || !strings.Contains(done.body, `href="/operateur/organisations"`) {
			t.Fatalf("confirmation: %d, %d recovery codes\n%.500s", done.status, len(codes), done.text())
		}
		if a := b.get("/operateur"); a.status != http.StatusOK {
			t.Fatalf("home after enrolment: %d", a.status)
		}
		// The seed is never shown again: the security page lists the
		// factor without it.
		if a := b.get("/compte/second-facteur"); a.status != http.StatusOK || strings.Contains(a.body, seed) || !strings.Contains(a.text(), "Application d'authentification") {
			t.Fatalf("security page: %d\n%.400s", a.status, a.text())
		}
		wantRedirect(t, b.post("/deconnexion", url.Values{}), "/connexion")

		// Signing in again asks for a code.
		login()
		step := b.get(secondFactorPath + "?suite=%2Foperateur%2Forganisations")
		if step.status != http.StatusOK || !strings.Contains(step.text(), "Code à 6 chiffres ou code de secours") {
			t.Fatalf("step: %d\n%.400s", step.status, step.text())
		}
		env.Clock.Advance(30 * time.Second)
		wantRedirect(t, b.post(secondFactorPath, url.Values{"code": {code(t, seed, env.Clock.Now())}, "suite": {"/operateur/organisations"}}), "/operateur/organisations")
		if a := b.get("/operateur/organisations"); a.status != http.StatusOK {
			t.Fatalf("after the code: %d", a.status)
		}
		wantRedirect(t, b.post("/deconnexion", url.Values{}), "/connexion")

		// Wrong codes: with the wrong first code of the enrolment, five
		// are told wrong, then the account is held from this network,
		// even with the right code.
		login()
		b.get(secondFactorPath)
		for i := range secondFactorLimit - 1 {
			if a := b.post(secondFactorPath, url.Values{"code": {"12345" + string(rune('0'+i))}}); a.status != http.StatusUnauthorized {
				t.Fatalf("wrong code %d: %d\n%.300s", i, a.status, a.text())
			}
		}
		env.Clock.Advance(30 * time.Second)
		if a := b.post(secondFactorPath, url.Values{"code": {code(t, seed, env.Clock.Now())}}); a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
			t.Fatalf("right code past the limit: %d\n%.300s", a.status, a.text())
		}
		if !strings.Contains(s.logs.String(), "second factor limit reached") {
			t.Error("the limit is not logged")
		}
		// After the window, a recovery code gets in, once.
		env.Clock.Advance(secondFactorWindow)
		login()
		b.get(secondFactorPath)
		wantRedirect(t, b.post(secondFactorPath, url.Values{"code": {strings.ToUpper(codes[0][1])}}), "/operateur")
		b.get("/operateur") // the session's secret changed, and with it the forms' token
		wantRedirect(t, b.post("/deconnexion", url.Values{}), "/connexion")
		login()
		b.get(secondFactorPath)
		if a := b.post(secondFactorPath, url.Values{"code": {codes[0][1]}}); a.status != http.StatusUnauthorized {
			t.Fatalf("a recovery code used twice: %d", a.status)
		}
		// No secret reached the log.
		logs := s.logs.String()
		for _, secret := range []string{seed, codes[0][1], codes[1][1]} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds a secret %q", secret)
			}
		}
	})
}

// TestSecondFactorReset: an operator admin resets a funder admin's second
// factor from the organisation's page, with a reason; without one, the
// page says what to correct and nothing changes.
func TestSecondFactorReset(t *testing.T) {
	eachRequiring(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		ctx := context.Background()
		funder := s.as(passnum.KindFunder, passnum.RoleAdmin)
		pending, _, err := env.Store.Login(ctx, funder.email, funder.password)
		if err != nil {
			t.Fatal(err)
		}
		e, err := env.Store.BeginTOTP(ctx, pending)
		if err != nil {
			t.Fatal(err)
		}
		proof, err := env.Store.ConfirmTOTP(ctx, pending, code(t, e.Secret, env.Clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		// The operator's admin signs in with their own factor.
		opAdmin := s.as(passnum.KindOperator, passnum.RoleAdmin)
		b := newJarBrowser(t, s.http.URL)
		b.get("/connexion")
		b.post("/connexion", url.Values{"email": {opAdmin.email}, "password": {opAdmin.password}})
		page := b.get("/compte/second-facteur/application")
		seed := strings.ReplaceAll(seedShown.FindStringSubmatch(page.body)[1], " ", "")
		b.post("/compte/second-facteur/application", url.Values{"code": {code(t, seed, env.Clock.Now())}})

		id := s.userID(passnum.KindFunder, passnum.RoleAdmin)
		path := "/operateur/organisations/" + itoa(s.f.State.ID) + "/membres/" + itoa(id) + "/second-facteur"
		field := "reason-" + itoa(id)
		b.get("/operateur/organisations/" + itoa(s.f.State.ID))
		if a := b.post(path, url.Values{field: {"perdu"}}); a.status != http.StatusBadRequest || !strings.Contains(a.text(), "Indiquez la raison") {
			t.Fatalf("short reason: %d\n%.400s", a.status, a.text())
		}
		if _, err := env.Store.AuthenticateSession(ctx, proof.Secret); err != nil {
			t.Fatalf("a refused reset ended the session: %v", err)
		}
		wantRedirect(t, b.post(path, url.Values{field: {"Téléphone perdu, identité vérifiée par appel"}}), "/operateur/organisations/"+itoa(s.f.State.ID))
		if _, err := env.Store.AuthenticateSession(ctx, proof.Secret); passnum.ErrorCode(err) != passnum.EUNAUTHORIZED {
			t.Fatalf("the funder's session survived the reset: %v", err)
		}
	})
}
