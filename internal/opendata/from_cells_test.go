package opendata

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestPublishClosedMonths: the month in progress is not published.
func TestPublishClosedMonths(t *testing.T) {
	cells := []passnum.OpenDataCell{
		{Month: "2027-02", Commune: "35238", Counts: []int64{10, 6, 6}},
		{Month: "2027-03", Commune: "35238", Counts: []int64{10, 7, 5}},
		{Month: "2027-04", Commune: "35238", Counts: []int64{8, 8, 8}},
	}
	r, err := Publish(cells, DefaultThreshold, "2027-04")
	if err != nil {
		t.Fatal(err)
	}
	months := map[string]bool{}
	for _, row := range r.Rows {
		months[row.Month] = true
	}
	if len(months) != 2 || !months["2027-02"] || !months["2027-03"] {
		t.Fatalf("months published: %v", months)
	}
}

func TestFromCells(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells []passnum.OpenDataCell
		want  []Cell
		err   string
	}{
		{"communes and overseas", []passnum.OpenDataCell{
			{Month: "2027-03", Commune: "35238", Counts: []int64{10, 3, 2}},
			{Month: "2027-03", Commune: "97411", Counts: []int64{0, 1, 0}},
		}, []Cell{
			{Month: "2027-03", Departement: "35", Commune: "35238", Counts: []int{10, 3, 2}},
			{Month: "2027-03", Departement: "974", Commune: "97411", Counts: []int{0, 1, 0}},
		}, ""},
		{"a person without commune is left out", []passnum.OpenDataCell{
			{Month: "2027-03", Commune: "", Counts: []int64{5, 5, 5}},
		}, nil, ""},
		{"counts do not match the measures", []passnum.OpenDataCell{
			{Month: "2027-03", Commune: "35238", Counts: []int64{5}},
		}, nil, "1 counts for 3 measures"},
		{"negative count", []passnum.OpenDataCell{
			{Month: "2027-03", Commune: "35238", Counts: []int64{5, -1, 0}},
		}, nil, "out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := FromCells(tc.cells)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(tab.Measures) != fmt.Sprint(passnum.OpenDataMeasures) || fmt.Sprint(tab.Cells) != fmt.Sprint(tc.want) {
				t.Errorf("got %v %v, want %v", tab.Measures, tab.Cells, tc.want)
			}
		})
	}
}

// TestPublishFromStore: the release written from a real store's snapshot,
// after a random-ish history of people in several communes over several
// months, never shows a count from 1 to 4, and the package's attacker
// cannot recompute any suppressed count from it.
func TestPublishFromStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		const carnets = 60
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: carnets, Allocated: carnets, Distributed: -1, CarnetSize: 2})
		rng := rand.New(rand.NewPCG(7, 11))
		communes := []string{"35238", "35115", "35047", "29019", "29232", "56260", "22278"}
		presc := storetest.As(storetest.Actor(f.Prescriber, passnum.RoleAgent))
		months := []time.Time{time.Date(2027, 3, 10, 9, 0, 0, 0, time.UTC), time.Date(2027, 4, 10, 9, 0, 0, 0, time.UTC), time.Date(2027, 5, 10, 9, 0, 0, 0, time.UTC)}
		key := 0
		for i := range carnets {
			env.Clock.Set(months[rng.IntN(len(months))])
			// Most people live in two big communes, a few elsewhere: small
			// counts to hide next to large ones.
			commune := communes[rng.IntN(2)]
			if rng.IntN(3) == 0 {
				commune = communes[2+rng.IntN(len(communes)-2)]
			}
			if _, err := env.Store.Distribute(presc, passnum.DistributeRequest{Carnet: f.Batch.FirstCarnet + int64(i), Beneficiary: &passnum.BeneficiaryInput{
				BirthYear: 1950 + i, CommuneINSEE: commune, Needs: []string{"Aide aux démarches administratives"}, ConsentAt: passnum.Today(env.Clock.Now())}}); err != nil {
				t.Fatal(err)
			}
			for _, serial := range f.Serials(i)[:rng.IntN(3)] {
				key++
				if _, err := env.Store.Redeem(storetest.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(serial), ServiceID: f.Service.ID, IdempotencyKey: fmt.Sprint("k", key)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := env.Store.RefreshIndicators(storetest.As(f.Operator), nil); err != nil {
			t.Fatal(err)
		}
		cells, _, err := env.Store.OpenData(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		tab, err := FromCells(cells)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Suppress(tab, DefaultThreshold)
		if err != nil {
			t.Fatal(err)
		}
		checkRelease(t, tab, r)
		suppressed := 0
		for _, row := range r.Rows {
			for _, v := range row.Values {
				if v.Suppressed {
					suppressed++
				}
			}
		}
		if suppressed == 0 {
			t.Fatal("nothing suppressed: the history does not exercise the rule")
		}

		var buf bytes.Buffer
		if err := r.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF")))
		cr.Comma = ';'
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(r.Rows)+1 {
			t.Fatalf("%d lines for %d rows", len(recs), len(r.Rows))
		}
		for _, rec := range recs[1:] {
			for i := 4; i < len(rec); i += 2 {
				if rec[i] == "" {
					if rec[i+1] != "true" {
						t.Errorf("%v: empty %s not flagged", rec, recs[0][i])
					}
					continue
				}
				if n, err := strconv.Atoi(rec[i]); err != nil || n >= 1 && n < DefaultThreshold {
					t.Errorf("%v: %s = %q published", rec, recs[0][i], rec[i])
				}
			}
		}
	})
}

// TestCache: the release is built once per snapshot, and again after a
// new computation.
func TestCache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		var c Cache
		if _, _, err := c.Release(t.Context(), env.Store); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("before the first computation: %v", err)
		}
		op := storetest.As(f.Operator)
		if _, err := env.Store.RefreshIndicators(op, nil); err != nil {
			t.Fatal(err)
		}
		first, at, err := c.Release(t.Context(), env.Store)
		if err != nil {
			t.Fatal(err)
		}
		again, _, err := c.Release(t.Context(), env.Store)
		if err != nil || again != first {
			t.Fatalf("second download built a new release (%v)", err)
		}
		env.Clock.Advance(time.Minute)
		if _, err := env.Store.RefreshIndicators(op, nil); err != nil {
			t.Fatal(err)
		}
		next, nextAt, err := c.Release(t.Context(), env.Store)
		if err != nil || next == first || !nextAt.After(at) {
			t.Fatalf("after a new computation: same release %v, at %v then %v (%v)", next == first, at, nextAt, err)
		}
	})
}
