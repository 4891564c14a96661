package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestRights: "passnum rights requests" lists the register, the late
// requests marked, and "passnum rights export" writes a person's copy in
// PDF or JSON, its read journaled with its reason.
func TestRights(t *testing.T) {
	h := newHarness(t)
	env := storetest.OpenSQLiteAt(t, h.db)
	f := storetest.NewFixture(t, env, storetest.Options{})
	op := storetest.As(f.Operator)
	c, err := env.Store.FindCarnet(op, f.Batch.FirstCarnet)
	if err != nil {
		t.Fatal(err)
	}
	ref := c.BeneficiaryRef
	// The clock reads 2027-03-15: the first request is late, the second
	// due in a month, the third answered.
	for _, r := range []passnum.RightsRequestCreate{
		{Ref: ref, Kind: passnum.RightAccess, Channel: passnum.ChannelPost, ReceivedOn: "2027-02-01"},
		{Ref: "Courrier de M. L., Redon", Kind: passnum.RightErasure, Channel: passnum.ChannelEmail, ReceivedOn: "2027-03-15"},
		{Ref: ref, Kind: passnum.RightRectification, Channel: passnum.ChannelPhone, ReceivedOn: "2027-03-01"},
	} {
		if _, err := env.Store.RecordRightsRequest(op, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.Store.AnswerRightsRequest(op, passnum.RightsRequestAnswer{ID: 3, AnsweredOn: "2027-03-10", Answer: "Commune corrigée."}); err != nil {
		t.Fatal(err)
	}
	env.Store.Close()

	out := h.ok("rights", "requests")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "RETARD de 14 j") || !strings.Contains(lines[1], ref) ||
		!strings.Contains(lines[2], "31 j restants") || !strings.Contains(lines[2], "erasure") {
		t.Errorf("open requests:\n%s", out)
	}
	if out := h.ok("rights", "requests", "--all"); !strings.Contains(out, "répondue le 2027-03-10") {
		t.Errorf("all requests:\n%s", out)
	}
	if out := h.ok("rights", "requests", "--due-by", "2027-03-01"); !strings.Contains(out, "RETARD") || strings.Contains(out, "restants") {
		t.Errorf("due by 1 March:\n%s", out)
	}

	dir := t.TempDir()
	pdfFile, jsonFile := filepath.Join(dir, "copie.pdf"), filepath.Join(dir, "copie.json")
	h.ok("rights", "export", "--ref", strings.ToLower(ref), "--out", pdfFile, "--reason", "Demande d'accès n°1")
	if b, err := os.ReadFile(pdfFile); err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Errorf("PDF: %v %.10q", err, b)
	}
	h.ok("rights", "export", "--ref", ref, "--out", jsonFile, "--reason", "Demande d'accès n°1")
	var d passnum.PersonalData
	if b, err := os.ReadFile(jsonFile); err != nil || json.Unmarshal(b, &d) != nil || d.Beneficiary == nil || d.Beneficiary.Ref != ref {
		t.Errorf("JSON: %v %+v", err, d)
	}
	if out := h.ok("journal", "reads", "--record", ref); !strings.Contains(out, "copie.json") || !strings.Contains(out, "Demande d'accès n°1") {
		t.Errorf("the exports are not in the journal:\n%s", out)
	}

	h.fail(2, []string{"rights", "export", "--ref", ref, "--out", filepath.Join(dir, "copie.txt"), "--reason", "x"}, "--out")
	h.fail(2, []string{"rights", "export", "--ref", ref, "--out", pdfFile}, "--reason")
	h.fail(1, []string{"rights", "export", "--ref", "B-ZZZZ-ZZZZ", "--out", filepath.Join(dir, "autre.pdf"), "--reason", "x"}, "B-ZZZZ-ZZZZ")
	if _, err := os.Stat(filepath.Join(dir, "autre.pdf")); err == nil {
		t.Error("a copy was written for an unknown reference")
	}
	h.fail(2, []string{"rights", "requests", "--due-by", "01/03/2027"}, "--due-by")
}
