package passnum

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// How a new account comes to sign in. An administrator invites a person by
// address, name and role: the account has no password until the person
// follows the invitation's link and chooses one, which also proves the
// address is theirs. A venue applicant chooses a password when applying
// and confirms the address with a link before the first sign-in. Either
// link is single-use and only its SHA-256 is stored.

// AccountLinkPurpose says what a link sent to an account's address does.
type AccountLinkPurpose string

// The links of accounts.
const (
	LinkInvitation     AccountLinkPurpose = "invitation" // choose a password, which confirms the address
	LinkConfirmAddress AccountLinkPurpose = "confirm"    // confirm the address of an account that has a password
)

// The pages the links open (followed by ?jeton=TOKEN): the store writes
// them into the messages, the web interface serves them.
const (
	InvitationPath     = "/compte/invitation"
	ConfirmAddressPath = "/compte/confirmation"
	// NewLinkPath is the page where a person whose link expired, or who
	// cannot sign in before confirming, asks for a new one by address.
	NewLinkPath = "/compte/nouveau-lien"
	// MailPreferencesPath is the page where a person chooses the messages
	// they receive.
	MailPreferencesPath = "/compte/courriels"
)

// Lifetimes of the links: an invitation waits for someone who may be on
// leave; a confirmation follows an application made a moment ago.
const (
	InvitationLifetime     = 7 * 24 * time.Hour
	ConfirmAddressLifetime = 48 * time.Hour
)

// Lifetime returns how long a link of purpose p works.
func (p AccountLinkPurpose) Lifetime() time.Duration {
	if p == LinkInvitation {
		return InvitationLifetime
	}
	return ConfirmAddressLifetime
}

// AccountLink is what a link's page shows before the person acts: whose
// account, who invited them and to what, and whether the link still works.
type AccountLink struct {
	Purpose   AccountLinkPurpose
	Email     string
	Name      string
	OrgName   string // invitations: the organisation the person joins
	Role      Role   // and their role there
	InvitedBy string // the name of the administrator who invited them
	ExpiresAt time.Time
	// Expired is true when the link's time is over; Used when the
	// account no longer needs it (it served, or the person got in
	// otherwise); Replaced when a newer link was sent.
	Expired, Used, Replaced bool
}

// DeadReason says in French why a link no longer works and what to do, or
// "" if it works.
func (l *AccountLink) DeadReason() string {
	switch {
	case l.Used:
		return "Ce lien a déjà servi : votre compte est activé. Connectez-vous avec votre adresse et votre mot de passe (ou « Mot de passe oublié »)."
	case l.Replaced:
		return "Un lien plus récent vous a été envoyé depuis : utilisez celui du dernier message reçu, ou demandez un nouveau lien."
	case !l.Expired:
		return ""
	case l.Purpose == LinkInvitation:
		return fmt.Sprintf("Cette invitation a expiré le %s : demandez un nouveau lien avec votre adresse électronique, ou demandez à %s de vous inviter de nouveau.",
			FrenchDateTime(l.ExpiresAt), l.InvitedBy)
	}
	return fmt.Sprintf("Ce lien a expiré le %s : demandez un nouveau lien avec votre adresse électronique.", FrenchDateTime(l.ExpiresAt))
}

// MailPreference is one kind of message for one person: whether they
// receive it, and whether they may turn it off.
type MailPreference struct {
	Kind     MailKind `json:"kind"`
	Label    string   `json:"label"`
	Required bool     `json:"required"`
	On       bool     `json:"on"`
}

// mailAudience says which organisations' members a kind of message can
// reach; kinds absent from it reach everyone (the account's own messages).
var mailAudience = map[MailKind][]OrgKind{
	MailVenueApplication:   {KindOperator, KindVenue},
	MailVenueChangesAsked:  {KindVenue},
	MailVenueQualification: {KindVenue},
	MailStatementPaid:      {KindVenue},
	MailTransferRejected:   {KindOperator, KindVenue},
	MailFunderDocument:     {KindFunder},
	MailStockExpiring:      {KindPrescriber, KindFunder},
	MailRightsRequest:      {KindOperator},
	MailBookingConfirmed:   {KindPrescriber},
}

// MailKindsFor returns the kinds of the catalogue that concern a person
// with these memberships, in the catalogue's order: the messages of their
// account, and those of their organisations' kinds. The test message and
// the old messages without a kind concern nobody's preferences.
func MailKindsFor(memberships []Membership) []MailKindInfo {
	var out []MailKindInfo
	for _, k := range MailKinds {
		if k.Kind == MailTest || k.Kind == MailOther {
			continue
		}
		orgs, some := mailAudience[k.Kind]
		if some && !slices.ContainsFunc(memberships, func(m Membership) bool { return slices.Contains(orgs, m.OrgKind) }) {
			continue
		}
		out = append(out, k)
	}
	return out
}

// AccountService is what the pages and the API use to invite people,
// confirm addresses and set which messages a person receives.
type AccountService interface {
	// ResendInvitation sends a new invitation to a member of orgID who
	// has not accepted theirs; the links sent before stop working.
	ResendInvitation(ctx context.Context, orgID, userID int64) error
	// FindAccountLink tells what a link is for, even when it no longer
	// works, so that its page can say why and what to do.
	FindAccountLink(ctx context.Context, token string) (*AccountLink, error)
	// AcceptInvitation sets the password of an invited account, which
	// confirms its address; the link stops working.
	AcceptInvitation(ctx context.Context, token, password string) (*User, error)
	// ConfirmAddress confirms the address of an account with its link.
	ConfirmAddress(ctx context.Context, token string) (*User, error)
	// RequestAccountLink sends a new link to an address whose account
	// cannot sign in yet (an invitation not accepted, an address not
	// confirmed), and does nothing otherwise, so that the answer does not
	// tell which addresses have accounts.
	RequestAccountLink(ctx context.Context, email string) error
	// MailPreferences lists the kinds of messages that concern a person,
	// and whether they receive each.
	MailPreferences(ctx context.Context, userID int64) ([]MailPreference, error)
	// SetMailPreferences turns off the optional kinds in off and on the
	// others.
	SetMailPreferences(ctx context.Context, userID int64, off []MailKind) ([]MailPreference, error)
}

// LinkToken returns the token of the first link to path in the text of a
// message ("" if none): what a person does by clicking, for the
// demonstration's applicants and the tests.
func LinkToken(body, path string) string {
	_, after, ok := strings.Cut(body, path+"?jeton=")
	if !ok {
		return ""
	}
	if end := strings.IndexFunc(after, unicode.IsSpace); end >= 0 {
		after = after[:end]
	}
	return after
}
