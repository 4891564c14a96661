package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpapi"
	"github.com/passnum/passnum/internal/storetest"
)

// application is a complete online application of a venue in Vitré.
func application(siret, email string) map[string]any {
	return map[string]any{
		"venue": map[string]any{
			"pivot": siret, "nom": "Espace public numérique de Vitré", "commune": "Vitré", "code_postal": "35500",
			"code_insee": "35360", "adresse": "5 place du Château", "latitude": 48.1236, "longitude": -1.2093,
			"horaires": "Mo-Fr 09:00-12:00,14:00-18:00", "telephone": "+33299001122",
			"services":                        []string{"Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"},
			"publics_specifiquement_adresses": []string{"Seniors"},
		},
		"questionnaire": map[string]any{"mediators": 2, "digital_advisers": 1, "volunteers": 0, "workstations": 6, "people_per_year": 300,
			"wheelchair_access": true, "offer_description": "Ateliers collectifs et rendez-vous individuels.", "staff_qualification": "Titre professionnel REMN."},
		"bank":            map[string]any{"holder": "Commune de Vitré", "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "AGRIFRPP"},
		"charter_version": passnum.CharterVersion,
		"admin_name":      "Inès Martin", "admin_email": email, "admin_password": "correct horse battery staple",
	}
}

// errorFields lists the fields of a problem's errors extension.
func errorFields(p httpapi.Problem) []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// TestVenueApplication: an application with many mistakes is answered
// with all of them at once; a good one creates a pending venue; the
// operator asks for changes, the venue resubmits, the operator qualifies;
// the venue keeps its description, bank account and places up to date.
func TestVenueApplication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2, CarnetSize: 2})
		a := newAPI(t, env)
		op := a.operatorToken()

		// Every mistake at once, each with its field, none with a line.
		bad := application("44201234000019", "pas-une-adresse")
		bad["venue"].(map[string]any)["code_postal"] = "355"
		bad["venue"].(map[string]any)["telephone"] = "02 99 00 11 22"
		bad["bank"] = map[string]any{"holder": "Commune de Vitré", "iban": "FR7630006000011234567890188", "bic": "AGRIFRPP"}
		bad["charter_version"] = ""
		res := a.do("", "POST", "/api/v1/venue-applications", bad)
		p := res.problem(http.StatusBadRequest, "invalid-input")
		fields := errorFields(p)
		for _, want := range []string{"pivot", "code_postal", "telephone", "iban", "charter", "admin_email"} {
			if !slices.Contains(fields, want) {
				t.Errorf("errors %v lack %s: %s", fields, want, res.body)
			}
		}
		if p.Field != p.Errors[0].Field || !strings.Contains(p.Detail, strings.TrimSpace(p.Errors[0].Message)) {
			t.Errorf("detail and field %q %q are not the first error %+v", p.Detail, p.Field, p.Errors[0])
		}
		if strings.Contains(string(res.body), `"line"`) {
			t.Errorf("a form's errors have no line: %s", res.body)
		}
		for _, e := range p.Errors {
			if e.Message == "" {
				t.Errorf("error without message: %s", res.body)
			}
		}
		a.do("", "POST", "/api/v1/venue-applications", map[string]any{"venue": map[string]any{"siret": "x"}}).problem(http.StatusBadRequest, "unknown-field")

		// A good one.
		var org passnum.Organisation
		res = a.do("", "POST", "/api/v1/venue-applications", application("44201234000018", "ines@vitre.example")).ok(http.StatusCreated, &org)
		if org.Kind != passnum.KindVenue || org.Qualification != passnum.QualificationPending || org.SIRET != "44201234000018" {
			t.Fatalf("venue %+v", org)
		}
		path := fmt.Sprintf("/api/v1/venues/%d", org.ID)
		if res.header.Get("Location") != path || res.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("headers %v", res.header)
		}
		// The SIRET is taken now, and said (it is public); whether the
		// address has an account is not.
		p = a.do("", "POST", "/api/v1/venue-applications", application("44201234000018", "ines@vitre.example")).problem(http.StatusConflict, "siret-taken")
		if fields := errorFields(p); !slices.Equal(fields, []string{"pivot"}) {
			t.Fatalf("conflicts %+v", p)
		}

		// The operator's queue.
		var venues page[passnum.Venue]
		a.do(op, "GET", "/api/v1/venues?qualification=pending", nil).ok(http.StatusOK, &venues)
		if venues.Total != 1 || venues.Items[0].OrgID != org.ID || venues.Items[0].Pivot != "44201234000018" || venues.Items[0].Name != "Espace public numérique de Vitré" {
			t.Fatalf("pending venues %+v", venues)
		}
		a.do(op, "GET", "/api/v1/venues?q=vitre", nil).ok(http.StatusOK, &venues)
		if venues.Total != 1 {
			t.Fatalf("venues matching vitre %+v", venues)
		}
		a.do(op, "GET", "/api/v1/venues?qualification=approved", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(a.token(f.Venue.ID, passnum.RoleAdmin), "GET", "/api/v1/venues", nil).problem(http.StatusForbidden, "forbidden")

		var file passnum.VenueFile
		a.do(op, "GET", path, nil).ok(http.StatusOK, &file)
		if file.Venue.OrgID != org.ID || file.Questionnaire == nil || file.Questionnaire.Mediators != 2 || file.Bank == nil ||
			file.Bank.IBAN != "FR7630006000011234567890189" || len(file.History) != 1 || file.History[0].Status != passnum.QualificationPending {
			t.Fatalf("file %+v", file)
		}

		// Changes requested, resubmitted, qualified.
		qualify := path + "/qualification"
		a.do(op, "POST", qualify, map[string]any{"status": "changes_requested", "reason": "Précisez vos horaires d'ateliers."}).ok(http.StatusOK, &file)
		if file.Venue.Qualification != passnum.QualificationChangesRequested || len(file.History) != 2 {
			t.Fatalf("after changes requested %+v", file)
		}
		a.do(op, "POST", qualify, map[string]any{"status": "approved", "reason": "x"}).problem(http.StatusBadRequest, "invalid-input")
		admin := a.token(org.ID, passnum.RoleAdmin)
		resubmitted := application("44201234000018", "ignored@vitre.example")
		resubmitted["venue"].(map[string]any)["horaires"] = "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00"
		a.do(admin, "POST", path+"/application", resubmitted).ok(http.StatusOK, &file)
		if file.Venue.Qualification != passnum.QualificationPending || !strings.Contains(file.Venue.OpeningHours, "Sa") {
			t.Fatalf("after resubmission %+v", file.Venue)
		}
		a.do(op, "POST", qualify, map[string]any{"status": "qualified", "reason": "Dossier complet."}).ok(http.StatusOK, &file)
		if file.Venue.Qualification != passnum.QualificationQualified || !file.Venue.AcceptsPasses() {
			t.Fatalf("after qualification %+v", file.Venue)
		}
		a.do(op, "POST", qualify, map[string]any{"status": "refused", "reason": "x"}).problem(http.StatusConflict, "qualification-move")
		a.do(admin, "POST", qualify, map[string]any{"status": "suspended", "reason": "x"}).problem(http.StatusForbidden, "forbidden")

		// The venue's admin keeps its description up to date: what it
		// read goes back as is, with its changes.
		v := file.Venue
		v.Summary = "Ateliers numériques pour tous, au cœur de Vitré."
		var updated passnum.Venue
		a.do(admin, "PUT", path, v).ok(http.StatusOK, &updated)
		if updated.Summary != v.Summary || updated.Qualification != passnum.QualificationQualified || updated.Pivot != v.Pivot {
			t.Fatalf("updated %+v", updated)
		}
		v.Phone, v.PostalCode = "0299", "ABCDE"
		p = a.do(admin, "PUT", path, v).problem(http.StatusBadRequest, "invalid-input")
		if fields := errorFields(p); !slices.Contains(fields, "telephone") || !slices.Contains(fields, "code_postal") {
			t.Fatalf("errors %+v", p)
		}
		v.OrgID = f.Venue.ID
		a.do(admin, "PUT", path, v).problem(http.StatusBadRequest, "invalid-input")
		a.do(a.token(org.ID, passnum.RoleAgent), "PUT", path, updated).problem(http.StatusForbidden, "forbidden")
		a.do(a.token(f.Venue.ID, passnum.RoleAdmin), "GET", path, nil).problem(http.StatusNotFound, "not-found")

		// Bank account.
		a.do(admin, "PUT", path+"/bank-account", map[string]any{"holder": "Commune de Vitré", "iban": "FR7630006000011234567890189", "bic": "CCBPFRPPNAN"}).ok(http.StatusNoContent, nil)
		p = a.do(admin, "PUT", path+"/bank-account", map[string]any{"holder": "Commune de Vitré", "iban": "FR76300060000112345678901", "bic": "CCBPFRPPNAN"}).problem(http.StatusBadRequest, "invalid-input")
		if p.Field != "iban" {
			t.Fatalf("bank problem %+v", p)
		}

		// Places.
		var place passnum.Place
		res = a.do(admin, "POST", path+"/places", map[string]any{"name": "Mairie annexe de Vitré", "address": "2 rue de Fougères",
			"postal_code": "35500", "commune_insee": "35360", "opening_hours": "We 14:00-17:00"}).ok(http.StatusCreated, &place)
		if place.ID == 0 || place.VenueID != org.ID || !place.Active || res.header.Get("Location") != fmt.Sprintf("%s/places/%d", path, place.ID) {
			t.Fatalf("place %+v %v", place, res.header)
		}
		a.do(admin, "PUT", fmt.Sprintf("%s/places/%d", path, place.ID), map[string]any{"name": "Mairie annexe", "address": "2 rue de Fougères",
			"postal_code": "35500", "commune_insee": "35360", "active": false}).ok(http.StatusOK, &place)
		if place.Active || place.Name != "Mairie annexe" {
			t.Fatalf("place %+v", place)
		}
		a.do(admin, "POST", path+"/places", map[string]any{"name": "Sans adresse", "postal_code": "35500", "commune_insee": "35360"}).problem(http.StatusBadRequest, "invalid-input")
		a.do(admin, "PUT", path+"/places/x", map[string]any{}).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "GET", path, nil).ok(http.StatusOK, &file)
		if len(file.Places) != 1 || file.Bank.BIC != "CCBPFRPPNAN" || file.Venue.Summary != v.Summary {
			t.Fatalf("file %+v", file)
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}

// TestVenueApplicationRateLimit: one client network sends at most 30
// applications an hour and has at most 5 accepted, as on the web form;
// another network is not affected, and the limit lifts after the hour.
func TestVenueApplicationRateLimit(t *testing.T) {
	a := newAPI(t, storetest.OpenSQLite(t))
	const path = "/api/v1/venue-applications"
	// Bodies that are not applications are not counted.
	for range 40 {
		a.do("", "POST", path, `{"venue":`).problem(http.StatusBadRequest, "invalid-json")
	}
	for range 30 {
		a.do("", "POST", path, map[string]any{}).problem(http.StatusBadRequest, "invalid-input")
	}
	res := a.do("", "POST", path, application(luhnSIRET(1), "ines@vitre.example"))
	p := res.problem(http.StatusTooManyRequests, "too-many-applications")
	if wait, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || wait < 3500 || wait > 3600 {
		t.Fatalf("Retry-After %q", res.header.Get("Retry-After"))
	}
	if !strings.Contains(p.Detail, "Réessayez") {
		t.Fatalf("detail %q", p.Detail)
	}

	// Another network: 5 accepted, then refused.
	from := func(addr string, body any) *httptest.ResponseRecorder {
		t.Helper()
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		a.server.Handler().ServeHTTP(rec, req)
		return rec
	}
	for i := range 5 {
		if rec := from("192.0.2.7:51000", application(luhnSIRET(10+i), fmt.Sprintf("lieu%d@example.org", i))); rec.Code != http.StatusCreated {
			t.Fatalf("application %d from another network: %d %s", i, rec.Code, rec.Body)
		}
	}
	if rec := from("192.0.2.7:51000", application(luhnSIRET(20), "lieu20@example.org")); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("sixth application: %d %s", rec.Code, rec.Body)
	}
	a.now.Advance(time.Hour + time.Second)
	a.do("", "POST", path, application(luhnSIRET(1), "ines@vitre.example")).ok(http.StatusCreated, nil)
}

// luhnSIRET returns a valid SIRET number made from n.
func luhnSIRET(n int) string {
	base := fmt.Sprintf("4420%09d", n) // 13 digits
	for check := '0'; check <= '9'; check++ {
		if passnum.ValidateSIRET(base+string(check)) == nil {
			return base + string(check)
		}
	}
	panic("no check digit")
}

// The import file's header and good lines: two venues of the national
// data set in Ille-et-Vilaine, with ';' separators as a spreadsheet
// writes them.
const (
	importHeader = "id;pivot;nom;commune;code_postal;code_insee;adresse;latitude;longitude;horaires;date_maj;services;publics_specifiquement_adresses\n"
	importGood   = importHeader +
		"mednum-35-cyber-fougeres;35360001000014;Cyber-espace de Fougères;Fougères;35300;35115;12 rue Nationale;48,3524;-1,1986;Mo-Fr 14:00-18:00;2026-05-01;Aide aux démarches administratives|Maîtrise des outils numériques du quotidien;Seniors\n" +
		"mednum-35-redon-tiers-lieu;W353001234;Tiers-lieu numérique de Redon;Redon;35600;35236;3 quai Jean Bart;;;;2026-04-12;Loisirs et créations numériques;\n"
)

// TestVenueImportExport: a file with bad lines is refused with each line,
// field and message, and nothing changes; a good file is checked with
// dry_run then imported; an export imports back with nothing changed, in
// CSV and in JSON.
func TestVenueImportExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2, CarnetSize: 2})
		a := newAPI(t, env)
		op := a.operatorToken()
		csvType := header{"Content-Type", "text/csv; charset=utf-8"}
		count := func() int {
			t.Helper()
			var venues page[passnum.Venue]
			a.do(op, "GET", "/api/v1/venues?limit=1", nil).ok(http.StatusOK, &venues)
			return venues.Total
		}
		before := count()

		bad := importHeader +
			"mednum-35-ok;22351000400011;Point numérique de Bain;Bain-de-Bretagne;35470;35012;1 place de l'Église;;;;2026-05-01;Aide aux démarches administratives;\n" +
			"mednum-35-bad-cp;55123456000029;Médiathèque;Rennes;350;35238;1 rue;;;;2026-05-01;Cuisine;\n" +
			"mednum-35-bad-date;77889900112230;Espace;Rennes;35000;35238;2 rue;;;;01/05/2026;;\n"
		res := a.do(op, "POST", "/api/v1/venues/import?format=csv", bad, csvType)
		p := res.problem(http.StatusUnprocessableEntity, "import-invalid")
		lines := map[int][]string{}
		for _, e := range p.Errors {
			lines[e.Line] = append(lines[e.Line], e.Field)
			if e.Message == "" {
				t.Errorf("error without message: %s", res.body)
			}
		}
		if !slices.Contains(lines[3], "code_postal") || !slices.Contains(lines[3], "services") || !slices.Contains(lines[4], "date_maj") || lines[2] != nil {
			t.Fatalf("errors by line %v: %s", lines, res.body)
		}
		if !strings.Contains(p.Detail, "Ligne 3") || !strings.Contains(p.Detail, "rien n'a été importé") {
			t.Fatalf("detail %q", p.Detail)
		}
		if n := count(); n != before {
			t.Fatalf("%d venues after a refused import, %d before", n, before)
		}

		// Checked, then imported.
		var rep passnum.ImportReport
		a.do(op, "POST", "/api/v1/venues/import?format=csv&dry_run=true", importGood, csvType).ok(http.StatusOK, &rep)
		if rep.Created != 2 || rep.Updated != 0 || !rep.DryRun || rep.Warnings == nil {
			t.Fatalf("dry run %+v", rep)
		}
		if n := count(); n != before {
			t.Fatalf("%d venues after a dry run, %d before", n, before)
		}
		a.do(op, "POST", "/api/v1/venues/import", importGood, csvType).ok(http.StatusOK, &rep)
		if rep.Created != 2 || rep.DryRun {
			t.Fatalf("import %+v", rep)
		}
		var listed page[passnum.Venue]
		a.do(op, "GET", "/api/v1/venues?qualification=listed", nil).ok(http.StatusOK, &listed)
		if listed.Total != 2 {
			t.Fatalf("listed venues %+v", listed)
		}
		// The fixture's venues, made without an address, get one: the
		// standard requires it, so that the export imports back.
		for _, id := range []int64{f.Venue.ID, f.Venue2.ID, f.Outside.ID} {
			var file passnum.VenueFile
			a.do(op, "GET", fmt.Sprintf("/api/v1/venues/%d", id), nil).ok(http.StatusOK, &file)
			file.Venue.Address = "1 place de la Mairie"
			a.do(op, "PUT", fmt.Sprintf("/api/v1/venues/%d", id), file.Venue).ok(http.StatusOK, nil)
		}
		total := count()

		// Export, re-import: nothing changes, in either format.
		res = a.do(op, "GET", "/api/v1/venues/export", nil).ok(http.StatusOK, nil)
		if ct := res.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.Contains(res.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export headers %v", res.header)
		}
		exported := string(res.body)
		if !strings.HasPrefix(exported, strings.Join(passnum.StandardFields, ",")+"\n") || !strings.Contains(exported, "Cyber-espace de Fougères") {
			t.Fatalf("export %s", exported)
		}
		a.do(op, "POST", "/api/v1/venues/import?format=csv", exported, csvType).ok(http.StatusOK, &rep)
		if rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != total {
			t.Fatalf("re-import of the CSV export (%d venues): %+v", total, rep)
		}
		res = a.do(op, "GET", "/api/v1/venues/export?format=json", nil).ok(http.StatusOK, nil)
		if ct := res.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Fatalf("JSON export type %q", ct)
		}
		a.do(op, "POST", "/api/v1/venues/import?format=json", string(res.body)).ok(http.StatusOK, &rep)
		if rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != total {
			t.Fatalf("re-import of the JSON export (%d venues): %+v", total, rep)
		}
		// An export of one status.
		res = a.do(op, "GET", "/api/v1/venues/export?qualification=listed", nil).ok(http.StatusOK, nil)
		if n := strings.Count(strings.TrimSpace(string(res.body)), "\n"); n != 2 {
			t.Fatalf("listed export has %d lines: %s", n, res.body)
		}

		// What else is refused.
		a.do(op, "POST", "/api/v1/venues/import?format=xlsx", importGood, csvType).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "GET", "/api/v1/venues/export?format=xml", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "POST", "/api/v1/venues/import?dry_run=maybe", importGood, csvType).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "POST", "/api/v1/venues/import", "", csvType).problem(http.StatusBadRequest, "invalid-input")
		a.do(a.token(a.op.OrgID, passnum.RoleAgent), "POST", "/api/v1/venues/import", importGood, csvType).problem(http.StatusForbidden, "forbidden")
		a.do(a.token(f.Venue.ID, passnum.RoleAdmin), "GET", "/api/v1/venues/export", nil).problem(http.StatusForbidden, "forbidden")
		huge := importHeader + strings.Repeat("x", 20<<20)
		p = a.do(op, "POST", "/api/v1/venues/import", huge, csvType).problem(http.StatusRequestEntityTooLarge, "file-too-large")
		if !strings.Contains(p.Detail, "20 Mio") {
			t.Fatalf("detail %q", p.Detail)
		}
		if n := count(); n != total {
			t.Fatalf("%d venues, want %d", n, total)
		}
	})
}

// TestVenueApplicationSameAnswer: the public application answers the same
// whether or not the administrator's address has an account: same status,
// same headers, the same fields; only the venue's number differs.
func TestVenueApplicationSameAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2})
		a := newAPI(t, env)
		if _, err := env.Store.CreateUser(storetest.As(f.Operator), passnum.UserCreate{Email: "ines@vitre.example", Name: "Inès", Password: "correct horse battery staple",
			OrgID: f.Venue.ID, Role: passnum.RoleAgent}); err != nil {
			t.Fatal(err)
		}
		shape := func(res *response) string {
			var body map[string]any
			if err := json.Unmarshal(res.body, &body); err != nil {
				t.Fatal(err)
			}
			delete(body, "id")
			delete(body, "siret")
			loc := strings.TrimRightFunc(res.header.Get("Location"), func(r rune) bool { return r >= '0' && r <= '9' })
			out, _ := json.Marshal(body)
			return fmt.Sprintf("%d %s %s %s %s", res.status, res.header.Get("Content-Type"), res.header.Get("Cache-Control"), loc, out)
		}
		taken := a.do("", "POST", "/api/v1/venue-applications", application("44201234000018", "ines@vitre.example"))
		fresh := a.do("", "POST", "/api/v1/venue-applications", application("44306184100047", "nouvelle@vitre.example"))
		if shape(taken) != shape(fresh) || taken.status != http.StatusCreated {
			t.Errorf("answers differ:\n%s\n%s", shape(taken), shape(fresh))
		}
	})
}

// TestVenueImportValidLines: valid_lines=true imports the valid lines of
// a file all or nothing refuses, and lists each other line in skipped; a
// summer closing is evaluated.
func TestVenueImportValidLines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		a := newAPI(t, env)
		op := a.operatorToken()
		csvType := header{"Content-Type", "text/csv; charset=utf-8"}
		file := importHeader +
			"mednum-35-ete;22351000400011;Point numérique de Bain;Bain-de-Bretagne;35470;35012;1 place de l'Église;;;\"Mo-Fr 09:00-17:00; Jul-Aug off\";2026-05-01;Aide aux démarches administratives;\n" +
			"mednum-35-bad-cp;55123456000029;Médiathèque;Rennes;350;35238;1 rue;;;;2026-05-01;Cuisine;\n" +
			"mednum-35-trop;77889900112230;Espace;Rennes;35000;35238;2 rue;;;;2026-05-01;;;en trop\n"
		a.do(op, "POST", "/api/v1/venues/import", file, csvType).problem(http.StatusUnprocessableEntity, "import-invalid")
		var rep passnum.ImportReport
		a.do(op, "POST", "/api/v1/venues/import?valid_lines=true", file, csvType).ok(http.StatusOK, &rep)
		var lines []string
		for _, p := range rep.Skipped {
			lines = append(lines, fmt.Sprintf("%d:%s", p.Line, p.Field))
		}
		if rep.Created != 1 || !slices.Equal(lines, []string{"3:code_postal", "3:services", "4:"}) {
			t.Fatalf("report %+v", rep)
		}
		var venues passnum.DirectoryPage
		a.do("", "GET", "/api/v1/public/directory?q=Bain", nil).ok(http.StatusOK, &venues)
		// Monday 15 March 2027 in Bain-de-Bretagne: open.
		if len(venues.Venues) != 1 || venues.Venues[0].OpeningHours != "Mo-Fr 09:00-17:00; Jul-Aug off" || venues.Venues[0].OpenNow == nil || !*venues.Venues[0].OpenNow {
			t.Fatalf("directory %s", a.do("", "GET", "/api/v1/public/directory?q=Bain", nil).body)
		}
		// Not one valid line: refused, every line listed.
		p := a.do(op, "POST", "/api/v1/venues/import?valid_lines=true", importHeader+
			"mednum-35-trop;77889900112230;Espace;Rennes;35000;35238;2 rue;;;;2026-05-01;;;en trop\n", csvType).problem(http.StatusUnprocessableEntity, "import-invalid")
		if len(p.Errors) != 1 || p.Errors[0].Line != 2 {
			t.Fatalf("refusal %+v", p)
		}
		a.do(op, "POST", "/api/v1/venues/import?valid_lines=peut-être", file, csvType).problem(http.StatusBadRequest, "invalid-input")
	})
}
