package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passnum/passnum"
)

// job is a long task started from a page — the issuance of a batch, the
// computation of the indicators — that goes on after the request that
// started it, with a progress bar the operator can watch (and leave).
type job struct {
	ID          int64
	ProgrammeID int64 // the programme whose page lists it while it runs, if any
	Label       string
	Started     time.Time
	jobWords
	total atomic.Int64
	done  atomic.Int64

	mu       sync.Mutex
	finished time.Time
	err      error
	message  string // on success
	next     string // where to go on success
}

// jobWords say what a kind of job does, for people and for the metrics.
type jobWords struct {
	kind    string // for Options.JobDone: "issue", "indicators"
	running string // while it runs, with what is done and the total: "Émission en cours : %s pass écrits sur %s."
	failed  string // before the reason of a failure: "L'émission a échoué : "
	Back    string // the link's words on the job's page: "Revenir au programme"
	BackTo  string // where that link goes while the job runs or after it failed
	Hint    string // under the bar: what happens if one leaves
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

func (j *job) state() jobState {
	j.mu.Lock()
	defer j.mu.Unlock()
	st := jobState{ID: j.ID, Done: j.done.Load(), Total: j.total.Load(), Finished: !j.finished.IsZero()}
	if st.Total > 0 {
		st.Percent = int(st.Done * 100 / st.Total)
	}
	switch {
	case j.err != nil:
		st.Failed, st.Message, st.Next = true, j.failed+passnum.ErrorMessage(j.err), j.BackTo
	case st.Finished:
		st.Percent, st.Message, st.Next = 100, j.message, j.next
	default:
		st.Message = fmt.Sprintf(j.running, passnum.FrenchNumber(st.Done), passnum.FrenchNumber(st.Total))
	}
	return st
}

// jobs keeps the jobs of the last hours, in memory: a job lost with a
// restart only loses its progress bar, since the batch itself is written
// in one transaction (all or nothing).
type jobs struct {
	mu   sync.Mutex
	next int64
	byID map[int64]*job
	// done, when set, is told how long each job ran (Options.JobDone).
	done func(job string, d time.Duration)
}

// jobMemory is how long a finished job stays visible.
const jobMemory = 6 * time.Hour

// start runs a job in the background. run reports progress through j and
// returns, on success, the message to show and where to go next.
func (js *jobs) start(programmeID int64, label string, words jobWords, run func(j *job) (message, next string, err error)) *job {
	js.mu.Lock()
	js.next++
	j := &job{ID: js.next, ProgrammeID: programmeID, Label: label, Started: time.Now(), jobWords: words}
	for id, old := range js.byID {
		old.mu.Lock()
		if !old.finished.IsZero() && time.Since(old.finished) > jobMemory {
			delete(js.byID, id)
		}
		old.mu.Unlock()
	}
	js.byID[j.ID] = j
	js.mu.Unlock()
	go func() {
		message, next, err := run(j)
		j.mu.Lock()
		j.message, j.next, j.err, j.finished = message, next, err, time.Now()
		j.mu.Unlock()
		if js.done != nil {
			js.done(words.kind, time.Since(j.Started))
		}
	}()
	return j
}

func (js *jobs) get(id int64) *job {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.byID[id]
}

// forProgramme lists a programme's jobs still running.
func (js *jobs) forProgramme(id int64) []*job {
	js.mu.Lock()
	defer js.mu.Unlock()
	var out []*job
	for _, j := range js.byID {
		if j.ProgrammeID == id && !j.state().Finished {
			out = append(out, j)
		}
	}
	return out
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
	// The job outlives the request but keeps its actor, for the audit
	// trail and the permission check.
	ctx := context.WithoutCancel(r.Context())
	words := jobWords{kind: "issue", running: "Émission en cours : %s pass écrits sur %s.", failed: "L'émission a échoué : ",
		Back: "Revenir au programme", BackTo: fmt.Sprintf("/operateur/programmes/%d#lots", id),
		Hint: "Vous pouvez quitter cette page : l'émission continue, et le lot apparaîtra sur la page du programme."}
	j := s.jobs.start(id, fmt.Sprintf("Émission de %s — %s", passnum.FrenchCount(n, "carnet", "carnets"), p.Name), words, func(j *job) (string, string, error) {
		j.total.Store(n * int64(p.CarnetSize))
		b, err := s.svc.Issue(ctx, passnum.IssueRequest{ProgrammeID: id, Carnets: int(n), Progress: func(done, total int) {
			j.done.Store(int64(done))
			j.total.Store(int64(total))
		}})
		if err != nil {
			if passnum.ErrorCode(err) == passnum.EINTERNAL {
				s.log.Error("issuance job failed", "programme", id, "err", err)
			}
			return "", "", err
		}
		carnets := fmt.Sprintf("%s (n°%d à n°%d)", passnum.FrenchCount(int64(b.Carnets), "carnet", "carnets"), b.FirstCarnet, b.LastCarnet)
		if b.Carnets == 1 {
			carnets = fmt.Sprintf("1 carnet (n°%d)", b.FirstCarnet)
		}
		return fmt.Sprintf("Lot n°%d émis : %s, %s pass.", b.ID, carnets, passnum.FrenchNumber(int64(b.Passes))), words.BackTo, nil
	})
	http.Redirect(w, r, fmt.Sprintf("/operateur/travaux/%d", j.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) findJob(r *http.Request) (*job, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if j := s.jobs.get(id); err == nil && j != nil {
		return j, nil
	}
	return nil, passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Cette tâche est introuvable : elle est terminée depuis longtemps, ou le serveur a redémarré. Le résultat est visible sur la page du programme.")
}

func (s *Server) job(w http.ResponseWriter, r *http.Request) error {
	j, err := s.findJob(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "job", s.newView(r, j.Label, map[string]any{"Job": j, "State": j.state()}))
}

func (s *Server) jobState(w http.ResponseWriter, r *http.Request) error {
	j, err := s.findJob(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, j.state())
}
