package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestReceiptVenues: the prescriber's receipt and the public carnet page
// lead somewhere. For the nearest venues they give the address, the phone
// as a link to call, the opening hours in words, the next workshops with
// places left (a full one is left out) and a map numbered like the list; a
// qualified venue whose workshops the programme does not pay for is not
// listed, nor a venue outside the programme's territory. The receipt
// names the structure that handed the carnet over; the public page, which
// anyone holding a pass reads, does not.
func TestReceiptVenues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		seedDirectory(t, s, false)
		ctx := storetest.As(s.f.Operator)
		// A qualified venue in Rennes whose only workshop is outside the
		// programme's services.
		cyber, err := env.Store.CreateOrganisation(ctx, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Cybercafé du Colombier",
			SIRET: "44198765400015", CommuneINSEE: "35238", Qualification: passnum.QualificationQualified})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Store.CreateCatalogueService(ctx, passnum.CatalogueServiceCreate{VenueID: cyber.ID, Title: "Postes en libre accès",
			Category: "Accès internet et matériel informatique", DurationMinutes: 60, PricePasses: 1}); err != nil {
			t.Fatal(err)
		}
		// A full session: no place left, not offered.
		full, err := env.Store.CreateSession(storetest.VenueCtx(s.f.Venue), passnum.SessionCreate{ServiceID: s.f.Service.ID,
			StartsAt: time.Date(2027, 3, 16, 9, 0, 0, 0, time.UTC), Capacity: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Store.Register(storetest.VenueCtx(s.f.Venue), passnum.RegistrationCreate{SessionID: full.ID, Label: "Mme D."}); err != nil {
			t.Fatal(err)
		}

		receipt := s.get(s.as(passnum.KindPrescriber, passnum.RoleAgent), fmt.Sprintf("/prescripteur/carnets/%d/recu", s.f.Batch.FirstCarnet))
		code := s.f.Codes[s.f.Serials(0)[0]]
		public := s.post(anonymous, "/carnet", url.Values{"code": {code}, "commune": {"Rennes"}})
		for _, page := range []struct {
			name string
			a    answer
		}{{"receipt", receipt}, {"public page", public}} {
			if page.a.status != http.StatusOK {
				t.Fatalf("%s: %d\n%.500s", page.name, page.a.status, page.a.text())
			}
			text := strings.ReplaceAll(page.a.text(), "\u202f", " ")
			for _, want := range []string{
				"1 La Quincaillerie numérique", "Accepte les pass de votre carnet.",
				"Adresse 12 rue de la Quincaillerie, 35000 Rennes",
				"Téléphone 02 99 00 11 22",
				"Horaires du lundi au vendredi : 9 h – 12 h, 14 h – 18 h fermé les jours fériés",
				"Prochains ateliers mercredi 17 mars 2027, 14 h 00 – 16 h 00 : Faire ses démarches en ligne (Mairie de Bruz), 6 places libres",
				"Ateliers proposés Premiers pas sur smartphone (1 h 30, 1 pass) ; Faire ses démarches en ligne (2 h, 1 pass)",
				"2 Médiathèque de Brest", "Téléphone non indiqué", "Horaires non indiqués : appelez avant de vous déplacer",
				"Prochains ateliers aucun annoncé pour l'instant : appelez le lieu",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: no %q in\n%s", page.name, want, text)
				}
			}
			for _, not := range []string{"Cybercafé du Colombier", "Postes en libre accès", "Espace numérique de Lyon", "mardi 16 mars 2027"} {
				if strings.Contains(text, not) {
					t.Errorf("%s lists %q", page.name, not)
				}
			}
			if !strings.Contains(html.UnescapeString(page.a.body), `<a href="tel:+33299001122">02 99 00 11 22</a>`) {
				t.Errorf("%s: the phone is not a link to call: %s", page.name, regexp.MustCompile(`<a href="tel[^<]*</a>`).FindString(page.a.body))
			}
			if !strings.Contains(page.a.body, fmt.Sprintf(`href="%s/annuaire/%d"`, s.srv.base, s.f.Venue.ID)) {
				t.Errorf("%s: no absolute link to the venue's page", page.name)
			}
			desc, markers := mapOf(t, page.a.body)
			if len(markers) != 2 || !strings.HasPrefix(markers[0], "1. La Quincaillerie numérique, 35000 Rennes") || !strings.HasPrefix(markers[1], "2. Médiathèque de Brest") ||
				!strings.Contains(desc, "2 lieux autour de Rennes") {
				t.Errorf("%s map: %q %q", page.name, desc, markers)
			}
		}
		if !regexp.MustCompile(`Carnet remis par CCAS de Rennes, le \d{1,2}(er)? [a-zéû]+ \d{4}\.`).MatchString(receipt.text()) {
			t.Errorf("the receipt does not name the structure:\n%s", receipt.text())
		}
		// On the screen, whether it is open now (Monday 10:30 in Rennes);
		// not on paper, which is read later.
		if !strings.Contains(public.text(), "Accepte les pass de votre carnet. ouvert en ce moment") || strings.Contains(receipt.text(), "en ce moment") {
			t.Errorf("open now: on the public page %v, on the receipt %v", strings.Contains(public.text(), "ouvert en ce moment"), strings.Contains(receipt.text(), "en ce moment"))
		}
		if strings.Contains(public.text(), "CCAS de Rennes") {
			t.Errorf("the public page names the structure that handed the carnet over")
		}
	})
}

// TestReceiptWithoutVenues: a programme whose territory has no qualified
// venue says whom to ask instead, with no map.
func TestReceiptWithoutVenues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		ctx := storetest.As(s.f.Operator)
		for _, v := range []*passnum.Organisation{s.f.Venue, s.f.Venue2} {
			if _, err := env.Store.MoveQualification(ctx, v.ID, passnum.QualificationSuspended, "contrôle"); err != nil {
				t.Fatal(err)
			}
		}
		a := s.get(s.as(passnum.KindPrescriber, passnum.RoleAgent), fmt.Sprintf("/prescripteur/carnets/%d/recu", s.f.Batch.FirstCarnet))
		if a.status != http.StatusOK || !strings.Contains(a.text(), "Aucun lieu qualifié n'est encore inscrit dans ce territoire") ||
			strings.Contains(a.body, `<svg class="map"`) {
			t.Errorf("receipt without venues: %d\n%s", a.status, a.text())
		}
	})
}
