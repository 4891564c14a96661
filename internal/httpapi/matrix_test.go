package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// call is one request of the role matrix, built for the organisation of
// the token making it, so that ownership rules (admins manage their own
// organisation) do not hide what the permission table says.
type call struct {
	method, path string
	body         any
}

// TestRoleMatrix calls a representative route of every action with a
// token of every organisation kind and role, and checks the answer against
// passnum's permission table: 403 exactly where the actor cannot, neither
// 401 nor 403 (nor a 5xx) where it can.
func TestRoleMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		hub, err := env.Store.CreateOrganisation(storetest.As(f.Operator), passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub du Grand Ouest"})
		if err != nil {
			t.Fatal(err)
		}
		// One organisation of each kind; the funder funds the fixture's
		// programme, so that what it may read, it can.
		orgs := map[passnum.OrgKind]int64{
			passnum.KindOperator:   f.Operator.OrgID,
			passnum.KindFunder:     f.State.ID,
			passnum.KindHub:        hub.ID,
			passnum.KindPrescriber: f.Prescriber.ID,
			passnum.KindVenue:      f.Venue.ID,
		}
		prog := fmt.Sprintf("/api/v1/programmes/%d", f.Programme.ID)
		n := 0
		unique := func() int { n++; return n }
		representative := map[passnum.Action]func(org int64) call{
			passnum.ActOrgCreate: func(int64) call {
				return call{"POST", "/api/v1/organisations", map[string]any{"kind": "funder", "name": fmt.Sprintf("Mécène %d", unique())}}
			},
			passnum.ActOrgRead: func(org int64) call { return call{"GET", fmt.Sprintf("/api/v1/organisations/%d", org), nil} },
			passnum.ActOrgQualify: func(int64) call {
				return call{"POST", fmt.Sprintf("/api/v1/organisations/%d/qualification", f.Venue.ID), map[string]any{"status": "qualified", "reason": "revue annuelle"}}
			},
			passnum.ActUserCreate: func(org int64) call {
				return call{"POST", "/api/v1/users", map[string]any{"email": fmt.Sprintf("agent%d@example.org", unique()), "name": "Camille", "password": "correct horse battery", "org_id": org, "role": "agent"}}
			},
			passnum.ActTokenManage:     func(org int64) call { return call{"GET", fmt.Sprintf("/api/v1/organisations/%d/tokens", org), nil} },
			passnum.ActProgrammeCreate: func(int64) call { return call{"POST", "/api/v1/programmes", map[string]any{}} },
			passnum.ActProgrammeRead:   func(int64) call { return call{"GET", prog, nil} },
			passnum.ActFundsRecord: func(int64) call {
				return call{"POST", prog + "/funds", map[string]any{"funder_id": f.State.ID, "reference": fmt.Sprintf("OP-%d", unique()), "amount_cents": 100, "received_on": "2027-03-01"}}
			},
			passnum.ActIssue:      func(int64) call { return call{"POST", prog + "/batches", map[string]any{"carnets": 0}} },
			passnum.ActActivate:   func(int64) call { return call{"POST", prog + "/activations", map[string]any{}} },
			passnum.ActAllocate:   func(int64) call { return call{"POST", "/api/v1/allocations", map[string]any{}} },
			passnum.ActCarnetRead: func(int64) call { return call{"GET", "/api/v1/carnets", nil} },
			passnum.ActDistribute: func(int64) call {
				return call{"POST", fmt.Sprintf("/api/v1/carnets/%d/distribution", f.Batch.FirstCarnet+6), map[string]any{}}
			},
			passnum.ActBlock:  func(int64) call { return call{"POST", "/api/v1/blocks", map[string]any{}} },
			passnum.ActExpire: func(int64) call { return call{"POST", "/api/v1/expiry", nil} },
			passnum.ActCheck:  func(int64) call { return call{"POST", "/api/v1/checks", map[string]any{"codes": []string{}}} },
			passnum.ActRedeem: func(int64) call {
				return call{"POST", "/api/v1/redemptions", map[string]any{"codes": []string{}, "service_id": f.Service.ID, "idempotency_key": "matrix"}}
			},
			passnum.ActVoid:           func(int64) call { return call{"POST", "/api/v1/redemptions/999999/void", nil} },
			passnum.ActRedemptionRead: func(int64) call { return call{"GET", "/api/v1/redemptions", nil} },
			passnum.ActCatalogueEdit:  func(int64) call { return call{"POST", "/api/v1/services", map[string]any{}} },
			passnum.ActCatalogueRead:  func(int64) call { return call{"GET", fmt.Sprintf("/api/v1/venues/%d/services", f.Venue.ID), nil} },
			passnum.ActBeneficiaryRead: func(int64) call {
				return call{"GET", "/api/v1/beneficiaries/B-0000-0000", nil}
			},
			passnum.ActInvariantsCheck: func(int64) call { return call{"GET", "/api/v1/invariants", nil} },
			passnum.ActPassExport:      func(int64) call { return call{"GET", fmt.Sprintf("/api/v1/batches/%d/passes.csv", f.Batch.ID), nil} },
			passnum.ActSearch:          func(int64) call { return call{"GET", "/api/v1/search?q=quincaillerie", nil} },
			passnum.ActOutboxRead:      func(int64) call { return call{"GET", "/api/v1/outbox", nil} },
			passnum.ActMembersRead:     func(org int64) call { return call{"GET", fmt.Sprintf("/api/v1/organisations/%d/members", org), nil} },
			passnum.ActSessionManage: func(int64) call {
				return call{"POST", "/api/v1/sessions", map[string]any{"service_id": f.Service.ID, "starts_at": storetest.Start.Add(24 * time.Hour), "capacity": 8}}
			},
			passnum.ActActivityWrite: func(int64) call { return call{"POST", "/api/v1/activity-reports", map[string]any{}} },
			passnum.ActActivityRead:  func(int64) call { return call{"GET", "/api/v1/activity-reports", nil} },
			passnum.ActSettle: func(int64) call {
				return call{"POST", "/api/v1/settlement-runs", map[string]any{"cut_off": "2027-03-14"}}
			},
			passnum.ActStatementRead:  func(int64) call { return call{"GET", "/api/v1/statements", nil} },
			passnum.ActChargeRead:     func(int64) call { return call{"GET", "/api/v1/funder-charges", nil} },
			passnum.ActIndicatorsRead: func(int64) call { return call{"GET", "/api/v1/indicator-scopes", nil} },
			passnum.ActIndicatorsRun:  func(int64) call { return call{"POST", "/api/v1/indicators/refresh", nil} },
		}
		for _, action := range passnum.Actions() {
			build, ok := representative[action]
			if !ok {
				t.Errorf("action %s has no representative route in the role matrix", action)
				continue
			}
			for _, kind := range passnum.OrgKinds {
				for _, role := range []passnum.Role{passnum.RoleAdmin, passnum.RoleAgent} {
					actor := &passnum.Actor{OrgKind: kind, Role: role}
					c := build(orgs[kind])
					res := a.do(a.token(orgs[kind], role), c.method, c.path, c.body)
					if actor.Can(action) {
						if res.status == http.StatusUnauthorized || res.status == http.StatusForbidden || res.status >= 500 {
							t.Errorf("%s as %s %s: %s %s answered %d, want allowed: %s", action, kind, role, c.method, c.path, res.status, res.body)
						}
					} else if res.status != http.StatusForbidden {
						t.Errorf("%s as %s %s: %s %s answered %d, want 403: %s", action, kind, role, c.method, c.path, res.status, res.body)
					} else {
						res.problem(http.StatusForbidden, "forbidden")
					}
				}
			}
		}
	})
}
