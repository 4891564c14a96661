package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/pdf"
)

// rightsRequests lists the register of rights requests, the open ones by
// default, soonest due first: what the DPO checks every week.
func (c *cli) rightsRequests(o *options) runFunc {
	o.usage("[--all] [--due-by AAAA-MM-JJ]",
		"Liste le registre des demandes d'exercice des droits (articles 15 à 21 du\n"+
			"RGPD) : par défaut les demandes en attente de réponse, de la plus proche\n"+
			"échéance à la plus lointaine ; une demande en retard est marquée RETARD.")
	var all bool
	var dueBy string
	o.bool(&all, "all", "toutes les demandes, même celles qui ont reçu leur réponse")
	o.date(&dueBy, "due-by", "seulement les demandes dues au plus tard ce `jour`")
	return func(ctx context.Context, s store) error {
		today := passnum.Today(c.clock())
		var list []*passnum.RightsRequest
		for offset := 0; ; offset += 500 {
			page, total, err := s.ListRightsRequests(ctx, passnum.RightsRequestFilter{Open: !all, DueBy: dueBy, Offset: offset, Limit: 500})
			if err != nil {
				return err
			}
			list = append(list, page...)
			if len(page) == 0 || len(list) >= total {
				break
			}
		}
		none := "Aucune demande en attente de réponse."
		if all {
			none = "Aucune demande enregistrée."
		}
		return printList(c.stdout, list, none, "rlllll", []string{"N°", "REÇUE", "ÉCHÉANCE", "ÉTAT", "DROIT", "PERSONNE"},
			func(r *passnum.RightsRequest) []string {
				return []string{fmt.Sprint(r.ID), r.ReceivedOn, r.DueOn, rightsState(r, today), string(r.Kind), r.Ref}
			})
	}
}

// rightsState says where a request stands on day today, in one word or a
// few: RETARD is what the DPO looks for.
func rightsState(r *passnum.RightsRequest, today string) string {
	switch {
	case !r.Open() && r.AnsweredLate():
		return "répondue le " + r.AnsweredOn + " (en retard)"
	case !r.Open():
		return "répondue le " + r.AnsweredOn
	case r.Overdue(today):
		return fmt.Sprintf("RETARD de %d j", -r.DaysLeft(today))
	}
	return fmt.Sprintf("%d j restants", r.DaysLeft(today))
}

// rightsExport writes the copy of a person's data (articles 15 and 20):
// the PDF for the person, or the JSON for a machine, by the file's name.
func (c *cli) rightsExport(o *options) runFunc {
	o.usage("--ref B-… --out FICHIER.pdf|FICHIER.json --reason MOTIF",
		"Écrit tout ce que la plateforme garde sur une personne : en PDF, en français\n"+
			"simple, pour la personne ; en JSON pour une machine (portabilité). La lecture\n"+
			"et son motif sont notés dans le journal des consultations.")
	var ref, out, reason string
	o.string(&ref, "ref", "", "`référence` de la personne (B-…)", required)
	o.string(&out, "out", "", "`fichier` à écrire : .pdf ou .json", required)
	o.string(&reason, "reason", "", "`motif` de la consultation, par exemple « demande d'accès n°12 »", required)
	o.check(func() error {
		switch strings.ToLower(filepath.Ext(out)) {
		case ".pdf", ".json":
			return nil
		}
		return o.usageErrorf("--out : un fichier .pdf ou .json, pas %q", out)
	})
	return func(ctx context.Context, s store) error {
		asJSON := strings.EqualFold(filepath.Ext(out), ".json")
		ctx = passnum.WithExport(passnum.WithReadReason(ctx, reason), filepath.Base(out))
		d, err := s.PersonalData(ctx, ref)
		if err != nil {
			return err
		}
		privacy, err := c.privacy()
		if err != nil {
			return err
		}
		err = writeAtomically(out, func(w io.Writer) error {
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(d)
			}
			return pdf.PersonalData(w, d, privacy)
		})
		if err != nil {
			return err
		}
		c.printf("Données de %s écrites dans %s.\n", d.Beneficiary.Ref, out)
		return nil
	}
}
