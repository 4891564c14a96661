package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestHandOutFormRequired: the hand-out form says which answers it needs,
// and marks the questions of a first carnet so the page's script can hide
// them for a person who already received one.
func TestHandOutFormRequired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		a := s.get(s.as(passnum.KindPrescriber, passnum.RoleAgent), "/prescripteur/remettre")
		if a.status != http.StatusOK {
			t.Fatalf("form: %d", a.status)
		}
		for _, want := range []string{"Numéro du carnet (obligatoire)", "Référence de la personne (si elle a déjà reçu un carnet) (obligatoire)",
			"Son âge (obligatoire)", "Commune où elle habite (obligatoire)", "Son accord (premier carnet) (obligatoire)"} {
			if !strings.Contains(a.text(), want) {
				t.Errorf("the form does not say %q:\n%s", want, a.text())
			}
		}
		for _, id := range []string{"carnet", "ref", "commune", "consent"} {
			if !inputRE(id).MatchString(a.body) || !strings.Contains(inputRE(id).FindString(a.body), " required") {
				t.Errorf("input %s is not marked required: %s", id, inputRE(id).FindString(a.body))
			}
		}
		for _, id := range []string{"birth_year", "needs-0", "autonomy-faible"} {
			if strings.Contains(inputRE(id).FindString(a.body), " required") {
				t.Errorf("input %s is marked required: %s", id, inputRE(id).FindString(a.body))
			}
		}
		if n := strings.Count(a.body, "data-first-carnet"); n != 3 {
			t.Errorf("%d blocks for a first carnet only, want 3", n)
		}
		if !strings.Contains(a.body, "data-repeat") || !strings.Contains(a.body, `src="/static/handout.js"`) {
			t.Error("no block for a repeat, or no script to show the questions that apply")
		}
		if js := s.get(nil, "/static/handout.js"); js.status != http.StatusOK {
			t.Errorf("handout.js: %d", js.status)
		}
	})
}

// TestHandOutFormKeepsWhatWasTyped: a form sent back to be corrected shows
// every answer again, text, select, radios and checkboxes, so that nothing
// is typed twice in front of the person.
func TestHandOutFormKeepsWhatWasTyped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		p := s.as(passnum.KindPrescriber, passnum.RoleAgent)
		carnet := fmt.Sprint(s.f.Batch.FirstCarnet + 7)
		for _, c := range []struct {
			name    string
			form    url.Values
			error   string
			values  map[string]string // input id → value shown
			checked []string          // input ids checked
			option  string            // selected age band
		}{
			{"bad birth year", url.Values{"carnet": {carnet}, "person": {"new"}, "birth_year": {"19x8"}, "commune": {"Rennes"},
				"needs": {"Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"}, "autonomy": {"moyenne"}, "consent": {"1"}},
				"4 chiffres", map[string]string{"carnet": carnet, "birth_year": "19x8", "commune": "Rennes"},
				[]string{"person-new", "autonomy-moyenne", "consent"}, ""},
			{"no consent", url.Values{"carnet": {carnet}, "person": {"new"}, "age_band": {"60-74"}, "commune": {"Rennes"},
				"needs": {"Aide aux démarches administratives"}, "autonomy": {"aucune"}},
				"doit accepter", map[string]string{"carnet": carnet, "commune": "Rennes"},
				[]string{"person-new", "autonomy-aucune"}, "60-74"},
			{"bad carnet, known person", url.Values{"carnet": {"n°abc"}, "person": {"known"}, "ref": {"B-7K3M-QX9D"}},
				"numéro du carnet", map[string]string{"carnet": "n°abc", "ref": "B-7K3M-QX9D"},
				[]string{"person-known"}, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				a := s.post(p, "/prescripteur/remettre", c.form)
				if a.status != http.StatusBadRequest || !strings.Contains(a.text(), c.error) {
					t.Fatalf("%d, want 400 saying %q:\n%.600s", a.status, c.error, a.text())
				}
				for id, want := range c.values {
					input := inputRE(id).FindString(a.body)
					if got := regexp.MustCompile(`value="([^"]*)"`).FindStringSubmatch(input); got == nil || !strings.HasPrefix(got[1], want) {
						t.Errorf("%s does not show %q again: %s", id, want, input)
					}
				}
				for _, id := range c.checked {
					if input := inputRE(id).FindString(a.body); !strings.Contains(input, " checked") {
						t.Errorf("%s is not checked again: %s", id, input)
					}
				}
				for i, n := range passnum.Needs {
					input := inputRE(fmt.Sprintf("needs-%d", i)).FindString(a.body)
					if want := contains(c.form["needs"], n); strings.Contains(input, " checked") != want {
						t.Errorf("need %q checked: %v, want %v", n, !want, want)
					}
				}
				selected := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(a.body)
				if (selected == nil && c.option != "") || (selected != nil && selected[1] != c.option) {
					t.Errorf("age band selected: %v, want %q", selected, c.option)
				}
			})
		}
		if _, n, _ := env.Store.ListCarnets(storetest.As(s.f.Operator), passnum.CarnetFilter{Distributed: ptr(true)}); n != 6 {
			t.Fatalf("a refused form handed out a carnet: %d distributed", n)
		}
	})
}

// inputRE finds the input element of id.
func inputRE(id string) *regexp.Regexp {
	return regexp.MustCompile(`<input id="` + regexp.QuoteMeta(id) + `"[^>]*>|<input type="[a-z]+" id="` + regexp.QuoteMeta(id) + `"[^>]*>`)
}
