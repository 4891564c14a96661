package web

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

// The nearest venues where a carnet can be spent, as the prescriber's
// receipt and the public carnet page show them: a person leaves with the
// address, the phone, the opening hours in words, the next workshops with
// places left and a small map, so that "call them or drop by" leads
// somewhere. The list is the map's text alternative: every marker carries
// the number of its card.

// venueGuide is the partial "venue-list": the venues and their map.
type venueGuide struct {
	Venues []nearbyVenue
	Map    mapOut
	// Near names the commune the venues are sorted from ("Rennes"); empty
	// when the person's commune is unknown.
	Near string
}

// nearbyVenue is one venue of the guide, ready to print.
type nearbyVenue struct {
	N          int
	ID         int64
	Name       string
	Street     string // "10 cours des Alliés, bâtiment B"
	Town       string // "35000 Rennes"
	Phone      string // as dialled: "+33223402800"
	PhoneLabel string // as read: "02 23 40 28 00"
	Distance   string // "à 2,3 km", "" without the person's commune
	// Hours are the opening hours in French, one line per group of days;
	// HoursRaw the value as given when it cannot be read.
	Hours    []string
	HoursRaw string
	// Services are the workshops of the catalogue that the carnet's
	// programme pays for.
	Services []*passnum.CatalogueService
	Sessions []entrySession // the next ones with places left
	URL      string         // the venue's page in the directory, absolute: it is printed
	Approx   bool           // placed at its commune's point
	// OpenNow says whether the venue is open at the time of the page,
	// when its hours are known and the page asks for it: a printed
	// receipt is read later.
	OpenNow *bool
}

// guideOptions size the guide to its page.
type guideOptions struct {
	Venues   int // how many venues
	Sessions int // how many coming sessions per venue
	MapID    string
	OpenNow  bool // say whether each venue is open now
}

// venueGuide finds the nearest venues whose workshops the programme pays
// for: qualified venues inside its territory, nearest the commune first
// (ListPublicVenues). A qualified venue whose catalogue holds only
// workshops outside the programme's services would refuse the carnet's
// passes: it is left out, and the next one is shown. A venue without a
// catalogue yet is kept: it is qualified and says on the phone what it
// offers.
func (s *Server) venueGuide(ctx context.Context, p *passnum.ProgrammeSummary, commune string, o guideOptions) (*venueGuide, error) {
	// Enough candidates that the ones left out leave room for others.
	list, err := s.svc.ListPublicVenues(ctx, passnum.PublicVenueFilter{Territory: p.Territory, Commune: commune, Limit: o.Venues * 3})
	if err != nil {
		return nil, err
	}
	g := &venueGuide{}
	centre, hasCentre := geo.LookupCommune(commune)
	if hasCentre {
		g.Near = centre.Name
	}
	spec := mapSpec{ID: o.MapID, Title: "Carte des lieux les plus proches", Zoom: true, MinKm: 10, Big: true}
	if hasCentre {
		spec.Centre = &passnum.LatLon{Lat: centre.Lat, Lon: centre.Lon}
		spec.CentreName = centre.Name
	}
	for _, pv := range list {
		if len(g.Venues) == o.Venues {
			break
		}
		services := paidServices(p, pv.Services)
		if len(pv.Services) > 0 && len(services) == 0 {
			continue
		}
		e, err := s.svc.DirectoryEntry(ctx, pv.ID)
		if passnum.ErrorCode(err) == passnum.ENOTFOUND {
			continue // withdrawn meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("venue %d: %w", pv.ID, err)
		}
		nv := nearbyVenue{N: len(g.Venues) + 1, ID: pv.ID, Name: pv.Name, Services: services,
			Phone: e.Venue.Phone, PhoneLabel: phoneLabel(e.Venue.Phone), Approx: e.PointApprox,
			URL: fmt.Sprintf("%s/annuaire/%d", s.base, pv.ID)}
		nv.Street = strings.TrimSuffix(strings.TrimSpace(e.Venue.Address+", "+e.Venue.AddressComplement), ",")
		nv.Street = strings.TrimPrefix(nv.Street, ", ")
		town := e.Venue.Commune
		if town == "" {
			town = communeName(pv.CommuneINSEE)
		}
		nv.Town = strings.TrimSpace(e.Venue.PostalCode + " " + town)
		nv.Hours, nv.HoursRaw = frenchHours(e.Venue.OpeningHours)
		hasPoint := e.Point != (passnum.LatLon{})
		if hasCentre && hasPoint {
			nv.Distance = distanceLabel(geo.DistanceKm(geo.Point{Lat: centre.Lat, Lon: centre.Lon}, geo.Point{Lat: e.Point.Lat, Lon: e.Point.Lon}), e.PointApprox)
		}
		nv.Sessions = nextSessions(e, p, o.Sessions)
		if o.OpenNow {
			nv.OpenNow = e.OpenNow
		}
		if hasPoint {
			title := strconv.Itoa(nv.N) + ". " + nv.Name + ", " + nv.Town
			if nv.Distance != "" {
				title += ", " + nv.Distance
			}
			spec.Markers = append(spec.Markers, mapMarker{Label: strconv.Itoa(nv.N), Title: title, Point: e.Point, Filled: true})
		}
		g.Venues = append(g.Venues, nv)
	}
	if len(spec.Markers) > 0 {
		spec.Desc = fmt.Sprintf("%s %s", passnum.FrenchNumber(int64(len(spec.Markers))), pluralize(int64(len(spec.Markers)), "lieu", "lieux"))
		if hasCentre {
			spec.Desc += " autour de " + centre.Name + ", dont la croix marque le centre"
		}
		spec.Desc += " ; chaque lieu porte le numéro de la liste."
		// Overseas, the map of metropolitan France would show nothing.
		if m := drawMap(spec); len(m.Overseas) < len(spec.Markers) {
			g.Map = m
		}
	}
	return g, nil
}

// paidServices keeps the services whose category the programme pays for;
// a programme without a list of services pays for all.
func paidServices(p *passnum.ProgrammeSummary, all []*passnum.CatalogueService) []*passnum.CatalogueService {
	if len(p.Services) == 0 {
		return all
	}
	var out []*passnum.CatalogueService
	for _, svc := range all {
		if slices.Contains(p.Services, svc.Category) {
			out = append(out, svc)
		}
	}
	return out
}

// nextSessions are a venue's coming sessions that still have places and
// that the programme's passes pay for, at most n.
func nextSessions(e *passnum.DirectoryEntry, p *passnum.ProgrammeSummary, n int) []entrySession {
	category := map[int64]string{}
	for _, svc := range e.Services {
		category[svc.ID] = svc.Category
	}
	places := map[int64]string{}
	for _, pl := range e.Places {
		places[pl.ID] = pl.Name
	}
	var out []entrySession
	for _, ws := range e.NextSessions {
		if len(out) == n {
			break
		}
		if ws.CancelledAt != nil || ws.Full() {
			continue
		}
		if len(p.Services) > 0 && !slices.Contains(p.Services, category[ws.ServiceID]) {
			continue
		}
		es := entrySession{S: ws, Day: frenchDay(ws.StartsAt), Hours: sessionHours(ws), Place: ws.PlaceName, Left: ws.Capacity - ws.Registered}
		if es.Place == "" {
			es.Place = places[ws.PlaceID]
		}
		out = append(out, es)
	}
	return out
}

// handOver is who handed a carnet over, and the day.
type handOver struct {
	Structure string
	On        string // YYYY-MM-DD, in Paris
}

// handedOutBy says who handed a carnet over and when, for the receipt:
// "Carnet remis par CCAS de Rennes, le 7 décembre 2026", so that the
// person knows whom to ask. The public carnet page does not say it:
// anyone holding one pass of the carnet, a used one included, reads that
// page, and the kind of structure (a probation service, a health centre)
// would tell them something about the person.
func (s *Server) handedOutBy(ctx context.Context, c *passnum.Carnet) (*handOver, error) {
	if c.PrescriberID == 0 {
		return nil, nil
	}
	o, err := s.svc.FindOrganisation(ctx, c.PrescriberID)
	if err != nil {
		return nil, fmt.Errorf("prescriber of carnet %d: %w", c.Number, err)
	}
	h := &handOver{Structure: o.Name}
	if c.DistributedAt != nil {
		h.On = c.DistributedAt.In(parisTime).Format(time.DateOnly)
	}
	return h, nil
}
