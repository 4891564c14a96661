package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestVenueFindsItsOwn: a venue's pages that take a number find the
// venue's own record only. Another venue's workshop, which the directory
// shows, and another venue's redemption are not found, with the page's
// words.
func TestVenueFindsItsOwn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		admin := s.as(passnum.KindVenue, passnum.RoleAdmin)
		red, err := env.Store.Redeem(storetest.VenueCtx(f.Venue2), passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(0)[0]), ServiceID: f.Service2.ID, IdempotencyKey: "elsewhere"})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			method, path, words string
		}{
			{"GET", fmt.Sprintf("/lieu/catalogue/%d", f.Service2.ID), "Cet atelier est introuvable dans le catalogue de votre lieu."},
			{"POST", fmt.Sprintf("/lieu/catalogue/%d", f.Service2.ID), "Cet atelier est introuvable dans le catalogue de votre lieu."},
			{"GET", fmt.Sprintf("/lieu/encaissements/%d/annuler", red.ID), "Cet encaissement est introuvable parmi les encaissements récents de votre lieu."},
		} {
			a := s.get(admin, tc.path)
			if tc.method == "POST" {
				a = s.post(admin, tc.path, url.Values{"title": {"Un autre titre"}})
			}
			if a.status != http.StatusNotFound || !strings.Contains(a.text(), tc.words) {
				t.Errorf("%s %s: %d\n%.400s", tc.method, tc.path, a.status, a.text())
			}
		}
		if a := s.get(admin, fmt.Sprintf("/lieu/catalogue/%d", f.Service.ID)); a.status != http.StatusOK {
			t.Errorf("its own workshop: %d", a.status)
		}
	})
}
