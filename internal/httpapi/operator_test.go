package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestProgrammeStatsRoute: the figures of a programme, for whoever may
// read the programme.
func TestProgrammeStatsRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		op := a.operatorToken()
		venue := a.token(f.Venue.ID, passnum.RoleAgent)
		a.do(venue, "POST", "/api/v1/redemptions", map[string]any{"codes": f.CodesOf(f.Serials(0)[:2]...), "service_id": f.Service.ID, "idempotency_key": "k"}).ok(http.StatusCreated, nil)
		path := fmt.Sprintf("/api/v1/programmes/%d/stats", f.Programme.ID)

		var st passnum.ProgrammeStats
		a.do(a.token(f.Dept.ID, passnum.RoleAgent), "GET", path, nil).ok(http.StatusOK, &st)
		want := passnum.Funnel{Issued: 100, Activated: 100, Allocated: 50, Distributed: 30, Started: 5, Redeemed: 2}
		if st.Funnel != want || st.Carnets != (passnum.CarnetCounts{Issued: 20, Allocated: 10, Distributed: 6, Started: 1}) || st.SpentCents != 2000 || len(st.Shares) != 2 {
			t.Fatalf("stats %+v", st)
		}
		if st.Shares[0].SpentCents+st.Shares[1].SpentCents != 2000 || st.Shares[0].CommittedCents+st.Shares[1].CommittedCents != f.Programme.BudgetCents {
			t.Fatalf("shares %+v", st.Shares)
		}
		a.do(op, "GET", path, nil).ok(http.StatusOK, nil)
		a.do(venue, "GET", path, nil).problem(http.StatusForbidden, "forbidden")
		foundation, err := env.Store.CreateOrganisation(storetest.As(f.Operator), passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Fondation Orange"})
		if err != nil {
			t.Fatal(err)
		}
		a.do(a.token(foundation.ID, passnum.RoleAdmin), "GET", path, nil).problem(http.StatusNotFound, "not-found")
		a.do(op, "GET", "/api/v1/programmes/0/stats", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "GET", "/api/v1/programmes/999999/stats", nil).problem(http.StatusNotFound, "not-found")
	})
}

func TestSearchRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		op := a.operatorToken()
		var res passnum.SearchResults
		a.do(op, "GET", "/api/v1/search?q=m%C3%A9diath%C3%A8que", nil).ok(http.StatusOK, &res)
		if res.Query != "médiathèque" || len(res.Organisations) != 1 || res.Organisations[0].ID != f.Venue2.ID || res.Passes == nil || res.Carnets == nil {
			t.Fatalf("search %+v", res)
		}
		serial := f.Serials(2)[1]
		a.do(op, "GET", "/api/v1/search?q="+strings.ToLower(f.Codes[serial]), nil).ok(http.StatusOK, &res)
		if len(res.Passes) != 1 || res.Passes[0].Serial != serial {
			t.Fatalf("search by code %+v", res)
		}
		// A distributed carnet, with its beneficiary's reference for the operator.
		a.do(op, "GET", fmt.Sprintf("/api/v1/search?q=%d", f.Batch.FirstCarnet+2), nil).ok(http.StatusOK, &res)
		if len(res.Carnets) != 1 || res.Carnets[0].BeneficiaryRef == "" || res.Carnets[0].Remaining != 5 {
			t.Fatalf("search by carnet %+v", res)
		}
		if p := a.do(op, "GET", "/api/v1/search?q=+", nil).problem(http.StatusBadRequest, "invalid-input"); p.Field != "q" {
			t.Fatalf("empty query: %+v", p)
		}
		a.do(op, "GET", "/api/v1/search", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(a.token(f.Prescriber.ID, passnum.RoleAdmin), "GET", "/api/v1/search?q=x", nil).problem(http.StatusForbidden, "forbidden")
	})
}

// TestCarnetBeneficiaryRefRoute: the API shows a carnet's beneficiary
// reference to the operator and its prescriber, not to a funder.
func TestCarnetBeneficiaryRefRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		path := fmt.Sprintf("/api/v1/carnets/%d", f.Batch.FirstCarnet)
		for _, c := range []struct {
			name  string
			token string
			sees  bool
		}{
			{"operator", a.operatorToken(), true},
			{"prescriber", a.token(f.Prescriber.ID, passnum.RoleAgent), true},
			{"funder", a.token(f.State.ID, passnum.RoleAdmin), false},
		} {
			res := a.do(c.token, "GET", path, nil).ok(http.StatusOK, nil)
			if strings.Contains(string(res.body), `"beneficiary_ref":"B-`) != c.sees {
				t.Errorf("%s: %s", c.name, res.body)
			}
			var list page[passnum.Carnet]
			a.do(c.token, "GET", "/api/v1/carnets?distributed=true", nil).ok(http.StatusOK, &list)
			for _, carnet := range list.Items {
				if (carnet.BeneficiaryRef != "") != c.sees {
					t.Errorf("%s: carnet %+v in the list", c.name, carnet)
				}
			}
		}
	})
}

func TestMembersRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2, CarnetSize: 2})
		a := newAPI(t, env)
		opCtx := storetest.As(f.Operator)
		for _, name := range []string{"Yann", "Anne"} {
			if _, err := env.Store.CreateUser(opCtx, passnum.UserCreate{Email: strings.ToLower(name) + "@example.org", Name: name,
				Password: "correct horse battery staple", OrgID: f.Venue.ID, Role: passnum.RoleAgent}); err != nil {
				t.Fatal(err)
			}
		}
		path := fmt.Sprintf("/api/v1/organisations/%d/members", f.Venue.ID)
		var users page[passnum.User]
		a.do(a.token(f.Venue.ID, passnum.RoleAdmin), "GET", path, nil).ok(http.StatusOK, &users)
		if users.Total != 2 || users.Items[0].Name != "Anne" || users.Items[1].Name != "Yann" || len(users.Items[0].Memberships) != 1 {
			t.Fatalf("members %+v", users)
		}
		a.do(a.operatorToken(), "GET", path+"?limit=1&offset=1", nil).ok(http.StatusOK, &users)
		if users.Total != 2 || len(users.Items) != 1 || users.Items[0].Name != "Yann" {
			t.Fatalf("second page %+v", users)
		}
		a.do(a.token(f.Venue.ID, passnum.RoleAgent), "GET", path, nil).problem(http.StatusForbidden, "forbidden")
		a.do(a.token(f.Venue2.ID, passnum.RoleAdmin), "GET", path, nil).problem(http.StatusNotFound, "not-found")
	})
}

func TestOutboxRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2, CarnetSize: 2})
		a := newAPI(t, env)
		if _, err := env.Store.CreateUser(storetest.As(f.Operator), passnum.UserCreate{Email: "lou@example.org", Name: "Lou",
			Password: "correct horse battery staple", OrgID: f.Venue.ID, Role: passnum.RoleAgent}); err != nil {
			t.Fatal(err)
		}
		if err := env.Store.RequestPasswordReset(context.Background(), "lou@example.org", "https://passnum.example/mot-de-passe/"); err != nil {
			t.Fatal(err)
		}
		var msgs page[passnum.OutboxMessage]
		res := a.do(a.operatorToken(), "GET", "/api/v1/outbox", nil).ok(http.StatusOK, &msgs)
		if msgs.Total != 1 || msgs.Items[0].To != "lou@example.org" || !strings.Contains(msgs.Items[0].Body, "https://passnum.example/mot-de-passe/") {
			t.Fatalf("outbox %+v", msgs)
		}
		if res.header.Get("Cache-Control") != "no-store" {
			t.Fatal("reset links may be cached")
		}
		a.do(a.token(a.op.OrgID, passnum.RoleAgent), "GET", "/api/v1/outbox", nil).problem(http.StatusForbidden, "forbidden")

		// The delivery: pending until a sender takes it; only a failed
		// message is sent again.
		msg := msgs.Items[0]
		if msg.State != passnum.MailPending || msg.Attempts != 0 || msg.Kind != passnum.MailPasswordReset || msg.NextAttemptAt == nil {
			t.Fatalf("a new message: %+v", msg)
		}
		retry := fmt.Sprintf("/api/v1/outbox/%d/retry", msg.ID)
		a.do(a.operatorToken(), "POST", retry, nil).problem(http.StatusConflict, passnum.ReasonMailNotFailed)
		a.do(a.operatorToken(), "POST", "/api/v1/outbox/999999/retry", nil).problem(http.StatusNotFound, passnum.ReasonNotFound)
		claimed, err := env.Store.ClaimMail(context.Background(), "test-sender", 10, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v, %v", claimed, err)
		}
		if err := env.Store.RecordMailOutcome(context.Background(), msg.ID, "test-sender", passnum.MailOutcome{State: passnum.MailFailed, Answer: `550 5.1.1 "No such user"`}); err != nil {
			t.Fatal(err)
		}
		var failed page[passnum.OutboxMessage]
		a.do(a.operatorToken(), "GET", "/api/v1/outbox", nil).ok(http.StatusOK, &failed)
		if m := failed.Items[0]; m.State != passnum.MailFailed || m.Attempts != 1 || m.LastError != `550 5.1.1 "No such user"` || m.NextAttemptAt != nil {
			t.Fatalf("a failed message: %+v", m)
		}
		for state, want := range map[string]int{"failed": 1, "pending": 0} {
			var only page[passnum.OutboxMessage]
			a.do(a.operatorToken(), "GET", "/api/v1/outbox?state="+state, nil).ok(http.StatusOK, &only)
			if only.Total != want {
				t.Errorf("outbox?state=%s: %d messages, want %d", state, only.Total, want)
			}
		}
		a.do(a.operatorToken(), "GET", "/api/v1/outbox?state=perdu", nil).problem(http.StatusBadRequest, passnum.ReasonInvalidInput)
		a.do(a.token(a.op.OrgID, passnum.RoleAgent), "POST", retry, nil).problem(http.StatusForbidden, "forbidden")
		a.do(a.operatorToken(), "POST", retry, nil).ok(http.StatusNoContent, nil)
		var again page[passnum.OutboxMessage]
		a.do(a.operatorToken(), "GET", "/api/v1/outbox", nil).ok(http.StatusOK, &again)
		if m := again.Items[0]; m.State != passnum.MailPending || m.Attempts != 0 {
			t.Fatalf("a message sent again: %+v", m)
		}
	})
}

func TestFindUserByEmailRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2, CarnetSize: 2})
		a := newAPI(t, env)
		if _, err := env.Store.CreateUser(storetest.As(f.Operator), passnum.UserCreate{Email: "lou@example.org", Name: "Lou",
			Password: "correct horse battery staple", OrgID: f.Venue.ID, Role: passnum.RoleAgent}); err != nil {
			t.Fatal(err)
		}
		var u passnum.User
		a.do(a.operatorToken(), "GET", "/api/v1/users?email=Lou%40example.org", nil).ok(http.StatusOK, &u)
		if u.Email != "lou@example.org" || len(u.Memberships) != 1 {
			t.Fatalf("user %+v", u)
		}
		a.do(a.operatorToken(), "GET", "/api/v1/users?email=nobody%40example.org", nil).problem(http.StatusNotFound, "not-found")
		a.do(a.operatorToken(), "GET", "/api/v1/users", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(a.token(f.Venue.ID, passnum.RoleAdmin), "GET", "/api/v1/users?email=lou%40example.org", nil).problem(http.StatusForbidden, "forbidden")
	})
}
