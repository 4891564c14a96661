package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
)

// The audit journal's hash chain: the sealer that serve runs, and the
// export and proof of its anchors (internal/sqlstore/chain.go).

// sealInBackground seals the audit journal every interval until the stop
// it returns is called. Every server of an installation runs it: sealers
// that meet on one PostgreSQL take turns by themselves.
func sealInBackground(ctx context.Context, s *sqlstore.Store, every time.Duration, log *slog.Logger, done func(job string, d time.Duration)) (stop func()) {
	jobCtx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		sealEvery(jobCtx, s, every, log, done)
	}()
	return func() { cancel(); <-finished }
}

// sealEvery seals the journal at once, then every interval, until ctx
// ends. A failure is logged and the next run tries again: the entries
// wait, kept by the triggers, and the check names none of them meanwhile.
func sealEvery(ctx context.Context, s *sqlstore.Store, every time.Duration, log *slog.Logger, done func(job string, d time.Duration)) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		start := time.Now()
		n, err := s.SealAudit(ctx)
		d := time.Since(start)
		switch {
		case ctx.Err() != nil && errors.Is(err, ctx.Err()):
			return
		case err != nil:
			log.Error("audit journal sealing failed", "err", err, "duration", d)
		case n > 0:
			log.Debug("audit journal sealed", "entries", n, "duration", d)
		}
		if done != nil {
			done("audit-seal", d)
		}
		timer.Reset(every)
	}
}

// latestAnchors is how many anchors passnum check prints.
const latestAnchors = 3

// printLatestAnchors prints the last anchors of the journal's chain, for
// the operator to compare with the copies kept outside.
func (c *cli) printLatestAnchors(ctx context.Context, s store) error {
	anchors, err := s.AuditAnchors(ctx)
	if err != nil {
		return err
	}
	if len(anchors) == 0 {
		c.printf("Journal d'audit : aucune ancre encore.\n")
		return nil
	}
	c.printf("Journal d'audit, dernières ancres (numéro, empreinte, date) :\n")
	for _, a := range anchors[max(0, len(anchors)-latestAnchors):] {
		c.printf("  %d  %s  %s\n", a.Seq, a.Hash, passnum.FormatTime(a.At))
	}
	return nil
}
