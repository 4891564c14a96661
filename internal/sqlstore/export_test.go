package sqlstore

import "context"

// ExecRaw runs SQL behind the store's back, for tests that tamper with the
// records to prove that CheckInvariants notices.
func ExecRaw(s *Store, q string, args ...any) error {
	_, err := s.wdb.ExecContext(context.Background(), s.dialect.rebind(q), args...)
	return err
}
