package web

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// routeReserved is the heading of the page refusing a route to a kind of
// organisation.
const routeReserved = "Page réservée"

// routeAccess is who may use each route of the web interface, written out
// by a person from the spaces of the interface and the rules of the
// platform (DOMAIN.md, the README, the permission table's comments),
// rather than read from the route table (routes.go) it checks.
//
// One line per route: its method and path; the anonymous visitor's cell;
// then two cells per organisation kind (operator, funder, hub, prescriber,
// venue), the admin's then the agent's:
//
//	x  served: the page, or the service's answer to what was sent (a
//	   redirect, a form to correct, 404 for an object that is not there),
//	   never 401, 403 nor a server error;
//	-  not for this visitor: "Page réservée" (403) for a member of
//	   another kind of organisation; the login page (303) for an
//	   anonymous GET, 401 for an anonymous POST;
//	r  the page is for the visitor's kind but not this role's doing: 403
//	   from the service ("ne permet pas cette action") or, on the venue's
//	   own pages, from the page ("Réservé aux administrateurs du lieu"),
//	   never "Page réservée". The request reaches that check: routeRequests
//	   sends such forms filled in enough for their handler to ask the
//	   service.
//
// A line may end with why, for the reader.
const routeAccess = `
# method path                                          anon op fu hu pr ve
GET  /{$}                                               x   xx xx xx xx xx
GET  /connexion                                         x   xx xx xx xx xx
POST /connexion                                         x   xx xx xx xx xx
POST /deconnexion                                       x   xx xx xx xx xx
GET  /mot-de-passe-oublie                               x   xx xx xx xx xx
POST /mot-de-passe-oublie                               x   xx xx xx xx xx
GET  /mot-de-passe/nouveau                              x   xx xx xx xx xx
POST /mot-de-passe/nouveau                              x   xx xx xx xx xx
GET  /carnet                                            x   xx xx xx xx xx   a person checks their carnet without an account
POST /carnet                                            x   xx xx xx xx xx
GET  /communes                                          x   xx xx xx xx xx
GET  /accessibilite                                     x   xx xx xx xx xx
GET  /mentions-legales                                  x   xx xx xx xx xx
GET  /sources                                           x   xx xx xx xx xx
GET  /donnees-ouvertes                                  x   xx xx xx xx xx
GET  /donnees-ouvertes/{file}                           x   xx xx xx xx xx
GET  /appels-a-projets                                  x   xx xx xx xx xx   calls for projects are public
GET  /candidature                                       x   xx xx xx xx xx   a venue applies before it has an account
POST /candidature                                       x   xx xx xx xx xx
GET  /candidature/envoyee                               x   xx xx xx xx xx
GET  /annuaire                                          x   xx xx xx xx xx
GET  /annuaire/{id}                                     x   xx xx xx xx xx

GET  /compte/invitation                                 x   xx xx xx xx xx   links of e-mails, opened before the account signs in
POST /compte/invitation                                 x   xx xx xx xx xx
GET  /compte/confirmation                               x   xx xx xx xx xx
POST /compte/confirmation                               x   xx xx xx xx xx
GET  /compte/nouveau-lien                               x   xx xx xx xx xx
POST /compte/nouveau-lien                               x   xx xx xx xx xx
# The second factor: the sign-in step and the person's own factors are
# everyone's; a complete session on the step goes on to its home page.
GET  /connexion/second-facteur                          -   xx xx xx xx xx
POST /connexion/second-facteur                          -   xx xx xx xx xx
GET  /compte/second-facteur                             -   xx xx xx xx xx   anyone may add a second factor
GET  /compte/second-facteur/application                 -   xx xx xx xx xx
POST /compte/second-facteur/application                 -   xx xx xx xx xx
POST /compte/second-facteur/{id}/suppression            -   xx xx xx xx xx   one's own factor only: another's is not found
POST /compte/second-facteur/cle/options                 -   xx xx xx xx xx   a passkey: the options of the browser's ceremony…
POST /compte/second-facteur/cle                         -   xx xx xx xx xx   …and its answer (400 when it is not one)
POST /connexion/second-facteur/cle/options              -   xx xx xx xx xx   a complete session has nothing to prove: 409
POST /connexion/second-facteur/cle                      -   xx xx xx xx xx
POST /operateur/organisations/{id}/membres/{user}/second-facteur -   xr -- -- -- --   resetting another person's factor is an admin's act

GET  /structure                                         -   xx xx xx xx xx   anyone logged in switches organisation
POST /structure                                         -   xx xx xx xx xx
GET  /compte/courriels                                  -   xx xx xx xx xx   each person chooses the messages they receive
POST /compte/courriels                                  -   xx xx xx xx xx
GET  /connexion/proconnect                              x   xx xx xx xx xx   sign-in with ProConnect starts (404 when not set up)
GET  /connexion/proconnect/retour                       x   xx xx xx xx xx   the provider's callback
GET  /compte/proconnect                                 -   xx xx xx xx xx   a person's own links to ProConnect
POST /compte/proconnect/{id}/retrait                    -   xx xx xx xx xx   removes one of their own links

# The operator's space: its agents work the daily tasks (allocation,
# blocking, reading, the indicators); its admins create, record money,
# issue, qualify, settle, manage accounts and read the outbox.
GET  /operateur                                         -   xx -- -- -- --
GET  /operateur/recherche                               -   xx -- -- -- --
GET  /operateur/programmes/nouveau                      -   xx -- -- -- --   the form shows; sending it is the admins'
POST /operateur/programmes                              -   xr -- -- -- --
GET  /operateur/programmes/{id}                         -   xx -- -- -- --
POST /operateur/programmes/{id}/fonds                   -   xr -- -- -- --
POST /operateur/programmes/{id}/lots                    -   xr -- -- -- --
POST /operateur/programmes/{id}/activation              -   xr -- -- -- --
POST /operateur/programmes/{id}/attribution             -   xx -- -- -- --
POST /operateur/blocages                                -   xx -- -- -- --
GET  /operateur/travaux/{id}                            -   xx -- -- -- --
GET  /operateur/travaux/{id}/etat                       -   xx -- -- -- --
GET  /operateur/lots/{id}/pass.csv                      -   xr -- -- -- --   the printer's file holds every code
GET  /operateur/lots/{id}/carnets.pdf                   -   xr -- -- -- --
GET  /operateur/carnets/{number}                        -   xx -- -- -- --
GET  /operateur/beneficiaires/{ref}                     -   xx -- -- -- --
GET  /operateur/organisations                           -   xx -- -- -- --
POST /operateur/organisations                           -   xr -- -- -- --
GET  /operateur/organisations/{id}                      -   xx -- -- -- --
POST /operateur/organisations/{id}/membres              -   xr -- -- -- --
POST /operateur/organisations/{id}/rattachement         -   xr -- -- -- --
POST /operateur/organisations/{id}/membres/{user}/invitation -   xr -- -- -- --
GET  /operateur/courriels                               -   xr -- -- -- --   messages hold password reset links
POST /operateur/courriels/{id}/renvoi                   -   xr -- -- -- --   a failed message sent again
GET  /desabonnement/{token}                             x   xx xx xx xx xx   the link's secret is the authority
POST /desabonnement/{token}                             x   xx xx xx xx xx   a mail program's one-click POST, without session
POST /operateur/organisations/{id}/territoire           -   xr -- -- -- --
GET  /operateur/indicateurs                             -   xx -- -- -- --
POST /operateur/indicateurs/recalcul                    -   xx -- -- -- --
GET  /operateur/indicateurs/export.csv                  -   xx -- -- -- --
GET  /operateur/indicateurs/export.xlsx                 -   xx -- -- -- --
GET  /operateur/indicateurs/rapport.pdf                 -   xx -- -- -- --
GET  /operateur/candidatures                            -   xx -- -- -- --
GET  /operateur/conventions                             -   xx -- -- -- --   conventions of calls for projects, whose programmes the operator creates
GET  /operateur/conventions/{id}                        -   xx -- -- -- --
POST /operateur/conventions/{id}/programme              -   xr -- -- -- --
GET  /operateur/lieux                                   -   xx -- -- -- --
GET  /operateur/lieux/{id}                              -   xx -- -- -- --
POST /operateur/lieux/{id}/decision                     -   xr -- -- -- --
GET  /operateur/lieux/{id}/fiche                        -   xx -- -- -- --
POST /operateur/lieux/{id}/fiche                        -   xr -- -- -- --
GET  /operateur/lieux/import                            -   xx -- -- -- --
POST /operateur/lieux/import                            -   xr -- -- -- --   checking a file is the first step of creating venues
POST /operateur/lieux/import/confirmer                  -   xr -- -- -- --   confirming imports: an agent may not create venues
GET  /operateur/lieux/export.csv                        -   xx -- -- -- --
GET  /operateur/lieux/export-tableur.csv                -   xx -- -- -- --
GET  /operateur/lieux/export.json                       -   xx -- -- -- --
GET  /operateur/activite                                -   xx -- -- -- --
GET  /operateur/activite/export.csv                     -   xx -- -- -- --
GET  /operateur/reglements                              -   xx -- -- -- --   agents read the money out; admins move it
POST /operateur/reglements                              -   xr -- -- -- --
POST /operateur/reglements/{id}/validation              -   xr -- -- -- --
POST /operateur/reglements/compte                       -   xr -- -- -- --
POST /operateur/virements                               -   xr -- -- -- --
GET  /operateur/virements/{id}                          -   xx -- -- -- --
GET  /operateur/virements/{id}/pain001.xml              -   xx -- -- -- --
GET  /operateur/releves/{id}                            -   xx -- -- -- --
GET  /operateur/releves/{id}/releve.pdf                 -   xx -- -- -- --
GET  /operateur/releves/{id}/releve.csv                 -   xx -- -- -- --
POST /operateur/releves/{id}/validation                 -   xr -- -- -- --
POST /operateur/releves/{id}/paiement                   -   xr -- -- -- --
POST /operateur/releves/{id}/rejet                      -   xr -- -- -- --
GET  /operateur/programmes/{id}/reglement               -   xx -- -- -- --
POST /operateur/programmes/{id}/avoirs                  -   xr -- -- -- --
POST /operateur/programmes/{id}/expiration              -   xr -- -- -- --
GET  /operateur/appels/{id}/appel.pdf                   -   xx -- -- -- --
GET  /operateur/avoirs/{id}/avoir.pdf                   -   xx -- -- -- --

# The register of rights requests: the operator's staff, agents as admins,
# keep it.
GET  /operateur/demandes-rgpd                           -   xx -- -- -- --
POST /operateur/demandes-rgpd                           -   xx -- -- -- --
GET  /operateur/demandes-rgpd/{id}                      -   xx -- -- -- --
POST /operateur/demandes-rgpd/{id}/reponse              -   xx -- -- -- --
POST /operateur/demandes-rgpd/{id}/prolongation         -   xx -- -- -- --
GET  /operateur/journal-consultations                  -   xr -- -- -- --   the journal names the staff: the operator's admins review it
GET  /operateur/journal-consultations/export.csv       -   xr -- -- -- --

# The rights of the person: the operator's staff for any reference; the
# prescriber for the people it met (another's reference is not found).
GET  /operateur/droits                                  -   xx -- -- -- --
GET  /operateur/droits/{ref}                            -   xx -- -- -- --
GET  /operateur/droits/{ref}/donnees.pdf                -   xx -- -- -- --
GET  /operateur/droits/{ref}/donnees.json               -   xx -- -- -- --
POST /operateur/droits/{ref}/rectification              -   xx -- -- -- --
POST /operateur/droits/{ref}/limitation                 -   xx -- -- -- --
GET  /operateur/droits/{ref}/effacement                 -   xx -- -- -- --
POST /operateur/droits/{ref}/effacement                 -   xx -- -- -- --
GET  /prescripteur/personnes                            -   -- -- -- xx --
GET  /prescripteur/personnes/{ref}                      -   -- -- -- xx --
GET  /prescripteur/personnes/{ref}/donnees.pdf          -   -- -- -- xx --
POST /prescripteur/personnes/{ref}/rectification        -   -- -- -- xx --
POST /prescripteur/personnes/{ref}/demande              -   -- -- -- xx --

# Funders and hubs read figures; a funder blocks its stock and reads its
# invoices; a hub reads the advisers' activity of its territory.
GET  /financeur                                         -   -- xx xx -- --
GET  /financeur/programmes/{id}                         -   -- xx xx -- --
POST /financeur/programmes/{id}/blocage                 -   -- xx -- -- --   a hub reads, it does not block
GET  /financeur/appels                                  -   -- xx -- -- --   calls for projects: a funder's, and the collectivités' (funders too)
GET  /financeur/appels/{id}                             -   -- xx -- -- --
GET  /financeur/appels/{id}/candidature                 -   -- xx -- -- --
POST /financeur/appels/{id}/candidature                 -   -- xr -- -- --   a collectivité's admins apply
GET  /financeur/candidatures/{id}                       -   -- xx -- -- --
POST /financeur/candidatures/{id}/depot                 -   -- xr -- -- --
POST /financeur/candidatures/{id}/messages              -   -- xx -- -- --   questions and answers are everyone's of the two organisations
POST /financeur/candidatures/{id}/decision              -   -- xr -- -- --   deciding is the call's funder's admins'
POST /financeur/candidatures/{id}/pieces                -   -- xr -- -- --   a collectivité's admins join files to its draft
GET  /financeur/candidatures/{id}/pieces/{aid}/piece.pdf -  -- xx -- -- --   read by those who read the application
POST /financeur/candidatures/{id}/pieces/{aid}/suppression -   -- xr -- -- --
GET  /financeur/conventions                             -   -- xx xx -- --   the conventions of a territory: a funder's own, a hub's territory's
GET  /financeur/conventions/export.csv                  -   -- xx xx -- --
GET  /financeur/conventions/export.xlsx                 -   -- xx xx -- --
GET  /operateur/conventions/territoires                 -   xx -- -- -- --
GET  /operateur/conventions/territoires/export.csv      -   xx -- -- -- --
GET  /operateur/conventions/territoires/export.xlsx     -   xx -- -- -- --
GET  /financeur/conventions/{id}                        -   -- xx -- -- --
GET  /financeur/conventions/{id}/convention.pdf         -   -- xx -- -- --
GET  /financeur/conventions/{id}/avenants/{number}/avenant.pdf -   -- xx -- -- --
GET  /financeur/appels/nouveau                          -   -- xr -- -- --   opening a call is a funder's admins'
POST /financeur/appels                                  -   -- xr -- -- --
POST /financeur/candidatures/{id}/convention            -   -- xr -- -- --   the call's funder's admins establish, sign, amend and call for funds
POST /financeur/conventions/{id}/signatures             -   -- xr -- -- --
POST /financeur/conventions/{id}/avenants               -   -- xr -- -- --
POST /financeur/conventions/{id}/appels-de-fonds        -   -- xr -- -- --
GET  /financeur/indicateurs                             -   -- xx xx -- --
GET  /financeur/indicateurs/export.csv                  -   -- xx xx -- --
GET  /financeur/indicateurs/export.xlsx                 -   -- xx xx -- --
GET  /financeur/indicateurs/rapport.pdf                 -   -- xx xx -- --
GET  /financeur/activite                                -   -- -- xx -- --   a funder reads its programmes, not the venues' reports
GET  /financeur/activite/export.csv                     -   -- -- xx -- --
GET  /financeur/facturation                             -   -- xx -- -- --   invoices are the funder's
GET  /financeur/facturation/appels/{id}/appel.pdf       -   -- xx -- -- --
GET  /financeur/facturation/avoirs/{id}/avoir.pdf       -   -- xx -- -- --

# Prescribers hand carnets out, admins and agents alike.
GET  /prescripteur                                      -   -- -- -- xx --
GET  /prescripteur/remettre                             -   -- -- -- xx --
POST /prescripteur/remettre                             -   -- -- -- xx --
GET  /prescripteur/carnets/{number}/recu                -   -- -- -- xx --
GET  /prescripteur/carnets/{number}/atelier             -   -- -- -- xx --   the first workshop, booked at hand-out
POST /prescripteur/carnets/{number}/atelier             -   -- -- -- xx --
POST /prescripteur/carnets/{number}/inscriptions/{id}/annulation -   -- -- -- xx --

# Venues: the counter, sessions and reports are everyone's work; the
# catalogue, the description, the application, the bank account, the
# places and the team are the admins'.
GET  /lieu                                              -   -- -- -- -- xx
POST /lieu/encaisser                                    -   -- -- -- -- xx
GET  /lieu/historique                                   -   -- -- -- -- xx
GET  /lieu/encaissements/{id}/annuler                   -   -- -- -- -- xx
POST /lieu/encaissements/{id}/annuler                   -   -- -- -- -- xx
GET  /lieu/catalogue                                    -   -- -- -- -- xx
POST /lieu/catalogue                                    -   -- -- -- -- xr
GET  /lieu/catalogue/{id}                               -   -- -- -- -- xx   agents read the workshop
POST /lieu/catalogue/{id}                               -   -- -- -- -- xr
POST /lieu/catalogue/{id}/actif                         -   -- -- -- -- xr
GET  /lieu/seances                                      -   -- -- -- -- xx
POST /lieu/seances                                      -   -- -- -- -- xx
GET  /lieu/seances/{id}                                 -   -- -- -- -- xx
POST /lieu/seances/{id}/annulation                      -   -- -- -- -- xx
POST /lieu/seances/{id}/inscriptions                    -   -- -- -- -- xx
POST /lieu/seances/{id}/presences                       -   -- -- -- -- xx
POST /lieu/inscriptions/{id}/annulation                 -   -- -- -- -- xx
GET  /lieu/comptes-rendus                               -   -- -- -- -- xx
POST /lieu/comptes-rendus                               -   -- -- -- -- xx
GET  /lieu/comptes-rendus/nouveau                       -   -- -- -- -- xx
GET  /lieu/comptes-rendus/export.csv                    -   -- -- -- -- xx
GET  /lieu/releves                                      -   -- -- -- -- xx
GET  /lieu/releves/{id}                                 -   -- -- -- -- xx
GET  /lieu/releves/{id}/releve.pdf                      -   -- -- -- -- xx
GET  /lieu/releves/{id}/releve.csv                      -   -- -- -- -- xx
GET  /lieu/fiche                                        -   -- -- -- -- xx   agents read the description
POST /lieu/fiche                                        -   -- -- -- -- xr
GET  /lieu/candidature                                  -   -- -- -- -- xx
POST /lieu/candidature                                  -   -- -- -- -- xr
GET  /lieu/banque                                       -   -- -- -- -- xr   the bank account is the admins' only
POST /lieu/banque                                       -   -- -- -- -- xr
GET  /lieu/permanences                                  -   -- -- -- -- xx
POST /lieu/permanences                                  -   -- -- -- -- xr
GET  /lieu/equipe                                       -   -- -- -- -- xr
POST /lieu/equipe                                       -   -- -- -- -- xr
POST /lieu/equipe/{user}/invitation                     -   -- -- -- -- xr

# Personal data: the notice and the register are public, for people who
# never log in.
GET  /donnees-personnelles                              x   xx xx xx xx xx
GET  /donnees-personnelles/registre                     x   xx xx xx xx xx
GET  /donnees-personnelles/registre.pdf                 x   xx xx xx xx xx
`

// accessKinds are the columns of routeAccess after the anonymous one, two
// cells each: the admin's, then the agent's.
var accessKinds = []passnum.OrgKind{passnum.KindOperator, passnum.KindFunder, passnum.KindHub, passnum.KindPrescriber, passnum.KindVenue}

var accessRoles = []passnum.Role{passnum.RoleAdmin, passnum.RoleAgent}

// routeCells is one line of routeAccess, read.
type routeCells struct {
	anonymous byte
	member    map[passnum.OrgKind]map[passnum.Role]byte
}

// writtenAccess reads routeAccess by "METHOD path". It fails the test on a
// malformed line.
func writtenAccess(t *testing.T) map[string]routeCells {
	t.Helper()
	out := map[string]routeCells{}
	for line := range strings.Lines(routeAccess) {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if len(fields) < 3+len(accessKinds) || len(fields[2]) != 1 || strings.Trim(fields[2], "x-") != "" {
			t.Fatalf("route access: %q: want the method, the path, the anonymous cell (x or -), then two cells per kind (%v)", line, accessKinds)
		}
		k := fields[0] + " " + fields[1]
		if _, dup := out[k]; dup {
			t.Fatalf("route %s has two lines in routeAccess", k)
		}
		c := routeCells{anonymous: fields[2][0], member: map[passnum.OrgKind]map[passnum.Role]byte{}}
		for i, g := range fields[3 : 3+len(accessKinds)] {
			if len(g) != len(accessRoles) || strings.Trim(g, "xr-") != "" || strings.Count(g, "-")%len(accessRoles) != 0 {
				t.Fatalf("route access: %q: cells %q of %s: want two of x, r or -, and - for both roles or neither (a page is for a kind)", line, g, accessKinds[i])
			}
			c.member[accessKinds[i]] = map[passnum.Role]byte{}
			for j, role := range accessRoles {
				c.member[accessKinds[i]][role] = g[j]
			}
		}
		out[k] = c
	}
	return out
}

// TestRouteTable is the derived check beside the written one: every route
// of the route table has a line in routeAccess and every line a route, and
// the kinds each line lets in are those the route table lets in.
func TestRouteTable(t *testing.T) {
	if !slices.Equal(passnum.OrgKinds, accessKinds) {
		t.Fatalf("organisation kinds %v, routeAccess has columns for %v: add the kind's column", passnum.OrgKinds, accessKinds)
	}
	written := writtenAccess(t)
	seen := map[string]bool{}
	for _, rt := range routes {
		k := rt.method + " " + rt.path
		seen[k] = true
		c, ok := written[k]
		if !ok {
			t.Errorf("route %s has no line in routeAccess", k)
			continue
		}
		if anon := c.anonymous == 'x'; anon != (rt.access == public) {
			t.Errorf("route %s, anonymous visitors: routeAccess lets them in: %v; the route table: %v", k, anon, rt.access == public)
		}
		for _, kind := range accessKinds {
			if open := c.member[kind][passnum.RoleAdmin] != '-'; open != rt.allows(kind) {
				t.Errorf("route %s, %s: routeAccess lets it in: %v; the route table: %v", k, kind, open, rt.allows(kind))
			}
		}
	}
	for k := range written {
		if !seen[k] {
			t.Errorf("routeAccess has a line for %s, which is no route", k)
		}
	}
}

// routeRequest is what TestRouteRoles sends to a route: its path with the
// ids of real objects, and a form its handler reads through to the service
// where a role's refusal depends on it (empty otherwise).
type routeRequest struct {
	path string
	form url.Values
	// file is sent as the form's "file", multipart, as browsers send the
	// import of venues.
	file string
}

// routeObjects builds an object of each kind the routes name, so that pages
// are served with real data, and returns how to request each route.
func routeObjects(t *testing.T, s *site) map[string]routeRequest {
	t.Helper()
	env, f := s.env, s.f
	op := storetest.As(f.Operator)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// The hub's territory is the programme's, so that what a hub may read
	// of it, it can.
	_, err := env.Store.SetTerritory(op, s.hub.ID, []string{"region:53"})
	must(err)
	red, err := env.Store.Redeem(storetest.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(0)[0]), ServiceID: f.Service.ID, IdempotencyKey: "matrix"})
	must(err)
	_, err = env.Store.Redeem(storetest.VenueCtx(f.Venue2), passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(1)[0]), ServiceID: f.Service2.ID, IdempotencyKey: "matrix-2"})
	must(err)
	carnet, err := env.Store.FindCarnet(op, f.Batch.FirstCarnet)
	must(err)
	// Money out: a run with the venue's statement still a draft, and the
	// second venue's validated and in a payment batch.
	for _, b := range []struct {
		venue *passnum.Organisation
		iban  string
	}{{f.Venue, venueIBAN}, {f.Venue2, venue2IBAN}} {
		must(env.Store.UpdateBankAccount(op, b.venue.ID, passnum.BankAccount{Holder: b.venue.Name, IBAN: b.iban, BIC: "AGRIFRPP"}))
	}
	run, err := env.Store.RunSettlement(op, passnum.Today(env.Clock.Now()))
	must(err)
	statements, _, err := env.Store.ListStatements(op, passnum.StatementFilter{RunID: run.ID})
	must(err)
	var statement int64
	for _, st := range statements {
		if st.VenueID == f.Venue.ID {
			statement = st.ID
		} else {
			_, err := env.Store.ValidateStatement(op, st.ID)
			must(err)
		}
	}
	if statement == 0 || len(statements) != 2 {
		t.Fatalf("settlement run: %d statements, none for the venue", len(statements))
	}
	must(env.Store.SetPayerAccount(op, passnum.PayerAccount{Name: "Coopérative passnum", IBAN: payerIBAN, BIC: "AGRIFRPP"}))
	batch, err := env.Store.CreatePaymentBatch(op, passnum.Today(env.Clock.Now()))
	must(err)
	charges, err := env.Store.ListFunderCharges(op, f.State.ID, f.Programme.ID)
	must(err)
	if len(charges) == 0 {
		t.Fatal("settlement run: no charge for the funder")
	}
	// A session of the venue's workshop with one person registered.
	session, err := env.Store.CreateSession(storetest.VenueCtx(f.Venue), passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: storetest.Start.Add(24 * time.Hour), Capacity: 8})
	must(err)
	registration, err := env.Store.Register(storetest.VenueCtx(f.Venue), passnum.RegistrationCreate{SessionID: session.ID, Label: "Dominique"})
	must(err)
	file, err := env.Store.FindVenueFile(op, f.Venue.ID)
	must(err)
	// A member of the venue who has not accepted their invitation yet.
	invitee, err := env.Store.CreateUser(op, passnum.UserCreate{Email: "invitee@example.fr", Name: "Personne invitée", OrgID: f.Venue.ID, Role: passnum.RoleAgent})
	must(err)
	description := url.Values{}
	venueValues(description, &file.Venue)

	id := func(n int64) string { return fmt.Sprint(n) }
	// Every {id} is the programme's unless said otherwise.
	params := strings.NewReplacer("{id}", id(f.Programme.ID), "{number}", id(f.Batch.FirstCarnet), "{ref}", carnet.BeneficiaryRef, "{$}", "")
	byRoute := map[string]routeRequest{
		"GET /donnees-ouvertes/{file}": {path: "/donnees-ouvertes/pass-numerique.csv"},
		"GET /annuaire/{id}":           {path: "/annuaire/" + id(f.Venue.ID)},
		// Attachments of an application that is not there: the admin of a
		// funder meets "not found", its agent the service's refusal.
		"POST /financeur/candidatures/{id}/pieces":                   {path: "/financeur/candidatures/999/pieces", file: "%PDF-1.4\n%%EOF\n"},
		"GET /financeur/candidatures/{id}/pieces/{aid}/piece.pdf":    {path: "/financeur/candidatures/999/pieces/999/piece.pdf"},
		"POST /financeur/candidatures/{id}/pieces/{aid}/suppression": {path: "/financeur/candidatures/999/pieces/999/suppression"},

		"POST /operateur/programmes": {form: url.Values{
			"name": {"Pass numérique d'essai"}, "funder_1": {id(f.State.ID)}, "share_1": {"50"}, // half the shares: the service refuses it, after the role
			"budget": {"1000"}, "face_value": {"10"}, "carnet_size": {"10"}, "tolerance_days": {"31"}, "fee": {"4"},
			"valid_from": {"2027-01-01"}, "valid_until": {"2027-12-31"}, "territory_regions": {"53"},
			"services": {"Maîtrise des outils numériques du quotidien"}}},
		"POST /operateur/programmes/{id}/fonds":                        {form: url.Values{"funds_funder": {id(f.State.ID)}, "funds_amount": {"1"}}},
		"POST /operateur/programmes/{id}/lots":                         {form: url.Values{"issue_carnets": {"21"}}}, // over the budget: the job stops at once
		"POST /operateur/programmes/{id}/activation":                   {form: url.Values{"activate_first": {"900000"}, "activate_last": {"900001"}}},
		"GET /operateur/travaux/{id}":                                  {path: "/operateur/travaux/999"},
		"GET /operateur/travaux/{id}/etat":                             {path: "/operateur/travaux/999/etat"},
		"GET /operateur/lots/{id}/pass.csv":                            {path: fmt.Sprintf("/operateur/lots/%d/pass.csv", f.Batch.ID)},
		"GET /operateur/lots/{id}/carnets.pdf":                         {path: fmt.Sprintf("/operateur/lots/%d/carnets.pdf", f.Batch.ID)},
		"GET /operateur/organisations/{id}":                            {path: "/operateur/organisations/" + id(f.Venue.ID)},
		"POST /operateur/organisations/{id}/membres":                   {path: fmt.Sprintf("/operateur/organisations/%d/membres", f.Venue.ID)},
		"POST /operateur/organisations/{id}/rattachement":              {path: fmt.Sprintf("/operateur/organisations/%d/rattachement", f.Venue.ID)},
		"POST /operateur/organisations/{id}/membres/{user}/invitation": {path: fmt.Sprintf("/operateur/organisations/%d/membres/%d/invitation", f.Venue.ID, invitee.ID)},
		"POST /lieu/equipe/{user}/invitation":                          {path: fmt.Sprintf("/lieu/equipe/%d/invitation", invitee.ID)},
		"POST /operateur/organisations/{id}/territoire":                {path: fmt.Sprintf("/operateur/organisations/%d/territoire", s.hub.ID)},
		// The funder's agent has no second factor: the admin meets a
		// conflict (409), the agent the role's refusal.
		"POST /operateur/organisations/{id}/membres/{user}/second-facteur": {
			path: fmt.Sprintf("/operateur/organisations/%d/membres/%d/second-facteur", f.State.ID, s.userID(passnum.KindFunder, passnum.RoleAgent)),
			form: url.Values{fmt.Sprintf("reason-%d", s.userID(passnum.KindFunder, passnum.RoleAgent)): {"Téléphone perdu, vérifié par appel"}}},
		"GET /operateur/lieux/{id}": {path: "/operateur/lieux/" + id(f.Venue.ID)},
		"POST /operateur/lieux/{id}/decision": {path: fmt.Sprintf("/operateur/lieux/%d/decision", f.Venue.ID),
			form: url.Values{"status": {"suspended"}, "reason": {"Contrôle de la charte"}}},
		"GET /operateur/lieux/{id}/fiche":            {path: fmt.Sprintf("/operateur/lieux/%d/fiche", f.Venue.ID)},
		"POST /operateur/lieux/{id}/fiche":           {path: fmt.Sprintf("/operateur/lieux/%d/fiche", f.Venue.ID), form: description},
		"POST /operateur/lieux/import":               {file: csvOf(standardVenue("lieu-essai", "Espace numérique d'essai", "21350238800019"))},
		"POST /operateur/lieux/import/confirmer":     {form: url.Values{"token": {"no-such-import"}}},
		"POST /operateur/reglements/{id}/validation": {path: fmt.Sprintf("/operateur/reglements/%d/validation", run.ID)},
		"GET /operateur/virements/{id}":              {path: "/operateur/virements/" + id(batch.ID)},
		"GET /operateur/virements/{id}/pain001.xml":  {path: fmt.Sprintf("/operateur/virements/%d/pain001.xml", batch.ID)},
		"GET /operateur/releves/{id}":                {path: "/operateur/releves/" + id(statement)},
		"GET /operateur/releves/{id}/releve.pdf":     {path: fmt.Sprintf("/operateur/releves/%d/releve.pdf", statement)},
		"GET /operateur/releves/{id}/releve.csv":     {path: fmt.Sprintf("/operateur/releves/%d/releve.csv", statement)},
		"POST /operateur/releves/{id}/validation":    {path: fmt.Sprintf("/operateur/releves/%d/validation", statement)},
		"POST /operateur/releves/{id}/paiement":      {path: fmt.Sprintf("/operateur/releves/%d/paiement", statement)},
		"POST /operateur/releves/{id}/rejet":         {path: fmt.Sprintf("/operateur/releves/%d/rejet", statement), form: url.Values{"reason": {"AC04 compte clos"}}},
		"GET /operateur/appels/{id}/appel.pdf":       {path: fmt.Sprintf("/operateur/appels/%d/appel.pdf", charges[0].ID)},
		// No programme has expired, so there is no credit note: 404.
		"GET /operateur/avoirs/{id}/avoir.pdf": {path: "/operateur/avoirs/999/avoir.pdf"},

		"GET /financeur/facturation/appels/{id}/appel.pdf": {path: fmt.Sprintf("/financeur/facturation/appels/%d/appel.pdf", charges[0].ID)},
		"GET /financeur/facturation/avoirs/{id}/avoir.pdf": {path: "/financeur/facturation/avoirs/999/avoir.pdf"},

		// Not the redemption itself: voiding it would undo the statement.
		"GET /lieu/encaissements/{id}/annuler":  {path: fmt.Sprintf("/lieu/encaissements/%d/annuler", red.ID+1000)},
		"POST /lieu/encaissements/{id}/annuler": {path: fmt.Sprintf("/lieu/encaissements/%d/annuler", red.ID+1000)},
		"POST /lieu/catalogue": {form: url.Values{"title": {"Découvrir sa messagerie"}, "category": {"Maîtrise des outils numériques du quotidien"},
			"duration_minutes": {"90"}, "price_passes": {"1"}}},
		"GET /lieu/catalogue/{id}": {path: "/lieu/catalogue/" + id(f.Service.ID)},
		"POST /lieu/catalogue/{id}": {path: "/lieu/catalogue/" + id(f.Service.ID), form: url.Values{"title": {f.Service.Title}, "category": {f.Service.Category},
			"duration_minutes": {"90"}, "price_passes": {"1"}}},
		"POST /lieu/catalogue/{id}/actif":         {path: fmt.Sprintf("/lieu/catalogue/%d/actif", f.Service.ID), form: url.Values{"active": {"1"}}},
		"GET /lieu/seances/{id}":                  {path: "/lieu/seances/" + id(session.ID)},
		"POST /lieu/seances/{id}/annulation":      {path: fmt.Sprintf("/lieu/seances/%d/annulation", session.ID)},
		"POST /lieu/seances/{id}/inscriptions":    {path: fmt.Sprintf("/lieu/seances/%d/inscriptions", session.ID)},
		"POST /lieu/seances/{id}/presences":       {path: fmt.Sprintf("/lieu/seances/%d/presences", session.ID)},
		"POST /lieu/inscriptions/{id}/annulation": {path: fmt.Sprintf("/lieu/inscriptions/%d/annulation", registration.ID)},
		"GET /lieu/releves/{id}":                  {path: "/lieu/releves/" + id(statement)},
		"GET /lieu/releves/{id}/releve.pdf":       {path: fmt.Sprintf("/lieu/releves/%d/releve.pdf", statement)},
		"GET /lieu/releves/{id}/releve.csv":       {path: fmt.Sprintf("/lieu/releves/%d/releve.csv", statement)},
	}
	out := map[string]routeRequest{}
	for _, rt := range routes {
		k := rt.method + " " + rt.path
		req := byRoute[k]
		if req.path == "" {
			req.path = params.Replace(rt.path)
		}
		if rt.method == "POST" && req.form == nil {
			req.form = url.Values{}
		}
		out[k] = req
		delete(byRoute, k)
	}
	for k := range byRoute {
		t.Errorf("routeObjects names %s, which is no route", k)
	}
	return out
}

// sendRoute sends req to a route as p.
func (s *site) sendRoute(p *person, method string, req routeRequest) answer {
	s.t.Helper()
	if req.file == "" {
		return s.request(p, method, req.path, req.form, nil)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	secret := p.secret
	if p == anonymous {
		secret = anonCookie
	}
	mw.WriteField("csrf", csrfToken(secret))
	for k, vs := range req.form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile("file", "lieux.csv")
	if err != nil {
		s.t.Fatal(err)
	}
	fw.Write([]byte(req.file))
	mw.Close()
	return s.send(p, method, req.path, body.String(), false, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

// TestRouteRoles requests every route as every kind of organisation and
// role, and as an anonymous visitor, and checks each answer against the
// written routeAccess. In each kind the agent goes first: a refused
// request changes nothing, so the admin then meets the object as the
// agent did.
func TestRouteRoles(t *testing.T) {
	written := writtenAccess(t)
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		requests := routeObjects(t, s)
		for _, rt := range routes {
			k := rt.method + " " + rt.path
			cells, ok := written[k]
			if !ok {
				continue // TestRouteTable says so
			}
			req := requests[k]
			for _, kind := range accessKinds {
				for _, role := range []passnum.Role{passnum.RoleAgent, passnum.RoleAdmin} {
					p := s.as(kind, role)
					if rt.path == "/deconnexion" {
						// Logging out ends the session: use a fresh one.
						fresh := *p
						var err error
						if fresh.secret, _, err = env.Store.Login(t.Context(), p.email, p.password); err != nil {
							t.Fatal(err)
						}
						p = &fresh
					}
					a := s.sendRoute(p, rt.method, req)
					checkFooter(t, fmt.Sprintf("%s %s as %s %s", rt.method, req.path, kind, role), a)
					reserved := a.status == http.StatusForbidden && strings.Contains(a.body, routeReserved)
					text := a.text()
					refused := a.status == http.StatusForbidden && !reserved &&
						(strings.Contains(text, "ne permet pas cette action") || strings.Contains(text, "Réservé aux administrateurs du lieu"))
					switch want := cells.member[kind][role]; {
					case want == 'x' && (a.status == http.StatusUnauthorized || a.status == http.StatusForbidden || a.status >= 500):
						t.Errorf("%s %s as %s %s: %d, want served:\n%.300s", rt.method, req.path, kind, role, a.status, text)
					case want == '-' && !reserved:
						t.Errorf("%s %s as %s %s: %d, want 403 %q:\n%.300s", rt.method, req.path, kind, role, a.status, routeReserved, text)
					case want == 'r' && !refused:
						t.Errorf("%s %s as %s %s: %d, want 403 for the role, from the service or the venue's admin pages:\n%.300s", rt.method, req.path, kind, role, a.status, text)
					}
				}
			}
			a := s.sendRoute(anonymous, rt.method, req)
			checkFooter(t, fmt.Sprintf("%s %s anonymously", rt.method, req.path), a)
			switch {
			case cells.anonymous == 'x' && (a.status == http.StatusUnauthorized || a.status == http.StatusForbidden || a.status >= 500):
				t.Errorf("%s %s anonymously: %d, want served:\n%.300s", rt.method, req.path, a.status, a.text())
			case cells.anonymous == '-' && rt.method == "GET" && (a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/connexion?suite=")):
				t.Errorf("%s %s anonymously: %d to %q, want 303 to the login page", rt.method, req.path, a.status, a.header.Get("Location"))
			case cells.anonymous == '-' && rt.method == "POST" && a.status != http.StatusUnauthorized:
				t.Errorf("%s %s anonymously: %d, want 401", rt.method, req.path, a.status)
			}
		}
		storetest.MustCheck(t, env, s.f.Operator)
	})
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
