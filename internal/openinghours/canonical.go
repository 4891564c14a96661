package openinghours

import (
	"errors"
	"strings"
)

// Canonical returns how a value of horaires is stored and exported: the
// canonical form (Schedule.String) of what Parse evaluates, and, for a value
// that Parse does not evaluate but that may well be correct OpenStreetMap
// syntax (an *Error whose Unsupported is set: months, week numbers, school
// holidays, comments, fallback rules…), the value itself, trimmed, with
// evaluated false. Such a value is kept as text: the directory shows it as
// written and does not say whether the venue is open now. A national file
// gathered from many producers always holds a few, and refusing them would
// refuse the venue. The error is Parse's, for a value that is a mistake.
func Canonical(value string) (canonical string, evaluated bool, err error) {
	s, err := Parse(value)
	if err == nil {
		return s.String(), true, nil
	}
	var e *Error
	if errors.As(err, &e) && e.Unsupported {
		return strings.TrimSpace(value), false, nil
	}
	return "", false, err
}
