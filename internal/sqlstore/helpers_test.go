package sqlstore_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

func asError(err error, target **passnum.Error) bool { return errors.As(err, target) }

// snapshot summarises everything an operation could change: passes by
// state, ledger balances, row counts. Refused operations must leave it equal.
func snapshot(t *testing.T, env *st.Env, f *st.Fixture) string {
	t.Helper()
	ctx := st.As(f.Operator)
	var parts []string
	progs, _, err := env.Store.ListProgrammes(ctx, passnum.ProgrammeFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range progs {
		full, err := env.Store.FindProgramme(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var states []string
		for s, n := range full.PassesByState {
			if n > 0 {
				states = append(states, fmt.Sprintf("%s=%d", s, n))
			}
		}
		sort.Strings(states)
		parts = append(parts, fmt.Sprintf("p%d[%s issued=%d act=%d funds=%d]", p.ID, strings.Join(states, " "), full.IssuedCents, full.ActivatedCents, full.FundsReceived))
	}
	rep, err := env.Store.CheckInvariants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, reds, err := env.Store.ListRedemptions(ctx, passnum.RedemptionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	_, carnets, err := env.Store.ListCarnets(ctx, passnum.CarnetFilter{Distributed: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	parts = append(parts, fmt.Sprintf("postings=%d redemptions=%d distributed=%d", rep.Postings, reds, carnets))
	return strings.Join(parts, " ")
}

func ptr[T any](v T) *T { return &v }
