package mail

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/passnum/passnum"
)

// Message is one e-mail to compose: the outbox's message, or a test.
type Message struct {
	// ID is the message's number in the outbox, 0 for a message that is
	// not in it (the test of the settings).
	ID        int64
	CreatedAt time.Time
	Kind      passnum.MailKind
	To        string
	Subject   string
	Body      string // plain French text; links on lines of their own
	// UnsubscribeToken, for the kinds an account can turn off, makes the
	// one-click unsubscribe link of List-Unsubscribe.
	UnsubscribeToken string
}

// UnsubscribePath is where the one-click unsubscribe links point, the
// token following it (internal/web serves it).
const UnsubscribePath = "/desabonnement/"

// compose builds the message to send, refusing what could not be sent
// as it is: a malformed address or a line break in a header (an attempt
// to add one, "\r\nBcc: …") is an EINVALID error and nothing is sent.
func (s Settings) compose(m Message, now time.Time) (*gomail.Msg, error) {
	if err := passnum.CheckMail(m.To, m.Subject); err != nil {
		return nil, err
	}
	if err := passnum.CheckText("corps", m.Body); err != nil {
		return nil, err
	}
	if err := passnum.CheckLine("jeton", m.UnsubscribeToken); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP), gomail.WithNoDefaultUserAgent())
	var err error
	if s.FromName != "" {
		err = msg.FromFormat(s.FromName, s.From)
	} else {
		err = msg.From(s.From)
	}
	if err != nil {
		return nil, passnum.Invalid("mail-from", "Adresse d'expéditeur invalide : %s.", s.From)
	}
	if err := msg.To(m.To); err != nil {
		return nil, passnum.Errorf(passnum.EINVALID, passnum.ReasonMailAddress, "Adresse e-mail invalide : %s.", m.To)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(now)
	msg.SetMessageIDWithValue(s.messageID(m))
	msg.SetGenHeader(gomail.HeaderContentLang, "fr")
	// Automatic messages: no out-of-office answer back.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if m.UnsubscribeToken != "" && !passnum.MailKindOf(m.Kind).Required {
		if err := s.setUnsubscribe(msg, m.UnsubscribeToken); err != nil {
			return nil, err
		}
	}
	body := strings.ReplaceAll(m.Body, "\r\n", "\n")
	msg.SetBodyString(gomail.TypeTextPlain, body)
	msg.AddAlternativeString(gomail.TypeTextHTML, renderHTML(m.Subject, body))
	return msg, nil
}

// messageID is the Message-ID of m, on the platform's domain: the same
// for every attempt at one message of the outbox, so that a copy that
// reaches the person twice (a server that took it but answered too late)
// is known as one; random for a test.
func (s Settings) messageID(m Message) string {
	if m.ID == 0 || m.CreatedAt.IsZero() {
		b := make([]byte, 12)
		rand.Read(b)
		return fmt.Sprintf("test.%s@%s", hex.EncodeToString(b), s.domain())
	}
	return fmt.Sprintf("outbox.%d.%d@%s", m.ID, m.CreatedAt.UnixMicro(), s.domain())
}

// setUnsubscribe sets List-Unsubscribe and, when the link is https,
// List-Unsubscribe-Post (RFC 8058: mail programs then unsubscribe with
// one POST, without opening a page).
func (s Settings) setUnsubscribe(msg *gomail.Msg, token string) error {
	link := strings.TrimSuffix(s.BaseURL, "/") + UnsubscribePath + url.PathEscape(token)
	var more []string
	if s.UnsubscribeMailto != "" {
		more = append(more, "mailto:"+s.UnsubscribeMailto+"?subject="+url.QueryEscape("désabonnement "+token))
	}
	if strings.HasPrefix(link, "https://") {
		if err := msg.SetListUnsubscribeOneClick(link, more...); err != nil {
			return fmt.Errorf("unsubscribe link: %w", err)
		}
		return nil
	}
	msg.SetListUnsubscribe(append([]string{link}, more...)...)
	return nil
}

// links finds the addresses in a text: http(s) up to a space, without
// the punctuation that ends a sentence.
var links = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)»]`)

// renderHTML is the HTML part of a message: the plain text, escaped, its
// paragraphs (separated by blank lines) as paragraphs, its lines kept,
// its addresses as links. Nothing else: what the person reads is the
// same in both parts.
func renderHTML(subject, text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>")
	b.WriteString(html.EscapeString(subject))
	b.WriteString("</title>\n</head>\n<body style=\"font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #161616; max-width: 40em;\">\n")
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		para = strings.Trim(para, "\n")
		if strings.TrimSpace(para) == "" {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			b.WriteString(linkify(line))
		}
		b.WriteString("</p>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

// linkify escapes a line, its addresses made links.
func linkify(line string) string {
	var b strings.Builder
	last := 0
	for _, at := range links.FindAllStringIndex(line, -1) {
		b.WriteString(html.EscapeString(line[last:at[0]]))
		u := html.EscapeString(line[at[0]:at[1]])
		b.WriteString(`<a href="` + u + `" style="color: #000091;">` + u + `</a>`)
		last = at[1]
	}
	b.WriteString(html.EscapeString(line[last:]))
	return b.String()
}
