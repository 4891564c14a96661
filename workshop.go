package passnum

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Levels of a catalogue service.
var Levels = []string{"tous niveaux", "débutant", "intermédiaire", "avancé"}

// Formats of a catalogue service: one person at a time or a group.
const (
	FormatIndividual = "individual"
	FormatCollective = "collective"
)

// FormatLabel is the French name of a format.
func FormatLabel(f string) string {
	if f == FormatCollective {
		return "collectif"
	}
	return "individuel"
}

// CatalogueServiceUpdate changes a catalogue service; its venue does not
// change.
type CatalogueServiceUpdate struct {
	ID int64 `json:"id"`
	CatalogueServiceCreate
}

// WorkshopSession is one occurrence of a catalogue service: a workshop on a date,
// at the venue or one of its places, for a number of people.
type WorkshopSession struct {
	ID              int64      `json:"id"`
	ServiceID       int64      `json:"service_id"`
	VenueID         int64      `json:"venue_id"`
	PlaceID         int64      `json:"place_id,omitempty"` // 0: the venue's main address
	StartsAt        time.Time  `json:"starts_at"`
	DurationMinutes int        `json:"duration_minutes"`
	Capacity        int        `json:"capacity"`
	Note            string     `json:"note,omitempty"`
	CancelledAt     *time.Time `json:"cancelled_at,omitempty"`
	Registered      int        `json:"registered"` // registrations not cancelled
	Attended        int        `json:"attended"`
	// Filled for lists.
	ServiceTitle string `json:"service_title,omitempty"`
	PlaceName    string `json:"place_name,omitempty"`
}

// Full tells whether no seat is left.
func (s *WorkshopSession) Full() bool { return s.Registered >= s.Capacity }

// SessionCreate is the input of CreateSession.
type SessionCreate struct {
	ServiceID       int64     `json:"service_id"`
	PlaceID         int64     `json:"place_id,omitempty"`
	StartsAt        time.Time `json:"starts_at"`
	DurationMinutes int       `json:"duration_minutes"` // 0: the service's duration
	Capacity        int       `json:"capacity"`
	Note            string    `json:"note,omitempty" text:"multiline"`
}

// MaxSessionCapacity bounds a collective session.
const MaxSessionCapacity = 200

// Validate checks the shape of a session.
func (c *SessionCreate) Validate() error {
	if err := CheckStrings(c); err != nil {
		return err
	}
	c.Note = strings.TrimSpace(c.Note)
	if c.ServiceID <= 0 {
		return Invalid("service_id", "Choisissez le service de la séance.")
	}
	if c.StartsAt.IsZero() {
		return Invalid("starts_at", "La date et l'heure de début sont obligatoires.")
	}
	if c.DurationMinutes != 0 && (c.DurationMinutes < 15 || c.DurationMinutes > 8*60) {
		return Invalid("duration_minutes", "La durée est comprise entre 15 minutes et 8 heures.")
	}
	if c.Capacity < 1 || c.Capacity > MaxSessionCapacity {
		return Invalid("capacity", "La capacité est comprise entre 1 et %d personnes.", MaxSessionCapacity)
	}
	if len(c.Note) > 500 {
		return Invalid("note", "500 caractères au plus.")
	}
	return nil
}

// Registration is a person's seat in a session. People are pseudonymous:
// a beneficiary reference (B-…) when they have a carnet, otherwise a first
// name or initials that the venue understands.
type Registration struct {
	ID             int64      `json:"id"`
	SessionID      int64      `json:"session_id"`
	BeneficiaryRef string     `json:"beneficiary_ref,omitempty" personal:"registration.person"`
	Label          string     `json:"label" personal:"registration.person"`
	CreatedAt      time.Time  `json:"created_at"`
	CancelledAt    *time.Time `json:"cancelled_at,omitempty"`
	Attended       *bool      `json:"attended,omitempty" personal:"registration.person"` // nil: not recorded yet
	// BookedBy names the prescriber that booked the seat when it handed
	// the person a carnet ("" when the venue registered the person), and
	// Carnet is that carnet: which structure the person saw is theirs.
	BookedBy string `json:"booked_by,omitempty" personal:"registration.person"`
	Carnet   int64  `json:"carnet,omitempty" personal:"registration.person"`
}

// RegistrationCreate is the input of Register.
type RegistrationCreate struct {
	SessionID      int64  `json:"session_id"`
	BeneficiaryRef string `json:"beneficiary_ref,omitempty"`
	Label          string `json:"label"`
}

// Validate checks a registration.
func (r *RegistrationCreate) Validate() error {
	if err := CheckStrings(r); err != nil {
		return err
	}
	r.Label = strings.TrimSpace(r.Label)
	r.BeneficiaryRef = strings.ToUpper(strings.TrimSpace(r.BeneficiaryRef))
	if r.Label == "" && r.BeneficiaryRef == "" {
		return Invalid("label", "Indiquez un prénom, des initiales ou la référence B-… de la personne.")
	}
	if len(r.Label) > 100 {
		return Invalid("label", "100 caractères au plus.")
	}
	return nil
}

// SessionFilter selects sessions.
type SessionFilter struct {
	VenueID   int64     // 0: the caller's venue
	ServiceID int64     // 0: all
	From      time.Time // zero: no lower bound
	To        time.Time // zero: no upper bound
	Limit     int
}

// Themes of an activity report (compte-rendu d'activité), close to those
// digital advisers record nationally.
var Themes = []string{
	"Prendre en main du matériel",
	"Navigation sur internet",
	"Courriels",
	"Bureautique",
	"Démarches en ligne",
	"Santé en ligne",
	"Banque et achats en ligne",
	"Sécurité numérique",
	"Réseaux sociaux et communication",
	"Parentalité et éducation",
	"Insertion professionnelle",
	"Culture numérique",
	"Diagnostic numérique",
}

// Autonomy levels reached at the end of an accompaniment.
var Autonomy = []string{"entièrement accompagné", "partiellement autonome", "autonome"}

// ActivityReport is a digital adviser's record of help given, paid by passes
// or not, so that all the help a venue gives is counted.
type ActivityReport struct {
	ID              int64     `json:"id"`
	VenueID         int64     `json:"venue_id"`
	Author          string    `json:"author" personal:"activity.author"` // actor label
	AuthorName      string    `json:"author_name,omitempty" personal:"activity.author"`
	Format          string    `json:"format"` // FormatIndividual or FormatCollective
	Date            string    `json:"date"`   // YYYY-MM-DD
	DurationMinutes int       `json:"duration_minutes"`
	Themes          []string  `json:"themes"`
	Autonomy        string    `json:"autonomy,omitempty"`
	PlaceID         int64     `json:"place_id,omitempty"`
	PlaceKind       string    `json:"place_kind"` // "lieu", "permanence", "domicile", "distance", "autre"
	Participants    int       `json:"participants"`
	BeneficiaryRefs []string  `json:"beneficiary_refs,omitempty" personal:"activity.people"` // linked people, the rest anonymous
	LinkedPeople    int       `json:"linked_people"`                                         // how many are linked, told even where their references are not
	SessionID       int64     `json:"session_id,omitempty"`
	RedemptionID    int64     `json:"redemption_id,omitempty"`
	PassesUsed      int       `json:"passes_used"`
	Notes           string    `json:"notes,omitempty" text:"multiline" personal:"activity.notes"`
	CreatedAt       time.Time `json:"created_at"`
}

// RedactFor removes from a report what actor a may not read. The venue
// that wrote it and the operator read all of it. Anybody else — a hub,
// reading the venues of its territory — reads what was done (date, format,
// duration, themes, autonomy, place, participants, how many of them are
// linked, passes, author) but neither the notes, free text about the people
// helped, nor the references that name them. The store applies it to every
// report it answers with, so that the API, the pages and the files show the
// same.
func (r *ActivityReport) RedactFor(a *Actor) {
	if a.IsOperator() || a != nil && a.OrgKind == KindVenue && a.OrgID == r.VenueID {
		return
	}
	r.Notes, r.BeneficiaryRefs = "", nil
}

// PlaceKinds are where help was given.
var PlaceKinds = []string{"lieu", "permanence", "domicile", "distance", "autre"}

// PlaceKindLabel is the French name of a place kind.
func PlaceKindLabel(k string) string {
	switch k {
	case "lieu":
		return "au lieu"
	case "permanence":
		return "en permanence"
	case "domicile":
		return "à domicile"
	case "distance":
		return "à distance"
	}
	return "ailleurs"
}

// Validate checks an activity report written on the day today (the
// store's clock, so that tests and the demo can move time).
func (r *ActivityReport) Validate(today time.Time) error {
	if err := CheckStrings(r); err != nil {
		return err
	}
	r.Notes = strings.TrimSpace(r.Notes)
	r.Themes = cleanList(r.Themes)
	var refs []string
	for _, ref := range cleanList(r.BeneficiaryRefs) {
		refs = append(refs, strings.ToUpper(ref))
	}
	r.BeneficiaryRefs = refs
	if r.Format != FormatIndividual && r.Format != FormatCollective {
		return Invalid("format", "Choisissez un accompagnement individuel ou collectif.")
	}
	d, err := time.Parse(time.DateOnly, r.Date)
	if err != nil {
		return Invalid("date", "Date invalide : %q (AAAA-MM-JJ).", r.Date)
	}
	if d.After(today.AddDate(0, 0, 1)) {
		return Invalid("date", "Un compte-rendu porte sur une aide déjà donnée : la date ne peut être dans le futur.")
	}
	if r.DurationMinutes < 5 || r.DurationMinutes > 8*60 {
		return Invalid("duration_minutes", "La durée est comprise entre 5 minutes et 8 heures.")
	}
	if len(r.Themes) == 0 {
		return Invalid("themes", "Choisissez au moins une thématique.")
	}
	for _, t := range r.Themes {
		if !slices.Contains(Themes, t) {
			return Invalid("themes", "Thématique inconnue : %q.", t)
		}
	}
	if r.Autonomy != "" && !slices.Contains(Autonomy, r.Autonomy) {
		return Invalid("autonomy", "Niveau d'autonomie inconnu : %q.", r.Autonomy)
	}
	if !slices.Contains(PlaceKinds, r.PlaceKind) {
		return Invalid("place_kind", "Lieu de l'accompagnement inconnu : %q.", r.PlaceKind)
	}
	if r.Format == FormatIndividual && r.Participants != 1 {
		return Invalid("participants", "Un accompagnement individuel concerne une personne.")
	}
	if r.Participants < 1 || r.Participants > MaxSessionCapacity {
		return Invalid("participants", "Le nombre de participants est compris entre 1 et %d.", MaxSessionCapacity)
	}
	if len(r.BeneficiaryRefs) > r.Participants {
		return Invalid("beneficiary_refs", "%d personnes liées pour %d participants.", len(r.BeneficiaryRefs), r.Participants)
	}
	if r.PassesUsed < 0 || r.PassesUsed > MaxPassesPerRedemption {
		return Invalid("passes_used", "Nombre de pass invalide.")
	}
	if len(r.Notes) > 2000 {
		return Invalid("notes", "2 000 caractères au plus.")
	}
	return nil
}

// ActivityFilter selects activity reports.
type ActivityFilter struct {
	VenueID int64  // a venue reads its own whatever this says; 0: every venue the caller may read
	From    string // YYYY-MM-DD, inclusive; "" no bound
	To      string // YYYY-MM-DD, inclusive
	// Territory keeps the venues located there ("departement:35", as a
	// hub's territory): the operator's choice; a hub reads its own
	// territory at most, and a venue its own reports, whatever this says.
	Territory []string
	Offset    int
	Limit     int
	// SummaryOnly asks for the summary and the total without any report:
	// a page of figures reads no note, and the journal of consultations
	// records no reading of them.
	SummaryOnly bool
}

// ActivitySummary counts the help venues gave over a period.
type ActivitySummary struct {
	Reports         int             `json:"reports"`
	Individual      int             `json:"individual"`
	Collective      int             `json:"collective"`
	Participants    int             `json:"participants"`
	Minutes         int             `json:"minutes"`
	WithPasses      int             `json:"with_passes"` // reports where passes were used
	PassesUsed      int             `json:"passes_used"`
	ByTheme         map[string]int  `json:"by_theme"`
	LinkedPeople    int             `json:"linked_people"` // distinct beneficiary references
	AnonymousPeople int             `json:"anonymous_people"`
	ByVenue         []VenueActivity `json:"by_venue"` // most reports first
}

// VenueActivity is one venue's share of an activity summary.
type VenueActivity struct {
	VenueID      int64  `json:"venue_id"`
	VenueName    string `json:"venue_name"`
	Reports      int    `json:"reports"`
	Participants int    `json:"participants"`
	Minutes      int    `json:"minutes"`
}

// Catalogue manages the venues' catalogues of services (workshops). It is
// not named CatalogueService: that is one service of a catalogue.
type Catalogue interface {
	CreateCatalogueService(ctx context.Context, c CatalogueServiceCreate) (*CatalogueService, error)
	// FindCatalogueService reads one service as ListCatalogueServices
	// shows it: the operator and the venue itself any of the venue's,
	// others an active service of a venue of the directory; the rest is
	// not found.
	FindCatalogueService(ctx context.Context, id int64) (*CatalogueService, error)
	ListCatalogueServices(ctx context.Context, venueID int64) ([]*CatalogueService, error)
	UpdateCatalogueService(ctx context.Context, u CatalogueServiceUpdate) (*CatalogueService, error)
	SetCatalogueServiceActive(ctx context.Context, id int64, active bool) (*CatalogueService, error)
}

// WorkshopService runs a venue's workshop sessions: registrations and
// attendance.
type WorkshopService interface {
	CreateSession(ctx context.Context, c SessionCreate) (*WorkshopSession, error)
	CancelSession(ctx context.Context, id int64) (*WorkshopSession, error)
	FindSession(ctx context.Context, id int64) (*WorkshopSession, []*Registration, error)
	ListSessions(ctx context.Context, f SessionFilter) ([]*WorkshopSession, error)
	Register(ctx context.Context, r RegistrationCreate) (*Registration, error)
	CancelRegistration(ctx context.Context, id int64) error
	// RecordAttendance marks who came (true) or not (false).
	RecordAttendance(ctx context.Context, registrationID int64, attended bool) error
}

// ActivityService records and sums up the advisers' activity reports.
type ActivityService interface {
	CreateActivityReport(ctx context.Context, r ActivityReport) (*ActivityReport, error)
	ListActivityReports(ctx context.Context, f ActivityFilter) ([]*ActivityReport, int, *ActivitySummary, error)
}
