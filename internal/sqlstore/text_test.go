package sqlstore_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

// hostileTexts are texts no field takes: control characters, a
// bidirectional override, bytes that are not UTF-8, a line break (refused
// in one-line fields; the multi-line ones get a BEL in it).
var hostileTexts = map[string]string{
	"NUL":           "Le Grand\x00Clic",
	"BEL":           "Le Grand Clic\a",
	"U+202E":        "Le Grand \u202eCilc",
	"invalid UTF-8": "Le Grand Cl\xefc",
	"C1":            "Le Grand\u0085Clic",
}

// TestServiceRefusesControlCharacters sends each hostile text through
// every method of the service that stores text, and checks that it is
// refused with the reason control-character and that nothing changed.
func TestServiceRefusesControlCharacters(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		s := env.Store
		f := st.NewFixture(t, env, st.Options{})
		op := st.As(f.Operator)
		agent := st.VenueCtx(f.Venue)
		applied, err := s.ApplyAsVenue(context.Background(), application("4410239900001", "awa@blosne.example"))
		if err != nil {
			t.Fatal(err)
		}
		session := newSession(t, env, agent, f.Service.ID, st.Start.AddDate(0, 0, 7), 8)
		if err := s.SetPayerAccount(op, passnum.PayerAccount{Name: "Coopérative passnum", IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP"}); err != nil {
			t.Fatal(err)
		}

		// state reads back everything these methods could change.
		state := func() string {
			t.Helper()
			var b strings.Builder
			add := func(v any, err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				j, _ := json.Marshal(v)
				b.Write(j)
			}
			_, n, err := s.ListOrganisations(op, passnum.OrganisationFilter{Limit: 1})
			add(n, err)
			_, n, err = s.ListProgrammes(op, passnum.ProgrammeFilter{Limit: 1})
			add(n, err)
			add(s.ListPaymentOrders(op, f.Programme.ID))
			add(s.ListCatalogueServices(op, f.Venue.ID))
			add(s.ListTokens(op, f.Venue.ID))
			add(s.FindVenueFile(op, applied.ID))
			add(s.FindVenueFile(op, f.Venue.ID))
			add(s.ListSessions(agent, passnum.SessionFilter{}))
			_, regs, err := s.FindSession(agent, session.ID)
			add(regs, err)
			_, n, _, err = s.ListActivityReports(agent, passnum.ActivityFilter{})
			add(n, err)
			_, n, err = s.ListRedemptions(op, passnum.RedemptionFilter{})
			add(n, err)
			_, n, err = s.ListVenues(op, passnum.VenueFilter{})
			add(n, err)
			add(s.PayerAccount(op))
			add(s.ListMembers(op, f.Venue.ID))
			b.WriteString(snapshot(t, env, f))
			return b.String()
		}

		ops := []struct {
			name string
			do   func(text string) error
		}{
			{"CreateOrganisation", func(x string) error {
				_, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: x})
				return err
			}},
			{"CreateUser name", func(x string) error {
				_, err := s.CreateUser(op, passnum.UserCreate{Email: "new@example.org", Name: x, Password: "Rivière-Tulipe-Marteau-48", OrgID: f.Venue.ID, Role: passnum.RoleAgent})
				return err
			}},
			{"CreateProgramme", func(x string) error {
				_, err := s.CreateProgramme(op, passnum.ProgrammeCreate{Name: x, Funders: []passnum.FunderShare{{FunderID: f.State.ID, ShareBP: 10000}},
					BudgetCents: 100000, ValidFrom: "2027-01-01", ValidUntil: "2027-12-31", Territory: []string{"region:53"}})
				return err
			}},
			{"RecordFunds", func(x string) error {
				_, err := s.RecordFunds(op, passnum.FundsCreate{ProgrammeID: f.Programme.ID, FunderID: f.State.ID, Reference: x, AmountCents: 100, ReceivedOn: "2027-02-01"})
				return err
			}},
			{"CreateCatalogueService title", func(x string) error {
				_, err := s.CreateCatalogueService(op, passnum.CatalogueServiceCreate{VenueID: f.Venue.ID, Title: x, Category: "Maîtrise des outils numériques du quotidien", DurationMinutes: 60, PricePasses: 1})
				return err
			}},
			{"CreateCatalogueService description", func(x string) error {
				_, err := s.CreateCatalogueService(op, passnum.CatalogueServiceCreate{VenueID: f.Venue.ID, Title: "Atelier", Description: "Deux lignes\n" + x,
					Category: "Maîtrise des outils numériques du quotidien", DurationMinutes: 60, PricePasses: 1})
				return err
			}},
			{"UpdateCatalogueService", func(x string) error {
				_, err := s.UpdateCatalogueService(op, passnum.CatalogueServiceUpdate{ID: f.Service.ID, CatalogueServiceCreate: passnum.CatalogueServiceCreate{
					VenueID: f.Venue.ID, Title: x, Category: f.Service.Category, DurationMinutes: 90, PricePasses: 1}})
				return err
			}},
			{"CreateToken", func(x string) error {
				_, _, err := s.CreateToken(op, passnum.TokenCreate{OrgID: f.Venue.ID, Name: x, Role: passnum.RoleAgent})
				return err
			}},
			{"MoveQualification", func(x string) error {
				_, err := s.MoveQualification(op, applied.ID, passnum.QualificationChangesRequested, "Précisez votre offre :\n"+x)
				return err
			}},
			{"Block", func(x string) error {
				_, err := s.Block(op, passnum.BlockRequest{Scope: passnum.BlockCarnet, Carnet: f.Batch.FirstCarnet + 15, Reason: x})
				return err
			}},
			{"Redeem", func(x string) error {
				_, err := s.Redeem(agent, passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(0)[:1]...), ServiceID: f.Service.ID, IdempotencyKey: x})
				return err
			}},
			{"CreateSession", func(x string) error {
				_, err := s.CreateSession(agent, passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: st.Start.AddDate(0, 0, 8), Capacity: 4, Note: "Salle 2\n" + x})
				return err
			}},
			{"Register", func(x string) error {
				_, err := s.Register(agent, passnum.RegistrationCreate{SessionID: session.ID, Label: x})
				return err
			}},
			{"CreateActivityReport", func(x string) error {
				_, err := s.CreateActivityReport(agent, passnum.ActivityReport{Format: passnum.FormatIndividual, Date: "2027-03-14", DurationMinutes: 60,
					Themes: []string{"Démarches en ligne"}, PlaceKind: "lieu", Participants: 1, Notes: "Bien passé.\n" + x})
				return err
			}},
			{"SavePlace", func(x string) error {
				_, err := s.SavePlace(op, passnum.Place{VenueID: f.Venue.ID, Name: x, Address: "Place de la Gare", PostalCode: "35000", INSEE: "35238"})
				return err
			}},
			{"UpdateVenue", func(x string) error {
				file, err := s.FindVenueFile(op, applied.ID)
				if err != nil {
					return err
				}
				file.Venue.Address = x
				_, err = s.UpdateVenue(op, file.Venue)
				return err
			}},
			{"UpdateBankAccount", func(x string) error {
				return s.UpdateBankAccount(op, applied.ID, passnum.BankAccount{Holder: x, IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP"})
			}},
			{"ApplyAsVenue", func(x string) error {
				a := application("4410239900002", "jean@example.org")
				a.Venue.Name = x
				_, err := s.ApplyAsVenue(context.Background(), a)
				return err
			}},
			{"ApplyAsVenue admin", func(x string) error {
				a := application("4410239900002", "jean@example.org")
				a.AdminName = x
				_, err := s.ApplyAsVenue(context.Background(), a)
				return err
			}},
			{"ImportVenues", func(x string) error {
				a := application("4410239900002", "jean@example.org")
				a.Venue.ID, a.Venue.UpdatedOn, a.Venue.Commune = "blosne-2", "2027-03-01", x
				_, err := s.ImportVenues(op, []passnum.ImportRow{{Line: 2, Venue: a.Venue}}, false)
				return err
			}},
			{"SetPayerAccount", func(x string) error {
				return s.SetPayerAccount(op, passnum.PayerAccount{Name: x, IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP"})
			}},
		}
		for _, o := range ops {
			for name, text := range hostileTexts {
				before := state()
				err := o.do(text)
				var e *passnum.Error
				switch {
				case !asError(err, &e):
					t.Errorf("%s with %s: %v, want refused", o.name, name, err)
				case e.Reason != passnum.ReasonControlCharacter && !problemsSay(e, passnum.ReasonControlCharacter):
					t.Errorf("%s with %s: %v (%s), want %s", o.name, name, err, e.Reason, passnum.ReasonControlCharacter)
				}
				if after := state(); after != before {
					t.Errorf("%s with %s changed the store:\n%s\n%s", o.name, name, before, after)
				}
			}
		}
		st.MustCheck(t, env, f.Operator)
	})
}

// problemsSay tells whether an import's refusal lists a problem of the
// given reason: an import reports its lines' problems as messages, which
// say the character's code point or "UTF-8".
func problemsSay(e *passnum.Error, reason string) bool {
	for _, p := range e.Problems {
		if reason == passnum.ReasonControlCharacter && (strings.Contains(p.Message, "U+") || strings.Contains(p.Message, "UTF-8")) {
			return true
		}
	}
	return false
}
