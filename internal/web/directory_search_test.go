package web

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// dirSeed is the directory of the tests: the fixture's venues described
// as the standard has it, and venues of the national data set around them.
type dirSeed struct {
	cesson   int64 // listed (no passes), Cesson-Sévigné, 5 km east of Rennes, Seniors, hours unknown
	reunion  int64 // listed, Saint-Denis de La Réunion
	place    *passnum.Place
	session  *passnum.WorkshopSession
	service2 *passnum.CatalogueService
}

func f64(v float64) *float64 { return &v }

// seedDirectory describes the fixture's venue in Rennes (open on weekday
// mornings, for seniors and deaf people, with a point of presence and a
// session), and imports listed venues: one in Cesson-Sévigné, one in La
// Réunion and, when many is set, 22 around Rennes for paging.
func seedDirectory(t *testing.T, s *site, many bool) dirSeed {
	t.Helper()
	ctx := storetest.As(s.f.Operator)
	st := s.env.Store
	file, err := st.FindVenueFile(ctx, s.f.Venue.ID)
	if err != nil {
		t.Fatal(err)
	}
	v := file.Venue
	v.Address, v.PostalCode, v.Commune, v.INSEE = "12 rue de la Quincaillerie", "35000", "Rennes", "35238"
	v.Lat, v.Lon = f64(48.1060), f64(-1.6720)
	v.OpeningHours = "Mo-Fr 09:00-12:00,14:00-18:00; PH off"
	v.Phone, v.Emails, v.Websites = "+33299001122", []string{"bonjour@quincaillerie.example.fr"}, []string{"https://quincaillerie.example.fr"}
	v.Summary = "Ateliers numériques pour tous, au cœur de Rennes."
	v.Detail = "Nous accueillons chacun à son rythme.\nAteliers en petits groupes."
	v.Publics, v.Supports = []string{"Seniors"}, []string{"Surdité"}
	v.AccessModes, v.SupportModes = []string{"Se présenter", "Téléphoner"}, []string{"Accompagnement individuel", "Dans un atelier collectif"}
	v.Fees = []string{"Gratuit"}
	v.AccessibilitySheet = "https://acceslibre.beta.gouv.fr/app/35-rennes/a/quincaillerie/"
	v.AppointmentURL = "https://rdv.example.fr/quincaillerie"
	if _, err := st.UpdateVenue(ctx, v); err != nil {
		t.Fatalf("update venue: %v", err)
	}
	var d dirSeed
	if d.place, err = st.SavePlace(ctx, passnum.Place{VenueID: s.f.Venue.ID, Name: "Mairie de Bruz", Address: "Place de la Mairie", PostalCode: "35170", INSEE: "35047",
		OpeningHours: "We 14:00-17:00", Active: true}); err != nil {
		t.Fatalf("place: %v", err)
	}
	if d.service2, err = st.CreateCatalogueService(ctx, passnum.CatalogueServiceCreate{VenueID: s.f.Venue.ID, Title: "Faire ses démarches en ligne",
		Category: "Aide aux démarches administratives", DurationMinutes: 120, PricePasses: 1, Level: "débutant", Format: passnum.FormatCollective,
		Accessibility: "Salle de plain-pied", Description: "Impots.gouv, ameli, CAF : créer ses comptes."}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, 3, 17, 13, 0, 0, 0, time.UTC) // Wednesday 14:00 in Paris
	if d.session, err = st.CreateSession(storetest.VenueCtx(s.f.Venue), passnum.SessionCreate{ServiceID: d.service2.ID, PlaceID: d.place.ID, StartsAt: start, Capacity: 6}); err != nil {
		t.Fatal(err)
	}
	row := func(line int, id, name, commune, pc, insee string, lat, lon float64, services ...string) passnum.ImportRow {
		return passnum.ImportRow{Line: line, Venue: passnum.Venue{ID: id, Pivot: fmt.Sprintf("W%09d", 352000000+line), Name: name, Commune: commune,
			PostalCode: pc, INSEE: insee, Address: fmt.Sprintf("%d rue du Test", line), Lat: f64(lat), Lon: f64(lon), UpdatedOn: "2027-01-10", Services: services}}
	}
	rows := []passnum.ImportRow{
		row(2, "cesson-ccas", "CCAS de Cesson-Sévigné", "Cesson-Sévigné", "35510", "35051", 48.1210, -1.6030, "Aide aux démarches administratives"),
		row(3, "reunion-epn", "EPN de Saint-Denis", "Saint-Denis", "97400", "97411", -20.8823, 55.4504, "Accès internet et matériel informatique"),
	}
	rows[0].Venue.Publics = []string{"Seniors"}
	if many {
		for i := 0; i < 22; i++ {
			rows = append(rows, row(10+i, fmt.Sprintf("rennes-%02d", i), fmt.Sprintf("Point numérique de quartier %02d", i), "Rennes", "35000", "35238",
				48.11, -1.761-float64(i)*0.005, "Maîtrise des outils numériques du quotidien")) // 6 to 14 km west of Rennes
		}
	}
	if _, err := st.ImportVenues(ctx, rows, false); err != nil {
		t.Fatalf("import: %v", err)
	}
	list, _, err := st.ListVenues(ctx, passnum.VenueFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, lv := range list {
		switch lv.ID {
		case "cesson-ccas":
			d.cesson = lv.OrgID
		case "reunion-epn":
			d.reunion = lv.OrgID
		}
	}
	if d.cesson == 0 || d.reunion == 0 {
		t.Fatalf("imported venues not found")
	}
	return d
}

var svgRE = regexp.MustCompile(`(?s)<svg class="map".*?</svg>`)

// mapOf parses the map of a page as XML: it must be well-formed, an
// image with a title and a description, each marker with its title. It
// returns the description and the markers' titles.
func mapOf(t *testing.T, body string) (desc string, markers []string) {
	t.Helper()
	raw := svgRE.FindString(body)
	if raw == "" {
		t.Fatalf("no map in the page")
	}
	dec := xml.NewDecoder(strings.NewReader(raw))
	dec.Strict = true
	var stack []xml.StartElement
	var role, labelledBy, title string
	inMarker := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("map is not well-formed XML: %v\n%.500s", err, raw)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			attr := func(name string) string {
				for _, a := range tok.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			if tok.Name.Local == "svg" {
				role, labelledBy = attr("role"), attr("aria-labelledby")
			}
			if attr("style") != "" {
				t.Errorf("style attribute in the map: the CSP forbids it")
			}
			if tok.Name.Local == "g" && strings.Contains(attr("class"), "map-marker") {
				inMarker = len(stack) + 1
				markers = append(markers, "")
			}
			stack = append(stack, tok)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if len(stack) < inMarker {
				inMarker = 0
			}
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			switch el := stack[len(stack)-1].Name.Local; {
			case el == "title" && inMarker > 0:
				markers[len(markers)-1] += string(tok)
			case el == "title" && len(stack) == 2:
				title += string(tok)
			case el == "desc":
				desc += string(tok)
			}
		}
	}
	if role != "img" || !strings.Contains(labelledBy, "-titre") || !strings.Contains(labelledBy, "-desc") || title == "" || desc == "" {
		t.Errorf("map: role %q, aria-labelledby %q, title %q, desc %q", role, labelledBy, title, desc)
	}
	for i, m := range markers {
		if m == "" {
			t.Errorf("marker %d has no title", i+1)
		}
	}
	return desc, markers
}

// names lists the venues of a results page, in order.
var resultRE = regexp.MustCompile(`<h3><span class="dir-num[^"]*">(\d+)</span> <a href="/annuaire/(\d+)[^"]*">([^<]+)</a></h3>`)

func results(body string) []string {
	var out []string
	for _, m := range resultRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+". "+m[3])
	}
	return out
}

// TestDirectorySearch searches the public directory without an account:
// around a commune, a postal code or a position, with every filter, in
// pages, with the map of the results.
func TestDirectorySearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		seedDirectory(t, s, true)
		search := func(q string) answer {
			t.Helper()
			a := s.get(nil, "/annuaire?"+q)
			if a.status != http.StatusOK {
				t.Fatalf("%s: %d\n%.500s", q, a.status, a.text())
			}
			return a
		}
		// Around Rennes: the fixture's venue first (its point is near the
		// centre), Cesson-Sévigné (5 km), then the points of quartier (6 to
		// 14 km); not Brest nor Lyon.
		a := search("commune=Rennes&rayon=20")
		got := results(a.body)
		if len(got) != directoryPerPage || got[0] != "1. La Quincaillerie numérique" || got[1] != "2. CCAS de Cesson-Sévigné" || got[2] != "3. Point numérique de quartier 00" {
			t.Fatalf("around Rennes: %v", got)
		}
		if !strings.Contains(a.text(), "24 lieux autour de Rennes") || strings.Contains(a.text(), "Brest") {
			t.Errorf("around Rennes:\n%s", a.text())
		}
		if a.header.Get("Permissions-Policy") != "camera=(), microphone=(), geolocation=(self)" {
			t.Errorf("Permissions-Policy %q", a.header.Get("Permissions-Policy"))
		}
		desc, markers := mapOf(t, a.body)
		if !strings.Contains(desc, "24 lieux autour de Rennes") || len(markers) != directoryPerPage || !strings.HasPrefix(markers[0], "1. La Quincaillerie numérique, Rennes") {
			t.Errorf("map: %q, %d markers %v", desc, len(markers), markers[:min(2, len(markers))])
		}
		if !strings.Contains(a.body, `viewBox="`) || strings.Contains(a.body, `viewBox="0 0 1000 1000"`) {
			t.Errorf("the map of a search around a place is not zoomed")
		}
		// Around Bruz, the fixture's venue is found by its permanence at
		// the town hall there, 10 km from its main address in Rennes.
		a = search("commune=Bruz&rayon=5")
		if got := results(a.body); len(got) == 0 || got[0] != "1. La Quincaillerie numérique" || !strings.Contains(a.text(), "(permanence : Mairie de Bruz)") {
			t.Errorf("around Bruz: %v\n%.600s", got, a.text())
		}
		a = search("commune=Rennes&rayon=20")
		// The second page goes on with the numbers, on the map too.
		if !strings.Contains(a.body, `href="/annuaire?commune=`) || !strings.Contains(a.body, "Page suivante") {
			t.Fatalf("no pager")
		}
		a = search("commune=Rennes&rayon=20&page=2")
		got = results(a.body)
		if len(got) != 4 || got[0] != "21. Point numérique de quartier 18" || got[3] != "24. Point numérique de quartier 21" ||
			!strings.Contains(a.body, `<ol class="dir-results" start="21">`) {
			t.Errorf("page 2: %v", got)
		}
		if _, markers := mapOf(t, a.body); len(markers) != 4 || !strings.HasPrefix(markers[0], "21. ") {
			t.Errorf("page 2 map: %v", markers)
		}
		// The postal code searches around the same place.
		if got := results(search("commune=35000&rayon=5").body); len(got) == 0 || got[0] != "1. La Quincaillerie numérique" {
			t.Errorf("35000: %v", got)
		}
		// Each filter.
		for _, c := range []struct {
			q    string
			want []string
		}{
			{"commune=Rennes&service=" + url.QueryEscape("Aide aux démarches administratives"), []string{"1. La Quincaillerie numérique", "2. CCAS de Cesson-Sévigné"}},
			{"commune=Rennes&public=Seniors", []string{"1. La Quincaillerie numérique", "2. CCAS de Cesson-Sévigné"}},
			{"commune=Rennes&public=Seniors&pass=1", []string{"1. La Quincaillerie numérique"}},
			{"commune=Rennes&prise_en_charge=" + url.QueryEscape("Surdité"), []string{"1. La Quincaillerie numérique"}},
			{"commune=Rennes&ouvert=1", []string{"1. La Quincaillerie numérique"}}, // Monday 10:30; the others have no hours
			{"q=cesson", []string{"1. CCAS de Cesson-Sévigné"}},
			{"commune=Rennes&q=" + url.QueryEscape("quartier 21"), []string{"1. Point numérique de quartier 21"}},
			{"commune=Rennes&rayon=5", []string{"1. La Quincaillerie numérique"}},
			{"commune=Rennes&rayon=10&pass=1", []string{"1. La Quincaillerie numérique"}},
		} {
			if got := results(search(c.q).body); strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("%s: %v, want %v", c.q, got, c.want)
			}
		}
		if a := search("commune=Rennes&ouvert=1"); !strings.Contains(a.text(), "ouvert en ce moment") {
			t.Errorf("open now badge:\n%s", a.text())
		}
		// Around the browser's position, 600 m south of the venue.
		a = search("lat=48.100&lon=-1.672&rayon=5")
		if got := results(a.body); len(got) == 0 || got[0] != "1. La Quincaillerie numérique" || !strings.Contains(a.text(), "autour de votre position") {
			t.Errorf("around a position: %v\n%.300s", got, a.text())
		}
		if !strings.Contains(a.text(), "à 700 m") {
			t.Errorf("distance of the first venue:\n%s", a.text())
		}
		// A commune typed replaces the position.
		if a := search("lat=48.100&lon=-1.672&commune=Brest"); !strings.Contains(a.text(), "autour de Brest") || strings.Contains(a.body, `name="lat" id="lat" value="48`) {
			t.Errorf("commune and position:\n%.400s", a.text())
		}
		// Without a place, every venue by name, on the map of France with
		// the overseas ones named beside it.
		a = search("q=EPN")
		if got := results(a.body); len(got) != 1 || !strings.Contains(a.text(), "Outre-mer (hors de la carte) : 1. EPN de Saint-Denis") {
			t.Errorf("overseas: %v\n%s", got, a.text())
		}
		if _, markers := mapOf(t, a.body); len(markers) != 0 {
			t.Errorf("an overseas venue drawn on the map of metropolitan France: %v", markers)
		}
		// A name that several communes bear asks which; a name no commune
		// bears says so.
		a = s.get(nil, "/annuaire?commune=Saint-Martin")
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, `name="commune_choice"`) {
			t.Errorf("ambiguous commune: %d", a.status)
		}
		choice := regexp.MustCompile(`name="commune_choice" value="([^"]+)"`).FindStringSubmatch(a.body)
		if a := search("commune=Saint-Martin&commune_choice=" + choice[1]); strings.Contains(a.body, `name="commune_choice"`) || !strings.Contains(a.text(), "autour de Saint-Martin") {
			t.Errorf("commune chosen:\n%.300s", a.text())
		}
		if a := s.get(nil, "/annuaire?commune=Zzyzzx"); a.status != http.StatusBadRequest || !strings.Contains(a.text(), "Aucune commune ne correspond") {
			t.Errorf("unknown commune: %d", a.status)
		}
		if a := s.get(nil, "/annuaire?service=Tricot"); a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="service-error"`) {
			t.Errorf("unknown service: %d\n%.300s", a.status, a.text())
		}
	})
}

// TestDirectoryVenuePage opens a venue's public page: its description,
// hours, offer, places, next sessions and map; venues out of the
// directory and other organisations are not found.
func TestDirectoryVenuePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		d := seedDirectory(t, s, false)
		a := s.get(nil, fmt.Sprintf("/annuaire/%d?commune=Rennes&page=2", s.f.Venue.ID))
		if a.status != http.StatusOK {
			t.Fatalf("venue page: %d\n%.500s", a.status, a.text())
		}
		text := strings.ReplaceAll(a.text(), "\u202f", " ")
		for _, want := range []string{
			"La Quincaillerie numérique", "accepte le Pass numérique", "ouvert en ce moment", "Ateliers numériques pour tous",
			"12 rue de la Quincaillerie", "35000 Rennes", "02 99 00 11 22", "bonjour@quincaillerie.example.fr",
			"Prendre rendez-vous en ligne", "Fiche d'accessibilité du lieu",
			"du lundi au vendredi : 9 h – 12 h, 14 h – 18 h", "fermé les jours fériés",
			"Faire ses démarches en ligne", "Aide aux démarches administratives", "débutant", "collectif", "Salle de plain-pied",
			"Premiers pas sur smartphone", "1 h 30",
			"mercredi 17 mars 2027", "14 h 00 – 16 h 00", "Mairie de Bruz", "6 sur 6",
			"Publics accueillis en particulier Seniors", "Prise en charge spécifique Surdité", "Modalités d'accès Se présenter, Téléphoner",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("venue page: no %q", want)
			}
		}
		if !strings.Contains(a.body, `href="/annuaire?commune=Rennes&amp;page=2"`) {
			t.Errorf("no way back to the results")
		}
		desc, markers := mapOf(t, a.body)
		if len(markers) != 2 || !strings.HasPrefix(markers[0], "La Quincaillerie numérique") || !strings.HasPrefix(markers[1], "A. Mairie de Bruz") {
			t.Errorf("venue map: %q %v", desc, markers)
		}
		// A listed venue: in the directory, without passes.
		if a := s.get(nil, fmt.Sprintf("/annuaire/%d", d.cesson)); a.status != http.StatusOK || !strings.Contains(a.text(), "n'accepte pas le Pass numérique") ||
			!strings.Contains(a.text(), "horaires non renseignés") {
			t.Errorf("listed venue: %d\n%.500s", a.status, a.text())
		}
		// Overseas: no map of metropolitan France.
		if a := s.get(nil, fmt.Sprintf("/annuaire/%d", d.reunion)); a.status != http.StatusOK || strings.Contains(a.body, `<svg class="map"`) ||
			!strings.Contains(a.text(), "97400 Saint-Denis") {
			t.Errorf("overseas venue: %d\n%.500s", a.status, a.text())
		}
		// Not found: another kind of organisation, a refused venue, no
		// number.
		if a := s.get(nil, fmt.Sprintf("/annuaire/%d", s.f.Prescriber.ID)); a.status != http.StatusNotFound {
			t.Errorf("a prescriber's page: %d", a.status)
		}
		if a := s.get(nil, fmt.Sprintf("/annuaire/%d", s.f.Outside.ID)); a.status != http.StatusOK {
			t.Errorf("a qualified venue: %d", a.status)
		}
		if _, err := env.Store.MoveQualification(storetest.As(s.f.Operator), s.f.Outside.ID, passnum.QualificationWithdrawn, "hors charte"); err != nil {
			t.Fatal(err)
		}
		if a := s.get(nil, fmt.Sprintf("/annuaire/%d", s.f.Outside.ID)); a.status != http.StatusNotFound {
			t.Errorf("a withdrawn venue: %d", a.status)
		}
		if a := s.get(nil, "/annuaire/quincaillerie"); a.status != http.StatusNotFound {
			t.Errorf("no number: %d", a.status)
		}
		// The directory is public and in the footer of every page.
		if a := s.get(s.as(passnum.KindVenue, passnum.RoleAgent), "/lieu"); !strings.Contains(a.body, `href="/annuaire"`) {
			t.Errorf("no link to the directory")
		}
	})
}

// TestMapFrame: a search around a place frames its results, a map of all
// France stays whole, and markers on the same point are moved apart.
func TestMapFrame(t *testing.T) {
	rennes := passnum.LatLon{Lat: 48.1113, Lon: -1.6800}
	one := drawMap(mapSpec{ID: "m", Title: "t", Desc: "d", Zoom: true, MinKm: 12, Centre: &rennes,
		Markers: []mapMarker{{Label: "1", Title: "1. a", Point: rennes}, {Label: "2", Title: "2. b", Point: rennes}}})
	vb := regexp.MustCompile(`viewBox="([^"]+)"`).FindStringSubmatch(string(one.SVG))[1]
	var x, y, w, h float64
	if _, err := fmt.Sscanf(vb, "%g %g %g %g", &x, &y, &w, &h); err != nil || w != h || w < 12*unitsPerKm || w > 40 {
		t.Errorf("viewBox %q around Rennes", vb)
	}
	if !strings.Contains(string(one.SVG), `class="map-leader"`) {
		t.Errorf("two markers on one point: none moved aside")
	}
	all := drawMap(mapSpec{ID: "m", Title: "t", Desc: "d", Zoom: true, Markers: []mapMarker{
		{Label: "1", Title: "1", Point: passnum.LatLon{Lat: 51.03, Lon: 2.37}}, {Label: "2", Title: "2", Point: passnum.LatLon{Lat: 43.3, Lon: 5.37}},
		{Label: "3", Title: "3", Point: passnum.LatLon{Lat: 48.39, Lon: -4.49}}, {Label: "4", Title: "4", Point: passnum.LatLon{Lat: 48.58, Lon: 7.75}},
		{Label: "5", Title: "5", Point: passnum.LatLon{Lat: -21.1, Lon: 55.5}}}})
	if !strings.Contains(string(all.SVG), `viewBox="0 0 1000 1000"`) || len(all.Overseas) != 1 || all.Overseas[0].Label != "5" {
		t.Errorf("all France: %v, overseas %v", regexp.MustCompile(`viewBox="[^"]+"`).FindString(string(all.SVG)), all.Overseas)
	}
	got := []string{distanceLabel(0.05, false), distanceLabel(0.74, false), distanceLabel(0.97, false), distanceLabel(2.34, false),
		distanceLabel(12.6, false), distanceLabel(0.2, true), distanceLabel(4.2, true)}
	if j := strings.ReplaceAll(strings.Join(got, "|"), "\u202f", " "); j != "à moins de 100 m|à 700 m|à 1,0 km|à 2,3 km|à 13 km|dans la commune|à 4,2 km environ" {
		t.Errorf("distances: %q", j)
	}
}
