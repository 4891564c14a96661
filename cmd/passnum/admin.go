package main

import (
	"context"
	"runtime/debug"
	"strings"

	"github.com/passnum/passnum"
)

// Administration: schema, invariants, version (the keys: keys.go).

func (c *cli) migrate(o *options) runFunc {
	o.usage("", "Crée la base si besoin et applique les migrations du schéma qui manquent.\n"+
		"Les autres commandes migrent aussi à l'ouverture ; celle-ci le fait seule,\n"+
		"par exemple avant de démarrer une nouvelle version.")
	return func(ctx context.Context, s store) error {
		c.printf("Base à jour : %s (%s).\n", displayDSN(c.dsn), s.Dialect())
		return nil
	}
}

func (c *cli) check(o *options) runFunc {
	o.usage("", "Recalcule tous les invariants depuis les enregistrements : écritures\n"+
		"équilibrées, soldes égaux aux pass par état, émis ≤ budget, activés ≤ fonds\n"+
		"reçus, aucun pass encaissé deux fois, carnets cohérents avec leurs pass ;\n"+
		"scelle les nouvelles entrées du journal d'audit, recalcule toute sa chaîne\n"+
		"d'empreintes et ses ancres, et affiche les dernières ancres.\n"+
		"Code de sortie 1 si l'un d'eux ne tient pas, en les nommant tous.")
	return func(ctx context.Context, s store) error {
		rep, err := s.CheckInvariants(ctx)
		if err != nil {
			return err
		}
		c.printf("Vérifié : %s, %s pass, %s.\n", passnum.FrenchCount(int64(rep.Programmes), "programme", "programmes"),
			formatInt(rep.Passes), passnum.FrenchCount(int64(rep.Postings), "écriture comptable", "écritures comptables"))
		if err := c.printLatestAnchors(ctx, s); err != nil {
			return err
		}
		if rep.OK() {
			c.printf("Tous les invariants sont respectés.\n")
			return nil
		}
		broken := passnum.FrenchCount(int64(len(rep.Problems)), "invariant non respecté", "invariants non respectés")
		c.printf("%s :\n", broken)
		for _, p := range rep.Problems {
			c.printf("  - %s\n", p)
		}
		return passnum.Errorf(passnum.ECONFLICT, "invariants-broken", "%s : %s",
			broken, strings.Join(rep.Problems, " ; "))
	}
}

// version is set at link time: go build -ldflags "-X main.version=v1.2.3".
var version = ""

func (c *cli) version(o *options) runFunc {
	o.usage("", "Affiche la version de passnum, le commit et la version de Go.")
	return func(context.Context, store) error {
		v, rev, modified, goVersion := version, "", false, ""
		if info, ok := debug.ReadBuildInfo(); ok {
			goVersion = info.GoVersion
			if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
				v = info.Main.Version
			}
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value == "true"
				}
			}
		}
		if v == "" {
			v = "version de développement"
		}
		c.printf("passnum %s", v)
		if rev != "" {
			c.printf(" (commit %.12s", rev)
			if modified {
				c.printf(", modifié")
			}
			c.printf(")")
		}
		if goVersion != "" {
			c.printf(", %s", goVersion)
		}
		c.printf("\n")
		return nil
	}
}
