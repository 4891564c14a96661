package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Turns lets the callers of one key go one at a time, in the order they
// came; callers of different keys do not wait for each other. It slows a
// key down without refusing it: whoever waits gets through in turn. Its
// memory holds only the keys in use; it is safe for concurrent use.
type Turns[K comparable] struct {
	mu   sync.Mutex
	keys map[K]*turn
}

// turn is one key's: slot holds a value while someone has the turn.
type turn struct {
	slot chan struct{}
	// users counts the holder and the waiters, so that the key is
	// forgotten when the last one leaves.
	users int
}

// NewTurns returns turns where nobody waits yet.
func NewTurns[K comparable]() *Turns[K] {
	return &Turns[K]{keys: map[K]*turn{}}
}

// Take waits for key's turn, at most maxWait and not after ctx ends. It
// returns the function that ends the turn, to call exactly once, or false
// when the wait ended first. Waiters get the turn in the order they came
// (a channel hands its slot to its oldest waiting sender).
func (t *Turns[K]) Take(ctx context.Context, key K, maxWait time.Duration) (release func(), ok bool) {
	t.mu.Lock()
	tn := t.keys[key]
	if tn == nil {
		tn = &turn{slot: make(chan struct{}, 1)}
		t.keys[key] = tn
	}
	tn.users++
	t.mu.Unlock()

	timer := time.NewTimer(maxWait)
	defer timer.Stop()
	select {
	case tn.slot <- struct{}{}:
		return func() {
			<-tn.slot
			t.leave(key, tn)
		}, true
	case <-timer.C:
	case <-ctx.Done():
	}
	t.leave(key, tn)
	return nil, false
}

// Waiting tells how many callers hold or wait for key's turn.
func (t *Turns[K]) Waiting(key K) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tn := t.keys[key]; tn != nil {
		return tn.users
	}
	return 0
}

// leave forgets key when its last user has left.
func (t *Turns[K]) leave(key K, tn *turn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tn.users--; tn.users == 0 {
		delete(t.keys, key)
	}
}
