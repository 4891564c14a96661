package sqlstore

import (
	"context"
	"database/sql"
	"io"
	"log/slog"

	"github.com/passnum/passnum"
)

// ExecRaw runs SQL behind the store's back, for tests that tamper with the
// records to prove that CheckInvariants notices.
func ExecRaw(s *Store, q string, args ...any) error {
	_, err := s.wdb.ExecContext(context.Background(), s.dialect.rebind(q), args...)
	return err
}

// QueryStrings runs a query behind the store's back and returns its first
// column as text, for tests that look at what was recorded (the audit
// trail must never hold a secret).
func QueryStrings(s *Store, q string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(context.Background(), s.dialect.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// RawDB is the store's read pool, for tests that recount figures from
// records with their own queries.
func RawDB(s *Store) *sql.DB { return s.db }

// Classify is what a write answers when its transaction failed with err,
// on a store with no episode of a full disk under way.
func Classify(err error) error {
	s := &Store{dialect: dialectPostgres, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return s.classify("test", err)
}

// InstantColumns lists, as table.column, the columns CheckInvariants reads
// as instants and the columns named …_at that hold dates.
func InstantColumns() (instants, dates []string) {
	for _, tc := range instantColumns {
		for _, c := range tc.columns {
			instants = append(instants, tc.table+"."+c)
		}
	}
	return instants, dateColumns
}

// ForceQualification puts a venue in a status whatever the workflow says,
// for tests that need a venue in each status. The platform itself has no
// such path: every decision goes through MoveQualification.
func ForceQualification(ctx context.Context, s *Store, venueID int64, q passnum.Qualification) error {
	return s.write(ctx, "force qualification", func(tx *tx) error {
		v, err := tx.findVenue(venueID)
		if err != nil {
			return err
		}
		return tx.changeQualification(v, q, "mise en place du test", "test.qualify")
	})
}

// OpenConns returns the most connections the store's read pool may open,
// and how many it has open.
func OpenConns(s *Store) (max, open int) {
	st := s.db.Stats()
	return st.MaxOpenConnections, st.OpenConnections
}
