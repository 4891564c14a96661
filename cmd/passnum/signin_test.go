package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum/internal/oidclogin"
)

// TestSignInSettings: sign-in with a provider is off without an issuer;
// on, it needs a client id and a secret (from the environment or a file,
// whose end of line is not part of it), and its addresses derive from the
// public address.
func TestSignInSettings(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("secret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const base = "https://pass.example.fr"
	tests := []struct {
		name      string
		settings  signInSettings
		envSecret string
		enabled   bool
		secret    string
		scopes    string
		err       string
	}{
		{name: "off", settings: signInSettings{}, enabled: false},
		{name: "secret from the environment", settings: signInSettings{issuer: "https://idp.example.gouv.fr/api/v2/", clientID: "passnum"},
			envSecret: "secret-from-env", enabled: true, secret: "secret-from-env", scopes: "openid email given_name usual_name siret"},
		{name: "secret from a file, scopes given", settings: signInSettings{issuer: "https://idp.example.gouv.fr/api/v2", clientID: "passnum", secretFile: secretFile, scopes: "openid email"},
			enabled: true, secret: "secret-from-file", scopes: "openid email"},
		{name: "no client id", settings: signInSettings{issuer: "https://idp.example.gouv.fr/api/v2"}, envSecret: "s", err: "identifiant client OpenID Connect manquant"},
		{name: "no secret", settings: signInSettings{issuer: "https://idp.example.gouv.fr/api/v2", clientID: "passnum"}, err: "secret client OpenID Connect manquant"},
		{name: "secret file missing", settings: signInSettings{issuer: "https://idp.example.gouv.fr/api/v2", clientID: "passnum", secretFile: filepath.Join(dir, "none")}, err: "Impossible de lire le secret client"},
		{name: "issuer not a URL", settings: signInSettings{issuer: "idp.example.gouv.fr", clientID: "passnum"}, envSecret: "s", err: "adresse du fournisseur OpenID Connect invalide"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envOIDCSecret, tc.envSecret)
			cfg, err := tc.settings.config(base)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Enabled() != tc.enabled {
				t.Fatalf("enabled %v, want %v", cfg.Enabled(), tc.enabled)
			}
			if !tc.enabled {
				return
			}
			if cfg.ClientSecret != tc.secret || cfg.Issuer != "https://idp.example.gouv.fr/api/v2" ||
				cfg.RedirectURL != base+"/connexion/proconnect/retour" || cfg.PostLogoutURL != base+"/connexion" {
				t.Fatalf("config %+v", cfg)
			}
			scopes := strings.Join(cfg.Scopes, " ")
			if cfg.Scopes == nil {
				scopes = strings.Join(oidclogin.DefaultScopes, " ")
			}
			if scopes != tc.scopes {
				t.Fatalf("scopes %q, want %q", scopes, tc.scopes)
			}
		})
	}
}

// TestServeProviderDown: serve starts with a provider that does not
// answer, says so in its log, shows the button, and the button leads to
// the page that says to use the password.
func TestServeProviderDown(t *testing.T) {
	t.Setenv(envOIDCSecret, "secret-of-the-test")
	db := filepath.Join(t.TempDir(), "passnum.db")
	s := startServe(t, "--db", db, "--oidc-issuer", "http://127.0.0.1:1", "--oidc-client-id", "passnum")
	base := baseRE.FindStringSubmatch(s.out.String())[1]
	if _, body := get(t, base+"/connexion"); !strings.Contains(body, "S&#39;identifier avec ProConnect") && !strings.Contains(body, "S'identifier avec ProConnect") {
		t.Fatalf("login page without the button:\n%s", body)
	}
	resp, body := get(t, base+"/connexion/proconnect")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "ProConnect indisponible") {
		t.Fatalf("%d:\n%s", resp.StatusCode, body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.errOut.String(), "OpenID Connect provider unavailable") {
		if time.Now().After(deadline) {
			t.Fatalf("the log does not say the provider is unavailable:\n%s", s.errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(s.errOut.String(), "secret-of-the-test") {
		t.Fatal("the client secret is in the log")
	}
}
