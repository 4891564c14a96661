package ratelimit

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestTurns: one holder per key at a time, every waiter served in turn,
// other keys free, a wait that ends too late refused, and nothing kept
// once everyone has left.
func TestTurns(t *testing.T) {
	turns := NewTurns[string]()
	ctx := context.Background()
	release, ok := turns.Take(ctx, "net", time.Second)
	if !ok {
		t.Fatal("the first caller waits")
	}
	// Another key does not wait.
	other, ok := turns.Take(ctx, "other", time.Millisecond)
	if !ok {
		t.Fatal("another key waits")
	}
	other()
	// While the turn is held, a short wait ends without it, and so does
	// a request that goes away.
	if _, ok := turns.Take(ctx, "net", 10*time.Millisecond); ok {
		t.Fatal("two holders at once")
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok := turns.Take(gone, "net", time.Minute); ok {
		t.Fatal("a cancelled request got the turn")
	}

	// Waiters get through one at a time, every one of them.
	var (
		mu             sync.Mutex
		inside, served int
		wg             sync.WaitGroup
	)
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			done, ok := turns.Take(ctx, "net", 10*time.Second)
			if !ok {
				t.Error("a waiter never got its turn")
				return
			}
			mu.Lock()
			inside++
			if inside > 1 {
				t.Error("two holders at once")
			}
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			inside--
			served++
			mu.Unlock()
			done()
		}()
	}
	for turns.Waiting("net") != 6 {
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	if served != 5 || len(turns.keys) != 0 {
		t.Fatalf("served %d, %d keys kept", served, len(turns.keys))
	}
}
