package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/passnum/passnum"
)

// RefreshIndicators brings the indicators up to date as a new snapshot,
// dropping the previous one. It counts again only the people (and the
// carnets handed to nobody) whose carnets changed since the latest
// snapshot; it recounts everything when there is no snapshot yet, when
// the latest one kept no records of what it counted, or when the
// reference data that no record holds changed (passnum.RefsDigest: a
// programme's face value or funders, a service's category or duration, a
// hub's territory, a new programme, service or hub). Dashboards read the
// snapshot; CheckInvariants does not, and the tests recount every figure
// from records.
func (s *Store) RefreshIndicators(ctx context.Context, progress func(done, total int64)) (*passnum.IndicatorSnapshot, error) {
	snap, _, err := s.refreshIndicators(ctx, progress, false)
	return snap, err
}

// RecountIndicators recomputes every indicator from raw records, whatever
// changed: the measure of a full computation, and a way out should the
// records a snapshot keeps ever be doubted.
func (s *Store) RecountIndicators(ctx context.Context, progress func(done, total int64)) (*passnum.IndicatorSnapshot, error) {
	snap, _, err := s.refreshIndicators(ctx, progress, true)
	return snap, err
}

// errSnapshotMoved says that another refresh wrote a snapshot between
// this one's read and its write: what this one computed is relative to a
// snapshot that is gone, and is dropped.
var errSnapshotMoved = errors.New("another refresh wrote a snapshot meanwhile")

// factRow is one row of indicator_facts.
type factRow struct {
	number, beneficiary, digest int64
	data                        string
}

// unit is what a contribution is counted for: a person, or a carnet
// handed to nobody.
type unit struct{ person, carnet int64 }

func unitOf(person, carnet int64) unit {
	if person != 0 {
		return unit{person: person}
	}
	return unit{carnet: carnet}
}

// refreshPlan is what the read of a refresh found.
type refreshPlan struct {
	base, refs string // base: the latest snapshot's id, "" before the first
	baseID     int64
	table      *passnum.IndicatorTable
	facts      []factRow // records to write
	drop       []int64   // records to drop first (incremental)
	full       bool
	touched    int
}

func (s *Store) refreshIndicators(ctx context.Context, progress func(done, total int64), full bool) (*passnum.IndicatorSnapshot, bool, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActIndicatorsRun); err != nil {
		return nil, false, err
	}
	start := time.Now()
	var plan *refreshPlan
	err := s.read(ctx, func(tx *tx) error {
		var err error
		plan, err = tx.planIndicators(full, progress)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("indicators: %w", err)
	}
	tab := plan.table
	cells, err := tableCells(tab)
	if err != nil {
		return nil, false, err
	}
	snap := &passnum.IndicatorSnapshot{Passes: tab.Passes, Cells: int64(len(cells))}
	err = s.write(ctx, "refresh indicators", func(tx *tx) error {
		snap.ComputedAt = tx.now
		snap.Duration = time.Since(start)
		id, err := tx.insert(`INSERT INTO indicator_snapshots (computed_at, duration_ms, passes, cells, refs_digest) VALUES (?, ?, ?, ?, ?)`,
			tx.nowText(), snap.Duration.Milliseconds(), snap.Passes, snap.Cells, plan.refs)
		if err != nil {
			return err
		}
		snap.ID = id
		// The records and the snapshot go together: this refresh replaces
		// the snapshot it read, or writes nothing. (Inserted first: SQLite
		// would give a deleted latest id again.)
		if plan.baseID != 0 {
			n, err := tx.execN(`DELETE FROM indicator_snapshots WHERE id = ?`, plan.baseID)
			if err != nil {
				return err
			}
			if n != 1 {
				return errSnapshotMoved
			}
		} else {
			var n int64
			if err := tx.get(&n, `SELECT COUNT(*) FROM indicator_snapshots WHERE id <> ?`, id); err != nil {
				return err
			}
			if n != 0 {
				return errSnapshotMoved
			}
		}
		// The page's job, if any, ends done with the snapshot, in its
		// transaction (job.go).
		if err := tx.jobDone(snap.Summary()); err != nil {
			return err
		}
		if err := tx.exec(`DELETE FROM indicator_cells WHERE snapshot_id < ?`, id); err != nil {
			return fmt.Errorf("snapshot %d: drop older cells: %w", id, err)
		}
		if err := tx.exec(`DELETE FROM indicator_snapshots WHERE id < ?`, id); err != nil {
			return fmt.Errorf("snapshot %d: drop older snapshots: %w", id, err)
		}
		if plan.full {
			if err := tx.exec(`DELETE FROM indicator_facts`); err != nil {
				return err
			}
		}
		for rest := plan.drop; len(rest) > 0; {
			n := min(len(rest), 500)
			args := make([]any, n)
			for i, v := range rest[:n] {
				args[i] = v
			}
			if err := tx.exec(`DELETE FROM indicator_facts WHERE carnet_number IN (`+placeholders(n)+`)`, args...); err != nil {
				return fmt.Errorf("snapshot %d: drop records: %w", id, err)
			}
			rest = rest[n:]
		}
		if err := wrapf(tx.bulkInsert("indicator_facts", []string{"carnet_number", "beneficiary_id", "digest", "data"}, len(plan.facts),
			func(i int, row []any) {
				f := &plan.facts[i]
				row[0], row[1], row[2], row[3] = f.number, f.beneficiary, f.digest, f.data
			}, nil), "snapshot %d: %d records", id, len(plan.facts)); err != nil {
			return err
		}
		return wrapf(tx.bulkInsert("indicator_cells", []string{"snapshot_id", "scope", "dimension", "cell_key", "data"}, len(cells),
			func(i int, row []any) {
				c := cells[i]
				row[0], row[1], row[2], row[3], row[4] = id, c.scope, c.dim, c.key, string(c.data)
			}, nil), "snapshot %d: %d cells", id, len(cells))
	})
	if err != nil {
		return nil, false, fmt.Errorf("indicators: %w", err)
	}
	s.log.Info("indicators computed", "passes", snap.Passes, "cells", snap.Cells, "incremental", !plan.full,
		"people_counted_again", plan.touched, "duration", time.Since(start).Round(time.Millisecond))
	return snap, !plan.full, nil
}

// cell is a row of indicator_cells.
type cell struct {
	scope, dim, key string
	data            []byte
}

// tableCells encodes a table's rows as indicator_cells holds them.
func tableCells(tab *passnum.IndicatorTable) ([]cell, error) {
	cells := make([]cell, 0, len(tab.Cells)+len(tab.Open))
	for k, v := range tab.Cells {
		data, err := json.Marshal(storedCell{IndicatorValues: *v, Units: tab.Units[k]})
		if err != nil {
			return nil, err
		}
		cells = append(cells, cell{k.Scope, string(k.Dim), k.Key, data})
	}
	for k, counts := range tab.Open {
		data, err := json.Marshal(counts)
		if err != nil {
			return nil, err
		}
		cells = append(cells, cell{passnum.ScopeAll, string(passnum.DimOpenData), k, data})
	}
	return cells, nil
}

// storedCell is a row as indicator_cells holds it: the values pages read,
// and how many units added to them, which pages ignore.
type storedCell struct {
	passnum.IndicatorValues
	Units int64 `json:"units"`
}

// planIndicators computes the next snapshot: whole, or from the latest
// one and what changed since.
func (t *tx) planIndicators(full bool, progress func(done, total int64)) (*refreshPlan, error) {
	refs, err := t.indicatorRefs()
	if err != nil {
		return nil, fmt.Errorf("reference data: %w", err)
	}
	plan := &refreshPlan{refs: passnum.RefsDigest(refs)}
	err = t.row(`SELECT id, refs_digest FROM indicator_snapshots ORDER BY id DESC LIMIT 1`).Scan(&plan.baseID, &plan.base)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	booked, err := t.bookedAtHandOut()
	if err != nil {
		return nil, err
	}
	if full || plan.baseID == 0 || plan.base != plan.refs {
		return plan, t.planFull(plan, refs, booked, progress)
	}
	many, err := t.planIncrement(plan, refs, booked, progress)
	if err != nil || !many {
		return plan, err
	}
	// Most units changed: counting them twice (now and as they were)
	// costs more than counting everyone once.
	return plan, t.planFull(plan, refs, booked, nil)
}

// planFull counts every unit.
func (t *tx) planFull(plan *refreshPlan, refs *passnum.IndicatorRefs, booked map[int64]bool, progress func(done, total int64)) error {
	plan.full = true
	b := passnum.NewIndicatorBuilder(*refs)
	err := t.eachUnit(``, nil, booked, refs, progress, func(p *passnum.PersonFacts, recs []factRow) {
		b.AddPerson(p)
		plan.facts = append(plan.facts, recs...)
	})
	if err != nil {
		return fmt.Errorf("passes: %w", err)
	}
	b.Finish()
	plan.table = b.Table()
	return nil
}

// When more than one unit in fullShare changed, and there are more than
// fullFloor units (a variable for the tests), a refresh counts everything
// once rather than the units that changed twice.
const fullShare = 2

var fullFloor = 1000

// planIncrement finds the carnets whose record differs from the one the
// snapshot kept (or that it has not, or that are gone), and counts their
// holders again, now and as the snapshot saw them. Comparing every
// carnet's record with the kept one in one consistent read needs no
// journal of changes: a change that committed after this read is not in
// it, and differs at the next refresh.
//
// It needs the read to be one snapshot (SQLite's read transaction,
// PostgreSQL's repeatable read: dialect.txOptions): a carnet handed out
// between the comparison and the reads of the units that changed would
// otherwise be counted for its new holder and left counted alone.
//
// It says many, doing nothing more, when most units changed.
func (t *tx) planIncrement(plan *refreshPlan, refs *passnum.IndicatorRefs, booked map[int64]bool, progress func(done, total int64)) (many bool, err error) {
	type kept struct{ beneficiary, digest int64 }
	old := map[int64]kept{}
	if err := t.each(`SELECT carnet_number, beneficiary_id, digest FROM indicator_facts`, func(sc scanner) error {
		var n int64
		var k kept
		err := sc.Scan(&n, &k.beneficiary, &k.digest)
		old[n] = k
		return err
	}); err != nil {
		return false, fmt.Errorf("records: %w", err)
	}
	touched := map[unit]bool{}
	seen := 0
	err = t.eachUnit(``, nil, booked, refs, progress, func(p *passnum.PersonFacts, recs []factRow) {
		seen++
		for _, r := range recs {
			k, ok := old[r.number]
			delete(old, r.number)
			if ok && k.digest == r.digest {
				continue
			}
			touched[unitOf(r.beneficiary, r.number)] = true
			if ok {
				touched[unitOf(k.beneficiary, r.number)] = true
			}
		}
	})
	if err != nil {
		return false, fmt.Errorf("passes: %w", err)
	}
	for n, k := range old { // carnets gone
		touched[unitOf(k.beneficiary, n)] = true
	}
	plan.touched = len(touched)
	if seen > fullFloor && len(touched)*fullShare > seen {
		return true, nil
	}
	var people, lone []any
	for u := range touched {
		if u.person != 0 {
			people = append(people, u.person)
		} else {
			lone = append(lone, u.carnet)
		}
	}

	// What the touched units add now.
	plus := passnum.NewIndicatorBuilder(*refs)
	add := func(p *passnum.PersonFacts, recs []factRow) {
		plus.AddPerson(p)
		plan.facts = append(plan.facts, recs...)
		for _, r := range recs {
			plan.drop = append(plan.drop, r.number)
		}
	}
	for _, part := range chunks(people, 500) {
		if err := t.eachUnit(`c.beneficiary_id IN (`+placeholders(len(part))+`)`, part, booked, refs, nil, add); err != nil {
			return false, fmt.Errorf("passes of people: %w", err)
		}
	}
	for _, part := range chunks(lone, 500) {
		if err := t.eachUnit(`c.beneficiary_id IS NULL AND c.number IN (`+placeholders(len(part))+`)`, part, booked, refs, nil, add); err != nil {
			return false, fmt.Errorf("passes of carnets: %w", err)
		}
	}
	plus.Finish()

	// What they added to the snapshot, from its records: with the
	// reference data the records hold (batch dates, prescribers'
	// communes) and the rest unchanged (same digest).
	was := *refs
	was.BatchDates, was.OrgCommunes = map[int64]time.Time{}, map[int64]string{}
	units := map[unit]*passnum.PersonFacts{}
	record := func(sc scanner) error {
		var data string
		if err := sc.Scan(&data); err != nil {
			return err
		}
		r, err := passnum.DecodeCarnetRecord(data)
		if err != nil {
			return err
		}
		plan.drop = append(plan.drop, r.Carnet.Number)
		was.BatchDates[r.Carnet.BatchID] = r.BatchDate
		if r.Carnet.PrescriberID != 0 {
			was.OrgCommunes[r.Carnet.PrescriberID] = r.PrescriberCommune
		}
		u := unitOf(r.Person.ID, r.Carnet.Number)
		p := units[u]
		if p == nil {
			p = &passnum.PersonFacts{ID: r.Person.ID, Commune: r.Person.Commune, AgeBand: r.Person.AgeBand}
			units[u] = p
		}
		p.Carnets = append(p.Carnets, r.Carnet)
		return nil
	}
	for _, part := range chunks(people, 500) {
		if err := t.each(`SELECT data FROM indicator_facts WHERE beneficiary_id IN (`+placeholders(len(part))+`)`, record, part...); err != nil {
			return false, fmt.Errorf("records of people: %w", err)
		}
	}
	for _, part := range chunks(lone, 500) {
		if err := t.each(`SELECT data FROM indicator_facts WHERE beneficiary_id = 0 AND carnet_number IN (`+placeholders(len(part))+`)`, record, part...); err != nil {
			return false, fmt.Errorf("records of carnets: %w", err)
		}
	}
	minus := passnum.NewIndicatorBuilder(was)
	for _, p := range units {
		minus.AddPerson(p)
	}
	minus.Finish()

	// The snapshot, then the difference.
	tab := &passnum.IndicatorTable{Cells: map[passnum.CellKey]*passnum.IndicatorValues{}, Units: map[passnum.CellKey]int64{},
		Open: map[string][]int64{}}
	if err := t.get(&tab.Passes, `SELECT passes FROM indicator_snapshots WHERE id = ?`, plan.baseID); err != nil {
		return false, err
	}
	err = t.each(`SELECT scope, dimension, cell_key, data FROM indicator_cells WHERE snapshot_id = ?`, func(sc scanner) error {
		var k passnum.CellKey
		var dim, data string
		if err := sc.Scan(&k.Scope, &dim, &k.Key, &data); err != nil {
			return err
		}
		k.Dim = passnum.Dimension(dim)
		if k.Dim == passnum.DimOpenData {
			var counts []int64
			err := json.Unmarshal([]byte(data), &counts)
			tab.Open[k.Key] = counts
			return err
		}
		var c storedCell
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			return fmt.Errorf("cell %v: %w", k, err)
		}
		if c.Units <= 0 {
			return fmt.Errorf("cell %v: no count of units", k)
		}
		tab.Cells[k], tab.Units[k] = &c.IndicatorValues, c.Units
		return nil
	}, plan.baseID)
	if err != nil {
		return false, fmt.Errorf("snapshot %d: %w", plan.baseID, err)
	}
	if err := tab.Apply(plus, minus); err != nil {
		return false, fmt.Errorf("snapshot %d: %w", plan.baseID, err)
	}
	plan.table = tab
	return false, nil
}

func chunks(xs []any, n int) [][]any {
	var out [][]any
	for len(xs) > 0 {
		k := min(n, len(xs))
		out = append(out, xs[:k])
		xs = xs[k:]
	}
	return out
}

// bookedAtHandOut lists the carnets whose holder was booked into a
// workshop at hand-out (booking.go): as many as bookings, read once rather
// than per pass.
func (t *tx) bookedAtHandOut() (map[int64]bool, error) {
	booked := map[int64]bool{}
	err := t.each(`SELECT DISTINCT carnet_number FROM workshop_registrations WHERE carnet_number IS NOT NULL AND cancelled_at IS NULL`,
		func(sc scanner) error {
			var n int64
			err := sc.Scan(&n)
			booked[n] = true
			return err
		})
	return booked, wrapf(err, "bookings at hand-out")
}

// eachUnit reads carnets (all of them, or those filter keeps) with their
// passes and holders, and gives them to fn person by person, with the
// record of each carnet (passnum.CarnetRecord). The carnets are read in
// the order of the (beneficiary_id, number) index and each one's passes by
// their serial range, so neither store sorts ten million rows.
func (t *tx) eachUnit(filter string, args []any, booked map[int64]bool, refs *passnum.IndicatorRefs,
	progress func(done, total int64), fn func(*passnum.PersonFacts, []factRow)) error {
	var total int64
	if progress != nil {
		if err := t.get(&total, `SELECT COUNT(*) FROM passes`); err != nil {
			return err
		}
	}
	where := ""
	if filter != "" {
		where = "WHERE " + filter
	}
	rows, err := t.query(`SELECT c.number, c.programme_id, c.batch_id, COALESCE(c.prescriber_id, 0),
			COALESCE(c.allocated_at, ''), COALESCE(c.distributed_at, ''), COALESCE(c.beneficiary_id, 0),
			`+restrictedOut("b.commune_insee", "''")+`, `+restrictedOut("b.age_band", "''")+`, `+restrictedOut("b.birth_year", "0")+`, COALESCE(b.created_at, ''),
			p.state, COALESCE(p.activated_at, ''), COALESCE(p.venue_id, 0), COALESCE(p.redeemed_at, ''), COALESCE(r.service_id, 0)
		FROM carnets c
		LEFT JOIN beneficiaries b ON b.id = c.beneficiary_id
		JOIN passes p ON p.serial >= c.first_serial AND p.serial < c.first_serial + c.size
		LEFT JOIN redemptions r ON r.id = p.redemption_id
		`+where+`
		ORDER BY c.beneficiary_id, c.number, p.serial`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		person  passnum.PersonFacts
		carnet  *passnum.CarnetFact
		done    int64
		pending bool
		recs    []factRow
	)
	flush := func() {
		if pending {
			recs = recs[:0]
			for i := range person.Carnets {
				c := &person.Carnets[i]
				r := passnum.CarnetRecord{Person: passnum.PersonFacts{ID: person.ID, Commune: person.Commune, AgeBand: person.AgeBand},
					Carnet: *c, BatchDate: refs.BatchDates[c.BatchID]}
				if c.PrescriberID != 0 {
					r.PrescriberCommune = refs.OrgCommunes[c.PrescriberID]
				}
				data := r.Encode()
				recs = append(recs, factRow{number: c.Number, beneficiary: person.ID, digest: passnum.Digest(data), data: data})
			}
			fn(&person, recs)
		}
		person = passnum.PersonFacts{Carnets: person.Carnets[:0]}
		pending = false
	}
	var (
		number, programme, batch, prescriber, beneficiary, birthYear, venue, service int64
		allocated, distributed, commune, band, created, state, activated, redeemed   string
	)
	for rows.Next() {
		if err := rows.Scan(&number, &programme, &batch, &prescriber, &allocated, &distributed, &beneficiary,
			&commune, &band, &birthYear, &created, &state, &activated, &venue, &redeemed, &service); err != nil {
			return err
		}
		if carnet == nil || carnet.Number != number {
			// A carnet handed to nobody is a person of its own.
			if !pending || beneficiary == 0 || beneficiary != person.ID {
				flush()
				person.ID, person.Commune, person.AgeBand = beneficiary, commune, band
				if beneficiary != 0 && band == "" && birthYear != 0 {
					in := instants{table: "beneficiaries", id: beneficiary}
					if person.AgeBand = passnum.AgeBandOf(int(birthYear), passnum.YearOf(in.at("created_at", created))); in.err != nil {
						return in.err
					}
				}
				pending = true
			}
			in := instants{table: "carnets", id: number}
			person.Carnets = append(person.Carnets, passnum.CarnetFact{Number: number, ProgrammeID: programme, BatchID: batch,
				PrescriberID: prescriber, AllocatedAt: in.orZero("allocated_at", allocated), DistributedAt: in.orZero("distributed_at", distributed),
				BookedAtHandOut: beneficiary != 0 && booked[number], Passes: make([]passnum.PassFact, 0, 10)})
			if in.err != nil {
				return in.err
			}
			carnet = &person.Carnets[len(person.Carnets)-1]
		}
		in := instants{table: "passes of carnet", id: number}
		carnet.Passes = append(carnet.Passes, passnum.PassFact{State: passnum.PassState(state), ActivatedAt: in.orZero("activated_at", activated),
			VenueID: venue, RedeemedAt: in.orZero("redeemed_at", redeemed), ServiceID: service})
		if in.err != nil {
			return in.err
		}
		done++
		if progress != nil && done%100000 == 0 {
			progress(done, total)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	flush()
	if progress != nil {
		progress(done, total)
	}
	return nil
}
