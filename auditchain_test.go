package passnum_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
)

// TestAuditAnchorsRoundTrip: anchors written as CSV and as JSON read back
// the same.
func TestAuditAnchorsRoundTrip(t *testing.T) {
	anchors := []passnum.AuditAnchor{
		{Seq: 1, Hash: strings.Repeat("0a", 32), At: time.Date(2027, 3, 15, 9, 30, 0, 123456000, time.UTC)},
		{Seq: 1001, Hash: strings.Repeat("f1", 32), At: time.Date(2027, 3, 15, 10, 30, 0, 0, time.UTC)},
	}
	for name, write := range map[string]func(*bytes.Buffer) error{
		"csv":  func(b *bytes.Buffer) error { return passnum.WriteAuditAnchorsCSV(b, anchors) },
		"json": func(b *bytes.Buffer) error { return passnum.WriteAuditAnchorsJSON(b, anchors) },
	} {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatal(err)
		}
		got, err := passnum.ReadAuditAnchors(&buf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != len(anchors) {
			t.Fatalf("%s: %d anchors, want %d", name, len(got), len(anchors))
		}
		for i := range got {
			if got[i].Seq != anchors[i].Seq || got[i].Hash != anchors[i].Hash || !got[i].At.Equal(anchors[i].At) {
				t.Errorf("%s: anchor %d reads %+v, want %+v", name, i, got[i], anchors[i])
			}
		}
	}
}

// TestReadAuditAnchorsRefuses: a file that holds no anchors, or anchors
// that cannot be, is refused with a French message naming what is wrong.
func TestReadAuditAnchorsRefuses(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	tests := []struct{ name, file, want string }{
		{"empty", "  \n", "Le fichier d'ancres est vide."},
		{"header only", "numero;empreinte;date\n", "aucune ancre"},
		{"other header", "seq;hash;at\n1;" + hash + ";2027-03-15T09:30:00.000000Z\n", `doit commencer par la ligne "numero;empreinte;date"`},
		{"not a number", "numero;empreinte;date\nun;" + hash + ";2027-03-15T09:30:00.000000Z\n", "Ligne 2 du fichier d'ancres"},
		{"not an instant", "numero;empreinte;date\n1;" + hash + ";15/03/2027\n", `la date "15/03/2027" n'est pas un instant`},
		{"short hash", "numero;empreinte;date\n1;abc;2027-03-15T09:30:00.000000Z\n", "L'ancre n° 1 du fichier n'en est pas une"},
		{"uppercase hash", `{"anchors": [{"seq": 3, "hash": "` + strings.ToUpper(hash) + `", "at": "2027-03-15T09:30:00Z"}]}`, "L'ancre n° 1 du fichier n'en est pas une"},
		{"place 0", `[{"seq": 0, "hash": "` + hash + `", "at": "2027-03-15T09:30:00Z"}]`, "L'ancre n° 1 du fichier n'en est pas une"},
		{"broken JSON", `{"anchors": [`, "n'est pas un JSON lisible"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := passnum.ReadAuditAnchors(strings.NewReader(tc.file))
			if passnum.ErrorCode(err) != passnum.EINVALID || !strings.Contains(passnum.ErrorMessage(err), tc.want) {
				t.Errorf("error %v, want EINVALID saying %q", err, tc.want)
			}
		})
	}
}
