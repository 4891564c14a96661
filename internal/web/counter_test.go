package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/passcode"
	"github.com/passnum/passnum/internal/storetest"
)

// follow reads the page a redirect leads to, as the browser does.
func (s *site) follow(p *person, a answer) answer {
	s.t.Helper()
	loc := a.header.Get("Location")
	if a.status != http.StatusSeeOther || loc == "" {
		s.t.Fatalf("want a redirect (303), got %d to %q:\n%.600s", a.status, loc, a.text())
	}
	return s.get(p, loc)
}

// counterKey reads the idempotency key of a fresh counter screen.
func counterKey(t *testing.T, a answer) string {
	t.Helper()
	m := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(a.body)
	if a.status != http.StatusOK || m == nil {
		t.Fatalf("counter: %d\n%.500s", a.status, a.text())
	}
	return m[1]
}

// TestCounterRedirectsAfterRedeeming checks the post/redirect/get of the
// counter: the redemption answers with a redirect to a page that shows
// it, to its venue only; reading that page again redeems nothing, and the
// same form sent again gets the first answer.
func TestCounterRedirectsAfterRedeeming(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		venue := s.as(passnum.KindVenue, passnum.RoleAgent)
		count := func() int {
			t.Helper()
			_, n, err := env.Store.ListRedemptions(storetest.VenueCtx(f.Venue), passnum.RedemptionFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		code := f.Codes[f.Serials(0)[0]]
		form := url.Values{"key": {counterKey(t, s.get(venue, "/lieu"))}, "service_id": {fmt.Sprint(f.Service.ID)},
			"action": {"redeem"}, "codes": {code}, "accepted": {code}}
		a := s.post(venue, "/lieu/encaisser", form)
		loc := a.header.Get("Location")
		if a.status != http.StatusSeeOther || !regexp.MustCompile(`^/lieu\?encaissement=\d+$`).MatchString(loc) {
			t.Fatalf("redeem: %d to %q, want 303 to /lieu?encaissement=…\n%.500s", a.status, loc, a.text())
		}
		if count() != 1 {
			t.Fatalf("%d redemptions after redeeming, want 1", count())
		}
		masked := "••••-••••" + code[len("XXXX-XXXX"):]
		for i := range 2 { // the page after the redirect, then a reload of it
			page := s.get(venue, loc)
			if page.status != http.StatusOK || !strings.Contains(page.text(), "1 pass encaissé pour « Premiers pas sur smartphone »") ||
				!strings.Contains(page.body, `role="status" tabindex="-1" id="done"`) || !strings.Contains(page.body, masked) ||
				!strings.Contains(page.body, "<title>1 pass encaissé — Encaisser des pass") {
				t.Fatalf("page %d after the redirect: %d\n%.800s", i, page.status, page.text())
			}
			// The next person is likely at the same workshop.
			if !strings.Contains(page.body, fmt.Sprintf(`<option value="%d" selected>`, f.Service.ID)) {
				t.Errorf("page %d: the service is no longer chosen", i)
			}
			if strings.Contains(page.body, code) {
				t.Errorf("page %d shows the whole code of a spent pass", i)
			}
			if n := count(); n != 1 {
				t.Fatalf("%d redemptions after reading the page %d times, want 1", n, i+1)
			}
		}
		// The same form again (a double click, a lost answer): the first
		// answer, said as such, and no second redemption.
		again := s.follow(venue, s.post(venue, "/lieu/encaisser", form))
		if !strings.Contains(again.text(), "avait déjà été enregistré") || count() != 1 {
			t.Errorf("the same form again: %d redemptions\n%.600s", count(), again.text())
		}

		// Another venue given the address sees an ordinary counter.
		ctx := storetest.As(f.Operator)
		other := &person{email: "accueil@brest.example.fr", password: "phrase secrète du finistère pour les essais", org: f.Venue2.ID}
		if _, err := env.Store.CreateUser(ctx, passnum.UserCreate{Email: other.email, Name: "Alex Brest", Password: other.password, OrgID: other.org, Role: passnum.RoleAgent}); err != nil {
			t.Fatal(err)
		}
		var err error
		if other.secret, _, err = env.Store.Login(t.Context(), other.email, other.password); err != nil {
			t.Fatal(err)
		}
		if page := s.get(other, loc); page.status != http.StatusOK || strings.Contains(page.text(), "encaissé") || strings.Contains(page.body, `id="done"`) {
			t.Errorf("another venue at %s: %d\n%.600s", loc, page.status, page.text())
		}
		// Nor is a voided redemption shown as made.
		id := strings.TrimPrefix(loc, "/lieu?encaissement=")
		voided := s.post(venue, "/lieu/encaissements/"+id+"/annuler", nil)
		if voided.status != http.StatusSeeOther {
			t.Fatalf("void: %d", voided.status)
		}
		// The history then shows the message where the focus can go
		// (app.js puts it there).
		var cookies []string
		for _, c := range (&http.Response{Header: voided.header}).Cookies() {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
		history := s.request(venue, "GET", voided.header.Get("Location"), nil, http.Header{"Cookie": {strings.Join(cookies, "; ")}})
		if !regexp.MustCompile(`role="status" id="flash" tabindex="-1"><p>Encaissement n°\d+ annulé`).MatchString(history.body) {
			t.Errorf("history after a void: no message to focus\n%.600s", history.body)
		}
		if page := s.get(venue, loc); strings.Contains(page.body, `id="done"`) {
			t.Errorf("a voided redemption still shown as made:\n%.600s", page.text())
		}
		// Addresses that name nothing are an ordinary counter too.
		for _, q := range []string{"abc", "0", "-3", "999999"} {
			if page := s.get(venue, "/lieu?encaissement="+q); page.status != http.StatusOK || strings.Contains(page.body, `id="done"`) {
				t.Errorf("/lieu?encaissement=%s: %d", q, page.status)
			}
		}
	})
}

// TestCounterEmptyAndScanned checks what the counter answers to what a
// field or a scanner sends: an empty Enter and an empty redemption are
// refused next to the field; a scanner that types the QR payload of a
// pass is understood as well as the code typed by hand.
func TestCounterEmptyAndScanned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		venue := s.as(passnum.KindVenue, passnum.RoleAgent)
		key := counterKey(t, s.get(venue, "/lieu"))
		serial := f.Serials(0)[0]
		fieldError := `aria-describedby="code-hint code-error" aria-invalid="true"`
		for _, c := range []struct {
			name   string
			form   url.Values
			status int
			want   string // in the text
			field  bool   // the error is on the code field
		}{
			{"empty Enter", url.Values{"action": {"add"}, "code": {"  "}}, http.StatusUnprocessableEntity, "Le champ du code est vide", true},
			{"redeem with nothing listed", url.Values{"action": {"redeem"}, "service_id": {fmt.Sprint(f.Service.ID)}}, http.StatusUnprocessableEntity, "Aucun pass accepté à encaisser", true},
			{"redeem with nothing at all", url.Values{"action": {"redeem"}}, http.StatusUnprocessableEntity, "Aucun pass accepté à encaisser", true},
			{"code typed", url.Values{"action": {"add"}, "code": {f.Codes[serial]}}, http.StatusOK, f.Codes[serial] + " Accepté", false},
			{"QR payload typed by a scanner", url.Values{"action": {"add"}, "code": {f.Payloads[serial] + "\r\n"}}, http.StatusOK, f.Codes[serial] + " Accepté", false},
			{"QR payload with Caps Lock", url.Values{"action": {"add"}, "code": {strings.ToLower(f.Payloads[serial])}}, http.StatusOK, f.Codes[serial] + " Accepté", false},
		} {
			c.form.Set("key", key)
			a := s.post(venue, "/lieu/encaisser", c.form)
			if a.status != c.status || !strings.Contains(a.text(), c.want) {
				t.Errorf("%s: %d, want %d with %q\n%.800s", c.name, a.status, c.status, c.want, a.text())
				continue
			}
			if got := strings.Contains(a.body, `id="code-error"`) && strings.Contains(a.body, fieldError); got != c.field {
				t.Errorf("%s: error next to the code field %v, want %v", c.name, got, c.field)
			}
		}
		// A payload is listed as its code, so that the list and the
		// redemption hold the same pass however it came.
		a := s.post(venue, "/lieu/encaisser", url.Values{"key": {key}, "action": {"add"}, "code": {f.Payloads[serial]}})
		if !strings.Contains(a.body, `name="accepted" value="`+f.Codes[serial]+`"`) {
			t.Errorf("payload not listed as its code:\n%.600s", a.text())
		}
		form := url.Values{"key": {key}, "action": {"redeem"}, "service_id": {fmt.Sprint(f.Service.ID)}, "codes": {f.Codes[serial]}, "accepted": {f.Codes[serial]}}
		if done := s.follow(venue, s.post(venue, "/lieu/encaisser", form)); !strings.Contains(done.text(), "1 pass encaissé") {
			t.Errorf("redeem a scanned pass:\n%.600s", done.text())
		}
	})
}

// TestCounterScreen checks the counter before any pass: the example code
// the hint shows is a code of the real format, and the redeem button does
// not offer to redeem 0 passes.
func TestCounterScreen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		venue := s.as(passnum.KindVenue, passnum.RoleAgent)
		page := s.get(venue, "/lieu")
		hint := regexp.MustCompile(`(?s)<p class="hint" id="code-hint">(.*?)</p>`).FindStringSubmatch(page.body)
		if hint == nil {
			t.Fatalf("no hint for the code field:\n%.600s", page.text())
		}
		example := regexp.MustCompile(`par exemple ([0-9A-Z-]+)`).FindStringSubmatch(hint[1])
		if example == nil || !strings.Contains(hint[1], "13 lettres et chiffres") {
			t.Fatalf("hint %q: no example, or not the 13 characters", hint[1])
		}
		c, err := passcode.Parse(example[1])
		if err != nil || len(c.Compact()) != 13 || c.String() != example[1] {
			t.Errorf("example %q: %v, %d characters", example[1], err, len(c.Compact()))
		}
		if strings.Contains(page.text(), "Encaisser 0 pass") || !strings.Contains(page.body, `class="button button-secondary button-idle" aria-describedby="redeem-hint">Encaisser</button>`) {
			t.Errorf("redeem button with nothing listed:\n%.800s", page.body)
		}
		// The camera's decoder is loaded by the script when needed, not
		// by the page.
		if strings.Contains(page.body, "jsQR") {
			t.Errorf("the counter page loads the QR decoder itself")
		}
		if js := s.get(nil, "/static/vendor/jsqr/jsQR.js"); js.status != http.StatusOK || !strings.Contains(js.body, `root["jsQR"] = factory()`) {
			t.Errorf("vendored decoder: %d", js.status)
		}
		if lic := s.get(nil, "/static/vendor/jsqr/LICENSE"); lic.status != http.StatusOK || !strings.Contains(lic.body, "Apache License") {
			t.Errorf("decoder's licence: %d", lic.status)
		}
	})
}
