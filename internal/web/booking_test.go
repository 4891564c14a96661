package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestBookAtHandOutPages: after handing a carnet out, the prescriber is
// offered the next sessions, nearest first; a wrong choice is refused in
// French with nothing booked; the chosen one is printed on the receipt
// (day in words, hours, venue and address, what to bring); the venue's
// session page says who booked; cancelling from the receipt frees the seat.
func TestBookAtHandOutPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		p := s.as(passnum.KindPrescriber, passnum.RoleAgent)
		venue := s.as(passnum.KindVenue, passnum.RoleAgent)
		op := storetest.As(f.Operator)
		// Tuesday 16 March 2027, 14:00 in Paris; Lyon is outside the territory.
		start := time.Date(2027, 3, 16, 13, 0, 0, 0, time.UTC)
		session, err := env.Store.CreateSession(op, passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: start, Capacity: 4,
			Note: "Apportez votre smartphone chargé"})
		if err != nil {
			t.Fatal(err)
		}
		lyon, err := env.Store.CreateSession(op, passnum.SessionCreate{ServiceID: f.OutService.ID, StartsAt: start, Capacity: 4})
		if err != nil {
			t.Fatal(err)
		}

		carnet := f.Batch.FirstCarnet + 7
		a := s.post(p, "/prescripteur/remettre", url.Values{"carnet": {fmt.Sprint(carnet)}, "person": {"new"}, "birth_year": {"1950"},
			"commune": {"Rennes"}, "needs": {"Aide aux démarches administratives"}, "autonomy": {"faible"}, "consent": {"1"}})
		booking := fmt.Sprintf("/prescripteur/carnets/%d/atelier", carnet)
		if a.status != http.StatusSeeOther || a.header.Get("Location") != booking {
			t.Fatalf("hand out: %d %s\n%.600s", a.status, a.header.Get("Location"), a.text())
		}
		page := s.get(p, booking)
		for _, want := range []string{"Inscrire la personne à un premier atelier", "mardi 16 mars 2027", "14 h 00 – 15 h 30",
			f.Service.Title, f.Venue.Name, "4 places libres", "Pas maintenant"} {
			if !strings.Contains(page.text(), strings.ReplaceAll(want, " h ", "\u00a0h\u00a0")) && !strings.Contains(page.text(), want) {
				t.Errorf("booking page does not say %q:\n%s", want, page.text())
			}
		}
		if strings.Contains(page.text(), "Lyon") || !strings.Contains(page.body, `id="session-0"`) || !strings.Contains(page.body, " autofocus") {
			t.Errorf("booking page offers Lyon, or has no focused first choice:\n%s", page.text())
		}
		if !strings.Contains(page.body, fmt.Sprintf(`href="/prescripteur/carnets/%d/recu"`, carnet)) {
			t.Error("no way to skip to the receipt")
		}

		// Wrong choices: a clear message, nothing booked.
		for _, c := range []struct {
			name, session, want string
			status              int
		}{
			{"nothing chosen", "", "Choisissez une séance", http.StatusBadRequest},
			{"outside the territory", fmt.Sprint(lyon.ID), "hors du territoire", http.StatusUnprocessableEntity},
			{"not a number", "demain", "Séance inconnue", http.StatusBadRequest},
		} {
			a := s.post(p, booking, url.Values{"session_id": {c.session}})
			if a.status != c.status || !strings.Contains(a.text(), c.want) || !strings.Contains(a.body, `href="#session-0"`) {
				t.Errorf("%s: %d, want %d saying %q:\n%.800s", c.name, a.status, c.status, c.want, a.text())
			}
		}
		if w, _, _ := env.Store.FindSession(op, lyon.ID); w.Registered != 0 {
			t.Fatalf("a refused booking took a seat: %+v", w)
		}

		a = s.post(p, booking, url.Values{"session_id": {fmt.Sprint(session.ID)}})
		receiptPath := fmt.Sprintf("/prescripteur/carnets/%d/recu", carnet)
		if a.status != http.StatusSeeOther || a.header.Get("Location") != receiptPath || !strings.Contains(a.flash(), "Inscription enregistrée") {
			t.Fatalf("book: %d %s %q\n%.600s", a.status, a.header.Get("Location"), a.flash(), a.text())
		}
		receipt := s.get(p, receiptPath)
		text := strings.ReplaceAll(receipt.text(), "\u00a0", " ")
		for _, want := range []string{"Votre premier atelier", "mardi 16 mars 2027", "14 h 00 – 15 h 30", f.Venue.Name, "Rennes",
			"Votre carnet Pass numérique. Note du lieu : Apportez votre smartphone chargé.", "Annuler cette inscription",
			"Venez à votre premier atelier, écrit plus haut."} {
			if !strings.Contains(text, want) {
				t.Errorf("receipt does not say %q:\n%s", want, text)
			}
		}
		if i, j := strings.Index(text, "Votre premier atelier"), strings.Index(text, "Comment l'utiliser"); i < 0 || j < i {
			t.Error("the booking does not come right after the carnet's facts")
		}

		// The venue sees the seat and who booked it.
		vp := s.get(venue, fmt.Sprintf("/lieu/seances/%d", session.ID))
		if !strings.Contains(vp.text(), "inscrite par "+f.Prescriber.Name) || !strings.Contains(vp.text(), "Personnes inscrites (1)") {
			t.Fatalf("venue's session page:\n%s", vp.text())
		}

		// Cancelled from the receipt: the seat is free, the receipt offers to book again.
		bs, err := env.Store.CarnetBookings(storetest.As(storetest.Actor(f.Prescriber, passnum.RoleAgent)), carnet)
		if err != nil || len(bs) != 1 {
			t.Fatalf("bookings %v %v", bs, err)
		}
		a = s.post(p, fmt.Sprintf("/prescripteur/carnets/%d/inscriptions/%d/annulation", carnet, bs[0].Registration.ID), nil)
		if a.status != http.StatusSeeOther || a.header.Get("Location") != receiptPath {
			t.Fatalf("cancel: %d\n%.600s", a.status, a.text())
		}
		if w, _, _ := env.Store.FindSession(op, session.ID); w.Registered != 0 {
			t.Fatalf("a cancelled booking holds its seat: %+v", w)
		}
		receipt = s.get(p, receiptPath)
		if strings.Contains(receipt.text(), "Votre premier atelier") || !strings.Contains(receipt.text(), "Inscrire la personne à un premier atelier") ||
			!strings.Contains(receipt.text(), "pour vous inscrire à un atelier") {
			t.Fatalf("receipt after cancelling:\n%s", receipt.text())
		}
		// Another structure's carnet: refused, as for a hand-out.
		other := f.Batch.FirstCarnet + 15
		if a := s.get(p, fmt.Sprintf("/prescripteur/carnets/%d/atelier", other)); a.status != http.StatusUnprocessableEntity {
			t.Errorf("another structure's carnet: %d\n%.300s", a.status, a.text())
		}
	})
}
