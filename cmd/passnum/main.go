// Command passnum runs a Pass numérique platform and lets its operator
// administer it from a terminal: the API server (serve), organisations,
// people and tokens, programmes and funds, the life of carnets (issue,
// activate, allocate, block, expire), exports, key rotation and the
// invariant check.
//
// Configuration comes from flags and the environment: --db or PASSNUM_DB
// (default passnum.db, a SQLite file; a postgres:// URL selects
// PostgreSQL). Every subcommand answers --help. Errors print one line on
// stderr and exit with status 1, or 2 for a wrong command line.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return newCLI(stdout, stderr).run(ctx, args)
}

// commands is the table of commands: its path, a line for the lists of
// commands, what it opens, and its setup (options, documentation, what it
// does), which lives with its area's other commands. A line without setup
// is a group, summing up its subcommands.
func (c *cli) commands() []command {
	return []command{
		{"serve", "sert l'interface web et l'API (et, avec --demo, une base de démonstration)", noStore, c.serve},
		{"migrate", "crée ou met à jour le schéma de la base", createStore, c.migrate},

		{"org", "organisations : create, list, qualify", noStore, nil},
		{"org create", "crée une organisation (financeur, prescripteur, lieu…)", asOperator, c.orgCreate},
		{"org list", "liste les organisations", asOperator, c.orgList},
		// The older name of "venue qualify": the same decisions of the
		// qualification workflow, by the same code.
		{"org qualify", "comme « passnum venue qualify » : une décision du parcours de qualification", asOperator, as("venue qualify", c.venueQualify)},

		{"venue", "lieux de médiation, standard national : import, export, list, qualify", noStore, nil},
		{"venue import", "importe un fichier du standard national des lieux (CSV ou JSON)", asOperator, c.venueImport},
		{"venue export", "exporte les lieux au format du standard national", asOperator, c.venueExport},
		{"venue list", "liste les lieux de médiation", asOperator, c.venueList},
		{"venue qualify", "décide de la qualification d'un lieu (motif gardé dans son historique)", asOperator, c.venueQualify},

		{"user", "personnes : create", noStore, nil},
		{"user create", "crée un compte membre d'une organisation", asOperator, c.userCreate},

		{"token", "jetons d'API : create, list, revoke", noStore, nil},
		{"token create", "crée un jeton d'API pour une organisation", asOperator, c.tokenCreate},
		{"token list", "liste les jetons d'une organisation", asOperator, c.tokenList},
		{"token revoke", "révoque un jeton sur-le-champ", asOperator, c.tokenRevoke},

		{"programme", "programmes : create, list, show", noStore, nil},
		{"programme create", "crée un programme (convention de financement)", asOperator, c.programmeCreate},
		{"programme list", "liste les programmes et leurs montants", asOperator, c.programmeList},
		{"programme show", "montre un programme : pass par état, argent, lots", asOperator, c.programmeShow},

		{"funds", "fonds reçus des financeurs : record", noStore, nil},
		{"funds record", "enregistre un ordre de paiement reçu d'un financeur", asOperator, c.fundsRecord},

		{"issue", "émet un lot de carnets", asOperator, c.issue},
		{"activate", "active des pass dans la limite des fonds reçus", asOperator, c.activate},
		{"allocate", "attribue des carnets à un prescripteur", asOperator, c.allocate},
		{"block", "bloque (ou débloque) un pass, un carnet ou le stock", asOperator, c.block},
		{"expire", "fait expirer les pass dont la validité est passée", asOperator, c.expire},

		{"export", "exporte les pass d'un lot pour l'imprimeur : passes", noStore, nil},
		{"export passes", "exporte les pass d'un lot en CSV pour l'imprimeur", asOperator, c.exportPasses},
		{"export carnets", "imprime les carnets d'un lot en PDF (lettre et pass avec leur QR code)", asOperator, c.exportCarnets},

		{"settle", "règlement des lieux : run, validate, payer, batch, paid, reject…", noStore, nil},
		{"settle run", "règle les pass encaissés jusqu'à une date : un relevé par lieu", asOperator, c.settleRun},
		{"settle list", "liste les règlements", asOperator, c.settleList},
		{"settle statements", "liste les relevés des lieux", asOperator, c.settleStatements},
		{"settle validate", "valide les relevés en brouillon d'un règlement, ou un relevé", asOperator, c.settleValidate},
		{"settle payer", "compte de l'opérateur d'où partent les virements", asOperator, c.settlePayer},
		{"settle batch", "crée un lot de virements SEPA (pain.001) des relevés validés", asOperator, c.settleBatch},
		{"settle batches", "liste les lots de virements", asOperator, c.settleBatches},
		{"settle paid", "enregistre qu'un relevé a été payé", asOperator, c.settlePaid},
		{"settle reject", "enregistre le rejet du virement d'un relevé", asOperator, c.settleReject},
		{"settle charges", "liste les appels de fonds aux financeurs", asOperator, c.settleCharges},

		{"credit-notes", "avoirs des pass expirés aux financeurs : issue, list", noStore, nil},
		{"credit-notes issue", "émet les avoirs des pass expirés d'un programme", asOperator, c.creditNotesIssue},
		{"credit-notes list", "liste les avoirs", asOperator, c.creditNotesList},

		{"indicators", "indicateurs des tableaux de bord : refresh, show", noStore, nil},
		{"indicators refresh", "recalcule tous les indicateurs à partir des données", asOperator, c.indicatorsRefresh},
		{"indicators show", "affiche les indicateurs d'un périmètre selon un axe", asOperator, c.indicatorsShow},
		{"opendata", "écrit les données ouvertes, anonymisées (secret statistique)", plainStore, c.opendata},

		{"backup", "sauvegarde la base SQLite à chaud (PostgreSQL : pg_dump)", plainStore, c.backup},
		{"check", "vérifie tous les invariants (code 1 si l'un échoue)", asOperator, c.check},
		{"journal", "journal des consultations de données personnelles : reads", noStore, nil},
		{"journal reads", "écrit le journal des consultations de données personnelles (CSV)", asOperator, c.journalReads},
		{"audit", "journal d'audit infalsifiable : anchors, verify", noStore, nil},
		{"audit anchors", "écrit les ancres du journal d'audit, à garder hors de la plateforme", asOperator, c.auditAnchors},
		{"audit verify", "prouve que le journal d'audit contient encore des ancres gardées", asOperator, c.auditVerify},
		{"beneficiary", "droits d'une personne sur sa fiche : restrict, erase", noStore, nil},
		{"beneficiary restrict", "limite (ou, avec --lift, rétablit) le traitement de la fiche d'une personne", asOperator, c.beneficiaryRestrict},
		{"beneficiary erase", "efface la fiche d'une personne, quand les comptes le permettent", asOperator, c.beneficiaryErase},
		{"rights", "droits des personnes sur leurs données : requests, export", noStore, nil},
		{"rights requests", "liste le registre des demandes RGPD, les retards en premier", asOperator, c.rightsRequests},
		{"rights export", "écrit la copie des données d'une personne (PDF ou JSON)", asOperator, c.rightsExport},
		{"reminders", "rappels par courriel : run", noStore, nil},
		{"reminders run", "met en file les rappels du jour : pass qui expirent, demandes RGPD à échéance", asOperator, c.remindersRun},
		{"retention", "conservation des données personnelles : run, runs", noStore, nil},
		{"retention run", "efface ce qui a dépassé sa durée de conservation (--dry-run : dit quoi)", asOperator, c.retentionRun},
		{"retention runs", "liste les dernières purges et ce qu'elles ont effacé", asOperator, c.retentionRuns},
		{"keys", "clés de signature des QR codes et de chiffrement : generate, rotate, list, export-public, move", noStore, nil},
		{"keys generate", "crée un fichier de clés, ou y ajoute une clé en attente", noStore, c.keysGenerate},
		{"keys rotate", "rend active une nouvelle clé ; les anciennes vérifient encore", noStore, c.keysRotate},
		{"keys list", "liste les clés (sorte, id, état, création), jamais leur secret", noStore, c.keysList},
		{"keys export-public", "écrit les clés publiques de signature pour un vérificateur hors ligne (JSON)", noStore, c.keysExportPublic},
		{"keys move", "déplace les clés de la base dans un fichier de clés et les retire de la base", asOperator, c.keysMove},
		{"mail", "courriels sortants : test", noStore, nil},
		{"mail test", "envoie un message d'essai par le serveur d'envoi réglé et affiche sa réponse", noStore, c.mailTest},
		{"register", "écrit le registre des traitements de données (RGPD), en Markdown ou en PDF", noStore, c.registerDoc},
		{"version", "affiche la version", noStore, c.version},
		{"bench", "mesure les performances (émission, encaissements)", noStore, c.bench},
	}
}
