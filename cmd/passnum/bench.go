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
	benchSynopsis = "passnum bench [--db BASE] [--passes N] [--carnet-size N] [--redemptions N] [--clients N] [--servers N] [--raw=false] [--what issue,redeem|indicators] [--json]"
	benchDoc      = `Mesure, sur une base neuve et avec des validations durables, l'émission
d'un grand lot de pass en une transaction, puis des encaissements d'un pass
chacun par l'API HTTP, envoyés par plusieurs clients à la fois.

Après les encaissements par HTTP, la même base mesure la limite brute :
autant d'autres pass, préparés de la même façon, encaissés par le minimum
durable (une ligne de redemptions et l'UPDATE conditionnel du pass, en
SQL préparé ; sur SQLite groupés comme le fait le serveur, sur PostgreSQL
une transaction chacun), depuis autant de clients. Le débit de passnum
s'affiche en pourcentage de cette limite. Ces encaissements bruts, qui ne
passent pas par la comptabilité, sont comptés puis défaits avant la
vérification des invariants. --raw=false s'en passe.

Avec --servers N (PostgreSQL seulement), N processus « passnum serve »
lancés sur la même base, chacun sur un port de la boucle locale, se
partagent les clients ; le débit compte l'ensemble, la mémoire affichée est
celle du plus gros d'entre eux.

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
	fs.IntVar(&c.Servers, "servers", 0, "`N` processus « passnum serve » sur la même base, qui se partagent les clients (PostgreSQL seulement ; 0 : l'API est servie par la mesure elle-même)")
	raw := fs.Bool("raw", true, "mesure aussi la limite brute de la base (encaissements SQL minimaux, sur autant d'autres pass)")
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
	if c.Passes < 1 || c.CarnetSize < 1 || c.Redemptions < 1 || c.Clients < 1 || c.Servers < 0 {
		return usageErrorf(benchPath, "--passes, --carnet-size, --redemptions et --clients sont des entiers positifs, --servers un entier positif ou nul")
	}
	c.NoRaw = !*raw
	if c.Servers > 0 {
		if !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
			return usageErrorf(benchPath, "--servers demande une base PostgreSQL (--db postgres://…) : sur SQLite, un seul processus peut écrire dans la base")
		}
		if !c.Redeem || c.Indicators {
			return usageErrorf(benchPath, "--servers ne sert qu'aux encaissements (--what redeem)")
		}
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("bench : --servers : impossible de trouver le programme passnum à lancer : %w", err)
		}
		c.Executable = exe
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
		if x.Changes > 0 {
			fmt.Fprintf(tw, "mise à jour des indicateurs\taprès %s encaissements\t%s s\t—\t—\t\n", benchGroup(x.Changes), benchDecimal(x.IncrementalSeconds, 2))
		}
		fmt.Fprintf(tw, "page la plus lente du tableau de bord\t%d pages\t%s ms\t—\t< %d ms : %s\t\n",
			len(x.Pages), benchDecimal(x.SlowestMs, 1), bench.AimDashboardPage.Milliseconds(), benchReached(x.SlowestMs < float64(bench.AimDashboardPage.Milliseconds())))
	}
	if d := r.Redeem; d != nil {
		servers := ""
		if d.Servers > 0 {
			servers = fmt.Sprintf(", %d serveurs", d.Servers)
		}
		// The aim on SQLite is a rate; on PostgreSQL, whose rate depends
		// on its server, a share of the raw limit of the same run.
		aim := fmt.Sprintf("≥ %s/s : %s", benchGroup(bench.AimRedemptionsPerSecond), benchReached(d.PerSecond >= bench.AimRedemptionsPerSecond))
		if r.Dialect == "postgres" {
			aim = "—"
			if d.Raw != nil && d.Raw.PerSecond > 0 {
				aim = fmt.Sprintf("≥ %d %% de la limite brute : %s", bench.AimPercentOfRaw, benchReached(d.PercentOfRaw >= bench.AimPercentOfRaw))
			}
		}
		fmt.Fprintf(tw, "encaissement (HTTP)\t%s × 1 pass, %d clients%s\t%s s\t%s encaissements/s\t%s\t%s\n",
			benchGroup(int64(d.Redemptions)), d.Clients, servers, benchDecimal(d.Seconds, 2),
			benchGroup(int64(d.PerSecond)), aim, benchCPU(d.CPU))
		if raw := d.Raw; raw != nil {
			conns := "1 connexion"
			if raw.Connections > 1 {
				conns = fmt.Sprintf("%d connexions", raw.Connections)
			}
			fmt.Fprintf(tw, "limite brute (SQL, même base)\t%s × 1 pass, %d clients, %s\t%s s\t%s encaissements/s\t—\t%s\n",
				benchGroup(int64(raw.Redemptions)), raw.Feeders, conns, benchDecimal(raw.Seconds, 2), benchGroup(int64(raw.PerSecond)), benchCPU(raw.CPU))
		}
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
	fmt.Fprintf(tw, "réponses\t%s ; %s pass encaissés en base\n", answers, benchGroup(d.RedeemedInStore))
	retries := benchGroup(d.Retries) + " transactions rejouées après conflit"
	if d.Retries < 0 {
		retries = "transactions rejouées après conflit : inconnu (compteur /metrics des processus serve illisible)"
	}
	fmt.Fprintf(tw, "erreurs et reprises\t%s × 500 ; %s × 503 essais épuisés (server-busy) ; %s\n", benchGroup(int64(d.InternalErrors)), benchGroup(int64(d.ExhaustedRetries)), retries)
	if d.Failed > 0 {
		fmt.Fprintf(tw, "\t  réponses autres que 201 par type : %s\n", d.ProblemCounts())
	}
	if d.Servers > 0 {
		fmt.Fprintf(tw, "\t  %d serveurs, %d connexions à PostgreSQL au plus chacun (PASSNUM_DB_MAX_CONNS, leur part de ce que max_connections = %d laissait libre)\n",
			d.Servers, d.ServerPool, d.MaxConnections)
	}
	if raw := d.Raw; raw != nil {
		how := fmt.Sprintf("groupés comme le serveur (un seul écrivain, un SAVEPOINT chacun, jusqu'à 128 par validation) : %s validations", benchGroup(raw.Commits))
		if r.Dialect == "postgres" {
			how = fmt.Sprintf("une transaction READ COMMITTED chacun, %d connexions", raw.Connections)
			if raw.Connections < min(raw.Feeders, bench.ServerPool) {
				how += fmt.Sprintf(" (pas plus : PostgreSQL n'en acceptait que %d de plus, max_connections moins celles ouvertes, dont le pool de la mesure, moins 5)", raw.FreeConnections)
			}
		}
		fmt.Fprintf(tw, "passnum / limite brute\t%s %% (%s contre %s encaissements/s)\n", benchDecimal(d.PercentOfRaw, 1), benchGroup(int64(d.PerSecond)), benchGroup(int64(raw.PerSecond)))
		fmt.Fprintf(tw, "limite brute\tINSERT INTO redemptions + UPDATE conditionnel du pass, SQL préparé, validation durable, %s\n", how)
		fmt.Fprintf(tw, "\t  comptés : %s lignes de redemptions, %s pass encaissés ; défaits avant les invariants : %s pass de nouveau remis\n",
			benchGroup(raw.RedemptionRows), benchGroup(raw.RedeemedPasses), benchGroup(raw.Undone))
	}
	fmt.Fprintf(tw, "mémoire\t%s\n", benchMemory(d.Memory))
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

// benchMemory describes the peak resident memory of what served the
// redemptions.
func benchMemory(m bench.Memory) string {
	if m.PeakBytes < 0 {
		return "pic de mémoire résidente : inconnu (mesuré sous Linux seulement)"
	}
	if m.Of == bench.MemoryOfServers {
		each := make([]string, len(m.PerServer))
		for i, p := range m.PerServer {
			each[i] = benchMegabytes(p)
		}
		return fmt.Sprintf("pic de mémoire résidente (VmHWM) du plus gros des %d processus serve : %s (chacun : %s)", len(m.PerServer), benchMegabytes(m.PeakBytes), strings.Join(each, ", "))
	}
	s := fmt.Sprintf("pic de mémoire résidente (VmHWM) du processus de mesure pendant les encaissements : %s, générateur de charge compris", benchMegabytes(m.PeakBytes))
	if m.SinceStart {
		s += " (et préparation comprise : le pic n'a pas pu être remis à zéro)"
	}
	return s
}

// benchMegabytes writes a size in megabytes (10⁶ bytes), "inconnu" when
// negative.
func benchMegabytes(b int64) string {
	if b < 0 {
		return "inconnu"
	}
	return benchDecimal(float64(b)/1e6, 1) + " Mo"
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
