package sqlstore

import (
	"context"
	"fmt"
)

// WriteAudit writes one entry of the audit journal the way every change
// does (tx.audit), in a transaction of its own.
func WriteAudit(ctx context.Context, s *Store, action, object, detail string) error {
	return s.write(ctx, "test audit", func(t *tx) error { return t.audit(action, object, detail) })
}

// DisableAuditTriggers lifts the append-only rule of the journal, its
// chain and its anchors, as someone with the database's keys could: on
// SQLite by dropping the triggers, on PostgreSQL by disabling them.
func DisableAuditTriggers(s *Store) error {
	var statements []string
	if s.dialect == dialectPostgres {
		for _, table := range []string{"audit_log", "audit_chain", "audit_anchors"} {
			statements = append(statements, "ALTER TABLE "+table+" DISABLE TRIGGER USER")
		}
	} else {
		for _, table := range []string{"audit_log", "audit_chain", "audit_anchors"} {
			for _, what := range []string{"update", "delete"} {
				statements = append(statements, fmt.Sprintf("DROP TRIGGER %s_no_%s", table, what))
			}
		}
	}
	for _, q := range statements {
		if err := ExecRaw(s, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// RewriteChainFrom recomputes the chain's hashes from place seq to its end,
// and with anchorsToo the anchors past seq, as someone who knows how the
// chain is made would after editing an entry (triggers disabled first).
func RewriteChainFrom(ctx context.Context, s *Store, seq int64, anchorsToo bool) error {
	return s.write(ctx, "test rewrite", func(t *tx) error {
		prev := genesisHash
		if seq > 1 {
			if err := t.get(&prev, `SELECT hash FROM audit_chain WHERE seq = ?`, seq-1); err != nil {
				return err
			}
		}
		rows, err := selectAll(t, func(sc scanner) (sealedEntry, error) {
			var e sealedEntry
			err := sc.Scan(&e.seq, &e.entry.id, &e.entry.createdAt, &e.entry.actor, &e.entry.action, &e.entry.object, &e.entry.text)
			return e, err
		}, `SELECT c.seq, `+auditColumns+` FROM audit_chain c JOIN audit_log a ON a.id = c.audit_id WHERE c.seq >= ? ORDER BY c.seq`, seq)
		if err != nil {
			return err
		}
		for _, e := range rows {
			hash := chainHash(e.seq, e.entry, prev)
			if err := t.exec(`UPDATE audit_chain SET prev_hash = ?, hash = ? WHERE seq = ?`, prev, hash, e.seq); err != nil {
				return err
			}
			if anchorsToo {
				if err := t.exec(`UPDATE audit_anchors SET hash = ? WHERE seq = ?`, hash, e.seq); err != nil {
					return err
				}
			}
			prev = hash
		}
		return nil
	})
}

// FillAudit appends n entries to the journal at once, unsealed, for the
// benchmarks of the chain.
func FillAudit(ctx context.Context, s *Store, n int) error {
	return s.write(ctx, "test fill audit", func(t *tx) error {
		at := t.nowText()
		return t.bulkInsert("audit_log", []string{"created_at", "actor", "action", "object", "detail"}, n, func(i int, row []any) {
			row[0], row[1], row[2], row[3], row[4] = at, "cli:bench", "bench.entry", fmt.Sprintf("thing:%d", i), `venue "Médiathèque" qualified: revue annuelle`
		}, nil)
	})
}
