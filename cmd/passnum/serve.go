package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/demo"
	"github.com/passnum/passnum/internal/httpapi"
	"github.com/passnum/passnum/internal/metrics"
	"github.com/passnum/passnum/internal/oidclogin"
	"github.com/passnum/passnum/internal/ratelimit"
	"github.com/passnum/passnum/internal/sqlstore"
	"github.com/passnum/passnum/internal/web"
)

// demoDB is the database of `serve --demo` without --db, recreated at each
// start in the working directory.
const demoDB = "passnum-demo.db"

const serveDoc = `Sert l'interface web (en français, pour chaque rôle) et l'API JSON sous
/api/v1 (décrite par /api/openapi.json). Le journal des requêtes va sur la sortie d'erreur
(--log-format json : un objet JSON par ligne). Exploitation : /healthz (le processus répond),
/readyz (la base répond, son schéma est à jour et son disque n'est pas plein ; sinon 503),
/metrics (format Prometheus ;
depuis la boucle locale, ou ailleurs avec le jeton --metrics-token). Ctrl+C (ou
SIGTERM) arrête le serveur proprement : les requêtes en cours se terminent.

Les indicateurs (tableaux de bord, données ouvertes) sont recalculés au
démarrage s'ils datent de plus de --indicators-every, puis à chaque
intervalle ; 0 arrête ce calcul automatique (passnum indicators refresh le
fait à la demande).

Chaque jour, les rappels par courriel sont mis en file : pass qui expirent
dans les 30 jours (prescripteurs, financeurs), demandes RGPD à échéance dans
7 jours (opérateur) ; chacun une seule fois, même sur plusieurs serveurs
(passnum reminders run le fait à la demande).

Avec --oidc-issuer (ou PASSNUM_OIDC_ISSUER), la page de connexion propose
aussi ProConnect (OpenID Connect) ; le README dit comment l'inscrire.

Avec --demo et sans --db ni PASSNUM_DB : la base ` + demoDB + ` du répertoire
courant est supprimée, recréée et remplie de données de démonstration ; les
identifiants de démonstration et des exemples de requêtes s'affichent.
Avec --demo et une base donnée : elle n'est remplie que si elle est vide.`

// serveConfig is what serve's options ask for.
type serveConfig struct {
	addr, metricsToken, publicURL string
	demo                          bool
	every                         time.Duration // of the indicators' computation
	proxies                       ratelimit.TrustedProxies
	mail                          *mailOptions   // outgoing mail (mail.go)
	signIn                        signInSettings // ProConnect (signin.go)
	// secondFactor is --require-second-factor as given ("": not given).
	secondFactor string
	replica      *readReplicaOptions // --db-read (replica.go)
}

// envAddr is the variable of --addr: the Debian package's unit takes it
// from /etc/passnum/passnum.env.
const envAddr = "PASSNUM_ADDR"

// envSecondFactor is the variable of --require-second-factor.
const envSecondFactor = "PASSNUM_REQUIRE_SECOND_FACTOR"

// secondFactorPolicy is whose sign-in waits for a second factor: as set,
// else "admins" in a real installation and "off" in the demo, whose
// printed logins must open the pages at once.
func (cfg serveConfig) secondFactorPolicy() (passnum.SecondFactorPolicy, error) {
	switch {
	case cfg.secondFactor != "":
		return passnum.ParseSecondFactorPolicy(cfg.secondFactor)
	case cfg.demo:
		return passnum.SecondFactorOff, nil
	}
	return passnum.SecondFactorAdmins, nil
}

func (c *cli) serve(o *options) runFunc {
	o.usage("[--addr :8080] [--demo]", serveDoc)
	var cfg serveConfig
	o.string(&cfg.addr, "addr", envOr(envAddr, ":8080"), "`adresse` d'écoute, hôte:port (variable "+envAddr+")")
	o.bool(&cfg.demo, "demo", "données de démonstration (voir ci-dessus)")
	o.string(&cfg.metricsToken, "metrics-token", os.Getenv(envMetricsToken), "`jeton` qui ouvre /metrics hors de la boucle locale (en-tête Authorization: Bearer …) ; variable "+envMetricsToken)
	o.value(logFormatValue{c}, "log-format", "`format` du journal : text ou json (variable "+envLogFormat+")")
	every, err := indicatorsEvery()
	if err != nil {
		o.abort(o.usageErrorf("%s", err))
	}
	o.duration(&cfg.every, "indicators-every", every, "`intervalle` du calcul des indicateurs, par exemple 15m ou 1h ; 0 : jamais (variable "+envIndicatorsEvery+")")
	o.string(&cfg.publicURL, "url", os.Getenv("PASSNUM_URL"), "`adresse` publique du service, par exemple https://pass.example.fr : liens des courriels, cookies sécurisés si https (défaut : l'adresse d'écoute ; variable PASSNUM_URL)")
	if cfg.proxies, err = ratelimit.ParseTrustedProxies(os.Getenv(envTrustedProxies)); err != nil {
		o.abort(o.usageErrorf("%s : %s", envTrustedProxies, err))
	}
	o.value(trustedProxiesValue{&cfg.proxies}, "trusted-proxies", "`réseaux` des mandataires inverses (reverse proxies) dont l'en-tête X-Forwarded-For est cru, séparés par des virgules, par exemple 127.0.0.1/32,::1/128 (défaut : aucun ; variable "+envTrustedProxies+")")
	o.string(&cfg.secondFactor, "require-second-factor", os.Getenv(envSecondFactor), "qui doit prouver un second facteur (application d'authentification, clé d'accès) à la connexion : admins (les administrateurs de l'opérateur et des financeurs ; défaut) ou off (personne, chacun peut en ajouter un ; défaut de --demo) ; variable "+envSecondFactor)
	cfg.mail = mailFlags(o)
	cfg.signIn.declare(o)
	cfg.replica = readReplicaFlags(o)
	o.check(func() error {
		if _, err := cfg.secondFactorPolicy(); err != nil {
			return o.usageErrorf("--require-second-factor : %s", passnum.ErrorMessage(err))
		}
		if cfg.every < 0 {
			return o.usageErrorf("--indicators-every doit être positif ou nul")
		}
		return nil
	})
	return func(ctx context.Context, _ store) error { return c.runServer(ctx, cfg) }
}

// runServer serves the pages and the API until ctx ends (Ctrl+C), then
// lets the requests in progress finish.
func (c *cli) runServer(ctx context.Context, cfg serveConfig) error {
	log := c.logger(slog.LevelInfo)
	// The legal notice's settings are checked before anything opens.
	legal, err := legalSettings(os.Getenv)
	if err != nil {
		return err
	}
	// So are those of outgoing mail, before the database opens.
	early := cfg.publicURL
	if early == "" {
		early = "http://localhost"
	}
	if _, err := cfg.mail.load(early); err != nil {
		return err
	}
	secondFactor, err := cfg.secondFactorPolicy()
	if err != nil {
		return err
	}
	storeOpts := []sqlstore.Option{sqlstore.WithSecondFactor(secondFactor)}
	if opt, err := cfg.replica.storeOption(c.dsn); err != nil {
		return err
	} else if opt != nil {
		storeOpts = append(storeOpts, opt)
	}
	// Listen first: the address is the start of the links of the
	// messages the store queues, the demonstration's included.
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return passnum.Errorf(passnum.EINVALID, "listen", "Impossible d'écouter sur %s : %v", cfg.addr, err)
	}
	base := baseURL(ln.Addr())
	if cfg.publicURL != "" {
		base = strings.TrimSuffix(cfg.publicURL, "/")
	}
	s, creds, err := c.serveStore(ctx, cfg.demo, append(storeOpts, sqlstore.WithPublicURL(base))...)
	if err != nil {
		ln.Close()
		return err
	}
	defer s.Close()
	// The operator signs the documents venues and funders download.
	op, err := s.SystemActor(ctx, "cli:"+c.login)
	if err != nil {
		ln.Close()
		return err
	}
	operator, err := s.FindOrganisation(passnum.NewContextWithActor(ctx, op), op.OrgID)
	if err != nil {
		ln.Close()
		return err
	}
	// Checks and redemptions of the API and the pages are counted in the
	// one wrapper of the service.
	m := metrics.New()
	svc := m.Service(s)
	signIn, err := cfg.signIn.signInClient(ctx, base, log)
	if err != nil {
		ln.Close()
		return err
	}
	// The background jobs of the pages (internal/web/jobs.go), and the
	// name of this server in them and in the periods it claims
	// (schedule.go).
	jobs := web.NewJobs("", m.ObserveJob)
	sched := &scheduler{claims: s, server: jobs.Server(), log: log, done: m.ObserveJob}
	handler, err := mount(s, svc, m, mountOptions{log: log, base: base, operator: operator.Name, metricsToken: cfg.metricsToken, proxies: cfg.proxies, legal: &legal, signIn: signIn, mailSending: cfg.mail.settings.Configured(), jobs: jobs})
	if err != nil {
		ln.Close()
		return err
	}
	srv := newHTTPServer(handler, log)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if cfg.every > 0 {
		// Stopped before the store closes.
		defer refreshInBackground(ctx, op, svc, cfg.every, sched)()
	}
	// The audit journal's chain (audit.go), also stopped before the
	// store closes.
	defer sealInBackground(ctx, s, sqlstore.SealEvery, log, m.ObserveJob)()
	// The retention job, daily; stopped before the store closes too.
	defer retainInBackground(ctx, op, s, sched)()
	// Jobs of the pages whose server fell silent are failed, by whichever
	// server notices first (schedule.go).
	defer reapJobsInBackground(ctx, op, s, jobs, log)()
	// The sender of the outbox (mail.go), when outgoing mail is set up.
	stopMail, err := c.startMail(ctx, cfg.mail, base, s, log)
	if err != nil {
		srv.Close()
		return err
	}
	defer stopMail()
	// The daily reminders (reminders.go), stopped before the store closes.
	defer remindInBackground(ctx, op, s, sched)()

	c.printf("passnum écoute sur %s (base %s : %s).\n", base, s.Dialect(), displayDSN(c.dsn))
	c.printf("Interface web : %s/ ; API : %s/api/v1/ ; description OpenAPI : %s/api/openapi.json\n", base, base, base)
	c.printf("Second facteur à la connexion : %s.\n", secondFactor)
	c.printf("Clés (signature des QR codes, chiffrement des graines TOTP) : %s.\n", s.Keys().Source)
	if d := cfg.replica.describe(); d != "" {
		c.printf("%s\n", d)
	}
	if cfg.demo && cfg.secondFactor == "" {
		c.printf("(Démonstration : le second facteur n'est pas exigé, pour que les comptes ci-dessous s'ouvrent tout de suite ; --require-second-factor admins l'exige.)\n")
	}
	if creds != nil {
		c.printDemo(base, creds)
	}
	c.printf("Arrêt : Ctrl+C.\n")
	return shutdownAtEnd(ctx, srv, served, log)
}

// serveStore opens the store serve serves, creating it if need be; with
// --demo, it fills it with the demo data set (without --db nor PASSNUM_DB,
// in a database recreated at each start) and returns the demo's
// credentials.
func (c *cli) serveStore(ctx context.Context, withDemo bool, opts ...sqlstore.Option) (*sqlstore.Store, *demo.Credentials, error) {
	if !withDemo {
		s, err := c.open(ctx, true, opts...)
		return s, nil, err
	}
	if !c.dsnExplicit {
		c.dsn = demoDB
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(demoDB + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, nil, passnum.Errorf(passnum.EINVALID, "demo-db", "Impossible de recréer la base de démonstration : %v", err)
			}
		}
	}
	clock := &demo.Clock{}
	s, err := c.open(ctx, true, append(opts, sqlstore.WithClock(clock.Now))...)
	if err != nil {
		return nil, nil, err
	}
	creds, err := c.seedDemo(ctx, s, clock)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, creds, nil
}

// newHTTPServer returns the server of handler, with the timeouts of a
// server facing the Internet.
func newHTTPServer(handler http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		// Long enough for the CSV export of a large batch.
		WriteTimeout:   5 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// refreshInBackground recomputes the indicators every interval, as the
// operator op, on one of the servers, until the stop it returns is called.
func refreshInBackground(ctx context.Context, op *passnum.Actor, svc passnum.IndicatorService, every time.Duration, sc *scheduler) (stop func()) {
	job := *op
	job.Label = "serve:indicators"
	jobCtx, cancel := context.WithCancel(passnum.NewContextWithActor(ctx, &job))
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		refreshIndicatorsEvery(jobCtx, svc, sc, every)
	}()
	return func() { cancel(); <-finished }
}

// shutdownAtEnd waits until ctx ends, then shuts srv down, letting the
// requests in progress finish; served is what srv.Serve returned.
func shutdownAtEnd(ctx context.Context, srv *http.Server, served chan error, log *slog.Logger) error {
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: waiting for requests in progress")
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	<-served
	log.Info("stopped")
	return nil
}

// mountOptions are what mount needs beside the store and the metrics.
type mountOptions struct {
	log          *slog.Logger
	base         string // public address, for links in e-mails and secure cookies
	operator     string // the operator's name, which signs documents
	metricsToken string
	proxies      ratelimit.TrustedProxies // whose X-Forwarded-For is believed
	legal        *passnum.LegalSettings   // the legal notice's, nil for the defaults
	mailSending  bool                     // a sender delivers the outbox (mail.go)
	signIn       *oidclogin.Client        // ProConnect's, nil when off
	jobs         *web.Jobs                // the pages' background jobs, nil: their own
}

// mount builds what serve answers: /healthz, /readyz and /metrics in front
// of the API (under /api/) and the pages, over svc (s counted in m).
func mount(s *sqlstore.Store, svc passnum.Service, m *metrics.Metrics, o mountOptions) (http.Handler, error) {
	// One set of counters of guessed codes for the API and the pages.
	limits := ratelimit.NewShared()
	pages, err := web.NewServer(svc, web.Options{Logger: o.log, BaseURL: o.base, Limits: limits, TrustedProxies: o.proxies, OperatorName: o.operator, JobDone: m.ObserveJob, Jobs: o.jobs, Privacy: privacyOf(s), Legal: o.legal, SignIn: o.signIn, MailSending: o.mailSending})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", httpapi.NewServer(svc, httpapi.Options{Logger: o.log, Limits: limits, TrustedProxies: o.proxies, OperatorName: o.operator}).Handler())
	mux.Handle("/", pages.Handler())
	return opsHandler(s, m, o.metricsToken, o.log, mux), nil
}

// seedDemo fills the store with the demo data set, unless it already holds
// data (an explicit --db that is not empty).
func (c *cli) seedDemo(ctx context.Context, s *sqlstore.Store, clock *demo.Clock) (*demo.Credentials, error) {
	empty, err := demo.IsEmpty(ctx, s)
	if err != nil {
		return nil, err
	}
	if !empty {
		fmt.Fprintf(c.stderr, "La base %s contient déjà des données : pas de données de démonstration ajoutées.\n", displayDSN(c.dsn))
		return nil, nil
	}
	now := time.Now()
	if c.now != nil {
		now = c.now()
	}
	start := time.Now()
	creds, err := demo.Seed(demo.WithClock(ctx, clock), s, now, c.stderr)
	clock.Release()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c.stderr, "démo : prête en %s\n", formatSeconds(time.Since(start)))
	return creds, nil
}

// Environment variable of serve --trusted-proxies.
const envTrustedProxies = "PASSNUM_TRUSTED_PROXIES"

// trustedProxiesValue is --trusted-proxies: a list of networks.
type trustedProxiesValue struct{ p *ratelimit.TrustedProxies }

func (v trustedProxiesValue) String() string {
	if v.p == nil {
		return ""
	}
	return v.p.String()
}

func (v trustedProxiesValue) Set(s string) error {
	p, err := ratelimit.ParseTrustedProxies(s)
	if err != nil {
		return err
	}
	*v.p = p
	return nil
}

// baseURL is the address people type: localhost for "every interface".
func baseURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

func (c *cli) printDemo(base string, creds *demo.Credentials) {
	c.printf("\nDonnées de démonstration : programme n°%d, lot n°%d.\n", creds.ProgrammeID, creds.BatchID)
	c.printf("\nComptes de l'interface web (%s/connexion) :\n", base)
	for _, l := range creds.Logins {
		c.printf("  %-36s %-36s mot de passe : %s\n", l.Role, l.Email, l.Password)
	}
	c.printf("\nJetons d'API (en-tête Authorization: Bearer …) :\n")
	var venueToken, funderToken string
	for _, t := range creds.Tokens {
		c.printf("  %-36s %s\n", t.Role, t.Secret)
		switch t.Kind {
		case passnum.KindVenue:
			venueToken = t.Secret
		case passnum.KindFunder:
			funderToken = t.Secret
		}
	}
	p := creds.Pass
	c.printf("\nUn pass remis à une personne (bénéficiaire %s, carnet n°%d) et pas encore utilisé : %s\n", p.BeneficiaryRef, p.Carnet, p.Code)
	c.printf("\nLe lieu de médiation vérifie ce pass avant l'atelier :\n")
	c.printf("  curl -s -X POST %s/api/v1/checks -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{\"codes\":[\"%s\"],\"service_id\":%d}'\n",
		base, venueToken, p.Code, creds.ServiceID)
	c.printf("\nPuis l'encaisse (la même clé d'idempotence ne l'encaisse jamais deux fois) :\n")
	c.printf("  curl -s -X POST %s/api/v1/redemptions -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -H 'Idempotency-Key: essai-1' -d '{\"codes\":[\"%s\"],\"service_id\":%d}'\n",
		base, venueToken, p.Code, creds.ServiceID)
	if funderToken != "" {
		c.printf("\nLe financeur suit son programme (pass par état, fonds reçus) :\n")
		c.printf("  curl -s %s/api/v1/programmes/%d -H 'Authorization: Bearer %s'\n", base, creds.ProgrammeID, funderToken)
	}
	c.printf("\n")
}
