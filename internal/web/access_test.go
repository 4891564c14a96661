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

// routeReserved is the heading of the page refusing a route to a kind of
// organisation.
const routeReserved = "Page réservée"

// TestRouteRoles requests every route of the table as every kind of
// organisation and role, and as an anonymous visitor: a route refuses
// exactly the kinds it is not for (403, "Page réservée"), serves the
// others without a server error, and sends anonymous visitors to the
// login page. What each role may do within a page is the service's
// permission table, tested cell by cell through the API.
func TestRouteRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		red, err := env.Store.Redeem(storetest.VenueCtx(s.f.Venue), passnum.RedeemRequest{Codes: s.f.CodesOf(s.f.Serials(0)[0]), ServiceID: s.f.Service.ID, IdempotencyKey: "matrix"})
		if err != nil {
			t.Fatal(err)
		}
		carnet, err := env.Store.FindCarnet(storetest.As(s.f.Operator), s.f.Batch.FirstCarnet)
		if err != nil {
			t.Fatal(err)
		}
		params := strings.NewReplacer(
			"{id}", fmt.Sprint(s.f.Programme.ID), "{number}", fmt.Sprint(s.f.Batch.FirstCarnet),
			"{ref}", carnet.BeneficiaryRef, "{$}", "")
		// Paths whose {id} is not a programme.
		special := map[string]string{
			"/operateur/organisations/{id}":               fmt.Sprintf("/operateur/organisations/%d", s.f.Venue.ID),
			"/operateur/organisations/{id}/membres":       fmt.Sprintf("/operateur/organisations/%d/membres", s.f.Venue.ID),
			"/operateur/organisations/{id}/qualification": fmt.Sprintf("/operateur/organisations/%d/qualification", s.f.Venue.ID),
			"/operateur/organisations/{id}/rattachement":  fmt.Sprintf("/operateur/organisations/%d/rattachement", s.f.Venue.ID),
			"/operateur/lots/{id}/pass.csv":               fmt.Sprintf("/operateur/lots/%d/pass.csv", s.f.Batch.ID),
			"/operateur/lots/{id}/carnets.pdf":            fmt.Sprintf("/operateur/lots/%d/carnets.pdf", s.f.Batch.ID),
			"/operateur/travaux/{id}":                     "/operateur/travaux/999",
			"/operateur/travaux/{id}/etat":                "/operateur/travaux/999/etat",
			"/lieu/encaissements/{id}/annuler":            fmt.Sprintf("/lieu/encaissements/%d/annuler", red.ID+1000),
			"/lieu/catalogue/{id}/actif":                  fmt.Sprintf("/lieu/catalogue/%d/actif", s.f.Service.ID+1000),
			"/operateur/lieux/{id}":                       fmt.Sprintf("/operateur/lieux/%d", s.f.Venue.ID),
			"/operateur/lieux/{id}/decision":              fmt.Sprintf("/operateur/lieux/%d/decision", s.f.Venue.ID),
			"/operateur/organisations/{id}/territoire":    fmt.Sprintf("/operateur/organisations/%d/territoire", s.hub.ID),
		}
		for _, rt := range routes {
			path := special[rt.path]
			if path == "" {
				path = params.Replace(rt.path)
			}
			for _, k := range passnum.OrgKinds {
				for _, role := range []passnum.Role{passnum.RoleAdmin, passnum.RoleAgent} {
					p := s.as(k, role)
					if rt.path == "/deconnexion" {
						// Logging out ends the session: use a fresh one.
						fresh := *p
						if fresh.secret, _, err = env.Store.Login(t.Context(), p.email, p.password); err != nil {
							t.Fatal(err)
						}
						p = &fresh
					}
					a := s.request(p, rt.method, path, formFor(rt), nil)
					reserved := a.status == http.StatusForbidden && strings.Contains(a.body, routeReserved)
					allowed := mayUse(rt, k)
					switch {
					case allowed && (reserved || a.status >= 500):
						t.Errorf("%s %s as %s %s: %d, want served:\n%.300s", rt.method, path, k, role, a.status, a.text())
					case !allowed && !reserved:
						t.Errorf("%s %s as %s %s: %d, want 403 %q:\n%.300s", rt.method, path, k, role, a.status, routeReserved, a.text())
					}
				}
			}
			open := !strings.HasPrefix(rt.path, "/operateur") && !strings.HasPrefix(rt.path, "/financeur") &&
				!strings.HasPrefix(rt.path, "/prescripteur") && !strings.HasPrefix(rt.path, "/lieu") && rt.path != "/structure"
			if open != (rt.access == public) {
				t.Errorf("%s %s: public is %v in the route table", rt.method, rt.path, rt.access == public)
			}
			a := s.request(anonymous, rt.method, path, formFor(rt), nil)
			switch {
			case open && (a.status == http.StatusUnauthorized || a.status == http.StatusForbidden || a.status >= 500):
				t.Errorf("%s %s anonymously: %d, want served:\n%.300s", rt.method, path, a.status, a.text())
			case !open && rt.method == "GET" && (a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/connexion?suite=")):
				t.Errorf("%s %s anonymously: %d to %q, want 303 to the login page", rt.method, path, a.status, a.header.Get("Location"))
			case !open && rt.method == "POST" && a.status != http.StatusUnauthorized:
				t.Errorf("%s %s anonymously: %d, want 401", rt.method, path, a.status)
			}
		}
		storetest.MustCheck(t, env, s.f.Operator)
	})
}

// mayUse is who may open which page, written from the spaces of the
// interface rather than read from the route table, so that a mistake in
// the table shows: each kind of organisation has its space, and the rest
// is for everyone (public pages) or every person logged in.
func mayUse(rt route, k passnum.OrgKind) bool {
	switch {
	case strings.HasPrefix(rt.path, "/operateur"):
		return k == passnum.KindOperator
	case strings.HasPrefix(rt.path, "/financeur/programmes/{id}/blocage"):
		return k == passnum.KindFunder // a hub reads, it does not block
	case strings.HasPrefix(rt.path, "/financeur/facturation"):
		return k == passnum.KindFunder // invoices and credit notes are the funder's
	case strings.HasPrefix(rt.path, "/financeur/activite"):
		return k == passnum.KindHub // the advisers' activity of the hub's territory
	case strings.HasPrefix(rt.path, "/financeur"):
		return k == passnum.KindFunder || k == passnum.KindHub
	case strings.HasPrefix(rt.path, "/prescripteur"):
		return k == passnum.KindPrescriber
	case strings.HasPrefix(rt.path, "/lieu"):
		return k == passnum.KindVenue
	}
	return true
}

// formFor is an empty form for POST routes, nil for GET ones.
func formFor(rt route) url.Values {
	if rt.method == "POST" {
		return url.Values{}
	}
	return nil
}

// TestCSRF: a form without the token of its session, or with another
// session's, or sent by another site, changes nothing.
func TestCSRF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		other := s.as(passnum.KindOperator, passnum.RoleAgent)
		form := url.Values{"kind": {"funder"}, "name": {"Fondation du numérique"}}
		count := func() int {
			_, n, err := env.Store.ListOrganisations(storetest.As(s.f.Operator), passnum.OrganisationFilter{Kind: passnum.KindFunder})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		bad := map[string]url.Values{
			"no token":        form,
			"another's token": merge(form, url.Values{"csrf": {csrfToken(other.secret)}}),
			"forged token":    merge(form, url.Values{"csrf": {"AAAA"}}),
		}
		for name, f := range bad {
			// Sent as they are: request() would add the right token to
			// the form without one.
			a := s.rawPost(op, "/operateur/organisations", f.Encode(), nil)
			if a.status != http.StatusForbidden || !strings.Contains(a.body, "Formulaire expiré") {
				t.Errorf("%s: %d\n%.300s", name, a.status, a.text())
			}
		}
		// A browser says where a form comes from: another site is refused
		// even with a valid token.
		a := s.request(op, "POST", "/operateur/organisations", form, http.Header{"Sec-Fetch-Site": {"cross-site"}})
		if a.status != http.StatusForbidden {
			t.Errorf("cross-site form: %d", a.status)
		}
		if n := count(); n != before {
			t.Fatalf("refused forms created %d organisations", n-before)
		}
		// The same form with its token works.
		if a := s.post(op, "/operateur/organisations", form); a.status != http.StatusSeeOther {
			t.Fatalf("valid form: %d\n%.500s", a.status, a.text())
		}
		if n := count(); n != before+1 {
			t.Fatalf("valid form: %d organisations created", n-before)
		}
		// Anonymous forms (login, public carnet page) need the anonymous
		// cookie's token.
		if a := s.rawPost(anonymous, "/carnet", url.Values{"code": {"7K3M-QX9D-2HFT-R"}}.Encode(), nil); a.status != http.StatusForbidden {
			t.Errorf("anonymous form without token: %d", a.status)
		}
	})
}

func merge(a, b url.Values) url.Values {
	out := cloneValues(a)
	for k, v := range b {
		out[k] = v
	}
	return out
}

// rawPost sends a form body as it is, without adding a CSRF token.
func (s *site) rawPost(p *person, path, body string, header http.Header) answer {
	s.t.Helper()
	return s.send(p, "POST", path, body, true, header)
}
