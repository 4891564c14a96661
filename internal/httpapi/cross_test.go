package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpapi"
	"github.com/passnum/passnum/internal/storetest"
)

// crossWorld is two organisations of each kind but the operator's: ours,
// whose members ask, and theirs, whose objects are asked for. Theirs have
// one of everything: a programme funded by their funder alone, in another
// territory, its funds, batch, carnets handed out by their prescriber to a
// person, a pass redeemed at their venue, a workshop with a session and a
// registration, a place, an activity report, a settlement run with their
// venue's statement validated and in a payment batch, their funder's
// charge, a credit note for the passes left unused at expiry, indicators,
// members and tokens.
type crossWorld struct {
	f *storetest.Fixture
	// ours and theirs by kind.
	ours, theirs map[passnum.OrgKind]int64

	programme    *passnum.Programme
	batch        *passnum.Batch
	carnet       *passnum.Carnet // distributed by their prescriber
	stock        int64           // a carnet of their prescriber not handed out yet
	redemption   *passnum.Redemption
	service      *passnum.CatalogueService
	place        *passnum.Place
	session      *passnum.WorkshopSession
	registration *passnum.Registration
	run          *passnum.SettlementRun
	statement    int64
	paymentBatch *passnum.PaymentBatch
	charge       int64
	creditNote   int64
	// rightsRequest is a request their prescriber recorded for a person
	// in front of it.
	rightsRequest int64
	// Their funder's application to a call of another funder, selected,
	// and its convention, signed.
	call        *passnum.Call
	application *passnum.Application
	attachment  *passnum.Attachment // a PDF joined to the application
	convention  *passnum.Convention
	member      *passnum.User    // an agent of their venue
	token       int64            // a token of their venue
	email       string           // the member's
	ownerTokens map[int64]string // by organisation: an admin token of theirs, and the operator's
}

// newCrossWorld builds the world on the store, through the store: the
// API is what is under test.
func newCrossWorld(t *testing.T, env *storetest.Env, a *api) *crossWorld {
	t.Helper()
	f := storetest.NewFixture(t, env, storetest.Options{})
	s, op := env.Store, storetest.As(f.Operator)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("cross world: %v", err)
		}
	}
	w := &crossWorld{f: f, ownerTokens: map[int64]string{}}
	org := func(c passnum.OrganisationCreate) int64 {
		o, err := s.CreateOrganisation(op, c)
		must(err)
		return o.ID
	}
	hub := org(passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub numérique de Bretagne"})
	otherHub := org(passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub numérique du Rhône"})
	otherFunder := org(passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Métropole de Lyon"})
	_, err := s.SetTerritory(op, hub, []string{"region:53"})
	must(err)
	_, err = s.SetTerritory(op, otherHub, []string{"departement:69"})
	must(err)
	w.ours = map[passnum.OrgKind]int64{passnum.KindFunder: f.State.ID, passnum.KindHub: hub, passnum.KindPrescriber: f.Prescriber.ID, passnum.KindVenue: f.Venue.ID}
	w.theirs = map[passnum.OrgKind]int64{passnum.KindFunder: otherFunder, passnum.KindHub: otherHub, passnum.KindPrescriber: f.Other.ID, passnum.KindVenue: f.Outside.ID}

	// Their programme: Lyon's, funded by their funder alone, valid until
	// the end of March so that its unused passes are credited back in
	// April.
	tolerance := 0
	w.programme, err = s.CreateProgramme(op, passnum.ProgrammeCreate{
		Name: "Pass numérique Métropole de Lyon", Funders: []passnum.FunderShare{{FunderID: otherFunder, ShareBP: 10000}},
		BudgetCents: 100_000, CarnetSize: 5, ValidFrom: "2027-01-01", ValidUntil: "2027-03-31", ToleranceDays: &tolerance,
		Territory: []string{"departement:69"}, Services: []string{f.OutService.Category}})
	must(err)
	w.batch, err = s.Issue(op, passnum.IssueRequest{ProgrammeID: w.programme.ID, Carnets: 3})
	must(err)
	_, err = s.RecordFunds(op, passnum.FundsCreate{ProgrammeID: w.programme.ID, FunderID: otherFunder, Reference: "OP-LYON-1", AmountCents: 20_000, ReceivedOn: "2027-02-01"})
	must(err)
	_, err = s.Activate(op, passnum.ActivateRequest{ProgrammeID: w.programme.ID, BatchID: w.batch.ID})
	must(err)
	_, err = s.Allocate(op, passnum.AllocateRequest{PrescriberID: f.Other.ID, FirstCarnet: w.batch.FirstCarnet, LastCarnet: w.batch.LastCarnet})
	must(err)
	d, err := s.Distribute(storetest.As(storetest.Actor(f.Other, passnum.RoleAgent)), passnum.DistributeRequest{Carnet: w.batch.FirstCarnet,
		Beneficiary: &passnum.BeneficiaryInput{BirthYear: 1950, CommuneINSEE: "69123", Needs: []string{"Aide aux démarches administratives"}, ConsentAt: "2027-03-01"}})
	must(err)
	w.stock = w.batch.FirstCarnet + 1
	codes, _ := storetest.ExportCodes(t, s, f.Operator, w.batch.ID)
	theirVenue := storetest.VenueCtx(f.Outside)
	w.redemption, err = s.Redeem(theirVenue, passnum.RedeemRequest{Codes: []string{codes[w.batch.FirstSerial]}, ServiceID: f.OutService.ID, IdempotencyKey: "cross"})
	must(err)
	w.carnet, err = s.FindCarnet(op, d.Carnet.Number)
	must(err)

	// Their venue's workshops and activity.
	w.service = f.OutService
	w.place, err = s.SavePlace(op, passnum.Place{VenueID: f.Outside.ID, Name: "Permanence de la Guillotière", Address: "1 place Gabriel Péri", PostalCode: "69007", INSEE: "69123", Active: true})
	must(err)
	w.session, err = s.CreateSession(theirVenue, passnum.SessionCreate{ServiceID: f.OutService.ID, StartsAt: storetest.Start.Add(48 * time.Hour), Capacity: 8})
	must(err)
	w.registration, err = s.Register(theirVenue, passnum.RegistrationCreate{SessionID: w.session.ID, BeneficiaryRef: w.carnet.BeneficiaryRef})
	must(err)
	_, err = s.CreateActivityReport(theirVenue, passnum.ActivityReport{Format: passnum.FormatIndividual, Date: "2027-03-15", DurationMinutes: 60,
		Themes: []string{"Courriels"}, PlaceKind: "lieu", Participants: 1, BeneficiaryRefs: []string{w.carnet.BeneficiaryRef}, Notes: "Mme R. attend son nouveau titre de séjour"})
	must(err)

	// Money out: their venue's statement paid in a batch, their funder's
	// charge.
	must(s.UpdateBankAccount(op, f.Outside.ID, passnum.BankAccount{Holder: f.Outside.Name, IBAN: "FR1420041010050500013M02606", BIC: "AGRIFRPP"}))
	w.run, err = s.RunSettlement(op, "2027-03-15")
	must(err)
	statements, _, err := s.ListStatements(op, passnum.StatementFilter{VenueID: f.Outside.ID})
	must(err)
	if len(statements) != 1 {
		t.Fatalf("cross world: %d statements for their venue", len(statements))
	}
	w.statement = statements[0].ID
	_, err = s.ValidateStatement(op, w.statement)
	must(err)
	must(s.SetPayerAccount(op, passnum.PayerAccount{Name: "Coopérative passnum", IBAN: "FR7630001007941234567890185", BIC: "AGRIFRPP"}))
	w.paymentBatch, err = s.CreatePaymentBatch(op, "2027-03-16")
	must(err)
	charges, err := s.ListFunderCharges(op, otherFunder, w.programme.ID)
	must(err)
	if len(charges) != 1 {
		t.Fatalf("cross world: %d charges for their funder", len(charges))
	}
	w.charge = charges[0].ID

	// April: their programme has expired; its unused passes are credited
	// back to their funder.
	env.Clock.Set(time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC))
	_, err = s.Expire(op)
	must(err)
	notes, err := s.IssueCreditNotes(op, w.programme.ID)
	must(err)
	if len(notes) != 1 {
		t.Fatalf("cross world: %d credit notes", len(notes))
	}
	w.creditNote = notes[0].ID
	_, err = s.RefreshIndicators(op, nil)
	must(err)

	// A call for projects of a foundation, in the Rhône, to which their
	// funder applied and was selected: its application and convention.
	foundation := org(passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Fondation du Rhône"})
	w.call, err = s.CreateCall(op, passnum.CallCreate{FunderID: foundation, Title: "Appel du Rhône", EnvelopeCents: 1_000_000_00,
		ApplicantKinds: []passnum.ApplicantKind{passnum.ApplicantEPCI}, Territory: []string{"departement:69"}, OpensOn: "2027-04-01", ClosesOn: "2027-05-31"})
	must(err)
	theirFunder := storetest.As(storetest.Actor(&passnum.Organisation{ID: otherFunder, Kind: passnum.KindFunder}, passnum.RoleAdmin))
	w.application, err = s.SaveApplication(theirFunder, passnum.ApplicationInput{CallID: w.call.ID, ApplicantKind: passnum.ApplicantEPCI, Title: "Lyon numérique",
		Territory: []string{"departement:69"}, Targets: passnum.ActionTargets{People: 10, Passes: 100},
		Lines: []passnum.FundingLine{{FunderID: foundation, Year: 2027, AmountCents: 10_000_00}, {FunderID: otherFunder, Year: 2027, AmountCents: 10_000_00}}})
	must(err)
	w.attachment, err = s.AddAttachment(theirFunder, passnum.AttachmentUpload{ApplicationID: w.application.ID, FileName: "Délibération de Lyon.pdf",
		Content: []byte("%PDF-1.4\n% Métropole de Lyon\n%%EOF\n")})
	must(err)
	_, err = s.SubmitApplication(theirFunder, w.application.ID)
	must(err)
	_, err = s.PostMessage(theirFunder, w.application.ID, "Une question de Lyon.")
	must(err)
	_, err = s.DecideApplication(op, w.application.ID, passnum.Decision{Selected: true, Reason: "Retenue."})
	must(err)
	w.convention, err = s.CreateConvention(op, passnum.ConventionCreate{ApplicationID: w.application.ID, StartsOn: "2027-04-01", EndsOn: "2028-12-31"})
	must(err)
	_, err = s.CreateAddendum(op, w.convention.ID, passnum.AddendumCreate{Reason: "Hausse", Amounts: []passnum.FundingLine{{FunderID: otherFunder, Year: 2027, AmountCents: 12_000_00}}})
	must(err)

	// Their venue's people: a member and a token.
	w.email = "camille.lyon@example.org"
	w.member, err = s.CreateUser(op, passnum.UserCreate{Email: w.email, Name: "Camille", Password: "trois pommes vertes sur la table", OrgID: f.Outside.ID, Role: passnum.RoleAgent})
	must(err)
	tok, _, err := s.CreateToken(op, passnum.TokenCreate{OrgID: f.Outside.ID, Role: passnum.RoleAgent, Name: "caisse de Lyon"})
	must(err)
	w.token = tok.ID
	for _, id := range w.theirs {
		w.ownerTokens[id] = a.token(id, passnum.RoleAdmin)
	}
	w.ownerTokens[f.Operator.OrgID] = a.operatorToken()
	req, err := s.RecordRightsRequest(storetest.As(storetest.Actor(f.Other, passnum.RoleAgent)), passnum.RightsRequestCreate{Ref: w.carnet.BeneficiaryRef, Kind: passnum.RightAccess})
	must(err)
	w.rightsRequest = req.ID
	return w
}

// crossCall is a request about their objects.
type crossCall struct {
	method, path string
	body         any
	// owner is an organisation that reads the object (theirs, or the
	// operator): for a GET, its 2xx proves the object is there, so that
	// the refusals of ours are refusals and not a wrong id.
	owner int64
	// readable are the kinds of ours that may read it legitimately,
	// with why: they are answered without a server error nor anything
	// about their people.
	readable map[passnum.OrgKind]string
	// refusal is one more problem type that refuses without telling
	// whose the object is, about refusalField when set, with why.
	refusal, refusalField, refusalWhy string
	// list is a list filtered on them: it may answer 2xx with what is
	// ours, then nothing of theirs (and its owner's answer holds theirs).
	list bool
	// oursInstead says why the service acting on our own organisation,
	// whatever the request names, is right: then a 2xx holds nothing of
	// theirs.
	oursInstead string
}

// calls are the requests of TestCrossOrganisation: every GET route with an
// id in its path, list routes filtered on their organisations, and the
// routes that act on an object.
func (w *crossWorld) calls() []crossCall {
	f := w.f
	operator := f.Operator.OrgID
	venue, funder, hub, prescriber := w.theirs[passnum.KindVenue], w.theirs[passnum.KindFunder], w.theirs[passnum.KindHub], w.theirs[passnum.KindPrescriber]
	prog := fmt.Sprintf("/api/v1/programmes/%d", w.programme.ID)
	yes := true
	// A hub reads every programme today; another change makes it read only
	// those of its territory. Neither is asserted here.
	hubs := map[passnum.OrgKind]string{passnum.KindHub: "a hub's reading of programmes outside its territory is being narrowed elsewhere"}
	catalogue := map[passnum.OrgKind]string{
		passnum.KindFunder: "a venue's workshops are public (the directory shows them)", passnum.KindHub: "public", passnum.KindPrescriber: "prescribers send people to them",
		passnum.KindVenue: "public"}
	sessions := map[passnum.OrgKind]string{
		passnum.KindFunder: "a venue's coming sessions are public (the directory shows them), without who registered", passnum.KindHub: "public",
		passnum.KindPrescriber: "prescribers send people to them", passnum.KindVenue: "public"}
	var out []crossCall
	for _, kind := range []passnum.OrgKind{passnum.KindFunder, passnum.KindHub, passnum.KindPrescriber, passnum.KindVenue} {
		id := w.theirs[kind]
		out = append(out,
			crossCall{method: "GET", path: fmt.Sprintf("/api/v1/organisations/%d", id), owner: id},
			crossCall{method: "GET", path: fmt.Sprintf("/api/v1/organisations/%d/members", id), owner: id},
			crossCall{method: "GET", path: fmt.Sprintf("/api/v1/organisations/%d/tokens", id), owner: id},
			crossCall{method: "POST", path: "/api/v1/tokens", body: map[string]any{"org_id": id, "role": "admin", "name": "intrus"}},
			crossCall{method: "POST", path: "/api/v1/users", body: map[string]any{"email": fmt.Sprintf("intrus.%s@example.org", kind), "name": "Intrus",
				"password": "correct horse battery", "org_id": id, "role": "admin"}},
		)
	}
	return append(out,
		// Organisations, members, tokens.
		crossCall{method: "GET", path: "/api/v1/organisations?kind=venue", owner: operator, list: true},
		crossCall{method: "GET", path: "/api/v1/organisations?q=Lyon", owner: operator, list: true},
		crossCall{method: "GET", path: "/api/v1/venues?q=Lyon", owner: operator, list: true},
		crossCall{method: "GET", path: "/api/v1/venues/export?format=csv", owner: operator},
		crossCall{method: "GET", path: "/api/v1/search?q=Lyon", owner: operator},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/organisations/%d/qualification", venue), body: map[string]any{"status": "suspended", "reason": "intrusion"}},
		crossCall{method: "PUT", path: fmt.Sprintf("/api/v1/organisations/%d/territory", hub), body: map[string]any{"territory": []string{"region:53"}}},
		crossCall{method: "DELETE", path: fmt.Sprintf("/api/v1/tokens/%d", w.token)},
		// The outbox is the operator's admins' only: every message of it
		// is another organisation's (a message 1 exists or not; 403 first).
		crossCall{method: "POST", path: "/api/v1/outbox/1/retry"},
		crossCall{method: "GET", path: "/api/v1/users?email=" + w.email, owner: operator},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/users/%d/memberships", w.member.ID), body: map[string]any{"org_id": venue, "role": "admin"}},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/users/%d/invitation", w.member.ID), body: map[string]any{"org_id": venue}},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/users/%d/mail-preferences", w.member.ID), owner: venue},
		crossCall{method: "PUT", path: fmt.Sprintf("/api/v1/users/%d/mail-preferences", w.member.ID), body: map[string]any{"off": []string{"settlement.statement"}}},

		// Programmes, their funds and figures.
		crossCall{method: "GET", path: "/api/v1/programmes?limit=100", owner: funder, readable: hubs, list: true},
		crossCall{method: "GET", path: prog, owner: funder, readable: hubs},
		crossCall{method: "GET", path: prog + "/stats", owner: funder, readable: hubs},
		crossCall{method: "GET", path: prog + "/funds", owner: funder, readable: hubs},
		crossCall{method: "GET", path: prog + "/batches", owner: funder, readable: hubs},
		crossCall{method: "GET", path: prog + "/reconciliation", owner: funder},
		crossCall{method: "POST", path: prog + "/funds", body: map[string]any{"funder_id": funder, "reference": "OP-INTRUS", "amount_cents": 100, "received_on": "2027-03-01"}},
		crossCall{method: "POST", path: prog + "/batches", body: map[string]any{"carnets": 1}},
		crossCall{method: "POST", path: prog + "/activations", body: map[string]any{"batch_id": w.batch.ID}},
		crossCall{method: "POST", path: prog + "/credit-notes"},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/batches/%d/passes.csv", w.batch.ID), owner: operator},

		// Carnets, people, blocking.
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/carnets/%d", w.carnet.Number), owner: prescriber},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/carnets?prescriber_id=%d", prescriber), owner: prescriber, list: true},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/carnets?programme_id=%d", w.programme.ID), owner: funder, list: true},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/carnets/%d/distribution", w.stock),
			body:    map[string]any{"beneficiary": map[string]any{"birth_year": 1960, "commune_insee": "35238", "needs": []string{"Aide aux démarches administratives"}, "consent_at": "2027-03-01"}},
			refusal: "carnet-not-in-stock", refusalWhy: "a prescriber reads the same refusal for another's carnet as for one that does not exist"},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/carnets/%d/bookable-sessions", w.carnet.Number), owner: prescriber,
			refusal: "carnet-not-in-stock", refusalWhy: "a prescriber books only for the carnets it handed out, and reads the same refusal for another's carnet as for one that does not exist"},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/carnets/%d/bookings", w.carnet.Number), owner: prescriber,
			refusal: "carnet-not-in-stock", refusalWhy: "a prescriber books only for the carnets it handed out, and reads the same refusal for another's carnet as for one that does not exist"},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/carnets/%d/bookings", w.carnet.Number), body: map[string]any{"session_id": w.session.ID},
			refusal: "carnet-not-in-stock", refusalWhy: "a prescriber books only for the carnets it handed out, and reads the same refusal for another's carnet as for one that does not exist"},
		crossCall{method: "DELETE", path: fmt.Sprintf("/api/v1/carnets/%d/bookings/%d", w.carnet.Number, w.registration.ID),
			refusal: "carnet-not-in-stock", refusalWhy: "a prescriber books only for the carnets it handed out, and reads the same refusal for another's carnet as for one that does not exist"},
		crossCall{method: "GET", path: "/api/v1/beneficiaries/" + w.carnet.BeneficiaryRef, owner: prescriber},
		crossCall{method: "GET", path: "/api/v1/beneficiaries/" + w.carnet.BeneficiaryRef + "/personal-data", owner: prescriber},
		crossCall{method: "POST", path: "/api/v1/beneficiaries/" + w.carnet.BeneficiaryRef + "/rectification", body: map[string]any{"commune_insee": "69381", "reason": "intrusion"}},
		crossCall{method: "POST", path: "/api/v1/beneficiaries/" + w.carnet.BeneficiaryRef + "/restriction", body: map[string]any{"restricted": true, "reason": "intrusion"}},
		crossCall{method: "POST", path: "/api/v1/beneficiaries/" + w.carnet.BeneficiaryRef + "/erasure", body: map[string]any{"reason": "intrusion"}},
		crossCall{method: "POST", path: "/api/v1/blocks", body: map[string]any{"scope": "carnet", "carnet": w.stock, "reason": "intrusion"}},
		crossCall{method: "POST", path: "/api/v1/blocks", body: map[string]any{"scope": "stock", "programme_id": w.programme.ID, "reason": "intrusion"}},

		// Redemptions.
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/redemptions?venue_id=%d", venue), owner: venue, list: true},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/redemptions/%d/void", w.redemption.ID)},
		crossCall{method: "POST", path: "/api/v1/redemptions", body: map[string]any{"codes": f.CodesOf(f.Serials(2)[0]), "service_id": w.service.ID, "idempotency_key": "cross-service"},
			refusal: "service-unknown", refusalField: "service_id", refusalWhy: "their workshop is unknown to our counter, as one that does not exist"},
		crossCall{method: "POST", path: "/api/v1/redemptions", body: map[string]any{"codes": f.CodesOf(f.Serials(2)[1]), "service_id": f.Service.ID, "session_id": w.session.ID, "idempotency_key": "cross-session"},
			refusal: "invalid-input", refusalField: "session_id", refusalWhy: "their session is not found among ours, as one that does not exist"},

		// Catalogue and venue files.
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/venues/%d/services", venue), owner: venue, readable: catalogue},
		crossCall{method: "POST", path: "/api/v1/services", body: map[string]any{"venue_id": venue, "title": "Atelier intrus", "category": w.service.Category, "duration_minutes": 60, "price_passes": 1},
			oursInstead: "a venue's admin adds workshops to its own catalogue, whatever venue_id says"},
		crossCall{method: "PUT", path: fmt.Sprintf("/api/v1/services/%d", w.service.ID), body: map[string]any{"title": "Atelier intrus", "category": w.service.Category, "duration_minutes": 60, "price_passes": 1}},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/services/%d/active", w.service.ID), body: map[string]any{"active": false}},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/venues/%d", venue), owner: venue},
		crossCall{method: "PUT", path: fmt.Sprintf("/api/v1/venues/%d", venue), body: map[string]any{"nom": "Lieu intrus"}},
		crossCall{method: "PUT", path: fmt.Sprintf("/api/v1/venues/%d/bank-account", venue), body: map[string]any{"holder": "Intrus", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP"}},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/venues/%d/qualification", venue), body: map[string]any{"status": "suspended", "reason": "intrusion"}},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/venues/%d/application", venue), body: map[string]any{}},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/venues/%d/places", venue), body: map[string]any{"name": "Permanence intruse", "address": "1 rue de la Paix", "postal_code": "69001", "commune_insee": "69123"}},
		crossCall{method: "PUT", path: fmt.Sprintf("/api/v1/venues/%d/places/%d", venue, w.place.ID), body: map[string]any{"name": "Permanence intruse", "address": "1 rue de la Paix", "postal_code": "69001", "commune_insee": "69123"}},

		// Sessions, registrations, activity reports.
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/sessions?venue_id=%d", venue), owner: venue, readable: sessions, list: true},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/sessions/%d", w.session.ID), owner: venue},
		crossCall{method: "POST", path: "/api/v1/sessions", body: map[string]any{"service_id": w.service.ID, "starts_at": storetest.Start.Add(30 * 24 * time.Hour), "capacity": 8}},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/sessions/%d/cancel", w.session.ID)},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/sessions/%d/registrations", w.session.ID), body: map[string]any{"label": "Intrus"}},
		crossCall{method: "DELETE", path: fmt.Sprintf("/api/v1/registrations/%d", w.registration.ID)},
		crossCall{method: "PUT", path: fmt.Sprintf("/api/v1/registrations/%d/attendance", w.registration.ID), body: map[string]any{"attended": &yes}},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/activity-reports?venue_id=%d", venue), owner: venue, list: true},
		crossCall{method: "GET", path: "/api/v1/activity-reports", owner: hub, list: true},
		crossCall{method: "POST", path: "/api/v1/sessions", body: map[string]any{"service_id": f.Service.ID, "place_id": w.place.ID, "starts_at": storetest.Start.Add(30 * 24 * time.Hour), "capacity": 8},
			refusal: "invalid-input", refusalField: "place_id", refusalWhy: "their place is not found among ours, as one that does not exist"},
		w.reportNaming("session_id", w.session.ID),
		w.reportNaming("redemption_id", w.redemption.ID),
		w.reportNaming("place_id", w.place.ID),
		crossCall{method: "GET", path: "/api/v1/activity-reports?territory=departement:69", owner: hub, list: true},

		// Money out.
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/statements?venue_id=%d", venue), owner: venue, list: true},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/statements?run_id=%d", w.run.ID), owner: venue, list: true},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/statements/%d", w.statement), owner: venue},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/statements/%d/csv", w.statement), owner: venue},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/statements/%d/pdf", w.statement), owner: venue},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/statements/%d/validate", w.statement)},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/statements/%d/paid", w.statement)},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/statements/%d/reject", w.statement), body: map[string]any{"reason": "intrusion"}},
		crossCall{method: "GET", path: "/api/v1/settlement-runs", owner: operator},
		crossCall{method: "GET", path: "/api/v1/payment-batches", owner: operator},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/payment-batches/%d/transfers", w.paymentBatch.ID), owner: operator},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/payment-batches/%d/pain.001", w.paymentBatch.ID), owner: operator},
		crossCall{method: "GET", path: "/api/v1/payer-account", owner: operator},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/funder-charges?funder_id=%d", funder), owner: funder, list: true},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/funder-charges?programme_id=%d", w.programme.ID), owner: funder, list: true},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/funder-charges/%d/pdf", w.charge), owner: funder},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/credit-notes?funder_id=%d", funder), owner: funder, list: true},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/credit-notes?programme_id=%d", w.programme.ID), owner: funder, list: true},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/credit-notes/%d/pdf", w.creditNote), owner: funder},

		// Indicators by scope.
		crossCall{method: "GET", path: "/api/v1/indicator-scopes", owner: funder, list: true},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/indicators?scope=funder:%d", funder), owner: funder},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/indicators?scope=programme:%d", w.programme.ID), owner: funder},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/indicators?scope=hub:%d", hub), owner: hub},
		crossCall{method: "GET", path: "/api/v1/indicators?scope=area:departement:69", owner: operator},
		crossCall{method: "GET", path: "/api/v1/indicators?scope=all", owner: operator},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/indicators.csv?scope=funder:%d", funder), owner: funder},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/indicators.xlsx?scope=hub:%d", hub), owner: hub},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/indicators/report.pdf?scope=funder:%d", funder), owner: funder},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/indicators/report.pdf?scope=hub:%d", hub), owner: hub},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/indicators.csv?scope=programme:%d", w.programme.ID), owner: funder},

		// Calls for projects are public; applications and conventions are
		// their parties' and their call's funder's.
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/calls/%d", w.call.ID), owner: operator,
			readable: map[passnum.OrgKind]string{passnum.KindFunder: "a call for projects is public", passnum.KindHub: "public"}},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/applications/%d", w.application.ID), owner: funder},
		crossCall{method: "GET", path: "/api/v1/applications", owner: funder, list: true},
		crossCall{method: "PUT", path: fmt.Sprintf("/api/v1/applications/%d", w.application.ID), body: map[string]any{"call_id": w.call.ID, "title": "Intrus"}},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/applications/%d/submission", w.application.ID)},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/applications/%d/messages", w.application.ID), owner: funder},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/applications/%d/messages", w.application.ID), body: map[string]any{"body": "Intrus."}},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/applications/%d/attachments", w.application.ID), owner: funder},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/applications/%d/attachments/%d", w.application.ID, w.attachment.ID), owner: funder},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/applications/%d/attachments?file_name=intrus.pdf", w.application.ID), body: "%PDF-1.4\n%%EOF\n"},
		crossCall{method: "DELETE", path: fmt.Sprintf("/api/v1/applications/%d/attachments/%d", w.application.ID, w.attachment.ID)},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/applications/%d/review", w.application.ID), body: map[string]any{"scores": []any{}, "comment": "Intrus."}},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/applications/%d/decision", w.application.ID), body: map[string]any{"selected": false, "reason": "Intrus."}},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/conventions/%d", w.convention.ID), owner: funder},
		crossCall{method: "GET", path: "/api/v1/conventions", owner: funder, list: true},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/conventions/%d/convention.pdf", w.convention.ID), owner: funder},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/conventions/%d/signatures", w.convention.ID), body: map[string]any{"funder_id": funder, "signed_on": "2027-04-01"}},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/conventions/%d/addenda", w.convention.ID), owner: funder},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/conventions/%d/addenda/1/addendum.pdf", w.convention.ID), owner: funder},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/conventions/%d/addenda", w.convention.ID), body: map[string]any{"reason": "Intrus.",
			"amounts": []map[string]any{{"funder_id": funder, "year": 2027, "amount_cents": 1}}}},
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/conventions/%d/money-in", w.convention.ID), owner: funder},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/conventions/%d/fund-calls", w.convention.ID), body: map[string]any{"funder_id": funder, "year": 2027, "amount_cents": 1, "due_on": "2027-05-01"}},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/conventions/%d/programmes", w.convention.ID), body: map[string]any{"name": "Intrus", "valid_from": "2027-05-01", "valid_until": "2027-12-31"}},

		// The register of rights requests is the operator's, even for the
		// requests a prescriber recorded.
		crossCall{method: "GET", path: fmt.Sprintf("/api/v1/rights-requests/%d", w.rightsRequest), owner: operator},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/rights-requests/%d/answer", w.rightsRequest), body: map[string]any{"answer": "Intrus."}},
		crossCall{method: "POST", path: fmt.Sprintf("/api/v1/rights-requests/%d/extension", w.rightsRequest), body: map[string]any{"reason": "Intrus."}},
	)
}

// reportNaming is an activity report of ours that names one of their objects.
func (w *crossWorld) reportNaming(field string, id int64) crossCall {
	return crossCall{method: "POST", path: "/api/v1/activity-reports", body: map[string]any{"format": "individual", "date": "2027-04-01", "duration_minutes": 60,
		"themes": []string{"Courriels"}, "place_kind": "lieu", "participants": 1, field: id},
		refusal: "invalid-input", refusalField: field, refusalWhy: "their " + field + " is not found among ours, as one that does not exist"}
}

// TestCrossOrganisation asks for the objects of another organisation of
// the same kind with the tokens of ours, admin and agent, and of every
// other kind but the operator (who reads everything): the answer is 403 or
// 404, never the object (2xx) nor a server error. Each GET is first asked
// by the object's owner, whose 2xx proves the id real. Kinds that read an
// object legitimately are named, with why, in crossCall.readable; a
// refusal that does not say whose the object is (crossCall.refusal) is a
// refusal too; a list filtered on their organisation may answer 2xx with
// what is ours only, then nothing of theirs may be in it. Every route
// that names an object in its path is asked, but the public ones.
func TestCrossOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		a := newAPI(t, env)
		w := newCrossWorld(t, env, a)
		type asker struct {
			kind  passnum.OrgKind
			role  passnum.Role
			token string
		}
		var askers []asker
		for _, kind := range []passnum.OrgKind{passnum.KindFunder, passnum.KindHub, passnum.KindPrescriber, passnum.KindVenue} {
			for _, role := range []passnum.Role{passnum.RoleAdmin, passnum.RoleAgent} {
				askers = append(askers, asker{kind, role, a.token(w.ours[kind], role)})
			}
		}
		theirs, people := w.marks()
		calls := w.calls()
		// Every route that names an object in its path is asked about,
		// but the public ones.
		asked := map[httpapi.Route]bool{}
		for _, c := range calls {
			rt, ok := routeOf(c.method, c.path)
			if !ok {
				t.Fatalf("%s %s is no route", c.method, c.path)
			}
			asked[rt] = true
		}
		for _, rt := range httpapi.Routes() {
			if !rt.Public && strings.Contains(rt.Path, "{") && !asked[rt] {
				t.Errorf("%s %s names an object, and this test does not ask it for another organisation's", rt.Method, rt.Path)
			}
		}
		for _, c := range calls {
			if c.method == "GET" {
				if c.owner == 0 {
					t.Fatalf("%s %s: a GET names no owner to prove its object is there", c.method, c.path)
				}
				res := a.do(w.ownerTokens[c.owner], c.method, c.path, nil)
				if res.status/100 != 2 || c.list && !mentions(res.body, theirs) {
					t.Errorf("%s %s by its owner (organisation %d): %d, want 2xx with their objects: are they there? %s", c.method, c.path, c.owner, res.status, brief(res))
					continue
				}
			}
			for _, who := range askers {
				res := a.do(who.token, c.method, c.path, c.body)
				if _, ok := c.readable[who.kind]; ok {
					if res.status >= 500 || mentions(res.body, people) {
						t.Errorf("%s %s as our %s %s, who may read it: %d, want no server error and nothing about their people: %s", c.method, c.path, who.kind, who.role, res.status, brief(res))
					}
					continue
				}
				switch {
				case res.status == http.StatusForbidden || res.status == http.StatusNotFound:
				case c.refusal != "" && res.refuses(c.refusal, c.refusalField):
				case res.status/100 == 2 && (c.list || c.oursInstead != "") && !mentions(res.body, theirs):
					// A list of what is ours, or an object made for us.
				case c.list:
					t.Errorf("%s %s as our %s %s: %d, want 403, 404 or a list of ours only: %s", c.method, c.path, who.kind, who.role, res.status, brief(res))
				default:
					t.Errorf("%s %s as our %s %s: %d, want 403 or 404: %s", c.method, c.path, who.kind, who.role, res.status, brief(res))
				}
			}
		}
		storetest.MustCheck(t, env, w.f.Operator)
	})
}

// routeOf is the route a request goes to: the one matching its path with
// the fewest wildcards, as net/http chooses.
func routeOf(method, path string) (httpapi.Route, bool) {
	path, _, _ = strings.Cut(path, "?")
	segments := strings.Split(path, "/")
	var best httpapi.Route
	bestWild := -1
	for _, rt := range httpapi.Routes() {
		pattern := strings.Split(rt.Path, "/")
		if rt.Method != method || len(pattern) != len(segments) {
			continue
		}
		wild := 0
		for i, p := range pattern {
			if strings.HasPrefix(p, "{") {
				wild++
			} else if p != segments[i] {
				wild = -1
				break
			}
		}
		if wild >= 0 && (bestWild < 0 || wild < bestWild) {
			best, bestWild = rt, wild
		}
	}
	return best, bestWild >= 0
}

// refuses tells whether an answer is a problem of type reason, about
// field when not "".
func (r *response) refuses(reason, field string) bool {
	var p struct{ Type, Field string }
	return r.status >= 400 && r.status < 500 && json.Unmarshal(r.body, &p) == nil &&
		p.Type == "/api/problems/"+reason && (field == "" || p.Field == field)
}

// brief is an answer's body for a message: text, or its size and type.
func brief(res *response) string {
	ct := res.header.Get("Content-Type")
	if strings.Contains(ct, "json") || strings.HasPrefix(ct, "text/") {
		return fmt.Sprintf("%.300s", res.body)
	}
	return fmt.Sprintf("(%d bytes of %s)", len(res.body), ct)
}

// marks are strings that only answers about their objects hold (names,
// ids as JSON fields, references), and among them those about their
// people.
func (w *crossWorld) marks() (theirs, people []string) {
	people = []string{w.carnet.BeneficiaryRef, w.email, "Mme R.", "titre de séjour"}
	theirs = append([]string{w.programme.Name, w.f.Outside.Name, w.f.Other.Name, "Métropole de Lyon", "Hub numérique du Rhône",
		"FR1420041010050500013M02606", fmt.Sprintf(`"programme_id":%d,`, w.programme.ID)}, people...)
	for _, id := range w.theirs {
		theirs = append(theirs, fmt.Sprintf(`"venue_id":%d,`, id), fmt.Sprintf(`"funder_id":%d,`, id), fmt.Sprintf(`"prescriber_id":%d,`, id))
	}
	return theirs, people
}

// mentions tells whether body holds one of marks.
func mentions(body []byte, marks []string) bool {
	for _, m := range marks {
		if strings.Contains(string(body), m) {
			return true
		}
	}
	return false
}
