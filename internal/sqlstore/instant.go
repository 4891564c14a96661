package sqlstore

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// instants reads the instants of one record, stored as passnum.TimeLayout
// text. The first one that does not read is kept in err, naming the
// table, the record and the column, and the caller returns err: an
// unreadable record fails loudly, as an internal error, instead of reading
// as the year 1 (a session that never expires, a statement dated before
// every cut-off). Its zero value is not used: table and id name the record.
//
//	in := instants{table: "organisations", id: o.ID}
//	o.CreatedAt = in.at("created_at", created)
//	return &o, in.err
//
// A scan error can be given as err: the instants are then left zero and
// err returned as it is, so that callers that return the scan's error
// after filling the record keep doing so.
type instants struct {
	table string
	id    int64
	err   error
}

// at reads the instant s of column; on an error, the zero time.
func (in *instants) at(column, s string) time.Time {
	if in.err != nil {
		return time.Time{}
	}
	t, err := passnum.ParseTime(s)
	if err != nil {
		in.err = unreadableInstant(in.table, in.id, column, s)
	}
	return t
}

// optional reads a nullable instant: nil when it is NULL.
func (in *instants) optional(column string, s sql.NullString) *time.Time {
	if !s.Valid || in.err != nil {
		return nil
	}
	t := in.at(column, s.String)
	if in.err != nil {
		return nil
	}
	return &t
}

// orZero reads an instant that a query turned from NULL into "": the
// zero time then.
func (in *instants) orZero(column, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	return in.at(column, s)
}

// unreadableInstant is the error of a stored instant that does not read.
// Its text is for the operator's log; people see "erreur interne".
func unreadableInstant(table string, id int64, column, value string) error {
	const shown = 40
	if len(value) > shown {
		value = value[:shown] + "…"
	}
	return fmt.Errorf("%s %d: %s %q is not an instant (%s): the record is damaged", table, id, column, value, passnum.TimeLayout)
}

// storedInstant is t as the records keep it: UTC, to the microsecond
// (passnum.TimeLayout). What a write returns is what a read gives back.
func storedInstant(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// instantColumns are the columns that hold instants, table by table.
// A test compares them with the schema: every column named …_at is either
// here or in dateColumns.
var instantColumns = []struct {
	table   string
	columns []string
}{
	{"schema_migrations", []string{"applied_at"}},
	{"organisations", []string{"created_at"}},
	{"qualification_history", []string{"created_at"}},
	{"users", []string{"created_at", "confirmed_at"}},
	{"api_tokens", []string{"created_at", "revoked_at"}},
	{"signing_keys", []string{"created_at"}},
	{"sealing_keys", []string{"created_at"}},
	{"keys_moved", []string{"moved_at"}},
	{"programmes", []string{"created_at"}},
	{"payment_orders", []string{"created_at"}},
	{"batches", []string{"created_at"}},
	{"beneficiaries", []string{"created_at", "restricted_at", "erased_at"}},
	{"carnets", []string{"allocated_at", "distributed_at"}},
	{"passes", []string{"activated_at", "redeemed_at"}},
	{"catalogue_services", []string{"created_at"}},
	{"redemptions", []string{"created_at", "voided_at"}},
	{"postings", []string{"created_at"}},
	{"audit_log", []string{"created_at"}},
	{"sessions", []string{"created_at", "expires_at"}},
	{"password_resets", []string{"created_at", "expires_at", "used_at"}},
	{"account_links", []string{"created_at", "expires_at", "used_at"}},
	{"outbox", []string{"created_at", "sent_at", "next_attempt_at"}},
	{"mail_opt_outs", []string{"created_at"}},
	{"second_factors", []string{"created_at", "confirmed_at", "last_used_at"}},
	{"recovery_codes", []string{"created_at", "used_at"}},
	{"mail_reminders", []string{"created_at"}},
	{"venues", []string{"charter_accepted_at", "updated_at"}},
	{"venue_places", []string{"created_at", "updated_at"}},
	{"venue_imports", []string{"created_at", "expires_at"}},
	{"workshop_sessions", []string{"starts_at", "created_at", "cancelled_at"}},
	{"workshop_registrations", []string{"created_at", "cancelled_at", "attendance_at"}},
	{"activity_reports", []string{"created_at"}},
	{"settlement_runs", []string{"created_at"}},
	{"payment_batches", []string{"created_at"}},
	{"statements", []string{"created_at", "validated_at", "paid_at", "rejected_at"}},
	{"statement_lines", []string{"redeemed_at"}},
	{"payer_account", []string{"updated_at"}},
	{"funder_charges", []string{"created_at"}},
	{"credit_notes", []string{"created_at"}},
	{"indicator_snapshots", []string{"computed_at"}},
	// 0008: rights of the person and retention.
	{"retention_runs", []string{"started_at", "finished_at"}},
	{"retention_lease", []string{"expires_at"}},
	{"rights_requests", []string{"created_at"}},
	{"personal_reads", []string{"read_at"}},
	{"audit_chain", []string{"sealed_at"}},
	{"audit_anchors", []string{"created_at"}},
	// 0017: links to an OpenID Connect provider.
	{"provider_links", []string{"created_at", "last_used_at"}},
	// 0019: background jobs and the periods of scheduled jobs.
	{"jobs", []string{"started_at", "finished_at"}},
	{"job_progress", []string{"heartbeat_at"}},
	{"schedule_claims", []string{"claimed_at", "expires_at", "finished_at"}},
	// 0020: failed sign-in attempts.
	{"failed_attempts", []string{"failed_at", "expires_at"}},
	// 0025: calls for projects and applications.
	{"calls", []string{"created_at"}},
	{"applications", []string{"created_at", "updated_at", "submitted_at", "decided_at"}},
	{"application_messages", []string{"created_at"}},
	// 0026: conventions.
	{"conventions", []string{"created_at"}},
	{"convention_addenda", []string{"created_at"}},
	// 0028: calls for funds.
	{"fund_calls", []string{"created_at"}},
	// 0029: attachments of applications.
	{"application_attachments", []string{"uploaded_at"}},
}

// dateColumns are the columns named …_at that hold a date (YYYY-MM-DD),
// not an instant.
var dateColumns = []string{"beneficiaries.consent_at"}

// instantShape is the shape of passnum.TimeLayout for LIKE: the same on
// both engines, it catches text that is not an instant at all (empty,
// truncated, another format, garbage); a value of the right shape that
// still does not read (a 13th month) fails when its record is read.
const instantShape = `____-__-__T__:__:__.______Z`

// checkInstants names, column by column, the stored instants that do not
// have the shape of one, with how many there are and one of them: reading
// such a record fails (instants), and this says where they are. One scan
// per table.
func (t *tx) checkInstants(fail func(format string, args ...any)) error {
	for _, tc := range instantColumns {
		var sel []string
		for _, c := range tc.columns {
			bad := c + ` IS NOT NULL AND ` + c + ` NOT LIKE '` + instantShape + `'`
			sel = append(sel, `COALESCE(SUM(CASE WHEN `+bad+` THEN 1 ELSE 0 END), 0)`, `MIN(CASE WHEN `+bad+` THEN `+c+` END)`)
		}
		dest := make([]any, 0, 2*len(tc.columns))
		counts := make([]int64, len(tc.columns))
		examples := make([]sql.NullString, len(tc.columns))
		for i := range tc.columns {
			dest = append(dest, &counts[i], &examples[i])
		}
		if err := t.row(`SELECT ` + strings.Join(sel, ", ") + ` FROM ` + tc.table).Scan(dest...); err != nil {
			return fmt.Errorf("instants of %s: %w", tc.table, err)
		}
		for i, c := range tc.columns {
			if counts[i] > 0 {
				example := examples[i].String
				if len(example) > 40 {
					example = example[:40] + "…"
				}
				fail("%s.%s: %d %s the shape of an instant (%s), such as %q: the records holding them cannot be read", tc.table, c, counts[i], plural(counts[i], "value does not have", "values do not have"), passnum.TimeLayout, example)
			}
		}
	}
	return nil
}

// plural chooses one or many.
func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
