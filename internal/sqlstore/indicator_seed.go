package sqlstore

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/passnum/passnum"
)

// HistorySeed shapes SeedHistory.
type HistorySeed struct {
	ProgrammeID int64
	Prescribers []int64  // carnets are dealt to them in turn
	Venues      []int64  // with Services[i] at Venues[i]
	Services    []int64  // 1-pass services
	Communes    []string // where people live, drawn at random
	// Start is the first day of the story: carnets are allocated then,
	// handed out over the next 300 days, and used weekly from three days
	// after; it must be at least 400 days before now.
	Start time.Time
	// Distributed is the share of carnets handed out, Used the mean share
	// of a handed carnet's passes used (each use is one redemption of one
	// pass), both in basis points.
	Distributed, Used int
	Seed              uint64
}

// SeedHistory is for benchmarks only (internal/bench): it gives a
// programme whose passes are all activated and none allocated a realistic
// history — carnets allocated to prescribers, most handed to people of
// various communes and ages, about half of the passes used one by one at
// venues over a year — writing what Allocate, Distribute and Redeem would
// (carnets, beneficiaries, redemptions and their lines, pass states, the
// redemption postings, one per venue) with set-based SQL, because ten
// million passes through the API would take a day. CheckInvariants holds
// afterwards. It returns the number of redemptions.
func (s *Store) SeedHistory(ctx context.Context, h HistorySeed, progress func(step string)) (int64, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActIssue); err != nil {
		return 0, err
	}
	if len(h.Venues) == 0 || len(h.Venues) != len(h.Services) || len(h.Prescribers) == 0 || len(h.Communes) == 0 {
		return 0, fmt.Errorf("seed history: %d venues, %d services, %d prescribers, %d communes", len(h.Venues), len(h.Services), len(h.Prescribers), len(h.Communes))
	}
	say := func(step string) {
		if progress != nil {
			progress(step)
		}
	}
	var redemptions int64
	err := s.write(ctx, "seed history", func(tx *tx) error {
		p, err := tx.settings(h.ProgrammeID)
		if err != nil {
			return err
		}
		carnets, err := selectAll(tx, func(sc scanner) (seedCarnet, error) {
			var c seedCarnet
			return c, sc.Scan(&c.number, &c.size)
		}, `SELECT number, size FROM carnets WHERE programme_id = ? AND prescriber_id IS NULL ORDER BY number`, h.ProgrammeID)
		if err != nil {
			return err
		}
		r := mrand.New(mrand.NewPCG(h.Seed, uint64(h.ProgrammeID)))
		say("jours")
		if err := tx.seedStory(h); err != nil {
			return err
		}
		say("personnes")
		plans, people := planCarnets(h, carnets, r)
		if err := tx.seedPeople(h, plans, people, r); err != nil {
			return err
		}
		say("carnets")
		if err := tx.seedCarnets(h, plans); err != nil {
			return err
		}
		say("encaissements")
		if redemptions, err = tx.seedUses(h, p); err != nil {
			return err
		}
		for _, table := range []string{"seed_days", "seed_venues", "seed_carnets"} {
			if err := tx.exec(`DROP TABLE ` + table); err != nil {
				return err
			}
		}
		return tx.audit("bench.seed_history", fmt.Sprintf("programme:%d", h.ProgrammeID),
			fmt.Sprintf("%d carnets, %d people, %d redemptions", len(carnets), len(people), redemptions))
	})
	return redemptions, err
}

// seedCarnet is a carnet that SeedHistory hands out.
type seedCarnet struct{ number, size int64 }

// seedPlan is a carnet's story: its prescriber, the person it is handed to
// (0: none) on which day of the story, how many of its passes are used, and
// at which venue (a slot of seed_venues).
type seedPlan struct {
	number, prescriber, person, day, uses, slot int64
}

// seedDays is how many days the story has.
const seedDays = 400

// seedStory writes the temporary tables of the story's days, as text
// instants so that SQL can pick one by number on both stores, and of its
// venues.
func (t *tx) seedStory(h HistorySeed) error {
	if err := t.exec(`CREATE TEMP TABLE seed_days (day BIGINT PRIMARY KEY, at TEXT NOT NULL)`); err != nil {
		return err
	}
	if err := t.bulkInsert("seed_days", []string{"day", "at"}, seedDays, func(i int, row []any) {
		row[0], row[1] = int64(i), passnum.FormatTime(h.Start.AddDate(0, 0, i).Add(time.Duration(9+i%8)*time.Hour))
	}, nil); err != nil {
		return err
	}
	if err := t.exec(`CREATE TEMP TABLE seed_venues (slot BIGINT PRIMARY KEY, venue_id BIGINT NOT NULL, service_id BIGINT NOT NULL)`); err != nil {
		return err
	}
	return t.bulkInsert("seed_venues", []string{"slot", "venue_id", "service_id"}, len(h.Venues), func(i int, row []any) {
		row[0], row[1], row[2] = int64(i), h.Venues[i], h.Services[i]
	}, nil)
}

// planCarnets draws each carnet's story: one person per handed carnet,
// who, when, where and how many of its passes are used. It returns the
// plans and the indexes of the handed carnets.
func planCarnets(h HistorySeed, carnets []seedCarnet, r *mrand.Rand) (plans []seedPlan, people []int) {
	plans = make([]seedPlan, len(carnets))
	for i, c := range carnets {
		pl := seedPlan{number: c.number, prescriber: h.Prescribers[i%len(h.Prescribers)], slot: int64(r.IntN(len(h.Venues)))}
		if r.IntN(passnum.BasisPoints) < h.Distributed {
			pl.day = int64(1 + r.IntN(300))
			// Uses: from none to all, with the mean Used.
			for k := int64(0); k < c.size; k++ {
				if r.IntN(passnum.BasisPoints) < h.Used {
					pl.uses++
				}
			}
			people = append(people, i)
		}
		plans[i] = pl
	}
	return plans, people
}

// seedPeople writes the people of the handed carnets, of various communes
// and ages, and sets each plan's person.
func (t *tx) seedPeople(h HistorySeed, plans []seedPlan, people []int, r *mrand.Rand) error {
	var firstPerson int64
	if err := t.get(&firstPerson, `SELECT COALESCE(MAX(id), 0) + 1 FROM beneficiaries`); err != nil {
		return err
	}
	bands := append([]string{""}, passnum.AgeBands...)
	if err := t.bulkInsert("beneficiaries", []string{"id", "ref", "birth_year", "age_band", "commune_insee", "needs", "consent_at", "prescriber_id", "created_at"}, len(people),
		func(i int, row []any) {
			pl := &plans[people[i]]
			pl.person = firstPerson + int64(i)
			at := h.Start.AddDate(0, 0, int(pl.day))
			var birth any
			band := bands[r.IntN(len(bands))]
			if band == "" {
				birth = int64(1935 + r.IntN(75))
			}
			row[0], row[1], row[2], row[3], row[4] = pl.person, fmt.Sprintf("SEED-%d-%d", h.ProgrammeID, pl.number), birth, nullable(band), h.Communes[r.IntN(len(h.Communes))]
			row[5], row[6], row[7], row[8] = "Maîtrise des outils numériques du quotidien", passnum.Today(at), pl.prescriber, passnum.FormatTime(at)
		}, nil); err != nil {
		return err
	}
	// Rows given their id: move the sequence past them.
	return t.s.dialect.resetSequence(t, "beneficiaries")
}

// seedCarnets allocates every carnet of the plans to its prescriber on the
// first day, hands those with a person to them on their day, and moves
// their passes' states along.
func (t *tx) seedCarnets(h HistorySeed, plans []seedPlan) error {
	if err := t.exec(`CREATE TEMP TABLE seed_carnets (number BIGINT PRIMARY KEY, prescriber BIGINT NOT NULL, person BIGINT, day BIGINT NOT NULL, uses BIGINT NOT NULL, slot BIGINT NOT NULL)`); err != nil {
		return err
	}
	if err := t.bulkInsert("seed_carnets", []string{"number", "prescriber", "person", "day", "uses", "slot"}, len(plans), func(i int, row []any) {
		pl := plans[i]
		var person any
		if pl.person != 0 {
			person = pl.person
		}
		row[0], row[1], row[2], row[3], row[4], row[5] = pl.number, pl.prescriber, person, pl.day, pl.uses, pl.slot
	}, nil); err != nil {
		return err
	}
	if err := t.exec(`UPDATE carnets SET
				prescriber_id = (SELECT s.prescriber FROM seed_carnets s WHERE s.number = carnets.number),
				allocated_at = (SELECT at FROM seed_days WHERE day = 0),
				beneficiary_id = (SELECT s.person FROM seed_carnets s WHERE s.number = carnets.number),
				distributed_at = (SELECT d.at FROM seed_carnets s JOIN seed_days d ON d.day = s.day WHERE s.number = carnets.number AND s.person IS NOT NULL),
				distributed_by = (SELECT 'bench' FROM seed_carnets s WHERE s.number = carnets.number AND s.person IS NOT NULL)
			WHERE programme_id = ? AND prescriber_id IS NULL`, h.ProgrammeID); err != nil {
		return err
	}
	if err := t.exec(`UPDATE passes SET state = 'allocated' WHERE programme_id = ? AND state = 'activated'`, h.ProgrammeID); err != nil {
		return err
	}
	return t.exec(`UPDATE passes SET state = 'distributed' WHERE programme_id = ? AND state = 'allocated'
			AND carnet IN (SELECT number FROM seed_carnets WHERE person IS NOT NULL)`, h.ProgrammeID)
}

// seedUses redeems a carnet's first uses passes, one a week from three
// days after it was handed out, at its venue, and posts their value: it
// returns the number of redemptions.
func (t *tx) seedUses(h HistorySeed, p *passnum.Programme) (int64, error) {
	if err := t.exec(`INSERT INTO redemptions (venue_id, service_id, actor, idempotency_key, request_hash, passes, amount_cents, created_at)
			SELECT v.venue_id, v.service_id, 'bench', 'seed-' || CAST(p.serial AS TEXT), '', 1, ?, d.at
			FROM passes p
			JOIN carnets c ON c.number = p.carnet
			JOIN seed_carnets s ON s.number = p.carnet
			JOIN seed_venues v ON v.slot = s.slot
			JOIN seed_days d ON d.day = s.day + 3 + 7 * (p.serial - c.first_serial)
			WHERE p.programme_id = ? AND p.serial - c.first_serial < s.uses`, p.FaceValueCents, h.ProgrammeID); err != nil {
		return 0, err
	}
	if err := t.exec(`INSERT INTO redemption_passes (redemption_id, serial, programme_id)
			SELECT r.id, p.serial, p.programme_id
			FROM passes p
			JOIN carnets c ON c.number = p.carnet
			JOIN seed_carnets s ON s.number = p.carnet
			JOIN seed_venues v ON v.slot = s.slot
			JOIN redemptions r ON r.venue_id = v.venue_id AND r.idempotency_key = 'seed-' || CAST(p.serial AS TEXT)
			WHERE p.programme_id = ? AND p.serial - c.first_serial < s.uses`, h.ProgrammeID); err != nil {
		return 0, err
	}
	n, err := t.execN(`UPDATE passes SET state = 'redeemed',
				redemption_id = (SELECT l.redemption_id FROM redemption_passes l WHERE l.serial = passes.serial AND l.voided = 0),
				venue_id = (SELECT r.venue_id FROM redemption_passes l JOIN redemptions r ON r.id = l.redemption_id WHERE l.serial = passes.serial AND l.voided = 0),
				redeemed_at = (SELECT r.created_at FROM redemption_passes l JOIN redemptions r ON r.id = l.redemption_id WHERE l.serial = passes.serial AND l.voided = 0)
			WHERE programme_id = ? AND state = 'distributed'
			AND serial IN (SELECT serial FROM redemption_passes WHERE programme_id = ? AND voided = 0)`, h.ProgrammeID, h.ProgrammeID)
	if err != nil {
		return 0, err
	}
	return n, t.postSeededRedemptions(p, func(venue int64) string { return fmt.Sprintf("seed:programme:%d:venue:%d", h.ProgrammeID, venue) },
		`SELECT venue_id, COUNT(*) FROM passes WHERE programme_id = ? AND state = 'redeemed' GROUP BY venue_id ORDER BY venue_id`, h.ProgrammeID)
}

// postSeededRedemptions posts the value of the passes a seed redeemed, one
// posting a venue where Redeem would write one a redemption: q gives each
// venue and its number of passes.
func (t *tx) postSeededRedemptions(p *passnum.Programme, ref func(venue int64) string, q string, args ...any) error {
	type vc struct{ venue, n int64 }
	counts, err := selectAll(t, func(sc scanner) (vc, error) {
		var c vc
		return c, sc.Scan(&c.venue, &c.n)
	}, q, args...)
	if err != nil {
		return err
	}
	for _, c := range counts {
		if err := t.post("redemption", ref(c.venue),
			passnum.Move(p.ID, passnum.AccountPassesLive, 0, passnum.AccountVenuePayable, c.venue, c.n*p.FaceValueCents)); err != nil {
			return err
		}
	}
	return nil
}
