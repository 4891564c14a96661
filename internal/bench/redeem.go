package bench

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpapi"
	"github.com/passnum/passnum/internal/sqlstore"
)

// RedeemResult is the HTTP redemption measure.
type RedeemResult struct {
	Redemptions int `json:"redemptions"`
	Clients     int `json:"clients"`
	// SetupSeconds is how long SetupRedemptions took (not measured in the
	// rate).
	SetupSeconds float64 `json:"setup_seconds"`
	// Seconds runs from the first request sent to the last answer read.
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"redemptions_per_second"`
	CPU       CPUUse  `json:"cpu"`
	// Latencies of one request as a client sees it, in milliseconds.
	P50Ms float64 `json:"p50_ms"`
	P90Ms float64 `json:"p90_ms"`
	P99Ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
	// Failed counts requests not answered 201 Created (transport errors
	// count as status 0); Statuses breaks them down.
	Failed       int         `json:"failed"`
	Statuses     map[int]int `json:"statuses,omitempty"`
	FirstFailure string      `json:"first_failure,omitempty"`
	// InternalErrors counts the 500 answers; ExhaustedRetries the 503
	// answers of type server-busy: the store gave up after retrying
	// conflicting transactions. Both are also in Failed and Statuses.
	InternalErrors   int `json:"internal_errors"`
	ExhaustedRetries int `json:"exhausted_retries"`
	// Problems counts the failures by status and problem type, as
	// "503 database-unavailable" ("0" for a transport error).
	Problems map[string]int `json:"problems,omitempty"`
	// Retries counts store transactions retried after a serialization
	// conflict during the run (PostgreSQL); with Servers, the sum of
	// their /metrics counters, -1 when one could not be read.
	Retries int64 `json:"retries"`
	// Servers is the number of `passnum serve` processes that answered
	// (--servers); 0 when the bench served the API itself.
	Servers int `json:"servers"`
	// MaxConnections is PostgreSQL's max_connections, read with Servers.
	MaxConnections int `json:"max_connections,omitempty"`
	// ServerPool is the connections each server may open
	// (PASSNUM_DB_MAX_CONNS), its share of those PostgreSQL still
	// accepted when they started; with Servers.
	ServerPool int `json:"server_pool,omitempty"`
	// Memory is the peak resident memory of what served the requests.
	Memory Memory `json:"memory"`
	// Raw is the raw limit measured after the HTTP phase on the same
	// database (MeasureRaw), nil when not asked for; PercentOfRaw is
	// PerSecond as a percentage of Raw.PerSecond.
	Raw          *RawResult `json:"raw_limit,omitempty"`
	PercentOfRaw float64    `json:"percent_of_raw,omitempty"`
	// RedeemedInStore is the number of redeemed passes the programme holds
	// afterwards: it must equal the 201 answers.
	RedeemedInStore int64 `json:"redeemed_in_store"`
	// Invariants is store.CheckInvariants, run afterwards.
	Invariants *Invariants `json:"invariants"`
}

// StatusCounts describes Statuses for people: "14 × 500, 2 × 0", most
// frequent first (0 is a transport error).
func (r *RedeemResult) StatusCounts() string {
	statuses := slices.Collect(maps.Keys(r.Statuses))
	slices.SortFunc(statuses, func(a, b int) int { return cmp.Or(r.Statuses[b]-r.Statuses[a], a-b) })
	parts := make([]string, len(statuses))
	for i, st := range statuses {
		parts[i] = fmt.Sprintf("%d × %d", r.Statuses[st], st)
	}
	return strings.Join(parts, ", ")
}

// Invariants summarises a CheckInvariants report.
type Invariants struct {
	OK       bool     `json:"ok"`
	Passes   int64    `json:"passes"`
	Postings int64    `json:"postings"`
	Problems []string `json:"problems"`
	Seconds  float64  `json:"seconds"`
}

// MeasureRedeemHTTP serves the store's JSON API on a loopback port and has
// clients goroutines POST /api/v1/redemptions, one pass of fx each with a
// key of its own, over keep-alive connections, until every code is spent.
func MeasureRedeemHTTP(ctx context.Context, s *sqlstore.Store, fx *Fixture, clients int, log *slog.Logger) (*RedeemResult, error) {
	log = orDiscard(log)
	// The server logs every request, as `passnum serve` does: the lines are
	// formatted (that cost is part of the path) and thrown away.
	api := httpapi.NewServer(s, httpapi.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	retries := s.Retries()
	log.Info("bench: redeeming over HTTP", "redemptions", len(fx.Codes), "clients", clients, "url", "http://"+ln.Addr().String())
	// The peak resident memory from here on: the server's, but also the
	// load generator's, in the same process.
	reset := resetPeakRSS()
	res, err := load(ctx, []string{"http://" + ln.Addr().String()}, fx, clients)
	if err != nil {
		return nil, err
	}
	res.Retries = s.Retries() - retries
	res.Memory = Memory{Of: MemoryOfBench, PeakBytes: peakRSS(0), SinceStart: !reset}
	return res, nil
}

// Verify counts the passes of fx's programme that the store holds as
// redeemed and checks the store's invariants, after MeasureRedeemHTTP.
func Verify(ctx context.Context, s Service, fx *Fixture, res *RedeemResult, log *slog.Logger) error {
	opCtx, err := operator(ctx, s)
	if err != nil {
		return err
	}
	p, err := s.FindProgramme(opCtx, fx.ProgrammeID)
	if err != nil {
		return err
	}
	res.RedeemedInStore = p.PassesByState[passnum.StateRedeemed]
	orDiscard(log).Info("bench: checking invariants")
	start := time.Now()
	rep, err := s.CheckInvariants(opCtx)
	if err != nil {
		return fmt.Errorf("check invariants: %w", err)
	}
	res.Invariants = &Invariants{OK: rep.OK(), Passes: rep.Passes, Postings: rep.Postings, Problems: rep.Problems,
		Seconds: time.Since(start).Seconds()}
	return nil
}

// load sends the redemptions of fx to the API at bases and times them:
// client k sends to bases[k % len(bases)].
func load(ctx context.Context, bases []string, fx *Fixture, clients int) (*RedeemResult, error) {
	n := len(fx.Codes)
	if n == 0 {
		return nil, errors.New("no codes to redeem")
	}
	clients = max(1, min(clients, n))
	rc, err := newRedeemClient(bases, fx, clients)
	if err != nil {
		return nil, err
	}
	defer rc.transport.CloseIdleConnections()

	var (
		next      atomic.Int64
		latencies = make([]time.Duration, n)
		mu        sync.Mutex
		failures  []failure
		wg        sync.WaitGroup
	)
	cpu := sampleCPU()
	start := time.Now()
	for k := range clients {
		url := rc.urls[k%len(rc.urls)]
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				t0 := time.Now()
				status, detail := rc.send(ctx, url, i)
				latencies[i] = time.Since(t0)
				if status != http.StatusCreated {
					mu.Lock()
					failures = append(failures, failure{status, detail})
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	use := cpu.since(runtime.NumCPU())
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &RedeemResult{Redemptions: n, Clients: clients, Seconds: elapsed.Seconds(), PerSecond: float64(n) / elapsed.Seconds(), CPU: use}
	res.summarise(latencies, failures)
	return res, nil
}

// failure is a redemption not answered 201 Created: its status (0 for a
// transport error) and what came back.
type failure struct {
	status int
	detail string
}

// redeemClient sends the redemptions of a fixture over keep-alive
// connections.
type redeemClient struct {
	transport *http.Transport
	client    *http.Client
	urls      []string
	auth      string
	bodies    [][]byte
}

// newRedeemClient builds the requests' bodies before the clock starts: the
// load generator shares the machine with the server, and every cycle it
// spends is one the server does not get. Idempotency keys are random, as
// a till that draws a UUID per sale would send.
func newRedeemClient(bases []string, fx *Fixture, clients int) (*redeemClient, error) {
	rc := &redeemClient{auth: "Bearer " + fx.Token, bodies: make([][]byte, len(fx.Codes))}
	for _, base := range bases {
		rc.urls = append(rc.urls, base+"/api/v1/redemptions")
	}
	for i, code := range fx.Codes {
		b, err := json.Marshal(passnum.RedeemRequest{Codes: []string{code}, ServiceID: fx.ServiceID, IdempotencyKey: rand.Text()})
		if err != nil {
			return nil, err
		}
		rc.bodies[i] = b
	}
	// One keep-alive connection per client: the idle pool must hold them
	// all (the default keeps 2 per host, and 256 clients would open and
	// close connections all the time), and nothing caps the open ones
	// (MaxConnsPerHost 0).
	rc.transport = &http.Transport{
		MaxIdleConns:        clients,
		MaxIdleConnsPerHost: clients,
		MaxConnsPerHost:     0,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	rc.client = &http.Client{Transport: rc.transport, Timeout: time.Minute}
	return rc, nil
}

// send posts the i-th redemption and returns the answer's status, and its
// beginning unless it is 201 Created.
func (rc *redeemClient) send(ctx context.Context, url string, i int) (int, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(rc.bodies[i]))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", rc.auth)
	resp, err := rc.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusCreated {
		// Read to the end so the connection goes back to the pool.
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return 0, err.Error()
		}
		return resp.StatusCode, ""
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, string(body)
}

// summarise sets the latency percentiles and the failures of a run.
func (res *RedeemResult) summarise(latencies []time.Duration, failures []failure) {
	slices.Sort(latencies)
	res.P50Ms, res.P90Ms, res.P99Ms = ms(percentile(latencies, 50)), ms(percentile(latencies, 90)), ms(percentile(latencies, 99))
	res.MaxMs = ms(latencies[len(latencies)-1])
	res.Failed = len(failures)
	if len(failures) > 0 {
		res.Statuses = map[int]int{}
		res.Problems = map[string]int{}
		for _, f := range failures {
			res.Statuses[f.status]++
			res.Problems[strings.TrimSpace(fmt.Sprintf("%d %s", f.status, problemType(f.detail)))]++
			switch {
			case f.status == http.StatusInternalServerError:
				res.InternalErrors++
			case f.status == http.StatusServiceUnavailable && problemType(f.detail) == passnum.ReasonServerBusy:
				res.ExhaustedRetries++
			}
		}
		res.FirstFailure = fmt.Sprintf("%d %s", failures[0].status, failures[0].detail)
	}
}

// percentile returns the nearest-rank p-th percentile of sorted.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ⌈p·n/100⌉
	return sorted[max(rank, 1)-1]
}

// ProblemCounts describes Problems for people: "18 × 503 server-busy,
// 7 × 503 database-unavailable", most frequent first.
func (r *RedeemResult) ProblemCounts() string {
	keys := slices.Collect(maps.Keys(r.Problems))
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(r.Problems[b]-r.Problems[a], strings.Compare(a, b)) })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d × %s", r.Problems[k], k)
	}
	return strings.Join(parts, ", ")
}

// problemType returns the last part of the type of a problem+json answer,
// its reason ("server-busy"), or "" when body is not one.
func problemType(body string) string {
	var p struct {
		Type string `json:"type"`
	}
	if json.Unmarshal([]byte(body), &p) != nil {
		return ""
	}
	return p.Type[strings.LastIndex(p.Type, "/")+1:]
}
