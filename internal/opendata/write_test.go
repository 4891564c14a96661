package opendata

import (
	"bytes"
	"encoding/json"
	"testing"
)

func sample(t *testing.T) *Release {
	t.Helper()
	tab := &Table{
		Measures: []string{"beneficiaries", "passes_redeemed"},
		Cells: []Cell{
			{Month: "2026-01", Departement: "29", Commune: "29019", Counts: []int{3, 40}},
			{Month: "2026-01", Departement: "29", Commune: "29232", Counts: []int{12, 0}},
		},
	}
	r, err := Suppress(tab, DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := sample(t).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFF" +
		"month;level;departement;commune;beneficiaries;beneficiaries_suppressed;passes_redeemed;passes_redeemed_suppressed\n" +
		"2026-01;national;;;15;false;40;false\n" +
		"2026-01;departement;29;;15;false;40;false\n" +
		"2026-01;commune;29;29019;;true;40;false\n" +
		"2026-01;commune;29;29232;;true;0;false\n"
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := sample(t).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Threshold int      `json:"threshold"`
		Measures  []string `json:"measures"`
		Rows      []struct {
			Level      string          `json:"level"`
			Commune    string          `json:"commune"`
			Counts     map[string]*int `json:"counts"`
			Suppressed []string        `json:"suppressed"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Threshold != 5 || len(got.Measures) != 2 || len(got.Rows) != 4 {
		t.Fatalf("got %+v", got)
	}
	c := got.Rows[2]
	if c.Commune != "29019" || c.Counts["beneficiaries"] != nil || len(c.Suppressed) != 1 || c.Suppressed[0] != "beneficiaries" {
		t.Errorf("suppressed commune row: %+v", c)
	}
	if p := c.Counts["passes_redeemed"]; p == nil || *p != 40 {
		t.Errorf("published count: %v", p)
	}
	if !bytes.Contains(b.Bytes(), []byte(`"beneficiaries": null`)) {
		t.Errorf("suppressed count not null:\n%s", b.String())
	}
	n := got.Rows[0]
	if n.Level != "national" || n.Suppressed == nil || len(n.Suppressed) != 0 {
		t.Errorf("national row: %+v", n)
	}
}
