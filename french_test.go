package passnum

import "testing"

func TestFrenchBy(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{"État"}, "par l'État"},
		{[]string{"Département du Nord"}, "par le Département du Nord"},
		{[]string{"Région Bretagne"}, "par la Région Bretagne"},
		{[]string{"Métropole de Lyon"}, "par la Métropole de Lyon"},
		{[]string{"Caisse d'allocations familiales"}, "par la Caisse d'allocations familiales"},
		{[]string{"Conseil départemental du Finistère"}, "par le Conseil départemental du Finistère"},
		{[]string{"Agence nationale de la cohésion des territoires"}, "par l'Agence nationale de la cohésion des territoires"},
		{[]string{"Établissement public"}, "par l'Établissement public"},
		{[]string{"Hôpital de Brest"}, "par l'Hôpital de Brest"},
		{[]string{"Haut-Commissariat au plan"}, "par le Haut-Commissariat au plan"},
		{[]string{"Communes du Trégor"}, "par les Communes du Trégor"},
		{[]string{"ville de Brest"}, "par la ville de Brest"},
		{[]string{"Emmaüs Connect"}, "par Emmaüs Connect"},
		{[]string{"La Poste"}, "par La Poste"},
		{[]string{"Fonds social européen"}, "par le Fonds social européen"},
		{[]string{"État", "Région Bretagne"}, "par l'État et la Région Bretagne"},
		{[]string{"État", "Département du Finistère", "Région Bretagne"}, "par l'État, le Département du Finistère et la Région Bretagne"},
	} {
		if got := FrenchBy(tc.names...); got != tc.want {
			t.Errorf("FrenchBy(%q) = %q, want %q", tc.names, got, tc.want)
		}
	}
}

func TestFrenchCount(t *testing.T) {
	for _, tc := range []struct {
		n            int64
		count, their string
	}{
		{0, "0 carnet", "aucun carnet"},
		{1, "1 carnet", "son carnet"},
		{2, "2 carnets", "ses 2 carnets"},
		{1200, "1\u202f200 carnets", "ses 1\u202f200 carnets"},
	} {
		if got := FrenchCount(tc.n, "carnet", "carnets"); got != tc.count {
			t.Errorf("FrenchCount(%d) = %q, want %q", tc.n, got, tc.count)
		}
		if got := FrenchTheir(tc.n, "carnet", "carnets"); got != tc.their {
			t.Errorf("FrenchTheir(%d) = %q, want %q", tc.n, got, tc.their)
		}
	}
	if got := FrenchTheir(1, "pass", "pass"); got != "son pass" {
		t.Errorf("FrenchTheir(1, pass) = %q", got)
	}
	if got := FrenchTheir(3, "pass", "pass"); got != "ses 3 pass" {
		t.Errorf("FrenchTheir(3, pass) = %q", got)
	}
}
