package sqlstore_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

// member creates an account in org and returns the actor of its session.
func member(t *testing.T, env *st.Env, f *st.Fixture, org int64, kind passnum.OrgKind, role passnum.Role, name string) *passnum.Actor {
	t.Helper()
	u, err := env.Store.CreateUser(st.As(f.Operator), passnum.UserCreate{Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.fr",
		Name: name, Password: "phrase secrète du journal", OrgID: org, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return &passnum.Actor{UserID: u.ID, OrgID: org, OrgKind: kind, Role: role, Label: fmt.Sprintf("user:%d", u.ID)}
}

// journal lists the whole journal as the operator's administrator.
func journal(t *testing.T, env *st.Env, f *st.Fixture, filter passnum.PersonalReadFilter) []*passnum.PersonalRead {
	t.Helper()
	filter.Limit = 500
	list, total, err := env.Store.ListPersonalReads(st.As(f.Operator), filter)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(list) {
		t.Fatalf("journal: %d entries of %d", len(list), total)
	}
	return list
}

// entry is what a test expects of a journal entry.
type entry struct {
	what, export, actor, reason string
	records, fields             []string
}

func entries(list []*passnum.PersonalRead) []entry {
	out := make([]entry, len(list))
	for i, p := range list {
		out[i] = entry{p.What, p.Export, p.Actor, p.Reason, p.Records, p.Fields}
	}
	return out
}

func sameEntries(t *testing.T, got []*passnum.PersonalRead, want []entry) {
	t.Helper()
	g := entries(got)
	if !slices.EqualFunc(g, want, func(a, b entry) bool {
		return a.what == b.what && a.export == b.export && a.actor == b.actor && a.reason == b.reason &&
			slices.Equal(a.records, b.records) && slices.Equal(a.fields, b.fields)
	}) {
		t.Fatalf("journal, newest first:\n got %+v\nwant %+v", g, want)
	}
}

// TestPersonalReadsJournaled: reading a beneficiary's record, advisers'
// notes and exports holding them writes who, what, which fields and why;
// the operator's staff must say why they open a record; what is refused
// or redacted away writes nothing.
func TestPersonalReadsJournaled(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		s := env.Store
		staff := member(t, env, f, f.Operator.OrgID, passnum.KindOperator, passnum.RoleAgent, "Alex Martin")
		presc := member(t, env, f, f.Prescriber.ID, passnum.KindPrescriber, passnum.RoleAgent, "Sam Leroy")
		c, err := s.FindCarnet(st.As(f.Operator), f.Batch.FirstCarnet)
		if err != nil {
			t.Fatal(err)
		}
		ref := c.BeneficiaryRef
		if len(journal(t, env, f, passnum.PersonalReadFilter{})) != 0 {
			t.Fatal("a carnet's page is no beneficiary's record: nothing should be journaled")
		}

		// The operator's staff: no reason, no record, nothing journaled.
		if _, err := s.FindBeneficiary(st.As(staff), ref); passnum.ErrorReason(err) != passnum.ReasonReadReasonRequired {
			t.Fatalf("operator without a reason: %v, want %s", err, passnum.ReasonReadReasonRequired)
		}
		if _, err := s.FindBeneficiary(passnum.WithReadReason(st.As(staff), "x\x00y"), ref); passnum.ErrorCode(err) != passnum.EINVALID {
			t.Fatalf("a reason with a control character: %v", err)
		}
		if _, err := s.FindBeneficiary(passnum.WithReadReason(st.As(staff), "Demande d'accès reçue le 3 mars"), ref); err != nil {
			t.Fatal(err)
		}
		// The prescriber reads the records it created without a reason;
		// another prescriber's attempt finds nothing and writes nothing.
		if _, err := s.FindBeneficiary(st.As(presc), ref); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindBeneficiary(st.As(st.Actor(f.Other, passnum.RoleAgent)), ref); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("another prescriber: %v", err)
		}
		all := []string{"beneficiary.ref", "beneficiary.birth_year", "beneficiary.age_band", "beneficiary.commune", "beneficiary.needs",
			"beneficiary.autonomy", "beneficiary.consent", "beneficiary.prescriber", "beneficiary.restriction"}
		want := []entry{
			{passnum.ReadBeneficiary, "", presc.Label, "", []string{"beneficiary:" + ref}, all},
			{passnum.ReadBeneficiary, "", staff.Label, "Demande d'accès reçue le 3 mars", []string{"beneficiary:" + ref}, all},
		}
		got := journal(t, env, f, passnum.PersonalReadFilter{})
		sameEntries(t, got, want)
		if got[1].UserID != staff.UserID || got[1].UserName != "Alex Martin" || got[1].OrgID != f.Operator.OrgID || got[1].OrgName == "" ||
			!got[1].ReadAt.Equal(env.Clock.Now().UTC().Truncate(time.Microsecond)) {
			t.Fatalf("who and when: %+v", got[1])
		}

		// The operator's search finds a person by reference.
		if _, err := s.Search(st.As(staff), ref); err != nil {
			t.Fatal(err)
		}
		want = append([]entry{{passnum.ReadSearch, "", staff.Label, "", []string{"beneficiary:" + ref}, all}}, want...)

		// A venue's adviser writes a report naming the person; the venue
		// reads its notes (journaled), the hub reads the report without
		// them (nothing to journal).
		venue := st.VenueCtx(f.Venue)
		rep, err := s.CreateActivityReport(venue, passnum.ActivityReport{Format: passnum.FormatIndividual, Date: "2027-03-15", DurationMinutes: 60,
			Themes: []string{"Courriels"}, PlaceKind: "lieu", Participants: 1, BeneficiaryRefs: []string{ref}, Notes: "A besoin d'aide pour sa messagerie"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := s.ListActivityReports(venue, passnum.ActivityFilter{}); err != nil {
			t.Fatal(err)
		}
		hub, err := s.CreateOrganisation(st.As(f.Operator), passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub breton"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetTerritory(st.As(f.Operator), hub.ID, []string{"region:53"}); err != nil {
			t.Fatal(err)
		}
		if list, _, _, err := s.ListActivityReports(st.As(st.Actor(hub, passnum.RoleAgent)), passnum.ActivityFilter{}); err != nil || len(list) != 1 {
			t.Fatalf("hub: %d reports, %v", len(list), err)
		}
		// The operator exports them.
		if _, _, _, err := s.ListActivityReports(passnum.WithExport(st.As(staff), "activite-conseillers.csv"), passnum.ActivityFilter{}); err != nil {
			t.Fatal(err)
		}
		records := []string{fmt.Sprintf("activity-report:%d", rep.ID), "beneficiary:" + ref}
		notes := []string{"activity.notes", "activity.people"}
		venueLabel := st.Actor(f.Venue, passnum.RoleAgent).Label
		want = append([]entry{
			{passnum.ReadExport, "activite-conseillers.csv", staff.Label, "", records, notes},
			{passnum.ReadNotes, "", venueLabel, "", records, notes},
		}, want...)
		sameEntries(t, journal(t, env, f, passnum.PersonalReadFilter{}), want)

		// Filters: by person, by record, by period.
		sameEntries(t, journal(t, env, f, passnum.PersonalReadFilter{UserID: presc.UserID}), want[3:4])
		sameEntries(t, journal(t, env, f, passnum.PersonalReadFilter{Record: strings.ToLower(ref)}), want)
		sameEntries(t, journal(t, env, f, passnum.PersonalReadFilter{Record: fmt.Sprintf("activity-report:%d", rep.ID)}), want[:2])
		sameEntries(t, journal(t, env, f, passnum.PersonalReadFilter{Record: "B-%"}), nil)
		sameEntries(t, journal(t, env, f, passnum.PersonalReadFilter{OrgID: f.Venue.ID}), want[1:2])
		today := passnum.Today(env.Clock.Now())
		sameEntries(t, journal(t, env, f, passnum.PersonalReadFilter{From: today, To: today}), want)
		sameEntries(t, journal(t, env, f, passnum.PersonalReadFilter{To: "2027-03-14"}), nil)
		if _, _, err := s.ListPersonalReads(st.As(f.Operator), passnum.PersonalReadFilter{From: "2027-03-16", To: "2027-03-15"}); passnum.ErrorCode(err) != passnum.EINVALID {
			t.Fatalf("a period that ends before it starts: %v", err)
		}
		page, total, err := s.ListPersonalReads(st.As(f.Operator), passnum.PersonalReadFilter{Offset: 1, Limit: 2})
		if err != nil || total != len(want) || len(page) != 2 {
			t.Fatalf("a page: %d of %d, %v", len(page), total, err)
		}
		sameEntries(t, page, want[1:3])

		// The journal is the operator's administrators': its agents and
		// everyone else are refused.
		for _, a := range []*passnum.Actor{staff, presc, st.Actor(f.Venue, passnum.RoleAdmin), st.Actor(f.State, passnum.RoleAdmin)} {
			if _, _, err := s.ListPersonalReads(st.As(a), passnum.PersonalReadFilter{}); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
				t.Errorf("%s reads the journal: %v", a.Label, err)
			}
		}
		// Exporting the journal is journaled, naming the entries exported.
		exported, _, err := s.ListPersonalReads(passnum.WithExport(st.As(f.Operator), "journal-consultations.csv"), passnum.PersonalReadFilter{UserID: presc.UserID})
		if err != nil || len(exported) != 1 {
			t.Fatalf("export: %d entries, %v", len(exported), err)
		}
		latest := journal(t, env, f, passnum.PersonalReadFilter{})[0]
		sameEntries(t, []*passnum.PersonalRead{latest}, []entry{{passnum.ReadExport, "journal-consultations.csv", f.Operator.Label, "",
			[]string{fmt.Sprintf("personal-read:%d", exported[0].ID)}, []string{"access-log.reader"}}})
	})
}

// TestPersonalDataJournaled: gathering everything held about a person
// (the right of access) is journaled with the fields gathered.
func TestPersonalDataJournaled(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		c, err := env.Store.FindCarnet(st.As(f.Operator), f.Batch.FirstCarnet)
		if err != nil {
			t.Fatal(err)
		}
		ctx := passnum.WithReadReason(st.As(f.Operator), "Demande d'accès n°7")
		if _, err := env.Store.PersonalData(ctx, c.BeneficiaryRef); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Store.PersonalData(st.As(st.Actor(f.Other, passnum.RoleAgent)), c.BeneficiaryRef); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("another prescriber: %v", err)
		}
		sameEntries(t, journal(t, env, f, passnum.PersonalReadFilter{}), []entry{{passnum.ReadRights, "", f.Operator.Label, "Demande d'accès n°7",
			[]string{"beneficiary:" + c.BeneficiaryRef}, []string{"carnet.holder", "beneficiary.ref", "beneficiary.birth_year", "beneficiary.age_band",
				"beneficiary.commune", "beneficiary.needs", "beneficiary.autonomy", "beneficiary.consent", "beneficiary.prescriber", "beneficiary.restriction"}}})
	})
}

// TestPersonalReadsRetained: the retention job deletes the journal's
// entries older than the access-log period (12 months by default) and
// keeps the others.
func TestPersonalReadsRetained(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		presc := st.As(st.Actor(f.Prescriber, passnum.RoleAgent))
		c, err := env.Store.FindCarnet(presc, f.Batch.FirstCarnet)
		if err != nil {
			t.Fatal(err)
		}
		read := func() {
			t.Helper()
			if _, err := env.Store.FindBeneficiary(presc, c.BeneficiaryRef); err != nil {
				t.Fatal(err)
			}
		}
		read()                                      // 2027-03-15
		env.Clock.Advance(11 * 30 * 24 * time.Hour) // 2028-02
		read()
		env.Clock.Advance(60 * 24 * time.Hour) // 2028-04: the first read is 13 months old
		op := st.As(f.Operator)
		for _, dry := range []bool{true, false} {
			run, err := env.Store.RunRetention(op, dry)
			if err != nil {
				t.Fatal(err)
			}
			if got := counts(run); got != "access-log=1/0" {
				t.Errorf("run (dry %v): %q, want the first read only", dry, got)
			}
		}
		left := journal(t, env, f, passnum.PersonalReadFilter{})
		if len(left) != 1 || !left[0].ReadAt.After(st.Start.AddDate(0, 10, 0)) {
			t.Fatalf("left: %+v", left)
		}
	})
}
