package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpapi"
	"github.com/passnum/passnum/internal/storetest"
)

// api is a real API server over a real store, as clients see it.
type api struct {
	t      *testing.T
	env    *storetest.Env
	server *httpapi.Server
	http   *httptest.Server
	op     *passnum.Actor
	logs   *lockedBuffer
	// now is the clock of the rate limiters.
	now *storetest.Clock
}

// lockedBuffer collects the server's logs from concurrent handlers.
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

func newAPI(t *testing.T, env *storetest.Env) *api {
	t.Helper()
	return newAPIWith(t, env, httpapi.Options{})
}

// newAPIWith is newAPI with options (its logger is the test's).
func newAPIWith(t *testing.T, env *storetest.Env, opts httpapi.Options) *api {
	t.Helper()
	op, err := env.Store.SystemActor(context.Background(), "test:operator")
	if err != nil {
		t.Fatalf("system actor: %v", err)
	}
	a := &api{t: t, env: env, op: op, logs: &lockedBuffer{}, now: storetest.NewClock(time.Now())}
	opts.Logger = slog.New(slog.NewJSONHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a.server = httpapi.NewServer(env.Store, opts)
	httpapi.SetNow(a.server, a.now.Now)
	a.http = httptest.NewServer(a.server.Handler())
	t.Cleanup(a.http.Close)
	return a
}

// token creates, through the store, a token of org with role: the
// bootstrap every deployment does from the command line.
func (a *api) token(orgID int64, role passnum.Role) string {
	a.t.Helper()
	_, secret, err := a.env.Store.CreateToken(storetest.As(a.op), passnum.TokenCreate{OrgID: orgID, Role: role, Name: "test " + string(role)})
	if err != nil {
		a.t.Fatalf("create token: %v", err)
	}
	return secret
}

// operatorToken is a token of the operator's admin.
func (a *api) operatorToken() string { return a.token(a.op.OrgID, passnum.RoleAdmin) }

// response is an answer of the API.
type response struct {
	t      *testing.T
	req    string
	status int
	header http.Header
	body   []byte
}

// header is a request header for do.
type header struct{ name, value string }

// do sends a request with token (none when empty). body is sent as is when
// it is a string, as JSON otherwise, and not at all when nil.
func (a *api) do(token, method, path string, body any, headers ...header) *response {
	a.t.Helper()
	res, err := a.send(token, method, path, body, headers...)
	if err != nil {
		a.t.Fatal(err)
	}
	return res
}

// send is do for goroutines other than the test's: it returns its error.
func (a *api) send(token, method, path string, body any, headers ...header) (*response, error) {
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				return nil, fmt.Errorf("encode %s %s: %w", method, path, err)
			}
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, a.http.URL+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		req.Header.Set(h.name, h.value)
	}
	res, err := a.http.Client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	return &response{t: a.t, req: method + " " + path, status: res.StatusCode, header: res.Header, body: b}, nil
}

// ok decodes a successful JSON answer with the wanted status into v.
func (r *response) ok(status int, v any) *response {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s: status %d, want %d: %s", r.req, r.status, status, r.body)
	}
	if v != nil {
		if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			r.t.Fatalf("%s: content type %q", r.req, ct)
		}
		if err := json.Unmarshal(r.body, v); err != nil {
			r.t.Fatalf("%s: decode %s: %v", r.req, r.body, err)
		}
	}
	return r
}

// problem checks that the answer is a problem+json with status and reason,
// and returns it.
func (r *response) problem(status int, reason string) httpapi.Problem {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s: status %d, want %d (%s): %s", r.req, r.status, status, reason, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		r.t.Fatalf("%s: content type %q, want application/problem+json", r.req, ct)
	}
	var p httpapi.Problem
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		r.t.Fatalf("%s: decode problem %s: %v", r.req, r.body, err)
	}
	if want := "/api/problems/" + reason; p.Type != want {
		r.t.Fatalf("%s: problem type %q, want %q: %s", r.req, p.Type, want, r.body)
	}
	if p.Status != status || p.Title == "" || p.Detail == "" || p.Instance == "" {
		r.t.Fatalf("%s: incomplete problem: %s", r.req, r.body)
	}
	return p
}

// page is the answer of list endpoints.
type page[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}
