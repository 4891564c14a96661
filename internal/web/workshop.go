package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// The venue's workshops, under /lieu: the details of each catalogue
// service, its sessions (planned, cancelled, held), the people registered
// to each and who came. Members of the venue (admins and agents) run
// sessions; the catalogue is its admins'. The service checks both.

// parisTime is where the dates and times of the venue's forms are read
// and written: the venues are French, and so are their clocks.
var parisTime = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600) // without tzdata, as the domain does
	}
	return loc
}()

var frenchWeekdays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// frenchDay writes the day of an instant in Paris: "mardi 16 mars 2027".
func frenchDay(t time.Time) string {
	t = t.In(parisTime)
	return frenchWeekdays[t.Weekday()] + " " + passnum.FrenchDate(t.Format(time.DateOnly))
}

// clock writes the time of an instant in Paris: "14 h 05".
func clock(t time.Time) string {
	t = t.In(parisTime)
	return fmt.Sprintf("%d%sh%s%02d", t.Hour(), nbsp, nbsp, t.Minute())
}

// sessionHours writes when a session starts and ends: "14 h 00 – 15 h 30".
func sessionHours(w *passnum.WorkshopSession) string {
	return clock(w.StartsAt) + " – " + clock(sessionEnd(w))
}

func sessionEnd(w *passnum.WorkshopSession) time.Time {
	return w.StartsAt.Add(time.Duration(w.DurationMinutes) * time.Minute)
}

// startOfDay is midnight in Paris of t's day.
func startOfDay(t time.Time) time.Time {
	t = t.In(parisTime)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, parisTime)
}

func init() {
	// The workshops' and the directory's template functions, with the
	// others before any page is parsed.
	funcs["serviceLevels"] = func() []string { return passnum.Levels }
	funcs["serviceFormat"] = passnum.FormatLabel
	funcs["reportThemes"] = func() []string { return passnum.Themes }
	funcs["reportAutonomy"] = func() []string { return passnum.Autonomy }
	funcs["reportPlaceKinds"] = func() []string { return passnum.PlaceKinds }
	funcs["placeKindLabel"] = passnum.PlaceKindLabel
	funcs["dirPublics"] = func() []string { return passnum.Publics }
	funcs["dirSupports"] = func() []string { return passnum.Supports }
	funcs["frenchDay"] = frenchDay
	funcs["clock"] = clock
	funcs["sessionHours"] = sessionHours
	funcs["phone"] = phoneLabel
	funcs["deref"] = func(b *bool) bool { return b != nil && *b }
	funcs["wsChoices"] = func(kv ...string) []choice {
		out := make([]choice, 0, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, choice{kv[i], kv[i+1]})
		}
		return out
	}
	funcs["wsPlain"] = func(values []string) []choice {
		out := make([]choice, len(values))
		for i, v := range values {
			out[i] = choice{v, v}
		}
		return out
	}
	funcs["wsKm"] = func(radii []int) []choice {
		out := make([]choice, len(radii))
		for i, km := range radii {
			out[i] = choice{strconv.Itoa(km), fmt.Sprintf("à %d km", km)}
		}
		return out
	}
	funcs["wsServices"] = func(services []*passnum.CatalogueService) []choice {
		out := make([]choice, len(services))
		for i, svc := range services {
			out[i] = choice{strconv.FormatInt(svc.ID, 10), fmt.Sprintf("%s (%s, %s)", svc.Title, durationLabel(svc.DurationMinutes), passnum.FormatLabel(svc.Format))}
		}
		return out
	}
	funcs["wsPlaces"] = func(address string, places []*passnum.Place) []choice {
		out := []choice{{"0", "Au lieu : " + address}}
		for _, p := range places {
			out = append(out, choice{strconv.FormatInt(p.ID, 10), p.Name + " : " + p.Address})
		}
		return out
	}
	funcs["wsPlaceList"] = func(places []*passnum.Place) []choice {
		out := make([]choice, len(places))
		for i, p := range places {
			out[i] = choice{strconv.FormatInt(p.ID, 10), p.Name}
		}
		return out
	}
	funcs["wsSessionList"] = func(rows []sessionRow) []choice {
		out := make([]choice, len(rows))
		for i, row := range rows {
			out[i] = choice{strconv.FormatInt(row.S.ID, 10), fmt.Sprintf("%s, %s : %s", row.Day, clock(row.S.StartsAt), row.S.ServiceTitle)}
		}
		return out
	}
	funcs["wsRedemptionList"] = func(reds []*passnum.Redemption) []choice {
		out := make([]choice, len(reds))
		for i, red := range reds {
			out[i] = choice{strconv.FormatInt(red.ID, 10), fmt.Sprintf("n°%d, %s : %d pass, %s", red.ID, passnum.FrenchDateTime(red.CreatedAt), len(red.Serials), red.ServiceTitle)}
		}
		return out
	}
}

// choice is one option of a select, a radio group or checkboxes.
type choice struct{ Value, Label string }

// serviceFields maps the service's error fields to the catalogue forms'.
var serviceFields = map[string]string{"title": "title", "category": "category", "duration_minutes": "duration_minutes",
	"price_passes": "price_passes", "level": "level", "format": "format", "accessibility": "accessibility", "description": "description"}

// readServiceForm reads the fields of a catalogue service shared by the
// forms that add one and that change one.
func readServiceForm(v *view, f map[string][]string) passnum.CatalogueServiceCreate {
	get := func(k string) string {
		if vs := f[k]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	c := passnum.CatalogueServiceCreate{Title: get("title"), Category: get("category"), Level: get("level"), Format: get("format"),
		Accessibility: get("accessibility"), Description: get("description")}
	if n, ok := parseCount(get("duration_minutes")); ok {
		c.DurationMinutes = int(min(n, 100000))
	} else {
		v.addError("duration_minutes", "Indiquez la durée en minutes, par exemple 90.")
	}
	if n, ok := parseCount(get("price_passes")); ok {
		c.PricePasses = int(min(n, 1000))
	} else {
		v.addError("price_passes", "Indiquez le nombre de pass demandés par personne, par exemple 1.")
	}
	return c
}

// findService returns a service of the visitor's venue: another venue's,
// which the directory shows, is not one it may change.
func (s *Server) findService(r *http.Request, id int64) (*passnum.CatalogueService, error) {
	svc, err := s.svc.FindCatalogueService(r.Context(), id)
	if passnum.ErrorCode(err) == passnum.ENOTFOUND || err == nil && svc.VenueID != visitorFrom(r).actor().OrgID {
		return nil, passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Cet atelier est introuvable dans le catalogue de votre lieu.")
	}
	return svc, err
}

// serviceForm shows a catalogue service to change it.
func (s *Server) serviceForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Atelier")
	if err != nil {
		return err
	}
	svc, err := s.findService(r, id)
	if err != nil {
		return err
	}
	v := s.newView(r, "Modifier « "+svc.Title+" »", svc)
	v.Form = url0(map[string]string{
		"title": svc.Title, "category": svc.Category, "duration_minutes": strconv.Itoa(svc.DurationMinutes),
		"price_passes": strconv.Itoa(svc.PricePasses), "level": svc.Level, "format": svc.Format,
		"accessibility": svc.Accessibility, "description": svc.Description,
	})
	return s.render(w, r, http.StatusOK, "workshop_service", v)
}

func (s *Server) updateService(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Atelier")
	if err != nil {
		return err
	}
	svc, err := s.findService(r, id)
	if err != nil {
		return err
	}
	v := s.newView(r, "Modifier « "+svc.Title+" »", svc)
	v.Form = r.PostForm
	c := readServiceForm(v, r.PostForm)
	c.VenueID = svc.VenueID
	if v.Summary != nil {
		return s.render(w, r, http.StatusBadRequest, "workshop_service", v)
	}
	updated, err := s.svc.UpdateCatalogueService(r.Context(), passnum.CatalogueServiceUpdate{ID: id, CatalogueServiceCreate: c})
	if err != nil {
		return sendBack(v, err, serviceFields, func(status int) error { return s.render(w, r, status, "workshop_service", v) })
	}
	return s.redirect(w, r, "/lieu/catalogue", fmt.Sprintf("« %s » enregistré.", updated.Title))
}

// sessionRow is a session as lists show it.
type sessionRow struct {
	S       *passnum.WorkshopSession
	Day     string
	Hours   string
	Place   string
	Started bool // attendance may be recorded
	Over    bool
}

// sessionsData is the page of the venue's sessions.
type sessionsData struct {
	Services []*passnum.CatalogueService // those in the catalogue, to plan
	Places   []*passnum.Place            // open points of presence
	Address  string                      // the venue's main address
	Upcoming []sessionRow
	Past     []sessionRow
	Today    string // YYYY-MM-DD, the date field's default and minimum
	// Venue is the visitor's venue: one that is not qualified plans no
	// session, and is told why instead of the form.
	Venue *passnum.Organisation
}

// sessionPastDays is how far back the sessions page lists sessions.
const sessionPastDays = 62

// venuePlaces returns the venue's main address and its points of
// presence: the open ones, or all when closed is set (older records name
// them).
func (s *Server) venuePlaces(r *http.Request, closed bool) (string, []*passnum.Place, error) {
	file, err := s.svc.FindVenueFile(r.Context(), visitorFrom(r).actor().OrgID)
	if err != nil {
		return "", nil, err
	}
	var open []*passnum.Place
	for _, p := range file.Places {
		if p.Active || closed {
			open = append(open, p)
		}
	}
	address := strings.Trim(file.Venue.Address+", "+file.Venue.Commune, ", ")
	return address, open, nil
}

// sessionRowOf describes a session for lists; address is the venue's,
// for sessions held there.
func sessionRowOf(w *passnum.WorkshopSession, address string, now time.Time) sessionRow {
	row := sessionRow{S: w, Day: frenchDay(w.StartsAt), Hours: sessionHours(w), Place: w.PlaceName,
		Started: !now.Before(w.StartsAt), Over: !now.Before(sessionEnd(w))}
	switch {
	case row.Place != "":
	case address != "":
		row.Place = "au lieu (" + address + ")"
	default:
		row.Place = "au lieu"
	}
	return row
}

func (s *Server) sessions(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Séances des ateliers", nil)
	return s.sessionsPage(w, r, v, http.StatusOK)
}

func (s *Server) sessionsPage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	now := s.now()
	d := &sessionsData{Today: now.In(parisTime).Format(time.DateOnly)}
	var err error
	if d.Address, d.Places, err = s.venuePlaces(r, false); err != nil {
		return err
	}
	if d.Venue, err = s.svc.FindOrganisation(r.Context(), visitorFrom(r).actor().OrgID); err != nil {
		return err
	}
	all, err := s.svc.ListCatalogueServices(r.Context(), 0)
	if err != nil {
		return err
	}
	for _, svc := range all {
		if svc.Active {
			d.Services = append(d.Services, svc)
		}
	}
	list, err := s.svc.ListSessions(r.Context(), passnum.SessionFilter{From: startOfDay(now).AddDate(0, 0, -sessionPastDays), Limit: 1000})
	if err != nil {
		return err
	}
	for _, ws := range list {
		row := sessionRowOf(ws, d.Address, now)
		if row.Over {
			d.Past = append(d.Past, row)
		} else {
			d.Upcoming = append(d.Upcoming, row)
		}
	}
	slices.Reverse(d.Past) // the latest first
	if v.Form.Get("date") == "" && status == http.StatusOK {
		v.Form.Set("date", d.Today)
		v.Form.Set("capacity", "8")
	}
	v.Data = d
	return s.render(w, r, status, "workshop_sessions", v)
}

// sessionFields maps the service's error fields to the session form's.
var sessionFields = map[string]string{"service_id": "service_id", "starts_at": "date", "duration_minutes": "duration_minutes",
	"capacity": "capacity", "place_id": "place_id", "note": "note"}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	v := s.newView(r, "Séances des ateliers", nil)
	v.Form = f
	c := passnum.SessionCreate{Note: f.Get("note")}
	c.ServiceID, _ = strconv.ParseInt(f.Get("service_id"), 10, 64)
	c.PlaceID, _ = strconv.ParseInt(f.Get("place_id"), 10, 64)
	if c.ServiceID <= 0 {
		v.addError("service_id", "Choisissez l'atelier de la séance.")
	}
	day, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(f.Get("date")), parisTime)
	if err != nil {
		v.addError("date", "Indiquez la date de la séance, par exemple "+s.now().In(parisTime).Format("02/01/2006")+".")
	}
	hm, err2 := time.Parse("15:04", strings.TrimSpace(f.Get("time")))
	if err2 != nil {
		v.addError("time", "Indiquez l'heure de début, par exemple 14:00.")
	}
	if err == nil && err2 == nil {
		c.StartsAt = time.Date(day.Year(), day.Month(), day.Day(), hm.Hour(), hm.Minute(), 0, 0, parisTime)
	}
	if raw := strings.TrimSpace(f.Get("duration_minutes")); raw != "" {
		if n, ok := parseCount(raw); ok {
			c.DurationMinutes = int(min(n, 100000))
		} else {
			v.addError("duration_minutes", "Indiquez la durée en minutes, par exemple 90, ou laissez vide pour la durée de l'atelier.")
		}
	}
	if n, ok := parseCount(f.Get("capacity")); ok {
		c.Capacity = int(min(n, 100000))
	} else {
		v.addError("capacity", "Indiquez le nombre de places, par exemple 8.")
	}
	if v.Summary != nil {
		return s.sessionsPage(w, r, v, http.StatusBadRequest)
	}
	ws, err := s.svc.CreateSession(r.Context(), c)
	if err != nil {
		return sendBack(v, err, sessionFields, func(status int) error { return s.sessionsPage(w, r, v, status) })
	}
	return s.redirect(w, r, fmt.Sprintf("/lieu/seances/%d", ws.ID),
		fmt.Sprintf("Séance de « %s » programmée le %s à %s : inscrivez-y les personnes.", ws.ServiceTitle, frenchDay(ws.StartsAt), clock(ws.StartsAt)))
}

// sessionData is the page of one session.
type sessionData struct {
	sessionRow
	Active    []*passnum.Registration // not cancelled
	Cancelled []*passnum.Registration
	Seats     int  // left
	CanCancel bool // nobody recorded present
}

// Row is the session as lists show it, for the partials.
func (d *sessionData) Row() sessionRow { return d.sessionRow }

func (s *Server) session(w http.ResponseWriter, r *http.Request) error {
	return s.sessionPage(w, r, nil, http.StatusOK)
}

// sessionPage shows a session; v carries a form sent back, nil for a
// fresh page.
func (s *Server) sessionPage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r, "id", "Séance")
	if err != nil {
		return err
	}
	ws, regs, err := s.svc.FindSession(r.Context(), id)
	if err != nil {
		return err
	}
	address, _, err := s.venuePlaces(r, false)
	if err != nil {
		return err
	}
	d := &sessionData{sessionRow: sessionRowOf(ws, address, s.now()), Seats: max(0, ws.Capacity-ws.Registered)}
	for _, reg := range regs {
		if reg.CancelledAt != nil {
			d.Cancelled = append(d.Cancelled, reg)
		} else {
			d.Active = append(d.Active, reg)
		}
	}
	d.CanCancel = ws.CancelledAt == nil && ws.Attended == 0
	title := fmt.Sprintf("Séance « %s » du %s", ws.ServiceTitle, frenchDay(ws.StartsAt))
	if v == nil {
		v = s.newView(r, title, d)
	}
	v.Title, v.Data = title, d
	return s.render(w, r, status, "workshop_session", v)
}

func (s *Server) cancelSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Séance")
	if err != nil {
		return err
	}
	ws, err := s.svc.CancelSession(r.Context(), id)
	if err != nil {
		if passnum.ErrorCode(err) == passnum.ECONFLICT || passnum.ErrorCode(err) == passnum.EREFUSED {
			v := s.newView(r, "", nil)
			v.addError("", passnum.ErrorMessage(err))
			return s.sessionPage(w, r, v, errStatus(err))
		}
		return err
	}
	msg := fmt.Sprintf("Séance du %s annulée.", frenchDay(ws.StartsAt))
	if ws.Registered > 0 {
		msg += fmt.Sprintf(" Prévenez les %d %s : leur inscription reste listée ci-dessous.", ws.Registered, pluralize(int64(ws.Registered), "personne inscrite", "personnes inscrites"))
	}
	return s.redirect(w, r, fmt.Sprintf("/lieu/seances/%d", id), msg)
}

// registrationFields maps the service's error fields to the form's.
var registrationFields = map[string]string{"beneficiary_ref": "beneficiary_ref", "label": "label"}

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Séance")
	if err != nil {
		return err
	}
	f := r.PostForm
	v := s.newView(r, "", nil)
	v.Form = f
	reg, err := s.svc.Register(r.Context(), passnum.RegistrationCreate{SessionID: id, BeneficiaryRef: f.Get("beneficiary_ref"), Label: f.Get("label")})
	if err != nil {
		return sendBack(v, err, registrationFields, func(status int) error { return s.sessionPage(w, r, v, status) })
	}
	who := reg.Label
	if reg.BeneficiaryRef != "" {
		who = strings.TrimSpace(reg.BeneficiaryRef + " " + reg.Label)
	}
	return s.redirect(w, r, fmt.Sprintf("/lieu/seances/%d#inscrits", id), fmt.Sprintf("%s est inscrit·e à la séance.", who))
}

func (s *Server) cancelRegistration(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Inscription")
	if err != nil {
		return err
	}
	back := "/lieu/seances"
	if sid, err := strconv.ParseInt(r.PostForm.Get("session_id"), 10, 64); err == nil && sid > 0 {
		back = fmt.Sprintf("/lieu/seances/%d", sid)
	}
	if err := s.svc.CancelRegistration(r.Context(), id); err != nil {
		return err
	}
	return s.redirect(w, r, back+"#inscrits", "Inscription annulée : la place est libre.")
}

// attendance records who came, for every person registered at once:
// the boxes checked came, the others did not.
func (s *Server) attendance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Séance")
	if err != nil {
		return err
	}
	_, regs, err := s.svc.FindSession(r.Context(), id)
	if err != nil {
		return err
	}
	present := map[string]bool{}
	for _, p := range r.PostForm["present"] {
		present[p] = true
	}
	came, absent := 0, 0
	for _, reg := range regs {
		if reg.CancelledAt != nil {
			continue
		}
		here := present[strconv.FormatInt(reg.ID, 10)]
		if err := s.svc.RecordAttendance(r.Context(), reg.ID, here); err != nil {
			if passnum.ErrorCode(err) == passnum.EINTERNAL {
				return err
			}
			v := s.newView(r, "", nil)
			v.addError("", passnum.ErrorMessage(err))
			return s.sessionPage(w, r, v, errStatus(err))
		}
		if here {
			came++
		} else {
			absent++
		}
	}
	return s.redirect(w, r, fmt.Sprintf("/lieu/seances/%d#presences", id),
		fmt.Sprintf("Présences enregistrées : %d %s, %d %s.", came, pluralize(int64(came), "personne présente", "personnes présentes"),
			absent, pluralize(int64(absent), "absente", "absentes")))
}

// sessionGroup is the day's sessions of one service, for the counter
// screen.
type sessionGroup struct {
	Service  *passnum.CatalogueService
	Sessions []sessionRow
}

// cashierSessions lists the venue's sessions of the day that are not
// cancelled, by service, in the order of the services.
func (s *Server) cashierSessions(r *http.Request, services []*passnum.CatalogueService) ([]sessionGroup, error) {
	now := s.now()
	start := startOfDay(now)
	list, err := s.svc.ListSessions(r.Context(), passnum.SessionFilter{From: start, To: start.AddDate(0, 0, 1), Limit: 200})
	if err != nil {
		return nil, err
	}
	var out []sessionGroup
	for _, svc := range services {
		g := sessionGroup{Service: svc}
		for _, ws := range list {
			if ws.CancelledAt == nil && ws.ServiceID == svc.ID {
				g.Sessions = append(g.Sessions, sessionRowOf(ws, "", now))
			}
		}
		if len(g.Sessions) > 0 {
			out = append(out, g)
		}
	}
	return out, nil
}

// serviceOf returns the service of one of the day's sessions, 0 when it
// is none of them.
func (d *cashierData) serviceOf(sessionID int64) int64 {
	for _, g := range d.Sessions {
		for _, row := range g.Sessions {
			if row.S.ID == sessionID {
				return g.Service.ID
			}
		}
	}
	return 0
}
