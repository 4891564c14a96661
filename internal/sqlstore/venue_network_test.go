package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// application returns a complete, valid application of a venue in Rennes.
func application(siret13, email string) passnum.VenueApplication {
	return passnum.VenueApplication{
		Venue: passnum.Venue{
			Name: "Espace numérique du Blosne", Pivot: validSIRET(siret13),
			Commune: "Rennes", PostalCode: "35200", INSEE: "35238", Address: "7 boulevard de Yougoslavie",
			Services:     []string{"Maîtrise des outils numériques du quotidien", "Aide aux démarches administratives"},
			OpeningHours: "Mo-Fr 09:00-12:00,14:00-18:00", Phone: "+33299000000",
		},
		Questionnaire: passnum.Questionnaire{Mediators: 2, DigitalAdvisers: 1, Workstations: 6,
			OfferDescription: "Ateliers collectifs le matin, accompagnement individuel l'après-midi."},
		Bank:           passnum.BankAccount{Holder: "Association Blosne Numérique", IBAN: "FR76 3000 6000 0112 3456 7890 189", BIC: "AGRIFRPP"},
		CharterVersion: passnum.CharterVersion,
		AdminName:      "Awa Diallo", AdminEmail: email, AdminPassword: "un mot de passe assez long",
	}
}

// operatorAdmin gives the operator an admin with an e-mail, who receives
// the notices of applications.
func operatorAdmin(t *testing.T, env *st.Env, op *passnum.Actor) *passnum.User {
	t.Helper()
	u, err := env.Store.CreateUser(st.As(op), passnum.UserCreate{Email: "qualification@operateur.example", Name: "Claire Martin",
		Password: "mot de passe de l'opératrice", OrgID: op.OrgID, Role: passnum.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func problemFields(err error) []string {
	var e *passnum.Error
	if !asError(err, &e) {
		return nil
	}
	var out []string
	for _, p := range e.Problems {
		if !slices.Contains(out, p.Field) {
			out = append(out, p.Field)
		}
	}
	return out
}

func TestApplyAsVenue(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		operatorAdmin(t, env, f.Operator)
		public := context.Background()

		org, err := s.ApplyAsVenue(public, application("4411223300001", "awa@blosne.example"))
		if err != nil {
			t.Fatal(err)
		}
		if org.Kind != passnum.KindVenue || org.Qualification != passnum.QualificationPending || org.Name != "Espace numérique du Blosne" || org.CommuneINSEE != "35238" {
			t.Fatalf("organisation %+v", org)
		}
		if _, err := s.ConfirmAddress(public, passnum.LinkToken(lastMail(t, env, "awa@blosne.example", passnum.MailConfirmAddress).body, passnum.ConfirmAddressPath)); err != nil {
			t.Fatal(err)
		}
		u, err := s.AuthenticatePassword(public, "awa@blosne.example", "un mot de passe assez long")
		if err != nil || len(u.Memberships) != 1 || u.Memberships[0].OrgID != org.ID || u.Memberships[0].Role != passnum.RoleAdmin {
			t.Fatalf("admin %+v %v", u, err)
		}
		file, err := s.FindVenueFile(op, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if file.Venue.ID != fmt.Sprintf("passnum-%d", org.ID) || file.Venue.UpdatedOn != "2027-03-15" ||
			file.Bank == nil || file.Bank.IBAN != "FR7630006000011234567890189" || file.Questionnaire == nil || file.Questionnaire.Mediators != 2 ||
			file.CharterAt == nil || len(file.History) != 1 || file.History[0].Reason != "candidature envoyée" ||
			file.History[0].Actor != fmt.Sprintf("user:%d", u.ID) {
			t.Fatalf("file %+v", file)
		}
		// Newest first: the operator's notice, then the applicant's
		// acknowledgement, then the link that confirms the address.
		msgs, _, err := s.ListOutbox(op, passnum.OutboxFilter{})
		if err != nil || len(msgs) != 3 || msgs[0].To != "qualification@operateur.example" ||
			!strings.HasPrefix(msgs[0].Subject, "Nouvelle candidature : Espace numérique du Blosne") ||
			msgs[1].To != "awa@blosne.example" || !strings.Contains(msgs[1].Body, "est enregistrée") ||
			msgs[2].To != "awa@blosne.example" || msgs[2].Kind != passnum.MailConfirmAddress {
			t.Fatalf("outbox %+v %v", msgs, err)
		}

		t.Run("every bad field at once", func(t *testing.T) {
			tests := []struct {
				field  string
				change func(a *passnum.VenueApplication)
			}{
				{"pivot", func(a *passnum.VenueApplication) { a.Venue.Pivot = "12345678901234" }},
				{"nom", func(a *passnum.VenueApplication) { a.Venue.Name = " " }},
				{"code_postal", func(a *passnum.VenueApplication) { a.Venue.PostalCode = "3500" }},
				{"commune", func(a *passnum.VenueApplication) { a.Venue.Commune = "Brest" }},
				{"adresse", func(a *passnum.VenueApplication) { a.Venue.Address = "" }},
				{"latitude", func(a *passnum.VenueApplication) { a.Venue.Lat = ptr(48.1) }},
				{"telephone", func(a *passnum.VenueApplication) { a.Venue.Phone = "02 99 00 00 00" }},
				{"courriels", func(a *passnum.VenueApplication) { a.Venue.Emails = []string{"contact(at)blosne"} }},
				{"site_web", func(a *passnum.VenueApplication) { a.Venue.Websites = []string{"blosne.example"} }},
				{"horaires", func(a *passnum.VenueApplication) { a.Venue.OpeningHours = "lundi 9h-12h" }},
				{"services", func(a *passnum.VenueApplication) { a.Venue.Services = []string{"Cours de piano"} }},
				{"mediators", func(a *passnum.VenueApplication) { a.Questionnaire.Mediators = 0 }},
				{"iban", func(a *passnum.VenueApplication) { a.Bank.IBAN = "FR7630006000011234567890188" }},
				{"charter", func(a *passnum.VenueApplication) { a.CharterVersion = "" }},
				{"admin_email", func(a *passnum.VenueApplication) { a.AdminEmail = "pas une adresse" }},
				{"admin_password", func(a *passnum.VenueApplication) { a.AdminPassword = "court" }},
			}
			all := application("4411223300002", "new@blosne.example")
			for _, tc := range tests {
				t.Run(tc.field, func(t *testing.T) {
					a := application("4411223300002", "new@blosne.example")
					tc.change(&a)
					_, err := s.ApplyAsVenue(public, a)
					if passnum.ErrorCode(err) != passnum.EINVALID || !slices.Contains(problemFields(err), tc.field) {
						t.Fatalf("%s: %v, problems on %v", tc.field, err, problemFields(err))
					}
				})
				tc.change(&all)
			}
			_, err := s.ApplyAsVenue(public, all)
			got := problemFields(err)
			for _, tc := range tests {
				if !slices.Contains(got, tc.field) {
					t.Errorf("no problem on %s among %v", tc.field, got)
				}
			}
			var e *passnum.Error
			if !asError(err, &e) || e.Field != e.Problems[0].Field || e.Message != e.Problems[0].Message {
				t.Fatalf("the error is not its first problem: %+v", err)
			}
		})

		t.Run("the commune's code is derived, or must be a known commune", func(t *testing.T) {
			a := application("4411223300003", "derive@blosne.example")
			a.Venue.INSEE = ""
			a.Venue.Commune, a.Venue.PostalCode = "cesson sevigne", "35510"
			o, err := s.ApplyAsVenue(public, a)
			if err != nil || o.CommuneINSEE != "35051" {
				t.Fatalf("derived commune: %+v %v", o, err)
			}
			a = application("4411223300004", "unknown@blosne.example")
			a.Venue.INSEE = "35999"
			if _, err := s.ApplyAsVenue(public, a); !slices.Contains(problemFields(err), "code_insee") {
				t.Fatalf("unknown commune: %v", err)
			}
		})

		t.Run("conflicts", func(t *testing.T) {
			// The SIRET of a candidate is said, on its field (a SIRET is
			// public); whether the address has an account is not.
			a := application("4411223300001", "awa@blosne.example")
			_, err := s.ApplyAsVenue(public, a)
			if passnum.ErrorCode(err) != passnum.ECONFLICT || !slices.Equal(problemFields(err), []string{"pivot"}) {
				t.Fatalf("conflicts: %v %v", err, problemFields(err))
			}
			if !strings.Contains(passnum.ErrorMessage(err), "SIRET") {
				t.Fatalf("message: %q", passnum.ErrorMessage(err))
			}
			// A qualified venue's SIRET, given to CreateOrganisation.
			if _, err := s.ApplyAsVenue(public, application(f.Venue.SIRET[:13], "other@blosne.example")); errorField(err) != "pivot" {
				t.Fatalf("SIRET of the fixture's venue: %v", err)
			}
		})

		t.Run("a listed venue's SIRET may be shared, a candidate's may not", func(t *testing.T) {
			siret := validSIRET("4411223300005")
			rows := []passnum.ImportRow{
				{Line: 2, Venue: standardVenue("bib-a", siret, "Bibliothèque A", 48.11, -1.67)},
				{Line: 3, Venue: standardVenue("bib-b", siret, "Bibliothèque B", 48.12, -1.68)},
			}
			if _, err := s.ImportVenues(op, rows, false); err != nil {
				t.Fatal(err)
			}
			o, err := s.ApplyAsVenue(public, application("4411223300005", "mairie@ville.example"))
			if err != nil {
				t.Fatalf("application with a listed SIRET: %v", err)
			}
			if _, err := s.ApplyAsVenue(public, application("4411223300005", "autre@ville.example")); errorField(err) != "pivot" {
				t.Fatalf("second candidate: %v", err)
			}
			// CreateOrganisation follows the same rule.
			if _, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "X", SIRET: siret, CommuneINSEE: "35238"}); passnum.ErrorReason(err) != "siret-taken" {
				t.Fatalf("CreateOrganisation: %v", err)
			}
			// The listed venue cannot become a candidate while o is one.
			listed, _, err := s.ListVenues(op, passnum.VenueFilter{Query: "bib-a"})
			if err != nil || len(listed) != 1 {
				t.Fatalf("listed: %v %v", listed, err)
			}
			if err := sqlstore.ForceQualification(op, s, listed[0].OrgID, passnum.QualificationPending); passnum.ErrorReason(err) != "siret-taken" {
				t.Fatalf("listed to pending with a candidate's SIRET: %v", err)
			}
			if _, err := s.MoveQualification(op, o.ID, passnum.QualificationRefused, "hors périmètre"); err != nil {
				t.Fatal(err)
			}
			// Refused is still a candidate: its SIRET stays taken.
			if err := sqlstore.ForceQualification(op, s, listed[0].OrgID, passnum.QualificationPending); passnum.ErrorReason(err) != "siret-taken" {
				t.Fatalf("listed to pending with a refused candidate's SIRET: %v", err)
			}
			// The partial unique index refuses it too.
			if err := sqlstore.ExecRaw(env.Store, `UPDATE organisations SET qualification = 'pending' WHERE id = ?`, listed[0].OrgID); err == nil {
				t.Fatal("the database lets two candidates share a SIRET")
			}
		})
		st.MustCheck(t, env, f.Operator)
	})
}

func TestQualificationWorkflow(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		statuses := []passnum.Qualification{passnum.QualificationListed, passnum.QualificationPending, passnum.QualificationChangesRequested,
			passnum.QualificationRefused, passnum.QualificationQualified, passnum.QualificationSuspended, passnum.QualificationWithdrawn}
		n := 0
		for _, from := range statuses {
			for _, to := range statuses {
				t.Run(fmt.Sprintf("%s to %s", from, to), func(t *testing.T) {
					n++
					org, err := s.ApplyAsVenue(context.Background(), application(fmt.Sprintf("55%011d", n), fmt.Sprintf("v%d@lieu.example", n)))
					if err != nil {
						t.Fatal(err)
					}
					if from != passnum.QualificationPending {
						if err := sqlstore.ForceQualification(op, s, org.ID, from); err != nil {
							t.Fatal(err)
						}
					}
					file, err := s.MoveQualification(op, org.ID, to, "décision de test")
					allowed := from.CanMove(to) && to != passnum.QualificationPending
					switch {
					case allowed && err != nil:
						t.Fatalf("refused: %v", err)
					case !allowed && passnum.ErrorCode(err) != passnum.ECONFLICT:
						t.Fatalf("allowed or wrong error: %v", err)
					case allowed && (file.Venue.Qualification != to || file.History[len(file.History)-1].Reason != "décision de test"):
						t.Fatalf("file %+v", file)
					}
				})
			}
		}

		t.Run("a qualified venue needs a complete file", func(t *testing.T) {
			// Created by the operator with a name, a SIRET and a commune.
			o, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Lieu sans dossier", SIRET: validSIRET("5600000000001"), CommuneINSEE: "35238"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.MoveQualification(op, o.ID, passnum.QualificationQualified, "ok")
			if passnum.ErrorReason(err) != "file-incomplete" || !strings.Contains(passnum.ErrorMessage(err), "le questionnaire, le compte bancaire et la charte acceptée") {
				t.Fatalf("incomplete file: %v", err)
			}
			// A venue qualified on paper (the fixture's) has no file either:
			// lifting its suspension restores that decision.
			for _, to := range []passnum.Qualification{passnum.QualificationSuspended, passnum.QualificationQualified} {
				if file, err := s.MoveQualification(op, f.Venue2.ID, to, "contrôle"); err != nil || file.Venue.Qualification != to {
					t.Fatalf("paper venue to %s: %v", to, err)
				}
			}
		})

		t.Run("reason, status and role", func(t *testing.T) {
			o, err := s.ApplyAsVenue(context.Background(), application("5700000000001", "r@lieu.example"))
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				ctx    context.Context
				to     passnum.Qualification
				reason string
				code   string
			}{
				{op, passnum.QualificationQualified, "  ", passnum.EINVALID},
				{op, "approved", "ok", passnum.EINVALID},
				{st.As(st.Actor(f.Venue, passnum.RoleAdmin)), passnum.QualificationQualified, "ok", passnum.EFORBIDDEN},
				{context.Background(), passnum.QualificationQualified, "ok", passnum.EUNAUTHORIZED},
			} {
				if _, err := s.MoveQualification(tc.ctx, o.ID, tc.to, tc.reason); passnum.ErrorCode(err) != tc.code {
					t.Errorf("%s %q: %v, want %s", tc.to, tc.reason, err, tc.code)
				}
			}
			if _, err := s.MoveQualification(op, f.Prescriber.ID, passnum.QualificationRefused, "x"); passnum.ErrorCode(err) != passnum.ENOTFOUND {
				t.Errorf("a prescriber: %v", err)
			}
		})

		t.Run("the venue resubmits", func(t *testing.T) {
			a := application("5800000000001", "resubmit@lieu.example")
			o, err := s.ApplyAsVenue(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			admin := st.As(st.Actor(o, passnum.RoleAdmin))
			if _, err := s.ResubmitApplication(admin, o.ID, a); passnum.ErrorCode(err) != passnum.ECONFLICT {
				t.Fatalf("resubmit while pending: %v", err)
			}
			if _, err := s.MoveQualification(op, o.ID, passnum.QualificationChangesRequested, "précisez vos horaires"); err != nil {
				t.Fatal(err)
			}
			msgs, _, _ := s.ListOutbox(op, passnum.OutboxFilter{})
			if len(msgs) == 0 || msgs[0].To != "resubmit@lieu.example" || !strings.Contains(msgs[0].Body, "précisez vos horaires") {
				t.Fatalf("the venue is not told: %+v", msgs[:min(1, len(msgs))])
			}
			a.Venue.OpeningHours = "Mo-Sa 09:00-18:00"
			a.Bank.IBAN = "bad"
			if _, err := s.ResubmitApplication(admin, o.ID, a); errorField(err) != "iban" {
				t.Fatalf("bad resubmission: %v", err)
			}
			a.Bank.IBAN = "FR7630006000011234567890189"
			for _, tc := range []struct {
				ctx  context.Context
				code string
			}{
				{st.As(st.Actor(o, passnum.RoleAgent)), passnum.EFORBIDDEN},
				{st.As(st.Actor(f.Venue, passnum.RoleAdmin)), passnum.ENOTFOUND},
				{op, passnum.ENOTFOUND},
			} {
				if _, err := s.ResubmitApplication(tc.ctx, o.ID, a); passnum.ErrorCode(err) != tc.code {
					t.Errorf("resubmit as %+v: %v", passnum.ActorFromContext(tc.ctx), err)
				}
			}
			file, err := s.ResubmitApplication(admin, o.ID, a)
			if err != nil || file.Venue.Qualification != passnum.QualificationPending || file.Venue.OpeningHours != "Mo-Sa 09:00-18:00" ||
				file.Venue.ID != fmt.Sprintf("passnum-%d", o.ID) || file.History[len(file.History)-1].Reason != "candidature renvoyée" {
				t.Fatalf("resubmitted: %+v %v", file, err)
			}
			if file, err := s.MoveQualification(op, o.ID, passnum.QualificationQualified, "dossier complet"); err != nil || !file.Venue.AcceptsPasses() {
				t.Fatalf("qualify: %v", err)
			}
		})
		st.MustCheck(t, env, f.Operator)
	})
}

// TestOnlyQualifiedVenuesRedeem walks a venue through every status: it
// redeems when qualified only.
func TestOnlyQualifiedVenuesRedeem(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 4})
		s, op := env.Store, st.As(f.Operator)
		venue := st.VenueCtx(f.Venue)
		serials := f.Serials(0)
		for i, q := range []passnum.Qualification{passnum.QualificationListed, passnum.QualificationPending, passnum.QualificationChangesRequested,
			passnum.QualificationRefused, passnum.QualificationSuspended, passnum.QualificationWithdrawn, passnum.QualificationQualified} {
			if err := sqlstore.ForceQualification(op, s, f.Venue.ID, q); err != nil {
				t.Fatal(err)
			}
			_, err := s.Redeem(venue, passnum.RedeemRequest{Codes: f.CodesOf(serials[i%len(serials)]), ServiceID: f.Service.ID, IdempotencyKey: fmt.Sprint("k", i)})
			if q == passnum.QualificationQualified {
				if err != nil {
					t.Fatalf("qualified: %v", err)
				}
			} else if passnum.ErrorReason(err) != passnum.ReasonVenueNotQual {
				t.Fatalf("%s: %v", q, err)
			}
		}
		st.MustCheck(t, env, f.Operator)
	})
}

func TestVenueFileAccess(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		o, err := s.ApplyAsVenue(context.Background(), application("5900000000001", "acces@lieu.example"))
		if err != nil {
			t.Fatal(err)
		}
		opAgent := &passnum.Actor{OrgID: f.Operator.OrgID, OrgKind: passnum.KindOperator, Role: passnum.RoleAgent, Label: "test:op-agent"}
		tests := []struct {
			name  string
			ctx   context.Context
			code  string
			bank  bool
			quest bool
		}{
			{"operator admin", op, "", true, true},
			{"operator agent", st.As(opAgent), "", true, true},
			{"the venue's admin", st.As(st.Actor(o, passnum.RoleAdmin)), "", true, true},
			{"the venue's agent", st.As(st.Actor(o, passnum.RoleAgent)), "", false, true},
			{"another venue's admin", st.As(st.Actor(f.Venue, passnum.RoleAdmin)), passnum.ENOTFOUND, false, false},
			{"a prescriber", st.As(st.Actor(f.Prescriber, passnum.RoleAdmin)), passnum.ENOTFOUND, false, false},
			{"a funder", st.As(st.Actor(f.State, passnum.RoleAdmin)), passnum.ENOTFOUND, false, false},
			{"nobody", context.Background(), passnum.EUNAUTHORIZED, false, false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				file, err := s.FindVenueFile(tc.ctx, o.ID)
				if passnum.ErrorCode(err) != tc.code {
					t.Fatalf("%v, want %q", err, tc.code)
				}
				if err != nil {
					return
				}
				if (file.Bank != nil) != tc.bank || (file.Questionnaire != nil) != tc.quest {
					t.Fatalf("bank %v questionnaire %v", file.Bank, file.Questionnaire)
				}
			})
		}

		t.Run("bank account", func(t *testing.T) {
			b := passnum.BankAccount{Holder: "Nouveau titulaire", IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX"}
			for _, tc := range []struct {
				ctx  context.Context
				code string
			}{
				{st.As(st.Actor(o, passnum.RoleAgent)), passnum.EFORBIDDEN},
				{st.As(st.Actor(f.Venue, passnum.RoleAdmin)), passnum.ENOTFOUND},
				{st.As(opAgent), passnum.EFORBIDDEN},
			} {
				if err := s.UpdateBankAccount(tc.ctx, o.ID, b); passnum.ErrorCode(err) != tc.code {
					t.Errorf("%+v: %v", passnum.ActorFromContext(tc.ctx), err)
				}
			}
			if err := s.UpdateBankAccount(st.As(st.Actor(o, passnum.RoleAdmin)), o.ID, passnum.BankAccount{Holder: "X", IBAN: "FR76", BIC: "AGRIFRPP"}); errorField(err) != "iban" {
				t.Fatalf("bad IBAN: %v", err)
			}
			if err := s.UpdateBankAccount(st.As(st.Actor(o, passnum.RoleAdmin)), 0, b); err != nil {
				t.Fatal(err)
			}
			file, _ := s.FindVenueFile(op, o.ID)
			if file.Bank.IBAN != b.IBAN || file.Bank.Holder != b.Holder {
				t.Fatalf("bank %+v", file.Bank)
			}
			details, err := sqlstoreAudit(env, "venue.bank")
			if err != nil || len(details) != 1 || strings.Contains(details[0], "0532013000") {
				t.Fatalf("audit of the bank account: %v %v", details, err)
			}
		})

		t.Run("update the description", func(t *testing.T) {
			admin := st.As(st.Actor(o, passnum.RoleAdmin))
			file, _ := s.FindVenueFile(admin, o.ID)
			v := file.Venue
			v.Summary, v.UpdatedOn = "Un espace ouvert à tous, sans rendez-vous.", ""
			v.Lat, v.Lon = ptr(48.0880), ptr(-1.6600)
			got, err := s.UpdateVenue(admin, v)
			if err != nil || got.Summary != v.Summary || got.UpdatedOn != "2027-03-15" || *got.Lat != 48.0880 || got.Qualification != passnum.QualificationPending {
				t.Fatalf("updated %+v %v", got, err)
			}
			v.Name, v.Phone, v.OpeningHours = "", "0299", "Mo 9-12"
			_, err = s.UpdateVenue(admin, v)
			if !slices.Equal(problemFields(err), []string{"nom", "telephone", "horaires"}) {
				t.Fatalf("problems %v: %v", problemFields(err), err)
			}
			v.Name, v.Phone, v.OpeningHours, v.ID = "Espace du Blosne", "", "", fmt.Sprintf("passnum-%d", f.Venue.ID)
			if _, err := s.UpdateVenue(admin, v); errorField(err) != "id" || passnum.ErrorCode(err) != passnum.ECONFLICT {
				t.Fatalf("another venue's id: %v", err)
			}
			v.ID = "blosne"
			if _, err := s.UpdateVenue(st.As(st.Actor(f.Venue, passnum.RoleAdmin)), v); passnum.ErrorCode(err) != passnum.ENOTFOUND {
				t.Fatalf("another venue's admin: %v", err)
			}
			if got, err := s.UpdateVenue(op, v); err != nil || got.ID != "blosne" || got.Name != "Espace du Blosne" {
				t.Fatalf("operator: %+v %v", got, err)
			}
			org, _ := s.FindOrganisation(op, o.ID)
			if org.Name != "Espace du Blosne" {
				t.Fatalf("the organisation keeps its name: %+v", org)
			}
		})

		t.Run("places", func(t *testing.T) {
			admin := st.As(st.Actor(o, passnum.RoleAdmin))
			p, err := s.SavePlace(admin, passnum.Place{Name: "Permanence à la mairie de Bruz", Address: "Place du Docteur Joly",
				PostalCode: "35170", INSEE: "35047", OpeningHours: "Tu 14:00-17:00"})
			if err != nil || p.ID == 0 || !p.Active || p.VenueID != o.ID {
				t.Fatalf("created %+v %v", p, err)
			}
			p.Active, p.OpeningHours = false, "We 09:00-12:00"
			if p, err = s.SavePlace(admin, *p); err != nil || p.Active || p.OpeningHours != "We 09:00-12:00" {
				t.Fatalf("updated %+v %v", p, err)
			}
			for _, tc := range []struct {
				name   string
				ctx    context.Context
				change func(p *passnum.Place)
				code   string
			}{
				{"another venue", st.As(st.Actor(f.Venue, passnum.RoleAdmin)), func(*passnum.Place) {}, passnum.ENOTFOUND},
				{"an agent", st.As(st.Actor(o, passnum.RoleAgent)), func(*passnum.Place) {}, passnum.EFORBIDDEN},
				{"bad hours", admin, func(p *passnum.Place) { p.OpeningHours = "mardi" }, passnum.EINVALID},
				{"postal code of another commune", admin, func(p *passnum.Place) { p.PostalCode = "35000" }, passnum.EINVALID},
				{"unknown place", admin, func(p *passnum.Place) { p.ID = 999999 }, passnum.ENOTFOUND},
			} {
				q := *p
				tc.change(&q)
				if _, err := s.SavePlace(tc.ctx, q); passnum.ErrorCode(err) != tc.code {
					t.Errorf("%s: %v", tc.name, err)
				}
			}
			file, _ := s.FindVenueFile(op, o.ID)
			if len(file.Places) != 1 || file.Places[0].Name != "Permanence à la mairie de Bruz" {
				t.Fatalf("places %+v", file.Places)
			}
		})
		st.MustCheck(t, env, f.Operator)
	})
}

func TestListVenues(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		o, err := s.ApplyAsVenue(context.Background(), application("6000000000001", "liste@lieu.example"))
		if err != nil {
			t.Fatal(err)
		}
		names := func(vs []*passnum.Venue) []string {
			var out []string
			for _, v := range vs {
				out = append(out, v.Name)
			}
			return out
		}
		tests := []struct {
			filter passnum.VenueFilter
			want   []string
			total  int
		}{
			{passnum.VenueFilter{}, []string{"Espace numérique de Lyon", "Espace numérique du Blosne", "La Quincaillerie numérique", "Médiathèque de Brest"}, 4},
			{passnum.VenueFilter{Qualification: passnum.QualificationPending}, []string{"Espace numérique du Blosne"}, 1},
			{passnum.VenueFilter{Query: "mediatheque"}, []string{"Médiathèque de Brest"}, 1},
			{passnum.VenueFilter{Query: "rennes"}, []string{"Espace numérique du Blosne", "La Quincaillerie numérique"}, 2},
			{passnum.VenueFilter{Query: f.Venue.SIRET}, []string{"La Quincaillerie numérique"}, 1},
			{passnum.VenueFilter{Query: fmt.Sprintf("passnum-%d", o.ID)}, []string{"Espace numérique du Blosne"}, 1},
			{passnum.VenueFilter{Offset: 1, Limit: 2}, []string{"Espace numérique du Blosne", "La Quincaillerie numérique"}, 4},
		}
		for _, tc := range tests {
			got, total, err := s.ListVenues(op, tc.filter)
			if err != nil || total != tc.total || !slices.Equal(names(got), tc.want) {
				t.Errorf("%+v: %v (%d) %v, want %v (%d)", tc.filter, names(got), total, err, tc.want, tc.total)
			}
		}
		// The venues created with a name, a SIRET and a commune have their
		// description too, the commune completed from the geography.
		all, _, _ := s.ListVenues(op, passnum.VenueFilter{Query: "brest"})
		if len(all) != 1 || all[0].Commune != "Brest" || all[0].PostalCode != "29200" || all[0].Pivot != f.Venue2.SIRET ||
			all[0].ID != fmt.Sprintf("passnum-%d", f.Venue2.ID) || all[0].Qualification != passnum.QualificationQualified {
			t.Fatalf("fixture venue %+v", all)
		}
		if _, _, err := s.ListVenues(st.As(st.Actor(f.Venue, passnum.RoleAdmin)), passnum.VenueFilter{}); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Fatalf("a venue lists venues: %v", err)
		}
		// Each venue says when its qualification last moved, as its
		// history's latest line: the queue orders by it.
		env.Clock.Advance(72 * time.Hour)
		if _, err := s.MoveQualification(op, o.ID, passnum.QualificationChangesRequested, "il manque le RIB"); err != nil {
			t.Fatal(err)
		}
		listed, _, err := s.ListVenues(op, passnum.VenueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range listed {
			file, err := s.FindVenueFile(op, v.OrgID)
			if err != nil {
				t.Fatal(err)
			}
			if v.QualificationUpdatedAt == nil || !v.QualificationUpdatedAt.Equal(*file.Venue.QualificationUpdatedAt) {
				t.Errorf("%s: qualification moved at %v, its history says %v", v.Name, v.QualificationUpdatedAt, file.Venue.QualificationUpdatedAt)
			}
			if v.OrgID == o.ID && !v.QualificationUpdatedAt.Equal(env.Clock.Now()) {
				t.Errorf("%s: moved at %v, want now %v", v.Name, v.QualificationUpdatedAt, env.Clock.Now())
			}
		}
	})
}

// errorField returns the field of a *passnum.Error, "" for other errors.
func errorField(err error) string {
	var e *passnum.Error
	if asError(err, &e) {
		return e.Field
	}
	return ""
}

// TestPlatformIDsAndPivot: the platform's ids never clash with imported
// ones, and only the operator changes a qualified venue's SIRET.
func TestPlatformIDsAndPivot(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		maxID, err := sqlstore.QueryStrings(s, `SELECT CAST(MAX(id) AS TEXT) FROM organisations`)
		if err != nil {
			t.Fatal(err)
		}
		var last int64
		fmt.Sscan(maxID[0], &last)
		// The import creates organisation last+1; the next one would be
		// passnum-(last+2), which the file already uses.
		taken := fmt.Sprintf("passnum-%d", last+2)
		if _, err := s.ImportVenues(op, rowsOf(standardVenue(taken, validSIRET("9300000000001"), "Lieu importé", 48.1, -1.6)), false); err != nil {
			t.Fatal(err)
		}
		o, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Lieu créé", SIRET: validSIRET("9300000000002"), CommuneINSEE: "35238"})
		if err != nil || o.ID != last+2 {
			t.Fatalf("%+v %v", o, err)
		}
		file, err := s.FindVenueFile(op, o.ID)
		if err != nil || file.Venue.ID != taken+"-2" {
			t.Fatalf("id %q %v", file.Venue.ID, err)
		}

		v := standardVenue(fmt.Sprintf("passnum-%d", f.Venue.ID), validSIRET("9300000000003"), f.Venue.Name, 48.11, -1.67)
		v.OrgID = f.Venue.ID
		if _, err := s.UpdateVenue(st.As(st.Actor(f.Venue, passnum.RoleAdmin)), v); passnum.ErrorCode(err) != passnum.EFORBIDDEN || errorField(err) != "pivot" {
			t.Fatalf("a qualified venue changes its SIRET: %v", err)
		}
		v.Pivot = f.Venue.SIRET
		if _, err := s.UpdateVenue(st.As(st.Actor(f.Venue, passnum.RoleAdmin)), v); err != nil {
			t.Fatalf("the rest may change: %v", err)
		}
		v.Pivot = validSIRET("9300000000003")
		if got, err := s.UpdateVenue(op, v); err != nil || got.Pivot != v.Pivot {
			t.Fatalf("the operator changes it: %+v %v", got, err)
		}
		if org, _ := s.FindOrganisation(op, f.Venue.ID); org.SIRET != v.Pivot {
			t.Fatalf("organisation %+v", org)
		}
		st.MustCheck(t, env, f.Operator)
	})
}

// TestApplicationWithAnAddressThatHasAnAccount: an application that gives
// the address of an existing account is answered as any other, creates the
// venue but no account, changes nothing of the existing one, gives the
// applicant no access, and tells the owner and the operator.
func TestApplicationWithAnAddressThatHasAnAccount(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		operatorAdmin(t, env, f.Operator)
		public := context.Background()
		owner, err := s.CreateUser(op, passnum.UserCreate{Email: "camille@quincaillerie.example", Name: "Camille", Password: "trois pommes vertes sur la table",
			OrgID: f.Venue.ID, Role: passnum.RoleAgent})
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := s.ApplyAsVenue(public, application("7400000000001", "nouvelle@lieu.example"))
		if err != nil {
			t.Fatal(err)
		}
		a := application("7400000000002", "Camille@Quincaillerie.example")
		a.AdminPassword = "le mot de passe de l'intrus"
		taken, err := s.ApplyAsVenue(public, a)
		if err != nil {
			t.Fatalf("an address with an account is refused: %v", err)
		}
		// The same answer: a pending venue, nothing else.
		if taken.Kind != fresh.Kind || taken.Qualification != fresh.Qualification || taken.Qualification != passnum.QualificationPending ||
			taken.Name != fresh.Name || taken.CommuneINSEE != fresh.CommuneINSEE || len(taken.Territory) != 0 {
			t.Errorf("answers differ: %+v and %+v", fresh, taken)
		}
		// No account created, the owner's unchanged, no access given.
		users, err := sqlstore.QueryStrings(s, `SELECT email FROM users WHERE LOWER(email) = 'camille@quincaillerie.example'`)
		if err != nil || len(users) != 1 {
			t.Errorf("accounts for the address: %v %v", users, err)
		}
		if _, err := s.AuthenticatePassword(public, "camille@quincaillerie.example", "le mot de passe de l'intrus"); err == nil {
			t.Error("the applicant's password opens the owner's account")
		}
		u, err := s.AuthenticatePassword(public, "camille@quincaillerie.example", "trois pommes vertes sur la table")
		if err != nil || u.ID != owner.ID || len(u.Memberships) != 1 || u.Memberships[0].OrgID != f.Venue.ID {
			t.Errorf("the owner's account changed: %+v %v", u, err)
		}
		members, err := s.ListMembers(op, taken.ID)
		if err != nil || len(members) != 0 {
			t.Errorf("members of the venue: %v %v", members, err)
		}
		file, err := s.FindVenueFile(op, taken.ID)
		if err != nil || len(file.History) != 1 || file.History[0].Actor != "public" {
			t.Errorf("file %+v %v", file, err)
		}
		// The owner is told what happened and what to do; the operator,
		// that no account was created.
		msgs, _, err := s.ListOutbox(op, passnum.OutboxFilter{Limit: 2})
		if err != nil || len(msgs) != 2 {
			t.Fatalf("outbox %+v %v", msgs, err)
		}
		toOwner, toOperator := msgs[1], msgs[0]
		if toOwner.To != "camille@quincaillerie.example" || !strings.Contains(toOwner.Body, "aucun compte n'a été créé et le vôtre n'a pas changé") ||
			!strings.Contains(toOwner.Body, "Si ce n'est pas vous") || !strings.Contains(toOwner.Body, "Espace numérique du Blosne") ||
			strings.Contains(toOwner.Body, "intrus") {
			t.Errorf("message to the owner: %+v", toOwner)
		}
		if toOperator.To != "qualification@operateur.example" || !strings.Contains(toOperator.Body, "a déjà un compte : aucun compte n'a été créé") {
			t.Errorf("message to the operator: %+v", toOperator)
		}
		// The operator attaches the account once its owner confirms.
		if err := s.AddMembership(op, owner.ID, taken.ID, passnum.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		st.MustCheck(t, env, f.Operator)
	})
}
