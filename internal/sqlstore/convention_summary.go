package sqlstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/passnum/passnum"
)

// The conventions of a territory (passnum.ConventionSummaryService).
// Conventions are few (one per selected collectivité, a few dozen in the
// whole country): each is read with its calls, payments and programmes,
// and checked with the rules of visibleConvention.

// conventionFigures reads a convention's money (each party's standing, as
// MoneyIn computes it) and the passes of its programmes.
func (t *tx) conventionFigures(c *passnum.Convention) (passnum.ConventionFigures, error) {
	calls, err := t.fundCalls(c.ID)
	if err != nil {
		return passnum.ConventionFigures{}, fmt.Errorf("calls for funds: %w", err)
	}
	received := map[int64]int64{}
	for _, p := range c.Parties {
		if received[p.FunderID], err = t.paidUnder(c.ID, p.FunderID); err != nil {
			return passnum.ConventionFigures{}, fmt.Errorf("payments of funder %d: %w", p.FunderID, err)
		}
	}
	var progs []passnum.ConventionPassFigures
	for _, id := range c.Programmes {
		p, err := t.programme(id)
		if err != nil {
			return passnum.ConventionFigures{}, err
		}
		// The funnel of the programme's page: passes by state, then
		// carnets handed out.
		var ps passnum.ProgrammeStats
		if err := t.passFunnel(id, &ps.Funnel); err != nil {
			return passnum.ConventionFigures{}, fmt.Errorf("passes of programme %d: %w", id, err)
		}
		if err := t.carnetFunnel(id, &ps); err != nil {
			return passnum.ConventionFigures{}, fmt.Errorf("carnets of programme %d: %w", id, err)
		}
		progs = append(progs, passnum.ConventionPassFigures{BudgetCents: p.BudgetCents, FaceValueCents: p.FaceValueCents, Funnel: ps.Funnel})
	}
	return passnum.NewConventionFigures(c, passnum.Standing(c, calls, received, passnum.Today(t.now)), progs), nil
}

// summaryKeeps tells whether a convention the reader may see passes the
// filter.
func (t *tx) summaryKeeps(c *passnum.Convention, f passnum.ConventionSummaryFilter, area passnum.Territory) (bool, error) {
	if area != nil && !concerns(c.Territory, area) {
		return false, nil
	}
	if f.ProgrammeID != 0 && !slices.Contains(c.Programmes, f.ProgrammeID) {
		return false, nil
	}
	if f.FunderID != 0 {
		party := false
		for _, p := range c.Parties {
			party = party || p.FunderID == f.FunderID
		}
		if !party {
			var funder int64
			if err := t.get(&funder, `SELECT funder_id FROM calls WHERE id = ?`, c.CallID); err != nil {
				return false, err
			}
			if funder != f.FunderID {
				return false, nil
			}
		}
	}
	if f.HubID != 0 {
		hub, err := t.hubTerritory(f.HubID)
		if err != nil || hub == nil {
			return false, err
		}
		if !concerns(c.Territory, hub) {
			return false, nil
		}
	}
	return true, nil
}

// ConventionSummary summarises the conventions the reader may see that
// the filter keeps, by territory.
func (s *Store) ConventionSummary(ctx context.Context, f passnum.ConventionSummaryFilter) (*passnum.ConventionSummary, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActConventionRead); err != nil {
		return nil, err
	}
	areaText, err := passnum.ValidateSummaryArea(f.Area)
	if err != nil {
		return nil, err
	}
	f.Area = areaText
	var area passnum.Territory
	if areaText != "" {
		if area, err = passnum.ParseTerritory([]string{areaText}); err != nil {
			return nil, err
		}
	}
	var out *passnum.ConventionSummary
	err = s.read(ctx, func(tx *tx) error {
		all, err := loadAll(tx, tx.convention, `SELECT id FROM conventions ORDER BY id`)
		if err != nil {
			return err
		}
		var lines []passnum.ConventionFigures
		for _, c := range all {
			ok, err := tx.canSeeConvention(a, c)
			if err == nil && ok {
				ok, err = tx.summaryKeeps(c, f, area)
			}
			if err != nil {
				return fmt.Errorf("convention %d: %w", c.ID, err)
			}
			if !ok {
				continue
			}
			line, err := tx.conventionFigures(c)
			if err != nil {
				return fmt.Errorf("convention %d: %w", c.ID, err)
			}
			lines = append(lines, line)
		}
		out = passnum.SummarizeConventions(areaText, lines)
		return nil
	})
	return out, wrapf(err, "conventions of %q", areaText)
}

// PublicConventions lists what open data publishes of each signed
// convention: its parties' names and public amounts. It reads
// organisations' names only, never a person.
func (s *Store) PublicConventions(ctx context.Context) ([]passnum.PublicConvention, error) {
	out := []passnum.PublicConvention{}
	err := s.read(ctx, func(tx *tx) error {
		out = out[:0]
		all, err := loadAll(tx, tx.convention, `SELECT id FROM conventions ORDER BY id`)
		if err != nil {
			return err
		}
		for _, c := range all {
			// A convention is public once the parties of the application
			// it came from have signed it; a co-funder an addendum brought
			// in shows without its signature until it signs.
			app, err := tx.application(c.ApplicationID)
			if err != nil {
				return err
			}
			signers := map[int64]bool{}
			for _, l := range app.Lines {
				signers[l.FunderID] = true
			}
			signed, day := true, ""
			for _, p := range c.Parties {
				if signers[p.FunderID] {
					signed = signed && p.SignedOn != ""
					day = max(day, p.SignedOn)
				}
			}
			if !signed {
				continue
			}
			calls, err := tx.fundCalls(c.ID)
			if err != nil {
				return fmt.Errorf("calls for funds of convention %d: %w", c.ID, err)
			}
			pc := passnum.PublicConvention{Number: c.ID, Territory: c.Territory, SignedOn: day, StartsOn: c.StartsOn, EndsOn: c.EndsOn}
			for _, p := range c.Parties {
				party := passnum.PublicConventionParty{Name: p.FunderName, SignedOn: p.SignedOn, Years: []passnum.PublicConventionYear{}}
				for _, l := range c.Amounts {
					if l.FunderID != p.FunderID {
						continue
					}
					y := passnum.PublicConventionYear{Year: l.Year, CommittedCents: l.AmountCents}
					for _, fc := range calls {
						if fc.FunderID == p.FunderID && fc.Year == l.Year {
							y.CalledCents += fc.AmountCents
						}
					}
					party.Years = append(party.Years, y)
					party.CommittedCents += y.CommittedCents
					party.CalledCents += y.CalledCents
				}
				if party.ReceivedCents, err = tx.paidUnder(c.ID, p.FunderID); err != nil {
					return fmt.Errorf("payments under convention %d: %w", c.ID, err)
				}
				pc.Parties = append(pc.Parties, party)
			}
			out = append(out, pc)
		}
		return nil
	})
	return out, wrapf(err, "public conventions")
}
