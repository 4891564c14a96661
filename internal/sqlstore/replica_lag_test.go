package sqlstore

import (
	"database/sql"
	"testing"
	"time"
)

// TestStandbyLag: what a standby says of its replay, and the lag read
// from it. An idle primary leaves the last replayed commit far in the
// past: a standby that replayed all it received while streaming is up to
// date all the same.
func TestStandbyLag(t *testing.T) {
	ago := func(s float64) sql.NullFloat64 { return sql.NullFloat64{Float64: s, Valid: true} }
	for _, c := range []struct {
		name  string
		st    standbyStatus
		lag   time.Duration
		known bool
	}{
		{"caught up and streaming, primary idle for an hour", standbyStatus{inRecovery: true, caughtUp: true, streaming: true, sinceReplay: ago(3600)}, 0, true},
		{"caught up, nothing ever replayed", standbyStatus{inRecovery: true, caughtUp: true, streaming: true}, 0, true},
		{"behind: time since the last replayed commit", standbyStatus{inRecovery: true, streaming: true, sinceReplay: ago(3.5)}, 3500 * time.Millisecond, true},
		{"caught up but cut off from the primary", standbyStatus{inRecovery: true, caughtUp: true, sinceReplay: ago(600)}, 10 * time.Minute, true},
		{"behind, nothing replayed yet", standbyStatus{inRecovery: true, streaming: true}, 0, false},
		{"cut off, nothing replayed yet", standbyStatus{inRecovery: true, caughtUp: true}, 0, false},
		{"clocks a little apart", standbyStatus{inRecovery: true, sinceReplay: ago(-0.2)}, 0, true},
		{"promoted: a primary", standbyStatus{inRecovery: false}, 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			lag, known := c.st.lag()
			if lag != c.lag || known != c.known {
				t.Errorf("lag %s (known %v), want %s (known %v)", lag, known, c.lag, c.known)
			}
		})
	}
}
