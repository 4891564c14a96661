package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum/internal/storetest"
)

// TestAuditAnchorsVerify: anchors written by passnum audit anchors, as CSV
// and as JSON, verify against the journal they came from; once an entry
// is edited in the database behind the platform's back, passnum check
// names it and passnum audit verify fails with one French line.
func TestAuditAnchorsVerify(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.ok("migrate")
		h.ok("org", "create", "--kind", "funder", "--name", "Conseil départemental")
		if out := h.ok("check"); !strings.Contains(out, "Journal d'audit, dernières ancres (numéro, empreinte, date) :\n  ") {
			t.Errorf("check does not print the latest anchors:\n%s", out)
		}
		dir := t.TempDir()
		csvFile, jsonFile := filepath.Join(dir, "ancres.csv"), filepath.Join(dir, "ancres.json")
		if out := h.ok("audit", "anchors", "--out", csvFile); out != "1 ancre écrite dans "+csvFile+".\n" {
			t.Errorf("audit anchors: %q", out)
		}
		h.ok("audit", "anchors", "--out", jsonFile)
		if out := h.ok("audit", "anchors"); !strings.HasPrefix(out, "numero;empreinte;date\r\n") || strings.Count(out, "\r\n") != 2 {
			t.Errorf("audit anchors on stdout: %q", out)
		}
		for _, f := range []string{csvFile, jsonFile} {
			if out := h.ok("audit", "verify", "--anchors", f); !strings.HasPrefix(out, "Le journal d'audit est intact et contient 1 ancre du fichier (la dernière : n° ") {
				t.Errorf("verify %s: %q", f, out)
			}
		}

		h.tamper(t, `UPDATE audit_log SET detail = 'rien' WHERE action = 'org.create' AND detail LIKE '%Conseil%'`)
		out, _, code := h.run("check")
		if code != 1 || !strings.Contains(out, "was edited: its content no longer gives its hash") {
			t.Errorf("check after an edit: exit %d\n%s", code, out)
		}
		h.fail(1, []string{"audit", "verify", "--anchors", csvFile}, "passnum : Le journal d'audit est altéré (1 rupture(s) de la chaîne) : l'entrée n° ", "a été modifiée")
		h.fail(1, []string{"audit", "verify", "--anchors", filepath.Join(dir, "absent.csv")}, "Impossible de lire le fichier d'ancres")
		h.fail(2, []string{"audit", "verify"}, "--anchors")
	})
}

// tamper runs SQL on the harness's database behind the store's back, its
// triggers disabled as someone with the database's keys could.
func (h *harness) tamper(t *testing.T, q string) {
	t.Helper()
	driver, dsn, disable := "sqlite", h.db, []string{"DROP TRIGGER audit_log_no_update"}
	if strings.HasPrefix(h.db, "postgres") {
		driver, disable = "pgx", []string{"ALTER TABLE audit_log DISABLE TRIGGER USER"}
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range append(disable, q) {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestSealInBackground: serve's sealer chains the journal by itself, at
// once and then at each interval, and stops when asked.
func TestSealInBackground(t *testing.T) {
	env := storetest.OpenSQLite(t)
	ctx := context.Background()
	op, err := env.Store.SystemActor(ctx, "cli:test") // a first entry
	if err != nil {
		t.Fatal(err)
	}
	stop := sealInBackground(ctx, env.Store, 10*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	defer stop()
	// The first sealing takes an anchor: its appearance is the proof.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		anchors, err := env.Store.AuditAnchors(storetest.As(op))
		if err != nil {
			t.Fatal(err)
		}
		if len(anchors) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the background sealer did not seal the journal")
		}
	}
}
