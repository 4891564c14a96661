package sqlstore_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// parisDay is a day in Paris at 9:00 UTC (10:00 or 11:00 there).
func parisDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, time.UTC) }

func TestExpiryReminders(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		// 20 carnets of 5: 10 allocated to the CCAS, 6 of them handed out;
		// the programme's passes are valid until 31 December 2027.
		f := openNotify(t, env, st.Options{})
		s, op := env.Store, st.As(f.Operator)
		memberOf(t, env, f, f.Prescriber, passnum.RoleAdmin, "direction@ccas-rennes.example")
		memberOf(t, env, f, f.Prescriber, passnum.RoleAgent, "accueil@ccas-rennes.example") // agents are not told
		memberOf(t, env, f, f.Other, passnum.RoleAdmin, "accueil@fougeres.example")         // no stock: not told
		memberOf(t, env, f, f.State, passnum.RoleAdmin, "finances@anct.example")
		memberOf(t, env, f, f.Dept, passnum.RoleAdmin, "budget@ille-et-vilaine.example")
		redeemAt(t, env, f, f.Venue, f.Service.ID, f.Serials(0)[:2]...)

		_, err := s.SendReminders(st.As(st.Actor(f.Prescriber, passnum.RoleAdmin)))
		wantCode(t, err, passnum.EFORBIDDEN, "a prescriber runs the reminders")

		// 31 days before the last day: too early.
		env.Clock.Set(parisDay(2027, 11, 30))
		if run, err := s.SendReminders(op); err != nil || run.Total() != 0 {
			t.Fatalf("31 days before: %+v %v", run, err)
		}
		// 30 days before: each holder once, however many servers run it at
		// once (goroutines on one store: as many connections on
		// PostgreSQL).
		env.Clock.Set(parisDay(2027, 12, 1))
		var wg sync.WaitGroup
		runs := make(chan *passnum.ReminderRun, 6)
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run, err := s.SendReminders(op)
				if err != nil {
					t.Error(err)
					return
				}
				runs <- run
			}()
		}
		wg.Wait()
		close(runs)
		total := 0
		for r := range runs {
			total += r.StockExpiring
		}
		if total != 3 {
			t.Errorf("%d reminders queued by the concurrent runs, want 3 (the CCAS, the State, the département)", total)
		}
		keys, err := sqlstore.QueryStrings(s, `SELECT kind || ' ' || about || ' ' || due_on FROM mail_reminders ORDER BY about`)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			fmt.Sprintf("stock.expiring org:%d programme:%d 2027-12-31", f.State.ID, f.Programme.ID),
			fmt.Sprintf("stock.expiring org:%d programme:%d 2027-12-31", f.Dept.ID, f.Programme.ID),
			fmt.Sprintf("stock.expiring org:%d programme:%d 2027-12-31", f.Prescriber.ID, f.Programme.ID),
		}
		if fmt.Sprint(keys) != fmt.Sprint(want) {
			t.Errorf("keys %q, want %q", keys, want)
		}
		got := mails(t, env, f, passnum.MailStockExpiring)
		byTo := map[string]*passnum.OutboxMessage{}
		for _, m := range got {
			if byTo[m.To] != nil {
				t.Errorf("%s reminded twice", m.To)
			}
			byTo[m.To] = m
		}
		if len(got) != 3 {
			t.Fatalf("%d reminders in the outbox, want 3", len(got))
		}
		tests := []struct {
			to, subject string
			words       []string
		}{
			{"direction@ccas-rennes.example", "Vos pass du programme « Pass numérique Bretagne 2027 » expirent le 31 décembre 2027", []string{
				"ne sont plus valables après le 31 décembre 2027",
				"Votre stock compte encore 4 carnets non remis (20 pass)",
				"28 pass remis par votre structure ne sont pas encore utilisés",
				publicURL + "/prescripteur\n"}},
			{"finances@anct.example", "Des pass du programme « Pass numérique Bretagne 2027 » expirent le 31 décembre 2027", []string{
				"98 pass ne sont pas encore utilisés, soit 980,00" + nbsp + "€ en valeur faciale",
				"70 pass pas encore remis", "28 pass remis, pas encore utilisés", "la tolérance de 31 jours",
				fmt.Sprintf("%s/financeur/programmes/%d\n", publicURL, f.Programme.ID)}},
			{"budget@ille-et-vilaine.example", "Des pass du programme « Pass numérique Bretagne 2027 » expirent le 31 décembre 2027", []string{
				"98 pass ne sont pas encore utilisés"}},
		}
		for _, tc := range tests {
			m := byTo[tc.to]
			if m == nil {
				t.Errorf("%s not reminded", tc.to)
				continue
			}
			wantMail{kind: passnum.MailStockExpiring, to: []string{tc.to}, subject: tc.subject, words: tc.words}.checkOne(t, m)
		}

		// A restart, the next day, the last day: nothing twice.
		for _, day := range []time.Time{parisDay(2027, 12, 1), parisDay(2027, 12, 2), parisDay(2027, 12, 31)} {
			env.Clock.Set(day)
			if run, err := s.SendReminders(op); err != nil || run.Total() != 0 {
				t.Errorf("%s: %+v %v", day, run, err)
			}
		}
		if n := len(mails(t, env, f, passnum.MailStockExpiring)); n != 3 {
			t.Errorf("%d reminders after the reruns, want 3", n)
		}
		// Past the last day: nothing.
		env.Clock.Set(parisDay(2028, 1, 1))
		if run, err := s.SendReminders(op); err != nil || run.Total() != 0 {
			t.Errorf("after the last day: %+v %v", run, err)
		}
	})
}

// checkOne checks one message against w.
func (w wantMail) checkOne(t *testing.T, m *passnum.OutboxMessage) {
	t.Helper()
	if m.Kind != w.kind || m.To != w.to[0] || m.Subject != w.subject {
		t.Errorf("%s → %s %q, want %s → %s %q", m.Kind, m.To, m.Subject, w.kind, w.to[0], w.subject)
	}
	for _, word := range w.words {
		if !strings.Contains(m.Body, word) {
			t.Errorf("%s: the body lacks %q:\n%s", m.Subject, word, m.Body)
		}
	}
}

func TestRightsDueReminders(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := openNotify(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		operatorAdmin(t, env, f.Operator)
		// Received 15 March, due 15 April; another answered at once.
		due, err := s.RecordRightsRequest(op, passnum.RightsRequestCreate{Ref: "B-0000-0001", Kind: passnum.RightAccess, Channel: passnum.ChannelEmail})
		if err != nil {
			t.Fatal(err)
		}
		answered, err := s.RecordRightsRequest(op, passnum.RightsRequestCreate{Ref: "B-0000-0002", Kind: passnum.RightErasure, Channel: passnum.ChannelPost})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AnswerRightsRequest(op, passnum.RightsRequestAnswer{ID: answered.ID, Answer: "Fiche effacée le jour même."}); err != nil {
			t.Fatal(err)
		}
		received := len(mails(t, env, f, passnum.MailRightsRequest))

		tests := []struct {
			name    string
			day     time.Time
			reminds int
			subject string
			words   []string
		}{
			{"8 days before", parisDay(2027, 4, 7), 0, "", nil},
			{"7 days before", parisDay(2027, 4, 8), 1, fmt.Sprintf("Demande RGPD n° %d à répondre avant le 15 avril 2027", due.ID), []string{
				fmt.Sprintf("La demande d'exercice de droits n° %d (droit : accès (article 15), reçue le 15 mars 2027, courriel) attend toujours sa réponse : elle est due le 15 avril 2027.", due.ID),
				"peut encore être prolongé de deux mois", fmt.Sprintf("%s/operateur/demandes-rgpd/%d\n", publicURL, due.ID)}},
			{"the next day, or a restart", parisDay(2027, 4, 9), 0, "", nil},
			{"overdue, already reminded", parisDay(2027, 4, 20), 0, "", nil},
		}
		for _, tc := range tests {
			env.Clock.Set(tc.day)
			skip := len(mails(t, env, f, passnum.MailRightsRequest))
			run, err := s.SendReminders(op)
			if err != nil || run.RightsDue != tc.reminds {
				t.Fatalf("%s: %+v %v", tc.name, run, err)
			}
			got := mails(t, env, f, passnum.MailRightsRequest)[skip:]
			if len(got) != tc.reminds {
				t.Fatalf("%s: %d messages, want %d", tc.name, len(got), tc.reminds)
			}
			if tc.reminds > 0 {
				wantMail{kind: passnum.MailRightsRequest, to: []string{"qualification@operateur.example"}, subject: tc.subject, words: tc.words}.checkOne(t, got[0])
			}
		}
		if n := len(mails(t, env, f, passnum.MailRightsRequest)); n != received+1 {
			t.Errorf("%d messages about requests, want %d", n, received+1)
		}
	})
}

// TestRightsDueReminderExtended: a request extended gets a new due date,
// and a reminder of it.
func TestRightsDueReminderExtended(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := openNotify(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		operatorAdmin(t, env, f.Operator)
		r, err := s.RecordRightsRequest(op, passnum.RightsRequestCreate{Ref: "B-0000-0001", Kind: passnum.RightPortability, Channel: passnum.ChannelPost})
		if err != nil {
			t.Fatal(err)
		}
		env.Clock.Set(parisDay(2027, 4, 10))
		if run, err := s.SendReminders(op); err != nil || run.RightsDue != 1 {
			t.Fatalf("first reminder %+v %v", run, err)
		}
		if _, err := s.ExtendRightsRequest(op, passnum.RightsRequestExtension{ID: r.ID, Reason: "Demande portant sur trois années d'ateliers."}); err != nil {
			t.Fatal(err)
		}
		env.Clock.Set(parisDay(2027, 6, 10))
		run, err := s.SendReminders(op)
		if err != nil || run.RightsDue != 1 {
			t.Fatalf("reminder of the new date %+v %v", run, err)
		}
		got := mails(t, env, f, passnum.MailRightsRequest)
		last := got[len(got)-1]
		wantMail{kind: passnum.MailRightsRequest, to: []string{"qualification@operateur.example"},
			subject: fmt.Sprintf("Demande RGPD n° %d à répondre avant le 15 juin 2027", r.ID),
			words:   []string{"Le délai a déjà été prolongé : il ne peut plus l'être."}}.checkOne(t, last)
	})
}
