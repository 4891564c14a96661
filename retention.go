package passnum

import (
	"context"
	"time"
)

// RetentionService erases or anonymises what has passed its retention
// period (privacy.go's RetentionRules, with the installation's
// PrivacySettings), and tells what its past runs did.
type RetentionService interface {
	// RunRetention runs every step of the purge, in small batches each
	// committed on its own, so that an interrupted run leaves nothing half
	// erased and the next one resumes. With dryRun, it changes nothing and
	// counts what it would erase. One run at a time across servers: a
	// second one is refused with ReasonRetentionRunning.
	RunRetention(ctx context.Context, dryRun bool) (*RetentionRun, error)
	// ListRetentionRuns lists the latest runs, newest first.
	ListRetentionRuns(ctx context.Context, limit int) ([]*RetentionRun, error)
}

// Status of a retention run.
const (
	RetentionRunning     = "running"
	RetentionDone        = "done"
	RetentionFailed      = "failed"
	RetentionInterrupted = "interrupted" // found running by a later run: its process had stopped
	RetentionDryRun      = "dry-run"     // counted, changed nothing, not recorded
)

// RetentionRun is one run of the purge.
type RetentionRun struct {
	ID         int64            `json:"id,omitempty"` // 0 for a dry run, which is not recorded
	StartedAt  time.Time        `json:"started_at"`
	FinishedAt *time.Time       `json:"finished_at,omitempty"`
	Actor      string           `json:"actor"`
	Status     string           `json:"status"`
	Error      string           `json:"error,omitempty"`
	Counts     []RetentionCount `json:"counts"`
}

// RetentionCount is what a run did for one kind of record.
type RetentionCount struct {
	// Kind names the step: "beneficiaries", "notes", "sessions"…
	Kind string       `json:"kind"`
	Key  RetentionKey `json:"retention"` // the period it applies
	// Erased records (or, in a dry run, records to erase).
	Erased int64 `json:"erased"`
	// Skipped records passed their period but are kept: a person whose
	// erasure would unbalance the books, or who restricted their record.
	Skipped int64 `json:"skipped"`
}

// Total is the number of records a run erased.
func (r *RetentionRun) Total() int64 {
	var n int64
	for _, c := range r.Counts {
		n += c.Erased
	}
	return n
}
