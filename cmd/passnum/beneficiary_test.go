package main

import (
	"context"
	"strings"
	"testing"

	"github.com/passnum/passnum/internal/sqlstore"
	"github.com/passnum/passnum/internal/storetest"
)

// TestBeneficiaryCommands: the DPO answers a person from the terminal: a
// restriction set and lifted, an erasure refused while the person holds
// passes, and an unknown reference named as such in one line.
func TestBeneficiaryCommands(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		f := seedFixture(t, h)
		s, err := sqlstore.Open(context.Background(), h.db)
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.FindCarnet(storetest.As(f.Operator), f.Batch.FirstCarnet)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		ref := c.BeneficiaryRef

		if out := h.ok("beneficiary", "restrict", "--ref", ref, "--reason", "conteste sa commune"); !strings.HasPrefix(out, "Traitement de la fiche "+ref+" limité depuis le ") {
			t.Errorf("restrict: %q", out)
		}
		if out := h.ok("beneficiary", "restrict", "--ref", ref, "--lift"); out != "La fiche "+ref+" n'est pas limitée.\n" {
			t.Errorf("lift: %q", out)
		}
		h.fail(1, []string{"beneficiary", "erase", "--ref", ref, "--reason", "demande"}, "Effacement impossible pour le moment", "2 pass non utilisés")
		h.fail(1, []string{"beneficiary", "erase", "--ref", "B-0000-0000", "--reason", "demande"}, "Aucun bénéficiaire", "B-0000-0000")
	})
}
