package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/pdf"
)

// The life of carnets: issue, activate, allocate, block, expire, export.

func (c *cli) issue(o *options) runFunc {
	o.usage("--programme N --carnets N",
		"Émet un lot de carnets sous un programme, dans la limite de son budget. Les\n"+
			"pass émis ne valent rien tant qu'ils ne sont pas activés (passnum activate),\n"+
			"après réception des fonds. L'avancement s'affiche sur la sortie d'erreur.")
	var r passnum.IssueRequest
	o.int64(&r.ProgrammeID, "programme", "`numéro` du programme", required)
	o.int(&r.Carnets, "carnets", 0, "`nombre` de carnets à émettre", required)
	return func(ctx context.Context, s store) error {
		p := c.progress("émission des pass")
		r.Progress = p.update
		start := time.Now()
		b, err := s.Issue(ctx, r)
		p.end()
		if err != nil {
			return err
		}
		elapsed := time.Since(start)
		c.printf("Lot n°%d émis : %s (n° %d à %d), %s pass (n° %s à %s), clé de signature %s.\n",
			b.ID, plural(b.Carnets, "carnet", "carnets"), b.FirstCarnet, b.LastCarnet, formatInt(b.Passes),
			passnum.FormatSerial(b.FirstSerial), passnum.FormatSerial(b.LastSerial), b.KeyID)
		c.printf("Durée : %s, soit %s pass par seconde.\n", formatSeconds(elapsed), formatInt(int64(float64(b.Passes)/max(elapsed.Seconds(), 1e-9))))
		c.printf("Ensuite : passnum activate --programme %d --batch %d (dans la limite des fonds reçus), puis passnum export passes --batch %d.\n",
			b.ProgrammeID, b.ID, b.ID)
		return nil
	}
}

// formatSeconds renders a duration in seconds with a French decimal comma.
func formatSeconds(d time.Duration) string {
	return strings.Replace(fmt.Sprintf("%.2f s", d.Seconds()), ".", ",", 1)
}

func (c *cli) activate(o *options) runFunc {
	o.usage("--programme N (--batch N | --first N --last N)",
		"Active les pass émis d'un lot, ou d'une plage de carnets, dans la limite des\n"+
			"fonds reçus (frais de gestion déduits) : tous ou aucun.")
	var r passnum.ActivateRequest
	o.int64(&r.ProgrammeID, "programme", "`numéro` du programme", required)
	o.int64(&r.BatchID, "batch", "`numéro` du lot")
	o.carnetRange(&r.FirstCarnet, &r.LastCarnet, "batch")
	return func(ctx context.Context, s store) error {
		n, err := s.Activate(ctx, r)
		if err != nil {
			return err
		}
		c.printf("%s pass activés.\n", formatInt(n))
		return nil
	}
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

func (c *cli) allocate(o *options) runFunc {
	o.usage("--prescriber N (--first N --last N | --carnets LISTE)",
		"Attribue des carnets activés à un prescripteur (CCAS, France Services…), qui\n"+
			"les remettra aux personnes. Un carnet pas encore remis peut passer d'un\n"+
			"prescripteur à un autre.\n\n"+
			"Exemples : passnum allocate --prescriber 4 --first 1 --last 120\n"+
			"           passnum allocate --prescriber 4 --carnets 1,2,5,10-12")
	var r passnum.AllocateRequest
	o.int64(&r.PrescriberID, "prescriber", "`numéro` du prescripteur", required)
	o.value(carnetsValue{&r.Carnets}, "carnets", "`liste` de carnets : 1,2,5 ou 10-20,31")
	o.carnetRange(&r.FirstCarnet, &r.LastCarnet, "carnets")
	return func(ctx context.Context, s store) error {
		n, err := s.Allocate(ctx, r)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("prescripteur n°%d", r.PrescriberID)
		if org, err := s.FindOrganisation(ctx, r.PrescriberID); err == nil {
			name = fmt.Sprintf("%s (n°%d)", org.Name, org.ID)
		}
		c.printf("%s à %s.\n", plural(n, "carnet attribué", "carnets attribués"), name)
		return nil
	}
}

func (c *cli) block(o *options) runFunc {
	o.usage("--scope pass|carnet|stock (--serial N | --carnet N | --programme N) --reason MOTIF [--unblock]",
		"Bloque des pass : un pass (--scope pass --serial), un carnet perdu ou volé\n"+
			"(--scope carnet --carnet) ou tout le stock pas encore remis d'un programme\n"+
			"(--scope stock --programme). Les pass déjà utilisés ne changent pas.\n"+
			"Avec --unblock, rend aux pass bloqués à ce niveau l'état qu'ils avaient.")
	var r passnum.BlockRequest
	var scope string
	o.string(&scope, "scope", "", "`portée` : pass, carnet ou stock", required)
	o.int64(&r.Serial, "serial", "`numéro` de série du pass (avec ou sans les zéros de tête)")
	o.int64(&r.Carnet, "carnet", "`numéro` du carnet")
	o.int64(&r.ProgrammeID, "programme", "`numéro` du programme (portée stock)")
	o.string(&r.Reason, "reason", "", "`motif` : perte, vol, fin de distribution…", required)
	o.bool(&r.Unblock, "unblock", "débloquer au lieu de bloquer")
	o.check(func() error {
		r.Scope = passnum.BlockScope(scope)
		want := map[passnum.BlockScope]string{passnum.BlockPass: "serial", passnum.BlockCarnet: "carnet", passnum.BlockStock: "programme"}
		option, ok := want[r.Scope]
		if !ok {
			return o.usageErrorf("portée inconnue : %q (pass, carnet ou stock)", scope)
		}
		for sc, other := range want {
			if sc != r.Scope && o.given(other) {
				return o.usageErrorf("--%s ne va pas avec --scope %s (donnez --%s)", other, r.Scope, option)
			}
		}
		if !o.given(option) {
			return o.usageErrorf("l'option --%s est obligatoire", option)
		}
		return nil
	})
	return func(ctx context.Context, s store) error {
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
}

func (c *cli) expire(o *options) runFunc {
	o.usage("", "Fait expirer les pass encore ouverts des programmes dont la validité et la\n"+
		"tolérance sont passées ; leur valeur est à rembourser aux financeurs. Sans\n"+
		"effet sur les autres : on peut la lancer chaque nuit.")
	return func(ctx context.Context, s store) error {
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
}

func (c *cli) exportPasses(o *options) runFunc {
	o.usage("--batch N [--out FICHIER.csv]",
		"Exporte les pass d'un lot pour l'imprimeur : CSV UTF-8 séparé par des\n"+
			"points-virgules, colonnes serie;carnet;programme;valable_jusqu_au;code;qr;etat.\n"+
			"Les codes sont secrets : le fichier est créé lisible par vous seul (0600).\n"+
			"Sans --out, le CSV va sur la sortie standard ; l'avancement, sur la sortie d'erreur.")
	var batch int64
	var out string
	o.int64(&batch, "batch", "`numéro` du lot", required)
	o.string(&out, "out", "", "`fichier` CSV à écrire (défaut : sortie standard)")
	return func(ctx context.Context, s store) error {
		p := c.progress("export des pass")
		var passes int
		toFile, err := c.writeOut(out, func(w io.Writer) error {
			err := s.ExportPasses(ctx, batch, w, func(done, total int) { passes = done; p.update(done, total) })
			p.end()
			return err
		})
		if err != nil || !toFile {
			return err
		}
		c.printf("%s pass du lot n°%d exportés dans %s.\n", formatInt(passes), batch, out)
		return nil
	}
}

func (c *cli) exportCarnets(o *options) runFunc {
	o.usage("--batch N --out FICHIER.pdf [--url ADRESSE] [--phone TEL] [--hours HORAIRES] [--no-letter]",
		"Imprime les carnets d'un lot en PDF, prêts à découper : pour chaque carnet, une\n"+
			"lettre à la personne en français simple, puis ses pass, dix par page A4, chacun\n"+
			"avec son QR code, son code court, son numéro de série et sa validité.\n"+
			"Les codes sont secrets : le fichier est créé lisible par vous seul (0600).\n"+
			"Au-delà de 10 000 pass, imprimez par lots plus petits (mémoire).")
	var batch int64
	var out string
	var opts pdf.CarnetOptions
	o.int64(&batch, "batch", "`numéro` du lot", required)
	o.string(&out, "out", "", "`fichier` PDF à écrire", required)
	o.string(&opts.BaseURL, "url", os.Getenv("PASSNUM_URL"), "`adresse` publique du service, que la lettre donne pour trouver un lieu (variable PASSNUM_URL)")
	o.string(&opts.HelpPhone, "phone", "", "`numéro` que les personnes appellent pour une question (facultatif)")
	o.string(&opts.HelpHours, "hours", "", "`horaires` de ce numéro, par exemple « du lundi au vendredi, de 9 h à 17 h » (facultatif)")
	o.bool(&opts.NoLetter, "no-letter", "les pass seuls, sans lettre")
	return func(ctx context.Context, s store) error {
		sheets, err := c.carnetSheets(ctx, s, batch)
		if err != nil {
			return err
		}
		operator, err := s.FindOrganisation(ctx, passnum.ActorFromContext(ctx).OrgID)
		if err != nil {
			return err
		}
		opts.OperatorName = operator.Name
		// The letter's notice tells the installation's contacts and periods.
		privacy, err := c.privacy()
		if err != nil {
			return err
		}
		opts.Privacy = &privacy
		passes := 0
		for _, sh := range sheets {
			passes += len(sh.Passes)
		}
		if err := writeAtomically(out, func(w io.Writer) error { return pdf.Carnets(w, sheets, opts) }); err != nil {
			return err
		}
		printed := "imprimés"
		if len(sheets) == 1 {
			printed = "imprimé"
		}
		c.printf("%s (%s pass) du lot n°%d %s dans %s.\n", plural(len(sheets), "carnet", "carnets"), formatInt(passes), batch, printed, out)
		return nil
	}
}

// carnetSheets reads the carnets of a batch as the printer's export has
// them.
func (c *cli) carnetSheets(ctx context.Context, s store, batch int64) ([]pdf.CarnetSheet, error) {
	var export bytes.Buffer
	p := c.progress("lecture des pass")
	err := s.ExportPasses(ctx, batch, &export, p.update)
	p.end()
	if err != nil {
		return nil, err
	}
	programmeID, err := pdf.ExportProgramme(export.Bytes())
	if err != nil {
		return nil, err
	}
	programme, err := s.FindProgramme(ctx, programmeID)
	if err != nil {
		return nil, err
	}
	return pdf.ReadExport(&export, programme)
}
