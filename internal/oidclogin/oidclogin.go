// Package oidclogin signs people in with an OpenID Connect provider:
// ProConnect, the State's sign-in for public agents, or any standard
// provider. It runs the authorization code flow with PKCE (S256), state
// and nonce, verifies the ID token against the keys the provider publishes
// (issuer, audience, expiry, nonce, signature), reads the userinfo (JSON,
// or a JWT signed with the same keys, as ProConnect answers) and builds
// the address of logout at the provider.
//
// It decides nothing about accounts: it returns who the provider vouched
// for (passnum.ProviderIdentity), and the service finds the account.
package oidclogin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/passnum/passnum"
)

// DefaultScopes are those ProConnect asks its clients to request.
var DefaultScopes = []string{"openid", "email", "given_name", "usual_name", "siret"}

// DefaultLabel is the sign-in button's text, as ProConnect's guidelines
// word it.
const DefaultLabel = "S'identifier avec ProConnect"

// Config is an installation's provider settings.
type Config struct {
	// Issuer is the provider's address, whose discovery document is at
	// Issuer + "/.well-known/openid-configuration". "": sign-in with a
	// provider is off.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is where the provider sends people back (the callback
	// page), PostLogoutURL where it sends them after logout there; both
	// are registered with the provider.
	RedirectURL   string
	PostLogoutURL string
	Scopes        []string // nil: DefaultScopes
	Label         string   // "": DefaultLabel
	// HTTPClient talks to the provider; nil: one with a 10 s timeout.
	HTTPClient *http.Client
	// DiscoveryRetry is how long after a failed discovery the next
	// sign-in tries again; 0: 30 s.
	DiscoveryRetry time.Duration
	// Now is the clock of token expiry and of sign-in attempts; nil:
	// time.Now.
	Now func() time.Time
}

// Enabled tells whether the settings turn sign-in with a provider on.
func (c Config) Enabled() bool { return c.Issuer != "" }

// Check tells what is missing or wrong in enabled settings, in French.
func (c Config) Check() error {
	if !c.Enabled() {
		return nil
	}
	u, err := url.Parse(c.Issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("adresse du fournisseur OpenID Connect invalide : %q (pour ProConnect : https://<domaine ProConnect>/api/v2)", c.Issuer)
	}
	if c.ClientID == "" {
		return errors.New("identifiant client OpenID Connect manquant")
	}
	if c.ClientSecret == "" {
		return errors.New("secret client OpenID Connect manquant (variable d'environnement ou fichier)")
	}
	if c.RedirectURL == "" {
		return errors.New("adresse de retour OpenID Connect manquante")
	}
	return nil
}

// Failure says why a sign-in did not happen, so that people read what
// they can do about it; Err is the detail for the log, never a secret.
type Failure struct {
	Kind FailureKind
	Err  error
}

func (f *Failure) Error() string { return string(f.Kind) + ": " + f.Err.Error() }
func (f *Failure) Unwrap() error { return f.Err }

// FailureKind is the kind of a failed sign-in.
type FailureKind string

const (
	// Unavailable: the provider cannot be reached (discovery, token or
	// userinfo request failed, or answered garbage).
	Unavailable FailureKind = "provider-unavailable"
	// BadState: the callback does not belong to a sign-in started in
	// this browser (no attempt cookie, expired, forged, or another state).
	BadState FailureKind = "bad-state"
	// Denied: the provider answered with an error (the person cancelled).
	Denied FailureKind = "denied"
	// CodeRefused: the provider refused the code (used already, expired).
	CodeRefused FailureKind = "code-refused"
	// Expired: the ID token has expired.
	Expired FailureKind = "token-expired"
	// BadToken: the ID token or userinfo does not verify (signature,
	// issuer, audience, nonce, subject).
	BadToken FailureKind = "bad-token"
)

func fail(kind FailureKind, format string, args ...any) *Failure {
	return &Failure{Kind: kind, Err: fmt.Errorf(format, args...)}
}

// KindOf returns the kind of a sign-in failure, "" for another error.
func KindOf(err error) FailureKind {
	var f *Failure
	if errors.As(err, &f) {
		return f.Kind
	}
	return ""
}

// attemptLifetime bounds the time between the click on the button and
// the return from the provider.
const attemptLifetime = 10 * time.Minute

// Client is the relying party of one provider. Discovery happens at the
// first need and again, after a failure, once DiscoveryRetry has passed:
// a provider down when the server starts does not stop it.
type Client struct {
	cfg  Config
	http *http.Client
	// key signs the attempt cookie; it derives from the client secret,
	// which every server of an installation shares.
	key []byte

	mu         sync.Mutex
	provider   *oidc.Provider
	endSession string
	lastTry    time.Time
	lastErr    error
}

// New returns the client of cfg, which must be enabled and checked.
func New(cfg Config) *Client {
	if cfg.Scopes == nil {
		cfg.Scopes = DefaultScopes
	}
	if cfg.Label == "" {
		cfg.Label = DefaultLabel
	}
	if cfg.DiscoveryRetry == 0 {
		cfg.DiscoveryRetry = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	mac := hmac.New(sha256.New, []byte(cfg.ClientSecret))
	mac.Write([]byte("passnum sign-in attempt v1"))
	return &Client{cfg: cfg, http: hc, key: mac.Sum(nil)}
}

// Label is the text of the sign-in button.
func (c *Client) Label() string { return c.cfg.Label }

// Issuer is the provider's address.
func (c *Client) Issuer() string { return c.cfg.Issuer }

// Discover reads the provider's discovery document now, if it was not
// read yet; serve calls it at start to say in the log whether the
// provider answers.
func (c *Client) Discover(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return nil
	}
	c.lastTry = c.cfg.Now()
	c.lastErr = c.discover(ctx)
	return c.lastErr
}

// discovered returns the provider, discovering it again when the last
// try failed long enough ago.
func (c *Client) discovered(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	if now := c.cfg.Now(); c.lastTry.IsZero() || now.Sub(c.lastTry) >= c.cfg.DiscoveryRetry {
		c.lastTry = now
		c.lastErr = c.discover(ctx)
	}
	if c.provider == nil {
		return nil, &Failure{Kind: Unavailable, Err: fmt.Errorf("discovery of %s: %w", c.cfg.Issuer, c.lastErr)}
	}
	return c.provider, nil
}

// discover reads the discovery document; c.mu is held.
func (c *Client) discover(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, c.http), 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, c.cfg.Issuer)
	if err != nil {
		return err
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&extra); err != nil {
		return err
	}
	c.provider, c.endSession = p, extra.EndSession
	return nil
}

func (c *Client) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: c.cfg.RedirectURL, Scopes: c.cfg.Scopes}
}

// attempt is a sign-in on its way through the provider: what the
// callback checks, kept in the browser in a signed cookie that the
// callback clears.
type attempt struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"next,omitempty"`
	Expires  int64  `json:"exp"`
}

// Start begins a sign-in: it returns the provider's address to send the
// browser to, and the value of the attempt cookie, to set for
// AttemptLifetime. next is the page to open after sign-in.
func (c *Client) Start(ctx context.Context, next string) (authURL, cookie string, err error) {
	p, err := c.discovered(ctx)
	if err != nil {
		return "", "", err
	}
	a := attempt{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), Next: next,
		Expires: c.cfg.Now().Add(attemptLifetime).Unix()}
	body, err := encode(a)
	if err != nil {
		return "", "", err
	}
	return c.oauth(p).AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier)),
		body + "." + c.sign(body), nil
}

func encode(a attempt) (string, error) {
	raw, err := json.Marshal(a)
	return base64.RawURLEncoding.EncodeToString(raw), err
}

// AttemptLifetime is how long the attempt cookie lives.
func AttemptLifetime() time.Duration { return attemptLifetime }

func (c *Client) sign(body string) string {
	mac := hmac.New(sha256.New, c.key)
	mac.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// open reads an attempt cookie, refusing a forged or expired one.
func (c *Client) open(cookie string) (*attempt, error) {
	body, sig, ok := strings.Cut(cookie, ".")
	if !ok || len(cookie) > 2048 || !hmac.Equal([]byte(sig), []byte(c.sign(body))) {
		return nil, fail(BadState, "no valid sign-in attempt cookie")
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return nil, fail(BadState, "attempt cookie: %v", err)
	}
	var a attempt
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fail(BadState, "attempt cookie: %v", err)
	}
	if c.cfg.Now().Unix() > a.Expires {
		return nil, fail(BadState, "sign-in attempt expired")
	}
	return &a, nil
}

// Result is a sign-in the provider vouched for.
type Result struct {
	Identity passnum.ProviderIdentity
	// IDToken is the raw ID token, the hint of logout at the provider:
	// it goes back to the browser's cookie, never to a log.
	IDToken string
	// Next is the page asked for before sign-in ("" for the home page).
	Next string
}

// Finish completes a sign-in on the callback: query is the callback's,
// cookie the attempt cookie's value (the caller clears the cookie,
// whatever the outcome: an attempt is used once).
func (c *Client) Finish(ctx context.Context, cookie string, query url.Values) (*Result, error) {
	a, err := c.open(cookie)
	if err != nil {
		return nil, err
	}
	if state := query.Get("state"); !hmac.Equal([]byte(state), []byte(a.State)) {
		return nil, fail(BadState, "state of the callback is not the attempt's")
	}
	if e := query.Get("error"); e != "" {
		return nil, fail(Denied, "provider answered error %q", bounded(e))
	}
	code := query.Get("code")
	if code == "" {
		return nil, fail(CodeRefused, "callback without a code")
	}
	p, err := c.discovered(ctx)
	if err != nil {
		return nil, err
	}
	ctx = oidc.ClientContext(ctx, c.http)
	tok, err := c.oauth(p).Exchange(ctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_client" {
			// Our id or secret is refused: the installation's settings
			// are wrong, which no retry of the person mends.
			return nil, fail(Unavailable, "token endpoint refused the client: check the client id and secret")
		}
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 {
			// The error code only: the answer's body may repeat what
			// was sent.
			return nil, fail(CodeRefused, "token endpoint refused the code: %d %s", re.Response.StatusCode, bounded(re.ErrorCode))
		}
		return nil, fail(Unavailable, "token request: %s", redact(err, code))
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, fail(BadToken, "token answer without an ID token")
	}
	idt, err := p.VerifierContext(ctx, &oidc.Config{ClientID: c.cfg.ClientID, Now: c.cfg.Now}).Verify(ctx, raw)
	if err != nil {
		var exp *oidc.TokenExpiredError
		if errors.As(err, &exp) {
			return nil, fail(Expired, "ID token expired at %s", exp.Expiry.UTC().Format(time.RFC3339))
		}
		return nil, fail(BadToken, "ID token: %v", err)
	}
	if !hmac.Equal([]byte(idt.Nonce), []byte(a.Nonce)) {
		return nil, fail(BadToken, "ID token nonce is not the attempt's")
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		return nil, fail(BadToken, "ID token claims: %v", err)
	}
	if p.UserInfoEndpoint() != "" {
		ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				return nil, fail(Unavailable, "userinfo request: %v", ue.Err)
			}
			return nil, fail(BadToken, "userinfo: %v", bounded(err.Error()))
		}
		// OpenID Connect Core 5.3.2: the userinfo's subject must be the
		// ID token's, or the answer is about someone else.
		if ui.Subject != idt.Subject {
			return nil, fail(BadToken, "userinfo subject is not the ID token's")
		}
		if err := ui.Claims(&cl); err != nil {
			return nil, fail(BadToken, "userinfo claims: %v", err)
		}
	}
	return &Result{
		Identity: passnum.ProviderIdentity{Issuer: idt.Issuer, Subject: idt.Subject, Email: cl.Email, EmailVerified: cl.verified()},
		IDToken:  raw,
		Next:     a.Next,
	}, nil
}

// claims are the claims read from the ID token, then the userinfo.
type claims struct {
	Email string `json:"email"`
	// EmailVerified is a boolean, or a string from some providers; nil
	// when the provider does not send it.
	EmailVerified any `json:"email_verified"`
}

// verified is false only when the provider says the e-mail is not
// verified: ProConnect's are, and it does not send the claim.
func (c claims) verified() bool {
	switch v := c.EmailVerified.(type) {
	case bool:
		return v
	case string:
		return v != "false"
	}
	return true
}

// LogoutURL returns the address of logout at the provider for a session
// opened with idToken, which brings the person back to PostLogoutURL; ""
// when the provider has no end_session_endpoint or cannot be reached.
func (c *Client) LogoutURL(ctx context.Context, idToken string) string {
	if idToken == "" {
		return ""
	}
	if _, err := c.discovered(ctx); err != nil {
		return ""
	}
	c.mu.Lock()
	end := c.endSession
	c.mu.Unlock()
	if end == "" {
		return ""
	}
	u, err := url.Parse(end)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("state", random())
	if c.cfg.PostLogoutURL != "" {
		q.Set("post_logout_redirect_uri", c.cfg.PostLogoutURL)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func random() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// bounded keeps at most 200 bytes of what a provider answered, for the
// log.
func bounded(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// redact removes the code from an error's text (a URL in it may carry
// it) before it is logged.
func redact(err error, code string) string {
	s := err.Error()
	if code != "" {
		s = strings.ReplaceAll(s, code, "[code]")
	}
	return bounded(s)
}

// LogoutOrigin is the origin (scheme://host) of the provider's logout
// endpoint, to which the logout form's answer redirects: the pages'
// Content-Security-Policy lets forms go there. Before discovery, the
// issuer's.
func (c *Client) LogoutOrigin() string {
	c.mu.Lock()
	end := c.endSession
	c.mu.Unlock()
	if end == "" {
		end = c.cfg.Issuer
	}
	u, err := url.Parse(end)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
