package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// goodCall is a call form that the service accepts; the cases below
// spoil one field each.
func goodCall() url.Values {
	return url.Values{"title": {"AAP Pass numérique — Bretagne"}, "description": {"L'État cofinance les pass."},
		"envelope": {"15 000 000"}, "max_share": {"50"}, "applicant_kinds": {"departement", "region"},
		"territory": {"region:53"}, "opens_on": {"2027-03-01"}, "closes_on": {"2027-05-31"},
		"questions": {"Quels lieux ?\n\nQuel hub ?\n"}, "criteria": {"Qualité du plan d'action : 10\nCofinancements : 5"}}
}

// TestCallForm opens a call from the web form: the envelope typed the
// French way, the questions and the grid one a line; each wrong field
// comes back with its French error next to it, what was typed kept, and
// no call opened.
func TestCallForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f, st := s.f, env.Store
		state, agent := s.as(passnum.KindFunder, passnum.RoleAdmin), s.as(passnum.KindFunder, passnum.RoleAgent)
		stateCtx := storetest.As(storetest.Actor(f.State, passnum.RoleAdmin))
		if a := s.get(state, "/financeur/appels/nouveau"); a.status != http.StatusOK || !strings.Contains(a.text(), "Enveloppe (en euros) (obligatoire)") {
			t.Fatalf("call form: %d %s", a.status, a.text())
		}
		if a := s.get(agent, "/financeur/appels/nouveau"); a.status != http.StatusForbidden {
			t.Fatalf("call form for a funder's agent: %d, want 403", a.status)
		}
		cases := []struct {
			name, field, value string
			errorID, says      string
		}{
			{"negative envelope", "envelope", "-5 000", "envelope-error", "négatif"},
			{"zero envelope", "envelope", "0", "envelope-error", "L'enveloppe de l'appel est un montant positif"},
			{"envelope in words", "envelope", "quinze millions", "envelope-error", "Indiquez l'enveloppe en euros"},
			{"share above 100 %", "max_share", "150", "max_share-error", "comprise entre 0,01 % et 100 %"},
			{"closes before it opens", "closes_on", "2027-02-01", "closes_on-error", "La clôture de l'appel précède son ouverture."},
			{"no date", "opens_on", "", "opens_on-error", "Date d'ouverture invalide"},
			{"no title", "title", " ", "title-error", "Le titre de l'appel à projets est obligatoire"},
			{"no applicant", "applicant_kinds", "", "applicant_kinds-error", "Indiquez au moins un type de collectivité"},
			{"grid without points", "criteria", "Qualité du plan d'action", "criteria-error", "Ligne 1 de la grille"},
			{"grid above 100 points", "criteria", "Qualité : 500", "criteria-error", "se note sur 1 à 100 points"},
			{"unknown territory", "territory", "planete:3", "territory-error", ""},
		}
		for _, c := range cases {
			form := goodCall()
			if c.value == "" {
				form.Del(c.field)
			} else {
				form.Set(c.field, c.value)
			}
			a := s.post(state, "/financeur/appels", form)
			if a.status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400\n%s", c.name, a.status, a.text())
				continue
			}
			if !strings.Contains(a.body, `id="`+c.errorID+`"`) || !strings.Contains(a.text(), c.says) {
				t.Errorf("%s: no error %q next to the field (%s)\n%s", c.name, c.says, c.errorID, a.text())
			}
			if !strings.Contains(a.body, `value="AAP Pass numérique — Bretagne"`) && c.field != "title" {
				t.Errorf("%s: the title typed is not kept", c.name)
			}
		}
		if calls, n, err := st.ListCalls(stateCtx, passnum.CallFilter{FunderID: f.State.ID}); err != nil || n != 0 {
			t.Fatalf("refused forms opened %d calls (%v): %v", n, err, calls)
		}
		if a := s.post(agent, "/financeur/appels", goodCall()); a.status != http.StatusForbidden {
			t.Fatalf("a funder's agent opened a call: %d", a.status)
		}
		form := goodCall()
		form.Set("envelope", "1 500,50")
		a := s.post(state, "/financeur/appels", form)
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/financeur/appels/") {
			t.Fatalf("call sent: %d %s", a.status, a.text())
		}
		calls, _, err := st.ListCalls(stateCtx, passnum.CallFilter{FunderID: f.State.ID})
		if err != nil || len(calls) != 1 {
			t.Fatalf("calls after the form: %v (%v)", calls, err)
		}
		c := calls[0]
		if c.EnvelopeCents != 1_500_50 || c.MaxShareBP != 5000 || c.OpensOn != "2027-03-01" || c.ClosesOn != "2027-05-31" ||
			strings.Join(c.Questions, "|") != "Quels lieux ?|Quel hub ?" || len(c.Criteria) != 2 || c.Criteria[0] != (passnum.Criterion{Label: "Qualité du plan d'action", MaxPoints: 10}) ||
			len(c.ApplicantKinds) != 2 || strings.Join(c.Territory, " ") != "region:53" {
			t.Fatalf("call read from the form: %+v", c)
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}

// TestConventionForms runs the funder's side from a selection to the
// money in through the pages: a selection over the envelope is refused;
// the convention takes the application's amounts; signatures, the
// operator's programme, an addendum bringing a foundation in and calls
// for funds; each wrong form (a convention that ends before it starts, a
// signature in the future, an addendum breaking the matching rule, a call
// for more than committed) answers with its French error next to its
// field and changes nothing.
func TestConventionForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f, st := s.f, env.Store
		state, op := s.as(passnum.KindFunder, passnum.RoleAdmin), s.as(passnum.KindOperator, passnum.RoleAdmin)
		stateCtx := storetest.As(storetest.Actor(f.State, passnum.RoleAdmin))
		deptCtx := storetest.As(storetest.Actor(f.Dept, passnum.RoleAdmin))
		opCtx := storetest.As(f.Operator)
		foundation, err := st.CreateOrganisation(opCtx, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Fondation du numérique"})
		if err != nil {
			t.Fatal(err)
		}
		call, err := st.CreateCall(stateCtx, passnum.CallCreate{Title: "AAP Bretagne", EnvelopeCents: 50_000_00,
			ApplicantKinds: []passnum.ApplicantKind{passnum.ApplicantDepartement}, OpensOn: "2027-03-01", ClosesOn: "2027-04-30"})
		if err != nil {
			t.Fatal(err)
		}
		apply := func(title string, stateCents int64) *passnum.Application {
			t.Helper()
			p, err := st.SaveApplication(deptCtx, passnum.ApplicationInput{CallID: call.ID, ApplicantKind: passnum.ApplicantDepartement, Title: title,
				Territory: []string{"departement:35"}, Targets: passnum.ActionTargets{People: 10, Passes: 100},
				Lines: []passnum.FundingLine{{FunderID: f.State.ID, Year: 2027, AmountCents: stateCents}, {FunderID: f.Dept.ID, Year: 2027, AmountCents: stateCents}}})
			if err != nil {
				t.Fatal(err)
			}
			if p, err = st.SubmitApplication(deptCtx, p.ID); err != nil {
				t.Fatal(err)
			}
			return p
		}
		first, second := apply("Plan 35", 30_000_00), apply("Plan 35 bis", 30_000_00)
		if a := s.post(state, fmt.Sprintf("/financeur/candidatures/%d/decision", first.ID), url.Values{"selected": {"1"}, "reason": {"Plan complet."}}); a.status != http.StatusSeeOther {
			t.Fatalf("selection: %d %s", a.status, a.text())
		}
		// 30 000 € more on an envelope with 20 000 € left.
		a := s.post(state, fmt.Sprintf("/financeur/candidatures/%d/decision", second.ID), url.Values{"selected": {"1"}, "reason": {"Plan complet."}})
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, `id="reason-error"`) || !strings.Contains(a.text(), "dont il reste 20 000,00 €") {
			t.Fatalf("selection over the envelope: %d %s", a.status, a.text())
		}
		if p, _ := st.FindApplication(stateCtx, second.ID); p.Status != passnum.ApplicationSubmitted {
			t.Fatalf("a selection over the envelope changed the application: %s", p.Status)
		}

		page := fmt.Sprintf("/financeur/candidatures/%d", first.ID)
		if a := s.get(state, page); !strings.Contains(a.text(), "Établir la convention") || !strings.Contains(a.text(), "60 000,00 € en tout, dont 30 000,00 €") {
			t.Fatalf("the selected application offers no convention: %s", a.text())
		}
		a = s.post(state, page+"/convention", url.Values{"starts_on": {"2027-04-01"}, "ends_on": {"2027-03-01"}})
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="ends_on-error"`) || !strings.Contains(a.text(), "La convention finit après avoir commencé.") ||
			!strings.Contains(a.body, `value="2027-04-01"`) {
			t.Fatalf("convention ending before it starts: %d %s", a.status, a.text())
		}
		if convs, n, _ := st.ListConventions(stateCtx, passnum.ConventionFilter{CallID: call.ID}); n != 0 {
			t.Fatalf("a refused form made a convention: %v", convs)
		}
		a = s.post(state, page+"/convention", url.Values{"starts_on": {"2027-04-01"}, "ends_on": {"2028-12-31"}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("convention: %d %s", a.status, a.text())
		}
		convs, _, err := st.ListConventions(stateCtx, passnum.ConventionFilter{CallID: call.ID})
		if err != nil || len(convs) != 1 || convs[0].TotalCents != 60_000_00 || convs[0].FunderTotal(f.State.ID) != 30_000_00 || convs[0].EndsOn != "2028-12-31" {
			t.Fatalf("convention from the form: %+v (%v)", convs, err)
		}
		conv := convs[0]
		cpage := fmt.Sprintf("/financeur/conventions/%d", conv.ID)
		if a.header.Get("Location") != cpage {
			t.Fatalf("the convention's form leads to %q, want %q", a.header.Get("Location"), cpage)
		}

		// Forms of the convention's page: each wrong one refused on its field.
		bad := []struct {
			name, path string
			form       url.Values
			errorID    string
			says       string
		}{
			{"signature in the future", "/signatures", url.Values{"sign_funder": {fmt.Sprint(f.State.ID)}, "signed_on": {"2027-04-20"}}, "signed_on-error", "est dans le futur"},
			{"signature of no party", "/signatures", url.Values{"sign_funder": {fmt.Sprint(foundation.ID)}, "signed_on": {"2027-03-10"}}, "sign_funder-error", "n'est pas partie à la convention"},
			{"State's share above the rule", "/avenants", url.Values{"addendum_reason": {"L'État double sa part."},
				"add_funder_1": {fmt.Sprint(f.State.ID)}, "add_year_1": {"2027"}, "add_amount_1": {"40 000"}}, "add_funder_1-error", "dépasse la règle de l'appel"},
			{"addendum over the envelope", "/avenants", url.Values{"addendum_reason": {"L'État double sa part."},
				"add_funder_1": {fmt.Sprint(f.State.ID)}, "add_year_1": {"2027"}, "add_amount_1": {"60 000"}, "add_funder_2": {fmt.Sprint(f.Dept.ID)}, "add_year_2": {"2027"}, "add_amount_2": {"60 000"}}, "add_funder_1-error", "enveloppe"},
			{"addendum without reason", "/avenants", url.Values{"add_funder_1": {fmt.Sprint(foundation.ID)}, "add_year_1": {"2028"}, "add_amount_1": {"10 000"}}, "addendum_reason-error", "Donnez l'objet de l'avenant"},
			{"addendum amount in words", "/avenants", url.Values{"addendum_reason": {"Fondation"}, "add_funder_1": {fmt.Sprint(foundation.ID)}, "add_year_1": {"2028"}, "add_amount_1": {"dix mille"}}, "add_amount_1-error", "Ligne 1 : indiquez le nouveau montant"},
			{"call for more than committed", "/appels-de-fonds", url.Values{"call_funder": {fmt.Sprint(f.Dept.ID)}, "call_year": {"2027"}, "call_amount": {"30 000,01"}, "call_due_on": {"2027-06-30"}}, "call_amount-error", ""},
			{"call without due date", "/appels-de-fonds", url.Values{"call_funder": {fmt.Sprint(f.Dept.ID)}, "call_year": {"2027"}, "call_amount": {"10 000"}}, "call_due_on-error", "Date d'échéance invalide"},
			{"negative call", "/appels-de-fonds", url.Values{"call_funder": {fmt.Sprint(f.Dept.ID)}, "call_year": {"2027"}, "call_amount": {"-10"}, "call_due_on": {"2027-06-30"}}, "call_amount-error", "négatif"},
		}
		for _, b := range bad {
			a := s.post(state, cpage+b.path, b.form)
			if a.status < 400 || a.status >= 500 || !strings.Contains(a.body, `id="`+b.errorID+`"`) || !strings.Contains(a.text(), b.says) {
				t.Errorf("%s: %d, want the error %q at %s\n%s", b.name, a.status, b.says, b.errorID, a.text())
			}
		}
		after, err := st.FindConvention(stateCtx, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		money, err := st.MoneyIn(stateCtx, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Signed || after.Parties[0].SignedOn != "" || after.TotalCents != 60_000_00 || len(after.Parties) != 2 || len(money.Calls) != 0 {
			t.Fatalf("refused forms changed the convention: %+v, %d calls for funds", after, len(money.Calls))
		}
		if addenda, _ := st.ListAddenda(stateCtx, conv.ID); len(addenda) != 0 {
			t.Fatalf("refused forms recorded addenda: %v", addenda)
		}

		// The applicant is a party, not the call's funder: its
		// administrator neither signs, amends nor calls for funds.
		deptAdmin := &person{email: "dept.admin@example.fr", password: "lanterne violette sous la pluie bretonne", org: f.Dept.ID}
		if _, err := st.CreateUser(opCtx, passnum.UserCreate{Email: deptAdmin.email, Name: "Camille Département", Password: deptAdmin.password, OrgID: f.Dept.ID, Role: passnum.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		if deptAdmin.secret, _, err = st.Login(context.Background(), deptAdmin.email, deptAdmin.password); err != nil {
			t.Fatal(err)
		}
		if a := s.get(deptAdmin, cpage); a.status != http.StatusOK || strings.Contains(a.text(), "Enregistrer une signature") || strings.Contains(a.text(), "Appeler les fonds") {
			t.Fatalf("the applicant's view of the convention: %d, with the funder's forms?\n%s", a.status, a.text())
		}
		for path, form := range map[string]url.Values{
			"/signatures":      {"sign_funder": {fmt.Sprint(f.Dept.ID)}, "signed_on": {"2027-03-14"}},
			"/avenants":        {"addendum_reason": {"Plus"}, "add_funder_1": {fmt.Sprint(f.Dept.ID)}, "add_year_1": {"2027"}, "add_amount_1": {"40 000"}},
			"/appels-de-fonds": {"call_funder": {fmt.Sprint(f.State.ID)}, "call_year": {"2027"}, "call_amount": {"1 000"}, "call_due_on": {"2027-06-30"}},
		} {
			if a := s.post(deptAdmin, cpage+path, form); a.status != http.StatusForbidden {
				t.Errorf("the applicant's admin on %s: %d, want 403", path, a.status)
			}
		}
		if a := s.post(deptAdmin, page+"/convention", url.Values{"starts_on": {"2027-04-01"}, "ends_on": {"2028-12-31"}}); a.status != http.StatusForbidden {
			t.Errorf("the applicant's admin establishes a convention: %d, want 403", a.status)
		}

		// The operator cannot create the programme of an unsigned convention.
		opPage := fmt.Sprintf("/operateur/conventions/%d", conv.ID)
		if a := s.get(op, opPage); a.status != http.StatusOK || !strings.Contains(a.text(), "Le programme se crée quand toutes les parties ont signé.") {
			t.Fatalf("operator's convention page: %d %s", a.status, a.text())
		}
		for _, p := range []int64{f.State.ID, f.Dept.ID} {
			if a := s.post(state, cpage+"/signatures", url.Values{"sign_funder": {fmt.Sprint(p)}, "signed_on": {"2027-03-14"}}); a.status != http.StatusSeeOther {
				t.Fatalf("signature of %d: %d %s", p, a.status, a.text())
			}
		}
		if a := s.get(op, "/operateur/conventions"); a.status != http.StatusOK || !strings.Contains(a.text(), "Plan 35") {
			t.Fatalf("operator's conventions: %d %s", a.status, a.text())
		}
		a = s.post(op, opPage+"/programme", url.Values{"prog_name": {"Pass 35"}, "prog_face_value": {"10"}, "prog_carnet_size": {"10"}, "prog_fee": {"4"},
			"prog_tolerance_days": {"31"}, "prog_valid_from": {"2027-04-01"}, "prog_valid_until": {"2028-12-31"}})
		if a.status != http.StatusBadRequest || !strings.Contains(a.text(), "Cochez au moins un type de service financé.") {
			t.Fatalf("programme without services: %d %s", a.status, a.text())
		}
		a = s.post(op, opPage+"/programme", url.Values{"prog_name": {"Pass 35"}, "prog_face_value": {"10"}, "prog_carnet_size": {"10"}, "prog_fee": {"4"},
			"prog_tolerance_days": {"31"}, "prog_valid_from": {"2027-04-01"}, "prog_valid_until": {"2028-12-31"}, "services": passnum.ServiceCategories[:2]})
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/operateur/programmes/") {
			t.Fatalf("programme: %d %s", a.status, a.text())
		}
		if after, _ = st.FindConvention(stateCtx, conv.ID); len(after.Programmes) != 1 {
			t.Fatalf("programmes of the convention: %v", after.Programmes)
		}
		prog, err := st.FindProgramme(opCtx, after.Programmes[0])
		if err != nil || len(prog.Funders) != 2 || prog.Funders[0].ShareBP != 5000 {
			t.Fatalf("programme from the convention: %+v (%v)", prog, err)
		}

		// The foundation joins by an addendum, then calls for funds.
		a = s.post(state, cpage+"/avenants", url.Values{"addendum_reason": {"La fondation rejoint la convention."},
			"add_other_1": {fmt.Sprint(foundation.ID)}, "add_year_1": {"2028"}, "add_amount_1": {"10 000"}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("addendum: %d %s", a.status, a.text())
		}
		a = s.post(state, cpage+"/appels-de-fonds", url.Values{"call_funder": {fmt.Sprint(f.Dept.ID)}, "call_year": {"2027"}, "call_amount": {"15 000"}, "call_due_on": {"2027-03-01"}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "demandés à Département d'Ille-et-Vilaine pour 2027") {
			t.Fatalf("call for funds: %d %s %q", a.status, a.text(), a.flash())
		}
		a = s.get(state, cpage)
		says(t, "convention page", a.text(), []string{"Fondation du numérique, 2028 : 0,00 € → 10 000,00 €", "en retard", "(échu)", "Appeler les fonds", "Enregistrer l'avenant",
			"Enregistrer une signature"}, nil)
		if money, _ = st.MoneyIn(stateCtx, conv.ID); len(money.Calls) != 1 || money.Calls[0].AmountCents != 15_000_00 {
			t.Fatalf("calls for funds: %+v", money.Calls)
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}
