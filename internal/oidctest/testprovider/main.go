// Command testprovider serves the test OpenID Connect provider of package
// oidctest for the browser tests (e2e/proconnect.test.mjs): its sign-in
// form takes any e-mail. It is built by those tests only, never part of
// passnum's binary, and never to be exposed.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/passnum/passnum/internal/oidctest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	clientID := flag.String("client-id", "passnum-e2e", "the one client's id")
	redirect := flag.String("redirect-url", "", "the client's redirect URL")
	postLogout := flag.String("post-logout-url", "", "where logout may send people back")
	flag.Parse()
	secret := os.Getenv("TEST_PROVIDER_CLIENT_SECRET")
	if *redirect == "" || secret == "" {
		log.Fatal("testprovider: --redirect-url and TEST_PROVIDER_CLIENT_SECRET are required")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	p, err := oidctest.New(issuer, oidctest.Config{ClientID: *clientID, ClientSecret: secret, RedirectURL: *redirect, PostLogoutURLs: []string{*postLogout}})
	if err != nil {
		log.Fatal(err)
	}
	p.AcceptAnyEmail()
	fmt.Printf("test provider ready at %s\n", issuer)
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}
