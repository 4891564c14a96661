package web

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// personalValue is a distinctive value of one declared personal field,
// seeded so that a page or file that shows it can be caught.
type personalValue struct {
	field string // a passnum.PersonalFields key
	value string
}

// seedPersonal records, beside routeObjects' data, one person with
// distinctive details, a seat in a session and an adviser's report
// naming them, and returns the values each field shows and the paths of
// the pages about them, walked beside the route table's.
func seedPersonal(t *testing.T, s *site) ([]personalValue, []string) {
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
	return []personalValue{
		{"beneficiary.ref", ref},
		{"beneficiary.birth_year", "1931"},
		{"beneficiary.commune", "22278"},
		{"beneficiary.commune", "Saint-Brieuc"},
		{"registration.person", "Zephyrine"},
		{"activity.notes", "Quetzalcoatl-notes-7781"},
	}, paths
}

// readableText is what a body shows once opened: the inflated streams of
// a PDF, the parts of a spreadsheet, the body itself otherwise.
func readableText(t *testing.T, body string) string {
	t.Helper()
	switch {
	case strings.HasPrefix(body, "%PDF"):
		var out strings.Builder
		rest := body
		for {
			i := strings.Index(rest, "stream")
			if i < 0 {
				break
			}
			rest = strings.TrimLeft(rest[i+len("stream"):], "\r\n")
			end := strings.Index(rest, "endstream")
			if end < 0 {
				break
			}
			if r, err := zlib.NewReader(strings.NewReader(rest[:end])); err == nil {
				b, _ := io.ReadAll(r)
				out.Write(b)
			}
			out.WriteString(rest[:end]) // uncompressed streams as they are
			rest = rest[end+len("endstream"):]
		}
		return out.String()
	case strings.HasPrefix(body, "PK"):
		z, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
		if err != nil {
			t.Fatalf("spreadsheet: %v", err)
		}
		var out strings.Builder
		for _, f := range z.File {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r)
			r.Close()
			out.Write(b)
		}
		return out.String()
	}
	return body
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
		walked, shown := 0, map[string]bool{}
		for _, path := range append(paths, extra...) {
			for _, kind := range accessKinds {
				for _, role := range accessRoles {
					a := s.get(s.as(kind, role), path)
					if a.status != 200 {
						continue
					}
					walked++
					text := readableText(t, a.body)
					for _, v := range values {
						if !strings.Contains(text, v.value) {
							continue
						}
						shown[v.value] = true
						if !passnum.FindPersonalField(v.field).ReadableBy(kind) {
							t.Errorf("GET %s as %s %s shows %s (%q), which the declaration does not give to %s", path, kind, role, v.field, v.value, kind)
						}
					}
				}
			}
		}
		if walked < 100 {
			t.Fatalf("only %d pages served: is the walk broken?", walked)
		}
		// Each value shows somewhere to a kind that reads it: the search
		// would find it if it leaked.
		for _, v := range values {
			if !shown[v.value] {
				t.Errorf("%s (%q) shows on no page: the walk would not see it leak", v.field, v.value)
			}
		}
	})
}
