package opendata

import (
	"context"
	"sync"
	"time"

	"github.com/passnum/passnum"
)

// Source is where releases come from: the store's indicators.
type Source interface {
	OpenData(ctx context.Context) ([]passnum.OpenDataCell, time.Time, error)
	LatestIndicators(ctx context.Context) (*passnum.IndicatorSnapshot, error)
}

// Cache keeps the release of the latest snapshot. The files are public and
// protecting a national table takes seconds of CPU (816 000 cells: 2 s), so
// a download must not protect the same snapshot again: the release is
// built once per snapshot, by one caller while the others wait for it.
type Cache struct {
	Threshold int // DefaultThreshold when zero

	mu  sync.Mutex
	at  time.Time
	rel *Release
}

// Release returns the protected release of the latest snapshot and when it
// was computed; ENOTFOUND before the first computation. The release says
// how fresh it is when a read replica served it (its Freshness: the
// snapshot's, read for this call; the rest is shared by every caller).
func (c *Cache) Release(ctx context.Context, src Source) (*Release, time.Time, error) {
	snap, err := src.LatestIndicators(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	rel, at, err := c.release(ctx, src, snap)
	if err != nil || snap.Freshness == nil {
		return rel, at, err
	}
	fresh := *rel
	fresh.Freshness = snap.Freshness
	return &fresh, at, nil
}

func (c *Cache) release(ctx context.Context, src Source, snap *passnum.IndicatorSnapshot) (*Release, time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rel != nil && c.at.Equal(snap.ComputedAt) {
		return c.rel, c.at, nil
	}
	cells, at, err := src.OpenData(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	threshold := c.Threshold
	if threshold == 0 {
		threshold = DefaultThreshold
	}
	rel, err := Publish(cells, threshold, passnum.MonthOf(at))
	if err != nil {
		return nil, time.Time{}, err
	}
	c.rel, c.at = rel, at
	return rel, at, nil
}
