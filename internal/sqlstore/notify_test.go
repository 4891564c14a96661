package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// The public address the links of messages start with in these tests.
const publicURL = "https://pass.example.fr"

// French amounts as people read them: a narrow no-break space between
// thousands, a no-break space before the euro sign.
const (
	nbsp   = "\u00a0"
	narrow = "\u202f"
)

// openNotify opens a store whose messages carry links, with a fixture.
func openNotify(t *testing.T, env *st.Env, o st.Options) *st.Fixture {
	t.Helper()
	env.Store.SetPublicURL(publicURL + "/")
	return st.NewFixture(t, env, o)
}

// memberOf gives an organisation a member with an address.
func memberOf(t *testing.T, env *st.Env, f *st.Fixture, org *passnum.Organisation, role passnum.Role, email string) *passnum.User {
	t.Helper()
	u, err := env.Store.CreateUser(st.As(f.Operator), passnum.UserCreate{Email: email, Name: "Camille Martin",
		Password: "un mot de passe assez long pour le test", OrgID: org.ID, Role: role})
	if err != nil {
		t.Fatalf("member %s: %v", email, err)
	}
	return u
}

// mails returns the messages of the outbox of kind, oldest first.
func mails(t *testing.T, env *st.Env, f *st.Fixture, kind passnum.MailKind) []*passnum.OutboxMessage {
	t.Helper()
	all, _, err := env.Store.ListOutbox(st.As(f.Operator), passnum.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	var out []*passnum.OutboxMessage
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Kind == kind {
			out = append(out, all[i])
		}
	}
	return out
}

// wantMail checks that exactly one message of kind went to each of to
// since the outbox had skip messages of that kind, with the subject and
// every word of words in its body, and none of absent; it returns the
// first.
type wantMail struct {
	kind    passnum.MailKind
	to      []string
	subject string
	words   []string
	absent  []string
}

func (w wantMail) check(t *testing.T, env *st.Env, f *st.Fixture, skip int) *passnum.OutboxMessage {
	t.Helper()
	got := mails(t, env, f, w.kind)
	if len(got) != skip+len(w.to) {
		for _, m := range got {
			t.Logf("%s → %s: %s", m.Kind, m.To, m.Subject)
		}
		t.Fatalf("%d messages of kind %s, want %d", len(got), w.kind, skip+len(w.to))
	}
	got = got[skip:]
	for i, m := range got {
		if m.To != w.to[i] {
			t.Errorf("message %d of kind %s to %s, want %s", i, w.kind, m.To, w.to[i])
		}
		if m.Subject != w.subject {
			t.Errorf("subject %q, want %q", m.Subject, w.subject)
		}
		for _, word := range w.words {
			if !strings.Contains(m.Body, word) {
				t.Errorf("%s: the body lacks %q:\n%s", w.subject, word, m.Body)
			}
		}
		for _, word := range w.absent {
			if strings.Contains(m.Body, word) {
				t.Errorf("%s: the body holds %q:\n%s", w.subject, word, m.Body)
			}
		}
	}
	return got[0]
}

func TestQualificationMessages(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := openNotify(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		operatorAdmin(t, env, f.Operator)
		memberOf(t, env, f, f.Venue, passnum.RoleAdmin, "direction@quincaillerie.example")
		memberOf(t, env, f, f.Venue, passnum.RoleAgent, "accueil@quincaillerie.example") // agents are not told
		first, err := s.ApplyAsVenue(context.Background(), application("4411223300001", "awa@blosne.example"))
		if err != nil {
			t.Fatal(err)
		}
		// The applicant is told its application is recorded, the operator
		// that it came.
		got := mails(t, env, f, passnum.MailVenueApplication)
		if len(got) != 2 || got[0].To != "awa@blosne.example" || got[0].Subject != "Votre candidature : Espace numérique du Blosne" ||
			!strings.Contains(got[0].Body, "est enregistrée") || got[1].To != "qualification@operateur.example" {
			t.Fatalf("application messages %+v", got)
		}
		second, err := s.ApplyAsVenue(context.Background(), application("4411223300002", "yann@blosne.example"))
		if err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name   string
			venue  int64
			to     passnum.Qualification
			reason string
			want   wantMail
		}{
			{"changes asked", first.ID, passnum.QualificationChangesRequested, "Précisez les horaires des ateliers collectifs.", wantMail{
				kind: passnum.MailVenueChangesAsked, to: []string{"awa@blosne.example"}, subject: "Votre candidature : des compléments sont demandés",
				words: []string{"Ce qui est demandé :\nPrécisez les horaires des ateliers collectifs.", "renvoyez-la", publicURL + "/lieu/candidature\n"}}},
			{"refused", first.ID, passnum.QualificationRefused, "Le lieu n'accueille pas de public.", wantMail{
				kind: passnum.MailVenueQualification, to: []string{"awa@blosne.example"}, subject: "Votre candidature n'est pas retenue",
				words: []string{"a refusé la candidature du lieu « Espace numérique du Blosne »", "Motif : Le lieu n'accueille pas de public.", publicURL + "/lieu/candidature"}}},
			{"qualified", second.ID, passnum.QualificationQualified, "Dossier complet, charte acceptée.", wantMail{
				kind: passnum.MailVenueQualification, to: []string{"yann@blosne.example"}, subject: "Votre lieu est qualifié pour le Pass numérique",
				words: []string{"votre lieu est qualifié", "peut encaisser des pass", "Motif : Dossier complet, charte acceptée."}}},
			{"suspended", f.Venue.ID, passnum.QualificationSuspended, "Encaissements sans séance constatés en mars.", wantMail{
				kind: passnum.MailVenueQualification, to: []string{"direction@quincaillerie.example"}, subject: "Votre lieu est suspendu",
				words: []string{"a suspendu la qualification du lieu « La Quincaillerie numérique »", "Motif : Encaissements sans séance constatés en mars.",
					"ne peut plus encaisser de pass"}}},
			{"suspension lifted", f.Venue.ID, passnum.QualificationQualified, "Explications reçues.", wantMail{
				kind: passnum.MailVenueQualification, to: []string{"direction@quincaillerie.example"}, subject: "Votre lieu : la suspension est levée",
				words: []string{"de nouveau qualifié", "Motif : Explications reçues."}}},
		}
		for _, tc := range tests {
			skip := len(mails(t, env, f, tc.want.kind))
			if _, err := s.MoveQualification(op, tc.venue, tc.to, tc.reason); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			tc.want.check(t, env, f, skip)
		}
		// A refused decision sends nothing.
		before := len(mails(t, env, f, passnum.MailVenueQualification))
		if _, err := s.MoveQualification(op, second.ID, passnum.QualificationRefused, "Trop tard."); err == nil {
			t.Fatal("a qualified venue was refused")
		}
		if n := len(mails(t, env, f, passnum.MailVenueQualification)); n != before {
			t.Errorf("a refused decision queued %d messages", n-before)
		}
	})
}

func TestSettlementMessages(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := openNotify(t, env, st.Options{})
		s, op := env.Store, st.As(f.Operator)
		memberOf(t, env, f, f.Venue, passnum.RoleAdmin, "direction@quincaillerie.example")
		memberOf(t, env, f, f.Venue2, passnum.RoleAdmin, "compta@mediatheque-brest.example")
		memberOf(t, env, f, f.State, passnum.RoleAdmin, "finances@anct.example")
		memberOf(t, env, f, f.Dept, passnum.RoleAdmin, "budget@ille-et-vilaine.example")
		memberOf(t, env, f, f.Dept, passnum.RoleAgent, "agent@ille-et-vilaine.example")
		redeemAt(t, env, f, f.Venue, f.Service.ID, f.Serials(0)[:3]...)
		redeemAt(t, env, f, f.Venue2, f.Service2.ID, f.Serials(1)[:2]...)
		env.Clock.Set(time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC))

		run, err := s.RunSettlement(op, "2027-03-31")
		if err != nil || run.Statements != 2 {
			t.Fatalf("run %+v %v", run, err)
		}
		charges, err := s.ListFunderCharges(op, f.Dept.ID, 0)
		if err != nil || len(charges) != 1 {
			t.Fatalf("charges %+v %v", charges, err)
		}
		// 5 passes of 10 € split 50/50, and the 4 % fee on each share.
		wantMail{kind: passnum.MailFunderDocument, to: []string{"finances@anct.example", "budget@ille-et-vilaine.example"},
			subject: "", words: []string{"du programme « Pass numérique Bretagne 2027 » est émis", "jusqu'au 31 mars 2027",
				"Votre part des 5 pass encaissés : 25,00" + nbsp + "€", "Frais de gestion (4" + narrow + "%) : 1,00" + nbsp + "€", "Total : 26,00" + nbsp + "€",
				publicURL + "/financeur/facturation/appels/", "/appel.pdf\n", publicURL + "/financeur/facturation\n"}}.checkSubjects(t, env, f, 0,
			fmt.Sprintf("Appel de fonds n° %d : Pass numérique Bretagne 2027, 26,00"+nbsp+"€", charges[0].ID-1),
			fmt.Sprintf("Appel de fonds n° %d : Pass numérique Bretagne 2027, 26,00"+nbsp+"€", charges[0].ID))

		list, _, err := s.ListStatements(op, passnum.StatementFilter{RunID: run.ID})
		if err != nil {
			t.Fatal(err)
		}
		var mine, other *passnum.Statement
		for _, x := range list {
			if x.VenueID == f.Venue.ID {
				mine = x
			} else {
				other = x
			}
		}
		if _, err := s.ValidateStatement(op, mine.ID); err != nil {
			t.Fatal(err)
		}
		// Without a bank account, the venue is told to record one.
		wantMail{kind: passnum.MailStatementPaid, to: []string{"direction@quincaillerie.example"},
			subject: fmt.Sprintf("Relevé n° %d validé : 30,00"+nbsp+"€", mine.ID),
			words: []string{fmt.Sprintf("Relevé n° %d du lieu « La Quincaillerie numérique », pass encaissés jusqu'au 31 mars 2027 : 3 pass, 30,00"+nbsp+"€.", mine.ID),
				"pas encore de compte bancaire", publicURL + "/lieu/banque\n", fmt.Sprintf("%s/lieu/releves/%d\n", publicURL, mine.ID)}}.check(t, env, f, 0)
		setBank(t, env, f, f.Venue, f.Venue2)
		if _, err := s.ValidateStatement(op, other.ID); err != nil {
			t.Fatal(err)
		}
		wantMail{kind: passnum.MailStatementPaid, to: []string{"compta@mediatheque-brest.example"},
			subject: fmt.Sprintf("Relevé n° %d validé : 20,00"+nbsp+"€", other.ID),
			words:   []string{"payé par virement sur le compte FR76…0189"}, absent: []string{"pas encore de compte bancaire"}}.check(t, env, f, 1)

		if err := s.SetPayerAccount(op, passnum.PayerAccount{Name: "APTIC", IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePaymentBatch(op, "2027-04-05"); err != nil {
			t.Fatal(err)
		}
		paid, err := s.MarkPaid(op, mine.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantMail{kind: passnum.MailStatementPaid, to: []string{"direction@quincaillerie.example"},
			subject: fmt.Sprintf("Relevé n° %d payé : 30,00"+nbsp+"€", mine.ID),
			words: []string{"Votre relevé est payé.", "jusqu'au 31 mars 2027 : 3 pass, 30,00" + nbsp + "€.",
				"exécuté le 5 avril 2027, porte la référence " + paid.Reference}}.check(t, env, f, 2)

		if _, err := s.RejectStatement(op, other.ID, "AC04 compte clos"); err != nil {
			t.Fatal(err)
		}
		wantMail{kind: passnum.MailTransferRejected, to: []string{"compta@mediatheque-brest.example"},
			subject: fmt.Sprintf("Virement rejeté : relevé n° %d, 20,00"+nbsp+"€", other.ID),
			words: []string{"La banque a rejeté le virement", "Motif donné par la banque : AC04 compte clos",
				"vérifiez les coordonnées bancaires de votre lieu (titulaire, IBAN, BIC ; compte FR76…0189)", publicURL + "/lieu/banque\n",
				"les 2 pass de ce relevé seront repris au prochain règlement"}}.check(t, env, f, 0)
	})
}

// checkSubjects is check with one subject per recipient.
func (w wantMail) checkSubjects(t *testing.T, env *st.Env, f *st.Fixture, skip int, subjects ...string) {
	t.Helper()
	got := mails(t, env, f, w.kind)[skip:]
	if len(got) != len(subjects) {
		t.Fatalf("%d messages of kind %s, want %d", len(got), w.kind, len(subjects))
	}
	for i, m := range got {
		one := w
		one.subject = subjects[i]
		one.to = w.to[i : i+1]
		if m.Subject != one.subject || m.To != one.to[0] {
			t.Errorf("message %d: %s → %s, want %s → %s", i, m.Subject, m.To, one.subject, one.to[0])
		}
		for _, word := range w.words {
			if !strings.Contains(m.Body, word) {
				t.Errorf("%s: the body lacks %q:\n%s", m.Subject, word, m.Body)
			}
		}
	}
}

func TestCreditNoteMessages(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := openNotify(t, env, st.Options{Carnets: 4, Allocated: 2, Distributed: 1})
		s, op := env.Store, st.As(f.Operator)
		memberOf(t, env, f, f.State, passnum.RoleAdmin, "finances@anct.example")
		memberOf(t, env, f, f.Dept, passnum.RoleAdmin, "budget@ille-et-vilaine.example")
		redeemAt(t, env, f, f.Venue, f.Service.ID, f.Serials(0)[:1]...)
		env.Clock.Set(time.Date(2028, 2, 2, 12, 0, 0, 0, time.UTC))
		if _, err := s.Expire(op); err != nil {
			t.Fatal(err)
		}
		notes, err := s.IssueCreditNotes(op, f.Programme.ID)
		if err != nil || len(notes) != 2 {
			t.Fatalf("notes %+v %v", notes, err)
		}
		// 19 passes expired, 190 € split 50/50.
		wantMail{kind: passnum.MailFunderDocument, to: []string{"finances@anct.example", "budget@ille-et-vilaine.example"},
			words: []string{"19 pass expirés, arrivés au bout de leur validité", "Montant de l'avoir : 95,00" + nbsp + "€",
				publicURL + "/financeur/facturation/avoirs/", "/avoir.pdf\n"}}.checkSubjects(t, env, f, 0,
			fmt.Sprintf("Avoir n° %d : Pass numérique Bretagne 2027, 95,00"+nbsp+"€", notes[0].ID),
			fmt.Sprintf("Avoir n° %d : Pass numérique Bretagne 2027, 95,00"+nbsp+"€", notes[1].ID))
		for i, m := range mails(t, env, f, passnum.MailFunderDocument) {
			if !strings.Contains(m.Body, "(référence "+notes[i].Reference+")") {
				t.Errorf("the note's reference %s is not in:\n%s", notes[i].Reference, m.Body)
			}
		}
	})
}

func TestBookingMessage(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := openNotify(t, env, st.Options{Carnets: 4, CarnetSize: 2, Allocated: 3, Distributed: 2})
		s := env.Store
		memberOf(t, env, f, f.Prescriber, passnum.RoleAdmin, "direction@ccas-rennes.example") // not told: she did not book
		u := memberOf(t, env, f, f.Prescriber, passnum.RoleAgent, "accueil@ccas-rennes.example")
		agent := st.As(&passnum.Actor{UserID: u.ID, OrgID: f.Prescriber.ID, OrgKind: passnum.KindPrescriber, Role: passnum.RoleAgent, Label: fmt.Sprintf("user:%d", u.ID)})
		// 17 March 2027, 14:00 in Paris (UTC+1 before the change of time).
		session := newSession(t, env, st.VenueCtx(f.Venue), f.Service.ID, time.Date(2027, 3, 17, 13, 0, 0, 0, time.UTC), 6)
		carnet := f.Batch.FirstCarnet
		if _, err := s.BookAtHandOut(agent, passnum.BookingRequest{Carnet: carnet, SessionID: session.ID}); err != nil {
			t.Fatal(err)
		}
		refs, err := sqlstore.QueryStrings(s, `SELECT b.ref FROM beneficiaries b JOIN carnets c ON c.beneficiary_id = b.id WHERE c.number = ?`, carnet)
		if err != nil || len(refs) != 1 {
			t.Fatalf("holder %v %v", refs, err)
		}
		wantMail{kind: passnum.MailBookingConfirmed, to: []string{"accueil@ccas-rennes.example"},
			subject: "Atelier réservé le 17 mars 2027 à 14 h 00 : Premiers pas sur smartphone",
			words: []string{fmt.Sprintf("le titulaire du carnet n° %d", carnet), "Atelier : Premiers pas sur smartphone",
				"Quand : le 17 mars 2027 à 14 h 00, durée 1 h 30", "Où : La Quincaillerie numérique", "Rennes",
				fmt.Sprintf("%s/prescripteur/carnets/%d/recu\n", publicURL, carnet)},
			absent: []string{refs[0]}}.check(t, env, f, 0)

		// A booking by the API (a token is no one) tells nobody.
		if _, err := s.BookAtHandOut(st.As(st.Actor(f.Prescriber, passnum.RoleAgent)), passnum.BookingRequest{Carnet: carnet + 1, SessionID: session.ID}); err != nil {
			t.Fatal(err)
		}
		if n := len(mails(t, env, f, passnum.MailBookingConfirmed)); n != 1 {
			t.Errorf("%d booking messages, want 1", n)
		}
	})
}

func TestRightsRequestMessage(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := openNotify(t, env, st.Options{Carnets: 2})
		s := env.Store
		claire := operatorAdmin(t, env, f.Operator)
		memberOf(t, env, f, &passnum.Organisation{ID: f.Operator.OrgID, Kind: passnum.KindOperator}, passnum.RoleAdmin, "dpo@operateur.example")
		tests := []struct {
			name string
			ctx  context.Context
			in   passnum.RightsRequestCreate
			want wantMail
		}{
			{"recorded by an operator's administrator, not told", st.As(&passnum.Actor{UserID: claire.ID, OrgID: f.Operator.OrgID, OrgKind: passnum.KindOperator,
				Role: passnum.RoleAdmin, Label: fmt.Sprintf("user:%d", claire.ID)}),
				passnum.RightsRequestCreate{Ref: "Lettre de Mme Le Goff du 12 mars", Kind: passnum.RightErasure, Channel: passnum.ChannelPost, ReceivedOn: "2027-03-12",
					Details: "Effacer ma fiche"},
				wantMail{to: []string{"dpo@operateur.example"}, words: []string{"droit : effacement (article 17), reçue le 12 mars 2027 (courrier)",
					"au plus tard le 12 avril 2027"}}},
			{"recorded by a prescriber", st.As(st.Actor(f.Prescriber, passnum.RoleAgent)),
				passnum.RightsRequestCreate{Ref: "B-0000-0001", Kind: passnum.RightAccess, Details: "Voir ce que vous savez de moi"},
				wantMail{to: []string{"dpo@operateur.example", "qualification@operateur.example"}, words: []string{"droit : accès (article 15), reçue le 15 mars 2027",
					"Elle a été recueillie par la structure « CCAS de Rennes ».", "au plus tard le 15 avril 2027"}}},
		}
		for _, tc := range tests {
			skip := len(mails(t, env, f, passnum.MailRightsRequest))
			r, err := s.RecordRightsRequest(tc.ctx, tc.in)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			tc.want.kind = passnum.MailRightsRequest
			tc.want.subject = fmt.Sprintf("Demande RGPD n° %d reçue, à traiter avant le %s", r.ID, passnum.FrenchDate(r.DueOn))
			tc.want.words = append(tc.want.words, fmt.Sprintf("%s/operateur/demandes-rgpd/%d\n", publicURL, r.ID))
			// Who the person is and what they wrote stay in the register.
			tc.want.absent = []string{tc.in.Ref, tc.in.Details}
			tc.want.check(t, env, f, skip)
		}
	})
}

// TestBusinessMessagesOptOut: a person who turned off a kind that is not
// required is not sent it, the other administrators are; a required kind
// (a transfer rejected) reaches everyone.
func TestBusinessMessagesOptOut(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := openNotify(t, env, st.Options{})
		s, op := env.Store, st.As(f.Operator)
		off := memberOf(t, env, f, f.Venue, passnum.RoleAdmin, "comptable@quincaillerie.example")
		memberOf(t, env, f, f.Venue, passnum.RoleAdmin, "direction@quincaillerie.example")
		if err := sqlstore.ExecRaw(s, `INSERT INTO mail_opt_outs (user_id, kind, created_at) VALUES (?, ?, ?)`,
			off.ID, passnum.MailStatementPaid, passnum.FormatTime(env.Clock.Now())); err != nil {
			t.Fatal(err)
		}
		redeemAt(t, env, f, f.Venue, f.Service.ID, f.Serials(0)[:1]...)
		env.Clock.Set(time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC))
		if _, err := s.RunSettlement(op, "2027-03-31"); err != nil {
			t.Fatal(err)
		}
		setBank(t, env, f, f.Venue)
		list, _, err := s.ListStatements(op, passnum.StatementFilter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("statements %+v %v", list, err)
		}
		id := list[0].ID
		if _, err := s.ValidateStatement(op, id); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPayerAccount(op, passnum.PayerAccount{Name: "APTIC", IBAN: testIBAN, BIC: "AGRIFRPP"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePaymentBatch(op, "2027-04-05"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RejectStatement(op, id, "AC01 IBAN incorrect"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			kind passnum.MailKind
			to   []string
		}{
			{passnum.MailStatementPaid, []string{"direction@quincaillerie.example"}},
			{passnum.MailTransferRejected, []string{"comptable@quincaillerie.example", "direction@quincaillerie.example"}},
		}
		for _, tc := range tests {
			var to []string
			for _, m := range mails(t, env, f, tc.kind) {
				to = append(to, m.To)
			}
			if fmt.Sprint(to) != fmt.Sprint(tc.to) {
				t.Errorf("%s went to %v, want %v", tc.kind, to, tc.to)
			}
		}
	})
}
