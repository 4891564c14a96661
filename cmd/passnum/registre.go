package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
)

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
