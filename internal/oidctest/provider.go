// Package oidctest is a small but standards-correct OpenID Connect
// provider for tests: discovery, keys (JWKS), an authorization endpoint
// (a sign-in form, or straight through for a set person), a token
// endpoint that checks the client's secret, the redirect address and the
// PKCE verifier and takes each code once, a userinfo endpoint that
// answers a signed JWT as ProConnect does, and logout. Faults make it
// answer as a broken or hostile provider would: a token for another
// audience, an expired token, a token signed with a key it does not
// publish.
//
// It is never part of a real installation: the tests of the web pages use
// it in their process, and the browser tests through a hidden command.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Person is someone who can sign in at the provider.
type Person struct {
	Subject   string
	Email     string
	GivenName string
	UsualName string
	SIRET     string
}

// Faults make the provider misbehave, to test that the client refuses.
type Faults struct {
	// Audience, when set, is the ID token's audience instead of the
	// client's id.
	Audience string
	// Expired issues ID tokens that expired an hour ago.
	Expired bool
	// ForeignKey signs ID tokens with a key the JWKS does not publish.
	ForeignKey bool
	// JSONUserinfo answers userinfo in plain JSON instead of a signed JWT.
	JSONUserinfo bool
}

// Config is the provider's one registered client.
type Config struct {
	ClientID, ClientSecret string
	RedirectURL            string
	// PostLogoutURLs are the addresses logout may send people back to.
	PostLogoutURLs []string
}

// Provider is the test provider. Its exported fields may change between
// requests (under SetPerson and SetFaults, which lock).
type Provider struct {
	cfg     Config
	issuer  string
	key     *rsa.PrivateKey
	foreign *rsa.PrivateKey

	mu     sync.Mutex
	person *Person // signs in straight away; nil: the form asks
	people map[string]Person
	// anyone lets the form sign in any e-mail, as a person of its own.
	anyone  bool
	faults  Faults
	codes   map[string]grant
	access  map[string]grant
	logouts []Logout
}

// grant is what a code, then an access token, stands for.
type grant struct {
	person    Person
	nonce     string
	challenge string
	redirect  string
}

// Logout is a logout request the provider received.
type Logout struct {
	IDTokenHint, PostLogoutURL, State string
}

// New returns a provider whose issuer is issuer (the address it is served
// at, without a trailing slash).
func New(issuer string, cfg Config) (*Provider, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	foreign, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return &Provider{cfg: cfg, issuer: strings.TrimSuffix(issuer, "/"), key: key, foreign: foreign,
		people: map[string]Person{}, codes: map[string]grant{}, access: map[string]grant{}}, nil
}

// SetPerson makes the authorization endpoint sign p in without a form;
// nil brings the form back.
func (p *Provider) SetPerson(person *Person) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.person = person
}

// AddPerson registers someone the form can sign in by e-mail.
func (p *Provider) AddPerson(person Person) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.people[strings.ToLower(person.Email)] = person
}

// AcceptAnyEmail lets the form sign in any e-mail typed, as a person
// whose subject derives from it: the browser tests' provider.
func (p *Provider) AcceptAnyEmail() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.anyone = true
}

// SetFaults sets how the provider misbehaves from now on.
func (p *Provider) SetFaults(f Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = f
}

// Logouts returns the logout requests received so far.
func (p *Provider) Logouts() []Logout {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Logout(nil), p.logouts...)
}

// Handler serves the provider's endpoints.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	mux.HandleFunc("GET /session/end", p.endSession)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.issuer,
		"authorization_endpoint":                p.issuer + "/authorize",
		"token_endpoint":                        p.issuer + "/token",
		"userinfo_endpoint":                     p.issuer + "/userinfo",
		"jwks_uri":                              p.issuer + "/jwks",
		"end_session_endpoint":                  p.issuer + "/session/end",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"userinfo_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      []string{"openid", "email", "given_name", "usual_name", "siret"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "test-key", Algorithm: "RS256", Use: "sig"}}})
}

// oauthError answers an OAuth error (RFC 6749 5.2).
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

var form = template.Must(template.New("form").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Fournisseur d'identité de test</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"></head>
<body><main><h1>Fournisseur d'identité de test</h1>
<form method="post" action="/authorize">
{{range $k, $v := .}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">
{{end}}<p><label for="login">Adresse électronique</label><br><input id="login" name="login" type="email" autocomplete="username"></p>
<p><button type="submit">Se connecter</button></p>
</form></main></body></html>`))

// authorize checks the request, then signs the set person in, or shows a
// form that asks for the e-mail of a registered one.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	q := r.Form
	// Errors about the client or its redirect address are shown, never
	// sent to an address that is not registered (RFC 6749 4.1.2.1).
	if q.Get("client_id") != p.cfg.ClientID || q.Get("redirect_uri") != p.cfg.RedirectURL {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back := func(v url.Values) {
		v.Set("state", q.Get("state"))
		v.Set("iss", p.issuer)
		http.Redirect(w, r, p.cfg.RedirectURL+"?"+v.Encode(), http.StatusSeeOther)
	}
	scopes := strings.Fields(q.Get("scope"))
	hasOpenID := false
	for _, s := range scopes {
		hasOpenID = hasOpenID || s == "openid"
	}
	switch {
	case q.Get("response_type") != "code":
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	case !hasOpenID:
		back(url.Values{"error": {"invalid_scope"}})
		return
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		back(url.Values{"error": {"invalid_request"}, "error_description": {"PKCE S256 required"}})
		return
	case q.Get("nonce") == "" || q.Get("state") == "":
		back(url.Values{"error": {"invalid_request"}, "error_description": {"state and nonce required"}})
		return
	}
	p.mu.Lock()
	person := p.person
	if login := strings.ToLower(strings.TrimSpace(q.Get("login"))); person == nil && login != "" {
		if known, ok := p.people[login]; ok {
			person = &known
		} else if p.anyone {
			sum := sha256.Sum256([]byte(login))
			person = &Person{Subject: fmt.Sprintf("%x", sum[:12]), Email: login}
		}
	}
	p.mu.Unlock()
	if person == nil {
		shown := url.Values{}
		for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method"} {
			shown.Set(k, q.Get(k))
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		form.Execute(w, shown)
		return
	}
	code := random()
	p.mu.Lock()
	p.codes[code] = grant{person: *person, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	p.mu.Unlock()
	back(url.Values{"code": {code}})
}

// token exchanges a code, once, for an ID token and an access token.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "bad form")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.cfg.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.cfg.ClientSecret)) != 1 {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "")
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, ok := p.codes[code]
	delete(p.codes, code) // used once, whatever happens next
	faults := p.faults
	p.mu.Unlock()
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown or used code")
		return
	}
	if r.PostForm.Get("redirect_uri") != g.redirect {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri mismatch")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}
	now := time.Now()
	claims := map[string]any{
		"iss": p.issuer, "sub": g.person.Subject, "aud": p.cfg.ClientID, "nonce": g.nonce,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "auth_time": now.Unix(),
		"acr": "eidas1", "amr": []string{"pwd"},
	}
	if faults.Audience != "" {
		claims["aud"] = faults.Audience
	}
	if faults.Expired {
		claims["iat"], claims["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	}
	key := p.key
	if faults.ForeignKey {
		key = p.foreign
	}
	idToken, err := sign(key, claims)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	access := random()
	p.mu.Lock()
	p.access[access] = g
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 60, "id_token": idToken, "scope": "openid email given_name usual_name siret"})
}

// userinfo answers who the access token is for: a JWT signed with the
// published key, as ProConnect does, or plain JSON.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	g, known := p.access[token]
	faults := p.faults
	p.mu.Unlock()
	if !ok || !known {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	claims := map[string]any{"sub": g.person.Subject, "email": g.person.Email, "given_name": g.person.GivenName,
		"usual_name": g.person.UsualName, "siret": g.person.SIRET, "iss": p.issuer, "aud": p.cfg.ClientID}
	if faults.JSONUserinfo {
		writeJSON(w, http.StatusOK, claims)
		return
	}
	signed, err := sign(p.key, claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/jwt")
	fmt.Fprint(w, signed)
}

// endSession records the logout and sends the person back to a
// registered address.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	l := Logout{IDTokenHint: q.Get("id_token_hint"), PostLogoutURL: q.Get("post_logout_redirect_uri"), State: q.Get("state")}
	p.mu.Lock()
	p.logouts = append(p.logouts, l)
	p.mu.Unlock()
	for _, allowed := range p.cfg.PostLogoutURLs {
		if l.PostLogoutURL == allowed {
			to := l.PostLogoutURL
			if l.State != "" {
				to += "?state=" + url.QueryEscape(l.State)
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "Vous êtes déconnecté du fournisseur d'identité de test.")
}

func sign(key *rsa.PrivateKey, claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "test-key"))
	if err != nil {
		return "", err
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

func random() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
