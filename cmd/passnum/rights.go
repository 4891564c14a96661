package main

import (
	"context"
	"encoding/json"
	"io"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/pdf"
)

// The rights of the person from the operator's terminal: what the API's
// /api/v1/beneficiaries/{ref}/… routes do, for a DPO without a token.

func (c *cli) beneficiaryExport(o *options) runFunc {
	o.usage("--ref B-… --reason MOTIF [--format json|pdf] [--out FICHIER]",
		"Écrit tout ce que la plateforme garde d'un bénéficiaire (droit d'accès et de\n"+
			"portabilité, articles 15 et 20 du RGPD) : sa fiche, ses carnets, ses pass\n"+
			"utilisés, ses inscriptions, les comptes rendus qui le nomment, et pour chaque\n"+
			"donnée pourquoi et combien de temps elle est gardée. En JSON (pour une\n"+
			"machine) ou en PDF (pour la personne, en français simple). La consultation\n"+
			"est notée au journal des consultations, avec le motif.")
	var ref, reason, format, out string
	o.string(&ref, "ref", "", "`référence` du bénéficiaire (B-…)", required)
	o.string(&reason, "reason", "", "`motif` de la consultation, par exemple « demande d'accès du 3 décembre »", required)
	o.string(&format, "format", "json", "`format` : json ou pdf")
	o.string(&out, "out", "", "`fichier` à écrire ; sans lui, le JSON va sur la sortie standard")
	return func(ctx context.Context, s store) error {
		var write func(io.Writer, *passnum.PersonalData) error
		switch format {
		case "json":
			write = func(w io.Writer, d *passnum.PersonalData) error {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(d)
			}
		case "pdf":
			if out == "" {
				return o.usageErrorf("un PDF s'écrit dans un fichier : indiquez --out.")
			}
			p, err := c.privacy()
			if err != nil {
				return err
			}
			write = func(w io.Writer, d *passnum.PersonalData) error { return pdf.PersonalData(w, d, p) }
		default:
			return o.usageErrorf("format inconnu : %q (json ou pdf).", format)
		}
		d, err := s.PersonalData(passnum.WithReadReason(ctx, reason), ref)
		if err != nil {
			return err
		}
		if out == "" {
			return write(c.stdout, d)
		}
		if err := writeAtomically(out, func(w io.Writer) error { return write(w, d) }); err != nil {
			return err
		}
		c.printf("Données de %s écrites dans %s.\n", d.Beneficiary.Ref, out)
		return nil
	}
}

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
		c.printf("Fiche %s effacée : %d inscriptions et %d comptes rendus détachés.\n", e.Ref, e.Registrations, e.Activities)
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
