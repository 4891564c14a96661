package web

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestActivityExportAsTheServiceAnswers: the territorial CSV writes what
// the service answered. The operator's has the notes and the references
// of the people linked; a hub's has the same columns, empty, and the
// number of people linked.
func TestActivityExportAsTheServiceAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		ref := beneficiaryRef(t, s, 1)
		const notes = "Mme Durand, 82 ans, ne sait pas lire."
		if _, err := env.Store.CreateActivityReport(storetest.VenueCtx(s.f.Venue), passnum.ActivityReport{Format: passnum.FormatCollective, Date: "2027-03-02",
			DurationMinutes: 90, Themes: []string{"Santé en ligne"}, PlaceKind: "domicile", Participants: 3, BeneficiaryRefs: []string{ref}, Notes: notes}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Store.SetTerritory(storetest.As(s.f.Operator), s.hub.ID, []string{"departement:35"}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			p     *person
			path  string
			whole bool
		}{
			{"the operator", s.as(passnum.KindOperator, passnum.RoleAgent), "/operateur/activite/export.csv", true},
			{"a hub", s.as(passnum.KindHub, passnum.RoleAdmin), "/financeur/activite/export.csv", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := s.get(tc.p, tc.path)
				if a.status != http.StatusOK {
					t.Fatalf("%d\n%s", a.status, a.body)
				}
				r := csv.NewReader(strings.NewReader(strings.TrimPrefix(a.body, "\ufeff")))
				r.Comma = ';'
				rows, err := r.ReadAll()
				if err != nil || len(rows) != 2 {
					t.Fatalf("%q %v", rows, err)
				}
				col := func(name string) string {
					i := slices.Index(rows[0], name)
					if i < 0 {
						t.Fatalf("no column %s in %q", name, rows[0])
					}
					return rows[1][i]
				}
				if col("participants") != "3" || col("personnes_liees") != "1" || col("thematiques") != "Santé en ligne" {
					t.Errorf("what was done: %q", rows[1])
				}
				if got := col("notes") == notes && col("references_personnes") == ref; got != tc.whole {
					t.Errorf("notes and references: %v, want %v: %q", got, tc.whole, rows[1])
				}
				if !tc.whole && (strings.Contains(a.body, "Durand") || strings.Contains(a.body, ref)) {
					t.Errorf("the hub's CSV names the person:\n%s", a.body)
				}
			})
		}
	})
}
