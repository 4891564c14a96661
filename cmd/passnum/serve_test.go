package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/ratelimit"
)

// syncBuffer is a bytes.Buffer that the server goroutine and the test may
// use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is `passnum serve` running in the background.
type server struct {
	t           *testing.T
	out, errOut *syncBuffer
	cancel      context.CancelFunc
	done        chan int
}

func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{t: t, out: &syncBuffer{}, errOut: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), s.out, s.errOut)
	}()
	deadline := time.After(2 * time.Minute)
	for !strings.Contains(s.out.String(), "Arrêt : Ctrl+C.") {
		select {
		case code := <-s.done:
			t.Fatalf("serve exited with %d\nstdout: %s\nstderr: %s", code, s.out.String(), s.errOut.String())
		case <-deadline:
			cancel()
			t.Fatalf("serve did not start\nstdout: %s\nstderr: %s", s.out.String(), s.errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Cleanup(func() { s.stop() })
	return s
}

// stop stops the server as SIGINT would and checks it exits cleanly.
func (s *server) stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case code := <-s.done:
		if code != 0 {
			s.t.Errorf("serve exited with %d after shutdown\nstderr: %s", code, s.errOut.String())
		}
	case <-time.After(time.Minute):
		s.t.Errorf("serve did not stop")
	}
}

var (
	baseRE  = regexp.MustCompile(`écoute sur (http://\S+) `)
	checkRE = regexp.MustCompile(`curl -s -X POST (\S+/api/v1/checks) -H 'Authorization: Bearer (pn_\w+)' -H 'Content-Type: application/json' -d '(\{.*\})'`)
)

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

var (
	loginRE = regexp.MustCompile(`Opérateur \(administrateur\)\s+(\S+@\S+)\s+mot de passe : (\S+)`)
	csrfRE  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

// TestServeDemo starts the demo server on an empty database given with
// --db, follows its printed example and stops it.
func TestServeDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startServe(t, "--demo", "--db", db)
	out := s.out.String()
	for _, want := range []string{"operateur@demo.passnum.fr", "lieu@demo.passnum.fr", "mot de passe : ", "Lieu de médiation (agent)", "/api/v1/programmes/",
		"Clés (signature des QR codes, chiffrement des graines TOTP) : base de données."} { // the demo needs no key file
		if !strings.Contains(out, want) {
			t.Errorf("the demo banner does not say %q:\n%s", want, out)
		}
	}
	base := baseRE.FindStringSubmatch(out)
	m := checkRE.FindStringSubmatch(out)
	if base == nil || m == nil {
		t.Fatalf("no address or curl example in:\n%s", out)
	}

	// The printed curl example, as a client would run it.
	req, _ := http.NewRequest("POST", m[1], strings.NewReader(m[3]))
	req.Header.Set("Authorization", "Bearer "+m[2])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var verdict struct {
		Passes []struct {
			Usable  bool   `json:"usable"`
			Message string `json:"message"`
		} `json:"passes"`
	}
	err = json.NewDecoder(resp.Body).Decode(&verdict)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || len(verdict.Passes) != 1 || !verdict.Passes[0].Usable {
		t.Errorf("check example: %d %+v %v", resp.StatusCode, verdict, err)
	}

	resp, body := get(t, base[1]+"/")
	if resp.StatusCode != 200 || !strings.Contains(body, `href="/carnet"`) || !strings.Contains(body, `href="/connexion"`) ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("GET /: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	// The printed operator login opens the operator's pages.
	login := loginRE.FindStringSubmatch(out)
	if login == nil {
		t.Fatalf("no operator login in:\n%s", out)
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err = client.Get(base[1] + "/connexion")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := csrfRE.FindStringSubmatch(string(page))
	if token == nil {
		t.Fatalf("no CSRF token in the login page:\n%s", page)
	}
	resp, err = client.PostForm(base[1]+"/connexion", url.Values{"csrf": {token[1]}, "email": {login[1]}, "password": {login[2]}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/operateur" || !strings.Contains(string(page), "Pass numérique Ille-et-Vilaine 2027") {
		t.Errorf("operator login: %d at %s\n%s", resp.StatusCode, resp.Request.URL, page)
	}
	// The demonstration's messages lead to its pages: their links start
	// with the address it serves, not with a bare path.
	opToken := regexp.MustCompile(`Opérateur \(administrateur\)\s+(pn_\w+)`).FindStringSubmatch(out)
	if opToken == nil {
		t.Fatalf("no operator API token in:\n%s", out)
	}
	req, _ = http.NewRequest("GET", base[1]+"/api/v1/outbox?limit=200", nil)
	req.Header.Set("Authorization", "Bearer "+opToken[1])
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	outbox, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(outbox), `\n`+base[1]+`/lieu/releves/`) || strings.Contains(string(outbox), `\n/lieu/`) {
		t.Errorf("the demo's messages do not link to %s: %d\n%.600s", base[1], resp.StatusCode, outbox)
	}
	if resp, body := get(t, base[1]+"/api/openapi.json"); resp.StatusCode != 200 || !strings.Contains(body, `"openapi"`) {
		t.Errorf("GET /api/openapi.json: %d %.200s", resp.StatusCode, body)
	}
	if resp, _ := get(t, base[1]+"/nulle-part"); resp.StatusCode != 404 {
		t.Errorf("GET /nulle-part: %d", resp.StatusCode)
	}

	// The API and the web form count venue applications together: the
	// applications the API examined block the form too.
	for i := range ratelimit.ApplicationTryLimit {
		resp, err := http.Post(base[1]+"/api/v1/venue-applications", "application/json", strings.NewReader(`{"venue":{"nom":"Lieu"}}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("application %d through the API: %d, want 400 (every field to correct)", i+1, resp.StatusCode)
		}
	}
	resp, err = client.Get(base[1] + "/candidature")
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if token = csrfRE.FindStringSubmatch(string(page)); token == nil {
		t.Fatalf("no CSRF token in the application form:\n%s", page)
	}
	resp, err = client.PostForm(base[1]+"/candidature", url.Values{"csrf": {token[1]}, "nom": {"Lieu"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the web form after %d applications through the API: %d\n%.300s", ratelimit.ApplicationTryLimit, resp.StatusCode, page)
	}
	s.stop()

	// With --db, a database that holds data is served as it is.
	s = startServe(t, "--demo", "--db", db)
	if out := s.out.String(); strings.Contains(out, "mot de passe") {
		t.Errorf("a second demo start seeded again:\n%s", out)
	}
	if !strings.Contains(s.errOut.String(), "contient déjà des données") {
		t.Errorf("no word about the existing data: %s", s.errOut.String())
	}
	s.stop()
}

// TestServeDemoDefault: without --db, --demo recreates passnum-demo.db in
// the working directory.
func TestServeDemoDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo")
	}
	unsetenv(t, envDB)
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile(demoDB, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "--demo")
	if !strings.Contains(s.out.String(), "base sqlite : "+demoDB) || !strings.Contains(s.out.String(), "operateur@demo.passnum.fr") {
		t.Errorf("banner:\n%s", s.out.String())
	}
	s.stop()
}

func TestSecondFactorSetting(t *testing.T) {
	tests := []struct {
		given string
		demo  bool
		want  passnum.SecondFactorPolicy
		bad   bool
	}{
		{"", false, passnum.SecondFactorAdmins, false},
		{"", true, passnum.SecondFactorOff, false},
		{"admins", true, passnum.SecondFactorAdmins, false},
		{"off", false, passnum.SecondFactorOff, false},
		{"tous", false, "", true},
	}
	for _, tc := range tests {
		got, err := serveConfig{secondFactor: tc.given, demo: tc.demo}.secondFactorPolicy()
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("%q demo %v: %q %v, want %q (error %v)", tc.given, tc.demo, got, err, tc.want, tc.bad)
		}
	}
}
