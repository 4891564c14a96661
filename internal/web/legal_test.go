package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestLegalPages: the legal notice and the accessibility statement tell
// the installation's names and contacts, logged in or not; the statement
// says "non conforme" until an audit measured otherwise, and the footer
// of every page says the same level.
func TestLegalPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		privacy := privacySettings()
		privacy.ControllerAddress = "12 rue de la Paix, 35000 Rennes"
		privacy.Host = "Hébergeur Breton SAS"
		legal := passnum.LegalSettings{Director: "Anne Kerjean, présidente", HostAddress: "2 rue Kellermann, 59100 Roubaix, 03 20 00 00 00",
			ContactEmail: "contact@numerique-pour-tous.example.fr"}
		s := newSite(t, env, Options{Privacy: privacy, Legal: &legal, BaseURL: "https://pass.numerique-pour-tous.example.fr"})
		audited := legal
		audited.AuditDate, audited.AuditRate, audited.Auditor = "2027-03-15", 78, "Access42"
		a := s.another(Options{Privacy: privacy, Legal: &audited})
		tests := []struct {
			name    string
			site    *site
			who     *person
			path    string
			want    []string
			wantNot []string
		}{
			{"legal notice", s, anonymous, "/mentions-legales", []string{
				"Mentions légales", "https://pass.numerique-pour-tous.example.fr",
				"Éditeur Coopérative Numérique pour tous 12 rue de la Paix, 35000 Rennes E-mail : contact@numerique-pour-tous.example.fr",
				"Directeur de la publication Anne Kerjean, présidente",
				"Hébergeur Hébergeur Breton SAS 2 rue Kellermann, 59100 Roubaix, 03 20 00 00 00",
				"dpo@numerique-pour-tous.example.fr", "État de conformité au RGAA : non conforme",
			}, []string{"PASSNUM_"}},
			{"legal notice, logged in", s, s.as(passnum.KindFunder, passnum.RoleAgent), "/mentions-legales", []string{"Directeur de la publication Anne Kerjean"}, nil},
			{"statement without audit", s, anonymous, "/accessibilite", []string{
				"Déclaration d'accessibilité", "Coopérative Numérique pour tous s'engage", "article 47 de la loi n° 2005-102",
				"https://pass.numerique-pour-tous.example.fr",
				"Ce service est non conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1.2 : il n'a pas encore fait l'objet d'un audit",
				"Contenus non accessibles", "ne sont pas balisés", "Dérogations pour charge disproportionnée",
				"établie le 7 décembre 2026", "axe-core", "1 280 pixels", "390 pixels", "clavier seul",
				"contact@numerique-pour-tous.example.fr", "12 rue de la Paix, 35000 Rennes",
				"Défenseur des droits", "Libre réponse 71120, 75342 Paris CEDEX 07",
			}, []string{"partiellement conforme", "% des critères"}},
			{"statement after an audit", a, anonymous, "/accessibilite", []string{
				"Ce service est partiellement conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1.2, en raison des non-conformités",
				"L'audit de conformité réalisé le 15 mars 2027 par Access42 révèle que 78 % des critères",
			}, []string{"non conforme"}},
		}
		for _, tt := range tests {
			r := tt.site.get(tt.who, tt.path)
			if r.status != http.StatusOK {
				t.Errorf("%s: %d\n%.300s", tt.name, r.status, r.text())
				continue
			}
			text := r.text()
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s does not say %q\n%s", tt.name, w, text)
				}
			}
			main := text[strings.Index(text, "Aller au contenu"):strings.LastIndex(text, "Vérifier un carnet")]
			for _, w := range tt.wantNot {
				if strings.Contains(main, w) {
					t.Errorf("%s says %q", tt.name, w)
				}
			}
		}
		// The footer says the level and the contact of the installation.
		for _, c := range []struct {
			site *site
			want []string
		}{
			{s, []string{`<a href="/accessibilite">Accessibilité : non conforme</a>`, `<a href="mailto:contact@numerique-pour-tous.example.fr">Contact : contact@numerique-pour-tous.example.fr</a>`}},
			{a, []string{`<a href="/accessibilite">Accessibilité : partiellement conforme</a>`}},
		} {
			footer := footerRE.FindString(c.site.get(anonymous, "/carnet").body)
			for _, w := range c.want {
				if !strings.Contains(footer, w) {
					t.Errorf("footer has no %s:\n%s", w, footer)
				}
			}
		}
	})
}
