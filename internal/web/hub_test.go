package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestHubProgrammesOfItsTerritory: the hub's "Programmes du territoire"
// are those whose territory concerns its own; the page of another
// programme is not found, as the API answers.
func TestHubProgrammesOfItsTerritory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		hub := s.as(passnum.KindHub, passnum.RoleAgent)
		programme := fmt.Sprintf("/financeur/programmes/%d", s.f.Programme.ID)
		for _, tc := range []struct {
			territory []string
			sees      bool
		}{
			{nil, false},
			{[]string{"departement:13"}, false},
			{[]string{"departement:35"}, true},
			{[]string{"departement:13", "commune:29019"}, true},
		} {
			if _, err := env.Store.SetTerritory(storetest.As(s.f.Operator), s.hub.ID, tc.territory); err != nil {
				t.Fatal(err)
			}
			home := s.get(hub, "/financeur")
			if home.status != http.StatusOK || strings.Contains(home.body, `href="`+programme+`"`) != tc.sees {
				t.Errorf("%v: the home page (%d) lists the programme: %v, want %v\n%.1000s", tc.territory, home.status, !tc.sees, tc.sees, home.text())
			}
			if tc.territory == nil && !strings.Contains(home.text(), "Votre territoire n'est pas encore défini") {
				t.Errorf("a hub without a territory is not told why it reads nothing:\n%.1000s", home.text())
			}
			want := http.StatusNotFound
			if tc.sees {
				want = http.StatusOK
			}
			if a := s.get(hub, programme); a.status != want || !tc.sees && strings.Contains(a.body, s.f.Programme.Name) {
				t.Errorf("%v: the programme's page: %d, want %d\n%.600s", tc.territory, a.status, want, a.text())
			}
		}
	})
}
