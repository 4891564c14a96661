package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum/internal/storetest"
)

// harness runs the command line in-process against a SQLite file, with a
// clock the test moves.
type harness struct {
	t   *testing.T
	db  string
	now time.Time
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{t: t, db: filepath.Join(t.TempDir(), "passnum.db"), now: time.Date(2027, 3, 15, 9, 30, 0, 0, time.UTC)}
}

// eachDB runs f on a SQLite file and, when PASSNUM_TEST_POSTGRES is set,
// on a PostgreSQL schema of its own, dropped after.
func eachDB(t *testing.T, f func(t *testing.T, h *harness)) {
	t.Run("sqlite", func(t *testing.T) { f(t, newHarness(t)) })
	base := os.Getenv(storetest.PostgresEnv)
	if base == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) {
		h := newHarness(t)
		raw := make([]byte, 6)
		rand.Read(raw)
		schema := "cli_" + hex.EncodeToString(raw)
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			admin.Close()
		})
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		h.db = u.String()
		f(t, h)
	})
}

// run runs one command line and returns its outputs and exit status.
func (h *harness) run(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	c := newCLI(&out, &errb)
	c.now = func() time.Time { return h.now }
	code = c.run(context.Background(), append([]string{"--db", h.db}, args...))
	return out.String(), errb.String(), code
}

// ok runs a command that must succeed and returns its stdout.
func (h *harness) ok(args ...string) string {
	h.t.Helper()
	out, errs, code := h.run(args...)
	if code != 0 {
		h.t.Fatalf("passnum %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// fail runs a command that must fail with status code and print exactly
// one line on stderr, containing every want.
func (h *harness) fail(code int, args []string, want ...string) string {
	h.t.Helper()
	out, errs, got := h.run(args...)
	if got != code {
		h.t.Errorf("passnum %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), got, code, out, errs)
	}
	if strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, "\n") {
		h.t.Errorf("passnum %s: stderr is not one line: %q", strings.Join(args, " "), errs)
	}
	for _, w := range want {
		if !strings.Contains(errs, w) {
			h.t.Errorf("passnum %s: stderr %q does not contain %q", strings.Join(args, " "), errs, w)
		}
	}
	return errs
}

var numberRE = regexp.MustCompile(`n°\s?(\d+)`)

// id returns the first "n°N" of a command's output.
func id(t *testing.T, out string) string {
	t.Helper()
	m := numberRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no number in %q", out)
	}
	return m[1]
}

var carnetsRE = regexp.MustCompile(`carnets \(n° (\d+) à (\d+)\)`)

// TestOperatorStory runs the operator's work from an empty database to a
// clean invariant check, through the command line only.
func TestOperatorStory(t *testing.T) {
	eachDB(t, operatorStory)
}

func operatorStory(t *testing.T, h *harness) {
	if out := h.ok("migrate"); !strings.Contains(out, "sqlite") && !strings.Contains(out, "postgres") {
		t.Errorf("migrate: %q", out)
	}
	state := id(t, h.ok("org", "create", "--kind", "funder", "--name", "État — ANCT"))
	dept := id(t, h.ok("org", "create", "--kind", "funder", "--name", "Département d'Ille-et-Vilaine", "--commune", "35238"))
	ccas := id(t, h.ok("org", "create", "--kind", "prescriber", "--name", "CCAS de Rennes", "--commune", "35238"))
	// Qualified on paper: created so; later decisions follow the workflow.
	venue := id(t, h.ok("org", "create", "--kind", "venue", "--name", "Le Grand Clic", "--siret", "82417356000015", "--commune", "35238",
		"--qualification", "qualified"))
	if out := h.ok("org", "list", "--kind", "funder"); !strings.Contains(out, "État — ANCT") || strings.Contains(out, "CCAS") {
		t.Errorf("org list --kind funder: %q", out)
	}

	// Last year's programme: passes issued while it was valid, expired now.
	h.now = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	old := id(t, h.ok("programme", "create", "--name", "Pass numérique 2026", "--funder", state+":10000",
		"--budget", "500", "--from", "2026-01-01", "--until", "2026-12-31", "--territory", "departement:35"))
	h.ok("funds", "record", "--programme", old, "--funder", state, "--reference", "OP-2026-1", "--amount", "520", "--received-on", "2026-05-30")
	oldBatch := id(t, h.ok("issue", "--programme", old, "--carnets", "5"))
	h.ok("activate", "--programme", old, "--batch", oldBatch)

	// This year's programme, co-financed 50/50.
	h.now = time.Date(2027, 3, 15, 9, 30, 0, 0, time.UTC)
	out := h.ok("programme", "create", "--name", "Pass numérique Ille-et-Vilaine 2027", "--funder", state+":5000", "--funder", dept+":5000",
		"--budget", "1 000,00", "--carnet-size", "5", "--from", "2027-01-01", "--until", "2027-12-31",
		"--territory", "departement:35", "--service", "Aide aux démarches administratives", "--service", "Maîtrise des outils numériques du quotidien")
	prog := id(t, out)
	if !strings.Contains(out, "20 carnets de 5 pass") {
		t.Errorf("programme create: %q", out)
	}
	h.ok("funds", "record", "--programme", prog, "--funder", state, "--reference", "ANCT-2027-1", "--amount", "520,00", "--received-on", "2027-02-01")
	h.ok("funds", "record", "--programme", prog, "--funder", dept, "--reference", "CD35-2027-1", "--amount-cents", "52000", "--received-on", "2027-02-03")
	out, errs, code := h.run("issue", "--programme", prog, "--carnets", "20")
	if code != 0 {
		t.Fatalf("issue: %d %s", code, errs)
	}
	if !strings.Contains(errs, "100 %") {
		t.Errorf("issue printed no progress: %q", errs)
	}
	batch, issued := id(t, out), out
	m := carnetsRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("issue: no carnet range in %q", out)
	}
	first, _ := strconv.Atoi(m[1])
	if out := h.ok("activate", "--programme", prog, "--batch", batch); !strings.HasPrefix(out, "100 pass activés") {
		t.Errorf("activate: %q", out)
	}
	if out := h.ok("allocate", "--prescriber", ccas, "--first", strconv.Itoa(first), "--last", strconv.Itoa(first+9)); !strings.Contains(out, "10 carnets attribués à CCAS de Rennes") {
		t.Errorf("allocate: %q", out)
	}
	list := strconv.Itoa(first+10) + "," + strconv.Itoa(first+12) + "-" + strconv.Itoa(first+13)
	if out := h.ok("allocate", "--prescriber", ccas, "--carnets", list); !strings.HasPrefix(out, "3 carnets attribués") {
		t.Errorf("allocate --carnets %s: %q", list, out)
	}
	if out := h.ok("block", "--scope", "carnet", "--carnet", strconv.Itoa(first+2), "--reason", "carnet perdu"); !strings.HasPrefix(out, "5 pass bloqués") {
		t.Errorf("block: %q", out)
	}
	// A serial as printed, with its leading zeros, is read in base 10.
	firstSerial, _ := strconv.Atoi(regexp.MustCompile(`pass \(n° (\d+) à`).FindStringSubmatch(issued)[1])
	padded := fmt.Sprintf("%010d", firstSerial+3*5) // the first pass of the fourth carnet
	if out := h.ok("block", "--scope", "pass", "--serial", padded, "--reason", "pass abîmé"); !strings.Contains(out, "pass "+padded) {
		t.Errorf("block --serial %s: %q", padded, out)
	}
	h.ok("block", "--scope", "pass", "--serial", padded, "--reason", "retrouvé", "--unblock")
	if out := h.ok("expire"); !strings.Contains(out, "50 pass expirés (programmes n°"+old+")") {
		t.Errorf("expire: %q", out)
	}
	if out := h.ok("check"); !strings.Contains(out, "Tous les invariants sont respectés") {
		t.Errorf("check: %q", out)
	}
	out = h.ok("programme", "show", "--id", prog)
	for _, want := range []string{"Pass numérique Ille-et-Vilaine 2027", "50 %", "1 000,00", "1 040,00", "attribué à un prescripteur", "bloqué", "ANCT-2027-1"} {
		if !strings.Contains(strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(out), want) {
			t.Errorf("programme show does not say %q:\n%s", want, out)
		}
	}
	if out := h.ok("programme", "list"); strings.Count(out, "\n") != 3 {
		t.Errorf("programme list: %q", out)
	}

	// People and tokens.
	t.Setenv(envPassword, "correct horse battery")
	if out := h.ok("user", "create", "--email", "Agent@Example.fr", "--name", "Alex", "--org", venue, "--role", "agent"); !strings.Contains(out, "agent@example.fr") {
		t.Errorf("user create: %q", out)
	}
	out = h.ok("token", "create", "--org", venue, "--role", "agent", "--name", "caisse")
	if !regexp.MustCompile(`(?m)^pn_[a-z0-9]{40,}$`).MatchString(out) || !strings.Contains(out, "une seule fois") && !strings.Contains(out, "cette seule fois") {
		t.Errorf("token create: %q", out)
	}
	tok := id(t, out)
	h.ok("token", "revoke", "--id", tok)
	if out := h.ok("token", "list", "--org", venue); !strings.Contains(out, "caisse") {
		t.Errorf("token list: %q", out)
	}
	if out := h.ok("keys", "rotate"); !strings.Contains(out, "k2") {
		t.Errorf("keys rotate: %q", out)
	}
	if out := h.ok("check"); !strings.Contains(out, "Tous les invariants sont respectés") {
		t.Errorf("final check: %q", out)
	}
}

// TestErrors: every failure exits non-zero with one readable line.
func TestErrors(t *testing.T) {
	h := newHarness(t)
	h.fail(1, []string{"org", "list"}, "n'existe pas", "passnum migrate")
	h.ok("migrate")
	state := id(t, h.ok("org", "create", "--kind", "funder", "--name", "État"))
	dept := id(t, h.ok("org", "create", "--kind", "funder", "--name", "Département"))
	prog := id(t, h.ok("programme", "create", "--name", "P", "--funder", state+":5000", "--funder", dept+":5000",
		"--budget", "100", "--from", "2027-01-01", "--until", "2027-12-31", "--territory", "region:53"))
	h.ok("issue", "--programme", prog, "--carnets", "1")

	cases := []struct {
		name string
		code int
		args []string
		want []string
	}{
		{"bad SIRET", 1, []string{"org", "create", "--kind", "venue", "--name", "Lieu", "--siret", "12345678901234", "--commune", "35238"},
			[]string{"SIRET invalide", "(option --siret)"}},
		{"shares", 1, []string{"programme", "create", "--name", "P2", "--funder", state + ":5000", "--funder", dept + ":4000",
			"--budget", "100", "--from", "2027-01-01", "--until", "2027-12-31", "--territory", "region:53"},
			[]string{"9000", "(option --funder)"}},
		{"unknown programme", 1, []string{"programme", "show", "--id", "999"}, []string{"Introuvable"}},
		{"beyond budget", 1, []string{"issue", "--programme", prog, "--carnets", "1"}, []string{"Émission refusée", "(option --carnets)"}},
		{"activation without funds", 1, []string{"activate", "--programme", prog, "--batch", "1"}, []string{"fonds reçus"}},
		{"bad territory", 1, []string{"programme", "create", "--name", "P3", "--funder", state + ":10000", "--budget", "100",
			"--from", "2027-01-01", "--until", "2027-12-31", "--territory", "region:99"}, []string{"Zone invalide"}},
		{"unknown command", 2, []string{"frobnicate"}, []string{"commande inconnue"}},
		{"no command", 2, nil, []string{"indiquez une commande"}},
		{"unknown subcommand", 2, []string{"org", "delete"}, []string{"sous-commande inconnue"}},
		{"unknown flag", 2, []string{"issue", "--programme", prog, "--carnet", "3"}, []string{"option inconnue : --carnet", "passnum issue --help"}},
		{"missing flag", 2, []string{"issue", "--programme", prog}, []string{"--carnets est obligatoire"}},
		{"not a number", 2, []string{"issue", "--programme", "un", "--carnets", "3"}, []string{"valeur invalide", "--programme"}},
		{"ambiguous amount", 2, []string{"funds", "record", "--programme", prog, "--funder", state, "--reference", "X",
			"--amount", "1,234", "--received-on", "2027-01-01"}, []string{"ambigu"}},
		{"negative amount", 2, []string{"programme", "create", "--name", "P4", "--funder", state + ":10000", "--budget", "-5",
			"--from", "2027-01-01", "--until", "2027-12-31", "--territory", "region:53"}, []string{"négatif"}},
		{"both budgets", 2, []string{"programme", "create", "--name", "P5", "--funder", state + ":10000", "--budget", "5",
			"--budget-cents", "500", "--from", "2027-01-01", "--until", "2027-12-31", "--territory", "region:53"}, []string{"pas les deux"}},
		{"positional argument", 2, []string{"check", "now"}, []string{"argument inattendu"}},
		{"block scope mismatch", 2, []string{"block", "--scope", "pass", "--carnet", "1", "--reason", "x"}, []string{"--carnet ne va pas avec --scope pass"}},
		{"no password", 2, []string{"user", "create", "--email", "a@b.fr", "--name", "A", "--org", "1", "--role", "admin"}, []string{envPassword}},
		{"short password", 1, []string{"user", "create", "--email", "a@b.fr", "--name", "A", "--org", "1", "--role", "admin"},
			[]string{"12 caractères", "variable " + envPassword}},
		{"weak password", 1, []string{"user", "create", "--email", "a@b.fr", "--name", "A", "--org", "1", "--role", "admin"},
			[]string{"répète un même caractère", "variable " + envPassword}},
		{"password with the name", 1, []string{"user", "create", "--email", "claire@b.fr", "--name", "Claire Martin", "--org", "1", "--role", "admin"},
			[]string{"votre nom (« Martin »)", "variable " + envPassword}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			switch tc.name {
			case "no password":
				t.Setenv(envPassword, "")
				unsetenv(t, envPassword)
			case "short password":
				t.Setenv(envPassword, "court")
			case "weak password":
				t.Setenv(envPassword, "aaaaaaaaaaaa")
			case "password with the name":
				t.Setenv(envPassword, "martin-pecheur du 35")
			}
			h.t = t
			h.fail(tc.code, tc.args, tc.want...)
		})
	}
	h.t = t
	// Nothing above left a trace in the books.
	h.ok("check")
}

// TestRun goes through run itself, as main does: help on stdout, status 0.
func TestRun(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"help", "issue"}, {"org", "--help"}, {"programme", "create", "--help"}, {"version"}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 0 || out.Len() == 0 || errb.Len() != 0 {
			t.Errorf("passnum %s: exit %d, stdout %d bytes, stderr %q", strings.Join(args, " "), code, out.Len(), errb.String())
		}
	}
	var out, errb bytes.Buffer
	db := filepath.Join(t.TempDir(), "x.db")
	if code := run(context.Background(), []string{"migrate", "--db", db}, &out, &errb); code != 0 || !strings.Contains(out.String(), db) {
		t.Errorf("migrate --db after the command: %d %q %q", code, out.String(), errb.String())
	}
	t.Setenv(envDB, db)
	out.Reset()
	if code := run(context.Background(), []string{"check"}, &out, &errb); code != 0 {
		t.Errorf("check with %s: %d %q", envDB, code, errb.String())
	}
}

// TestCheckBroken: a tampered ledger makes check exit 1, naming the
// problems on stdout and in its one line on stderr.
func TestCheckBroken(t *testing.T) {
	for _, tc := range []struct {
		name, sql, want string
	}{
		{"ledger", `UPDATE entries SET amount_cents = amount_cents + 1 WHERE rowid = (SELECT MIN(rowid) FROM entries)`, "does not balance"},
		{"an instant that is not one", `UPDATE programmes SET created_at = 'garbage'`, `programmes.created_at: 1 value does not have the shape of an instant`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.ok("migrate")
			state := id(t, h.ok("org", "create", "--kind", "funder", "--name", "État"))
			prog := id(t, h.ok("programme", "create", "--name", "P", "--funder", state+":10000", "--budget", "100",
				"--from", "2027-01-01", "--until", "2027-12-31", "--territory", "region:53"))
			h.ok("issue", "--programme", prog, "--carnets", "1")
			db, err := sql.Open("sqlite", h.db)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			db.Close()
			out, errs, code := h.run("check")
			if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tc.want) || !strings.Contains(out, tc.want) {
				t.Errorf("check of a tampered database: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
			}
		})
	}
}

// TestExport checks the printer's CSV, to a file and to stdout.
func TestExport(t *testing.T) {
	h := newHarness(t)
	h.ok("migrate")
	state := id(t, h.ok("org", "create", "--kind", "funder", "--name", "État"))
	prog := id(t, h.ok("programme", "create", "--name", "P", "--funder", state+":10000", "--budget", "1000",
		"--carnet-size", "5", "--from", "2027-01-01", "--until", "2027-12-31", "--territory", "region:53"))
	batch := id(t, h.ok("issue", "--programme", prog, "--carnets", "4"))
	file := filepath.Join(t.TempDir(), "lot.csv")
	if out := h.ok("export", "passes", "--batch", batch, "--out", file); !strings.Contains(out, "20 pass") {
		t.Errorf("export --out: %q", out)
	}
	stdout := h.ok("export", "passes", "--batch", batch)
	for _, data := range []string{readFile(t, file), stdout} {
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(data, "\ufeff")))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(recs[0], ";"); got != "serie;carnet;programme;valable_jusqu_au;code;qr;etat" {
			t.Errorf("columns %q", got)
		}
		if len(recs) != 21 || recs[1][0] != "0000000001" || recs[1][3] != "2027-12-31" || recs[1][6] != "issued" ||
			!regexp.MustCompile(`^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$`).MatchString(recs[1][4]) {
			t.Errorf("%d records, first %q", len(recs), recs[1])
		}
	}
	h.fail(1, []string{"export", "passes", "--batch", "99", "--out", filepath.Join(t.TempDir(), "x.csv")}, "Introuvable")

	// The same batch printed: a PDF of 4 carnets of 5 passes, with letters.
	pdfFile := filepath.Join(t.TempDir(), "carnets.pdf")
	if out := h.ok("export", "carnets", "--batch", batch, "--out", pdfFile, "--url", "https://pass.example.fr"); !strings.Contains(out, "4 carnets (20 pass)") {
		t.Errorf("export carnets: %q", out)
	}
	if data := readFile(t, pdfFile); !strings.HasPrefix(data, "%PDF") || strings.Count(data, "/Type /Page\n") != 8 {
		t.Errorf("carnets PDF: %d bytes, %d pages", len(data), strings.Count(data, "/Type /Page\n"))
	}
	if info, err := os.Stat(pdfFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("carnets PDF mode %v %v: the codes are secret", info.Mode(), err)
	}
	h.fail(1, []string{"export", "carnets", "--batch", "99", "--out", filepath.Join(t.TempDir(), "x.pdf")}, "Introuvable")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// unsetenv removes an environment variable for the test (t.Setenv first,
// so that it is restored after).
func unsetenv(t *testing.T, key string) {
	t.Setenv(key, "")
	os.Unsetenv(key)
}
