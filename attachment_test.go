package passnum_test

import (
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

func TestSanitizeFileName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plan.pdf", "plan.pdf"},
		{"Délibération CD35.PDF", "Délibération CD35.pdf"},
		{`C:\Users\marie\Budget 2027.pdf`, "Budget 2027.pdf"},
		{"../../etc/passwd", "passwd.pdf"},
		{"plan\r\nX-Injected: 1.pdf", "plan X-Injected_ 1.pdf"},
		{`"guillemets";.pdf`, "_guillemets__.pdf"},
		{"", "piece-jointe.pdf"},
		{"/", "piece-jointe.pdf"},
		{" . .pdf", "piece-jointe.pdf"},
		{"budget", "budget.pdf"},
		{"\xff\xfeplan.pdf", "_plan.pdf"},
		{strings.Repeat("é", 300) + ".pdf", strings.Repeat("é", 116) + ".pdf"},
	} {
		if got := passnum.SanitizeFileName(tc.in); got != tc.want {
			t.Errorf("SanitizeFileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCheckPDF(t *testing.T) {
	for _, tc := range []struct {
		name, content, reason string
	}{
		{"a PDF", "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", ""},
		{"a PDF with blank lines after its trailer", "%PDF-1.4\n%%EOF" + strings.Repeat("\n", 500), ""},
		{"empty", "", passnum.ReasonAttachmentNotPDF},
		{"text", "Bonjour\n%%EOF", passnum.ReasonAttachmentNotPDF},
		{"header inside", " %PDF-1.7\n%%EOF", passnum.ReasonAttachmentNotPDF},
		{"no end-of-file marker", "%PDF-1.7\n1 0 obj\n", passnum.ReasonAttachmentNotPDF},
		{"marker 2 Ko before the end", "%PDF-1.7\n%%EOF" + strings.Repeat("x", 2048), passnum.ReasonAttachmentNotPDF},
		{"too large", "%PDF-1.7\n" + strings.Repeat("x", passnum.MaxAttachmentBytes) + "%%EOF", passnum.ReasonAttachmentTooLarge},
	} {
		err := passnum.CheckPDF([]byte(tc.content))
		if tc.reason == "" && err != nil || tc.reason != "" && (passnum.ErrorReason(err) != tc.reason || passnum.ErrorMessage(err) == "") {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.reason)
		}
	}
}

func TestFrenchBytes(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 octet"}, {1, "1 octet"}, {850, "850 octets"}, {1024, "1 ko"}, {1280, "1,3 ko"},
		{12 * 1024, "12 ko"}, {1_258_291, "1,2 Mo"}, {10 << 20, "10 Mo"}, {900_000, "879 ko"}, {1_000_000, "1 Mo"}, {1_040_000, "1 Mo"},
	} {
		if got := passnum.FrenchBytes(tc.n); got != tc.want {
			t.Errorf("FrenchBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
