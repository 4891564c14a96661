package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/passnum/passnum"
)

// The retention job: what has passed its period (privacy.go's
// RetentionRules, with the installation's PrivacySettings) is erased or
// emptied, step by step, in small batches each committed in its own
// transaction together with the run's counts. A process killed in the
// middle leaves every record either untouched or fully erased, counts that
// say exactly what was done, and a run the next one marks interrupted
// before doing what is left. One run at a time across servers: a lease
// row, taken and renewed with conditional UPDATEs.

// purge is a step that erases rows of one table with plain SQL: the rows
// that match due (with one ? for the cutoff) are deleted or, with set,
// emptied of what is personal while the row stays for the figures.
type purge struct {
	table string
	due   string
	set   string // "" deletes the rows
	date  bool   // the cutoff is compared with a date (YYYY-MM-DD), not an instant
}

// retentionStep is one kind of record the job erases, under the period of
// key. Steps without run are purges.
type retentionStep struct {
	kind  string
	key   passnum.RetentionKey
	purge purge
	// run erases (or, with dry, counts) up to n records past cutoff after
	// cursor, and says where it stopped and whether more may follow.
	run func(t *tx, cutoff time.Time, cursor int64, n int, dry bool) (b retentionBatch, err error)
}

// retentionBatch is what one batch did.
type retentionBatch struct {
	erased, skipped int64
	cursor          int64
	more            bool
}

// retentionSteps are the steps of a run, in order. A kind of personal data
// with a period gets its line here; for rows a SQL condition selects, one
// line is enough, e.g. the journal of reads of personal data:
//
//	{kind: "access-log", key: passnum.RetainAccessLog, purge: purge{table: "personal_reads", due: `read_at < ?`}},
var retentionSteps = []retentionStep{
	// People first: erasing one unlinks their registrations and reports.
	{kind: "beneficiaries", key: passnum.RetainBeneficiary, run: (*tx).retainBeneficiaries},
	// Seats held under a first name only, once the session is that old.
	{kind: "registrations", key: passnum.RetainBeneficiary, purge: purge{table: "workshop_registrations",
		due: `beneficiary_ref IS NULL AND label <> '' AND session_id IN (SELECT id FROM workshop_sessions WHERE starts_at < ?)`, set: `label = ''`}},
	// Advisers' notes and their author's name; the report stays counted.
	{kind: "notes", key: passnum.RetainNotes, purge: purge{table: "activity_reports",
		due: `(notes <> '' OR author_name <> '') AND report_date < ?`, set: `notes = '', author_name = ''`, date: true}},
	{kind: "sessions", key: passnum.RetainSessions, purge: purge{table: "sessions", due: `expires_at < ?`}},
	{kind: string(passnum.RetainPasswordResets), key: passnum.RetainPasswordResets, purge: purge{table: "password_resets", due: `expires_at < ?`}},
	{kind: "account-links", key: passnum.RetainPasswordResets, purge: purge{table: "account_links", due: `expires_at < ?`}},
	{kind: "outbox", key: passnum.RetainOutbox, purge: purge{table: "outbox", due: `COALESCE(sent_at, created_at) < ?`}},
	// The journal of who read personal data (journal.go).
	{kind: "access-log", key: passnum.RetainAccessLog, purge: purge{table: "personal_reads", due: `read_at < ?`}},
	// Money records (statements, transfers, ledger) keep their ten years:
	// they name venues and funders, and reach a person only through a
	// carnet's holder, which the first step makes anonymous.
}

func (p purge) cutoffArg(cutoff time.Time) string {
	if p.date {
		return cutoff.Format(passnum.DateLayout)
	}
	return passnum.FormatTime(cutoff)
}

// batch empties or deletes up to n rows; a purged row no longer matches
// due, so the next batch takes the next ones.
func (p purge) batch(t *tx, cutoff time.Time, _ int64, n int, dry bool) (retentionBatch, error) {
	arg := p.cutoffArg(cutoff)
	var b retentionBatch
	if dry {
		err := t.get(&b.erased, `SELECT COUNT(*) FROM `+p.table+` WHERE `+p.due, arg)
		return b, err
	}
	which := `id IN (SELECT id FROM ` + p.table + ` WHERE ` + p.due + ` ORDER BY id LIMIT ?)`
	var err error
	if p.set == "" {
		b.erased, err = t.execN(`DELETE FROM `+p.table+` WHERE `+which, arg, n)
	} else {
		b.erased, err = t.execN(`UPDATE `+p.table+` SET `+p.set+` WHERE `+which, arg, n)
	}
	b.more = b.erased == int64(n)
	return b, err
}

// retainBeneficiaries erases the people whose period has passed: counted
// from their last use of a pass or the end of validity of their last
// carnet (tolerance included), whichever comes last, and never before
// their record was created. A person who restricted their record
// (article 18: kept, not used) and one whose erasure would unbalance the
// books (erasable) are skipped, and counted as such.
func (t *tx) retainBeneficiaries(cutoff time.Time, cursor int64, n int, dry bool) (retentionBatch, error) {
	b := retentionBatch{cursor: cursor}
	people, err := selectAll(t, scanBeneficiary, `SELECT `+beneficiaryColumns+` FROM beneficiaries
		WHERE id > ? AND erased_at IS NULL AND created_at < ? ORDER BY id LIMIT ?`, cursor, passnum.FormatTime(cutoff), n)
	if err != nil {
		return b, err
	}
	b.more = len(people) == n
	for _, p := range people {
		b.cursor = p.ID
		last, err := t.lastActivity(p)
		if err != nil {
			return b, fmt.Errorf("beneficiary %d: %w", p.ID, err)
		}
		if !last.Before(cutoff) {
			continue
		}
		if p.RestrictedAt != nil {
			b.skipped++
			continue
		}
		if err := t.erasable(p); err != nil {
			if passnum.ErrorReason(err) == passnum.ReasonErasureUnbalances {
				b.skipped++
				continue
			}
			return b, err
		}
		if !dry {
			if _, err := t.eraseBeneficiary(p, "retention.erase", ""); err != nil {
				return b, err
			}
		}
		b.erased++
	}
	return b, nil
}

// lastActivity is when the retention period of a person starts.
func (t *tx) lastActivity(p *passnum.Beneficiary) (time.Time, error) {
	last := p.CreatedAt
	programmes, err := selectAll(t, scanInt64, `SELECT DISTINCT programme_id FROM carnets WHERE beneficiary_id = ?`, p.ID)
	if err != nil {
		return last, err
	}
	for _, id := range programmes {
		prog, err := t.settings(id)
		if err != nil {
			return last, err
		}
		if end := prog.ExpiresAfter(); end.After(last) {
			last = end
		}
	}
	var used sql.NullString
	if err := t.get(&used, `SELECT MAX(s.redeemed_at) FROM carnets c
		JOIN passes s ON s.serial BETWEEN c.first_serial AND c.first_serial + c.size - 1
		WHERE c.beneficiary_id = ?`, p.ID); err != nil {
		return last, err
	}
	in := instants{table: "passes of beneficiary", id: p.ID}
	if at := in.optional("redeemed_at", used); at != nil && at.After(last) {
		last = *at
	}
	return last, in.err
}

// retentionLease is how long a run holds the lease without renewing it: a
// batch renews it, so only a run whose process stopped lets it expire.
const retentionLease = 2 * time.Minute

// RunRetention runs the retention job (passnum.RetentionService).
func (s *Store) RunRetention(ctx context.Context, dryRun bool) (*passnum.RetentionRun, error) {
	return s.Retain(ctx, dryRun, nil)
}

// Retain is RunRetention telling progress, after each batch, the counts
// of the step it runs so far.
func (s *Store) Retain(ctx context.Context, dryRun bool, progress func(passnum.RetentionCount)) (*passnum.RetentionRun, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActRetentionManage); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	run := &passnum.RetentionRun{StartedAt: now, Actor: a.Label, Status: passnum.RetentionDryRun, Counts: []passnum.RetentionCount{}}
	holder := ""
	if !dryRun {
		var err error
		if holder, err = s.takeRetentionLease(ctx, run); err != nil {
			return nil, err
		}
	}
	err := s.retain(ctx, run, holder, now, progress)
	if dryRun {
		return run, err
	}
	// The end of the run is recorded even when ctx ended: a stopped
	// server still says its run did not finish.
	if end := s.endRetentionRun(context.WithoutCancel(ctx), run, holder, err); end != nil && err == nil {
		err = end
	}
	return run, wrapf(err, "retention run %d", run.ID)
}

// retain runs every step with a period, batch after batch.
func (s *Store) retain(ctx context.Context, run *passnum.RetentionRun, holder string, now time.Time, progress func(passnum.RetentionCount)) error {
	dry := holder == ""
	for _, step := range retentionSteps {
		cutoff, ok := s.privacy.Cutoff(step.key, now)
		if !ok {
			continue
		}
		run.Counts = append(run.Counts, passnum.RetentionCount{Kind: step.kind, Key: step.key})
		count := &run.Counts[len(run.Counts)-1]
		batchOf := step.run
		if batchOf == nil {
			batchOf = step.purge.batch
		}
		for cursor := int64(0); ; {
			if err := ctx.Err(); err != nil {
				return err
			}
			var b retentionBatch
			var err error
			if dry {
				err = s.read(ctx, func(tx *tx) error {
					b, err = batchOf(tx, cutoff, cursor, s.retentionBatch(), true)
					return err
				})
			} else {
				err = s.write(ctx, "retention "+step.kind, func(tx *tx) error {
					if err := tx.renewRetentionLease(holder); err != nil {
						return err
					}
					if b, err = batchOf(tx, cutoff, cursor, s.retentionBatch(), false); err != nil {
						return err
					}
					if b.erased == 0 && b.skipped == 0 {
						return nil
					}
					if err := tx.exec(`UPDATE retention_run_counts SET erased = erased + ?, skipped = skipped + ? WHERE run_id = ? AND kind = ?`,
						b.erased, b.skipped, run.ID, step.kind); err != nil {
						return err
					}
					return tx.audit("retention.purge", fmt.Sprintf("retention-run:%d", run.ID), fmt.Sprintf("%s: %d erased, %d kept", step.kind, b.erased, b.skipped))
				})
			}
			if err != nil {
				return fmt.Errorf("%s: %w", step.kind, err)
			}
			count.Erased += b.erased
			count.Skipped += b.skipped
			if progress != nil {
				progress(*count)
			}
			if dry && step.run == nil || !b.more {
				break
			}
			cursor = b.cursor
		}
	}
	return nil
}

// retentionBatch is how many records a batch of the job erases.
func (s *Store) retentionBatch() int {
	if s.retentionBatchSize > 0 {
		return s.retentionBatchSize
	}
	return 200
}

// WithRetentionBatch sets how many records a batch of the retention job
// erases in one transaction (200 by default).
func WithRetentionBatch(n int) Option { return func(s *Store) { s.retentionBatchSize = n } }

// takeRetentionLease takes the lease, free or expired, and records the
// run; a run found running had its process stopped (its lease expired):
// it is marked interrupted.
func (s *Store) takeRetentionLease(ctx context.Context, run *passnum.RetentionRun) (string, error) {
	raw := make([]byte, 8)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	host, _ := os.Hostname()
	holder := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(raw))
	err := s.write(ctx, "retention lease", func(tx *tx) error {
		n, err := tx.execN(`UPDATE retention_lease SET holder = ?, expires_at = ? WHERE id = 1 AND (holder = '' OR expires_at IS NULL OR expires_at < ?)`,
			holder, passnum.FormatTime(tx.now.Add(retentionLease)), tx.nowText())
		if err != nil {
			return err
		}
		if n == 0 {
			var until string
			if err := tx.get(&until, `SELECT COALESCE(expires_at, '') FROM retention_lease WHERE id = 1`); err != nil {
				return err
			}
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonRetentionRunning,
				"Une purge est déjà en cours sur un autre serveur ou une autre commande : attendez qu'elle finisse (ou, si son processus s'est arrêté, jusqu'au %s).", frenchInstant(until))
		}
		if err := tx.exec(`UPDATE retention_runs SET status = ?, finished_at = ? WHERE status = ?`,
			passnum.RetentionInterrupted, tx.nowText(), passnum.RetentionRunning); err != nil {
			return err
		}
		run.Status = passnum.RetentionRunning
		if run.ID, err = tx.insert(`INSERT INTO retention_runs (started_at, actor, status) VALUES (?, ?, ?)`, tx.nowText(), run.Actor, run.Status); err != nil {
			return err
		}
		for _, step := range retentionSteps {
			if err := tx.exec(`INSERT INTO retention_run_counts (run_id, kind) VALUES (?, ?)`, run.ID, step.kind); err != nil {
				return err
			}
		}
		if err := tx.exec(`UPDATE retention_lease SET run_id = ? WHERE id = 1`, run.ID); err != nil {
			return err
		}
		return tx.audit("retention.start", fmt.Sprintf("retention-run:%d", run.ID), "")
	})
	return holder, wrapf(err, "take the retention lease")
}

// frenchInstant writes a stored instant for people, or "bientôt".
func frenchInstant(stored string) string {
	at, err := passnum.ParseTime(stored)
	if err != nil {
		return "bientôt"
	}
	return passnum.FrenchDateTime(at)
}

// renewRetentionLease extends the lease of holder, in the transaction of a
// batch: a run that lost its lease stops before erasing anything more.
func (t *tx) renewRetentionLease(holder string) error {
	n, err := t.execN(`UPDATE retention_lease SET expires_at = ? WHERE id = 1 AND holder = ?`, passnum.FormatTime(t.now.Add(retentionLease)), holder)
	if err == nil && n == 0 {
		err = errors.New("the retention lease was lost to another run")
	}
	return err
}

// endRetentionRun records how the run ended and frees the lease.
func (s *Store) endRetentionRun(ctx context.Context, run *passnum.RetentionRun, holder string, failure error) error {
	return s.write(ctx, "retention end", func(tx *tx) error {
		run.Status, run.Error = passnum.RetentionDone, ""
		if failure != nil {
			run.Status, run.Error = passnum.RetentionFailed, failure.Error()
		}
		at := tx.now
		run.FinishedAt = &at
		if err := tx.exec(`UPDATE retention_runs SET status = ?, error = ?, finished_at = ? WHERE id = ?`, run.Status, run.Error, tx.nowText(), run.ID); err != nil {
			return err
		}
		if err := tx.exec(`UPDATE retention_lease SET holder = '', run_id = NULL, expires_at = NULL WHERE id = 1 AND holder = ?`, holder); err != nil {
			return err
		}
		return tx.audit("retention.end", fmt.Sprintf("retention-run:%d", run.ID), fmt.Sprintf("%s, %d erased", run.Status, run.Total()))
	})
}

// ListRetentionRuns lists the latest runs, newest first, with their
// counts as committed: a run interrupted midway shows what it did.
func (s *Store) ListRetentionRuns(ctx context.Context, limit int) ([]*passnum.RetentionRun, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActRetentionManage); err != nil {
		return nil, err
	}
	_, limit = page(0, limit)
	var out []*passnum.RetentionRun
	err := s.read(ctx, func(tx *tx) error {
		var err error
		out, err = selectAll(tx, func(sc scanner) (*passnum.RetentionRun, error) {
			var r passnum.RetentionRun
			var started string
			var finished sql.NullString
			if err := sc.Scan(&r.ID, &started, &finished, &r.Actor, &r.Status, &r.Error); err != nil {
				return nil, err
			}
			in := instants{table: "retention_runs", id: r.ID}
			r.StartedAt, r.FinishedAt = in.at("started_at", started), in.optional("finished_at", finished)
			return &r, in.err
		}, `SELECT id, started_at, finished_at, actor, status, error FROM retention_runs ORDER BY id DESC LIMIT ?`, limit)
		if err != nil {
			return err
		}
		keys, order := map[string]passnum.RetentionKey{}, map[string]int{}
		for i, step := range retentionSteps {
			keys[step.kind], order[step.kind] = step.key, i
		}
		for _, r := range out {
			r.Counts, err = selectAll(tx, func(sc scanner) (passnum.RetentionCount, error) {
				var c passnum.RetentionCount
				err := sc.Scan(&c.Kind, &c.Erased, &c.Skipped)
				c.Key = keys[c.Kind]
				return c, err
			}, `SELECT kind, erased, skipped FROM retention_run_counts WHERE run_id = ?`, r.ID)
			if err != nil {
				return fmt.Errorf("run %d: %w", r.ID, err)
			}
			// In the order the steps run.
			slices.SortFunc(r.Counts, func(a, b passnum.RetentionCount) int { return order[a.Kind] - order[b.Kind] })
			if r.Counts == nil {
				r.Counts = []passnum.RetentionCount{}
			}
		}
		return nil
	})
	if out == nil {
		out = []*passnum.RetentionRun{}
	}
	return out, wrapf(err, "retention runs")
}
