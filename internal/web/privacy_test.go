package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// privacySettings are an installation's own, so that the pages are seen
// to tell them rather than the defaults.
func privacySettings() *passnum.PrivacySettings {
	p := passnum.DefaultPrivacySettings()
	p.Controller = "Coopérative Numérique pour tous"
	p.ControllerEmail = "donnees@numerique-pour-tous.example.fr"
	p.DPOEmail = "dpo@numerique-pour-tous.example.fr"
	p.RetentionMonths = map[passnum.RetentionKey]int{passnum.RetainBeneficiary: 48}
	return &p
}

// TestPrivacyPages: anyone reads the notice and the register, with the
// installation's names, contacts and periods; the register is also a PDF;
// the prescriber's receipt carries the short notice.
func TestPrivacyPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{Privacy: privacySettings()})
		tests := []struct {
			name string
			who  *person
			path string
			want []string
		}{
			{"notice", anonymous, "/donnees-personnelles", []string{
				"Vos données personnelles", "Coopérative Numérique pour tous gère le Pass numérique",
				"Nous ne gardons pas votre nom", "la ville où vous habitez", "4 ans après votre dernier pass",
				"de corriger une erreur", "d'effacer vos données", "de bloquer vos données", "de ne plus utiliser vos données",
				"donnees@numerique-pour-tous.example.fr", "dpo@numerique-pour-tous.example.fr", "la structure qui vous a donné le carnet",
				"CNIL", "www.cnil.fr",
			}},
			{"register", anonymous, "/donnees-personnelles/registre", []string{
				"Registre des traitements de données", "Coopérative Numérique pour tous", "dpo@numerique-pour-tous.example.fr",
				"consentement de la personne (article 6.1.a du RGPD)", "Notes du conseiller numérique (consultations journalisées)",
				"Aucun transfert de données hors de l'Union européenne.", "argon2id", "4 ans", "10 ans",
			}},
			{"register, logged in", s.as(passnum.KindVenue, passnum.RoleAgent), "/donnees-personnelles/registre", []string{"Registre des traitements de données"}},
			{"receipt", s.as(passnum.KindPrescriber, passnum.RoleAgent), fmt.Sprintf("/prescripteur/carnets/%d/recu", s.f.Batch.FirstCarnet), []string{
				"Vos données personnelles", "Nous ne gardons pas votre nom", "4 ans après votre dernier pass",
				"donnees@numerique-pour-tous.example.fr", "CNIL", "/donnees-personnelles",
			}},
		}
		for _, tt := range tests {
			a := s.get(tt.who, tt.path)
			if a.status != http.StatusOK {
				t.Errorf("%s: %d\n%.300s", tt.name, a.status, a.text())
				continue
			}
			for _, w := range tt.want {
				if !strings.Contains(a.text(), w) {
					t.Errorf("%s does not say %q", tt.name, w)
				}
			}
		}
		a := s.get(anonymous, "/donnees-personnelles/registre.pdf")
		if a.status != http.StatusOK || a.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(a.body, "%PDF-") {
			t.Errorf("register PDF: %d %s %.20q", a.status, a.header.Get("Content-Type"), a.body)
		}
		// Without settings, the defaults of docs/REGISTRE.md.
		d := s.another(Options{})
		if a := d.get(anonymous, "/donnees-personnelles"); !strings.Contains(a.text(), "dpo@example.org") || !strings.Contains(a.text(), "3 ans après") {
			t.Errorf("default notice:\n%s", a.text())
		}
	})
}

// footerLinks are the links every page's footer must hold: personal
// data, the legal notice, the accessibility statement with its conformity
// level (the defaults: no audit) and the contact address.
var footerLinks = []string{`href="/donnees-personnelles"`, `href="/donnees-personnelles/registre"`,
	`<a href="/mentions-legales">Mentions légales</a>`, `<a href="/accessibilite">Accessibilité : non conforme</a>`,
	`<a href="mailto:contact@example.org">Contact : contact@example.org</a>`}

var footerRE = regexp.MustCompile(`(?s)<footer class="site-footer">.*?</footer>`)

// checkFooter fails when a page (an HTML answer but a redirect) has no footer with the links to the
// pages of personal data: TestRouteRoles calls it on every answer.
func checkFooter(t *testing.T, what string, a answer) {
	t.Helper()
	if !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || (a.status >= 300 && a.status < 400) {
		return // a file, or a redirect
	}
	footer := footerRE.FindString(a.body)
	if footer == "" {
		t.Errorf("%s: a page without the site's footer", what)
		return
	}
	for _, l := range footerLinks {
		if !strings.Contains(footer, l) {
			t.Errorf("%s: the footer has no link %s", what, l)
		}
	}
}
