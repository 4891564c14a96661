package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/mednum"
)

// Venues of the national standard of lieux de médiation numérique: files
// in and out (package mednum reads and writes them), the list and the
// qualification workflow.

// venueStatuses are the qualification statuses, in the order of the
// workflow, for the help and to check --status.
var venueStatuses = []passnum.Qualification{
	passnum.QualificationListed, passnum.QualificationPending, passnum.QualificationChangesRequested,
	passnum.QualificationQualified, passnum.QualificationRefused, passnum.QualificationSuspended,
	passnum.QualificationWithdrawn,
}

func statusNames() string {
	names := make([]string, len(venueStatuses))
	for i, q := range venueStatuses {
		names[i] = string(q)
	}
	return strings.Join(names, ", ")
}

// progressMinBytes is the size from which reading a file shows its
// progress: below, it takes less than a blink.
const progressMinBytes = 1 << 20

// countingReader reports how much of a file was read, in kilobytes.
type countingReader struct {
	r           io.Reader
	read, total int64
	p           *progress
}

func (r *countingReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.read += int64(n)
	r.p.update(int(r.read>>10), int(r.total>>10))
	return n, err
}

const venueImportDoc = `Importe un fichier du standard national des lieux de médiation numérique
(schéma LaMednum/standard-mediation-num 1.0.2) :
  - CSV en UTF-8, séparé par des virgules ou des points-virgules (la ligne
    d'en-tête le dit) ; les listes de valeurs sont séparées par « | », « ; »
    ou « , » ; une virgule décimale est acceptée dans les coordonnées ;
  - ou JSON : un tableau d'objets aux clés du standard.
Chaque lieu est rapproché par son id, sinon par son pivot (SIRET) : il est
mis à jour, ou créé « référencé » (dans l'annuaire, sans encaisser de pass).

Tout ou rien par défaut : au moindre problème, chaque ligne fautive est
écrite sur la sortie d'erreur (« ligne N : … ») et rien n'est importé.
Avec --valid-lines, les lignes valables sont importées et chacune des
autres est écrite sur la sortie d'erreur (« ligne N écartée : … ») ; la
commande réussit si au moins une ligne est valable. Les doublons
probables sont signalés sans arrêter l'import.

Les horaires au format OpenStreetMap peuvent donner des mois
(« Jul-Aug off »), des semaines, les vacances scolaires (« SH », celles de
la zone du département), des commentaires ; ceux que passnum n'évalue pas
(années, soleil…) sont gardés tels quels : l'annuaire les affiche sans dire
si le lieu est ouvert.

Exemples :
  passnum venue import --file lieux.csv --dry-run
  passnum venue import --file lieux-national.csv --valid-lines`

func (c *cli) venueImport(o *options) runFunc {
	o.usage("--file FICHIER [--format csv|json] [--dry-run] [--valid-lines]", venueImportDoc)
	var file, kind string
	var dryRun, validLines bool
	o.string(&file, "file", "", "`fichier` à importer (« - » : l'entrée standard)", required)
	o.fileFormat(&kind, "format", "`format` du fichier : csv ou json (défaut : json pour un fichier .json, csv sinon)", &file)
	o.bool(&dryRun, "dry-run", "vérifie le fichier et dit ce que l'import ferait, sans rien enregistrer")
	o.bool(&validLines, "valid-lines", "importe les lignes valables et écarte les autres, chacune écrite avec sa raison (défaut : tout ou rien)")
	return func(ctx context.Context, s store) error {
		name, rows, unread, err := c.readVenues(file, kind, validLines)
		if err != nil {
			return err
		}
		if len(rows) >= 1000 {
			fmt.Fprintf(c.stderr, "enregistrement de %s lieux…\n", formatInt(len(rows)))
		}
		importVenues := s.ImportVenues
		if validLines {
			importVenues = s.ImportValidVenues
		}
		rep, err := importVenues(ctx, rows, dryRun)
		if err != nil {
			if e := (*passnum.Error)(nil); errors.As(err, &e) && len(e.Problems) > 0 {
				refused := &passnum.ImportReport{}
				refused.Skip(append(unread, e.Problems...))
				return c.importRefused(name, refused.Skipped)
			}
			return err
		}
		if rep.DryRun {
			c.printf("Simulation de l'import de %s, rien n'a été enregistré : %s à créer, %s à mettre à jour, %s.\n",
				name, plural(rep.Created, "lieu", "lieux"), formatInt(rep.Updated), plural(rep.Unchanged, "inchangé", "inchangés"))
		} else {
			c.printf("Import de %s : %s, %s mis à jour, %s.\n", name,
				plural(rep.Created, "lieu créé", "lieux créés"), formatInt(rep.Updated), plural(rep.Unchanged, "inchangé", "inchangés"))
		}
		if validLines {
			rep.Skip(unread)
			for _, p := range rep.Skipped {
				fmt.Fprintf(c.stderr, "ligne %d écartée : %s\n", p.Line, oneLine(p.Message))
			}
			c.printf("%s.\n", plural(rep.SkippedLines(), "ligne écartée", "lignes écartées"))
		}
		if len(rep.Warnings) > 0 {
			c.printf("%s (doublons probables, à vérifier) :\n", plural(len(rep.Warnings), "avertissement", "avertissements"))
			for _, w := range rep.Warnings {
				c.printf("  ligne %d : %s\n", w.Line, oneLine(w.Message))
			}
		}
		return nil
	}
}

// readVenues reads a file of the standard in format kind ("-" is stdin),
// showing the progress of a big one; name is how messages call it. A file
// with problems is refused whole, each problem written on stderr, unless
// validLines: then the problems of the lines that could not be read are
// returned, and the file is refused only when no line could be.
func (c *cli) readVenues(file, kind string, validLines bool) (name string, rows []passnum.ImportRow, problems []passnum.ImportProblem, err error) {
	name = filepath.Base(file)
	var (
		r io.Reader = os.Stdin
		p *progress
	)
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", nil, nil, passnum.Errorf(passnum.EINVALID, "input", "Impossible de lire le fichier %s : %v", file, err)
		}
		defer f.Close()
		r = f
		if fi, err := f.Stat(); err == nil && fi.Size() >= progressMinBytes {
			p = c.progress("lecture de " + name + " (ko)")
			r = &countingReader{r: f, total: fi.Size(), p: p}
		}
	} else {
		name = "l'entrée standard"
	}
	read := mednum.ReadCSV
	if kind == "json" {
		read = mednum.ReadJSON
	}
	rows, problems = read(r)
	if p != nil {
		p.end()
	}
	if len(problems) > 0 && (!validLines || len(rows) == 0) {
		return "", nil, nil, c.importRefused(name, problems)
	}
	return name, rows, problems, nil
}

// importRefused writes every problem of a refused import on stderr, one
// line each, and returns the error that ends the command.
func (c *cli) importRefused(name string, problems []passnum.ImportProblem) error {
	lines := map[int]bool{}
	for _, p := range problems {
		fmt.Fprintf(c.stderr, "ligne %d : %s\n", p.Line, oneLine(p.Message))
		lines[p.Line] = true
	}
	return passnum.Errorf(passnum.EINVALID, passnum.ReasonImportInvalid, "%s : %s en erreur, rien n'a été importé.",
		name, plural(len(lines), "ligne", "lignes"))
}

// plural writes n and the word that goes with it: one for 0 and 1, as
// French does (passnum.FrenchCount, the rule of the pages too).
func plural[T ~int | ~int64](n T, one, many string) string {
	return passnum.FrenchCount(int64(n), one, many)
}

const venueExportDoc = `Exporte les lieux au format du standard national des lieux de médiation
numérique (LaMednum/standard-mediation-num 1.0.2), tel que le lisent
data.gouv.fr et la cartographie nationale : CSV en UTF-8 séparé par des
virgules, listes jointes par « | », coordonnées avec un point décimal,
horaires au format OpenStreetMap ; ou JSON (un tableau d'objets).

Le texte y est tel qu'enregistré, sauf les caractères de contrôle, jamais
écrits dans un fichier.

--separator ';' écrit un CSV pour tableur (Excel, LibreOffice), avec
l'indicateur UTF-8 qu'Excel attend ; un texte qu'un tableur prendrait pour
une formule (=…, +…, -…, @…) y commence par une apostrophe, que le tableur
n'affiche pas. Sans --out, le fichier va sur la sortie standard.

Exemples :
  passnum venue export --status qualified --out lieux-qualifies.csv
  passnum venue export --format json --out lieux.json`

func (c *cli) venueExport(o *options) runFunc {
	o.usage("[--format csv|json] [--separator ';'] [--status STATUT] [--out FICHIER]", venueExportDoc)
	var kind, sep, out string
	var status passnum.Qualification
	o.string(&out, "out", "", "`fichier` à écrire (défaut : sortie standard)")
	o.fileFormat(&kind, "format", "`format` : csv ou json (défaut : json pour un fichier .json, csv sinon)", &out)
	o.string(&sep, "separator", ",", "`séparateur` du CSV : « , » (le standard) ou « ; » (tableur)")
	o.status(&status, "status", "n'exporte que les lieux de ce `statut` : "+statusNames())
	writeCSV := mednum.WriteCSV
	o.check(func() error {
		switch {
		case kind == "json" && o.given("separator"):
			return o.usageErrorf("--separator ne va qu'avec le format csv")
		case sep == ";":
			writeCSV = mednum.WriteSpreadsheetCSV
		case sep != ",":
			return o.usageErrorf("séparateur %q : « , » ou « ; »", sep)
		}
		return nil
	})
	return func(ctx context.Context, s store) error {
		venues, _, err := s.ListVenues(ctx, passnum.VenueFilter{Qualification: status})
		if err != nil {
			return err
		}
		toFile, err := c.writeOut(out, func(w io.Writer) error {
			if kind == "json" {
				return mednum.WriteJSON(w, venues)
			}
			return writeCSV(w, venues)
		})
		if err != nil || !toFile {
			return err
		}
		c.printf("%s dans %s.\n", plural(len(venues), "lieu exporté", "lieux exportés"), out)
		return nil
	}
}

func (c *cli) venueList(o *options) runFunc {
	o.usage("[--status STATUT] [--query TEXTE]", "Liste les lieux de médiation, tous ou d'un statut de qualification :\n  "+statusNames())
	var f passnum.VenueFilter
	o.status(&f.Qualification, "status", "`statut` de qualification")
	o.string(&f.Query, "query", "", "`texte` cherché dans le nom, la commune, le SIRET ou l'id du standard")
	return func(ctx context.Context, s store) error {
		all, err := allPages(func(offset, limit int) ([]*passnum.Venue, int, error) {
			f.Offset, f.Limit = offset, limit
			return s.ListVenues(ctx, f)
		})
		if err != nil {
			return err
		}
		err = printList(c.stdout, all, "Aucun lieu.", "", []string{"N°", "ID", "NOM", "PIVOT", "COMMUNE", "QUALIFICATION"},
			func(v *passnum.Venue) []string {
				return []string{fmt.Sprint(v.OrgID), dash(v.ID), v.Name, dash(v.Pivot),
					strings.TrimSpace(v.PostalCode + " " + v.Commune), dash(string(v.Qualification))}
			})
		if err != nil || len(all) == 0 {
			return err
		}
		c.printf("%s.\n", plural(len(all), "lieu", "lieux"))
		return nil
	}
}

func (c *cli) venueQualify(o *options) runFunc {
	o.usage("--id N --status STATUT --reason MOTIF",
		"Applique une décision du parcours de qualification d'un lieu de médiation ;\n"+
			"le motif est gardé dans l'historique du lieu. Statuts : "+statusNames()+".\n"+
			"Le parcours permet, par exemple, pending → qualified, changes_requested ou\n"+
			"refused ; qualified → suspended ou withdrawn ; suspended → qualified.\n\n"+
			"Exemple :\n  passnum venue qualify --id 12 --status qualified --reason \"Dossier complet\"")
	var id int64
	var status passnum.Qualification
	var reason string
	o.int64(&id, "id", "`numéro` du lieu (colonne N° de « passnum venue list »)", required)
	o.status(&status, "status", "nouveau `statut`", required)
	o.string(&reason, "reason", "", "`motif` (obligatoire)", required)
	return func(ctx context.Context, s store) error {
		f, err := s.MoveQualification(ctx, id, status, reason)
		if e := (*passnum.Error)(nil); errors.As(err, &e) && e.Field == "qualification" {
			plain := *e
			plain.Field = "" // not org create's --qualification: the message says it all
			return &plain
		}
		if err != nil {
			return err
		}
		c.printf("%s (n°%d) : %s.\n", f.Venue.Name, f.Venue.OrgID, f.Venue.Qualification.Label())
		return nil
	}
}
