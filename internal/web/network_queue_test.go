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

// applyAndLogin sends application n and logs its administrator in.
func applyAndLogin(t *testing.T, s *site, n int) (*passnum.Venue, *person) {
	t.Helper()
	form := application(n)
	if a := s.post(anonymous, "/candidature", form); a.status != http.StatusSeeOther {
		t.Fatalf("application: %d\n%.600s", a.status, a.text())
	}
	var venue *passnum.Venue
	for _, v := range pendingVenues(t, s) {
		if v.Pivot == testSIRET(n) {
			venue = v
		}
	}
	if venue == nil {
		t.Fatal("the application created no pending venue")
	}
	// The applicant confirms the address with the link received.
	token := mailLink(t, s, form.Get("admin_email"), passnum.MailConfirmAddress, passnum.ConfirmAddressPath)
	if a := s.post(anonymous, passnum.ConfirmAddressPath, url.Values{"token": {token}}); a.status != http.StatusSeeOther {
		t.Fatalf("confirm the address: %d\n%.600s", a.status, a.text())
	}
	_, cookie := s.login(form.Get("admin_email"), form.Get("admin_password"))
	if cookie == nil {
		t.Fatal("the applicant cannot log in")
	}
	return venue, &person{email: form.Get("admin_email"), password: form.Get("admin_password"), org: venue.OrgID, secret: cookie.Value}
}

// qualifyForTest qualifies an application through the workflow.
func qualifyForTest(env *storetest.Env, op *passnum.Actor, venueID int64) error {
	_, err := env.Store.MoveQualification(storetest.As(op), venueID, passnum.QualificationQualified, "Dossier complet.")
	return err
}

// TestQueueAndDecision: the operator finds the application in the queue
// with its waiting days, reads the file (the IBAN masked), asks for
// changes; the venue corrects and sends it again; the operator qualifies
// it, and the venue redeems.
func TestQueueAndDecision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		venue, admin := applyAndLogin(t, s, 1)
		env.Clock.Advance(3 * 24 * time.Hour)
		relog := func(p *person) {
			var err error
			if p.secret, _, err = env.Store.Login(t.Context(), p.email, p.password); err != nil {
				t.Fatal(err)
			}
		}
		relog(op)
		relog(admin)
		file := fmt.Sprintf("/operateur/lieux/%d", venue.OrgID)

		// The dashboard and the queue.
		if a := s.get(op, "/operateur"); !strings.Contains(a.body, `href="/operateur/candidatures"`) || !strings.Contains(a.text(), "1 candidature à examiner") {
			t.Errorf("dashboard:\n%s", a.text())
		}
		q := s.get(op, "/operateur/candidatures")
		if q.status != http.StatusOK || !strings.Contains(q.body, `href="`+file+`"`) || !strings.Contains(q.text(), "3 jours") || !strings.Contains(q.text(), "En attente de qualification (1)") {
			t.Fatalf("queue: %d\n%s", q.status, q.text())
		}
		if a := s.get(op, "/operateur/candidatures?statut=changes_requested"); strings.Contains(a.body, `href="`+file+`"`) {
			t.Error("the pending application is listed under changes requested")
		}
		// The file: the IBAN is masked.
		a := s.get(op, file)
		if a.status != http.StatusOK {
			t.Fatalf("file: %d\n%s", a.status, a.text())
		}
		for _, want := range []string{"FR76 •••• •••• 0189", "Deux ateliers collectifs", "Charte acceptée le", "candidature envoyée", "Léa Morel", "Demander des compléments", "Qualifier le lieu", "Refuser la candidature"} {
			if !strings.Contains(a.text(), want) {
				t.Errorf("the file does not say %q", want)
			}
		}
		if strings.Contains(a.body, "30006000011234567890") || strings.Contains(a.body, "3000 6000 0112") {
			t.Error("the file shows the whole IBAN")
		}
		// A decision needs a status and a reason.
		a = s.post(op, file+"/decision", url.Values{"status": {"changes_requested"}})
		if a.status != http.StatusBadRequest || !contains(errorLinks(a), "reason") {
			t.Fatalf("decision without reason: %d %v", a.status, errorLinks(a))
		}
		a = s.post(op, file+"/decision", url.Values{"reason": {"x"}})
		if a.status != http.StatusBadRequest || !contains(errorLinks(a), "status") {
			t.Fatalf("decision without status: %d %v", a.status, errorLinks(a))
		}
		// An operator's agent reads the file but does not decide.
		opAgent := s.as(passnum.KindOperator, passnum.RoleAgent)
		relog(opAgent)
		if a := s.get(opAgent, file); a.status != http.StatusOK || strings.Contains(a.body, "/decision") {
			t.Errorf("operator agent's file: %d", a.status)
		}
		a = s.post(op, file+"/decision", url.Values{"status": {"changes_requested"}, "reason": {"Le RIB ne correspond pas au titulaire : joignez celui de l'association."}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "compléments demandés") {
			t.Fatalf("ask for changes: %d %q\n%.500s", a.status, a.flash(), a.text())
		}

		// The venue reads the reason and corrects its application.
		page := s.get(admin, "/lieu/candidature")
		if !strings.Contains(page.text(), "Le RIB ne correspond pas") || !strings.Contains(page.text(), "l'opérateur") || !strings.Contains(page.body, `action="/lieu/candidature"`) {
			t.Fatalf("venue's page after changes requested:\n%s", page.text())
		}
		for _, want := range []string{`value="Espace numérique n°1"`, `value="FR76 3000 6000 0112 3456 7890 189"`, `value="3"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the form is not filled with %s", want)
			}
		}
		form := application(1)
		for _, k := range []string{"admin_name", "admin_email", "admin_password", "pivot"} {
			form.Del(k)
		}
		form.Set("holder", "Association Espace numérique de Rennes")
		form.Del("charter")
		a = s.post(admin, "/lieu/candidature", form)
		if a.status != http.StatusBadRequest || !contains(errorLinks(a), "charter") {
			t.Fatalf("resubmit without the charter: %d %v", a.status, errorLinks(a))
		}
		form.Set("charter", passnum.CharterVersion)
		a = s.post(admin, "/lieu/candidature", form)
		if a.status != http.StatusSeeOther {
			t.Fatalf("resubmit: %d\n%.600s", a.status, a.text())
		}
		if a := s.get(op, "/operateur/candidatures"); !strings.Contains(a.body, `href="`+file+`"`) || !strings.Contains(a.text(), "moins d'un jour") {
			t.Errorf("resubmitted application not back in the queue:\n%s", a.text())
		}

		// Qualified, it redeems.
		a = s.post(op, file+"/decision", url.Values{"status": {"qualified"}, "reason": {"Dossier complet."}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("qualify: %d\n%.500s", a.status, a.text())
		}
		hist := s.get(op, file)
		if !regexp.MustCompile(`qualifié.*Dossier complet.*Camille operator \(opérateur\)`).MatchString(hist.text()) {
			t.Errorf("history:\n%s", hist.text())
		}
		if a := s.post(admin, "/lieu/catalogue", url.Values{"title": {"Premiers pas"}, "category": {"Maîtrise des outils numériques du quotidien"}, "duration_minutes": {"90"}, "price_passes": {"1"}}); a.status != http.StatusSeeOther {
			t.Fatalf("catalogue: %d\n%.400s", a.status, a.text())
		}
		home := s.get(admin, "/lieu")
		if !strings.Contains(home.body, `id="cashier"`) || strings.Contains(home.text(), "n'encaisse pas encore") {
			t.Fatalf("qualified venue's cashier:\n%s", home.text())
		}
		services, err := env.Store.ListCatalogueServices(storetest.As(s.f.Operator), venue.OrgID)
		if err != nil || len(services) != 1 {
			t.Fatalf("services %v %v", services, err)
		}
		code := s.f.Codes[s.f.Serials(0)[0]]
		a = s.post(admin, "/lieu/encaisser", url.Values{"action": {"add"}, "code": {code}, "service_id": {fmt.Sprint(services[0].ID)}, "key": {"k1"}})
		if !strings.Contains(a.text(), "Accepté") {
			t.Fatalf("check at the new venue:\n%s", a.text())
		}
		a = s.follow(admin, s.post(admin, "/lieu/encaisser", url.Values{"action": {"redeem"}, "codes": {code}, "accepted": {code}, "service_id": {fmt.Sprint(services[0].ID)}, "key": {"k1"}}))
		if a.status != http.StatusOK || !strings.Contains(a.text(), "1 pass encaissé") {
			t.Fatalf("redeem at the new venue: %d\n%s", a.status, a.text())
		}
		// The operator corrects the description, SIRET included, which the
		// venue's admin cannot change.
		fiche := s.get(op, file+"/fiche")
		if fiche.status != http.StatusOK || !strings.Contains(fiche.body, `name="pivot"`) || !strings.Contains(fiche.body, `action="`+file+`/fiche"`) {
			t.Fatalf("operator's description form: %d\n%.500s", fiche.status, fiche.text())
		}
		form = application(1) // the description's fields are the application's
		form.Set("nom", "Espace numérique de Rennes-Centre")
		form.Set("pivot", "82417356000015")
		if a := s.post(op, file+"/fiche", form); a.status != http.StatusSeeOther || a.header.Get("Location") != file {
			t.Fatalf("operator saves the description: %d %s\n%.600s", a.status, a.header.Get("Location"), a.text())
		}
		after, err := env.Store.FindVenueFile(storetest.As(s.f.Operator), venue.OrgID)
		if err != nil || after.Venue.Name != "Espace numérique de Rennes-Centre" || after.Venue.Pivot != "82417356000015" || after.Venue.Address != venue.Address {
			t.Fatalf("after the operator's correction: %+v %v", after.Venue, err)
		}
		if a := s.get(opAgent, file+"/fiche"); a.status != http.StatusOK || strings.Contains(a.body, `action="`+file+`/fiche"`) {
			t.Errorf("the operator's agent gets the description form: %d", a.status)
		}
		if a := s.get(opAgent, file); strings.Contains(a.body, "Corriger la fiche") {
			t.Error("the operator's agent is offered to correct the description")
		}
		storetest.MustCheck(t, env, s.f.Operator)
	})
}

// TestVenueOwnPages: the venue's admin edits its description, bank account,
// places and team; an agent reads what it may and changes nothing.
func TestVenueOwnPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		venue, admin := applyAndLogin(t, s, 2)
		// The description.
		a := s.get(admin, "/lieu/fiche")
		if a.status != http.StatusOK || !strings.Contains(a.body, `value="Espace numérique n°2"`) || !strings.Contains(a.body, `aria-current="page">La fiche`) {
			t.Fatalf("profile: %d\n%.500s", a.status, a.text())
		}
		form := url.Values{"nom": {"Espace numérique de la Poterie"}, "adresse": {"3 place de la Poterie"}, "commune": {"Rennes"},
			"code_postal": {"35200"}, "horaires": {"Tu,Th 14:00-18:00"}, "services": {"Aide aux démarches administratives"},
			"presentation_resume": {strings.Repeat("a", 281)}, "telephone": {"pas un numéro"}}
		a = s.post(admin, "/lieu/fiche", form)
		if a.status != http.StatusBadRequest || !contains(errorLinks(a), "presentation_resume") || !contains(errorLinks(a), "telephone") {
			t.Fatalf("bad profile: %d %v\n%.500s", a.status, errorLinks(a), a.text())
		}
		form.Set("presentation_resume", "Un espace pour apprendre.")
		form.Set("telephone", "")
		if a := s.post(admin, "/lieu/fiche", form); a.status != http.StatusSeeOther {
			t.Fatalf("profile: %d\n%.500s", a.status, a.text())
		}
		file, err := env.Store.FindVenueFile(storetest.As(s.f.Operator), venue.OrgID)
		if err != nil || file.Venue.Name != "Espace numérique de la Poterie" || file.Venue.PostalCode != "35200" || file.Venue.Pivot != testSIRET(2) {
			t.Fatalf("venue after edit: %+v %v", file.Venue, err)
		}
		// The bank account, masked.
		if a := s.get(admin, "/lieu/banque"); !strings.Contains(a.text(), "FR76 •••• •••• 0189") || strings.Contains(a.body, "0112 3456") {
			t.Errorf("bank page:\n%s", a.text())
		}
		a = s.post(admin, "/lieu/banque", url.Values{"holder": {""}, "iban": {"FR00 1234"}, "bic": {"X"}})
		if links := errorLinks(a); a.status != http.StatusBadRequest || !contains(links, "holder") || !contains(links, "iban") || !contains(links, "bic") {
			t.Errorf("bad bank account: %d %v", a.status, links)
		}
		if a := s.post(admin, "/lieu/banque", url.Values{"holder": {"Espace numérique"}, "iban": {"DE89 3704 0044 0532 0130 00"}, "bic": {"COBADEFFXXX"}}); a.status != http.StatusSeeOther {
			t.Fatalf("bank: %d\n%.400s", a.status, a.text())
		}
		// A place.
		a = s.post(admin, "/lieu/permanences", url.Values{"place_name": {"Permanence à la mairie de Bruz"}, "place_address": {"Place du Vert Buisson"}, "commune": {"Bruz"}, "active": {"1"}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("place: %d\n%.500s", a.status, a.text())
		}
		places := s.get(admin, "/lieu/permanences")
		m := regexp.MustCompile(`/lieu/permanences\?lieu=(\d+)`).FindStringSubmatch(places.body)
		if m == nil || !strings.Contains(places.text(), "Permanence à la mairie de Bruz") {
			t.Fatalf("places:\n%s", places.text())
		}
		if a := s.get(admin, "/lieu/permanences?lieu="+m[1]); !strings.Contains(a.body, `value="Permanence à la mairie de Bruz"`) {
			t.Errorf("edit form of a place:\n%.400s", a.text())
		}
		if a := s.post(admin, "/lieu/permanences", url.Values{"place_id": {m[1]}, "place_name": {""}, "place_address": {"x"}, "commune": {"Bruz"}}); a.status != http.StatusBadRequest || !contains(errorLinks(a), "place_name") {
			t.Errorf("bad place: %d %v", a.status, errorLinks(a))
		}
		// The team: an applicant gives no account to other addresses
		// before it is qualified; the page says why, without the form.
		noe := url.Values{"name": {"Noé Martin"}, "email": {"noe.martin@espace.example.fr"}, "password": {"un mot de passe provisoire"}, "role": {"agent"}}
		if a := s.get(admin, "/lieu/equipe"); strings.Contains(a.body, `action="/lieu/equipe"`) || !strings.Contains(a.text(), "ne crée pas de comptes pour son équipe") {
			t.Errorf("team page of an applicant:\n%s", a.text())
		}
		a = s.post(admin, "/lieu/equipe", noe)
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.text(), "seul un lieu qualifié peut créer des comptes pour son équipe") {
			t.Fatalf("an applicant adds an agent: %d\n%.600s", a.status, a.text())
		}
		// Qualified, it does.
		if err := qualifyForTest(env, s.f.Operator, venue.OrgID); err != nil {
			t.Fatal(err)
		}
		a = s.post(admin, "/lieu/equipe", noe)
		if a.status != http.StatusSeeOther {
			t.Fatalf("add agent: %d\n%.400s", a.status, a.text())
		}
		if a := s.get(admin, "/lieu/equipe"); !strings.Contains(a.text(), "Noé Martin") || !strings.Contains(a.text(), "Léa Morel") {
			t.Errorf("team:\n%s", a.text())
		}
		if a := s.post(admin, "/lieu/equipe", url.Values{"name": {"X"}, "email": {"pas-une-adresse"}, "password": {"un mot de passe provisoire"}, "role": {"agent"}}); a.status != http.StatusBadRequest || !contains(errorLinks(a), "email") {
			t.Errorf("bad member: %d %v", a.status, errorLinks(a))
		}
		// Noé is invited: he chooses his password with the link received.
		token := mailLink(t, s, "noe.martin@espace.example.fr", passnum.MailAccountInvited, passnum.InvitationPath)
		if a := s.post(anonymous, passnum.InvitationPath, url.Values{"token": {token}, "password": {"un mot de passe provisoire"}, "confirm": {"un mot de passe provisoire"}}); a.status != http.StatusSeeOther {
			t.Fatalf("accept the invitation: %d\n%.400s", a.status, a.text())
		}
		_, cookie := s.login("noe.martin@espace.example.fr", "un mot de passe provisoire")
		if cookie == nil {
			t.Fatal("the invited agent cannot sign in")
		}
		agent := &person{secret: cookie.Value}

		// The agent reads, and changes nothing.
		if a := s.get(agent, "/lieu/fiche"); a.status != http.StatusOK || strings.Contains(a.body, `action="/lieu/fiche"`) || !strings.Contains(a.text(), "Espace numérique de la Poterie") {
			t.Errorf("agent's profile page: %d\n%s", a.status, a.text())
		}
		before := file.Venue.Name
		for _, post := range []struct {
			path string
			form url.Values
		}{
			{"/lieu/fiche", url.Values{"nom": {"Piraté"}, "adresse": {"x"}, "commune": {"Rennes"}, "services": {"Aide aux démarches administratives"}}},
			{"/lieu/banque", url.Values{"holder": {"Pirate"}, "iban": {testIBAN}, "bic": {"AGRIFRPP"}}},
			{"/lieu/permanences", url.Values{"place_name": {"Pirate"}, "place_address": {"x"}, "commune": {"Rennes"}}},
			{"/lieu/equipe", url.Values{"name": {"Pirate"}, "email": {"pirate@example.fr"}, "password": {"un mot de passe provisoire"}, "role": {"admin"}}},
			{"/lieu/candidature", application(2)},
		} {
			if a := s.post(agent, post.path, post.form); a.status != http.StatusForbidden || strings.Contains(a.body, routeReserved) {
				t.Errorf("agent's POST %s: %d\n%.300s", post.path, a.status, a.text())
			}
		}
		for _, path := range []string{"/lieu/banque", "/lieu/equipe"} {
			if a := s.get(agent, path); a.status != http.StatusForbidden || strings.Contains(a.text(), "0189") || strings.Contains(a.text(), "Noé Martin (") {
				t.Errorf("agent's GET %s: %d", path, a.status)
			}
		}
		if a := s.get(agent, "/lieu/permanences"); !strings.Contains(a.text(), "Permanence à la mairie de Bruz") || strings.Contains(a.body, `action="/lieu/permanences"`) {
			t.Errorf("agent's places page:\n%s", a.text())
		}
		file, _ = env.Store.FindVenueFile(storetest.As(s.f.Operator), venue.OrgID)
		if file.Venue.Name != before || file.Bank.Holder != "Espace numérique" || len(file.Places) != 1 {
			t.Errorf("the agent changed the venue: %+v", file)
		}
		if _, err := env.Store.FindUserByEmail(storetest.As(s.f.Operator), "pirate@example.fr"); err == nil {
			t.Error("the agent created an account")
		}
	})
}
