package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestRightsPages: the operator's staff find a person, download the copy
// (PDF and JSON), restrict and erase; the prescriber sees the people it
// met, rectifies in front of them and asks the operator for an erasure;
// another prescriber's person and an unknown reference read alike.
func TestRightsPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		op := storetest.As(f.Operator)
		carnet, err := env.Store.FindCarnet(op, f.Batch.FirstCarnet)
		if err != nil {
			t.Fatal(err)
		}
		ref := carnet.BeneficiaryRef
		// A person the other prescriber met.
		other := f.Batch.FirstCarnet + 10
		if _, err := env.Store.Allocate(op, passnum.AllocateRequest{PrescriberID: f.Other.ID, FirstCarnet: other, LastCarnet: other}); err != nil {
			t.Fatal(err)
		}
		d, err := env.Store.Distribute(storetest.As(storetest.Actor(f.Other, passnum.RoleAgent)), passnum.DistributeRequest{Carnet: other,
			Beneficiary: &passnum.BeneficiaryInput{BirthYear: 1950, CommuneINSEE: "35238", Needs: []string{passnum.Needs[0]}, ConsentAt: "2027-03-01"}})
		if err != nil {
			t.Fatal(err)
		}
		othersRef := d.Beneficiary.Ref

		agent := s.as(passnum.KindOperator, passnum.RoleAgent)
		if a := s.get(agent, "/operateur/droits?ref="+url.QueryEscape(" "+ref+" ")); a.status != http.StatusSeeOther || a.header.Get("Location") != "/operateur/droits/"+ref {
			t.Fatalf("search: %d to %q", a.status, a.header.Get("Location"))
		}
		page := s.get(agent, "/operateur/droits/"+ref)
		if page.status != http.StatusOK || !strings.Contains(page.text(), ref) || !strings.Contains(page.text(), "Carnets remis") {
			t.Fatalf("person page: %d\n%.800s", page.status, page.text())
		}
		pdf := s.get(agent, "/operateur/droits/"+ref+"/donnees.pdf")
		if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF-") {
			t.Errorf("PDF: %d %q", pdf.status, pdf.header.Get("Content-Type"))
		}
		// The copy left the platform: the journal of consultations says
		// so, with why it was read.
		reads, _, err := env.Store.ListPersonalReads(op, passnum.PersonalReadFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		journaled := false
		for _, rd := range reads {
			journaled = journaled || rd.Export == "donnees-personnelles.pdf" && strings.Contains(rd.Reason, "droits") && strings.Contains(strings.Join(rd.Records, " "), ref)
		}
		if !journaled {
			t.Errorf("the PDF's read is not in the journal of consultations: %+v", reads)
		}
		js := s.get(agent, "/operateur/droits/"+ref+"/donnees.json")
		var data passnum.PersonalData
		if err := json.Unmarshal([]byte(js.body), &data); err != nil || data.Beneficiary == nil || data.Beneficiary.Ref != ref || len(data.Carnets) != 1 {
			t.Errorf("JSON: %d, %v: %.300s", js.status, err, js.body)
		}

		// An unknown reference and another prescriber's read alike to a
		// prescriber.
		presc := s.as(passnum.KindPrescriber, passnum.RoleAgent)
		unknown := "B-ZZZZ-ZZZZ"
		for _, path := range []string{"", "/donnees.pdf"} {
			a := s.get(presc, "/prescripteur/personnes/"+othersRef+path)
			b := s.get(presc, "/prescripteur/personnes/"+unknown+path)
			if a.status != http.StatusNotFound || b.status != a.status || strings.ReplaceAll(a.text(), othersRef, "REF") != strings.ReplaceAll(b.text(), unknown, "REF") {
				t.Errorf("%s: another prescriber's person (%d) and an unknown reference (%d) read differently:\n%.600s\n%.600s", path, a.status, b.status, a.text(), b.text())
			}
		}
		if a := s.post(presc, "/prescripteur/personnes/"+othersRef+"/demande", url.Values{"kind": {"erasure"}}); a.status != http.StatusNotFound {
			t.Errorf("asking for another prescriber's person: %d, want 404", a.status)
		}

		// The prescriber in front of the person: rectify, then ask.
		mine := s.get(presc, "/prescripteur/personnes/"+ref)
		if mine.status != http.StatusOK || strings.Contains(mine.body, "donnees.json") || !strings.Contains(mine.text(), "Transmettre une demande") {
			t.Fatalf("prescriber's person page: %d\n%.800s", mine.status, mine.text())
		}
		form := url.Values{"birth_year": {"1951"}, "autonomy": {"moyenne"}, "needs": {passnum.Needs[1]}, "reason": {""}}
		if a := s.post(presc, "/prescripteur/personnes/"+ref+"/rectification", form); a.status != http.StatusBadRequest || !strings.Contains(a.text(), "pourquoi") {
			t.Errorf("rectification without a reason: %d\n%.600s", a.status, a.text())
		}
		form.Set("reason", "Erreur de saisie signalée par la personne")
		if a := s.post(presc, "/prescripteur/personnes/"+ref+"/rectification", form); a.status != http.StatusSeeOther {
			t.Errorf("rectification: %d\n%.600s", a.status, a.text())
		}
		b, err := env.Store.FindBeneficiary(passnum.WithReadReason(op, "vérification du test"), ref)
		if err != nil || b.BirthYear != 1951 || b.Autonomy != "moyenne" || len(b.Needs) != 1 || b.Needs[0] != passnum.Needs[1] {
			t.Errorf("rectified: %+v, %v", b, err)
		}
		if a := s.post(presc, "/prescripteur/personnes/"+ref+"/demande", url.Values{"kind": {""}}); a.status != http.StatusBadRequest {
			t.Errorf("a request without its right: %d", a.status)
		}
		a := s.post(presc, "/prescripteur/personnes/"+ref+"/demande", url.Values{"kind": {"erasure"}, "details": {"Rappeler au 02 99 00 00 00"}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "15 avril 2027") {
			t.Errorf("asking for an erasure: %d %q", a.status, a.flash())
		}
		list, _, err := env.Store.ListRightsRequests(op, passnum.RightsRequestFilter{Open: true})
		if err != nil || len(list) != 1 || list[0].Ref != ref || list[0].Kind != passnum.RightErasure || list[0].Channel != passnum.ChannelPrescriber {
			t.Errorf("register after the prescriber's request: %+v, %v", list, err)
		}

		if page := s.get(agent, "/operateur/droits/"+ref).text(); !strings.Contains(page, fmt.Sprintf("Demande n°%d : effacement (article 17)", list[0].ID)) {
			t.Errorf("the operator's page of the person does not list their request:\n%.1500s", page)
		}

		// The operator restricts, then erases: refused while the person
		// holds unused passes, the reason shown; done once they are blocked.
		if a := s.post(agent, "/operateur/droits/"+ref+"/limitation", url.Values{"restricted": {"1"}}); a.status != http.StatusBadRequest {
			t.Errorf("restriction without a reason: %d", a.status)
		}
		if a := s.post(agent, "/operateur/droits/"+ref+"/limitation", url.Values{"restricted": {"1"}, "restriction_reason": {"Conteste sa commune"}}); a.status != http.StatusSeeOther {
			t.Errorf("restriction: %d\n%.500s", a.status, a.text())
		}
		if !strings.Contains(s.get(agent, "/operateur/droits/"+ref).text(), "Traitement limité depuis") {
			t.Error("the person page does not say the processing is restricted")
		}
		if a := s.post(agent, "/operateur/droits/"+ref+"/effacement", url.Values{"reason": {"Demande du 15 mars"}}); a.status != http.StatusBadRequest || !strings.Contains(a.text(), "Cochez la case") {
			t.Errorf("erasure without confirmation: %d\n%.500s", a.status, a.text())
		}
		refused := s.post(agent, "/operateur/droits/"+ref+"/effacement", url.Values{"reason": {"Demande du 15 mars"}, "confirm": {"1"}})
		if refused.status < 400 || !strings.Contains(refused.text(), "L'effacement est refusé") || !strings.Contains(refused.text(), "non utilisés") || !strings.Contains(refused.body, fmt.Sprintf(`href="/operateur/carnets/%d"`, carnet.Number)) {
			t.Errorf("erasure of a person holding passes: %d\n%.800s", refused.status, refused.text())
		}
		if _, err := env.Store.FindBeneficiary(passnum.WithReadReason(op, "vérification du test"), ref); err != nil {
			t.Fatalf("a refused erasure erased: %v", err)
		}
		if _, err := env.Store.Block(op, passnum.BlockRequest{Scope: passnum.BlockCarnet, Carnet: carnet.Number, Reason: "Effacement demandé"}); err != nil {
			t.Fatal(err)
		}
		done := s.post(agent, "/operateur/droits/"+ref+"/effacement", url.Values{"reason": {"Demande du 15 mars"}, "confirm": {"1"}})
		if done.status != http.StatusOK || !strings.Contains(done.text(), "effacées") {
			t.Fatalf("erasure: %d\n%.800s", done.status, done.text())
		}
		if a := s.get(agent, "/operateur/droits/"+ref); a.status != http.StatusNotFound {
			t.Errorf("the erased reference: %d, want 404", a.status)
		}
	})
}
