package sqlstore_test

import (
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// BenchmarkPersonalRead is what journaling costs a read of personal data:
// the prescriber reads a person's record (journaled: a write transaction
// after the read) beside reading the carnet it handed the person (not
// journaled), on the fixture's data; then the operator's administrators
// read a page of 50 entries of a journal of 10 000, filtered by person.
func BenchmarkPersonalRead(b *testing.B) {
	benchStores(b, func(b *testing.B, env *st.Env) {
		f := st.NewFixture(b, env, st.Options{})
		s := env.Store
		presc := st.As(st.Actor(f.Prescriber, passnum.RoleAgent))
		c, err := s.FindCarnet(presc, f.Batch.FirstCarnet)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("carnet, not journaled", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.FindCarnet(presc, c.Number); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("record, journaled", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.FindBeneficiary(presc, c.BeneficiaryRef); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("record, journaled, 8 readers at once", func(b *testing.B) {
			b.SetParallelism(4) // GOMAXPROCS is 2 on the machine of the figures
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.FindBeneficiary(presc, c.BeneficiaryRef); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
		// A journal of 10 000 more entries, a tenth of them about the
		// person, written behind the store's back to be quick.
		if err := sqlstore.ExecRaw(s, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
			INSERT INTO personal_reads (read_at, user_id, actor, org_id, what, export, records, fields, reason)
			SELECT '2027-03-01T10:00:00.000000Z', NULL, 'bench', NULL, 'beneficiary', '',
				CASE WHEN i % 10 = 0 THEN ' beneficiary:`+c.BeneficiaryRef+` ' ELSE ' beneficiary:B-OTHER ' END, ' beneficiary.ref ', '' FROM n`); err != nil {
			b.Fatal(err)
		}
		b.Run("journal page by record", func(b *testing.B) {
			for b.Loop() {
				if list, _, err := s.ListPersonalReads(st.As(f.Operator), passnum.PersonalReadFilter{Record: c.BeneficiaryRef, Limit: 50}); err != nil || len(list) != 50 {
					b.Fatalf("%d entries, %v", len(list), err)
				}
			}
		})
	})
}
