package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
