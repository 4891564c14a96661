package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestQualificationOnePath sends moves the workflow forbids to both
// addresses that take a decision: each is refused with the workflow's
// reason and the venue keeps its status.
func TestQualificationOnePath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2})
		a := newAPI(t, env)
		op := a.operatorToken()
		// Created by the operator, without an application: no file.
		var bare passnum.Organisation
		a.do(op, "POST", "/api/v1/organisations", passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Lieu sans dossier",
			SIRET: "44306184100047", CommuneINSEE: "35238"}).ok(http.StatusCreated, &bare)
		var withdrawn passnum.Organisation
		a.do(op, "POST", "/api/v1/organisations", passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Lieu fermé",
			SIRET: "35600000000048", CommuneINSEE: "35238"}).ok(http.StatusCreated, &withdrawn)
		a.do(op, "POST", fmt.Sprintf("/api/v1/venues/%d/qualification", withdrawn.ID), map[string]any{"status": "refused", "reason": "Hors périmètre."}).ok(http.StatusOK, nil)

		for _, tc := range []struct {
			name   string
			venue  int64
			status passnum.Qualification
			from   passnum.Qualification
			reason string
		}{
			{"qualified without a file", bare.ID, passnum.QualificationQualified, passnum.QualificationPending, "file-incomplete"},
			{"qualified back to pending", f.Venue.ID, passnum.QualificationPending, passnum.QualificationQualified, "qualification-move"},
			{"qualified to refused", f.Venue.ID, passnum.QualificationRefused, passnum.QualificationQualified, "qualification-move"},
			{"refused to qualified", withdrawn.ID, passnum.QualificationQualified, passnum.QualificationRefused, "qualification-move"},
			{"pending to withdrawn", bare.ID, passnum.QualificationWithdrawn, passnum.QualificationPending, "qualification-move"},
		} {
			for _, path := range []string{"/api/v1/organisations/%d/qualification", "/api/v1/venues/%d/qualification"} {
				t.Run(tc.name+" "+path, func(t *testing.T) {
					a.do(op, "POST", fmt.Sprintf(path, tc.venue), map[string]any{"status": tc.status, "reason": "Décision de test."}).
						problem(http.StatusConflict, tc.reason)
					var o passnum.Organisation
					a.do(op, "GET", fmt.Sprintf("/api/v1/organisations/%d", tc.venue), nil).ok(http.StatusOK, &o)
					if o.Qualification != tc.from {
						t.Fatalf("the venue is %q after a refused move, want %q", o.Qualification, tc.from)
					}
				})
			}
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}
