package passnum

import (
	"fmt"
	"math"
	"time"
)

// Freshness says how recent the figures of a read that may lag are: the
// dashboards, the public directory and the open data, which serve
// --db-read sends to a PostgreSQL standby. Such reads carry one when the
// installation has a replica, and none without (nothing to say: they are
// read where they are written).
type Freshness struct {
	// Source is where the figures were read: SourceReplica, or
	// SourcePrimary when the replica could not serve them (Fallback).
	Source string `json:"source"`
	// AsOf is an instant up to which every committed change is in the
	// figures.
	AsOf time.Time `json:"as_of"`
	// LagSeconds is how far the replica was behind the primary: 0 when it
	// had replayed all it had received and was streaming.
	LagSeconds float64 `json:"lag_seconds"`
	// Fallback says why a read meant for the replica went to the primary:
	// FallbackUnreachable or FallbackLagging; empty otherwise.
	Fallback string `json:"fallback,omitempty"`
}

// Where a read that may lag was answered from, and why not the replica.
const (
	SourceReplica       = "replica"
	SourcePrimary       = "primary"
	FallbackUnreachable = "unreachable"
	FallbackLagging     = "lagging"
)

// Lag is LagSeconds as a duration.
func (f *Freshness) Lag() time.Duration {
	return time.Duration(f.LagSeconds * float64(time.Second))
}

// French says it for people, in Paris time: "Données à jour à 14 h 32
// (réplique en retard de 3 s)." Nil says nothing.
func (f *Freshness) French() string {
	if f == nil {
		return ""
	}
	// The replica is at most --db-read-max-lag behind (minutes), else the
	// primary answers: the figures are always of the day, and the hour
	// says it.
	at := f.AsOf.In(paris)
	when := fmt.Sprintf("à %d h %02d", at.Hour(), at.Minute())
	switch {
	case f.Source == SourcePrimary && f.Fallback == FallbackLagging:
		return "Données à jour " + when + " (lus sur la base principale : la réplique a trop de retard)."
	case f.Source == SourcePrimary:
		return "Données à jour " + when + " (lus sur la base principale : la réplique ne répond pas)."
	case f.LagSeconds == 0:
		return "Données à jour " + when + " (réplique à jour)."
	}
	return "Données à jour " + when + " (réplique en retard de " + FrenchDuration(f.Lag()) + ")."
}

// FrenchDuration writes a short duration for people: "3 s", "2 min 05 s",
// "5 min", "1 h 07 min"; under a second, "moins d'une seconde".
func FrenchDuration(d time.Duration) string {
	s := int64(math.Round(d.Seconds()))
	switch {
	case d < time.Second:
		return "moins d'une seconde"
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600 && s%60 == 0:
		return fmt.Sprintf("%d min", s/60)
	case s < 3600:
		return fmt.Sprintf("%d min %02d s", s/60, s%60)
	case s%3600/60 == 0:
		return fmt.Sprintf("%d h", s/3600)
	}
	return fmt.Sprintf("%d h %02d min", s/3600, s%3600/60)
}
