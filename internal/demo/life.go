package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/passnum/passnum"
)

var paris = loadParis()

func loadParis() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600) // as the domain does without tzdata
	}
	return loc
}

// timeline spreads the demo's events between start and end (now).
type timeline struct {
	start, end time.Time
	// office tells whether the span is long enough to put events at
	// office hours rather than at raw fractions of the span.
	office bool
}

// newTimeline covers the eight weeks before now, or less in early January:
// the passes are valid from 1 January only.
func newTimeline(now time.Time) timeline {
	yearStart := time.Date(now.In(paris).Year(), 1, 1, 0, 0, 0, 0, paris)
	start := now.Add(-8 * 7 * 24 * time.Hour)
	if start.Before(yearStart) {
		start = yearStart
	}
	return timeline{start: start, end: now, office: now.Sub(start) >= 14*24*time.Hour}
}

// at returns the instant at a fraction of the span.
func (tl timeline) at(frac float64) time.Time {
	return tl.start.Add(time.Duration(frac * float64(tl.end.Sub(tl.start))))
}

// officeHours moves t to hh:mm on the same day in Paris when the timeline
// allows it and the result stays strictly between after and before.
func (tl timeline) officeHours(t time.Time, hh, mm int, after, before time.Time) time.Time {
	if !tl.office {
		return t
	}
	l := t.In(paris)
	c := time.Date(l.Year(), l.Month(), l.Day(), hh, mm, 0, 0, paris)
	if c.After(after) && c.Before(before) {
		return c
	}
	return t
}

// carnetPlan is one carnet handed to a person, and what they do with it.
type carnetPlan struct {
	number     int64
	prescriber int
	at         time.Time
	input      passnum.BeneficiaryInput
	workshops  int
	used       int // passes spent so far in the plan
	last       time.Time
	blocked    bool
	sample     bool
	ref        string // the person's reference, once handed out
}

type redemptionPlan struct {
	carnet  *carnetPlan
	venue   *venue
	service *passnum.CatalogueService
	serials []int64
	at      time.Time
	id      int64 // once redeemed
	voided  bool
}

type event struct {
	at  time.Time
	seq int
	do  func() error
}

// life hands carnets to people, spends their passes at venues over the
// weeks, voids a few redemptions and blocks a lost carnet.
func (sd *seeder) life(ctx context.Context) error {
	plans := sd.planDistributions()
	sd.planWorkshops(plans)
	var events []event
	add := func(at time.Time, do func() error) {
		events = append(events, event{at: at, seq: len(events), do: do})
	}
	for _, p := range plans {
		pctx := sd.as(ctx, sd.prescribers[p.prescriber], passnum.RoleAgent)
		add(p.at, func() error {
			d, err := sd.s.Distribute(pctx, passnum.DistributeRequest{Carnet: p.number, Beneficiary: &p.input})
			if err != nil {
				return fmt.Errorf("distribute carnet %d: %w", p.number, err)
			}
			p.ref = d.Beneficiary.Ref
			if p.sample {
				serial := sd.serial(p.number, 0)
				sd.creds.Pass = SamplePass{Code: sd.codes[serial], Serial: serial, Carnet: p.number, BeneficiaryRef: d.Beneficiary.Ref}
			}
			return nil
		})
	}
	reds := sd.planRedemptions(plans)
	for i, r := range reds {
		vctx := sd.as(ctx, r.venue.org, passnum.RoleAgent)
		add(r.at, func() error {
			codes := make([]string, len(r.serials))
			for j, s := range r.serials {
				codes[j] = sd.codes[s]
			}
			red, err := sd.s.Redeem(vctx, passnum.RedeemRequest{Codes: codes, ServiceID: r.service.ID, IdempotencyKey: fmt.Sprintf("demo-%04d", i+1)})
			if err != nil {
				return fmt.Errorf("redeem carnet %d at %s: %w", r.carnet.number, r.venue.org.Name, err)
			}
			r.id = red.ID
			return nil
		})
	}
	// A few redemptions are voided by the venue minutes later: the wrong
	// service was chosen, or the person came with someone else's carnet.
	for _, r := range sample(sd.rng, reds, voided) {
		r.voided = true
		at := r.at.Add(min(time.Duration(10+sd.rng.IntN(30))*time.Minute, sd.tl.end.Sub(r.at)/2))
		r.carnet.last = later(r.carnet.last, at)
		vctx := sd.as(ctx, r.venue.org, passnum.RoleAgent)
		add(at, func() error {
			_, err := sd.s.VoidRedemption(vctx, r.id)
			return err
		})
	}
	for _, p := range plans {
		if !p.blocked {
			continue
		}
		at := p.last.Add(min(26*time.Hour, sd.tl.end.Sub(p.last)/2))
		add(at, func() error {
			_, err := sd.s.Block(sd.op, passnum.BlockRequest{Scope: passnum.BlockCarnet, Carnet: p.number, Reason: blockReason})
			return err
		})
	}
	sd.redemptions = reds
	sd.plans = plans
	slices.SortStableFunc(events, func(a, b event) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	for _, e := range events {
		sd.setTime(e.at)
		if err := e.do(); err != nil {
			return err
		}
	}
	fmt.Fprintf(sd.w, "démo : %d carnets remis, %d encaissements (%d annulés), 1 carnet bloqué (%s)\n",
		len(plans), len(reds), voided, blockReason)
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// planDistributions chooses who receives the first carnets of each
// prescriber's stock, and when.
func (sd *seeder) planDistributions() []*carnetPlan {
	allocated := sd.tl.at(0.05)
	year := sd.tl.end.In(paris).Year()
	needs := append(slices.Clone(programmeServices), catAccess)
	var plans []*carnetPlan
	next := sd.batch.FirstCarnet
	for i, p := range prescribers {
		fracs := make([]float64, p.handed)
		for j := range fracs {
			fracs[j] = 0.08 + 0.77*sd.rng.Float64()
		}
		slices.Sort(fracs)
		for j, f := range fracs {
			at := sd.tl.officeHours(sd.tl.at(f), 9+sd.rng.IntN(8), 15*sd.rng.IntN(4), allocated, sd.tl.end)
			in := passnum.BeneficiaryInput{
				CommuneINSEE: pick(sd.rng, p.area),
				Needs:        sample(sd.rng, needs, 1+sd.rng.IntN(3)),
				ConsentAt:    at.In(paris).Format(passnum.DateLayout),
			}
			if len(plans)%7 == 3 {
				in.AgeBand = pick(sd.rng, passnum.AgeBands) // the person preferred not to give a year
			} else {
				switch r := sd.rng.IntN(100); {
				case r < 60:
					in.BirthYear = 1938 + sd.rng.IntN(28)
				case r < 85:
					in.BirthYear = 1966 + sd.rng.IntN(25)
				default:
					in.BirthYear = 1991 + sd.rng.IntN(year-18-1991+1)
				}
			}
			if sd.rng.IntN(8) > 0 {
				in.Autonomy = pick(sd.rng, passnum.AutonomyLevels)
			}
			plans = append(plans, &carnetPlan{number: next + int64(j), prescriber: i, at: at, input: in, last: at})
		}
		next += int64(p.carnets)
	}
	return plans
}

// planWorkshops decides how many workshops each person attends: exactly
// `redemptions` in all, at most five each. The last person the first
// prescriber met has not attended any yet (the sample pass), and one
// person of the last prescriber loses their carnet after a workshop.
func (sd *seeder) planWorkshops(plans []*carnetPlan) {
	var latest *carnetPlan
	for _, p := range plans {
		if p.prescriber == 0 && (latest == nil || p.at.After(latest.at)) {
			latest = p
		}
	}
	latest.sample = true
	for _, p := range plans {
		if p.prescriber == len(prescribers)-1 {
			p.blocked = true
			break
		}
	}
	total := 0
	for _, p := range plans {
		switch {
		case p.sample:
		case p.blocked:
			p.workshops = 2
		default:
			p.workshops = sd.rng.IntN(4)
		}
		total += p.workshops
	}
	for total != redemptions {
		p := pick(sd.rng, plans)
		switch {
		case p.sample || p.blocked:
		case total < redemptions && p.workshops < 5:
			p.workshops++
			total++
		case total > redemptions && p.workshops > 0:
			p.workshops--
			total--
		}
	}
}

// planRedemptions places each workshop at a venue, preferably near the
// person, after they received their carnet.
func (sd *seeder) planRedemptions(plans []*carnetPlan) []*redemptionPlan {
	var out []*redemptionPlan
	hours := [][2]int{{9, 30}, {10, 0}, {14, 0}, {14, 30}, {16, 0}, {17, 30}}
	for _, p := range plans {
		if p.workshops == 0 {
			continue
		}
		gap, margin := 24*time.Hour, 30*time.Minute
		if !sd.tl.office {
			gap, margin = sd.tl.end.Sub(p.at)/20, sd.tl.end.Sub(p.at)/20
		}
		from, to := p.at.Add(gap), sd.tl.end.Add(-margin)
		times := make([]time.Time, p.workshops)
		for i := range times {
			t := from.Add(time.Duration(sd.rng.Float64() * float64(to.Sub(from))))
			h := pick(sd.rng, hours)
			times[i] = sd.tl.officeHours(t, h[0], h[1], p.at, to)
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		near := sd.venuesNear(prescribers[p.prescriber].area)
		for i, at := range times {
			v := pick(sd.rng, near)
			if sd.rng.IntN(100) >= 65 {
				v = pick(sd.rng, sd.qualifiedVenues())
			}
			// Keep at least one pass for each later workshop.
			left := carnetSize - p.used - (len(times) - i - 1)
			var fits []*passnum.CatalogueService
			for _, s := range v.services {
				if s.PricePasses <= left && slices.Contains(programmeServices, s.Category) {
					fits = append(fits, s)
				}
			}
			svc := pick(sd.rng, fits)
			serials := make([]int64, svc.PricePasses)
			for j := range serials {
				serials[j] = sd.serial(p.number, p.used)
				p.used++
			}
			p.last = later(p.last, at)
			out = append(out, &redemptionPlan{carnet: p, venue: v, service: svc, serials: serials, at: at})
		}
	}
	return out
}

func (sd *seeder) qualifiedVenues() []*venue {
	var out []*venue
	for _, v := range sd.venues {
		if v.seed.qualified {
			out = append(out, v)
		}
	}
	return out
}

// venuesNear returns the qualified venues in the communes of area, or all
// qualified venues when none is there.
func (sd *seeder) venuesNear(area []string) []*venue {
	var out []*venue
	for _, v := range sd.qualifiedVenues() {
		if slices.Contains(area, v.seed.commune) {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return sd.qualifiedVenues()
	}
	return out
}
