package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// options are a command's options: declared once by its setup, each with
// its type, then read and checked by parse before anything runs. --help
// prints the command's documentation on stdout, and every mistake comes
// back as a usage error instead of being printed.
type options struct {
	set *flag.FlagSet
	c   *cli
	// ctx is the run's, for checks that wait on a person (a password
	// typed at the keyboard).
	ctx       context.Context
	path      string // "passnum org create", in help and errors
	synopsis  string
	doc       string
	allowArgs bool
	// required are the options that must be given, in the order their
	// absence is reported.
	required []string
	// checks run after the required options are there, in the order they
	// were declared.
	checks []func() error
	// err, met while declaring (a default from the environment that does
	// not read), ends the command before its arguments are read.
	err error
	// ownArgs, set by a command that reads its arguments itself (bench),
	// makes parse keep them in args.
	ownArgs bool
	args    []string
}

// need marks an option the command cannot run without.
type need bool

// required is the need of an option that must be given.
const required need = true

// options returns the options of the command path, with --db already
// declared.
func (c *cli) options(ctx context.Context, path string) *options {
	o := &options{set: flag.NewFlagSet(path, flag.ContinueOnError), c: c, ctx: ctx, path: path, synopsis: path}
	o.set.SetOutput(io.Discard)
	o.set.Usage = func() {}
	o.set.Var(dbValue{c}, "db", "`base` : fichier SQLite ou URL postgres:// (variable PASSNUM_DB ; défaut passnum.db)")
	return o
}

// usage sets what --help says: the arguments after the command's name,
// then a description.
func (o *options) usage(args, doc string) {
	o.synopsis = strings.TrimSpace(o.path + " " + args)
	o.doc = doc
}

// check adds a check run once the options are read.
func (o *options) check(f func() error) { o.checks = append(o.checks, f) }

// abort ends the command with err before its arguments are read; the
// first such error wins.
func (o *options) abort(err error) {
	if o.err == nil {
		o.err = err
	}
}

// usageErrorf returns a usage error of the command: exit status 2.
func (o *options) usageErrorf(format string, args ...any) error {
	return usageErrorf(o.path, format, args...)
}

// markRequired adds name to the required options when n says so.
func (o *options) markRequired(name string, n []need) {
	if len(n) > 0 && n[0] {
		o.required = append(o.required, name)
	}
}

// string declares a text option.
func (o *options) string(p *string, name, def, usage string, n ...need) {
	o.set.StringVar(p, name, def, usage)
	o.markRequired(name, n)
}

// int64 declares a whole number (a record's number, a serial), read in
// base 10.
func (o *options) int64(p *int64, name, usage string, n ...need) {
	o.value(int64Value{p}, name, usage, n...)
}

// int declares a whole number read in base 10, def unless given.
func (o *options) int(p *int, name string, def int, usage string, n ...need) {
	*p = def
	o.value(intValue{p}, name, usage, n...)
}

// bool declares a switch.
func (o *options) bool(p *bool, name, usage string) {
	o.set.BoolVar(p, name, false, usage)
}

// duration declares a length of time, such as 15m or 1h.
func (o *options) duration(p *time.Duration, name string, def time.Duration, usage string) {
	o.set.DurationVar(p, name, def, usage)
}

// value declares an option of any other type.
func (o *options) value(v flag.Value, name, usage string, n ...need) {
	o.set.Var(v, name, usage)
	o.markRequired(name, n)
}

// list declares a repeatable text option.
func (o *options) list(p *[]string, name, usage string, n ...need) {
	o.value(listValue{p}, name, usage, n...)
}

// euros declares an amount in euros, kept in cents; *p is its default.
func (o *options) euros(p *int64, name, usage string) {
	o.value(eurosValue{p}, name, usage)
}

// amount declares an amount that must be given, in euros with --NAME or in
// cents with --NAME-cents; what says what it is ("montant reçu").
func (o *options) amount(p *int64, name, what string) {
	var euros, cents int64
	o.value(eurosValue{&euros}, name, what+" en `euros`")
	o.int64(&cents, name+"-cents", what+" en `centimes`")
	o.check(func() error {
		switch {
		case o.given(name) && o.given(name+"-cents"):
			return o.usageErrorf("donnez --%s (euros) ou --%s-cents, pas les deux", name, name)
		case o.given(name + "-cents"):
			*p = cents
		case o.given(name):
			*p = euros
		default:
			return o.usageErrorf("l'option --%s (euros) ou --%s-cents est obligatoire", name, name)
		}
		return nil
	})
}

// date declares a day, AAAA-MM-JJ, checked when given.
func (o *options) date(p *string, name, usage string) {
	o.string(p, name, "", usage)
	o.check(func() error {
		if !o.given(name) {
			return nil
		}
		if _, err := time.Parse(passnum.DateLayout, *p); err != nil {
			return o.usageErrorf("date invalide pour --%s : %q (AAAA-MM-JJ attendu, par exemple 2027-02-28)", name, *p)
		}
		return nil
	})
}

// status declares a venue's qualification status; "" is every status.
func (o *options) status(p *passnum.Qualification, name, usage string, n ...need) {
	var s string
	o.string(&s, name, "", usage, n...)
	o.check(func() error {
		for _, q := range venueStatuses {
			if string(q) == s {
				*p = q
				return nil
			}
		}
		if s == "" {
			return nil
		}
		return o.usageErrorf("statut inconnu : %q (%s)", s, statusNames())
	})
}

// fileFormat declares the format of a file, csv or json: by default json
// for a file *file named .json, csv otherwise.
func (o *options) fileFormat(p *string, name, usage string, file *string) {
	o.string(p, name, "", usage)
	o.check(func() error {
		switch *p {
		case "csv", "json":
			return nil
		case "":
			*p = "csv"
			if strings.EqualFold(filepath.Ext(*file), ".json") {
				*p = "json"
			}
			return nil
		}
		return o.usageErrorf("format inconnu : %q (csv ou json)", *p)
	})
}

// carnetRange declares --first and --last, a range of carnets, which
// goes instead of the option other: one or the other, --first alone
// meaning one carnet.
func (o *options) carnetRange(first, last *int64, other string) {
	o.int64(first, "first", "premier `carnet` de la plage")
	o.int64(last, "last", "dernier `carnet` de la plage (défaut : --first)")
	o.check(func() error {
		switch {
		case o.given(other) == (o.given("first") || o.given("last")):
			return o.usageErrorf("donnez soit --%s, soit --first et --last", other)
		case o.given("last") && !o.given("first"):
			return o.usageErrorf("--last va avec --first")
		case o.given("first") && !o.given("last"):
			*last = *first
		}
		return nil
	})
}

// parse reads the arguments, then checks them: no text with a character
// text may not hold, every required option given, then the command's own
// checks.
func (o *options) parse(args []string) error {
	if o.err != nil {
		return o.err
	}
	if o.ownArgs {
		o.args = args
		return nil
	}
	err := o.set.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return o.help()
	}
	if err != nil {
		return &usageError{cmd: o.path, msg: translateFlagError(err)}
	}
	if !o.allowArgs && o.set.NArg() > 0 {
		return o.usageErrorf("argument inattendu : %q (les valeurs se donnent par des options, par exemple --id 3)", o.set.Arg(0))
	}
	if err := o.checkText(); err != nil {
		return err
	}
	for _, n := range o.required {
		if !o.given(n) {
			return o.usageErrorf("l'option --%s est obligatoire", n)
		}
	}
	for _, check := range o.checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// checkText refuses an option whose text holds a character no text may
// hold (passnum.CheckText: control characters, bidirectional controls,
// bytes that are not UTF-8), naming the option, before anything runs. The
// service checks each field again with its own rule (no line break in a
// name…).
func (o *options) checkText() error {
	var bad error
	o.set.Visit(func(f *flag.Flag) {
		if err := passnum.CheckText(f.Name, f.Value.String()); err != nil && bad == nil {
			bad = &passnum.Error{Code: passnum.EINVALID, Reason: passnum.ReasonControlCharacter,
				Message: passnum.ErrorMessage(err) + " (option --" + f.Name + ")"}
		}
	})
	return bad
}

// help prints the documentation and returns errHelpShown.
func (o *options) help() error {
	w := o.c.stdout
	fmt.Fprintf(w, "usage : %s\n\n%s\n", o.synopsis, strings.TrimSpace(o.doc))
	fmt.Fprintln(w, "\nOptions :")
	writeOptions(w, o.set)
	return errHelpShown
}

// writeOptions lists the options of fs for --help, with their defaults
// but that of --db.
func writeOptions(w io.Writer, fs *flag.FlagSet) {
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
}

// given tells whether the option was set on the command line.
func (o *options) given(name string) bool {
	set := false
	o.set.Visit(func(f *flag.Flag) { set = set || f.Name == name })
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

// Integer options are read in base 10 only: the flag package's own integer
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

// listValue is a repeatable text option.
type listValue struct{ list *[]string }

func (v listValue) String() string {
	if v.list == nil {
		return ""
	}
	return strings.Join(*v.list, ", ")
}

func (v listValue) Set(s string) error {
	*v.list = append(*v.list, s)
	return nil
}
