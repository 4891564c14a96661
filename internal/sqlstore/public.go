package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

// The methods of this file answer anyone, without an actor: they never
// call passnum.Authorize, and they never return data about people.

// errCarnetUnknown is the one answer to a code that finds no carnet,
// whether it is malformed, forged or unknown: telling them apart would help
// someone guessing codes.
func errCarnetUnknown() error {
	return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonCarnetUnknown,
		"Aucun carnet ne correspond à ce code. Vérifiez chaque caractère : il est imprimé sous le QR code d'un pass.")
}

// CarnetStatusByCode tells the person holding a carnet, from the code of
// one of its passes (typed, or the QR payload), how many passes are left,
// until when, and what to do when none can be used.
func (s *Store) CarnetStatusByCode(ctx context.Context, code string) (*passnum.CarnetStatus, error) {
	if len(code) > 300 {
		return nil, errCarnetUnknown()
	}
	p := s.parseCodes([]string{code})[0]
	if p.check.Reason != "" {
		return nil, errCarnetUnknown()
	}
	var out *passnum.CarnetStatus
	err := s.read(ctx, func(tx *tx) error {
		var serial, number int64
		err := tx.row(`SELECT serial, carnet FROM passes WHERE code = ?`, p.code).Scan(&serial, &number)
		if errors.Is(err, sql.ErrNoRows) || err == nil && p.serial != 0 && p.serial != serial {
			return errCarnetUnknown()
		} else if err != nil {
			return err
		}
		c, err := tx.carnet(number)
		if err != nil {
			return fmt.Errorf("carnet %d: %w", number, err)
		}
		passes, err := tx.carnetPasses(c)
		if err != nil {
			return fmt.Errorf("carnet %d: passes: %w", number, err)
		}
		prog, err := tx.settings(c.ProgrammeID)
		if err != nil {
			return fmt.Errorf("carnet %d: programme %d: %w", number, c.ProgrammeID, err)
		}
		out = carnetStatus(c, passes, prog, tx.now)
		return nil
	})
	return out, err
}

// carnetStatus decides what a carnet's holder is told, in the order that
// matters to them: what they still have, then why they cannot use it.
func carnetStatus(c *carnetRow, passes []passnum.Pass, prog *passnum.Programme, now time.Time) *passnum.CarnetStatus {
	st := &passnum.CarnetStatus{Number: c.Number, Size: c.Size, Programme: summary(prog)}
	byState := map[passnum.PassState]int{}
	for _, p := range passes {
		byState[p.State]++
	}
	st.Used = byState[passnum.StateRedeemed] + byState[passnum.StateSettled]
	unused := len(passes) - st.Used
	valid := !now.Before(prog.StartsAt()) && now.Before(prog.ExpiresAfter())
	if valid {
		st.Remaining = byState[passnum.StateDistributed]
	}
	until := passnum.FrenchDate(prog.ValidUntil)
	switch {
	case unused == 0:
		st.Status = passnum.CarnetUsedUp
		st.Message = fmt.Sprintf("Les %d pass de ce carnet ont tous été utilisés.", st.Used)
		if st.Used == 1 {
			st.Message = "Le pass de ce carnet a été utilisé."
		}
	case !now.Before(prog.ExpiresAfter()) || byState[passnum.StateExpired] == unused:
		st.Status = passnum.CarnetExpired
		st.Message = fmt.Sprintf("Ce carnet a expiré : ses pass étaient valables jusqu'au %s. Ils ne peuvent plus être utilisés.", until)
	case byState[passnum.StateBlocked] == unused:
		st.Status = passnum.CarnetBlocked
		st.Message = "Ce carnet est bloqué : ses pass ne peuvent pas être utilisés. Contactez la structure qui vous l'a remis (mairie, CCAS, France Services…)."
	case byState[passnum.StateIssued] > 0:
		st.Status = passnum.CarnetNotActivated
		st.Message = "Ce carnet n'est pas encore activé : le financeur n'a pas encore versé les fonds. Revenez dans quelques jours."
	case c.BeneficiaryID == 0:
		st.Status = passnum.CarnetNotDistributed
		st.Message = "Ce carnet n'a pas encore été enregistré à votre nom : demandez à la structure qui doit vous le remettre (mairie, CCAS, France Services…) de le faire."
	case now.Before(prog.StartsAt()):
		st.Status = passnum.CarnetNotYetValid
		st.Message = fmt.Sprintf("Vos pass seront valables à partir du %s, jusqu'au %s.", passnum.FrenchDate(prog.ValidFrom), until)
	case st.Remaining > 0:
		st.Status = passnum.CarnetUsable
		if st.Remaining == 1 {
			st.Message = fmt.Sprintf("Il vous reste 1 pass sur %d, valable jusqu'au %s.", c.Size, until)
		} else {
			st.Message = fmt.Sprintf("Il vous reste %d pass sur %d, valables jusqu'au %s.", st.Remaining, c.Size, until)
		}
	default:
		// Unused passes that are neither spendable nor all in one side
		// exit: some blocked, the others expired or used.
		st.Status = passnum.CarnetBlocked
		st.Message = "Les pass qui restent dans ce carnet sont bloqués : contactez la structure qui vous l'a remis (mairie, CCAS, France Services…)."
	}
	return st
}

// summary is the public description of a programme: what its carnets say.
func summary(p *passnum.Programme) passnum.ProgrammeSummary {
	out := passnum.ProgrammeSummary{ID: p.ID, Name: p.Name, Funders: []string{}, FaceValueCents: p.FaceValueCents,
		ValidFrom: p.ValidFrom, ValidUntil: p.ValidUntil,
		Territory: slices.Clone(p.Territory), Services: slices.Clone(p.Services)}
	for _, f := range p.Funders {
		out.Funders = append(out.Funders, f.FunderName)
	}
	return out
}

// ProgrammeSummary returns the public description of a programme: its
// funders by share, validity, territory, services and face value.
func (s *Store) ProgrammeSummary(ctx context.Context, id int64) (*passnum.ProgrammeSummary, error) {
	var out passnum.ProgrammeSummary
	err := s.read(ctx, func(tx *tx) error {
		p, err := tx.settings(id)
		if err != nil {
			return err
		}
		out = summary(p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("summary of programme %d: %w", id, err)
	}
	return &out, nil
}

// Bounds of ListPublicVenues.
const (
	defaultPublicVenues = 20
	maxPublicVenues     = 200
)

// ListPublicVenues lists qualified venues with their active services:
// those inside the territory when one is given, the ones in the commune
// first, then those of its département, then the others, each group
// nearest first (from the commune's point to the venue's own, else to its
// commune's), then by name. Without a commune, by name. Venues number in
// the hundreds or thousands: they are filtered and ordered here, after one
// query.
func (s *Store) ListPublicVenues(ctx context.Context, f passnum.PublicVenueFilter) ([]*passnum.PublicVenue, error) {
	var terr passnum.Territory
	if len(f.Territory) > 0 {
		var err error
		if terr, err = passnum.ParseTerritory(f.Territory); err != nil {
			return nil, err
		}
	}
	commune := strings.ToUpper(strings.TrimSpace(f.Commune))
	if commune != "" {
		if err := passnum.ValidateCommune(commune); err != nil {
			return nil, passnum.Invalid("commune", "Code INSEE de commune invalide : %q (5 caractères, par exemple 35238).", f.Commune)
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPublicVenues
	}
	limit = min(limit, maxPublicVenues)
	dep := passnum.DepartementOfCommune(commune)
	centre, hasCentre := communePoint(commune)
	rank := func(v *passnum.Organisation) int {
		switch {
		case commune == "":
			return 0
		case v.CommuneINSEE == commune:
			return 0
		case passnum.DepartementOfCommune(v.CommuneINSEE) == dep:
			return 1
		}
		return 2
	}
	var out []*passnum.PublicVenue
	err := s.read(ctx, func(tx *tx) error {
		out = out[:0]
		venues, err := selectAll(tx, scanOrg, `SELECT `+orgColumns+` FROM organisations WHERE kind = 'venue' AND qualification = 'qualified'`)
		if err != nil {
			return err
		}
		if terr != nil {
			venues = slices.DeleteFunc(venues, func(v *passnum.Organisation) bool { return !terr.Contains(v.CommuneINSEE) })
		}
		// Distances from the commune, each computed once; a venue without
		// a point comes after those of its group with one.
		km := make(map[int64]float64, len(venues))
		if hasCentre {
			own, err := tx.venuePoints()
			if err != nil {
				return err
			}
			for _, v := range venues {
				p, ok := own[v.ID]
				if !ok {
					p, ok = communePoint(v.CommuneINSEE)
				}
				km[v.ID] = math.Inf(1)
				if ok {
					km[v.ID] = geo.DistanceKm(centre, p)
				}
			}
		}
		slices.SortFunc(venues, func(x, y *passnum.Organisation) int {
			return cmp.Or(cmp.Compare(rank(x), rank(y)), cmp.Compare(km[x.ID], km[y.ID]),
				cmp.Compare(geo.Normalize(x.Name), geo.Normalize(y.Name)), cmp.Compare(x.ID, y.ID))
		})
		venues = venues[:min(limit, len(venues))]
		if len(venues) == 0 {
			return nil
		}
		byVenue := map[int64]*passnum.PublicVenue{}
		ids := make([]any, len(venues))
		for i, v := range venues {
			pv := &passnum.PublicVenue{ID: v.ID, Name: v.Name, CommuneINSEE: v.CommuneINSEE, Services: []*passnum.CatalogueService{}}
			byVenue[v.ID] = pv
			out = append(out, pv)
			ids[i] = v.ID
		}
		services, err := selectAll(tx, scanService, `SELECT `+serviceColumns+` FROM catalogue_services
			WHERE active = 1 AND venue_id IN (`+placeholders(len(ids))+`) ORDER BY id`, ids...)
		if err != nil {
			return err
		}
		for _, svc := range services {
			pv := byVenue[svc.VenueID]
			pv.Services = append(pv.Services, svc)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []*passnum.PublicVenue{}
	}
	return out, nil
}

// venuePoints returns the venues' own coordinates, by organisation.
func (t *tx) venuePoints() (map[int64]geo.Point, error) {
	out := map[int64]geo.Point{}
	rows, err := t.query(`SELECT org_id, latitude, longitude FROM venues WHERE latitude IS NOT NULL AND longitude IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p geo.Point
		if err := rows.Scan(&id, &p.Lat, &p.Lon); err != nil {
			return nil, err
		}
		out[id] = p
	}
	return out, rows.Err()
}
