// Package passnum is the domain of the passnum platform: the programmes that fund
// Pass numérique vouchers, the carnets and passes they issue, the organisations
// that hand them out and redeem them, and the rules every store must enforce.
//
// It depends on nothing but the standard library. Implementations live in
// subpackages, one per outside dependency (internal/sqlstore, internal/httpapi…),
// and cmd/passnum wires them together.
package passnum

import "time"

// Clock returns the current time. Stores take one so tests can move time
// forward (void windows, expiry) without sleeping.
type Clock func() time.Time

// DateLayout is the ISO 8601 calendar date used for validity dates.
const DateLayout = "2006-01-02"

// TimeLayout is how instants are written in stores and APIs: RFC 3339 in UTC
// with a fixed width, so that text comparison orders them in time.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// FormatTime writes t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a TimeLayout instant.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeLayout, s) }

// Today returns now's calendar date in Paris, YYYY-MM-DD: the date people
// write on forms and read on carnets.
func Today(now time.Time) string { return now.In(paris).Format(DateLayout) }
