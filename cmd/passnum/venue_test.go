package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/mednum"
)

// venuesCSV is a file of the standard as a French spreadsheet saves it:
// ';' separated, decimal commas. The last two venues share a SIRET (two
// places of one association): a likely duplicate, imported with a
// warning.
const venuesCSV = `id;pivot;nom;commune;code_postal;code_insee;adresse;latitude;longitude;horaires;date_maj;services;modalites_acces
grand-clic;82417356000015;Le Grand Clic;Rennes;35000;35238;12 rue de Saint-Malo;48,11541;-1,68052;Mo-Fr 09:00-12:30,14:00-18:00;2026-09-15;Aide aux démarches administratives|Maîtrise des outils numériques du quotidien;Se présenter|Téléphoner
"rocabey";50349821700028;"Espace numérique de Rocabey";Saint-Malo;35400;35288;"3 rue de la Croix Désilles";48,64351;-2,00848;"Tu-Fr 13:30-18:00; Sa 09:30-12:30";2026-09-15;Loisirs et créations numériques;Se présenter
"rocabey-bus";50349821700028;"Bus numérique de Rocabey";Saint-Malo;35400;35288;"Place Rocabey
(parking du marché)";;;;2026-09-15;Loisirs et créations numériques;Téléphoner
`

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var venueNumberRE = regexp.MustCompile(`(?m)^(\d+)\s+rocabey\s`)

// TestVenueStory imports a file of the standard, lists, qualifies and
// exports the venues, through the command line only.
func TestVenueStory(t *testing.T) {
	eachDB(t, venueStory)
}

func venueStory(t *testing.T, h *harness) {
	h.ok("migrate")
	file := writeTemp(t, "lieux.csv", venuesCSV)

	out := h.ok("venue", "import", "--file", file, "--dry-run")
	if !strings.Contains(out, "Simulation") || !strings.Contains(out, "3 lieux à créer") {
		t.Errorf("import --dry-run: %q", out)
	}
	if out := h.ok("venue", "list"); !strings.Contains(out, "Aucun lieu") {
		t.Errorf("a dry run wrote: %q", out)
	}
	out = h.ok("venue", "import", "--file", file)
	if !strings.Contains(out, "Import de lieux.csv : 3 lieux créés, 0 mis à jour, 0 inchangé.") {
		t.Errorf("import: %q", out)
	}
	// Both venues with SIRET 50349821700028 are warned of, with their lines.
	if !strings.Contains(out, "avertissements") || !strings.Contains(out, "ligne 3 : pivot") || !strings.Contains(out, "ligne 4 : pivot") {
		t.Errorf("import warnings: %q", out)
	}
	if out := h.ok("venue", "import", "--file", file); !strings.Contains(out, "0 lieu créé, 0 mis à jour, 3 inchangés") {
		t.Errorf("import again: %q", out)
	}

	out = h.ok("venue", "list")
	for _, want := range []string{"Le Grand Clic", "82417356000015", "35400 Saint-Malo", "listed", "3 lieux."} {
		if !strings.Contains(out, want) {
			t.Errorf("venue list does not say %q:\n%s", want, out)
		}
	}
	if out := h.ok("venue", "list", "--query", "Rennes"); !strings.Contains(out, "Le Grand Clic") || strings.Contains(out, "Rocabey") {
		t.Errorf("venue list --query Rennes: %q", out)
	}
	// An imported venue is listed: it applies itself to be qualified.
	m := venueNumberRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no number for rocabey in:\n%s", out)
	}
	h.fail(1, []string{"venue", "qualify", "--id", m[1], "--status", "qualified", "--reason", "Dossier complet"})
	if out := h.ok("venue", "list", "--status", "qualified"); !strings.Contains(out, "Aucun lieu") {
		t.Errorf("venue list --status qualified: %q", out)
	}

	// The standard's CSV on stdout reads back as the venues imported.
	out = h.ok("venue", "export")
	if !strings.HasPrefix(out, "id,pivot,nom,commune,code_postal,code_insee,adresse,complement_adresse,latitude,") {
		t.Errorf("export header: %q", out[:min(len(out), 120)])
	}
	rows, problems := mednum.ReadCSV(strings.NewReader(out))
	if len(problems) > 0 || len(rows) != 3 {
		t.Fatalf("export reads back as %d rows, problems %+v", len(rows), problems)
	}
	for _, r := range rows {
		v := r.Venue
		if v.ID == "grand-clic" && (v.Lat == nil || *v.Lat != 48.11541 || len(v.Services) != 2 || v.OpeningHours != "Mo-Fr 09:00-12:30,14:00-18:00") {
			t.Errorf("grand-clic exported as %+v", v)
		}
	}
	if out := h.ok("venue", "export", "--status", "listed", "--format", "json"); strings.Count(out, "\n") != 5 || !strings.Contains(out, `{"id":"rocabey",`) {
		t.Errorf("export --status listed --format json: %q", out)
	}
	if out := h.ok("venue", "export", "--status", "qualified"); strings.Count(out, "\n") != 1 {
		t.Errorf("export --status qualified: %q", out)
	}

	// A spreadsheet's CSV, and JSON, to files; the JSON imports unchanged.
	sheet := filepath.Join(t.TempDir(), "lieux-tableur.csv")
	if out := h.ok("venue", "export", "--separator", ";", "--out", sheet); out != "3 lieux exportés dans "+sheet+".\n" {
		t.Errorf("export --out: %q", out)
	}
	if data := readFile(t, sheet); !strings.HasPrefix(data, "\ufeffid;pivot;nom;") || !strings.Contains(data, ";48.11541;-1.68052;") {
		t.Errorf("spreadsheet export: %q", data[:min(len(data), 200)])
	}
	jsonFile := filepath.Join(t.TempDir(), "lieux.json")
	h.ok("venue", "export", "--out", jsonFile)
	if data := readFile(t, jsonFile); !strings.HasPrefix(data, "[\n{\"id\":") {
		t.Errorf("JSON export: %q", data[:min(len(data), 200)])
	}
	if out := h.ok("venue", "import", "--file", jsonFile); !strings.Contains(out, "3 inchangés") {
		t.Errorf("import of the JSON export: %q", out)
	}
	h.ok("check")
}

// TestVenueImportRefused: a file with bad lines says every one of them,
// and nothing is imported.
func TestVenueImportRefused(t *testing.T) {
	h := newHarness(t)
	h.ok("migrate")
	bad := strings.NewReplacer("82417356000015", "82417356000016", "Place Rocabey\n(parking du marché)", "Place Rocabey\n(parking du marché)\";\"en trop",
		"Sa 09:30-12:30", "Sa 9h30-12h30").Replace(venuesCSV)
	file := writeTemp(t, "mauvais.csv", bad)
	out, errs, code := h.run("venue", "import", "--file", file)
	lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
	if code != 1 || out != "" || len(lines) != 4 {
		t.Fatalf("exit %d\nstdout %q\nstderr:\n%s", code, out, errs)
	}
	for i, want := range []string{
		"ligne 2 : pivot : le SIRET « 82417356000016 » est invalide",
		"ligne 3 : horaires : « Tu-Fr 13:30-18:00; Sa 9h30-12h30 » :",
		"ligne 4 : 14 valeurs au lieu de 13",
		"passnum : mauvais.csv : 3 lignes en erreur, rien n'a été importé.",
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("stderr line %d: %q\nwant %q…", i+1, lines[i], want)
		}
	}
	if out := h.ok("venue", "list"); !strings.Contains(out, "Aucun lieu") {
		t.Errorf("a refused import wrote: %q", out)
	}

	h.fail(1, []string{"venue", "import", "--file", filepath.Join(t.TempDir(), "absent.csv")}, "Impossible de lire le fichier")
	if _, errs, code := h.run("venue", "import", "--file", writeTemp(t, "vide.json", "[]")); code != 1 ||
		errs != "ligne 1 : Aucun lieu : le tableau JSON est vide.\npassnum : vide.json : 1 ligne en erreur, rien n'a été importé.\n" {
		t.Errorf("empty JSON: exit %d, stderr %q", code, errs)
	}
	h.fail(2, []string{"venue", "import"}, "--file est obligatoire")
	h.fail(2, []string{"venue", "import", "--file", file, "--format", "xlsx"}, "format inconnu")
	h.fail(2, []string{"venue", "export", "--format", "json", "--separator", ";"}, "--separator ne va qu'avec le format csv")
	h.fail(2, []string{"venue", "export", "--separator", "|"}, "séparateur")
	h.fail(2, []string{"venue", "list", "--status", "qualifie"}, "statut inconnu", "qualified")
	h.fail(1, []string{"venue", "qualify", "--id", "999", "--status", "qualified", "--reason", "x"})
}

// TestVenueImportProgress: a big file shows its reading progress on
// stderr.
func TestVenueImportProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a file of several thousand venues")
	}
	h := newHarness(t)
	h.ok("migrate")
	var b strings.Builder
	header, row, _ := strings.Cut(venuesCSV, "\n")
	row, _, _ = strings.Cut(row, "\n")
	b.WriteString(header + "\n")
	for i := 0; b.Len() < progressMinBytes+1000; i++ {
		b.WriteString(strings.NewReplacer("grand-clic", fmt.Sprintf("lieu-%d", i), "Le Grand Clic", fmt.Sprintf("Lieu n°%d", i),
			"82417356000015", fmt.Sprintf("W%09d", i),
			"48,11541", fmt.Sprintf("48,%05d", i)).Replace(row) + "\n")
	}
	file := writeTemp(t, "gros.csv", b.String())
	out, errs, code := h.run("venue", "import", "--file", file, "--dry-run")
	if code != 0 || !strings.Contains(errs, "lecture de gros.csv (ko)") || !strings.Contains(errs, "(100 %)") || !strings.Contains(out, "lieux à créer") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
}

// TestVenueQualify moves venues through the qualification workflow; the
// older org qualify is the same command, with the same refusals.
func TestVenueQualify(t *testing.T) {
	h := newHarness(t)
	h.ok("migrate")
	clic := id(t, h.ok("org", "create", "--kind", "venue", "--name", "Le Grand Clic", "--siret", "82417356000015", "--commune", "35238"))
	rocabey := id(t, h.ok("org", "create", "--kind", "venue", "--name", "Espace numérique de Rocabey", "--siret", "50349821700028", "--commune", "35288"))
	if out := h.ok("venue", "list", "--status", "pending"); !strings.Contains(out, "Le Grand Clic") || !strings.Contains(out, "2 lieux.") {
		t.Errorf("venue list --status pending: %q", out)
	}
	// Qualifying needs the venue's whole application.
	h.fail(1, []string{"venue", "qualify", "--id", rocabey, "--status", "qualified", "--reason", "Dossier complet"}, "dossier est incomplet")
	if out := h.ok("venue", "qualify", "--id", rocabey, "--status", "changes_requested", "--reason", "RIB manquant"); out != "Espace numérique de Rocabey (n°"+rocabey+") : "+passnum.QualificationChangesRequested.Label()+".\n" {
		t.Errorf("venue qualify --status changes_requested: %q", out)
	}
	h.ok("venue", "qualify", "--id", rocabey, "--status", "refused", "--reason", "Pas de médiation numérique")
	errs := h.fail(1, []string{"venue", "qualify", "--id", rocabey, "--status", "suspended", "--reason", "x"})
	if strings.Contains(errs, "--qualification") || strings.Contains(errs, "champ") {
		t.Errorf("the error names another command's option: %q", errs)
	}

	// The older org qualify is the same command: it cannot qualify a
	// venue without its file either, nor make any move the workflow
	// forbids.
	h.fail(1, []string{"org", "qualify", "--id", clic, "--status", "qualified", "--reason", "Dossier complet"}, "dossier est incomplet")
	h.fail(1, []string{"org", "qualify", "--id", rocabey, "--status", "qualified", "--reason", "Dossier complet"}, "ne peut passer")
	paper := id(t, h.ok("org", "create", "--kind", "venue", "--name", "Le Petit Clic", "--siret", "35600000000048", "--commune", "35238", "--qualification", "qualified"))
	if out := h.ok("org", "qualify", "--id", paper, "--status", "suspended", "--reason", "Contrôle en cours"); !strings.Contains(out, "suspendu") {
		t.Errorf("org qualify --status suspended: %q", out)
	}
	h.fail(1, []string{"org", "qualify", "--id", paper, "--status", "pending", "--reason", "Essai"}, "ne peut passer")
	if out := h.ok("venue", "qualify", "--id", clic, "--status", "refused", "--reason", "Hors périmètre"); !strings.Contains(out, "refusée") {
		t.Errorf("venue qualify --status refused: %q", out)
	}
	out := h.ok("venue", "list")
	if !regexp.MustCompile(`Le Petit Clic .*suspended`).MatchString(out) || !regexp.MustCompile(`Le Grand Clic .*refused`).MatchString(out) ||
		!regexp.MustCompile(`Rocabey .*refused`).MatchString(out) {
		t.Errorf("venue list:\n%s", out)
	}
}

// TestVenueImportValidLines: with --valid-lines the same bad file imports
// its valid lines, and every other line is written with its reason;
// valid OpenStreetMap hours passnum does not evaluate are kept as text.
func TestVenueImportValidLines(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.ok("migrate")
		bad := strings.NewReplacer("82417356000015", "82417356000016", "Place Rocabey\n(parking du marché)", "Place Rocabey\n(parking du marché)\";\"en trop",
			"Tu-Fr 13:30-18:00; Sa 09:30-12:30", "Tu-Fr 13:30-18:00; Jul-Aug off").Replace(venuesCSV)
		file := writeTemp(t, "national.csv", bad)
		for _, dry := range []bool{true, false} {
			args := []string{"venue", "import", "--file", file, "--valid-lines"}
			if dry {
				args = append(args, "--dry-run")
			}
			out, errs, code := h.run(args...)
			lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
			if code != 0 || len(lines) != 2 ||
				!strings.HasPrefix(lines[0], "ligne 2 écartée : pivot : le SIRET « 82417356000016 » est invalide") ||
				!strings.HasPrefix(lines[1], "ligne 4 écartée : 14 valeurs au lieu de 13") ||
				!strings.Contains(out, "2 lignes écartées.") || !strings.Contains(out, "1 lieu") {
				t.Fatalf("dry run %v: exit %d\nstdout %q\nstderr:\n%s", dry, code, out, errs)
			}
		}
		out := h.ok("venue", "export")
		if !strings.Contains(out, "Tu-Fr 13:30-18:00; Jul-Aug off") || strings.Contains(out, "grand-clic") {
			t.Errorf("export after --valid-lines:\n%s", out)
		}
		// Without the option, the same file is refused whole.
		if _, _, code := h.run("venue", "import", "--file", file); code != 1 {
			t.Errorf("all or nothing: exit %d", code)
		}
	})
}
