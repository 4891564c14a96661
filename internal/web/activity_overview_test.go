package web

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestActivityOverview: the operator reads the advisers' activity of every
// venue or of a territory it types; a hub reads its territory's, and
// nothing before the operator sets it; a funder may not open the page. The
// CSV lists the reports of the page, without what names people.
func TestActivityOverview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		op := s.as(passnum.KindOperator, passnum.RoleAgent)
		hub := s.as(passnum.KindHub, passnum.RoleAgent)
		// Rennes (35238) and Brest (29019) are in Bretagne, Lyon (69123)
		// is not.
		for _, w := range []struct {
			venue        *passnum.Organisation
			date         string
			participants int
			theme        string
		}{
			{f.Venue, "2027-02-01", 1, "Courriels"},
			{f.Venue, "2027-03-02", 6, "Démarches en ligne"},
			{f.Venue2, "2027-03-05", 4, "Bureautique"},
			{f.Outside, "2027-03-10", 1, "Courriels"},
		} {
			format := passnum.FormatCollective
			if w.participants == 1 {
				format = passnum.FormatIndividual
			}
			if _, err := env.Store.CreateActivityReport(storetest.VenueCtx(w.venue), passnum.ActivityReport{Format: format, Date: w.date,
				DurationMinutes: 90, Themes: []string{w.theme}, PlaceKind: "lieu", Participants: w.participants,
				Notes: "Mme Durand, voisine de M. Martin"}); err != nil {
				t.Fatal(err)
			}
		}
		rennes, brest, lyon := f.Venue.Name, f.Venue2.Name, f.Outside.Name

		// A hub without a territory reads nothing, and says why.
		a := s.get(hub, "/financeur/activite")
		if a.status != http.StatusOK || !strings.Contains(a.text(), "Votre territoire n'est pas encore défini") || strings.Contains(a.text(), rennes) {
			t.Fatalf("hub without a territory: %d\n%.800s", a.status, a.text())
		}
		if _, err := env.Store.SetTerritory(storetest.As(f.Operator), s.hub.ID, []string{"departement:35"}); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name    string
			p       *person
			path    string
			status  int
			has     []string
			hasNot  []string
			exports string // the address of the CSV on the page
		}{
			{"the operator, every venue", op, "/operateur/activite", http.StatusOK,
				[]string{"Comptes rendus 4", "Participants 12", "Temps d'accompagnement 6 h", rennes, brest, lyon, "Courriels 2", "Par lieu", "3 lieux"},
				nil, "/operateur/activite/export.csv?au=2027-03-15&du=2027-01-01"},
			{"the operator, a région", op, "/operateur/activite?territoire=region:53", http.StatusOK,
				[]string{"Comptes rendus 3", "Participants 11", "région Bretagne", rennes, brest}, []string{lyon},
				"/operateur/activite/export.csv?au=2027-03-15&du=2027-01-01&territoire=region%3A53"},
			{"the operator, a period and a commune", op, "/operateur/activite?du=2027-03-01&au=2027-03-31&territoire=commune:35238", http.StatusOK,
				[]string{"Comptes rendus 1", "Participants 6", rennes}, []string{brest, lyon}, ""},
			{"the operator, nowhere", op, "/operateur/activite?territoire=departement:2A", http.StatusOK,
				[]string{"Aucun compte rendu sur cette période dans ce territoire"}, []string{rennes}, ""},
			{"the operator, a mistyped territory", op, "/operateur/activite?territoire=canton:3501", http.StatusBadRequest,
				[]string{"Zone invalide", `id="territoire-error"`, `value="canton:3501"`}, []string{rennes}, ""},
			{"a hub", hub, "/financeur/activite", http.StatusOK,
				[]string{"Votre territoire : Ille-et-Vilaine (35)", "Comptes rendus 2", "Participants 7", "1 individuel, 1 collectif", rennes},
				[]string{brest, lyon, `name="territoire"`}, "/financeur/activite/export.csv?au=2027-03-15&du=2027-01-01"},
			{"a hub asking for another territory", hub, "/financeur/activite?territoire=region:84", http.StatusOK,
				[]string{rennes}, []string{lyon}, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				a := s.get(tc.p, tc.path)
				text := a.text() + a.body
				if a.status != tc.status {
					t.Fatalf("%d, want %d\n%.800s", a.status, tc.status, a.text())
				}
				for _, want := range tc.has {
					if !strings.Contains(text, want) {
						t.Errorf("missing %q\n%.1500s", want, a.text())
					}
				}
				for _, unwanted := range tc.hasNot {
					if strings.Contains(text, unwanted) {
						t.Errorf("shows %q\n%.1500s", unwanted, a.text())
					}
				}
				if tc.exports != "" && !strings.Contains(a.body, `href="`+strings.ReplaceAll(tc.exports, "&", "&amp;")+`"`) {
					t.Errorf("no link to %s", tc.exports)
				}
				if !strings.Contains(a.body, `aria-current="page">Activité des conseillers`) {
					t.Errorf("the menu does not show the page as current")
				}
			})
		}

		// The CSV: the hub's territory, one line per report, without the
		// notes (which may name people).
		a = s.get(hub, "/financeur/activite/export.csv")
		if a.status != http.StatusOK || !strings.HasPrefix(a.body, "\ufeffstructure_numero;structure;numero;date;") ||
			!strings.Contains(a.header.Get("Content-Disposition"), `activite-conseillers-2027-01-01-2027-03-15.csv`) || strings.Contains(a.body, "Durand") {
			t.Fatalf("hub's CSV: %d %v\n%s", a.status, a.header, a.body)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(a.body, "\ufeff")))
		r.Comma = ';'
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[1][1] != rennes || rows[1][3] != "2027-03-02" || rows[1][9] != "6" || rows[2][3] != "2027-02-01" {
			t.Errorf("hub's CSV rows: %q", rows)
		}
		a = s.get(op, "/operateur/activite/export.csv?du=2027-03-01&territoire=region:53")
		if a.status != http.StatusOK || strings.Count(a.body, "\r\n") != 3 || strings.Contains(a.body, lyon) {
			t.Errorf("operator's CSV: %d\n%s", a.status, a.body)
		}
		if a := s.get(op, "/operateur/activite/export.csv?territoire=canton:3501"); a.status != http.StatusBadRequest {
			t.Errorf("CSV of a mistyped territory: %d", a.status)
		}

		// A funder reads its programmes, not the venues' reports.
		funder := s.as(passnum.KindFunder, passnum.RoleAdmin)
		for _, path := range []string{"/financeur/activite", "/financeur/activite/export.csv"} {
			if a := s.get(funder, path); a.status != http.StatusForbidden || !strings.Contains(a.body, routeReserved) {
				t.Errorf("funder %s: %d", path, a.status)
			}
		}
		if a := s.get(funder, "/financeur"); strings.Contains(a.body, "/financeur/activite") {
			t.Errorf("the funder's menu offers the advisers' activity")
		}
	})
}
