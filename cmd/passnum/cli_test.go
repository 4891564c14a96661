package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestCommandHelp: every command answers --help on stdout with status 0,
// its usage line naming it (org qualify is venue qualify under an older
// name), without opening a database.
func TestCommandHelp(t *testing.T) {
	usages := map[string]string{
		"serve": "passnum serve [--addr :8080] [--demo]", "migrate": "passnum migrate",
		"org create": "passnum org create --kind TYPE --name NOM", "org list": "passnum org list [--kind TYPE]",
		"org qualify": "passnum venue qualify --id N", "venue import": "passnum venue import --file FICHIER",
		"venue export": "passnum venue export [--format csv|json]", "venue list": "passnum venue list [--status STATUT]",
		"venue qualify": "passnum venue qualify --id N", "user create": "passnum user create --email ADRESSE",
		"token create": "passnum token create --org N", "token list": "passnum token list --org N",
		"token revoke": "passnum token revoke --id N", "programme create": "passnum programme create --name NOM",
		"programme list": "passnum programme list", "programme show": "passnum programme show --id N",
		"funds record": "passnum funds record --programme N", "issue": "passnum issue --programme N --carnets N",
		"activate": "passnum activate --programme N", "allocate": "passnum allocate --prescriber N",
		"block": "passnum block --scope pass|carnet|stock", "expire": "passnum expire",
		"export passes": "passnum export passes --batch N", "export carnets": "passnum export carnets --batch N --out FICHIER.pdf",
		"settle run": "passnum settle run [--cut-off AAAA-MM-JJ]", "settle list": "passnum settle list",
		"settle statements": "passnum settle statements [--run N]", "settle validate": "passnum settle validate (--run N | --statement N)",
		"settle payer": "passnum settle payer [--name NOM", "settle batch": "passnum settle batch (--execution-date AAAA-MM-JJ | --id N)",
		"settle batches": "passnum settle batches", "settle paid": "passnum settle paid --statement N",
		"settle reject": "passnum settle reject --statement N --reason MOTIF", "settle charges": "passnum settle charges [--funder N]",
		"credit-notes issue": "passnum credit-notes issue --programme N", "credit-notes list": "passnum credit-notes list [--funder N]",
		"indicators refresh": "passnum indicators refresh", "indicators show": "passnum indicators show [--scope all]",
		"opendata": "passnum opendata --out FICHIER", "backup": "passnum backup --out FICHIER", "check": "passnum check",
		"keys rotate": "passnum keys rotate", "keys generate": "passnum keys generate --file FICHIER",
		"keys list": "passnum keys list [--file FICHIER]", "keys export-public": "passnum keys export-public [--file FICHIER]",
		"keys move": "passnum keys move --file FICHIER", "version": "passnum version", "register": "passnum register [--format md|pdf]",
		"audit anchors": "passnum audit anchors [--format csv|json] [--out FICHIER]", "audit verify": "passnum audit verify --anchors FICHIER",
	}
	for path, usage := range usages {
		var out, errb bytes.Buffer
		args := append(strings.Fields(path), "--help", "--db", "/nulle-part/passnum.db")
		code := run(context.Background(), args, &out, &errb)
		if code != 0 || errb.Len() != 0 || !strings.HasPrefix(out.String(), "usage : "+usage) || !strings.Contains(out.String(), "\n  --db BASE\n") {
			t.Errorf("passnum %s --help: exit %d, stderr %q\n%s", path, code, errb.String(), out.String())
		}
	}
}

// TestCommandNames: a command and its subcommand are two arguments.
func TestCommandNames(t *testing.T) {
	h := newHarness(t)
	h.fail(2, []string{"org create", "--kind", "funder", "--name", "État"}, `commande inconnue : "org create"`)
	h.fail(2, []string{"org", "create list"}, `sous-commande inconnue : "create list" (create, list, qualify)`)
	h.fail(2, []string{"settle"}, "indiquez une sous-commande : batch, batches, charges, list, paid, payer, reject, run, statements, validate")
	if out := h.ok("venue", "--help"); !strings.Contains(out, "\n  qualify      décide de la qualification d'un lieu") {
		t.Errorf("venue --help:\n%s", out)
	}
}
