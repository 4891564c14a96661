// Package mailtest runs a real SMTP server in the test process
// (github.com/emersion/go-smtp): STARTTLS with a certificate made for the
// test, AUTH PLAIN, and answers the test chooses (451, 550…), so that the
// tests of outgoing mail exchange real SMTP. Only tests import it.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// User and Password are the credentials the server accepts.
const (
	User     = "passnum"
	Password = "mot-de-passe-de-test"
)

// Received is a message the server accepted.
type Received struct {
	From string
	To   []string
	Data []byte
	TLS  bool // the session had switched to TLS
	Auth bool // the session had authenticated
	Helo string
}

// Server is an SMTP server listening on 127.0.0.1.
type Server struct {
	Host string
	Port int
	// Pool trusts the server's certificate; CertPEM is it in PEM, for a
	// file of authorities.
	Pool    *x509.CertPool
	CertPEM []byte

	cert tls.Certificate
	srv  *smtp.Server
	ln   net.Listener

	mu       sync.Mutex
	received []Received
	answers  []*smtp.SMTPError // answers to the next DATA, one each
	rcptErrs []*smtp.SMTPError // answers to the next RCPT, one each
}

// Start starts a server on a free port, stopped at the end of the test.
func Start(t testing.TB) *Server {
	t.Helper()
	s := New(t)
	s.Listen(t, 0)
	return s
}

// New prepares a server, its certificate made, without listening: Port
// is reserved (free when New returns), so that a test can give clients
// the address of a server that is down, then Listen on it.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{Host: "127.0.0.1"}
	s.cert, s.Pool = certificate(t)
	s.CertPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.cert.Certificate[0]})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return s
}

// Listen starts serving on port (0: the port New reserved).
func (s *Server) Listen(t testing.TB, port int) {
	t.Helper()
	if port == 0 {
		port = s.Port
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(s.Host, strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	s.ln = ln
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, c: c}, nil }))
	s.srv.Domain = "smtp.test"
	s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{s.cert}}
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.ErrorLog = quiet{}
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Answer queues the answer to the next message's DATA: code 451 for a
// temporary failure, 550 for a permanent one.
func (s *Server) Answer(code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers = append(s.answers, &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: message})
}

// RefuseRecipient queues the answer to the next RCPT.
func (s *Server) RefuseRecipient(code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcptErrs = append(s.rcptErrs, &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: message})
}

// Received returns the messages accepted so far.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

type session struct {
	s    *Server
	c    *smtp.Conn
	auth bool
	from string
	to   []string
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, password string) error {
		if user != User || password != Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication failed"}
		}
		x.auth = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if !x.auth {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if len(x.s.rcptErrs) > 0 {
		err := x.s.rcptErrs[0]
		x.s.rcptErrs = x.s.rcptErrs[1:]
		return err
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if len(x.s.answers) > 0 {
		err := x.s.answers[0]
		x.s.answers = x.s.answers[1:]
		return err
	}
	_, isTLS := x.c.TLSConnectionState()
	x.s.received = append(x.s.received, Received{From: x.from, To: x.to, Data: bytes.Clone(data), TLS: isTLS, Auth: x.auth, Helo: x.c.Hostname()})
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// certificate makes a self-signed certificate for 127.0.0.1 and a pool
// that trusts it.
func certificate(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtp.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// Garbage starts a server that answers what no SMTP server would, and
// returns its port.
func Garbage(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			} else if err != nil {
				continue
			}
			c.SetDeadline(time.Now().Add(5 * time.Second))
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
			time.Sleep(100 * time.Millisecond)
			c.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}
func (quiet) Println(...any)        {}
