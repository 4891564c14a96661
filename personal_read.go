package passnum

import (
	"context"
	"strings"
	"time"
)

// The journal of who read what (GDPR articles 5.2 and 32): every read of a
// beneficiary's record, of advisers' notes and every export that holds
// personal data is written to it by the store before the data leaves, with
// who read (person and organisation), when, which records, which declared
// fields and, where one is asked, why. The operator's staff give a reason
// to open a beneficiary's record, which they never create themselves
// (prescribers do). The operator's administrators review the journal;
// it is kept RetainAccessLog months.

// What was read, in a journal entry.
const (
	ReadBeneficiary = "beneficiary" // a beneficiary's record
	ReadNotes       = "notes"       // advisers' notes and the people linked to reports
	ReadSearch      = "search"      // beneficiaries found by the operator's search
	ReadExport      = "export"      // a file holding personal data
	ReadRights      = "rights"      // everything held about a person (right of access)
)

// ReadWhatLabel is what was read, in French.
func ReadWhatLabel(what string) string {
	switch what {
	case ReadBeneficiary:
		return "fiche d'une personne"
	case ReadNotes:
		return "notes de conseillers"
	case ReadSearch:
		return "recherche"
	case ReadExport:
		return "export"
	case ReadRights:
		return "données d'une personne (droit d'accès)"
	}
	return what
}

// PersonalRead is one entry of the journal.
type PersonalRead struct {
	ID     int64     `json:"id"`
	ReadAt time.Time `json:"read_at"`
	// UserID is the person who read (0 for an API token or the command
	// line, which Actor names).
	UserID   int64  `json:"user_id,omitempty"`
	UserName string `json:"user_name,omitempty"`
	Actor    string `json:"actor"` // the actor's label, as in the audit trail
	OrgID    int64  `json:"org_id"`
	OrgName  string `json:"org_name"`
	What     string `json:"what"`             // ReadBeneficiary, ReadNotes, ReadSearch, ReadExport, ReadRights
	Export   string `json:"export,omitempty"` // the file, for an export
	// Records name what was read: "beneficiary:B-…", "activity-report:12".
	Records []string `json:"records"`
	// Fields are the keys of the declared personal fields read
	// (PersonalFields).
	Fields []string `json:"fields"`
	Reason string   `json:"reason,omitempty"`
}

// PersonalReadFilter selects journal entries.
type PersonalReadFilter struct {
	UserID int64 // 0: everyone
	OrgID  int64 // 0: every organisation
	// Record keeps the entries about one record: a beneficiary reference
	// (B-…) or a record as the journal names it ("activity-report:12").
	Record string
	From   string // YYYY-MM-DD, inclusive; "" no bound
	To     string // YYYY-MM-DD, inclusive
	Offset int
	Limit  int
}

// RecordKey is the record the filter names, as the journal writes it.
func (f PersonalReadFilter) RecordKey() string {
	r := strings.TrimSpace(f.Record)
	if r == "" || strings.Contains(r, ":") {
		return r
	}
	return "beneficiary:" + strings.ToUpper(r)
}

// PersonalReadService reads the journal: the operator's administrators.
type PersonalReadService interface {
	// ListPersonalReads lists entries, the newest first, with their total.
	// Reading the journal for an export (WithExport) is journaled too.
	ListPersonalReads(ctx context.Context, f PersonalReadFilter) ([]*PersonalRead, int, error)
}

// MaxReadReason bounds the reason given for a read.
const MaxReadReason = 300

type readReasonKey struct{}

type exportKey struct{}

// WithReadReason returns a context whose reads give reason: why the
// reader opens a record (a request of the person, a check…).
func WithReadReason(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, readReasonKey{}, strings.TrimSpace(reason))
}

// ReadReasonFrom returns the reason set by WithReadReason.
func ReadReasonFrom(ctx context.Context) string {
	r, _ := ctx.Value(readReasonKey{}).(string)
	return r
}

// WithExport returns a context whose reads write the file named export
// ("activite-conseillers.csv"): the journal records them as an export.
func WithExport(ctx context.Context, export string) context.Context {
	return context.WithValue(ctx, exportKey{}, export)
}

// ExportFrom returns the export set by WithExport.
func ExportFrom(ctx context.Context) string {
	e, _ := ctx.Value(exportKey{}).(string)
	return e
}

// ReadReasonRequired is the error of a read that needs a reason and was
// given none.
func ReadReasonRequired() error {
	return &Error{Code: EINVALID, Reason: ReasonReadReasonRequired, Field: "reason",
		Message: "Indiquez pourquoi vous consultez la fiche de cette personne (une demande de sa part, une vérification…) : la consultation est notée dans le journal."}
}

// CheckReadReason checks a reason that was given.
func CheckReadReason(reason string) error {
	if err := CheckLine("reason", reason); err != nil {
		return err
	}
	if len(reason) > MaxReadReason {
		return Invalid("reason", "%d caractères au plus.", MaxReadReason)
	}
	return nil
}

// Bounds are the instants (TimeLayout) the filter's period covers, its
// dates read in Paris time: from inclusive, to exclusive; "" for no bound.
func (f PersonalReadFilter) Bounds() (from, to string, err error) {
	for _, b := range []struct {
		field, value string
		out          *string
		days         int
	}{{"from", f.From, &from, 0}, {"to", f.To, &to, 1}} {
		if b.value == "" {
			continue
		}
		d, err := time.ParseInLocation(DateLayout, b.value, paris)
		if err != nil {
			return "", "", Invalid(b.field, "Date invalide : %q (AAAA-MM-JJ).", b.value)
		}
		*b.out = FormatTime(d.AddDate(0, 0, b.days))
	}
	if from != "" && to != "" && to <= from {
		return "", "", Invalid("to", "La fin de la période (%s) précède son début (%s).", f.To, f.From)
	}
	return from, to, nil
}
