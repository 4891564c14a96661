package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

// TestWindowBounded: a flood of distinct keys never holds more than
// maxKeys of them, and keys that are still counting survive a sweep when
// others have gone quiet.
func TestWindowBounded(t *testing.T) {
	w := New[string](3, time.Minute, 100)
	start := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	w.Add("abuser", start, 3)
	for i := range 1000 {
		w.Add(fmt.Sprint("client-", i), start.Add(2*time.Minute), 1)
		if len(w.events) > 100 {
			t.Fatalf("%d keys held", len(w.events))
		}
	}
	if _, blocked := w.BlockedUntil("abuser", start.Add(2*time.Minute)); blocked {
		t.Fatal("a key stays blocked after its window")
	}
	// Keys within their window are kept when quiet ones make room.
	w = New[string](3, time.Minute, 10)
	if !w.Add("abuser", start, 5) {
		t.Fatal("5 events over a limit of 3 do not block")
	}
	for i := range 9 {
		w.Add(fmt.Sprint("old-", i), start.Add(-2*time.Minute), 1)
	}
	w.Add("newcomer", start.Add(time.Second), 1)
	until, blocked := w.BlockedUntil("abuser", start.Add(time.Second))
	if !blocked || !until.Equal(start.Add(time.Minute)) || len(w.events) > 10 {
		t.Fatalf("abuser blocked=%v until %v, %d keys", blocked, until, len(w.events))
	}
}
