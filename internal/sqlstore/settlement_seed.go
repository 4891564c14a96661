package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/passnum/passnum"
)

// SeedRedemptions is for benchmarks only (internal/bench): it hands every
// carnet of a programme whose passes are all activated, none allocated to one beneficiary of prescriber and
// redeems all their passes at once, one redemption per carnet, the carnets
// dealt in turn to venues (each with its 1-pass service in services),
// redeemed at at. It writes what Distribute and Redeem would — carnets,
// redemptions and their lines, pass states, the redemption postings (one
// per venue) — in one transaction with set-based SQL, because a million
// redemptions through the API would take the benchmark an hour to set up;
// CheckInvariants holds afterwards. It returns the number of passes
// redeemed.
func (s *Store) SeedRedemptions(ctx context.Context, programmeID, prescriberID int64, venues, services []int64, at time.Time) (int64, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActIssue); err != nil {
		return 0, err
	}
	if len(venues) == 0 || len(venues) != len(services) {
		return 0, fmt.Errorf("seed redemptions: %d venues, %d services", len(venues), len(services))
	}
	var total int64
	err := s.write(ctx, "seed redemptions", func(tx *tx) error {
		total = 0
		p, err := tx.settings(programmeID)
		if err != nil {
			return err
		}
		when := passnum.FormatTime(at)
		benID, err := tx.insert(`INSERT INTO beneficiaries (ref, birth_year, commune_insee, needs, consent_at, prescriber_id, created_at)
			VALUES (?, 1950, '35238', 'Maîtrise des outils numériques du quotidien', ?, ?, ?)`,
			fmt.Sprintf("BENCH-%d-%d", programmeID, at.UnixNano()), passnum.Today(at), prescriberID, when)
		if err != nil {
			return err
		}
		if err := tx.exec(`UPDATE carnets SET prescriber_id = ?, beneficiary_id = ?, allocated_at = ?, distributed_at = ?, distributed_by = 'bench'
			WHERE programme_id = ? AND prescriber_id IS NULL`,
			prescriberID, benID, when, when, programmeID); err != nil {
			return err
		}
		// Carnet number modulo the number of venues picks the venue, from
		// a temporary table: each statement below is one pass over the
		// programme's rows.
		n := int64(len(venues))
		if err := tx.exec(`CREATE TEMP TABLE seed_venues (slot BIGINT PRIMARY KEY, venue_id BIGINT NOT NULL, service_id BIGINT NOT NULL)`); err != nil {
			return err
		}
		for i, venue := range venues {
			if err := tx.exec(`INSERT INTO seed_venues (slot, venue_id, service_id) VALUES (?, ?, ?)`, int64(i), venue, services[i]); err != nil {
				return err
			}
		}
		if err := tx.exec(`INSERT INTO redemptions (venue_id, service_id, actor, idempotency_key, request_hash, passes, amount_cents, created_at)
			SELECT v.venue_id, v.service_id, 'bench', 'bench-' || CAST(c.number AS TEXT), '', c.size, c.size * ?, ?
			FROM carnets c JOIN seed_venues v ON v.slot = c.number % ?
			WHERE c.programme_id = ? AND c.beneficiary_id = ?`, p.FaceValueCents, when, n, programmeID, benID); err != nil {
			return err
		}
		if err := tx.exec(`INSERT INTO redemption_passes (redemption_id, serial, programme_id)
			SELECT r.id, p.serial, p.programme_id FROM passes p
			JOIN carnets c ON c.number = p.carnet
			JOIN seed_venues v ON v.slot = c.number % ?
			JOIN redemptions r ON r.venue_id = v.venue_id AND r.idempotency_key = 'bench-' || CAST(c.number AS TEXT)
			WHERE p.programme_id = ? AND c.beneficiary_id = ?`, n, programmeID, benID); err != nil {
			return err
		}
		m, err := tx.execN(`UPDATE passes SET state = 'redeemed', redeemed_at = ?,
			venue_id = (SELECT v.venue_id FROM seed_venues v WHERE v.slot = passes.carnet % ?),
			redemption_id = (SELECT l.redemption_id FROM redemption_passes l WHERE l.serial = passes.serial AND l.voided = 0)
			WHERE programme_id = ? AND state = 'activated'
			AND carnet IN (SELECT number FROM carnets WHERE programme_id = ? AND beneficiary_id = ?)`,
			when, n, programmeID, programmeID, benID)
		if err != nil {
			return err
		}
		total = m
		if err := tx.postSeededRedemptions(p, func(venue int64) string { return fmt.Sprintf("bench:venue:%d", venue) },
			`SELECT venue_id, COUNT(*) FROM passes WHERE programme_id = ? AND state = 'redeemed' AND redeemed_at = ? GROUP BY venue_id ORDER BY venue_id`, programmeID, when); err != nil {
			return err
		}
		if err := tx.exec(`DROP TABLE seed_venues`); err != nil {
			return err
		}
		return tx.audit("bench.seed_redemptions", fmt.Sprintf("programme:%d", programmeID), fmt.Sprintf("%d passes at %d venues", total, len(venues)))
	})
	return total, err
}
