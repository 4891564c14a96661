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

// TestTypedAmounts: the forms read amounts by the domain's one rule, as
// the command line does: "1.234" is refused as ambiguous, saying how to
// write it, instead of being read as 1 234 €; "1 234,50" is read.
func TestTypedAmounts(t *testing.T) {
	s := newSite(t, storetest.OpenSQLite(t), Options{})
	op := s.as(passnum.KindOperator, passnum.RoleAdmin)
	form := url.Values{"name": {"Pass numérique Finistère"}, "funder_1": {fmt.Sprint(s.f.State.ID)}, "share_1": {"50"},
		"funder_2": {fmt.Sprint(s.f.Dept.ID)}, "share_2": {"50,0"}, "budget": {"1.234"}, "face_value": {"10"}, "carnet_size": {"10"},
		"tolerance_days": {"31"}, "fee": {"4"}, "valid_from": {"2027-01-01"}, "valid_until": {"2027-12-31"}, "territory_departements": {"29"},
		"services": {"Aide aux démarches administratives"}}
	a := s.post(op, "/operateur/programmes", form)
	if a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="budget-error"`) ||
		!strings.Contains(a.text(), "Indiquez le budget financé en euros, par exemple 50 000. « 1.234 » est ambigu : écrivez 1234 ou 1 234 pour des milliers d'euros") {
		t.Fatalf("budget 1.234: %d\n%.800s", a.status, a.text())
	}
	form.Set("budget", "1 234,50")
	form.Set("fee", "4,5 %")
	if a := s.post(op, "/operateur/programmes", form); a.status != http.StatusSeeOther {
		t.Fatalf("budget 1 234,50: %d\n%.800s", a.status, a.text())
	}
	p, err := s.env.Store.FindProgramme(storetest.As(s.f.Operator), 2)
	if err != nil || p.BudgetCents != 123450 || p.FeeBP != 450 || p.Funders[1].ShareBP != 5000 {
		t.Fatalf("programme %+v %v", p, err)
	}
	for typed, want := range map[string]string{
		"-0,50": "Montant négatif",
		"":      "Indiquez le montant reçu en euros",
		",50":   "Montant illisible",
	} {
		a := s.post(op, "/operateur/programmes/2/fonds", url.Values{"funds_funder": {fmt.Sprint(s.f.State.ID)}, "funds_amount": {typed},
			"funds_reference": {"OP-1"}, "funds_received_on": {"2027-01-02"}})
		if a.status != http.StatusBadRequest || !strings.Contains(a.text(), want) {
			t.Errorf("funds %q: %d, want %q\n%.600s", typed, a.status, want, a.text())
		}
	}
}

// TestDirectoryQueryOnPage: the search page reads its query by the
// domain's rule, as the API does; a refusal is shown on the form field it
// concerns, with the domain's message.
func TestDirectoryQueryOnPage(t *testing.T) {
	s := newSite(t, storetest.OpenSQLite(t), Options{})
	for query, want := range map[string]string{
		"lat=95&lon=2":                  `id="commune-error"`,
		"lat=48.1":                      `id="commune-error"`,
		"service=Tricot":                `id="service-error"`,
		"prise_en_charge=Piano":         `id="prise_en_charge-error"`,
		"q=" + strings.Repeat("a", 201): `id="q-error"`,
	} {
		if a := s.get(nil, "/annuaire?"+query); a.status != http.StatusBadRequest || !strings.Contains(a.body, want) {
			t.Errorf("%s: %d, want %s\n%.600s", query, a.status, want, a.text())
		}
	}
	if a := s.get(nil, "/annuaire?lat=48.1&lon=-1.67&rayon=5"); a.status != http.StatusOK || !strings.Contains(a.text(), "autour de votre position") {
		t.Errorf("around a position: %d\n%.600s", a.status, a.text())
	}
}
