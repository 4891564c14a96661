package passnum

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SecondFactorPolicy says whose sign-in needs a second factor beside the
// password. Anyone may add one; the policy decides who must.
type SecondFactorPolicy string

const (
	// SecondFactorOff requires it of nobody (the demo, the tests).
	SecondFactorOff SecondFactorPolicy = "off"
	// SecondFactorAdmins requires it of the administrators of the
	// operator and of funders: those who move public money and manage
	// accounts. It is the default of a real installation.
	SecondFactorAdmins SecondFactorPolicy = "admins"
)

// ParseSecondFactorPolicy reads the setting ("admins" or "off").
func ParseSecondFactorPolicy(s string) (SecondFactorPolicy, error) {
	switch p := SecondFactorPolicy(strings.ToLower(strings.TrimSpace(s))); p {
	case SecondFactorOff, SecondFactorAdmins:
		return p, nil
	}
	return "", Invalid("second-factor", "Réglage du second facteur inconnu : %q (admins ou off).", s)
}

// Requires tells whether u must prove a second factor at sign-in. The
// zero policy requires nothing.
func (p SecondFactorPolicy) Requires(u *User) bool {
	if p != SecondFactorAdmins || u == nil {
		return false
	}
	for _, m := range u.Memberships {
		if m.Role == RoleAdmin && (m.OrgKind == KindOperator || m.OrgKind == KindFunder) {
			return true
		}
	}
	return false
}

// SecondFactorKind is a kind of second factor.
type SecondFactorKind string

const (
	// FactorTOTP is an authenticator application (RFC 6238, 6 digits
	// every 30 seconds).
	FactorTOTP SecondFactorKind = "totp"
	// FactorPasskey is a WebAuthn credential: a security key, or the
	// device's own (fingerprint, face, PIN).
	FactorPasskey SecondFactorKind = "passkey"
)

// Label is the kind's French name.
func (k SecondFactorKind) Label() string {
	switch k {
	case FactorTOTP:
		return "Application d'authentification"
	case FactorPasskey:
		return "Clé d'accès"
	}
	return string(k)
}

// RecoveryCodeCount is how many single-use recovery codes an account
// receives with its first second factor.
const RecoveryCodeCount = 10

// SecondFactorStepLifetime is how long a session waits for its second
// factor: a password alone is worth nothing after it.
const SecondFactorStepLifetime = 10 * time.Minute

// MinResetReason is the shortest reason an administrator gives when
// resetting another person's second factor.
const MinResetReason = 10

// SecondFactor is one confirmed second factor of an account. Its secret
// (seed, public key) never leaves the store.
type SecondFactor struct {
	ID         int64            `json:"id"`
	Kind       SecondFactorKind `json:"kind"`
	Label      string           `json:"label"`
	CreatedAt  time.Time        `json:"created_at"`
	LastUsedAt *time.Time       `json:"last_used_at,omitempty"`
}

// SecondFactorStatus is what a person's security page shows.
type SecondFactorStatus struct {
	// Required: the policy requires a second factor of this account.
	Required bool
	// Pending: the session still waits for its second factor.
	Pending           bool
	Factors           []SecondFactor
	RecoveryCodesLeft int
}

// Has tells whether the account has a factor of kind.
func (s *SecondFactorStatus) Has(kind SecondFactorKind) bool {
	for _, f := range s.Factors {
		if f.Kind == kind {
			return true
		}
	}
	return false
}

// TOTPEnrolment is a TOTP seed waiting for its first code: shown once as a
// QR code and in text, never again once confirmed.
type TOTPEnrolment struct {
	Secret string // base32, as authenticator applications take it by hand
	URL    string // otpauth://totp/…, the QR code's content
}

// SecondFactorProof is the outcome of a proved second factor: the
// session's new secret when the proof completed a pending session (the
// secret changes, so that a secret seen before the proof is worth
// nothing), and the recovery codes to show once when an enrolment created
// them.
type SecondFactorProof struct {
	Secret        string
	Info          *SessionInfo
	RecoveryCodes []string
}

// PasskeyAccount is what a WebAuthn ceremony needs of an account: its
// handle, names and registered credentials (as the library serialised
// them), and the challenge of the ceremony in progress.
type PasskeyAccount struct {
	UserID      int64
	Email, Name string
	Credentials [][]byte
	Challenge   []byte
}

// SecondFactorService enrols, proves and removes second factors. The
// methods that take a session secret are how a pending session, which
// acts for nobody yet, reaches its one step; ResetSecondFactor is an
// administrator's act and takes the actor from ctx.
type SecondFactorService interface {
	SecondFactorStatus(ctx context.Context, secret string) (*SecondFactorStatus, error)
	// BeginTOTP returns the seed waiting for its first code, creating
	// one if there is none.
	BeginTOTP(ctx context.Context, secret string) (*TOTPEnrolment, error)
	// ConfirmTOTP checks the first code of the seed BeginTOTP gave and
	// makes it a factor.
	ConfirmTOTP(ctx context.Context, secret, code string) (*SecondFactorProof, error)
	// VerifySecondFactor proves a pending session with a TOTP code or a
	// recovery code.
	VerifySecondFactor(ctx context.Context, secret, code string) (*SecondFactorProof, error)
	// RemoveSecondFactor removes one of the person's own factors.
	RemoveSecondFactor(ctx context.Context, secret string, id int64) error
	// ResetSecondFactor removes every factor and recovery code of
	// another person, for a reason, and ends their sessions.
	ResetSecondFactor(ctx context.Context, userID int64, reason string) error

	// PasskeyAccount returns what a WebAuthn ceremony needs.
	PasskeyAccount(ctx context.Context, secret string) (*PasskeyAccount, error)
	// SetPasskeyChallenge keeps the ceremony's state on the session.
	SetPasskeyChallenge(ctx context.Context, secret string, challenge []byte) error
	// AddPasskey registers a credential verified by the caller against
	// the challenge it consumes.
	AddPasskey(ctx context.Context, secret string, challenge []byte, label, credentialID string, credential []byte) (*SecondFactorProof, error)
	// ProvePasskey records a verified assertion (the credential with its
	// new counter) against the challenge it consumes and completes the
	// pending session.
	ProvePasskey(ctx context.Context, secret string, challenge []byte, credentialID string, credential []byte) (*SecondFactorProof, error)
	// RecordSecondFactorFailure records in the audit trail a proof the
	// caller refused (a passkey assertion that did not verify).
	RecordSecondFactorFailure(ctx context.Context, secret, how string) error
}

// NormaliseRecoveryCode returns a recovery code as stored: lower case,
// without the spaces and dashes people type.
func NormaliseRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, code)
}

// FormatRecoveryCode groups a code by four for reading: abcd-efgh-….
func FormatRecoveryCode(code string) string {
	var b strings.Builder
	for i, r := range code {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// String describes the policy for the start-up message.
func (p SecondFactorPolicy) String() string {
	switch p {
	case SecondFactorAdmins:
		return "exigé des administrateurs de l'opérateur et des financeurs"
	case SecondFactorOff, "":
		return "exigé de personne (chacun peut en ajouter un)"
	}
	return fmt.Sprintf("réglage inconnu %q", string(p))
}
