package demo

import (
	"context"
	"sync"
	"time"
)

// Setter is a store clock that Seed may set, to date the demo's records over
// the past weeks instead of all at the same instant. *Clock is one, and so
// is the test clock of internal/storetest.
type Setter interface {
	Set(t time.Time)
}

type clockKey struct{}

// WithClock returns a context telling Seed to date records by setting c,
// the clock the store was opened with (sqlstore.WithClock(c.Now)). Seed
// moves it forward from a few weeks before now and leaves it at now.
// Without it, Seed dates every record with the store's own clock.
func WithClock(ctx context.Context, c Setter) context.Context {
	return context.WithValue(ctx, clockKey{}, c)
}

func clockFrom(ctx context.Context) Setter {
	c, _ := ctx.Value(clockKey{}).(Setter)
	return c
}

// Clock is the wall clock, except while it is set. It exists for the demo
// only: `passnum serve --demo` opens its store with it, lets Seed date the
// demo's records in the past, then releases it so that the server runs on
// real time. Production stores keep the default clock.
type Clock struct {
	mu    sync.Mutex
	t     time.Time
	fixed bool
}

// Now returns the time the clock was set to, or the wall clock time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fixed {
		return c.t
	}
	return time.Now()
}

// Set stops the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t, c.fixed = t, true
	c.mu.Unlock()
}

// Release lets the clock follow the wall clock again.
func (c *Clock) Release() {
	c.mu.Lock()
	c.fixed = false
	c.mu.Unlock()
}
