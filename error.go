package passnum

import (
	"errors"
	"fmt"
)

// Error codes, in the spirit of WTF Dial: a small closed set that the
// interfaces map to HTTP statuses and exit codes in one place each.
const (
	ECONFLICT     = "conflict"     // the request contradicts the current state
	EINTERNAL     = "internal"     // a bug or an outage: details are logged, never shown
	EINVALID      = "invalid"      // the request itself is wrong
	ENOTFOUND     = "not_found"    // the object does not exist or is not visible to the caller
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // credentials valid, action not allowed for this role
	ERATELIMIT    = "rate_limited" // too many attempts
	EREFUSED      = "refused"      // a business rule refuses the operation (pass expired…)
	EUNAVAILABLE  = "unavailable"  // the platform cannot do it for now (disk full…): nothing was done, try again later
)

// StorageFull is the error of a write refused because the database has no
// space left. Nothing was recorded, and the same request may be sent again
// once the operator has freed space; a venue reads that nothing was cashed.
func StorageFull(redemption bool) *Error {
	if redemption {
		return &Error{Code: EUNAVAILABLE, Reason: ReasonStorageFull,
			Message: "Le serveur ne peut pas enregistrer d'encaissement pour le moment (son espace disque est plein). Rien n'a été encaissé : gardez les pass et réessayez dans quelques minutes."}
	}
	return &Error{Code: EUNAVAILABLE, Reason: ReasonStorageFull,
		Message: "Le serveur ne peut rien enregistrer pour le moment (son espace disque est plein). Rien n'a été enregistré : réessayez dans quelques minutes."}
}

// ServerOverloaded is the error of an operation the database could not
// run for lack of a resource other than space (connections, memory).
func ServerOverloaded() *Error {
	return &Error{Code: EUNAVAILABLE, Reason: ReasonServerOverloaded,
		Message: "Le serveur est surchargé pour le moment. Rien n'a été enregistré : réessayez dans quelques minutes."}
}

// ServerBusy is the error of a write that met concurrent writes on the
// same data at each of its attempts: nothing was recorded, and the same
// request can be sent again at once.
func ServerBusy() *Error {
	return &Error{Code: EUNAVAILABLE, Reason: ReasonServerBusy,
		Message: "Trop d'opérations simultanées : rien n'a été enregistré. Réessayez dans un instant."}
}

// DatabaseUnavailable is the error of an operation that could not reach
// the database: it is down, restarting, or its standby is being promoted
// in its place. Nothing was recorded, and the same request can be sent
// again in a moment.
func DatabaseUnavailable() *Error {
	return &Error{Code: EUNAVAILABLE, Reason: ReasonDatabaseUnavailable,
		Message: "La base de données du service est momentanément injoignable : rien n'a été enregistré. Réessayez dans un instant."}
}

// OutcomeUnknown is the error of a write whose connection to the
// database broke while it was being committed: it may or may not have been
// recorded. A redemption sent again with the same idempotency key is
// answered as the first one was if it was recorded, and made otherwise.
func OutcomeUnknown() *Error {
	return &Error{Code: EUNAVAILABLE, Reason: ReasonOutcomeUnknown,
		Message: "La connexion à la base de données s'est rompue au moment d'enregistrer : l'opération a pu être enregistrée ou non. Vérifiez avant de recommencer ; un encaissement renvoyé avec la même clé d'idempotence n'est jamais fait deux fois."}
}

// Error is an error meant for people and programs alike. Reason is a stable
// slug (for example "pass-expired") that becomes the problem type of API
// errors; Message is plain French for the person in front of the screen.
type Error struct {
	Code    string
	Reason  string
	Message string
	// Field names the input field at fault, when there is one.
	Field string
	// Passes carries the per-pass outcome of a refused check or redemption,
	// so that a venue sees every refused pass at once, not only the first.
	Passes []PassCheck
	// Problems lists every bad line of a refused import.
	Problems []ImportProblem
}

func (e *Error) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("passnum: %s (%s): %s", e.Code, e.Reason, e.Message)
	}
	return fmt.Sprintf("passnum: %s: %s", e.Code, e.Message)
}

// Errorf builds an *Error with a French message.
func Errorf(code, reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// Invalid builds an EINVALID error about one input field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Reason: ReasonInvalidInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not ours
// and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorReason returns the stable reason slug of err; internal errors are
// ReasonInternal.
func ErrorReason(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		if e.Reason != "" {
			return e.Reason
		}
		return e.Code
	}
	return ReasonInternal
}

// ErrorMessage returns the French message of err; internal errors never leak
// their details to people.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Erreur interne. L'incident a été enregistré ; réessayez plus tard."
}
