package passnum

import (
	"context"
	"time"
)

// SignInMethodProConnect is the method of a session opened through the
// OpenID Connect provider (ProConnect for public agents, or any standard
// provider an installation sets up): the audit trail tells it, and the
// second factor applies to it as to passwords.
const SignInMethodProConnect = "proconnect"

// ProviderIdentity is who an OpenID Connect provider says signed in, once
// its ID token and userinfo have been verified: the pair (Issuer, Subject)
// names the person for good at that provider; the e-mail may change.
type ProviderIdentity struct {
	Issuer  string
	Subject string
	Email   string
	// EmailVerified is false only when the provider says the e-mail is
	// not verified (ProConnect's are; it does not send the claim).
	EmailVerified bool
}

// ProviderLink ties an account to one identity at a provider, made at the
// person's first sign-in there, found by the e-mail of the account an
// administrator created. Later sign-ins find the account by the link.
type ProviderLink struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"user_id"`
	Issuer     string    `json:"issuer"`
	Email      string    `json:"email"` // as the provider last gave it
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
}

// ProviderSignInService signs people in with an OpenID Connect provider.
// SignInWithProvider needs no actor: it is how a person becomes one.
type ProviderSignInService interface {
	// SignInWithProvider opens a session for the account linked to the
	// identity or, on a first sign-in, for the existing account with its
	// verified e-mail, which it links to the identity. It never creates
	// an account: an unknown e-mail is EUNAUTHORIZED
	// (ReasonProviderAccountUnknown).
	SignInWithProvider(ctx context.Context, id ProviderIdentity) (secret string, info *SessionInfo, err error)
	// ListProviderLinks lists the links of the actor's own account.
	ListProviderLinks(ctx context.Context) ([]*ProviderLink, error)
	// UnlinkProvider removes a link of the actor's own account: the next
	// sign-in with the provider matches by e-mail again.
	UnlinkProvider(ctx context.Context, linkID int64) error
}

// Reasons of sign-in with a provider.
const (
	// ReasonProviderAccountUnknown: no account has the e-mail the provider
	// gave; nothing was created.
	ReasonProviderAccountUnknown = "provider-account-unknown"
	// ReasonProviderEmailUnverified: the provider says the e-mail is not
	// verified, so it cannot find an account.
	ReasonProviderEmailUnverified = "provider-email-unverified"
	// ReasonProviderLinkConflict: the account with this e-mail is already
	// linked to another identity at the same provider.
	ReasonProviderLinkConflict = "provider-link-conflict"
)
