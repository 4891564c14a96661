package passnum

import (
	"strings"
	"time"
)

// ServiceCategories are the nine values of the `services` field of the
// national data standard of lieux de médiation numérique (v1.0). A programme
// restricts its passes to some of them; a catalogue service has one.
var ServiceCategories = []string{
	"Aide aux démarches administratives",
	"Maîtrise des outils numériques du quotidien",
	"Insertion professionnelle via le numérique",
	"Utilisation sécurisée du numérique",
	"Parentalité et éducation avec le numérique",
	"Loisirs et créations numériques",
	"Compréhension du monde numérique",
	"Accès internet et matériel informatique",
	"Acquisition de matériel informatique à prix solidaire",
}

// ValidServiceCategory tells whether s is one of ServiceCategories.
func ValidServiceCategory(s string) bool {
	for _, c := range ServiceCategories {
		if c == s {
			return true
		}
	}
	return false
}

// Basis points: shares and rates are integers out of 10 000.
const BasisPoints = 10000

// Default programme settings, from the national scheme.
const (
	DefaultFaceValue     = 1000 // cents: a pass is worth 10 EUR
	DefaultCarnetSize    = 10
	DefaultToleranceDays = 31 // "one month of tolerance"
	DefaultFeeBP         = 400
)

// FunderShare is a funder's part of a programme, in basis points.
type FunderShare struct {
	FunderID   int64  `json:"funder_id"`
	FunderName string `json:"funder_name,omitempty"`
	ShareBP    int    `json:"share_bp"`
}

// Programme is a convention de financement: who pays, how much, and where,
// for what and until when its passes are valid.
type Programme struct {
	ID             int64               `json:"id"`
	Name           string              `json:"name"`
	Funders        []FunderShare       `json:"funders"`
	BudgetCents    int64               `json:"budget_cents"`
	FaceValueCents int64               `json:"face_value_cents"`
	CarnetSize     int                 `json:"carnet_size"`
	ValidFrom      string              `json:"valid_from"`  // YYYY-MM-DD, first day passes may be redeemed
	ValidUntil     string              `json:"valid_until"` // YYYY-MM-DD, last day of validity
	ToleranceDays  int                 `json:"tolerance_days"`
	FeeBP          int                 `json:"fee_bp"`
	Territory      []string            `json:"territory"`
	Services       []string            `json:"services"`
	CreatedAt      time.Time           `json:"created_at"`
	FundsReceived  int64               `json:"funds_received_cents"`
	IssuedCents    int64               `json:"issued_cents"`
	ActivatedCents int64               `json:"activated_cents"`
	PassesByState  map[PassState]int64 `json:"passes_by_state,omitempty"`
}

// ProgrammeCreate is the input of CreateProgramme.
type ProgrammeCreate struct {
	Name           string        `json:"name"`
	Funders        []FunderShare `json:"funders"`
	BudgetCents    int64         `json:"budget_cents"`
	FaceValueCents int64         `json:"face_value_cents"`
	CarnetSize     int           `json:"carnet_size"`
	ValidFrom      string        `json:"valid_from"`
	ValidUntil     string        `json:"valid_until"`
	ToleranceDays  *int          `json:"tolerance_days"`
	FeeBP          *int          `json:"fee_bp"`
	Territory      []string      `json:"territory"`
	Services       []string      `json:"services"`
}

// Normalize fills the defaults of the national scheme.
func (c *ProgrammeCreate) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	if c.FaceValueCents == 0 {
		c.FaceValueCents = DefaultFaceValue
	}
	if c.CarnetSize == 0 {
		c.CarnetSize = DefaultCarnetSize
	}
	if c.ToleranceDays == nil {
		d := DefaultToleranceDays
		c.ToleranceDays = &d
	}
	if c.FeeBP == nil {
		f := DefaultFeeBP
		c.FeeBP = &f
	}
	if len(c.Services) == 0 {
		c.Services = append([]string(nil), ServiceCategories...)
	}
}

// Validate checks a programme before it is created. Call Normalize first.
func (c *ProgrammeCreate) Validate() error {
	if err := CheckStrings(c); err != nil {
		return err
	}
	if c.Name == "" || len(c.Name) > 200 {
		return Invalid("name", "Le nom du programme est obligatoire (200 caractères au plus).")
	}
	if len(c.Funders) == 0 {
		return Invalid("funders", "Un programme a au moins un financeur.")
	}
	sum, seen := 0, map[int64]bool{}
	for _, f := range c.Funders {
		if f.ShareBP <= 0 || f.ShareBP > BasisPoints {
			return Invalid("funders", "La part d'un financeur est comprise entre 1 et 10 000 points de base.")
		}
		if seen[f.FunderID] {
			return Invalid("funders", "Le financeur %d figure deux fois.", f.FunderID)
		}
		seen[f.FunderID] = true
		sum += f.ShareBP
	}
	if sum != BasisPoints {
		return Invalid("funders", "Les parts des financeurs totalisent %d points de base au lieu de 10 000 (100 %%).", sum)
	}
	if c.FaceValueCents <= 0 || c.FaceValueCents > 100000 {
		return Invalid("face_value_cents", "La valeur faciale d'un pass est comprise entre 1 centime et 1 000 €.")
	}
	if c.BudgetCents <= 0 {
		return Invalid("budget_cents", "Le budget financé doit être positif.")
	}
	if c.BudgetCents > 1e13 {
		return Invalid("budget_cents", "Le budget dépasse 100 milliards d'euros : vérifiez l'unité (centimes).")
	}
	if c.CarnetSize < 1 || c.CarnetSize > 50 {
		return Invalid("carnet_size", "Un carnet compte de 1 à 50 pass.")
	}
	from, err := time.Parse(DateLayout, c.ValidFrom)
	if err != nil {
		return Invalid("valid_from", "Date de début de validité invalide : %q (AAAA-MM-JJ).", c.ValidFrom)
	}
	until, err := time.Parse(DateLayout, c.ValidUntil)
	if err != nil {
		return Invalid("valid_until", "Date de fin de validité invalide : %q (AAAA-MM-JJ).", c.ValidUntil)
	}
	if until.Before(from) {
		return Invalid("valid_until", "La fin de validité précède son début.")
	}
	if *c.ToleranceDays < 0 || *c.ToleranceDays > 366 {
		return Invalid("tolerance_days", "La tolérance est comprise entre 0 et 366 jours.")
	}
	if *c.FeeBP < 0 || *c.FeeBP > 5000 {
		return Invalid("fee_bp", "Les frais de gestion sont compris entre 0 et 5 000 points de base (50 %%).")
	}
	t, err := ParseTerritory(c.Territory)
	if err != nil {
		return err
	}
	c.Territory = t.Strings()
	seenS := map[string]bool{}
	for _, s := range c.Services {
		if !ValidServiceCategory(s) {
			return Invalid("services", "Catégorie de service inconnue : %q.", s)
		}
		if seenS[s] {
			return Invalid("services", "La catégorie %q figure deux fois.", s)
		}
		seenS[s] = true
	}
	return nil
}

// ExpiresAfter returns the last instant a pass of the programme may be
// redeemed: the end of the last day of validity plus the tolerance, in
// Paris time, since the dates are those printed on the carnet.
func (p *Programme) ExpiresAfter() time.Time {
	until, _ := time.ParseInLocation(DateLayout, p.ValidUntil, paris)
	return until.AddDate(0, 0, 1+p.ToleranceDays)
}

// StartsAt returns the first instant a pass of the programme may be redeemed.
func (p *Programme) StartsAt() time.Time {
	from, _ := time.ParseInLocation(DateLayout, p.ValidFrom, paris)
	return from
}

// Covers tells whether a commune lies in the programme's territory: where
// its passes are redeemed and its workshops booked at hand-out. A
// territory that does not read (never stored: Validate refuses it) covers
// nothing.
func (p *Programme) Covers(commune string) bool {
	t, err := ParseTerritory(p.Territory)
	return err == nil && t.Contains(commune)
}

// AllowsService tells whether the programme's passes pay for a category.
func (p *Programme) AllowsService(category string) bool {
	for _, s := range p.Services {
		if s == category {
			return true
		}
	}
	return false
}

// ActivationCapacity is the face value of passes that the funds received
// pay for: funders pay the pass value plus the upstream fee, so a payment of
// 10 400 EUR with a 4 % fee covers 10 000 EUR of passes (rounded down to
// the cent: never activate a cent that was not received).
func ActivationCapacity(fundsReceived int64, feeBP int) int64 {
	return fundsReceived * BasisPoints / int64(BasisPoints+feeBP)
}

var paris = mustLoadParis()

func mustLoadParis() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		// Without tzdata, a fixed CET offset is close enough for a
		// validity boundary and better than refusing to start.
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// PaymentOrder is funds received from a funder for a programme.
type PaymentOrder struct {
	ID          int64     `json:"id"`
	ProgrammeID int64     `json:"programme_id"`
	FunderID    int64     `json:"funder_id"`
	Reference   string    `json:"reference"`
	AmountCents int64     `json:"amount_cents"`
	ReceivedOn  string    `json:"received_on"`
	CreatedAt   time.Time `json:"created_at"`
}

// FundsCreate is the input of RecordFunds.
type FundsCreate struct {
	ProgrammeID int64  `json:"programme_id"`
	FunderID    int64  `json:"funder_id"`
	Reference   string `json:"reference"`
	AmountCents int64  `json:"amount_cents"`
	ReceivedOn  string `json:"received_on"`
}

// Validate checks a payment order.
func (c *FundsCreate) Validate() error {
	if err := CheckStrings(c); err != nil {
		return err
	}
	c.Reference = strings.TrimSpace(c.Reference)
	if c.Reference == "" || len(c.Reference) > 100 {
		return Invalid("reference", "La référence de l'ordre de paiement est obligatoire (100 caractères au plus).")
	}
	if c.AmountCents <= 0 || c.AmountCents > 1e13 {
		return Invalid("amount_cents", "Le montant reçu doit être positif (en centimes).")
	}
	if _, err := time.Parse(DateLayout, c.ReceivedOn); err != nil {
		return Invalid("received_on", "Date de réception invalide : %q (AAAA-MM-JJ).", c.ReceivedOn)
	}
	return nil
}

// ProgrammeFilter selects programmes.
type ProgrammeFilter struct {
	Offset int
	Limit  int
}
