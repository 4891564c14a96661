package web

import (
	"html/template"
	"testing"
	"time"
)

// TestOrdinalHTML: the first of the month is written 1<sup>er</sup> on
// pages, and nothing else in a date is taken for markup.
func TestOrdinalHTML(t *testing.T) {
	date := funcs["date"].(func(string) template.HTML)
	datetime := funcs["datetime"].(func(any) template.HTML)
	for _, tc := range []struct {
		got  template.HTML
		want template.HTML
	}{
		{date("2027-03-01"), "1<sup>er</sup> mars 2027"},
		{date("2027-03-11"), "11 mars 2027"},
		{date("2027-12-31"), "31 décembre 2027"},
		{date("<b>"), "&lt;b&gt;"},
		{datetime(time.Date(2027, 3, 1, 13, 5, 0, 0, time.UTC)), "1<sup>er</sup> mars 2027 à 14 h 05"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestVoidedMessage: one pass given back is "son pass", several are
// counted, and the verb agrees.
func TestVoidedMessage(t *testing.T) {
	for n, want := range map[int]string{
		1: "Encaissement n°7 annulé : son pass peut de nouveau être utilisé.",
		3: "Encaissement n°7 annulé : ses 3 pass peuvent de nouveau être utilisés.",
	} {
		if got := voidedMessage(7, n); got != want {
			t.Errorf("voidedMessage(7, %d) = %q, want %q", n, got, want)
		}
	}
}
