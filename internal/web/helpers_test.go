package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// site is the web interface over a real store, as browsers see it.
type site struct {
	t    *testing.T
	env  *storetest.Env
	f    *storetest.Fixture
	srv  *Server
	http *httptest.Server
	logs *lockedBuffer
	hub  *passnum.Organisation
	// people holds one logged-in person per organisation kind and role.
	people map[string]*person
}

// person is someone with an account and a session.
type person struct {
	email, password string
	org             int64
	secret          string
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func key(k passnum.OrgKind, r passnum.Role) string { return string(k) + "/" + string(r) }

// newSite builds the fixture programme, one person per kind and role, and
// serves the pages.
func newSite(t *testing.T, env *storetest.Env, opts Options) *site {
	t.Helper()
	f := storetest.NewFixture(t, env, storetest.Options{})
	s := &site{t: t, env: env, f: f, logs: &lockedBuffer{}, people: map[string]*person{}}
	ctx := storetest.As(f.Operator)
	hub, err := env.Store.CreateOrganisation(ctx, passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub numérique de Bretagne"})
	if err != nil {
		t.Fatal(err)
	}
	s.hub = hub
	orgs := map[passnum.OrgKind]int64{
		passnum.KindOperator: f.Operator.OrgID, passnum.KindFunder: f.State.ID, passnum.KindHub: hub.ID,
		passnum.KindPrescriber: f.Prescriber.ID, passnum.KindVenue: f.Venue.ID,
	}
	for _, k := range passnum.OrgKinds {
		for _, r := range []passnum.Role{passnum.RoleAdmin, passnum.RoleAgent} {
			p := &person{email: fmt.Sprintf("%s.%s@example.fr", k, r), password: "phrase secrète des essais : " + strings.ToUpper(string(k[:3])), org: orgs[k]}
			if _, err := env.Store.CreateUser(ctx, passnum.UserCreate{Email: p.email, Name: "Camille " + string(k), Password: p.password, OrgID: p.org, Role: r}); err != nil {
				t.Fatal(err)
			}
			if p.secret, _, err = env.Store.Login(context.Background(), p.email, p.password); err != nil {
				t.Fatal(err)
			}
			s.people[key(k, r)] = p
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opts.Now == nil {
		opts.Now = env.Clock.Now
	}
	if s.srv, err = NewServer(env.Store, opts); err != nil {
		t.Fatal(err)
	}
	s.http = httptest.NewServer(s.srv.Handler())
	t.Cleanup(s.http.Close)
	return s
}

// another serves the same store and people with other options.
func (s *site) another(opts Options) *site {
	s.t.Helper()
	return s.anotherOn(s.env.Store, opts)
}

// anotherOn serves store (another server's store on the same database)
// to the same people, with opts.
func (s *site) anotherOn(store passnum.Service, opts Options) *site {
	s.t.Helper()
	out := *s
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewJSONHandler(s.logs, nil))
	}
	if opts.Now == nil {
		opts.Now = s.env.Clock.Now
	}
	var err error
	if out.srv, err = NewServer(store, opts); err != nil {
		s.t.Fatal(err)
	}
	out.http = httptest.NewServer(out.srv.Handler())
	s.t.Cleanup(out.http.Close)
	return &out
}

func (s *site) as(k passnum.OrgKind, r passnum.Role) *person { return s.people[key(k, r)] }

// answer is a response with its body read.
type answer struct {
	status int
	header http.Header
	body   string
}

// anonymous stands for a visitor without a session; its CSRF cookie is
// fixed so that tests can compute its token.
var anonymous = &person{}

const anonCookie = "test-anonymous-csrf-cookie"

// request sends a request as p (nil: no cookie at all). Forms get p's CSRF
// token unless they carry one already.
func (s *site) request(p *person, method, path string, form url.Values, header http.Header) answer {
	s.t.Helper()
	body := ""
	if form != nil {
		if form.Get("csrf") == "" && p != nil {
			form = cloneValues(form)
			secret := p.secret
			if p == anonymous {
				secret = anonCookie
			}
			form.Set("csrf", csrfToken(secret))
		}
		body = form.Encode()
	}
	return s.send(p, method, path, body, form != nil, header)
}

// send sends a request with a body as it is, with p's cookie.
func (s *site) send(p *person, method, path, body string, isForm bool, header http.Header) answer {
	s.t.Helper()
	req, err := http.NewRequest(method, s.http.URL+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if isForm {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	switch {
	case p == anonymous:
		req.AddCookie(&http.Cookie{Name: "passnum_csrf", Value: anonCookie})
	case p != nil:
		req.AddCookie(&http.Cookie{Name: "passnum_session", Value: p.secret})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

func (s *site) get(p *person, path string) answer { return s.request(p, "GET", path, nil, nil) }

func (s *site) post(p *person, path string, form url.Values) answer {
	if form == nil {
		form = url.Values{}
	}
	return s.request(p, "POST", path, form, nil)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// flash decodes the message a redirect leaves for the next page.
func (a answer) flash() string {
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if strings.HasSuffix(c.Name, "passnum_flash") && c.Value != "" {
			_, enc, _ := strings.Cut(c.Value, ":")
			msg, _ := decodeFlash(enc)
			return msg
		}
	}
	return ""
}

var tagRE = regexp.MustCompile(`<[^>]+>`)

// text is the body without tags, with spaces collapsed, for assertions on
// what people read.
func (a answer) text() string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(a.body, " "))), " ")
}

// says reports, under name, each sentence of want that text lacks and each
// of wantNot it still holds: the check of pages whose wording is the point.
func says(t *testing.T, name, text string, want, wantNot []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s does not say %q\n%s", name, w, text)
		}
	}
	for _, w := range wantNot {
		if strings.Contains(text, w) {
			t.Errorf("%s still says %q", name, w)
		}
	}
}
