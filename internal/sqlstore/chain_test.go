package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// chainFixture is a journal of a few entries, all sealed: some written the
// way every change writes them, then entries ids[0..] ten ids apart, which
// leaves free ids between them for a forger.
type chainFixture struct {
	ctx context.Context // as the operator
	ids []int64         // the spaced entries, in order
}

func newChainFixture(t *testing.T, env *st.Env) *chainFixture {
	t.Helper()
	op, err := env.Store.SystemActor(context.Background(), "cli:test")
	if err != nil {
		t.Fatal(err)
	}
	f := &chainFixture{ctx: st.As(op)}
	for i := range 3 {
		if err := sqlstore.WriteAudit(f.ctx, env.Store, "test.write", fmt.Sprintf("thing:%d", i), "écrit par le magasin"); err != nil {
			t.Fatal(err)
		}
	}
	last := f.queryInt(t, env, `SELECT CAST(MAX(id) AS TEXT) FROM audit_log`)
	at := passnum.FormatTime(env.Clock.Now())
	for i := range 6 {
		id := last + 10*int64(i+1)
		err := sqlstore.ExecRaw(env.Store, `INSERT INTO audit_log (id, created_at, actor, action, object, detail) VALUES (?, ?, 'cli:test', 'test.spaced', ?, ?)`,
			id, at, fmt.Sprintf("thing:%d", id), fmt.Sprintf("entrée %d ; avec « guillemets »\net une ligne", i))
		if err != nil {
			t.Fatal(err)
		}
		f.ids = append(f.ids, id)
	}
	if _, err := env.Store.SealAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustBeWhole(t, env)
	return f
}

func (f *chainFixture) queryInt(t *testing.T, env *st.Env, q string, args ...any) int64 {
	t.Helper()
	v, err := sqlstore.QueryStrings(env.Store, q, args...)
	if err != nil || len(v) != 1 {
		t.Fatalf("%s: %v %v", q, v, err)
	}
	var n int64
	if _, err := fmt.Sscan(v[0], &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// seq is the place in the chain of the entry id.
func (f *chainFixture) seq(t *testing.T, env *st.Env, id int64) int64 {
	return f.queryInt(t, env, `SELECT CAST(seq AS TEXT) FROM audit_chain WHERE audit_id = ?`, id)
}

func (f *chainFixture) problems(t *testing.T, env *st.Env) []string {
	t.Helper()
	rep, err := env.Store.CheckInvariants(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rep.Problems
}

func (f *chainFixture) mustBeWhole(t *testing.T, env *st.Env) {
	t.Helper()
	if p := f.problems(t, env); len(p) > 0 {
		t.Fatalf("the journal's chain is broken:\n%s", strings.Join(p, "\n"))
	}
}

// TestAuditChainDetectsTampering edits the journal behind the store's back,
// triggers disabled, one way at a time, and expects the check to name each
// entry touched and what was done to it.
func TestAuditChainDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(f *chainFixture) []string // SQL; ids[0..5] are the spaced entries
		expect func(f *chainFixture, seq func(id int64) int64) []string
	}{
		{"detail edited",
			func(f *chainFixture) []string {
				return []string{fmt.Sprintf(`UPDATE audit_log SET detail = 'rien à signaler' WHERE id = %d`, f.ids[2])}
			},
			func(f *chainFixture, seq func(int64) int64) []string {
				return []string{fmt.Sprintf("audit: entry %d (audit id %d) was edited: its content no longer gives its hash", seq(f.ids[2]), f.ids[2])}
			}},
		{"actor edited",
			func(f *chainFixture) []string {
				return []string{fmt.Sprintf(`UPDATE audit_log SET actor = 'someone else' WHERE id = %d`, f.ids[0])}
			},
			func(f *chainFixture, seq func(int64) int64) []string {
				return []string{fmt.Sprintf("audit: entry %d (audit id %d) was edited", seq(f.ids[0]), f.ids[0])}
			}},
		{"entry deleted",
			func(f *chainFixture) []string {
				return []string{fmt.Sprintf(`DELETE FROM audit_log WHERE id = %d`, f.ids[3])}
			},
			func(f *chainFixture, seq func(int64) int64) []string {
				return []string{fmt.Sprintf("audit: entry %d (audit id %d) was deleted from audit_log", seq(f.ids[3]), f.ids[3])}
			}},
		{"entry and its seal deleted",
			func(f *chainFixture) []string {
				return []string{fmt.Sprintf(`DELETE FROM audit_log WHERE id = %d`, f.ids[3]), fmt.Sprintf(`DELETE FROM audit_chain WHERE audit_id = %d`, f.ids[3])}
			},
			func(f *chainFixture, seq func(int64) int64) []string {
				// The seal is gone: its place is that of the next one, less one.
				return []string{fmt.Sprintf("audit: entry %d is missing from the chain (its seal was deleted)", seq(f.ids[4])-1)}
			}},
		{"two entries swapped",
			func(f *chainFixture) []string {
				a, b := f.ids[1], f.ids[4]
				return []string{
					fmt.Sprintf(`UPDATE audit_log SET id = -1 WHERE id = %d`, a),
					fmt.Sprintf(`UPDATE audit_log SET id = %d WHERE id = %d`, a, b),
					fmt.Sprintf(`UPDATE audit_log SET id = %d WHERE id = -1`, b),
				}
			},
			func(f *chainFixture, seq func(int64) int64) []string {
				a, b := f.ids[1], f.ids[4]
				return []string{
					fmt.Sprintf("audit: entry %d (audit id %d) was reordered: it holds the content sealed as entry %d (audit id %d)", seq(a), a, seq(b), b),
					fmt.Sprintf("audit: entry %d (audit id %d) was reordered: it holds the content sealed as entry %d (audit id %d)", seq(b), b, seq(a), a),
				}
			}},
		{"contents of two entries swapped",
			func(f *chainFixture) []string {
				a, b := f.ids[0], f.ids[5]
				return []string{
					fmt.Sprintf(`UPDATE audit_log SET object = 'tmp' WHERE id = %d`, a),
					fmt.Sprintf(`UPDATE audit_log SET object = 'thing:%d', detail = (SELECT detail FROM audit_log WHERE id = %d) WHERE id = %d`, a, a, b),
					fmt.Sprintf(`UPDATE audit_log SET object = 'thing:%d', detail = 'entrée 5 ; avec « guillemets »
et une ligne' WHERE id = %d`, b, a),
				}
			},
			func(f *chainFixture, seq func(int64) int64) []string {
				a, b := f.ids[0], f.ids[5]
				return []string{
					fmt.Sprintf("audit: entry %d (audit id %d) was reordered: it holds the content sealed as entry %d (audit id %d)", seq(a), a, seq(b), b),
					fmt.Sprintf("audit: entry %d (audit id %d) was reordered: it holds the content sealed as entry %d (audit id %d)", seq(b), b, seq(a), a),
				}
			}},
		{"forged entry inserted among sealed ones",
			func(f *chainFixture) []string {
				return []string{fmt.Sprintf(`INSERT INTO audit_log (id, created_at, actor, action, object, detail) VALUES (%d, '2027-03-01T08:00:00.000000Z', 'cli:test', 'test.spaced', 'thing:0', 'forgé')`, f.ids[2]+5)}
			},
			func(f *chainFixture, _ func(int64) int64) []string {
				return []string{fmt.Sprintf("audit: audit id %d, dated 2027-03-01T08:00:00.000000Z, was inserted behind the chain", f.ids[2]+5)}
			}},
		{"seal's link edited",
			func(f *chainFixture) []string {
				return []string{fmt.Sprintf(`UPDATE audit_chain SET prev_hash = hash WHERE audit_id = %d`, f.ids[2])}
			},
			func(f *chainFixture, seq func(int64) int64) []string {
				return []string{fmt.Sprintf("audit: entry %d (audit id %d) had its link to entry %d edited", seq(f.ids[2]), f.ids[2], seq(f.ids[2])-1)}
			}},
		{"seal's hash edited",
			func(f *chainFixture) []string {
				return []string{fmt.Sprintf(`UPDATE audit_chain SET hash = prev_hash WHERE audit_id = %d`, f.ids[2])}
			},
			func(f *chainFixture, seq func(int64) int64) []string {
				return []string{fmt.Sprintf("audit: entry %d (audit id %d) was edited", seq(f.ids[2]), f.ids[2])}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st.Each(t, func(t *testing.T, env *st.Env) {
				f := newChainFixture(t, env)
				seqs := map[int64]int64{}
				for _, id := range f.ids {
					seqs[id] = f.seq(t, env, id)
				}
				want := tc.expect(f, func(id int64) int64 { return seqs[id] })
				if err := sqlstore.DisableAuditTriggers(env.Store); err != nil {
					t.Fatal(err)
				}
				for _, q := range tc.tamper(f) {
					if err := sqlstore.ExecRaw(env.Store, q); err != nil {
						t.Fatalf("tamper: %s: %v", q, err)
					}
				}
				// Later than the grace of late entries: a forged entry is
				// no slow transaction's.
				env.Clock.Advance(time.Hour)
				got := f.problems(t, env)
				all := strings.Join(got, "\n")
				for _, w := range want {
					if !strings.Contains(all, w) {
						t.Errorf("problems do not say %q:\n%s", w, all)
					}
				}
				if len(got) != len(want) {
					t.Errorf("%d problems, want %d:\n%s", len(got), len(want), all)
				}
			})
		})
	}
}

// TestAuditChainRewrittenCaughtByAnchors rewrites the chain after an edit,
// as someone who knows how it is made would: without the anchors, the
// check sees it; with the anchors too, only the anchors kept outside do.
func TestAuditChainRewrittenCaughtByAnchors(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := newChainFixture(t, env)
		kept, err := env.Store.AuditAnchors(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) == 0 {
			t.Fatal("no anchor after the first sealing")
		}
		if err := env.Store.VerifyAuditAnchors(f.ctx, kept); err != nil {
			t.Fatalf("the anchors just exported do not verify: %v", err)
		}
		if err := sqlstore.DisableAuditTriggers(env.Store); err != nil {
			t.Fatal(err)
		}
		edited := f.ids[1]
		if err := sqlstore.ExecRaw(env.Store, `UPDATE audit_log SET detail = 'rien à signaler' WHERE id = ?`, edited); err != nil {
			t.Fatal(err)
		}
		if err := sqlstore.RewriteChainFrom(context.Background(), env.Store, f.seq(t, env, edited), false); err != nil {
			t.Fatal(err)
		}
		last := kept[len(kept)-1]
		wantAnchor := fmt.Sprintf("audit: anchor %d of %s no longer matches the chain", last.Seq, passnum.FormatTime(last.At))
		if p := strings.Join(f.problems(t, env), "\n"); !strings.Contains(p, wantAnchor) {
			t.Errorf("problems do not say %q:\n%s", wantAnchor, p)
		}

		if err := sqlstore.RewriteChainFrom(context.Background(), env.Store, f.seq(t, env, edited), true); err != nil {
			t.Fatal(err)
		}
		f.mustBeWhole(t, env) // what the database alone cannot tell
		err = env.Store.VerifyAuditAnchors(f.ctx, kept)
		if passnum.ErrorReason(err) != passnum.ReasonAuditAnchorMissing {
			t.Fatalf("verify of the anchors kept outside: %v, want %s", err, passnum.ReasonAuditAnchorMissing)
		}
		want := fmt.Sprintf("l'ancre n° %d du", last.Seq)
		if msg := passnum.ErrorMessage(err); !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
			t.Errorf("message %q does not name %q on one line", msg, want)
		}
	})
}

// TestVerifyAuditAnchors: the chain's breaks and anchors it never had are
// refused, each with its reason; only operator admins verify.
func TestVerifyAuditAnchors(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := newChainFixture(t, env)
		kept, err := env.Store.AuditAnchors(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		forged := []passnum.AuditAnchor{{Seq: kept[0].Seq, Hash: strings.Repeat("ab", 32), At: kept[0].At}}
		if err := env.Store.VerifyAuditAnchors(f.ctx, forged); passnum.ErrorReason(err) != passnum.ReasonAuditAnchorMissing {
			t.Errorf("an anchor with another hash: %v", err)
		}
		future := []passnum.AuditAnchor{{Seq: kept[0].Seq + 100, Hash: kept[0].Hash, At: kept[0].At}}
		err = env.Store.VerifyAuditAnchors(f.ctx, future)
		if passnum.ErrorReason(err) != passnum.ReasonAuditAnchorMissing || !strings.Contains(passnum.ErrorMessage(err), "dépasse la fin de la chaîne") {
			t.Errorf("an anchor past the end: %v", err)
		}
		agent := st.As(&passnum.Actor{OrgKind: passnum.KindOperator, Role: passnum.RoleAgent, Label: "agent"})
		if err := env.Store.VerifyAuditAnchors(agent, kept); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Errorf("an operator agent verified: %v", err)
		}
		if _, err := env.Store.AuditAnchors(agent); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Errorf("an operator agent exported anchors: %v", err)
		}
		if err := sqlstore.DisableAuditTriggers(env.Store); err != nil {
			t.Fatal(err)
		}
		if err := sqlstore.ExecRaw(env.Store, `DELETE FROM audit_log WHERE id = ?`, f.ids[0]); err != nil {
			t.Fatal(err)
		}
		err = env.Store.VerifyAuditAnchors(f.ctx, kept)
		if passnum.ErrorReason(err) != passnum.ReasonAuditChainBroken || !strings.Contains(passnum.ErrorMessage(err), fmt.Sprintf("(identifiant %d) a été supprimée", f.ids[0])) {
			t.Errorf("a deleted entry: %v", err)
		}
	})
}

// TestAuditSealConcurrent writes the journal from many goroutines while two
// sealers run, as on two servers: every entry ends sealed once, in a chain
// the check finds whole.
func TestAuditSealConcurrent(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		op, err := env.Store.SystemActor(context.Background(), "cli:test")
		if err != nil {
			t.Fatal(err)
		}
		ctx := st.As(op)
		const writers, each = 8, 25
		var wg sync.WaitGroup
		stop := make(chan struct{})
		errs := make(chan error, writers+2)
		var sealers sync.WaitGroup
		for range 2 {
			sealers.Add(1)
			go func() {
				defer sealers.Done()
				for {
					if _, err := env.Store.SealAudit(context.Background()); err != nil {
						errs <- err
						return
					}
					select {
					case <-stop:
						return
					case <-time.After(time.Millisecond):
					}
				}
			}()
		}
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if err := sqlstore.WriteAudit(ctx, env.Store, "test.concurrent", fmt.Sprintf("w%d:%d", w, i), ""); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(stop)
		sealers.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		rep, err := env.Store.CheckInvariants(ctx) // seals what is left first
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Fatalf("chain broken after concurrent writes:\n%s", strings.Join(rep.Problems, "\n"))
		}
		counts, err := sqlstore.QueryStrings(env.Store, `SELECT CAST((SELECT COUNT(*) FROM audit_log) AS TEXT) || ' ' || CAST(COUNT(*) AS TEXT) || ' ' || CAST(MAX(seq) AS TEXT) FROM audit_chain`)
		if err != nil {
			t.Fatal(err)
		}
		var logged, sealed, end int
		if _, err := fmt.Sscan(counts[0], &logged, &sealed, &end); err != nil {
			t.Fatal(err)
		}
		if logged < writers*each || sealed != logged || end != sealed {
			t.Errorf("%d entries, %d sealed, chain ends at %d: want all %d sealed once, places 1 to %d", logged, sealed, end, logged, logged)
		}
	})
}

// TestAuditSealAnchors: sealing twice seals nothing more; an anchor is
// taken at the first sealing, then once the chain has grown enough or
// time has passed, never twice at one place.
func TestAuditSealAnchors(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := newChainFixture(t, env)
		if n, err := env.Store.SealAudit(context.Background()); err != nil || n != 0 {
			t.Fatalf("second sealing sealed %d (%v), want 0", n, err)
		}
		write := func(n int) {
			for i := range n {
				if err := sqlstore.WriteAudit(f.ctx, env.Store, "test.more", fmt.Sprint(i), ""); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := env.Store.SealAudit(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		count := func() int {
			a, err := env.Store.AuditAnchors(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return len(a)
		}
		if got := count(); got != 1 {
			t.Fatalf("%d anchors after the first sealing, want 1", got)
		}
		write(3)
		if got := count(); got != 1 {
			t.Errorf("%d anchors three entries and no time later, want 1", got)
		}
		env.Clock.Advance(61 * time.Minute)
		write(1)
		if got := count(); got != 2 {
			t.Errorf("%d anchors an hour later, want 2", got)
		}
		env.Clock.Advance(61 * time.Minute)
		write(0)
		if got := count(); got != 2 {
			t.Errorf("%d anchors an hour later with nothing new, want 2", got)
		}
		f.mustBeWhole(t, env)
	})
}

// TestAuditSealLateEntry: an entry that appears below the chain's end, as
// on PostgreSQL when a transaction that drew its id early commits after
// later entries were sealed, is sealed after them while it is recent, and
// the chain stays whole. SQLite's one writer commits ids in order: there,
// such an entry can only have been inserted behind the store's back, and
// stays unsealed for the check to name once it is old.
func TestAuditSealLateEntry(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := newChainFixture(t, env)
		late := f.ids[2] + 5
		err := sqlstore.ExecRaw(env.Store, `INSERT INTO audit_log (id, created_at, actor, action, object, detail) VALUES (?, ?, 'cli:test', 'test.late', 'thing:late', '')`,
			late, passnum.FormatTime(env.Clock.Now().Add(-time.Minute)))
		if err != nil {
			t.Fatal(err)
		}
		end := f.queryInt(t, env, `SELECT CAST(MAX(seq) AS TEXT) FROM audit_chain`)
		n, err := env.Store.SealAudit(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if env.Name == "sqlite" {
			if n != 0 {
				t.Fatalf("SQLite sealed %d entries below the chain's end, want 0", n)
			}
			env.Clock.Advance(time.Hour)
			want := fmt.Sprintf("audit: audit id %d, dated ", late)
			if p := strings.Join(f.problems(t, env), "\n"); !strings.Contains(p, want) {
				t.Errorf("problems do not say %q:\n%s", want, p)
			}
			return
		}
		if n != 1 || f.seq(t, env, late) != end+1 {
			t.Fatalf("sealed %d, the late entry at place %d: want it sealed alone at %d", n, f.seq(t, env, late), end+1)
		}
		env.Clock.Advance(time.Hour)
		f.mustBeWhole(t, env)
	})
}
