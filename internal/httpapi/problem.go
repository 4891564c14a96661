package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
	"github.com/passnum/passnum/internal/ratelimit"
)

// Problem is an RFC 9457 problem detail, the body of every error answer.
// Type is "/api/problems/" followed by the stable reason of the error
// (passnum.ErrorReason), and dereferences to a description of the problem.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
	// Field names the input field at fault, when there is one.
	Field string `json:"field,omitempty"`
	// Passes is the verdict on every pass of a refused check or
	// redemption, so that a venue sees all the refused passes at once.
	Passes []passnum.PassCheck `json:"passes,omitempty"`
	// Errors lists every input error of a refused request — each field of
	// a venue application, each bad line of an imported file — so that a
	// client corrects them all at once rather than one per attempt.
	Errors []InputError `json:"errors,omitempty"`
}

// InputError is one item of a problem's errors extension: the line of an
// imported file (absent for a form), the field and what is wrong, in French.
type InputError struct {
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// problemTypeBase prefixes the reason slug in a problem's type.
const problemTypeBase = "/api/problems/"

// Reasons of problems raised by the HTTP layer itself.
const (
	reasonTooManyBadTokens   = "too-many-failed-authentications"
	reasonTooManyCarnetCodes = "too-many-carnet-codes"
	reasonInvalidJSON        = "invalid-json"
	reasonUnknownField       = "unknown-field"
	reasonBodyTooLarge       = "body-too-large"
	reasonUnsupportedMedia   = "unsupported-media-type"
	reasonMethodNotAllowed   = "method-not-allowed"
	// Venue network.
	reasonTooManyApplications = "too-many-applications"
	reasonFileTooLarge        = "file-too-large"
)

// httpStatus turns an error into an HTTP status: by its code (httpx.Status,
// shared with the web interface), except for the few problems of HTTP
// itself (body size, media type, method) that no domain code describes, and
// an imported file to correct, which is invalid input answered 422 like the
// other refusals of a well-formed request.
func httpStatus(code, reason string) int {
	switch reason {
	case reasonBodyTooLarge, reasonFileTooLarge:
		return http.StatusRequestEntityTooLarge
	case passnum.ReasonImportInvalid:
		// The file is well received and readable HTTP, but its content
		// cannot be imported: the errors extension lists why.
		return http.StatusUnprocessableEntity
	case reasonUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case reasonMethodNotAllowed:
		return http.StatusMethodNotAllowed
	}
	return httpx.StatusOf(code, reason)
}

// problemType describes one kind of problem, for the title of problem
// answers and the page its type URI dereferences to.
type problemType struct {
	Type        string `json:"type"`
	Reason      string `json:"reason"`
	Status      int    `json:"status"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// httpReasons describes the reasons of the problems the HTTP layer raises
// itself, as passnum.Reasons describes the domain's.
var httpReasons = [...]struct{ reason, code, title, description string }{
	{reasonInvalidJSON, passnum.EINVALID, "JSON invalide", "Le corps de la requête n'est pas un objet JSON bien formé."},
	{reasonUnknownField, passnum.EINVALID, "Champ inconnu", "Le corps de la requête contient un champ que l'API ne connaît pas ; l'extension « field » le nomme. Les champs inconnus sont refusés pour qu'une faute de frappe ne passe pas inaperçue."},
	{reasonBodyTooLarge, passnum.EINVALID, "Requête trop volumineuse", "Le corps de la requête dépasse 1 Mio."},
	{reasonUnsupportedMedia, passnum.EINVALID, "Type de contenu non pris en charge", "Le corps d'une requête POST est du JSON, annoncé par l'en-tête Content-Type: application/json."},
	{reasonMethodNotAllowed, passnum.EINVALID, "Méthode non prise en charge", "Cette adresse existe, mais pas avec cette méthode HTTP ; l'en-tête Allow donne les méthodes acceptées."},
	{reasonTooManyBadTokens, passnum.ERATELIMIT, "Trop d'échecs d'authentification", "Trop de jetons inconnus ou révoqués ont été présentés depuis votre réseau : les jetons inconnus y sont refusés ainsi quelques instants, un jeton valide reste accepté ; l'en-tête Retry-After dit quand réessayer."},
	{reasonTooManyCarnetCodes, passnum.ERATELIMIT, "Trop de codes inconnus", "Trop de codes qui ne correspondent à aucun carnet ont été saisis depuis votre réseau en peu de temps : la consultation est suspendue jusqu'à l'heure indiquée (en-tête Retry-After), pour empêcher qu'on devine des codes."},
	{reasonTooManyApplications, passnum.ERATELIMIT, "Trop de candidatures", "Trop de candidatures de lieux ont été envoyées depuis votre réseau en peu de temps : les envois sont suspendus jusqu'à l'heure indiquée (en-tête Retry-After)."},
	{reasonFileTooLarge, passnum.EINVALID, "Fichier trop volumineux", "Le fichier importé dépasse 20 Mio : découpez-le en plusieurs fichiers."},
}

// problemTypes describes every reason the service and the HTTP layer can
// answer with, by reason.
var problemTypes = describeProblems()

// describeProblems indexes the problem types of the domain's reasons and
// the HTTP layer's.
func describeProblems() map[string]problemType {
	reasons := passnum.Reasons()
	for _, r := range httpReasons {
		reasons = append(reasons, passnum.ReasonInfo{Reason: r.reason, Code: r.code, Title: r.title, Description: r.description})
	}
	types := make(map[string]problemType, len(reasons))
	for _, r := range reasons {
		types[r.Reason] = problemType{Type: problemTypeBase + r.Reason, Reason: r.Reason,
			Status: httpStatus(r.Code, r.Reason), Title: r.Title, Description: r.Description}
	}
	return types
}

// titleOf returns the short French title of a problem.
func titleOf(code, reason string) string {
	if p, ok := problemTypes[reason]; ok {
		return p.Title
	}
	return problemTypes[code].Title
}

// rateLimited is a refusal of the rate limiters: a problem with the instant
// the client may try again.
type rateLimited struct {
	err     *passnum.Error
	retryAt time.Time
}

func (e *rateLimited) Error() string { return e.err.Error() }
func (e *rateLimited) Unwrap() error { return e.err }

// errPanic stands for a handler that panicked; its detail is in the log.
var errPanic = errors.New("handler panicked")

// writeError answers with the problem describing err. Internal errors are
// logged with their detail and shown only as the generic French message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if httpx.ClientGone(r, err) {
		// Nobody is there to read a problem, and nothing went wrong on
		// our side: recorded as 499, not as an internal error.
		httpx.ClientClosed(w)
		return
	}
	code, reason := passnum.ErrorCode(err), passnum.ErrorReason(err)
	status := httpStatus(code, reason)
	if status == http.StatusInternalServerError && err != errPanic {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method,
			"pattern", httpx.EntryFrom(r.Context()).Pattern, "err", err)
	}
	p := Problem{
		Type:     problemTypeBase + reason,
		Title:    titleOf(code, reason),
		Status:   status,
		Detail:   passnum.ErrorMessage(err),
		Instance: r.URL.Path,
	}
	var e *passnum.Error
	if errors.As(err, &e) {
		p.Field, p.Passes = e.Field, e.Passes
		for _, pr := range e.Problems {
			p.Errors = append(p.Errors, InputError(pr))
		}
	}
	switch status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="passnum"`)
	case http.StatusTooManyRequests:
		var rl *rateLimited
		if errors.As(err, &rl) {
			w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(rl.retryAt.Sub(s.now()))))
		}
	case http.StatusServiceUnavailable:
		httpx.SetRetryAfterOf(w, reason)
		httpx.SetRetryAfter(w, status)
	}
	body, mErr := json.Marshal(p)
	if mErr != nil { // cannot happen with these types; keep the client informed anyway
		body = []byte(fmt.Sprintf(`{"type":%q,"title":"Erreur interne","status":500}`, problemTypeBase+"internal"))
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	h.Del("Content-Disposition") // an export that failed before its first byte
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// getProblemType serves the description of a problem type, so that the
// type URI of every problem answer dereferences.
func (s *Server) getProblemType(w http.ResponseWriter, r *http.Request) error {
	p, ok := problemTypes[r.PathValue("type")]
	if !ok {
		return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Type de problème inconnu : %q.", r.PathValue("type"))
	}
	return writeJSON(w, http.StatusOK, p)
}
