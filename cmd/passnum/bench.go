package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/bench"
)

const (
	benchPath     = "passnum bench"
	benchSynopsis = "passnum bench [--db BASE] [--passes N] [--carnet-size N] [--redemptions N] [--clients N] [--what issue,redeem|indicators] [--json]"
	benchDoc      = `Mesure, sur une base neuve et avec des validations durables, l'émission
d'un grand lot de pass en une transaction, puis des encaissements d'un pass
chacun par l'API HTTP, envoyés par plusieurs clients à la fois.

Sans --db, la base est un nouveau fichier SQLite dans un répertoire
temporaire, supprimé à la fin. Avec une URL postgres://…, un nouveau schéma
de cette base, supprimé à la fin. Un autre chemin crée un fichier SQLite
neuf (il ne doit pas exister) et le garde. PASSNUM_DB n'est pas lu : la
mesure ne touche jamais une base existante.

Avec --what indicators, mesure à part le tableau de bord d'un financeur :
--passes pass (10 000 000 pour le chiffre de docs/PERFORMANCE.md) émis sous
deux programmes, une année d'histoire écrite directement en base (remises,
encaissements d'un pass chacun), le calcul des indicateurs puis chaque page
du tableau de bord servie par HTTP avec une session.

La progression s'affiche sur la sortie d'erreur, les résultats sur la
sortie standard. Le code de sortie vaut 1 si un encaissement n'a pas reçu
201 Created ou si un invariant est faux. Voir docs/PERFORMANCE.md.`
)

// bench reads its own options: its --db is a database to create, never
// the one PASSNUM_DB names; a --db given before the command means the
// same.
func (c *cli) bench(o *options) runFunc {
	o.ownArgs = true
	return func(ctx context.Context, _ store) error {
		args := o.args
		if c.dsnFlag {
			args = append([]string{"--db", c.dsn}, args...)
		}
		return runBench(ctx, args)
	}
}

// runBench runs `passnum bench`: flags to a bench.Config, results to
// stdout.
func runBench(ctx context.Context, args []string) (err error) {
	fs := flag.NewFlagSet(benchPath, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var c bench.Config
	fs.StringVar(&c.DB, "db", "", "`base` à créer : vide pour un fichier SQLite temporaire, une URL postgres:// pour un schéma neuf, ou le chemin d'un fichier SQLite neuf (gardé)")
	fs.IntVar(&c.Passes, "passes", 1_000_000, "`N` pass à émettre en un lot")
	fs.IntVar(&c.CarnetSize, "carnet-size", 10, "`N` pass par carnet")
	fs.IntVar(&c.Redemptions, "redemptions", 20_000, "`N` encaissements d'un pass à faire par HTTP")
	fs.IntVar(&c.Clients, "clients", 32, "`N` clients HTTP qui encaissent en même temps")
	what := fs.String("what", "issue,redeem", "`mesures` : issue (émission), redeem (encaissements), séparées par des virgules, ou indicators (tableau de bord)")
	asJSON := fs.Bool("json", false, "résultats en JSON")
	quiet := fs.Bool("quiet", false, "pas de progression sur la sortie d'erreur")
	cpuProfile := fs.String("cpuprofile", "", "écrit dans `fichier` un profil CPU (go tool pprof) de la seule phase d'encaissements")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			benchHelp(os.Stdout, fs)
			return errHelpShown
		}
		return &usageError{cmd: benchPath, msg: translateFlagError(err)}
	}
	if fs.NArg() > 0 {
		return usageErrorf(benchPath, "argument inattendu : %q", fs.Arg(0))
	}
	for _, w := range strings.Split(*what, ",") {
		switch strings.TrimSpace(w) {
		case "issue":
			c.Issue = true
		case "redeem":
			c.Redeem = true
		case "indicators":
			c.Indicators = true
		default:
			return usageErrorf(benchPath, "--what : mesure inconnue %q (issue, redeem, indicators)", w)
		}
	}
	if c.Passes < 1 || c.CarnetSize < 1 || c.Redemptions < 1 || c.Clients < 1 {
		return usageErrorf(benchPath, "--passes, --carnet-size, --redemptions et --clients sont des entiers positifs")
	}
	progress := io.Writer(os.Stderr)
	if *quiet {
		progress = io.Discard
	}
	c.Log = slog.New(slog.NewTextHandler(progress, &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey) {
			return slog.Attr{} // progress lines: the message and its figures
		}
		return a
	}}))
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil && cerr != nil {
				err = cerr
			}
		}()
		c.CPUProfile = f
	}

	res, err := bench.Run(ctx, c)
	if err != nil {
		return fmt.Errorf("bench : %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		printBench(os.Stdout, res, c.DB == "")
	}
	if err := res.Err(); err != nil {
		// The figures are printed, but they are not a valid measure:
		// exit status 1, with the reason.
		return &passnum.Error{Code: passnum.EINTERNAL, Reason: "bench-failed", Message: "bench : mesure invalide : " + err.Error()}
	}
	return nil
}

// benchHelp prints the documentation of the command, as the other
// subcommands do.
func benchHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage : %s\n\n%s\n\nOptions :\n", benchSynopsis, benchDoc)
	writeOptions(w, fs)
}

// printBench writes the results as a compact table.
func printBench(out io.Writer, r *bench.Result, temporary bool) {
	m := r.Machine
	fmt.Fprintf(out, "passnum bench : %s, %d cœurs, %s/%s, %s\n", r.Dialect, m.CPUs, m.GOOS, m.GOARCH, m.GoVersion)
	where := r.Database
	if temporary || r.Dialect == "postgres" {
		where += " (supprimé à la fin)"
	}
	fmt.Fprintf(out, "base : %s\n\n", where)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "mesure\tvolume\tdurée\tdébit\tobjectif\tCPU processus / machine")
	if i := r.Issue; i != nil {
		fmt.Fprintf(tw, "émission\t%s pass, %s carnets de %d\t%s s\t%s pass/s\t≥ %s/s : %s\t%s\n",
			benchGroup(int64(i.Passes)), benchGroup(int64(i.Carnets)), i.CarnetSize, benchDecimal(i.Seconds, 2),
			benchGroup(int64(i.PassesPerSecond)), benchGroup(bench.AimIssuePassesPerSecond), benchReached(i.PassesPerSecond >= bench.AimIssuePassesPerSecond), benchCPU(i.CPU))
	}
	if x := r.Indicators; x != nil {
		fmt.Fprintf(tw, "calcul des indicateurs\t%s pass, %s encaissements\t%s s\t%s cellules\t—\t%s\n",
			benchGroup(x.Passes), benchGroup(x.Redemptions), benchDecimal(x.RefreshSeconds, 1), benchGroup(x.Cells), benchCPU(x.CPU))
		fmt.Fprintf(tw, "page la plus lente du tableau de bord\t%d pages\t%s ms\t—\t< %d ms : %s\t\n",
			len(x.Pages), benchDecimal(x.SlowestMs, 1), bench.AimDashboardPage.Milliseconds(), benchReached(x.SlowestMs < float64(bench.AimDashboardPage.Milliseconds())))
	}
	if d := r.Redeem; d != nil {
		fmt.Fprintf(tw, "encaissement (HTTP)\t%s × 1 pass, %d clients\t%s s\t%s encaissements/s\t≥ %s/s : %s\t%s\n",
			benchGroup(int64(d.Redemptions)), d.Clients, benchDecimal(d.Seconds, 2),
			benchGroup(int64(d.PerSecond)), benchGroup(bench.AimRedemptionsPerSecond), benchReached(d.PerSecond >= bench.AimRedemptionsPerSecond), benchCPU(d.CPU))
	}
	tw.Flush()
	fmt.Fprintf(out, "(CPU en pourcentage des %d cœurs ; « machine » compte tous les processus, PostgreSQL et les autres utilisateurs compris)\n", m.CPUs)
	d := r.Redeem
	if d == nil {
		return
	}
	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "latence\tp50 %s ms, p90 %s ms, p99 %s ms, max %s ms\n", benchDecimal(d.P50Ms, 1), benchDecimal(d.P90Ms, 1), benchDecimal(d.P99Ms, 1), benchDecimal(d.MaxMs, 1))
	others := "autres"
	if d.Failed == 1 {
		others = "autre"
	}
	answers := fmt.Sprintf("%s × 201 Created, %s %s", benchGroup(int64(d.Redemptions-d.Failed)), benchGroup(int64(d.Failed)), others)
	if d.Failed > 0 {
		answers += fmt.Sprintf(" (%s ; la première : %s)", d.StatusCounts(), oneLine(d.FirstFailure))
	}
	fmt.Fprintf(tw, "réponses\t%s ; %s pass encaissés en base ; %s transactions rejouées après conflit\n", answers, benchGroup(d.RedeemedInStore), benchGroup(d.Retries))
	if inv := d.Invariants; inv != nil {
		verdict := "OK"
		if !inv.OK {
			verdict = fmt.Sprintf("FAUX (%d problèmes)", len(inv.Problems))
		}
		fmt.Fprintf(tw, "invariants\t%s : %s pass, %s écritures comptables, vérifiés en %s s\n", verdict, benchGroup(inv.Passes), benchGroup(inv.Postings), benchDecimal(inv.Seconds, 1))
		for _, p := range inv.Problems {
			fmt.Fprintf(tw, "\t  %s\n", p)
		}
	}
	fmt.Fprintf(tw, "préparation\t%s s pour émettre, financer, activer, attribuer et remettre les pass (non mesuré)\n", benchDecimal(d.SetupSeconds, 1))
	tw.Flush()
}

// benchCPU writes the CPU use of a measure in percent of the machine.
func benchCPU(u bench.CPUUse) string {
	if u.Machine < 0 {
		return "inconnu"
	}
	return fmt.Sprintf("%.0f %% / %.0f %%", u.Process, u.Machine)
}

func benchReached(ok bool) string {
	if ok {
		return "atteint"
	}
	return "MANQUÉ"
}

// benchDecimal writes f with prec decimals and a decimal comma: 7,76.
func benchDecimal(f float64, prec int) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', prec, 64), ".", ",", 1)
}

// benchGroup writes n with spaces between thousands, as French does:
// 1 000 000.
func benchGroup(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune(' ')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
