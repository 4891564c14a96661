package sqlstore

import (
	"regexp"
	"strings"
	"testing"
)

// checkName is the shape of a check's name: never that of a reason
// (kebab-case alone), which errors carry.
var checkName = regexp.MustCompile(`^[a-z]+\.[a-z]+(-[a-z]+)*$`)

// TestInvariantChecksTable holds every check of CheckInvariants to the
// shape its runner expects: a unique name, a sentence saying what it
// checks, exactly one way to find violations, and a message for a query.
func TestInvariantChecksTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range invariantChecks {
		if !checkName.MatchString(c.name) {
			t.Errorf("check %q: a name is its area, a dot, and what it checks in words joined by hyphens", c.name)
		}
		if seen[c.name] {
			t.Errorf("check %q: named twice", c.name)
		}
		seen[c.name] = true
		if !strings.HasSuffix(c.about, ".") || len(c.about) < 20 {
			t.Errorf("check %q: about %q is not a sentence", c.name, c.about)
		}
		ways := 0
		for _, set := range []bool{c.number != "", c.rows != "", c.run != nil} {
			if set {
				ways++
			}
		}
		if ways != 1 {
			t.Errorf("check %q: %d ways to find violations, want 1", c.name, ways)
		}
		if (c.run == nil) != strings.Contains(c.message, "%") {
			t.Errorf("check %q: a query needs a message with its figures, Go says its own", c.name)
		}
		if c.args != nil && c.rows == "" {
			t.Errorf("check %q: args without rows", c.name)
		}
	}
	if invariantChecks[0].name != "instants.shape" || !invariantChecks[0].unreadable {
		t.Errorf("the check of instants runs first, so that the others' read errors are reported beside it")
	}
}
