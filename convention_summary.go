package passnum

import (
	"context"
	"slices"
	"strings"
)

// The conventions of a territory, for the conférence des financeurs
// (issue 18, point 6): for each convention, what its parties committed
// (as the addenda left it), what was called and received, and what its
// programmes did with the money: passes financed, issued, handed out and
// used. Conventions are grouped by their territory, each group with its
// total, and the whole with its total: every total is the sum of its
// parts, so that a table printed for a conférence adds up.

// ConventionTotals are the figures of a convention, of a territory's
// conventions or of all of them.
type ConventionTotals struct {
	Conventions    int   `json:"conventions"`
	CommittedCents int64 `json:"committed_cents"`
	CalledCents    int64 `json:"called_cents"`
	ReceivedCents  int64 `json:"received_cents"`
	// PassesFinanced is how many passes the programmes' budgets pay for
	// at their face value.
	PassesFinanced int64 `json:"passes_financed"`
	Issued         int64 `json:"issued"`
	Distributed    int64 `json:"distributed"`
	Redeemed       int64 `json:"redeemed"`
}

// Add adds u to t.
func (t *ConventionTotals) Add(u ConventionTotals) {
	t.Conventions += u.Conventions
	t.CommittedCents += u.CommittedCents
	t.CalledCents += u.CalledCents
	t.ReceivedCents += u.ReceivedCents
	t.PassesFinanced += u.PassesFinanced
	t.Issued += u.Issued
	t.Distributed += u.Distributed
	t.Redeemed += u.Redeemed
}

// ConventionFigures is one convention in the summary of a territory: its
// parties' standing (committed, called, received) and its programmes'
// passes. Totals is the sum of its funders' money and of its programmes'
// passes, with Conventions = 1.
type ConventionFigures struct {
	ConventionID int64    `json:"convention_id"`
	Title        string   `json:"title"`
	CallID       int64    `json:"call_id"`
	Territory    []string `json:"territory"`
	StartsOn     string   `json:"starts_on"`
	EndsOn       string   `json:"ends_on"`
	// SignedOn is the day the last party signed, empty until all have.
	SignedOn string `json:"signed_on,omitempty"`
	// Amounts are each funder's amounts by year, after the addenda.
	Amounts    []FundingLine    `json:"amounts"`
	Funders    []FunderMoney    `json:"funders"`
	Programmes []int64          `json:"programmes"`
	Totals     ConventionTotals `json:"totals"`
}

// ConventionPassFigures are the passes of one programme a convention
// finances.
type ConventionPassFigures struct {
	BudgetCents    int64
	FaceValueCents int64
	Funnel         Funnel
}

// NewConventionFigures puts together a convention's line: its parties'
// standing and its programmes' passes.
func NewConventionFigures(c *Convention, funders []FunderMoney, programmes []ConventionPassFigures) ConventionFigures {
	f := ConventionFigures{ConventionID: c.ID, Title: c.Title, CallID: c.CallID, Territory: c.Territory, StartsOn: c.StartsOn, EndsOn: c.EndsOn,
		Amounts: c.Amounts, Funders: funders, Programmes: c.Programmes, Totals: ConventionTotals{Conventions: 1}}
	if f.Amounts == nil {
		f.Amounts = []FundingLine{}
	}
	if f.Funders == nil {
		f.Funders = []FunderMoney{}
	}
	if c.Signed {
		for _, p := range c.Parties {
			f.SignedOn = max(f.SignedOn, p.SignedOn)
		}
	}
	for _, m := range funders {
		f.Totals.CommittedCents += m.CommittedCents
		f.Totals.CalledCents += m.CalledCents
		f.Totals.ReceivedCents += m.ReceivedCents
	}
	for _, p := range programmes {
		if p.FaceValueCents > 0 {
			f.Totals.PassesFinanced += p.BudgetCents / p.FaceValueCents
		}
		f.Totals.Issued += p.Funnel.Issued
		f.Totals.Distributed += p.Funnel.Distributed
		f.Totals.Redeemed += p.Funnel.Redeemed
	}
	return f
}

// TerritoryConventions are the conventions of one territory (the areas
// a convention names, "departement:35") with their total.
type TerritoryConventions struct {
	Territory   []string            `json:"territory"`
	Conventions []ConventionFigures `json:"conventions"`
	Total       ConventionTotals    `json:"total"`
}

// ConventionSummary is the summary of the conventions the reader may see
// in an area (or everywhere), by territory.
type ConventionSummary struct {
	// Area is the filter: "region:53", "departement:35", or empty for
	// everywhere.
	Area        string                 `json:"area,omitempty"`
	Territories []TerritoryConventions `json:"territories"`
	Total       ConventionTotals       `json:"total"`
}

// SummarizeConventions groups conventions by territory, territories in
// the order of their areas and conventions by number within each, and
// adds them up.
func SummarizeConventions(area string, lines []ConventionFigures) *ConventionSummary {
	out := &ConventionSummary{Area: area, Territories: []TerritoryConventions{}}
	byKey := map[string]int{}
	sorted := slices.Clone(lines)
	slices.SortFunc(sorted, func(a, b ConventionFigures) int {
		if c := strings.Compare(strings.Join(a.Territory, " "), strings.Join(b.Territory, " ")); c != 0 {
			return c
		}
		return int(a.ConventionID - b.ConventionID)
	})
	for _, l := range sorted {
		key := strings.Join(l.Territory, " ")
		i, ok := byKey[key]
		if !ok {
			i = len(out.Territories)
			byKey[key] = i
			out.Territories = append(out.Territories, TerritoryConventions{Territory: l.Territory})
		}
		g := &out.Territories[i]
		g.Conventions = append(g.Conventions, l)
		g.Total.Add(l.Totals)
		out.Total.Add(l.Totals)
	}
	return out
}

// ConventionSummaryFilter selects the conventions of a summary, among
// those the reader may see. Zero fields select everything.
type ConventionSummaryFilter struct {
	// Area is a région or a département ("region:53", "departement:35"):
	// the conventions whose territory overlaps it.
	Area string
	// FunderID keeps the conventions where the funder is a party or runs
	// the call.
	FunderID int64
	// HubID keeps the conventions concerning the hub's territory (none
	// while it has no territory).
	HubID int64
	// ProgrammeID keeps the convention that finances the programme.
	ProgrammeID int64
}

// ConventionFilterForScope is the filter of an indicator scope: the
// conventions a territorial report of that scope prints.
func ConventionFilterForScope(s Scope) ConventionSummaryFilter {
	switch s.Kind {
	case ScopeArea:
		return ConventionSummaryFilter{Area: s.Area}
	case ScopeFunder:
		return ConventionSummaryFilter{FunderID: s.ID}
	case ScopeHub:
		return ConventionSummaryFilter{HubID: s.ID}
	case ScopeProgramme:
		return ConventionSummaryFilter{ProgrammeID: s.ID}
	}
	return ConventionSummaryFilter{}
}

// ValidateSummaryArea checks an area filter: a région or a département.
func ValidateSummaryArea(area string) (string, error) {
	area = strings.TrimSpace(area)
	if area == "" {
		return "", nil
	}
	a, err := ParseArea(area)
	if err != nil || a.Level == LevelCommune {
		return "", Invalid("area", "Territoire inconnu : %q. Choisissez une région (region:53) ou un département (departement:35).", area)
	}
	return a.String(), nil
}

// PublicConvention is what open data publishes of a convention signed by
// the parties of the application it came from: public amounts of public
// bodies and companies, no person. Parties are organisations, named as
// they are registered; one an addendum brought in has no signature day
// until it signs.
type PublicConvention struct {
	Number    int64                   `json:"number"`
	Territory []string                `json:"territory"`
	SignedOn  string                  `json:"signed_on"`
	StartsOn  string                  `json:"starts_on"`
	EndsOn    string                  `json:"ends_on"`
	Parties   []PublicConventionParty `json:"parties"`
}

// PublicConventionParty is one party's public amounts: by year, what it
// committed and what was called from it; in all, what it paid.
type PublicConventionParty struct {
	Name           string                 `json:"name"`
	SignedOn       string                 `json:"signed_on,omitempty"`
	Years          []PublicConventionYear `json:"years"`
	CommittedCents int64                  `json:"committed_cents"`
	CalledCents    int64                  `json:"called_cents"`
	ReceivedCents  int64                  `json:"received_cents"`
}

// PublicConventionYear is a party's amounts for one year.
type PublicConventionYear struct {
	Year           int   `json:"year"`
	CommittedCents int64 `json:"committed_cents"`
	CalledCents    int64 `json:"called_cents"`
}

// ConventionSummaryService reads the conventions of a territory.
type ConventionSummaryService interface {
	// ConventionSummary summarises the conventions the reader may see
	// (the operator all, a funder those it is a party to or whose call it
	// runs, a hub those of its territory) that the filter keeps.
	ConventionSummary(ctx context.Context, f ConventionSummaryFilter) (*ConventionSummary, error)
	// PublicConventions lists the signed conventions' public amounts, for
	// open data: anyone may read them.
	PublicConventions(ctx context.Context) ([]PublicConvention, error)
}
