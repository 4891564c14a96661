package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/passnum/passnum"
)

const remindersRunDoc = `Met en file les rappels du jour par courriel :
  - aux prescripteurs et aux financeurs, les pass d'un programme encore
    inutilisés dans les 30 jours qui précèdent leur fin de validité ;
  - aux administrateurs de l'opérateur, les demandes RGPD sans réponse à
    moins de 7 jours de leur échéance (ou en retard).
Chaque rappel part une seule fois (par organisation, programme et date, ou
par demande et échéance), même lancé plusieurs fois ou sur plusieurs
serveurs. serve le lance chaque jour de lui-même.

Les liens des messages commencent par PASSNUM_URL (l'adresse publique).`

func (c *cli) remindersRun(o *options) runFunc {
	o.usage("", remindersRunDoc)
	return func(ctx context.Context, s store) error {
		run, err := s.SendReminders(ctx)
		if run != nil {
			c.printf("Rappels mis en file : pass qui expirent %d, demandes RGPD à échéance %d.\n", run.StockExpiring, run.RightsDue)
		}
		return err
	}
}

// remindersEvery is how often serve runs the reminders.
const remindersEvery = 24 * time.Hour

// remindInBackground queues the reminders as the operator op a minute
// after the start, then every day, until the stop it returns is called.
// Several servers may run it: each reminder's key lets one of them queue
// it.
func remindInBackground(ctx context.Context, op *passnum.Actor, s passnum.ReminderService, log *slog.Logger, done func(job string, d time.Duration)) (stop func()) {
	return dailyJob(ctx, op, "reminders", remindersEvery, log, done, func(ctx context.Context) ([]any, error) {
		run, err := s.SendReminders(ctx)
		if err != nil {
			return nil, err
		}
		return []any{"stock_expiring", run.StockExpiring, "rights_due", run.RightsDue}, nil
	})
}

// retryUnreachable is when a periodic job that found the database out of
// reach runs again: a failover takes seconds, and a day's wait would skip
// the day.
const retryUnreachable = time.Minute

// nextRun is how long a periodic job waits after a run that ended with
// err.
func nextRun(err error, every time.Duration) time.Duration {
	switch passnum.ErrorReason(err) {
	case passnum.ReasonDatabaseUnavailable, passnum.ReasonOutcomeUnknown:
		return min(every, retryUnreachable)
	}
	return every
}

// dailyJob runs work as the operator op (labelled serve:job) a minute
// after the start, then every period, until the stop it returns is
// called, and waits for a run under way to end. Each run is logged with
// what work says it did (attributes) or its error, and told to done.
func dailyJob(ctx context.Context, op *passnum.Actor, job string, every time.Duration, log *slog.Logger, done func(job string, d time.Duration), work func(context.Context) ([]any, error)) (stop func()) {
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
			start := time.Now()
			said, err := work(jobCtx)
			d := time.Since(start)
			switch {
			case jobCtx.Err() != nil && errors.Is(err, jobCtx.Err()):
				return
			case err != nil:
				log.Error(job+" failed", "err", err, "duration", d)
			default:
				log.Info(job, append(said, "duration", d)...)
			}
			if done != nil {
				done(job, d)
			}
			timer.Reset(nextRun(err, every))
		}
	}()
	return func() { cancel(); <-finished }
}
