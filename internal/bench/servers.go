package bench

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// serverReadyTimeout is how long a `passnum serve` child may take to
// answer /readyz.
const serverReadyTimeout = time.Minute

// servers are `passnum serve` child processes on one database, each on a
// loopback port of its own, for --servers.
type servers struct {
	children []*child
	// stop ends the sampling of their memory.
	stop    context.CancelFunc
	sampled sync.WaitGroup
}

// child is one `passnum serve` process.
type child struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port
	log    *os.File
	exited chan struct{}
	err    error // of Wait, once exited is closed

	mu   sync.Mutex
	peak int64 // largest VmHWM read
}

// startServers starts n `passnum serve` processes of the binary exe on
// dsn, and waits until each answers /readyz. Their output goes to a
// temporary file each, shown in the error when one fails. They stop when
// ctx ends (Ctrl+C) or at close.
func startServers(ctx context.Context, exe, dsn string, n, pool int, log *slog.Logger) (*servers, error) {
	ss := &servers{}
	for i := range n {
		c, err := startChild(ctx, exe, dsn, i+1, pool)
		if err != nil {
			ss.close(false)
			return nil, err
		}
		ss.children = append(ss.children, c)
		log.Info("bench: server started", "pid", c.cmd.Process.Pid, "url", c.base, "log", c.log.Name())
	}
	for _, c := range ss.children {
		if err := c.waitReady(ctx); err != nil {
			ss.close(false)
			return nil, err
		}
	}
	sctx, stop := context.WithCancel(ctx)
	ss.stop = stop
	for _, c := range ss.children {
		ss.sampled.Go(func() { c.sample(sctx) })
	}
	return ss, nil
}

func startChild(ctx context.Context, exe, dsn string, number, pool int) (*child, error) {
	// A free loopback port: the kernel picks it, the child listens on it
	// a moment later.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	out, err := os.CreateTemp("", fmt.Sprintf("passnum-bench-serve-%d-*.log", number))
	if err != nil {
		return nil, err
	}
	// --db before the command, as an operator would type it; the
	// indicators are not computed in the background during the measure.
	cmd := exec.CommandContext(ctx, exe, "--db", dsn, "serve", "--addr", addr, "--indicators-every", "0")
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), fmt.Sprintf("PASSNUM_DB_MAX_CONNS=%d", pool))
	// Ctrl+C (ctx ends): the child stops as `passnum serve` does, and is
	// killed if it takes too long.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		out.Close()
		os.Remove(out.Name())
		return nil, fmt.Errorf("start %s serve: %w", exe, err)
	}
	c := &child{cmd: cmd, base: "http://" + addr, log: out, exited: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

// waitReady polls /readyz until the child answers 200.
func (c *child) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(serverReadyTimeout)
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-c.exited:
			return fmt.Errorf("server %s stopped before it was ready (%v):\n%s", c.base, c.err, c.tail())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := client.Get(c.base + "/readyz"); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server %s not ready after %s:\n%s", c.base, serverReadyTimeout, c.tail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sample reads the child's VmHWM every quarter of a second until ctx
// ends, so that the peak survives the child's end.
func (c *child) sample(ctx context.Context) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		c.readPeak()
		select {
		case <-ctx.Done():
			return
		case <-c.exited:
			return
		case <-t.C:
		}
	}
}

func (c *child) readPeak() {
	if p := peakRSS(c.cmd.Process.Pid); p > 0 {
		c.mu.Lock()
		c.peak = max(c.peak, p)
		c.mu.Unlock()
	}
}

// tail returns the end of the child's output, for an error message.
func (c *child) tail() string {
	b, err := os.ReadFile(c.log.Name())
	if err != nil {
		return err.Error()
	}
	const keep = 4000
	s := string(b)
	if len(s) > keep {
		s = "…" + s[len(s)-keep:]
	}
	return fmt.Sprintf("--- %s ---\n%s", c.log.Name(), strings.TrimSpace(s))
}

// freeConnectionsAt is freeConnections on the database at dsn.
func freeConnectionsAt(ctx context.Context, dsn string) (int, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return freeConnections(ctx, db)
}

// maxConnections reads PostgreSQL's max_connections.
func maxConnections(ctx context.Context, dsn string) (int, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT current_setting('max_connections')::int").Scan(&n); err != nil {
		return 0, fmt.Errorf("read max_connections: %w", err)
	}
	return n, nil
}

// retriesMetric is the counter of retried transactions each server shows
// on /metrics (cmd/passnum/ops.go), open to the loopback interface.
const retriesMetric = "passnum_transaction_retries_total"

// retries sums the servers' retried transactions, -1 when one cannot be
// read.
func (ss *servers) retries(ctx context.Context) int64 {
	var sum int64
	for _, c := range ss.children {
		n, err := c.retries(ctx)
		if err != nil {
			return -1
		}
		sum += n
	}
	return sum
}

func (c *child) retries(ctx context.Context) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s/metrics: %s", c.base, resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), retriesMetric+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int64(f), err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s/metrics: no %s", c.base, retriesMetric)
}

// bases lists the servers' URLs.
func (ss *servers) bases() []string {
	out := make([]string, len(ss.children))
	for i, c := range ss.children {
		out[i] = c.base
	}
	return out
}

// memory reads the peaks once more and returns them.
func (ss *servers) memory() Memory {
	m := Memory{Of: MemoryOfServers, PeakBytes: -1}
	for _, c := range ss.children {
		c.readPeak()
		c.mu.Lock()
		p := c.peak
		c.mu.Unlock()
		if p == 0 {
			p = -1
		}
		m.PerServer = append(m.PerServer, p)
		m.PeakBytes = max(m.PeakBytes, p)
	}
	return m
}

// failed returns the output of the children that stopped on their own,
// for the report of a run that went wrong.
func (ss *servers) failed() error {
	var errs []error
	for _, c := range ss.children {
		select {
		case <-c.exited:
			errs = append(errs, fmt.Errorf("server %s stopped during the measure (%v):\n%s", c.base, c.err, c.tail()))
		default:
		}
	}
	return errors.Join(errs...)
}

// close stops the children (an interrupt, as Ctrl+C, then a kill after
// WaitDelay), waits for them, and removes their output files unless keep.
func (ss *servers) close(keep bool) {
	if ss.stop != nil {
		ss.stop()
	}
	ss.sampled.Wait()
	for _, c := range ss.children {
		select {
		case <-c.exited:
		default:
			c.cmd.Process.Signal(os.Interrupt)
		}
	}
	for _, c := range ss.children {
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			c.cmd.Process.Kill()
			<-c.exited
		}
		c.log.Close()
		if !keep {
			os.Remove(c.log.Name())
		}
	}
}

// MeasureRedeemServers is MeasureRedeemHTTP with n `passnum serve`
// processes of the binary exe answering, on the database of env: the
// clients are split between them, the rate is over all. The retried
// transactions are read from the servers' /metrics before and after
// (Retries -1 when that fails), their peak resident memory from /proc.
func MeasureRedeemServers(ctx context.Context, env *Env, fx *Fixture, clients, n int, exe string, log *slog.Logger) (*RedeemResult, error) {
	log = orDiscard(log)
	if env.Store.Dialect() != "postgres" {
		return nil, errors.New("--servers needs PostgreSQL: on SQLite one process writes")
	}
	maxConns, err := maxConnections(ctx, env.dsn)
	if err != nil {
		return nil, err
	}
	// Each server gets its share of the connections PostgreSQL still
	// accepts (PASSNUM_DB_MAX_CONNS), as an operator would set it, rather
	// than 64 each past max_connections.
	free, err := freeConnectionsAt(ctx, env.dsn)
	if err != nil {
		return nil, err
	}
	pool := min(ServerPool, free/n)
	if pool < 2 {
		return nil, fmt.Errorf("PostgreSQL accepts only %d more connections: too few for %d servers", free, n)
	}
	ss, err := startServers(ctx, exe, env.dsn, n, pool, log)
	if err != nil {
		return nil, err
	}
	log.Info("bench: redeeming over HTTP", "redemptions", len(fx.Codes), "clients", clients, "servers", n)
	before := ss.retries(ctx)
	res, err := load(ctx, ss.bases(), fx, clients)
	retries := int64(-1)
	if after := ss.retries(ctx); before >= 0 && after >= 0 {
		retries = after - before
	}
	if err == nil {
		err = ss.failed()
	}
	// The servers' output is kept, and named, when something went wrong;
	// not after Ctrl+C.
	keep := ctx.Err() == nil && (err != nil || res.Failed > 0)
	var logs []string
	for _, c := range ss.children {
		logs = append(logs, c.log.Name())
	}
	var mem Memory
	if err == nil {
		mem = ss.memory()
	}
	ss.close(keep)
	if err != nil {
		if keep {
			err = fmt.Errorf("%w (server logs: %s)", err, strings.Join(logs, ", "))
		}
		return nil, err
	}
	if keep {
		res.FirstFailure += " (journaux des serveurs : " + strings.Join(logs, ", ") + ")"
	}
	res.Retries, res.Servers, res.Memory, res.MaxConnections, res.ServerPool = retries, n, mem, maxConns, pool
	return res, nil
}
