package passnum

import "context"

// ProgrammeSummary is what anyone may know of a programme: what is printed
// on its carnets. It carries no money figure.
type ProgrammeSummary struct {
	ID             int64    `json:"id"`
	Name           string   `json:"name"`
	Funders        []string `json:"funders"`
	FaceValueCents int64    `json:"face_value_cents"`
	ValidFrom      string   `json:"valid_from"`
	ValidUntil     string   `json:"valid_until"`
	Territory      []string `json:"territory"`
	Services       []string `json:"services"`
}

// Carnet statuses for the person holding it.
const (
	CarnetUsable         = "usable"          // passes can be spent now
	CarnetNotYetValid    = "not-yet-valid"   // before the first day of validity
	CarnetNotActivated   = "not-activated"   // funds not yet received
	CarnetNotDistributed = "not-distributed" // not handed out by a prescriber
	CarnetUsedUp         = "used-up"         // every pass used
	CarnetBlocked        = "blocked"         // every remaining pass blocked
	CarnetExpired        = "expired"         // past validity and tolerance
)

// CarnetStatus is what the person holding a carnet learns by typing the code
// of one of its passes: how many passes are left, until when and where
// they can be used. It says nothing about who holds the carnet.
type CarnetStatus struct {
	Number    int64            `json:"number"`
	Size      int              `json:"size"`
	Remaining int              `json:"remaining"`
	Used      int              `json:"used"`
	Status    string           `json:"status"`
	Message   string           `json:"message"` // plain French
	Programme ProgrammeSummary `json:"programme"`
}

// PublicVenue is a qualified venue as the public sees it, with the
// services it offers for passes.
type PublicVenue struct {
	ID           int64               `json:"id"`
	Name         string              `json:"name"`
	CommuneINSEE string              `json:"commune_insee"`
	Services     []*CatalogueService `json:"services"`
}

// PublicVenueFilter selects qualified venues: those inside the territory
// (areas as in Programme.Territory; empty means anywhere), the ones in
// Commune first, then those of its département, then the others.
type PublicVenueFilter struct {
	Territory []string
	Commune   string
	Limit     int
}

// PublicService answers what anyone may ask, without an account. Callers
// rate-limit CarnetStatusByCode: it takes a pass code.
type PublicService interface {
	// CarnetStatusByCode finds the carnet of a pass by the pass's short
	// code or QR payload. Unknown, malformed and forged codes are all
	// ENOTFOUND with the same message.
	CarnetStatusByCode(ctx context.Context, code string) (*CarnetStatus, error)
	// ProgrammeSummary returns the public description of a programme.
	ProgrammeSummary(ctx context.Context, id int64) (*ProgrammeSummary, error)
	// ListPublicVenues lists qualified venues with their active services.
	ListPublicVenues(ctx context.Context, f PublicVenueFilter) ([]*PublicVenue, error)
}
