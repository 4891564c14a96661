package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
	"github.com/passnum/passnum/internal/openinghours"
)

// The public directory of lieux de médiation numérique, for anybody
// without an account: a search by place (a commune or postal code typed,
// or the browser's position), distance, service, public, support, passes
// accepted, open now and name, with the results as a list and as a map;
// and each venue's page. The paths start with /annuaire, not /lieu…,
// which is the venues' own space.

// directoryPerPage is how many venues a page of results lists (and maps).
const directoryPerPage = 20

// directoryRadii are the distances offered around a place, in km.
var directoryRadii = []int{5, 10, 20, 50}

// directoryFields maps the parameters of a directory query
// (passnum.ParseDirectoryQuery), which its errors name, to the fields of
// the search form.
var directoryFields = map[string]string{
	"category": "service", "public": "public", "support": "prise_en_charge", "q": "q",
	"passes": "pass", "open_now": "ouvert", "radius_km": "rayon",
	"commune": "commune", "postal_code": "commune", "lat": "commune", "lon": "commune",
}

// directoryData is the search page.
type directoryData struct {
	Searched bool // a criterion was given
	Page     *passnum.DirectoryPage
	Rows     []directoryRow
	// Communes are the candidates of an ambiguous commune.
	Communes []communeOption
	// Place names the place searched around: "Rennes (35000)", "votre
	// position"; empty without a place criterion.
	Place    string
	RadiusKm int
	Radii    []int
	Map      mapOut
	// Paging.
	PageNo, Pages     int
	PrevURL, NextURL  string
	FirstRow, LastRow int
	// Lat and Lon carry the browser's position from one search to the
	// next (paging, another radius).
	Lat, Lon string
}

// directoryRow is one venue in the results.
type directoryRow struct {
	N        int
	V        *passnum.DirectoryVenue
	Href     string
	Distance string // "à 2,3 km", "" without a place criterion
}

// directoryQuery is the normalised search, as it goes into links: the
// pager's and each venue's "back to the results".
func directoryQuery(f url.Values) url.Values {
	q := url.Values{}
	for _, k := range []string{"commune", "lat", "lon", "rayon", "service", "public", "prise_en_charge", "pass", "ouvert", "q"} {
		if v := strings.TrimSpace(f.Get(k)); v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// directory is the search page, /annuaire.
func (s *Server) directory(w http.ResponseWriter, r *http.Request) error {
	// The position of "autour de moi" is asked on this page only: every
	// other page keeps geolocation off.
	w.Header().Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
	d := &directoryData{Radii: directoryRadii, RadiusKm: passnum.DefaultRadiusKm, PageNo: 1}
	v := s.newView(r, "Trouver un lieu de médiation numérique", d)
	for k, vals := range r.URL.Query() {
		if len(vals) > 0 {
			v.Form.Set(k, strings.TrimSpace(vals[0]))
		}
	}
	// The page offers a few radii and pages: anything else is the default.
	if n, err := strconv.Atoi(v.Form.Get("rayon")); err == nil && slices.Contains(directoryRadii, n) {
		d.RadiusKm = n
	}
	v.Form.Set("rayon", strconv.Itoa(d.RadiusKm))
	if n, err := strconv.Atoi(v.Form.Get("page")); err == nil && n > 1 {
		d.PageNo = min(n, 10000)
	}
	query := searchQuery(v, d)
	// A search was made: more than the radius, which always has a value.
	d.Searched = len(directoryQuery(v.Form)) > 1
	f, page, status, err := s.searchDirectory(r, v, d, query)
	if err != nil {
		return err
	}
	d.setResults(page, f.Offset, v.Form)
	d.Map = s.directoryMap(d, page, f)
	return s.render(w, r, status, "directory_search", v)
}

// searchQuery turns the search form into the query of a directory search
// that passnum.ParseDirectoryQuery reads, as the API's: the criteria under
// their names, and the place, which the page finds itself: a postal code
// or a commune typed (with the candidates of an ambiguous name), else the
// browser's position.
func searchQuery(v *view, d *directoryData) url.Values {
	q := url.Values{}
	for field, param := range map[string]string{"service": "category", "public": "public", "prise_en_charge": "support", "q": "q"} {
		if value := v.Form.Get(field); value != "" {
			q.Set(param, value)
		}
	}
	for field, param := range map[string]string{"pass": "passes", "ouvert": "open_now"} {
		if v.Form.Get(field) == "1" {
			q.Set(param, "true")
		}
	}
	typed, choice := v.Form.Get("commune"), v.Form.Get("commune_choice")
	switch {
	case isPostalCode(typed) && choice == "":
		c, ok := postalCodeCentre(typed)
		if !ok {
			v.addError("commune", "Aucune commune n'a le code postal « "+typed+" ». Vérifiez-le, ou tapez le nom de la commune.")
			break
		}
		q.Set("commune", c.INSEE)
		d.Place = c.Name + " (" + typed + ")"
	case typed != "" || choice != "":
		insee, options := communeField(v, false)
		d.Communes = options
		if insee != "" {
			c, _ := geo.LookupCommune(insee)
			q.Set("commune", insee)
			d.Place = c.Name
		}
	case v.Form.Get("lat") != "" || v.Form.Get("lon") != "":
		q.Set("lat", v.Form.Get("lat"))
		q.Set("lon", v.Form.Get("lon"))
	}
	if typed != "" || choice != "" {
		v.Form.Del("lat")
		v.Form.Del("lon")
	}
	if q.Has("commune") || q.Has("lat") {
		q.Set("radius_km", strconv.Itoa(d.RadiusKm))
	}
	return q
}

// searchDirectory reads the query and searches, unless a commune is to be
// chosen or corrected first (no list of all France meanwhile). A query or
// a search refused is shown on the form, with its status; only internal
// errors are returned.
func (s *Server) searchDirectory(r *http.Request, v *view, d *directoryData, query url.Values) (passnum.DirectoryFilter, *passnum.DirectoryPage, int, error) {
	offset := (d.PageNo - 1) * directoryPerPage
	if v.Summary != nil {
		return passnum.DirectoryFilter{Offset: offset}, &passnum.DirectoryPage{}, http.StatusBadRequest, nil
	}
	f, err := passnum.ParseDirectoryQuery(query)
	f.Now, f.Offset, f.Limit = s.now(), offset, directoryPerPage
	page := &passnum.DirectoryPage{}
	if err == nil {
		if f.Near != nil {
			d.Place, d.Lat, d.Lon = "votre position", query.Get("lat"), query.Get("lon")
		}
		page, err = s.svc.SearchDirectory(r.Context(), f)
	}
	switch {
	case err == nil:
		return f, page, http.StatusOK, nil
	case passnum.ErrorCode(err) == passnum.EINTERNAL:
		return f, nil, 0, err
	}
	v.addServiceError(err, directoryFields)
	return f, &passnum.DirectoryPage{}, errStatus(err), nil
}

// setResults lists a page of results with their numbers and distances,
// and the links to the pages before and after.
func (d *directoryData) setResults(page *passnum.DirectoryPage, offset int, form url.Values) {
	d.Page = page
	d.Pages = max(1, (page.Total+directoryPerPage-1)/directoryPerPage)
	back := directoryQuery(form)
	if d.PageNo > 1 {
		back.Set("page", strconv.Itoa(d.PageNo))
	}
	suffix := ""
	if enc := back.Encode(); enc != "" {
		suffix = "?" + enc
	}
	for i, dv := range page.Venues {
		row := directoryRow{N: offset + i + 1, V: dv, Href: fmt.Sprintf("/annuaire/%d%s", dv.OrgID, suffix)}
		switch {
		case dv.DistanceKm != nil && dv.NearestPlace != "":
			// Found by one of its points of presence, nearer than its
			// main address.
			row.Distance = distanceLabel(*dv.DistanceKm, false) + " (permanence : " + dv.NearestPlace + ")"
		case dv.DistanceKm != nil:
			row.Distance = distanceLabel(*dv.DistanceKm, dv.PointApprox)
		}
		d.Rows = append(d.Rows, row)
	}
	if len(d.Rows) > 0 {
		d.FirstRow, d.LastRow = d.Rows[0].N, d.Rows[len(d.Rows)-1].N
	}
	d.PrevURL, d.NextURL = pagerLinks("/annuaire", directoryQuery(form), d.PageNo, d.Pages)
}

// directoryMap draws the results of a page, zoomed on them when the
// search is around a place.
func (s *Server) directoryMap(d *directoryData, page *passnum.DirectoryPage, f passnum.DirectoryFilter) mapOut {
	spec := mapSpec{ID: "carte-resultats", Title: "Carte des résultats", Zoom: true, Centre: page.Centre, MinKm: 12}
	cross := ""
	switch c, ok := geo.LookupCommune(f.Commune); {
	case f.Near != nil:
		spec.CentreName, cross = "Vous", "votre position"
	case ok:
		spec.CentreName, cross = c.Name, "le centre de "+c.Name
	}
	for _, row := range d.Rows {
		spec.Markers = append(spec.Markers, mapMarker{
			Label: strconv.Itoa(row.N), Title: markerTitle(row), Point: row.V.Point, Filled: row.V.AcceptsPasses,
		})
	}
	total := passnum.FrenchNumber(int64(page.Total))
	lieux := pluralize(int64(page.Total), "lieu", "lieux")
	switch {
	case page.Total == 0:
		spec.Desc = "Aucun lieu ne correspond à la recherche"
	case d.Place != "":
		spec.Desc = fmt.Sprintf("%s %s autour de %s, dans un rayon de %d km", total, lieux, d.Place, d.RadiusKm)
	default:
		spec.Desc = fmt.Sprintf("%s %s en France", total, lieux)
	}
	if len(d.Rows) > 0 && len(d.Rows) < page.Total {
		spec.Desc += fmt.Sprintf(" ; la carte montre les lieux %d à %d de la liste, avec leur numéro", d.FirstRow, d.LastRow)
	} else if len(d.Rows) > 0 {
		spec.Desc += " ; chaque lieu porte le numéro de la liste"
	}
	if spec.Centre != nil && cross != "" {
		spec.Desc += ". La croix marque " + cross
	}
	spec.Desc += "."
	return drawMap(spec)
}

// markerTitle is a marker's tooltip: its number, name, commune and
// distance.
func markerTitle(row directoryRow) string {
	t := fmt.Sprintf("%d. %s, %s", row.N, row.V.Name, row.V.Commune)
	if row.Distance != "" {
		t += ", " + row.Distance
	}
	if row.V.PointApprox {
		t += " (position approximative : la commune)"
	}
	return t
}

// distanceLabel says how far a venue is. A venue placed at its commune's
// point is only known to be in that commune.
func distanceLabel(km float64, approx bool) string {
	switch {
	case approx && km < 1:
		return "dans la commune"
	case approx:
		return "à " + kmLabel(km) + " environ"
	case km < 0.1:
		return "à moins de 100" + nbsp + "m"
	}
	return "à " + kmLabel(km)
}

// kmLabel writes a distance as people read it: "800 m", "2,3 km", "12 km".
func kmLabel(km float64) string {
	switch {
	case km < 0.95:
		return fmt.Sprintf("%d%sm", int(math.Round(km*10))*100, nbsp)
	case km < 10:
		return strings.Replace(strconv.FormatFloat(math.Round(km*10)/10, 'f', 1, 64), ".", ",", 1) + nbsp + "km"
	}
	return strconv.Itoa(int(math.Round(km))) + nbsp + "km"
}

var postalCodeRE = regexp.MustCompile(`^\d{5}$`)

func isPostalCode(s string) bool { return postalCodeRE.MatchString(strings.TrimSpace(s)) }

// postalCodeCentre is the commune a search around a postal code starts
// from: the most populous of those that have it.
func postalCodeCentre(pc string) (geo.Commune, bool) {
	var best geo.Commune
	found := false
	for _, c := range geo.Search(pc, 0) {
		if !slices.Contains(c.PostalCodes, pc) {
			continue
		}
		if !found || c.Population > best.Population {
			best, found = c, true
		}
	}
	return best, found
}

// entryData is a venue's public page.
type entryData struct {
	E *passnum.DirectoryEntry
	// Hours are the opening hours in French, one line per group of days;
	// HoursRaw the value as given when it cannot be read.
	Hours    []string
	HoursRaw string
	Phone    string // for people: "02 23 40 28 00"
	Places   []entryPlace
	Sessions []entrySession
	Map      mapOut
	Back     string
	// Vocabularies of the standard with the venue's values, in the
	// standard's order.
	Labels []entryLabels
}

type entryPlace struct {
	Letter string
	P      *passnum.Place
	Hours  []string
}

type entrySession struct {
	S     *passnum.WorkshopSession
	Day   string // "mardi 16 mars 2027"
	Hours string // "14 h 00 – 15 h 30"
	Place string
	Left  int // seats left
}

type entryLabels struct {
	Label  string
	Values []string
}

func (s *Server) directoryEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Lieu")
	if err != nil {
		return err
	}
	e, err := s.svc.DirectoryEntry(r.Context(), id)
	if err != nil {
		return err
	}
	venue := &e.Venue
	d := &entryData{E: e, Phone: phoneLabel(venue.Phone), Back: "/annuaire"}
	if q := directoryQuery(r.URL.Query()); len(q) > 0 {
		if p, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && p > 1 {
			q.Set("page", strconv.Itoa(p))
		}
		d.Back = "/annuaire?" + q.Encode()
	}
	d.Hours, d.HoursRaw = frenchHours(venue.OpeningHours)
	spec := mapSpec{ID: "carte-lieu", Title: "Carte : où se trouve " + venue.Name, Zoom: true, MinKm: 8, Big: true}
	where := venue.Commune
	if e.PointApprox {
		where += " (position approximative : le centre de la commune)"
	}
	address := strings.TrimPrefix(venue.Address+", "+venue.PostalCode+" "+where, ", ")
	spec.Markers = []mapMarker{{Label: "1", Title: venue.Name + ", " + address, Point: e.Point, Filled: e.AcceptsPasses}}
	spec.Desc = venue.Name + " : " + address
	for i, p := range e.Places {
		letter := string(rune('A' + i%26))
		pl := entryPlace{Letter: letter, P: p}
		pl.Hours, _ = frenchHours(p.OpeningHours)
		d.Places = append(d.Places, pl)
		if pt, ok := placePoint(p); ok {
			spec.Markers = append(spec.Markers, mapMarker{Label: letter, Title: letter + ". " + p.Name + ", " + p.Address, Point: pt, Filled: e.AcceptsPasses})
		}
	}
	if len(d.Places) > 0 {
		spec.Desc += fmt.Sprintf(", marqué 1 ; et %d %s, marqués par les lettres de la liste", len(d.Places), pluralize(int64(len(d.Places)), "lieu de permanence", "lieux de permanence"))
	}
	spec.Desc += "."
	if e.Point == (passnum.LatLon{}) {
		spec.Markers = spec.Markers[1:]
	}
	if len(spec.Markers) > 0 {
		// Overseas, the map of metropolitan France would show nothing.
		if m := drawMap(spec); len(m.Overseas) < len(spec.Markers) {
			d.Map = m
		}
	}
	places := map[int64]string{}
	for _, p := range e.Places {
		places[p.ID] = p.Name
	}
	for _, ws := range e.NextSessions {
		es := entrySession{S: ws, Day: frenchDay(ws.StartsAt), Hours: sessionHours(ws), Place: ws.PlaceName,
			Left: max(0, ws.Capacity-ws.Registered)}
		if es.Place == "" {
			es.Place = places[ws.PlaceID]
		}
		if es.Place == "" {
			es.Place = strings.TrimSuffix("au lieu, "+venue.Address, ", ")
		}
		d.Sessions = append(d.Sessions, es)
	}
	for _, voc := range []struct {
		label  string
		values []string
	}{
		{"Publics accueillis en particulier", venue.Publics},
		{"Prise en charge spécifique", venue.Supports},
		{"Modalités d'accès", venue.AccessModes},
		{"Modalités d'accompagnement", venue.SupportModes},
		{"Frais à charge", venue.Fees},
		{"Dispositifs et programmes nationaux", venue.NationalSchemes},
		{"Formations et labels", append(slices.Clone(venue.Labels), venue.OtherLabels...)},
	} {
		if len(voc.values) > 0 {
			d.Labels = append(d.Labels, entryLabels{voc.label, voc.values})
		}
	}
	return s.render(w, r, http.StatusOK, "directory_venue", s.newView(r, venue.Name, d))
}

// placePoint is where a point of presence is: its coordinates, else its
// commune's.
func placePoint(p *passnum.Place) (passnum.LatLon, bool) {
	if p.Lat != nil && p.Lon != nil {
		return passnum.LatLon{Lat: *p.Lat, Lon: *p.Lon}, true
	}
	if c, ok := geo.LookupCommune(p.INSEE); ok {
		return passnum.LatLon{Lat: c.Lat, Lon: c.Lon}, true
	}
	return passnum.LatLon{}, false
}

// frenchHours writes opening hours for people: the French lines, or the
// value itself when it cannot be read.
func frenchHours(value string) ([]string, string) {
	if value == "" {
		return nil, ""
	}
	h, err := openinghours.Parse(value)
	if err != nil {
		return nil, value
	}
	if lines := h.French(); lines != nil {
		return lines, ""
	}
	return nil, value // months, school holidays, comments…: as written
}

// phoneLabel writes a French number of the standard (+33…) as people
// dial it: "02 23 40 28 00"; others as they are.
func phoneLabel(p string) string {
	if !strings.HasPrefix(p, "+33") || len(p) != 12 {
		return p
	}
	n := "0" + p[3:]
	var parts []string
	for i := 0; i < len(n); i += 2 {
		parts = append(parts, n[i:i+2])
	}
	return strings.Join(parts, " ")
}
