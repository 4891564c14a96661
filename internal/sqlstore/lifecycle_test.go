package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

func TestIssueActivateAllocateDistribute(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 10, Activated: 4, Allocated: 2, Distributed: 1})
		s, op := env.Store, st.As(f.Operator)
		pid := f.Programme.ID
		prescriber := st.As(st.Actor(f.Prescriber, passnum.RoleAgent))

		// Budget: the fixture's budget is twice the first batch.
		if _, err := s.Issue(op, passnum.IssueRequest{ProgrammeID: pid, Carnets: 11}); passnum.ErrorReason(err) != "budget-exceeded" ||
			!strings.Contains(passnum.ErrorMessage(err), "10 carnets") {
			t.Fatalf("over budget: %v", err)
		}
		b2, err := s.Issue(op, passnum.IssueRequest{ProgrammeID: pid, Carnets: 10})
		if err != nil || b2.FirstSerial != f.Batch.LastSerial+1 || b2.FirstCarnet != f.Batch.LastCarnet+1 || b2.Passes != 50 {
			t.Fatalf("second batch: %+v %v", b2, err)
		}
		if _, err := s.Issue(op, passnum.IssueRequest{ProgrammeID: pid, Carnets: 1}); passnum.ErrorReason(err) != "budget-exceeded" {
			t.Fatalf("budget exhausted: %v", err)
		}
		// Funds: the fixture received enough for 4 carnets (+ fee) only.
		if _, err := s.Activate(op, passnum.ActivateRequest{ProgrammeID: pid, BatchID: b2.ID}); passnum.ErrorReason(err) != "funds-insufficient" {
			t.Fatalf("activation beyond funds: %v", err)
		}
		if _, err := s.RecordFunds(op, passnum.FundsCreate{ProgrammeID: pid, FunderID: f.State.ID, Reference: "OP-STATE-1", AmountCents: 100, ReceivedOn: "2027-02-01"}); passnum.ErrorReason(err) != "payment-order-duplicate" {
			t.Fatalf("duplicate payment order: %v", err)
		}
		if _, err := s.RecordFunds(op, passnum.FundsCreate{ProgrammeID: pid, FunderID: f.Prescriber.ID, Reference: "X", AmountCents: 100, ReceivedOn: "2027-02-01"}); passnum.ErrorCode(err) != passnum.EINVALID {
			t.Fatalf("funds from a non-funder: %v", err)
		}
		// 50 passes of 10 € + 4 % fee = 520 €.
		if _, err := s.RecordFunds(op, passnum.FundsCreate{ProgrammeID: pid, FunderID: f.Dept.ID, Reference: "OP-DEPT-2", AmountCents: 52000, ReceivedOn: "2027-02-01"}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Activate(op, passnum.ActivateRequest{ProgrammeID: pid, BatchID: b2.ID}); err != nil || n != 50 {
			t.Fatalf("activate batch 2: %d %v", n, err)
		}
		if _, err := s.Activate(op, passnum.ActivateRequest{ProgrammeID: pid, BatchID: b2.ID}); passnum.ErrorReason(err) != "nothing-to-activate" {
			t.Fatalf("activate twice: %v", err)
		}
		// Allocation needs activated carnets.
		last := f.Batch.LastCarnet
		if _, err := s.Allocate(op, passnum.AllocateRequest{PrescriberID: f.Prescriber.ID, Carnets: []int64{last}}); passnum.ErrorReason(err) != "carnet-not-activated" {
			t.Fatalf("allocate unactivated: %v", err)
		}
		if _, err := s.Allocate(op, passnum.AllocateRequest{PrescriberID: f.Venue.ID, Carnets: []int64{f.Batch.FirstCarnet + 3}}); passnum.ErrorCode(err) != passnum.EINVALID {
			t.Fatalf("allocate to a venue: %v", err)
		}
		if _, err := s.Allocate(op, passnum.AllocateRequest{PrescriberID: f.Prescriber.ID, Carnets: []int64{f.Batch.FirstCarnet}}); passnum.ErrorReason(err) != "carnet-already-distributed" {
			t.Fatalf("allocate distributed: %v", err)
		}
		if n, err := s.Allocate(op, passnum.AllocateRequest{PrescriberID: f.Other.ID, FirstCarnet: b2.FirstCarnet, LastCarnet: b2.FirstCarnet + 4}); err != nil || n != 5 {
			t.Fatalf("allocate range: %d %v", n, err)
		}
		// Distribution: only from one's own stock, once, with a valid beneficiary.
		newB := &passnum.BeneficiaryInput{AgeBand: "60-74", CommuneINSEE: "35238", Needs: []string{"Aide aux démarches administratives"}, Autonomy: "faible", ConsentAt: "2027-03-15"}
		cases := []struct {
			name   string
			req    passnum.DistributeRequest
			code   string
			reason string
		}{
			{"not in stock", passnum.DistributeRequest{Carnet: b2.FirstCarnet, Beneficiary: newB}, passnum.EREFUSED, "carnet-not-in-stock"},
			{"already distributed", passnum.DistributeRequest{Carnet: f.Batch.FirstCarnet, Beneficiary: newB}, passnum.EREFUSED, "carnet-already-distributed"},
			{"no beneficiary", passnum.DistributeRequest{Carnet: f.Batch.FirstCarnet + 1}, passnum.EINVALID, "invalid-input"},
			{"unknown beneficiary", passnum.DistributeRequest{Carnet: f.Batch.FirstCarnet + 1, BeneficiaryRef: "B-0000-0000"}, passnum.ENOTFOUND, "beneficiary-unknown"},
			{"bad commune", passnum.DistributeRequest{Carnet: f.Batch.FirstCarnet + 1, Beneficiary: &passnum.BeneficiaryInput{BirthYear: 1950, CommuneINSEE: "99999", ConsentAt: "2027-03-15"}}, passnum.EINVALID, "invalid-input"},
			{"no consent", passnum.DistributeRequest{Carnet: f.Batch.FirstCarnet + 1, Beneficiary: &passnum.BeneficiaryInput{BirthYear: 1950, CommuneINSEE: "35238"}}, passnum.EINVALID, "invalid-input"},
			{"unknown carnet: same answer as another structure's", passnum.DistributeRequest{Carnet: 999999, Beneficiary: newB}, passnum.EREFUSED, "carnet-not-in-stock"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.Distribute(prescriber, tc.req)
				if passnum.ErrorCode(err) != tc.code || passnum.ErrorReason(err) != tc.reason {
					t.Fatalf("got %s/%s: %v", passnum.ErrorCode(err), passnum.ErrorReason(err), err)
				}
			})
		}
		d, err := s.Distribute(prescriber, passnum.DistributeRequest{Carnet: f.Batch.FirstCarnet + 1, Beneficiary: newB})
		if err != nil || d.Carnet.Remaining != 5 || !strings.HasPrefix(d.Beneficiary.Ref, "B-") {
			t.Fatalf("distribute: %+v %v", d, err)
		}
		// The same person comes back for a second carnet.
		if _, err := s.Allocate(op, passnum.AllocateRequest{PrescriberID: f.Prescriber.ID, Carnets: []int64{f.Batch.FirstCarnet + 2}}); err != nil {
			t.Fatal(err)
		}
		d2, err := s.Distribute(prescriber, passnum.DistributeRequest{Carnet: f.Batch.FirstCarnet + 2, BeneficiaryRef: strings.ToLower(d.Beneficiary.Ref)})
		if err != nil || d2.Beneficiary.ID != d.Beneficiary.ID {
			t.Fatalf("reuse beneficiary: %+v %v", d2, err)
		}
		// Another prescriber does not see that person.
		if _, err := s.FindBeneficiary(st.As(st.Actor(f.Other, passnum.RoleAgent)), d.Beneficiary.Ref); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("foreign beneficiary: %v", err)
		}
		// Prescribers see their own stock only.
		carnets, total, err := s.ListCarnets(prescriber, passnum.CarnetFilter{})
		if err != nil || total != 3 || len(carnets) != 3 {
			t.Fatalf("prescriber stock: %d %v", total, err)
		}
		if _, err := s.FindCarnet(prescriber, b2.FirstCarnet); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("foreign carnet: %v", err)
		}
		st.MustCheck(t, env, f.Operator)
	})
}

func TestBlockUnblockExpire(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 10, Activated: 8, Allocated: 6, Distributed: 3})
		s, op := env.Store, st.As(f.Operator)
		funder := st.As(st.Actor(f.Dept, passnum.RoleAgent))
		pid := f.Programme.ID
		// Spend one pass so that blocks have something to skip.
		if _, err := s.Redeem(st.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(0)[0]), ServiceID: f.Service.ID, IdempotencyKey: "x"}); err != nil {
			t.Fatal(err)
		}
		// Stock: issued, activated and allocated passes — not those in people's hands.
		n, err := s.Block(funder, passnum.BlockRequest{Scope: passnum.BlockStock, ProgrammeID: pid, Reason: "fin de la distribution"})
		if err != nil || n != 7*5 {
			t.Fatalf("block stock: %d %v", n, err)
		}
		st.MustCheck(t, env, f.Operator)
		if _, err := s.Distribute(st.As(st.Actor(f.Prescriber, passnum.RoleAgent)), passnum.DistributeRequest{Carnet: f.Batch.FirstCarnet + 4,
			Beneficiary: &passnum.BeneficiaryInput{BirthYear: 1960, CommuneINSEE: "35238", ConsentAt: "2027-03-15"}}); passnum.ErrorReason(err) != "carnet-blocked" {
			t.Fatalf("distribute blocked carnet: %v", err)
		}
		// A carnet in a person's hands, lost: 4 passes left to block.
		n, err = s.Block(op, passnum.BlockRequest{Scope: passnum.BlockCarnet, Carnet: f.Batch.FirstCarnet, Reason: "carnet volé"})
		if err != nil || n != 4 {
			t.Fatalf("block carnet: %d %v", n, err)
		}
		if _, err := s.Block(op, passnum.BlockRequest{Scope: passnum.BlockCarnet, Carnet: f.Batch.FirstCarnet, Reason: "encore"}); passnum.ErrorReason(err) != "nothing-to-block" {
			t.Fatalf("block twice: %v", err)
		}
		// Unblocking the stock leaves the stolen carnet blocked.
		n, err = s.Block(op, passnum.BlockRequest{Scope: passnum.BlockStock, ProgrammeID: pid, Reason: "reprise", Unblock: true})
		if err != nil || n != 35 {
			t.Fatalf("unblock stock: %d %v", n, err)
		}
		c, err := s.FindCarnet(op, f.Batch.FirstCarnet)
		if err != nil || c.Passes[1].State != passnum.StateBlocked || c.Passes[0].State != passnum.StateRedeemed {
			t.Fatalf("stolen carnet: %+v %v", c, err)
		}
		c, _ = s.FindCarnet(op, f.Batch.FirstCarnet+9)
		if c.Passes[0].State != passnum.StateIssued {
			t.Fatalf("unblocked pass state %s, want issued", c.Passes[0].State)
		}
		// A funder cannot block what it does not fund.
		other := createOtherProgramme(t, env, f)
		if _, err := s.Block(funder, passnum.BlockRequest{Scope: passnum.BlockStock, ProgrammeID: other.ID, Reason: "x"}); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("foreign block: %v", err)
		}
		if _, err := s.Block(st.VenueCtx(f.Venue), passnum.BlockRequest{Scope: passnum.BlockStock, ProgrammeID: pid, Reason: "x"}); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Fatalf("venue block: %v", err)
		}
		st.MustCheck(t, env, f.Operator)

		// Expiry: nothing before the end of the tolerance, then everything unspent.
		env.Clock.Set(time.Date(2028, 1, 30, 12, 0, 0, 0, time.UTC))
		res, err := s.Expire(op)
		if err != nil || res.Passes != 0 {
			t.Fatalf("expire within tolerance: %+v %v", res, err)
		}
		env.Clock.Set(time.Date(2028, 2, 1, 12, 0, 0, 0, time.UTC))
		res, err = s.Expire(op)
		if err != nil || res.Passes != 49 || len(res.Programmes) != 1 || res.Programmes[0] != pid {
			t.Fatalf("expire: %+v %v", res, err)
		}
		res, err = s.Expire(op)
		if err != nil || res.Passes != 0 {
			t.Fatalf("expire again: %+v %v", res, err)
		}
		if _, err := s.Activate(op, passnum.ActivateRequest{ProgrammeID: pid, BatchID: f.Batch.ID}); passnum.ErrorReason(err) != "programme-expired" {
			t.Fatalf("activate after expiry: %v", err)
		}
		p, _ := s.FindProgramme(op, pid)
		if p.PassesByState[passnum.StateExpired] != 49 || p.PassesByState[passnum.StateRedeemed] != 1 {
			t.Fatalf("after expiry: %v", p.PassesByState)
		}
		st.MustCheck(t, env, f.Operator)
	})
}

func createOtherProgramme(t *testing.T, env *st.Env, f *st.Fixture) *passnum.Programme {
	t.Helper()
	p, err := env.Store.CreateProgramme(st.As(f.Operator), passnum.ProgrammeCreate{Name: "Pass numérique Finistère", Funders: []passnum.FunderShare{{FunderID: f.State.ID, ShareBP: 10000}},
		BudgetCents: 100000, ValidFrom: "2027-01-01", ValidUntil: "2027-12-31", Territory: []string{"departement:29"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProgrammeValidationAndVisibility(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		base := passnum.ProgrammeCreate{Name: "P", Funders: []passnum.FunderShare{{FunderID: f.State.ID, ShareBP: 6000}, {FunderID: f.Dept.ID, ShareBP: 4000}},
			BudgetCents: 100000, ValidFrom: "2027-01-01", ValidUntil: "2027-12-31", Territory: []string{"region:53"}}
		cases := []struct {
			name  string
			edit  func(c *passnum.ProgrammeCreate)
			field string
		}{
			{"shares do not sum to 10 000", func(c *passnum.ProgrammeCreate) { c.Funders[1].ShareBP = 3000 }, "funders"},
			{"funder twice", func(c *passnum.ProgrammeCreate) { c.Funders[1].FunderID = f.State.ID }, "funders"},
			{"not a funder", func(c *passnum.ProgrammeCreate) { c.Funders[1].FunderID = f.Venue.ID }, "funders"},
			{"no budget", func(c *passnum.ProgrammeCreate) { c.BudgetCents = 0 }, "budget_cents"},
			{"until before from", func(c *passnum.ProgrammeCreate) { c.ValidUntil = "2026-12-31" }, "valid_until"},
			{"bad date", func(c *passnum.ProgrammeCreate) { c.ValidFrom = "01/01/2027" }, "valid_from"},
			{"unknown territory", func(c *passnum.ProgrammeCreate) { c.Territory = []string{"35"} }, "territory"},
			{"unknown région", func(c *passnum.ProgrammeCreate) { c.Territory = []string{"region:99"} }, "territory"},
			{"unknown service", func(c *passnum.ProgrammeCreate) { c.Services = []string{"Jeux vidéo"} }, "services"},
			{"carnet too big", func(c *passnum.ProgrammeCreate) { c.CarnetSize = 51 }, "carnet_size"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := base
				c.Funders = append([]passnum.FunderShare(nil), base.Funders...)
				tc.edit(&c)
				_, err := s.CreateProgramme(op, c)
				var e *passnum.Error
				if !asError(err, &e) || e.Code != passnum.EINVALID || e.Field != tc.field {
					t.Fatalf("got %v, want invalid %s", err, tc.field)
				}
			})
		}
		other := createOtherProgramme(t, env, f)
		dept := st.As(st.Actor(f.Dept, passnum.RoleAdmin))
		list, total, err := s.ListProgrammes(dept, passnum.ProgrammeFilter{})
		if err != nil || total != 1 || list[0].ID != f.Programme.ID {
			t.Fatalf("funder's programmes: %d %v", total, err)
		}
		if _, err := s.FindProgramme(dept, other.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("funder reads a programme it does not fund: %v", err)
		}
		if _, err := s.CreateProgramme(dept, base); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Fatalf("funder creates a programme: %v", err)
		}
		if _, err := s.FindProgramme(passnum.NewContextWithActor(t.Context(), nil), f.Programme.ID); passnum.ErrorCode(err) != passnum.EUNAUTHORIZED {
			t.Fatalf("anonymous: %v", err)
		}
		// Venue SIRETs are unique.
		_, err = s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Doublon", SIRET: f.Venue.SIRET, CommuneINSEE: "35238"})
		if passnum.ErrorReason(err) != "siret-taken" {
			t.Fatalf("duplicate SIRET: %v", err)
		}
	})
}

func TestTokensAndPasswords(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 1})
		s, op := env.Store, st.As(f.Operator)
		tok, secret, err := s.CreateToken(op, passnum.TokenCreate{OrgID: f.Venue.ID, Role: passnum.RoleAgent, Name: "caisse 1"})
		if err != nil || !strings.HasPrefix(secret, "pn_") || !strings.HasPrefix(secret, tok.Prefix) {
			t.Fatalf("create token: %+v %v", tok, err)
		}
		a, err := s.AuthenticateToken(t.Context(), secret)
		if err != nil || a.OrgID != f.Venue.ID || a.OrgKind != passnum.KindVenue || a.Role != passnum.RoleAgent {
			t.Fatalf("authenticate: %+v %v", a, err)
		}
		if _, err := s.AuthenticateToken(t.Context(), secret+"x"); passnum.ErrorCode(err) != passnum.EUNAUTHORIZED {
			t.Fatalf("bad secret: %v", err)
		}
		// A venue agent cannot create tokens; its admin can, for its own venue only.
		if _, _, err := s.CreateToken(st.VenueCtx(f.Venue), passnum.TokenCreate{OrgID: f.Venue.ID, Role: passnum.RoleAgent, Name: "x"}); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Fatalf("agent creates token: %v", err)
		}
		vAdmin := st.As(st.Actor(f.Venue, passnum.RoleAdmin))
		if _, _, err := s.CreateToken(vAdmin, passnum.TokenCreate{OrgID: f.Venue2.ID, Role: passnum.RoleAgent, Name: "x"}); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Fatalf("admin creates token elsewhere: %v", err)
		}
		if err := s.RevokeToken(vAdmin, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuthenticateToken(t.Context(), secret); passnum.ErrorCode(err) != passnum.EUNAUTHORIZED {
			t.Fatalf("revoked token still works: %v", err)
		}
		u, err := s.CreateUser(op, passnum.UserCreate{Email: "Agent@Exemple.fr", Name: "Agent", Password: "correct horse battery", OrgID: f.Venue.ID, Role: passnum.RoleAgent})
		if err != nil || u.Email != "agent@exemple.fr" || len(u.Memberships) != 1 {
			t.Fatalf("create user: %+v %v", u, err)
		}
		if _, err := s.CreateUser(op, passnum.UserCreate{Email: "agent@exemple.fr", Name: "Agent", Password: "correct horse battery", OrgID: f.Venue.ID, Role: passnum.RoleAgent}); passnum.ErrorReason(err) != "email-taken" {
			t.Fatalf("duplicate user: %v", err)
		}
		if _, err := s.CreateUser(op, passnum.UserCreate{Email: "b@exemple.fr", Name: "B", Password: "court", OrgID: f.Venue.ID, Role: passnum.RoleAgent}); passnum.ErrorCode(err) != passnum.EINVALID {
			t.Fatalf("short password: %v", err)
		}
		if err := s.AddMembership(st.As(st.Actor(f.Prescriber, passnum.RoleAdmin)), u.ID, f.Prescriber.ID, passnum.RoleAgent); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Fatalf("an organisation's admin attaches an existing account: %v", err)
		}
		if err := s.AddMembership(op, u.ID, f.Prescriber.ID, passnum.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeToken(vAdmin, tok.ID); err != nil {
			t.Fatalf("revoking twice: %v", err)
		}
		if _, err := s.ListTokens(vAdmin, f.Venue2.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("another venue's tokens: %v", err)
		}
		// Catalogue: withdrawn services are visible to their venue and the operator only.
		if _, err := s.SetCatalogueServiceActive(op, f.Service.ID, false); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			who  *passnum.Actor
			want int
		}{{f.Operator, 1}, {st.Actor(f.Venue, passnum.RoleAgent), 1}, {st.Actor(f.Prescriber, passnum.RoleAgent), 0}} {
			list, err := s.ListCatalogueServices(st.As(tc.who), f.Venue.ID)
			if err != nil || len(list) != tc.want {
				t.Errorf("%s sees %d services (%v), want %d", tc.who.Label, len(list), err, tc.want)
			}
		}
		if _, err := s.ListCatalogueServices(op, f.Prescriber.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("catalogue of a prescriber: %v", err)
		}
		got, err := s.AuthenticatePassword(t.Context(), "agent@exemple.fr", "correct horse battery")
		if err != nil || len(got.Memberships) != 2 {
			t.Fatalf("login: %+v %v", got, err)
		}
		for _, bad := range [][2]string{{"agent@exemple.fr", "wrong password!"}, {"nobody@exemple.fr", "correct horse battery"}} {
			if _, err := s.AuthenticatePassword(t.Context(), bad[0], bad[1]); passnum.ErrorReason(err) != "bad-credentials" {
				t.Fatalf("login %s: %v", bad[0], err)
			}
		}
		a, err = s.ActorForUser(t.Context(), u.ID, f.Prescriber.ID)
		if err != nil || a.OrgKind != passnum.KindPrescriber || a.Role != passnum.RoleAdmin {
			t.Fatalf("actor for user: %+v %v", a, err)
		}
	})
}
