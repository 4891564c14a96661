package passnum

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Selection of applications and the conventions that follow (issue 18,
// points 3 and 4). The call's funder scores a submitted application on
// the call's grid, then selects it within its envelope, or refuses it with
// a reason; a selected application becomes a convention whose parties
// sign it, and from which the operator creates the programme: its shares
// are those of the convention's amounts, never typed again.

// Review is the call's funder's reading of an application: points on each
// criterion of the call's grid, and a comment.
type Review struct {
	Scores  []Score `json:"scores"`
	Comment string  `json:"comment,omitempty"`
}

// Validate checks a review against the call's grid: each criterion once,
// points between 0 and its maximum.
func (r *Review) Validate(c *Call) error {
	if err := CheckStrings(r); err != nil {
		return err
	}
	r.Comment = strings.TrimSpace(r.Comment)
	if len(r.Comment) > 5000 {
		return Invalid("comment", "Le commentaire dépasse 5 000 caractères.")
	}
	seen := map[string]bool{}
	for i := range r.Scores {
		s := &r.Scores[i]
		s.Comment = strings.TrimSpace(s.Comment)
		max := -1
		for _, k := range c.Criteria {
			if k.Label == s.Criterion {
				max = k.MaxPoints
			}
		}
		if max < 0 {
			return Invalid("scores", "Le critère « %s » n'est pas dans la grille de l'appel.", s.Criterion)
		}
		if seen[s.Criterion] {
			return Invalid("scores", "Le critère « %s » est noté deux fois.", s.Criterion)
		}
		seen[s.Criterion] = true
		if s.Points < 0 || s.Points > max {
			return Invalid("scores", "Le critère « %s » se note de 0 à %d points.", s.Criterion, max)
		}
		if len(s.Comment) > 2000 {
			return Invalid("scores", "Le commentaire du critère « %s » dépasse 2 000 caractères.", s.Criterion)
		}
	}
	return nil
}

// Decision selects or refuses a submitted application, with the reason
// given to the applicant.
type Decision struct {
	Selected bool   `json:"selected"`
	Reason   string `json:"reason"`
}

// Validate checks a decision.
func (d *Decision) Validate() error {
	d.Reason = strings.TrimSpace(d.Reason)
	if err := CheckText("reason", d.Reason); err != nil {
		return err
	}
	if d.Reason == "" || len(d.Reason) > 2000 {
		return Invalid("reason", "Donnez le motif de la décision (2 000 caractères au plus) : le candidat le lit.")
	}
	return nil
}

// EnvelopeExceeded is the error of a selection that would commit more
// than a call's envelope.
func EnvelopeExceeded(c *Call, asked int64) *Error {
	return &Error{Code: EREFUSED, Reason: ReasonEnvelopeExceeded, Field: "lines",
		Message: fmt.Sprintf("Retenir cette candidature engagerait %s sur l'enveloppe de l'appel « %s », dont il reste %s (sur %s).",
			FrenchEuros(asked), c.Title, FrenchEuros(c.LeftCents), FrenchEuros(c.EnvelopeCents))}
}

// ConventionParty is a signatory of a convention: a funder that puts money
// in it, with the day it signed, if it has.
type ConventionParty struct {
	FunderID   int64  `json:"funder_id"`
	FunderName string `json:"funder_name"`
	SignedOn   string `json:"signed_on,omitempty"`
}

// Convention is what a selected application becomes: its parties, the
// amounts of each funder by year (as the addenda left them), its territory
// and duration, and the programmes it finances.
type Convention struct {
	ID            int64             `json:"id"`
	CallID        int64             `json:"call_id"`
	ApplicationID int64             `json:"application_id"`
	ApplicantID   int64             `json:"applicant_id"`
	Title         string            `json:"title"`
	Territory     []string          `json:"territory"`
	StartsOn      string            `json:"starts_on"`
	EndsOn        string            `json:"ends_on"`
	Parties       []ConventionParty `json:"parties"`
	Amounts       []FundingLine     `json:"amounts"`
	TotalCents    int64             `json:"total_cents"`
	Programmes    []int64           `json:"programmes"`
	// Signed tells whether every party signed.
	Signed    bool      `json:"signed"`
	CreatedAt time.Time `json:"created_at"`
}

// FunderTotal is what a funder puts in the convention, all years.
func (c *Convention) FunderTotal(funder int64) int64 {
	share, _ := fundingTotals(c.Amounts, funder)
	return share
}

// Shares splits the convention among its funders in basis points summing
// to 10 000, in proportion to their amounts: the largest remainders take
// the points that rounding down leaves, the funder listed first winning a
// tie, so that the split is the same every time.
func (c *Convention) Shares() []FunderShare {
	var order []int64
	totals := map[int64]int64{}
	names := map[int64]string{}
	var total int64
	for _, l := range c.Amounts {
		if _, ok := totals[l.FunderID]; !ok {
			order = append(order, l.FunderID)
		}
		totals[l.FunderID] += l.AmountCents
		names[l.FunderID] = l.FunderName
		total += l.AmountCents
	}
	if total <= 0 {
		return nil
	}
	out := make([]FunderShare, len(order))
	rem := make([]int64, len(order))
	given := 0
	for i, id := range order {
		bp := totals[id] * BasisPoints / total
		rem[i] = totals[id] * BasisPoints % total
		out[i] = FunderShare{FunderID: id, FunderName: names[id], ShareBP: int(bp)}
		given += int(bp)
	}
	for given < BasisPoints {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best].ShareBP++
		rem[best] = -1
		given++
	}
	// A funder whose amount is too small for one basis point has no share.
	kept := out[:0]
	for _, s := range out {
		if s.ShareBP > 0 {
			kept = append(kept, s)
		}
	}
	return kept
}

// ConventionCreate turns a selected application into a convention.
type ConventionCreate struct {
	ApplicationID int64  `json:"application_id"`
	StartsOn      string `json:"starts_on"`
	EndsOn        string `json:"ends_on"`
}

// Validate checks the convention's duration.
func (c *ConventionCreate) Validate() error {
	from, err := time.Parse(DateLayout, c.StartsOn)
	if err != nil {
		return Invalid("starts_on", "Date de début invalide : %q (AAAA-MM-JJ).", c.StartsOn)
	}
	until, err := time.Parse(DateLayout, c.EndsOn)
	if err != nil {
		return Invalid("ends_on", "Date de fin invalide : %q (AAAA-MM-JJ).", c.EndsOn)
	}
	if !until.After(from) {
		return Invalid("ends_on", "La convention finit après avoir commencé.")
	}
	if until.Sub(from) > 6*366*24*time.Hour {
		return Invalid("ends_on", "Une convention dure six ans au plus.")
	}
	return nil
}

// Signature records the day a party signed a convention (the signed paper
// or the signature service stays outside passnum).
type Signature struct {
	FunderID int64  `json:"funder_id"`
	SignedOn string `json:"signed_on"`
}

// ConventionProgramme is the input of CreateProgrammeFromConvention: what
// a programme has that a convention does not say. Its funders and shares,
// budget and territory come from the convention.
type ConventionProgramme struct {
	Name           string   `json:"name"`
	FaceValueCents int64    `json:"face_value_cents,omitempty"`
	CarnetSize     int      `json:"carnet_size,omitempty"`
	ValidFrom      string   `json:"valid_from"`
	ValidUntil     string   `json:"valid_until"`
	ToleranceDays  *int     `json:"tolerance_days,omitempty"`
	FeeBP          *int     `json:"fee_bp,omitempty"`
	Services       []string `json:"services,omitempty"`
}

// ProgrammeCreate is the programme the convention finances: shares from
// its amounts, budget the face value its total pays for once the fee is
// taken (rounded down: never issue a cent that is not financed).
func (p ConventionProgramme) ProgrammeCreate(c *Convention) ProgrammeCreate {
	out := ProgrammeCreate{Name: p.Name, Funders: c.Shares(), FaceValueCents: p.FaceValueCents, CarnetSize: p.CarnetSize,
		ValidFrom: p.ValidFrom, ValidUntil: p.ValidUntil, ToleranceDays: p.ToleranceDays, FeeBP: p.FeeBP,
		Territory: c.Territory, Services: p.Services}
	out.Normalize()
	out.BudgetCents = ActivationCapacity(c.TotalCents, *out.FeeBP)
	return out
}

// ConventionFilter selects conventions.
type ConventionFilter struct {
	CallID int64
	Offset int
	Limit  int
}

// SelectionService is the call's funder's side: review and decide on
// applications, then sign conventions and create their programmes.
type SelectionService interface {
	ReviewApplication(ctx context.Context, id int64, r Review) (*Application, error)
	DecideApplication(ctx context.Context, id int64, d Decision) (*Application, error)

	CreateConvention(ctx context.Context, c ConventionCreate) (*Convention, error)
	FindConvention(ctx context.Context, id int64) (*Convention, error)
	ListConventions(ctx context.Context, f ConventionFilter) ([]*Convention, int, error)
	SignConvention(ctx context.Context, id int64, s Signature) (*Convention, error)
	// CreateProgrammeFromConvention creates the programme a signed
	// convention finances.
	CreateProgrammeFromConvention(ctx context.Context, id int64, p ConventionProgramme) (*Programme, error)

	// CreateAddendum changes a convention's amounts within its call's
	// envelope and matching rule, never below what a funder already paid.
	CreateAddendum(ctx context.Context, conventionID int64, a AddendumCreate) (*Addendum, error)
	ListAddenda(ctx context.Context, conventionID int64) ([]*Addendum, error)
}

// Addendum (avenant) changes the amounts of a convention: a funder's
// amount for a year raised or lowered (never below what it already paid),
// or a co-funder brought in. Each has its number within its convention,
// its reason and its lines; the convention keeps them all.
type Addendum struct {
	ID           int64          `json:"id"`
	ConventionID int64          `json:"convention_id"`
	Number       int            `json:"number"`
	Reason       string         `json:"reason"`
	Lines        []AddendumLine `json:"lines"`
	CreatedAt    time.Time      `json:"created_at"`
}

// AddendumLine is one amount an addendum sets: before and after.
type AddendumLine struct {
	FunderID    int64  `json:"funder_id"`
	FunderName  string `json:"funder_name,omitempty"`
	Year        int    `json:"year"`
	BeforeCents int64  `json:"before_cents"`
	AfterCents  int64  `json:"after_cents"`
}

// AddendumCreate is the input of CreateAddendum: the new amounts, by
// funder and year (a funder new to the convention becomes a party).
type AddendumCreate struct {
	Reason  string        `json:"reason"`
	Amounts []FundingLine `json:"amounts"`
}

// Validate checks the shape of an addendum.
func (a *AddendumCreate) Validate() error {
	a.Reason = strings.TrimSpace(a.Reason)
	if err := CheckStrings(a); err != nil {
		return err
	}
	if a.Reason == "" || len(a.Reason) > 2000 {
		return Invalid("reason", "Donnez l'objet de l'avenant (2 000 caractères au plus).")
	}
	if len(a.Amounts) == 0 || len(a.Amounts) > 100 {
		return Invalid("amounts", "Un avenant fixe de 1 à 100 montants.")
	}
	seen := map[[2]int64]bool{}
	for _, l := range a.Amounts {
		if l.FunderID <= 0 || l.Year < 2000 || l.Year > 2100 {
			return Invalid("amounts", "Chaque montant de l'avenant nomme son financeur et son année.")
		}
		if l.AmountCents < 0 || l.AmountCents > 1e13 {
			return Invalid("amounts", "Un montant de l'avenant est positif ou nul (en centimes).")
		}
		k := [2]int64{l.FunderID, int64(l.Year)}
		if seen[k] {
			return Invalid("amounts", "Le financeur %d figure deux fois pour l'année %d.", l.FunderID, l.Year)
		}
		seen[k] = true
	}
	return nil
}

// AmountsBefore undoes addenda (oldest first) on amounts: the amounts as
// they were before the first of them. A line an addendum brought in is
// gone; the order of amounts is kept.
func AmountsBefore(amounts []FundingLine, addenda []*Addendum) []FundingLine {
	out := append([]FundingLine(nil), amounts...)
	for i := len(addenda) - 1; i >= 0; i-- {
		for _, l := range addenda[i].Lines {
			for j := range out {
				if out[j].FunderID == l.FunderID && out[j].Year == l.Year {
					out[j].AmountCents = l.BeforeCents
				}
			}
		}
	}
	kept := out[:0]
	for _, l := range out {
		if l.AmountCents > 0 {
			kept = append(kept, l)
		}
	}
	return kept
}

// FundCall (appel de fonds) asks a party of a convention for its amount
// of a year, or part of it, by a due date. What it paid is the payment
// orders recorded from it for the convention's programmes.
type FundCall struct {
	ID           int64     `json:"id"`
	ConventionID int64     `json:"convention_id"`
	FunderID     int64     `json:"funder_id"`
	FunderName   string    `json:"funder_name"`
	Year         int       `json:"year"`
	AmountCents  int64     `json:"amount_cents"`
	DueOn        string    `json:"due_on"`
	CreatedAt    time.Time `json:"created_at"`
}

// FundCallCreate is the input of CallForFunds.
type FundCallCreate struct {
	FunderID    int64  `json:"funder_id"`
	Year        int    `json:"year"`
	AmountCents int64  `json:"amount_cents"`
	DueOn       string `json:"due_on"`
}

// Validate checks the shape of a call for funds.
func (c *FundCallCreate) Validate() error {
	if c.FunderID <= 0 {
		return Invalid("funder_id", "Indiquez le financeur appelé.")
	}
	if c.AmountCents <= 0 || c.AmountCents > 1e13 {
		return Invalid("amount_cents", "Le montant appelé est positif (en centimes).")
	}
	if _, err := time.Parse(DateLayout, c.DueOn); err != nil {
		return Invalid("due_on", "Date d'échéance invalide : %q (AAAA-MM-JJ).", c.DueOn)
	}
	return nil
}

// FunderMoney is where a party of a convention stands: what it committed,
// what was called, what it paid, what it still owes on the calls made, and
// whether a call past its due date is not paid in full.
type FunderMoney struct {
	FunderID       int64  `json:"funder_id"`
	FunderName     string `json:"funder_name"`
	CommittedCents int64  `json:"committed_cents"`
	CalledCents    int64  `json:"called_cents"`
	ReceivedCents  int64  `json:"received_cents"`
	OwedCents      int64  `json:"owed_cents"`
	Late           bool   `json:"late"`
}

// MoneyIn is the follow-up of a convention's money: its calls for funds
// and each party's standing.
type MoneyIn struct {
	ConventionID int64         `json:"convention_id"`
	Calls        []FundCall    `json:"calls"`
	Funders      []FunderMoney `json:"funders"`
}

// Standing computes each party's standing from the calls made, what each
// paid and today's date: calls past due are owed first, and a party is
// late when what it paid does not cover them.
func Standing(c *Convention, calls []FundCall, received map[int64]int64, today string) []FunderMoney {
	out := make([]FunderMoney, 0, len(c.Parties))
	for _, p := range c.Parties {
		m := FunderMoney{FunderID: p.FunderID, FunderName: p.FunderName, CommittedCents: c.FunderTotal(p.FunderID), ReceivedCents: received[p.FunderID]}
		var due int64
		for _, fc := range calls {
			if fc.FunderID != p.FunderID {
				continue
			}
			m.CalledCents += fc.AmountCents
			if fc.DueOn < today {
				due += fc.AmountCents
			}
		}
		m.OwedCents = max(0, m.CalledCents-m.ReceivedCents)
		m.Late = due > m.ReceivedCents
		out = append(out, m)
	}
	return out
}

// MoneyInService follows the money a convention brings in.
type MoneyInService interface {
	// CallForFunds asks a party for (part of) its amount of a year; what
	// is called for a year never exceeds what the party committed for it.
	CallForFunds(ctx context.Context, conventionID int64, c FundCallCreate) (*FundCall, error)
	MoneyIn(ctx context.Context, conventionID int64) (*MoneyIn, error)
}
