package passnum

import "time"

// Ledger accounts. Every movement of value is a posting whose entries sum to
// zero; an entry's account is one of these, scoped to a programme and, for
// some, to a party (a funder or a venue). Balances are positive for value
// held in a state: the books reconcile with pass states when each state
// account's balance equals the number of passes in that state times the
// face value.
const (
	// AccountBank is money received from funders (party: the funder).
	AccountBank = "bank"
	// AccountFunderContribution is what each funder has paid in (negative).
	AccountFunderContribution = "funder_contribution"
	// AccountIssuance is the contra account of issuance: minus the face
	// value of every pass ever issued.
	AccountIssuance = "issuance"
	// AccountPassesIssued holds the value of issued, not yet activated passes.
	AccountPassesIssued = "passes_issued"
	// AccountPassesLive holds the value of activated, allocated and
	// distributed passes: spendable once in a beneficiary's hands.
	AccountPassesLive = "passes_live"
	// AccountPassesBlocked holds the value of blocked passes.
	AccountPassesBlocked = "passes_blocked"
	// AccountPassesExpired holds the value of expired passes, to be credited
	// back to funders.
	AccountPassesExpired = "passes_expired"
	// AccountVenuePayable holds what is owed to a venue for redeemed,
	// unsettled passes (party: the venue).
	AccountVenuePayable = "venue_payable"
	// AccountVenueStatement holds the value of redeemed passes on a venue
	// statement that is not paid yet, draft or validated (party: the
	// venue). A settlement run moves it from AccountVenuePayable; a
	// rejected transfer moves it back.
	AccountVenueStatement = "venue_statement"
	// AccountPassesSettled holds the value of settled passes: the venue
	// was paid for them (party: the venue).
	AccountPassesSettled = "passes_settled"
	// AccountVenuePayments is the money paid out to venues, by the funder
	// whose money it was (party: the funder): a payment moves each
	// funder's share of a statement out of AccountBank into it.
	AccountVenuePayments = "venue_payments"
	// AccountFunderCredit holds what credit notes owe funders back for
	// passes that expired unused (party: the funder), moved out of
	// AccountPassesExpired.
	AccountFunderCredit = "funder_credit"
)

// StateAccount returns the ledger account holding the value of passes in a
// state.
func StateAccount(s PassState) string {
	switch s {
	case StateIssued:
		return AccountPassesIssued
	case StateActivated, StateAllocated, StateDistributed:
		return AccountPassesLive
	case StateBlocked:
		return AccountPassesBlocked
	case StateExpired:
		return AccountPassesExpired
	case StateRedeemed:
		// On a draft or validated statement, a redeemed pass's value is
		// in AccountVenueStatement instead.
		return AccountVenuePayable
	case StateSettled:
		return AccountPassesSettled
	}
	return ""
}

// Entry is one line of a posting: amount in cents, positive or negative.
type Entry struct {
	Account     string `json:"account"`
	ProgrammeID int64  `json:"programme_id"`
	PartyID     int64  `json:"party_id,omitempty"`
	AmountCents int64  `json:"amount_cents"`
}

// Posting is one balanced movement of value.
type Posting struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"` // funds, issuance, activation, redemption, void, block, unblock, expiry, settlement, payment, rejection, credit
	Ref       string    `json:"ref"`
	Entries   []Entry   `json:"entries"`
	CreatedAt time.Time `json:"created_at"`
}

// Balanced tells whether the entries sum to zero.
func (p *Posting) Balanced() bool {
	var sum int64
	for _, e := range p.Entries {
		sum += e.AmountCents
	}
	return sum == 0 && len(p.Entries) >= 2
}

// Move returns the two entries that move amount from one account to another
// within a programme.
func Move(programmeID int64, from string, fromParty int64, to string, toParty int64, amount int64) []Entry {
	return []Entry{
		{Account: from, ProgrammeID: programmeID, PartyID: fromParty, AmountCents: -amount},
		{Account: to, ProgrammeID: programmeID, PartyID: toParty, AmountCents: amount},
	}
}

// CheckReport is the outcome of recomputing the invariants of DOMAIN.md.
type CheckReport struct {
	Programmes int      `json:"programmes"`
	Passes     int64    `json:"passes"`
	Postings   int64    `json:"postings"`
	Problems   []string `json:"problems"`
}

// OK tells whether every invariant holds.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 }
