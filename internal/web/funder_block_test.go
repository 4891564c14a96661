package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestFunderBlockStock walks the funder's block of its programme's stock:
// the page says the state, blocking and unblocking are two forms, and each
// goes through a confirmation that says how many passes will change and
// changes nothing until it is confirmed.
func TestFunderBlockStock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		funder := s.as(passnum.KindFunder, passnum.RoleAdmin)
		page := fmt.Sprintf("/financeur/programmes/%d", f.Programme.ID)
		action := page + "/blocage"
		stats, err := env.Store.ProgrammeStats(storetest.As(f.Operator), f.Programme.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Every carnet is activated, 6 of 20 handed out: the others are
		// the stock.
		stock := stats.Funnel.Issued - stats.Funnel.Distributed
		if stock <= 0 || stats.StockBlockable != stock || stats.StockBlocked != 0 {
			t.Fatalf("fixture stock: %d blockable, %d blocked, want %d and 0", stats.StockBlockable, stats.StockBlocked, stock)
		}
		n := passnum.FrenchNumber(stock)
		steps := []struct {
			name    string
			form    url.Values // nil: GET the page
			status  int
			want    []string // in the text read
			wantNot []string
			body    []string // in the HTML
			flash   string
			blocked int64 // passes blocked by the stock after the step
		}{
			{name: "state before", status: http.StatusOK,
				want:    []string{"État du stock non bloqué", "Pass non remis, utilisables " + n, "Pass non remis, bloqués 0", "rien à débloquer"},
				wantNot: []string{"Motif du déblocage"},
				body:    []string{`name="action" value="block"`, `<label for="block_reason">`, `>Bloquer le stock</button>`}},
			{name: "no action", form: url.Values{"block_reason": {"fin"}}, status: http.StatusBadRequest,
				want: []string{"Choisissez de bloquer ou de débloquer le stock"}},
			{name: "block without motive", form: url.Values{"action": {"block"}}, status: http.StatusBadRequest,
				want: []string{"Le motif est obligatoire"}, body: []string{`id="block_reason-error"`, `href="#block_reason"`}},
			{name: "block asks to confirm", form: url.Values{"action": {"block"}, "block_reason": {"fin de la distribution"}}, status: http.StatusOK,
				want: []string{"Confirmer le blocage", "Vous allez bloquer " + n + " pass non remis", "Motif fin de la distribution", "Bloquer les " + n + " pass", "Ne rien changer"},
				body: []string{`name="confirm" value="1"`, `name="csrf"`, `name="block_reason" value="fin de la distribution"`}},
			{name: "block confirmed", form: url.Values{"action": {"block"}, "block_reason": {"fin de la distribution"}, "confirm": {"1"}}, status: http.StatusSeeOther,
				flash: n + " pass bloqués (motif : fin de la distribution).", blocked: stock},
			{name: "state blocked", status: http.StatusOK, blocked: stock,
				want:    []string{"État du stock bloqué", "Pass non remis, utilisables 0", "Pass non remis, bloqués " + n, "Aucun pass non remis à bloquer"},
				wantNot: []string{"Motif du blocage"},
				body:    []string{`name="action" value="unblock"`, `<label for="unblock_reason">`, `>Débloquer le stock</button>`}},
			{name: "unblock asks to confirm", form: url.Values{"action": {"unblock"}, "unblock_reason": {"reprise"}}, status: http.StatusOK, blocked: stock,
				want: []string{"Confirmer le déblocage", "Vous allez débloquer " + n + " pass non remis", "Débloquer les " + n + " pass"}},
			{name: "unblock confirmed", form: url.Values{"action": {"unblock"}, "unblock_reason": {"reprise"}, "confirm": {"1"}}, status: http.StatusSeeOther,
				flash: n + " pass débloqués (motif : reprise)."},
			{name: "nothing left to unblock", form: url.Values{"action": {"unblock"}, "unblock_reason": {"reprise"}, "confirm": {"1"}}, status: http.StatusConflict,
				want: []string{"rien à débloquer"}},
		}
		for _, st := range steps {
			var a answer
			if st.form == nil {
				a = s.get(funder, page)
			} else {
				a = s.post(funder, action, st.form)
			}
			if a.status != st.status {
				t.Fatalf("%s: status %d, want %d\n%.800s", st.name, a.status, st.status, a.text())
			}
			for _, w := range st.want {
				if !strings.Contains(a.text(), w) {
					t.Errorf("%s: no %q in\n%s", st.name, w, a.text())
				}
			}
			for _, w := range st.wantNot {
				if strings.Contains(a.text(), w) {
					t.Errorf("%s: %q should not be there", st.name, w)
				}
			}
			for _, w := range st.body {
				if !strings.Contains(a.body, w) {
					t.Errorf("%s: no %s in the page", st.name, w)
				}
			}
			if got := a.flash(); got != st.flash {
				t.Errorf("%s: message %q, want %q", st.name, got, st.flash)
			}
			got, err := env.Store.ProgrammeStats(storetest.As(f.Operator), f.Programme.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.StockBlocked != st.blocked || got.StockBlockable != stock-st.blocked {
				t.Errorf("%s: %d blocked and %d blockable, want %d and %d", st.name, got.StockBlocked, got.StockBlockable, st.blocked, stock-st.blocked)
			}
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}
