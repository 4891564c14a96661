package passnum

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Indicators are what funders, hubs and the operator follow. Each is defined
// once, here, in Indicator.Definition; docs/INDICATORS.md is written from
// these definitions and a test keeps the two identical.
//
// They are computed from raw records by a snapshot job (the store's
// RefreshIndicators) and read from that snapshot, so that a dashboard on ten
// million passes answers at once: every page says when its figures were
// computed, and the check recounts them from records.

// Dimension is an axis along which indicators are broken down.
type Dimension string

// Dimensions.
const (
	DimProgramme   Dimension = "programme"
	DimFunder      Dimension = "funder"
	DimRegion      Dimension = "region"
	DimDepartement Dimension = "departement"
	DimCommune     Dimension = "commune"
	DimVenue       Dimension = "venue"
	DimPrescriber  Dimension = "prescriber"
	DimCategory    Dimension = "category"
	DimAgeBand     Dimension = "age_band"
	DimMonth       Dimension = "month"
)

// Dimensions lists the dimensions in the order dashboards offer them.
var Dimensions = []Dimension{DimProgramme, DimFunder, DimRegion, DimDepartement, DimCommune,
	DimVenue, DimPrescriber, DimCategory, DimAgeBand, DimMonth}

// Valid tells whether d is a known dimension.
func (d Dimension) Valid() bool {
	for _, x := range Dimensions {
		if x == d {
			return true
		}
	}
	return false
}

// Label is the dimension's French name, as a column heading.
func (d Dimension) Label() string {
	switch d {
	case DimProgramme:
		return "Programme"
	case DimFunder:
		return "Financeur"
	case DimRegion:
		return "Région"
	case DimDepartement:
		return "Département"
	case DimCommune:
		return "Commune"
	case DimVenue:
		return "Lieu"
	case DimPrescriber:
		return "Prescripteur"
	case DimCategory:
		return "Catégorie de service"
	case DimAgeBand:
		return "Tranche d'âge"
	case DimMonth:
		return "Mois"
	}
	return string(d)
}

// Definition says, for docs and tooltips, what a row of this dimension
// gathers.
func (d Dimension) Definition() string {
	switch d {
	case DimProgramme:
		return "the pass's programme."
	case DimFunder:
		return "each funder of the pass's programme: a pass financed by two funders counts in both rows, and money is each one's share."
	case DimRegion, DimDepartement, DimCommune:
		return "where the pass is: the commune of the person it was handed to; before that, the commune of the prescriber holding it; otherwise none (\"non localisé\")."
	case DimVenue:
		return "the venue where the pass was used; only used passes have one."
	case DimPrescriber:
		return "the prescriber the carnet was allocated to."
	case DimCategory:
		return "the service category (of the national venue standard) of the workshop the pass paid for."
	case DimAgeBand:
		return "the person's age band: given, or computed from the birth year in the year the person was registered."
	case DimMonth:
		return "the month (Paris time) in which each step happened: a pass counts as issued in the month of its batch, activated in the month of its activation, allocated and distributed in the month of its carnet's allocation and distribution, used in the month of its use; a carnet is started in the month of its first use. Stocks (blocked, expired) and people who used all their passes have no month."
	}
	return ""
}

// NoKey is the key of the row gathering what has no value in a dimension
// (a pass not yet localised, a person without an age band).
const NoKey = ""

// Indicator describes one indicator: its key, French label and definition.
type Indicator struct {
	Key        string
	Label      string
	Unit       string
	Definition string
	// Dimensions where the indicator has no meaning (shown as "—").
	NotFor []Dimension
}

// Applies tells whether the indicator has a meaning along d.
func (i Indicator) Applies(d Dimension) bool {
	for _, x := range i.NotFor {
		if x == d {
			return false
		}
	}
	return true
}

var passOnly = []Dimension{DimVenue, DimCategory}

// IndicatorDefinitions are all the indicators, in the order of tables.
var IndicatorDefinitions = []Indicator{
	{"issued", "Pass émis", "pass", "passes issued in a batch of the programme.", passOnly},
	{"activated", "Pass activés", "pass", "passes whose funds were received and that were activated, whatever their state now.", passOnly},
	{"allocated", "Pass attribués", "pass", "passes of carnets allocated to a prescriber.", passOnly},
	{"distributed", "Pass remis", "pass", "passes of carnets handed to a person.", passOnly},
	{"started", "Pass de carnets entamés", "pass", "passes of carnets of which at least one pass was used.", passOnly},
	{"redeemed", "Pass utilisés", "pass", "passes used at a venue (redeemed or settled); a voided use does not count.", nil},
	{"blocked", "Pass bloqués", "pass", "passes blocked now.", append([]Dimension{DimMonth}, passOnly...)},
	{"expired", "Pass expirés", "pass", "passes expired now.", append([]Dimension{DimMonth}, passOnly...)},
	{"redemption_rate", "Taux d'utilisation", "%", "used passes ÷ passes handed to people, in the same row (per ten thousand, shown as a percentage).", append([]Dimension{DimMonth}, passOnly...)},
	{"booked_at_handout_rate", "Part des personnes inscrites à un atelier lors de la remise", "%", "carnets handed to a person whose prescriber booked them into a workshop session when handing the carnet out (a booking still standing, not cancelled by either side) ÷ carnets handed to a person, in the same row (per ten thousand, shown as a percentage); along months, the month of the hand-out.", passOnly},
	{"people_reached", "Personnes accompagnées", "personnes", "distinct people with at least one used pass in the row; a person counts once in each row they appear in, and once in the total.", nil},
	{"people_completed", "Personnes ayant utilisé tous leurs pass", "personnes", "distinct people holding passes in the row who used every one of them.", []Dimension{DimVenue, DimCategory, DimMonth}},
	{"hours", "Heures de formation", "heures", "for each used pass, its workshop's duration divided by the workshop's price in passes, to the whole minute below; summed and shown in hours.", nil},
	{"delay_median", "Délai médian avant le premier atelier", "jours", "for each carnet handed to a person and started: days (Paris dates) from its distribution to its first use; the median, with the first and third quartiles (nearest-rank), of the carnets in the row. Venue, category and month are those of the first use.", nil},
	{"spent_cents", "Montant utilisé", "€", "face value of the used passes, split between funders pass by pass by their shares (largest remainder), so each funder's part adds up exactly across rows.", nil},
}

// IndicatorByKey returns the definition of key.
func IndicatorByKey(key string) (Indicator, bool) {
	for _, i := range IndicatorDefinitions {
		if i.Key == key {
			return i, true
		}
	}
	return Indicator{}, false
}

// DelayStats is a distribution of delays in days.
type DelayStats struct {
	Count  int64 `json:"count"`
	Q1     int   `json:"q1"`
	Median int   `json:"median"`
	Q3     int   `json:"q3"`
}

// DelayHistogram counts carnets by delay in days; the last bucket gathers
// MaxDelayDays and more.
type DelayHistogram map[int]int64

// MaxDelayDays caps the delays kept exactly: beyond two years of validity a
// delay is counted as this many days.
const MaxDelayDays = 1000

// Add counts one delay.
func (h DelayHistogram) Add(days int) {
	if days < 0 {
		days = 0
	}
	if days > MaxDelayDays {
		days = MaxDelayDays
	}
	h[days]++
}

// Stats returns the quartiles of the histogram by nearest rank: the q-th
// quantile of n sorted values is the value of rank ⌈q·n⌉.
func (h DelayHistogram) Stats() DelayStats {
	var n int64
	days := make([]int, 0, len(h))
	for d, c := range h {
		n += c
		days = append(days, d)
	}
	if n == 0 {
		return DelayStats{}
	}
	sort.Ints(days)
	at := func(num, den int64) int {
		rank := (num*n + den - 1) / den // ⌈num/den·n⌉
		if rank < 1 {
			rank = 1
		}
		var seen int64
		for _, d := range days {
			seen += h[d]
			if seen >= rank {
				return d
			}
		}
		return days[len(days)-1]
	}
	return DelayStats{Count: n, Q1: at(1, 4), Median: at(1, 2), Q3: at(3, 4)}
}

// FunderCents is one funder's part of an amount.
type FunderCents struct {
	FunderID int64 `json:"funder_id"`
	Cents    int64 `json:"cents"`
}

// IndicatorValues are the indicators of one row (or of the total).
type IndicatorValues struct {
	Funnel
	PeopleReached   int64 `json:"people_reached"`
	PeopleCompleted int64 `json:"people_completed"`
	Minutes         int64 `json:"minutes"`
	// HandedOut counts carnets handed to a person (Distributed counts
	// their passes), BookedAtHandOut those whose holder was booked into a
	// workshop at hand-out.
	HandedOut       int64          `json:"handed_out"`
	BookedAtHandOut int64          `json:"booked_at_handout"`
	Delays          DelayHistogram `json:"delays,omitempty"`
	SpentCents      int64          `json:"spent_cents"`
	ByFunder        []FunderCents  `json:"by_funder,omitempty"`
}

// Delay returns the quartiles of the delay before the first use.
func (v *IndicatorValues) Delay() DelayStats { return v.Delays.Stats() }

// RedemptionRateBP is used ÷ distributed in basis points (-1 when nothing was
// distributed).
func (v *IndicatorValues) RedemptionRateBP() int64 {
	if v.Distributed == 0 {
		return -1
	}
	return v.Redeemed * BasisPoints / v.Distributed
}

// BookedAtHandOutBP is the share of carnets handed out whose holder was
// booked into a workshop at hand-out, in basis points (-1 when no carnet
// was handed out).
func (v *IndicatorValues) BookedAtHandOutBP() int64 {
	if v.HandedOut == 0 {
		return -1
	}
	return v.BookedAtHandOut * BasisPoints / v.HandedOut
}

// FunderShare returns funder's part of the money used.
func (v *IndicatorValues) FunderShare(funder int64) int64 {
	for _, f := range v.ByFunder {
		if f.FunderID == funder {
			return f.Cents
		}
	}
	return 0
}

// AddFunderCents adds cents to funder's part, keeping ByFunder sorted.
func (v *IndicatorValues) AddFunderCents(funder, cents int64) {
	i := sort.Search(len(v.ByFunder), func(i int) bool { return v.ByFunder[i].FunderID >= funder })
	if i < len(v.ByFunder) && v.ByFunder[i].FunderID == funder {
		v.ByFunder[i].Cents += cents
		return
	}
	v.ByFunder = append(v.ByFunder, FunderCents{})
	copy(v.ByFunder[i+1:], v.ByFunder[i:])
	v.ByFunder[i] = FunderCents{funder, cents}
}

// Value returns an indicator's value as an integer for tables and exports,
// and false when it has no value (a rate without denominator, a delay
// without carnet). Money is in cents, hours in minutes, rates in basis
// points, delays in days.
func (v *IndicatorValues) Value(key string) (int64, bool) {
	switch key {
	case "issued":
		return v.Issued, true
	case "activated":
		return v.Activated, true
	case "allocated":
		return v.Allocated, true
	case "distributed":
		return v.Distributed, true
	case "started":
		return v.Started, true
	case "redeemed":
		return v.Redeemed, true
	case "blocked":
		return v.Blocked, true
	case "expired":
		return v.Expired, true
	case "redemption_rate":
		r := v.RedemptionRateBP()
		return r, r >= 0
	case "booked_at_handout_rate":
		r := v.BookedAtHandOutBP()
		return r, r >= 0
	case "people_reached":
		return v.PeopleReached, true
	case "people_completed":
		return v.PeopleCompleted, true
	case "hours":
		return v.Minutes, true
	case "delay_median":
		d := v.Delay()
		return int64(d.Median), d.Count > 0
	case "spent_cents":
		return v.SpentCents, true
	}
	return 0, false
}

// Format renders an indicator's value in French for a table cell.
func (v *IndicatorValues) Format(key string) string {
	n, ok := v.Value(key)
	if !ok {
		return "—"
	}
	switch key {
	case "redemption_rate", "booked_at_handout_rate":
		return FrenchPercent(int(n))
	case "hours":
		return FrenchNumber(n/60) + "," + strconv.FormatInt(n%60*10/60, 10)
	case "delay_median":
		d := v.Delay()
		return fmt.Sprintf("%d j (%d à %d)", d.Median, d.Q1, d.Q3)
	case "spent_cents":
		return FrenchEuros(n)
	}
	return FrenchNumber(n)
}

// AddFunnel adds a funnel's counts to v.
func (v *IndicatorValues) AddFunnel(o Funnel) {
	v.Issued += o.Issued
	v.Activated += o.Activated
	v.Allocated += o.Allocated
	v.Distributed += o.Distributed
	v.Started += o.Started
	v.Redeemed += o.Redeemed
	v.Blocked += o.Blocked
	v.Expired += o.Expired
}

// Scope is whose passes a set of indicators counts: everything ("all"), a
// programme, a funder's programmes, a hub's territory, or a région or a
// département (an area, for the operator's territorial reports).
type Scope struct {
	Kind string `json:"kind"` // all, programme, funder, hub, area
	ID   int64  `json:"id,omitempty"`
	// Area is the région or département of an area scope: "departement:35".
	Area string `json:"area,omitempty"`
	// Year restricts the figures to the steps that happened in that year
	// (Paris time); 0 is all time. Stocks (blocked, expired) and people
	// who used all their passes have no period.
	Year int `json:"year,omitempty"`
}

// Scope kinds.
const (
	ScopeAll       = "all"
	ScopeProgramme = "programme"
	ScopeFunder    = "funder"
	ScopeHub       = "hub"
	ScopeArea      = "area"
)

// ScopeAllPasses is the scope of every pass.
var ScopeAllPasses = Scope{Kind: ScopeAll}

func (s Scope) String() string {
	out := ScopeAll
	switch s.Kind {
	case ScopeAll, "":
	case ScopeArea:
		out = ScopeArea + ":" + s.Area
	default:
		out = s.Kind + ":" + strconv.FormatInt(s.ID, 10)
	}
	if s.Year != 0 {
		out += "@" + strconv.Itoa(s.Year)
	}
	return out
}

// WholeTime returns the scope over all time.
func (s Scope) WholeTime() Scope { s.Year = 0; return s }

// ParseScope reads "all", "programme:12", "funder:3", "hub:7",
// "area:region:53" or "area:departement:35", each optionally followed by a
// year: "funder:3@2026".
func ParseScope(s string) (Scope, error) {
	bad := Invalid("scope", "Périmètre inconnu : %q (all, programme:N, funder:N, hub:N, area:region:N ou area:departement:N, suivi si besoin de @année).", s)
	base, yearText, hasYear := strings.Cut(s, "@")
	var sc Scope
	if base == "" || base == ScopeAll {
		sc = ScopeAllPasses
	} else if rest, ok := strings.CutPrefix(base, ScopeArea+":"); ok {
		a, err := ParseArea(rest)
		if err != nil || a.Level == LevelCommune {
			return Scope{}, bad
		}
		sc = Scope{Kind: ScopeArea, Area: a.String()}
	} else {
		kind, id, ok := strings.Cut(base, ":")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil || n <= 0 || (kind != ScopeProgramme && kind != ScopeFunder && kind != ScopeHub) {
			return Scope{}, bad
		}
		sc = Scope{Kind: kind, ID: n}
	}
	if hasYear {
		y, err := strconv.Atoi(yearText)
		if err != nil || y < 2000 || y > 2200 {
			return Scope{}, bad
		}
		sc.Year = y
	}
	return sc, nil
}

// IndicatorRow is one row of a breakdown.
type IndicatorRow struct {
	Key    string          `json:"key"`
	Label  string          `json:"label"`
	Values IndicatorValues `json:"values"`
}

// IndicatorReport is a breakdown of a scope's indicators along a dimension,
// as of the snapshot's time.
type IndicatorReport struct {
	Scope      Scope           `json:"scope"`
	ScopeLabel string          `json:"scope_label"`
	Dimension  Dimension       `json:"dimension"`
	ComputedAt time.Time       `json:"computed_at"`
	Total      IndicatorValues `json:"total"`
	Rows       []IndicatorRow  `json:"rows"`
	// Funders names the funders of ByFunder parts.
	Funders map[int64]string `json:"funders"`
	// Years are the years the scope has figures for (periods to choose).
	Years []int `json:"years"`
	// Freshness says how recent the figures are when a read replica
	// serves them (serve --db-read); nil without one.
	Freshness *Freshness `json:"freshness,omitempty"`
}

// IndicatorSnapshot describes a computation of the indicators.
type IndicatorSnapshot struct {
	ID         int64         `json:"id"`
	ComputedAt time.Time     `json:"computed_at"`
	Duration   time.Duration `json:"duration_ns"`
	Passes     int64         `json:"passes"`
	Cells      int64         `json:"cells"`
	// Freshness says how recent the figures are when a read replica
	// serves them (serve --db-read); nil without one.
	Freshness *Freshness `json:"freshness,omitempty"`
}

// ScopeChoice is a scope an actor may read, with its French label.
type ScopeChoice struct {
	Scope Scope  `json:"scope"`
	Label string `json:"label"`
}

// OpenDataMeasures are the counts published as open data, per commune (of
// the person) and month. All count people, never passes: a carnet holds
// ten passes, so a count of passes of 5 or more can be one person, and the
// threshold of 5 must protect people. Each adds up across communes (a
// person lives in one) within a month: people handed a carnet that month,
// people who used a pass that month, people who used their first pass that
// month (each once over all months).
var OpenDataMeasures = []string{"personnes_carnet_remis", "personnes_accompagnees", "nouvelles_personnes"}

// OpenDataCell is one (month, commune) cell of the open data export, before
// suppression: confidential.
type OpenDataCell struct {
	Month   string
	Commune string
	Counts  []int64 // indexed like OpenDataMeasures
}

// IndicatorService computes and reads the indicators.
type IndicatorService interface {
	// RefreshIndicators brings every indicator up to date from raw records
	// into a new snapshot, counting again only the people whose carnets
	// changed since the latest one when it can; progress (may be nil) is
	// told how many passes were read.
	RefreshIndicators(ctx context.Context, progress func(done, total int64)) (*IndicatorSnapshot, error)
	// Indicators reads a breakdown from the latest snapshot.
	Indicators(ctx context.Context, scope Scope, dim Dimension) (*IndicatorReport, error)
	// IndicatorScopes lists the scopes the actor may read.
	IndicatorScopes(ctx context.Context) ([]ScopeChoice, error)
	// OpenData returns the latest snapshot's open data cells (anonymous,
	// public, before suppression) and when they were computed.
	OpenData(ctx context.Context) ([]OpenDataCell, time.Time, error)
	// LatestIndicators describes the latest snapshot (public: when the
	// figures were computed says nothing about anyone), ENOTFOUND before
	// the first.
	LatestIndicators(ctx context.Context) (*IndicatorSnapshot, error)
}

// AgeBandUnder16 is the band of people under 16, who may hold passes from 12.
const AgeBandUnder16 = "12-15"

// AgeBandOf returns the age band of a person born in birthYear, in year.
func AgeBandOf(birthYear, year int) string {
	age := year - birthYear
	switch {
	case age < 16:
		return AgeBandUnder16
	case age <= 25:
		return "16-25"
	case age <= 44:
		return "26-44"
	case age <= 59:
		return "45-59"
	case age <= 74:
		return "60-74"
	}
	return "75+"
}

// MonthOf returns the Paris month ("2026-03") of t.
func MonthOf(t time.Time) string { return t.In(paris).Format("2006-01") }

// DaysBetween counts the days between the Paris dates of from and to.
func DaysBetween(from, to time.Time) int {
	fy, fm, fd := from.In(paris).Date()
	ty, tm, td := to.In(paris).Date()
	a := time.Date(fy, fm, fd, 12, 0, 0, 0, time.UTC)
	b := time.Date(ty, tm, td, 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// YearOf returns the Paris year of t.
func YearOf(t time.Time) int { return t.In(paris).Year() }

// IndicatorsMarkdown renders the definitions as the generated part of
// docs/INDICATORS.md, so that the page and the code say the same thing.
func IndicatorsMarkdown() string {
	var b strings.Builder
	b.WriteString("### Indicators\n\n| key | label | unit | definition | no meaning along |\n|---|---|---|---|---|\n")
	for _, i := range IndicatorDefinitions {
		var not []string
		for _, d := range i.NotFor {
			not = append(not, string(d))
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", i.Key, i.Label, i.Unit, i.Definition, strings.Join(not, ", "))
	}
	b.WriteString("\n### Dimensions\n\n| key | label | a row gathers |\n|---|---|---|\n")
	for _, d := range Dimensions {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", d, d.Label(), d.Definition())
	}
	b.WriteString("\n### Open data measures\n\n")
	for _, m := range OpenDataMeasures {
		fmt.Fprintf(&b, "- `%s`\n", m)
	}
	return b.String()
}
