package passnum

import (
	"context"
	"time"
)

// AttemptLimit bounds failed attempts of one kind: a key is blocked while
// it has had Limit failures within the last Window.
type AttemptLimit struct {
	Name   string // what is counted, "login.account" for instance
	Limit  int
	Window time.Duration
}

// Attempt is a key counted under a limit: an address as typed, an
// account, a client network, or a pair of them.
type Attempt struct {
	AttemptLimit
	Key string
}

// AttemptService counts failed sign-in attempts in the database, so that
// their limits hold across every server of an installation: a guesser
// spread over several servers behind one address gets the same number of
// tries as on one. Only failures are written; asking costs a read. Both
// methods need no actor: they are asked before anyone is known.
type AttemptService interface {
	// AttemptsBlocked tells, for each attempt, until when its key is
	// blocked; the zero time when it is not.
	AttemptsBlocked(ctx context.Context, attempts ...Attempt) ([]time.Time, error)
	// CountFailedAttempt records one failure under each attempt and
	// tells, for each, until when its key is now blocked (zero: not).
	CountFailedAttempt(ctx context.Context, attempts ...Attempt) ([]time.Time, error)
}
