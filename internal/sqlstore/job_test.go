package sqlstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// issueJob starts the job of issuing carnets on s, as a page does.
func issueJob(t *testing.T, s *sqlstore.Store, f *st.Fixture, server string) *passnum.Job {
	t.Helper()
	j, err := s.StartJob(st.As(f.Operator), passnum.JobStart{Kind: passnum.JobIssue, Label: "Émission de 2 carnets", ProgrammeID: f.Programme.ID,
		BackTo: fmt.Sprintf("/operateur/programmes/%d#lots", f.Programme.ID), Server: server})
	if err != nil {
		t.Fatal(err)
	}
	if j.State != passnum.JobRunning || j.Server != server {
		t.Fatalf("new job %+v", j)
	}
	return j
}

// batches counts the programme's batches, as any server reads them.
func batches(t *testing.T, s *sqlstore.Store, f *st.Fixture) int {
	t.Helper()
	list, err := s.ListBatches(st.As(f.Operator), f.Programme.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// TestJobsAcrossServers: a job started on one server is seen, with its
// progress and its outcome, by another server on the same database.
func TestJobsAcrossServers(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2100})
		a, b := env.Store, st.Reopen(t, env).Store
		op := st.As(f.Operator)
		j := issueJob(t, a, f, "server-a")
		if err := a.RecordJobProgress(op, j.ID, 4, 10); err != nil {
			t.Fatal(err)
		}
		seen, err := b.FindJob(op, j.ID)
		if err != nil || seen.State != passnum.JobRunning || seen.Done != 4 || seen.Total != 10 || seen.Label != "Émission de 2 carnets" {
			t.Fatalf("server B reads %+v, %v", seen, err)
		}
		running, err := b.RunningJobs(op, f.Programme.ID)
		if err != nil || len(running) != 1 || running[0].ID != j.ID {
			t.Fatalf("server B's running jobs of the programme: %+v, %v", running, err)
		}
		req := passnum.IssueRequest{ProgrammeID: f.Programme.ID, Carnets: 2}
		during := 0
		if env.Name == "postgres" {
			// On PostgreSQL, progress is written while the batch's
			// transaction is open, and read by another server, without
			// making that transaction conflict and run again. (Not on
			// SQLite: its one writer is the batch until it commits, and
			// the server running a job shows its progress from memory.)
			req.Progress = func(done, total int) {
				if done == total {
					return
				}
				during++
				if err := a.RecordJobProgress(op, j.ID, int64(done), int64(total)); err != nil {
					t.Errorf("progress during the batch: %v", err)
				}
				if seen, err := b.FindJob(op, j.ID); err != nil || seen.Done != int64(done) {
					t.Errorf("server B reads %+v, %v during the batch; want %d done", seen, err, done)
				}
			}
			// Past the 10 000 passes after which COPY reports progress.
			req.Carnets = 2100
		}
		retries := a.Retries()
		batch, err := a.Issue(passnum.WithJob(op, j.ID), req)
		if err != nil {
			t.Fatal(err)
		}
		if a.Retries() != retries {
			t.Errorf("the batch ran %d more times", a.Retries()-retries)
		}
		if env.Name == "postgres" && during == 0 {
			t.Error("no progress during the batch")
		}
		seen, err = b.FindJob(op, j.ID)
		want := fmt.Sprintf("Lot n°%d émis : %s (n°%d à n°%d), %s pass.", batch.ID, passnum.FrenchCount(int64(req.Carnets), "carnet", "carnets"),
			batch.FirstCarnet, batch.LastCarnet, passnum.FrenchNumber(int64(batch.Passes)))
		if err != nil || seen.State != passnum.JobDone || seen.Message != want || seen.FinishedAt == nil {
			t.Fatalf("server B reads %+v, %v; want done, %q", seen, err, want)
		}
		if running, _ := b.RunningJobs(op, f.Programme.ID); len(running) != 0 {
			t.Errorf("a job done still listed as running: %+v", running)
		}
		// The pages are the operator's: another kind finds no job.
		if _, err := b.FindJob(st.As(st.Actor(f.Venue, passnum.RoleAdmin)), j.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Errorf("a venue reads the operator's job: %v", err)
		}
		// A role that may not issue starts no issuance job.
		_, err = b.StartJob(st.As(st.Actor(&passnum.Organisation{ID: f.Operator.OrgID, Kind: passnum.KindOperator}, passnum.RoleAgent)),
			passnum.JobStart{Kind: passnum.JobIssue, Label: "x", ProgrammeID: f.Programme.ID, Server: "server-b"})
		if passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Errorf("an agent starts an issuance job: %v", err)
		}
	})
}

// TestJobOutcomeIsTheWorks: a job reads done exactly when its work is
// committed, whatever is recorded after; failed with the work's reason
// when the work failed, with nothing written.
func TestJobOutcomeIsTheWorks(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		s, op := env.Store, st.As(f.Operator)
		for _, tc := range []struct {
			name    string
			carnets int
			state   passnum.JobState
			message string
			batches int
		}{
			// A failure recorded after the work committed (a commit
			// whose answer was lost) leaves the job done.
			{"work committed", 1, passnum.JobDone, "Lot n°2 émis : 1 carnet (n°21), 5 pass.", 2},
			// The store refuses the batch: the job fails with its reason
			// and no batch exists.
			{"work refused", 1000, passnum.JobFailed, "Émission refusée : 1\u202f000 carnets", 2},
		} {
			t.Run(tc.name, func(t *testing.T) {
				j := issueJob(t, s, f, "server-a")
				_, workErr := s.Issue(passnum.WithJob(op, j.ID), passnum.IssueRequest{ProgrammeID: f.Programme.ID, Carnets: tc.carnets})
				reason := "le serveur a perdu la réponse de la base"
				if workErr != nil {
					reason = passnum.ErrorMessage(workErr)
				}
				ended, err := s.FailJob(op, j.ID, reason)
				if err != nil {
					t.Fatal(err)
				}
				if ended.State != tc.state || !strings.HasPrefix(ended.Message, tc.message) {
					t.Errorf("job %s %q, want %s %q…", ended.State, ended.Message, tc.state, tc.message)
				}
				if n := batches(t, s, f); n != tc.batches {
					t.Errorf("%d batches, want %d", n, tc.batches)
				}
			})
		}
		st.MustCheck(t, env, f.Operator)
	})
}

// TestJobOfSilentServer: a job whose server fell silent beyond the lease
// is failed by another server, with a French reason; the work of that job,
// if its server comes back, is refused rather than committed under a job
// that says it failed. A job whose server speaks, or that the caller runs
// itself, is left alone.
func TestJobOfSilentServer(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		a, b := env.Store, st.Reopen(t, env).Store
		op := st.As(f.Operator)
		dead := issueJob(t, a, f, "server-a")
		speaking := issueJob(t, a, f, "server-a")
		mine := issueJob(t, b, f, "server-b")
		env.Clock.Advance(passnum.JobLease / 2)
		if n, err := b.FailStaleJobs(op, nil); err != nil || n != 0 {
			t.Fatalf("within the lease: %d failed, %v", n, err)
		}
		if err := a.RecordJobProgress(op, speaking.ID, 1, 10); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(passnum.JobLease/2 + time.Second)
		n, err := b.FailStaleJobs(op, []int64{mine.ID})
		if err != nil || n != 1 {
			t.Fatalf("past the lease: %d failed, %v; want 1", n, err)
		}
		for _, tc := range []struct {
			job   *passnum.Job
			state passnum.JobState
		}{{dead, passnum.JobFailed}, {speaking, passnum.JobRunning}, {mine, passnum.JobRunning}} {
			j, err := a.FindJob(op, tc.job.ID)
			if err != nil || j.State != tc.state {
				t.Errorf("job %d: %+v, %v; want %s", tc.job.ID, j, err, tc.state)
			}
		}
		j, _ := a.FindJob(op, dead.ID)
		if !strings.Contains(j.Message, "le serveur qui la menait ne donne plus de nouvelles depuis le 15 mars 2027") ||
			!strings.Contains(j.Message, "rien n'en a été enregistré") {
			t.Errorf("reason: %q", j.Message)
		}
		// Server A comes back and finishes the batch: refused.
		if _, err := a.Issue(passnum.WithJob(op, dead.ID), passnum.IssueRequest{ProgrammeID: f.Programme.ID, Carnets: 1}); err == nil {
			t.Error("the work of a failed job was committed")
		}
		if n := batches(t, a, f); n != 1 {
			t.Errorf("%d batches, want the fixture's only", n)
		}
		st.MustCheck(t, env, f.Operator)
	})
}

// jobCrashPlan is what the parent hands to the child it kills mid-batch.
type jobCrashPlan struct {
	DSN         string
	Operator    passnum.Actor
	ProgrammeID int64
	Carnets     int
}

// TestJobCrashMidBatch: a server killed (SIGKILL) in the middle of a
// batch's transaction leaves no pass of it; its job, running on the
// record, is failed by the next server once the lease ran out, and the
// books hold.
func TestJobCrashMidBatch(t *testing.T) {
	if plan := os.Getenv("PASSNUM_JOB_CRASH_PLAN"); plan != "" {
		jobCrashChild(t, plan)
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	st.Each(t, func(t *testing.T, env *st.Env) {
		// 2 100 carnets of 5: past the 10 000 passes after which COPY
		// reports progress on PostgreSQL.
		f := st.NewFixture(t, env, st.Options{Carnets: 2100})
		op := st.As(f.Operator)
		passes := func() int64 {
			p, err := env.Store.FindProgramme(op, f.Programme.ID)
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			for _, k := range p.PassesByState {
				n += k
			}
			return n
		}
		before := passes()
		raw, _ := json.Marshal(jobCrashPlan{DSN: env.DSN, Operator: *f.Operator, ProgrammeID: f.Programme.ID, Carnets: 2100})
		planFile := filepath.Join(t.TempDir(), "plan.json")
		if err := os.WriteFile(planFile, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestJobCrashMidBatch$", "-test.count=1")
		cmd.Env = append(os.Environ(), "PASSNUM_JOB_CRASH_PLAN="+planFile)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var jobID int64
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fmt.Sscanf(sc.Text(), "JOB %d", &jobID)
			if strings.HasPrefix(sc.Text(), "PROGRESS") {
				cmd.Process.Kill() // in the middle of the batch's transaction
				break
			}
		}
		cmd.Wait()
		if jobID == 0 {
			t.Fatal("the child started no job")
		}
		j, err := env.Store.FindJob(op, jobID)
		if err != nil || j.State != passnum.JobRunning {
			t.Fatalf("the killed server's job: %+v, %v", j, err)
		}
		env.Clock.Advance(passnum.JobLease + time.Second)
		if n, err := env.Store.FailStaleJobs(op, nil); err != nil || n != 1 {
			t.Fatalf("%d jobs failed, %v", n, err)
		}
		if j, _ = env.Store.FindJob(op, jobID); j.State != passnum.JobFailed {
			t.Errorf("job %+v", j)
		}
		if after := passes(); after != before || batches(t, env.Store, f) != 1 {
			t.Errorf("%d passes after the crash, %d before; %d batches", after, before, batches(t, env.Store, f))
		}
		st.MustCheck(t, env, f.Operator)
	})
}

// jobCrashChild starts a job and issues its batch, and stops in the
// middle of the batch's transaction, at the first progress, until its
// parent kills it.
func jobCrashChild(t *testing.T, planFile string) {
	raw, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	var plan jobCrashPlan
	if err := json.Unmarshal(raw, &plan); err != nil {
		t.Fatal(err)
	}
	s, err := sqlstore.Open(context.Background(), plan.DSN, sqlstore.WithClock(func() time.Time { return st.Start }))
	if err != nil {
		t.Fatal(err)
	}
	op := st.As(&plan.Operator)
	j, err := s.StartJob(op, passnum.JobStart{Kind: passnum.JobIssue, Label: "Émission", ProgrammeID: plan.ProgrammeID, Server: "child"})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("JOB %d\n", j.ID)
	s.Issue(passnum.WithJob(op, j.ID), passnum.IssueRequest{ProgrammeID: plan.ProgrammeID, Carnets: plan.Carnets, Progress: func(done, total int) {
		if done < total {
			fmt.Println("PROGRESS")
			time.Sleep(time.Hour)
		}
	}})
	os.Exit(3) // not reached: the batch's transaction waits for the kill
}
