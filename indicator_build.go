package passnum

import (
	"strconv"
	"strings"
	"time"
)

// This file computes the indicators of indicators.go from facts the store
// reads, one person at a time: counting distinct people in every row needs
// all of a person's passes together, and nothing more.

// PassFact is what the indicators need of one pass.
type PassFact struct {
	State       PassState
	ActivatedAt time.Time // zero if never activated
	VenueID     int64     // set when used
	RedeemedAt  time.Time // set when used
	ServiceID   int64     // the used pass's workshop
}

// Used tells whether the pass was used (redeemed or settled).
func (p *PassFact) Used() bool { return p.State == StateRedeemed || p.State == StateSettled }

// CarnetFact is a carnet with its passes.
type CarnetFact struct {
	Number        int64
	ProgrammeID   int64
	BatchID       int64
	PrescriberID  int64     // 0 until allocated
	AllocatedAt   time.Time // zero until allocated
	DistributedAt time.Time // zero until distributed
	// BookedAtHandOut: the prescriber booked its holder into a workshop
	// session when handing it out, and the booking still stands.
	BookedAtHandOut bool
	Passes          []PassFact
}

// PersonFacts are a person's carnets. A carnet not handed to anyone is
// given alone, with ID 0.
type PersonFacts struct {
	ID      int64
	Commune string
	AgeBand string
	Carnets []CarnetFact
}

// ProgrammeRef is what the indicators need of a programme.
type ProgrammeRef struct {
	FaceValueCents int64
	Funders        []FunderShare // shares in basis points
}

// ServiceRef is what the indicators need of a catalogue service.
type ServiceRef struct {
	Category       string
	MinutesPerPass int64 // duration ÷ price in passes, rounded down
}

// HubRef is a hub and its territory.
type HubRef struct {
	ID        int64
	Territory Territory
}

// IndicatorRefs are the reference data the builder looks facts up in.
type IndicatorRefs struct {
	Programmes map[int64]ProgrammeRef
	Services   map[int64]ServiceRef
	BatchDates map[int64]time.Time
	// OrgCommunes gives prescribers' communes, to place passes not yet
	// handed to anyone.
	OrgCommunes map[int64]string
	Hubs        []HubRef
}

// Cell keys. DimTotal is the pseudo-dimension of a scope's total;
// DimOpenData holds the (month, commune) cells of the open data export,
// keyed "2026-03|35238", in the "all" scope.
const (
	DimTotal    Dimension = "total"
	DimOpenData Dimension = "opendata"
)

// CellKey identifies one row of one breakdown of one scope.
type CellKey struct {
	Scope string
	Dim   Dimension
	Key   string
}

// IndicatorBuilder accumulates the indicators of every scope, dimension and
// key, person by person. Ten million passes give about two hundred million
// additions to rows: rows are found by small integer keys (scopes and row
// keys are interned once) rather than by strings, and a person's rows live
// in a reused pool.
type IndicatorBuilder struct {
	refs   IndicatorRefs
	splits map[int64][]int64 // a pass's face value split between its programme's funders
	// Cells are the rows of every breakdown, filled by Finish.
	Cells map[CellKey]*IndicatorValues
	// Units counts, for each row, the people (and carnets handed to
	// nobody) that added to it: an incremental refresh drops a row when
	// none is left (indicator_incremental.go).
	Units  map[CellKey]int64
	Open   map[string][]int64 // open data cells, "month|commune" → counts
	Passes int64

	cells      map[cellID]*IndicatorValues
	units      map[cellID]int64
	strs       map[string]int32 // row keys
	names      []string
	scopeIDs   map[string]int32
	scopeNames []string
	local      map[cellID]int32 // a person's rows, as indexes in pool
	pool       []*localCell     // kept from person to person; pointers, so that growing it moves nothing
	scopeOf    map[scopeCacheKey][]int32
	groupOf    map[groupCacheKey][]group
	monthOf    map[int]int32
	venueOf    map[int64]int32
	catOf      map[int64]int32
}

// cellID is a CellKey with interned strings, packed in 64 bits so that
// maps hash it as one word: the interned scope (without period) in 16 bits,
// the year (0: all time) in 12, the index of the dimension in 4 and the
// interned row key in 32.
type cellID uint64

func cid(scope int32, year int16, dim uint8, key int32) cellID {
	return cellID(uint64(scope)<<48 | uint64(year)<<36 | uint64(dim)<<32 | uint64(uint32(key)))
}

func (c cellID) scope() int32 { return int32(c >> 48) }
func (c cellID) year() int16  { return int16(c >> 36 & 0xfff) }
func (c cellID) dim() uint8   { return uint8(c >> 32 & 0xf) }
func (c cellID) key() int32   { return int32(uint32(c)) }

// dimensions indexes the dimensions in cellID.
var dimensions = append([]Dimension{DimTotal}, Dimensions...)

func dimIndex(d Dimension) uint8 {
	for i, x := range dimensions {
		if x == d {
			return uint8(i)
		}
	}
	panic("unknown dimension " + d)
}

var (
	dMonth    = dimIndex(DimMonth)
	dVenue    = dimIndex(DimVenue)
	dCategory = dimIndex(DimCategory)
)

type localCell struct {
	v                IndicatorValues
	anyUsed, allUsed bool
	delays           []int
}

type scopeCacheKey struct {
	programme int64
	place     string
}

type groupCacheKey struct {
	programme, prescriber int64
	place, band           string
}

// NewIndicatorBuilder returns an empty builder.
func NewIndicatorBuilder(refs IndicatorRefs) *IndicatorBuilder {
	b := &IndicatorBuilder{refs: refs, splits: map[int64][]int64{}, Open: map[string][]int64{},
		cells: map[cellID]*IndicatorValues{}, units: map[cellID]int64{}, strs: map[string]int32{}, scopeIDs: map[string]int32{}, local: map[cellID]int32{},
		scopeOf: map[scopeCacheKey][]int32{}, groupOf: map[groupCacheKey][]group{},
		monthOf: map[int]int32{}, venueOf: map[int64]int32{}, catOf: map[int64]int32{}}
	for id, p := range refs.Programmes {
		shares := make([]int, len(p.Funders))
		for i, f := range p.Funders {
			shares[i] = f.ShareBP
		}
		b.splits[id] = SplitByShares(p.FaceValueCents, shares)
	}
	return b
}

// internScope interns a scope in its own table: scopes have 16 bits of a
// cellID, row keys 32.
func (b *IndicatorBuilder) internScope(s string) int32 {
	if n, ok := b.scopeIDs[s]; ok {
		return n
	}
	if len(b.scopeNames) == 1<<16 {
		panic("indicators: more than 65 536 scopes")
	}
	n := int32(len(b.scopeNames))
	b.scopeIDs[s] = n
	b.scopeNames = append(b.scopeNames, s)
	return n
}

func (b *IndicatorBuilder) intern(s string) int32 {
	if n, ok := b.strs[s]; ok {
		return n
	}

	n := int32(len(b.names))
	b.strs[s] = n
	b.names = append(b.names, s)
	return n
}

// Finish turns the rows into Cells, keyed by strings.
func (b *IndicatorBuilder) Finish() {
	b.Cells = make(map[CellKey]*IndicatorValues, len(b.cells))
	b.Units = make(map[CellKey]int64, len(b.cells))
	for k, v := range b.cells {
		scope := b.scopeNames[k.scope()]
		if k.year() != 0 {
			scope += "@" + strconv.Itoa(int(k.year()))
		}
		ck := CellKey{scope, dimensions[k.dim()], b.names[k.key()]}
		b.Cells[ck] = v
		b.Units[ck] = b.units[k]
	}
}

func (b *IndicatorBuilder) cell(k cellID) *IndicatorValues {
	v := b.cells[k]
	if v == nil {
		v = &IndicatorValues{}
		b.cells[k] = v
	}
	return v
}

func (b *IndicatorBuilder) localCell(k cellID) *localCell {
	if i, ok := b.local[k]; ok {
		return b.pool[i]
	}
	i := int32(len(b.local))
	if int(i) == len(b.pool) {
		b.pool = append(b.pool, &localCell{})
	}
	c := b.pool[i]
	*c = localCell{v: IndicatorValues{ByFunder: c.v.ByFunder[:0]}, delays: c.delays[:0], allUsed: true}
	b.local[k] = i
	return c
}

// place is where a carnet's passes are: the person's commune, else the
// commune of the prescriber holding it.
func (b *IndicatorBuilder) place(p *PersonFacts, c *CarnetFact) string {
	if p.ID != 0 {
		return p.Commune
	}
	if c.PrescriberID != 0 {
		return b.refs.OrgCommunes[c.PrescriberID]
	}
	return NoKey
}

func id(n int64) string {
	if n == 0 {
		return NoKey
	}
	return strconv.FormatInt(n, 10)
}

// scopes lists the scopes a carnet's passes count in.
func (b *IndicatorBuilder) scopes(c *CarnetFact, place string) []int32 {
	k := scopeCacheKey{c.ProgrammeID, place}
	if out, ok := b.scopeOf[k]; ok {
		return out
	}
	out := []int32{b.internScope(ScopeAll), b.internScope(ScopeProgramme + ":" + id(c.ProgrammeID))}
	for _, f := range b.refs.Programmes[c.ProgrammeID].Funders {
		out = append(out, b.internScope(ScopeFunder+":"+id(f.FunderID)))
	}
	if place != NoKey {
		// The operator's areas: the place's département and région.
		dep := DepartementOfCommune(place)
		out = append(out, b.internScope(ScopeArea+":"+string(LevelDepartement)+":"+dep),
			b.internScope(ScopeArea+":"+string(LevelRegion)+":"+RegionOfDepartement(dep)))
		for _, h := range b.refs.Hubs {
			if h.Territory.Contains(place) {
				out = append(out, b.internScope(ScopeHub+":"+id(h.ID)))
			}
		}
	}
	b.scopeOf[k] = out
	return out
}

// groups are the rows, along every dimension but month, venue and
// category, that a carnet's passes belong to.
type group struct {
	dim    uint8
	key    int32
	funder int64 // in a funder row, whose share the money is
}

func (b *IndicatorBuilder) carnetGroups(p *PersonFacts, c *CarnetFact, place string) []group {
	k := groupCacheKey{c.ProgrammeID, c.PrescriberID, place, p.AgeBand}
	if out, ok := b.groupOf[k]; ok {
		return out
	}
	dep := DepartementOfCommune(place)
	g := func(d Dimension, key string) group { return group{dimIndex(d), b.intern(key), 0} }
	out := []group{
		g(DimTotal, NoKey),
		g(DimProgramme, id(c.ProgrammeID)),
		g(DimRegion, RegionOfDepartement(dep)),
		g(DimDepartement, dep),
		g(DimCommune, place),
		g(DimPrescriber, id(c.PrescriberID)),
		g(DimAgeBand, p.AgeBand),
	}
	for _, f := range b.refs.Programmes[c.ProgrammeID].Funders {
		out = append(out, group{dimIndex(DimFunder), b.intern(id(f.FunderID)), f.FunderID})
	}
	b.groupOf[k] = out
	return out
}

func (b *IndicatorBuilder) month(t time.Time) int32 {
	t = t.In(paris)
	k := t.Year()*12 + int(t.Month())
	if n, ok := b.monthOf[k]; ok {
		return n
	}
	n := b.intern(t.Format("2006-01"))
	b.monthOf[k] = n
	return n
}

func (b *IndicatorBuilder) venue(v int64) int32 {
	if n, ok := b.venueOf[v]; ok {
		return n
	}
	n := b.intern(id(v))
	b.venueOf[v] = n
	return n
}

func (b *IndicatorBuilder) category(service int64) int32 {
	if n, ok := b.catOf[service]; ok {
		return n
	}
	n := b.intern(b.refs.Services[service].Category)
	b.catOf[service] = n
	return n
}

// AddPerson counts a person's carnets (or one carnet handed to nobody).
func (b *IndicatorBuilder) AddPerson(p *PersonFacts) {
	clear(b.local)
	var firstUse time.Time
	for ci := range p.Carnets {
		c := &p.Carnets[ci]
		place := b.place(p, c)
		scopes := b.scopes(c, place)
		groups := b.carnetGroups(p, c, place)

		// The carnet's first use: started, delay, and its month.
		var first *PassFact
		for i := range c.Passes {
			if f := &c.Passes[i]; f.Used() && (first == nil || f.RedeemedAt.Before(first.RedeemedAt)) {
				first = f
			}
		}
		if first != nil && (firstUse.IsZero() || first.RedeemedAt.Before(firstUse)) {
			firstUse = first.RedeemedAt
		}
		b.Passes += int64(len(c.Passes))
		for _, year := range b.periods(c) {
			for _, scope := range scopes {
				b.countCarnet(p, c, first, scope, year, groups)
			}
		}
	}
	if p.ID != 0 {
		b.addOpenData(p, firstUse)
	}
	// Merge: counts add up; a person counts once per row.
	for k, i := range b.local {
		lc := b.pool[i]
		v := b.cell(k)
		b.units[k]++
		v.AddFunnel(lc.v.Funnel)
		v.HandedOut += lc.v.HandedOut
		v.BookedAtHandOut += lc.v.BookedAtHandOut
		v.Minutes += lc.v.Minutes
		v.SpentCents += lc.v.SpentCents
		for _, f := range lc.v.ByFunder {
			v.AddFunderCents(f.FunderID, f.Cents)
		}
		if len(lc.delays) > 0 {
			if v.Delays == nil {
				v.Delays = DelayHistogram{}
			}
			for _, d := range lc.delays {
				v.Delays.Add(d)
			}
		}
		if p.ID == 0 {
			continue
		}
		if lc.anyUsed {
			v.PeopleReached++
		}
		if d := k.dim(); lc.allUsed && k.year() == 0 && d != dMonth && d != dVenue && d != dCategory {
			v.PeopleCompleted++
		}
	}
}

// periods lists the periods a carnet counts in: 0 for all time, then each
// year in which one of its steps happened.
func (b *IndicatorBuilder) periods(c *CarnetFact) []int {
	out := []int{0}
	add := func(t time.Time) {
		if t.IsZero() {
			return
		}
		y := YearOf(t)
		for _, x := range out {
			if x == y {
				return
			}
		}
		out = append(out, y)
	}
	add(b.refs.BatchDates[c.BatchID])
	add(c.AllocatedAt)
	add(c.DistributedAt)
	for i := range c.Passes {
		add(c.Passes[i].ActivatedAt)
		add(c.Passes[i].RedeemedAt)
	}
	return out
}

// in tells whether t falls in year, 0 meaning at any time.
func in(t time.Time, year int) bool {
	return !t.IsZero() && (year == 0 || YearOf(t) == year)
}

// countCarnet counts a carnet in a scope, over all time (year 0) or the
// steps that happened in year. first is its first used pass, if any.
func (b *IndicatorBuilder) countCarnet(p *PersonFacts, c *CarnetFact, first *PassFact, scope int32, year int, groups []group) {
	y := int16(year)
	prog := b.refs.Programmes[c.ProgrammeID]
	split := b.splits[c.ProgrammeID]
	size := int64(len(c.Passes))

	// The carnet's counts, the same in every row it belongs to.
	var cf Funnel
	var used, minutes int64
	if year == 0 || in(b.refs.BatchDates[c.BatchID], year) {
		cf.Issued = size
	}
	if c.PrescriberID != 0 && (year == 0 || in(c.AllocatedAt, year)) {
		cf.Allocated = size
	}
	// The carnet itself, handed out, and booked at hand-out.
	var handed, booked int64
	if p.ID != 0 && (year == 0 || in(c.DistributedAt, year)) {
		cf.Distributed = size
		handed = 1
		if c.BookedAtHandOut {
			booked = 1
		}
	}
	started := first != nil && in(first.RedeemedAt, year)
	if started {
		cf.Started = size
	}
	for i := range c.Passes {
		f := &c.Passes[i]
		if in(f.ActivatedAt, year) {
			cf.Activated++
		}
		if year == 0 { // stocks have no period
			switch f.State {
			case StateBlocked:
				cf.Blocked++
			case StateExpired:
				cf.Expired++
			}
		}
		if f.Used() && in(f.RedeemedAt, year) {
			used++
			minutes += b.refs.Services[f.ServiceID].MinutesPerPass
		}
	}
	cf.Redeemed = used
	for _, g := range groups {
		lc := b.localCell(cid(scope, y, g.dim, g.key))
		lc.v.AddFunnel(cf)
		lc.v.HandedOut += handed
		lc.v.BookedAtHandOut += booked
		lc.v.Minutes += minutes
		if used > 0 {
			lc.anyUsed = true
			b.addMoney(&lc.v, prog, split, g.funder, used)
		}
		if used < size {
			lc.allUsed = false
		}
	}

	// Month: each step in the month it happened.
	month := func(t time.Time) *localCell { return b.localCell(cid(scope, y, dMonth, b.month(t))) }
	if t := b.refs.BatchDates[c.BatchID]; in(t, year) {
		month(t).v.Issued += size
	}
	if c.PrescriberID != 0 && in(c.AllocatedAt, year) {
		month(c.AllocatedAt).v.Allocated += size
	}
	if p.ID != 0 && in(c.DistributedAt, year) {
		m := month(c.DistributedAt)
		m.v.Distributed += size
		m.v.HandedOut += handed
		m.v.BookedAtHandOut += booked
	}
	if started {
		month(first.RedeemedAt).v.Started += size
	}
	for i := range c.Passes {
		f := &c.Passes[i]
		if in(f.ActivatedAt, year) {
			month(f.ActivatedAt).v.Activated++
		}
		if !f.Used() || !in(f.RedeemedAt, year) {
			continue
		}
		minutes := b.refs.Services[f.ServiceID].MinutesPerPass
		for _, lc := range [...]*localCell{month(f.RedeemedAt),
			b.localCell(cid(scope, y, dVenue, b.venue(f.VenueID))),
			b.localCell(cid(scope, y, dCategory, b.category(f.ServiceID)))} {
			lc.v.Redeemed++
			lc.anyUsed = true
			lc.v.Minutes += minutes
			b.addMoney(&lc.v, prog, split, 0, 1)
		}
	}

	// Delay from distribution to first use, per carnet, in the period of
	// the first use.
	if p.ID != 0 && started {
		days := DaysBetween(c.DistributedAt, first.RedeemedAt)
		for _, g := range groups {
			b.delay(cid(scope, y, g.dim, g.key), days)
		}
		b.delay(cid(scope, y, dMonth, b.month(first.RedeemedAt)), days)
		b.delay(cid(scope, y, dVenue, b.venue(first.VenueID)), days)
		b.delay(cid(scope, y, dCategory, b.category(first.ServiceID)), days)
	}
}

// addMoney adds the face value of n used passes, split pass by pass between
// their funders, or only funder's part in a funder's row.
func (b *IndicatorBuilder) addMoney(v *IndicatorValues, prog ProgrammeRef, split []int64, funder, n int64) {
	for i, f := range prog.Funders {
		// A part of nothing (a share too small for a cent) is no part:
		// rows keep only the parts a pass added to, so that taking a
		// person off a row leaves what a count without them gives.
		if (funder != 0 && f.FunderID != funder) || split[i] == 0 {
			continue
		}
		v.SpentCents += n * split[i]
		v.AddFunderCents(f.FunderID, n*split[i])
	}
}

func (b *IndicatorBuilder) delay(k cellID, days int) {
	lc := b.localCell(k)
	lc.delays = append(lc.delays, days)
}

func (b *IndicatorBuilder) open(month, commune string) []int64 {
	k := month + "|" + commune
	c := b.Open[k]
	if c == nil {
		c = make([]int64, len(OpenDataMeasures))
		b.Open[k] = c
	}
	return c
}

// addOpenData counts a person once in each month they were handed a
// carnet, once in each month they used a pass, and once in the month of
// their first use.
func (b *IndicatorBuilder) addOpenData(p *PersonFacts, firstUse time.Time) {
	handed, used := map[string]bool{}, map[string]bool{}
	for ci := range p.Carnets {
		c := &p.Carnets[ci]
		handed[MonthOf(c.DistributedAt)] = true
		for i := range c.Passes {
			if f := &c.Passes[i]; f.Used() {
				used[MonthOf(f.RedeemedAt)] = true
			}
		}
	}
	for m := range handed {
		b.open(m, p.Commune)[0]++
	}
	for m := range used {
		b.open(m, p.Commune)[1]++
	}
	if !firstUse.IsZero() {
		b.open(MonthOf(firstUse), p.Commune)[2]++
	}
}

// SplitOpenDataKey splits an open data cell key into month and commune.
func SplitOpenDataKey(k string) (month, commune string) {
	month, commune, _ = strings.Cut(k, "|")
	return month, commune
}
