package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestOrdinalInDays: the "1er" of a day written with its weekday is
// raised too, as in "mardi 1<sup>er</sup> mars 2027".
func TestOrdinalInDays(t *testing.T) {
	ordinal := funcs["ordinal"].(func(string) template.HTML)
	for in, want := range map[string]template.HTML{
		"mardi 1er mars 2027":  "mardi 1<sup>er</sup> mars 2027",
		"1er mars 2027":        "1<sup>er</sup> mars 2027",
		"mardi 11 mars 2027":   "mardi 11 mars 2027",
		"jeudi 21 janvier <b>": "jeudi 21 janvier &lt;b&gt;",
	} {
		if got := ordinal(in); got != want {
			t.Errorf("ordinal(%q) = %q, want %q", in, got, want)
		}
	}
	if got := frenchDay(time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)); got != "lundi 1er mars 2027" {
		t.Errorf("frenchDay: %q", got)
	}
}

// TestHeadingsNotRepeated: the paragraph under a heading says something
// the heading does not, rather than the heading again ("Session expirée"
// then "Votre session a expiré").
func TestHeadingsNotRepeated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		hub := s.as(passnum.KindHub, passnum.RoleAgent)
		tests := []struct {
			name    string
			do      func() answer
			status  int
			want    []string
			wantNot []string
		}{
			{"session expired", func() answer { return s.post(anonymous, "/structure", url.Values{"org": {"1"}}) }, http.StatusUnauthorized,
				[]string{"Session expirée Reconnectez-vous, puis recommencez : rien n'a été enregistré."}, []string{"Votre session a expiré"}},
			{"page reserved", func() answer { return s.get(s.as(passnum.KindVenue, passnum.RoleAgent), "/operateur") }, http.StatusForbidden,
				[]string{"Page réservée Seules d'autres structures que la vôtre (lieu de médiation numérique) peuvent l'ouvrir."}, []string{"Cette page est réservée"}},
			{"form expired", func() answer {
				return s.post(s.as(passnum.KindVenue, passnum.RoleAgent), "/structure", url.Values{"csrf": {"périmé"}})
			}, http.StatusForbidden,
				[]string{"Formulaire expiré Par sécurité, il n'a pas été pris en compte"}, []string{"Ce formulaire a expiré"}},
			{"hub without territory", func() answer { return s.get(hub, "/financeur/indicateurs") }, http.StatusOK,
				[]string{"Territoire pas encore défini Aucun chiffre ne peut encore être rattaché à votre hub.",
					"Les indicateurs n'ont pas encore été calculés Ils viennent des pass"},
				[]string{"Le territoire de votre hub n'est pas encore défini", "Les chiffres sont calculés"}},
			{"sources", func() answer { return s.get(anonymous, "/sources") }, http.StatusOK,
				[]string{"Position des communes Source : GeoNames", "Horaires Ils s'écrivent dans le format opening_hours"},
				[]string{"Positions des communes", "Les horaires d'ouverture s'écrivent"}},
		}
		for _, tc := range tests {
			a := tc.do()
			if a.status != tc.status {
				t.Errorf("%s: %d, want %d\n%.400s", tc.name, a.status, tc.status, a.text())
				continue
			}
			says(t, tc.name, a.text(), tc.want, tc.wantNot)
		}
	})
}

// TestCountsAgree: a count of one takes a singular noun and verb, in the
// job of issuing carnets and in the store's refusal of a batch over the
// budget.
func TestCountsAgree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		done := make(chan string, 1)
		s := newSite(t, env, Options{JobDone: func(job string, _ time.Duration) { done <- job }})
		f := s.f
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		a := s.post(op, fmt.Sprintf("/operateur/programmes/%d/lots", f.Programme.ID), url.Values{"issue_carnets": {"1"}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("issue: %d\n%.400s", a.status, a.text())
		}
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the issuing job did not end")
		}
		first := f.Batch.LastCarnet + 1
		job := s.get(op, a.header.Get("Location"))
		for _, w := range []string{"Émission de 1 carnet — " + f.Programme.Name, fmt.Sprintf("Lot n°%d émis : 1 carnet (n°%d), 5 pass.", f.Batch.ID+1, first)} {
			if !strings.Contains(job.text(), w) {
				t.Errorf("the job's page does not say %q\n%s", w, job.text())
			}
		}
		// The budget holds 40 carnets: 21 are issued, 19 fit, the 20th
		// is refused on its own.
		if _, err := env.Store.Issue(storetest.As(f.Operator), passnum.IssueRequest{ProgrammeID: f.Programme.ID, Carnets: 19}); err != nil {
			t.Fatal(err)
		}
		_, err := env.Store.Issue(storetest.As(f.Operator), passnum.IssueRequest{ProgrammeID: f.Programme.ID, Carnets: 1})
		want := "Émission refusée : 1 carnet (50,00 €) dépasserait le budget financé de 2 000,00 €. Déjà émis : 2 000,00 € ; il reste de quoi émettre 0 carnet."
		if got := strings.Join(strings.Fields(passnum.ErrorMessage(err)), " "); got != want {
			t.Errorf("refusal:\n got %q\nwant %q", got, want)
		}
	})
}
