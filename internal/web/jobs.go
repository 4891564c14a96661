package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passnum/passnum"
)

// Jobs runs the background jobs this server starts from its pages — the
// issuance of a batch, the computation of the indicators — which go on
// after the request that started them, with a progress bar the operator
// can watch (and leave). Each job is a record of the store
// (passnum.JobService): any server of the installation shows its page, and
// its outcome is written by the transaction of its work. What Jobs keeps
// in memory is only the progress of the jobs this server runs, which its
// pages show at once and a goroutine writes to the store every second (the
// heartbeat that tells the other servers this one is alive; see
// internal/sqlstore/job.go for why that write never holds the work up, on
// SQLite either).
type Jobs struct {
	server string
	// done, when set, is told how long each job ran (Options.JobDone).
	done func(job string, d time.Duration)
	log  *slog.Logger

	mu   sync.Mutex
	live map[int64]*liveJob
	wg   sync.WaitGroup
}

// liveJob is the progress of a job this server runs.
type liveJob struct {
	total, done atomic.Int64
}

// jobBeat is how often a job's progress and heartbeat are written: well
// within passnum.JobLease, often enough for another server's progress bar.
const jobBeat = time.Second

// NewJobs returns the runner of the jobs of server (its name in their
// records; "": a name drawn from the host, the process and random bits,
// so that two servers, or a server and its restart, never share one).
// done, when set, is told how long each job ran.
func NewJobs(server string, done func(job string, d time.Duration)) *Jobs {
	if server == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		rand.Read(b)
		server = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	return &Jobs{server: server, done: done, live: map[int64]*liveJob{}, log: slog.Default()}
}

// Server is the name of this server, recorded with the jobs it runs.
func (js *Jobs) Server() string { return js.server }

// Alive lists the jobs this server runs: they are alive whatever their
// heartbeat says (on SQLite, it can wait behind a long batch).
func (js *Jobs) Alive() []int64 {
	js.mu.Lock()
	defer js.mu.Unlock()
	ids := make([]int64, 0, len(js.live))
	for id := range js.live {
		ids = append(ids, id)
	}
	return ids
}

// Wait waits for the jobs under way to end (tests, and a server that
// stops).
func (js *Jobs) Wait() { js.wg.Wait() }

func (js *Jobs) progress(id int64) (*liveJob, bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	lj, ok := js.live[id]
	return lj, ok
}

// start records a job and runs it in the background as ctx's actor. run
// does the work with a context marked with the job (passnum.WithJob), so
// that the store records the job done in the work's own transaction, and
// reports progress through lj. A failure is recorded after run returns.
func (js *Jobs) start(ctx context.Context, svc passnum.JobService, start passnum.JobStart, run func(ctx context.Context, lj *liveJob) error) (*passnum.Job, error) {
	// The job outlives the request but keeps its actor, for the audit
	// trail and the permission check.
	ctx = context.WithoutCancel(ctx)
	start.Server = js.server
	j, err := svc.StartJob(ctx, start)
	if err != nil {
		return nil, err
	}
	lj := &liveJob{}
	js.mu.Lock()
	js.live[j.ID] = lj
	js.mu.Unlock()
	js.wg.Add(1)
	go func() {
		defer js.wg.Done()
		began := time.Now()
		stop := make(chan struct{})
		beating := make(chan struct{})
		go func() {
			defer close(beating)
			js.beat(ctx, svc, j.ID, lj, stop)
		}()
		err := run(passnum.WithJob(ctx, j.ID), lj)
		close(stop)
		<-beating
		if err != nil {
			if passnum.ErrorCode(err) == passnum.EINTERNAL {
				js.log.Error("job failed", "job", j.ID, "kind", j.Kind, "err", err)
			}
			// Recorded only if the job still runs: if the work
			// committed after all (a commit whose answer was lost), the
			// record already says done and stays so.
			if _, ferr := svc.FailJob(ctx, j.ID, passnum.ErrorMessage(err)); ferr != nil {
				js.log.Error("job failure not recorded: another server will fail it once it is silent", "job", j.ID, "err", ferr)
			}
		}
		js.mu.Lock()
		delete(js.live, j.ID)
		js.mu.Unlock()
		if js.done != nil {
			js.done(string(j.Kind), time.Since(began))
		}
	}()
	return j, nil
}

// beat writes the job's progress every jobBeat until stop is closed. A
// failed write is logged and the next one tries again; the work never
// waits for it.
func (js *Jobs) beat(ctx context.Context, svc passnum.JobService, id int64, lj *liveJob, stop <-chan struct{}) {
	ticker := time.NewTicker(jobBeat)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
		}
		if err := svc.RecordJobProgress(ctx, id, lj.done.Load(), lj.total.Load()); err != nil {
			js.log.Warn("job progress not recorded", "job", id, "err", err)
		}
	}
}

// jobWords say what a kind of job does, for people.
type jobWords struct {
	running string // while it runs, with what is done and the total: "Émission en cours : %s pass écrits sur %s."
	failed  string // before the reason of a failure: "L'émission a échoué : "
	Back    string // the link's words on the job's page: "Revenir au programme"
	Hint    string // under the bar: what happens if one leaves
}

var jobKinds = map[passnum.JobKind]jobWords{
	passnum.JobIssue: {running: "Émission en cours : %s pass écrits sur %s.", failed: "L'émission a échoué : ",
		Back: "Revenir au programme",
		Hint: "Vous pouvez quitter cette page : l'émission continue, et le lot apparaîtra sur la page du programme."},
	passnum.JobIndicators: {running: "Calcul en cours : %s pass lus sur %s.", failed: "Le calcul a échoué : ",
		Back: "Voir les indicateurs",
		Hint: "Vous pouvez quitter cette page : le calcul continue, et les tableaux de bord montreront les nouveaux chiffres dès qu'il sera terminé."},
}

// jobView is a job as its page shows it.
type jobView struct {
	*passnum.Job
	jobWords
}

// jobState is what the progress bar polls.
type jobState struct {
	ID       int64  `json:"id"`
	Done     int64  `json:"done"`
	Total    int64  `json:"total"`
	Percent  int    `json:"percent"`
	Finished bool   `json:"finished"`
	Failed   bool   `json:"failed"`
	Message  string `json:"message"`
	Next     string `json:"next,omitempty"`
}

// state is the job's state, with the progress in memory when this server
// runs it (fresher than the record's, which is written every second).
func (js *Jobs) state(j *passnum.Job) jobState {
	words := jobKinds[j.Kind]
	st := jobState{ID: j.ID, Done: j.Done, Total: j.Total}
	if lj, ok := js.progress(j.ID); ok && j.State == passnum.JobRunning {
		st.Done, st.Total = lj.done.Load(), lj.total.Load()
	}
	if st.Total > 0 {
		st.Percent = int(st.Done * 100 / st.Total)
	}
	switch j.State {
	case passnum.JobFailed:
		st.Finished, st.Failed, st.Message, st.Next = true, true, words.failed+j.Message, j.BackTo
	case passnum.JobDone:
		st.Finished, st.Percent, st.Message, st.Next = true, 100, j.Message, j.BackTo
		st.Done = st.Total
	default:
		st.Message = fmt.Sprintf(words.running, passnum.FrenchNumber(st.Done), passnum.FrenchNumber(st.Total))
	}
	return st
}

// issue starts the issuance of a batch in the background and shows its
// progress: a million passes take seconds, and the operator should see
// them being written rather than wait before a blank page.
func (s *Server) issue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Programme")
	if err != nil {
		return err
	}
	// The job runs after the answer: a role that may not issue is told
	// now, as the service would tell it, not on the job's page.
	if err := passnum.Authorize(visitorFrom(r).actor(), passnum.ActIssue); err != nil {
		return err
	}
	n, ok := parseCount(r.PostForm.Get("issue_carnets"))
	if !ok || n <= 0 || n > passnum.MaxBatchCarnets {
		return s.programmeFormError(w, r, passnum.Invalid("carnets", "Indiquez le nombre de carnets à émettre (de 1 à %s).", passnum.FrenchNumber(passnum.MaxBatchCarnets)),
			map[string]string{"carnets": "issue_carnets"})
	}
	p, err := s.svc.FindProgramme(r.Context(), id)
	if err != nil {
		return err
	}
	j, err := s.jobs.start(r.Context(), s.svc, passnum.JobStart{Kind: passnum.JobIssue, ProgrammeID: id,
		Label:  fmt.Sprintf("Émission de %s — %s", passnum.FrenchCount(n, "carnet", "carnets"), p.Name),
		BackTo: fmt.Sprintf("/operateur/programmes/%d#lots", id)},
		func(ctx context.Context, lj *liveJob) error {
			lj.total.Store(n * int64(p.CarnetSize))
			_, err := s.svc.Issue(ctx, passnum.IssueRequest{ProgrammeID: id, Carnets: int(n), Progress: func(done, total int) {
				lj.done.Store(int64(done))
				lj.total.Store(int64(total))
			}})
			return err
		})
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/operateur/travaux/%d", j.ID), http.StatusSeeOther)
	return nil
}

// findJob reads the job of the page. A job still running whose server has
// been silent beyond the lease is failed here, by whichever server shows
// it first, rather than shown running for ever.
func (s *Server) findJob(r *http.Request) (*passnum.Job, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Cette tâche est introuvable.")
	}
	j, err := s.svc.FindJob(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if _, mine := s.jobs.progress(id); !mine && j.Stale(s.now()) {
		if _, err := s.svc.FailStaleJobs(r.Context(), s.jobs.Alive()); err != nil {
			return nil, err
		}
		return s.svc.FindJob(r.Context(), id)
	}
	return j, nil
}

func (s *Server) job(w http.ResponseWriter, r *http.Request) error {
	j, err := s.findJob(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "job", s.newView(r, j.Label, map[string]any{"Job": jobView{j, jobKinds[j.Kind]}, "State": s.jobs.state(j)}))
}

func (s *Server) jobState(w http.ResponseWriter, r *http.Request) error {
	j, err := s.findJob(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.jobs.state(j))
}
