package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/passnum/passnum"
)

// The journal of who read personal data (passnum.PersonalRead). Reads run
// in read-only transactions, on SQLite on connections that cannot write:
// a method that hands out personal data writes its journal entry in a
// transaction of its own after the read and before it returns, and
// returns nothing but the error when that write fails, so that no data
// leaves the store unjournaled.

// journalRead writes the entry of a read by a: what was read, its
// records and the declared fields. The context gives the reason and, for
// an export, the file. Nothing read, nothing written.
func (s *Store) journalRead(ctx context.Context, a *passnum.Actor, what string, records, fields []string) error {
	if len(records) == 0 {
		return nil
	}
	export := passnum.ExportFrom(ctx)
	if export != "" {
		what = passnum.ReadExport
	}
	reason := passnum.ReadReasonFrom(ctx)
	if err := passnum.CheckReadReason(reason); err != nil {
		return err
	}
	var userID, orgID any
	label := "system"
	if a != nil {
		label = a.Label
		if a.UserID != 0 {
			userID = a.UserID
		}
		if a.OrgID != 0 {
			orgID = a.OrgID
		}
	}
	err := s.write(context.WithoutCancel(ctx), "journal read", func(tx *tx) error {
		return tx.exec(`INSERT INTO personal_reads (read_at, user_id, actor, org_id, what, export, records, fields, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tx.nowText(), userID, label, orgID, what, export, spaced(records), spaced(fields), reason)
	})
	if err != nil {
		return fmt.Errorf("journal the read of %s: %w", what, err)
	}
	return nil
}

// spaced joins a list with spaces, and a space at both ends (the shape the
// journal's LIKE filters rely on).
func spaced(list []string) string {
	return " " + strings.Join(list, " ") + " "
}

// readable keeps, of keys, the declared fields kind receives.
func readable(kind passnum.OrgKind, keys ...string) []string {
	var out []string
	for _, k := range keys {
		if f := passnum.FindPersonalField(k); f != nil && f.ReadableBy(kind) {
			out = append(out, k)
		}
	}
	return out
}

// beneficiaryFields are the declared fields of a beneficiary's record.
var beneficiaryFields = []string{"beneficiary.ref", "beneficiary.birth_year", "beneficiary.age_band", "beneficiary.commune",
	"beneficiary.needs", "beneficiary.autonomy", "beneficiary.consent", "beneficiary.prescriber", "beneficiary.restriction"}

// journalBeneficiaries journals the reading of beneficiaries' records.
func (s *Store) journalBeneficiaries(ctx context.Context, a *passnum.Actor, what string, list ...*passnum.Beneficiary) error {
	var records []string
	for _, b := range list {
		if b != nil && b.Ref != "" {
			records = append(records, "beneficiary:"+b.Ref)
		}
	}
	return s.journalRead(ctx, a, what, records, readable(a.OrgKind, beneficiaryFields...))
}

// journalReports journals the notes and linked people of activity reports
// as a received them (redacted): the reports and the people they name.
func (s *Store) journalReports(ctx context.Context, a *passnum.Actor, reports []*passnum.ActivityReport) error {
	var records, people []string
	notes, linked := false, false
	for _, r := range reports {
		if r.Notes == "" && len(r.BeneficiaryRefs) == 0 {
			continue
		}
		records = append(records, fmt.Sprintf("activity-report:%d", r.ID))
		notes = notes || r.Notes != ""
		linked = linked || len(r.BeneficiaryRefs) > 0
		for _, ref := range r.BeneficiaryRefs {
			people = append(people, "beneficiary:"+ref)
		}
	}
	slices.Sort(people)
	records = append(records, slices.Compact(people)...)
	var fields []string
	if notes {
		fields = append(fields, "activity.notes")
	}
	if linked {
		fields = append(fields, "activity.people")
	}
	return s.journalRead(ctx, a, passnum.ReadNotes, records, fields)
}

// journalPersonalData journals the gathering of everything held about a
// person (the right of access): the record and what of it was gathered.
func (s *Store) journalPersonalData(ctx context.Context, a *passnum.Actor, d *passnum.PersonalData) error {
	keys := append([]string{"carnet.holder"}, beneficiaryFields...)
	if len(d.PassUses) > 0 {
		keys = append(keys, "pass.use")
	}
	if len(d.Workshops) > 0 {
		keys = append(keys, "registration.person")
	}
	if len(d.Activities) > 0 {
		keys = append(keys, "activity.people")
		for _, act := range d.Activities {
			if act.Notes != "" {
				keys = append(keys, "activity.notes")
				break
			}
		}
	}
	return s.journalRead(ctx, a, passnum.ReadRights, []string{"beneficiary:" + d.Beneficiary.Ref}, readable(a.OrgKind, keys...))
}

const personalReadColumns = `r.id, r.read_at, COALESCE(r.user_id, 0), COALESCE(u.name, ''), r.actor, COALESCE(r.org_id, 0), COALESCE(o.name, ''),
	r.what, r.export, r.records, r.fields, r.reason`

func scanPersonalRead(sc scanner) (*passnum.PersonalRead, error) {
	var p passnum.PersonalRead
	var at, records, fields string
	if err := sc.Scan(&p.ID, &at, &p.UserID, &p.UserName, &p.Actor, &p.OrgID, &p.OrgName, &p.What, &p.Export, &records, &fields, &p.Reason); err != nil {
		return nil, err
	}
	in := instants{table: "personal_reads", id: p.ID}
	p.ReadAt = in.at("read_at", at)
	p.Records, p.Fields = strings.Fields(records), strings.Fields(fields)
	return &p, in.err
}

// ListPersonalReads lists the journal, the newest first (the operator's
// administrators). Read for an export, the reading is journaled too: the
// entries exported are records of their own.
func (s *Store) ListPersonalReads(ctx context.Context, f passnum.PersonalReadFilter) ([]*passnum.PersonalRead, int, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActPersonalReadsRead); err != nil {
		return nil, 0, err
	}
	from, to, err := f.Bounds()
	if err != nil {
		return nil, 0, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if f.UserID != 0 {
		where, args = append(where, "r.user_id = ?"), append(args, f.UserID)
	}
	if f.OrgID != 0 {
		where, args = append(where, "r.org_id = ?"), append(args, f.OrgID)
	}
	if key := f.RecordKey(); key != "" {
		if err := passnum.CheckLine("record", key); err != nil {
			return nil, 0, err
		}
		where, args = append(where, `r.records LIKE ? ESCAPE '\'`), append(args, "% "+likeEscape(key)+" %")
	}
	if from != "" {
		where, args = append(where, "r.read_at >= ?"), append(args, from)
	}
	if to != "" {
		where, args = append(where, "r.read_at < ?"), append(args, to)
	}
	cond := strings.Join(where, " AND ")
	offset, limit := page(f.Offset, f.Limit)
	var out []*passnum.PersonalRead
	var total int
	err = s.read(ctx, func(tx *tx) error {
		if err := tx.get(&total, `SELECT COUNT(*) FROM personal_reads r WHERE `+cond, args...); err != nil {
			return err
		}
		var err error
		out, err = selectAll(tx, scanPersonalRead, `SELECT `+personalReadColumns+` FROM personal_reads r
			LEFT JOIN users u ON u.id = r.user_id LEFT JOIN organisations o ON o.id = r.org_id
			WHERE `+cond+` ORDER BY r.read_at DESC, r.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("personal reads: %w", err)
	}
	if out == nil {
		out = []*passnum.PersonalRead{}
	}
	if passnum.ExportFrom(ctx) != "" {
		records := make([]string, len(out))
		for i, p := range out {
			records[i] = fmt.Sprintf("personal-read:%d", p.ID)
		}
		if err := s.journalRead(ctx, a, passnum.ReadExport, records, []string{"access-log.reader"}); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// likeEscape escapes the wildcards of LIKE, with \ as the escape.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
