package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestRatio: a share that rounds to 0 % or 100 % without being nothing or
// everything says so in words, so that 8 blocked passes never read "0 %".
func TestRatio(t *testing.T) {
	for _, tc := range []struct {
		part, whole int64
		want        string
	}{
		{0, 0, "—"},
		{0, 2500, "0\u202f%"},
		{8, 2500, "moins de 1\u202f%"},
		{1, 200, "1\u202f%"}, // 0,5 % rounds up
		{1, 201, "moins de 1\u202f%"},
		{520, 2500, "21\u202f%"},
		{2499, 2500, "plus de 99\u202f%"},
		{2500, 2500, "100\u202f%"},
	} {
		if got := ratio(tc.part, tc.whole); got != tc.want {
			t.Errorf("ratio(%d, %d) = %q, want %q", tc.part, tc.whole, got, tc.want)
		}
	}
}

// TestFiguresUnits: the figures of a programme say what they count, so
// that a count of passes beside amounts in euros is not read as money:
// "100 pass", "20 carnets", in the tables and in the charts' text.
func TestFiguresUnits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		// One pass blocked out of the 100 issued.
		if _, err := env.Store.Block(storetest.As(f.Operator), passnum.BlockRequest{Scope: passnum.BlockPass, Serial: f.Batch.FirstSerial + 99, Reason: "perdu"}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name    string
			who     *person
			path    string
			want    []string
			wantNot []string
		}{
			{"funder's programme", s.as(passnum.KindFunder, passnum.RoleAgent), fmt.Sprintf("/financeur/programmes/%d", f.Programme.ID),
				[]string{
					"Étape Nombre de pass Part des pass émis",
					"Émis 100 pass 100 %", "Activés (fonds reçus) 100 pass 100 %", "Remis aux personnes 30 pass 30 %",
					"Bloqués 1 pass 1 %",
					"Carnets du programme", "Émis 20 carnets 100 % Attribués aux prescripteurs 10 carnets 50 % Remis aux personnes 6 carnets 30 % Entamés (un pass au moins utilisé) 0 carnet 0 %",
					"Activés (fonds reçus) : 100 pass",
					"en euros, par part de financeur", "Part du financement",
					"le pass, 5 pass par carnet",
				},
				[]string{"Activés (fonds reçus) 100 100", "Bloqués 1 1 %"}},
			{"operator's programme", s.as(passnum.KindOperator, passnum.RoleAgent), fmt.Sprintf("/operateur/programmes/%d", f.Programme.ID),
				[]string{"Émis 100 pass 100 %", "Bloqués 1 pass 1 %", "Remis aux personnes 6 carnets 30 %"}, nil},
			{"operator's programmes", s.as(passnum.KindOperator, passnum.RoleAgent), "/operateur",
				[]string{"Budget Fonds reçus Pass émis Pass remis Pass utilisés", "100 pass 30 pass 0 pass"}, []string{"Remis Utilisés"}},
		} {
			a := s.get(tc.who, tc.path)
			if a.status != http.StatusOK {
				t.Fatalf("%s: %d\n%.500s", tc.name, a.status, a.text())
			}
			says(t, tc.name, a.text(), tc.want, tc.wantNot)
		}
	})
}
