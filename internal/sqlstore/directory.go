package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
	"github.com/passnum/passnum/internal/openinghours"
)

// The public directory of venues (passnum.DirectoryService).
//
// A search reads the venues from memory: each Store holds a snapshot of
// what the directory shows — the listed venues with their point, the
// categories of their offer, publics, supports and parsed opening hours —
// taken in one read transaction together with directory_version. Every
// change to venues, places, qualifications and catalogues raises that
// version in its own transaction (tx.directoryChanged), so a search
// first reads it (one single-row SELECT) and rebuilds the snapshot when it
// differs from the snapshot's. Several servers on one PostgreSQL database
// each notice the others' changes the same way. With 20 000 venues a
// search filters and orders them in a few milliseconds, and the snapshot
// takes a fraction of a second to rebuild after a change
// (docs/PERFORMANCE.md).

// inDirectorySQL selects the organisations (as o) that the directory
// lists: the statuses of passnum.Qualification.InDirectory, written once
// here for the SQL that reads them.
var inDirectorySQL = func() string {
	var quoted []string
	for _, q := range []passnum.Qualification{passnum.QualificationListed, passnum.QualificationPending, passnum.QualificationChangesRequested,
		passnum.QualificationRefused, passnum.QualificationQualified, passnum.QualificationSuspended, passnum.QualificationWithdrawn} {
		if q.InDirectory() {
			quoted = append(quoted, "'"+string(q)+"'")
		}
	}
	return "o.qualification IN (" + strings.Join(quoted, ", ") + ")"
}()

// directoryCache is the Store's snapshot and what serialises its rebuilds.
type directoryCache struct {
	mu  sync.Mutex // held while rebuilding
	cur atomic.Pointer[directory]
}

// directory is one snapshot; it never changes once built.
type directory struct {
	version int64
	venues  []*dirVenue // by folded name, then organisation
}

// dirVenue is a venue as searches see it.
type dirVenue struct {
	entry    passnum.DirectoryVenue // copied into each result
	folded   string                 // geo.Normalize(name)
	point    geo.Point
	hasPoint bool
	dep, reg string
	services uint32                 // bit i: passnum.ServiceCategories[i], declared or in the catalogue
	publics  uint32                 // bit i: passnum.Publics[i]
	supports uint32                 // bit i: passnum.Supports[i]
	hours    *openinghours.Schedule // nil: no hours, or hours it cannot read
	zone     zone
	places   []dirPlace // active points of presence, searched around too
}

// dirPlace is a point of presence of a venue: a search around a point
// finds the venue by the nearest of its addresses.
type dirPlace struct {
	name  string
	point geo.Point
}

// bitOf returns the bit of value in a vocabulary, 0 when absent.
func bitOf(values []string, value string) uint32 {
	if i := slices.Index(values, value); i >= 0 && i < 32 {
		return 1 << i
	}
	return 0
}

func bitsOf(values, list []string) uint32 {
	var b uint32
	for _, v := range list {
		b |= bitOf(values, v)
	}
	return b
}

// snapshot returns a snapshot of the directory as the database has it now,
// and how fresh it is. Both reads may lag (replica.go): a snapshot in
// memory newer than the replica's version (taken on the primary during a
// fallback) is kept rather than replaced by an older one.
func (s *Store) snapshot(ctx context.Context) (*directory, *passnum.Freshness, error) {
	var version int64
	fresh, err := s.lagging(ctx, func(tx *tx) error {
		return tx.get(&version, `SELECT version FROM directory_version WHERE id = 1`)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("directory version: %w", err)
	}
	if d := s.directory.cur.Load(); d != nil && d.version >= version {
		return d, fresh, nil
	}
	s.directory.mu.Lock()
	defer s.directory.mu.Unlock()
	if d := s.directory.cur.Load(); d != nil && d.version >= version {
		return d, fresh, nil // rebuilt meanwhile by another search
	}
	var d *directory
	fresh, err = s.lagging(ctx, func(tx *tx) error {
		var err error
		d, err = tx.loadDirectory()
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	s.directory.cur.Store(d)
	return d, fresh, nil
}

// loadDirectory reads the listed venues and what searches filter on.
func (t *tx) loadDirectory() (*directory, error) {
	d := &directory{}
	if err := t.get(&d.version, `SELECT version FROM directory_version WHERE id = 1`); err != nil {
		return nil, err
	}
	// Only what a result shows and searches filter on: reading text
	// columns is most of the cost of a rebuild.
	venues, err := selectAll(t, func(sc scanner) (*passnum.Venue, error) {
		var v passnum.Venue
		var lat, lon sql.NullFloat64
		var services, publics, supports string
		if err := sc.Scan(&v.OrgID, &v.Name, &v.Qualification, &v.ID, &v.Commune, &v.PostalCode, &v.INSEE, &v.Address,
			&lat, &lon, &v.Phone, &v.OpeningHours, &v.Summary, &services, &publics, &supports); err != nil {
			return nil, err
		}
		if lat.Valid && lon.Valid {
			v.Lat, v.Lon = &lat.Float64, &lon.Float64
		}
		v.Services, v.Publics, v.Supports = splitList(services), splitList(publics), splitList(supports)
		completeFromGeo(&v)
		return &v, nil
	}, `SELECT o.id, o.name, o.qualification, v.id, v.commune, v.postal_code, v.code_insee, v.address, v.latitude, v.longitude,
		v.phone, v.opening_hours, v.summary, v.services, v.publics, v.supports`+venueFrom+
		`WHERE o.kind = 'venue' AND `+inDirectorySQL)
	if err != nil {
		return nil, err
	}
	type offer struct {
		venue    int64
		category string
	}
	offers, err := selectAll(t, func(sc scanner) (offer, error) {
		var o offer
		return o, sc.Scan(&o.venue, &o.category)
	}, `SELECT DISTINCT venue_id, category FROM catalogue_services WHERE active = 1`)
	if err != nil {
		return nil, err
	}
	catalogue := map[int64]uint32{}
	for _, o := range offers {
		catalogue[o.venue] |= bitOf(passnum.ServiceCategories, o.category)
	}
	places, err := selectAll(t, scanPlace, `SELECT `+placeColumns+` FROM venue_places WHERE active = 1 ORDER BY id`)
	if err != nil {
		return nil, err
	}
	placesOf := map[int64][]dirPlace{}
	for _, p := range places {
		point, ok := communePoint(p.INSEE)
		if p.Lat != nil && p.Lon != nil {
			point, ok = geo.Point{Lat: *p.Lat, Lon: *p.Lon}, true
		}
		if ok {
			placesOf[p.VenueID] = append(placesOf[p.VenueID], dirPlace{name: p.Name, point: point})
		}
	}
	d.venues = make([]*dirVenue, 0, len(venues))
	for _, v := range venues {
		dv := &dirVenue{
			entry:    directoryVenue(v),
			folded:   geo.Normalize(v.Name),
			services: bitsOf(passnum.ServiceCategories, v.Services) | catalogue[v.OrgID],
			publics:  bitsOf(passnum.Publics, v.Publics),
			supports: bitsOf(passnum.Supports, v.Supports),
			zone:     zoneOf(v),
			places:   placesOf[v.OrgID],
		}
		if p, approx, ok := venuePointApprox(v); ok {
			dv.point, dv.hasPoint = p, true
			dv.entry.Point, dv.entry.PointApprox = passnum.LatLon{Lat: p.Lat, Lon: p.Lon}, approx
		}
		if v.INSEE != "" {
			dv.dep = passnum.DepartementOfCommune(v.INSEE)
			dv.reg = passnum.RegionOfDepartement(dv.dep)
		}
		if v.OpeningHours != "" {
			dv.hours, _ = openinghours.Parse(v.OpeningHours) // imports and forms check them; older rows may not
		}
		d.venues = append(d.venues, dv)
	}
	slices.SortFunc(d.venues, func(a, b *dirVenue) int {
		return cmp.Or(strings.Compare(a.folded, b.folded), cmp.Compare(a.entry.OrgID, b.entry.OrgID))
	})
	return d, nil
}

// directoryVenue is the part of a result that does not depend on the search.
func directoryVenue(v *passnum.Venue) passnum.DirectoryVenue {
	return passnum.DirectoryVenue{
		OrgID: v.OrgID, ID: v.ID, Name: v.Name, Address: v.Address, PostalCode: v.PostalCode, Commune: v.Commune,
		INSEE: v.INSEE, Services: v.Services, Publics: v.Publics, Supports: v.Supports,
		AcceptsPasses: v.AcceptsPasses(), OpeningHours: v.OpeningHours, Phone: v.Phone, Summary: v.Summary,
	}
}

// venuePoint is where a venue is: its own coordinates, else its commune's.
func venuePoint(v *passnum.Venue) (geo.Point, bool) {
	p, _, ok := venuePointApprox(v)
	return p, ok
}

// venuePointApprox is venuePoint, and whether it is the commune's.
func venuePointApprox(v *passnum.Venue) (geo.Point, bool, bool) {
	if v.HasPoint() {
		return geo.Point{Lat: *v.Lat, Lon: *v.Lon}, false, true
	}
	if p, ok := communePoint(v.INSEE); ok {
		return p, true, true
	}
	return geo.Point{}, false, false
}

// communePoint is the point of a commune.
func communePoint(insee string) (geo.Point, bool) {
	if insee == "" {
		return geo.Point{}, false
	}
	c, ok := geo.LookupCommune(insee)
	if !ok {
		return geo.Point{}, false
	}
	return c.Point(), true
}

// searchParams is a checked DirectoryFilter.
type searchParams struct {
	centre    *geo.Point
	radiusKm  float64
	postal    string
	service   uint32
	public    uint32
	support   uint32
	words     []string
	passes    bool
	openAt    time.Time // zero: no "open now" criterion
	territory *territorySet
}

// territorySet answers Territory.Contains from a venue's precomputed codes.
type territorySet struct{ communes, deps, regs map[string]bool }

func (t *territorySet) contains(dv *dirVenue) bool {
	return dv.entry.INSEE != "" && (t.communes[dv.entry.INSEE] || t.deps[dv.dep] || t.regs[dv.reg])
}

// SearchDirectory searches the public directory; it needs no actor. With
// a place criterion (Near, else Commune, else PostalCode) results come
// nearest first, otherwise by name.
func (s *Store) SearchDirectory(ctx context.Context, f passnum.DirectoryFilter) (*passnum.DirectoryPage, error) {
	p, err := s.searchParams(f)
	if err != nil {
		return nil, err
	}
	d, fresh, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	hits := d.search(p)
	out := &passnum.DirectoryPage{Venues: []*passnum.DirectoryVenue{}, Total: len(hits), Freshness: fresh}
	if p.centre != nil {
		out.Centre = &passnum.LatLon{Lat: p.centre.Lat, Lon: p.centre.Lon}
	}
	offset, limit := page(f.Offset, f.Limit)
	hits = hits[min(offset, len(hits)):]
	hits = hits[:min(limit, len(hits))]
	now := f.Now
	if now.IsZero() {
		now = s.now()
	}
	for _, h := range hits {
		out.Venues = append(out.Venues, h.result(now))
	}
	return out, nil
}

// hit is a venue a search found.
type hit struct {
	v     *dirVenue
	km    float64 // from the search's centre; -1 without one
	place string  // the point of presence km measures, "" for the main address
}

// search returns the venues that match p, nearest first around a centre,
// else by name.
func (d *directory) search(p *searchParams) []hit {
	var hits []hit
	var box geoBox
	if p.centre != nil && p.radiusKm > 0 {
		box = boxAround(*p.centre, p.radiusKm)
	}
	// Wall clocks of "now" in each zone, computed once.
	var walls [len(zones)]time.Time
	if !p.openAt.IsZero() {
		for i, z := range zones {
			walls[i] = z.wall(p.openAt)
		}
	}
	for _, dv := range d.venues {
		if !p.selects(dv) {
			continue
		}
		km, place := -1.0, ""
		if p.centre != nil {
			if km, place = p.nearest(dv, box); km < 0 && p.radiusKm > 0 {
				continue // not known to be around
			}
		}
		if len(p.words) > 0 && !containsWords(dv.folded, p.words) {
			continue
		}
		if !p.openAt.IsZero() && (dv.hours == nil || !dv.hours.OpenAt(walls[dv.zone.index])) {
			continue
		}
		hits = append(hits, hit{dv, km, place})
	}
	if p.centre != nil {
		// Stable: equal distances stay by name; venues without a point
		// (only with a postal code) come last.
		slices.SortStableFunc(hits, func(a, b hit) int {
			if (a.km < 0) != (b.km < 0) {
				if a.km < 0 {
					return 1
				}
				return -1
			}
			return cmp.Compare(a.km, b.km)
		})
	}
	return hits
}

// selects tells whether a venue meets the criteria that need no distance,
// words or clock: passes, vocabularies, postal code, territory.
func (p *searchParams) selects(dv *dirVenue) bool {
	return (!p.passes || dv.entry.AcceptsPasses) &&
		dv.services&p.service == p.service && dv.publics&p.public == p.public && dv.supports&p.support == p.support &&
		(p.postal == "" || dv.entry.PostalCode == p.postal) &&
		(p.territory == nil || p.territory.contains(dv))
}

// nearest returns the distance from the centre to the nearest of the
// venue's addresses within the radius (its own, then its points of
// presence) and the name of that point of presence; -1 when none is.
func (p *searchParams) nearest(dv *dirVenue, box geoBox) (km float64, place string) {
	km = -1
	near := func(point geo.Point, name string) {
		if p.radiusKm > 0 && !box.contains(point) {
			return
		}
		if d := geo.DistanceKm(*p.centre, point); (p.radiusKm == 0 || d <= p.radiusKm) && (km < 0 || d < km) {
			km, place = d, name
		}
	}
	if dv.hasPoint {
		near(dv.point, "")
	}
	for _, pl := range dv.places {
		near(pl.point, pl.name)
	}
	return km, place
}

// result is what a search answers of a hit: the venue, its distance and
// whether it is open at now.
func (h hit) result(now time.Time) *passnum.DirectoryVenue {
	e := h.v.entry
	if h.km >= 0 {
		km := math.Round(h.km*100) / 100
		e.DistanceKm, e.NearestPlace = &km, h.place
	}
	if h.v.hours != nil {
		open := h.v.hours.OpenAt(h.v.zone.wall(now))
		e.OpenNow = &open
	}
	return &e
}

// searchParams checks a filter (passnum.DirectoryFilter.Validate, the
// rule the API and the pages read their queries by) and prepares it for
// searching: the point of its place, the bits of its vocabularies, the
// folded words, the instant of "open now", the codes of its territory.
func (s *Store) searchParams(f passnum.DirectoryFilter) (*searchParams, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	p := &searchParams{passes: f.Passes, radiusKm: f.RadiusKm}
	if p.radiusKm == 0 {
		p.radiusKm = passnum.DefaultRadiusKm
	}
	if pc := strings.TrimSpace(f.PostalCode); pc != "" {
		p.postal = pc
		if cs := communesOfPostalCode(pc); len(cs) > 0 {
			if pt, ok := communePoint(cs[0].INSEE); ok {
				p.centre = &pt // the most populous commune of the postal code
			}
		}
	}
	if c := strings.ToUpper(strings.TrimSpace(f.Commune)); c != "" {
		pt, ok := communePoint(c)
		if !ok {
			return nil, passnum.Invalid("commune", "Commune inconnue : %q (code INSEE, par exemple 35238).", f.Commune)
		}
		p.centre = &pt
	}
	if f.Near != nil {
		p.centre = &geo.Point{Lat: f.Near.Lat, Lon: f.Near.Lon}
	}
	if p.postal != "" && f.Commune == "" && f.Near == nil {
		p.radiusKm = 0 // the postal code selects; its point only orders
	}
	if p.centre == nil {
		p.radiusKm = 0
	}
	p.service = bitOf(passnum.ServiceCategories, f.Category)
	p.public = bitOf(passnum.Publics, f.Public)
	p.support = bitOf(passnum.Supports, f.Support)
	p.words = strings.Fields(geo.Normalize(f.Query))
	if f.OpenNow {
		p.openAt = f.Now
		if p.openAt.IsZero() {
			p.openAt = s.now()
		}
	}
	if len(f.Territory) > 0 {
		p.territory = newTerritorySet(f.Territory)
	}
	return p, nil
}

// newTerritorySet holds the codes of a territory that Validate read.
func newTerritorySet(areas []string) *territorySet {
	t, _ := passnum.ParseTerritory(areas) // checked by Validate
	set := &territorySet{communes: map[string]bool{}, deps: map[string]bool{}, regs: map[string]bool{}}
	for _, a := range t {
		switch a.Level {
		case passnum.LevelCommune:
			set.communes[a.Code] = true
		case passnum.LevelDepartement:
			set.deps[a.Code] = true
		case passnum.LevelRegion:
			set.regs[a.Code] = true
		}
	}
	return set
}

// DirectoryEntry returns the public page of a venue of the directory: its
// description, its active catalogue and places, and its next sessions. It
// needs no actor; venues the directory does not list (applicants, refused,
// withdrawn) are not found.
func (s *Store) DirectoryEntry(ctx context.Context, orgID int64) (*passnum.DirectoryEntry, error) {
	var e *passnum.DirectoryEntry
	// A read that may lag (replica.go).
	fresh, err := s.lagging(ctx, func(tx *tx) error {
		v, err := tx.findVenue(orgID)
		if err != nil {
			return err
		}
		if !v.Qualification.InDirectory() {
			return notFound("venue", orgID)
		}
		e = &passnum.DirectoryEntry{Venue: *v, AcceptsPasses: v.AcceptsPasses(),
			Services: []*passnum.CatalogueService{}, Places: []*passnum.Place{}, NextSessions: []*passnum.WorkshopSession{}}
		if p, approx, ok := venuePointApprox(v); ok {
			e.Point, e.PointApprox = passnum.LatLon{Lat: p.Lat, Lon: p.Lon}, approx
		}
		if v.OpeningHours != "" {
			if h, err := openinghours.Parse(v.OpeningHours); err == nil {
				open := h.OpenAt(zoneOf(v).wall(tx.now))
				e.OpenNow = &open
			}
		}
		services, err := selectAll(tx, scanService, `SELECT `+serviceColumns+` FROM catalogue_services WHERE venue_id = ? AND active = 1 ORDER BY id`, orgID)
		if err != nil {
			return err
		}
		if services != nil {
			e.Services = services
		}
		places, err := selectAll(tx, scanPlace, `SELECT `+placeColumns+` FROM venue_places WHERE venue_id = ? AND active = 1 ORDER BY id`, orgID)
		if places != nil {
			e.Places = places
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// The sessions the public sees: ListSessions without an actor.
	sessions, err := s.ListSessions(passnum.NewContextWithActor(ctx, nil), passnum.SessionFilter{VenueID: orgID, Limit: directorySessions})
	if err != nil {
		return nil, err
	}
	e.NextSessions = sessions
	e.Freshness = fresh
	return e, nil
}

// directorySessions is how many coming sessions a venue's page shows.
const directorySessions = 10

// geoBox is a box of latitudes and longitudes around a point: a cheap test
// before the distance.
type geoBox struct{ minLat, maxLat, minLon, maxLon float64 }

// boxAround returns the box of geo.BoxAround.
func boxAround(p geo.Point, km float64) geoBox {
	var b geoBox
	b.minLat, b.maxLat, b.minLon, b.maxLon = geo.BoxAround(p, km)
	return b
}

func (b geoBox) contains(p geo.Point) bool {
	return p.Lat >= b.minLat && p.Lat <= b.maxLat && p.Lon >= b.minLon && p.Lon <= b.maxLon
}

// zone is the time zone a venue's hours are read in.
type zone struct {
	index int
	name  string
	std   int  // hours east of UTC, when the system has no time zone data
	eu    bool // with European summer time, idem
	loc   *time.Location
}

// zones are metropolitan France's and the overseas départements'.
var zones = [...]zone{
	{0, "Europe/Paris", 1, true, nil},
	{1, "America/Guadeloupe", -4, false, nil},
	{2, "America/Martinique", -4, false, nil},
	{3, "America/Cayenne", -3, false, nil},
	{4, "Indian/Reunion", 4, false, nil},
	{5, "Indian/Mayotte", 3, false, nil},
}

func init() {
	for i := range zones {
		zones[i].loc, _ = time.LoadLocation(zones[i].name) // nil without tzdata: see wall
	}
}

// zoneOf returns the zone of a venue, from its département (or its postal
// code).
func zoneOf(v *passnum.Venue) zone {
	code := v.INSEE
	if code == "" {
		code = v.PostalCode
	}
	switch {
	case strings.HasPrefix(code, "971"):
		return zones[1]
	case strings.HasPrefix(code, "972"):
		return zones[2]
	case strings.HasPrefix(code, "973"):
		return zones[3]
	case strings.HasPrefix(code, "974"):
		return zones[4]
	case strings.HasPrefix(code, "976"):
		return zones[5]
	}
	return zones[0]
}

// wall returns t on the zone's wall clock, which is what opening hours
// are read on. Without the system's time zone data, it applies the zone's
// offset, and in Europe/Paris the European summer time rule (last Sunday
// of March to last Sunday of October, at 01:00 UTC).
func (z zone) wall(t time.Time) time.Time {
	if z.loc != nil {
		return t.In(z.loc)
	}
	off := z.std
	if z.eu && euSummerTime(t) {
		off++
	}
	return t.UTC().Add(time.Duration(off) * time.Hour)
}

func euSummerTime(t time.Time) bool {
	t = t.UTC()
	lastSunday := func(month time.Month) time.Time {
		d := time.Date(t.Year(), month+1, 0, 1, 0, 0, 0, time.UTC) // last day of month, 01:00 UTC
		return d.AddDate(0, 0, -int(d.Weekday()))
	}
	return !t.Before(lastSunday(time.March)) && t.Before(lastSunday(time.October))
}
