package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/pdf"
	"github.com/passnum/passnum/internal/sqlstore"
)

// registerDoc writes the register of processing activities with the
// installation's settings, for its DPO: the same register as the page
// /donnees-personnelles/registre and docs/REGISTRE.md (which has the
// defaults).
func (c *cli) registerDoc(o *options) runFunc {
	o.usage("[--format md|pdf] [--out FICHIER]",
		"Écrit le registre des activités de traitement (article 30 du RGPD) de cette\n"+
			"installation, avec ses réglages PASSNUM_PRIVACY_* : en Markdown sur la sortie\n"+
			"standard ou dans un fichier, en PDF dans un fichier. Aucune base n'est ouverte.")
	var format, out string
	o.string(&format, "format", "md", "`format` : md (Markdown) ou pdf")
	o.string(&out, "out", "", "`fichier` à écrire ; sans lui, le Markdown va sur la sortie standard")
	return func(context.Context, store) error {
		p, err := c.privacy()
		if err != nil {
			return err
		}
		r := passnum.NewRegister(p)
		var write func(io.Writer) error
		switch format {
		case "md":
			write = func(w io.Writer) error { return r.WriteMarkdown(w, privacyVariables()) }
		case "pdf":
			if out == "" {
				return o.usageErrorf("un PDF s'écrit dans un fichier : indiquez --out.")
			}
			now := time.Now()
			if c.now != nil {
				now = c.now()
			}
			write = func(w io.Writer) error { return pdf.Register(w, r, now) }
		default:
			return o.usageErrorf("format inconnu : %q (md ou pdf).", format)
		}
		if out == "" {
			return write(c.stdout)
		}
		if err := writeAtomically(out, write); err != nil {
			return err
		}
		c.printf("Registre des traitements écrit dans %s.\n", out)
		return nil
	}
}

// privacyOf is the store's privacy settings (sqlstore.WithPrivacy), which
// the pages tell; nil store: the defaults.
func privacyOf(s *sqlstore.Store) *passnum.PrivacySettings {
	if s == nil {
		return nil
	}
	p := s.Privacy()
	return &p
}

// privacyVariables documents the PASSNUM_PRIVACY_* settings in the
// register's Markdown (docs/REGISTRE.md), with the defaults of
// passnum.DefaultPrivacySettings.
func privacyVariables() []passnum.RegisterSetting {
	d := passnum.DefaultPrivacySettings()
	var periods []string
	for _, r := range passnum.RetentionRules {
		if r.Months > 0 {
			periods = append(periods, fmt.Sprintf("`%s=%d`", r.Key, r.Months))
		}
	}
	sort.Strings(periods)
	setting := func(name, meaning, def string) passnum.RegisterSetting {
		return passnum.RegisterSetting{Name: name, Meaning: meaning, Default: def}
	}
	return []passnum.RegisterSetting{
		setting(envPrivacyController, "Responsable du traitement (l'opérateur), nommé dans le registre et les notices", d.Controller),
		setting(envPrivacyControllerAddress, "Son adresse postale", d.ControllerAddress),
		setting(envPrivacyControllerEmail, "L'adresse où les personnes envoient leurs demandes", d.ControllerEmail),
		setting(envPrivacyJointControllers, "Les responsables conjoints (les financeurs)", d.JointControllers),
		setting(envPrivacyDPOName, "Le délégué à la protection des données", d.DPOName),
		setting(envPrivacyDPOEmail, "Son adresse électronique", d.DPOEmail),
		setting(envPrivacyHost, "L'hébergeur, sous-traitant (article 28)", d.Host),
		setting(envPrivacyRetention, "Durées de conservation en mois, `clé=mois` séparées par des virgules (par exemple `beneficiary=48,notes=12`) ; "+
			"de 1 à 240 mois, 120 au moins pour `accounting` ; `account` et `network` durent le temps de la relation",
			strings.Join(periods, ", ")),
	}
}
