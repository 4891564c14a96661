package passnum_test

import (
	"testing"

	"github.com/passnum/passnum"
)

// TestReasons: the table describes every reason once, with the string the
// API publishes as its problem type, the code its errors carry, a French
// title and a description; and every code given as a reason (an error
// without a reason of its own) is described too.
func TestReasons(t *testing.T) {
	// Published strings: clients compare them, so they never change. An
	// error without a reason of its own gives its code (ErrorReason):
	// EINTERNAL's is ReasonInternal, EFORBIDDEN's ReasonForbidden.
	published := []struct{ reason, want string }{
		{passnum.EINVALID, "invalid"},
		{passnum.EUNAUTHORIZED, "unauthorized"},
		{passnum.ENOTFOUND, "not_found"},
		{passnum.ECONFLICT, "conflict"},
		{passnum.EREFUSED, "refused"},
		{passnum.ERATELIMIT, "rate_limited"},
		{passnum.EUNAVAILABLE, "unavailable"},
		{passnum.ReasonInternal, "internal"},
		{passnum.ReasonStorageFull, "storage-full"},
		{passnum.ReasonServerOverloaded, "server-overloaded"},
		{passnum.ReasonServerBusy, "server-busy"},
		{passnum.ReasonDatabaseUnavailable, "database-unavailable"},
		{passnum.ReasonOutcomeUnknown, "outcome-unknown"},
		{passnum.ReasonInvalidInput, "invalid-input"},
		{passnum.ReasonControlCharacter, "control-character"},
		{passnum.ReasonNotFound, "not-found"},
		{passnum.ReasonMailAddress, "mail-address"},
		{passnum.ReasonMailNotFailed, "mail-not-failed"},
		{passnum.ReasonUnsubscribeInvalid, "unsubscribe-link-invalid"},
		{passnum.ReasonUnauthenticated, "unauthenticated"},
		{passnum.ReasonBadToken, "bad-token"},
		{passnum.ReasonBadCredentials, "bad-credentials"},
		{passnum.ReasonForbidden, "forbidden"},
		{passnum.ReasonNotAMember, "not-a-member"},
		{passnum.ReasonNoMembership, "no-membership"},
		{passnum.ReasonSessionExpired, "session-expired"},
		{passnum.ReasonProviderAccountUnknown, "provider-account-unknown"},
		{passnum.ReasonProviderEmailUnverified, "provider-email-unverified"},
		{passnum.ReasonProviderLinkConflict, "provider-link-conflict"},
		{passnum.ReasonResetTokenInvalid, "reset-token-invalid"},
		{passnum.ReasonAddressUnconfirmed, "address-unconfirmed"},
		{passnum.ReasonAccountLinkInvalid, "account-link-invalid"},
		{passnum.ReasonInvitationAccepted, "invitation-accepted"},
		{passnum.ReasonSecondFactorPending, "second-factor-pending"},
		{passnum.ReasonSecondFactorInvalid, "second-factor-invalid"},
		{passnum.ReasonWeakPassword, "weak-password"},
		{passnum.ReasonEmailTaken, "email-taken"},
		{passnum.ReasonSiretTaken, "siret-taken"},
		{passnum.ReasonVenueIDTaken, "venue-id-taken"},
		{passnum.ReasonQualificationMove, "qualification-move"},
		{passnum.ReasonFileIncomplete, "file-incomplete"},
		{passnum.ReasonImportInvalid, "import-invalid"},
		{passnum.ReasonImportExpired, "import-expired"},
		{passnum.ReasonPaymentOrderDuplicate, "payment-order-duplicate"},
		{passnum.ReasonBudgetExceeded, "budget-exceeded"},
		{passnum.ReasonProgrammeExpired, "programme-expired"},
		{passnum.ReasonNothingToActivate, "nothing-to-activate"},
		{passnum.ReasonFundsInsufficient, "funds-insufficient"},
		{passnum.ReasonCarnetNotActivated, "carnet-not-activated"},
		{passnum.ReasonCarnetUnavailable, "carnet-unavailable"},
		{passnum.ReasonCarnetAlreadyDistributed, "carnet-already-distributed"},
		{passnum.ReasonCarnetNotInStock, "carnet-not-in-stock"},
		{passnum.ReasonCarnetBlocked, "carnet-blocked"},
		{passnum.ReasonCarnetUnknown, "carnet-unknown"},
		{passnum.ReasonBeneficiaryUnknown, "beneficiary-unknown"},
		{passnum.ReasonNothingToBlock, "nothing-to-block"},
		{passnum.ReasonNothingToUnblock, "nothing-to-unblock"},
		{passnum.ReasonMalformed, "pass-code-malformed"},
		{passnum.ReasonUnknown, "pass-unknown"},
		{passnum.ReasonForged, "pass-forged"},
		{passnum.ReasonDuplicate, "pass-duplicate"},
		{passnum.ReasonNotActivated, "pass-not-activated"},
		{passnum.ReasonNotDistributed, "pass-not-distributed"},
		{passnum.ReasonBlocked, "pass-blocked"},
		{passnum.ReasonNotYetValid, "pass-not-yet-valid"},
		{passnum.ReasonExpired, "pass-expired"},
		{passnum.ReasonAlreadyRedeemed, "pass-already-redeemed"},
		{passnum.ReasonVenueNotQual, "venue-not-qualified"},
		{passnum.ReasonOutsideTerr, "venue-outside-territory"},
		{passnum.ReasonServiceNotAllow, "service-not-allowed"},
		{passnum.ReasonServiceUnknown, "service-unknown"},
		{passnum.ReasonPassCount, "pass-count-mismatch"},
		{passnum.ReasonPassesRefused, "passes-refused"},
		{passnum.ReasonIdempotencyKeyReused, "idempotency-key-reused"},
		{passnum.ReasonAlreadyVoided, "already-voided"},
		{passnum.ReasonVoidWindowClosed, "void-window-closed"},
		{passnum.ReasonAlreadySettled, "already-settled"},
		{passnum.ReasonTooManyBadCodes, "too-many-bad-codes"},
		{passnum.ReasonSessionFull, "session-full"},
		{passnum.ReasonSessionCancelled, "session-cancelled"},
		{passnum.ReasonSessionOver, "session-over"},
		{passnum.ReasonSessionNotStarted, "session-not-started"},
		{passnum.ReasonSessionHeld, "session-held"},
		{passnum.ReasonSessionRedeemed, "session-redeemed"},
		{passnum.ReasonAlreadyRegistered, "already-registered"},
		{passnum.ReasonRegistrationCancelled, "registration-cancelled"},
		{passnum.ReasonAttendanceRecorded, "attendance-recorded"},
		{passnum.ReasonRedemptionReported, "redemption-reported"},
		{passnum.ReasonStatementState, "statement-state"},
		{passnum.ReasonStatementNotBatched, "statement-not-batched"},
		{passnum.ReasonNoPayerAccount, "no-payer-account"},
		{passnum.ReasonNoBankAccount, "no-bank-account"},
		{passnum.ReasonNothingToPay, "nothing-to-pay"},
		{passnum.ReasonNotExpired, "not-expired"},
		{passnum.ReasonExpiryPending, "expiry-pending"},
		{passnum.ReasonAlreadyCredited, "already-credited"},
		{passnum.ReasonNoIndicators, "no-indicators"},
		{passnum.ReasonScopeNotFound, "scope-not-found"},
		{passnum.ReasonErasureUnbalances, "erasure-unbalances"},
		{passnum.ReasonBeneficiaryRestricted, "beneficiary-restricted"},
		{passnum.ReasonRetentionRunning, "retention-running"},
		{passnum.ReasonRightsRequestAnswered, "rights-request-answered"},
		{passnum.ReasonRightsRequestExtension, "rights-request-extension"},
		{passnum.ReasonReadReasonRequired, "read-reason-required"},
		{passnum.ReasonAuditChainBroken, "audit-chain-broken"},
		{passnum.ReasonAuditAnchorMissing, "audit-anchor-missing"},
		{passnum.ReasonCallClosed, "call-closed"},
		{passnum.ReasonApplicantIneligible, "applicant-ineligible"},
		{passnum.ReasonApplicationIncomplete, "application-incomplete"},
		{passnum.ReasonApplicationState, "application-state"},
		{passnum.ReasonMatchingRule, "matching-rule"},
		{passnum.ReasonEnvelopeExceeded, "envelope-exceeded"},
		{passnum.ReasonBelowPaid, "below-paid"},
		{passnum.ReasonOverCalled, "over-called"},
		{passnum.ReasonAttachmentNotPDF, "attachment-not-pdf"},
		{passnum.ReasonAttachmentTooLarge, "attachment-too-large"},
		{passnum.ReasonAttachmentLimit, "attachment-limit"},
	}
	codes := map[string]bool{passnum.ECONFLICT: true, passnum.EINTERNAL: true, passnum.EINVALID: true, passnum.ENOTFOUND: true,
		passnum.EUNAUTHORIZED: true, passnum.EFORBIDDEN: true, passnum.ERATELIMIT: true, passnum.EREFUSED: true, passnum.EUNAVAILABLE: true}
	described := map[string]passnum.ReasonInfo{}
	for _, r := range passnum.Reasons() {
		if _, twice := described[r.Reason]; twice {
			t.Errorf("%s described twice", r.Reason)
		}
		described[r.Reason] = r
		if !codes[r.Code] || r.Title == "" || r.Description == "" {
			t.Errorf("%s: %+v, want a code, a title and a description", r.Reason, r)
		}
	}
	for _, p := range published {
		if p.reason != p.want {
			t.Errorf("reason %q is published as %q", p.reason, p.want)
		}
		if _, ok := described[p.reason]; !ok {
			t.Errorf("reason %q has no title", p.reason)
		}
		delete(described, p.reason)
	}
	for reason := range described {
		t.Errorf("reason %q is described but missing from this test's list", reason)
	}
}
