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

// TestCashierWithoutJavaScript walks the venue's screen as a browser
// without JavaScript does: each code typed is checked and listed, a pass
// can be removed, refused passes are left out of the redemption, and the
// same form sent twice redeems once.
func TestCashierWithoutJavaScript(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		venue := s.as(passnum.KindVenue, passnum.RoleAgent)
		page := s.get(venue, "/lieu")
		key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(page.body)
		if page.status != http.StatusOK || key == nil {
			t.Fatalf("cashier: %d", page.status)
		}
		serials := f.Serials(0)
		used := f.CodesOf(f.Serials(1)[0])[0]
		if _, err := env.Store.Redeem(storetest.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: []string{used}, ServiceID: f.Service.ID, IdempotencyKey: "earlier"}); err != nil {
			t.Fatal(err)
		}
		form := url.Values{"key": {key[1]}, "service_id": {fmt.Sprint(f.Service.ID)}}
		// keep carries the list of the page into the next form, as the
		// browser does with hidden fields.
		keep := func(a answer) {
			for _, name := range []string{"codes", "accepted"} {
				form[name] = []string{}
				for _, m := range regexp.MustCompile(`name="`+name+`" value="([^"]+)"`).FindAllStringSubmatch(a.body, -1) {
					form[name] = append(form[name], m[1])
				}
			}
		}
		add := func(code string) answer {
			form.Set("code", code)
			form.Set("action", "add")
			a := s.post(venue, "/lieu/encaisser", form)
			keep(a)
			return a
		}
		// Typed as people type: lower case, spaces instead of dashes.
		a := add(strings.ReplaceAll(strings.ToLower(f.Codes[serials[0]]), "-", " "))
		if a.status != http.StatusOK || !strings.Contains(a.text(), "Accepté") || len(form["codes"]) != 1 {
			t.Fatalf("first pass: %d %v\n%.500s", a.status, form["codes"], a.text())
		}
		add(f.Codes[serials[1]])
		add("XXXX-XXXX-XXXX-X")
		a = add(used)
		if n := strings.Count(a.body, `class="pass-item pass-ko"`); n != 2 {
			t.Fatalf("%d refused passes listed, want 2:\n%s", n, a.text())
		}
		if !strings.Contains(a.text(), "Pass déjà utilisé") || !strings.Contains(a.text(), "Encaisser 2 pass") {
			t.Errorf("verdicts:\n%s", a.text())
		}
		// Remove the second pass, then redeem: the refused ones stay out.
		form.Del("action")
		form.Set("code", "")
		form.Set("remove", "1")
		a = s.post(venue, "/lieu/encaisser", form)
		form.Del("remove")
		keep(a)
		if len(form["codes"]) != 3 || strings.Contains(a.body, f.Codes[serials[1]]) {
			t.Fatalf("after removing: %v", form["codes"])
		}
		form.Set("action", "redeem")
		a = s.follow(venue, s.post(venue, "/lieu/encaisser", form))
		if a.status != http.StatusOK || !strings.Contains(a.text(), "1 pass encaissé pour « Premiers pas sur smartphone »") {
			t.Fatalf("redeem: %d\n%s", a.status, a.text())
		}
		// The same form again (a double click, a reload): no second
		// redemption.
		a = s.follow(venue, s.post(venue, "/lieu/encaisser", form))
		if !strings.Contains(a.text(), "avait déjà été enregistré") {
			t.Errorf("second submission:\n%s", a.text())
		}
		_, n, err := env.Store.ListRedemptions(storetest.VenueCtx(f.Venue), passnum.RedemptionFilter{})
		if err != nil || n != 2 {
			t.Fatalf("%d redemptions, want 2 (%v)", n, err)
		}
		// Without a service, nothing is redeemed and the field says why.
		form.Set("key", "another-key")
		form.Set("service_id", "")
		form["codes"] = []string{f.Codes[serials[2]]}
		form["accepted"] = form["codes"]
		if a := s.post(venue, "/lieu/encaisser", form); a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="service_id-error"`) {
			t.Errorf("no service: %d", a.status)
		}
		// Void within the day from the history.
		reds, _, _ := env.Store.ListRedemptions(storetest.VenueCtx(f.Venue), passnum.RedemptionFilter{})
		last := reds[0]
		if a := s.get(venue, "/lieu/historique"); !strings.Contains(a.body, fmt.Sprintf("/lieu/encaissements/%d/annuler", last.ID)) {
			t.Fatalf("no void link in the history")
		}
		if a := s.get(venue, fmt.Sprintf("/lieu/encaissements/%d/annuler", last.ID)); !strings.Contains(a.text(), "Confirmer l'annulation") {
			t.Fatalf("void page:\n%s", a.text())
		}
		if a := s.post(venue, fmt.Sprintf("/lieu/encaissements/%d/annuler", last.ID), nil); a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "annulé") {
			t.Fatalf("void: %d", a.status)
		}
		env.Clock.Advance(25 * time.Hour)
		var err2 error
		if venue.secret, _, err2 = env.Store.Login(t.Context(), venue.email, venue.password); err2 != nil {
			t.Fatal(err2)
		}
		first := reds[1]
		if a := s.get(venue, fmt.Sprintf("/lieu/encaissements/%d/annuler", first.ID)); !strings.Contains(a.text(), "ne peut plus être annulé") {
			t.Errorf("void page after 24 h:\n%s", a.text())
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}

// TestBadCodesLimitShared: codes that do not exist, typed at the counter,
// count against the venue's limit, which the API shares.
func TestBadCodesLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		venue := s.as(passnum.KindVenue, passnum.RoleAgent)
		for i := range 20 {
			a := s.post(venue, "/lieu/encaisser", url.Values{"action": {"add"}, "code": {fmt.Sprintf("ZZZZ-ZZZZ-%04d-0", i)}})
			if a.status != http.StatusOK {
				t.Fatalf("guess %d: %d", i, a.status)
			}
		}
		a := s.post(venue, "/lieu/encaisser", url.Values{"action": {"add"}, "code": {s.f.Codes[s.f.Serials(0)[0]]}})
		if a.status != http.StatusTooManyRequests || !strings.Contains(a.text(), "Trop de codes inconnus") {
			t.Fatalf("after 20 guesses: %d\n%.400s", a.status, a.text())
		}
		other := s.as(passnum.KindVenue, passnum.RoleAdmin) // same venue: same limit
		if a := s.post(other, "/lieu/encaisser", url.Values{"action": {"add"}, "code": {"7K3M-QX9D-2HFT-R"}}); a.status != http.StatusTooManyRequests {
			t.Errorf("another agent of the venue: %d", a.status)
		}
	})
}

// TestHandOut: a prescriber hands out a carnet; an ambiguous commune asks
// which one; the receipt shows the carnet, the reference and venues.
func TestHandOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		p := s.as(passnum.KindPrescriber, passnum.RoleAgent)
		carnet := f.Batch.FirstCarnet + 7 // allocated, not distributed
		form := url.Values{"carnet": {fmt.Sprint(carnet)}, "person": {"new"}, "birth_year": {"1948"}, "commune": {"Saint-Denis"},
			"needs": {"Aide aux démarches administratives"}, "autonomy": {"faible"}}
		a := s.post(p, "/prescripteur/remettre", form)
		if a.status != http.StatusBadRequest || !strings.Contains(a.text(), "Plusieurs communes correspondent") || !strings.Contains(a.text(), "doit accepter") {
			t.Fatalf("ambiguous commune and no consent: %d\n%.600s", a.status, a.text())
		}
		if !strings.Contains(a.body, `name="commune_choice" value="93066"`) || !strings.Contains(a.body, `name="commune_choice" value="97411"`) {
			t.Fatalf("the two Saint-Denis are not offered:\n%s", a.text())
		}
		if _, n, _ := env.Store.ListCarnets(storetest.As(s.f.Operator), passnum.CarnetFilter{Distributed: ptr(true)}); n != 6 {
			t.Fatalf("a refused form handed out a carnet: %d distributed", n)
		}
		form.Set("commune_choice", "35238") // as if the person lived in Rennes after all
		form.Set("consent", "1")
		a = s.post(p, "/prescripteur/remettre", form)
		// Next comes the first workshop (TestBookAtHandOutPages), then the receipt.
		if a.status != http.StatusSeeOther || a.header.Get("Location") != fmt.Sprintf("/prescripteur/carnets/%d/atelier", carnet) {
			t.Fatalf("hand out: %d\n%.600s", a.status, a.text())
		}
		ref := regexp.MustCompile(`B-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(a.flash())
		if ref == "" {
			t.Fatalf("no reference in %q", a.flash())
		}
		b, err := env.Store.FindBeneficiary(storetest.As(storetest.Actor(f.Prescriber, passnum.RoleAgent)), ref)
		if err != nil || b.CommuneINSEE != "35238" || b.BirthYear != 1948 || b.ConsentAt != passnum.Today(env.Clock.Now()) {
			t.Fatalf("beneficiary %+v %v", b, err)
		}
		receipt := s.get(p, fmt.Sprintf("/prescripteur/carnets/%d/recu", carnet))
		for _, want := range []string{fmt.Sprintf("Carnet n°%d", carnet), ref, "31 décembre 2027", f.Venue.Name,
			"financé par l'État — ANCT et le Département d'Ille-et-Vilaine."} {
			if !strings.Contains(receipt.text(), want) {
				t.Errorf("receipt does not say %q:\n%s", want, receipt.text())
			}
		}
		// A carnet of another structure's stock is refused the same way as
		// one that does not exist.
		form.Set("carnet", fmt.Sprint(f.Batch.FirstCarnet+15))
		if a := s.post(p, "/prescripteur/remettre", form); a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, `id="carnet-error"`) {
			t.Errorf("carnet not in stock: %d\n%.400s", a.status, a.text())
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestPublicCarnetPage: the person holding a carnet reads what is left
// and where to go; codes that match nothing are limited per network.
func TestPublicCarnetPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		serials := f.Serials(0)
		if _, err := env.Store.Redeem(storetest.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(serials[0], serials[1]), ServiceID: f.Service.ID, IdempotencyKey: "k"}); err != nil {
			t.Fatal(err)
		}
		a := s.post(anonymous, "/carnet", url.Values{"code": {f.Codes[serials[4]]}})
		text := a.text()
		for _, want := range []string{"Il vous reste 3 pass sur 5", "31 décembre 2027", f.Venue.Name, "région Bretagne"} {
			if !strings.Contains(text, want) {
				t.Errorf("public page does not say %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, f.Outside.Name) {
			t.Errorf("a venue outside the territory is offered:\n%s", text)
		}
		if strings.Contains(text, "B-") {
			t.Errorf("the page shows a beneficiary reference:\n%s", text)
		}
		for i := range 20 {
			a := s.post(anonymous, "/carnet", url.Values{"code": {fmt.Sprintf("ZZZZ-ZZZZ-%04d-0", i)}})
			if a.status != http.StatusNotFound || !strings.Contains(a.text(), "Aucun carnet ne correspond") {
				t.Fatalf("unknown code %d: %d\n%.300s", i, a.status, a.text())
			}
		}
		if a := s.post(anonymous, "/carnet", url.Values{"code": {f.Codes[serials[4]]}}); a.status != http.StatusTooManyRequests {
			t.Errorf("after 20 unknown codes: %d", a.status)
		}
	})
}

// TestOperatorForms: a programme with shares that do not add up is sent
// back with the error on its field and nothing created; a batch issued
// from the page runs as a job whose progress can be followed.
func TestOperatorForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		form := url.Values{"name": {"Pass numérique Finistère"}, "funder_1": {fmt.Sprint(s.f.State.ID)}, "share_1": {"60"},
			"funder_2": {fmt.Sprint(s.f.Dept.ID)}, "share_2": {"30"}, "budget": {"20 000"}, "face_value": {"10"}, "carnet_size": {"10"},
			"tolerance_days": {"31"}, "fee": {"4"}, "valid_from": {"2027-01-01"}, "valid_until": {"2027-12-31"}, "territory_departements": {"29"},
			"services": {"Aide aux démarches administratives"}}
		a := s.post(op, "/operateur/programmes", form)
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, `href="#funder_1"`) || !strings.Contains(a.text(), "9000 points de base") {
			t.Fatalf("bad shares: %d\n%.600s", a.status, a.text())
		}
		if !strings.Contains(a.body, `value="Pass numérique Finistère"`) {
			t.Error("the form is not filled again with what was typed")
		}
		if _, n, _ := env.Store.ListProgrammes(storetest.As(s.f.Operator), passnum.ProgrammeFilter{}); n != 1 {
			t.Fatalf("%d programmes after a refused form", n)
		}
		form.Set("share_2", "40")
		a = s.post(op, "/operateur/programmes", form)
		if a.status != http.StatusSeeOther {
			t.Fatalf("good programme: %d\n%.600s", a.status, a.text())
		}
		prog := a.header.Get("Location")
		p, err := env.Store.FindProgramme(storetest.As(s.f.Operator), 2)
		if err != nil || p.BudgetCents != 2_000_000 || p.Funders[0].ShareBP != 6000 || p.Territory[0] != "departement:29" {
			t.Fatalf("programme %+v %v", p, err)
		}
		// An agent of the operator sees the page but not the forms only
		// admins may use.
		if a := s.get(s.as(passnum.KindOperator, passnum.RoleAgent), prog); a.status != http.StatusOK || strings.Contains(a.text(), "Émettre les carnets") || !strings.Contains(a.text(), "Attribuer les carnets") {
			t.Errorf("operator agent's programme page: %d", a.status)
		}
		a = s.post(op, prog+"/lots", url.Values{"issue_carnets": {"200"}})
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/operateur/travaux/") {
			t.Fatalf("issue: %d %q", a.status, a.header.Get("Location"))
		}
		job := a.header.Get("Location")
		deadline := time.Now().Add(30 * time.Second)
		for {
			st := s.get(op, job+"/etat")
			if strings.Contains(st.body, `"finished":true`) {
				if !strings.Contains(st.body, `"percent":100`) || !strings.Contains(st.body, "200 carnets") {
					t.Fatalf("job state: %s", st.body)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job not finished: %s", st.body)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if a := s.get(op, job); !strings.Contains(a.text(), "Lot n°2 émis") {
			t.Errorf("job page:\n%s", a.text())
		}
		batches, err := env.Store.ListBatches(storetest.As(s.f.Operator), 2)
		if err != nil || len(batches) != 1 || batches[0].Carnets != 200 {
			t.Fatalf("batches %+v %v", batches, err)
		}
		// The printer's export, as a download.
		csv := s.get(op, fmt.Sprintf("/operateur/lots/%d/pass.csv", batches[0].ID))
		if csv.status != http.StatusOK || !strings.HasPrefix(csv.header.Get("Content-Disposition"), "attachment") || strings.Count(csv.body, "\n") != 2001 {
			t.Errorf("export: %d %q, %d lines", csv.status, csv.header.Get("Content-Disposition"), strings.Count(csv.body, "\n"))
		}
		// The carnets to print: a letter and a page of coupons per carnet.
		doc := s.get(op, fmt.Sprintf("/operateur/lots/%d/carnets.pdf", batches[0].ID))
		if doc.status != http.StatusOK || doc.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(doc.body, "%PDF") ||
			strings.Count(doc.body, "/Type /Page\n") != 400 {
			t.Errorf("carnets: %d %q, %d pages", doc.status, doc.header.Get("Content-Type"), strings.Count(doc.body, "/Type /Page\n"))
		}
		// A count that is not one: refused on the page, no job.
		if a := s.post(op, prog+"/lots", url.Values{"issue_carnets": {"abc"}}); a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="issue_carnets-error"`) {
			t.Errorf("bad carnet count: %d", a.status)
		}
		// Beyond the budget: the job fails and says why.
		a = s.post(op, prog+"/lots", url.Values{"issue_carnets": {"1"}})
		job = a.header.Get("Location")
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			st := s.get(op, job+"/etat")
			if strings.Contains(st.body, `"finished":true`) {
				if !strings.Contains(st.body, `"failed":true`) || !strings.Contains(st.body, "budget") {
					t.Errorf("job beyond the budget: %s", st.body)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job not finished: %s", st.body)
			}
		}
		if batches, _ := env.Store.ListBatches(storetest.As(s.f.Operator), 2); len(batches) != 1 {
			t.Errorf("%d batches after a refused issuance", len(batches))
		}
		storetest.MustCheck(t, env, s.f.Operator)
	})
}

// TestNoSecretInLogs: the access log names routes and actors, never the
// codes, references, passwords or tokens that went through them.
func TestNoSecretInLogs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		code := s.f.Codes[s.f.Serials(0)[0]]
		venue := s.as(passnum.KindVenue, passnum.RoleAgent)
		s.post(venue, "/lieu/encaisser", url.Values{"action": {"add"}, "code": {code}})
		s.post(anonymous, "/carnet", url.Values{"code": {code}})
		p := s.as(passnum.KindPrescriber, passnum.RoleAdmin)
		s.login(p.email, p.password)
		s.get(s.as(passnum.KindOperator, passnum.RoleAdmin), "/operateur/recherche?q="+url.QueryEscape(code))
		logs := s.logs.String()
		for _, secret := range []string{code, p.password, venue.secret, csrfToken(venue.secret), p.email} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds %q", secret)
			}
		}
		if !strings.Contains(logs, `"pattern":"POST /lieu/encaisser"`) {
			t.Errorf("the log does not name the route:\n%s", logs)
		}
	})
}

// TestBlockFromCarnetPage: the operator blocks one pass, then the whole
// carnet, from the carnet's page, and the venue's screen refuses them.
func TestBlockFromCarnetPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAgent)
		carnet := s.f.Batch.FirstCarnet
		serials := s.f.Serials(0)
		back := fmt.Sprintf("/operateur/carnets/%d", carnet)
		if a := s.get(op, back); a.status != http.StatusOK || !strings.Contains(a.text(), "Bloquer ou débloquer") {
			t.Fatalf("carnet page: %d", a.status)
		}
		a := s.post(op, "/operateur/blocages", url.Values{"scope": {"pass"}, "number": {fmt.Sprint(carnet)}, "serial": {fmt.Sprint(serials[2])}, "reason": {"pass abîmé"}, "back": {back}})
		if a.status != http.StatusSeeOther || a.header.Get("Location") != back || !strings.Contains(a.flash(), "1 pass bloqués") && !strings.Contains(a.flash(), "1 pass bloqué") {
			t.Fatalf("block a pass: %d %q %q", a.status, a.header.Get("Location"), a.flash())
		}
		a = s.post(op, "/operateur/blocages", url.Values{"scope": {"carnet"}, "number": {fmt.Sprint(carnet)}, "reason": {"carnet perdu"}, "back": {back}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "4 pass bloqués") {
			t.Fatalf("block the carnet: %d %q", a.status, a.flash())
		}
		// Without a reason: refused, with the way back.
		a = s.post(op, "/operateur/blocages", url.Values{"scope": {"carnet"}, "number": {fmt.Sprint(carnet)}, "back": {back}})
		if a.status != http.StatusBadRequest || !strings.Contains(a.text(), "motif est obligatoire") {
			t.Errorf("no reason: %d\n%.300s", a.status, a.text())
		}
		checks, err := env.Store.Check(storetest.VenueCtx(s.f.Venue), passnum.CheckRequest{Codes: s.f.CodesOf(serials[0], serials[2])})
		if err != nil {
			t.Fatal(err)
		}
		if checks[0].Reason != passnum.ReasonBlocked || !strings.Contains(checks[0].Message, "carnet perdu") || !strings.Contains(checks[1].Message, "pass abîmé") {
			t.Errorf("venue verdicts: %+v", checks)
		}
		storetest.MustCheck(t, env, s.f.Operator)
	})
}
