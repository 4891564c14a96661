package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestDirectoryListsReviewedVenues: the public directory, a venue's public
// page, its catalogue and its sessions show a venue qualified, suspended or
// listed (the national data set), never an applicant nor a venue refused
// or withdrawn.
func TestDirectoryListsReviewedVenues(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 1})
		s, op := env.Store, st.As(f.Operator)
		public := context.Background()
		prescriber := st.As(st.Actor(f.Prescriber, passnum.RoleAgent))
		// A venue qualified on paper, with a service and a coming session.
		venue, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Lieu boréal",
			SIRET: validSIRET("7100000000001"), CommuneINSEE: "35238", Qualification: passnum.QualificationQualified})
		if err != nil {
			t.Fatal(err)
		}
		admin := st.As(st.Actor(venue, passnum.RoleAdmin))
		svc, err := s.CreateCatalogueService(admin, passnum.CatalogueServiceCreate{Title: "Premiers pas", Category: "Maîtrise des outils numériques du quotidien",
			DurationMinutes: 60, PricePasses: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateSession(admin, passnum.SessionCreate{ServiceID: svc.ID, StartsAt: st.Start.Add(48 * time.Hour), Capacity: 8}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			status passnum.Qualification
			shown  bool
		}{
			{passnum.QualificationQualified, true},
			{passnum.QualificationSuspended, true},
			{passnum.QualificationWithdrawn, false},
			{passnum.QualificationPending, false},
			{passnum.QualificationChangesRequested, false},
			{passnum.QualificationRefused, false},
			{passnum.QualificationListed, true},
		} {
			t.Run(string(tc.status), func(t *testing.T) {
				if err := sqlstore.ForceQualification(op, s, venue.ID, tc.status); err != nil {
					t.Fatal(err)
				}
				page, err := s.SearchDirectory(public, passnum.DirectoryFilter{Query: "boréal"})
				if err != nil || (page.Total == 1) != tc.shown {
					t.Errorf("directory: %+v %v", page, err)
				}
				if _, err := s.DirectoryEntry(public, venue.ID); (err == nil) != tc.shown || err != nil && passnum.ErrorCode(err) != passnum.ENOTFOUND {
					t.Errorf("public page: %v", err)
				}
				sessions, err := s.ListSessions(public, passnum.SessionFilter{VenueID: venue.ID})
				if err != nil || (len(sessions) == 1) != tc.shown {
					t.Errorf("public sessions: %v %v", sessions, err)
				}
				services, err := s.ListCatalogueServices(prescriber, venue.ID)
				if (err == nil && len(services) == 1) != tc.shown || err != nil && passnum.ErrorCode(err) != passnum.ENOTFOUND {
					t.Errorf("catalogue read by a prescriber: %v %v", services, err)
				}
				// The venue itself and the operator read its catalogue
				// and sessions whatever its status.
				for _, ctx := range []context.Context{admin, op} {
					if services, err := s.ListCatalogueServices(ctx, venue.ID); err != nil || len(services) != 1 {
						t.Errorf("its own catalogue: %v %v", services, err)
					}
					if sessions, err := s.ListSessions(ctx, passnum.SessionFilter{VenueID: venue.ID}); err != nil || len(sessions) != 1 {
						t.Errorf("its own sessions: %v %v", sessions, err)
					}
				}
			})
		}
	})
}

// TestApplicantActsOnlyInItsFile: a venue that applied online completes
// its own file, but does nothing that takes effect beyond it until it is
// qualified — no activity report, no session, no registration, no account
// for its team — and each refusal says why and changes nothing.
func TestApplicantActsOnlyInItsFile(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 1})
		s, op := env.Store, st.As(f.Operator)
		org, err := s.ApplyAsVenue(context.Background(), application("7200000000001", "candidat@lieu.example"))
		if err != nil {
			t.Fatal(err)
		}
		admin := st.As(st.Actor(org, passnum.RoleAdmin))

		// Its own file: description, bank account, places, catalogue.
		file, err := s.FindVenueFile(admin, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		v := file.Venue
		v.Summary = "Ateliers pour tous."
		if _, err := s.UpdateVenue(admin, v); err != nil {
			t.Errorf("update its description: %v", err)
		}
		if err := s.UpdateBankAccount(admin, org.ID, passnum.BankAccount{Holder: "Association", IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP"}); err != nil {
			t.Errorf("update its bank account: %v", err)
		}
		if _, err := s.SavePlace(admin, passnum.Place{Name: "Mairie de Bruz", Address: "Place du Docteur Joly", PostalCode: "35170", INSEE: "35047"}); err != nil {
			t.Errorf("add a place: %v", err)
		}
		svc, err := s.CreateCatalogueService(admin, passnum.CatalogueServiceCreate{Title: "Premiers pas", Category: "Maîtrise des outils numériques du quotidien",
			DurationMinutes: 60, PricePasses: 1})
		if err != nil {
			t.Fatalf("add a service: %v", err)
		}

		report := passnum.ActivityReport{Format: passnum.FormatCollective, Date: "2027-03-10", DurationMinutes: 120,
			Themes: []string{"Courriels"}, PlaceKind: "lieu", Participants: 200}
		beyond := []struct {
			name string
			do   func(ctx context.Context) error
		}{
			{"an activity report", func(ctx context.Context) error { _, err := s.CreateActivityReport(ctx, report); return err }},
			{"a session", func(ctx context.Context) error {
				_, err := s.CreateSession(ctx, passnum.SessionCreate{ServiceID: svc.ID, StartsAt: st.Start.Add(48 * time.Hour), Capacity: 8})
				return err
			}},
			{"an account for its team", func(ctx context.Context) error {
				_, err := s.CreateUser(ctx, passnum.UserCreate{Email: "collegue@lieu.example", Name: "Collègue", Password: "un mot de passe assez long",
					OrgID: org.ID, Role: passnum.RoleAgent})
				return err
			}},
		}
		for _, status := range []passnum.Qualification{passnum.QualificationPending, passnum.QualificationChangesRequested, passnum.QualificationSuspended} {
			if status != passnum.QualificationPending {
				if err := sqlstore.ForceQualification(op, s, org.ID, status); err != nil {
					t.Fatal(err)
				}
			}
			for _, b := range beyond {
				before := auditCount(t, env)
				err := b.do(admin)
				if passnum.ErrorReason(err) != passnum.ReasonVenueNotQual || passnum.ErrorCode(err) != passnum.EREFUSED {
					t.Errorf("%s: %s: %v", status, b.name, err)
				}
				if after := auditCount(t, env); after != before {
					t.Errorf("%s: %s: the refusal wrote to the audit trail (%s lines, then %s)", status, b.name, before, after)
				}
			}
		}
		// Its would-be registration: once qualified, it plans a session;
		// suspended, it registers nobody more.
		if err := sqlstore.ForceQualification(op, s, org.ID, passnum.QualificationQualified); err != nil {
			t.Fatal(err)
		}
		for _, b := range beyond {
			if err := b.do(admin); err != nil {
				t.Errorf("qualified: %s: %v", b.name, err)
			}
		}
		sessions, err := s.ListSessions(admin, passnum.SessionFilter{})
		if err != nil || len(sessions) != 1 {
			t.Fatalf("sessions %v %v", sessions, err)
		}
		if _, err := s.MoveQualification(op, org.ID, passnum.QualificationSuspended, "contrôle"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Register(admin, passnum.RegistrationCreate{SessionID: sessions[0].ID, Label: "Camille"}); passnum.ErrorReason(err) != passnum.ReasonVenueNotQual {
			t.Errorf("suspended: a registration: %v", err)
		}
		st.MustCheck(t, env, f.Operator)
	})
}

// TestFiguresCountReportsOfQualifiedVenues: hubs and the operator count a
// report filed while its venue was qualified, also after a suspension,
// never one filed by an applicant before the rule (as old records may
// hold); the venue reads all of its own.
func TestFiguresCountReportsOfQualifiedVenues(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 1})
		s, op := env.Store, st.As(f.Operator)
		hubOrg, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub 35", Territory: []string{"departement:35"}})
		if err != nil {
			t.Fatal(err)
		}
		hub := st.As(st.Actor(hubOrg, passnum.RoleAgent))
		applicant, err := s.ApplyAsVenue(context.Background(), application("7300000000001", "candidat@lieu.example"))
		if err != nil {
			t.Fatal(err)
		}
		// The applicant's report of 200 participants, written before
		// applicants were refused.
		env.Clock.Advance(time.Minute)
		if err := sqlstore.ExecRaw(s, `INSERT INTO activity_reports (venue_id, author, author_name, format, report_date, duration_minutes, themes,
			autonomy, place_kind, participants, passes_used, notes, created_at) VALUES (?, 'user:99', '', 'collective', '2027-03-10', 120, 'Courriels', '', 'lieu', 200, 0, '', ?)`,
			applicant.ID, passnum.FormatTime(env.Clock.Now())); err != nil {
			t.Fatal(err)
		}
		// A qualified venue's report, then its suspension.
		rennes := st.VenueCtx(f.Venue)
		if _, err := s.CreateActivityReport(rennes, passnum.ActivityReport{Format: passnum.FormatCollective, Date: "2027-03-11",
			DurationMinutes: 60, Themes: []string{"Bureautique"}, PlaceKind: "lieu", Participants: 5}); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(time.Minute)
		if _, err := s.MoveQualification(op, f.Venue.ID, passnum.QualificationSuspended, "contrôle"); err != nil {
			t.Fatal(err)
		}
		// Qualifying the applicant later does not make its old report
		// count: it was not qualified when it wrote it.
		env.Clock.Advance(time.Minute)
		if _, err := s.MoveQualification(op, applicant.ID, passnum.QualificationQualified, "dossier complet"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name         string
			ctx          context.Context
			filter       passnum.ActivityFilter
			participants int
		}{
			{"the hub", hub, passnum.ActivityFilter{}, 5},
			{"the operator", op, passnum.ActivityFilter{}, 5},
			{"the operator, the applicant's", op, passnum.ActivityFilter{VenueID: applicant.ID}, 0},
			{"the operator, a territory", op, passnum.ActivityFilter{Territory: []string{"region:53"}}, 5},
			{"the applicant itself", st.As(st.Actor(applicant, passnum.RoleAgent)), passnum.ActivityFilter{}, 200},
			{"the suspended venue itself", rennes, passnum.ActivityFilter{}, 5},
		} {
			t.Run(tc.name, func(t *testing.T) {
				list, total, sum, err := s.ListActivityReports(tc.ctx, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				if sum.Participants != tc.participants || total != len(list) || total != min(1, tc.participants) {
					t.Errorf("%d participants in %d reports (%v), want %d: %+v", sum.Participants, total, list, tc.participants, sum)
				}
				for _, v := range sum.ByVenue {
					if v.VenueID == applicant.ID && tc.ctx != nil && passnum.ActorFromContext(tc.ctx).OrgID != applicant.ID {
						t.Errorf("the applicant is among the venues: %+v", sum.ByVenue)
					}
				}
			})
		}
	})
}

// auditCount counts the audit trail's lines: a refused operation adds none.
func auditCount(t *testing.T, env *st.Env) string {
	t.Helper()
	n, err := sqlstore.QueryStrings(env.Store, `SELECT CAST(COUNT(*) AS TEXT) FROM audit_log`)
	if err != nil || len(n) != 1 {
		t.Fatalf("audit count: %v %v", n, err)
	}
	return n[0]
}
