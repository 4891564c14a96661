package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestRetentionRunsRoute: operator admins read the runs of the retention
// job, newest first, with their counts.
func TestRetentionRunsRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		a := newAPI(t, env)
		for range 2 {
			if _, err := env.Store.RunRetention(storetest.As(a.op), false); err != nil {
				t.Fatal(err)
			}
		}
		var list struct{ Runs []passnum.RetentionRun }
		a.do(a.operatorToken(), "GET", "/api/v1/retention-runs?limit=1", nil).ok(http.StatusOK, &list)
		if len(list.Runs) != 1 || list.Runs[0].ID != 2 || list.Runs[0].Status != passnum.RetentionDone || len(list.Runs[0].Counts) == 0 {
			t.Errorf("runs %+v", list.Runs)
		}
		a.do(a.operatorToken(), "GET", "/api/v1/retention-runs?limit=0", nil).problem(http.StatusBadRequest, passnum.ReasonInvalidInput)
		a.do(a.token(a.op.OrgID, passnum.RoleAgent), "GET", "/api/v1/retention-runs", nil).problem(http.StatusForbidden, passnum.ReasonForbidden)
	})
}
