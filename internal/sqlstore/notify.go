package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/passnum/passnum"
)

// The messages that tell people what was decided about them: a venue's
// qualification, its statements and their transfers, a funder's charges
// and credit notes, a booking made at hand-out, a rights request
// received. Each is queued by the transaction that decides it (queueMail),
// so that it leaves if and only if what it tells happened, to the
// administrators of the organisation concerned, or to the member who acted
// when the message confirms what they did. A message carries what its
// reader may already read in their space, never more: no beneficiary's
// reference or name, the numbers of the records, amounts and dates, and a
// link to the page that shows the rest.

// WithPublicURL sets the address people type, such as
// https://pass.example.fr, on which the links of messages are built.
func WithPublicURL(u string) Option { return func(s *Store) { s.SetPublicURL(u) } }

// SetPublicURL sets the address links in messages start with; serve sets
// it once it knows the address it listens on, when --url is not given.
// Without it, links are paths ("/lieu/releves/3").
func (s *Store) SetPublicURL(u string) {
	u = strings.TrimRight(strings.TrimSpace(u), "/")
	s.publicURL.Store(&u)
}

// link is the address of a page of the platform.
func (t *tx) link(path string) string {
	if u := t.s.publicURL.Load(); u != nil {
		return *u + path
	}
	return path
}

// mailSignature ends every business message.
const mailSignature = "\nL'équipe du Pass numérique\n"

// tellOrg queues a message of kind for each administrator of an
// organisation.
func (t *tx) tellOrg(orgID int64, kind passnum.MailKind, subject, body string) error {
	admins, err := t.adminsOf(`?`, orgID)
	if err != nil {
		return err
	}
	return t.queueMailTo(admins, kind, subject, body)
}

// tellQualification tells a venue's administrators the operator's
// decision on it, with the reason the history keeps and what the venue
// can do next. Changes asked are a kind of their own: they ask the venue
// to act.
func (t *tx) tellQualification(v *passnum.Venue, from, to passnum.Qualification, reason string) error {
	kind := passnum.MailVenueQualification
	page := t.link("/lieu/candidature")
	var subject string
	var b strings.Builder
	b.WriteString("Bonjour,\n\n")
	switch {
	case to == passnum.QualificationChangesRequested:
		kind = passnum.MailVenueChangesAsked
		subject = "Votre candidature : des compléments sont demandés"
		fmt.Fprintf(&b, "L'opérateur du Pass numérique a examiné la candidature du lieu « %s » et vous demande des compléments avant de décider.\n\n"+
			"Ce qui est demandé :\n%s\n\n"+
			"Complétez votre candidature, puis renvoyez-la depuis la page « Candidature et qualification » :\n%s\n", v.Name, reason, page)
	case to == passnum.QualificationQualified && from == passnum.QualificationSuspended:
		subject = "Votre lieu : la suspension est levée"
		fmt.Fprintf(&b, "L'opérateur du Pass numérique a levé la suspension du lieu « %s » : votre lieu est de nouveau qualifié et peut encaisser des pass.\n\n"+
			"Motif : %s\n\nL'état de votre lieu et son historique :\n%s\n", v.Name, reason, page)
	case to == passnum.QualificationQualified:
		subject = "Votre lieu est qualifié pour le Pass numérique"
		fmt.Fprintf(&b, "L'opérateur du Pass numérique a accepté la candidature du lieu « %s » : votre lieu est qualifié. "+
			"Il apparaît dans l'annuaire public, peut encaisser des pass, proposer des séances et inviter son équipe.\n\n"+
			"Motif : %s\n\nL'état de votre lieu et son historique :\n%s\n", v.Name, reason, page)
	case to == passnum.QualificationRefused:
		subject = "Votre candidature n'est pas retenue"
		fmt.Fprintf(&b, "L'opérateur du Pass numérique a refusé la candidature du lieu « %s ».\n\nMotif : %s\n\n"+
			"Si la situation change, vous pourrez corriger votre candidature et la renvoyer depuis la page « Candidature et qualification » :\n%s\n", v.Name, reason, page)
	case to == passnum.QualificationSuspended:
		subject = "Votre lieu est suspendu"
		fmt.Fprintf(&b, "L'opérateur du Pass numérique a suspendu la qualification du lieu « %s ».\n\nMotif : %s\n\n"+
			"Pendant la suspension, votre lieu ne peut plus encaisser de pass ni proposer de séances ; il reste dans l'annuaire, sans accepter de pass. "+
			"Répondez à l'opérateur pour lever la suspension.\n\nL'état de votre lieu et son historique :\n%s\n", v.Name, reason, page)
	default:
		subject = "Votre lieu : " + to.Label()
		fmt.Fprintf(&b, "L'opérateur du Pass numérique a examiné le dossier du lieu « %s ».\nNouveau statut : %s.\n\nMotif : %s\n\n"+
			"L'état de votre lieu et son historique :\n%s\n", v.Name, to.Label(), reason, page)
	}
	b.WriteString(mailSignature)
	return t.tellOrg(v.OrgID, kind, subject, b.String())
}

// statementFacts is the paragraph every message about a statement starts
// from: its number, period, passes and amount.
func statementFacts(st *passnum.Statement) string {
	return fmt.Sprintf("Relevé n° %d du lieu « %s », pass encaissés jusqu'au %s : %s, %s.",
		st.ID, st.VenueName, passnum.FrenchDate(st.CutOff), passnum.FrenchCount(int64(st.Passes), "pass", "pass"), passnum.FrenchEuros(st.AmountCents))
}

// tellStatementValidated tells a venue that the operator checked its
// statement and that it goes into the next batch of transfers; a venue
// without a bank account is told that nothing can be paid without one.
func (t *tx) tellStatementValidated(st *passnum.Statement) error {
	var iban string
	if err := t.get(&iban, `SELECT COALESCE(bank_iban, '') FROM venues WHERE org_id = ?`, st.VenueID); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Bonjour,\n\nL'opérateur du Pass numérique a vérifié et validé votre relevé.\n\n%s\n\n", statementFacts(st))
	if iban == "" {
		fmt.Fprintf(&b, "Votre lieu n'a pas encore de compte bancaire enregistré : le virement ne partira qu'une fois vos coordonnées bancaires saisies :\n%s\n\n", t.link("/lieu/banque"))
	} else {
		fmt.Fprintf(&b, "Il sera payé par virement sur le compte %s, dans le prochain lot de virements. Un autre message vous dira qu'il est payé.\n\n", maskIBAN(iban))
	}
	fmt.Fprintf(&b, "Le relevé et le détail des pass :\n%s\n%s", t.link(fmt.Sprintf("/lieu/releves/%d", st.ID)), mailSignature)
	return t.tellOrg(st.VenueID, passnum.MailStatementPaid, fmt.Sprintf("Relevé n° %d validé : %s", st.ID, passnum.FrenchEuros(st.AmountCents)), b.String())
}

// tellStatementPaid tells a venue that its statement's transfer went
// through, with the reference the bank shows.
func (t *tx) tellStatementPaid(st *passnum.Statement) error {
	var executed string
	if err := t.get(&executed, `SELECT execution_date FROM payment_batches WHERE id = ?`, st.BatchID); err != nil {
		return err
	}
	body := fmt.Sprintf("Bonjour,\n\nVotre relevé est payé.\n\n%s\n\n"+
		"Le virement de %s, exécuté le %s, porte la référence %s : c'est elle que votre banque montre sur le relevé de compte.\n\n"+
		"Le relevé et le détail des pass :\n%s\n%s",
		statementFacts(st), passnum.FrenchEuros(st.AmountCents), passnum.FrenchDate(executed), st.Reference,
		t.link(fmt.Sprintf("/lieu/releves/%d", st.ID)), mailSignature)
	return t.tellOrg(st.VenueID, passnum.MailStatementPaid, fmt.Sprintf("Relevé n° %d payé : %s", st.ID, passnum.FrenchEuros(st.AmountCents)), body)
}

// tellTransferRejected tells a venue that the bank sent its statement's
// transfer back, the bank's reason, and what to do: check the bank
// account, whose passes the next settlement takes again.
func (t *tx) tellTransferRejected(st *passnum.Statement, reason string) error {
	var iban string
	if err := t.get(&iban, `SELECT COALESCE(bank_iban, '') FROM venues WHERE org_id = ?`, st.VenueID); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	account := "enregistré"
	if iban != "" {
		account = maskIBAN(iban)
	}
	body := fmt.Sprintf("Bonjour,\n\nLa banque a rejeté le virement de votre relevé : il n'est pas payé.\n\n%s\n\n"+
		"Motif donné par la banque : %s\n\n"+
		"Que faire : vérifiez les coordonnées bancaires de votre lieu (titulaire, IBAN, BIC ; compte %s) et corrigez-les si besoin :\n%s\n\n"+
		"Vous ne perdez rien : les %s de ce relevé seront repris au prochain règlement et payés sur le compte enregistré à ce moment-là.\n\n"+
		"Le relevé :\n%s\n%s",
		statementFacts(st), reason, account, t.link("/lieu/banque"), passnum.FrenchCount(int64(st.Passes), "pass", "pass"),
		t.link(fmt.Sprintf("/lieu/releves/%d", st.ID)), mailSignature)
	return t.tellOrg(st.VenueID, passnum.MailTransferRejected, fmt.Sprintf("Virement rejeté : relevé n° %d, %s", st.ID, passnum.FrenchEuros(st.AmountCents)), body)
}

// tellFunderCharge tells a funder's administrators that a charge (appel de
// fonds) was issued for a programme, with its lines and the link to the
// document.
func (t *tx) tellFunderCharge(id int64, p *passnum.Programme, c passnum.FunderCharge, cutOff string) error {
	if c.TotalCents == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Bonjour,\n\nL'appel de fonds n° %d du programme « %s » est émis, pour les pass encaissés dans les lieux jusqu'au %s.\n\n",
		id, p.Name, passnum.FrenchDate(cutOff))
	fmt.Fprintf(&b, "- Votre part des %s encaissés : %s\n", passnum.FrenchCount(int64(c.Passes), "pass", "pass"), passnum.FrenchEuros(c.PassesCents))
	if c.FeeCents != 0 {
		fmt.Fprintf(&b, "- Frais de gestion (%s) : %s\n", passnum.FrenchPercent(c.FeeBP), passnum.FrenchEuros(c.FeeCents))
	}
	fmt.Fprintf(&b, "- Total : %s\n\nLe document :\n%s\n\nVos appels de fonds et avoirs :\n%s\n%s", passnum.FrenchEuros(c.TotalCents),
		t.link(fmt.Sprintf("/financeur/facturation/appels/%d/appel.pdf", id)), t.link("/financeur/facturation"), mailSignature)
	return t.tellOrg(c.FunderID, passnum.MailFunderDocument,
		fmt.Sprintf("Appel de fonds n° %d : %s, %s", id, p.Name, passnum.FrenchEuros(c.TotalCents)), b.String())
}

// tellCreditNote tells a funder's administrators that a credit note
// (avoir) was issued for the passes of a programme that expired unused.
func (t *tx) tellCreditNote(n *passnum.CreditNote, p *passnum.Programme) error {
	if n.AmountCents == 0 {
		return nil
	}
	body := fmt.Sprintf("Bonjour,\n\nL'avoir n° %d (référence %s) du programme « %s » est émis : %s, arrivés au bout de leur validité sans avoir été utilisés, "+
		"vous sont remboursés à leur valeur faciale, selon votre part du financement.\n\n- Montant de l'avoir : %s\n\n"+
		"Le document :\n%s\n\nVos appels de fonds et avoirs :\n%s\n%s",
		n.ID, n.Reference, p.Name, passnum.FrenchCount(int64(n.Passes), "pass expiré", "pass expirés"), passnum.FrenchEuros(n.AmountCents),
		t.link(fmt.Sprintf("/financeur/facturation/avoirs/%d/avoir.pdf", n.ID)), t.link("/financeur/facturation"), mailSignature)
	return t.tellOrg(n.FunderID, passnum.MailFunderDocument, fmt.Sprintf("Avoir n° %d : %s, %s", n.ID, p.Name, passnum.FrenchEuros(n.AmountCents)), body)
}

// tellBooking confirms a booking made at hand-out to the member who made
// it (an API token is no one: nobody is told). The message names the
// carnet, as the receipt does, never the person.
func (t *tx) tellBooking(userID int64, carnet int64, b *passnum.BookableSession) error {
	if userID == 0 {
		return nil
	}
	var email string
	if err := t.get(&email, `SELECT email FROM users WHERE id = ?`, userID); err != nil {
		return err
	}
	place := b.VenueName
	if b.PlaceName != "" {
		place += " (" + b.PlaceName + ")"
	}
	var address []string
	if b.Address != "" {
		address = append(address, b.Address)
	}
	if town := strings.TrimSpace(b.PostalCode + " " + b.Commune); town != "" {
		address = append(address, town)
	}
	where := place
	if len(address) > 0 {
		where += ", " + strings.Join(address, ", ")
	}
	body := fmt.Sprintf("Bonjour,\n\nVous avez inscrit le titulaire du carnet n° %d à un atelier :\n\n"+
		"- Atelier : %s\n- Quand : le %s, durée %s\n- Où : %s\n\n"+
		"Le reçu du carnet montre cette inscription et permet de l'annuler si la personne ne peut pas venir :\n%s\n%s",
		carnet, b.ServiceTitle, passnum.FrenchDateTime(b.StartsAt), frenchMinutes(b.DurationMinutes), where,
		t.link(fmt.Sprintf("/prescripteur/carnets/%d/recu", carnet)), mailSignature)
	return t.queueMail(mail{Kind: passnum.MailBookingConfirmed, UserID: userID, To: email,
		Subject: fmt.Sprintf("Atelier réservé le %s : %s", passnum.FrenchDateTime(b.StartsAt), b.ServiceTitle), Body: body})
}

// frenchMinutes writes a workshop's duration: "1 h 30", "45 min", "2 h".
func frenchMinutes(m int) string {
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %02d", m/60, m%60)
}

// tellRightsRequest tells the operator's administrators, but the one who
// recorded it, that a rights request was recorded and when it is due. The
// message names the request by its number, the right and the channel:
// who the person is stays in the register.
func (t *tx) tellRightsRequest(r *passnum.RightsRequest, recorder int64) error {
	admins, err := t.adminsOf(`SELECT id FROM organisations WHERE kind = 'operator'`)
	if err != nil {
		return err
	}
	var to []recipient
	for _, a := range admins {
		if a.UserID != recorder {
			to = append(to, a)
		}
	}
	by := ""
	if r.Channel == passnum.ChannelPrescriber {
		var name string
		if err := t.get(&name, `SELECT name FROM organisations WHERE id = ?`, r.OrgID); err != nil {
			return err
		}
		by = fmt.Sprintf(" Elle a été recueillie par la structure « %s ».", name)
	}
	body := fmt.Sprintf("Bonjour,\n\nUne demande d'exercice de droits est enregistrée au registre : demande n° %d, droit : %s, reçue le %s (%s).%s\n\n"+
		"La réponse est due au plus tard le %s (un mois après la réception ; le délai peut être prolongé de deux mois, une fois, en le disant à la personne dans le premier mois).\n\n"+
		"La demande :\n%s\n%s",
		r.ID, r.Kind.Label(), passnum.FrenchDate(r.ReceivedOn), r.Channel.Label(), by, passnum.FrenchDate(r.DueOn),
		t.link(fmt.Sprintf("/operateur/demandes-rgpd/%d", r.ID)), mailSignature)
	return t.queueMailTo(to, passnum.MailRightsRequest, fmt.Sprintf("Demande RGPD n° %d reçue, à traiter avant le %s", r.ID, passnum.FrenchDate(r.DueOn)), body)
}
