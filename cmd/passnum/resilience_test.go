package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/metrics"
	"github.com/passnum/passnum/internal/sqlstore"
	"github.com/passnum/passnum/internal/storetest"
)

// platform is the server of `passnum serve` — operations endpoints, API
// and pages, mounted by mount — on a real listener on 127.0.0.1, over a
// real store.
type platform struct {
	env     *storetest.Env
	fixture *storetest.Fixture
	url     string
	logs    *syncBuffer // the server's log, JSON lines
}

func newPlatform(t *testing.T, env *storetest.Env, o storetest.Options, logs *syncBuffer) *platform {
	t.Helper()
	if logs == nil {
		logs = &syncBuffer{}
	}
	p := &platform{env: env, fixture: storetest.NewFixture(t, env, o), logs: logs}
	m := metrics.New()
	log := slog.New(slog.NewJSONHandler(logs, nil))
	h, err := mount(env.Store, m.Service(env.Store), m, mountOptions{log: log, base: "http://127.0.0.1", operator: "Opérateur de test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

// token is an API token of a venue's agent.
func (p *platform) token(t *testing.T, venue *passnum.Organisation) string {
	t.Helper()
	_, secret, err := p.env.Store.CreateToken(storetest.As(p.fixture.Operator), passnum.TokenCreate{OrgID: venue.ID, Role: passnum.RoleAgent, Name: "caisse"})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// answer is what a client got.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// redeem posts a redemption of one pass; a nil answer with an error when
// the request did not complete (ctx ended first).
func (p *platform) redeem(ctx context.Context, client *http.Client, token string, service int64, code, key string) (*answer, error) {
	body, _ := json.Marshal(map[string]any{"codes": []string{code}, "service_id": service, "idempotency_key": key})
	req, err := http.NewRequestWithContext(ctx, "POST", p.url+"/api/v1/redemptions", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func (p *platform) get(t *testing.T, path string) *answer {
	t.Helper()
	resp, err := http.Get(p.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// problemReason is the reason of a problem answer (the end of its type).
func problemReason(body []byte) string {
	var p struct{ Type string }
	json.Unmarshal(body, &p)
	return strings.TrimPrefix(p.Type, "/api/problems/")
}

// TestLoadWithImpatientClients is a bounded load test on 127.0.0.1: 16
// tills redeem passes while 16 others hang up 2 to 25 ms after sending
// theirs, all drawing from the same passes. The tills that wait get a
// redemption or a legitimate refusal (the pass went to someone else),
// never a 5xx; afterwards every acknowledged redemption is in the store,
// no pass is redeemed twice and the invariants hold. The server records
// the clients that left as 499 and logs no error.
func TestLoadWithImpatientClients(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		const carnets, tills, requests = 120, 16, 20
		p := newPlatform(t, env, storetest.Options{Carnets: carnets, Allocated: carnets, Distributed: carnets, CarnetSize: 5}, nil)
		f := p.fixture
		var passes []int64
		for i := range carnets {
			passes = append(passes, f.Serials(i)...)
		}
		token := p.token(t, f.Venue)
		// Enough connections for every till, none shared by an impatient
		// one and a patient one.
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * tills}}
		defer client.CloseIdleConnections()

		type outcome struct {
			serial int64
			status int
			reason string
			id     int64
		}
		var mu sync.Mutex
		var patient []outcome
		hungUp, impatientAnswered := 0, 0
		var next atomic.Int64 // index of the next fresh pass
		var wg sync.WaitGroup
		start := time.Now()
		for till := range 2 * tills {
			impatient := till%2 == 1
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(till), 12))
				for n := range requests {
					// Mostly a pass nobody presented yet, so that most
					// requests write; now and then one already presented.
					i := int(next.Add(1)) - 1
					if i >= len(passes) || rng.IntN(8) == 0 {
						i = rng.IntN(min(i+1, len(passes)))
					}
					serial := passes[i]
					ctx, cancel := context.Background(), context.CancelFunc(func() {})
					if impatient {
						ctx, cancel = context.WithTimeout(ctx, time.Duration(2+rng.IntN(24))*time.Millisecond)
					}
					a, err := p.redeem(ctx, client, token, f.Service.ID, f.Codes[serial], fmt.Sprintf("till-%d-%d", till, n))
					cancel()
					mu.Lock()
					switch {
					case impatient && err != nil:
						hungUp++
					case impatient:
						impatientAnswered++
					case err != nil:
						t.Errorf("till %d: %v", till, err)
					default:
						o := outcome{serial: serial, status: a.status, reason: problemReason(a.body)}
						if a.status == http.StatusCreated {
							var r struct{ ID int64 }
							json.Unmarshal(a.body, &r)
							o.id = r.ID
						}
						patient = append(patient, o)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)

		// Every answer to a till that waited is a redemption or a
		// legitimate refusal.
		acknowledged := map[int64]int64{} // serial → redemption id
		refused := 0
		for _, o := range patient {
			switch {
			case o.status == http.StatusCreated:
				if prev, ok := acknowledged[o.serial]; ok {
					t.Errorf("pass %d acknowledged twice: redemptions %d and %d", o.serial, prev, o.id)
				}
				acknowledged[o.serial] = o.id
			case o.status == http.StatusUnprocessableEntity && o.reason == passnum.ReasonAlreadyRedeemed:
				refused++
			default:
				t.Errorf("pass %d: %d %s, want 201 or 422 %s", o.serial, o.status, o.reason, passnum.ReasonAlreadyRedeemed)
			}
		}
		if len(acknowledged) == 0 || hungUp == 0 {
			t.Fatalf("%d redemptions acknowledged, %d requests hung up: the test exercised nothing", len(acknowledged), hungUp)
		}
		// Every acknowledged redemption is stored, with its pass. The
		// impatient tills' requests may have been committed too, so there
		// can be more redemptions than one page holds: read them all.
		var reds []*passnum.Redemption
		for {
			page, total, err := env.Store.ListRedemptions(storetest.As(f.Operator), passnum.RedemptionFilter{Limit: 500, Offset: len(reds)})
			if err != nil {
				t.Fatal(err)
			}
			reds = append(reds, page...)
			if len(page) == 0 || len(reds) >= total {
				break
			}
		}
		stored := map[int64]int64{}
		for _, r := range reds {
			for _, s := range r.Serials {
				if prev, ok := stored[s]; ok {
					t.Errorf("pass %d redeemed twice: redemptions %d and %d", s, prev, r.ID)
				}
				stored[s] = r.ID
			}
		}
		for serial, id := range acknowledged {
			if stored[serial] != id {
				t.Errorf("pass %d: redemption %d acknowledged, the store has %d", serial, id, stored[serial])
			}
		}
		storetest.MustCheck(t, env, f.Operator)

		// The server's view: no internal error, the clients that left
		// recorded as 499.
		metricsBody := string(p.get(t, "/metrics").body)
		for _, line := range strings.Split(metricsBody, "\n") {
			if strings.HasPrefix(line, "http_requests_total{") && strings.Contains(line, `code="5`) {
				t.Errorf("metrics: %s", line)
			}
		}
		logs := p.logs.String()
		for _, line := range strings.Split(logs, "\n") {
			if strings.Contains(line, `"level":"ERROR"`) {
				t.Errorf("error in the log: %.1000s", line)
			}
		}
		closed := strings.Count(logs, `"status":499`)
		t.Logf("%s: %d requests in %s; tills that waited: %d redeemed, %d refused (pass already used); impatient: %d hung up, %d answered in time; %d recorded as 499",
			env.Name, 2*tills*requests, elapsed.Round(time.Millisecond), len(acknowledged), refused, hungUp, impatientAnswered, closed)
	})
}

// TestServeStorageFull runs the platform on a SQLite database capped in
// size (max_page_count, standing for a full disk). Redemptions are
// answered 503 with Retry-After, the problem type storage-full and a
// French detail; /readyz answers 503; /metrics shows the episode; the log
// has one error line for it, not one per request; nothing acknowledged is
// lost. Once space is back, /readyz finds it by itself and the refused
// redemptions go through when sent again.
func TestServeStorageFull(t *testing.T) {
	logs := &syncBuffer{}
	clock := storetest.NewClock(storetest.Start)
	s, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "full.db"),
		sqlstore.WithClock(clock.Now), sqlstore.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	const carnets = 20
	p := newPlatform(t, &storetest.Env{Name: "sqlite", Store: s, Clock: clock}, storetest.Options{Carnets: carnets, Allocated: carnets, Distributed: carnets, CarnetSize: 5}, logs)
	f := p.fixture
	token := p.token(t, f.Venue)
	if a := p.get(t, "/readyz"); a.status != http.StatusOK {
		t.Fatalf("/readyz before: %d %s", a.status, a.body)
	}
	ctx := context.Background()
	pages, err := s.PageCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetSizeLimit(ctx, pages+4); err != nil {
		t.Fatal(err)
	}

	acknowledged := map[int64]bool{}
	var refused []int64
	for i := range carnets {
		for _, serial := range f.Serials(i) {
			a, err := p.redeem(ctx, http.DefaultClient, token, f.Service.ID, f.Codes[serial], fmt.Sprint("k", serial))
			if err != nil {
				t.Fatal(err)
			}
			switch a.status {
			case http.StatusCreated:
				acknowledged[serial] = true
				continue
			case http.StatusServiceUnavailable:
				refused = append(refused, serial)
			default:
				t.Fatalf("pass %d: %d %s, want 201 or 503", serial, a.status, a.body)
			}
			var prob struct{ Type, Title, Detail string }
			if err := json.Unmarshal(a.body, &prob); err != nil || a.header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("503 is not a problem: %v %s", err, a.body)
			}
			if prob.Type != "/api/problems/storage-full" || !strings.Contains(prob.Detail, "Rien n'a été encaissé") || a.header.Get("Retry-After") != "120" {
				t.Fatalf("503 answer: Retry-After %q, %+v", a.header.Get("Retry-After"), prob)
			}
		}
	}
	if len(refused) == 0 {
		t.Fatal("no redemption refused: the database was not full")
	}
	if a := p.get(t, "/readyz"); a.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with a full disk: %d %s, want 503", a.status, a.body)
	}
	metricsBody := string(p.get(t, "/metrics").body)
	for _, want := range []string{
		"passnum_storage_full 1\n",
		fmt.Sprintf("passnum_storage_full_refusals_total %d\n", len(refused)),
		fmt.Sprintf(`http_requests_total{code="503",method="POST",route="POST /api/v1/redemptions"} %d`, len(refused)),
	} {
		if !strings.Contains(metricsBody, want) {
			t.Errorf("/metrics lacks %q", strings.TrimSpace(want))
		}
	}
	if n := strings.Count(logs.String(), `"level":"ERROR"`); n != 1 {
		t.Errorf("%d error lines for one episode of %d refused redemptions, want 1:\n%.3000s", n, len(refused), logs.String())
	}
	checkRedeemed(t, p, acknowledged)

	// Space comes back; nobody writes (the load balancer went away), yet
	// /readyz finds it.
	if _, err := s.SetSizeLimit(ctx, 0); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for p.get(t, "/readyz").status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/readyz still 503 10 s after space came back")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if body := string(p.get(t, "/metrics").body); !strings.Contains(body, "passnum_storage_full 0\n") {
		t.Error("/metrics still shows the disk full")
	}
	// The venue sends its refused redemptions again: they go through.
	for _, serial := range refused {
		a, err := p.redeem(ctx, http.DefaultClient, token, f.Service.ID, f.Codes[serial], fmt.Sprint("k", serial))
		if err != nil || a.status != http.StatusCreated {
			t.Fatalf("pass %d sent again: %v %+v", serial, err, a)
		}
		acknowledged[serial] = true
	}
	checkRedeemed(t, p, acknowledged)
	if n := strings.Count(logs.String(), `"level":"ERROR"`); n != 1 {
		t.Errorf("%d error lines in all, want 1", n)
	}
	if n := strings.Count(logs.String(), "database storage available again"); n != 1 {
		t.Errorf("%d lines for the end of the episode, want 1", n)
	}
	t.Logf("%d redemptions acknowledged before the disk filled, %d refused with 503 then accepted", len(acknowledged)-len(refused), len(refused))
}

// checkRedeemed checks that exactly the acknowledged passes are redeemed
// and that the invariants hold.
func checkRedeemed(t *testing.T, p *platform, acknowledged map[int64]bool) {
	t.Helper()
	reds, _, err := p.env.Store.ListRedemptions(storetest.As(p.fixture.Operator), passnum.RedemptionFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int64]bool{}
	for _, r := range reds {
		for _, s := range r.Serials {
			stored[s] = true
		}
	}
	for s := range acknowledged {
		if !stored[s] {
			t.Errorf("pass %d: acknowledged, not stored", s)
		}
	}
	if len(stored) != len(acknowledged) {
		t.Errorf("%d passes redeemed, %d acknowledged", len(stored), len(acknowledged))
	}
	storetest.MustCheck(t, p.env, p.fixture.Operator)
}
