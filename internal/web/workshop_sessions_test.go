package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// beneficiaryRef returns the reference of the person holding the fixture's
// carnet n (0-based), which the fixture distributed.
func beneficiaryRef(t *testing.T, s *site, n int) string {
	t.Helper()
	c, err := s.env.Store.FindCarnet(storetest.As(s.f.Operator), s.f.Batch.FirstCarnet+int64(n))
	if err != nil || c.BeneficiaryRef == "" {
		t.Fatalf("carnet %d: %v, ref %q", n, err, c.BeneficiaryRef)
	}
	return c.BeneficiaryRef
}

var sessionPathRE = regexp.MustCompile(`^/lieu/seances/(\d+)$`)

// TestSessions walks a venue's sessions as its agent does: plan one (and
// be told what is wrong), register people until it is full, free a seat,
// record who came once it started, and cancel another.
func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		agent := s.as(passnum.KindVenue, passnum.RoleAgent)
		if a := s.get(agent, "/lieu/seances"); a.status != http.StatusOK || !strings.Contains(a.text(), "Programmer une séance") ||
			!strings.Contains(a.text(), "Aucune séance programmée") || !strings.Contains(a.body, `aria-current="page">Séances`) {
			t.Fatalf("sessions page: %d\n%.500s", a.status, a.text())
		}
		// Mistakes are sent back on their fields.
		form := url.Values{"service_id": {fmt.Sprint(s.f.Service.ID)}, "date": {"2027-03-15"}, "time": {"14h"}, "capacity": {"deux"}}
		a := s.post(agent, "/lieu/seances", form)
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="time-error"`) || !strings.Contains(a.body, `id="capacity-error"`) ||
			!strings.Contains(a.body, `value="2027-03-15"`) {
			t.Fatalf("bad form: %d\n%.600s", a.status, a.text())
		}
		// The service refuses too long a session for its price.
		form = url.Values{"service_id": {fmt.Sprint(s.f.Service.ID)}, "date": {"2027-03-15"}, "time": {"14:00"}, "capacity": {"2"}, "duration_minutes": {"150"}}
		if a := s.post(agent, "/lieu/seances", form); a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="duration_minutes-error"`) {
			t.Fatalf("too long: %d\n%.600s", a.status, a.text())
		}
		// Today at 14:00 in Paris, 2 seats, the service's duration (1 h 30).
		form.Del("duration_minutes")
		form.Set("note", "Salle du 1er étage")
		a = s.post(agent, "/lieu/seances", form)
		loc := a.header.Get("Location")
		m := sessionPathRE.FindStringSubmatch(loc)
		if a.status != http.StatusSeeOther || m == nil || !strings.Contains(a.flash(), "lundi 15 mars 2027") {
			t.Fatalf("create: %d %q %q\n%.500s", a.status, loc, a.flash(), a.text())
		}
		page := s.get(agent, loc)
		text := strings.ReplaceAll(page.text(), "\u202f", " ")
		for _, want := range []string{"Premiers pas sur smartphone", "lundi 15 mars 2027, 14 h 00 – 15 h 30", "Salle du 1er étage", "2 places libres", "Inscrire une personne",
			"Les présences se notent ici une fois la séance commencée"} {
			if !strings.Contains(text, want) {
				t.Errorf("session page: no %q\n%s", want, text)
			}
		}
		if !strings.Contains(page.body, `aria-current="page">Séances`) {
			t.Errorf("the menu does not show Séances as current")
		}
		// Two people: one by the reference of her carnet, one by a first
		// name.
		ref := beneficiaryRef(t, s, 0)
		if a := s.post(agent, loc+"/inscriptions", url.Values{"beneficiary_ref": {strings.ToLower(ref)}}); a.status != http.StatusSeeOther || !strings.Contains(a.flash(), ref) {
			t.Fatalf("register by reference: %d\n%.500s", a.status, a.text())
		}
		if a := s.post(agent, loc+"/inscriptions", url.Values{"beneficiary_ref": {ref}}); a.status != http.StatusConflict || !strings.Contains(a.body, `id="beneficiary_ref-error"`) {
			t.Errorf("registered twice: %d", a.status)
		}
		if a := s.post(agent, loc+"/inscriptions", url.Values{"beneficiary_ref": {"B-XXXX-XXXX"}}); a.status != http.StatusBadRequest || !strings.Contains(a.text(), "Aucune personne n'a la référence") {
			t.Errorf("unknown reference: %d", a.status)
		}
		if a := s.post(agent, loc+"/inscriptions", url.Values{}); a.status != http.StatusBadRequest || !strings.Contains(a.text(), "Indiquez un prénom") {
			t.Errorf("nobody: %d", a.status)
		}
		if a := s.post(agent, loc+"/inscriptions", url.Values{"label": {"Josiane"}}); a.status != http.StatusSeeOther {
			t.Fatalf("register by name: %d\n%.500s", a.status, a.text())
		}
		// Full: the page says so, and a third registration is refused.
		page = s.get(agent, loc)
		if !strings.Contains(page.text(), "Séance complète : les 2 places sont prises") || strings.Contains(page.text(), "Inscrire une personne") {
			t.Errorf("full session page:\n%s", page.text())
		}
		a = s.post(agent, loc+"/inscriptions", url.Values{"label": {"Marcel"}})
		if a.status != http.StatusConflict || !strings.Contains(a.text(), "Séance complète : les 2 places sont prises.") {
			t.Errorf("third registration: %d\n%.500s", a.status, a.text())
		}
		// Josiane cannot come: her seat goes to Marcel.
		regs := regexp.MustCompile(`action="/lieu/inscriptions/(\d+)/annulation"`).FindAllStringSubmatch(page.body, -1)
		if len(regs) != 2 {
			t.Fatalf("%d registrations to cancel, want 2", len(regs))
		}
		if a := s.post(agent, "/lieu/inscriptions/"+regs[1][1]+"/annulation", url.Values{"session_id": {m[1]}}); a.status != http.StatusSeeOther ||
			a.header.Get("Location") != loc+"#inscrits" {
			t.Fatalf("cancel registration: %d %q", a.status, a.header.Get("Location"))
		}
		if a := s.post(agent, loc+"/inscriptions", url.Values{"label": {"Marcel"}}); a.status != http.StatusSeeOther {
			t.Fatalf("register Marcel: %d", a.status)
		}
		// Attendance waits for the start.
		if a := s.post(agent, loc+"/presences", url.Values{"present": {regs[0][1]}}); a.status != http.StatusUnprocessableEntity || !strings.Contains(a.text(), "La séance commence le") {
			t.Errorf("attendance before the start: %d\n%.400s", a.status, a.text())
		}
		// Once started, every person at once: the reference came, Marcel
		// did not.
		env.Clock.Advance(4 * time.Hour) // 14:30 in Paris
		page = s.get(agent, loc)
		if !strings.Contains(page.text(), "Cochez les personnes venues") || strings.Contains(page.text(), "Inscrire une personne") {
			t.Fatalf("started session page:\n%s", page.text())
		}
		boxes := regexp.MustCompile(`name="present" value="(\d+)"`).FindAllStringSubmatch(page.body, -1)
		if len(boxes) != 2 {
			t.Fatalf("%d attendance boxes, want 2", len(boxes))
		}
		a = s.post(agent, loc+"/presences", url.Values{"present": {boxes[0][1]}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "1 personne présente, 1 absente") {
			t.Fatalf("attendance: %d %q", a.status, a.flash())
		}
		ws, list, err := env.Store.FindSession(storetest.VenueCtx(s.f.Venue), mustID(t, m[1]))
		if err != nil {
			t.Fatal(err)
		}
		came := 0
		for _, r := range list {
			if r.Attended != nil && *r.Attended {
				came++
				if r.BeneficiaryRef != ref {
					t.Errorf("present: %+v", r)
				}
			}
		}
		if came != 1 || ws.Attended != 1 {
			t.Errorf("%d present (session says %d), want 1", came, ws.Attended)
		}
		page = s.get(agent, loc)
		if !strings.Contains(page.body, `value="`+boxes[0][1]+`" checked`) || !strings.Contains(page.text(), "Faire le compte rendu de cette séance") ||
			strings.Contains(page.text(), "Annuler la séance") {
			t.Errorf("after attendance:\n%s", page.text())
		}
		// A session that took place cannot be cancelled.
		if a := s.post(agent, loc+"/annulation", nil); a.status != http.StatusConflict || !strings.Contains(a.text(), "ne peut plus être annulée") {
			t.Errorf("cancel a held session: %d\n%.400s", a.status, a.text())
		}
		// Another, tomorrow, is cancelled; its registrations stay listed.
		form.Set("date", "2027-03-16")
		a = s.post(agent, "/lieu/seances", form)
		other := a.header.Get("Location")
		s.post(agent, other+"/inscriptions", url.Values{"label": {"Lucien"}})
		a = s.post(agent, other+"/annulation", nil)
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "Prévenez les 1 personne inscrite") {
			t.Errorf("cancel: %d %q", a.status, a.flash())
		}
		page = s.get(agent, other)
		if !strings.Contains(page.text(), "annulée") || !strings.Contains(page.text(), "Lucien") || strings.Contains(page.text(), "Inscrire une personne") {
			t.Errorf("cancelled session page:\n%s", page.text())
		}
		// The list: today's under way (14:30 in Paris), tomorrow's
		// cancelled; once over, today's says who came.
		list2 := s.get(agent, "/lieu/seances").text()
		if !strings.Contains(list2, "en cours") || !strings.Contains(list2, "annulée") {
			t.Errorf("sessions list:\n%s", list2)
		}
		env.Clock.Advance(time.Hour)
		if list2 := s.get(agent, "/lieu/seances").text(); !strings.Contains(list2, "Passées") || !strings.Contains(list2, "terminée, 1 présent") {
			t.Errorf("sessions list after the session:\n%s", list2)
		}
		// Another venue's session is not found.
		other2 := s.get(s.as(passnum.KindVenue, passnum.RoleAdmin), loc)
		if other2.status != http.StatusOK {
			t.Errorf("the venue's admin: %d", other2.status)
		}
		storetest.MustCheck(t, env, s.f.Operator)
	})
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestCashierSession ties a redemption to a session of the day through
// the counter screen, without JavaScript: the session is offered with its
// service, a session of another service is refused, and the same form
// sent twice still redeems once.
func TestCashierSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		vctx := storetest.VenueCtx(f.Venue)
		agent := s.as(passnum.KindVenue, passnum.RoleAgent)
		// No session today: no select.
		if a := s.get(agent, "/lieu"); strings.Contains(a.body, `name="session_id"`) {
			t.Errorf("session select without sessions")
		}
		other, err := env.Store.CreateCatalogueService(storetest.As(f.Operator), passnum.CatalogueServiceCreate{VenueID: f.Venue.ID, Title: "Faire ses démarches en ligne",
			Category: "Aide aux démarches administratives", DurationMinutes: 60, PricePasses: 1})
		if err != nil {
			t.Fatal(err)
		}
		today := time.Date(2027, 3, 15, 13, 0, 0, 0, time.UTC)
		ws, err := env.Store.CreateSession(vctx, passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: today, Capacity: 8})
		if err != nil {
			t.Fatal(err)
		}
		wsOther, err := env.Store.CreateSession(vctx, passnum.SessionCreate{ServiceID: other.ID, StartsAt: today.Add(2 * time.Hour), Capacity: 8})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Store.CreateSession(vctx, passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: today.AddDate(0, 0, 1), Capacity: 8}); err != nil {
			t.Fatal(err)
		}
		page := s.get(agent, "/lieu")
		opts := regexp.MustCompile(`<option value="(\d+)"[^>]*>([^<]*)</option>`).FindAllStringSubmatch(page.body[strings.Index(page.body, `name="session_id"`):], -1)
		if len(opts) != 2 || !strings.Contains(page.body, `<optgroup label="Premiers pas sur smartphone">`) || !strings.Contains(page.body, `<optgroup label="Faire ses démarches en ligne">`) {
			t.Fatalf("today's sessions: %v", opts)
		}
		key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(page.body)[1]
		code := f.Codes[f.Serials(0)[0]]
		// A session of another service than the one chosen is refused on
		// its field.
		form := url.Values{"key": {key}, "service_id": {fmt.Sprint(f.Service.ID)}, "session_id": {fmt.Sprint(wsOther.ID)}, "codes": {code}, "accepted": {code}, "action": {"redeem"}}
		a := s.post(agent, "/lieu/encaisser", form)
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="session_id-error"`) || !strings.Contains(a.text(), "pas du service choisi") {
			t.Fatalf("session of another service: %d\n%.600s", a.status, a.text())
		}
		// The session alone says which service: the form needs nothing else.
		form.Set("key", key+"-2")
		form.Del("service_id")
		form.Set("session_id", fmt.Sprint(ws.ID))
		a = s.follow(agent, s.post(agent, "/lieu/encaisser", form))
		if a.status != http.StatusOK || !strings.Contains(a.text(), fmt.Sprintf("dans la séance n°%d", ws.ID)) ||
			!strings.Contains(a.body, fmt.Sprintf(`<option value="%d" selected>`, ws.ID)) {
			t.Fatalf("redeem in a session: %d\n%.800s", a.status, a.text())
		}
		// Sent again: the same redemption.
		if a := s.follow(agent, s.post(agent, "/lieu/encaisser", form)); !strings.Contains(a.text(), "avait déjà été enregistré") {
			t.Errorf("second submission:\n%.500s", a.text())
		}
		reds, n, err := env.Store.ListRedemptions(vctx, passnum.RedemptionFilter{})
		if err != nil || n != 1 || reds[0].SessionID != ws.ID || reds[0].ServiceID != f.Service.ID {
			t.Fatalf("redemptions: %d %v", n, err)
		}
		// The session cannot be cancelled while its passes stand.
		if a := s.post(agent, fmt.Sprintf("/lieu/seances/%d/annulation", ws.ID), nil); a.status != http.StatusConflict || !strings.Contains(a.text(), "Des pass ont été encaissés") {
			t.Errorf("cancel a session with passes: %d", a.status)
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}

// TestCatalogueEdit changes a catalogue service with the new fields, as
// the venue's admin; an agent reads the form without being able to send it.
func TestCatalogueEdit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		admin := s.as(passnum.KindVenue, passnum.RoleAdmin)
		agent := s.as(passnum.KindVenue, passnum.RoleAgent)
		path := fmt.Sprintf("/lieu/catalogue/%d", s.f.Service.ID)
		if a := s.get(admin, "/lieu/catalogue"); !strings.Contains(a.body, `href="`+path+`"`) || !strings.Contains(a.text(), "tous niveaux, individuel") {
			t.Fatalf("catalogue:\n%s", a.text())
		}
		a := s.get(admin, path)
		if a.status != http.StatusOK || !strings.Contains(a.body, `value="Premiers pas sur smartphone"`) || !strings.Contains(a.body, `value="individual" checked`) {
			t.Fatalf("edit form: %d\n%.500s", a.status, a.text())
		}
		if a := s.get(agent, path); a.status != http.StatusOK || strings.Contains(a.body, `action="`+path+`"`) {
			t.Errorf("agent: %d", a.status)
		}
		form := url.Values{"title": {"Premiers pas sur smartphone"}, "category": {"Maîtrise des outils numériques du quotidien"}, "duration_minutes": {"180"},
			"price_passes": {"1"}, "level": {"débutant"}, "format": {"collective"}, "description": {"Allumer, appeler, photographier."}, "accessibility": {"Boucle magnétique"}}
		if a := s.post(admin, path, form); a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="price_passes-error"`) {
			t.Errorf("3 hours for 1 pass: %d\n%.500s", a.status, a.text())
		}
		if a := s.post(agent, path, merge(form, url.Values{"duration_minutes": {"90"}})); a.status != http.StatusForbidden {
			t.Errorf("agent's change: %d", a.status)
		}
		form.Set("duration_minutes", "90")
		if a := s.post(admin, path, form); a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "enregistré") {
			t.Fatalf("change: %d\n%.500s", a.status, a.text())
		}
		a = s.get(admin, "/lieu/catalogue")
		if !strings.Contains(a.text(), "débutant, collectif") || !strings.Contains(a.text(), "Boucle magnétique") {
			t.Errorf("catalogue after the change:\n%s", a.text())
		}
		// A new service with the new fields.
		form.Set("title", "Sécuriser son téléphone")
		form.Set("category", "Utilisation sécurisée du numérique")
		if a := s.post(admin, "/lieu/catalogue", form); a.status != http.StatusSeeOther {
			t.Fatalf("create: %d\n%.500s", a.status, a.text())
		}
		all, err := env.Store.ListCatalogueServices(storetest.VenueCtx(s.f.Venue), 0)
		if err != nil || len(all) != 2 || all[1].Level != "débutant" || all[1].Format != passnum.FormatCollective || all[1].Accessibility != "Boucle magnétique" {
			t.Fatalf("services: %v %+v", err, all[len(all)-1])
		}
		if a := s.get(admin, "/lieu/catalogue/999999"); a.status != http.StatusNotFound {
			t.Errorf("another service: %d", a.status)
		}
	})
}
