package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/pdf"
)

// The life of carnets: issue, activate, allocate, block, expire, export.

func (c *cli) issue(ctx context.Context, args []string) error {
	fs := c.flags("passnum issue", "passnum issue --programme N --carnets N",
		"Émet un lot de carnets sous un programme, dans la limite de son budget. Les\n"+
			"pass émis ne valent rien tant qu'ils ne sont pas activés (passnum activate),\n"+
			"après réception des fonds. L'avancement s'affiche sur la sortie d'erreur.")
	var programme int64
	var carnets int
	fs.int64(&programme, "programme", 0, "`numéro` du programme")
	fs.int(&carnets, "carnets", 0, "`nombre` de carnets à émettre")
	if err := fs.parse(args, "programme", "carnets"); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	p := c.progress("émission des pass")
	start := time.Now()
	b, err := s.Issue(ctx, passnum.IssueRequest{ProgrammeID: programme, Carnets: carnets, Progress: p.update})
	p.end()
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	c.printf("Lot n°%d émis : %s carnets (n° %d à %d), %s pass (n° %s à %s), clé de signature %s.\n",
		b.ID, formatInt(b.Carnets), b.FirstCarnet, b.LastCarnet, formatInt(b.Passes),
		passnum.FormatSerial(b.FirstSerial), passnum.FormatSerial(b.LastSerial), b.KeyID)
	c.printf("Durée : %s, soit %s pass par seconde.\n", formatSeconds(elapsed), formatInt(int64(float64(b.Passes)/max(elapsed.Seconds(), 1e-9))))
	c.printf("Ensuite : passnum activate --programme %d --batch %d (dans la limite des fonds reçus), puis passnum export passes --batch %d.\n",
		b.ProgrammeID, b.ID, b.ID)
	return nil
}

// formatSeconds renders a duration in seconds with a French decimal comma.
func formatSeconds(d time.Duration) string {
	return strings.Replace(fmt.Sprintf("%.2f s", d.Seconds()), ".", ",", 1)
}

func (c *cli) activate(ctx context.Context, args []string) error {
	fs := c.flags("passnum activate", "passnum activate --programme N (--batch N | --first N --last N)",
		"Active les pass émis d'un lot, ou d'une plage de carnets, dans la limite des\n"+
			"fonds reçus (frais de gestion déduits) : tous ou aucun.")
	var r passnum.ActivateRequest
	fs.int64(&r.ProgrammeID, "programme", 0, "`numéro` du programme")
	fs.int64(&r.BatchID, "batch", 0, "`numéro` du lot")
	fs.int64(&r.FirstCarnet, "first", 0, "premier `carnet` de la plage")
	fs.int64(&r.LastCarnet, "last", 0, "dernier `carnet` de la plage (défaut : --first)")
	if err := fs.parse(args, "programme"); err != nil {
		return err
	}
	if err := fs.rangeOr("batch", &r.FirstCarnet, &r.LastCarnet); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.Activate(ctx, r)
	if err != nil {
		return err
	}
	c.printf("%s pass activés.\n", formatInt(n))
	return nil
}

// parseCarnetList reads "1,2,5" or "1-3,7": carnet numbers and ranges.
func parseCarnetList(s string) ([]int64, error) {
	var out []int64
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.ParseInt(strings.TrimSpace(lo), 10, 64)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.ParseInt(strings.TrimSpace(hi), 10, 64)
		}
		if err1 != nil || err2 != nil || a <= 0 || b < a {
			return nil, fmt.Errorf("liste de carnets illisible : %q (exemple : 1,2,5 ou 10-20,31)", s)
		}
		if b-a >= 100000 || len(out) > 100000 {
			return nil, fmt.Errorf("100 000 carnets au plus par attribution")
		}
		for n := a; n <= b; n++ {
			out = append(out, n)
		}
	}
	return out, nil
}

type carnetsValue struct{ list *[]int64 }

func (v carnetsValue) String() string { return "" }

func (v carnetsValue) Set(s string) error {
	l, err := parseCarnetList(s)
	if err != nil {
		return err
	}
	*v.list = append(*v.list, l...)
	return nil
}

func (c *cli) allocate(ctx context.Context, args []string) error {
	fs := c.flags("passnum allocate", "passnum allocate --prescriber N (--first N --last N | --carnets LISTE)",
		"Attribue des carnets activés à un prescripteur (CCAS, France Services…), qui\n"+
			"les remettra aux personnes. Un carnet pas encore remis peut passer d'un\n"+
			"prescripteur à un autre.\n\n"+
			"Exemples : passnum allocate --prescriber 4 --first 1 --last 120\n"+
			"           passnum allocate --prescriber 4 --carnets 1,2,5,10-12")
	var r passnum.AllocateRequest
	fs.int64(&r.PrescriberID, "prescriber", 0, "`numéro` du prescripteur")
	fs.int64(&r.FirstCarnet, "first", 0, "premier `carnet` de la plage")
	fs.int64(&r.LastCarnet, "last", 0, "dernier `carnet` de la plage (défaut : --first)")
	fs.Var(carnetsValue{&r.Carnets}, "carnets", "`liste` de carnets : 1,2,5 ou 10-20,31")
	if err := fs.parse(args, "prescriber"); err != nil {
		return err
	}
	if err := fs.rangeOr("carnets", &r.FirstCarnet, &r.LastCarnet); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.Allocate(ctx, r)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("prescripteur n°%d", r.PrescriberID)
	if o, err := s.FindOrganisation(ctx, r.PrescriberID); err == nil {
		name = fmt.Sprintf("%s (n°%d)", o.Name, o.ID)
	}
	c.printf("%s carnets attribués à %s.\n", formatInt(n), name)
	return nil
}

func (c *cli) block(ctx context.Context, args []string) error {
	fs := c.flags("passnum block",
		"passnum block --scope pass|carnet|stock (--serial N | --carnet N | --programme N) --reason MOTIF [--unblock]",
		"Bloque des pass : un pass (--scope pass --serial), un carnet perdu ou volé\n"+
			"(--scope carnet --carnet) ou tout le stock pas encore remis d'un programme\n"+
			"(--scope stock --programme). Les pass déjà utilisés ne changent pas.\n"+
			"Avec --unblock, rend aux pass bloqués à ce niveau l'état qu'ils avaient.")
	var r passnum.BlockRequest
	scope := fs.String("scope", "", "`portée` : pass, carnet ou stock")
	fs.int64(&r.Serial, "serial", 0, "`numéro` de série du pass (avec ou sans les zéros de tête)")
	fs.int64(&r.Carnet, "carnet", 0, "`numéro` du carnet")
	fs.int64(&r.ProgrammeID, "programme", 0, "`numéro` du programme (portée stock)")
	fs.StringVar(&r.Reason, "reason", "", "`motif` : perte, vol, fin de distribution…")
	fs.BoolVar(&r.Unblock, "unblock", false, "débloquer au lieu de bloquer")
	if err := fs.parse(args, "scope", "reason"); err != nil {
		return err
	}
	r.Scope = passnum.BlockScope(*scope)
	want := map[passnum.BlockScope]string{passnum.BlockPass: "serial", passnum.BlockCarnet: "carnet", passnum.BlockStock: "programme"}
	flagName, ok := want[r.Scope]
	if !ok {
		return usageErrorf(fs.path, "portée inconnue : %q (pass, carnet ou stock)", *scope)
	}
	for sc, other := range want {
		if sc != r.Scope && fs.given(other) {
			return usageErrorf(fs.path, "--%s ne va pas avec --scope %s (donnez --%s)", other, r.Scope, flagName)
		}
	}
	if err := fs.require(flagName); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.Block(ctx, r)
	if err != nil {
		return err
	}
	what := map[passnum.BlockScope]string{
		passnum.BlockPass:   "pass " + passnum.FormatSerial(r.Serial),
		passnum.BlockCarnet: fmt.Sprintf("carnet n°%d", r.Carnet),
		passnum.BlockStock:  fmt.Sprintf("stock du programme n°%d", r.ProgrammeID),
	}[r.Scope]
	verb := "bloqués"
	if r.Unblock {
		verb = "débloqués"
	}
	c.printf("%s pass %s (%s, motif : %s).\n", formatInt(n), verb, what, strings.TrimSpace(r.Reason))
	return nil
}

func (c *cli) expire(ctx context.Context, args []string) error {
	fs := c.flags("passnum expire", "passnum expire",
		"Fait expirer les pass encore ouverts des programmes dont la validité et la\n"+
			"tolérance sont passées ; leur valeur est à rembourser aux financeurs. Sans\n"+
			"effet sur les autres : on peut la lancer chaque nuit.")
	if err := fs.parse(args); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.Expire(ctx)
	if err != nil {
		return err
	}
	if res.Passes == 0 {
		c.printf("Aucun pass à faire expirer.\n")
		return nil
	}
	ids := make([]string, len(res.Programmes))
	for i, id := range res.Programmes {
		ids[i] = fmt.Sprintf("n°%d", id)
	}
	c.printf("%s pass expirés (programmes %s).\n", formatInt(res.Passes), strings.Join(ids, ", "))
	return nil
}

func (c *cli) export(ctx context.Context, args []string) error {
	return c.group(ctx, "export", args, map[string]command{
		"passes":  {c.exportPasses, "exporte les pass d'un lot en CSV pour l'imprimeur"},
		"carnets": {c.exportCarnets, "imprime les carnets d'un lot en PDF (lettre et pass avec leur QR code)"},
	})
}

func (c *cli) exportPasses(ctx context.Context, args []string) error {
	fs := c.flags("passnum export passes", "passnum export passes --batch N [--out FICHIER.csv]",
		"Exporte les pass d'un lot pour l'imprimeur : CSV UTF-8 séparé par des\n"+
			"points-virgules, colonnes serie;carnet;programme;valable_jusqu_au;code;qr;etat.\n"+
			"Les codes sont secrets : le fichier est créé lisible par vous seul (0600).\n"+
			"Sans --out, le CSV va sur la sortie standard ; l'avancement, sur la sortie d'erreur.")
	var batch int64
	fs.int64(&batch, "batch", 0, "`numéro` du lot")
	out := fs.String("out", "", "`fichier` CSV à écrire (défaut : sortie standard)")
	if err := fs.parse(args, "batch"); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	p := c.progress("export des pass")
	var passes int
	progress := func(done, total int) { passes = done; p.update(done, total) }
	if *out == "" || *out == "-" {
		err := s.ExportPasses(ctx, batch, c.stdout, progress)
		p.end()
		return err
	}
	// Write next to the target and rename, so that a failed export never
	// leaves a truncated file the printer could take for a whole one.
	f, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*")
	if err != nil {
		return passnum.Errorf(passnum.EINVALID, "output", "Impossible de créer le fichier : %v", err)
	}
	defer os.Remove(f.Name()) // after a successful rename, there is nothing left to remove
	err = s.ExportPasses(ctx, batch, f, progress)
	p.end()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(f.Name(), *out); err != nil {
		return passnum.Errorf(passnum.EINVALID, "output", "Impossible d'écrire %s : %v", *out, err)
	}
	c.printf("%s pass du lot n°%d exportés dans %s.\n", formatInt(passes), batch, *out)
	return nil
}

func (c *cli) exportCarnets(ctx context.Context, args []string) error {
	fs := c.flags("passnum export carnets", "passnum export carnets --batch N --out FICHIER.pdf [--url ADRESSE] [--phone TEL] [--hours HORAIRES] [--no-letter]",
		"Imprime les carnets d'un lot en PDF, prêts à découper : pour chaque carnet, une\n"+
			"lettre à la personne en français simple, puis ses pass, dix par page A4, chacun\n"+
			"avec son QR code, son code court, son numéro de série et sa validité.\n"+
			"Les codes sont secrets : le fichier est créé lisible par vous seul (0600).\n"+
			"Au-delà de 10 000 pass, imprimez par lots plus petits (mémoire).")
	var batch int64
	fs.int64(&batch, "batch", 0, "`numéro` du lot")
	out := fs.String("out", "", "`fichier` PDF à écrire")
	baseURL := fs.String("url", os.Getenv("PASSNUM_URL"), "`adresse` publique du service, que la lettre donne pour trouver un lieu (variable PASSNUM_URL)")
	phone := fs.String("phone", "", "`numéro` que les personnes appellent pour une question (facultatif)")
	hours := fs.String("hours", "", "`horaires` de ce numéro, par exemple « du lundi au vendredi, de 9 h à 17 h » (facultatif)")
	noLetter := fs.Bool("no-letter", false, "les pass seuls, sans lettre")
	if err := fs.parse(args, "batch", "out"); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	var export bytes.Buffer
	p := c.progress("lecture des pass")
	err = s.ExportPasses(ctx, batch, &export, p.update)
	p.end()
	if err != nil {
		return err
	}
	programmeID, err := pdf.ExportProgramme(export.Bytes())
	if err != nil {
		return err
	}
	programme, err := s.FindProgramme(ctx, programmeID)
	if err != nil {
		return err
	}
	sheets, err := pdf.ReadExport(&export, programme)
	if err != nil {
		return err
	}
	operator, err := s.FindOrganisation(ctx, passnum.ActorFromContext(ctx).OrgID)
	if err != nil {
		return err
	}
	opts := pdf.CarnetOptions{OperatorName: operator.Name, BaseURL: *baseURL, HelpPhone: *phone, HelpHours: *hours, NoLetter: *noLetter}
	passes := 0
	for _, sh := range sheets {
		passes += len(sh.Passes)
	}
	// Write next to the target and rename, as for the CSV: never a
	// truncated file the printer could take for a whole one.
	f, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*")
	if err != nil {
		return passnum.Errorf(passnum.EINVALID, "output", "Impossible de créer le fichier : %v", err)
	}
	defer os.Remove(f.Name())
	err = pdf.Carnets(f, sheets, opts)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(f.Name(), *out); err != nil {
		return passnum.Errorf(passnum.EINVALID, "output", "Impossible d'écrire %s : %v", *out, err)
	}
	c.printf("%s carnets (%s pass) du lot n°%d imprimés dans %s.\n", formatInt(len(sheets)), formatInt(passes), batch, *out)
	return nil
}

// rangeOr checks that either the option other or a --first/--last range of
// carnets was given, not both; --first alone means one carnet.
func (fs *flagSet) rangeOr(other string, first, last *int64) error {
	switch {
	case fs.given(other) == (fs.given("first") || fs.given("last")):
		return usageErrorf(fs.path, "donnez soit --%s, soit --first et --last", other)
	case fs.given("last") && !fs.given("first"):
		return usageErrorf(fs.path, "--last va avec --first")
	case fs.given("first") && !fs.given("last"):
		*last = *first
	}
	return nil
}
