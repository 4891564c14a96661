package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestJobsOnAnotherServer: a job started from server A's pages is shown,
// with its outcome, by server B (another store on the same database); a
// job whose server fell silent is shown failed, and no longer listed on
// its programme's page.
func TestJobsOnAnotherServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		done := make(chan string, 1)
		a := newSite(t, env, Options{JobDone: func(job string, _ time.Duration) { done <- job }})
		b := a.anotherOn(storetest.Reopen(t, env).Store, Options{})
		op := a.as(passnum.KindOperator, passnum.RoleAdmin)
		programme := fmt.Sprintf("/operateur/programmes/%d", a.f.Programme.ID)
		resp := a.post(op, programme+"/lots", url.Values{"issue_carnets": {"2"}})
		if resp.status != http.StatusSeeOther {
			t.Fatalf("issue: %d", resp.status)
		}
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the job did not end")
		}
		job := resp.header.Get("Location")
		for _, tc := range []struct {
			path string
			want []string
		}{
			{job + "/etat", []string{`"finished":true`, `"percent":100`, "Lot n°2 émis : 2 carnets (n°21 à n°22), 10 pass.", `"next":"` + programme + `#lots"`}},
			{job, []string{"Émission de 2 carnets — Pass numérique Bretagne 2027", "Lot n°2 émis", "Revenir au programme"}},
		} {
			got := b.get(op, tc.path)
			for _, w := range tc.want {
				if got.status != http.StatusOK || !strings.Contains(got.body, w) {
					t.Errorf("server B's %s: %d, want %q\n%.600s", tc.path, got.status, w, got.body)
				}
			}
		}

		// A job whose server stopped: still running on the record, then
		// failed once its lease ran out, by the server that shows it.
		silent, err := env.Store.StartJob(storetest.As(a.f.Operator), passnum.JobStart{Kind: passnum.JobIssue, Label: "Émission de 3 carnets — Pass numérique Bretagne 2027",
			ProgrammeID: a.f.Programme.ID, BackTo: programme + "#lots", Server: "serveur arrêté"})
		if err != nil {
			t.Fatal(err)
		}
		if page := b.get(op, programme); !strings.Contains(page.text(), "Émission de 3 carnets — Pass numérique Bretagne 2027 : en cours") {
			t.Errorf("the programme's page does not list the running job:\n%s", page.text())
		}
		env.Clock.Advance(passnum.JobLease + time.Second)
		page := b.get(op, fmt.Sprintf("/operateur/travaux/%d", silent.ID))
		if !strings.Contains(page.text(), "L'émission a échoué : le serveur qui la menait ne donne plus de nouvelles") {
			t.Errorf("the silent server's job:\n%s", page.text())
		}
		if page := b.get(op, programme); strings.Contains(page.text(), "en cours") {
			t.Errorf("the programme's page still lists the failed job:\n%s", page.text())
		}
	})
}
