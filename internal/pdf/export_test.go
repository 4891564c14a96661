package pdf

import (
	"bytes"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

func TestReadExport(t *testing.T) {
	p := &passnum.Programme{Name: "Pass numérique Ille-et-Vilaine 2027", FaceValueCents: 1000, ValidFrom: "2027-01-01",
		Funders: []passnum.FunderShare{{FunderID: 2, FunderName: "État", ShareBP: 5000}, {FunderID: 3, FunderName: "Département", ShareBP: 5000}}}
	good := "\ufeffserie;carnet;programme;valable_jusqu_au;code;qr;etat\n" +
		"0000000001;1;1;2027-12-31;AAAA-BBBB-CCCC-D;PN1.x;activated\n" +
		"0000000002;1;1;2027-12-31;EEEE-FFFF-GGGG-H;PN1.y;activated\n" +
		"0000000011;2;1;2027-12-31;JJJJ-KKKK-MMMM-N;PN1.z;issued\n"
	sheets, err := ReadExport(strings.NewReader(good), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 2 || sheets[0].Number != 1 || len(sheets[0].Passes) != 2 || sheets[1].Number != 2 || len(sheets[1].Passes) != 1 ||
		sheets[0].Programme != p.Name || strings.Join(sheets[0].Funders, ", ") != "État, Département" || sheets[0].FaceValueCents != 1000 {
		t.Fatalf("sheets %+v", sheets)
	}
	if q := sheets[0].Passes[1]; q.Serial != 2 || q.ShortCode != "EEEE-FFFF-GGGG-H" || q.QR != "PN1.y" || q.ValidFrom != "2027-01-01" || q.ValidUntil != "2027-12-31" {
		t.Errorf("pass %+v", q)
	}
	var out bytes.Buffer
	if err := Carnets(&out, sheets, CarnetOptions{OperatorName: "Coopérative passnum", BaseURL: "https://pass.example.fr"}); err != nil || !bytes.HasPrefix(out.Bytes(), []byte("%PDF")) {
		t.Fatalf("carnets from the export: %v", err)
	}
	for name, bad := range map[string]string{
		"other columns": "serial;carnet\n1;1\n",
		"bad serial":    "serie;carnet;programme;valable_jusqu_au;code;qr;etat\nx;1;1;2027-12-31;A;B;issued\n",
		"empty":         "",
	} {
		if _, err := ReadExport(strings.NewReader(bad), p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
