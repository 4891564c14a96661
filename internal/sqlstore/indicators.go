package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

// indicatorRefs reads the reference data: programmes and shares, services,
// batches, prescribers' communes and hubs' territories.
func (t *tx) indicatorRefs() (*passnum.IndicatorRefs, error) {
	refs := &passnum.IndicatorRefs{Programmes: map[int64]passnum.ProgrammeRef{}, Services: map[int64]passnum.ServiceRef{},
		BatchDates: map[int64]time.Time{}, OrgCommunes: map[int64]string{}}
	err := t.each(`SELECT p.id, p.face_value_cents, f.funder_id, f.share_bp FROM programmes p
		JOIN programme_funders f ON f.programme_id = p.id ORDER BY p.id, f.funder_id`, func(sc scanner) error {
		var id, face int64
		var fs passnum.FunderShare
		if err := sc.Scan(&id, &face, &fs.FunderID, &fs.ShareBP); err != nil {
			return err
		}
		p := refs.Programmes[id]
		p.FaceValueCents = face
		p.Funders = append(p.Funders, fs)
		refs.Programmes[id] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("programmes: %w", err)
	}
	err = t.each(`SELECT id, category, duration_minutes / price_passes FROM catalogue_services`, func(sc scanner) error {
		var id int64
		var s passnum.ServiceRef
		err := sc.Scan(&id, &s.Category, &s.MinutesPerPass)
		refs.Services[id] = s
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	err = t.each(`SELECT id, created_at FROM batches`, func(sc scanner) error {
		var id int64
		var at string
		err := sc.Scan(&id, &at)
		in := instants{table: "batches", id: id, err: err}
		refs.BatchDates[id] = in.at("created_at", at)
		return in.err
	})
	if err != nil {
		return nil, fmt.Errorf("batches: %w", err)
	}
	err = t.each(`SELECT id, kind, COALESCE(commune_insee, ''), territory FROM organisations WHERE kind IN ('prescriber', 'hub')`, func(sc scanner) error {
		var id int64
		var kind, commune, territory string
		if err := sc.Scan(&id, &kind, &commune, &territory); err != nil {
			return err
		}
		if kind == string(passnum.KindPrescriber) {
			refs.OrgCommunes[id] = commune
			return nil
		}
		if areas := strings.Fields(territory); len(areas) > 0 {
			tt, err := passnum.ParseTerritory(areas)
			if err != nil {
				return fmt.Errorf("hub %d: %w", id, err)
			}
			refs.Hubs = append(refs.Hubs, passnum.HubRef{ID: id, Territory: tt})
		}
		return nil
	})
	return refs, wrapf(err, "prescribers and hubs")
}

// each runs a query and calls fn on every row.
func (t *tx) each(q string, fn func(scanner) error, args ...any) error {
	rows, err := t.query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// latestSnapshot returns the latest snapshot, or ENOTFOUND before the first.
func (t *tx) latestSnapshot() (*passnum.IndicatorSnapshot, error) {
	var snap passnum.IndicatorSnapshot
	var at string
	var ms int64
	err := t.row(`SELECT id, computed_at, duration_ms, passes, cells FROM indicator_snapshots ORDER BY id DESC LIMIT 1`).
		Scan(&snap.ID, &at, &ms, &snap.Passes, &snap.Cells)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNoIndicators, "Les indicateurs n'ont pas encore été calculés.")
	}
	if err != nil {
		return nil, err
	}
	in := instants{table: "indicator_snapshots", id: snap.ID}
	snap.ComputedAt, snap.Duration = in.at("computed_at", at), time.Duration(ms)*time.Millisecond
	return &snap, in.err
}

// canReadScope tells whether the actor may read a scope's indicators:
// the operator all of them, a funder its own and its programmes', a hub
// its own.
func (t *tx) canReadScope(a *passnum.Actor, sc passnum.Scope) (bool, error) {
	switch a.OrgKind {
	case passnum.KindOperator:
		return true, nil
	case passnum.KindFunder:
		switch sc.Kind { // not areas: they hold other funders' passes
		case passnum.ScopeFunder:
			return sc.ID == a.OrgID, nil
		case passnum.ScopeProgramme:
			var n int
			err := t.get(&n, `SELECT COUNT(*) FROM programme_funders WHERE programme_id = ? AND funder_id = ?`, sc.ID, a.OrgID)
			return n > 0, err
		}
	case passnum.KindHub:
		return sc.Kind == passnum.ScopeHub && sc.ID == a.OrgID, nil
	}
	return false, nil
}

// Indicators reads a breakdown of a scope from the latest snapshot, with a
// French label on each row.
func (s *Store) Indicators(ctx context.Context, sc passnum.Scope, dim passnum.Dimension) (*passnum.IndicatorReport, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActIndicatorsRead); err != nil {
		return nil, err
	}
	if !dim.Valid() {
		return nil, passnum.Invalid("dimension", "Axe inconnu : %q.", dim)
	}
	var rep *passnum.IndicatorReport
	// A read that may lag (replica.go).
	fresh, err := s.lagging(ctx, func(tx *tx) error {
		ok, err := tx.canReadScope(a, sc)
		if err != nil {
			return err
		}
		if !ok {
			return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonScopeNotFound, "Périmètre introuvable : %s.", sc)
		}
		snap, err := tx.latestSnapshot()
		if err != nil {
			return err
		}
		id, at := snap.ID, snap.ComputedAt
		names, err := tx.scopeNames()
		if err != nil {
			return err
		}
		rep = &passnum.IndicatorReport{Scope: sc, ScopeLabel: names.scopeLabel(sc), Dimension: dim, ComputedAt: at,
			Rows: []passnum.IndicatorRow{}, Funders: map[int64]string{}}
		err = tx.each(`SELECT dimension, cell_key, data FROM indicator_cells WHERE snapshot_id = ? AND scope = ? AND dimension IN (?, ?)`, func(row scanner) error {
			var d, key, data string
			if err := row.Scan(&d, &key, &data); err != nil {
				return err
			}
			var v passnum.IndicatorValues
			if err := json.Unmarshal([]byte(data), &v); err != nil {
				return fmt.Errorf("cell %s/%s/%s: %w", sc, d, key, err)
			}
			if passnum.Dimension(d) == passnum.DimTotal {
				rep.Total = v
			} else {
				rep.Rows = append(rep.Rows, passnum.IndicatorRow{Key: key, Label: names.label(dim, key), Values: v})
			}
			return nil
		}, id, sc.String(), string(dim), string(passnum.DimTotal))
		if err != nil {
			return err
		}
		for _, v := range append([]passnum.IndicatorValues{rep.Total}, rowValues(rep.Rows)...) {
			for _, f := range v.ByFunder {
				rep.Funders[f.FunderID] = names.orgs[f.FunderID]
			}
		}
		sortRows(dim, rep.Rows)
		// The years this scope has figures for, to choose a period.
		scopes, err := selectAll(tx, scanString, `SELECT scope FROM indicator_cells WHERE snapshot_id = ? AND dimension = ? AND scope LIKE ?`,
			id, string(passnum.DimTotal), sc.WholeTime().String()+"@%")
		if err != nil {
			return err
		}
		for _, s := range scopes {
			if y, err := strconv.Atoi(s[strings.IndexByte(s, '@')+1:]); err == nil {
				rep.Years = append(rep.Years, y)
			}
		}
		sort.Ints(rep.Years)
		return nil
	})
	if err != nil {
		return nil, wrapf(err, "indicators of %s by %s", sc, dim)
	}
	rep.Freshness = fresh
	return rep, nil
}

func rowValues(rows []passnum.IndicatorRow) []passnum.IndicatorValues {
	out := make([]passnum.IndicatorValues, len(rows))
	for i, r := range rows {
		out[i] = r.Values
	}
	return out
}

// sortRows orders months and age bands by key, other rows by passes used
// (most first) then label; the row without key comes last.
func sortRows(dim passnum.Dimension, rows []passnum.IndicatorRow) {
	bandRank := map[string]int{passnum.AgeBandUnder16: 0}
	for i, b := range passnum.AgeBands {
		bandRank[b] = i + 1
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if (a.Key == passnum.NoKey) != (b.Key == passnum.NoKey) {
			return b.Key == passnum.NoKey
		}
		switch dim {
		case passnum.DimMonth:
			return a.Key < b.Key
		case passnum.DimAgeBand:
			return bandRank[a.Key] < bandRank[b.Key]
		}
		if a.Values.Redeemed != b.Values.Redeemed {
			return a.Values.Redeemed > b.Values.Redeemed
		}
		if a.Values.Issued != b.Values.Issued {
			return a.Values.Issued > b.Values.Issued
		}
		return a.Label < b.Label
	})
}

// names resolves the labels of scopes and rows.
type names struct {
	programmes map[int64]string
	orgs       map[int64]string
}

func (t *tx) scopeNames() (*names, error) {
	n := &names{programmes: map[int64]string{}, orgs: map[int64]string{}}
	into := func(m map[int64]string) func(scanner) error {
		return func(sc scanner) error {
			var id int64
			var name string
			err := sc.Scan(&id, &name)
			m[id] = name
			return err
		}
	}
	if err := t.each(`SELECT id, name FROM programmes`, into(n.programmes)); err != nil {
		return nil, err
	}
	// Organisations are few next to passes (a few thousand venues and
	// prescribers): read them all rather than the ones in the rows.
	return n, t.each(`SELECT id, name FROM organisations`, into(n.orgs))
}

func (n *names) scopeLabel(sc passnum.Scope) string {
	out := "Tous les programmes"
	switch sc.Kind {
	case passnum.ScopeProgramme:
		out = "Programme « " + n.programmes[sc.ID] + " »"
	case passnum.ScopeFunder:
		out = "Programmes financés " + passnum.FrenchBy(n.orgs[sc.ID])
	case passnum.ScopeHub:
		out = "Territoire de " + n.orgs[sc.ID]
	case passnum.ScopeArea:
		out = areaLabel(sc.Area)
	}
	if sc.Year != 0 {
		out += ", année " + strconv.Itoa(sc.Year)
	}
	return out
}

func (n *names) label(dim passnum.Dimension, key string) string {
	if key == passnum.NoKey {
		switch dim {
		case passnum.DimRegion, passnum.DimDepartement, passnum.DimCommune:
			return "Non localisé"
		case passnum.DimPrescriber:
			return "Non attribué"
		}
		return "Non renseigné"
	}
	id, _ := strconv.ParseInt(key, 10, 64)
	switch dim {
	case passnum.DimProgramme:
		return orNumber(n.programmes[id], key)
	case passnum.DimFunder, passnum.DimVenue, passnum.DimPrescriber:
		return orNumber(n.orgs[id], key)
	case passnum.DimRegion:
		if r, ok := geo.LookupRegion(key); ok {
			return r.Name
		}
	case passnum.DimDepartement:
		if d, ok := geo.LookupDepartement(key); ok {
			return d.Name + " (" + key + ")"
		}
	case passnum.DimCommune:
		// The name and the département's code: short enough for a chart,
		// and two communes of one département rarely share a name.
		if c, ok := geo.LookupCommune(key); ok {
			return c.Name + " (" + c.Departement + ")"
		}
	case passnum.DimCategory:
		return key
	case passnum.DimAgeBand:
		if key == "75+" {
			return "75 ans et plus"
		}
		return strings.Replace(key, "-", " à ", 1) + " ans"
	case passnum.DimMonth:
		if m, err := time.Parse("2006-01", key); err == nil {
			return passnum.FrenchMonth(m)
		}
	}
	return key
}

// areaLabel names a région or a département: "Région Bretagne",
// "Département d'Ille-et-Vilaine (35)" reads badly with elision rules, so
// "Département : Ille-et-Vilaine (35)".
func areaLabel(area string) string {
	level, code, _ := strings.Cut(area, ":")
	switch passnum.AreaLevel(level) {
	case passnum.LevelRegion:
		if r, ok := geo.LookupRegion(code); ok {
			return "Région : " + r.Name
		}
	case passnum.LevelDepartement:
		if d, ok := geo.LookupDepartement(code); ok {
			return "Département : " + d.Name + " (" + code + ")"
		}
	}
	return area
}

func orNumber(name, key string) string {
	if name == "" {
		return "n° " + key
	}
	return name
}

// IndicatorScopes lists the scopes the actor may read, its own first.
func (s *Store) IndicatorScopes(ctx context.Context) ([]passnum.ScopeChoice, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActIndicatorsRead); err != nil {
		return nil, err
	}
	var out []passnum.ScopeChoice
	// A read that may lag (replica.go).
	_, err := s.lagging(ctx, func(tx *tx) error {
		out = nil
		n, err := tx.scopeNames()
		if err != nil {
			return err
		}
		add := func(sc passnum.Scope) { out = append(out, passnum.ScopeChoice{Scope: sc, Label: n.scopeLabel(sc)}) }
		switch a.OrgKind {
		case passnum.KindOperator:
			add(passnum.ScopeAllPasses)
		case passnum.KindFunder:
			add(passnum.Scope{Kind: passnum.ScopeFunder, ID: a.OrgID})
		case passnum.KindHub:
			add(passnum.Scope{Kind: passnum.ScopeHub, ID: a.OrgID})
			return nil
		}
		q := `SELECT id FROM programmes ORDER BY id`
		args := []any{}
		if a.OrgKind == passnum.KindFunder {
			q = `SELECT programme_id FROM programme_funders WHERE funder_id = ? ORDER BY programme_id`
			args = append(args, a.OrgID)
		}
		ids, err := selectAll(tx, scanInt64, q, args...)
		if err != nil {
			return err
		}
		for _, id := range ids {
			add(passnum.Scope{Kind: passnum.ScopeProgramme, ID: id})
		}
		if a.OrgKind != passnum.KindOperator {
			return nil
		}
		orgs, err := selectAll(tx, scanInt64, `SELECT id FROM organisations WHERE kind = 'funder' ORDER BY id`)
		if err != nil {
			return err
		}
		for _, id := range orgs {
			add(passnum.Scope{Kind: passnum.ScopeFunder, ID: id})
		}
		hubs, err := selectAll(tx, scanInt64, `SELECT id FROM organisations WHERE kind = 'hub' ORDER BY id`)
		if err != nil {
			return err
		}
		for _, id := range hubs {
			add(passnum.Scope{Kind: passnum.ScopeHub, ID: id})
		}
		// Régions, then départements, where the latest snapshot has passes.
		snap, err := tx.latestSnapshot()
		if passnum.ErrorCode(err) == passnum.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		areas, err := selectAll(tx, scanString, `SELECT scope FROM indicator_cells WHERE snapshot_id = ? AND dimension = ? AND scope LIKE ? AND scope NOT LIKE ?`,
			snap.ID, string(passnum.DimTotal), passnum.ScopeArea+":%", "%@%")
		if err != nil {
			return err
		}
		sort.Slice(areas, func(i, j int) bool {
			a, b := areas[i], areas[j]
			if ra, rb := strings.Contains(a, ":region:"), strings.Contains(b, ":region:"); ra != rb {
				return ra
			}
			return a < b
		})
		for _, s := range areas {
			if sc, err := passnum.ParseScope(s); err == nil {
				add(sc)
			}
		}
		return nil
	})
	return out, err
}

// LatestIndicators describes the latest snapshot.
func (s *Store) LatestIndicators(ctx context.Context) (*passnum.IndicatorSnapshot, error) {
	var snap *passnum.IndicatorSnapshot
	// A read that may lag (replica.go).
	fresh, err := s.lagging(ctx, func(tx *tx) error {
		var err error
		snap, err = tx.latestSnapshot()
		return err
	})
	if err != nil {
		return nil, err
	}
	snap.Freshness = fresh
	return snap, nil
}

// OpenData returns the open data cells of the latest snapshot. They are
// public once suppressed (internal/opendata), so no actor is needed.
func (s *Store) OpenData(ctx context.Context) ([]passnum.OpenDataCell, time.Time, error) {
	var out []passnum.OpenDataCell
	var at time.Time
	// A read that may lag (replica.go).
	_, err := s.lagging(ctx, func(tx *tx) error {
		out = nil
		snap, err := tx.latestSnapshot()
		if err != nil {
			return err
		}
		at = snap.ComputedAt
		return tx.each(`SELECT cell_key, data FROM indicator_cells WHERE snapshot_id = ? AND scope = ? AND dimension = ? ORDER BY cell_key`, func(row scanner) error {
			var key, data string
			if err := row.Scan(&key, &data); err != nil {
				return err
			}
			c := passnum.OpenDataCell{}
			c.Month, c.Commune = passnum.SplitOpenDataKey(key)
			out = append(out, c)
			return json.Unmarshal([]byte(data), &out[len(out)-1].Counts)
		}, snap.ID, passnum.ScopeAll, string(passnum.DimOpenData))
	})
	return out, at, err
}

func scanString(sc scanner) (string, error) {
	var s string
	err := sc.Scan(&s)
	return s, err
}
