package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestHubReadsProgrammesOfItsTerritory: a hub reads a programme, its
// figures, its payment orders and its batches when the programme's
// territory concerns its own (the fixture's is Bretagne); a hub elsewhere,
// or without a territory, finds none of them, as if they did not exist.
func TestHubReadsProgrammesOfItsTerritory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2})
		a := newAPI(t, env)
		if _, err := env.Store.RecordFunds(storetest.As(f.Operator), passnum.FundsCreate{ProgrammeID: f.Programme.ID, FunderID: f.State.ID,
			Reference: "OP-CONFIDENTIEL", AmountCents: 100, ReceivedOn: "2027-03-01"}); err != nil {
			t.Fatal(err)
		}
		// A second programme, in Auvergne-Rhône-Alpes.
		lyon, err := env.Store.CreateProgramme(storetest.As(f.Operator), passnum.ProgrammeCreate{Name: "Pass numérique Rhône", BudgetCents: 100_000,
			ValidFrom: "2027-01-01", ValidUntil: "2027-12-31", Territory: []string{"departement:69"},
			Services: []string{"Aide aux démarches administratives"}, Funders: []passnum.FunderShare{{FunderID: f.State.ID, ShareBP: 10000}}})
		if err != nil {
			t.Fatal(err)
		}
		noTerritory, err := env.Store.CreateOrganisation(storetest.As(f.Operator), passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub sans territoire"})
		if err != nil {
			t.Fatal(err)
		}
		bretagne := f.Programme.ID
		for _, tc := range []struct {
			name string
			hub  int64
			sees []int64
		}{
			{"a hub of a département of the programme's région", hubOf(t, a, "departement:35"), []int64{bretagne}},
			{"a hub of the région", hubOf(t, a, "region:53"), []int64{bretagne}},
			{"a hub of a commune", hubOf(t, a, "commune:29019"), []int64{bretagne}},
			{"a hub of both", hubOf(t, a, "commune:35238", "commune:69123"), []int64{bretagne, lyon.ID}},
			{"a hub of Lyon", hubOf(t, a, "commune:69123"), []int64{lyon.ID}},
			{"a hub elsewhere", hubOf(t, a, "departement:13"), nil},
			{"a hub without a territory", noTerritory.ID, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, role := range []passnum.Role{passnum.RoleAdmin, passnum.RoleAgent} {
					tok := a.token(tc.hub, role)
					var list page[passnum.Programme]
					a.do(tok, "GET", "/api/v1/programmes", nil).ok(http.StatusOK, &list)
					var got []int64
					for _, p := range list.Items {
						got = append(got, p.ID)
					}
					if fmt.Sprint(got) != fmt.Sprint(tc.sees) || list.Total != len(tc.sees) {
						t.Errorf("%s lists %v (total %d), want %v", role, got, list.Total, tc.sees)
					}
					for _, id := range []int64{bretagne, lyon.ID} {
						sees := false
						for _, s := range tc.sees {
							sees = sees || s == id
						}
						for _, sub := range []string{"", "/stats", "/funds", "/batches"} {
							path := fmt.Sprintf("/api/v1/programmes/%d%s", id, sub)
							res := a.do(tok, "GET", path, nil)
							if sees {
								res.ok(http.StatusOK, nil)
							} else {
								res.problem(http.StatusNotFound, "not-found")
							}
						}
					}
				}
			})
		}
	})
}
