package opendata

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

func publicConventions() []passnum.PublicConvention {
	return []passnum.PublicConvention{{Number: 4, Territory: []string{"departement:35"}, SignedOn: "2027-03-05", StartsOn: "2027-03-01", EndsOn: "2028-12-31",
		Parties: []passnum.PublicConventionParty{
			{Name: "État — ANCT", SignedOn: "2027-03-02", CommittedCents: 50_000_00, CalledCents: 10_000_00, ReceivedCents: 10_000_00,
				Years: []passnum.PublicConventionYear{{Year: 2027, CommittedCents: 40_000_00, CalledCents: 10_000_00}, {Year: 2028, CommittedCents: 10_000_00}}},
			{Name: "=Fondation; \"Orange\"", SignedOn: "2027-03-05", CommittedCents: 20_000_00,
				Years: []passnum.PublicConventionYear{{Year: 2028, CommittedCents: 20_000_00}}},
		}}}
}

// The CSV holds, for each party, a row per year then its total; a cell
// that a spreadsheet would run as a formula is defused.
func TestWriteConventionsCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteConventionsCSV(&buf, publicConventions()); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffconvention;territory;starts_on;ends_on;signed_on;party;party_signed_on;level;year;committed_cents;called_cents;received_cents\n" +
		"4;departement:35;2027-03-01;2028-12-31;2027-03-05;État — ANCT;2027-03-02;year;2027;4000000;1000000;\n" +
		"4;departement:35;2027-03-01;2028-12-31;2027-03-05;État — ANCT;2027-03-02;year;2028;1000000;0;\n" +
		"4;departement:35;2027-03-01;2028-12-31;2027-03-05;État — ANCT;2027-03-02;total;;5000000;1000000;1000000\n" +
		"4;departement:35;2027-03-01;2028-12-31;2027-03-05;\"'=Fondation; \"\"Orange\"\"\";2027-03-05;year;2028;2000000;0;\n" +
		"4;departement:35;2027-03-01;2028-12-31;2027-03-05;\"'=Fondation; \"\"Orange\"\"\";2027-03-05;total;;2000000;0;0\n"
	if got := strings.ReplaceAll(buf.String(), "\r\n", "\n"); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// No column of the files can hold a person: the columns are the ones a
// person chose for organisations and amounts, and the JSON has no other
// key.
func TestConventionsHoldNoPerson(t *testing.T) {
	allowed := "convention territory starts_on ends_on signed_on party party_signed_on level year committed_cents called_cents received_cents"
	if got := strings.Join(ConventionsHeader, " "); got != allowed {
		t.Fatalf("CSV columns %q, want %q", got, allowed)
	}
	var buf bytes.Buffer
	if err := WriteConventionsJSON(&buf, publicConventions()); err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				keys[k] = true
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	for k := range keys {
		if !strings.Contains(" licence conventions number parties name years "+allowed+" ", " "+k+" ") {
			t.Errorf("the JSON has a key %q that no person chose", k)
		}
	}
	if !keys["received_cents"] || !keys["name"] {
		t.Fatalf("keys %v", keys)
	}
	if err := WriteConventionsJSON(&buf, nil); err != nil || !strings.Contains(buf.String(), `"conventions": []`) {
		t.Fatalf("no convention: %v %s", err, buf.String())
	}
}
