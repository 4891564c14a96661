// Package demo seeds a store with a realistic data set for `passnum serve
// --demo`: a cooperative operator, the State and the Ille-et-Vilaine
// département co-financing one programme, three prescribers, eleven venues
// with their catalogues, carnets handed to eighty pseudonymous people and
// the workshops they attended over the past weeks.
//
// The data set is the same at every seed (a fixed pseudo-random sequence
// draws it) apart from what must be secret: pass codes, passwords, API
// tokens and beneficiary references. It goes through the public methods of
// passnum.Service only, acting as the operator, the prescribers and the
// venues, so it exercises the same rules as real use, and Seed checks every
// invariant before returning.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// Credentials is what Seed created that people need to try the demo.
type Credentials struct {
	Logins []Login
	Tokens []Token
	// ProgrammeID and BatchID identify the demo programme and its batch.
	ProgrammeID int64
	BatchID     int64
	// Pass is a pass handed to a beneficiary and not used yet: the one to
	// check or redeem first.
	Pass SamplePass
	// VenueID and ServiceID are the venue of the venue agent's token and a
	// service of its catalogue the programme pays for.
	VenueID   int64
	ServiceID int64
	// CallID and ConventionID are the State's call for projects and the
	// département's convention under it (calls.go).
	CallID       int64
	ConventionID int64
}

// Login is a demo account for the web interface.
type Login struct {
	Role     string // in French, e.g. "Opérateur (administrateur)"
	Kind     passnum.OrgKind
	Email    string
	Password string
	OrgID    int64
	OrgName  string
}

// Token is a demo API token.
type Token struct {
	Role    string // in French
	Kind    passnum.OrgKind
	OrgID   int64
	OrgName string
	Secret  string
}

// SamplePass is a distributed, unused pass.
type SamplePass struct {
	Code           string
	Serial         int64
	Carnet         int64
	BeneficiaryRef string
}

// IsEmpty tells whether the store holds no organisation yet: the only state
// in which Seed adds the demo data set.
func IsEmpty(ctx context.Context, s passnum.OrganisationService) (bool, error) {
	_, n, err := s.ListOrganisations(passnum.NewContextWithActor(ctx, bootstrapActor()), passnum.OrganisationFilter{Limit: 1})
	return n == 0, err
}

// bootstrapActor acts as an operator admin before the operator organisation
// exists: permissions depend on the kind and role only.
func bootstrapActor() *passnum.Actor {
	return &passnum.Actor{OrgKind: passnum.KindOperator, Role: passnum.RoleAdmin, Label: demoActorLabel}
}

// Seed fills an empty store with the demo data set and returns the
// credentials it created. now is the store's current time: programme
// validity runs from 1 January of its year to 31 December of the next, and
// the records are dated over the eight weeks before now (never before 1
// January) when ctx carries the store's clock (WithClock). Progress lines go
// to w.
func Seed(ctx context.Context, s passnum.Service, now time.Time, w io.Writer) (*Credentials, error) {
	if w == nil {
		w = io.Discard
	}
	empty, err := IsEmpty(ctx, s)
	if err != nil {
		return nil, err
	}
	if !empty {
		return nil, passnum.Errorf(passnum.ECONFLICT, "database-not-empty",
			"La base contient déjà des organisations : les données de démonstration ne s'ajoutent qu'à une base vide.")
	}
	sd := &seeder{
		s: s, w: w, clock: clockFrom(ctx),
		rng:   mrand.New(mrand.NewPCG(35, 2027)),
		tl:    newTimeline(now),
		creds: &Credentials{},
	}
	if err := sd.run(ctx); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return sd.creds, nil
}

type seeder struct {
	s     passnum.Service
	w     io.Writer
	clock Setter
	rng   *mrand.Rand
	tl    timeline
	creds *Credentials

	op               context.Context // acting as the operator's admin
	operator         *passnum.Organisation
	state, dept, hub *passnum.Organisation
	prescribers      []*passnum.Organisation
	venues           []*venue
	programme        *passnum.Programme
	batch            *passnum.Batch
	codes            map[int64]string // serial → short code
	redemptions      []*redemptionPlan
	plans            []*carnetPlan // the carnets handed out, once life has run
	venueAdmin       Login         // the first venue's administrator, from its application
	adviser          *passnum.User // the first venue's agent, who writes activity reports
}

type venue struct {
	org      *passnum.Organisation
	seed     venueSeed
	services []*passnum.CatalogueService
}

// setTime moves the store's clock, when Seed controls it.
func (sd *seeder) setTime(t time.Time) {
	if sd.clock != nil {
		sd.clock.Set(t)
	}
}

func actorOf(org *passnum.Organisation, role passnum.Role) *passnum.Actor {
	return &passnum.Actor{OrgID: org.ID, OrgKind: org.Kind, Role: role, Label: demoActorLabel}
}

func (sd *seeder) as(ctx context.Context, org *passnum.Organisation, role passnum.Role) context.Context {
	return passnum.NewContextWithActor(ctx, actorOf(org, role))
}

func (sd *seeder) run(ctx context.Context) error {
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"organisations", sd.organisations},
		{"catalogue", sd.catalogue},
		{"accounts", sd.accounts},
		{"programme", sd.fund},
		{"carnets", sd.issue},
		{"distributions and redemptions", sd.life},
		{"venue network", sd.network},
		{"settlement", sd.settle},
		{"calls for projects", sd.calls},
	}
	for _, st := range steps {
		if err := st.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
	}
	sd.setTime(sd.tl.end)
	rep, err := sd.s.CheckInvariants(sd.op)
	if err != nil {
		return fmt.Errorf("check invariants: %w", err)
	}
	if !rep.OK() {
		return fmt.Errorf("the demo data breaks invariants: %s", strings.Join(rep.Problems, "; "))
	}
	fmt.Fprintf(sd.w, "démo : invariants vérifiés (%d pass, %d écritures comptables)\n", rep.Passes, rep.Postings)
	snap, err := sd.s.RefreshIndicators(sd.op, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(sd.w, "démo : indicateurs calculés (%d cellules)\n", snap.Cells)
	return nil
}

func (sd *seeder) organisations(ctx context.Context) error {
	sd.setTime(sd.tl.start)
	boot := passnum.NewContextWithActor(ctx, bootstrapActor())
	var err error
	if sd.operator, err = sd.s.CreateOrganisation(boot, passnum.OrganisationCreate{
		Kind: passnum.KindOperator, Name: operatorName, CommuneINSEE: rennes}); err != nil {
		return err
	}
	sd.op = sd.as(ctx, sd.operator, passnum.RoleAdmin)
	create := func(c passnum.OrganisationCreate) (*passnum.Organisation, error) {
		return sd.s.CreateOrganisation(sd.op, c)
	}
	if sd.state, err = create(passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: stateName}); err != nil {
		return err
	}
	if sd.dept, err = create(passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: deptName, CommuneINSEE: rennes}); err != nil {
		return err
	}
	// The hub coordinating digital inclusion in Ille-et-Vilaine reads the
	// figures of its territory.
	if sd.hub, err = create(passnum.OrganisationCreate{Kind: passnum.KindHub, Name: hubName, CommuneINSEE: rennes,
		Territory: []string{"departement:35"}}); err != nil {
		return err
	}
	for _, p := range prescribers {
		o, err := create(passnum.OrganisationCreate{Kind: passnum.KindPrescriber, Name: p.name, CommuneINSEE: p.commune})
		if err != nil {
			return err
		}
		sd.prescribers = append(sd.prescribers, o)
	}
	// Venues apply online, as real ones do; the operator qualifies them a
	// few days later, after reading each application. The last one is
	// still waiting in the operator's queue.
	for i, v := range venues {
		app, err := sd.application(i, v)
		if err != nil {
			return err
		}
		o, err := sd.s.ApplyAsVenue(ctx, app)
		if err != nil {
			return fmt.Errorf("venue %q: %w", v.name, err)
		}
		if err := sd.confirmAddress(app.AdminEmail); err != nil {
			return fmt.Errorf("venue %q: %w", v.name, err)
		}
		if i == 0 {
			sd.venueAdmin = Login{Role: "Lieu de médiation (administrateur)", Kind: passnum.KindVenue,
				Email: app.AdminEmail, Password: app.AdminPassword, OrgID: o.ID, OrgName: o.Name}
		}
		sd.venues = append(sd.venues, &venue{org: o, seed: v})
	}
	sd.setTime(sd.tl.at(0.01))
	for _, v := range sd.venues {
		if !v.seed.qualified {
			continue
		}
		file, err := sd.s.MoveQualification(sd.op, v.org.ID, passnum.QualificationQualified,
			"Dossier complet : SIRET vérifié, charte signée, offre de services validée.")
		if err != nil {
			return fmt.Errorf("qualify %q: %w", v.seed.name, err)
		}
		v.org.Qualification = file.Venue.Qualification
	}
	fmt.Fprintf(sd.w, "démo : %d organisations (1 opérateur, 2 financeurs, 1 hub territorial, %d prescripteurs, %d lieux)\n",
		4+len(sd.prescribers)+len(sd.venues), len(sd.prescribers), len(sd.venues))
	return nil
}

func (sd *seeder) catalogue(context.Context) error {
	n := 0
	for _, v := range sd.venues {
		for _, c := range v.seed.services {
			format := passnum.FormatIndividual
			if c.collective {
				format = passnum.FormatCollective
			}
			svc, err := sd.s.CreateCatalogueService(sd.op, passnum.CatalogueServiceCreate{
				VenueID: v.org.ID, Title: c.title, Category: c.category, DurationMinutes: c.minutes, PricePasses: c.passes, Format: format})
			if err != nil {
				return fmt.Errorf("%s, %q: %w", v.org.Name, c.title, err)
			}
			v.services = append(v.services, svc)
			n++
		}
	}
	sd.creds.VenueID = sd.venues[0].org.ID
	for _, svc := range sd.venues[0].services {
		if slices.Contains(programmeServices, svc.Category) {
			sd.creds.ServiceID = svc.ID
			break
		}
	}
	fmt.Fprintf(sd.w, "démo : %d services au catalogue des lieux\n", n)
	return nil
}

// accounts creates one login and one API token per role people try first.
func (sd *seeder) accounts(ctx context.Context) error {
	type account struct {
		role  string
		email string
		name  string
		org   *passnum.Organisation
		as    passnum.Role
	}
	list := []account{
		{"Opérateur (administrateur)", "operateur", "Camille Le Goff", sd.operator, passnum.RoleAdmin},
		// The State opens calls for projects and signs their conventions;
		// listed before the département, whose token the demo's examples use.
		{"État (administrateur)", "etat", "Jeanne Morvan", sd.state, passnum.RoleAdmin},
		{"Financeur (administrateur)", "financeur", "Dominique Rault", sd.dept, passnum.RoleAdmin},
		{"Prescripteur (agent)", "prescripteur", "Sami Benali", sd.prescribers[0], passnum.RoleAgent},
		{"Hub territorial (agent)", "hub", "Nolwenn Guillou", sd.hub, passnum.RoleAgent},
		{"Lieu de médiation (agent)", "lieu", "Alex Gwenn", sd.venues[0].org, passnum.RoleAgent},
	}
	for _, a := range list {
		password, err := newPassword()
		if err != nil {
			return err
		}
		email := a.email + "@" + demoMailDomain
		u, err := sd.s.CreateUser(sd.op, passnum.UserCreate{Email: email, Name: a.name, Password: password, OrgID: a.org.ID, Role: a.as})
		if err != nil {
			return err
		}
		if a.org.Kind == passnum.KindVenue {
			sd.adviser = u
		}
		sd.creds.Logins = append(sd.creds.Logins, Login{Role: a.role, Kind: a.org.Kind, Email: email, Password: password, OrgID: a.org.ID, OrgName: a.org.Name})
		_, secret, err := sd.s.CreateToken(sd.op, passnum.TokenCreate{OrgID: a.org.ID, Role: a.as, Name: "démo : " + strings.ToLower(a.role)})
		if err != nil {
			return err
		}
		sd.creds.Tokens = append(sd.creds.Tokens, Token{Role: a.role, Kind: a.org.Kind, OrgID: a.org.ID, OrgName: a.org.Name, Secret: secret})
	}
	// The first venue's administrator, who applied online: the account that
	// manages the venue's description, bank account, places and staff.
	sd.creds.Logins = append(sd.creds.Logins, sd.venueAdmin)
	fmt.Fprintf(sd.w, "démo : %d comptes et %d jetons d'API\n", len(sd.creds.Logins), len(sd.creds.Tokens))
	return nil
}

// fund creates the programme and records both funders' payment orders.
func (sd *seeder) fund(ctx context.Context) error {
	year := sd.tl.end.In(paris).Year()
	tolerance, fee := toleranceDays, feeBP
	sd.setTime(sd.tl.at(0.015))
	var err error
	sd.programme, err = sd.s.CreateProgramme(sd.op, passnum.ProgrammeCreate{
		Name:           fmt.Sprintf(programmeName, year+1),
		Funders:        []passnum.FunderShare{{FunderID: sd.state.ID, ShareBP: 5000}, {FunderID: sd.dept.ID, ShareBP: 5000}},
		BudgetCents:    budgetCarnets * carnetSize * faceValue,
		FaceValueCents: faceValue,
		CarnetSize:     carnetSize,
		ValidFrom:      fmt.Sprintf("%d-01-01", year),
		ValidUntil:     fmt.Sprintf("%d-12-31", year+1),
		ToleranceDays:  &tolerance,
		FeeBP:          &fee,
		Territory:      []string{"departement:" + departement},
		Services:       programmeServices,
	})
	if err != nil {
		return err
	}
	sd.creds.ProgrammeID = sd.programme.ID
	// Funders pay the pass value plus the operator's fee, half each.
	due := int64(fundedCarnets*carnetSize*faceValue) * (passnum.BasisPoints + feeBP) / passnum.BasisPoints
	orders := []struct {
		funder *passnum.Organisation
		ref    string
		at     float64
	}{
		{sd.state, fmt.Sprintf("ANCT-%d-PN-035-0001", year), 0.02},
		{sd.dept, fmt.Sprintf("CD35-%d-MANDAT-04187", year), 0.025},
	}
	for _, o := range orders {
		t := sd.tl.at(o.at)
		sd.setTime(t)
		if _, err := sd.s.RecordFunds(sd.op, passnum.FundsCreate{ProgrammeID: sd.programme.ID, FunderID: o.funder.ID,
			Reference: o.ref, AmountCents: due / 2, ReceivedOn: t.In(paris).Format(passnum.DateLayout)}); err != nil {
			return err
		}
	}
	fmt.Fprintf(sd.w, "démo : programme n°%d « %s », fonds reçus pour %d carnets\n", sd.programme.ID, sd.programme.Name, fundedCarnets)
	return nil
}

// issue issues, activates and allocates the carnets, and reads their codes.
func (sd *seeder) issue(ctx context.Context) error {
	sd.setTime(sd.tl.at(0.03))
	var err error
	if sd.batch, err = sd.s.Issue(sd.op, passnum.IssueRequest{ProgrammeID: sd.programme.ID, Carnets: issuedCarnets}); err != nil {
		return err
	}
	sd.creds.BatchID = sd.batch.ID
	sd.setTime(sd.tl.at(0.035))
	first := sd.batch.FirstCarnet
	if _, err := sd.s.Activate(sd.op, passnum.ActivateRequest{ProgrammeID: sd.programme.ID,
		FirstCarnet: first, LastCarnet: first + activeCarnets - 1}); err != nil {
		return err
	}
	sd.setTime(sd.tl.at(0.05))
	next := first
	for i, p := range prescribers {
		if _, err := sd.s.Allocate(sd.op, passnum.AllocateRequest{PrescriberID: sd.prescribers[i].ID,
			FirstCarnet: next, LastCarnet: next + int64(p.carnets) - 1}); err != nil {
			return err
		}
		next += int64(p.carnets)
	}
	if sd.codes, err = sd.exportCodes(); err != nil {
		return err
	}
	fmt.Fprintf(sd.w, "démo : %d carnets émis, %d activés et attribués aux prescripteurs\n", issuedCarnets, activeCarnets)
	return nil
}

// exportCodes reads the short codes of the batch through the operator's
// export, the only way codes leave the store.
func (sd *seeder) exportCodes() (map[int64]string, error) {
	var buf bytes.Buffer
	if err := sd.s.ExportPasses(sd.op, sd.batch.ID, &buf, nil); err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read export: %w", err)
	}
	if len(recs) < 1 || len(recs[0]) < 5 || recs[0][0] != "serie" || recs[0][4] != "code" {
		return nil, fmt.Errorf("export: unexpected header %q", recs[:min(1, len(recs))])
	}
	codes := make(map[int64]string, len(recs)-1)
	for _, rec := range recs[1:] {
		serial, err := strconv.ParseInt(rec[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("export: serial %q: %w", rec[0], err)
		}
		codes[serial] = rec[4]
	}
	return codes, nil
}

// serial returns the i-th serial (0-based) of carnet number n of the batch.
func (sd *seeder) serial(n int64, i int) int64 {
	return sd.batch.FirstSerial + (n-sd.batch.FirstCarnet)*carnetSize + int64(i)
}

// newPassword draws a 19-character password (16 random characters from an
// alphabet without look-alikes, in groups of four): about 93 bits.
func newPassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b strings.Builder
	buf := make([]byte, 1)
	for n := 0; n < 16; {
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		// Rejection sampling keeps every character equally likely.
		if int(buf[0]) >= 256-256%len(alphabet) {
			continue
		}
		if n > 0 && n%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(alphabet[int(buf[0])%len(alphabet)])
		n++
	}
	return b.String(), nil
}

// pick returns a pseudo-random element of list.
func pick[T any](rng *mrand.Rand, list []T) T { return list[rng.IntN(len(list))] }

// sample returns k distinct pseudo-random elements of list.
func sample[T any](rng *mrand.Rand, list []T, k int) []T {
	c := slices.Clone(list)
	rng.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
	return c[:min(k, len(c))]
}

// confirmAddress follows the confirmation link that an applicant's
// account was sent, as the applicant does from their mailbox, so that the
// demonstration's venue administrators can sign in.
func (sd *seeder) confirmAddress(email string) error {
	msgs, _, err := sd.s.ListOutbox(sd.op, passnum.OutboxFilter{Limit: 10})
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if m.Kind == passnum.MailConfirmAddress && m.To == email {
			_, err := sd.s.ConfirmAddress(context.Background(), passnum.LinkToken(m.Body, passnum.ConfirmAddressPath))
			return err
		}
	}
	return fmt.Errorf("no confirmation message for %s", email)
}
