package passnum

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// CatalogueService is a workshop or support a venue offers for passes.
type CatalogueService struct {
	ID              int64     `json:"id"`
	VenueID         int64     `json:"venue_id"`
	Title           string    `json:"title"`
	Category        string    `json:"category"`
	DurationMinutes int       `json:"duration_minutes"`
	PricePasses     int       `json:"price_passes"`
	Level           string    `json:"level"`
	Format          string    `json:"format"` // FormatIndividual or FormatCollective
	Accessibility   string    `json:"accessibility,omitempty"`
	Description     string    `json:"description,omitempty"`
	Active          bool      `json:"active"`
	CreatedAt       time.Time `json:"created_at"`
}

// CatalogueServiceCreate is the input of CreateCatalogueService.
type CatalogueServiceCreate struct {
	VenueID         int64  `json:"venue_id"`
	Title           string `json:"title"`
	Category        string `json:"category"`
	DurationMinutes int    `json:"duration_minutes"`
	PricePasses     int    `json:"price_passes"`
	// Level is one of Levels; "" means "tous niveaux".
	Level string `json:"level,omitempty"`
	// Format is FormatIndividual or FormatCollective; "" means individual.
	Format        string `json:"format,omitempty"`
	Accessibility string `json:"accessibility,omitempty" text:"multiline"`
	Description   string `json:"description,omitempty" text:"multiline"`
}

// Validate checks a catalogue service. A pass pays for up to two hours of
// workshop (DOMAIN.md), so the price must cover the duration.
func (c *CatalogueServiceCreate) Validate() error {
	if err := CheckStrings(c); err != nil {
		return err
	}
	c.Title = strings.TrimSpace(c.Title)
	if c.Title == "" || len(c.Title) > 200 {
		return Invalid("title", "L'intitulé est obligatoire (200 caractères au plus).")
	}
	if !ValidServiceCategory(c.Category) {
		return Invalid("category", "Catégorie de service inconnue : %q.", c.Category)
	}
	if c.DurationMinutes < 15 || c.DurationMinutes > 8*60 {
		return Invalid("duration_minutes", "La durée est comprise entre 15 minutes et 8 heures.")
	}
	if c.PricePasses < 1 || c.PricePasses > 10 {
		return Invalid("price_passes", "Le prix est compris entre 1 et 10 pass.")
	}
	c.Accessibility = strings.TrimSpace(c.Accessibility)
	c.Description = strings.TrimSpace(c.Description)
	if c.Level == "" {
		c.Level = Levels[0]
	}
	if !slices.Contains(Levels, c.Level) {
		return Invalid("level", "Niveau inconnu : %q.", c.Level)
	}
	if c.Format == "" {
		c.Format = FormatIndividual
	}
	if c.Format != FormatIndividual && c.Format != FormatCollective {
		return Invalid("format", "Format inconnu : %q (individuel ou collectif).", c.Format)
	}
	if len(c.Accessibility) > 1000 || len(c.Description) > 2000 {
		return Invalid("description", "Description : 2 000 caractères au plus ; accessibilité : 1 000.")
	}
	if c.DurationMinutes > c.PricePasses*MinutesPerPass {
		return Invalid("price_passes", "Un pass paie au plus 2 heures d'atelier : %d minutes demandent au moins %d pass.",
			c.DurationMinutes, (c.DurationMinutes+MinutesPerPass-1)/MinutesPerPass)
	}
	return nil
}

// MinutesPerPass is the longest workshop time one pass pays for.
const MinutesPerPass = 120

// VoidWindow is how long a venue may void its own redemption.
const VoidWindow = 24 * time.Hour

// MaxPassesPerRedemption bounds one redemption (a collective workshop).
const MaxPassesPerRedemption = 100

// CheckRequest asks whether passes are usable at the caller's venue,
// optionally for one catalogue service, without spending them.
type CheckRequest struct {
	Codes     []string `json:"codes"`
	ServiceID int64    `json:"service_id,omitempty"`
}

// RedeemRequest spends passes for one catalogue service: all or none.
type RedeemRequest struct {
	Codes     []string `json:"codes"`
	ServiceID int64    `json:"service_id"`
	// SessionID ties the redemption to a session of the service (optional).
	SessionID      int64  `json:"session_id,omitempty"`
	IdempotencyKey string `json:"idempotency_key"`
}

// Validate checks the shape of a redemption request.
func (r *RedeemRequest) Validate() error {
	if err := CheckStrings(r); err != nil {
		return err
	}
	r.IdempotencyKey = strings.TrimSpace(r.IdempotencyKey)
	if r.IdempotencyKey == "" || len(r.IdempotencyKey) > 200 {
		return Invalid("idempotency_key", "Une clé d'idempotence est obligatoire (200 caractères au plus) : elle évite d'encaisser deux fois en cas de nouvel essai.")
	}
	if r.ServiceID <= 0 {
		return Invalid("service_id", "Choisissez le service rendu.")
	}
	return validateCodes(r.Codes)
}

func validateCodes(codes []string) error {
	if len(codes) == 0 {
		return Invalid("codes", "Saisissez ou scannez au moins un pass.")
	}
	if len(codes) > MaxPassesPerRedemption {
		return Invalid("codes", "%d pass au plus à la fois.", MaxPassesPerRedemption)
	}
	return nil
}

// Validate checks the shape of a check request.
func (r *CheckRequest) Validate() error {
	if err := CheckStrings(r); err != nil {
		return err
	}
	return validateCodes(r.Codes)
}

// PassCheck is the verdict on one pass presented at a venue.
type PassCheck struct {
	Input       string    `json:"input"`
	Serial      int64     `json:"serial,omitempty"`
	Carnet      int64     `json:"carnet,omitempty"`
	ProgrammeID int64     `json:"programme_id,omitempty"`
	State       PassState `json:"state,omitempty"`
	ValidUntil  string    `json:"valid_until,omitempty"`
	Usable      bool      `json:"usable"`
	Reason      string    `json:"reason,omitempty"`
	Message     string    `json:"message"`
}

// PassFacts is what the rules need to know about one pass at redemption.
type PassFacts struct {
	Pass            Pass
	Programme       *Programme
	BlockReason     string
	RedeemedVenue   string // name of the venue that redeemed it
	VenueCommune    string // commune of the venue presenting it
	ServiceCategory string // category of the service, "" for a check without service
}

// EvaluatePass applies the redemption rules to one pass, in the order a
// mediator would want to hear them, and returns "" when the pass is usable
// or the reason and a plain French message when it is not.
func EvaluatePass(f PassFacts, now time.Time) (reason, message string) {
	p, prog := f.Pass, f.Programme
	switch p.State {
	case StateRedeemed, StateSettled:
		when := "à une date inconnue"
		if p.RedeemedAt != nil {
			when = "le " + FrenchDateTime(*p.RedeemedAt)
		}
		where := ""
		if f.RedeemedVenue != "" {
			where = " chez " + f.RedeemedVenue
		}
		return ReasonAlreadyRedeemed, fmt.Sprintf("Pass déjà utilisé %s%s.", when, where)
	case StateBlocked:
		msg := "Pass bloqué : il ne peut pas être utilisé."
		if f.BlockReason != "" {
			msg = fmt.Sprintf("Pass bloqué (motif : %s) : il ne peut pas être utilisé.", f.BlockReason)
		}
		return ReasonBlocked, msg
	case StateExpired:
		return ReasonExpired, fmt.Sprintf("Pass expiré : il était valable jusqu'au %s.", FrenchDate(prog.ValidUntil))
	case StateIssued:
		return ReasonNotActivated, "Pass pas encore activé : le financeur n'a pas encore versé les fonds. La personne doit attendre son activation."
	case StateActivated, StateAllocated:
		return ReasonNotDistributed, "Ce pass n'a pas été remis à une personne par un prescripteur : il ne peut pas encore être utilisé."
	}
	if !now.Before(prog.ExpiresAfter()) {
		return ReasonExpired, fmt.Sprintf("Pass expiré : il était valable jusqu'au %s.", FrenchDate(prog.ValidUntil))
	}
	if now.Before(prog.StartsAt()) {
		return ReasonNotYetValid, fmt.Sprintf("Pass valable seulement à partir du %s.", FrenchDate(prog.ValidFrom))
	}
	if f.VenueCommune != "" {
		if !prog.Covers(f.VenueCommune) {
			return ReasonOutsideTerr, fmt.Sprintf("Ce pass n'est pas valable dans votre commune : le programme « %s » couvre %s.", prog.Name, DescribeTerritory(prog.Territory))
		}
	}
	if f.ServiceCategory != "" && !prog.AllowsService(f.ServiceCategory) {
		return ReasonServiceNotAllow, fmt.Sprintf("Le programme « %s » ne finance pas les services « %s ».", prog.Name, f.ServiceCategory)
	}
	return "", "Pass valable."
}

// DescribeTerritory renders a territory for people.
func DescribeTerritory(areas []string) string {
	parts := make([]string, 0, len(areas))
	for _, s := range areas {
		level, code, _ := strings.Cut(s, ":")
		switch AreaLevel(level) {
		case LevelRegion:
			parts = append(parts, "la région "+code)
		case LevelDepartement:
			parts = append(parts, "le département "+code)
		default:
			parts = append(parts, "la commune "+code)
		}
	}
	return strings.Join(parts, ", ")
}

// Redemption is passes spent at a venue for one service.
type Redemption struct {
	ID             int64   `json:"id"`
	VenueID        int64   `json:"venue_id"`
	ServiceID      int64   `json:"service_id"`
	ServiceTitle   string  `json:"service_title"`
	SessionID      int64   `json:"session_id,omitempty"`
	Actor          string  `json:"actor"`
	IdempotencyKey string  `json:"idempotency_key"`
	Serials        []int64 `json:"serials"`
	// Passes are the same passes as the mediator saw them at the counter:
	// code (masked: its last characters) and carnet, the serial being only
	// the platform's number.
	Passes      []RedeemedPass `json:"passes"`
	AmountCents int64          `json:"amount_cents"`
	CreatedAt   time.Time      `json:"created_at"`
	VoidedAt    *time.Time     `json:"voided_at,omitempty"`
	// Replayed is true when the answer is that of an earlier request with
	// the same idempotency key.
	Replayed bool `json:"replayed"`
}

// RedeemedPass is one pass of a redemption, by what is printed on it.
type RedeemedPass struct {
	Serial int64  `json:"serial"`
	Carnet int64  `json:"carnet"`
	Code   string `json:"code"`
}

// RedemptionFilter selects redemptions.
type RedemptionFilter struct {
	VenueID int64
	Offset  int
	Limit   int
}
