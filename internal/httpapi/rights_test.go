package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestRightsRoutes: a prescriber answers the person in front of it
// through the API: reads everything as JSON, corrects, restricts, and
// erases once the books allow it; every refusal is a problem answer with
// its stable type and a French detail, and another prescriber's person
// answers like a reference that does not exist.
func TestRightsRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		presc := a.token(f.Prescriber.ID, passnum.RoleAgent)
		other := a.token(f.Other.ID, passnum.RoleAdmin)
		ref := beneficiaryRef(t, a, f)
		base := "/api/v1/beneficiaries/" + ref

		var d passnum.PersonalData
		a.do(presc, "GET", base+"/personal-data", nil).ok(http.StatusOK, &d)
		if d.Beneficiary == nil || d.Beneficiary.Ref != ref || len(d.Carnets) != 1 || len(d.Fields) == 0 || d.Prescriber != f.Prescriber.Name {
			t.Errorf("personal data %+v", d)
		}
		theirs := a.do(other, "GET", base+"/personal-data", nil).problem(http.StatusNotFound, passnum.ReasonBeneficiaryUnknown)
		unknown := a.do(other, "GET", "/api/v1/beneficiaries/B-0000-0000/personal-data", nil).problem(http.StatusNotFound, passnum.ReasonBeneficiaryUnknown)
		if strings.ReplaceAll(theirs.Detail, ref, "REF") != strings.ReplaceAll(unknown.Detail, "B-0000-0000", "REF") {
			t.Errorf("another's person %q, an unknown reference %q: they must read alike", theirs.Detail, unknown.Detail)
		}

		var b passnum.Beneficiary
		a.do(presc, "POST", base+"/rectification", map[string]any{"commune_insee": "29019", "reason": "erreur de saisie"}).ok(http.StatusOK, &b)
		if b.CommuneINSEE != "29019" {
			t.Errorf("rectified %+v", b)
		}
		if p := a.do(presc, "POST", base+"/rectification", map[string]any{"commune_insee": "29019"}).problem(http.StatusBadRequest, passnum.ReasonInvalidInput); p.Field != "reason" {
			t.Errorf("a correction without reason: %+v", p)
		}
		a.do(presc, "POST", base+"/restriction", map[string]any{"reason": "oubli"}).problem(http.StatusBadRequest, passnum.ReasonInvalidInput)
		a.do(presc, "POST", base+"/restriction", map[string]any{"restricted": true, "reason": "conteste sa commune"}).ok(http.StatusOK, &b)
		if b.RestrictedAt == nil {
			t.Errorf("restricted %+v", b)
		}
		p := a.do(presc, "POST", fmt.Sprintf("/api/v1/carnets/%d/distribution", f.Batch.FirstCarnet+7), map[string]any{"beneficiary_ref": ref}).
			problem(http.StatusUnprocessableEntity, passnum.ReasonBeneficiaryRestricted)
		if !strings.Contains(p.Detail, "limitation") {
			t.Errorf("refusal %+v", p)
		}
		a.do(presc, "POST", base+"/restriction", map[string]any{"restricted": false}).ok(http.StatusOK, &b)

		p = a.do(presc, "POST", base+"/erasure", map[string]any{"reason": "demande de la personne"}).problem(http.StatusUnprocessableEntity, passnum.ReasonErasureUnbalances)
		if !strings.Contains(p.Detail, "5 pass non utilisés") {
			t.Errorf("refusal %+v", p)
		}
		if _, err := env.Store.Block(storetest.As(f.Operator), passnum.BlockRequest{Scope: passnum.BlockCarnet, Carnet: f.Batch.FirstCarnet, Reason: "effacement"}); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(time.Hour)
		var e passnum.Erasure
		a.do(presc, "POST", base+"/erasure", map[string]any{"reason": "demande de la personne"}).ok(http.StatusOK, &e)
		if e.Ref != ref || e.ErasedAt.IsZero() {
			t.Errorf("erasure %+v", e)
		}
		a.do(presc, "GET", base+"/personal-data", nil).problem(http.StatusNotFound, passnum.ReasonBeneficiaryUnknown)
		a.do(a.operatorToken(), "POST", base+"/erasure", map[string]any{"reason": "encore"}).problem(http.StatusNotFound, passnum.ReasonBeneficiaryUnknown)
		storetest.MustCheck(t, env, f.Operator)
	})
}
