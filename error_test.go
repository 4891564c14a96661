package passnum_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/passnum/passnum"
)

// TestErrorThroughWrapping: an Error wrapped to say where it came from,
// once or more, keeps its code, reason, message and field; any other error
// is internal, and its detail is not shown.
func TestErrorThroughWrapping(t *testing.T) {
	e := &passnum.Error{Code: passnum.ECONFLICT, Reason: passnum.ReasonEmailTaken, Field: "email",
		Message: "Un compte existe déjà pour cette adresse."}
	wrapped := fmt.Errorf("user of organisation 7: %w", fmt.Errorf("insert: %w", e))
	if got := passnum.ErrorCode(wrapped); got != passnum.ECONFLICT {
		t.Errorf("code %q, want %q", got, passnum.ECONFLICT)
	}
	if got := passnum.ErrorReason(wrapped); got != "email-taken" {
		t.Errorf("reason %q, want email-taken", got)
	}
	if got := passnum.ErrorMessage(wrapped); got != "Un compte existe déjà pour cette adresse." {
		t.Errorf("message %q", got)
	}
	var got *passnum.Error
	if !errors.As(wrapped, &got) || got.Field != "email" {
		t.Errorf("field lost: %+v", got)
	}
	if want := "user of organisation 7: insert: passnum: conflict (email-taken): Un compte existe déjà pour cette adresse."; wrapped.Error() != want {
		t.Errorf("text %q, want %q", wrapped.Error(), want)
	}

	internal := fmt.Errorf("statement 12: %w", errors.New("database is locked"))
	if passnum.ErrorCode(internal) != passnum.EINTERNAL || passnum.ErrorReason(internal) != "internal" ||
		passnum.ErrorMessage(internal) != "Erreur interne. L'incident a été enregistré ; réessayez plus tard." {
		t.Errorf("internal: %q %q %q", passnum.ErrorCode(internal), passnum.ErrorReason(internal), passnum.ErrorMessage(internal))
	}
}
