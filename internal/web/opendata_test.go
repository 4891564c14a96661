package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestOpenDataPage: the public page explains the data before and after
// the first computation, and its files download without an account,
// with no count from 1 to 4.
func TestOpenDataPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		for i, serial := range s.f.Serials(0)[:2] {
			if _, err := env.Store.Redeem(storetest.VenueCtx(s.f.Venue), passnum.RedeemRequest{Codes: s.f.CodesOf(serial), ServiceID: s.f.Service.ID, IdempotencyKey: fmt.Sprint("od", i)}); err != nil {
				t.Fatal(err)
			}
		}
		a := s.get(anonymous, "/donnees-ouvertes")
		if a.status != http.StatusOK || !strings.Contains(a.body, "pas encore calculées") || strings.Contains(a.body, `href="/donnees-ouvertes/pass-numerique.csv"`) {
			t.Fatalf("before computing: %d\n%s", a.status, a.text())
		}
		if a := s.get(anonymous, "/donnees-ouvertes/pass-numerique.csv"); a.status != http.StatusNotFound || !strings.Contains(a.body, "pas encore calculées") {
			t.Errorf("csv before computing: %d\n%.300s", a.status, a.text())
		}
		if _, err := env.Store.RefreshIndicators(storetest.As(s.f.Operator), nil); err != nil {
			t.Fatal(err)
		}
		a = s.get(anonymous, "/donnees-ouvertes")
		for _, want := range []string{"<h1>Données ouvertes</h1>", `href="/donnees-ouvertes/pass-numerique.csv"`, `href="/donnees-ouvertes/pass-numerique.json"`,
			"Licence Ouverte 2.0", "de 1 à 4", "Chiffres calculés le"} {
			if !strings.Contains(a.body, want) {
				t.Errorf("the page does not say %q:\n%s", want, a.text())
			}
		}
		for _, tc := range []struct{ path, contentType, start string }{
			{"/donnees-ouvertes/pass-numerique.csv", "text/csv; charset=utf-8", "\uFEFFmonth;level;"},
			{"/donnees-ouvertes/pass-numerique.json", "application/json; charset=utf-8", `{`},
		} {
			a := s.get(anonymous, tc.path)
			if a.status != http.StatusOK || a.header.Get("Content-Type") != tc.contentType || !strings.HasPrefix(a.body, tc.start) {
				t.Errorf("%s: %d %s\n%.300s", tc.path, a.status, a.header.Get("Content-Type"), a.body)
			}
			if tc.contentType[:8] != "text/csv" {
				continue
			}
			for _, line := range strings.Split(strings.TrimSpace(a.body), "\n")[1:] {
				fields := strings.Split(line, ";")
				for i := 4; i < len(fields); i += 2 {
					if n, err := strconv.Atoi(fields[i]); err == nil && n >= 1 && n <= 4 {
						t.Errorf("%s: small count published in %q", tc.path, line)
					}
				}
			}
		}
		if a := s.get(anonymous, "/donnees-ouvertes/autre.csv"); a.status != http.StatusNotFound {
			t.Errorf("unknown file: %d", a.status)
		}
	})
}
