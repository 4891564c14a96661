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
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/metrics"
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
		// Every acknowledged redemption is stored, with its pass.
		reds, _, err := env.Store.ListRedemptions(storetest.As(f.Operator), passnum.RedemptionFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
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
		if n := strings.Count(logs, `"level":"ERROR"`); n > 0 {
			t.Errorf("%d error lines in the log:\n%.3000s", n, logs)
		}
		closed := strings.Count(logs, `"status":499`)
		t.Logf("%s: %d requests in %s; tills that waited: %d redeemed, %d refused (pass already used); impatient: %d hung up, %d answered in time; %d recorded as 499",
			env.Name, 2*tills*requests, elapsed.Round(time.Millisecond), len(acknowledged), refused, hungUp, impatientAnswered, closed)
	})
}
