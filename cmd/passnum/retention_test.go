package main

import (
	"strings"
	"testing"
)

// TestRetentionCommands: a dry run says what it would erase and changes
// nothing; a run is recorded, and passnum retention runs lists it.
func TestRetentionCommands(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.ok("migrate")
		out := h.ok("retention", "run", "--dry-run")
		if !strings.HasPrefix(out, "Serait effacé :\n  bénéficiaires effacés") || !strings.HasSuffix(out, "Rien n'a été changé (--dry-run).\n") {
			t.Errorf("dry run:\n%s", out)
		}
		if out := h.ok("retention", "runs"); out != "Aucune purge.\n" {
			t.Errorf("runs after a dry run: %q", out)
		}
		out = h.ok("retention", "run")
		if !strings.HasPrefix(out, "Effacé :\n") || !strings.HasSuffix(out, "Purge n°1 : rien n'avait dépassé sa durée de conservation.\n") {
			t.Errorf("run:\n%s", out)
		}
		if out := h.ok("retention", "runs"); !strings.Contains(out, "terminée") || !strings.HasPrefix(out, "N°") {
			t.Errorf("runs:\n%s", out)
		}
		h.fail(2, []string{"retention", "runs", "--limit", "x"}, "--limit")
	})
}
