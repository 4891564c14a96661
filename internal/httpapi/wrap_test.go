package httpapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestWrappedErrorKeepsItsProblem: the store wraps its errors to say which
// record failed; the API still answers with the passnum.Error inside, its
// status, reason, title, French message and field, never the wrapped text.
func TestWrappedErrorKeepsItsProblem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		carnet := f.Batch.FirstCarnet // in the stock of f.Prescriber, not of f.Other
		req := passnum.DistributeRequest{Carnet: carnet, BeneficiaryRef: "B-0000-0000"}

		_, err := env.Store.Distribute(storetest.As(storetest.Actor(f.Other, passnum.RoleAgent)), req)
		var e *passnum.Error
		if !errors.As(err, &e) || e.Code != passnum.EREFUSED || e.Reason != passnum.ReasonCarnetNotInStock || e.Field != "carnet" {
			t.Fatalf("store: %v, want a %s refusal on carnet", err, passnum.ReasonCarnetNotInStock)
		}
		if want := fmt.Sprintf("distribute carnet %d: ", carnet); !strings.HasPrefix(err.Error(), want) {
			t.Errorf("store error %q does not say where it came from (%q)", err, want)
		}
		if passnum.ErrorCode(err) != passnum.EREFUSED || passnum.ErrorReason(err) != passnum.ReasonCarnetNotInStock || passnum.ErrorMessage(err) != e.Message {
			t.Errorf("wrapped: code %q, reason %q, message %q; want those of %+v",
				passnum.ErrorCode(err), passnum.ErrorReason(err), passnum.ErrorMessage(err), e)
		}

		other := a.token(f.Other.ID, passnum.RoleAgent)
		p := a.do(other, "POST", fmt.Sprintf("/api/v1/carnets/%d/distribution", carnet), map[string]any{"beneficiary_ref": req.BeneficiaryRef}).
			problem(http.StatusUnprocessableEntity, passnum.ReasonCarnetNotInStock)
		if p.Title != "Carnet hors de votre stock" || p.Detail != e.Message || p.Field != "carnet" {
			t.Errorf("problem %+v, want the title of %s, detail %q and field carnet", p, passnum.ReasonCarnetNotInStock, e.Message)
		}
	})
}
