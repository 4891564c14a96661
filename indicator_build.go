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
	Passes        []PassFact
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
// key, person by person.
type IndicatorBuilder struct {
	refs   IndicatorRefs
	splits map[int64][]int64 // a pass's face value split between its programme's funders
	Cells  map[CellKey]*IndicatorValues
	Open   map[string][]int64 // open data cells, "month|commune" → counts
	Passes int64

	local map[CellKey]*localCell
}

type localCell struct {
	v                IndicatorValues
	anyUsed, allUsed bool
}

// NewIndicatorBuilder returns an empty builder.
func NewIndicatorBuilder(refs IndicatorRefs) *IndicatorBuilder {
	b := &IndicatorBuilder{refs: refs, splits: map[int64][]int64{}, Cells: map[CellKey]*IndicatorValues{},
		Open: map[string][]int64{}, local: map[CellKey]*localCell{}}
	for id, p := range refs.Programmes {
		shares := make([]int, len(p.Funders))
		for i, f := range p.Funders {
			shares[i] = f.ShareBP
		}
		b.splits[id] = SplitByShares(p.FaceValueCents, shares)
	}
	return b
}

func (b *IndicatorBuilder) cell(k CellKey) *IndicatorValues {
	v := b.Cells[k]
	if v == nil {
		v = &IndicatorValues{}
		b.Cells[k] = v
	}
	return v
}

func (b *IndicatorBuilder) localCell(k CellKey) *localCell {
	c := b.local[k]
	if c == nil {
		c = &localCell{allUsed: true}
		b.local[k] = c
	}
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
func (b *IndicatorBuilder) scopes(c *CarnetFact, place string) []string {
	out := []string{ScopeAll, ScopeProgramme + ":" + id(c.ProgrammeID)}
	for _, f := range b.refs.Programmes[c.ProgrammeID].Funders {
		out = append(out, ScopeFunder+":"+id(f.FunderID))
	}
	if place != NoKey {
		for _, h := range b.refs.Hubs {
			if h.Territory.Contains(place) {
				out = append(out, ScopeHub+":"+id(h.ID))
			}
		}
	}
	return out
}

// groups are the rows, along every dimension but month, venue and
// category, that a carnet's passes belong to.
type group struct {
	dim    Dimension
	key    string
	funder int64 // in a funder row, whose share the money is
}

func (b *IndicatorBuilder) carnetGroups(p *PersonFacts, c *CarnetFact, place string) []group {
	dep := DepartementOfCommune(place)
	out := []group{
		{DimTotal, NoKey, 0},
		{DimProgramme, id(c.ProgrammeID), 0},
		{DimRegion, RegionOfDepartement(dep), 0},
		{DimDepartement, dep, 0},
		{DimCommune, place, 0},
		{DimPrescriber, id(c.PrescriberID), 0},
		{DimAgeBand, p.AgeBand, 0},
	}
	for _, f := range b.refs.Programmes[c.ProgrammeID].Funders {
		out = append(out, group{DimFunder, id(f.FunderID), f.FunderID})
	}
	return out
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
			suffix := ""
			if year != 0 {
				suffix = "@" + strconv.Itoa(year)
			}
			for _, scope := range scopes {
				b.countCarnet(p, c, first, scope+suffix, year, groups)
			}
		}
		if p.ID != 0 {
			b.addOpenData(p, c)
		}
	}
	if p.ID != 0 && !firstUse.IsZero() {
		b.open(MonthOf(firstUse), p.Commune)[2]++
	}
	// Merge: counts add up; a person counts once per row.
	for k, lc := range b.local {
		v := b.cell(k)
		v.AddFunnel(lc.v.Funnel)
		v.Minutes += lc.v.Minutes
		v.SpentCents += lc.v.SpentCents
		for _, f := range lc.v.ByFunder {
			v.AddFunderCents(f.FunderID, f.Cents)
		}
		if p.ID == 0 {
			continue
		}
		if lc.anyUsed {
			v.PeopleReached++
		}
		if lc.allUsed && k.Dim != DimMonth && k.Dim != DimVenue && k.Dim != DimCategory && !strings.Contains(k.Scope, "@") {
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
func (b *IndicatorBuilder) countCarnet(p *PersonFacts, c *CarnetFact, first *PassFact, scope string, year int, groups []group) {
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
	if p.ID != 0 && (year == 0 || in(c.DistributedAt, year)) {
		cf.Distributed = size
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
		lc := b.localCell(CellKey{scope, g.dim, g.key})
		lc.v.AddFunnel(cf)
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
	month := func(t time.Time) *localCell { return b.localCell(CellKey{scope, DimMonth, MonthOf(t)}) }
	if t := b.refs.BatchDates[c.BatchID]; in(t, year) {
		month(t).v.Issued += size
	}
	if c.PrescriberID != 0 && in(c.AllocatedAt, year) {
		month(c.AllocatedAt).v.Allocated += size
	}
	if p.ID != 0 && in(c.DistributedAt, year) {
		month(c.DistributedAt).v.Distributed += size
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
		svc := b.refs.Services[f.ServiceID]
		for _, lc := range []*localCell{month(f.RedeemedAt),
			b.localCell(CellKey{scope, DimVenue, id(f.VenueID)}),
			b.localCell(CellKey{scope, DimCategory, svc.Category})} {
			lc.v.Redeemed++
			lc.anyUsed = true
			lc.v.Minutes += svc.MinutesPerPass
			b.addMoney(&lc.v, prog, split, 0, 1)
		}
	}

	// Delay from distribution to first use, per carnet, in the period of
	// the first use.
	if p.ID != 0 && started {
		days := DaysBetween(c.DistributedAt, first.RedeemedAt)
		for _, g := range groups {
			b.delay(CellKey{scope, g.dim, g.key}, days)
		}
		b.delay(CellKey{scope, DimMonth, MonthOf(first.RedeemedAt)}, days)
		b.delay(CellKey{scope, DimVenue, id(first.VenueID)}, days)
		b.delay(CellKey{scope, DimCategory, b.refs.Services[first.ServiceID].Category}, days)
	}
}

// addMoney adds the face value of n used passes, split pass by pass between
// their funders, or only funder's part in a funder's row.
func (b *IndicatorBuilder) addMoney(v *IndicatorValues, prog ProgrammeRef, split []int64, funder, n int64) {
	for i, f := range prog.Funders {
		if funder != 0 && f.FunderID != funder {
			continue
		}
		v.SpentCents += n * split[i]
		v.AddFunderCents(f.FunderID, n*split[i])
	}
}

func (b *IndicatorBuilder) delay(k CellKey, days int) {
	v := b.cell(k)
	if v.Delays == nil {
		v.Delays = DelayHistogram{}
	}
	v.Delays.Add(days)
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

func (b *IndicatorBuilder) addOpenData(p *PersonFacts, c *CarnetFact) {
	b.open(MonthOf(c.DistributedAt), p.Commune)[0] += int64(len(c.Passes))
	for i := range c.Passes {
		if f := &c.Passes[i]; f.Used() {
			b.open(MonthOf(f.RedeemedAt), p.Commune)[1]++
		}
	}
}

// SplitOpenDataKey splits an open data cell key into month and commune.
func SplitOpenDataKey(k string) (month, commune string) {
	month, commune, _ = strings.Cut(k, "|")
	return month, commune
}
