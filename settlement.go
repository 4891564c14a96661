package passnum

import (
	"context"
	"fmt"
	"time"
)

// Money out (DOMAIN.md: "reimbursement is monthly, for the passes scanned
// the previous month, by bank transfer"; "after expiry unused passes are
// refunded as a credit note at face value").
//
// A settlement run takes every redeemed pass not yet settled up to a
// cut-off date and puts each into exactly one venue statement. A
// statement goes draft → validated → paid; a rejected transfer puts its
// lines back for the next run, with the reason kept. Funders are charged
// for the passes redeemed under their programmes by share, and credited
// for the passes that expired unused.

// StatementState is where a venue statement is.
type StatementState string

// Statement states.
const (
	StatementDraft     StatementState = "draft"     // computed, may still be cancelled
	StatementValidated StatementState = "validated" // checked by the operator, ready for a payment batch
	StatementPaid      StatementState = "paid"      // the transfer went through
	StatementRejected  StatementState = "rejected"  // the bank refused the transfer: lines back to the next run
)

// Label is the French name of a statement state.
func (s StatementState) Label() string {
	switch s {
	case StatementDraft:
		return "brouillon"
	case StatementValidated:
		return "validé"
	case StatementPaid:
		return "payé"
	case StatementRejected:
		return "virement rejeté"
	}
	return string(s)
}

// SettlementRun is one run of the settlement for a cut-off date.
type SettlementRun struct {
	ID          int64     `json:"id"`
	CutOff      string    `json:"cut_off"` // YYYY-MM-DD: passes redeemed before the end of that day (Paris time)
	Statements  int       `json:"statements"`
	Passes      int       `json:"passes"`
	AmountCents int64     `json:"amount_cents"`
	Actor       string    `json:"actor"`
	CreatedAt   time.Time `json:"created_at"`
}

// Statement is what a venue is owed for a run: one line per pass.
type Statement struct {
	ID             int64          `json:"id"`
	RunID          int64          `json:"run_id"`
	VenueID        int64          `json:"venue_id"`
	VenueName      string         `json:"venue_name"`
	CutOff         string         `json:"cut_off"`
	State          StatementState `json:"state"`
	Passes         int            `json:"passes"`
	AmountCents    int64          `json:"amount_cents"`
	Reference      string         `json:"reference"` // structured creditor reference (ISO 11649, RF…) carried by the transfer
	BatchID        int64          `json:"batch_id,omitempty"`
	RejectedReason string         `json:"rejected_reason,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	ValidatedAt    *time.Time     `json:"validated_at,omitempty"`
	PaidAt         *time.Time     `json:"paid_at,omitempty"`
	// Lines are filled by FindStatement.
	Lines []StatementLine `json:"lines,omitempty"`
}

// StatementLine is one redeemed pass on a statement, with what each funder
// of its programme pays of it.
type StatementLine struct {
	Serial       int64       `json:"serial"`
	RedemptionID int64       `json:"redemption_id"`
	RedeemedAt   time.Time   `json:"redeemed_at"`
	ServiceTitle string      `json:"service_title"`
	SessionID    int64       `json:"session_id,omitempty"`
	ProgrammeID  int64       `json:"programme_id"`
	AmountCents  int64       `json:"amount_cents"`
	Shares       []LineShare `json:"shares"`
}

// LineShare is a funder's part of a line, in cents (SplitByShares: the
// parts of a line sum to the line).
type LineShare struct {
	FunderID    int64 `json:"funder_id"`
	AmountCents int64 `json:"amount_cents"`
}

// StatementFilter selects statements.
type StatementFilter struct {
	VenueID int64 // 0: all (operator); a venue sees its own whatever it asks
	RunID   int64
	// BatchID: the statements paid (or rejected) by one payment batch.
	BatchID int64
	State   StatementState
	Offset  int
	Limit   int
}

// PaymentBatch is one SEPA credit transfer file (ISO 20022 pain.001) paying
// validated statements: one transaction per statement.
type PaymentBatch struct {
	ID              int64     `json:"id"`
	MessageID       string    `json:"message_id"`
	ExecutionDate   string    `json:"execution_date"` // YYYY-MM-DD
	Statements      int       `json:"statements"`
	ControlSumCents int64     `json:"control_sum_cents"`
	Actor           string    `json:"actor"`
	CreatedAt       time.Time `json:"created_at"`
	// Skipped names the venues whose validated statements were left out
	// of the batch because the venue has no bank account on file; they go
	// into a later batch once it is recorded.
	Skipped []string `json:"skipped,omitempty"`
}

// Transfer is one credit transfer of a payment batch: a venue's statement.
type Transfer struct {
	StatementID int64  `json:"statement_id"`
	EndToEndID  string `json:"end_to_end_id"` // unique per transfer, for the bank's return
	Creditor    string `json:"creditor"`      // the account holder, 70 characters at most
	// UltimateCreditor is the venue, when the account's holder bears
	// another name (a federation's or a town's account, say).
	UltimateCreditor string `json:"ultimate_creditor,omitempty"`
	IBAN             string `json:"iban"`
	BIC              string `json:"bic"`
	AmountCents      int64  `json:"amount_cents"`
	Reference        string `json:"reference"` // structured creditor reference (ISO 11649)
	Period           string `json:"period"`    // cut-off date, for the unstructured remittance text
}

// PayerAccount is the operator's account the transfers leave from.
type PayerAccount struct {
	Name string `json:"name"`
	IBAN string `json:"iban"`
	// BIC of the operator's bank: optional, as SEPA no longer requires
	// it (the bank finds itself from the IBAN).
	BIC string `json:"bic"`
	// Format is the message version of the account's payment files, the
	// one its bank asks for; PainEPC09 unless chosen otherwise.
	Format PainFormat `json:"format"`
}

// PainFormat is an ISO 20022 customer credit transfer message version
// (pain.001) in which payment files are written.
type PainFormat string

const (
	// PainEPC09 is pain.001.001.09 under the European Payments Council's
	// SEPA Credit Transfer customer-to-bank implementation guidelines,
	// the version most French banks ask for: the default.
	PainEPC09 PainFormat = "pain.001.001.09"
	// PainISO10 is ISO's pain.001.001.10, for banks that take it.
	PainISO10 PainFormat = "pain.001.001.10"
)

// PainFormats lists the formats a payer account may choose, the default
// first.
var PainFormats = []PainFormat{PainEPC09, PainISO10}

// Valid tells whether f is one of PainFormats.
func (f PainFormat) Valid() bool { return f == PainEPC09 || f == PainISO10 }

// Label says f in French, for the operator's choice.
func (f PainFormat) Label() string {
	switch f {
	case PainEPC09:
		return "pain.001.001.09, guide SEPA du Conseil européen des paiements (EPC) : celui que demandent la plupart des banques"
	case PainISO10:
		return "pain.001.001.10, version ISO 20022 plus récente, si votre banque la demande"
	}
	return string(f)
}

// FunderCharge is what a funder is charged for a programme and a period:
// its share of every pass redeemed in the period, plus the upstream fee
// where the programme has one, as its own line.
type FunderCharge struct {
	ID          int64     `json:"id"`
	FunderID    int64     `json:"funder_id"`
	FunderName  string    `json:"funder_name"`
	ProgrammeID int64     `json:"programme_id"`
	RunID       int64     `json:"run_id"`
	Period      string    `json:"period"` // the run's cut-off date
	Passes      int       `json:"passes"`
	PassesCents int64     `json:"passes_cents"`
	FeeBP       int       `json:"fee_bp"`
	FeeCents    int64     `json:"fee_cents"`
	TotalCents  int64     `json:"total_cents"`
	CreatedAt   time.Time `json:"created_at"`
}

// CreditNote refunds a funder, at face value, its share of the passes of a
// programme that expired unused.
type CreditNote struct {
	ID          int64     `json:"id"`
	FunderID    int64     `json:"funder_id"`
	FunderName  string    `json:"funder_name"`
	ProgrammeID int64     `json:"programme_id"`
	Passes      int       `json:"passes"`
	AmountCents int64     `json:"amount_cents"`
	Reference   string    `json:"reference"`
	CreatedAt   time.Time `json:"created_at"`
}

// Reconciliation is the joint count, before credit notes, of what became
// of a programme's passes: the operator and the funders agree on it.
type Reconciliation struct {
	ProgrammeID   int64               `json:"programme_id"`
	ByState       map[PassState]int64 `json:"by_state"`
	SettledCents  int64               `json:"settled_cents"`
	PayableCents  int64               `json:"payable_cents"` // redeemed, not settled yet
	ExpiredCents  int64               `json:"expired_cents"`
	CreditedCents int64               `json:"credited_cents"`
	// ReadyToCredit: past validity and tolerance, every pass used or
	// expired (Expire has run), no credit note issued yet.
	ReadyToCredit bool `json:"ready_to_credit"`
	// Credited tells whether the credit notes were issued.
	Credited bool `json:"credited"`
}

// DefaultCutOff is the cut-off of the monthly settlement run at now: the
// last day of the previous month, in Paris time.
func DefaultCutOff(now time.Time) string {
	y, m, _ := now.In(paris).Date()
	return time.Date(y, m, 0, 12, 0, 0, 0, paris).Format(DateLayout)
}

// CutOffEnd checks a cut-off date (YYYY-MM-DD) and returns the instant its
// day ends in Paris time: a settlement run takes the passes redeemed
// strictly before it.
func CutOffEnd(cutOff string) (time.Time, error) {
	d, err := time.ParseInLocation(DateLayout, cutOff, paris)
	if err != nil || d.Format(DateLayout) != cutOff {
		return time.Time{}, Invalid("cut_off", "Date d'arrêté invalide : %q. Écrivez-la AAAA-MM-JJ, par exemple 2027-03-31.", cutOff)
	}
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, paris), nil
}

// FeeCents is the upstream fee on passesCents at feeBP basis points,
// rounded half up to the cent: 4 % of 12 345 cents is 493.8, so 494. A
// run charges it once per programme, on the programme's passes of the
// run, and splits it between the funders by share (SplitByShares), so
// that the funders' fee lines sum to it exactly.
func FeeCents(passesCents int64, feeBP int) int64 {
	return (passesCents*int64(feeBP) + BasisPoints/2) / BasisPoints
}

// StatementReferenceBody is the body of a statement's ISO 11649 creditor
// reference: "PN", the cut-off date without dashes, "S" and the
// statement's number (21 characters at most up to statement 9 999 999 999).
func StatementReferenceBody(cutOff string, statementID int64) string {
	compact := cutOff
	if len(cutOff) == len(DateLayout) {
		compact = cutOff[0:4] + cutOff[5:7] + cutOff[8:10]
	}
	return fmt.Sprintf("PN%sS%d", compact, statementID)
}

// SettlementService settles what venues redeemed: runs for a cut-off
// date and the statements they draw up, one per venue.
type SettlementService interface {
	// RunSettlement settles every redeemed, unsettled pass redeemed up to
	// the end of cutOff (Paris time): one draft statement per venue. A
	// second run for the same cut-off adds only passes redeemed since.
	RunSettlement(ctx context.Context, cutOff string) (*SettlementRun, error)
	ListSettlementRuns(ctx context.Context) ([]*SettlementRun, error)
	ListStatements(ctx context.Context, f StatementFilter) ([]*Statement, int, error)
	FindStatement(ctx context.Context, id int64) (*Statement, error)
	ValidateStatement(ctx context.Context, id int64) (*Statement, error)
}

// PaymentService pays validated statements: the operator's account,
// payment batches (SEPA credit transfers) and what the bank answered.
type PaymentService interface {
	// SetPayerAccount records the operator's account transfers leave
	// from; PayerAccount reads it (ENOTFOUND until set).
	SetPayerAccount(ctx context.Context, a PayerAccount) error
	PayerAccount(ctx context.Context) (*PayerAccount, error)
	// CreatePaymentBatch gathers the validated statements not yet in a
	// batch into a new batch, one transfer per statement.
	CreatePaymentBatch(ctx context.Context, executionDate string) (*PaymentBatch, error)
	ListPaymentBatches(ctx context.Context) ([]*PaymentBatch, error)
	// FindPaymentBatch reads one batch (operator), ENOTFOUND when there
	// is none of that number.
	FindPaymentBatch(ctx context.Context, id int64) (*PaymentBatch, error)
	// PaymentBatchTransfers returns what the batch's pain.001 file holds:
	// the payer and one transfer per statement (package sepa writes it).
	PaymentBatchTransfers(ctx context.Context, batchID int64) (*PayerAccount, []Transfer, error)
	// MarkPaid records that a statement's transfer went through;
	// RejectStatement that it was rejected: its passes go back to the next
	// run, with the reason kept.
	MarkPaid(ctx context.Context, statementID int64) (*Statement, error)
	RejectStatement(ctx context.Context, statementID int64, reason string) (*Statement, error)
}

// BillingService accounts to funders: their charges for the passes
// settled, the reconciliation of a programme and the credit notes for the
// passes that expired unused.
type BillingService interface {
	ListFunderCharges(ctx context.Context, funderID, programmeID int64) ([]*FunderCharge, error)
	// FindFunderCharge reads one charge: the operator any, a funder its
	// own; another funder's is not found, as ListFunderCharges would not
	// show it.
	FindFunderCharge(ctx context.Context, id int64) (*FunderCharge, error)
	Reconcile(ctx context.Context, programmeID int64) (*Reconciliation, error)
	// IssueCreditNotes credits each funder of an expired programme for the
	// passes that expired unused, once.
	IssueCreditNotes(ctx context.Context, programmeID int64) ([]*CreditNote, error)
	ListCreditNotes(ctx context.Context, funderID, programmeID int64) ([]*CreditNote, error)
	// FindCreditNote reads one credit note, with the rights of
	// ListCreditNotes.
	FindCreditNote(ctx context.Context, id int64) (*CreditNote, error)
}
