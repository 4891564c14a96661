// Package mail delivers the outbox over SMTP with github.com/wneessen/go-mail:
// the settings of the submission server, the composition of a message
// (plain text and a simple HTML rendering of it, in French, with its
// Message-ID and, for the kinds that can be turned off, a one-click
// List-Unsubscribe), and the sender that claims due messages from the
// queue, sends them and records what the server answered.
package mail

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// TLSMode says how the connection to the server is protected.
type TLSMode string

const (
	// STARTTLS: submission (port 587), the session upgraded to TLS
	// before anything else; a server that does not offer it is refused.
	STARTTLS TLSMode = "starttls"
	// ImplicitTLS: TLS from the first byte (port 465).
	ImplicitTLS TLSMode = "tls"
	// NoTLS: plain text, for a server on this machine only (tests, a
	// local relay).
	NoTLS TLSMode = "none"
)

// Settings are those of the submission server and of the messages.
type Settings struct {
	Host     string
	Port     int // 587 for STARTTLS, 465 for implicit TLS when 0
	User     string
	Password string // never printed: String leaves it out
	TLS      TLSMode
	// From is the sender's address, FromName the name shown beside it.
	From     string
	FromName string
	// HELO is the name the client gives the server; the machine's name
	// when empty.
	HELO string
	// Timeout bounds each exchange with the server.
	Timeout time.Duration
	// BaseURL is the platform's public address: the unsubscribe links
	// point to it, and the Message-IDs are on its domain.
	BaseURL string
	// UnsubscribeMailto, when set, is an address that List-Unsubscribe
	// offers beside the link.
	UnsubscribeMailto string
	// RootCAs, when set, are the authorities the server's certificate is
	// checked against instead of the system's (a private authority; the
	// tests' own certificate).
	RootCAs *x509.CertPool
}

// DefaultTimeout bounds an exchange with the server when Timeout is 0.
const DefaultTimeout = 30 * time.Second

// Configured tells whether outgoing mail is set up at all.
func (s Settings) Configured() bool { return s.Host != "" }

// String describes the settings for the log, without the password.
func (s Settings) String() string {
	auth := "sans authentification"
	if s.User != "" {
		auth = "utilisateur " + s.User
	}
	return fmt.Sprintf("%s:%d (%s, %s), expéditeur %s", s.Host, s.port(), s.tlsMode(), auth, s.From)
}

func (s Settings) tlsMode() TLSMode {
	if s.TLS == "" {
		return STARTTLS
	}
	return s.TLS
}

func (s Settings) port() int {
	switch {
	case s.Port != 0:
		return s.Port
	case s.tlsMode() == ImplicitTLS:
		return 465
	}
	return 587
}

func (s Settings) timeout() time.Duration {
	if s.Timeout <= 0 {
		return DefaultTimeout
	}
	return s.Timeout
}

// domain is the domain of the platform's public address, where the
// Message-IDs live.
func (s Settings) domain() string {
	if u, err := url.Parse(s.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return s.From[strings.LastIndexByte(s.From, '@')+1:]
}

// Check refuses settings that cannot work, with a French message naming
// the setting.
func (s Settings) Check() error {
	if s.Host == "" {
		return passnum.Invalid("smtp-host", "Le serveur d'envoi (PASSNUM_SMTP_HOST) n'est pas renseigné.")
	}
	if err := passnum.CheckLine("smtp-host", s.Host); err != nil {
		return err
	}
	if s.Port < 0 || s.Port > 65535 {
		return passnum.Invalid("smtp-port", "Port du serveur d'envoi invalide : %d.", s.Port)
	}
	switch s.tlsMode() {
	case STARTTLS, ImplicitTLS:
	case NoTLS:
		if !localHost(s.Host) {
			return passnum.Invalid("smtp-tls", "L'envoi sans chiffrement (PASSNUM_SMTP_TLS=none) n'est permis que vers un serveur de cette machine (localhost), pas vers %s.", s.Host)
		}
	default:
		return passnum.Invalid("smtp-tls", "Mode de chiffrement inconnu : %q (starttls, tls ou none).", s.TLS)
	}
	if (s.User == "") != (s.Password == "") {
		return passnum.Invalid("smtp-user", "L'utilisateur et le mot de passe du serveur d'envoi vont ensemble : renseignez les deux, ou aucun.")
	}
	if err := passnum.CheckLine("smtp-user", s.User); err != nil {
		return err
	}
	if err := passnum.CheckMailAddress("mail-from", s.From); err != nil {
		return err
	}
	if err := passnum.CheckLine("mail-from-name", s.FromName); err != nil {
		return err
	}
	if err := passnum.CheckLine("smtp-helo", s.HELO); err != nil {
		return err
	}
	if s.UnsubscribeMailto != "" {
		if err := passnum.CheckMailAddress("mail-unsubscribe", s.UnsubscribeMailto); err != nil {
			return err
		}
	}
	if u, err := url.Parse(s.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return passnum.Invalid("base-url", "Adresse publique invalide : %q (par exemple https://pass.example.fr) : les liens des messages y mènent.", s.BaseURL)
	}
	return nil
}

// localHost tells whether host is this machine.
func localHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
