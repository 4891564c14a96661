// Package httpx holds the HTTP plumbing that the API and the web interface
// share: the one mapping of error codes to statuses, the access log and
// the recovery from panics, and how a file is served for download.
package httpx

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/passnum/passnum"
)

// Status maps an error code to an HTTP status: the one place where this
// is decided, for the API's problems and the web's error pages alike.
func Status(code string) int {
	switch code {
	case passnum.EINVALID:
		return http.StatusBadRequest
	case passnum.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case passnum.EFORBIDDEN:
		return http.StatusForbidden
	case passnum.ENOTFOUND:
		return http.StatusNotFound
	case passnum.ECONFLICT:
		return http.StatusConflict
	case passnum.EREFUSED:
		return http.StatusUnprocessableEntity
	case passnum.ERATELIMIT:
		return http.StatusTooManyRequests
	case passnum.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// RetryAfterUnavailable is the Retry-After of a 503 (EUNAVAILABLE): long
// enough for an operator to free space on a full disk, short enough for a
// venue still at its counter.
const RetryAfterUnavailable = 2 * time.Minute

// SetRetryAfter sets the Retry-After header of an answer with status: on
// 503 (EUNAVAILABLE) answers, the API's and the pages' alike, unless
// SetRetryAfterOf set it already for the reason of the error.
func SetRetryAfter(w http.ResponseWriter, status int) {
	if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", strconv.Itoa(int(RetryAfterUnavailable/time.Second)))
	}
}

// RetryAfterDatabase is the Retry-After of an answer refused because the
// database is out of reach: a restart or the promotion of a standby takes
// seconds, and the client's next try is soon enough to find it back.
const RetryAfterDatabase = 5 * time.Second

// SetRetryAfterOf sets the Retry-After header of a 503 answer to an error
// of reason when that reason passes sooner than a full disk: conflicts in
// milliseconds (server-busy, 1 s), a database out of reach in seconds.
func SetRetryAfterOf(w http.ResponseWriter, reason string) {
	switch reason {
	case passnum.ReasonServerBusy:
		w.Header().Set("Retry-After", "1")
	case passnum.ReasonDatabaseUnavailable, passnum.ReasonOutcomeUnknown:
		w.Header().Set("Retry-After", strconv.Itoa(int(RetryAfterDatabase/time.Second)))
	}
}

// StatusClientClosed is the status recorded, in the access log and the
// metrics, for a request whose client went away before its answer was
// ready (as nginx's 499 "client closed request"). Nobody reads it: it says
// that the failure was the client's leaving, not the server's.
const StatusClientClosed = 499

// ClientGone tells whether err only means that the client went away: the
// request's context was cancelled (the connection closed; no deadline of
// ours) and err says so. Such a request is answered ClientClosed, not as an
// internal error.
func ClientGone(r *http.Request, err error) bool {
	return errors.Is(r.Context().Err(), context.Canceled) && errors.Is(err, context.Canceled)
}

// ClientClosed records StatusClientClosed for a request whose client went
// away. The status line goes to a closed connection; no body is written.
func ClientClosed(w http.ResponseWriter) {
	w.WriteHeader(StatusClientClosed)
}

// StatusOf is the status of an error of code and reason: Status, except
// for text refused for its characters (passnum.CheckLine), a request well
// formed whose content cannot be taken, answered 422 by the API and the
// pages alike, and for attachments too large (413) or not PDF (415).
func StatusOf(code, reason string) int {
	switch reason {
	case passnum.ReasonControlCharacter:
		return http.StatusUnprocessableEntity
	case passnum.ReasonAttachmentTooLarge:
		// Refused at the limit, before the rest of the body is read.
		return http.StatusRequestEntityTooLarge
	case passnum.ReasonAttachmentNotPDF:
		// The type is read from the content, whatever the request says.
		return http.StatusUnsupportedMediaType
	}
	return Status(code)
}

// NotFound gives err, when the service did not find the record a request
// names, the words the page or the API says it with (format and args);
// any other error is returned as it is. The code and reason stay.
func NotFound(err error, format string, args ...any) error {
	if passnum.ErrorCode(err) != passnum.ENOTFOUND {
		return err
	}
	return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, format, args...)
}

// Entry collects what the access log says about a request as it goes
// through the layers: the route pattern (never the raw path or query,
// which may hold a beneficiary's reference, a pass code or a reset token)
// and the actor.
type Entry struct {
	Pattern string
	Actor   string
}

type entryKey struct{}

// EntryFrom returns the log entry of a request; outside LogRequests, a
// throwaway one.
func EntryFrom(ctx context.Context) *Entry {
	if e, ok := ctx.Value(entryKey{}).(*Entry); ok {
		return e
	}
	return &Entry{}
}

// WithEntry returns ctx with a log entry, reusing the one already there:
// an outer layer (the metrics) then reads the pattern an inner one set.
func WithEntry(ctx context.Context) (context.Context, *Entry) {
	if e, ok := ctx.Value(entryKey{}).(*Entry); ok {
		return ctx, e
	}
	e := &Entry{}
	return context.WithValue(ctx, entryKey{}, e), e
}

// LogRequests writes one structured line per request: method, route
// pattern, status, duration, size and actor. Headers, queries and bodies
// are never logged: they carry tokens, pass codes and passwords.
func LogRequests(log *slog.Logger, msg string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, entry := WithEntry(r.Context())
		rec := &Recorder{ResponseWriter: w}
		// Deferred, so that a request cut short by http.ErrAbortHandler
		// is logged too.
		defer func() {
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			level := slog.LevelInfo
			// A 503 (disk full, overload) is logged once by whoever
			// found the cause, not at every request it refuses.
			if status >= 500 && status != http.StatusServiceUnavailable {
				level = slog.LevelError
			}
			log.LogAttrs(r.Context(), level, msg,
				slog.String("method", r.Method),
				slog.String("pattern", entry.Pattern),
				slog.Int("status", status),
				slog.Duration("duration", time.Since(start)),
				slog.Int64("bytes", rec.bytes),
				slog.String("actor", entry.Actor))
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// Recover turns a panic in a handler into a logged internal error answered
// by fail, so one bug does not cut every connection of the process. When
// the answer has begun, it can only be cut.
func Recover(log *slog.Logger, next http.Handler, fail func(http.ResponseWriter, *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { // a deliberate abort, e.g. a broken CSV export
				panic(v)
			}
			log.ErrorContext(r.Context(), "panic in handler", "panic", v, "stack", string(debug.Stack()))
			if rec, ok := w.(*Recorder); ok && rec.status != 0 {
				panic(http.ErrAbortHandler)
			}
			fail(w, r)
		}()
		next.ServeHTTP(w, r)
	})
}

// Recorder remembers the status and size of a response.
type Recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// WriteHeader records the first status written.
func (r *Recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *Recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Status returns the status written, 200 when none was.
func (r *Recorder) Status() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines of long exports).
func (r *Recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// WriteAttachment answers the content of an attachment as a download: a
// PDF that the browser saves rather than displays within passnum's
// origin, that no browser reads as another type, and that no script of
// it may run in a page of ours (sandbox).
// The API and the web pages serve downloads through it.
func WriteAttachment(w http.ResponseWriter, f *passnum.Attachment, content []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.FileName}))
	h.Set("Content-Length", strconv.Itoa(len(content)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(content)
}
