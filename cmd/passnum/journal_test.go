package main

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestJournalReads: "passnum journal reads" writes the journal as CSV,
// filtered, and its own export is journaled.
func TestJournalReads(t *testing.T) {
	h := newHarness(t)
	env := storetest.OpenSQLiteAt(t, h.db)
	f := storetest.NewFixture(t, env, storetest.Options{})
	c, err := env.Store.FindCarnet(storetest.As(f.Operator), f.Batch.FirstCarnet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.FindBeneficiary(passnum.WithReadReason(storetest.As(f.Operator), "Demande d'accès n°4"), c.BeneficiaryRef); err != nil {
		t.Fatal(err)
	}
	env.Store.Close()

	read := func(out string) [][]string {
		t.Helper()
		if !strings.HasPrefix(out, "\ufeff") {
			t.Fatalf("no byte order mark: %q", out)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
		r.Comma = ';'
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	rows := read(h.ok("journal", "reads", "--record", strings.ToLower(c.BeneficiaryRef), "--from", "2027-03-15"))
	if len(rows) != 2 || rows[0][0] != "numero" || rows[1][6] != passnum.ReadBeneficiary || rows[1][8] != "beneficiary:"+c.BeneficiaryRef ||
		rows[1][10] != "Demande d'accès n°4" {
		t.Fatalf("rows %q", rows)
	}
	if rows := read(h.ok("journal", "reads", "--to", "2027-03-14")); len(rows) != 1 {
		t.Fatalf("before the read: %q", rows)
	}
	// The first export above is in the journal now; the second held no
	// entry, hence nothing personal, and is not.
	rows = read(h.ok("journal", "reads"))
	if len(rows) != 3 || rows[1][6] != passnum.ReadExport || rows[1][7] != "passnum journal reads" || rows[1][8] != "personal-read:1" ||
		rows[2][6] != passnum.ReadBeneficiary {
		t.Fatalf("the exports journaled: %q", rows)
	}
	h.fail(2, []string{"journal", "reads", "--from", "15/03/2027"}, "--from")
	h.fail(1, []string{"journal", "reads", "--user", "personne@example.fr"})
}
