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

// commands returns the subcommands: adding one is one line here.
func (c *cli) commands() map[string]command {
	return map[string]command{
		"serve":        {c.serve, "sert l'interface web et l'API (et, avec --demo, une base de démonstration)"},
		"migrate":      {c.migrate, "crée ou met à jour le schéma de la base"},
		"org":          {c.org, "organisations : create, list, qualify"},
		"venue":        {c.venue, "lieux de médiation, standard national : import, export, list, qualify"},
		"user":         {c.user, "personnes : create"},
		"token":        {c.token, "jetons d'API : create, list, revoke"},
		"programme":    {c.programme, "programmes : create, list, show"},
		"funds":        {c.funds, "fonds reçus des financeurs : record"},
		"issue":        {c.issue, "émet un lot de carnets"},
		"activate":     {c.activate, "active des pass dans la limite des fonds reçus"},
		"allocate":     {c.allocate, "attribue des carnets à un prescripteur"},
		"block":        {c.block, "bloque (ou débloque) un pass, un carnet ou le stock"},
		"expire":       {c.expire, "fait expirer les pass dont la validité est passée"},
		"settle":       {c.settle, "règlement des lieux : run, validate, payer, batch, paid, reject…"},
		"credit-notes": {c.creditNotes, "avoirs des pass expirés aux financeurs : issue, list"},
		"backup":       {c.backup, "sauvegarde la base SQLite à chaud (PostgreSQL : pg_dump)"},
		"check":        {c.check, "vérifie tous les invariants (code 1 si l'un échoue)"},
		"indicators":   {c.indicators, "indicateurs des tableaux de bord : refresh, show"},
		"opendata":     {c.opendata, "écrit les données ouvertes, anonymisées (secret statistique)"},
		"export":       {c.export, "exporte les pass d'un lot pour l'imprimeur : passes"},
		"keys":         {c.keys, "clés de signature des QR codes : rotate"},
		"version":      {c.version, "affiche la version"},
		"bench":        {runBench, "mesure les performances (émission, encaissements)"},
	}
}
