package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestRightsRequestsPages: the operator's staff record a request on the
// register's page, see it on the dashboard while it is due within a week
// or overdue, extend and answer it; a form with a mistake comes back with
// the mistake named and records nothing.
func TestRightsRequestsPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		agent := s.as(passnum.KindOperator, passnum.RoleAgent)
		// The clock reads 2027-03-15.

		page := s.get(agent, "/operateur/demandes-rgpd?ref=B-0000-0007&droit=erasure")
		if page.status != http.StatusOK || !strings.Contains(page.body, `value="B-0000-0007"`) || !strings.Contains(page.body, `value="2027-03-15"`) {
			t.Fatalf("register page: %d, want the form filled with the reference and today:\n%.500s", page.status, page.text())
		}
		if !strings.Contains(page.text(), "Aucune demande n'attend de réponse") {
			t.Errorf("empty register: %.300s", page.text())
		}

		for _, tc := range []struct {
			name  string
			form  url.Values
			field string
			says  string
		}{
			{"no right", url.Values{"ref": {"B-1"}, "channel": {"post"}, "received_on": {"2027-03-10"}}, "kind", "Choisissez le droit demandé"},
			{"no date", url.Values{"ref": {"B-1"}, "kind": {"access"}, "channel": {"post"}, "received_on": {""}}, "received_on", "Indiquez le jour"},
			{"tomorrow", url.Values{"ref": {"B-1"}, "kind": {"access"}, "channel": {"post"}, "received_on": {"2027-03-16"}}, "received_on", "dans le futur"},
			{"no one", url.Values{"ref": {" "}, "kind": {"access"}, "channel": {"post"}, "received_on": {"2027-03-10"}}, "ref", "référence de la personne"},
		} {
			a := s.post(agent, "/operateur/demandes-rgpd", tc.form)
			if a.status != http.StatusBadRequest || !strings.Contains(a.text(), tc.says) || !strings.Contains(a.body, `href="#`+tc.field+`"`) {
				t.Errorf("%s: %d, want 400 naming %s with %q:\n%.600s", tc.name, a.status, tc.field, tc.says, a.text())
			}
		}
		if list, _, _ := env.Store.ListRightsRequests(storetest.As(s.f.Operator), passnum.RightsRequestFilter{}); len(list) != 0 {
			t.Fatalf("refused forms recorded %d requests", len(list))
		}

		// A letter received on 20 February is due on 20 March: in five days.
		a := s.post(agent, "/operateur/demandes-rgpd", url.Values{"ref": {"B-0000-0007"}, "kind": {"erasure"}, "channel": {"post"},
			"received_on": {"2027-02-20"}, "details": {"Effacer mes données."}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "20 mars 2027") {
			t.Fatalf("record: %d %q, want a redirect saying the due date", a.status, a.flash())
		}
		path := a.header.Get("Location")
		home := s.get(agent, "/operateur").text()
		if !strings.Contains(home, "1 demande RGPD à traiter") || !strings.Contains(home, "à répondre dans 5 jours") {
			t.Errorf("dashboard: want the request due in 5 days:\n%.2000s", home)
		}
		detail := s.get(agent, path)
		if detail.status != http.StatusOK || !strings.Contains(detail.text(), "Effacer mes données.") || !strings.Contains(detail.text(), "20 mai 2027") {
			t.Errorf("request page: %d, want the request and the date it would be due once extended:\n%.1500s", detail.status, detail.text())
		}

		if a := s.post(agent, path+"/prolongation", url.Values{"reason": {""}}); a.status != http.StatusBadRequest || !strings.Contains(a.text(), "raison de la prolongation") {
			t.Errorf("extension without reason: %d\n%.500s", a.status, a.text())
		}
		if a := s.post(agent, path+"/prolongation", url.Values{"reason": {"Plusieurs carnets à retrouver."}}); a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "20 mai 2027") {
			t.Errorf("extension: %d %q", a.status, a.flash())
		}
		if home := s.get(agent, "/operateur").text(); !strings.Contains(home, "0 demande RGPD") {
			t.Errorf("dashboard after the extension: want no request due soon:\n%.2000s", home)
		}
		if a := s.post(agent, path+"/reponse", url.Values{"answer": {""}, "answered_on": {"2027-03-15"}}); a.status != http.StatusBadRequest || !strings.Contains(a.text(), "Résumez la réponse") {
			t.Errorf("empty answer: %d\n%.500s", a.status, a.text())
		}
		a = s.post(agent, path+"/reponse", url.Values{"answer": {"Données effacées, courrier envoyé."}, "answered_on": {"2027-03-15"}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "15 mars 2027") {
			t.Errorf("answer: %d %q", a.status, a.flash())
		}
		all := s.get(agent, "/operateur/demandes-rgpd?toutes=1").text()
		if !strings.Contains(all, "répondue le 15 mars 2027") {
			t.Errorf("register with answered requests:\n%.1500s", all)
		}
		if a := s.post(agent, path+"/reponse", url.Values{"answer": {"Encore."}, "answered_on": {"2027-03-15"}}); a.status != http.StatusConflict {
			t.Errorf("second answer: %d, want 409", a.status)
		}
		var id int64
		fmt.Sscanf(path, "/operateur/demandes-rgpd/%d", &id)
		r, err := env.Store.FindRightsRequest(storetest.As(s.f.Operator), id)
		if err != nil || r.Answer != "Données effacées, courrier envoyé." {
			t.Errorf("recorded answer: %+v, %v", r, err)
		}
	})
}
