package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestActivityReports records activity reports through the form (mistakes
// sent back on their fields), tied to a session and to a redemption, then
// reads the summary, the chart and the list, and exports it as CSV.
func TestActivityReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		agent := s.as(passnum.KindVenue, passnum.RoleAgent)
		if a := s.get(agent, "/lieu/comptes-rendus"); a.status != http.StatusOK || !strings.Contains(a.text(), "Aucun compte rendu sur cette période") ||
			!strings.Contains(a.body, `value="2027-01-01"`) {
			t.Fatalf("empty list: %d\n%.500s", a.status, a.text())
		}
		a := s.get(agent, "/lieu/comptes-rendus/nouveau")
		if a.status != http.StatusOK || !strings.Contains(a.body, `value="2027-03-15"`) || !strings.Contains(a.body, `id="themes"`) {
			t.Fatalf("form: %d\n%.500s", a.status, a.text())
		}
		ref := beneficiaryRef(t, s, 1)
		form := url.Values{"format": {"individual"}, "date": {"2027-03-15"}, "duration_minutes": {"45"}, "participants": {"1"}, "place_kind": {"lieu"}, "passes_used": {"0"}}
		// Mistakes: the web's own checks, then the service's, each on its
		// field.
		for _, c := range []struct {
			change url.Values
			field  string
			says   string
		}{
			{url.Values{"duration_minutes": {"trois quarts d'heure"}}, "duration_minutes", "Indiquez la durée en minutes"},
			{url.Values{}, "themes", "Choisissez au moins une thématique"},
			{url.Values{"themes": {"Courriels"}, "participants": {"3"}}, "participants", "Un accompagnement individuel concerne une personne"},
			{url.Values{"themes": {"Courriels"}, "date": {"2027-03-20"}}, "date", "ne peut être dans le futur"},
			{url.Values{"themes": {"Courriels"}, "beneficiary_refs": {"B-ZZZZ-ZZZZ"}}, "beneficiary_refs", "B-ZZZZ-ZZZZ"},
			{url.Values{"themes": {"Courriels"}, "session_id": {"999999"}}, "session_id", ""},
		} {
			a := s.post(agent, "/lieu/comptes-rendus", merge(form, c.change))
			if a.status < 400 || a.status >= 500 || !strings.Contains(a.body, fmt.Sprintf(`id="%s-error"`, c.field)) || !strings.Contains(a.text(), c.says) {
				t.Errorf("%v: %d, want an error on %s saying %q\n%.800s", c.change, a.status, c.field, c.says, a.text())
			}
			if !strings.Contains(a.body, `value="lieu" checked`) {
				t.Errorf("%v: what was typed is lost", c.change)
			}
		}
		// An individual help, linked to a person.
		form.Set("themes", "Démarches en ligne")
		form.Add("themes", "Courriels")
		form.Set("autonomy", "partiellement autonome")
		form.Set("beneficiary_refs", strings.ToLower(ref))
		form.Set("notes", "=HYPERLINK(\"http://example.com\")")
		a = s.post(agent, "/lieu/comptes-rendus", form)
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "15 mars 2027, individuel, 1 participant") {
			t.Fatalf("individual report: %d %q\n%.600s", a.status, a.flash(), a.text())
		}
		// A collective session, held, then reported from its page with
		// its redemption.
		ws, err := env.Store.CreateSession(storetest.VenueCtx(f.Venue), passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC), Capacity: 5})
		if err != nil {
			t.Fatal(err)
		}
		vctx := storetest.VenueCtx(f.Venue)
		for _, label := range []string{"A.", "B.", "C."} {
			r, err := env.Store.Register(vctx, passnum.RegistrationCreate{SessionID: ws.ID, Label: label})
			if err != nil {
				t.Fatal(err)
			}
			if err := env.Store.RecordAttendance(vctx, r.ID, label != "C."); err != nil {
				t.Fatal(err)
			}
		}
		red, err := env.Store.Redeem(vctx, passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(2)[:2]...), ServiceID: f.Service.ID, SessionID: ws.ID, IdempotencyKey: "report"})
		if err != nil {
			t.Fatal(err)
		}
		a = s.get(agent, fmt.Sprintf("/lieu/comptes-rendus/nouveau?seance=%d", ws.ID))
		if !strings.Contains(a.body, `value="collective" checked`) || !strings.Contains(a.body, `id="participants" name="participants" type="text" value="2"`) ||
			!strings.Contains(a.body, fmt.Sprintf(`<option value="%d" selected>`, ws.ID)) || !strings.Contains(a.body, fmt.Sprintf(`<option value="%d">n°%d`, red.ID, red.ID)) {
			t.Fatalf("form from a session:\n%.1500s", a.body[strings.Index(a.body, "<main"):])
		}
		collective := url.Values{"format": {"collective"}, "date": {"2027-03-15"}, "duration_minutes": {"90"}, "participants": {"2"}, "place_kind": {"lieu"},
			"themes": {"Prendre en main du matériel"}, "session_id": {fmt.Sprint(ws.ID)}, "redemption_id": {fmt.Sprint(red.ID)}, "passes_used": {"0"}}
		if a := s.post(agent, "/lieu/comptes-rendus", collective); a.status != http.StatusSeeOther {
			t.Fatalf("collective report: %d\n%.600s", a.status, a.text())
		}
		// A redemption counts once.
		if a := s.post(agent, "/lieu/comptes-rendus", collective); a.status != http.StatusConflict || !strings.Contains(a.body, `id="redemption_id-error"`) {
			t.Errorf("redemption reported twice: %d", a.status)
		}
		// The summary, as figures, a chart and a table.
		a = s.get(agent, "/lieu/comptes-rendus")
		text := strings.ReplaceAll(a.text(), "\u202f", " ")
		for _, want := range []string{"Comptes rendus 2", "1 individuel, 1 collectif", "Participants 3", "Temps d'accompagnement 2 h 15",
			"Avec des pass 1 compte rendu, 2 pass", "1 avec une référence de carnet, 2 anonymes",
			"Prendre en main du matériel 1 50 %", "Courriels 1", "Démarches en ligne 1", ref, "partiellement autonome", fmt.Sprintf("séance n°%d", ws.ID)} {
			if !strings.Contains(text, want) {
				t.Errorf("reports page: no %q\n%s", want, text)
			}
		}
		if !strings.Contains(a.body, `<svg class="chart chart-wide" role="img"`) || !strings.Contains(a.body, "Comptes rendus par thématique.") {
			t.Errorf("no chart")
		}
		// Another period: nothing.
		if a := s.get(agent, "/lieu/comptes-rendus?du=2026-01-01&au=2026-12-31"); !strings.Contains(a.text(), "Aucun compte rendu sur cette période") {
			t.Errorf("2026:\n%s", a.text())
		}
		if a := s.get(agent, "/lieu/comptes-rendus?du=hier"); a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="du-error"`) {
			t.Errorf("bad period: %d", a.status)
		}
		// The CSV export: ';', UTF-8 with a BOM, one line per report, and
		// a formula typed in the notes stays text.
		exp := regexp.MustCompile(`href="(/lieu/comptes-rendus/export\.csv\?[^"]+)"`).FindStringSubmatch(a.body)
		if exp == nil {
			t.Fatalf("no export link")
		}
		a = s.get(agent, strings.ReplaceAll(exp[1], "&amp;", "&"))
		if a.status != http.StatusOK || !strings.HasPrefix(a.body, "\ufeffnumero;date;format;") || !strings.HasPrefix(a.header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(a.header.Get("Content-Disposition"), "comptes-rendus-2027-01-01-2027-03-15.csv") {
			t.Fatalf("export: %d %q\n%.300s", a.status, a.header, a.body)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(a.body, "\ufeff")))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil || len(recs) != 3 || len(recs[0]) != len(reportCSVHeader) {
			t.Fatalf("export: %v, %d lines", err, len(recs))
		}
		col := func(name string) int {
			for i, h := range recs[0] {
				if h == name {
					return i
				}
			}
			t.Fatalf("no column %s", name)
			return -1
		}
		if recs[1][col("format")] != "collectif" || recs[1][col("pass_utilises")] != "2" || recs[1][col("encaissement")] != fmt.Sprint(red.ID) {
			t.Errorf("collective line: %v", recs[1])
		}
		if recs[2][col("notes")] != `'=HYPERLINK("http://example.com")` || recs[2][col("personnes_liees")] != ref ||
			recs[2][col("thematiques")] != "Courriels | Démarches en ligne" && recs[2][col("thematiques")] != "Démarches en ligne | Courriels" {
			t.Errorf("individual line: %v", recs[2])
		}
		// Paging: 25 more reports make two pages.
		for i := 0; i < 25; i++ {
			if _, err := env.Store.CreateActivityReport(vctx, passnum.ActivityReport{Format: passnum.FormatIndividual, Date: "2027-03-01", DurationMinutes: 30,
				Themes: []string{"Navigation sur internet"}, PlaceKind: "distance", Participants: 1}); err != nil {
				t.Fatal(err)
			}
		}
		a = s.get(agent, "/lieu/comptes-rendus")
		if !strings.Contains(a.text(), "Page 1 sur 2") || !strings.Contains(a.body, `href="/lieu/comptes-rendus?au=2027-03-15&amp;du=2027-01-01&amp;page=2"`) {
			t.Errorf("paging:\n%s", a.text())
		}
		if a := s.get(agent, "/lieu/comptes-rendus?au=2027-03-15&du=2027-01-01&page=2"); strings.Count(a.body, ", compte rendu n°") != 7 {
			t.Errorf("page 2: %d reports", strings.Count(a.body, ", compte rendu n°"))
		}
		a = s.get(agent, strings.ReplaceAll(exp[1], "&amp;", "&"))
		if n := strings.Count(a.body, "\r\n"); n != 28 {
			t.Errorf("export of 27 reports: %d lines", n)
		}
		// Another venue's reports are not this one's.
		if a := s.get(s.as(passnum.KindOperator, passnum.RoleAdmin), "/lieu/comptes-rendus"); a.status != http.StatusForbidden {
			t.Errorf("operator on the venue's page: %d", a.status)
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}
