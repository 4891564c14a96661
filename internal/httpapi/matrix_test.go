package httpapi_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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

// roleMatrix is who may attempt each action, written out by a person
// from the rules of the platform (DOMAIN.md, the README, the comments of
// permission.go) rather than read from the permission table it checks:
// a wrong cell in either fails TestRoleMatrixTable, and a route that
// answers otherwise fails TestRoleMatrix.
//
// One line per action: its name, then two cells per organisation kind
// (operator, funder, hub, prescriber, venue), the admin's then the
// agent's: "x" allowed, "-" refused (403); then why, for the reader.
// Whether the object is the actor's own (its programmes, its stock, its
// venue) is the store's ownership check, tested by TestCrossOrganisation.
const roleMatrix = `
# action              op fu hu pr ve
org.create            x- -- -- -- --   the operator creates every organisation
org.read              xx xx xx xx xx   everyone reads its own; the operator all
org.qualify           x- -- -- -- --   qualifying a venue is an operator admin's decision
user.create           x- x- x- x- x-   admins add accounts to their own organisation
token.manage          x- x- x- x- x-   API tokens are an admin's, like accounts
programme.create      x- -- -- -- --
programme.read        xx xx xx -- --   funders read theirs, hubs their territory's
funds.record          x- -- -- -- --   money in: operator admins only
carnets.issue         x- -- -- -- --
passes.activate       x- -- -- -- --
carnets.allocate      xx -- -- -- --   sending stock to prescribers is daily work
carnets.read          xx xx -- xx --   funder: its programmes'; prescriber: its stock
carnets.distribute    -- -- -- xx --   handing a carnet to a person is the prescriber's
passes.block          xx xx -- -- --   a funder blocks its programmes' stock; a hub only reads
passes.expire         x- -- -- -- --
passes.check          -- -- -- -- xx   the venue's counter
passes.redeem         -- -- -- -- xx
redemptions.void      -- -- -- -- xx
redemptions.read      xx -- -- -- xx   venue: its own
catalogue.edit        x- -- -- -- x-   a venue's admins write its catalogue
catalogue.read        xx xx xx xx xx   prescribers send people to workshops
beneficiaries.read    xx -- -- xx --   prescriber: the people it met; never funders nor venues
invariants.check      xx -- -- -- --
passes.export         x- -- -- -- --   the printer's file holds every code
search                xx -- -- -- --
outbox.read           x- -- -- -- --   messages hold password reset links
outbox.retry          x- -- -- -- --   a failed message sent again
members.read          xx x- x- x- x-   admins: their own organisation
mail.preferences      xx xx xx xx xx   a person chooses their messages; an organisation's admins set their members'
sessions.manage       xx -- -- -- xx   venue: its own sessions and registrations
sessions.book         -- -- -- xx --   the prescriber books the first workshop of the person it hands a carnet to
activity.write        -- -- -- -- xx   the venue's advisers write their reports
activity.read         xx -- xx -- xx   hub: its territory's venues; venue: its own; not funders
settlement.manage     x- -- -- -- --   money out: operator admins only
statements.read       xx -- -- -- xx   venue: its own statements
charges.read          xx xx -- -- --   funder: its own charges; a hub reads figures, not invoices
indicators.read       xx xx xx -- --   funder: its programmes; hub: its territory
indicators.refresh    xx -- -- -- --
beneficiaries.personal-data xx -- -- xx --   the operator's staff answer requests; a prescriber, for the people it met
beneficiaries.rectify xx -- -- xx --   the same: the operator, or the prescriber in front of the person
beneficiaries.restrict xx -- -- xx --
beneficiaries.erase   xx -- -- xx --   a funder or a venue never erases a person
retention.manage      x- -- -- -- --   the purge and its runs: operator admins
rights-requests.record xx -- -- xx --  the operator's staff; a prescriber records what a person asks in front of it
rights-requests.manage xx -- -- -- --  the register is the operator's: read, extend, answer
personal-reads.read   x- -- -- -- --   the journal of who read personal data names the staff: the operator's admins review it
audit.anchors         x- -- -- -- --   the journal's anchors: operator admins hand them to an outside party
calls.manage          x- x- -- -- --   a funder's admins open their calls and decide; the operator for any funder
calls.read            xx xx xx -- --   those who read programmes read the calls that make them (calls are public too)
applications.write    -- x- -- -- --   a collectivité (an organisation of kind funder) applies through its admins
applications.read     xx xx -- -- --   the applicant, its group, the call's funder; the operator
conventions.read      xx xx xx -- --   parties and the call's funder; hubs the conventions of their territory
`

// matrixKinds are the columns of roleMatrix, two cells each.
var matrixKinds = []passnum.OrgKind{passnum.KindOperator, passnum.KindFunder, passnum.KindHub, passnum.KindPrescriber, passnum.KindVenue}

// matrixRoles are the two cells of a kind, in order.
var matrixRoles = []passnum.Role{passnum.RoleAdmin, passnum.RoleAgent}

// access is a written matrix read: whether an actor of a kind and role
// may attempt something.
type access map[passnum.OrgKind]map[passnum.Role]bool

// expectedAccess reads roleMatrix. It fails the test on a malformed line.
func expectedAccess(t *testing.T) map[passnum.Action]access {
	t.Helper()
	out := map[passnum.Action]access{}
	for line := range strings.Lines(roleMatrix) {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		action := passnum.Action(fields[0])
		if _, dup := out[action]; dup {
			t.Fatalf("action %s has two lines in the role matrix", action)
		}
		if len(fields) < 1+len(matrixKinds) {
			t.Fatalf("role matrix: %q: want the action and one group of cells per kind (%v)", line, matrixKinds)
		}
		out[action] = readCells(t, line, fields[1:1+len(matrixKinds)])
	}
	return out
}

// readCells reads one group of two cells per kind of matrixKinds.
func readCells(t *testing.T, line string, groups []string) access {
	t.Helper()
	out := access{}
	for i, g := range groups {
		if len(g) != len(matrixRoles) || strings.Trim(g, "x-") != "" {
			t.Fatalf("%q: cells %q of %s: want two of x (allowed) or - (refused), the admin's then the agent's", line, g, matrixKinds[i])
		}
		out[matrixKinds[i]] = map[passnum.Role]bool{}
		for j, role := range matrixRoles {
			out[matrixKinds[i]][role] = g[j] == 'x'
		}
	}
	return out
}

// TestRoleMatrixTable is the derived check beside the written one: the
// permission table of permission.go (through Actor.Can) agrees with
// roleMatrix cell by cell, every action has a row and every row an
// action, and every Action constant of the domain is in the permission
// table (an action left out of it would be refused to everyone, and
// missing from the matrix).
func TestRoleMatrixTable(t *testing.T) {
	if !slices.Equal(passnum.OrgKinds, matrixKinds) {
		t.Fatalf("organisation kinds %v, the role matrix has columns for %v: add the kind's column", passnum.OrgKinds, matrixKinds)
	}
	want := expectedAccess(t)
	declared := domainActions(t)
	actions := passnum.Actions()
	for _, action := range actions {
		if !declared[action] {
			t.Errorf("action %s is in the permission table but is no Action constant of the domain", action)
		}
	}
	for action := range declared {
		if !slices.Contains(actions, action) {
			t.Errorf("action %s is declared but has no row in the permission table (permission.go)", action)
		}
		if _, ok := want[action]; !ok {
			t.Errorf("action %s has no row in the written role matrix (roleMatrix)", action)
		}
	}
	for action, byKind := range want {
		if !declared[action] {
			t.Errorf("the role matrix has a row for %q, which is no action of the domain", action)
			continue
		}
		for _, kind := range matrixKinds {
			for _, role := range matrixRoles {
				actor := &passnum.Actor{OrgKind: kind, Role: role}
				if got := actor.Can(action); got != byKind[kind][role] {
					t.Errorf("%s as %s %s: the permission table says %v, the role matrix %v", action, kind, role, got, byKind[kind][role])
				}
			}
		}
	}
}

// domainActions reads the Action constants declared in the domain's
// sources (the root package), so that an action forgotten by the
// permission table is found too.
func domainActions(t *testing.T) map[passnum.Action]bool {
	t.Helper()
	files, err := filepath.Glob("../../*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[passnum.Action]bool{}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				if typ, ok := vs.Type.(*ast.Ident); !ok || typ.Name != "Action" {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: an Action constant that is not a string literal: read it another way", fset.Position(v.Pos()))
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out[passnum.Action(s)] = true
				}
			}
		}
	}
	if len(out) < 30 {
		t.Fatalf("found only %d Action constants in %v: is the scan broken?", len(out), files)
	}
	return out
}

// TestRoleMatrix calls a representative route of every action with a
// token of every organisation kind and role, and checks the answer against
// the written role matrix: 403 exactly where the matrix refuses, neither
// 401 nor 403 (nor a 5xx) where it allows.
func TestRoleMatrix(t *testing.T) {
	want := expectedAccess(t)
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		hub, err := env.Store.CreateOrganisation(storetest.As(f.Operator), passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub du Grand Ouest"})
		if err != nil {
			t.Fatal(err)
		}
		// The hub's territory is the programme's, so that what a hub may
		// read of it, it can.
		if _, err := env.Store.SetTerritory(storetest.As(f.Operator), hub.ID, []string{"region:53"}); err != nil {
			t.Fatal(err)
		}
		// One organisation of each kind; the funder funds the fixture's
		// programme.
		orgs := map[passnum.OrgKind]int64{
			passnum.KindOperator:   f.Operator.OrgID,
			passnum.KindFunder:     f.State.ID,
			passnum.KindHub:        hub.ID,
			passnum.KindPrescriber: f.Prescriber.ID,
			passnum.KindVenue:      f.Venue.ID,
		}
		// One person in each organisation, whose messages its admins set.
		members := map[int64]int64{}
		for k, org := range orgs {
			u, err := env.Store.CreateUser(storetest.As(f.Operator), passnum.UserCreate{Email: fmt.Sprintf("membre.%s@example.org", k), Name: "Dominique", OrgID: org, Role: passnum.RoleAgent})
			if err != nil {
				t.Fatal(err)
			}
			members[org] = u.ID
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
			passnum.ActOutboxRetry:     func(int64) call { return call{"POST", "/api/v1/outbox/999999/retry", nil} },
			passnum.ActMembersRead:     func(org int64) call { return call{"GET", fmt.Sprintf("/api/v1/organisations/%d/members", org), nil} },
			passnum.ActMailPreferences: func(org int64) call {
				return call{"PUT", fmt.Sprintf("/api/v1/users/%d/mail-preferences", members[org]), map[string]any{"off": []string{}}}
			},
			passnum.ActSessionManage: func(int64) call {
				return call{"POST", "/api/v1/sessions", map[string]any{"service_id": f.Service.ID, "starts_at": storetest.Start.Add(24 * time.Hour), "capacity": 8}}
			},
			passnum.ActSessionBook: func(int64) call {
				return call{"GET", fmt.Sprintf("/api/v1/carnets/%d/bookable-sessions", f.Batch.FirstCarnet), nil}
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
			passnum.ActRightsRequestRecord: func(int64) call {
				return call{"POST", "/api/v1/rights-requests", map[string]any{"ref": "B-0000-0000", "kind": "access", "channel": "email"}}
			},
			passnum.ActRightsRequestManage: func(int64) call { return call{"GET", "/api/v1/rights-requests?open=true", nil} },
			passnum.ActPersonalReadsRead:   func(int64) call { return call{"GET", "/api/v1/personal-reads", nil} },
			passnum.ActPersonalDataRead:    func(int64) call { return call{"GET", "/api/v1/beneficiaries/B-0000-0000/personal-data", nil} },
			passnum.ActBeneficiaryRectify: func(int64) call {
				return call{"POST", "/api/v1/beneficiaries/B-0000-0000/rectification", map[string]any{"commune_insee": "35238", "reason": "matrice"}}
			},
			passnum.ActBeneficiaryRestrict: func(int64) call {
				return call{"POST", "/api/v1/beneficiaries/B-0000-0000/restriction", map[string]any{"restricted": true, "reason": "matrice"}}
			},
			passnum.ActBeneficiaryErase: func(int64) call {
				return call{"POST", "/api/v1/beneficiaries/B-0000-0000/erasure", map[string]any{"reason": "matrice"}}
			},
			passnum.ActRetentionManage: func(int64) call { return call{"GET", "/api/v1/retention-runs", nil} },

			passnum.ActAuditAnchors: func(int64) call { return call{"GET", "/api/v1/audit/anchors", nil} },

			passnum.ActCallManage:       func(int64) call { return call{"POST", "/api/v1/calls", map[string]any{}} },
			passnum.ActCallRead:         func(int64) call { return call{"GET", "/api/v1/calls", nil} },
			passnum.ActApplicationWrite: func(int64) call { return call{"POST", "/api/v1/applications", map[string]any{"call_id": 999999}} },
			passnum.ActApplicationRead:  func(int64) call { return call{"GET", "/api/v1/applications", nil} },
			passnum.ActConventionRead:   func(int64) call { return call{"GET", "/api/v1/conventions", nil} },
		}
		for _, action := range passnum.Actions() {
			build, ok := representative[action]
			if !ok {
				t.Errorf("action %s has no representative route in the role matrix", action)
				continue
			}
			if _, ok := want[action]; !ok {
				continue // TestRoleMatrixTable says so
			}
			for _, kind := range matrixKinds {
				for _, role := range matrixRoles {
					c := build(orgs[kind])
					res := a.do(a.token(orgs[kind], role), c.method, c.path, c.body)
					if want[action][kind][role] {
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
