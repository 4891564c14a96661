package passnum_test

import (
	"slices"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"pgregory.net/rapid"
)

func TestSplitByShares(t *testing.T) {
	tests := []struct {
		amount int64
		shares []int
		want   []int64
	}{
		{1000, []int{5000, 5000}, []int64{500, 500}},
		{1001, []int{5000, 5000}, []int64{501, 500}}, // tie: the earlier share gets the cent
		{1000, []int{3333, 3333, 3334}, []int64{333, 333, 334}},
		{100, []int{6000, 4000}, []int64{60, 40}},
		{7, []int{6000, 4000}, []int64{4, 3}}, // 4.2 and 2.8: the larger remainder wins
		{1, []int{3333, 3333, 3334}, []int64{0, 0, 1}},
		{0, []int{10000}, []int64{0}},
		{123456789, []int{10000}, []int64{123456789}},
	}
	for _, tc := range tests {
		if got := passnum.SplitByShares(tc.amount, tc.shares); !slices.Equal(got, tc.want) {
			t.Errorf("SplitByShares(%d, %v) = %v, want %v", tc.amount, tc.shares, got, tc.want)
		}
	}
}

// TestSplitBySharesProperty: the parts always sum to the amount, and each
// part is within one cent of its exact share.
func TestSplitBySharesProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 6).Draw(t, "funders")
		shares := make([]int, n)
		left := passnum.BasisPoints
		for i := range n - 1 {
			shares[i] = rapid.IntRange(1, left-(n-1-i)).Draw(t, "share")
			left -= shares[i]
		}
		shares[n-1] = left
		amount := rapid.Int64Range(0, 1e13).Draw(t, "amount")
		parts := passnum.SplitByShares(amount, shares)
		var sum int64
		for i, p := range parts {
			sum += p
			exact := float64(amount) * float64(shares[i]) / passnum.BasisPoints
			if float64(p) < exact-1 || float64(p) > exact+1 {
				t.Fatalf("part %d = %d, exact share %.2f", i, p, exact)
			}
		}
		if sum != amount {
			t.Fatalf("parts %v sum to %d, want %d", parts, sum, amount)
		}
	})
}

func TestExpiresSoon(t *testing.T) {
	p := &passnum.Programme{ValidUntil: "2027-12-31"}
	paris, _ := time.LoadLocation("Europe/Paris")
	tests := []struct {
		now  time.Time
		days int
		soon bool
	}{
		{time.Date(2027, 11, 30, 12, 0, 0, 0, paris), 31, false},
		{time.Date(2027, 12, 1, 0, 0, 0, 0, paris), 30, true},
		{time.Date(2027, 12, 31, 23, 59, 0, 0, paris), 0, true},
		{time.Date(2027, 12, 31, 23, 30, 0, 0, time.UTC), -1, false}, // already 1 January in Paris
		{time.Date(2027, 3, 29, 12, 0, 0, 0, paris), 277, false},     // across the change to summer time
	}
	for _, tc := range tests {
		if d := p.DaysLeft(tc.now); d != tc.days {
			t.Errorf("DaysLeft(%s) = %d, want %d", tc.now, d, tc.days)
		}
		if s := p.ExpiresSoon(tc.now); s != tc.soon {
			t.Errorf("ExpiresSoon(%s) = %v, want %v", tc.now, s, tc.soon)
		}
	}
}
