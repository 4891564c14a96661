// Package ratelimit counts attempts per key over a sliding window: failed
// logins, pass codes that do not exist, rejected API tokens. The API and the
// web interface share one counter per kind of attempt, so that a guesser
// gains nothing by switching from one to the other. It also tells who the
// client of a request is (TrustedProxies): the connection's address, or
// what a trusted reverse proxy says in X-Forwarded-For.
package ratelimit

import (
	"fmt"
	"sync"
	"time"

	"github.com/passnum/passnum"
)

// Limits of pass codes: 20 codes that do not exist in 10 minutes is far
// beyond a venue's honest typos, or a person's on the public carnet page,
// and far below what guessing a 60-bit code needs.
//
// They are counted by each server in its memory, not shared through the
// database as failed logins are (passnum.AttemptService): their bound is
// asked on every check and redemption, the platform's busiest path, where a
// shared counter would add a read of the database to each request; and the
// bound multiplied by the number of servers still leaves guessing hopeless.
// Behind a load balancer, N servers allow N × 20 unknown codes per 10
// minutes per organisation (or per client network on the public carnet
// page): with 10 servers, about 10 million tries a year, which find one of
// ten million live passes (60 random bits each) with a chance of about 1
// in 11 000.
const (
	BadCodeLimit  = 20
	BadCodeWindow = 10 * time.Minute
	// MaxKeys bounds the organisations or client networks tracked at once.
	MaxKeys = 10000
)

// Limits of online venue applications, per client network and hour: each
// accepted application creates an organisation and an account, and the
// service's answer tells whether a SIRET or an e-mail address is already
// known. 5 accepted and 30 examined is plenty for a person correcting a
// form and a wall for a script filling the operator's queue or probing
// addresses; the operator brings in many venues at once with an import.
const (
	ApplicationLimit    = 5
	ApplicationTryLimit = 30
	ApplicationWindow   = time.Hour
)

// Shared holds the counters that the API and the web interface share, so
// that a guesser gains nothing by switching from one to the other.
type Shared struct {
	// BadCodes counts, per organisation, pass codes presented at a venue
	// that do not exist (unknown, forged or malformed).
	BadCodes *Window[int64]
	// CarnetCodes counts, per client network, the codes typed on the
	// public carnet page that find no carnet.
	CarnetCodes *Window[string]
	// Applications and ApplicationTries count, per client network, the
	// venue applications accepted and those the service examined.
	Applications, ApplicationTries *Window[string]
}

// NewShared returns fresh shared counters.
func NewShared() *Shared {
	return &Shared{
		BadCodes:    New[int64](BadCodeLimit, BadCodeWindow, MaxKeys),
		CarnetCodes: New[string](BadCodeLimit, BadCodeWindow, MaxKeys),

		Applications:     New[string](ApplicationLimit, ApplicationWindow, MaxKeys),
		ApplicationTries: New[string](ApplicationTryLimit, ApplicationWindow, MaxKeys),
	}
}

// CountBadCodes records against org the codes among checks that match no
// pass — unknown, forged or malformed, the refusals a guesser gets, as
// opposed to an existing pass that cannot be used — and tells whether org
// is now blocked.
func CountBadCodes(w *Window[int64], org int64, checks []passnum.PassCheck, now time.Time) bool {
	n := 0
	for _, c := range checks {
		switch c.Reason {
		case passnum.ReasonUnknown, passnum.ReasonForged, passnum.ReasonMalformed:
			n++
		}
	}
	return n > 0 && w.Add(org, now, n)
}

// Window counts events per key over a sliding window: a key is blocked
// while it has had limit events within the last period. It keeps at most
// limit instants per key and at most maxKeys keys, so its memory is bounded
// whatever the traffic; it is safe for concurrent use.
type Window[K comparable] struct {
	limit   int
	period  time.Duration
	maxKeys int

	mu sync.Mutex
	// events holds, per key, the instants of its last events in
	// chronological order, at most limit of them.
	events    map[K][]time.Time
	lastSweep time.Time
}

// New returns a window blocking a key after limit events within period,
// tracking at most maxKeys keys at once.
func New[K comparable](limit int, period time.Duration, maxKeys int) *Window[K] {
	return &Window[K]{limit: limit, period: period, maxKeys: maxKeys, events: map[K][]time.Time{}}
}

// BlockedUntil tells whether key is blocked at now and, if so, the instant
// it will no longer be.
func (w *Window[K]) BlockedUntil(key K, now time.Time) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.until(key, now)
}

// Add records n events of key at now and tells whether the key is now
// blocked.
func (w *Window[K]) Add(key K, now time.Time, n int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	ev, known := w.events[key]
	if !known && len(w.events) >= w.maxKeys {
		w.makeRoom(now)
	}
	for range min(n, w.limit) {
		ev = append(ev, now)
	}
	if extra := len(ev) - w.limit; extra > 0 {
		ev = append(ev[:0], ev[extra:]...)
	}
	if len(ev) > 0 {
		w.events[key] = ev
	}
	_, blocked := w.until(key, now)
	return blocked
}

// until is BlockedUntil with the lock held.
func (w *Window[K]) until(key K, now time.Time) (time.Time, bool) {
	ev := w.events[key]
	if len(ev) < w.limit {
		return time.Time{}, false
	}
	// The key unblocks when the oldest of its last limit events leaves the
	// window.
	until := ev[len(ev)-w.limit].Add(w.period)
	return until, now.Before(until)
}

// makeRoom forgets keys whose events have all left the window; if every
// key is still active, it forgets one at random (map order), which at worst
// gives one abuser a fresh start rather than letting memory grow. The full
// sweep runs at most once per tenth of a period, so a flood of new keys
// costs constant time per key.
func (w *Window[K]) makeRoom(now time.Time) {
	if now.Sub(w.lastSweep) >= w.period/10 {
		w.lastSweep = now
		for k, ev := range w.events {
			if !now.Before(ev[len(ev)-1].Add(w.period)) {
				delete(w.events, k)
			}
		}
	}
	for k := range w.events {
		if len(w.events) < w.maxKeys {
			break
		}
		delete(w.events, k)
	}
}

// RetryWhen says in French when a blocked client may retry. The clock
// time is rounded up to the minute, so that retrying at the time read
// works.
func RetryWhen(until, now time.Time) string {
	wait := until.Sub(now)
	if wait < time.Minute {
		return "dans " + count(RetryAfterSeconds(wait), "seconde")
	}
	at := until.Truncate(time.Minute)
	if at.Before(until) {
		at = at.Add(time.Minute)
	}
	return fmt.Sprintf("à partir du %s (dans %s)", passnum.FrenchDateTime(at), count(int((wait+time.Minute-1)/time.Minute), "minute"))
}

// RetryAfterSeconds is the value of a Retry-After header: whole seconds,
// rounded up, at least one.
func RetryAfterSeconds(wait time.Duration) int {
	return max(1, int((wait+time.Second-1)/time.Second))
}

// count writes n units, with the French plural.
func count(n int, unit string) string {
	if n > 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}
