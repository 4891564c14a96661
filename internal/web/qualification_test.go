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

// TestQualificationOnlyThroughTheWorkflow sends the operator's pages moves
// the workflow forbids: the organisation's page no longer takes a status
// (its form changed any status to any other), and the venue's file refuses
// them with the workflow's reason. The venue keeps its status.
func TestQualificationOnlyThroughTheWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		venue := s.f.Venue.ID
		status := func() passnum.Qualification {
			t.Helper()
			o, err := env.Store.FindOrganisation(storetest.As(s.f.Operator), venue)
			if err != nil {
				t.Fatal(err)
			}
			return o.Qualification
		}

		page := s.get(op, fmt.Sprintf("/operateur/organisations/%d", venue))
		if page.status != http.StatusOK || strings.Contains(page.body, "/qualification\"") || !strings.Contains(page.body, fmt.Sprintf(`href="/operateur/lieux/%d"`, venue)) {
			t.Fatalf("the organisation's page: %d, a status form or no link to the file\n%.2000s", page.status, page.text())
		}
		for _, to := range []passnum.Qualification{passnum.QualificationPending, passnum.QualificationRefused} {
			a := s.post(op, fmt.Sprintf("/operateur/organisations/%d/qualification", venue), url.Values{"qualification": {string(to)}, "reason": {"essai"}})
			if a.status == http.StatusSeeOther || status() != passnum.QualificationQualified {
				t.Fatalf("the organisation's page moved the venue to %s: %d, now %s", to, a.status, status())
			}
			a = s.post(op, fmt.Sprintf("/operateur/lieux/%d/decision", venue), url.Values{"status": {string(to)}, "reason": {"essai"}})
			if a.status != http.StatusConflict || status() != passnum.QualificationQualified {
				t.Fatalf("the file moved the venue to %s: %d, now %s\n%.1500s", to, a.status, status(), a.text())
			}
		}
	})
}
