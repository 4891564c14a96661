package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestTerritoryConventions reads the conventions of a territory as the
// operator, the call's funder and a hub (whose territory holds it or
// not), filters them by area, with a bad area answered beside the list,
// and downloads them as CSV (';', byte order mark) and XLSX.
func TestTerritoryConventions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f, st := s.f, env.Store
		stateCtx := storetest.As(storetest.Actor(f.State, passnum.RoleAdmin))
		deptCtx := storetest.As(storetest.Actor(f.Dept, passnum.RoleAdmin))
		call, err := st.CreateCall(stateCtx, passnum.CallCreate{Title: "AAP Bretagne", EnvelopeCents: 100_000_00,
			ApplicantKinds: []passnum.ApplicantKind{passnum.ApplicantDepartement}, OpensOn: "2027-03-01", ClosesOn: "2027-04-30"})
		if err != nil {
			t.Fatal(err)
		}
		app, err := st.SaveApplication(deptCtx, passnum.ApplicationInput{CallID: call.ID, ApplicantKind: passnum.ApplicantDepartement, Title: "Plan 35",
			Territory: []string{"departement:35"}, Targets: passnum.ActionTargets{People: 10, Passes: 100},
			Lines: []passnum.FundingLine{{FunderID: f.State.ID, Year: 2027, AmountCents: 30_000_00}, {FunderID: f.Dept.ID, Year: 2027, AmountCents: 30_000_00}}})
		if err == nil {
			_, err = st.SubmitApplication(deptCtx, app.ID)
		}
		if err == nil {
			_, err = st.DecideApplication(stateCtx, app.ID, passnum.Decision{Selected: true, Reason: "Plan complet."})
		}
		if err != nil {
			t.Fatal(err)
		}
		conv, err := st.CreateConvention(stateCtx, passnum.ConventionCreate{ApplicationID: app.ID, StartsOn: "2027-04-01", EndsOn: "2028-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CallForFunds(stateCtx, conv.ID, passnum.FundCallCreate{FunderID: f.Dept.ID, Year: 2027, AmountCents: 10_000_00, DueOn: "2027-04-01"}); err != nil {
			t.Fatal(err)
		}
		op, state, hub := s.as(passnum.KindOperator, passnum.RoleAgent), s.as(passnum.KindFunder, passnum.RoleAgent), s.as(passnum.KindHub, passnum.RoleAgent)
		sees := []string{"Ille-et-Vilaine (35)", "Plan 35", "60 000,00 €", "10 000,00 €", "signature en attente"}
		cases := []struct {
			name    string
			who     *person
			path    string
			status  int
			want    []string
			wantNot []string
		}{
			{"operator", op, "/operateur/conventions/territoires", http.StatusOK, append(sees, "Bretagne", "Argent des conventions"), nil},
			{"operator, Bretagne", op, "/operateur/conventions/territoires?territoire=region:53", http.StatusOK, sees, nil},
			{"operator, Finistère", op, "/operateur/conventions/territoires?territoire=departement:29", http.StatusOK, []string{"Aucune convention dans ce territoire"}, []string{"Plan 35"}},
			{"operator, a commune", op, "/operateur/conventions/territoires?territoire=commune:35238", http.StatusBadRequest, append(sees, "Territoire inconnu"), nil},
			{"the call's funder", state, "/financeur/conventions", http.StatusOK, sees, nil},
			{"a hub without territory", hub, "/financeur/conventions", http.StatusOK, []string{"Aucune convention"}, []string{"Plan 35"}},
		}
		for _, tc := range cases {
			a := s.get(tc.who, tc.path)
			if a.status != tc.status {
				t.Fatalf("%s: %d %s", tc.name, a.status, a.text())
			}
			says(t, tc.name, a.text(), tc.want, tc.wantNot)
		}
		// The error is on its field; a funder has a page for each convention.
		if a := s.get(op, "/operateur/conventions/territoires?territoire=commune:35238"); !strings.Contains(a.body, `aria-describedby="territoire-error" aria-invalid="true"`) {
			t.Fatalf("the bad area is not on its field: %s", a.body)
		}
		for who, link := range map[*person]string{state: "/financeur/conventions/", op: "/operateur/conventions/"} {
			if a := s.get(who, conventionsPageOf(who == op)); !strings.Contains(a.body, fmt.Sprintf(`href="%s%d"`, link, conv.ID)) {
				t.Fatalf("no link to the convention: %s", a.body)
			}
		}
		if _, err := st.SetTerritory(storetest.As(f.Operator), s.hub.ID, []string{"region:53"}); err != nil {
			t.Fatal(err)
		}
		if a := s.get(hub, "/financeur/conventions"); a.status != http.StatusOK || !strings.Contains(a.text(), "Plan 35") || strings.Contains(a.text(), `href="/financeur/conventions/`) {
			t.Fatalf("a hub of Bretagne: %d %s", a.status, a.text())
		}

		a := s.get(state, "/financeur/conventions/export.csv?territoire=departement:35")
		lines := strings.Split(strings.TrimSpace(a.body), "\n")
		if a.status != http.StatusOK || !strings.HasPrefix(a.body, "\ufeffTerritoire;Convention;") || len(lines) != 4 ||
			!strings.Contains(a.header.Get("Content-Disposition"), "conventions-departement-35.csv") {
			t.Fatalf("CSV: %d %q", a.status, a.body)
		}
		if !strings.HasSuffix(strings.TrimSpace(lines[3]), ";60000,00;10000,00;0,00;0;0;0;0") || !strings.HasPrefix(lines[3], "Total;1 convention;") {
			t.Fatalf("CSV total: %q", lines[3])
		}
		if a := s.get(state, "/financeur/conventions/export.csv?territoire=nulle-part"); a.status != http.StatusBadRequest {
			t.Fatalf("CSV of a bad area: %d", a.status)
		}
		// The territorial report has its page on conventions, for each
		// reader of the conventions.
		if _, err := st.RefreshIndicators(storetest.As(f.Operator), nil); err != nil {
			t.Fatal(err)
		}
		for _, who := range []*person{op, state, hub} {
			path := "/financeur/indicateurs/rapport.pdf"
			if who == op {
				path = "/operateur/indicateurs/rapport.pdf"
			}
			if a := s.get(who, path); a.status != http.StatusOK || !strings.HasPrefix(a.body, "%PDF") {
				t.Fatalf("territorial report: %d %s", a.status, a.text())
			}
		}
		// Open data: the signed convention's public amounts, for anyone,
		// with the organisations' names and no person's.
		for _, party := range []int64{f.State.ID, f.Dept.ID} {
			if _, err := st.SignConvention(stateCtx, conv.ID, passnum.Signature{FunderID: party, SignedOn: "2027-03-14"}); err != nil {
				t.Fatal(err)
			}
		}
		if a := s.get(anonymous, "/donnees-ouvertes"); !strings.Contains(a.body, `href="/donnees-ouvertes/conventions.csv"`) || !strings.Contains(a.body, `href="/donnees-ouvertes/conventions.json"`) {
			t.Fatalf("the open data page has no link to the conventions: %s", a.text())
		}
		for _, file := range []string{"conventions.csv", "conventions.json"} {
			a := s.get(anonymous, "/donnees-ouvertes/"+file)
			if a.status != http.StatusOK || !strings.Contains(a.body, f.Dept.Name) || !strings.Contains(a.body, "3000000") {
				t.Fatalf("%s: %d %s", file, a.status, a.body)
			}
			for _, personal := range []string{"Camille", "@"} {
				if strings.Contains(a.body, personal) {
					t.Fatalf("%s holds %q: %s", file, personal, a.body)
				}
			}
		}
		if a := s.get(op, "/operateur/conventions/territoires/export.xlsx"); a.status != http.StatusOK || !strings.HasPrefix(a.body, "PK") {
			t.Fatalf("XLSX: %d", a.status)
		}
	})
}

func conventionsPageOf(operator bool) string {
	if operator {
		return "/operateur/conventions/territoires"
	}
	return "/financeur/conventions"
}
