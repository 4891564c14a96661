package httpapi_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpapi"
	"github.com/passnum/passnum/internal/storetest"
)

// TestMinimisedAnswers asks every GET route of the API, as every kind of
// organisation and role, over data holding distinctive personal values,
// and checks that no answer (JSON, CSV, PDF, spreadsheet) holds a value of
// a field the declaration (passnum.PersonalFields) does not give that
// kind. The expectation is the declaration's readers.
func TestMinimisedAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		s, op := env.Store, storetest.As(f.Operator)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		hub, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub du Grand Ouest"})
		must(err)
		_, err = s.SetTerritory(op, hub.ID, []string{"region:53"})
		must(err)

		// One person with distinctive details, their pass used at the
		// venue, a seat in a session, an adviser's report naming them.
		dist, err := s.Distribute(storetest.As(storetest.Actor(f.Prescriber, passnum.RoleAgent)), passnum.DistributeRequest{
			Carnet: f.Batch.FirstCarnet + 8,
			Beneficiary: &passnum.BeneficiaryInput{BirthYear: 1931, CommuneINSEE: "22278", Needs: []string{"Aide aux démarches administratives"},
				Autonomy: "faible", ConsentAt: "2027-03-01"},
		})
		must(err)
		ref := dist.Beneficiary.Ref
		venue := storetest.VenueCtx(f.Venue)
		_, err = s.Redeem(venue, passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(8)[0]), ServiceID: f.Service.ID, IdempotencyKey: "minimise"})
		must(err)
		session, err := s.CreateSession(venue, passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: storetest.Start.Add(48 * time.Hour), Capacity: 8})
		must(err)
		for _, r := range []passnum.RegistrationCreate{{SessionID: session.ID, Label: "Zephyrine"}, {SessionID: session.ID, BeneficiaryRef: ref}} {
			_, err := s.Register(venue, r)
			must(err)
		}
		_, err = s.CreateActivityReport(venue, passnum.ActivityReport{Format: passnum.FormatIndividual, Date: passnum.Today(env.Clock.Now()),
			DurationMinutes: 60, Themes: []string{"Courriels"}, PlaceKind: "lieu", Participants: 1, BeneficiaryRefs: []string{ref},
			Notes: "Quetzalcoatl-notes-7781 : a peur des arnaques"})
		must(err)
		must(s.UpdateBankAccount(op, f.Venue.ID, passnum.BankAccount{Holder: f.Venue.Name, IBAN: testIBAN, BIC: "AGRIFRPP"}))
		run, err := s.RunSettlement(op, passnum.Today(env.Clock.Now()))
		must(err)
		statements, _, err := s.ListStatements(op, passnum.StatementFilter{RunID: run.ID})
		must(err)
		charges, err := s.ListFunderCharges(op, f.State.ID, f.Programme.ID)
		must(err)
		if len(statements) == 0 || len(charges) == 0 {
			t.Fatalf("settlement: %d statements, %d charges", len(statements), len(charges))
		}
		values := []storetest.PersonalValue{
			{Field: "beneficiary.ref", Value: ref},
			{Field: "beneficiary.birth_year", Value: "1931"},
			{Field: "beneficiary.commune", Value: "22278"},
			{Field: "registration.person", Value: "Zephyrine"},
			{Field: "activity.notes", Value: "Quetzalcoatl-notes-7781"},
			// The JSON key of who holds a carnet: a funder follows its
			// carnets without it.
			{Field: "carnet.holder", Value: `"beneficiary_id":`},
		}

		// Every GET route, its parameters naming the objects above.
		params := strings.NewReplacer("{id}", fmt.Sprint(f.Programme.ID), "{number}", fmt.Sprint(dist.Carnet.Number), "{ref}", ref+"?reason=contr%C3%B4le", "{type}", "forbidden")
		byPath := map[string][]string{
			"/api/v1/organisations/{id}":         {fmt.Sprint("/api/v1/organisations/", f.Venue.ID), fmt.Sprint("/api/v1/organisations/", f.Prescriber.ID)},
			"/api/v1/organisations/{id}/members": {fmt.Sprintf("/api/v1/organisations/%d/members", f.Venue.ID)},
			"/api/v1/batches/{id}/passes.csv":    {fmt.Sprintf("/api/v1/batches/%d/passes.csv", f.Batch.ID)},
			"/api/v1/venues/{id}/services":       {fmt.Sprintf("/api/v1/venues/%d/services", f.Venue.ID)},
			"/api/v1/venues/{id}":                {fmt.Sprint("/api/v1/venues/", f.Venue.ID)},
			"/api/v1/sessions/{id}":              {fmt.Sprint("/api/v1/sessions/", session.ID)},
			"/api/v1/statements/{id}":            {fmt.Sprint("/api/v1/statements/", statements[0].ID)},
			"/api/v1/statements/{id}/csv":        {fmt.Sprintf("/api/v1/statements/%d/csv", statements[0].ID)},
			"/api/v1/statements/{id}/pdf":        {fmt.Sprintf("/api/v1/statements/%d/pdf", statements[0].ID)},
			"/api/v1/funder-charges/{id}/pdf":    {fmt.Sprintf("/api/v1/funder-charges/%d/pdf", charges[0].ID)},
			"/api/v1/public/directory/{id}":      {fmt.Sprint("/api/v1/public/directory/", f.Venue.ID)},
			"/api/v1/search":                     {"/api/v1/search?q=" + url.QueryEscape(ref), fmt.Sprint("/api/v1/search?q=", dist.Carnet.Number)},
			"/api/v1/carnets":                    {"/api/v1/carnets?distributed=true&limit=500"},
			"/api/v1/sessions":                   {fmt.Sprint("/api/v1/sessions?venue_id=", f.Venue.ID)},
		}
		var paths []string
		for _, rt := range httpapi.Routes() {
			if rt.Method != "GET" || !strings.HasPrefix(rt.Path, "/api/v1/") {
				continue // the OpenAPI document and problem types describe, they hold no record
			}
			if p, ok := byPath[rt.Path]; ok {
				paths = append(paths, p...)
				continue
			}
			paths = append(paths, params.Replace(rt.Path))
		}
		tokens := map[passnum.OrgKind]int64{
			passnum.KindOperator: f.Operator.OrgID, passnum.KindFunder: f.State.ID, passnum.KindHub: hub.ID,
			passnum.KindPrescriber: f.Prescriber.ID, passnum.KindVenue: f.Venue.ID,
		}
		leaks := storetest.NewLeaks(t, values)
		for _, kind := range matrixKinds {
			for _, role := range matrixRoles {
				token := a.token(tokens[kind], role)
				for _, path := range paths {
					if res := a.do(token, "GET", path, nil); res.status == 200 {
						leaks.Check(fmt.Sprintf("GET %s as %s %s", path, kind, role), kind, res.body)
					}
				}
			}
		}
		leaks.Done(100)
	})
}
