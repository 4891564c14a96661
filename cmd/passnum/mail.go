package main

import (
	"context"
	"crypto/x509"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/mail"
	"github.com/passnum/passnum/internal/sqlstore"
)

// The environment of outgoing mail. The password is read from the
// environment or from a file, never from the command line, where any
// user of the machine could read it (ps).
const (
	envSMTPHost         = "PASSNUM_SMTP_HOST"
	envSMTPPort         = "PASSNUM_SMTP_PORT"
	envSMTPUser         = "PASSNUM_SMTP_USER"
	envSMTPPassword     = "PASSNUM_SMTP_PASSWORD"
	envSMTPPasswordFile = "PASSNUM_SMTP_PASSWORD_FILE"
	envSMTPTLS          = "PASSNUM_SMTP_TLS"
	envSMTPHelo         = "PASSNUM_SMTP_HELO"
	envSMTPTimeout      = "PASSNUM_SMTP_TIMEOUT"
	envSMTPCAFile       = "PASSNUM_SMTP_CA_FILE"
	envMailFrom         = "PASSNUM_MAIL_FROM"
	envMailFromName     = "PASSNUM_MAIL_FROM_NAME"
	envMailUnsubscribe  = "PASSNUM_MAIL_UNSUBSCRIBE"
)

// mailOptions are the settings of outgoing mail as options read them.
type mailOptions struct {
	settings mail.Settings
	caFile   string
}

// mailFlags declares the options of outgoing mail, their defaults from
// the environment.
func mailFlags(o *options) *mailOptions {
	m := &mailOptions{}
	s := &m.settings
	o.string(&s.Host, "smtp-host", os.Getenv(envSMTPHost), "`serveur` d'envoi des courriels (SMTP, soumission) ; sans lui, les courriels attendent dans la file lue par les administrateurs de l'opérateur (variable "+envSMTPHost+")")
	port := 0
	if v := os.Getenv(envSMTPPort); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			o.abort(o.usageErrorf("%s : port invalide : %q", envSMTPPort, v))
		}
		port = p
	}
	o.int(&s.Port, "smtp-port", port, "`port` du serveur d'envoi (défaut 587, ou 465 avec --smtp-tls tls ; variable "+envSMTPPort+")")
	o.string(&s.User, "smtp-user", os.Getenv(envSMTPUser), "`utilisateur` du serveur d'envoi ; le mot de passe vient de la variable "+envSMTPPassword+" ou du fichier nommé par "+envSMTPPasswordFile+" (variable "+envSMTPUser+")")
	tls := os.Getenv(envSMTPTLS)
	o.string(&tls, "smtp-tls", tls, "`mode` : starttls (défaut, port 587, STARTTLS obligatoire), tls (TLS implicite, port 465) ou none (sans chiffrement, vers cette machine seulement) (variable "+envSMTPTLS+")")
	o.string(&s.HELO, "smtp-helo", os.Getenv(envSMTPHelo), "`nom` donné au serveur (HELO/EHLO ; défaut : le nom de la machine ; variable "+envSMTPHelo+")")
	timeout := mail.DefaultTimeout
	if v := os.Getenv(envSMTPTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			o.abort(o.usageErrorf("%s : durée invalide : %q (par exemple 30s)", envSMTPTimeout, v))
		}
		timeout = d
	}
	o.duration(&s.Timeout, "smtp-timeout", timeout, "`durée` maximale de chaque échange avec le serveur, par exemple 30s (variable "+envSMTPTimeout+")")
	o.string(&m.caFile, "smtp-ca-file", os.Getenv(envSMTPCAFile), "`fichier` PEM des autorités qui certifient le serveur, à la place de celles du système (autorité privée ; variable "+envSMTPCAFile+")")
	o.string(&s.From, "mail-from", os.Getenv(envMailFrom), "`adresse` d'expéditeur des courriels, par exemple ne-pas-repondre@pass.example.fr (variable "+envMailFrom+")")
	o.string(&s.FromName, "mail-from-name", envOr(envMailFromName, "Pass numérique"), "`nom` affiché de l'expéditeur (variable "+envMailFromName+")")
	o.string(&s.UnsubscribeMailto, "mail-unsubscribe", os.Getenv(envMailUnsubscribe), "`adresse` de désabonnement proposée en plus du lien dans List-Unsubscribe (facultatif ; variable "+envMailUnsubscribe+")")
	o.check(func() error {
		s.TLS = mail.TLSMode(strings.ToLower(strings.TrimSpace(tls)))
		return nil
	})
	return m
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// load completes the settings: the password from the environment or its
// file, the certificate authorities, the public address; and checks
// them. Nothing is set up when no server is given.
func (m *mailOptions) load(baseURL string) (mail.Settings, error) {
	s := m.settings
	if !s.Configured() {
		return s, nil
	}
	s.BaseURL = baseURL
	s.Password = os.Getenv(envSMTPPassword)
	if file := os.Getenv(envSMTPPasswordFile); file != "" {
		if s.Password != "" {
			return s, passnum.Invalid("smtp-password", "Donnez le mot de passe du serveur d'envoi par %s ou par %s, pas les deux.", envSMTPPassword, envSMTPPasswordFile)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return s, passnum.Invalid("smtp-password", "Fichier du mot de passe du serveur d'envoi illisible (%s) : %v.", envSMTPPasswordFile, err)
		}
		s.Password = strings.TrimRight(string(b), "\r\n")
	}
	if m.caFile != "" {
		pem, err := os.ReadFile(m.caFile)
		if err != nil {
			return s, passnum.Invalid("smtp-ca-file", "Fichier des autorités illisible : %v.", err)
		}
		s.RootCAs = x509.NewCertPool()
		if !s.RootCAs.AppendCertsFromPEM(pem) {
			return s, passnum.Invalid("smtp-ca-file", "Le fichier %s ne contient aucun certificat PEM.", m.caFile)
		}
	}
	return s, s.Check()
}

// startMail starts delivering the outbox when outgoing mail is set up,
// and says at start what becomes of the messages; stop ends the sender
// before the store closes.
func (c *cli) startMail(ctx context.Context, m *mailOptions, base string, s *sqlstore.Store, log *slog.Logger) (stop func(), err error) {
	settings, err := m.load(base)
	if err != nil {
		return nil, err
	}
	if !settings.Configured() {
		log.Warn("outgoing mail not set up: messages wait in the outbox, read by the operator's administrators", "page", "/operateur/courriels")
		c.printf("Courriels : aucun serveur d'envoi réglé (%s) : les messages attendent dans la file, que les administrateurs de l'opérateur lisent sur %s/operateur/courriels.\n", envSMTPHost, base)
		return func() {}, nil
	}
	client, err := mail.NewClient(settings)
	if err != nil {
		return nil, err
	}
	sender := mail.NewSender(s, client, log, nil)
	runCtx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		sender.Run(runCtx)
	}()
	log.Info("outgoing mail", "server", settings.Host, "port", settings.Port, "tls", settings.TLS, "from", settings.From, "sender", sender.Claimer())
	c.printf("Courriels envoyés par %s.\n", settings)
	return func() { cancel(); <-finished }, nil
}

const mailTestDoc = `Envoie un message d'essai (type mail.test) à ADRESSE, directement, sans
passer par la file, avec les réglages du serveur d'envoi (options ci-dessous,
ou leurs variables PASSNUM_SMTP_*, PASSNUM_MAIL_* ; le mot de passe vient de
PASSNUM_SMTP_PASSWORD ou du fichier nommé par PASSNUM_SMTP_PASSWORD_FILE), et
affiche la réponse du serveur. Un échec s'affiche sur une ligne, code de sortie 1.
Aucune base n'est ouverte.`

// mailTest sends a test message and prints the server's answer.
func (c *cli) mailTest(o *options) runFunc {
	o.usage("[OPTIONS] ADRESSE", mailTestDoc)
	o.allowArgs = true
	m := mailFlags(o)
	var publicURL string
	o.string(&publicURL, "url", os.Getenv("PASSNUM_URL"), "`adresse` publique du service (domaine des Message-ID ; variable PASSNUM_URL ; défaut : https:// et le domaine de l'expéditeur)")
	return func(ctx context.Context, _ store) error {
		args := o.set.Args()
		if len(args) != 1 {
			return o.usageErrorf("indiquez une adresse, et une seule, à qui envoyer le message d'essai")
		}
		if m.settings.Host == "" {
			return o.usageErrorf("aucun serveur d'envoi : indiquez --smtp-host ou la variable %s", envSMTPHost)
		}
		if publicURL == "" {
			from := m.settings.From
			publicURL = "https://" + from[strings.LastIndexByte(from, '@')+1:]
		}
		settings, err := m.load(strings.TrimSuffix(publicURL, "/"))
		if err != nil {
			return err
		}
		client, err := mail.NewClient(settings)
		if err != nil {
			return err
		}
		now := time.Now()
		if c.now != nil {
			now = c.now()
		}
		answer, err := client.Send(ctx, mail.Message{Kind: passnum.MailTest, To: args[0],
			Subject: "Message d'essai de passnum",
			Body: "Bonjour,\n\nCe message vérifie que passnum envoie bien ses courriels par " + settings.Host + ".\n" +
				"Vous pouvez l'ignorer.\n\nEnvoyé le " + now.UTC().Format("02/01/2006 à 15:04") + " (UTC)."}, now)
		if err != nil {
			if e, ok := err.(*mail.Error); ok {
				return passnum.Errorf(passnum.EUNAVAILABLE, passnum.EUNAVAILABLE, "Message d'essai non envoyé par %s : %s", settings.Host, e.Answer)
			}
			return err
		}
		c.printf("Message d'essai envoyé à %s. Réponse du serveur : %s\n", args[0], answer)
		return nil
	}
}
