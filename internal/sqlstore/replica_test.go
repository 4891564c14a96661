package sqlstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// The read replica (replica.go). The tests that pause the standby's
// replay are in cmd/passnum (replica_test.go), the only package that
// pauses it: these only wait for it.

// TestReadReplicaNeedsPostgres: SQLite has no replica; asking for one is
// refused with one sentence, before anything opens.
func TestReadReplicaNeedsPostgres(t *testing.T) {
	replica := sqlstore.WithReadReplica(sqlstore.ReadReplica{URL: "postgres://postgres@127.0.0.1:5433/test"})
	_, err := sqlstore.Open(context.Background(), t.TempDir()+"/passnum.db", replica)
	if passnum.ErrorReason(err) != "read-replica-needs-postgres" || !strings.Contains(passnum.ErrorMessage(err), "PostgreSQL") {
		t.Fatalf("SQLite with a replica: %v", err)
	}
}

// TestReadReplicaSeesPrimaryWrites: the reads that may lag come from the
// standby, and see a write of the primary once the standby replayed it.
func TestReadReplicaSeesPrimaryWrites(t *testing.T) {
	repl := st.NewReplication(t)
	env := repl.Open(t, 0)
	f := st.NewFixture(t, env, st.Options{})
	ctx := st.As(f.Operator)
	s := env.Store
	if !s.HasReadReplica() {
		t.Fatal("the store has no replica")
	}
	first, err := s.RefreshIndicators(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	repl.WaitReplayed(t)
	rep, err := s.Indicators(ctx, passnum.ScopeAllPasses, passnum.DimProgramme)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.ComputedAt.Equal(first.ComputedAt) || rep.Total.Issued != 100 {
		t.Errorf("indicators computed at %s with %d issued, want %s and 100", rep.ComputedAt, rep.Total.Issued, first.ComputedAt)
	}
	checkFromReplica(t, "indicators", rep.Freshness)
	dir, err := s.SearchDirectory(context.Background(), passnum.DirectoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if dir.Total != 3 {
		t.Errorf("directory lists %d venues, want the fixture's 3", dir.Total)
	}
	checkFromReplica(t, "directory", dir.Freshness)

	// A venue qualified on the primary, and the indicators recomputed an
	// hour later: the standby shows both once it has replayed them.
	if _, err := s.CreateOrganisation(ctx, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Tiers-lieu de Vitré",
		SIRET: "21350360000016", CommuneINSEE: "35360", Qualification: passnum.QualificationQualified}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Hour)
	second, err := s.RefreshIndicators(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	repl.WaitReplayed(t)
	if dir, err = s.SearchDirectory(context.Background(), passnum.DirectoryFilter{}); err != nil {
		t.Fatal(err)
	}
	if dir.Total != 4 {
		t.Errorf("directory lists %d venues once replayed, want 4", dir.Total)
	}
	snap, err := s.LatestIndicators(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !snap.ComputedAt.Equal(second.ComputedAt) {
		t.Errorf("latest snapshot computed at %s once replayed, want %s", snap.ComputedAt, second.ComputedAt)
	}
	checkFromReplica(t, "latest snapshot", snap.Freshness)
	entry, err := s.DirectoryEntry(context.Background(), f.Venue.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkFromReplica(t, "directory entry", entry.Freshness)
}

func checkFromReplica(t *testing.T, what string, f *passnum.Freshness) {
	t.Helper()
	if f == nil || f.Source != passnum.SourceReplica || f.Fallback != "" {
		t.Errorf("%s: freshness %+v, want read on the replica", what, f)
	}
}

// syncLog is a log the store writes from any goroutine.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// closedPort returns a port of this machine where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestReadReplicaUnreachable: a replica nobody answers at leaves every
// read to the primary, which the freshness says, with one line in the log
// however many reads there are.
func TestReadReplicaUnreachable(t *testing.T) {
	dsn := st.PostgresSchema(t, "")
	var log syncLog
	clock := st.NewClock(st.Start)
	s, err := sqlstore.Open(context.Background(), dsn, sqlstore.WithClock(clock.Now),
		sqlstore.WithLogger(slog.New(slog.NewTextHandler(&log, nil))),
		// Retry: 0 would try again at every read; a tenth of a millisecond
		// makes the reads below try the closed port again, and again fail.
		sqlstore.WithReadReplica(sqlstore.ReadReplica{URL: "postgres://postgres@" + closedPort(t) + "/test?sslmode=disable&connect_timeout=5", Retry: 100 * time.Microsecond}))
	if err != nil {
		t.Fatalf("a replica down must not stop the store from opening: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	f := st.NewFixture(t, &st.Env{Name: "postgres", Store: s, Clock: clock}, st.Options{})
	ctx := st.As(f.Operator)
	if _, err := s.RefreshIndicators(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		rep, err := s.Indicators(ctx, passnum.ScopeAllPasses, passnum.DimProgramme)
		if err != nil {
			t.Fatalf("indicators with the replica down: %v", err)
		}
		if rep.Total.Issued != 100 {
			t.Errorf("read %d: %d issued, want 100", i, rep.Total.Issued)
		}
		checkFromPrimary(t, "indicators", rep.Freshness, passnum.FallbackUnreachable)
		time.Sleep(time.Millisecond) // past Retry: the next read tries the replica again
	}
	dir, err := s.SearchDirectory(context.Background(), passnum.DirectoryFilter{})
	if err != nil {
		t.Fatalf("directory with the replica down: %v", err)
	}
	if dir.Total != 3 {
		t.Errorf("directory lists %d venues, want 3", dir.Total)
	}
	checkFromPrimary(t, "directory", dir.Freshness, passnum.FallbackUnreachable)
	if n := strings.Count(log.String(), "read replica not used"); n != 1 {
		t.Errorf("%d log lines say the replica is not used, want 1:\n%s", n, log.String())
	}
	if !strings.Contains(log.String(), "reason=unreachable") {
		t.Errorf("the log does not say why:\n%s", log.String())
	}
}

func checkFromPrimary(t *testing.T, what string, f *passnum.Freshness, why string) {
	t.Helper()
	if f == nil || f.Source != passnum.SourcePrimary || f.Fallback != why {
		t.Errorf("%s: freshness %+v, want read on the primary (%s)", what, f, why)
	}
}
