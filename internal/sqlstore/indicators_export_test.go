package sqlstore

import (
	"context"

	"github.com/passnum/passnum"
)

// IndicatorCells returns the latest snapshot's rows, "scope|dimension|key"
// to their stored JSON, and how many passes it counted.
func IndicatorCells(s *Store) (map[string]string, int64, error) {
	out := map[string]string{}
	var passes int64
	err := s.read(context.Background(), func(tx *tx) error {
		var id int64
		if err := tx.row(`SELECT id, passes FROM indicator_snapshots ORDER BY id DESC LIMIT 1`).Scan(&id, &passes); err != nil {
			return err
		}
		return tx.each(`SELECT scope, dimension, cell_key, data FROM indicator_cells WHERE snapshot_id = ?`, func(sc scanner) error {
			var scope, dim, key, data string
			err := sc.Scan(&scope, &dim, &key, &data)
			out[scope+"|"+dim+"|"+key] = data
			return err
		}, id)
	})
	return out, passes, err
}

// RecomputedIndicatorCells computes every row anew from records, as
// IndicatorCells would return them, writing nothing.
func RecomputedIndicatorCells(s *Store) (map[string]string, int64, error) {
	out := map[string]string{}
	var passes int64
	err := s.read(context.Background(), func(tx *tx) error {
		plan, err := tx.planIndicators(true, nil)
		if err != nil {
			return err
		}
		cells, err := tableCells(plan.table)
		for _, c := range cells {
			out[c.scope+"|"+c.dim+"|"+c.key] = string(c.data)
		}
		passes = plan.table.Passes
		return err
	})
	return out, passes, err
}

// RefreshIndicatorsIncremental refreshes the indicators and says whether
// it counted only what changed.
func RefreshIndicatorsIncremental(s *Store, ctx context.Context, progress func(done, total int64)) (*passnum.IndicatorSnapshot, bool, error) {
	return s.refreshIndicators(ctx, progress, false)
}

// CountAllWhenMostChanged makes a refresh count everything when most
// units changed however few they are, until the returned function runs.
func CountAllWhenMostChanged() func() {
	was := fullFloor
	fullFloor = 0
	return func() { fullFloor = was }
}
