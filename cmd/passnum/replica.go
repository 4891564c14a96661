package main

import (
	"fmt"
	"os"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
)

// Environment variables of serve --db-read and --db-read-max-lag.
const (
	envDBRead       = "PASSNUM_DB_READ"
	envDBReadMaxLag = "PASSNUM_DB_READ_MAX_LAG"
)

// readReplicaOptions are serve's options of a read replica
// (internal/sqlstore/replica.go says which reads go there).
type readReplicaOptions struct {
	url    string
	maxLag time.Duration
}

func readReplicaFlags(o *options) *readReplicaOptions {
	r := &readReplicaOptions{}
	o.string(&r.url, "db-read", os.Getenv(envDBRead), "`URL` postgres:// d'une réplique en lecture (standby PostgreSQL) de la base : tableaux de bord, annuaire et données ouvertes y sont lus (variable "+envDBRead+")")
	maxLag := sqlstore.DefaultMaxLag
	if v := os.Getenv(envDBReadMaxLag); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			o.abort(o.usageErrorf("%s=%q : durée attendue, par exemple 30s ou 5m", envDBReadMaxLag, v))
		}
		maxLag = d
	}
	o.duration(&r.maxLag, "db-read-max-lag", maxLag, "`retard` de la réplique au-delà duquel ces lectures vont à la base principale (variable "+envDBReadMaxLag+")")
	o.check(func() error {
		if r.maxLag <= 0 {
			return o.usageErrorf("--db-read-max-lag doit être positif")
		}
		return nil
	})
	return r
}

// storeOption is the store's option for the replica; an error when the
// database is not PostgreSQL. Nil without --db-read.
func (r *readReplicaOptions) storeOption(dsn string) (sqlstore.Option, error) {
	if r.url == "" {
		return nil, nil
	}
	if !isPostgres(dsn) || !isPostgres(r.url) {
		return nil, passnum.Errorf(passnum.EINVALID, "read-replica-needs-postgres",
			"--db-read demande PostgreSQL : la base (--db) et la réplique doivent être des URL postgres://.")
	}
	return sqlstore.WithReadReplica(sqlstore.ReadReplica{URL: r.url, MaxLag: r.maxLag}), nil
}

// describe says at start where the reads that may lag go; nothing
// without a replica.
func (r *readReplicaOptions) describe() string {
	if r.url == "" {
		return ""
	}
	return fmt.Sprintf("Tableaux de bord, annuaire et données ouvertes : lus sur la réplique %s (sur la base principale si elle ne répond pas ou a plus de %s de retard).",
		displayDSN(r.url), passnum.FrenchDuration(r.maxLag))
}
