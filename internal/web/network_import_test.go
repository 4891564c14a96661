package web

import (
	"bytes"
	"context"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// upload sends a file to the import form as a browser does: multipart,
// with the CSRF token among the fields.
func (s *site) upload(p *person, path, name, content string) answer {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrfToken(p.secret))
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		s.t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	return s.send(p, "POST", path, body.String(), false, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

// csvOf writes venues of the standard: the header, then one line per
// venue given as column → value.
func csvOf(lines ...map[string]string) string {
	var b strings.Builder
	b.WriteString(strings.Join(passnum.StandardFields, ",") + "\n")
	for _, l := range lines {
		cells := make([]string, len(passnum.StandardFields))
		for i, f := range passnum.StandardFields {
			cells[i] = l[f]
			if strings.ContainsAny(cells[i], ",\"") {
				cells[i] = `"` + strings.ReplaceAll(cells[i], `"`, `""`) + `"`
			}
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
	}
	return b.String()
}

func standardVenue(id, name, siret string) map[string]string {
	return map[string]string{"id": id, "pivot": siret, "nom": name, "commune": "Rennes", "code_postal": "35000", "code_insee": "35238",
		"adresse": "1 rue de la République", "date_maj": "2026-09-15", "services": "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien",
		"horaires": "Mo-Fr 09:00-12:00"}
}

// TestImportVenues: a file with mistakes is refused whole, every bad line
// shown with its number; a good one is checked first, then imported on
// confirmation, once.
func TestImportVenues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		if a := s.get(op, "/operateur/lieux/import"); a.status != http.StatusOK || !strings.Contains(a.body, `enctype="multipart/form-data"`) {
			t.Fatalf("import form: %d", a.status)
		}
		listed := func() int {
			_, n, err := env.Store.ListVenues(storetest.As(s.f.Operator), passnum.VenueFilter{Qualification: passnum.QualificationListed})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		bad2 := standardVenue("bib-2", "", testSIRET(2))
		bad3 := standardVenue("bib-3", "Bibliothèque 3", testSIRET(3))
		bad3["code_postal"] = "3500"
		file := csvOf(standardVenue("bib-1", "Bibliothèque 1", testSIRET(1)), bad2, bad3)
		a := s.upload(op, "/operateur/lieux/import", "lieux.csv", file)
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.text(), "Rien n'a été importé") {
			t.Fatalf("bad file: %d\n%.800s", a.status, a.text())
		}
		rows := regexp.MustCompile(`<tr><td class="num">(\d+)</td><td><code>([a-z_]+)</code>`).FindAllStringSubmatch(a.body, -1)
		got := map[string]bool{}
		for _, r := range rows {
			got[r[1]+":"+r[2]] = true
		}
		if !got["3:nom"] || !got["4:code_postal"] {
			t.Errorf("problems listed: %v\n%s", got, a.text())
		}
		if strings.Contains(a.body, "Confirmer l'import") || listed() != 0 {
			t.Fatalf("a refused file can be confirmed, or was imported (%d)", listed())
		}

		// A good file: the dry run tells what would happen, imports nothing.
		good := csvOf(standardVenue("bib-1", "Bibliothèque 1", testSIRET(1)), standardVenue("bib-2", "Bibliothèque 2", testSIRET(2)))
		a = s.upload(op, "/operateur/lieux/import", "lieux.csv", good)
		token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(a.body)
		if a.status != http.StatusOK || token == nil || !regexp.MustCompile(`Nouveaux lieux 2`).MatchString(a.text()) {
			t.Fatalf("dry run: %d\n%.800s", a.status, a.text())
		}
		if listed() != 0 {
			t.Fatal("the dry run imported")
		}
		// Another operator cannot confirm someone else's import, and an
		// agent may not import at all.
		if a := s.post(s.anotherOperatorAdmin(), "/operateur/lieux/import/confirmer", url.Values{"token": {token[1]}}); a.status != http.StatusConflict {
			t.Errorf("someone else's confirmation: %d", a.status)
		}
		if a := s.post(s.as(passnum.KindOperator, passnum.RoleAgent), "/operateur/lieux/import/confirmer", url.Values{"token": {token[1]}}); a.status != http.StatusForbidden {
			t.Errorf("an agent's confirmation: %d", a.status)
		}
		// Another server on the same database confirms it: the import
		// waits in the database, not in the memory of the server that
		// checked it.
		a = s.onAnotherStore().post(op, "/operateur/lieux/import/confirmer", url.Values{"token": {token[1]}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "2 créés") {
			t.Fatalf("confirm: %d %q\n%.500s", a.status, a.flash(), a.text())
		}
		if n := listed(); n != 2 {
			t.Fatalf("%d listed venues after the import", n)
		}
		// Confirming twice does nothing more.
		if a := s.post(op, "/operateur/lieux/import/confirmer", url.Values{"token": {token[1]}}); a.status != http.StatusConflict || !strings.Contains(a.text(), "Rien n'a été importé") {
			t.Errorf("second confirmation: %d", a.status)
		}
		// The same file again, as JSON: nothing would change.
		var js bytes.Buffer
		js.WriteString(s.get(op, "/operateur/lieux/export.json?statut=listed").body)
		a = s.upload(op, "/operateur/lieux/import", "lieux.json", js.String())
		if a.status != http.StatusOK || !strings.Contains(a.text(), "Lieux inchangés 2") {
			t.Errorf("JSON dry run: %d\n%.800s", a.status, a.text())
		}
		// The list shows them, with the import and the exports.
		list := s.get(op, "/operateur/lieux?statut=listed")
		for _, want := range []string{"Bibliothèque 1", "Bibliothèque 2", `href="/operateur/lieux/import"`, `href="/operateur/lieux/export.csv?statut=listed"`} {
			if !strings.Contains(list.body, want) {
				t.Errorf("the list has no %s", want)
			}
		}
		if strings.Contains(list.body, s.f.Venue.Name) {
			t.Error("the filter shows a qualified venue among listed ones")
		}
		if a := s.get(op, "/operateur/lieux?q=Bibliothèque+2"); !strings.Contains(a.body, "Bibliothèque 2") || strings.Contains(a.body, "Bibliothèque 1") {
			t.Errorf("search:\n%s", a.text())
		}
	})
}

// onAnotherStore serves the same people from a second store on the same
// database, as a second server of the installation.
func (s *site) onAnotherStore() *site {
	s.t.Helper()
	out := *s
	out.env = storetest.Reopen(s.t, s.env)
	srv, err := NewServer(out.env.Store, Options{Now: s.env.Clock.Now, Logger: slog.New(slog.NewJSONHandler(s.logs, nil))})
	if err != nil {
		s.t.Fatal(err)
	}
	out.srv, out.http = srv, httptest.NewServer(srv.Handler())
	s.t.Cleanup(out.http.Close)
	return &out
}

// anotherOperatorAdmin signs in a second administrator of the operator.
func (s *site) anotherOperatorAdmin() *person {
	s.t.Helper()
	p := &person{email: "autre.admin@example.fr", password: "girafe tournevis nuage clavecin", org: s.f.Operator.OrgID}
	if _, err := s.env.Store.CreateUser(storetest.As(s.f.Operator), passnum.UserCreate{Email: p.email, Name: "Dominique Autre", Password: p.password,
		OrgID: p.org, Role: passnum.RoleAdmin}); err != nil {
		s.t.Fatal(err)
	}
	var err error
	if p.secret, _, err = s.env.Store.Login(context.Background(), p.email, p.password); err != nil {
		s.t.Fatal(err)
	}
	return p
}

// uploadMode sends a file to the import form in a mode.
func (s *site) uploadMode(p *person, name, content, mode string) answer {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrfToken(p.secret))
	mw.WriteField("mode", mode)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		s.t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	return s.send(p, "POST", "/operateur/lieux/import", body.String(), false, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

// TestImportValidLines: in the mode of the valid lines, the dry run lists
// the lines it leaves out with their reasons, and the confirmation imports
// the others; hours passnum does not evaluate are kept.
func TestImportValidLines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		form := s.get(op, "/operateur/lieux/import")
		if !strings.Contains(form.body, `name="mode" value="tout" checked`) || !strings.Contains(form.body, `value="valables"`) {
			t.Fatalf("the form has no mode, all or nothing by default:\n%s", form.text())
		}
		summer := standardVenue("ete-1", "Médiathèque d'été", testSIRET(11))
		summer["horaires"] = "Mo-Fr 09:00-17:00; Jul-Aug off"
		bad := standardVenue("ete-2", "Bibliothèque 2", testSIRET(12))
		bad["code_postal"] = "3500"
		file := csvOf(summer, bad, standardVenue("ete-3", "Bibliothèque 3", testSIRET(13))) + "trop,peu\n"

		a := s.uploadMode(op, "national.csv", file, "valables")
		token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(a.body)
		if a.status != http.StatusOK || token == nil || !strings.Contains(a.text(), "Nouveaux lieux 2") || !strings.Contains(a.text(), "2 lignes écartées") ||
			!strings.Contains(a.body, "Importer les lignes valables") {
			t.Fatalf("dry run: %d\n%s", a.status, a.text())
		}
		rows := regexp.MustCompile(`<tr><td class="num">(\d+)</td><td>(?:<code>)?([a-z_—]+)`).FindAllStringSubmatch(a.body, -1)
		var got []string
		for _, r := range rows {
			got = append(got, r[1]+":"+r[2])
		}
		if strings.Join(got, " ") != "3:code_postal 5:—" {
			t.Errorf("lines left out: %v\n%s", got, a.text())
		}
		a = s.post(op, "/operateur/lieux/import/confirmer", url.Values{"token": {token[1]}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "2 créés") || !strings.Contains(a.flash(), "2 lignes écartées") {
			t.Fatalf("confirm: %d %q", a.status, a.flash())
		}
		venues, _, err := env.Store.ListVenues(storetest.As(s.f.Operator), passnum.VenueFilter{Query: "ete-1"})
		if err != nil || len(venues) != 1 || venues[0].OpeningHours != "Mo-Fr 09:00-17:00; Jul-Aug off" {
			t.Fatalf("kept hours: %+v %v", venues, err)
		}
		// The same file all or nothing is refused whole.
		if a := s.uploadMode(op, "national.csv", file, "tout"); a.status != http.StatusUnprocessableEntity || !strings.Contains(a.text(), "en entier ou pas du tout") {
			t.Errorf("all or nothing: %d", a.status)
		}
		// No valid line: refused, each line said.
		if a := s.uploadMode(op, "national.csv", csvOf(bad), "valables"); a.status != http.StatusUnprocessableEntity || !strings.Contains(a.text(), "aucune ligne valable") {
			t.Errorf("no valid line: %d\n%s", a.status, a.text())
		}
	})
}

// TestExportVenues: the three exports of the standard, their types and
// first lines.
func TestExportVenues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		op := s.as(passnum.KindOperator, passnum.RoleAgent)
		header := strings.Join(passnum.StandardFields, ",")
		a := s.get(op, "/operateur/lieux/export.csv")
		if a.status != http.StatusOK || a.header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(a.header.Get("Content-Disposition"), `attachment; filename="lieux-mediation-numerique.csv"`) {
			t.Fatalf("CSV: %d %q %q", a.status, a.header.Get("Content-Type"), a.header.Get("Content-Disposition"))
		}
		lines := strings.Split(strings.TrimSpace(a.body), "\n")
		if strings.TrimSpace(lines[0]) != header || len(lines) != 4 || !strings.Contains(a.body, s.f.Venue.Name) {
			t.Errorf("CSV: %d lines, first %q", len(lines), lines[0])
		}
		a = s.get(op, "/operateur/lieux/export-tableur.csv?statut=qualified")
		if a.status != http.StatusOK || !strings.HasPrefix(a.body, "\ufeff"+strings.Join(passnum.StandardFields, ";")) || !strings.Contains(a.header.Get("Content-Disposition"), "qualified-tableur.csv") {
			t.Errorf("spreadsheet: %d %.200q", a.status, a.body)
		}
		a = s.get(op, "/operateur/lieux/export.json?statut=pending")
		if a.status != http.StatusOK || a.header.Get("Content-Type") != "application/json; charset=utf-8" || strings.TrimSpace(a.body) != "[]" && !strings.HasPrefix(a.body, "[") {
			t.Errorf("JSON: %d %q %.200q", a.status, a.header.Get("Content-Type"), a.body)
		}
		a = s.get(op, "/operateur/lieux/export.json")
		if !strings.HasPrefix(a.body, "[") || !strings.Contains(a.body, `"nom":"La Quincaillerie numérique"`) {
			t.Errorf("JSON: %.300s", a.body)
		}
		// Venues and others cannot export.
		if a := s.get(s.as(passnum.KindVenue, passnum.RoleAdmin), "/operateur/lieux/export.csv"); a.status != http.StatusForbidden {
			t.Errorf("venue's export: %d", a.status)
		}
	})
}
