package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/passnum/passnum"
)

// The scheduled jobs of serve — the retention and the reminders each day,
// the indicators every --indicators-every — run once per period across
// every server of an installation. Every server runs the same loops; before
// a run, a server claims the job's period in the store (sqlstore's
// ClaimPeriod: a row keyed by the job and the period, written in a short
// serializable transaction, with a lease renewed while the job runs), and
// only the server that got it runs the job. A server stopped mid-run lets
// its lease run out, and the next server to try runs the period again. The
// jobs stay safe to run twice, as they were written (the retention's lease
// and resumable batches, the reminders' keys, a snapshot replacing the
// last): the claim spares the work, it does not guard the data.

// periodClaims are the store's claims of periods.
type periodClaims interface {
	ClaimPeriod(ctx context.Context, job, period, server string, lease time.Duration) (bool, error)
	RenewPeriod(ctx context.Context, job, period, server string, lease time.Duration) (bool, error)
	EndPeriod(ctx context.Context, job, period, server string, finished bool) error
	PurgePeriods(ctx context.Context, before time.Time) (int64, error)
	// PurgeFailedAttempts is not a claim: the daily loops' housekeeping,
	// the failed sign-ins whose window is over.
	PurgeFailedAttempts(ctx context.Context) (int64, error)
}

// scheduler runs serve's scheduled jobs for one server.
type scheduler struct {
	claims periodClaims
	server string // the server's name in its claims
	log    *slog.Logger
	// done, when set, is told how long each run took (the metrics).
	done func(job string, d time.Duration)
}

// claimLease is how long a claim lasts unless renewed: the time another
// server waits before running the period of a claimer that stopped.
const claimLease = 10 * time.Minute

// keptClaims is how long claims stay: far beyond any period.
const keptClaims = 30 * 24 * time.Hour

// once runs work for job's period, unless another server has or had it,
// and tells whether it ran. The claim is renewed while work runs, and
// ended after it: finished when work succeeded, given up otherwise, so
// that the next try (of any server) runs the period again.
func (sc *scheduler) once(ctx context.Context, job, period string, work func(context.Context) ([]any, error)) (ran bool, said []any, err error) {
	got, err := sc.claims.ClaimPeriod(ctx, job, period, sc.server, claimLease)
	if err != nil || !got {
		return false, nil, err
	}
	stop := make(chan struct{})
	renewing := make(chan struct{})
	go func() {
		defer close(renewing)
		ticker := time.NewTicker(claimLease / 3)
		defer ticker.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ticker.C:
			}
			if still, err := sc.claims.RenewPeriod(ctx, job, period, sc.server, claimLease); err != nil {
				sc.log.Warn(job+": claim not renewed", "period", period, "err", err)
			} else if !still {
				sc.log.Warn(job+": another server took the period back", "period", period)
			}
		}
	}()
	said, err = work(ctx)
	close(stop)
	<-renewing
	if endErr := sc.claims.EndPeriod(context.WithoutCancel(ctx), job, period, sc.server, err == nil); endErr != nil {
		sc.log.Error(job+": claim not ended", "period", period, "err", endErr)
	}
	return true, said, err
}

// runOnce is once with its log and its metric: it says whether ctx ended.
func (sc *scheduler) runOnce(ctx context.Context, job, period string, work func(context.Context) ([]any, error)) (stopped bool) {
	start := time.Now()
	ran, said, err := sc.once(ctx, job, period, work)
	d := time.Since(start)
	switch {
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return true
	case err != nil:
		sc.log.Error(job+" failed", "period", period, "err", err, "duration", d)
	case !ran:
		sc.log.Debug(job+": period run by another server", "period", period)
		return false
	default:
		sc.log.Info(job, append(said, "period", period, "duration", d)...)
	}
	if ran && sc.done != nil {
		sc.done(job, d)
	}
	return false
}

// dayOf is the period of a daily job: the day in France.
func dayOf(t time.Time) string { return t.In(paris).Format(time.DateOnly) }

var paris = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
		return loc
	}
	return time.FixedZone("CET", 3600)
}()

// dailyTry is how often a server tries to claim the day of a daily job:
// the job runs within this time after midnight, on one server.
const dailyTry = time.Hour

// dailyJob runs work as the operator op (labelled serve:job) once a day
// across all servers: it tries a minute after the start, then every
// dailyTry, and runs the day's period if it gets it. It goes until the
// stop it returns is called, which waits for a run under way to end.
func (sc *scheduler) dailyJob(ctx context.Context, op *passnum.Actor, job string, work func(context.Context) ([]any, error)) (stop func()) {
	actor := *op
	actor.Label = "serve:" + job
	jobCtx, cancel := context.WithCancel(passnum.NewContextWithActor(ctx, &actor))
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		timer := time.NewTimer(time.Minute) // after the start's own work
		defer timer.Stop()
		for {
			select {
			case <-jobCtx.Done():
				return
			case <-timer.C:
			}
			if sc.runOnce(jobCtx, job, dayOf(time.Now()), work) {
				return
			}
			if _, err := sc.claims.PurgePeriods(jobCtx, time.Now().Add(-keptClaims)); err != nil && jobCtx.Err() == nil {
				sc.log.Warn("claims of past periods not purged", "err", err)
			}
			if _, err := sc.claims.PurgeFailedAttempts(jobCtx); err != nil && jobCtx.Err() == nil {
				sc.log.Warn("failed sign-ins not purged", "err", err)
			}
			timer.Reset(dailyTry)
		}
	}()
	return func() { cancel(); <-finished }
}

// reapJobsInBackground fails, every half lease, the jobs of the pages
// whose server fell silent (passnum.JobService.FailStaleJobs), as the
// operator op, until the stop it returns is called; the job's page does it
// too when it finds one. jobs are this server's own, alive whatever their
// heartbeat says. Every server runs it: the failure of a job is one
// conditional update, which two servers may race for harmlessly.
func reapJobsInBackground(ctx context.Context, op *passnum.Actor, s passnum.JobService, jobs interface{ Alive() []int64 }, log *slog.Logger) (stop func()) {
	actor := *op
	actor.Label = "serve:jobs"
	jobCtx, cancel := context.WithCancel(passnum.NewContextWithActor(ctx, &actor))
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		timer := time.NewTimer(0)
		defer timer.Stop()
		for {
			select {
			case <-jobCtx.Done():
				return
			case <-timer.C:
			}
			if _, err := s.FailStaleJobs(jobCtx, jobs.Alive()); err != nil && jobCtx.Err() == nil {
				log.Error("jobs of silent servers not failed", "err", err)
			}
			timer.Reset(passnum.JobLease / 2)
		}
	}()
	return func() { cancel(); <-finished }
}
