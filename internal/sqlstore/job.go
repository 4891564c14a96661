package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/passnum/passnum"
)

// Background jobs (passnum.JobService), kept in the database so that every
// server shows a job's progress and outcome and a restart loses none.
//
// The outcome is written by the work's own transaction (tx.jobDone, called
// by Issue and RefreshIndicators in the transaction that commits their
// work): a job reads done exactly when its work is committed, and a job
// still running on the record after its server died has nothing committed.
// That is what lets any server fail it once its heartbeat is older than
// passnum.JobLease, and what makes FailJob safe after an error whose
// commit's outcome is unknown (a broken connection): if the work
// committed, the row already says done and stays so.
//
// Progress and heartbeat live in job_progress, apart from jobs, for the
// reason the migration gives. On SQLite they are written like any write,
// through the group committer, which runs one transaction at a time: while
// a batch's transaction holds it, a progress write simply waits in the
// queue behind it. Nothing waits for that write: the server running the job
// writes its progress from a goroutine of its own and shows it from memory
// (internal/web/jobs.go), and the work's progress callback only stores two
// numbers. So progress never blocks the batch nor deadlocks on it; it only
// reaches the database late on SQLite, where one server serves anyway. A
// server never judges its own jobs silent (FailStaleJobs skips the jobs it
// is told are alive), since on SQLite their heartbeat can wait behind a
// long batch.

// errJobEnded is the error of work whose job ended meanwhile: another
// server found its server silent and failed it, and the work must not
// commit under a job that says it failed.
var errJobEnded = errors.New("the job was failed meanwhile, its work is not recorded")

// operatorJobs checks that a is the operator's: jobs are its pages'.
func operatorJobs(a *passnum.Actor) error {
	if a == nil {
		return passnum.Authorize(a, passnum.ActIndicatorsRun)
	}
	if a.OrgKind != passnum.KindOperator {
		return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Cette tâche est introuvable.")
	}
	return nil
}

// StartJob records a job as running.
func (s *Store) StartJob(ctx context.Context, start passnum.JobStart) (*passnum.Job, error) {
	a := passnum.ActorFromContext(ctx)
	var act passnum.Action
	switch start.Kind {
	case passnum.JobIssue:
		act = passnum.ActIssue
	case passnum.JobIndicators:
		act = passnum.ActIndicatorsRun
	default:
		return nil, fmt.Errorf("start job: unknown kind %q", start.Kind)
	}
	if err := passnum.Authorize(a, act); err != nil {
		return nil, err
	}
	var id int64
	err := s.write(ctx, "start job", func(tx *tx) error {
		var programme sql.NullInt64
		if start.ProgrammeID != 0 {
			programme = sql.NullInt64{Int64: start.ProgrammeID, Valid: true}
		}
		var err error
		id, err = tx.insert(`INSERT INTO jobs (kind, label, programme_id, back_to, server, state, started_at) VALUES (?, ?, ?, ?, ?, 'running', ?)`,
			string(start.Kind), start.Label, programme, start.BackTo, start.Server, tx.nowText())
		if err != nil {
			return err
		}
		return tx.exec(`INSERT INTO job_progress (job_id, done, total, heartbeat_at) VALUES (?, 0, 0, ?)`, id, tx.nowText())
	})
	if err != nil {
		return nil, fmt.Errorf("start job: %w", err)
	}
	return s.FindJob(ctx, id)
}

// FindJob reads a job.
func (s *Store) FindJob(ctx context.Context, id int64) (*passnum.Job, error) {
	if err := operatorJobs(passnum.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	var j *passnum.Job
	err := s.read(ctx, func(tx *tx) error {
		var err error
		j, err = tx.job(id)
		return err
	})
	return j, err
}

const jobColumns = `j.id, j.kind, j.label, COALESCE(j.programme_id, 0), j.back_to, j.server, j.state, j.message, j.started_at, j.finished_at,
	p.done, p.total, p.heartbeat_at`

func scanJob(sc scanner) (*passnum.Job, error) {
	var j passnum.Job
	var started, heartbeat string
	var finished sql.NullString
	err := sc.Scan(&j.ID, &j.Kind, &j.Label, &j.ProgrammeID, &j.BackTo, &j.Server, &j.State, &j.Message, &started, &finished,
		&j.Done, &j.Total, &heartbeat)
	in := instants{table: "jobs", id: j.ID, err: err}
	j.StartedAt = in.at("started_at", started)
	j.FinishedAt = in.optional("finished_at", finished)
	j.HeartbeatAt = in.at("heartbeat_at", heartbeat)
	return &j, in.err
}

func (t *tx) job(id int64) (*passnum.Job, error) {
	j, err := scanJob(t.row(`SELECT `+jobColumns+` FROM jobs j JOIN job_progress p ON p.job_id = j.id WHERE j.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Cette tâche est introuvable : la tâche n°%d n'existe pas ou a été effacée.", id)
	}
	return j, err
}

// RunningJobs lists the jobs of a programme that still run, oldest first.
func (s *Store) RunningJobs(ctx context.Context, programmeID int64) ([]*passnum.Job, error) {
	if err := operatorJobs(passnum.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	var out []*passnum.Job
	err := s.read(ctx, func(tx *tx) error {
		var err error
		out, err = selectAll(tx, scanJob, `SELECT `+jobColumns+` FROM jobs j JOIN job_progress p ON p.job_id = j.id
			WHERE j.state = 'running' AND j.programme_id = ? ORDER BY j.id`, programmeID)
		return err
	})
	return out, err
}

// RecordJobProgress records how far a running job is and renews its
// heartbeat. It never touches the jobs row, which the work's transaction
// updates at its end.
func (s *Store) RecordJobProgress(ctx context.Context, id, done, total int64) error {
	if err := operatorJobs(passnum.ActorFromContext(ctx)); err != nil {
		return err
	}
	return s.write(ctx, "job progress", func(tx *tx) error {
		return tx.exec(`UPDATE job_progress SET done = ?, total = ?, heartbeat_at = ? WHERE job_id = ?`, done, total, tx.nowText(), id)
	})
}

// FailJob records the failure of a job that still runs.
func (s *Store) FailJob(ctx context.Context, id int64, reason string) (*passnum.Job, error) {
	if err := operatorJobs(passnum.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	var j *passnum.Job
	err := s.write(ctx, "fail job", func(tx *tx) error {
		if err := tx.exec(`UPDATE jobs SET state = 'failed', message = ?, finished_at = ? WHERE id = ? AND state = 'running'`,
			reason, tx.nowText(), id); err != nil {
			return err
		}
		var err error
		j, err = tx.job(id)
		return err
	})
	return j, err
}

// FailStaleJobs fails the running jobs but those of alive whose heartbeat
// is older than passnum.JobLease: their server stopped (or lost
// the database) before their work committed, since the work's transaction
// would have marked them done. It also forgets the jobs ended more than
// jobKept ago.
func (s *Store) FailStaleJobs(ctx context.Context, alive []int64) (int, error) {
	if err := operatorJobs(passnum.ActorFromContext(ctx)); err != nil {
		return 0, err
	}
	// A read first: most of the time nothing is stale, and on SQLite a
	// write would take the committer for nothing.
	type stale struct {
		id        int64
		heartbeat string
	}
	var found []stale
	cutoff := passnum.FormatTime(s.now().Add(-passnum.JobLease))
	err := s.read(ctx, func(tx *tx) error {
		found = found[:0]
		return tx.each(`SELECT j.id, p.heartbeat_at FROM jobs j JOIN job_progress p ON p.job_id = j.id
			WHERE j.state = 'running' AND p.heartbeat_at < ?`, func(sc scanner) error {
			var st stale
			err := sc.Scan(&st.id, &st.heartbeat)
			if !slices.Contains(alive, st.id) {
				found = append(found, st)
			}
			return err
		}, cutoff)
	})
	if err != nil {
		return 0, fmt.Errorf("stale jobs: %w", err)
	}
	failed := 0
	err = s.write(ctx, "fail stale jobs", func(tx *tx) error {
		failed = 0
		for _, st := range found {
			heartbeat, err := passnum.ParseTime(st.heartbeat)
			if err != nil {
				return unreadableInstant("job_progress", st.id, "heartbeat_at", st.heartbeat)
			}
			// Conditional on the heartbeat read: a server that spoke
			// since keeps its job.
			n, err := tx.execN(`UPDATE jobs SET state = 'failed', message = ?, finished_at = ?
				WHERE id = ? AND state = 'running' AND id IN (SELECT job_id FROM job_progress WHERE job_id = ? AND heartbeat_at < ?)`,
				staleJobReason(heartbeat), tx.nowText(), st.id, st.id, cutoff)
			if err != nil {
				return fmt.Errorf("job %d: %w", st.id, err)
			}
			failed += int(n)
		}
		old := passnum.FormatTime(tx.now.Add(-jobKept))
		if err := tx.exec(`DELETE FROM job_progress WHERE job_id IN (SELECT id FROM jobs WHERE state <> 'running' AND finished_at < ?)`, old); err != nil {
			return err
		}
		return tx.exec(`DELETE FROM jobs WHERE state <> 'running' AND finished_at < ?`, old)
	})
	if err != nil {
		return 0, fmt.Errorf("stale jobs: %w", err)
	}
	if failed > 0 {
		s.log.Warn("jobs of a silent server failed", "jobs", failed)
	}
	return failed, nil
}

// jobKept is how long an ended job stays readable.
const jobKept = 7 * 24 * time.Hour

// staleJobReason is why a job whose server fell silent failed.
func staleJobReason(heartbeat time.Time) string {
	return fmt.Sprintf("le serveur qui la menait ne donne plus de nouvelles depuis le %s (arrêté ou coupé de la base) ; rien n'en a été enregistré. Vous pouvez la relancer.",
		passnum.FrenchDateTime(heartbeat))
}

// jobDone records, in the transaction that commits a job's work, that the
// job of the context (passnum.WithJob) is done, with message. A job that
// already ended — failed by a server that found its server silent — makes
// the work roll back rather than commit under a job that says it failed.
func (t *tx) jobDone(message string) error {
	id := passnum.JobFromContext(t.ctx)
	if id == 0 {
		return nil
	}
	n, err := t.execN(`UPDATE jobs SET state = 'done', message = ?, finished_at = ? WHERE id = ? AND state = 'running'`, message, t.nowText(), id)
	if err != nil {
		return fmt.Errorf("job %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("job %d: %w", id, errJobEnded)
	}
	// job_progress is left alone: its server may be writing it at this
	// moment, and on PostgreSQL the two writes would make this whole
	// transaction run again.
	return nil
}
