package csvfile

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
)

func TestEuros(t *testing.T) {
	for cents, want := range map[int64]string{0: "0,00", 1: "0,01", 100: "1,00", 123456: "1234,56", -250: "-2,50"} {
		if got := Euros(cents); got != want {
			t.Errorf("Euros(%d) = %q, want %q", cents, got, want)
		}
	}
}

func TestStatement(t *testing.T) {
	st := &passnum.Statement{ID: 7, VenueName: "Le Grand Clic ; association", CutOff: "2027-03-31", Reference: "RF18539007547034",
		Lines: []passnum.StatementLine{{Serial: 42, RedemptionID: 3, RedeemedAt: time.Date(2027, 3, 15, 13, 30, 0, 0, time.UTC),
			ServiceTitle: "Premiers pas", SessionID: 9, ProgrammeID: 1, AmountCents: 1000,
			Shares: []passnum.LineShare{{FunderID: 2, AmountCents: 334}, {FunderID: 3, AmountCents: 666}}}}}
	var buf bytes.Buffer
	if err := Statement(&buf, st); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), BOM) {
		t.Fatal("no byte-order mark")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), BOM)))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("%d records: %v", len(recs), err)
	}
	want := []string{"7", "Le Grand Clic ; association", "2027-03-31", "RF18539007547034", "0000000042", "3", "2027-03-15 14:30",
		"Premiers pas", "9", "1", "10,00", "2=3,34|3=6,66"}
	if strings.Join(recs[1], "¦") != strings.Join(want, "¦") {
		t.Errorf("line %q, want %q", recs[1], want)
	}
}

func TestDefuse(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+33 1 23": "'+33 1 23", "-": "'-", "@sum": "'@sum", "\tx": "'\tx", "\rx": "'\rx",
		"-2": "-2", "+3,5": "'+3,5", "1,5": "1,5", "Rennes": "Rennes", "": "",
	} {
		if got := Defuse(in); got != want {
			t.Errorf("Defuse(%q) = %q, want %q", in, got, want)
		}
	}
}
