package passnum_test

import (
	"testing"
	"time"

	"github.com/passnum/passnum"
)

// TestFreshnessFrench: what the pages fed by a read replica say of their
// figures, in Paris time.
func TestFreshnessFrench(t *testing.T) {
	at := time.Date(2027, 3, 15, 13, 32, 10, 0, time.UTC) // 14 h 32 in Paris
	for _, c := range []struct {
		name string
		f    *passnum.Freshness
		want string
	}{
		{"no replica", nil, ""},
		{"caught up", &passnum.Freshness{Source: passnum.SourceReplica, AsOf: at}, "Données à jour à 14 h 32 (réplique à jour)."},
		{"three seconds behind", &passnum.Freshness{Source: passnum.SourceReplica, AsOf: at, LagSeconds: 3.2}, "Données à jour à 14 h 32 (réplique en retard de 3 s)."},
		{"a moment behind", &passnum.Freshness{Source: passnum.SourceReplica, AsOf: at, LagSeconds: 0.01}, "Données à jour à 14 h 32 (réplique en retard de moins d'une seconde)."},
		{"minutes behind", &passnum.Freshness{Source: passnum.SourceReplica, AsOf: at, LagSeconds: 125}, "Données à jour à 14 h 32 (réplique en retard de 2 min 05 s)."},
		{"replica down", &passnum.Freshness{Source: passnum.SourcePrimary, AsOf: at, Fallback: passnum.FallbackUnreachable}, "Données à jour à 14 h 32 (lus sur la base principale : la réplique ne répond pas)."},
		{"replica too late", &passnum.Freshness{Source: passnum.SourcePrimary, AsOf: at, Fallback: passnum.FallbackLagging}, "Données à jour à 14 h 32 (lus sur la base principale : la réplique a trop de retard)."},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.f.French(); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
	for d, want := range map[time.Duration]string{5 * time.Minute: "5 min", 2*time.Hour + 7*time.Minute: "2 h 07 min", time.Hour: "1 h"} {
		if got := passnum.FrenchDuration(d); got != want {
			t.Errorf("FrenchDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
