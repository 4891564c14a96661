package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum/internal/mail/mailtest"
)

// mailEnv sets the environment of outgoing mail to srv's, the password
// in a file, and returns the harness.
func mailEnv(t *testing.T, srv *mailtest.Server) *harness {
	t.Helper()
	dir := t.TempDir()
	ca, secret := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "smtp-password")
	if err := os.WriteFile(ca, srv.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secret, []byte(mailtest.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envSMTPHost, srv.Host)
	t.Setenv(envSMTPPort, strconv.Itoa(srv.Port))
	t.Setenv(envSMTPUser, mailtest.User)
	unsetenv(t, envSMTPPassword)
	t.Setenv(envSMTPPasswordFile, secret)
	t.Setenv(envSMTPCAFile, ca)
	unsetenv(t, envSMTPTLS)
	t.Setenv(envMailFrom, "ne-pas-repondre@pass.example.fr")
	t.Setenv("PASSNUM_URL", "https://pass.example.fr")
	return newHarness(t)
}

func TestMailTest(t *testing.T) {
	t.Run("delivered", func(t *testing.T) {
		srv := mailtest.Start(t)
		h := mailEnv(t, srv)
		out := h.ok("mail", "test", "lea.martin@exemple.fr")
		if !strings.Contains(out, "Message d'essai envoyé à lea.martin@exemple.fr. Réponse du serveur : ") {
			t.Errorf("stdout %q", out)
		}
		got := srv.Received()
		if len(got) != 1 || !got[0].TLS || !got[0].Auth || got[0].To[0] != "lea.martin@exemple.fr" {
			t.Fatalf("received %+v", got)
		}
		data := string(got[0].Data)
		for _, want := range []string{"Subject: Message d'essai de passnum", "@pass.example.fr>", "multipart/alternative"} {
			if !strings.Contains(data, want) {
				t.Errorf("message lacks %q:\n%s", want, data)
			}
		}
		if strings.Contains(data, "List-Unsubscribe") {
			t.Errorf("a test message cannot be turned off: %s", data)
		}
	})
	cases := []struct {
		name  string
		setup func(t *testing.T) *harness
		args  []string
		code  int
		want  []string
	}{
		{"refused recipient", func(t *testing.T) *harness {
			srv := mailtest.Start(t)
			srv.RefuseRecipient(550, "No such user here")
			return mailEnv(t, srv)
		}, []string{"lea@exemple.fr"}, 1, []string{"Message d'essai non envoyé par 127.0.0.1", `550 "5.0.0 No such user here"`}},
		{"server down", func(t *testing.T) *harness {
			return mailEnv(t, mailtest.New(t))
		}, []string{"lea@exemple.fr"}, 1, []string{"connection refused"}},
		{"garbage answer", func(t *testing.T) *harness {
			h := mailEnv(t, mailtest.Start(t))
			t.Setenv(envSMTPPort, strconv.Itoa(mailtest.Garbage(t)))
			return h
		}, []string{"lea@exemple.fr"}, 1, []string{"HTTP/1.1 400 Bad Request"}},
		{"header injection", func(t *testing.T) *harness {
			return mailEnv(t, mailtest.Start(t))
		}, []string{"lea@exemple.fr\r\nBcc: espion@ailleurs.fr"}, 1, []string{"destinataire"}},
		{"two addresses", func(t *testing.T) *harness {
			return mailEnv(t, mailtest.Start(t))
		}, []string{"lea@exemple.fr,espion@ailleurs.fr"}, 1, []string{"Adresse e-mail invalide"}},
		{"wrong password", func(t *testing.T) *harness {
			h := mailEnv(t, mailtest.Start(t))
			unsetenv(t, envSMTPPasswordFile)
			t.Setenv(envSMTPPassword, "pas-le-bon-mot-de-passe")
			return h
		}, []string{"lea@exemple.fr"}, 1, []string{"535"}},
		{"plain text to another machine", func(t *testing.T) *harness {
			h := mailEnv(t, mailtest.Start(t))
			t.Setenv(envSMTPHost, "smtp.example.fr")
			t.Setenv(envSMTPTLS, "none")
			return h
		}, []string{"lea@exemple.fr"}, 1, []string{"sans chiffrement", "option --smtp-tls"}},
		{"no server", func(t *testing.T) *harness {
			h := mailEnv(t, mailtest.Start(t))
			unsetenv(t, envSMTPHost)
			return h
		}, []string{"lea@exemple.fr"}, 2, []string{"--smtp-host"}},
		{"no address", func(t *testing.T) *harness {
			return mailEnv(t, mailtest.Start(t))
		}, nil, 2, []string{"une adresse"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := c.setup(t)
			errs := h.fail(c.code, append([]string{"mail", "test"}, c.args...), c.want...)
			for _, secret := range []string{mailtest.Password, "pas-le-bon-mot-de-passe"} {
				if strings.Contains(errs, secret) {
					t.Errorf("the error shows the password: %q", errs)
				}
			}
		})
	}
}

// TestServeMail: serve says at start whether it sends e-mail, and with a
// server set, a message queued by a request (a forgotten password) leaves
// without anyone reading the outbox.
func TestServeMail(t *testing.T) {
	t.Run("without a server", func(t *testing.T) {
		unsetenv(t, envSMTPHost)
		s := startServe(t, "--db", filepath.Join(t.TempDir(), "passnum.db"))
		if out := s.out.String(); !strings.Contains(out, "aucun serveur d'envoi réglé") || !strings.Contains(out, "/operateur/courriels") {
			t.Errorf("serve does not say that e-mail waits in the outbox:\n%s", out)
		}
	})
	t.Run("with a server", func(t *testing.T) {
		srv := mailtest.Start(t)
		h := mailEnv(t, srv)
		unsetenv(t, "PASSNUM_URL") // the address serve listens on
		h.ok("migrate")
		t.Setenv(envPassword, "correct horse battery staple")
		h.ok("user", "create", "--org", "1", "--role", "admin", "--email", "lea.martin@exemple.fr", "--name", "Léa Martin")
		s := startServe(t, "--db", h.db)
		out := s.out.String()
		if !strings.Contains(out, "Courriels envoyés par 127.0.0.1:") || strings.Contains(out, mailtest.Password) {
			t.Errorf("serve's start:\n%s", out)
		}
		base := baseRE.FindStringSubmatch(out)
		if base == nil {
			t.Fatalf("no address in:\n%s", out)
		}
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		resp, err := client.Get(base[1] + "/mot-de-passe-oublie")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		token := csrfRE.FindStringSubmatch(string(page))
		if token == nil {
			t.Fatalf("no CSRF token in:\n%s", page)
		}
		start := time.Now()
		resp, err = client.PostForm(base[1]+"/mot-de-passe-oublie", url.Values{"csrf": {token[1]}, "email": {"lea.martin@exemple.fr"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("forgotten password: %d", resp.StatusCode)
		}
		for len(srv.Received()) == 0 {
			if time.Since(start) > 30*time.Second {
				t.Fatalf("no message received after %s\nstderr: %s", time.Since(start), s.errOut.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Logf("the reset link reached the server %s after the request", time.Since(start).Round(time.Millisecond))
		if got := srv.Received(); len(got) != 1 || got[0].To[0] != "lea.martin@exemple.fr" || !strings.Contains(string(got[0].Data), "mot-de-passe") {
			t.Errorf("received %+v", got)
		}
	})
}
