package web

import (
	"fmt"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// seedPersonal records, beside routeObjects' data, one person with
// distinctive details, a seat in a session and an adviser's report
// naming them, and returns the values each field shows and the paths of
// the pages about them, walked beside the route table's.
func seedPersonal(t *testing.T, s *site) ([]storetest.PersonalValue, []string) {
	t.Helper()
	env, f := s.env, s.f
	dist, err := env.Store.Distribute(storetest.As(storetest.Actor(f.Prescriber, passnum.RoleAgent)), passnum.DistributeRequest{
		Carnet: f.Batch.FirstCarnet + 8,
		Beneficiary: &passnum.BeneficiaryInput{BirthYear: 1931, CommuneINSEE: "22278", Needs: []string{"Aide aux démarches administratives"},
			Autonomy: "faible", ConsentAt: "2027-03-01"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ref := dist.Beneficiary.Ref
	venue := storetest.VenueCtx(f.Venue)
	session, err := env.Store.CreateSession(venue, passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: storetest.Start.Add(48 * 3600e9), Capacity: 8})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []passnum.RegistrationCreate{{SessionID: session.ID, Label: "Zephyrine"}, {SessionID: session.ID, BeneficiaryRef: ref}} {
		if _, err := env.Store.Register(venue, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.Store.CreateActivityReport(venue, passnum.ActivityReport{
		Format: passnum.FormatIndividual, Date: passnum.Today(env.Clock.Now()), DurationMinutes: 60, Themes: []string{"Courriels"},
		PlaceKind: "lieu", Participants: 1, BeneficiaryRefs: []string{ref}, Notes: "Quetzalcoatl-notes-7781 : a peur des arnaques",
	}); err != nil {
		t.Fatal(err)
	}
	paths := []string{"/operateur/beneficiaires/" + ref + "?motif=contr%C3%B4le", fmt.Sprintf("/prescripteur/carnets/%d/recu", dist.Carnet.Number),
		fmt.Sprintf("/lieu/seances/%d", session.ID), fmt.Sprintf("/operateur/carnets/%d", dist.Carnet.Number),
		"/operateur/recherche?q=" + ref}
	return []storetest.PersonalValue{
		{Field: "beneficiary.ref", Value: ref},
		{Field: "beneficiary.birth_year", Value: "1931"},
		{Field: "beneficiary.commune", Value: "22278"},
		{Field: "beneficiary.commune", Value: "Saint-Brieuc"},
		{Field: "registration.person", Value: "Zephyrine"},
		{Field: "activity.notes", Value: "Quetzalcoatl-notes-7781"},
	}, paths
}

// TestMinimisedPages walks every page and file of the web interface that
// a GET serves, as every kind of organisation and role, over data holding
// distinctive personal values, and checks that no answer shows a value of
// a field the declaration (passnum.PersonalFields) does not give that
// kind. The expectation is the declaration's readers: a change there
// changes what this test demands.
func TestMinimisedPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		requests := routeObjects(t, s)
		values, extra := seedPersonal(t, s)
		var paths []string
		for _, rt := range routes {
			if rt.method == "GET" {
				paths = append(paths, requests[rt.method+" "+rt.path].path)
			}
		}
		leaks := storetest.NewLeaks(t, values)
		for _, path := range append(paths, extra...) {
			for _, kind := range accessKinds {
				for _, role := range accessRoles {
					if a := s.get(s.as(kind, role), path); a.status == 200 {
						leaks.Check(fmt.Sprintf("GET %s as %s %s", path, kind, role), kind, []byte(a.body))
					}
				}
			}
		}
		// Each value shows somewhere to a kind that reads it: the search
		// would find it if it leaked.
		leaks.Done(100)
	})
}
