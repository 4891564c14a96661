package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Client sends messages to the submission server of its settings, one
// connection per message (a queue sends few, and a fresh connection
// leaves no half-broken session behind).
type Client struct {
	settings Settings
}

// NewClient checks the settings and returns a client for them.
func NewClient(s Settings) (*Client, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	return &Client{settings: s}, nil
}

// Settings returns the client's settings.
func (c *Client) Settings() Settings { return c.settings }

// Send composes m and sends it, returning the server's answer to the
// message. A message that cannot be composed is refused before any
// connection (EINVALID); a failed delivery is an *Error, which tells
// whether it may succeed later.
func (c *Client) Send(ctx context.Context, m Message, now time.Time) (answer string, err error) {
	msg, err := c.settings.compose(m, now)
	if err != nil {
		return "", err
	}
	client, err := c.dialer()
	if err != nil {
		return "", &Error{Answer: err.Error()}
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return "", deliveryError(err)
	}
	answer = strings.TrimSpace(msg.ServerResponse())
	if answer == "" {
		answer = "accepté"
	}
	return answer, nil
}

func (c *Client) dialer() (*gomail.Client, error) {
	s := c.settings
	opts := []gomail.Option{
		gomail.WithPort(s.port()),
		gomail.WithTimeout(s.timeout()),
		gomail.WithTLSConfig(&tls.Config{ServerName: s.Host, RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12}),
	}
	switch s.tlsMode() {
	case STARTTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.HELO))
	}
	if s.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.User), gomail.WithPassword(s.Password))
	}
	return gomail.NewClient(s.Host, opts...)
}

// Error is a failed delivery: what the server answered, or what went
// wrong on the way (no answer, a connection refused, an answer that is
// no SMTP). Permanent tells that the server refused this message for
// good (a 5xx answer to the message: unknown recipient, content
// refused); anything else may succeed later, including a 5xx answer to
// the session (authentication refused): the operator fixes the settings
// and the messages leave.
type Error struct {
	Code      int
	Answer    string
	Permanent bool
}

func (e *Error) Error() string { return e.Answer }

// deliveryError turns what go-mail returned into an *Error, its answer
// the server's words with what the client was doing.
func deliveryError(err error) *Error {
	e := &Error{Answer: err.Error()}
	for _, prefix := range []string{"send failed: ", "dial failed: "} {
		e.Answer = strings.TrimPrefix(e.Answer, prefix)
	}
	var send *gomail.SendError
	var proto *textproto.Error
	switch {
	case errors.As(err, &send):
		e.Code = send.ErrorCode()
		switch {
		case e.Code >= 500:
			e.Permanent = true
		case e.Code == 0 && (send.Reason == gomail.ErrGetRcpts || send.Reason == gomail.ErrGetSender):
			e.Permanent = true
		}
	case errors.As(err, &proto):
		e.Code = proto.Code
	}
	return e
}
