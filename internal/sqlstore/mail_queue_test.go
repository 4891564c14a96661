package sqlstore_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	passmail "github.com/passnum/passnum/internal/mail"
	"github.com/passnum/passnum/internal/mail/mailtest"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// mailEnv is a store, an SMTP server and a sender between them.
type mailEnv struct {
	env    *st.Env
	srv    *mailtest.Server
	sender *passmail.Sender
	op     *passnum.Actor
	user   *passnum.User // an administrator of a venue, who can turn messages off
}

func newMailEnv(t *testing.T, env *st.Env, srv *mailtest.Server) *mailEnv {
	t.Helper()
	op, err := env.Store.SystemActor(context.Background(), "test:operator")
	if err != nil {
		t.Fatal(err)
	}
	// Subtests share the store: the account of the first is reused.
	if user, err := env.Store.FindUserByEmail(st.As(op), "lea.martin@exemple.fr"); err == nil {
		if err := sqlstore.ExecRaw(env.Store, `DELETE FROM outbox`); err != nil {
			t.Fatal(err)
		}
		return &mailEnv{env: env, srv: srv, sender: newSender(t, env, srv), op: op, user: user}
	}
	venue, err := env.Store.CreateOrganisation(st.As(op), passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "La Quincaillerie numérique",
		SIRET: "78282932000079", CommuneINSEE: "35238", Qualification: passnum.QualificationQualified})
	if err != nil {
		t.Fatal(err)
	}
	user, err := env.Store.CreateUser(st.As(op), passnum.UserCreate{Email: "lea.martin@exemple.fr", Name: "Léa Martin",
		Password: "correct horse battery staple", OrgID: venue.ID, Role: passnum.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	// What creating the account queued is not this test's.
	if err := sqlstore.ExecRaw(env.Store, `DELETE FROM outbox`); err != nil {
		t.Fatal(err)
	}
	return &mailEnv{env: env, srv: srv, sender: newSender(t, env, srv), op: op, user: user}
}

func newSender(t *testing.T, env *st.Env, srv *mailtest.Server) *passmail.Sender {
	t.Helper()
	c, err := passmail.NewClient(passmail.Settings{Host: srv.Host, Port: srv.Port, User: mailtest.User, Password: mailtest.Password,
		From: "ne-pas-repondre@pass.example.fr", Timeout: 5 * time.Second, BaseURL: "https://pass.example.fr", RootCAs: srv.Pool})
	if err != nil {
		t.Fatal(err)
	}
	return passmail.NewSender(env.Store, c, slog.New(slog.NewTextHandler(io.Discard, nil)), env.Clock.Now)
}

func (m *mailEnv) queue(t *testing.T, kind passnum.MailKind, userID int64, subject string) {
	t.Helper()
	if err := sqlstore.QueueMail(m.env.Store, kind, userID, "lea.martin@exemple.fr", subject, "Bonjour,\n\nUn message de test.\nhttps://pass.example.fr/connexion"); err != nil {
		t.Fatalf("queue %s: %v", subject, err)
	}
}

// run delivers what is due and returns how many messages were claimed.
func (m *mailEnv) run(t *testing.T) int {
	t.Helper()
	n, err := m.sender.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("sender: %v", err)
	}
	return n
}

// outbox returns the outbox's messages by subject.
func (m *mailEnv) outbox(t *testing.T) map[string]*passnum.OutboxMessage {
	t.Helper()
	msgs, _, err := m.env.Store.ListOutbox(st.As(m.op), passnum.OutboxFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*passnum.OutboxMessage{}
	for _, msg := range msgs {
		out[msg.Subject] = msg
	}
	return out
}

func header(t *testing.T, r mailtest.Received) mail.Header {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(r.Data)))
	if err != nil {
		t.Fatal(err)
	}
	return msg.Header
}

var unsubscribeLink = regexp.MustCompile(`^<https://pass\.example\.fr/desabonnement/([A-Za-z0-9_-]+)>$`)

// TestMailQueueDelivers: the sender delivers every due message once,
// records the server's answer, and the one-click link of a kind that can
// be turned off turns it off for the account.
func TestMailQueueDelivers(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		m := newMailEnv(t, env, mailtest.Start(t))
		m.queue(t, passnum.MailPasswordReset, m.user.ID, "Réinitialisation")
		m.queue(t, passnum.MailStatementPaid, m.user.ID, "Relevé payé")
		m.queue(t, passnum.MailVenueApplication, 0, "Candidature reçue")
		if n := m.run(t); n != 3 {
			t.Fatalf("claimed %d messages, want 3", n)
		}
		if n := m.run(t); n != 0 {
			t.Errorf("claimed %d messages again, want none", n)
		}
		for subject, msg := range m.outbox(t) {
			if msg.State != passnum.MailSent || msg.Attempts != 1 || msg.SentAt == nil || !msg.SentAt.Equal(st.Start) || msg.LastError == "" || msg.NextAttemptAt != nil {
				t.Errorf("%s: %+v, want sent at the first attempt with the server's answer", subject, msg)
			}
		}
		got := m.srv.Received()
		if len(got) != 3 {
			t.Fatalf("the server received %d messages, want 3", len(got))
		}
		var token string
		for _, r := range got {
			h := header(t, r)
			unsub := h.Get("List-Unsubscribe")
			switch subject, _ := new(mimeDecoder).decode(h.Get("Subject")); subject {
			case "Relevé payé":
				match := unsubscribeLink.FindStringSubmatch(unsub)
				if match == nil || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
					t.Fatalf("List-Unsubscribe %q, Post %q", unsub, h.Get("List-Unsubscribe-Post"))
				}
				token = match[1]
			default:
				if unsub != "" {
					t.Errorf("%s: List-Unsubscribe %q on a message that cannot be turned off", subject, unsub)
				}
			}
		}
		found, err := env.Store.FindUnsubscribe(context.Background(), token)
		if err != nil || found.Kind != passnum.MailStatementPaid || found.Email != "lea.martin@exemple.fr" || found.Done {
			t.Fatalf("find unsubscribe: %+v, %v", found, err)
		}
		for i := range 2 { // twice: the second changes nothing
			done, err := env.Store.Unsubscribe(context.Background(), token)
			if err != nil || !done.Done {
				t.Fatalf("unsubscribe %d: %+v, %v", i, done, err)
			}
		}
		n, err := sqlstore.QueryStrings(env.Store, `SELECT kind FROM mail_opt_outs WHERE user_id = ?`, m.user.ID)
		if err != nil || len(n) != 1 || n[0] != string(passnum.MailStatementPaid) {
			t.Errorf("opt-outs %v, %v", n, err)
		}
		// Turned off: the next statement is not queued; a reset still is.
		m.queue(t, passnum.MailStatementPaid, m.user.ID, "Relevé payé, encore")
		m.queue(t, passnum.MailPasswordReset, m.user.ID, "Réinitialisation, encore")
		box := m.outbox(t)
		if box["Relevé payé, encore"] != nil || box["Réinitialisation, encore"] == nil {
			t.Errorf("after unsubscribing: %v", box)
		}
		for _, bad := range []string{"", "inconnu", token + "x"} {
			if _, err := env.Store.FindUnsubscribe(context.Background(), bad); passnum.ErrorReason(err) != passnum.ReasonUnsubscribeInvalid {
				t.Errorf("token %q: %v, want %s", bad, err, passnum.ReasonUnsubscribeInvalid)
			}
		}
	})
}

type mimeDecoder struct{}

func (mimeDecoder) decode(s string) (string, error) {
	return new(mime.WordDecoder).DecodeHeader(s)
}

// TestMailQueueRetries: a temporary failure is tried again after a
// backoff, a permanent one fails with the server's answer, a server down
// at start gets the message once it is up, and an operator admin sends a
// failed message again.
func TestMailQueueRetries(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		t.Run("451 then delivered", func(t *testing.T) {
			m := newMailEnv(t, env, mailtest.Start(t))
			m.srv.Answer(451, "Greylisted, try again later")
			m.queue(t, passnum.MailPasswordReset, m.user.ID, "Réinitialisation")
			m.run(t)
			msg := m.outbox(t)["Réinitialisation"]
			now := env.Clock.Now()
			if msg.State != passnum.MailPending || msg.Attempts != 1 || !strings.Contains(msg.LastError, "451") || msg.NextAttemptAt == nil ||
				msg.NextAttemptAt.Before(now.Add(48*time.Second)) || msg.NextAttemptAt.After(now.Add(72*time.Second)) {
				t.Fatalf("after a 451: %+v, want pending, tried again in a minute ±20 %%", msg)
			}
			if n := m.run(t); n != 0 {
				t.Errorf("claimed %d before the next attempt is due", n)
			}
			env.Clock.Advance(2 * time.Minute)
			m.run(t)
			if msg := m.outbox(t)["Réinitialisation"]; msg.State != passnum.MailSent || msg.Attempts != 2 || len(m.srv.Received()) != 1 {
				t.Errorf("after the retry: %+v, %d received", msg, len(m.srv.Received()))
			}
		})
		t.Run("550 failed, then sent again by an operator admin", func(t *testing.T) {
			m := newMailEnv(t, env, mailtest.Start(t))
			m.srv.RefuseRecipient(550, "No such user here")
			m.queue(t, passnum.MailPasswordReset, m.user.ID, "Réinitialisation")
			m.run(t)
			msg := m.outbox(t)["Réinitialisation"]
			if msg.State != passnum.MailFailed || msg.Attempts != 1 || !strings.Contains(msg.LastError, `550 "5.0.0 No such user here"`) {
				t.Fatalf("after a 550: %+v, want failed with the answer", msg)
			}
			for state, want := range map[passnum.MailState]int{passnum.MailFailed: 1, passnum.MailPending: 0, passnum.MailSent: 0} {
				if _, n, err := env.Store.ListOutbox(st.As(m.op), passnum.OutboxFilter{State: state}); err != nil || n != want {
					t.Errorf("messages %s: %d, %v; want %d", state, n, err, want)
				}
			}
			env.Clock.Advance(24 * time.Hour)
			if n := m.run(t); n != 0 {
				t.Errorf("a failed message was claimed again (%d)", n)
			}
			agent := *m.op
			agent.Role = passnum.RoleAgent
			if err := env.Store.RetryMail(st.As(&agent), msg.ID); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
				t.Errorf("retry by an agent: %v, want forbidden", err)
			}
			if err := env.Store.RetryMail(st.As(m.op), msg.ID); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if err := env.Store.RetryMail(st.As(m.op), msg.ID); passnum.ErrorReason(err) != passnum.ReasonMailNotFailed {
				t.Errorf("retry of a pending message: %v, want %s", err, passnum.ReasonMailNotFailed)
			}
			if err := env.Store.RetryMail(st.As(m.op), 999999); passnum.ErrorCode(err) != passnum.ENOTFOUND {
				t.Errorf("retry of no message: %v, want not found", err)
			}
			audit, err := sqlstore.QueryStrings(env.Store, `SELECT object FROM audit_log WHERE action = 'outbox.retry'`)
			if err != nil || len(audit) != 1 {
				t.Errorf("audit of the retry: %v, %v", audit, err)
			}
			m.run(t)
			if msg := m.outbox(t)["Réinitialisation"]; msg.State != passnum.MailSent || msg.Attempts != 1 {
				t.Errorf("after the operator's retry: %+v", msg)
			}
		})
		t.Run("server down at start", func(t *testing.T) {
			srv := mailtest.New(t)
			m := newMailEnv(t, env, srv)
			m.queue(t, passnum.MailPasswordReset, m.user.ID, "Réinitialisation")
			m.run(t)
			if msg := m.outbox(t)["Réinitialisation"]; msg.State != passnum.MailPending || !strings.Contains(msg.LastError, "connection refused") {
				t.Fatalf("server down: %+v", msg)
			}
			srv.Listen(t, 0)
			env.Clock.Advance(2 * time.Minute)
			m.run(t)
			if msg := m.outbox(t)["Réinitialisation"]; msg.State != passnum.MailSent || msg.Attempts != 2 || len(srv.Received()) != 1 {
				t.Errorf("server up: %+v, %d received", msg, len(srv.Received()))
			}
		})
		t.Run("given up after the last attempt", func(t *testing.T) {
			m := newMailEnv(t, env, mailtest.Start(t))
			m.queue(t, passnum.MailPasswordReset, m.user.ID, "Réinitialisation")
			start, last := env.Clock.Now(), env.Clock.Now()
			for i := 1; i <= passmail.MaxAttempts; i++ {
				m.srv.Answer(421, "Service not available")
				last = env.Clock.Now()
				if n := m.run(t); n != 1 {
					t.Fatalf("attempt %d: claimed %d", i, n)
				}
				env.Clock.Advance(passmail.Backoff(i) * 6 / 5)
			}
			msg := m.outbox(t)["Réinitialisation"]
			if elapsed := last.Sub(start); msg.State != passnum.MailFailed || msg.Attempts != passmail.MaxAttempts || elapsed < 40*time.Hour || elapsed > 60*time.Hour {
				t.Errorf("after %d attempts over %s: %+v, want failed after about two days", passmail.MaxAttempts, elapsed, msg)
			}
		})
		t.Run("stale message not sent", func(t *testing.T) {
			m := newMailEnv(t, env, mailtest.Start(t))
			m.queue(t, passnum.MailPasswordReset, m.user.ID, "Réinitialisation")
			env.Clock.Advance(72 * time.Hour) // no sender ran
			m.run(t)
			if msg := m.outbox(t)["Réinitialisation"]; msg.State != passnum.MailFailed || !strings.Contains(msg.LastError, "48 heures") || len(m.srv.Received()) != 0 {
				t.Errorf("stale: %+v, %d received", msg, len(m.srv.Received()))
			}
		})
	})
}

// TestMailQueueOnce: two senders on one database deliver each message
// exactly once, and a claim left by a sender that stopped is taken over
// when it expires.
func TestMailQueueOnce(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		t.Run("two senders", func(t *testing.T) {
			m := newMailEnv(t, env, mailtest.Start(t))
			const n = 30
			for i := range n {
				m.queue(t, passnum.MailPasswordReset, m.user.ID, "Message "+string(rune('A'+i)))
			}
			senders := []*passmail.Sender{m.sender, newSender(t, env, m.srv)}
			var wg sync.WaitGroup
			claimed := make([]int, len(senders))
			for i, s := range senders {
				s.Batch = 2
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						k, err := s.RunOnce(context.Background())
						if err != nil {
							t.Error(err)
							return
						}
						if k == 0 {
							return
						}
						claimed[i] += k
					}
				}()
			}
			wg.Wait()
			ids := map[string]int{}
			for _, r := range m.srv.Received() {
				ids[header(t, r).Get("Message-ID")]++
			}
			if len(ids) != n || claimed[0]+claimed[1] != n {
				t.Errorf("%d distinct messages received, %v claimed; want %d each once", len(ids), claimed, n)
			}
			for id, k := range ids {
				if k != 1 {
					t.Errorf("%s received %d times", id, k)
				}
			}
			t.Logf("claimed by each sender: %v", claimed)
		})
		t.Run("expired claim taken over", func(t *testing.T) {
			m := newMailEnv(t, env, mailtest.Start(t))
			m.queue(t, passnum.MailPasswordReset, m.user.ID, "Réinitialisation")
			gone, err := env.Store.ClaimMail(context.Background(), "stopped-server", 10, 5*time.Minute)
			if err != nil || len(gone) != 1 {
				t.Fatalf("claim: %v, %v", gone, err)
			}
			if n := m.run(t); n != 0 {
				t.Fatalf("a claimed message was claimed again (%d)", n)
			}
			env.Clock.Advance(6 * time.Minute)
			if n := m.run(t); n != 1 || len(m.srv.Received()) != 1 {
				t.Fatalf("after the claim expired: claimed %d, received %d", n, len(m.srv.Received()))
			}
			err = env.Store.RecordMailOutcome(context.Background(), gone[0].ID, "stopped-server", passnum.MailOutcome{State: passnum.MailSent, Answer: "250 OK"})
			if passnum.ErrorCode(err) != passnum.ECONFLICT {
				t.Errorf("the stopped sender's late outcome: %v, want a conflict", err)
			}
			if msg := m.outbox(t)["Réinitialisation"]; msg.State != passnum.MailSent || msg.Attempts != 2 {
				t.Errorf("%+v", msg)
			}
		})
	})
}

// TestQueueMailRefusesHeaders: a message whose address or subject would
// add a header, or whose address is malformed, never enters the queue.
func TestQueueMailRefusesHeaders(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		cases := []struct{ name, to, subject, reason string }{
			{"Bcc in the address", "lea@exemple.fr\r\nBcc: espion@ailleurs.fr", "Bonjour", passnum.ReasonControlCharacter},
			{"Bcc in the subject", "lea@exemple.fr", "Bonjour\r\nBcc: espion@ailleurs.fr", passnum.ReasonControlCharacter},
			{"two addresses", "lea@exemple.fr, espion@ailleurs.fr", "Bonjour", passnum.ReasonMailAddress},
			{"not an address", "lea", "Bonjour", passnum.ReasonMailAddress},
		}
		for _, c := range cases {
			err := sqlstore.QueueMail(env.Store, passnum.MailTest, 0, c.to, c.subject, "Texte")
			var e *passnum.Error
			if !errors.As(err, &e) || e.Code != passnum.EINVALID || e.Reason != c.reason {
				t.Errorf("%s: %v, want EINVALID %s", c.name, err, c.reason)
			}
		}
		n, err := sqlstore.QueryStrings(env.Store, `SELECT id FROM outbox`)
		if err != nil || len(n) != 0 {
			t.Errorf("outbox %v, %v: want empty", n, err)
		}
	})
}
