package storetest

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"io"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

// PersonalValue is a distinctive value of one declared personal field,
// seeded so that an answer, page or file that holds it can be caught.
type PersonalValue struct {
	Field string // a passnum.PersonalFields key
	Value string
}

// Leaks checks what the API and the pages give each kind of organisation
// against the declaration: every answer walked is searched for the seeded
// values, and a value of a field the declaration does not give the
// answer's kind is an error. Done then checks that the walk was real: many
// answers, and each value shown at least once to a kind that reads it, so
// that the search would see it leak.
type Leaks struct {
	t      testing.TB
	values []PersonalValue
	walked int
	shown  map[string]bool
}

// NewLeaks starts a walk over values.
func NewLeaks(t testing.TB, values []PersonalValue) *Leaks {
	return &Leaks{t: t, values: values, shown: map[string]bool{}}
}

// Check searches body, the answer to what (e.g. "GET /path as venue
// agent"), given to an organisation of kind.
func (l *Leaks) Check(what string, kind passnum.OrgKind, body []byte) {
	l.t.Helper()
	l.walked++
	text := OpenedText(l.t, body)
	for _, v := range l.values {
		if !strings.Contains(text, v.Value) {
			continue
		}
		l.shown[v.Value] = true
		if !passnum.FindPersonalField(v.Field).ReadableBy(kind) {
			l.t.Errorf("%s holds %s (%q), which the declaration does not give to %s", what, v.Field, v.Value, kind)
		}
	}
}

// Done fails the walk if it checked fewer than min answers, or if a value
// showed nowhere.
func (l *Leaks) Done(min int) {
	l.t.Helper()
	if l.walked < min {
		l.t.Fatalf("only %d answers: is the walk broken?", l.walked)
	}
	for _, v := range l.values {
		if !l.shown[v.Value] {
			l.t.Errorf("%s (%q) is in no answer: the walk would not see it leak", v.Field, v.Value)
		}
	}
}

// OpenedText is what a body shows once opened: the inflated streams of a
// PDF (and its uncompressed ones as they are), the parts of a spreadsheet,
// the body itself otherwise.
func OpenedText(t testing.TB, body []byte) string {
	t.Helper()
	switch {
	case bytes.HasPrefix(body, []byte("%PDF")):
		var out strings.Builder
		rest := string(body)
		for {
			i := strings.Index(rest, "stream")
			if i < 0 {
				break
			}
			rest = strings.TrimLeft(rest[i+len("stream"):], "\r\n")
			end := strings.Index(rest, "endstream")
			if end < 0 {
				break
			}
			if r, err := zlib.NewReader(strings.NewReader(rest[:end])); err == nil {
				b, _ := io.ReadAll(r)
				out.Write(b)
			}
			out.WriteString(rest[:end])
			rest = rest[end+len("endstream"):]
		}
		return out.String()
	case bytes.HasPrefix(body, []byte("PK")):
		z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatalf("spreadsheet: %v", err)
		}
		var out strings.Builder
		for _, f := range z.File {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r)
			r.Close()
			out.Write(b)
		}
		return out.String()
	}
	return string(body)
}
