package mail_test

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	passmail "github.com/passnum/passnum/internal/mail"
	"github.com/passnum/passnum/internal/mail/mailtest"
)

var sentAt = time.Date(2027, 3, 15, 9, 30, 0, 0, time.UTC)

// settingsFor are the settings of a client of srv: STARTTLS (the
// default), AUTH PLAIN, the test's certificate trusted through RootCAs.
func settingsFor(srv *mailtest.Server) passmail.Settings {
	return passmail.Settings{
		Host: srv.Host, Port: srv.Port, User: mailtest.User, Password: mailtest.Password,
		From: "ne-pas-repondre@pass.example.fr", FromName: "Pass numérique", HELO: "passnum.test",
		Timeout: 5 * time.Second, BaseURL: "https://pass.example.fr", UnsubscribeMailto: "desabonnement@pass.example.fr",
		RootCAs: srv.Pool,
	}
}

func client(t *testing.T, s passmail.Settings) *passmail.Client {
	t.Helper()
	c, err := passmail.NewClient(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// parsed is a received message read back: its headers, and its parts by
// content type.
type parsed struct {
	header mail.Header
	parts  map[string]string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, data)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	p := parsed{header: m.Header, parts: map[string]string{}}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := r.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		p.parts[ct] = string(b)
	}
	return p
}

func TestSendDelivered(t *testing.T) {
	body := "Bonjour Léa,\n\nLe relevé n°12 de votre lieu est validé : 40,00 €.\nDétail : https://pass.example.fr/lieu/releves/12.\n\nL'équipe <Pass numérique> & co"
	cases := []struct {
		name        string
		kind        passnum.MailKind
		token       string
		unsubscribe bool
	}{
		{"optional kind: one-click unsubscribe", passnum.MailStatementPaid, "jeton-secret-123", true},
		{"required kind: never", passnum.MailPasswordReset, "jeton-secret-456", false},
		{"optional kind without account: none", passnum.MailStatementPaid, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := mailtest.Start(t)
			answer, err := client(t, settingsFor(srv)).Send(context.Background(), passmail.Message{
				ID: 42, CreatedAt: sentAt, Kind: c.kind, To: "lea.martin@exemple.fr",
				Subject: "Relevé validé — 40,00 €", Body: body, UnsubscribeToken: c.token}, sentAt)
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			if answer == "" {
				t.Error("no answer from the server")
			}
			got := srv.Received()
			if len(got) != 1 {
				t.Fatalf("%d messages received, want 1", len(got))
			}
			r := got[0]
			if !r.TLS || !r.Auth || r.From != "ne-pas-repondre@pass.example.fr" || len(r.To) != 1 || r.To[0] != "lea.martin@exemple.fr" || r.Helo != "passnum.test" {
				t.Errorf("session: TLS %v, auth %v, from %q, to %v, HELO %q", r.TLS, r.Auth, r.From, r.To, r.Helo)
			}
			p := parse(t, r.Data)
			h := p.header
			dec := new(mime.WordDecoder)
			subject, _ := dec.DecodeHeader(h.Get("Subject"))
			from, _ := dec.DecodeHeader(h.Get("From"))
			checks := []struct{ what, got, want string }{
				{"Subject", subject, "Relevé validé — 40,00 €"},
				{"From", from, "Pass numérique <ne-pas-repondre@pass.example.fr>"},
				{"To", h.Get("To"), "<lea.martin@exemple.fr>"},
				{"Message-ID", h.Get("Message-ID"), "<outbox.42.1805103000000000@pass.example.fr>"}, // 2027-03-15 09:30 UTC
				{"Date", h.Get("Date"), "Mon, 15 Mar 2027 09:30:00 +0000"},
				{"Content-Language", h.Get("Content-Language"), "fr"},
				{"Auto-Submitted", h.Get("Auto-Submitted"), "auto-generated"},
			}
			if c.unsubscribe {
				checks = append(checks,
					struct{ what, got, want string }{"List-Unsubscribe", h.Get("List-Unsubscribe"),
						"<https://pass.example.fr/desabonnement/jeton-secret-123>, <mailto:desabonnement@pass.example.fr?subject=d%C3%A9sabonnement+jeton-secret-123>"},
					struct{ what, got, want string }{"List-Unsubscribe-Post", h.Get("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click"})
			} else {
				checks = append(checks,
					struct{ what, got, want string }{"List-Unsubscribe", h.Get("List-Unsubscribe"), ""},
					struct{ what, got, want string }{"List-Unsubscribe-Post", h.Get("List-Unsubscribe-Post"), ""})
			}
			for _, ch := range checks {
				if ch.got != ch.want {
					t.Errorf("%s: %q, want %q", ch.what, ch.got, ch.want)
				}
			}
			if plain := strings.ReplaceAll(p.parts["text/plain"], "\r\n", "\n"); plain != body {
				t.Errorf("text/plain part:\n%q\nwant\n%q", plain, body)
			}
			html := p.parts["text/html"]
			for _, want := range []string{
				`<html lang="fr">`,
				"<p>Bonjour Léa,</p>",
				`<p>Le relevé n°12 de votre lieu est validé : 40,00 €.<br>`,
				`Détail : <a href="https://pass.example.fr/lieu/releves/12" style="color: #000091;">https://pass.example.fr/lieu/releves/12</a>.</p>`,
				"<p>L&#39;équipe &lt;Pass numérique&gt; &amp; co</p>",
			} {
				if !strings.Contains(strings.ReplaceAll(html, "\r\n", "\n"), want) {
					t.Errorf("text/html part lacks %q:\n%s", want, html)
				}
			}
		})
	}
}

// TestSendRefused: what would put a header of its own in the message, or
// send it elsewhere, is refused before any connection (the server would
// have received it), with the field named.
func TestSendRefused(t *testing.T) {
	srv := mailtest.Start(t)
	c := client(t, settingsFor(srv))
	cases := []struct {
		name, to, subject, body, field, reason string
	}{
		{"Bcc injected in the address", "lea@exemple.fr\r\nBcc: espion@ailleurs.fr", "Bonjour", "Texte", "destinataire", passnum.ReasonControlCharacter},
		{"Bcc injected in the subject", "lea@exemple.fr", "Bonjour\r\nBcc: espion@ailleurs.fr", "Texte", "objet", passnum.ReasonControlCharacter},
		{"line feed alone in the subject", "lea@exemple.fr", "Bonjour\nBcc: espion@ailleurs.fr", "Texte", "objet", passnum.ReasonControlCharacter},
		{"two addresses", "lea@exemple.fr, espion@ailleurs.fr", "Bonjour", "Texte", "destinataire", passnum.ReasonMailAddress},
		{"display name", "Léa <lea@exemple.fr>", "Bonjour", "Texte", "destinataire", passnum.ReasonMailAddress},
		{"no domain", "lea@", "Bonjour", "Texte", "destinataire", passnum.ReasonMailAddress},
		{"not an address", "pas une adresse", "Bonjour", "Texte", "destinataire", passnum.ReasonMailAddress},
		{"empty subject", "lea@exemple.fr", "  ", "Texte", "objet", passnum.ReasonInvalidInput},
		{"escape in the body", "lea@exemple.fr", "Bonjour", "Texte\x1b[31m", "corps", passnum.ReasonControlCharacter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Send(context.Background(), passmail.Message{Kind: passnum.MailTest, To: tc.to, Subject: tc.subject, Body: tc.body}, sentAt)
			var e *passnum.Error
			if !errors.As(err, &e) || e.Code != passnum.EINVALID || e.Field != tc.field || e.Reason != tc.reason || e.Message == "" {
				t.Fatalf("error %#v, want EINVALID %s on %s", err, tc.reason, tc.field)
			}
		})
	}
	if n := len(srv.Received()); n != 0 {
		t.Errorf("the server received %d messages, want none", n)
	}
}

// TestSendFailures: what the server answers decides whether the message
// may be tried again.
func TestSendFailures(t *testing.T) {
	msg := passmail.Message{ID: 7, CreatedAt: sentAt, Kind: passnum.MailPasswordReset, To: "lea@exemple.fr", Subject: "Bonjour", Body: "Texte"}
	cases := []struct {
		name      string
		setup     func(t *testing.T) passmail.Settings
		permanent bool
		says      string
	}{
		{"451 to the message: temporary", func(t *testing.T) passmail.Settings {
			srv := mailtest.Start(t)
			srv.Answer(451, "Greylisted, try again later")
			return settingsFor(srv)
		}, false, `451 "4.0.0 Greylisted, try again later"`},
		{"550 to the recipient: permanent", func(t *testing.T) passmail.Settings {
			srv := mailtest.Start(t)
			srv.RefuseRecipient(550, "No such user here")
			return settingsFor(srv)
		}, true, `RCPT TO command: 550 "5.0.0 No such user here"`},
		{"554 to the message: permanent", func(t *testing.T) passmail.Settings {
			srv := mailtest.Start(t)
			srv.Answer(554, "Content rejected")
			return settingsFor(srv)
		}, true, `554 "5.0.0 Content rejected"`},
		{"server down: temporary", func(t *testing.T) passmail.Settings {
			return settingsFor(mailtest.New(t)) // never listens
		}, false, "connection refused"},
		{"garbage answer: temporary", func(t *testing.T) passmail.Settings {
			s := settingsFor(mailtest.Start(t))
			s.Port = mailtest.Garbage(t)
			return s
		}, false, `short response: "HTTP/1.1 400 Bad Request"`},
		{"wrong password: temporary, the settings are fixed and it leaves", func(t *testing.T) passmail.Settings {
			s := settingsFor(mailtest.Start(t))
			s.Password = "pas-le-bon"
			return s
		}, false, "535"},
		{"certificate not trusted: temporary", func(t *testing.T) passmail.Settings {
			s := settingsFor(mailtest.Start(t))
			s.RootCAs = nil // the system's authorities do not know the test's
			return s
		}, false, "certificate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.setup(t)
			answer, err := client(t, s).Send(context.Background(), msg, sentAt)
			var e *passmail.Error
			if !errors.As(err, &e) {
				t.Fatalf("answer %q, error %v: want a delivery error", answer, err)
			}
			if e.Permanent != c.permanent || !strings.Contains(e.Answer, c.says) {
				t.Errorf("error %+v: want permanent %v, saying %q", e, c.permanent, c.says)
			}
			if strings.Contains(e.Answer, mailtest.Password) || strings.Contains(e.Answer, "pas-le-bon") {
				t.Errorf("the error shows the password: %q", e.Answer)
			}
		})
	}
}

func TestSettingsCheck(t *testing.T) {
	good := passmail.Settings{Host: "smtp.example.fr", User: "u", Password: "secret-du-serveur", From: "ne-pas-repondre@pass.example.fr", BaseURL: "https://pass.example.fr"}
	cases := []struct {
		name  string
		edit  func(*passmail.Settings)
		field string // "" when the settings are good
	}{
		{"good", func(*passmail.Settings) {}, ""},
		{"no authentication", func(s *passmail.Settings) { s.User, s.Password = "", "" }, ""},
		{"no host", func(s *passmail.Settings) { s.Host = "" }, "smtp-host"},
		{"plain text to another machine", func(s *passmail.Settings) { s.TLS = passmail.NoTLS }, "smtp-tls"},
		{"plain text to this machine", func(s *passmail.Settings) { s.TLS, s.Host = passmail.NoTLS, "127.0.0.1" }, ""},
		{"unknown TLS mode", func(s *passmail.Settings) { s.TLS = "ssl3" }, "smtp-tls"},
		{"user without password", func(s *passmail.Settings) { s.Password = "" }, "smtp-user"},
		{"malformed sender", func(s *passmail.Settings) { s.From = "ne-pas-repondre" }, "mail-from"},
		{"sender with a header", func(s *passmail.Settings) { s.From = "a@b.fr\r\nBcc: c@d.fr" }, "mail-from"},
		{"name with a header", func(s *passmail.Settings) { s.FromName = "Pass\r\nBcc: c@d.fr" }, "mail-from-name"},
		{"no public address", func(s *passmail.Settings) { s.BaseURL = "" }, "base-url"},
		{"port out of range", func(s *passmail.Settings) { s.Port = 70000 }, "smtp-port"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := good
			c.edit(&s)
			err := s.Check()
			var e *passnum.Error
			switch {
			case c.field == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.field != "" && (!errors.As(err, &e) || e.Field != c.field || e.Message == ""):
				t.Errorf("error %#v, want one on %s", err, c.field)
			}
			if strings.Contains(s.String(), s.Password) && s.Password != "" {
				t.Errorf("String shows the password: %s", s)
			}
		})
	}
}

// TestSenderLogsNoAddress: the log of a failed delivery keeps the
// server's words, not the recipient's address.
func TestSenderLogsNoAddress(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"refused recipient", &passmail.Error{Code: 550, Permanent: true,
			Answer: `sending SMTP RCPT TO command: 550 "5.0.0 No such user here", affected recipient(s): <lea@exemple.fr>, affected message ID: <outbox.1.2@pass.example.fr>`},
			`sending SMTP RCPT TO command: 550 "5.0.0 No such user here"`},
		{"malformed address", &passnum.Error{Code: passnum.EINVALID, Reason: passnum.ReasonMailAddress, Field: "destinataire", Message: "Adresse e-mail invalide : « lea@ »"},
			"invalid mail-address (destinataire)"},
	}
	for _, c := range cases {
		if got := passmail.Logged(c.err); got != c.want || strings.Contains(got, "lea@") {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
