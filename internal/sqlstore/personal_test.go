package sqlstore_test

import (
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// personalColumns maps every column that holds personal data to the field
// of passnum.PersonalFields that declares it (purpose, basis, readers,
// retention). Written by a person reading the schema: a new column that
// is about people gets a line here and, if no field covers it yet, a
// field in the declaration.
var personalColumns = map[string]string{
	"beneficiaries.ref":           "beneficiary.ref",
	"beneficiaries.birth_year":    "beneficiary.birth_year",
	"beneficiaries.age_band":      "beneficiary.age_band",
	"beneficiaries.commune_insee": "beneficiary.commune",
	"beneficiaries.needs":         "beneficiary.needs",
	"beneficiaries.autonomy":      "beneficiary.autonomy",
	"beneficiaries.consent_at":    "beneficiary.consent",
	"beneficiaries.prescriber_id": "beneficiary.prescriber",
	"beneficiaries.created_at":    "beneficiary.consent",
	// The person's restriction of their record (article 18), and when
	// it was erased: the date of an erasure is all that is left of them.
	"beneficiaries.restricted_at":      "beneficiary.restriction",
	"beneficiaries.restriction_reason": "beneficiary.restriction",
	"beneficiaries.erased_at":          "beneficiary.restriction",
	"retention_runs.actor":             "audit.actor",

	"carnets.beneficiary_id": "carnet.holder",
	// What the indicators last counted of a carnet: its holder, their
	// commune and age band, its uses; rewritten at the next refresh when
	// the records it is drawn from change (an erasure included).
	"indicator_facts.beneficiary_id": "carnet.holder",
	"indicator_facts.data":           "carnet.holder",
	"carnets.distributed_at":         "carnet.holder",
	"carnets.distributed_by":         "audit.actor",

	// A pass used is linked to the person through its carnet.
	"passes.redeemed_at":                      "pass.use",
	"passes.venue_id":                         "pass.use",
	"passes.redemption_id":                    "pass.use",
	"redemption_passes.serial":                "pass.use",
	"statement_lines.serial":                  "pass.use",
	"statement_lines.redeemed_at":             "pass.use",
	"statement_lines.redemption_id":           "pass.use",
	"redemptions.actor":                       "audit.actor",
	"redemptions.voided_by":                   "audit.actor",
	"workshop_registrations.label":            "registration.person",
	"workshop_registrations.attended":         "registration.person",
	"workshop_registrations.beneficiary_ref":  "registration.person",
	"workshop_registrations.booked_by_org_id": "registration.person",
	"workshop_registrations.carnet_number":    "registration.person",
	"workshop_registrations.created_by":       "audit.actor",
	"workshop_registrations.attendance_by":    "audit.actor",
	"workshop_sessions.created_by":            "audit.actor",
	"workshop_sessions.cancelled_by":          "audit.actor",

	"activity_report_people.beneficiary_ref": "activity.people",
	"activity_reports.notes":                 "activity.notes",
	"activity_reports.author":                "activity.author",
	"activity_reports.author_name":           "activity.author",

	"users.email":         "user.identity",
	"users.name":          "user.identity",
	"users.password_hash": "user.password",
	"memberships.user_id": "user.identity",

	"provider_links.user_id":      "user.provider-link",
	"provider_links.subject":      "user.provider-link",
	"provider_links.email":        "user.provider-link",
	"provider_links.last_used_at": "user.provider-link",

	"sessions.user_id":     "session.connection",
	"sessions.org_id":      "session.connection",
	"sessions.secret_hash": "session.connection",
	"sessions.created_at":  "session.connection",
	"sessions.expires_at":  "session.connection",

	// The second factor of an account (issue 16): its secrets, labels,
	// dates of use, and the recovery codes' digests.
	"second_factors.user_id":       "user.second-factor",
	"second_factors.label":         "user.second-factor",
	"second_factors.totp_secret":   "user.second-factor",
	"second_factors.credential_id": "user.second-factor",
	"second_factors.credential":    "user.second-factor",
	"second_factors.created_at":    "user.second-factor",
	"second_factors.confirmed_at":  "user.second-factor",
	"second_factors.last_used_at":  "user.second-factor",
	"recovery_codes.user_id":       "user.second-factor",
	"recovery_codes.code_hash":     "user.second-factor",
	"recovery_codes.used_at":       "user.second-factor",
	"sessions.webauthn_challenge":  "session.connection",
	// Failed sign-ins, shared by the servers: digests of an address or a
	// network, and when; purged after their window (15 minutes).
	"failed_attempts.limit_name":  "session.connection",
	"failed_attempts.attempt_key": "session.connection",
	"failed_attempts.failed_at":   "session.connection",
	"failed_attempts.expires_at":  "session.connection",
	"password_resets.user_id":     "password-reset.link",
	"password_resets.token_hash":  "password-reset.link",

	"outbox.recipient": "outbox.message",
	"outbox.subject":   "outbox.message",
	"outbox.body":      "outbox.message",
	"outbox.user_id":   "outbox.message",
	// The server's answer to the last attempt may name the recipient.
	"outbox.last_error": "outbox.message",

	"mail_opt_outs.user_id":    "user.mail-preferences",
	"account_links.user_id":    "account.link",
	"account_links.token_hash": "account.link",
	"account_links.invited_by": "account.link",
	"mail_opt_outs.kind":       "user.mail-preferences",

	// Who did what: the audit trail and the money's records name their
	// actor ("user:12"); an audit entry's object and detail may name a
	// beneficiary's reference.
	"audit_log.actor":             "audit.actor",
	"audit_log.object":            "audit.actor",
	"audit_log.detail":            "audit.actor",
	"postings.actor":              "audit.actor",
	"settlement_runs.actor":       "audit.actor",
	"payment_batches.actor":       "audit.actor",
	"qualification_history.actor": "audit.actor",

	// A request over one's data names the person and says what they
	// asked; it is kept as the proof of the answer.
	"rights_requests.ref":              "rights-request.record",
	"rights_requests.details":          "rights-request.record",
	"rights_requests.answer":           "rights-request.record",
	"rights_requests.extension_reason": "rights-request.record",
	"rights_requests.recorded_by":      "audit.actor",
	"rights_requests.answered_by":      "audit.actor",

	// The journal of who read personal data names its readers.
	"personal_reads.read_at": "access-log.reader",
	"personal_reads.user_id": "access-log.reader",
	"personal_reads.actor":   "access-log.reader",
	"personal_reads.org_id":  "access-log.reader",
	"personal_reads.what":    "access-log.reader",
	"personal_reads.export":  "access-log.reader",
	"personal_reads.records": "access-log.reader",
	"personal_reads.fields":  "access-log.reader",
	"personal_reads.reason":  "access-log.reader",

	// A venue import waiting for its confirmation: the person who checked
	// it (purged 30 minutes after, like a short session), and the file's
	// lines, which hold the venues' public contacts.
	"venue_imports.user_id":      "session.connection",
	"venue_imports.lines":        "venue.contact",
	"venues.phone":               "venue.contact",
	"venues.emails":              "venue.contact",
	"venues.websites":            "venue.contact",
	"venues.bank_holder":         "venue.bank",
	"venues.bank_iban":           "venue.bank",
	"venues.bank_bic":            "venue.bank",
	"venues.questionnaire":       "venue.application",
	"venues.charter_version":     "venue.application",
	"venues.charter_accepted_at": "venue.application",
}

// impersonal are the tables (table.*) and columns that hold no personal
// data, each group with why. A column in neither list fails the test: its
// writer says which it is.
var impersonal = []string{
	// Calls for projects and applications: between organisations (legal
	// persons), the thread of questions and answers signed by the
	// organisation, not a person.
	"calls.*", "applications.*", "application_members.*", "application_lines.*", "application_messages.*",
	"conventions.*", "convention_amounts.*", "convention_parties.*", "convention_programmes.*",
	"convention_addenda.*", "addendum_lines.*", "fund_calls.*",
	// The files an organisation joins to its application (a deliberation,
	// a budget), uploaded by the organisation like its answers.
	"application_attachments.*",
	// Programmes, money in, stock: figures and codes of no one.
	"programmes.*", "programme_funders.*", "payment_orders.*", "batches.*", "signing_keys.*", "sealing_keys.*", "keys_moved.*",
	"credit_notes.*", "funder_charges.*", "entries.*", "payer_account.*", "indicator_cells.*",
	"indicator_snapshots.*", "indicator_facts.carnet_number", "indicator_facts.digest", "directory_version.*", "storage_probe.*", "schema_migrations.*",
	"catalogue_services.*", "venue_places.*", "api_tokens.*",
	// Organisations are legal persons; their members are in users.
	"organisations.*", "memberships.org_id", "memberships.role",
	"beneficiaries.id",
	"carnets.number", "carnets.programme_id", "carnets.batch_id", "carnets.size", "carnets.first_serial",
	"carnets.prescriber_id", "carnets.allocated_at",
	"passes.serial", "passes.carnet", "passes.programme_id", "passes.code", "passes.state", "passes.activated_at",
	"passes.blocked_from", "passes.block_scope", "passes.block_reason",
	"redemptions.id", "redemptions.venue_id", "redemptions.service_id", "redemptions.idempotency_key", "redemptions.request_hash",
	"redemptions.passes", "redemptions.amount_cents", "redemptions.created_at", "redemptions.voided_at", "redemptions.session_id",
	"redemption_passes.redemption_id", "redemption_passes.programme_id", "redemption_passes.voided",
	"statement_lines.statement_id", "statement_lines.programme_id", "statement_lines.service_id", "statement_lines.session_id",
	"statement_lines.amount_cents", "statement_lines.charged", "statement_lines.rejected",
	"statements.*", "settlement_runs.id", "settlement_runs.cut_off", "settlement_runs.statements", "settlement_runs.passes",
	"settlement_runs.amount_cents", "settlement_runs.created_at",
	"payment_batches.id", "payment_batches.message_id", "payment_batches.execution_date", "payment_batches.statements",
	"payment_batches.control_sum_cents", "payment_batches.created_at",
	"postings.id", "postings.kind", "postings.ref", "postings.created_at",
	"qualification_history.id", "qualification_history.venue_id", "qualification_history.status", "qualification_history.reason",
	"qualification_history.created_at",
	"audit_log.id", "audit_log.created_at", "audit_log.action",
	// The retention job's runs (their actor is audit.actor): counts per
	// kind of record, and the lease that lets one server run it.
	"retention_runs.id", "retention_runs.started_at", "retention_runs.finished_at", "retention_runs.status", "retention_runs.error",
	"retention_run_counts.*", "retention_lease.*",
	// The journal's chain and anchors: places, ids and SHA-256 hashes,
	// from which no entry's content can be read back.
	"audit_chain.*", "audit_anchors.*",
	"rights_requests.id", "rights_requests.kind", "rights_requests.channel", "rights_requests.received_on", "rights_requests.due_on",
	"rights_requests.answered_on", "rights_requests.org_id", "rights_requests.created_at",
	"users.id", "users.created_at", "sessions.id", "personal_reads.id",
	"second_factors.id", "second_factors.kind", "second_factors.totp_step", "second_factors.totp_key_id", "recovery_codes.id", "recovery_codes.created_at",
	"sessions.second_factor_pending",
	"password_resets.id", "password_resets.created_at", "password_resets.expires_at", "password_resets.used_at",
	"outbox.id", "outbox.created_at", "outbox.sent_at", "outbox.kind",
	// The delivery of a message: its state, attempts, the sender that
	// claims it and the hash of its unsubscribe link's secret.
	"outbox.state", "outbox.attempts", "outbox.next_attempt_at", "outbox.claimed_by", "outbox.claimed_until", "outbox.unsubscribe_hash",
	"provider_links.id", "provider_links.issuer", "provider_links.created_at",
	"mail_opt_outs.created_at",
	"users.confirmed_at", "account_links.id", "account_links.purpose", "account_links.org_id", "account_links.role",
	"account_links.created_at", "account_links.expires_at", "account_links.used_at",
	// What the daily reminders told, by kind, record number and date:
	// organisations, programmes and requests, never a person.
	"mail_reminders.*",
	// A venue import waiting: its file's name and size, mode, token hash
	// and instants.
	"venue_imports.id", "venue_imports.token_hash", "venue_imports.name", "venue_imports.valid_lines",
	"venue_imports.row_count", "venue_imports.created_at", "venue_imports.expires_at",
	// Background jobs (what they do, on which programme, their progress
	// and outcome) and the periods scheduled jobs claimed: no person.
	"jobs.*", "job_progress.*", "schedule_claims.*",
	// A session of a workshop is the venue's; its people are its
	// registrations.
	"workshop_sessions.id", "workshop_sessions.service_id", "workshop_sessions.venue_id", "workshop_sessions.place_id",
	"workshop_sessions.starts_at", "workshop_sessions.duration_minutes", "workshop_sessions.capacity", "workshop_sessions.note",
	"workshop_sessions.registered", "workshop_sessions.created_at", "workshop_sessions.cancelled_at",
	"workshop_registrations.id", "workshop_registrations.session_id", "workshop_registrations.created_at",
	"workshop_registrations.cancelled_at", "workshop_registrations.attendance_at",
	// What was done, without who it was done for.
	"activity_reports.id", "activity_reports.venue_id", "activity_reports.format", "activity_reports.report_date",
	"activity_reports.duration_minutes", "activity_reports.themes", "activity_reports.autonomy", "activity_reports.place_id",
	"activity_reports.place_kind", "activity_reports.participants", "activity_reports.session_id", "activity_reports.redemption_id",
	"activity_reports.passes_used", "activity_reports.created_at",
	"activity_report_people.report_id",
	// A venue's public description (the national standard), but for its
	// contacts, bank account and application above.
	"venues.org_id", "venues.id", "venues.pivot", "venues.commune", "venues.postal_code", "venues.code_insee", "venues.address",
	"venues.address_complement", "venues.latitude", "venues.longitude", "venues.typology", "venues.opening_hours",
	"venues.summary", "venues.detail", "venues.source", "venues.roaming", "venues.parent", "venues.updated_on",
	"venues.services", "venues.publics", "venues.supports", "venues.fees", "venues.national_schemes", "venues.labels",
	"venues.other_labels", "venues.access_modes", "venues.support_modes", "venues.accessibility_sheet",
	"venues.appointment_url", "venues.updated_at",
}

// TestPersonalColumnsDeclared reads every column of the migrated schema:
// each is either personal, and then mapped to a declared field, or listed
// as holding no personal data; no column is both, and no entry names a
// column the schema does not have.
func TestPersonalColumnsDeclared(t *testing.T) {
	env := st.OpenSQLite(t)
	columns, err := sqlstore.QueryStrings(env.Store, `SELECT m.name || '.' || c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	if len(columns) < 200 {
		t.Fatalf("only %d columns in the schema: is the query broken?", len(columns))
	}
	plain := map[string]bool{}
	for _, c := range impersonal {
		if plain[c] {
			t.Errorf("%s is listed twice as impersonal", c)
		}
		plain[c] = true
	}
	exists, tables := map[string]bool{}, map[string]bool{}
	for _, c := range columns {
		exists[c] = true
		table, _, _ := strings.Cut(c, ".")
		tables[table+".*"] = true
		key, personal := personalColumns[c]
		isPlain := plain[c] || plain[table+".*"]
		switch {
		case personal && isPlain:
			t.Errorf("%s is both personal (%s) and listed as impersonal", c, key)
		case personal && passnum.FindPersonalField(key) == nil:
			t.Errorf("%s is mapped to %q, which passnum.PersonalFields does not declare", c, key)
		case !personal && !isPlain:
			t.Errorf("column %s is not classified: map it to its declared personal field in personalColumns, or list it as impersonal", c)
		}
	}
	for c := range personalColumns {
		if !exists[c] {
			t.Errorf("personalColumns names %s, which is no column", c)
		}
	}
	for _, c := range impersonal {
		if !exists[c] && !tables[c] {
			t.Errorf("impersonal names %s, which is no column nor table", c)
		}
	}
}
