package httpapi

import (
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// directoryCacheControl lets browsers and proxies keep directory answers a
// few minutes: they are public, the same for everyone, and a venue that
// changes its hours can wait that long to see them.
const directoryCacheControl = "public, max-age=300"

// Pages of the directory: a screenful by default, a hundred at most.
const (
	defaultDirectoryLimit = 20
	maxDirectoryLimit     = 100
)

// maxDirectoryQuery bounds the words searched in venue names.
const maxDirectoryQuery = 200

var postalCodeParam = regexp.MustCompile(`^\d{5}$`)

// searchDirectory answers GET /public/directory: venues of the directory
// by place, service, public and opening, nearest first when a place is
// given.
func (s *Server) searchDirectory(w http.ResponseWriter, r *http.Request) error {
	f, err := directoryFilter(r)
	if err != nil {
		return err
	}
	page, err := s.svc.SearchDirectory(r.Context(), f)
	if err != nil {
		return err
	}
	if page.Venues == nil {
		page.Venues = []*passnum.DirectoryVenue{} // no result is [], not null
	}
	if f.OpenNow {
		// "Open now" is true for a few minutes at most.
		w.Header().Set("Cache-Control", "public, max-age=60")
	} else {
		w.Header().Set("Cache-Control", directoryCacheControl)
	}
	return writeJSON(w, http.StatusOK, page)
}

// directoryFilter reads and checks the parameters of a directory search,
// each refused with the reason in French.
func directoryFilter(r *http.Request) (passnum.DirectoryFilter, error) {
	q := r.URL.Query()
	var f passnum.DirectoryFilter
	p, err := queryPage(r)
	if err != nil {
		return f, err
	}
	if p.limit > maxDirectoryLimit {
		return f, passnum.Invalid("limit", "Paramètre limit invalide : %d (l'annuaire répond au plus %d lieux à la fois).", p.limit, maxDirectoryLimit)
	}
	if q.Get("limit") == "" {
		p.limit = defaultDirectoryLimit
	}
	f.Offset, f.Limit = p.offset, p.limit

	if code := strings.ToUpper(strings.TrimSpace(q.Get("commune"))); code != "" {
		if err := passnum.ValidateCommune(code); err != nil {
			return f, passnum.Invalid("commune", "Paramètre commune invalide : %q (le code INSEE de la commune, 5 caractères, par exemple 35238).", q.Get("commune"))
		}
		f.Commune = code
	}
	if pc := strings.TrimSpace(q.Get("postal_code")); pc != "" {
		if !postalCodeParam.MatchString(pc) {
			return f, passnum.Invalid("postal_code", "Paramètre postal_code invalide : %q (5 chiffres, par exemple 35000).", pc)
		}
		f.PostalCode = pc
	}
	rawLat, rawLon := q.Get("lat"), q.Get("lon")
	if (rawLat == "") != (rawLon == "") {
		return f, passnum.Invalid("lat", "Donnez la latitude (lat) et la longitude (lon) ensemble.")
	}
	if rawLat != "" {
		lat, err := coordinate(rawLat, "lat", "latitude", 90)
		if err != nil {
			return f, err
		}
		lon, err := coordinate(rawLon, "lon", "longitude", 180)
		if err != nil {
			return f, err
		}
		f.Near = &passnum.LatLon{Lat: lat, Lon: lon}
	}
	if f.Commune != "" && f.Near != nil {
		return f, passnum.Invalid("commune", "Cherchez autour d'une commune ou d'un point (lat, lon), pas des deux.")
	}
	if raw := q.Get("radius_km"); raw != "" {
		km, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(km) || math.IsInf(km, 0) || km <= 0 {
			return f, passnum.Invalid("radius_km", "Paramètre radius_km invalide : %q (un nombre de kilomètres, par exemple 10).", raw)
		}
		if km > passnum.MaxRadiusKm {
			return f, passnum.Invalid("radius_km", "Rayon trop grand : %s km (%d km au plus).", raw, passnum.MaxRadiusKm)
		}
		if f.Commune == "" && f.Near == nil {
			return f, passnum.Invalid("radius_km", "Un rayon se compte autour d'une commune (commune) ou d'un point (lat, lon) : donnez l'un des deux.")
		}
		f.RadiusKm = km
	}
	for _, v := range []struct {
		param, label string
		values       []string
		dst          *string
	}{
		{"category", "Catégorie de service", passnum.ServiceCategories, &f.Category},
		{"public", "Public", passnum.Publics, &f.Public},
		{"support", "Prise en charge", passnum.Supports, &f.Support},
	} {
		raw := strings.TrimSpace(q.Get(v.param))
		if raw == "" {
			continue
		}
		if !slices.Contains(v.values, raw) {
			return f, passnum.Invalid(v.param, "%s inconnu(e) : %q (valeurs permises : %s).", v.label, raw, strings.Join(v.values, " | "))
		}
		*v.dst = raw
	}
	for _, b := range []struct {
		param string
		dst   *bool
	}{{"passes", &f.Passes}, {"open_now", &f.OpenNow}} {
		v, err := queryBool(r, b.param)
		if err != nil {
			return f, err
		}
		if v != nil {
			*b.dst = *v
		}
	}
	f.Query = strings.TrimSpace(q.Get("q"))
	if len([]rune(f.Query)) > maxDirectoryQuery {
		return f, passnum.Invalid("q", "Recherche trop longue (%d caractères au plus).", maxDirectoryQuery)
	}
	return f, nil
}

// coordinate reads a latitude or longitude in decimal degrees.
func coordinate(raw, param, name string, bound float64) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || math.IsNaN(v) || v < -bound || v > bound {
		return 0, passnum.Invalid(param, "Paramètre %s invalide : %q (une %s en degrés décimaux, entre %v et %v).", param, raw, name, -bound, bound)
	}
	return v, nil
}

// getDirectoryEntry answers the public page of one venue of the directory.
func (s *Server) getDirectoryEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := s.svc.DirectoryEntry(r.Context(), id)
	if err != nil {
		return err
	}
	if e.Services == nil {
		e.Services = []*passnum.CatalogueService{}
	}
	if e.Places == nil {
		e.Places = []*passnum.Place{}
	}
	if e.NextSessions == nil {
		e.NextSessions = []*passnum.WorkshopSession{}
	}
	w.Header().Set("Cache-Control", directoryCacheControl)
	return writeJSON(w, http.StatusOK, e)
}
