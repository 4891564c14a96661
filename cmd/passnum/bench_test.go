package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchRefusals: options that cannot make a measure are refused in
// French, with status 2, before any database is created.
func TestBenchRefusals(t *testing.T) {
	sqlite := filepath.Join(t.TempDir(), "bench.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--servers", "2"}, "--servers demande une base PostgreSQL"},
		{[]string{"bench", "--db", sqlite, "--servers", "2"}, "--servers demande une base PostgreSQL"},
		{[]string{"bench", "--db", "postgres://nulle-part/x", "--servers", "2", "--what", "indicators"}, "--servers ne sert qu'aux encaissements"},
		{[]string{"bench", "--servers", "-1"}, "--servers un entier positif ou nul"},
		{[]string{"bench", "--clients", "0"}, "--clients sont des entiers positifs"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), c.args, &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("passnum %s: exit %d, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, errb.String(), c.want)
		}
	}
}
