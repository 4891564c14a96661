package passnum

import (
	"context"
	"fmt"
	"time"
)

// JobKind is what a background job does.
type JobKind string

// The background jobs started from pages.
const (
	JobIssue      JobKind = "issue"      // the issuance of a batch
	JobIndicators JobKind = "indicators" // the computation of the indicators
)

// JobState is where a job is.
type JobState string

// The states of a job: it runs, then ends done or failed, once.
const (
	JobRunning JobState = "running"
	JobDone    JobState = "done"
	JobFailed  JobState = "failed"
)

// JobLease is how long a job's server may stay silent: a running job whose
// heartbeat is older is taken for the work of a server that stopped, and
// any server that notices records it as failed (JobService.FailStaleJobs).
// The server that runs a job renews its heartbeat every second or so.
const JobLease = time.Minute

// Job is a long task started from a page — the issuance of a batch, the
// computation of the indicators — that goes on after the request that
// started it. It is kept in the database, so that every server of an
// installation shows its progress and its outcome, and a restart loses
// nothing but the work of a job that had not ended, which is then failed.
type Job struct {
	ID          int64    `json:"id"`
	Kind        JobKind  `json:"kind"`
	Label       string   `json:"label"`
	ProgrammeID int64    `json:"programme_id,omitempty"` // the programme whose page lists it while it runs
	BackTo      string   `json:"back_to"`                // where its page leads: the programme, the dashboard
	Server      string   `json:"server"`                 // the server that runs it
	State       JobState `json:"state"`
	Done        int64    `json:"done"`
	Total       int64    `json:"total"`
	// Message says, once the job ended, what it did or why it failed.
	Message     string     `json:"message,omitempty"`
	StartedAt   time.Time  `json:"started_at"`
	HeartbeatAt time.Time  `json:"heartbeat_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

// Stale tells whether the job still runs on the record but its server has
// been silent for longer than JobLease at now.
func (j *Job) Stale(now time.Time) bool {
	return j.State == JobRunning && now.Sub(j.HeartbeatAt) > JobLease
}

// JobStart describes a job about to start.
type JobStart struct {
	Kind        JobKind
	Label       string
	ProgrammeID int64
	BackTo      string
	Server      string
}

// JobService keeps the background jobs. The work of a job runs with a
// context marked by WithJob: the store method that does it (Issue,
// RefreshIndicators) records the job done in the transaction that commits
// the work, so that a job reads done exactly when its work is there.
type JobService interface {
	// StartJob records a job as running, for an actor allowed to do its
	// work.
	StartJob(ctx context.Context, j JobStart) (*Job, error)
	// FindJob reads a job (the operator's).
	FindJob(ctx context.Context, id int64) (*Job, error)
	// RunningJobs lists the jobs of a programme that still run.
	RunningJobs(ctx context.Context, programmeID int64) ([]*Job, error)
	// RecordJobProgress records how far a running job is, which renews
	// its heartbeat.
	RecordJobProgress(ctx context.Context, id, done, total int64) error
	// FailJob records that a job's work failed, for the reason given,
	// unless the job already ended (its work committed, or another
	// server failed it): it returns the job as it ends.
	FailJob(ctx context.Context, id int64, reason string) (*Job, error)
	// FailStaleJobs fails the running jobs whose server has been silent
	// for longer than JobLease, but those of alive (the caller's own,
	// which it knows alive), and returns how many it failed.
	FailStaleJobs(ctx context.Context, alive []int64) (int, error)
}

type jobKey struct{}

// WithJob marks ctx as the context of job id's work: the store method that
// does the work records the job done in the transaction that commits it,
// and refuses to commit if the job already ended (failed by a server that
// found it silent).
func WithJob(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, jobKey{}, id)
}

// JobFromContext returns the job set by WithJob, or 0.
func JobFromContext(ctx context.Context) int64 {
	id, _ := ctx.Value(jobKey{}).(int64)
	return id
}

// Summary says what the issuance of the batch did, for its job's page.
func (b *Batch) Summary() string {
	carnets := fmt.Sprintf("%s (n°%d à n°%d)", FrenchCount(int64(b.Carnets), "carnet", "carnets"), b.FirstCarnet, b.LastCarnet)
	if b.Carnets == 1 {
		carnets = fmt.Sprintf("1 carnet (n°%d)", b.FirstCarnet)
	}
	return fmt.Sprintf("Lot n°%d émis : %s, %s pass.", b.ID, carnets, FrenchNumber(int64(b.Passes)))
}

// Summary says what the computation of the snapshot did, for its job's
// page.
func (s *IndicatorSnapshot) Summary() string {
	return fmt.Sprintf("Indicateurs recalculés : %s en %s.", FrenchCount(s.Passes, "pass lu", "pass lus"), FrenchSeconds(s.Duration))
}

// FrenchSeconds writes a duration for people: "40 ms", "12,3 s",
// "2 min 05 s", with no-break spaces.
func FrenchSeconds(d time.Duration) string {
	const nbsp = "\u00a0"
	if d < time.Second {
		return fmt.Sprintf("%d%sms", d.Milliseconds(), nbsp)
	}
	if d = d.Round(100 * time.Millisecond); d >= time.Minute {
		return fmt.Sprintf("%d%smin%s%02d%ss", int(d.Minutes()), nbsp, nbsp, int(d.Seconds())%60, nbsp)
	}
	tenths := d / (100 * time.Millisecond)
	return fmt.Sprintf("%d,%d%ss", tenths/10, tenths%10, nbsp)
}
