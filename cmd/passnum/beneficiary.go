package main

import (
	"context"

	"github.com/passnum/passnum"
)

// The rights of the person from the operator's terminal: what the API's
// /api/v1/beneficiaries/{ref}/restriction and erasure routes do, for a DPO
// without a token (passnum rights export gives a person's copy).

func (c *cli) beneficiaryErase(o *options) runFunc {
	o.usage("--ref B-… --reason MOTIF",
		"Efface la fiche d'un bénéficiaire (droit à l'effacement, article 17 du RGPD) :\n"+
			"ses détails, sa référence (remplacée par une référence anonyme), ses liens aux\n"+
			"inscriptions et aux comptes rendus. Les pass déjà utilisés restent dans les\n"+
			"comptes, sans lien avec la personne. Refusé tant que la personne détient des\n"+
			"pass encore utilisables : bloquez d'abord ses carnets ou attendez leur\n"+
			"expiration. Le motif reste au journal d'audit : n'y mettez aucune donnée\n"+
			"personnelle.")
	var ref, reason string
	o.string(&ref, "ref", "", "`référence` du bénéficiaire (B-…)", required)
	o.string(&reason, "reason", "", "`motif`, par exemple « demande du 3 décembre »", required)
	return func(ctx context.Context, s store) error {
		e, err := s.EraseBeneficiary(ctx, ref, reason)
		if err != nil {
			return err
		}
		c.printf("Fiche %s effacée : %s et %s.\n", e.Ref, plural(e.Registrations, "inscription détachée", "inscriptions détachées"),
			plural(e.Activities, "compte rendu détaché", "comptes rendus détachés"))
		for _, k := range e.Kept {
			c.printf("  %s\n", k)
		}
		return nil
	}
}

func (c *cli) beneficiaryRestrict(o *options) runFunc {
	o.usage("--ref B-… --reason MOTIF [--lift]",
		"Limite le traitement de la fiche d'un bénéficiaire (article 18 du RGPD) : la\n"+
			"fiche reste, mais la personne ne reçoit plus de carnet, n'est plus inscrite\n"+
			"à une séance et sort des exports et des indicateurs. Avec --lift, lève la\n"+
			"limitation.")
	var ref, reason string
	var lift bool
	o.string(&ref, "ref", "", "`référence` du bénéficiaire (B-…)", required)
	o.string(&reason, "reason", "", "`motif`, par exemple « conteste sa commune »")
	o.bool(&lift, "lift", "lève la limitation")
	return func(ctx context.Context, s store) error {
		b, err := s.RestrictBeneficiary(ctx, ref, !lift, reason)
		if err != nil {
			return err
		}
		if b.RestrictedAt != nil {
			c.printf("Traitement de la fiche %s limité depuis le %s.\n", b.Ref, passnum.FrenchDateTime(*b.RestrictedAt))
		} else {
			c.printf("La fiche %s n'est pas limitée.\n", b.Ref)
		}
		return nil
	}
}
