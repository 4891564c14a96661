package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/user"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
)

// Environment variables the command reads.
const (
	envDB       = "PASSNUM_DB"
	envPassword = "PASSNUM_PASSWORD"
	defaultDB   = "passnum.db"
)

// command is a subcommand: its function and a one-line summary for the list.
type command struct {
	run     func(ctx context.Context, args []string) error
	summary string
}

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
  passnum programme create --help`

func (c *cli) run(ctx context.Context, args []string) int {
	return c.exit(c.execute(ctx, args))
}

// execute parses the global flags and runs the subcommand.
func (c *cli) execute(ctx context.Context, args []string) error {
	cmds := c.commands()
	fs := c.flags("passnum", "passnum [--db BASE] COMMANDE [OPTIONS]", globalDoc+"\n\nCommandes :\n"+listCommands(cmds))
	fs.allowArgs = true
	if err := fs.parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return usageErrorf("passnum", "indiquez une commande : %s", strings.Join(sortedKeys(cmds), ", "))
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		if len(rest) == 0 {
			return fs.help()
		}
		return c.execute(ctx, append(rest, "--help"))
	}
	cmd, ok := cmds[name]
	if !ok {
		return usageErrorf("passnum", "commande inconnue : %q (commandes : %s)", name, strings.Join(sortedKeys(cmds), ", "))
	}
	if name == "bench" && c.dsnFlag {
		// bench has its own --db (a database to create, not to open); a
		// --db given before the command means the same.
		rest = append([]string{"--db", c.dsn}, rest...)
	}
	return cmd.run(ctx, rest)
}

// group runs a subcommand of a group such as "org create".
func (c *cli) group(ctx context.Context, name string, args []string, subs map[string]command) error {
	path := "passnum " + name
	if len(args) == 0 {
		return usageErrorf(path, "indiquez une sous-commande : %s", strings.Join(sortedKeys(subs), ", "))
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(c.stdout, "usage : %s SOUS-COMMANDE [OPTIONS]\n\nSous-commandes :\n%s\nChaque sous-commande décrit ses options avec --help.\n", path, listCommands(subs))
		return errHelpShown
	}
	sub, ok := subs[args[0]]
	if !ok {
		return usageErrorf(path, "sous-commande inconnue : %q (%s)", args[0], strings.Join(sortedKeys(subs), ", "))
	}
	return sub.run(ctx, args[1:])
}

func sortedKeys(m map[string]command) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func listCommands(m map[string]command) string {
	var b strings.Builder
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(&b, "  %-12s %s\n", k, m[k].summary)
	}
	return b.String()
}

// flagSet is a subcommand's flags: --help prints its documentation on
// stdout, and errors come back as usage errors instead of being printed.
type flagSet struct {
	*flag.FlagSet
	c         *cli
	path      string // "passnum org create"
	synopsis  string
	doc       string
	allowArgs bool
}

// flags returns the flag set of a subcommand, with --db already defined.
func (c *cli) flags(path, synopsis, doc string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(path, flag.ContinueOnError), c: c, path: path, synopsis: synopsis, doc: doc}
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.Var(dbValue{c}, "db", "`base` : fichier SQLite ou URL postgres:// (variable PASSNUM_DB ; défaut passnum.db)")
	return fs
}

// dbValue sets the database of the run and remembers it was chosen.
type dbValue struct{ c *cli }

func (v dbValue) String() string {
	if v.c == nil {
		return ""
	}
	return displayDSN(v.c.dsn)
}

func (v dbValue) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("base vide")
	}
	v.c.dsn, v.c.dsnExplicit, v.c.dsnFlag = s, true, true
	return nil
}

// parse parses args; --help prints the documentation and returns
// errHelpShown.
// parse reads the arguments, then checks that the required options were
// given.
func (fs *flagSet) parse(args []string, required ...string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return fs.help()
	}
	if err != nil {
		return &usageError{cmd: fs.path, msg: translateFlagError(err)}
	}
	if !fs.allowArgs && fs.NArg() > 0 {
		return usageErrorf(fs.path, "argument inattendu : %q (les valeurs se donnent par des options, par exemple --id 3)", fs.Arg(0))
	}
	if err := fs.checkText(); err != nil {
		return err
	}
	return fs.require(required...)
}

// checkText refuses an option whose text holds a character no text may
// hold (passnum.CheckText: control characters, bidirectional controls,
// bytes that are not UTF-8), naming the option, before anything runs. The
// service checks each field again with its own rule (no line break in a
// name…).
func (fs *flagSet) checkText() error {
	var bad error
	fs.Visit(func(f *flag.Flag) {
		if err := passnum.CheckText(f.Name, f.Value.String()); err != nil && bad == nil {
			bad = &passnum.Error{Code: passnum.EINVALID, Reason: passnum.ReasonControlCharacter,
				Message: passnum.ErrorMessage(err) + " (option --" + f.Name + ")"}
		}
	})
	return bad
}

func (fs *flagSet) help() error {
	w := fs.c.stdout
	fmt.Fprintf(w, "usage : %s\n\n%s\n", fs.synopsis, strings.TrimSpace(fs.doc))
	fmt.Fprintln(w, "\nOptions :")
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + strings.ToUpper(name)
		}
		fmt.Fprintf(w, "  --%s%s\n        %s", f.Name, name, usage)
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" && f.Name != "db" {
			fmt.Fprintf(w, " (défaut : %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	return errHelpShown
}

// require returns a usage error naming the first of names not given.
func (fs *flagSet) require(names ...string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, n := range names {
		if !set[n] {
			return usageErrorf(fs.path, "l'option --%s est obligatoire", n)
		}
	}
	return nil
}

// given tells whether the flag was set on the command line.
func (fs *flagSet) given(name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// errHelpShown ends a run that printed help: exit status 0.
var errHelpShown = errors.New("help shown")

// usageError is a wrong command line: exit status 2.
type usageError struct {
	cmd string
	msg string
}

func (e *usageError) Error() string { return e.cmd + ": " + e.msg }

func usageErrorf(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

var invalidValue = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-(\S+): (.*)$`)

// translateFlagError puts the flag package's English errors into French.
func translateFlagError(err error) string {
	s := err.Error()
	if m := invalidValue.FindStringSubmatch(s); m != nil {
		reason := m[3]
		switch {
		case strings.HasSuffix(reason, "parse error"):
			reason = "valeur illisible"
		case strings.HasSuffix(reason, "value out of range"):
			reason = "nombre hors limites"
		}
		return fmt.Sprintf("valeur invalide %s pour --%s : %s", m[1], m[2], reason)
	}
	for prefix, fr := range map[string]string{
		"flag provided but not defined: -": "option inconnue : --",
		"flag needs an argument: -":        "cette option attend une valeur : --",
		"bad flag syntax: ":                "option mal écrite : ",
	} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			return fr + rest
		}
	}
	return s
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
	opts = append([]sqlstore.Option{sqlstore.WithLogger(c.logger(slog.LevelWarn))}, opts...)
	if c.now != nil {
		opts = append(opts, sqlstore.WithClock(c.now))
	}
	s, err := sqlstore.Open(ctx, c.dsn, opts...)
	if err != nil {
		return nil, &passnum.Error{Code: passnum.EINTERNAL, Reason: "database-unavailable",
			Message: fmt.Sprintf("Impossible d'ouvrir la base %s : %v", displayDSN(c.dsn), err)}
	}
	return s, nil
}

// session opens the store and returns a context acting as the operator.
// The caller closes the store.
func (c *cli) session(ctx context.Context) (context.Context, *sqlstore.Store, error) {
	s, err := c.open(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.SystemActor(ctx, "cli:"+c.login)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return passnum.NewContextWithActor(ctx, a), s, nil
}

// printf writes to stdout.
func (c *cli) printf(format string, args ...any) {
	fmt.Fprintf(c.stdout, format, args...)
}

// Integer flags are read in base 10 only: the flag package's own integer
// flags read "0000000123" (a serial as printed on a pass) as octal.

type int64Value struct{ p *int64 }

func (v int64Value) String() string {
	if v.p == nil {
		return ""
	}
	return strconv.FormatInt(*v.p, 10)
}

func (v int64Value) Set(s string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return errors.New("nombre entier attendu")
	}
	*v.p = n
	return nil
}

type intValue struct{ p *int }

func (v intValue) String() string {
	if v.p == nil {
		return ""
	}
	return strconv.Itoa(*v.p)
}

func (v intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return errors.New("nombre entier attendu")
	}
	*v.p = n
	return nil
}

// int64 defines a base-10 int64 flag.
func (fs *flagSet) int64(p *int64, name string, def int64, usage string) {
	*p = def
	fs.Var(int64Value{p}, name, usage)
}

// int defines a base-10 int flag.
func (fs *flagSet) int(p *int, name string, def int, usage string) {
	*p = def
	fs.Var(intValue{p}, name, usage)
}
