package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// shortRetention keeps every kind of record one month, so that tests see
// periods pass in a few clock moves.
func shortRetention() passnum.PrivacySettings {
	p := passnum.DefaultPrivacySettings()
	p.RetentionMonths = map[passnum.RetentionKey]int{passnum.RetainBeneficiary: 1, passnum.RetainNotes: 1, passnum.RetainSessions: 1,
		passnum.RetainPasswordResets: 1, passnum.RetainOutbox: 1}
	return p
}

// eachWith is st.Each with store options.
func eachWith(t *testing.T, opts []sqlstore.Option, f func(t *testing.T, env *st.Env)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, st.OpenSQLite(t, opts...)) })
	if os.Getenv(st.PostgresEnv) != "" {
		t.Run("postgres", func(t *testing.T) { f(t, st.OpenPostgres(t, opts...)) })
	}
}

// counts writes a run's counts as "kind=erased/skipped …", the kinds
// with something only.
func counts(r *passnum.RetentionRun) string {
	var out []string
	for _, c := range r.Counts {
		if c.Erased != 0 || c.Skipped != 0 {
			out = append(out, fmt.Sprintf("%s=%d/%d", c.Kind, c.Erased, c.Skipped))
		}
	}
	return strings.Join(out, " ")
}

// noHalfErasure fails when a record is half erased: a registration or an
// activity report naming a reference no live person holds, or an erased
// person with details left.
func noHalfErasure(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	for _, q := range []string{
		`SELECT CAST(COUNT(*) AS TEXT) FROM workshop_registrations WHERE beneficiary_ref IS NOT NULL AND beneficiary_ref NOT IN (SELECT ref FROM beneficiaries WHERE erased_at IS NULL)`,
		`SELECT CAST(COUNT(*) AS TEXT) FROM activity_report_people WHERE beneficiary_ref NOT IN (SELECT ref FROM beneficiaries WHERE erased_at IS NULL)`,
		`SELECT CAST(COUNT(*) AS TEXT) FROM beneficiaries WHERE erased_at IS NOT NULL AND (commune_insee <> '' OR needs <> '' OR birth_year IS NOT NULL
			OR age_band IS NOT NULL OR autonomy IS NOT NULL OR consent_at <> '' OR ref NOT LIKE 'ANON-%')`,
	} {
		n, err := sqlstore.QueryStrings(s, q)
		if err != nil {
			t.Fatal(err)
		}
		if n[0] != "0" {
			t.Errorf("half erased: %s rows of %s", n[0], q)
		}
	}
}

// TestRetentionRun: a run erases what passed its period and only that,
// keeps the people whose erasure would unbalance the books and those who
// restricted their record, leaves the books as they were, and is
// recorded; a dry run counts the same without changing anything; one run
// at a time.
func TestRetentionRun(t *testing.T) {
	eachWith(t, []sqlstore.Option{sqlstore.WithPrivacy(shortRetention()), sqlstore.WithRetentionBatch(2)}, func(t *testing.T, env *st.Env) {
		w := newRightsWorld(t, env)
		s, f := env.Store, w.f
		op := st.As(f.Operator)
		venue := st.VenueCtx(f.Venue)
		if _, err := s.Register(venue, passnum.RegistrationCreate{SessionID: w.session.ID, Label: "Jeanne"}); err != nil {
			t.Fatal(err)
		}
		c, err := s.FindCarnet(op, f.Batch.FirstCarnet+2)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RestrictBeneficiary(op, c.BeneficiaryRef, true, "conteste ses besoins"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(op, passnum.UserCreate{Email: "camille@example.org", Name: "Camille", Password: "correct horse battery", OrgID: f.Venue.ID, Role: passnum.RoleAgent}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Login(context.Background(), "camille@example.org", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if err := s.RequestPasswordReset(context.Background(), "camille@example.org", "https://pass.example.fr/reinitialiser/"); err != nil {
			t.Fatal(err)
		}

		// Nothing has passed its period yet.
		run, err := s.RunRetention(op, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := counts(run); got != "" || run.Status != passnum.RetentionDone || run.ID == 0 {
			t.Errorf("first run: %q %+v, want nothing erased", got, run)
		}

		// Past the programme's validity, a month and more: the people
		// still hold passes, as long as nobody ran the expiry.
		env.Clock.Set(time.Date(2028, 4, 15, 8, 0, 0, 0, time.UTC))
		books := snapshot(t, env, f)
		dry, err := s.RunRetention(op, true)
		if err != nil {
			t.Fatal(err)
		}
		const want = "beneficiaries=0/6 registrations=1/0 notes=1/0 sessions=1/0 password-resets=1/0 outbox=1/0"
		if got := counts(dry); got != want || dry.ID != 0 || dry.Status != passnum.RetentionDryRun {
			t.Errorf("dry run: %q (%+v), want %q", got, dry, want)
		}
		run, err = s.RunRetention(op, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := counts(run); got != want {
			t.Errorf("run: %q, want %q as the dry run said", got, want)
		}
		if after := snapshot(t, env, f); after != books {
			t.Errorf("the purge changed the books:\nbefore %s\nafter  %s", books, after)
		}
		again, err := s.RunRetention(op, true)
		if err != nil {
			t.Fatal(err)
		}
		if got := counts(again); got != "beneficiaries=0/6" {
			t.Errorf("after the run, a dry run finds %q, want only the people kept", got)
		}
		// Expired, their passes no longer move: all are erased but the
		// person who restricted their record.
		if _, err := s.Expire(op); err != nil {
			t.Fatal(err)
		}
		books = snapshot(t, env, f)
		if run, err = s.RunRetention(op, false); err != nil {
			t.Fatal(err)
		}
		if got := counts(run); got != "beneficiaries=5/1" {
			t.Errorf("after the expiry: %q, want 5 people erased and 1 kept", got)
		}
		if after := snapshot(t, env, f); after != books {
			t.Errorf("the purge changed the books:\nbefore %s\nafter  %s", books, after)
		}
		st.MustCheck(t, env, f.Operator)
		noHalfErasure(t, s)
		reason := passnum.WithReadReason(op, "vérification")
		if _, err := s.FindBeneficiary(reason, w.ref); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Errorf("an erased person is still found: %v", err)
		}
		if _, err := s.FindBeneficiary(reason, c.BeneficiaryRef); err != nil {
			t.Errorf("the restricted person is kept: %v", err)
		}
		notes, err := sqlstore.QueryStrings(s, `SELECT notes || author_name FROM activity_reports`)
		if err != nil || len(notes) != 1 || notes[0] != "" {
			t.Errorf("notes left: %q %v", notes, err)
		}
		if msgs, total, err := s.ListOutbox(op, passnum.OutboxFilter{}); err != nil || total != 0 {
			t.Errorf("outbox left: %v %d %v", msgs, total, err)
		}

		runs, err := s.ListRetentionRuns(op, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 3 || runs[0].ID != run.ID || runs[0].Status != passnum.RetentionDone || counts(runs[0]) != "beneficiaries=5/1" ||
			counts(runs[1]) != want || runs[2].FinishedAt == nil || len(runs[0].Counts) != 8 || runs[0].Counts[0].Kind != "beneficiaries" {
			t.Errorf("runs %+v", runs)
		}
		for _, who := range []*passnum.Actor{st.Actor(f.Prescriber, passnum.RoleAdmin), st.Actor(f.Venue, passnum.RoleAdmin), {OrgID: f.Operator.OrgID, OrgKind: passnum.KindOperator, Role: passnum.RoleAgent}} {
			if _, err := s.RunRetention(st.As(who), true); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
				t.Errorf("a run by %s %s: %v", who.OrgKind, who.Role, err)
			}
			if _, err := s.ListRetentionRuns(st.As(who), 10); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
				t.Errorf("runs read by %s %s: %v", who.OrgKind, who.Role, err)
			}
		}
	})
}

// TestRetentionLease: while another run holds the lease, a run is refused
// with retention-running; once its lease expired (its process stopped),
// the next run takes over and marks it interrupted.
func TestRetentionLease(t *testing.T) {
	eachWith(t, []sqlstore.Option{sqlstore.WithPrivacy(shortRetention())}, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Distributed: 1})
		s, op := env.Store, st.As(f.Operator)
		if err := sqlstore.ExecRaw(s, `INSERT INTO retention_runs (started_at, actor, status) VALUES (?, 'other', 'running')`, passnum.FormatTime(env.Clock.Now())); err != nil {
			t.Fatal(err)
		}
		if err := sqlstore.ExecRaw(s, `UPDATE retention_lease SET holder = 'other', run_id = 1, expires_at = ? WHERE id = 1`,
			passnum.FormatTime(env.Clock.Now().Add(time.Minute))); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RunRetention(op, false); !(passnum.ErrorCode(err) == passnum.ECONFLICT && passnum.ErrorReason(err) == passnum.ReasonRetentionRunning) {
			t.Fatalf("a run beside another: %v", err)
		}
		if _, err := s.RunRetention(op, true); err != nil {
			t.Errorf("a dry run changes nothing and needs no lease: %v", err)
		}
		env.Clock.Advance(2 * time.Minute)
		run, err := s.RunRetention(op, false)
		if err != nil {
			t.Fatal(err)
		}
		runs, err := s.ListRetentionRuns(op, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[0].ID != run.ID || runs[1].Status != passnum.RetentionInterrupted || runs[1].FinishedAt == nil {
			t.Errorf("runs %+v", runs)
		}
		holder, err := sqlstore.QueryStrings(s, `SELECT holder FROM retention_lease`)
		if err != nil || len(holder) != 1 || holder[0] != "" {
			t.Errorf("the lease after the run: %q %v, want free", holder, err)
		}
	})
}
