package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// rightsWorld is the fixture with one person who used passes, is
// registered to a session and named in an activity report.
type rightsWorld struct {
	f       *st.Fixture
	ref     string // the person of the fixture's first carnet
	carnet  int64
	session *passnum.WorkshopSession
}

func newRightsWorld(t *testing.T, env *st.Env) *rightsWorld {
	t.Helper()
	f := st.NewFixture(t, env, st.Options{})
	s, op := env.Store, st.As(f.Operator)
	c, err := s.FindCarnet(op, f.Batch.FirstCarnet)
	if err != nil {
		t.Fatal(err)
	}
	w := &rightsWorld{f: f, ref: c.BeneficiaryRef, carnet: c.Number}
	venue := st.VenueCtx(f.Venue)
	if _, err := s.Redeem(venue, passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(0)[:2]...), ServiceID: f.Service.ID, IdempotencyKey: "rights-1"}); err != nil {
		t.Fatal(err)
	}
	if w.session, err = s.CreateSession(venue, passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: st.Start.Add(48 * time.Hour), Capacity: 8}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(venue, passnum.RegistrationCreate{SessionID: w.session.ID, BeneficiaryRef: w.ref, Label: "Mme R."}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateActivityReport(venue, passnum.ActivityReport{Format: passnum.FormatIndividual, Date: "2027-03-15", DurationMinutes: 60,
		Themes: []string{"Courriels"}, PlaceKind: "lieu", Participants: 1, BeneficiaryRefs: []string{w.ref}, Notes: "attend son titre de séjour"}); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestRightsNoExistenceOracle: a prescriber asking about another
// prescriber's person, and anyone asking about a reference that does not
// exist, receive the very same answer, for every right; the operator's
// staff and the prescriber that created the record are answered; other
// kinds are refused by their role, whatever the reference.
func TestRightsNoExistenceOracle(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newRightsWorld(t, env)
		s, f := env.Store, w.f
		const unknown = "B-0000-0000"
		rights := []struct {
			name string
			do   func(ctx context.Context, ref string) error
		}{
			{"personal data", func(ctx context.Context, ref string) error { _, err := s.PersonalData(ctx, ref); return err }},
			{"rectify", func(ctx context.Context, ref string) error {
				_, err := s.RectifyBeneficiary(ctx, passnum.Rectification{Ref: ref, CommuneINSEE: ptr("35115"), Reason: "demande"})
				return err
			}},
			{"restrict", func(ctx context.Context, ref string) error {
				_, err := s.RestrictBeneficiary(ctx, ref, true, "conteste sa commune")
				return err
			}},
			{"erase", func(ctx context.Context, ref string) error {
				_, err := s.EraseBeneficiary(ctx, ref, "demande")
				return err
			}},
		}
		other := st.As(st.Actor(f.Other, passnum.RoleAdmin))
		for _, r := range rights {
			theirs := r.do(other, w.ref)
			none := r.do(other, unknown)
			var a, b *passnum.Error
			if !errors.As(theirs, &a) || !errors.As(none, &b) {
				t.Fatalf("%s: %v / %v, want passnum errors", r.name, theirs, none)
			}
			if a.Code != passnum.ENOTFOUND || a.Reason != b.Reason || a.Field != b.Field ||
				strings.ReplaceAll(a.Message, w.ref, "REF") != strings.ReplaceAll(b.Message, unknown, "REF") {
				t.Errorf("%s: another's person answers %+v, an unknown reference %+v: they must not differ", r.name, a, b)
			}
			for _, who := range []*passnum.Actor{st.Actor(f.Venue, passnum.RoleAdmin), st.Actor(f.State, passnum.RoleAdmin)} {
				for _, ref := range []string{w.ref, unknown} {
					if err := r.do(st.As(who), ref); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
						t.Errorf("%s as %s about %s: %v, want forbidden", r.name, who.OrgKind, ref, err)
					}
				}
			}
			if err := r.do(st.As(f.Operator), unknown); passnum.ErrorCode(err) != passnum.ENOTFOUND {
				t.Errorf("%s as the operator about an unknown reference: %v, want not found", r.name, err)
			}
		}
		// The right of access, as the operator and as the prescriber.
		for _, who := range []*passnum.Actor{f.Operator, st.Actor(f.Prescriber, passnum.RoleAgent)} {
			if _, err := s.PersonalData(st.As(who), strings.ToLower(w.ref)); err != nil {
				t.Errorf("personal data as %s: %v", who.OrgKind, err)
			}
		}
	})
}

// TestPersonalData: everything about the person, and for a prescriber
// only what the declaration lets it read.
func TestPersonalData(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newRightsWorld(t, env)
		s, f := env.Store, w.f
		d, err := s.PersonalData(st.As(f.Operator), w.ref)
		if err != nil {
			t.Fatal(err)
		}
		if d.Beneficiary.Ref != w.ref || d.Beneficiary.CommuneINSEE != "35238" || d.Prescriber != "CCAS de Rennes" {
			t.Errorf("details %+v from %q", d.Beneficiary, d.Prescriber)
		}
		if len(d.Carnets) != 1 || d.Carnets[0].Number != w.carnet || d.Carnets[0].Passes != 5 || d.Carnets[0].Remaining != 3 ||
			d.Carnets[0].Programme != "Pass numérique Bretagne 2027" || d.Carnets[0].ValidUntil != "2027-12-31" || d.Carnets[0].DistributedAt == nil {
			t.Errorf("carnets %+v", d.Carnets)
		}
		if len(d.PassUses) != 1 || d.PassUses[0].Passes != 2 || d.PassUses[0].Venue != "La Quincaillerie numérique" || d.PassUses[0].Service != "Premiers pas sur smartphone" {
			t.Errorf("pass uses %+v", d.PassUses)
		}
		if len(d.Workshops) != 1 || d.Workshops[0].Cancelled || d.Workshops[0].Attended != nil || !d.Workshops[0].StartsAt.Equal(st.Start.Add(48*time.Hour)) {
			t.Errorf("workshops %+v", d.Workshops)
		}
		if len(d.Activities) != 1 || d.Activities[0].Notes != "attend son titre de séjour" || d.Activities[0].Date != "2027-03-15" {
			t.Errorf("activities %+v", d.Activities)
		}
		var notes, uses bool
		for _, fld := range d.Fields {
			if fld.Label == "" || fld.Purpose == "" || fld.Basis == "" || fld.Retention == "" {
				t.Errorf("field told without all it must say: %+v", fld)
			}
			notes = notes || fld.Label == "Notes du conseiller numérique" && strings.HasPrefix(fld.Retention, "2 ans après")
			uses = uses || strings.HasPrefix(fld.Label, "Pass utilisés") && strings.HasPrefix(fld.Retention, "10 ans")
		}
		if !notes || !uses {
			t.Errorf("fields %+v: want the notes kept 2 years and the uses of passes 10 years", d.Fields)
		}
		mine, err := s.PersonalData(st.As(st.Actor(f.Prescriber, passnum.RoleAgent)), w.ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(mine.Carnets) != 1 || len(mine.Workshops) != 1 || len(mine.PassUses) != 0 || len(mine.Activities) != 0 || len(mine.Fields) != len(d.Fields) {
			t.Errorf("a prescriber reads carnets and registrations, not uses of passes nor reports: %+v", mine)
		}
	})
}

// TestRectifyAndRestrict: a correction changes what it names and the
// audit trail says which fields, never their values; a restricted person
// receives no carnet nor seat until the restriction is lifted, and leaves
// the figures.
func TestRectifyAndRestrict(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newRightsWorld(t, env)
		s, f := env.Store, w.f
		presc := st.As(st.Actor(f.Prescriber, passnum.RoleAgent))
		b, err := s.RectifyBeneficiary(presc, passnum.Rectification{Ref: w.ref, CommuneINSEE: ptr("29019"), AgeBand: ptr("60-74"), Reason: "erreur de saisie"})
		if err != nil {
			t.Fatal(err)
		}
		if b.CommuneINSEE != "29019" || b.AgeBand != "60-74" || b.BirthYear != 0 {
			t.Errorf("rectified %+v", b)
		}
		refusals := []struct {
			r      passnum.Rectification
			field  string
			reason string
		}{
			{passnum.Rectification{Ref: w.ref, CommuneINSEE: ptr("99999"), Reason: "x"}, "commune_insee", ""},
			{passnum.Rectification{Ref: w.ref, CommuneINSEE: ptr("29019"), Reason: "x"}, "ref", ""},
			{passnum.Rectification{Ref: w.ref, CommuneINSEE: ptr("35238")}, "reason", ""},
			{passnum.Rectification{Ref: w.ref, Autonomy: ptr("immense"), Reason: "x"}, "autonomy", ""},
		}
		for _, c := range refusals {
			var e *passnum.Error
			if _, err := s.RectifyBeneficiary(presc, c.r); !errors.As(err, &e) || e.Code != passnum.EINVALID || e.Field != c.field {
				t.Errorf("rectify %+v: %v, want invalid %s", c.r, err, c.field)
			}
		}
		audit, err := sqlstore.QueryStrings(env.Store, `SELECT detail FROM audit_log WHERE action = 'beneficiaries.rectify'`)
		if err != nil {
			t.Fatal(err)
		}
		if len(audit) != 1 || !strings.Contains(audit[0], "commune_insee") || strings.Contains(audit[0], "29019") || strings.Contains(audit[0], "35238") {
			t.Errorf("audit of the correction %q: want the fields named, no value", audit)
		}

		if b, err = s.RestrictBeneficiary(presc, w.ref, true, "conteste ses besoins"); err != nil || b.RestrictedAt == nil || b.RestrictionReason != "conteste ses besoins" {
			t.Fatalf("restrict: %+v, %v", b, err)
		}
		if _, err := s.Distribute(presc, passnum.DistributeRequest{Carnet: f.Batch.FirstCarnet + 7, BeneficiaryRef: w.ref}); !refusedFor(err, passnum.ReasonBeneficiaryRestricted) {
			t.Errorf("a carnet for a restricted person: %v", err)
		}
		venue := st.VenueCtx(f.Venue)
		session, err := s.CreateSession(venue, passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: st.Start.Add(72 * time.Hour), Capacity: 8})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Register(venue, passnum.RegistrationCreate{SessionID: session.ID, BeneficiaryRef: w.ref}); !refusedFor(err, passnum.ReasonBeneficiaryRestricted) {
			t.Errorf("a seat for a restricted person: %v", err)
		}
		if b, err = s.RestrictBeneficiary(st.As(f.Operator), w.ref, false, ""); err != nil || b.RestrictedAt != nil {
			t.Fatalf("lift: %+v, %v", b, err)
		}
		if _, err := s.Distribute(presc, passnum.DistributeRequest{Carnet: f.Batch.FirstCarnet + 7, BeneficiaryRef: w.ref}); err != nil {
			t.Errorf("a carnet once the restriction is lifted: %v", err)
		}
		if _, err := s.Register(venue, passnum.RegistrationCreate{SessionID: session.ID, BeneficiaryRef: w.ref}); err != nil {
			t.Errorf("a seat once the restriction is lifted: %v", err)
		}
		actions, err := sqlstore.QueryStrings(env.Store, `SELECT action FROM audit_log WHERE action LIKE 'beneficiaries.%' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(actions, " ") != "beneficiaries.rectify beneficiaries.restrict beneficiaries.unrestrict" {
			t.Errorf("audited %v", actions)
		}
		st.MustCheck(t, env, f.Operator)
	})
}

func refusedFor(err error, reason string) bool {
	var e *passnum.Error
	return errors.As(err, &e) && e.Code == passnum.EREFUSED && e.Reason == reason
}

// TestErase: erasure is refused while it would leave value under nobody,
// then erases the details and the links and keeps the books; the
// reference no longer answers, and the audit trail holds none of what
// was erased.
func TestErase(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newRightsWorld(t, env)
		s, f := env.Store, w.f
		op := st.As(f.Operator)
		before := snapshot(t, env, f)
		// Three passes unused: refused.
		if _, err := s.EraseBeneficiary(op, w.ref, "demande de la personne"); !refusedFor(err, passnum.ReasonErasureUnbalances) {
			t.Fatalf("erase with passes in hand: %v", err)
		}
		// Blocked, they no longer move, but two were used an hour ago and
		// the venue may void that: refused still.
		if _, err := s.Block(op, passnum.BlockRequest{Scope: passnum.BlockCarnet, Carnet: w.carnet, Reason: "effacement demandé"}); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(time.Hour)
		if _, err := s.EraseBeneficiary(op, w.ref, "demande de la personne"); !refusedFor(err, passnum.ReasonErasureUnbalances) {
			t.Fatalf("erase within the void window: %v", err)
		}
		env.Clock.Advance(passnum.VoidWindow)
		blocked := snapshot(t, env, f)
		e, err := s.EraseBeneficiary(st.As(st.Actor(f.Prescriber, passnum.RoleAgent)), w.ref, "demande de la personne")
		if err != nil {
			t.Fatal(err)
		}
		if e.Ref != w.ref || e.Registrations != 1 || e.Activities != 1 || len(e.Kept) != 2 {
			t.Errorf("erasure %+v", e)
		}
		// One carnet: its noun and verb agree.
		if len(e.Kept) == 2 && (!strings.HasPrefix(e.Kept[0], "2 pass utilisés restent dans les comptes") ||
			e.Kept[1] != "1 carnet reste compté dans les chiffres du programme, remis à une personne anonyme.") {
			t.Errorf("what is kept: %q", e.Kept)
		}
		if after := snapshot(t, env, f); after != blocked || before == blocked {
			t.Errorf("books before the erasure %s, after %s", blocked, after)
		}
		st.MustCheck(t, env, f.Operator)
		if _, err := s.FindBeneficiary(passnum.WithReadReason(op, "vérification"), w.ref); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Errorf("the erased reference still answers: %v", err)
		}
		if _, err := s.PersonalData(op, w.ref); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Errorf("personal data of an erased reference: %v", err)
		}
		c, err := s.FindCarnet(op, w.carnet)
		if err != nil {
			t.Fatal(err)
		}
		if c.BeneficiaryRef == w.ref || !strings.HasPrefix(c.BeneficiaryRef, "ANON-") {
			t.Errorf("the carnet's holder is %q, want an anonymous reference", c.BeneficiaryRef)
		}
		left, err := sqlstore.QueryStrings(env.Store, `SELECT CAST(COUNT(*) AS TEXT) FROM beneficiaries WHERE commune_insee = '' AND needs = '' AND birth_year IS NULL AND erased_at IS NOT NULL`)
		if err != nil || left[0] != "1" {
			t.Errorf("erased records: %v %v", left, err)
		}
		for _, q := range []string{
			`SELECT CAST(COUNT(*) AS TEXT) FROM workshop_registrations WHERE beneficiary_ref = ? OR label = 'Mme R.'`,
			`SELECT CAST(COUNT(*) AS TEXT) FROM activity_report_people WHERE beneficiary_ref = ?`,
		} {
			if n, err := sqlstore.QueryStrings(env.Store, q, w.ref); err != nil || n[0] != "0" {
				t.Errorf("%s: %v %v, want nothing left", q, n, err)
			}
		}
		audit, err := sqlstore.QueryStrings(env.Store, `SELECT object || ' ' || detail FROM audit_log WHERE action = 'beneficiaries.erase'`)
		if err != nil {
			t.Fatal(err)
		}
		if len(audit) != 1 || strings.Contains(audit[0], w.ref) || strings.Contains(audit[0], "35238") || strings.Contains(audit[0], "Mme R.") {
			t.Errorf("audit of the erasure %q: want no personal data", audit)
		}
		// Erased once: the reference is gone for the second time too.
		if _, err := s.EraseBeneficiary(op, w.ref, "encore"); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Errorf("erase twice: %v", err)
		}
	})
}
