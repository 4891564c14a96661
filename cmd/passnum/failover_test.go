package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	"github.com/passnum/passnum/internal/storetest"
)

// The failover pair that .ci/postgres-replicas makes: a primary and its
// synchronous hot standby, and the cluster names pg_ctlcluster knows them by.
const (
	envFailoverPrimary  = "PASSNUM_TEST_FAILOVER_PRIMARY"
	envFailoverStandby  = "PASSNUM_TEST_FAILOVER_STANDBY"
	envFailoverClusters = "PASSNUM_TEST_FAILOVER_CLUSTERS"
)

// failoverPair is the pair under test.
type failoverPair struct {
	primary, standby string // URLs of each server alone
	version          string // PostgreSQL's major version, for pg_ctlcluster
	a, b             string // cluster names: a is the primary, b its standby
}

// failoverPairOf reads the pair from the environment: without it, the test
// fails under CI (which makes the pair) and skips elsewhere. A pair whose
// standby was promoted already (an earlier run) is no pair to test.
func failoverPairOf(t *testing.T) failoverPair {
	t.Helper()
	p := failoverPair{primary: os.Getenv(envFailoverPrimary), standby: os.Getenv(envFailoverStandby)}
	clusters := strings.Fields(os.Getenv(envFailoverClusters))
	missing := p.primary == "" || p.standby == "" || len(clusters) != 3
	unusable := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if missing {
		unusable("%s, %s and %s not set: run eval \"$(.ci/postgres-replicas)\" (as root) to make the failover pair", envFailoverPrimary, envFailoverStandby, envFailoverClusters)
	}
	p.version, p.a, p.b = clusters[0], clusters[1], clusters[2]
	for _, s := range []struct {
		url      string
		recovery bool
	}{{p.primary, false}, {p.standby, true}} {
		db, err := sql.Open("pgx", s.url)
		if err != nil {
			t.Fatal(err)
		}
		var inRecovery bool
		err = db.QueryRow(`SELECT pg_is_in_recovery()`).Scan(&inRecovery)
		db.Close()
		if err != nil || inRecovery != s.recovery {
			unusable("the failover pair is not a primary and its standby (%s: in recovery %v, %v): run .ci/postgres-replicas again", s.url, inRecovery, err)
		}
	}
	return p
}

// withSchema is u with search_path set to schema.
func withSchema(t *testing.T, u, schema string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	q.Set("search_path", schema)
	parsed.RawQuery = q.Encode()
	return parsed.String()
}

// multiHost is the URL that names both servers, where a connection goes to
// whichever accepts writes.
func (p failoverPair) multiHost(t *testing.T, schema string) string {
	t.Helper()
	a, err := url.Parse(p.primary)
	if err != nil {
		t.Fatal(err)
	}
	b, err := url.Parse(p.standby)
	if err != nil {
		t.Fatal(err)
	}
	q := a.Query()
	q.Set("target_session_attrs", "read-write")
	q.Set("search_path", schema)
	return fmt.Sprintf("postgres://%s@%s,%s%s?%s", a.User.String(), a.Host, b.Host, a.Path, q.Encode())
}

// pgctl runs pg_ctlcluster on one cluster of the pair.
func (p failoverPair) pgctl(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("pg_ctlcluster", append([]string{p.version}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("pg_ctlcluster %s %s: %v\n%s", p.version, strings.Join(args, " "), err, out)
	}
}

// clockServe is `passnum serve` running in the background on the test's
// clock, as startServe runs it on the real one.
func clockServe(t *testing.T, clock *storetest.Clock, args ...string) (base string, srv *server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv = &server{t: t, out: &syncBuffer{}, errOut: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	c := newCLI(srv.out, srv.errOut)
	c.now = clock.Now
	go func() {
		srv.done <- c.run(ctx, append(args, "serve", "--addr", "127.0.0.1:0", "--indicators-every", "0"))
	}()
	deadline := time.After(2 * time.Minute)
	for !strings.Contains(srv.out.String(), "Arrêt : Ctrl+C.") {
		select {
		case code := <-srv.done:
			t.Fatalf("serve exited with %d\nstdout: %s\nstderr: %s", code, srv.out.String(), srv.errOut.String())
		case <-deadline:
			cancel()
			t.Fatalf("serve did not start\nstdout: %s\nstderr: %s", srv.out.String(), srv.errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Cleanup(srv.stop)
	m := baseRE.FindStringSubmatch(srv.out.String())
	if m == nil {
		t.Fatalf("no address in %q", srv.out.String())
	}
	return m[1], srv
}

// presentation is one client's presenting of one pass, with its own
// idempotency key, until a final answer.
type presentation struct {
	serial int64
	key    string
	server int
	// The final answer: its status, and for a 2xx the redemption.
	status     int
	reason     string
	redemption passnum.Redemption
}

// failoverCounts are the answers the clients got, by status, over the run.
type failoverCounts struct {
	mu       sync.Mutex
	byStatus map[int]int
	reasons  map[string]int // of 503s
	bad503   []string       // 503s without Retry-After or not a problem
	failures []string       // transport errors, statuses no client should see
	// Instants: of the first 503 after the stop per server, of the first
	// 2xx after the promotion per server.
	first503, firstOK [2]time.Time
}

// TestFailover redeems passes through two passnum servers on a PostgreSQL
// primary with a synchronous hot standby, stops the primary in the middle
// (immediate stop: a crash) and promotes the standby. Each pass is
// presented by two clients, one per server, each with its own idempotency
// key, and each client sends its request again, with the same key, after a
// 503 until it gets a final answer. The servers, never restarted, reconnect
// by themselves through the multi-host URL; during the switch requests get
// 503 with Retry-After as a problem (and a French page on the web), never
// 500; every acknowledged redemption is on the new primary with what was
// answered, each pass is redeemed once, by the one client told so, the
// other told it was already used; and passnum check passes on the new
// primary.
func TestFailover(t *testing.T) {
	pair := failoverPairOf(t)
	raw := make([]byte, 6)
	rand.Read(raw)
	schema := "failover_" + hex.EncodeToString(raw)
	admin, err := sql.Open("pgx", pair.primary)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	multi := pair.multiHost(t, schema)

	// The programme, its passes and the venue's tokens, written through
	// the multi-host URL like everything else.
	const carnets, carnetSize, clientsPerServer = 40, 5, 4
	clock := storetest.NewClock(storetest.Start)
	seed, err := sqlstore.Open(context.Background(), multi, sqlstore.WithClock(clock.Now), sqlstore.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	env := &storetest.Env{Name: "postgres", Store: seed, Clock: clock}
	f := storetest.NewFixture(t, env, storetest.Options{Carnets: carnets, Allocated: carnets, Distributed: carnets, CarnetSize: carnetSize})
	tokens := make([]string, 2*clientsPerServer)
	for i := range tokens {
		_, tokens[i], err = seed.CreateToken(storetest.As(f.Operator), passnum.TokenCreate{OrgID: f.Venue.ID, Role: passnum.RoleAgent, Name: fmt.Sprint("caisse ", i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	seed.Close()

	var bases [2]string
	var servers [2]*server
	for i := range bases {
		bases[i], servers[i] = clockServe(t, clock, "--db", multi)
	}

	// Every pass, presented once through each server.
	var serials []int64
	for i := range carnets {
		serials = append(serials, f.Serials(i)...)
	}
	queues := make([][]*presentation, 2*clientsPerServer)
	var all []*presentation
	for j, serial := range serials {
		for srv := range 2 {
			client := srv*clientsPerServer + j%clientsPerServer
			p := &presentation{serial: serial, key: fmt.Sprintf("client%d-pass%d", client, serial), server: srv}
			queues[client] = append(queues[client], p)
			all = append(all, p)
		}
	}

	counts := &failoverCounts{byStatus: map[int]int{}, reasons: map[string]int{}}
	var finals atomic.Int64
	var stopped, promoted atomic.Pointer[time.Time]
	httpClient := &http.Client{Timeout: 2 * time.Minute}
	present := func(token string, p *presentation) {
		body, _ := json.Marshal(map[string]any{"codes": []string{f.Codes[p.serial]}, "service_id": f.Service.ID})
		for {
			req, _ := http.NewRequest("POST", bases[p.server]+"/api/v1/redemptions", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", p.key)
			resp, err := httpClient.Do(req)
			var b []byte
			if err == nil {
				b, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			now := time.Now()
			counts.mu.Lock()
			if err != nil {
				counts.failures = append(counts.failures, fmt.Sprintf("pass %d: %v", p.serial, err))
				counts.mu.Unlock()
				return
			}
			counts.byStatus[resp.StatusCode]++
			switch {
			case resp.StatusCode == http.StatusServiceUnavailable:
				reason := problemReason(b)
				counts.reasons[reason]++
				var prob struct{ Detail string }
				json.Unmarshal(b, &prob)
				if wait, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || wait < 1 ||
					resp.Header.Get("Content-Type") != "application/problem+json" || prob.Detail == "" {
					counts.bad503 = append(counts.bad503, fmt.Sprintf("Retry-After %q, %s: %s", resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), b))
				}
				if stopped.Load() != nil && counts.first503[p.server].IsZero() {
					counts.first503[p.server] = now
				}
			case resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK:
				if promoted.Load() != nil && counts.firstOK[p.server].IsZero() {
					counts.firstOK[p.server] = now
				}
				p.status = resp.StatusCode
				if err := json.Unmarshal(b, &p.redemption); err != nil {
					counts.failures = append(counts.failures, fmt.Sprintf("pass %d: %v in %s", p.serial, err, b))
				}
			case resp.StatusCode == http.StatusUnprocessableEntity:
				p.status, p.reason = resp.StatusCode, problemReason(b)
			default:
				counts.failures = append(counts.failures, fmt.Sprintf("pass %d: %d %s", p.serial, resp.StatusCode, b))
				p.status = resp.StatusCode
			}
			counts.mu.Unlock()
			if p.status != 0 {
				finals.Add(1)
				return
			}
			// Sooner than Retry-After says, so that the time the
			// servers take to recover is measured finely.
			time.Sleep(200 * time.Millisecond)
		}
	}
	var wg sync.WaitGroup
	for client, queue := range queues {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range queue {
				present(tokens[client], p)
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Minute)
		for !ok() {
			select {
			case <-finished:
				if !ok() {
					t.Fatalf("the clients finished before %s", what)
				}
				return
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s within 3 minutes", what)
			}
		}
	}

	// In the middle: the primary crashes. Until the standby is promoted
	// no server accepts writes: every request ends 503, on both servers.
	waitFor("quarter of the presentations", func() bool { return finals.Load() >= int64(len(all)/4) })
	pair.pgctl(t, pair.a, "stop", "-m", "immediate")
	stopAt := time.Now()
	stopped.Store(&stopAt)
	waitFor("503 from each server", func() bool {
		counts.mu.Lock()
		defer counts.mu.Unlock()
		return !counts.first503[0].IsZero() && !counts.first503[1].IsZero()
	})
	// A page says so in French, with Retry-After.
	resp, page := get(t, bases[0]+"/donnees-ouvertes")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(page, "Réessayez dans un instant") {
		t.Errorf("page during the switch: %d, Retry-After %q:\n%.2000s", resp.StatusCode, resp.Header.Get("Retry-After"), page)
	}
	if resp, body := get(t, bases[1]+"/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the switch: %d %s", resp.StatusCode, body)
	}
	pair.pgctl(t, pair.b, "promote")
	promoteAt := time.Now()
	promoted.Store(&promoteAt)
	t.Cleanup(func() {
		if db, err := sql.Open("pgx", pair.standby); err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	select {
	case <-finished:
	case <-time.After(5 * time.Minute):
		t.Fatalf("the clients did not finish within 5 minutes of the promotion (%d of %d presentations answered)", finals.Load(), len(all))
	}

	// What the clients saw: 503s with Retry-After during the switch,
	// never a 500, never a lost request.
	counts.mu.Lock()
	defer counts.mu.Unlock()
	requests := 0
	for _, n := range counts.byStatus {
		requests += n
	}
	for _, failure := range counts.failures {
		t.Error(failure)
	}
	for _, bad := range counts.bad503 {
		t.Errorf("503 without Retry-After or problem: %s", bad)
	}
	for reason := range counts.reasons {
		switch reason {
		case passnum.ReasonDatabaseUnavailable, passnum.ReasonOutcomeUnknown, passnum.ReasonServerBusy:
		default:
			t.Errorf("503 of reason %q", reason)
		}
	}
	if counts.byStatus[http.StatusServiceUnavailable] == 0 {
		t.Error("no 503 during the switch")
	}

	// What the new primary holds: exactly what was acknowledged.
	db, err := sql.Open("pgx", withSchema(t, pair.standby, schema))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var inRecovery bool
	if err := db.QueryRow(`SELECT pg_is_in_recovery()`).Scan(&inRecovery); err != nil || inRecovery {
		t.Fatalf("the standby is not the primary: in recovery %v, %v", inRecovery, err)
	}
	type stored struct {
		id     int64
		serial int64
	}
	byKey := map[string]stored{}
	rows, err := db.Query(`SELECT r.idempotency_key, r.id, rp.serial FROM redemptions r JOIN redemption_passes rp ON rp.redemption_id = r.id WHERE r.voided_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	redeemedBy := map[int64]int{}
	for rows.Next() {
		var key string
		var s stored
		if err := rows.Scan(&key, &s.id, &s.serial); err != nil {
			t.Fatal(err)
		}
		byKey[key] = s
		redeemedBy[s.serial]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	acknowledged, replayed := 0, 0
	okPerPass := map[int64]int{}
	for _, p := range all {
		s, ok := byKey[p.key]
		switch p.status {
		case http.StatusCreated, http.StatusOK:
			acknowledged++
			if p.status == http.StatusOK {
				replayed++
			}
			okPerPass[p.serial]++
			if !ok || s.id != p.redemption.ID || s.serial != p.serial || !slices.Equal(p.redemption.Serials, []int64{p.serial}) {
				t.Errorf("pass %d, key %s: answered %d (redemption %d of %v), new primary holds %+v (found %v)", p.serial, p.key, p.status, p.redemption.ID, p.redemption.Serials, s, ok)
			}
		case http.StatusUnprocessableEntity:
			if p.reason != passnum.ReasonAlreadyRedeemed {
				t.Errorf("pass %d, key %s: refused %s", p.serial, p.key, p.reason)
			}
			if ok {
				t.Errorf("pass %d, key %s: told it was already used, yet its own redemption %d is recorded", p.serial, p.key, s.id)
			}
		}
	}
	for _, serial := range serials {
		if redeemedBy[serial] != 1 || okPerPass[serial] != 1 {
			t.Errorf("pass %d: redeemed %d times, acknowledged %d times, want once each", serial, redeemedBy[serial], okPerPass[serial])
		}
	}
	if len(byKey) != acknowledged {
		t.Errorf("%d redemptions on the new primary, %d acknowledged", len(byKey), acknowledged)
	}

	// passnum check, on the new primary alone.
	var out, errOut bytes.Buffer
	c := newCLI(&out, &errOut)
	c.now = clock.Now
	if code := c.run(context.Background(), []string{"--db", withSchema(t, pair.standby, schema), "check"}); code != 0 {
		t.Errorf("passnum check on the new primary: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	// Each server logged the episode once it began and once it ended.
	for i, srv := range servers {
		logs := srv.errOut.String()
		if !strings.Contains(logs, "database unreachable") || !strings.Contains(logs, "database reachable again") {
			t.Errorf("server %d did not log the outage:\n%.3000s", i, logs)
		}
	}
	recovery := max(counts.firstOK[0].Sub(promoteAt), counts.firstOK[1].Sub(promoteAt))
	t.Logf("%d passes, each presented through both servers: %d requests, %d answered 503 (%v), %d redemptions acknowledged (%d of them replayed by idempotency key), the other presentation of each pass refused as already used; answered by both servers %s after the promotion (primary stopped %s before it)",
		len(serials), requests, counts.byStatus[http.StatusServiceUnavailable], counts.reasons, acknowledged, replayed,
		recovery.Round(time.Millisecond), promoteAt.Sub(stopAt).Round(time.Millisecond))
}
