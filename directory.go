package passnum

import (
	"context"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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
	// Freshness says how recent the figures are when a read replica
	// serves them (serve --db-read); nil without one.
	Freshness *Freshness `json:"freshness,omitempty"`
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
	// Freshness says how recent the figures are when a read replica
	// serves them (serve --db-read); nil without one.
	Freshness *Freshness `json:"freshness,omitempty"`
}

// DirectoryService answers the public directory, without an account.
type DirectoryService interface {
	SearchDirectory(ctx context.Context, f DirectoryFilter) (*DirectoryPage, error)
	// DirectoryEntry returns the public page of a venue listed in the
	// directory (not refused, not withdrawn).
	DirectoryEntry(ctx context.Context, orgID int64) (*DirectoryEntry, error)
}

// The one reading and checking of a directory search: the API and the
// pages read their query with ParseDirectoryQuery, the store checks the
// filter it is given with Validate, and all three answer with the same
// messages, naming the API's parameters (the pages map them to their
// fields).

// MaxDirectoryQuery bounds the words searched in venue names, in
// characters.
const MaxDirectoryQuery = 200

// ParseDirectoryQuery reads a search of the directory from the parameters
// of a query: commune (INSEE code), postal_code, lat and lon (together),
// radius_km (around a commune or a point), category, public, support,
// passes and open_now (true or false), q (words of the name). Every
// parameter is optional; a bad one is refused naming it, with the reason
// in French (EINVALID), and the filter is checked by Validate. Paging
// (Offset, Limit) and Now are the caller's.
func ParseDirectoryQuery(q url.Values) (DirectoryFilter, error) {
	f := DirectoryFilter{
		Commune:    strings.TrimSpace(q.Get("commune")),
		PostalCode: strings.TrimSpace(q.Get("postal_code")),
		Category:   strings.TrimSpace(q.Get("category")),
		Public:     strings.TrimSpace(q.Get("public")),
		Support:    strings.TrimSpace(q.Get("support")),
		Query:      strings.TrimSpace(q.Get("q")),
	}
	rawLat, rawLon := q.Get("lat"), q.Get("lon")
	if (rawLat == "") != (rawLon == "") {
		return f, Invalid("lat", "Donnez la latitude (lat) et la longitude (lon) ensemble.")
	}
	if rawLat != "" {
		lat, err := strconv.ParseFloat(strings.TrimSpace(rawLat), 64)
		if err != nil {
			return f, coordinateError("lat", rawLat)
		}
		lon, err := strconv.ParseFloat(strings.TrimSpace(rawLon), 64)
		if err != nil {
			return f, coordinateError("lon", rawLon)
		}
		f.Near = &LatLon{Lat: lat, Lon: lon}
	}
	if raw := q.Get("radius_km"); raw != "" {
		km, err := strconv.ParseFloat(raw, 64)
		if err != nil || !(km > 0) || math.IsInf(km, 0) {
			return f, radiusError(raw)
		}
		f.RadiusKm = km
	}
	for _, b := range []struct {
		param string
		dst   *bool
	}{{"passes", &f.Passes}, {"open_now", &f.OpenNow}} {
		if raw := q.Get(b.param); raw != "" {
			v, err := strconv.ParseBool(raw)
			if err != nil {
				return f, Invalid(b.param, "Paramètre %s invalide : %q (true ou false).", b.param, raw)
			}
			*b.dst = v
		}
	}
	return f, f.Validate()
}

// Validate checks a search of the directory: a commune's INSEE code, a
// postal code of five digits, a point on Earth, a commune or a point but
// not both, a radius up to MaxRadiusKm around one of them, values of the
// standard's vocabularies, words of a name up to MaxDirectoryQuery
// characters, a territory. Whether the commune exists is the store's to
// tell, from its geography.
func (f DirectoryFilter) Validate() error {
	if f.Commune != "" {
		if err := ValidateCommune(strings.ToUpper(strings.TrimSpace(f.Commune))); err != nil {
			return Invalid("commune", "Paramètre commune invalide : %q (le code INSEE de la commune, 5 caractères, par exemple 35238).", f.Commune)
		}
	}
	if pc := strings.TrimSpace(f.PostalCode); pc != "" && (len(pc) != 5 || !isDigits(pc)) {
		return Invalid("postal_code", "Paramètre postal_code invalide : %q (5 chiffres, par exemple 35000).", f.PostalCode)
	}
	if f.Near != nil {
		if !(f.Near.Lat >= -90 && f.Near.Lat <= 90) {
			return coordinateError("lat", formatFloat(f.Near.Lat))
		}
		if !(f.Near.Lon >= -180 && f.Near.Lon <= 180) {
			return coordinateError("lon", formatFloat(f.Near.Lon))
		}
		if f.Commune != "" {
			return Invalid("commune", "Cherchez autour d'une commune ou d'un point (lat, lon), pas des deux.")
		}
	}
	switch {
	case f.RadiusKm == 0:
	case !(f.RadiusKm > 0) || math.IsInf(f.RadiusKm, 0):
		return radiusError(formatFloat(f.RadiusKm))
	case f.RadiusKm > MaxRadiusKm:
		return Invalid("radius_km", "Rayon trop grand : %s km (%d km au plus).", formatFloat(f.RadiusKm), MaxRadiusKm)
	case f.Commune == "" && f.Near == nil:
		return Invalid("radius_km", "Un rayon se compte autour d'une commune (commune) ou d'un point (lat, lon) : donnez l'un des deux.")
	}
	for _, v := range []struct {
		param, label, value string
		values              []string
	}{
		{"category", "Catégorie de service", f.Category, ServiceCategories},
		{"public", "Public", f.Public, Publics},
		{"support", "Prise en charge", f.Support, Supports},
	} {
		if v.value != "" && !slices.Contains(v.values, v.value) {
			return Invalid(v.param, "%s inconnu(e) : %q (valeurs permises : %s).", v.label, v.value, strings.Join(v.values, " | "))
		}
	}
	if utf8.RuneCountInString(f.Query) > MaxDirectoryQuery {
		return Invalid("q", "Recherche trop longue (%d caractères au plus).", MaxDirectoryQuery)
	}
	if len(f.Territory) > 0 {
		if _, err := ParseTerritory(f.Territory); err != nil {
			return err
		}
	}
	return nil
}

// coordinateError refuses a latitude (lat) or a longitude (lon).
func coordinateError(param, raw string) error {
	name, bound := "latitude", 90
	if param == "lon" {
		name, bound = "longitude", 180
	}
	return Invalid(param, "Paramètre %s invalide : %q (une %s en degrés décimaux, entre %d et %d).", param, raw, name, -bound, bound)
}

// radiusError refuses a radius that is not a distance.
func radiusError(raw string) error {
	return Invalid("radius_km", "Paramètre radius_km invalide : %q (un nombre de kilomètres, par exemple 10).", raw)
}

// formatFloat writes a number of a filter as it would have been typed.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
