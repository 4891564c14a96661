package passnum

// MailKind says what an e-mail is about. People can turn off the kinds
// that are not required (MailKindInfo.Required): the messages they need to
// sign in, to keep their account safe, and those that ask them to act or
// tell them a decision about their organisation cannot be turned off.
type MailKind string

// The messages passnum sends. The text of each is written by the code that
// queues it; the catalogue says what each is, for the outbox, the
// preferences page and List-Unsubscribe.
const (
	MailOther              MailKind = "other" // messages queued before kinds existed
	MailTest               MailKind = "mail.test"
	MailAccountInvited     MailKind = "account.invited"
	MailPasswordReset      MailKind = "account.password_reset"
	MailConfirmAddress     MailKind = "account.confirm_address"
	MailAddressInUse       MailKind = "account.address_in_use"
	MailSecurity           MailKind = "account.security"       // second factor added, removed or reset
	MailVenueApplication   MailKind = "venue.application"      // received, to the applicant and to the operator
	MailVenueChangesAsked  MailKind = "venue.changes_asked"    // the operator asks for more
	MailVenueQualification MailKind = "venue.qualification"    // qualified, refused, suspended, with the reason
	MailStatementPaid      MailKind = "settlement.statement"   // statement validated, then paid
	MailTransferRejected   MailKind = "settlement.rejected"    // the bank sent a transfer back
	MailFunderDocument     MailKind = "funder.document"        // monthly charge, credit note issued
	MailStockExpiring      MailKind = "stock.expiring"         // passes expiring within 30 days
	MailRightsRequest      MailKind = "privacy.rights_request" // received, and due soon
	MailBookingConfirmed   MailKind = "booking.confirmed"      // a workshop booked at hand-out
)

// MailKindInfo describes a kind of message: its French label (the
// preferences page, the outbox) and whether it can be turned off.
type MailKindInfo struct {
	Kind     MailKind
	Label    string
	Required bool
}

// MailKinds is the catalogue, in the order the preferences page lists it.
var MailKinds = []MailKindInfo{
	{MailAccountInvited, "Création de votre compte, invitation", true},
	{MailPasswordReset, "Réinitialisation du mot de passe", true},
	{MailConfirmAddress, "Confirmation de votre adresse e-mail", true},
	{MailAddressInUse, "Utilisation de votre adresse par une candidature", true},
	{MailSecurity, "Sécurité du compte (second facteur)", true},
	{MailVenueApplication, "Candidature d'un lieu reçue", true},
	{MailVenueChangesAsked, "Compléments demandés sur une candidature", true},
	{MailVenueQualification, "Décision sur la qualification d'un lieu", true},
	{MailTransferRejected, "Virement rejeté par la banque", true},
	{MailRightsRequest, "Demande d'exercice de droits reçue ou à échéance", true},
	{MailStatementPaid, "Relevé validé, puis payé", false},
	{MailFunderDocument, "Appel de fonds mensuel, avoir émis", false},
	{MailStockExpiring, "Pass qui expirent dans les 30 jours", false},
	{MailBookingConfirmed, "Atelier réservé lors d'une remise, confirmé", false},
	{MailTest, "Message d'essai de l'envoi", true},
	{MailOther, "Autre message", true},
}

// MailKindOf returns the description of kind; an unknown kind is required
// (it cannot be turned off) and labelled as other.
func MailKindOf(kind MailKind) MailKindInfo {
	for _, k := range MailKinds {
		if k.Kind == kind {
			return k
		}
	}
	return MailKindInfo{Kind: kind, Label: "Autre message", Required: true}
}
