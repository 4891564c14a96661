package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestDirectoryParameters: every bad parameter of a directory search is
// refused with its name and a French explanation, before any search.
func TestDirectoryParameters(t *testing.T) {
	a := newAPI(t, storetest.OpenSQLite(t))
	for query, field := range map[string]string{
		"lat=95&lon=2":                    "lat",
		"lat=48.1":                        "lat",
		"lon=-1.6":                        "lat",
		"lat=48.1&lon=est":                "lon",
		"lat=48.1&lon=-190":               "lon",
		"commune=35238&radius_km=500":     "radius_km",
		"commune=35238&radius_km=0":       "radius_km",
		"commune=35238&radius_km=dix":     "radius_km",
		"radius_km=10":                    "radius_km",
		"commune=35238&lat=48.1&lon=-1.6": "commune",
		"commune=Rennes":                  "commune",
		"commune=99999":                   "commune",
		"postal_code=350":                 "postal_code",
		"category=Cuisine":                "category",
		"public=Retraités":                "public",
		"support=Braille":                 "support",
		"passes=oui":                      "passes",
		"open_now=2":                      "open_now",
		"limit=101":                       "limit",
		"limit=0":                         "limit",
		"offset=-1":                       "offset",
	} {
		p := a.do("", "GET", "/api/v1/public/directory?"+query, nil).problem(http.StatusBadRequest, "invalid-input")
		if p.Field != field {
			t.Errorf("%s: field %q, want %q (%s)", query, p.Field, field, p.Detail)
		}
	}
	a.do("", "GET", "/api/v1/public/directory/rennes", nil).problem(http.StatusBadRequest, "invalid-input")
	a.do("", "GET", "/api/v1/public/directory/999999", nil).problem(http.StatusNotFound, "not-found")
}

// TestDirectorySearch: without a token, anyone finds the venues around a
// commune, nearest first, narrowed by passes, service, public, postal code
// or name, and opens a venue's page with its catalogue.
func TestDirectorySearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2, CarnetSize: 2})
		a := newAPI(t, env)
		var rep passnum.ImportReport
		a.do(a.operatorToken(), "POST", "/api/v1/venues/import", importGood, header{"Content-Type", "text/csv"}).ok(http.StatusOK, &rep)
		if rep.Created != 2 {
			t.Fatalf("import %+v", rep)
		}
		search := func(query url.Values) passnum.DirectoryPage {
			t.Helper()
			var page passnum.DirectoryPage
			res := a.do("", "GET", "/api/v1/public/directory?"+query.Encode(), nil).ok(http.StatusOK, &page)
			if cc := res.header.Get("Cache-Control"); cc != "public, max-age=300" && cc != "public, max-age=60" {
				t.Fatalf("Cache-Control %q", cc)
			}
			return page
		}
		names := func(p passnum.DirectoryPage) []string {
			out := []string{}
			for _, v := range p.Venues {
				out = append(out, v.Name)
			}
			return out
		}
		const (
			rennes   = "La Quincaillerie numérique"
			fougeres = "Cyber-espace de Fougères"
			redon    = "Tiers-lieu numérique de Redon"
		)

		// Around Rennes: the Quincaillerie (at the commune's point), then
		// Fougères, 45 km away; Redon (60 km) and Brest are farther.
		around := search(url.Values{"commune": {"35238"}, "radius_km": {"50"}})
		if got := names(around); !slices.Equal(got, []string{rennes, fougeres}) || around.Total != 2 || around.Centre == nil {
			t.Fatalf("around Rennes: %v %+v", got, around)
		}
		first, second := around.Venues[0], around.Venues[1]
		if first.OrgID != f.Venue.ID || !first.AcceptsPasses || !first.PointApprox || second.AcceptsPasses || second.PointApprox ||
			second.DistanceKm == nil || *second.DistanceKm < 35 || *second.DistanceKm > 50 {
			t.Fatalf("around Rennes: %+v %+v", first, second)
		}
		if got := names(search(url.Values{"commune": {"35238"}, "radius_km": {"50"}, "passes": {"true"}})); !slices.Equal(got, []string{rennes}) {
			t.Errorf("accepting passes: %v", got)
		}
		if got := names(search(url.Values{"category": {"Loisirs et créations numériques"}})); !slices.Equal(got, []string{redon}) {
			t.Errorf("by service: %v", got)
		}
		if got := names(search(url.Values{"public": {"Seniors"}})); !slices.Equal(got, []string{fougeres}) {
			t.Errorf("by public: %v", got)
		}
		if got := names(search(url.Values{"postal_code": {"35300"}})); !slices.Equal(got, []string{fougeres}) {
			t.Errorf("by postal code: %v", got)
		}
		if got := names(search(url.Values{"q": {"fougeres"}})); !slices.Equal(got, []string{fougeres}) {
			t.Errorf("by name: %v", got)
		}
		all := search(url.Values{})
		paged := search(url.Values{"limit": {"1"}, "offset": {"1"}})
		if all.Total != 5 || len(all.Venues) != 5 || paged.Total != 5 || len(paged.Venues) != 1 || paged.Venues[0].OrgID != all.Venues[1].OrgID {
			t.Errorf("pages: %v then %v", names(all), names(paged))
		}
		if none := search(url.Values{"q": {"introuvable"}}); none.Total != 0 || none.Venues == nil {
			t.Errorf("no result: %+v", none)
		}

		// A venue's page.
		var entry passnum.DirectoryEntry
		res := a.do("", "GET", fmt.Sprintf("/api/v1/public/directory/%d", f.Venue.ID), nil).ok(http.StatusOK, &entry)
		if entry.Venue.OrgID != f.Venue.ID || !entry.AcceptsPasses || len(entry.Services) != 1 || entry.Services[0].ID != f.Service.ID ||
			entry.Places == nil || entry.NextSessions == nil || res.header.Get("Cache-Control") != "public, max-age=300" {
			t.Fatalf("entry %s", res.body)
		}
		// A withdrawn venue is no longer in the directory.
		withdrawn := f.Outside.ID
		a.do(a.operatorToken(), "POST", fmt.Sprintf("/api/v1/venues/%d/qualification", withdrawn), map[string]any{"status": "withdrawn", "reason": "Fermeture du lieu."}).ok(http.StatusOK, nil)
		a.do("", "GET", fmt.Sprintf("/api/v1/public/directory/%d", withdrawn), nil).problem(http.StatusNotFound, "not-found")
		if got := search(url.Values{}); got.Total != 4 {
			t.Errorf("after a withdrawal: %v", names(got))
		}
	})
}
