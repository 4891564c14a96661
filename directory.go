package passnum

import (
	"context"
	"time"
)

// DirectoryFilter is a search of the public directory of venues. Every
// criterion is optional; a place criterion (Commune, PostalCode or Near)
// orders results by distance.
type DirectoryFilter struct {
	Commune    string    // INSEE code: venues around its point (RadiusKm)
	PostalCode string    // venues whose postal code it is
	Near       *LatLon   // venues around a point (RadiusKm)
	RadiusKm   float64   // 0: DefaultRadiusKm
	Category   string    // one of ServiceCategories
	Public     string    // one of Publics
	Support    string    // one of Supports
	Query      string    // words of the name
	Passes     bool      // only venues that accept passes (qualified)
	OpenNow    bool      // only venues open at Now
	Now        time.Time // the instant of "open now"; zero: the store's clock
	Territory  []string  // a programme's areas, as in Programme.Territory
	Offset     int
	Limit      int
}

// LatLon is a WGS84 point.
type LatLon struct {
	Lat float64 `json:"latitude"`
	Lon float64 `json:"longitude"`
}

// DefaultRadiusKm is the radius of a search around a place.
const DefaultRadiusKm = 20

// MaxRadiusKm bounds a search around a place.
const MaxRadiusKm = 200

// DirectoryVenue is one venue in directory results.
type DirectoryVenue struct {
	OrgID       int64    `json:"org_id"`
	ID          string   `json:"id"`
	Name        string   `json:"nom"`
	Address     string   `json:"adresse"`
	PostalCode  string   `json:"code_postal"`
	Commune     string   `json:"commune"`
	INSEE       string   `json:"code_insee,omitempty"`
	Point       LatLon   `json:"point"`
	PointApprox bool     `json:"point_approx"` // the commune's point, for want of the venue's own
	DistanceKm  *float64 `json:"distance_km,omitempty"`
	// NearestPlace names the venue's point of presence that DistanceKm
	// measures, when one of its places is nearer than its main address.
	NearestPlace  string   `json:"nearest_place,omitempty"`
	Services      []string `json:"services,omitempty"`
	Publics       []string `json:"publics_specifiquement_adresses,omitempty"`
	Supports      []string `json:"prise_en_charge_specifique,omitempty"`
	AcceptsPasses bool     `json:"accepts_passes"`
	OpeningHours  string   `json:"horaires,omitempty"`
	OpenNow       *bool    `json:"open_now,omitempty"` // nil: hours unknown
	Phone         string   `json:"telephone,omitempty"`
	Summary       string   `json:"presentation_resume,omitempty"`
}

// DirectoryPage is a page of directory results.
type DirectoryPage struct {
	Venues []*DirectoryVenue `json:"venues"`
	Total  int               `json:"total"`
	// Centre is the point of the place criterion, for maps.
	Centre *LatLon `json:"centre,omitempty"`
}

// DirectoryEntry is a venue's public page: its description, catalogue,
// points of presence and next sessions.
type DirectoryEntry struct {
	Venue         Venue               `json:"venue"`
	Point         LatLon              `json:"point"`
	PointApprox   bool                `json:"point_approx"`
	AcceptsPasses bool                `json:"accepts_passes"`
	OpenNow       *bool               `json:"open_now,omitempty"`
	Services      []*CatalogueService `json:"catalogue"`
	Places        []*Place            `json:"places"`
	NextSessions  []*WorkshopSession  `json:"next_sessions"`
}

// DirectoryService answers the public directory, without an account.
type DirectoryService interface {
	SearchDirectory(ctx context.Context, f DirectoryFilter) (*DirectoryPage, error)
	// DirectoryEntry returns the public page of a venue listed in the
	// directory (not refused, not withdrawn).
	DirectoryEntry(ctx context.Context, orgID int64) (*DirectoryEntry, error)
}
