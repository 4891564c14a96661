package sqlstore_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// benchStores runs f on SQLite and, when PASSNUM_TEST_POSTGRES is set, on
// PostgreSQL.
func benchStores(b *testing.B, f func(b *testing.B, env *st.Env)) {
	b.Run("sqlite", func(b *testing.B) { f(b, st.OpenSQLite(b)) })
	if os.Getenv(st.PostgresEnv) != "" {
		b.Run("postgres", func(b *testing.B) { f(b, st.OpenPostgres(b)) })
	}
}

// BenchmarkAuditSeal seals 10 000 new entries of the journal, the work of
// the sealer after a burst of writes (or on a journal sealed for the
// first time, per 10 000 entries).
func BenchmarkAuditSeal(b *testing.B) {
	const entries = 10000
	benchStores(b, func(b *testing.B, env *st.Env) {
		ctx := context.Background()
		for b.Loop() {
			b.StopTimer()
			if err := sqlstore.FillAudit(ctx, env.Store, entries); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			n, err := env.Store.SealAudit(ctx)
			if err != nil || n != entries {
				b.Fatalf("sealed %d (%v), want %d", n, err, entries)
			}
		}
		b.ReportMetric(float64(entries*b.N)/b.Elapsed().Seconds(), "entries/s")
	})
}

// BenchmarkAuditVerify recomputes a chain of 100 000 entries, as
// passnum check and passnum audit verify do.
func BenchmarkAuditVerify(b *testing.B) {
	const entries = 100000
	benchStores(b, func(b *testing.B, env *st.Env) {
		ctx := context.Background()
		if err := sqlstore.FillAudit(ctx, env.Store, entries); err != nil {
			b.Fatal(err)
		}
		if _, err := env.Store.SealAudit(ctx); err != nil {
			b.Fatal(err)
		}
		op, err := env.Store.SystemActor(ctx, "cli:bench")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := env.Store.SealAudit(ctx); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := env.Store.VerifyAuditAnchors(st.As(op), []passnum.AuditAnchor{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(entries*b.N)/b.Elapsed().Seconds(), "entries/s")
	})
}

// BenchmarkAuditSealIdle is the sealer's run every few seconds in serve
// when nothing new was written, on a chain of 100 000 entries: what every
// server pays to keep the chain up to date. On PostgreSQL it looks for late
// entries among those of the last lateGrace: "recent" has all 100 000
// written in that window, "old" none.
func BenchmarkAuditSealIdle(b *testing.B) {
	const entries = 100000
	benchStores(b, func(b *testing.B, env *st.Env) {
		ctx := context.Background()
		if err := sqlstore.FillAudit(ctx, env.Store, entries); err != nil {
			b.Fatal(err)
		}
		if _, err := env.Store.SealAudit(ctx); err != nil {
			b.Fatal(err)
		}
		if env.Name == "postgres" {
			// What autovacuum does soon after such a burst: without
			// statistics the planner takes the recent entries for many.
			if err := sqlstore.ExecRaw(env.Store, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
		}
		idle := func(b *testing.B) {
			for b.Loop() {
				if n, err := env.Store.SealAudit(ctx); err != nil || n != 0 {
					b.Fatalf("sealed %d (%v), want 0", n, err)
				}
			}
		}
		b.Run("recent", idle)
		env.Clock.Advance(time.Hour)
		b.Run("old", idle)
	})
}
