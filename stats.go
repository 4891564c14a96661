package passnum

import (
	"context"
	"math"
	"time"
)

// Funnel counts the passes of a programme that reached each step of their
// life, so each figure is at most the one before it:
//
//	issued ≥ activated ≥ allocated ≥ distributed ≥ started ≥ redeemed
//
// Started counts the passes of carnets of which at least one pass was
// redeemed (carnets "entamés"). Blocked and Expired count the passes now
// in those side exits, wherever they left the funnel.
type Funnel struct {
	Issued      int64 `json:"issued"`
	Activated   int64 `json:"activated"`
	Allocated   int64 `json:"allocated"`
	Distributed int64 `json:"distributed"`
	Started     int64 `json:"started"`
	Redeemed    int64 `json:"redeemed"`
	Blocked     int64 `json:"blocked"`
	Expired     int64 `json:"expired"`
}

// FunnelStep is one line of a funnel, for tables and charts.
type FunnelStep struct {
	Key   string // stable identifier: issued, activated…
	Label string // French
	Count int64
}

// Steps lists the funnel in order, with French labels.
func (f Funnel) Steps() []FunnelStep {
	return []FunnelStep{
		{"issued", "Émis", f.Issued},
		{"activated", "Activés (fonds reçus)", f.Activated},
		{"allocated", "Attribués aux prescripteurs", f.Allocated},
		{"distributed", "Remis aux personnes", f.Distributed},
		{"started", "Dans un carnet entamé", f.Started},
		{"redeemed", "Utilisés en atelier", f.Redeemed},
		{"expired", "Expirés", f.Expired},
	}
}

// CarnetCounts counts a programme's carnets the way funders follow them:
// issued, allocated to prescribers, handed out to people ("injectés"),
// and started ("entamés": at least one pass used).
type CarnetCounts struct {
	Issued      int64 `json:"issued"`
	Allocated   int64 `json:"allocated"`
	Distributed int64 `json:"distributed"`
	Started     int64 `json:"started"`
}

// ShareMoney is one funder's part of a programme's money, in cents:
// committed is its share of the funded budget, received what it paid in,
// spent its share of the passes used, remaining committed minus spent.
type ShareMoney struct {
	FunderID       int64  `json:"funder_id"`
	FunderName     string `json:"funder_name"`
	ShareBP        int    `json:"share_bp"`
	CommittedCents int64  `json:"committed_cents"`
	ReceivedCents  int64  `json:"received_cents"`
	SpentCents     int64  `json:"spent_cents"`
	RemainingCents int64  `json:"remaining_cents"`
}

// ProgrammeStats is what a programme's money achieved so far, recomputed
// from records at each call.
type ProgrammeStats struct {
	ProgrammeID int64        `json:"programme_id"`
	Funnel      Funnel       `json:"funnel"`
	Carnets     CarnetCounts `json:"carnets"`
	// SpentCents is the face value of the passes used (redeemed or settled).
	SpentCents int64        `json:"spent_cents"`
	Shares     []ShareMoney `json:"shares"`
	// StockBlockable and StockBlocked are what a block of the stock
	// would act on, so that a funder sees the count before confirming:
	// passes no one holds yet that can still be blocked, and those a
	// block of the stock holds.
	StockBlockable int64 `json:"stock_blockable"`
	StockBlocked   int64 `json:"stock_blocked"`
}

// StatsService computes the figures funders, hubs and the operator follow.
type StatsService interface {
	ProgrammeStats(ctx context.Context, programmeID int64) (*ProgrammeStats, error)
}

// SplitByShares splits amount in cents between shares in basis points
// (summing to BasisPoints) by the largest remainder method: each part is
// first rounded down, then the cents left go one by one to the largest
// remainders, ties to the earlier share. The parts always sum to amount,
// so no cent is lost or invented.
func SplitByShares(amount int64, shares []int) []int64 {
	out := make([]int64, len(shares))
	if len(shares) == 0 {
		return out
	}
	rem := make([]int64, len(shares))
	var given int64
	for i, bp := range shares {
		// amount ≤ 1e13 and bp ≤ 1e4: the product fits in an int64.
		out[i] = amount * int64(bp) / BasisPoints
		rem[i] = amount * int64(bp) % BasisPoints
		given += out[i]
	}
	for left := amount - given; left > 0; left-- {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
	}
	return out
}

// ExpiryAlertDays is how long before the end of validity funders are
// warned, so they can push distribution or block the stock in time.
const ExpiryAlertDays = 30

// DaysLeft returns the number of days from now's date (Paris time) to the
// last day of validity: 0 on that day, negative after it.
func (p *Programme) DaysLeft(now time.Time) int {
	until, err := time.ParseInLocation(DateLayout, p.ValidUntil, paris)
	if err != nil {
		return 0
	}
	y, m, d := now.In(paris).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, paris)
	// Round: a day across a change of summer time lasts 23 or 25 hours.
	return int(math.Round(until.Sub(today).Hours() / 24))
}

// ExpiresSoon tells whether funders must be warned: the last day of
// validity is at most ExpiryAlertDays away and not yet past.
func (p *Programme) ExpiresSoon(now time.Time) bool {
	d := p.DaysLeft(now)
	return d >= 0 && d <= ExpiryAlertDays
}
