package oidclogin

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestAttemptCookie: the callback accepts only an attempt cookie this
// installation signed, before it expires, with the state it holds.
func TestAttemptCookie(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := New(Config{Issuer: "https://idp.example.org", ClientID: "passnum", ClientSecret: "secret-one", RedirectURL: "https://pass.example.fr/cb", Now: clock})
	other := New(Config{Issuer: "https://idp.example.org", ClientID: "passnum", ClientSecret: "secret-two", RedirectURL: "https://pass.example.fr/cb", Now: clock})
	// A cookie as Start makes it, without the provider.
	sealed := func(c *Client, a attempt) string {
		t.Helper()
		body, err := encode(a)
		if err != nil {
			t.Fatal(err)
		}
		return body + "." + c.sign(body)
	}
	good := attempt{State: "state-1", Nonce: "nonce-1", Verifier: "verifier-1", Next: "/prescripteur", Expires: now.Add(time.Minute).Unix()}
	cookie := sealed(c, good)
	body, sig, _ := strings.Cut(cookie, ".")
	forged, _, _ := strings.Cut(sealed(c, attempt{State: "state-2", Expires: good.Expires}), ".")
	tests := []struct {
		name   string
		cookie string
		ok     bool
	}{
		{"as signed", cookie, true},
		{"empty", "", false},
		{"no signature", body, false},
		{"signature of another body", forged + "." + sig, false},
		{"signed by another installation", sealed(other, good), false},
		{"expired", sealed(c, attempt{State: "state-1", Expires: now.Add(-time.Second).Unix()}), false},
		{"too long", sealed(c, attempt{State: strings.Repeat("s", 3000), Expires: good.Expires}), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := c.open(tc.cookie)
			if tc.ok != (err == nil) {
				t.Fatalf("open: %+v %v, want ok %v", a, err, tc.ok)
			}
			if !tc.ok && KindOf(err) != BadState {
				t.Fatalf("kind %q, want %q", KindOf(err), BadState)
			}
			if tc.ok && *a != good {
				t.Fatalf("attempt %+v, want %+v", *a, good)
			}
		})
	}
	// The state must be the attempt's, before anything goes to the
	// provider (which this client could not even reach).
	for _, state := range []string{"", "state-2", "state-1x"} {
		if _, err := c.Finish(t.Context(), cookie, url.Values{"state": {state}, "code": {"c"}}); KindOf(err) != BadState {
			t.Errorf("state %q: %v, want %s", state, err, BadState)
		}
	}
}
