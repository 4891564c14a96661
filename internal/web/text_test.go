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

// TestFormsRefuseControlCharacters posts hostile text in forms of every
// space: 422, a French message naming the field, nothing stored. A line
// break or a tab in a one-line field is the service's rule, shown on the
// form itself.
func TestFormsRefuseControlCharacters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		venue := s.as(passnum.KindVenue, passnum.RoleAdmin)
		ctx := storetest.As(s.f.Operator)
		hostile := map[string]string{
			"NUL": "Le Grand\x00Clic", "BEL": "Le Grand Clic\a", "U+202E": "Facture \u202egdp.exe",
			"C1": "Le Grand\u0085Clic", "invalid UTF-8": "Le Grand Cl\xefc", "U+FFFD": "Le Grand Cl\ufffdc",
		}
		forms := []struct {
			who   *person
			path  string
			form  url.Values
			field string // the field that gets the hostile text
		}{
			{op, "/operateur/organisations", url.Values{"kind": {"funder"}}, "name"},
			{venue, "/lieu/catalogue", url.Values{"title": {"Atelier"}, "category": {"Maîtrise des outils numériques du quotidien"},
				"duration_minutes": {"60"}, "price_passes": {"1"}}, "description"},
			{venue, "/lieu/comptes-rendus", url.Values{"format": {passnum.FormatIndividual}, "date": {"2027-03-14"}, "duration_minutes": {"60"},
				"themes": {"Démarches en ligne"}, "place_kind": {"lieu"}, "participants": {"1"}, "passes_used": {"0"}}, "notes"},
			{anonymous, "/candidature", application(1), "nom"},
			{op, fmt.Sprintf("/operateur/lieux/%d/decision", s.f.Venue.ID), url.Values{"status": {"suspended"}}, "reason"},
		}
		state := func() string {
			_, orgs, err1 := env.Store.ListOrganisations(ctx, passnum.OrganisationFilter{Limit: 1})
			services, err2 := env.Store.ListCatalogueServices(ctx, s.f.Venue.ID)
			_, reports, _, err3 := env.Store.ListActivityReports(storetest.VenueCtx(s.f.Venue), passnum.ActivityFilter{})
			org, err4 := env.Store.FindOrganisation(ctx, s.f.Venue.ID)
			for _, err := range []error{err1, err2, err3, err4} {
				if err != nil {
					t.Fatal(err)
				}
			}
			return fmt.Sprintf("%d %d %d %s", orgs, len(services), reports, org.Qualification)
		}
		for _, f := range forms {
			for name, text := range hostile {
				form := cloneValues(f.form)
				form.Set(f.field, text)
				before := state()
				a := s.post(f.who, f.path, form)
				if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.text(), "« "+f.field+" » contient un caractère refusé") {
					t.Errorf("%s with %s in %s: %d %.300s", f.path, name, f.field, a.status, a.text())
				}
				if after := state(); after != before {
					t.Errorf("%s with %s stored something: %s, then %s", f.path, name, before, after)
				}
			}
		}

		// In a one-line field, a line break or a tab: the service refuses
		// it, and the form says so on the field.
		for _, text := range []string{"Le Grand\nClic", "Le Grand\tClic"} {
			before := state()
			a := s.post(op, "/operateur/organisations", url.Values{"kind": {"funder"}, "name": {text}})
			if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, `aria-invalid="true"`) ||
				!strings.Contains(a.text(), "Ce champ") {
				t.Errorf("name %q: %d %.300s", text, a.status, a.text())
			}
			if after := state(); after != before {
				t.Errorf("name %q stored something: %s, then %s", text, before, after)
			}
		}

		// A text area's CRLF is stored as LF.
		a := s.post(op, fmt.Sprintf("/operateur/lieux/%d/decision", s.f.Venue.ID),
			url.Values{"status": {"suspended"}, "reason": {"Contrôle :\r\nrelevés à vérifier."}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("qualification: %d %.300s", a.status, a.text())
		}
		file, err := env.Store.FindVenueFile(ctx, s.f.Venue.ID)
		if err != nil || file.History[len(file.History)-1].Reason != "Contrôle :\nrelevés à vérifier." {
			t.Errorf("history: %+v %v", file.History, err)
		}
	})
}
