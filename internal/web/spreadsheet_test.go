package web

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestSpreadsheetExportInert: a venue that applies online under a name
// that is a formula comes out inert in the operator's spreadsheet export
// of venues, and exact in the standard's CSV.
func TestSpreadsheetExportInert(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAgent)
		hostile := []struct{ typed, inert string }{
			{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
			{"+1 Espace", "'+1 Espace"},
			{"-1+1 Espace", "'-1+1 Espace"},
			{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		}
		for i, h := range hostile {
			form := application(i + 1)
			form.Set("nom", h.typed)
			if a := s.post(anonymous, "/candidature", form); a.status != http.StatusSeeOther {
				t.Fatalf("apply as %q: %d %.300s", h.typed, a.status, a.text())
			}
		}
		read := func(path string, comma rune) [][]string {
			t.Helper()
			a := s.get(op, path)
			if a.status != http.StatusOK {
				t.Fatalf("%s: %d", path, a.status)
			}
			r := csv.NewReader(strings.NewReader(strings.TrimPrefix(a.body, "\ufeff")))
			r.Comma = comma
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			return recs
		}
		names := func(recs [][]string) map[string]bool {
			out := map[string]bool{}
			for _, rec := range recs[1:] {
				out[rec[2]] = true // nom
			}
			return out
		}
		sheet := names(read("/operateur/lieux/export-tableur.csv?statut=pending", ';'))
		standard := names(read("/operateur/lieux/export.csv?statut=pending", ','))
		for _, h := range hostile {
			if !sheet[h.inert] || sheet[h.typed] {
				t.Errorf("spreadsheet export: %q not written %q: %v", h.typed, h.inert, sheet)
			}
			if !standard[h.typed] {
				t.Errorf("standard's CSV: %q not kept exact: %v", h.typed, standard)
			}
		}
	})
}
