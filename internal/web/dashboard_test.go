package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// norm collapses spaces, the narrow no-break ones of French numbers
// included, as answer.text does.
func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

// useFixturePasses redeems passes of three carnets handed to people of
// Rennes: at the Rennes venue and at the Brest one.
func useFixturePasses(t *testing.T, s *site) {
	t.Helper()
	for i, use := range []struct {
		carnet, passes int
		venue          *passnum.Organisation
		service        *passnum.CatalogueService
	}{
		{0, 3, s.f.Venue, s.f.Service},
		{1, 5, s.f.Venue, s.f.Service},
		{2, 2, s.f.Venue2, s.f.Service2},
	} {
		serials := s.f.Serials(use.carnet)[:use.passes]
		if _, err := s.env.Store.Redeem(storetest.VenueCtx(use.venue), passnum.RedeemRequest{Codes: s.f.CodesOf(serials...),
			ServiceID: use.service.ID, IdempotencyKey: fmt.Sprintf("dashboard-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDashboard: each actor reads the figures of the snapshot on its
// page, in the scopes it may read only, and downloads them.
func TestDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		funder := s.as(passnum.KindFunder, passnum.RoleAgent) // the State
		hub := s.as(passnum.KindHub, passnum.RoleAgent)
		opCtx := storetest.As(s.f.Operator)
		useFixturePasses(t, s)

		// Before the first computation: a message, not an error page.
		for _, c := range []struct {
			p    *person
			path string
		}{{op, "/operateur/indicateurs"}, {funder, "/financeur/indicateurs"}, {hub, "/financeur/indicateurs"}} {
			a := s.get(c.p, c.path)
			if a.status != http.StatusOK || !strings.Contains(a.text(), "Les indicateurs n'ont pas encore été calculés") {
				t.Fatalf("%s before the first computation: %d\n%.500s", c.path, a.status, a.text())
			}
		}
		// A hub without territory is told who sets it.
		if a := s.get(hub, "/financeur/indicateurs"); !strings.Contains(a.text(), "pas encore défini") || !strings.Contains(a.text(), "opérateur") {
			t.Errorf("hub without territory:\n%.800s", a.text())
		}
		if a := s.get(op, "/operateur/indicateurs/export.csv"); a.status != http.StatusNotFound {
			t.Errorf("export before the first computation: %d", a.status)
		}

		// The operator sets the hub's territory; a bad area changes nothing.
		terr := fmt.Sprintf("/operateur/organisations/%d/territoire", s.hub.ID)
		if a := s.post(op, terr, url.Values{"territory": {"departement:35"}}); a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "Ille-et-Vilaine") {
			t.Fatalf("set territory: %d %q\n%.500s", a.status, a.flash(), a.text())
		}
		for _, bad := range []string{"departement:35 region:99", "bretagne", "commune:3523"} {
			a := s.post(op, terr, url.Values{"territory": {bad}})
			if a.status != http.StatusBadRequest || !strings.Contains(a.text(), "Zone invalide") || !strings.Contains(a.body, `aria-invalid="true"`) {
				t.Errorf("territory %q: %d\n%.800s", bad, a.status, a.text())
			}
			o, err := env.Store.FindOrganisation(opCtx, s.hub.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(o.Territory, []string{"departement:35"}) {
				t.Fatalf("territory %q refused, yet the territory is now %v", bad, o.Territory)
			}
		}
		if a := s.post(s.as(passnum.KindOperator, passnum.RoleAgent), terr, url.Values{"territory": {"region:53"}}); a.status != http.StatusForbidden {
			t.Errorf("territory by an operator agent: %d", a.status)
		}

		// One of the six people handed a carnet was booked into a
		// workshop on the spot.
		w, err := env.Store.CreateSession(storetest.VenueCtx(s.f.Venue), passnum.SessionCreate{ServiceID: s.f.Service.ID,
			StartsAt: storetest.Start.Add(48 * time.Hour), Capacity: 5})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Store.BookAtHandOut(storetest.As(storetest.Actor(s.f.Prescriber, passnum.RoleAgent)),
			passnum.BookingRequest{Carnet: s.f.Batch.FirstCarnet + 5, SessionID: w.ID}); err != nil {
			t.Fatal(err)
		}

		// The button computes the indicators as a job with a progress
		// bar, whose page then leads back to the same view.
		a := s.post(op, "/operateur/indicateurs/recalcul", url.Values{"scope": {"all"}, "dim": {"commune"}})
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/operateur/travaux/") {
			t.Fatalf("refresh: %d to %q", a.status, a.header.Get("Location"))
		}
		job := a.header.Get("Location")
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			st := s.get(op, job+"/etat")
			if strings.Contains(st.body, `"finished":true`) {
				if !strings.Contains(st.body, "Indicateurs recalculés") || !strings.Contains(st.body, "pass lus") ||
					!strings.Contains(st.body, `"next":"/operateur/indicateurs?dim=commune\u0026scope=all"`) {
					t.Fatalf("refresh job: %s", st.body)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("refresh job not finished: %s", st.body)
			}
		}
		if a := s.get(op, job); !strings.Contains(a.text(), "Indicateurs recalculés") || !strings.Contains(a.body, "Voir les indicateurs") {
			t.Errorf("job page:\n%s", a.text())
		}

		// The operator's page shows the snapshot's figures.
		rep, err := env.Store.Indicators(opCtx, passnum.ScopeAllPasses, passnum.DimProgramme)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Total.Redeemed != 10 {
			t.Fatalf("snapshot: %d passes used, want 10", rep.Total.Redeemed)
		}
		a = s.get(op, "/operateur/indicateurs")
		text := a.text()
		for _, want := range []string{
			"Chiffres arrêtés le " + norm(passnum.FrenchDateTime(rep.ComputedAt)),
			norm("Pass utilisés " + passnum.FrenchNumber(rep.Total.Redeemed) + " en atelier"),
			norm("Pass remis " + passnum.FrenchNumber(rep.Total.Distributed) + " remis"),
			norm("Montant utilisé " + rep.Total.Format("spent_cents")),
			norm("Délai médian avant le premier atelier " + fmt.Sprint(rep.Total.Delay().Median)),
			"Part des personnes inscrites à un atelier lors de la remise 16,66 % 1 sur 6 carnets remis : premier atelier réservé par le prescripteur",
			// The breakdown's row, every cell in order.
			norm(rep.Rows[0].Label + " " + strings.Join(cellsOf(&rep.Rows[0].Values, passnum.DimProgramme), " ")),
			"Télécharger en CSV", "Télécharger en XLSX", "Rapport territorial (PDF)", "Recalculer maintenant",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("operator page: no %q in\n%.3000s", want, text)
			}
		}
		if a.status != http.StatusOK || !strings.Contains(a.body, `<a href="/operateur/indicateurs" aria-current="page">Indicateurs</a>`) {
			t.Errorf("operator page: %d, or the menu's item is not current", a.status)
		}

		// Every breakdown shows the columns of the indicators that apply.
		for _, dim := range passnum.Dimensions {
			a := s.get(op, "/operateur/indicateurs?scope=all&dim="+string(dim))
			if a.status != http.StatusOK {
				t.Fatalf("by %s: %d\n%.500s", dim, a.status, a.text())
			}
			_, table, _ := strings.Cut(a.body, `<table class="breakdown">`)
			head, _, _ := strings.Cut(table, "</thead>")
			for _, ind := range passnum.IndicatorDefinitions {
				if has := strings.Contains(head, ">"+template.HTMLEscapeString(ind.Label)+"<"); has != ind.Applies(dim) {
					t.Errorf("by %s: column %q shown %v", dim, ind.Label, has)
				}
			}
		}

		// A period: the figures of that year.
		if len(rep.Years) == 0 {
			t.Fatal("no year in the snapshot")
		}
		year := rep.Years[0]
		yrep, err := env.Store.Indicators(opCtx, passnum.Scope{Kind: passnum.ScopeAll, Year: year}, passnum.DimMonth)
		if err != nil {
			t.Fatal(err)
		}
		a = s.get(op, fmt.Sprintf("/operateur/indicateurs?scope=all&year=%d&dim=month", year))
		if !strings.Contains(a.text(), fmt.Sprintf("Chiffres clés, en %d", year)) ||
			!strings.Contains(a.text(), norm("Pass utilisés "+passnum.FrenchNumber(yrep.Total.Redeemed)+" en atelier")) {
			t.Errorf("year %d:\n%.1500s", year, a.text())
		}

		// A funder reads its own scope and its programmes', not another's.
		frep, err := env.Store.Indicators(storetest.As(storetest.Actor(s.f.State, passnum.RoleAgent)),
			passnum.Scope{Kind: passnum.ScopeFunder, ID: s.f.State.ID}, passnum.DimProgramme)
		if err != nil {
			t.Fatal(err)
		}
		a = s.get(funder, "/financeur/indicateurs")
		if want := norm("Votre part du montant utilisé " + passnum.FrenchEuros(frep.Total.FunderShare(s.f.State.ID))); a.status != http.StatusOK || !strings.Contains(a.text(), want) {
			t.Errorf("funder page: %d, no %q in\n%.2000s", a.status, want, a.text())
		}
		// The scope is named with its article, not "financés par État".
		if want := "Programmes financés par l'État — ANCT"; !strings.Contains(a.text(), want) {
			t.Errorf("funder page: no %q in\n%.2000s", want, a.text())
		}
		if strings.Contains(a.body, fmt.Sprintf(`value="funder:%d"`, s.f.Dept.ID)) || strings.Contains(a.body, `value="all"`) {
			t.Error("the funder is offered scopes that are not its own")
		}
		for path, want := range map[string]int{
			fmt.Sprintf("/financeur/indicateurs?scope=programme:%d", s.f.Programme.ID):                  http.StatusOK,
			fmt.Sprintf("/financeur/indicateurs?scope=funder:%d", s.f.Dept.ID):                          http.StatusNotFound,
			"/financeur/indicateurs?scope=all":                                                          http.StatusNotFound,
			fmt.Sprintf("/financeur/indicateurs?scope=hub:%d", s.hub.ID):                                http.StatusNotFound,
			"/financeur/indicateurs?scope=area:departement:35":                                          http.StatusNotFound,
			fmt.Sprintf("/financeur/indicateurs/export.csv?scope=funder:%d", s.f.Dept.ID):               http.StatusNotFound,
			fmt.Sprintf("/financeur/indicateurs/rapport.pdf?scope=funder:%d", s.f.Dept.ID):              http.StatusNotFound,
			"/financeur/indicateurs?dim=planete":                                                        http.StatusBadRequest,
			"/financeur/indicateurs?scope=pays:1":                                                       http.StatusBadRequest,
			fmt.Sprintf("/financeur/indicateurs?scope=funder:%d&year=1789", s.f.State.ID):               http.StatusBadRequest,
			fmt.Sprintf("/financeur/indicateurs/export.xlsx?scope=funder:%d&dim=commune", s.f.State.ID): http.StatusOK,
		} {
			if a := s.get(funder, path); a.status != want {
				t.Errorf("funder %s: %d, want %d\n%.300s", path, a.status, want, a.text())
			}
		}

		// The hub reads its territory only.
		hrep, err := env.Store.Indicators(storetest.As(storetest.Actor(s.hub, passnum.RoleAgent)),
			passnum.Scope{Kind: passnum.ScopeHub, ID: s.hub.ID}, passnum.DimCommune)
		if err != nil {
			t.Fatal(err)
		}
		if hrep.Total.Redeemed != 10 || len(hrep.Rows) != 1 || !strings.HasPrefix(hrep.Rows[0].Label, "Rennes") {
			t.Fatalf("hub's snapshot: %d used, rows %+v", hrep.Total.Redeemed, hrep.Rows)
		}
		a = s.get(hub, "/financeur/indicateurs")
		for _, want := range []string{
			"Territoire du hub : Ille-et-Vilaine (35)",
			"Indicateurs par commune",
			norm(hrep.Rows[0].Label + " " + strings.Join(cellsOf(&hrep.Rows[0].Values, passnum.DimCommune), " ")),
		} {
			if !strings.Contains(a.text(), want) {
				t.Errorf("hub page: no %q in\n%.2000s", want, a.text())
			}
		}
		if strings.Contains(a.body, "Votre part") || strings.Contains(a.body, "Recalculer maintenant") {
			t.Error("the hub page shows a funder's share or the operator's button")
		}
		for _, path := range []string{"/financeur/indicateurs?scope=all", fmt.Sprintf("/financeur/indicateurs?scope=funder:%d", s.f.State.ID),
			fmt.Sprintf("/financeur/indicateurs?scope=programme:%d", s.f.Programme.ID), fmt.Sprintf("/financeur/indicateurs/rapport.pdf?scope=hub:%d", s.hub.ID+1000)} {
			if a := s.get(hub, path); a.status != http.StatusNotFound {
				t.Errorf("hub %s: %d, want 404", path, a.status)
			}
		}

		// Downloads.
		for _, c := range []struct {
			p                  *person
			path               string
			contentType, start string
			file               string
		}{
			{op, "/operateur/indicateurs/export.csv?scope=all&dim=commune", "text/csv; charset=utf-8", "\ufeffCommune;", "indicateurs-tout-par-commune.csv"},
			{op, fmt.Sprintf("/operateur/indicateurs/export.xlsx?scope=all&year=%d&dim=age_band", year), xlsxType, "PK", fmt.Sprintf("indicateurs-tout-%d-par-age-band.xlsx", year)},
			{op, fmt.Sprintf("/operateur/indicateurs/rapport.pdf?scope=hub:%d", s.hub.ID), "application/pdf", "%PDF", fmt.Sprintf("rapport-territorial-hub-%d.pdf", s.hub.ID)},
			{op, "/operateur/indicateurs/rapport.pdf?scope=area:departement:35", "application/pdf", "%PDF", "rapport-territorial-departement-35.pdf"},
			{funder, "/financeur/indicateurs/export.csv", "text/csv; charset=utf-8", "\ufeffProgramme;", fmt.Sprintf("indicateurs-financeur-%d-par-programme.csv", s.f.State.ID)},
			{funder, fmt.Sprintf("/financeur/indicateurs/rapport.pdf?scope=programme:%d", s.f.Programme.ID), "application/pdf", "%PDF", fmt.Sprintf("rapport-territorial-programme-%d.pdf", s.f.Programme.ID)},
			{hub, "/financeur/indicateurs/export.xlsx", xlsxType, "PK", fmt.Sprintf("indicateurs-hub-%d-par-commune.xlsx", s.hub.ID)},
			{hub, "/financeur/indicateurs/rapport.pdf", "application/pdf", "%PDF", fmt.Sprintf("rapport-territorial-hub-%d.pdf", s.hub.ID)},
		} {
			a := s.get(c.p, c.path)
			if a.status != http.StatusOK || a.header.Get("Content-Type") != c.contentType || !strings.HasPrefix(a.body, c.start) ||
				a.header.Get("Content-Disposition") != `attachment; filename="`+c.file+`"` {
				t.Errorf("%s: %d %q %q, starts %q", c.path, a.status, a.header.Get("Content-Type"), a.header.Get("Content-Disposition"), a.body[:min(len(a.body), 20)])
			}
		}
		// The operator also chooses a région or a département.
		if a := s.get(op, "/operateur/indicateurs?scope=area:departement:35"); a.status != http.StatusOK ||
			!strings.Contains(a.body, `<option value="area:region:53"`) || !strings.Contains(a.text(), "Département : Ille-et-Vilaine (35)") {
			t.Errorf("area scope: %d", a.status)
		}
		// The CSV holds the page's rows, with the total last.
		csv := s.get(op, "/operateur/indicateurs/export.csv?scope=all&dim=programme").body
		lines := strings.Split(strings.TrimRight(csv, "\r\n"), "\n")
		if len(lines) != len(rep.Rows)+2 || !strings.HasPrefix(lines[1], rep.Rows[0].Label+";") || !strings.HasPrefix(lines[len(lines)-1], "Total;") {
			t.Errorf("CSV:\n%s", csv)
		}
		storetest.MustCheck(t, env, s.f.Operator)
	})
}

// cellsOf is a row's cells as the page formats them.
func cellsOf(v *passnum.IndicatorValues, dim passnum.Dimension) []string {
	var out []string
	for _, ind := range passnum.IndicatorDefinitions {
		if ind.Applies(dim) {
			out = append(out, norm(v.Format(ind.Key)))
		}
	}
	return out
}

func TestFrenchSeconds(t *testing.T) {
	for _, c := range []struct {
		ms   int
		want string
	}{{0, "0 ms"}, {40, "40 ms"}, {999, "999 ms"}, {1000, "1,0 s"}, {12340, "12,3 s"}, {59960, "1 min 00 s"}, {125000, "2 min 05 s"}} {
		if got := norm(passnum.FrenchSeconds(time.Duration(c.ms) * time.Millisecond)); got != c.want {
			t.Errorf("%d ms: %q, want %q", c.ms, got, c.want)
		}
	}
}
