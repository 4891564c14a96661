package main

import (
	"context"
	"log/slog"
	"os"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/oidclogin"
)

// Environment variables of sign-in with an OpenID Connect provider
// (ProConnect). The client secret has no option: an option shows in the
// list of processes; it comes from the environment or a file.
const (
	envOIDCIssuer     = "PASSNUM_OIDC_ISSUER"
	envOIDCClientID   = "PASSNUM_OIDC_CLIENT_ID"
	envOIDCSecret     = "PASSNUM_OIDC_CLIENT_SECRET"
	envOIDCSecretFile = "PASSNUM_OIDC_CLIENT_SECRET_FILE"
	envOIDCScopes     = "PASSNUM_OIDC_SCOPES"
	envOIDCLabel      = "PASSNUM_OIDC_LABEL"
)

// Paths of sign-in with a provider, registered with it: where it sends
// people back after sign-in, and after logout.
const (
	signInCallbackPath = "/connexion/proconnect/retour"
	signInLogoutPath   = "/connexion"
)

// signInSettings are serve's options of sign-in with a provider.
type signInSettings struct {
	issuer, clientID, secretFile, scopes, label string
}

// declare adds the options to o, with the environment's defaults.
func (c *signInSettings) declare(o *options) {
	o.string(&c.issuer, "oidc-issuer", os.Getenv(envOIDCIssuer), "`adresse` du fournisseur OpenID Connect (ProConnect : https://<domaine ProConnect>/api/v2) ; vide : pas de connexion ProConnect (variable "+envOIDCIssuer+")")
	o.string(&c.clientID, "oidc-client-id", os.Getenv(envOIDCClientID), "`identifiant` client donné par le fournisseur (variable "+envOIDCClientID+")")
	o.string(&c.secretFile, "oidc-client-secret-file", os.Getenv(envOIDCSecretFile), "`fichier` du secret client (variable "+envOIDCSecretFile+", ou le secret lui-même dans "+envOIDCSecret+")")
	o.string(&c.scopes, "oidc-scopes", os.Getenv(envOIDCScopes), "`portées` demandées, séparées par des espaces (défaut : "+strings.Join(oidclogin.DefaultScopes, " ")+" ; variable "+envOIDCScopes+")")
	o.string(&c.label, "oidc-label", os.Getenv(envOIDCLabel), "`texte` du bouton de connexion (défaut : "+oidclogin.DefaultLabel+" ; variable "+envOIDCLabel+")")
}

// config returns the provider's settings for the public address base;
// disabled when no issuer is set.
func (c *signInSettings) config(base string) (oidclogin.Config, error) {
	cfg := oidclogin.Config{Issuer: strings.TrimSuffix(strings.TrimSpace(c.issuer), "/")}
	if !cfg.Enabled() {
		return cfg, nil
	}
	cfg.ClientID, cfg.Label = strings.TrimSpace(c.clientID), c.label
	cfg.ClientSecret = os.Getenv(envOIDCSecret)
	if c.secretFile != "" {
		b, err := os.ReadFile(c.secretFile)
		if err != nil {
			return cfg, passnum.Errorf(passnum.EINVALID, "oidc-client-secret-file", "Impossible de lire le secret client OpenID Connect : %v", err)
		}
		cfg.ClientSecret = strings.TrimSpace(string(b))
	}
	if c.scopes != "" {
		cfg.Scopes = strings.Fields(c.scopes)
	}
	cfg.RedirectURL, cfg.PostLogoutURL = base+signInCallbackPath, base+signInLogoutPath
	if err := cfg.Check(); err != nil {
		return cfg, passnum.Errorf(passnum.EINVALID, "oidc", "Connexion ProConnect : %v.", err)
	}
	return cfg, nil
}

// signInClient returns the provider's client for base, nil when sign-in
// with a provider is off. Discovery runs in the background: a provider
// down at start is logged, the server serves, and sign-in tries again
// later.
func (c *signInSettings) signInClient(ctx context.Context, base string, log *slog.Logger) (*oidclogin.Client, error) {
	cfg, err := c.config(base)
	if err != nil || !cfg.Enabled() {
		return nil, err
	}
	client := oidclogin.New(cfg)
	go func() {
		if err := client.Discover(ctx); err != nil {
			log.Warn("OpenID Connect provider unavailable: sign-in with it will try again later", "issuer", cfg.Issuer, "err", err)
			return
		}
		log.Info("OpenID Connect provider ready", "issuer", cfg.Issuer, "redirect_url", cfg.RedirectURL)
	}()
	return client, nil
}
