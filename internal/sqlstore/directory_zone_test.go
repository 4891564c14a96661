package sqlstore

import (
	"testing"
	"time"
)

// TestZoneFallback checks the offsets used without the system's time zone
// data against the data, every hour of two years, in every zone.
func TestZoneFallback(t *testing.T) {
	for _, z := range zones {
		if z.loc == nil {
			t.Skipf("no time zone data for %s", z.name)
		}
		bare := z
		bare.loc = nil
		for at := time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC); at.Year() < 2028; at = at.Add(time.Hour) {
			want, got := z.wall(at), bare.wall(at)
			if want.Format(time.DateTime) != got.Format(time.DateTime) {
				t.Fatalf("%s at %s: %s, want %s", z.name, at, got.Format(time.DateTime), want.Format(time.DateTime))
			}
		}
	}
}
