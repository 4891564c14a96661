package main

import (
	"context"
	"strings"

	"github.com/passnum/passnum"
)

// Administration: schema, invariants (the keys: keys.go; the version: version.go).

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
