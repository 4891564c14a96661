package passnum

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Calls for projects (appels à projets) and the applications that answer
// them: how the money of a programme comes in (issue 18). A funder — the
// State, or any funder — opens a call with an envelope and a matching
// rule; collectivités apply with an action plan and a budget by year in
// which they commit their own money; the funder selects within its
// envelope, and a selected application becomes a convention.

// DefaultMaxShareBP is the matching rule of the 2020 scheme: the funder
// of the call pays at most half of each convention (one euro of the
// collectivité for each euro of the State).
const DefaultMaxShareBP = 5000

// ApplicantKind is the kind of collectivité that applies to a call.
type ApplicantKind string

// Applicant kinds of the scheme: the collectivités that co-finance passes,
// and a group of them led by one.
const (
	ApplicantRegion        ApplicantKind = "region"
	ApplicantDepartement   ApplicantKind = "departement"
	ApplicantEPCI          ApplicantKind = "epci"
	ApplicantCommune       ApplicantKind = "commune"
	ApplicantSyndicatMixte ApplicantKind = "syndicat_mixte"
	ApplicantGroup         ApplicantKind = "groupement"
)

// ApplicantKinds lists every applicant kind, in a stable order.
var ApplicantKinds = []ApplicantKind{ApplicantRegion, ApplicantDepartement, ApplicantEPCI, ApplicantCommune, ApplicantSyndicatMixte, ApplicantGroup}

// Valid tells whether k is a known applicant kind.
func (k ApplicantKind) Valid() bool {
	for _, v := range ApplicantKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Label is the French name of the kind.
func (k ApplicantKind) Label() string {
	switch k {
	case ApplicantRegion:
		return "région"
	case ApplicantDepartement:
		return "département"
	case ApplicantEPCI:
		return "intercommunalité (EPCI)"
	case ApplicantCommune:
		return "commune"
	case ApplicantSyndicatMixte:
		return "syndicat mixte"
	case ApplicantGroup:
		return "groupement de collectivités"
	}
	return string(k)
}

// Criterion is one line of a call's scoring grid.
type Criterion struct {
	Label     string `json:"label"`
	MaxPoints int    `json:"max_points"`
}

// Call is a call for projects opened by a funder.
type Call struct {
	ID             int64           `json:"id"`
	FunderID       int64           `json:"funder_id"`
	FunderName     string          `json:"funder_name"`
	Title          string          `json:"title"`
	Description    string          `json:"description"`
	EnvelopeCents  int64           `json:"envelope_cents"`
	MaxShareBP     int             `json:"max_share_bp"`
	ApplicantKinds []ApplicantKind `json:"applicant_kinds"`
	Territory      []string        `json:"territory"`
	OpensOn        string          `json:"opens_on"`
	ClosesOn       string          `json:"closes_on"`
	Questions      []string        `json:"questions"`
	Criteria       []Criterion     `json:"criteria"`
	// CommittedCents is what the call's funder committed to the selected
	// applications; the envelope left is EnvelopeCents minus it.
	CommittedCents int64     `json:"committed_cents"`
	LeftCents      int64     `json:"left_cents"`
	Applications   int       `json:"applications"`
	CreatedAt      time.Time `json:"created_at"`
}

// OpenOn tells whether applications may be submitted on a day (YYYY-MM-DD).
func (c *Call) OpenOn(day string) bool { return c.OpensOn <= day && day <= c.ClosesOn }

// Eligible tells whether an applicant kind may apply.
func (c *Call) Eligible(k ApplicantKind) bool {
	for _, v := range c.ApplicantKinds {
		if v == k {
			return true
		}
	}
	return false
}

// CallCreate is the input of CreateCall. FunderID may be left out by a
// funder opening its own call; the operator names the funder.
type CallCreate struct {
	FunderID       int64           `json:"funder_id,omitempty"`
	Title          string          `json:"title"`
	Description    string          `json:"description"`
	EnvelopeCents  int64           `json:"envelope_cents"`
	MaxShareBP     int             `json:"max_share_bp,omitempty"`
	ApplicantKinds []ApplicantKind `json:"applicant_kinds"`
	Territory      []string        `json:"territory"`
	OpensOn        string          `json:"opens_on"`
	ClosesOn       string          `json:"closes_on"`
	Questions      []string        `json:"questions,omitempty"`
	Criteria       []Criterion     `json:"criteria,omitempty"`
}

// Normalize trims the input and fills the defaults of the scheme.
func (c *CallCreate) Normalize() {
	c.Title = strings.TrimSpace(c.Title)
	c.Description = strings.TrimSpace(c.Description)
	if c.MaxShareBP == 0 {
		c.MaxShareBP = DefaultMaxShareBP
	}
	if len(c.Territory) == 0 {
		c.Territory = nil
	}
	for i := range c.Questions {
		c.Questions[i] = strings.TrimSpace(c.Questions[i])
	}
	for i := range c.Criteria {
		c.Criteria[i].Label = strings.TrimSpace(c.Criteria[i].Label)
	}
}

// Validate checks a call before it is opened. Call Normalize first.
func (c *CallCreate) Validate() error {
	if err := CheckStrings(c); err != nil {
		return err
	}
	if c.Title == "" || len(c.Title) > 200 {
		return Invalid("title", "Le titre de l'appel à projets est obligatoire (200 caractères au plus).")
	}
	if len(c.Description) > 20000 {
		return Invalid("description", "La présentation de l'appel dépasse 20 000 caractères.")
	}
	if c.EnvelopeCents <= 0 || c.EnvelopeCents > 1e13 {
		return Invalid("envelope_cents", "L'enveloppe de l'appel doit être positive (en centimes, 100 milliards d'euros au plus).")
	}
	if c.MaxShareBP < 1 || c.MaxShareBP > BasisPoints {
		return Invalid("max_share_bp", "La part maximale du financeur dans chaque convention est comprise entre 0,01 %% et 100 %% (1 à 10 000 points de base).")
	}
	if len(c.ApplicantKinds) == 0 {
		return Invalid("applicant_kinds", "Indiquez au moins un type de collectivité qui peut candidater.")
	}
	seen := map[ApplicantKind]bool{}
	for _, k := range c.ApplicantKinds {
		if !k.Valid() {
			return Invalid("applicant_kinds", "Type de candidat inconnu : %q.", k)
		}
		if seen[k] {
			return Invalid("applicant_kinds", "Le type de candidat %q figure deux fois.", k)
		}
		seen[k] = true
	}
	if len(c.Territory) > 0 {
		t, err := ParseTerritory(c.Territory)
		if err != nil {
			return err
		}
		c.Territory = t.Strings()
	}
	opens, err := time.Parse(DateLayout, c.OpensOn)
	if err != nil {
		return Invalid("opens_on", "Date d'ouverture invalide : %q (AAAA-MM-JJ).", c.OpensOn)
	}
	closes, err := time.Parse(DateLayout, c.ClosesOn)
	if err != nil {
		return Invalid("closes_on", "Date de clôture invalide : %q (AAAA-MM-JJ).", c.ClosesOn)
	}
	if closes.Before(opens) {
		return Invalid("closes_on", "La clôture de l'appel précède son ouverture.")
	}
	if len(c.Questions) > 30 {
		return Invalid("questions", "Un appel pose 30 questions au plus.")
	}
	for i, q := range c.Questions {
		if q == "" || len(q) > 2000 {
			return Invalid("questions", "La question %d est vide ou dépasse 2 000 caractères.", i+1)
		}
	}
	if len(c.Criteria) > 20 {
		return Invalid("criteria", "La grille de notation compte 20 critères au plus.")
	}
	for i, k := range c.Criteria {
		if k.Label == "" || len(k.Label) > 200 {
			return Invalid("criteria", "Le critère %d n'a pas d'intitulé (200 caractères au plus).", i+1)
		}
		if k.MaxPoints < 1 || k.MaxPoints > 100 {
			return Invalid("criteria", "Le critère « %s » se note sur 1 à 100 points.", k.Label)
		}
	}
	return nil
}

// ApplicationStatus is where an application stands.
type ApplicationStatus string

// Application statuses: a draft is the applicant's alone; once submitted
// the funder reviews it and selects or refuses it.
const (
	ApplicationDraft     ApplicationStatus = "draft"
	ApplicationSubmitted ApplicationStatus = "submitted"
	ApplicationSelected  ApplicationStatus = "selected"
	ApplicationRefused   ApplicationStatus = "refused"
)

// Label is the French name of a status.
func (s ApplicationStatus) Label() string {
	switch s {
	case ApplicationDraft:
		return "brouillon"
	case ApplicationSubmitted:
		return "déposée"
	case ApplicationSelected:
		return "retenue"
	case ApplicationRefused:
		return "non retenue"
	}
	return string(s)
}

// ActionTargets are the targets of an action plan.
type ActionTargets struct {
	People int `json:"people"` // people to reach
	Passes int `json:"passes"` // passes to hand out
	Venues int `json:"venues"` // qualified venues involved
	Hubs   int `json:"hubs"`   // territorial hubs involved
}

// FundingLine is what one funder puts in one year of a budget: the
// call's funder (the amount asked), the applicant (its own commitment), or
// a co-funder it brings.
type FundingLine struct {
	FunderID    int64  `json:"funder_id"`
	FunderName  string `json:"funder_name,omitempty"`
	Year        int    `json:"year"`
	AmountCents int64  `json:"amount_cents"`
}

// Application is a collectivité's answer to a call: its action plan and
// budget. A group of collectivités applies through its lead (ApplicantID),
// the others being Members.
type Application struct {
	ID            int64             `json:"id"`
	CallID        int64             `json:"call_id"`
	ApplicantID   int64             `json:"applicant_id"`
	ApplicantName string            `json:"applicant_name"`
	ApplicantKind ApplicantKind     `json:"applicant_kind"`
	Members       []int64           `json:"members"`
	Title         string            `json:"title"`
	Territory     []string          `json:"territory"`
	Targets       ActionTargets     `json:"targets"`
	Lines         []FundingLine     `json:"lines"`
	Answers       []string          `json:"answers"`
	Status        ApplicationStatus `json:"status"`
	// Reason of the decision, given to the applicant.
	Reason      string     `json:"reason,omitempty"`
	Scores      []Score    `json:"scores,omitempty"`
	Comment     string     `json:"comment,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
}

// Totals sums an application's lines: what the call's funder is asked,
// and the whole budget.
func (a *Application) Totals(callFunder int64) (asked, total int64) {
	return fundingTotals(a.Lines, callFunder)
}

func fundingTotals(lines []FundingLine, funder int64) (share, total int64) {
	for _, l := range lines {
		total += l.AmountCents
		if l.FunderID == funder {
			share += l.AmountCents
		}
	}
	return share, total
}

// WithinShare tells whether share is at most maxBP of total: the matching
// rule, in integers (no rounding can let a cent through).
func WithinShare(share, total int64, maxBP int) bool {
	return share*BasisPoints <= total*int64(maxBP)
}

// ApplicationInput is the input of SaveApplication: a new draft when ID is
// 0, else the draft ID rewritten whole.
type ApplicationInput struct {
	ID            int64         `json:"id,omitempty"`
	CallID        int64         `json:"call_id"`
	ApplicantKind ApplicantKind `json:"applicant_kind"`
	Members       []int64       `json:"members,omitempty"`
	Title         string        `json:"title"`
	Territory     []string      `json:"territory,omitempty"`
	Targets       ActionTargets `json:"targets"`
	Lines         []FundingLine `json:"lines,omitempty"`
	Answers       []string      `json:"answers,omitempty"`
}

// Normalize trims the input.
func (in *ApplicationInput) Normalize() {
	in.Title = strings.TrimSpace(in.Title)
	for i := range in.Answers {
		in.Answers[i] = strings.TrimSpace(in.Answers[i])
	}
}

// Validate checks the shape of a draft: a draft may be incomplete, never
// wrong. Completeness is checked at submission (Complete).
func (in *ApplicationInput) Validate() error {
	if err := CheckStrings(in); err != nil {
		return err
	}
	if in.CallID <= 0 {
		return Invalid("call_id", "Indiquez l'appel à projets auquel la candidature répond.")
	}
	if in.ApplicantKind != "" && !in.ApplicantKind.Valid() {
		return Invalid("applicant_kind", "Type de candidat inconnu : %q.", in.ApplicantKind)
	}
	if len(in.Title) > 200 {
		return Invalid("title", "Le titre du plan d'action dépasse 200 caractères.")
	}
	if len(in.Territory) > 0 {
		t, err := ParseTerritory(in.Territory)
		if err != nil {
			return err
		}
		in.Territory = t.Strings()
	}
	tg := in.Targets
	if tg.People < 0 || tg.Passes < 0 || tg.Venues < 0 || tg.Hubs < 0 || tg.People > 1e8 || tg.Passes > 1e9 || tg.Venues > 1e6 || tg.Hubs > 1e4 {
		return Invalid("targets", "Les objectifs du plan d'action sont des nombres positifs.")
	}
	if len(in.Members) > 100 {
		return Invalid("members", "Un groupement compte 100 collectivités au plus.")
	}
	if len(in.Lines) > 200 {
		return Invalid("lines", "Le budget compte 200 lignes au plus.")
	}
	seen := map[[2]int64]bool{}
	for _, l := range in.Lines {
		if l.FunderID <= 0 {
			return Invalid("lines", "Chaque ligne du budget nomme son financeur.")
		}
		if l.Year < 2000 || l.Year > 2100 {
			return Invalid("lines", "Année de budget invalide : %d.", l.Year)
		}
		if l.AmountCents <= 0 || l.AmountCents > 1e13 {
			return Invalid("lines", "Chaque montant du budget est positif (en centimes).")
		}
		k := [2]int64{l.FunderID, int64(l.Year)}
		if seen[k] {
			return Invalid("lines", "Le financeur %d figure deux fois pour l'année %d.", l.FunderID, l.Year)
		}
		seen[k] = true
	}
	for i, a := range in.Answers {
		if len(a) > 20000 {
			return Invalid("answers", "La réponse %d dépasse 20 000 caractères.", i+1)
		}
	}
	return nil
}

// Complete checks that an application may be submitted to its call: every
// part of the file filled in, the applicant eligible, its territory within
// the call's, its own commitment present, and the matching rule met.
// It names the first thing missing, in French.
func (a *Application) Complete(c *Call) error {
	if a.Title == "" {
		return incomplete("title", "Donnez un titre au plan d'action.")
	}
	if a.ApplicantKind == "" {
		return incomplete("applicant_kind", "Indiquez le type de collectivité qui candidate.")
	}
	if !c.Eligible(a.ApplicantKind) {
		return &Error{Code: EREFUSED, Reason: ReasonApplicantIneligible, Field: "applicant_kind",
			Message: fmt.Sprintf("L'appel « %s » n'est pas ouvert aux candidats de type %s.", c.Title, a.ApplicantKind.Label())}
	}
	if a.ApplicantKind == ApplicantGroup && len(a.Members) == 0 {
		return incomplete("members", "Un groupement nomme les collectivités qui le composent, en plus de son chef de file.")
	}
	if len(a.Territory) == 0 {
		return incomplete("territory", "Indiquez le territoire du plan d'action.")
	}
	if len(c.Territory) > 0 {
		ct, _ := ParseTerritory(c.Territory)
		at, err := ParseTerritory(a.Territory)
		if err != nil {
			return err
		}
		for _, area := range at {
			if !covers(ct, area) {
				return &Error{Code: EREFUSED, Reason: ReasonApplicantIneligible, Field: "territory",
					Message: fmt.Sprintf("Le territoire %s n'est pas compris dans celui de l'appel à projets.", area)}
			}
		}
	}
	if a.Targets.People <= 0 || a.Targets.Passes <= 0 {
		return incomplete("targets", "Indiquez le nombre de personnes à accompagner et de pass à distribuer.")
	}
	asked, total := a.Totals(c.FunderID)
	if asked <= 0 {
		return incomplete("lines", "Le budget ne demande rien au financeur de l'appel.")
	}
	own, _ := fundingTotals(a.Lines, a.ApplicantID)
	if own <= 0 {
		return incomplete("lines", "Le budget n'indique pas l'engagement propre de la collectivité.")
	}
	if !WithinShare(asked, total, c.MaxShareBP) {
		return MatchingRuleBroken(c, asked, total)
	}
	for i := range c.Questions {
		if i >= len(a.Answers) || a.Answers[i] == "" {
			return incomplete("answers", "Répondez à la question %d de l'appel.", i+1)
		}
	}
	return nil
}

// covers tells whether an area lies wholly within a territory.
func covers(t Territory, a Area) bool {
	for _, b := range t {
		if a.within(b) {
			return true
		}
	}
	return false
}

func incomplete(field, format string, args ...any) *Error {
	return &Error{Code: EREFUSED, Reason: ReasonApplicationIncomplete, Field: field, Message: fmt.Sprintf(format, args...)}
}

// MatchingRuleBroken is the error of a budget in which the call's funder
// would pay more than the call's matching rule allows.
func MatchingRuleBroken(c *Call, asked, total int64) *Error {
	return &Error{Code: EREFUSED, Reason: ReasonMatchingRule, Field: "lines",
		Message: fmt.Sprintf("La part demandée à %s (%s sur %s, soit %s) dépasse la règle de l'appel : %s au plus de chaque convention.",
			c.FunderName, FrenchEuros(asked), FrenchEuros(total), FrenchPercentOf(asked, total), FrenchPercent(c.MaxShareBP))}
}

// FrenchPercentOf writes part/total as a French percentage with two
// decimals, rounded down.
func FrenchPercentOf(part, total int64) string {
	if total <= 0 {
		return FrenchPercent(0)
	}
	return FrenchPercent(int(part * BasisPoints / total))
}

// Score is the points given to one criterion of a call's grid.
type Score struct {
	Criterion string `json:"criterion"`
	Points    int    `json:"points"`
	Comment   string `json:"comment,omitempty"`
}

// ApplicationMessage is a question or an answer between the applicant and
// the call's funder about an application.
type ApplicationMessage struct {
	ID            int64     `json:"id"`
	ApplicationID int64     `json:"application_id"`
	AuthorOrgID   int64     `json:"author_org_id"`
	AuthorOrgName string    `json:"author_org_name"`
	Body          string    `json:"body"`
	CreatedAt     time.Time `json:"created_at"`
}

// CallFilter selects calls.
type CallFilter struct {
	// FunderID keeps the calls of one funder.
	FunderID int64
	Offset   int
	Limit    int
}

// ApplicationFilter selects applications.
type ApplicationFilter struct {
	CallID int64
	Offset int
	Limit  int
}

// CallService runs calls for projects and their applications. Reads and
// writes are journaled; an application is seen by its applicant, the
// members of its group, the call's funder and the operator.
type CallService interface {
	CreateCall(ctx context.Context, c CallCreate) (*Call, error)
	FindCall(ctx context.Context, id int64) (*Call, error)
	ListCalls(ctx context.Context, f CallFilter) ([]*Call, int, error)
	// OpenCalls lists the calls open today, for the public page: no
	// actor needed, only what a call publishes.
	OpenCalls(ctx context.Context) ([]*Call, error)

	// SaveApplication creates or rewrites a draft of the actor's
	// organisation.
	SaveApplication(ctx context.Context, in ApplicationInput) (*Application, error)
	FindApplication(ctx context.Context, id int64) (*Application, error)
	ListApplications(ctx context.Context, f ApplicationFilter) ([]*Application, int, error)
	// SubmitApplication checks a draft's completeness and submits it.
	SubmitApplication(ctx context.Context, id int64) (*Application, error)
	// PostMessage adds a question or an answer to an application's thread.
	PostMessage(ctx context.Context, applicationID int64, body string) (*ApplicationMessage, error)
	ListMessages(ctx context.Context, applicationID int64) ([]*ApplicationMessage, error)
}
