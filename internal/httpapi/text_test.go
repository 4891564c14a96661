package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestControlCharactersRefused sends hostile text in every way JSON can
// carry it (escaped, raw, a lone surrogate that encoding/json would turn
// into U+FFFD, bytes that are not UTF-8) to endpoints that store text: 422
// control-character naming the field, and nothing stored.
func TestControlCharactersRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		a := newAPI(t, env)
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2})
		op := a.operatorToken()
		ctx := storetest.As(f.Operator)

		// hostile are JSON string literals, as sent.
		hostile := []struct{ name, literal string }{
			{"escaped NUL", `"Le Grand\u0000Clic"`},
			{"escaped BEL", `"Le Grand Clic\u0007"`},
			{"escaped right-to-left override", `"Facture \u202Egdp.exe"`},
			{"raw right-to-left override", "\"Facture \u202egdp.exe\""},
			{"raw C1 control", "\"Le Grand\u0085Clic\""},
			{"escaped line feed in a one-line field", `"Le Grand\nClic"`},
			{"lone surrogate", `"Le Grand Clic\ud800"`},
			{"bytes that are not UTF-8", "\"Le Grand Cl\xefc\""},
		}
		app, err := json.Marshal(application("78282932000079", "ines@vitre.example"))
		if err != nil {
			t.Fatal(err)
		}
		endpoints := []struct {
			method, path string
			body         string // %s is the hostile literal
			field        string
		}{
			{"POST", "/api/v1/organisations", `{"kind":"funder","name":%s}`, "name"},
			{"POST", "/api/v1/users", fmt.Sprintf(`{"email":"camille@example.org","name":%%s,"password":"Rivière-Tulipe-Marteau-48","org_id":%d,"role":"agent"}`, f.Venue.ID), "name"},
			{"POST", "/api/v1/tokens", fmt.Sprintf(`{"org_id":%d,"name":%%s,"role":"agent"}`, f.Venue.ID), "name"},
			{"POST", "/api/v1/programmes", fmt.Sprintf(`{"name":%%s,"funders":[{"funder_id":%d,"share_bp":10000}],"budget_cents":100000,"valid_from":"2027-01-01","valid_until":"2027-12-31","territory":["region:53"]}`, f.State.ID), "name"},
			{"POST", fmt.Sprintf("/api/v1/organisations/%d/qualification", f.Venue.ID), `{"status":"suspended","reason":%s}`, "reason"},
			{"POST", "/api/v1/services", fmt.Sprintf(`{"venue_id":%d,"title":%%s,"category":"Maîtrise des outils numériques du quotidien","duration_minutes":60,"price_passes":1}`, f.Venue.ID), "title"},
			{"PUT", "/api/v1/payer-account", `{"name":%s,"iban":"FR7630006000011234567890189","bic":"AGRIFRPP"}`, "name"},
			{"POST", "/api/v1/venue-applications", strings.Replace(string(app), `"Espace public numérique de Vitré"`, "%s", 1), "nom"},
		}
		state := func() string {
			t.Helper()
			_, orgs, err1 := env.Store.ListOrganisations(ctx, passnum.OrganisationFilter{Limit: 1})
			_, progs, err2 := env.Store.ListProgrammes(ctx, passnum.ProgrammeFilter{Limit: 1})
			tokens, err3 := env.Store.ListTokens(ctx, f.Venue.ID)
			services, err4 := env.Store.ListCatalogueServices(ctx, f.Venue.ID)
			file, err5 := env.Store.FindVenueFile(ctx, f.Venue.ID)
			members, err6 := env.Store.ListMembers(ctx, f.Venue.ID)
			payer, err7 := env.Store.PayerAccount(ctx)
			for _, err := range []error{err1, err2, err3, err4, err5, err6} {
				if err != nil {
					t.Fatal(err)
				}
			}
			return fmt.Sprintf("%d %d %d %d %d %d %v %v", orgs, progs, len(tokens), len(services), len(file.History), len(members), payer, err7)
		}
		for _, e := range endpoints {
			for _, h := range hostile {
				if strings.Contains(h.name, "line feed") && e.field == "reason" {
					continue // a multi-line field
				}
				before := state()
				p := a.do(op, e.method, e.path, fmt.Sprintf(e.body, h.literal)).problem(http.StatusUnprocessableEntity, passnum.ReasonControlCharacter)
				want := e.field
				if h.name == "bytes that are not UTF-8" {
					want = "" // refused before decoding: no field yet
				}
				if p.Field != want {
					t.Errorf("%s %s with %s: field %q, want %q (%s)", e.method, e.path, h.name, p.Field, want, p.Detail)
				}
				if after := state(); after != before {
					t.Errorf("%s %s with %s stored something: %s, then %s", e.method, e.path, h.name, before, after)
				}
			}
		}
		// A multi-line field keeps its line breaks; a one-line field its
		// accents, guillemets and right-to-left letters.
		a.do(op, "POST", fmt.Sprintf("/api/v1/organisations/%d/qualification", f.Venue.ID),
			`{"status":"suspended","reason":"Contrôle en cours :\r\nrelevés à vérifier.\tMerci."}`).ok(http.StatusOK, nil)
		a.do(op, "POST", "/api/v1/organisations", `{"kind":"funder","name":"Mairie « Saint-Étienne » — مكتبة"}`).ok(http.StatusCreated, nil)
		storetest.MustCheck(t, env, f.Operator)
	})
}
