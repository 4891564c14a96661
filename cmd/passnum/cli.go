package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/keyset"
	"github.com/passnum/passnum/internal/sqlstore"
)

// Environment variables the command reads.
const (
	envDB       = "PASSNUM_DB"
	envPassword = "PASSNUM_PASSWORD"
	defaultDB   = "passnum.db"
	// envDBMaxConns bounds the connections to PostgreSQL of one process
	// (64 by default).
	envDBMaxConns = "PASSNUM_DB_MAX_CONNS"
)

// cli is one run of the command line: where output goes and the global
// configuration.
type cli struct {
	stdout, stderr io.Writer
	// dsn is the database: --db, else PASSNUM_DB, else passnum.db.
	dsn string
	// dsnExplicit is true when --db or PASSNUM_DB chose the database;
	// dsnFlag when --db did.
	dsnExplicit, dsnFlag bool
	// login names the operator in the audit trail ("cli:" + login).
	login string
	// now, when set, is the store's clock (tests move time with it).
	now passnum.Clock
	// logFormat is "text" or "json" (serve --log-format, PASSNUM_LOG_FORMAT).
	logFormat string
	// privacySet holds the privacy settings once read (privacy.go).
	privacySet *passnum.PrivacySettings
	// keysFromDatabase makes the store take its keys from the database
	// whatever the environment says (keys move).
	keysFromDatabase bool
}

func newCLI(stdout, stderr io.Writer) *cli {
	c := &cli{stdout: stdout, stderr: stderr, dsn: defaultDB, logFormat: "text"}
	if os.Getenv(envLogFormat) == "json" {
		c.logFormat = "json"
	}
	if v := os.Getenv(envDB); v != "" {
		c.dsn, c.dsnExplicit = v, true
	}
	c.login = os.Getenv("USER")
	if c.login == "" {
		if u, err := user.Current(); err == nil {
			c.login = u.Username
		} else {
			c.login = "inconnu"
		}
	}
	return c
}

const globalDoc = `passnum gère un programme de Pass numérique de bout en bout. Les commandes
agissent en tant qu'opérateur (cli:$USER dans le journal d'audit).

Base de données : --db BASE ou la variable PASSNUM_DB ; par défaut le
fichier SQLite passnum.db du répertoire courant ; une URL postgres://…
choisit PostgreSQL. L'option --db se place avant la commande ou parmi ses
options.

Chaque commande décrit ses options avec --help, par exemple :
  passnum programme create --help
passnum --version (comme passnum version) affiche la version.`

// command is a line of the table of commands (main.go).
type command struct {
	path    string   // the words after passnum: "venue qualify"
	summary string   // its line in the lists of commands
	store   storeUse // what it opens before it runs
	// setup declares the command's options and its documentation, and
	// returns what it does with them; nil for a group such as "venue",
	// whose line only sums up its subcommands.
	setup func(o *options) runFunc
}

// runFunc is what a command does once its options are read: ctx acts as
// the operator and s is open when its line asks for it (nil otherwise).
type runFunc func(ctx context.Context, s store) error

// storeUse is what a command opens before it runs.
type storeUse int

const (
	noStore     storeUse = iota // nothing: version, serve (which opens its own)
	asOperator                  // the store, ctx acting as the operator (cli:$USER)
	plainStore                  // the store, no actor: what needs no rights (backup, opendata)
	createStore                 // the store, created if missing: migrate
)

// store is what commands use of the database: the platform's service, and
// what only the operator's terminal does.
type store interface {
	passnum.Service
	Dialect() string
	Backup(ctx context.Context, path string) error
	RotateKey(ctx context.Context) (string, error)
	// The installation's keys (keys.go).
	Keys() *keyset.Set
	MoveKeys(ctx context.Context, write func(*keyset.Set) error) (*keyset.Set, error)
	SealedSeeds(ctx context.Context) (map[string]int, error)
	// SealAudit chains the audit journal's new entries (audit.go).
	SealAudit(ctx context.Context) (int, error)
	// Retain runs the retention job, telling its progress (retention.go).
	Retain(ctx context.Context, dryRun bool, progress func(passnum.RetentionCount)) (*passnum.RetentionRun, error)
	// SendReminders queues the day's reminders (reminders.go).
	passnum.ReminderService
	// RecountIndicators recomputes every indicator, whatever changed
	// (indicators refresh --full).
	RecountIndicators(ctx context.Context, progress func(done, total int64)) (*passnum.IndicatorSnapshot, error)
}

// as declares a command under the name of the one it stands for, so that
// its help and errors name the command people should learn.
func as(path string, setup func(o *options) runFunc) func(o *options) runFunc {
	return func(o *options) runFunc {
		o.path = "passnum " + path
		return setup(o)
	}
}

func (c *cli) run(ctx context.Context, args []string) int {
	return c.exit(c.execute(ctx, args))
}

// execute parses the global options and runs the command.
func (c *cli) execute(ctx context.Context, args []string) error {
	cmds := c.commands()
	o := c.options(ctx, "passnum")
	o.usage("[--db BASE] COMMANDE [OPTIONS]", globalDoc+"\n\nCommandes :\n"+listCommands(cmds, ""))
	o.allowArgs = true
	var showVersion bool
	o.bool(&showVersion, "version", "affiche la version (comme passnum version)")
	if err := o.parse(args); err != nil {
		return err
	}
	if showVersion {
		currentStamp().write(c.stdout)
		return nil
	}
	rest := o.set.Args()
	if len(rest) == 0 {
		return usageErrorf("passnum", "indiquez une commande : %s", strings.Join(names(cmds, ""), ", "))
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		if len(rest) == 0 {
			return o.help()
		}
		return c.execute(ctx, append(rest, "--help"))
	}
	cmd, ok := find(cmds, name)
	if !ok || strings.Contains(name, " ") { // "org create" in one argument is no command
		return usageErrorf("passnum", "commande inconnue : %q (commandes : %s)", name, strings.Join(names(cmds, ""), ", "))
	}
	if cmd.setup == nil {
		return c.group(ctx, cmds, name, rest)
	}
	return c.runCommand(ctx, cmd, rest)
}

// group runs a subcommand of a group such as "org create".
func (c *cli) group(ctx context.Context, cmds []command, name string, args []string) error {
	path := "passnum " + name
	if len(args) == 0 {
		return usageErrorf(path, "indiquez une sous-commande : %s", strings.Join(names(cmds, name), ", "))
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(c.stdout, "usage : %s SOUS-COMMANDE [OPTIONS]\n\nSous-commandes :\n%s\nChaque sous-commande décrit ses options avec --help.\n", path, listCommands(cmds, name))
		return errHelpShown
	}
	sub, ok := find(cmds, name+" "+args[0])
	if !ok {
		return usageErrorf(path, "sous-commande inconnue : %q (%s)", args[0], strings.Join(names(cmds, name), ", "))
	}
	return c.runCommand(ctx, sub, args[1:])
}

// runCommand reads a command's options, opens what its line asks for,
// runs it and closes the store.
func (c *cli) runCommand(ctx context.Context, cmd command, args []string) error {
	o := c.options(ctx, "passnum "+cmd.path)
	run := cmd.setup(o)
	if err := o.parse(args); err != nil {
		return err
	}
	if cmd.store == noStore {
		return run(ctx, nil)
	}
	s, err := c.open(ctx, cmd.store == createStore)
	if err != nil {
		return err
	}
	defer s.Close()
	if cmd.store == asOperator {
		a, err := s.SystemActor(ctx, "cli:"+c.login)
		if err != nil {
			return err
		}
		ctx = passnum.NewContextWithActor(ctx, a)
	}
	return run(ctx, s)
}

// find returns the command of path.
func find(cmds []command, path string) (command, bool) {
	i := slices.IndexFunc(cmds, func(cmd command) bool { return cmd.path == path })
	if i < 0 {
		return command{}, false
	}
	return cmds[i], true
}

// names returns, sorted, the names of the commands of group: its
// subcommands, or with "" the commands themselves.
func names(cmds []command, group string) []string {
	var names []string
	for _, cmd := range cmds {
		parent, name, ok := strings.Cut(cmd.path, " ")
		switch {
		case group == "" && !ok:
			names = append(names, cmd.path)
		case group != "" && ok && parent == group:
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// listCommands lists the commands of group, one line each with its summary.
func listCommands(cmds []command, group string) string {
	var b strings.Builder
	for _, name := range names(cmds, group) {
		path := name
		if group != "" {
			path = group + " " + name
		}
		cmd, _ := find(cmds, path)
		fmt.Fprintf(&b, "  %-12s %s\n", name, cmd.summary)
	}
	return b.String()
}

// exit prints err as one line on stderr and returns the exit status.
func (c *cli) exit(err error) int {
	if err == nil || errors.Is(err, errHelpShown) {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(c.stderr, "%s : %s (aide : %s --help)\n", ue.cmd, oneLine(ue.msg), ue.cmd)
		return 2
	}
	fmt.Fprintf(c.stderr, "passnum : %s\n", oneLine(describe(err)))
	return 1
}

// describe renders an error for the operator: the French message and the
// option at fault for our errors, the detail of any other (the operator is
// the one who can act on it).
func describe(err error) string {
	var e *passnum.Error
	switch {
	case errors.As(err, &e):
		msg := passnum.ErrorMessage(err)
		if e.Code == passnum.EINTERNAL && e.Message == "" {
			msg = "Erreur interne : " + err.Error()
		}
		if e.Field != "" {
			msg += " (" + fieldLabel(e.Field) + ")"
		}
		return msg
	case errors.Is(err, context.Canceled):
		return "Interrompu."
	}
	return "Erreur interne : " + err.Error()
}

// fieldLabel names the option that sets a field of the service's inputs.
func fieldLabel(field string) string {
	options := map[string]string{
		"kind": "kind", "name": "name", "siret": "siret", "commune_insee": "commune", "qualification": "qualification",
		"venue_id": "id", "reason": "reason", "email": "email", "role": "role", "org_id": "org",
		"funders": "funder", "budget_cents": "budget", "face_value_cents": "face-value", "carnet_size": "carnet-size",
		"valid_from": "from", "valid_until": "until", "tolerance_days": "tolerance-days", "fee_bp": "fee-bp",
		"territory": "territory", "services": "service", "programme_id": "programme", "funder_id": "funder",
		"reference": "reference", "amount_cents": "amount", "received_on": "received-on", "carnets": "carnets",
		"batch_id": "batch", "first_carnet": "first", "last_carnet": "last", "prescriber_id": "prescriber",
		"scope": "scope", "serial": "serial", "carnet": "carnet", "status": "status",
	}
	switch field {
	case "password":
		return "variable " + envPassword
	case "smtp-password":
		return "variable " + envSMTPPassword + " ou " + envSMTPPasswordFile
	case "base-url":
		return "option --url"
	}
	if strings.HasPrefix(field, "smtp-") || strings.HasPrefix(field, "mail-") {
		return "option --" + field // the settings of outgoing mail (mail.go)
	}
	if o, ok := options[field]; ok {
		return "option --" + o
	}
	return "champ " + field
}

// oneLine keeps a message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// displayDSN hides the password of a PostgreSQL URL.
func displayDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// logger writes logs on stderr, as text or as one JSON object a line
// (--log-format).
func (c *cli) logger(level slog.Level) *slog.Logger {
	if c.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(c.stderr, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: level}))
}

// open opens the store. Unless create is set, a SQLite file must already
// exist: a typo in --db should not silently start an empty platform.
func (c *cli) open(ctx context.Context, create bool, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	if !create && !isPostgres(c.dsn) {
		path := strings.TrimPrefix(c.dsn, "sqlite:")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, passnum.Errorf(passnum.ENOTFOUND, "database-missing",
				"La base %s n'existe pas : créez-la avec « passnum migrate » ou indiquez la bonne avec --db ou %s.", path, envDB)
		}
	}
	privacy, err := c.privacy()
	if err != nil {
		return nil, err
	}
	// Links in the messages a command queues start with PASSNUM_URL;
	// serve gives its own, which comes after and wins.
	opts = append([]sqlstore.Option{sqlstore.WithLogger(c.logger(slog.LevelWarn)), sqlstore.WithPrivacy(privacy),
		sqlstore.WithPublicURL(os.Getenv("PASSNUM_URL"))}, opts...)
	if c.now != nil {
		opts = append(opts, sqlstore.WithClock(c.now))
	}
	// The keys: a key file or the environment, else the database's.
	if !c.keysFromDatabase {
		keys, err := keyset.FromEnv(os.Getenv)
		if err != nil {
			return nil, err
		}
		if keys != nil {
			opts = append(opts, sqlstore.WithKeys(keys))
		}
	}
	if v := os.Getenv(envDBMaxConns); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > 1000 {
			return nil, &passnum.Error{Code: passnum.EINVALID, Reason: passnum.ReasonInvalidInput,
				Message: fmt.Sprintf("%s=%q : attendu un nombre de connexions à PostgreSQL entre 2 et 1000.", envDBMaxConns, v)}
		}
		opts = append(opts, sqlstore.WithMaxConns(n))
	}
	s, err := sqlstore.Open(ctx, c.dsn, opts...)
	if code := passnum.ErrorCode(err); code != "" && code != passnum.EINTERNAL {
		return nil, err // the keys' refusals say what to do
	}
	if err != nil {
		return nil, &passnum.Error{Code: passnum.EINTERNAL, Reason: "database-unavailable",
			Message: fmt.Sprintf("Impossible d'ouvrir la base %s : %v", displayDSN(c.dsn), err)}
	}
	return s, nil
}

// printf writes to stdout.
func (c *cli) printf(format string, args ...any) {
	fmt.Fprintf(c.stdout, format, args...)
}
