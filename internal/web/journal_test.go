package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestJournalOfConsultations: the operator's staff say why they open a
// person's record; the administrators find the reading, with its reason,
// in the journal of consultations, filter it and download it, and the
// download is in the journal in its turn.
func TestJournalOfConsultations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		c, err := env.Store.FindCarnet(storetest.As(s.f.Operator), s.f.Batch.FirstCarnet)
		if err != nil {
			t.Fatal(err)
		}
		ref := c.BeneficiaryRef
		agent, admin := s.as(passnum.KindOperator, passnum.RoleAgent), s.as(passnum.KindOperator, passnum.RoleAdmin)

		// Without a reason, the page asks for one and shows nothing of
		// the person.
		a := s.get(agent, "/operateur/beneficiaires/"+ref)
		if a.status != http.StatusOK || !strings.Contains(a.text(), "Motif de la consultation") || strings.Contains(a.text(), "Consentement") {
			t.Fatalf("without a reason: %d\n%.600s", a.status, a.text())
		}
		a = s.get(agent, "/operateur/beneficiaires/"+ref+"?motif="+url.QueryEscape("Appel de la personne le 15 mars"))
		if a.status != http.StatusOK || !strings.Contains(a.text(), "Consentement") {
			t.Fatalf("with a reason: %d\n%.600s", a.status, a.text())
		}

		// The agent does not read the journal; the admin does.
		if a := s.get(agent, "/operateur/journal-consultations"); a.status != http.StatusForbidden {
			t.Fatalf("agent: %d", a.status)
		}
		a = s.get(admin, "/operateur/journal-consultations")
		text := a.text()
		if a.status != http.StatusOK || !strings.Contains(text, "Appel de la personne le 15 mars") || !strings.Contains(text, "Camille operator") ||
			!strings.Contains(text, ref) || !strings.Contains(text, "Année de naissance") {
			t.Fatalf("journal: %d\n%.1500s", a.status, text)
		}
		for _, tc := range []struct {
			query string
			found bool
		}{
			{"personne=" + url.QueryEscape(agent.email), true},
			{"personne=" + url.QueryEscape(admin.email), false},
			{"dossier=" + ref, true},
			{"dossier=B-0000-0000", false},
			{"du=2027-03-15&au=2027-03-15", true},
			{"au=2027-03-14", false},
		} {
			a := s.get(admin, "/operateur/journal-consultations?"+tc.query)
			if found := strings.Contains(a.text(), "Appel de la personne le 15 mars"); a.status != http.StatusOK || found != tc.found {
				t.Errorf("%s: %d, found %v, want %v", tc.query, a.status, found, tc.found)
			}
		}
		for _, query := range []string{"du=15/03/2027", "personne=inconnu%40example.fr"} {
			if a := s.get(admin, "/operateur/journal-consultations?"+query); a.status != http.StatusBadRequest || !strings.Contains(a.body, `aria-invalid="true"`) {
				t.Errorf("%s: %d, want the form again with its error", query, a.status)
			}
		}

		// The download: ';', UTF-8 with its mark; journaled in its turn.
		a = s.get(admin, "/operateur/journal-consultations/export.csv?dossier="+ref)
		if a.status != http.StatusOK || !strings.HasPrefix(a.body, "\ufeff") || !strings.HasPrefix(a.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("export: %d %q", a.status, a.header.Get("Content-Type"))
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(a.body, "\ufeff")))
		r.Comma = ';'
		rows, err := r.ReadAll()
		if err != nil || len(rows) != 2 || rows[0][0] != "numero" || rows[1][2] != "Camille operator" || rows[1][10] != "Appel de la personne le 15 mars" ||
			rows[1][8] != "beneficiary:"+ref {
			t.Fatalf("export rows %q, %v", rows, err)
		}
		list, _, err := env.Store.ListPersonalReads(storetest.As(s.f.Operator), passnum.PersonalReadFilter{Limit: 1})
		if err != nil || len(list) != 1 || list[0].What != passnum.ReadExport || list[0].Export != "journal-consultations.csv" ||
			list[0].Records[0] != "personal-read:"+rows[1][0] {
			t.Fatalf("the export's own entry: %+v %v", list, err)
		}
	})
}
