package web

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestUnsubscribeLink: the one-click link of a message that can be turned
// off shows what it turns off without changing anything on GET, turns it
// off on the page's button or on a mail program's POST without session
// nor CSRF token, and an unknown link says so. The store's side runs on
// both engines in internal/sqlstore; here, SQLite, whose file the test
// opens to give a message a kind no store method queues yet.
func TestUnsubscribeLink(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passnum.db")
	env := storetest.OpenSQLiteAt(t, path)
	s := newSite(t, env, Options{BaseURL: "http://pass.example.fr", MailSending: true})
	venueAdmin := s.as(passnum.KindVenue, passnum.RoleAdmin)
	token := optionalMessage(t, s, path, venueAdmin.email)
	link := "/desabonnement/" + token

	page := s.get(nil, link)
	says(t, "the link's page", page.text(), []string{"Ne plus recevoir les messages « Relevé validé, puis payé » à l'adresse " + venueAdmin.email, "Me désabonner de ces messages"}, nil)
	if page.status != http.StatusOK {
		t.Fatalf("GET %s: %d", link, page.status)
	}
	if u, err := env.Store.FindUnsubscribe(context.Background(), token); err != nil || u.Done {
		t.Fatalf("a GET turned the messages off: %+v, %v", u, err)
	}
	// A mail program's one-click POST (RFC 8058): no cookie, no token.
	done := s.send(nil, "POST", link, "List-Unsubscribe=One-Click", true, nil)
	if done.status != http.StatusOK {
		t.Fatalf("one-click POST: %d\n%.400s", done.status, done.text())
	}
	says(t, "after the POST", done.text(), []string{"Désabonnement enregistré", "ne recevra plus les messages « Relevé validé, puis payé »"}, nil)
	if u, err := env.Store.FindUnsubscribe(context.Background(), token); err != nil || !u.Done {
		t.Fatalf("after the one-click POST: %+v, %v", u, err)
	}
	says(t, "the link again", s.get(anonymous, link).text(), []string{"ne reçoit déjà plus les messages « Relevé validé, puis payé »"}, []string{"Me désabonner"})
	// The page's button, as a person clicks it, again: nothing changes.
	if a := s.post(anonymous, link, nil); a.status != http.StatusOK {
		t.Errorf("the page's button: %d", a.status)
	}
	for _, bad := range []string{"inconnu", token + "x"} {
		a := s.get(anonymous, "/desabonnement/"+bad)
		if a.status != http.StatusNotFound || !strings.Contains(a.text(), "inconnu ou a expiré") {
			t.Errorf("unknown link %q: %d\n%.300s", bad, a.status, a.text())
		}
		if a := s.send(nil, "POST", "/desabonnement/"+bad, "List-Unsubscribe=One-Click", true, nil); a.status != http.StatusNotFound {
			t.Errorf("one-click POST of unknown link %q: %d", bad, a.status)
		}
	}
}

// TestOutboxRetry: the outbox page shows the delivery, and an operator
// admin sends a failed message again.
func TestOutboxRetry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passnum.db")
	env := storetest.OpenSQLiteAt(t, path)
	s := newSite(t, env, Options{BaseURL: "http://pass.example.fr", MailSending: true})
	if err := env.Store.RequestPasswordReset(context.Background(), s.as(passnum.KindVenue, passnum.RoleAgent).email, "https://pass.example.fr/mot-de-passe/nouveau?jeton="); err != nil {
		t.Fatal(err)
	}
	claimed, err := env.Store.ClaimMail(context.Background(), "test-sender", 10, time.Minute)
	if err != nil || len(claimed) == 0 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	var id int64
	for _, m := range claimed {
		o := passnum.MailOutcome{State: passnum.MailSent, Answer: "250 2.0.0 Ok: queued"}
		if m.Kind == passnum.MailPasswordReset {
			id, o = m.ID, passnum.MailOutcome{State: passnum.MailFailed, Answer: `RCPT TO command: 550 "5.1.1 No such user here"`}
		}
		if err := env.Store.RecordMailOutcome(context.Background(), m.ID, "test-sender", o); err != nil {
			t.Fatal(err)
		}
	}
	admin, agent := s.as(passnum.KindOperator, passnum.RoleAdmin), s.as(passnum.KindOperator, passnum.RoleAgent)
	says(t, "the outbox", s.get(admin, "/operateur/courriels").text(),
		[]string{"Courriels", "échec", `550 "5.1.1 No such user here"`, fmt.Sprintf("Renvoyer le message n°%d", id), "partent d'eux-mêmes"}, []string{"n'est pas configuré"})
	retry := fmt.Sprintf("/operateur/courriels/%d/renvoi", id)
	if a := s.post(agent, retry, nil); a.status != http.StatusForbidden {
		t.Errorf("retry by an agent: %d", a.status)
	}
	a := s.post(admin, retry, nil)
	if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "de nouveau en file") {
		t.Fatalf("retry: %d, flash %q", a.status, a.flash())
	}
	if a := s.post(admin, retry, nil); a.status != http.StatusConflict || !strings.Contains(a.text(), "seul un message en échec peut être renvoyé") {
		t.Errorf("retry of a pending message: %d\n%.300s", a.status, a.text())
	}
	says(t, "the outbox after the retry", s.get(admin, "/operateur/courriels").text(), []string{"en attente"}, nil)
}

// optionalMessage queues a message of a kind the account can turn off
// (a statement paid) for email, claims it as a sender does, and returns
// the secret of its unsubscribe link.
func optionalMessage(t *testing.T, s *site, path, email string) string {
	t.Helper()
	if err := s.env.Store.RequestPasswordReset(context.Background(), email, "https://pass.example.fr/mot-de-passe/nouveau?jeton="); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE outbox SET kind = ? WHERE recipient = ?`, passnum.MailStatementPaid, email); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.env.Store.ClaimMail(context.Background(), "test-sender", 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range claimed {
		if m.To == email && m.UnsubscribeToken != "" {
			return m.UnsubscribeToken
		}
	}
	t.Fatalf("no unsubscribe link among %d claimed messages", len(claimed))
	return ""
}
