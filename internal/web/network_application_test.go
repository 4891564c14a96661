package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/ratelimit"
	"github.com/passnum/passnum/internal/storetest"
)

// testIBAN is a valid French IBAN (the example of French banks' RIBs).
const testIBAN = "FR7630006000011234567890189"

// testSIRET returns the n-th of a series of valid SIRET numbers.
func testSIRET(n int) string {
	prefix := fmt.Sprintf("4471234500%03d", n)
	for d := 0; d < 10; d++ {
		s := prefix + fmt.Sprint(d)
		if passnum.ValidateSIRET(s) == nil {
			return s
		}
	}
	panic("no SIRET")
}

// application is a complete application form, as a person fills it.
func application(n int) url.Values {
	return url.Values{
		"nom": {fmt.Sprintf("Espace numérique n°%d", n)}, "pivot": {testSIRET(n)}, "adresse": {"12 rue de la Paix"},
		"commune": {"Rennes"}, "code_postal": {"35000"}, "telephone": {"02 99 00 00 00"},
		"courriels": {"contact@espace.example.fr"}, "site_web": {"https://espace.example.fr"},
		"horaires":                        {"Mo-Fr 09:00-12:00,14:00-17:30"},
		"presentation_resume":             {"Ateliers pour débuter sur ordinateur et smartphone."},
		"services":                        {"Maîtrise des outils numériques du quotidien", "Aide aux démarches administratives"},
		"publics_specifiquement_adresses": {"Seniors"}, "modalites_acces": {"Se présenter", "Téléphoner"},
		"frais_a_charge": {"Gratuit"}, "mediators": {"3"}, "digital_advisers": {"1"}, "volunteers": {"1"},
		"workstations": {"8"}, "people_per_year": {"250"}, "wheelchair_access": {"1"},
		"offer_description":   {"Deux ateliers collectifs par semaine et des rendez-vous individuels."},
		"staff_qualification": {"Deux médiatrices formées (titre professionnel RNFP)."},
		"holder":              {"Association Espace numérique"}, "iban": {"FR76 3000 6000 0112 3456 7890 189"}, "bic": {"AGRIFRPP"},
		"charter": {passnum.CharterVersion}, "admin_name": {"Léa Morel"},
		"admin_email": {fmt.Sprintf("lea.morel.%d@espace.example.fr", n)}, "admin_password": {"une phrase de passe solide"},
	}
}

// errorLinks returns the fields the error summary of a page links to.
func errorLinks(a answer) []string {
	box := a.body
	if i := strings.Index(box, `id="errors"`); i >= 0 {
		box = box[i:]
		if j := strings.Index(box, "</div>"); j >= 0 {
			box = box[:j]
		}
	} else {
		return nil
	}
	var out []string
	for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(box, -1) {
		out = append(out, m[1])
	}
	return out
}

func pendingVenues(t *testing.T, s *site) []*passnum.Venue {
	t.Helper()
	vs, _, err := s.env.Store.ListVenues(storetest.As(s.f.Operator), passnum.VenueFilter{Qualification: passnum.QualificationPending})
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestApplicationForm: a form with mistakes everywhere comes back with
// every mistake listed and tied to its field, what was typed kept (not the
// password), and nothing created; a good one creates a pending venue whose
// administrator logs in and reads where the application stands.
func TestApplicationForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		a := s.get(anonymous, "/candidature")
		if a.status != http.StatusOK || !strings.Contains(a.body, `name="csrf"`) || !strings.Contains(a.text(), "version "+passnum.CharterVersion) {
			t.Fatalf("form: %d\n%.500s", a.status, a.text())
		}
		for _, want := range []string{`id="pivot"`, `id="services"`, `id="horaires-hint"`, `id="mediators"`, `id="iban"`, `id="charter"`, `id="admin_password"`} {
			if !strings.Contains(a.body, want) {
				t.Errorf("the form has no %s", want)
			}
		}

		// Mistakes the page finds itself (a count that is not a number, a
		// commune that does not exist) and those of the rules.
		bad := application(1)
		bad.Set("nom", "")
		bad.Set("pivot", "123")
		bad.Set("commune", "Zzyzx-sur-Mer")
		bad.Set("code_postal", "")
		bad.Set("mediators", "trois")
		bad.Del("services")
		bad.Set("holder", "")
		bad.Set("iban", "FR76 3000 6000 0112 3456 7890 188")
		bad.Set("bic", "AGRI")
		bad.Del("charter")
		bad.Set("admin_email", "lea.morel")
		bad.Set("admin_password", "court")
		bad.Set("offer_description", "")
		a = s.post(anonymous, "/candidature", bad)
		if a.status != http.StatusBadRequest {
			t.Fatalf("bad form: %d\n%.800s", a.status, a.text())
		}
		links := errorLinks(a)
		for _, field := range []string{"nom", "pivot", "commune", "mediators", "services", "holder", "iban", "bic", "charter", "admin_email", "admin_password", "offer_description"} {
			if !contains(links, field) {
				t.Errorf("the summary does not link to %q: %v", field, links)
			}
			if !regexp.MustCompile(`id="` + field + `"[^>]*aria-describedby="[^"]*` + field + `-error"`).MatchString(a.body) {
				t.Errorf("field %q is not described by its error", field)
			}
		}
		if !strings.Contains(a.body, `value="Association`) && !strings.Contains(a.body, `value="12 rue de la Paix"`) {
			t.Error("what was typed is not kept")
		}
		if strings.Contains(a.body, "court") && strings.Contains(a.body, `value="court"`) {
			t.Error("the password is sent back")
		}
		if !strings.Contains(a.body, `value="FR76 3000 6000 0112 3456 7890 188"`) || !strings.Contains(a.body, `value="Téléphoner" checked`) {
			t.Error("the IBAN or the checkboxes typed are not kept")
		}
		if n := len(pendingVenues(t, s)); n != 0 {
			t.Fatalf("%d venues after a refused form", n)
		}

		// Mistakes only the service sees: a SIRET already qualified, hours
		// that do not parse; and the bank's two fields at once.
		bad = application(1)
		bad.Set("pivot", s.f.Venue.SIRET)
		bad.Set("horaires", "du lundi au vendredi")
		bad.Set("iban", "FR7630006000011234567890188")
		bad.Set("bic", "AGRI")
		a = s.post(anonymous, "/candidature", bad)
		links = errorLinks(a)
		for _, field := range []string{"pivot", "horaires", "iban", "bic"} {
			if !contains(links, field) {
				t.Errorf("service's problems: the summary does not link to %q: %v\n%.600s", field, links, a.text())
			}
		}
		if a.status < 400 || len(pendingVenues(t, s)) != 0 {
			t.Fatalf("refused by the service: %d, %d venues", a.status, len(pendingVenues(t, s)))
		}

		// A good application.
		good := application(1)
		a = s.post(anonymous, "/candidature", good)
		if a.status != http.StatusSeeOther || a.header.Get("Location") != "/candidature/envoyee" || !strings.Contains(a.flash(), "Espace numérique n°1") {
			t.Fatalf("good form: %d %q\n%.800s", a.status, a.header.Get("Location"), a.text())
		}
		if a := s.get(anonymous, "/candidature/envoyee"); !strings.Contains(a.text(), "L'opérateur examine votre candidature") {
			t.Errorf("confirmation:\n%s", a.text())
		}
		venues := pendingVenues(t, s)
		if len(venues) != 1 {
			t.Fatalf("%d pending venues", len(venues))
		}
		v := venues[0]
		if v.INSEE != "35238" || v.PostalCode != "35000" || v.Phone != "+33299000000" || len(v.Services) != 2 || v.OpeningHours == "" {
			t.Errorf("venue %+v", v)
		}
		// Its administrator confirms the address, logs in and sees where
		// the application stands.
		token := mailLink(t, s, "lea.morel.1@espace.example.fr", passnum.MailConfirmAddress, passnum.ConfirmAddressPath)
		if a := s.post(anonymous, passnum.ConfirmAddressPath, url.Values{"token": {token}}); a.status != http.StatusSeeOther {
			t.Fatalf("confirm the address: %d\n%.400s", a.status, a.text())
		}
		login, cookie := s.login("lea.morel.1@espace.example.fr", "une phrase de passe solide")
		if cookie == nil || login.header.Get("Location") != "/lieu" {
			t.Fatalf("login: %d %q", login.status, login.header.Get("Location"))
		}
		admin := &person{secret: cookie.Value}
		home := s.get(admin, "/lieu")
		if !strings.Contains(home.text(), "Votre lieu n'encaisse pas encore de pass") || !strings.Contains(home.body, `href="/lieu/candidature"`) || strings.Contains(home.body, `id="cashier"`) {
			t.Errorf("cashier of a pending venue:\n%s", home.text())
		}
		page := s.get(admin, "/lieu/candidature")
		if page.status != http.StatusOK || !strings.Contains(page.text(), "L'opérateur examine votre candidature") || !strings.Contains(page.text(), "candidature envoyée") {
			t.Errorf("application page: %d\n%s", page.status, page.text())
		}
		storetest.MustCheck(t, env, s.f.Operator)
	})
}

// TestApplicationLimit: five applications an hour from one network, then
// the form says when to come back and keeps what was typed.
func TestApplicationLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		for i := range ratelimit.ApplicationLimit {
			if a := s.post(anonymous, "/candidature", application(10+i)); a.status != http.StatusSeeOther {
				t.Fatalf("application %d: %d\n%.500s", i, a.status, a.text())
			}
		}
		a := s.post(anonymous, "/candidature", application(20))
		if a.status != http.StatusTooManyRequests || !strings.Contains(a.text(), "réessayez") || !strings.Contains(a.body, `value="Espace numérique n°20"`) {
			t.Fatalf("sixth application: %d\n%.500s", a.status, a.text())
		}
		if n := len(pendingVenues(t, s)); n != ratelimit.ApplicationLimit {
			t.Errorf("%d pending venues", n)
		}
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestMaskIBAN(t *testing.T) {
	for in, want := range map[string]string{
		testIBAN:                            "FR76 •••• •••• 0189",
		"FR76 3000 6000 0112 3456 7890 189": "FR76 •••• •••• 0189",
		"de89370400440532013000":            "DE89 •••• •••• 3000",
		"FR76":                              "•••• •••• ••••",
	} {
		if got := maskIBAN(in); got != want {
			t.Errorf("maskIBAN(%q) = %q, want %q", in, got, want)
		}
		if strings.Contains(maskIBAN(in), "30006") {
			t.Errorf("maskIBAN(%q) shows the bank code", in)
		}
	}
}

// TestApplicationSameAnswerForAnAddressWithAnAccount: the form answers the
// same whether or not the administrator's address has an account (here a
// venue agent's): the same redirect to the same page, with the same kind
// of message.
func TestApplicationSameAnswerForAnAddressWithAnAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		taken := application(7)
		taken.Set("admin_email", s.as(passnum.KindVenue, passnum.RoleAgent).email)
		answers := map[string]answer{"taken": s.post(anonymous, "/candidature", taken), "fresh": s.post(anonymous, "/candidature", application(8))}
		for name, a := range answers {
			if a.status != http.StatusSeeOther || a.header.Get("Location") != "/candidature/envoyee" ||
				!regexp.MustCompile(`^Candidature de « Espace numérique n°\d » enregistrée\.$`).MatchString(a.flash()) {
				t.Errorf("%s address: %d %q %q\n%.600s", name, a.status, a.header.Get("Location"), a.flash(), a.text())
			}
		}
		sent := s.get(anonymous, "/candidature/envoyee")
		if sent.status != http.StatusOK || !strings.Contains(sent.text(), "Un courriel vous a été envoyé") {
			t.Errorf("the page after an application:\n%s", sent.text())
		}
	})
}
