package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/passnum/passnum"
)

const serviceColumns = `id, venue_id, title, category, duration_minutes, price_passes, level, format, accessibility, description, active, created_at`

func scanService(sc scanner) (*passnum.CatalogueService, error) {
	var c passnum.CatalogueService
	var active int
	var created string
	if err := sc.Scan(&c.ID, &c.VenueID, &c.Title, &c.Category, &c.DurationMinutes, &c.PricePasses,
		&c.Level, &c.Format, &c.Accessibility, &c.Description, &active, &created); err != nil {
		return nil, err
	}
	c.Active = active == 1
	in := instants{table: "catalogue_services", id: c.ID}
	c.CreatedAt = in.at("created_at", created)
	return &c, in.err
}

func (t *tx) findService(id int64) (*passnum.CatalogueService, error) {
	c, err := scanService(t.row(`SELECT `+serviceColumns+` FROM catalogue_services WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("service", id)
	}
	return c, err
}

// CreateCatalogueService adds a service to a venue's catalogue (the venue's
// admins, or the operator).
func (s *Store) CreateCatalogueService(ctx context.Context, c passnum.CatalogueServiceCreate) (*passnum.CatalogueService, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCatalogueEdit); err != nil {
		return nil, err
	}
	if !a.IsOperator() {
		c.VenueID = a.OrgID
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *passnum.CatalogueService
	err := s.write(ctx, "create service", func(tx *tx) error {
		if err := tx.directoryChanged(); err != nil {
			return err
		}
		v, err := tx.findOrg(c.VenueID)
		if err != nil {
			return err
		}
		if v.Kind != passnum.KindVenue {
			return passnum.Invalid("venue_id", "L'organisation %d n'est pas un lieu de médiation.", c.VenueID)
		}
		id, err := tx.insert(`INSERT INTO catalogue_services (venue_id, title, category, duration_minutes, price_passes, level, format, accessibility, description, active, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
			c.VenueID, c.Title, c.Category, c.DurationMinutes, c.PricePasses, c.Level, c.Format, c.Accessibility, c.Description, tx.nowText())
		if err != nil {
			return err
		}
		if err := tx.audit("catalogue.create", fmt.Sprintf("service:%d", id), fmt.Sprintf("venue:%d %q", c.VenueID, c.Title)); err != nil {
			return err
		}
		out, err = tx.findService(id)
		return err
	})
	return out, wrapf(err, "service of venue %d", c.VenueID)
}

// UpdateCatalogueService changes a service of the catalogue (the venue's
// admins, or the operator); its venue stays. Past redemptions keep their
// passes and amounts: only what comes next follows the new description.
func (s *Store) UpdateCatalogueService(ctx context.Context, u passnum.CatalogueServiceUpdate) (*passnum.CatalogueService, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCatalogueEdit); err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var out *passnum.CatalogueService
	err := s.write(ctx, "update service", func(tx *tx) error {
		if err := tx.directoryChanged(); err != nil {
			return err
		}
		c, err := tx.findService(u.ID)
		if err != nil {
			return err
		}
		if !a.IsOperator() && c.VenueID != a.OrgID {
			return notFound("service", u.ID)
		}
		if err := tx.exec(`UPDATE catalogue_services SET title = ?, category = ?, duration_minutes = ?, price_passes = ?,
			level = ?, format = ?, accessibility = ?, description = ? WHERE id = ?`,
			u.Title, u.Category, u.DurationMinutes, u.PricePasses, u.Level, u.Format, u.Accessibility, u.Description, u.ID); err != nil {
			return err
		}
		if err := tx.audit("catalogue.update", fmt.Sprintf("service:%d", u.ID), fmt.Sprintf("venue:%d %q", c.VenueID, u.Title)); err != nil {
			return err
		}
		out, err = tx.findService(u.ID)
		return err
	})
	return out, wrapf(err, "update service %d", u.ID)
}

// ListCatalogueServices lists a venue's services; venue 0 means the
// caller's own venue. The venue itself and the operator read any venue's;
// others, as the public, those of the venues in the directory: what an
// applicant offers is not shown before the operator has reviewed it.
func (s *Store) ListCatalogueServices(ctx context.Context, venueID int64) ([]*passnum.CatalogueService, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCatalogueRead); err != nil {
		return nil, err
	}
	if venueID == 0 {
		venueID = a.OrgID
	}
	// The venue itself and the operator also see withdrawn services.
	all := a.IsOperator() || a.OrgID == venueID
	var out []*passnum.CatalogueService
	err := s.read(ctx, func(tx *tx) error {
		out = out[:0]
		v, err := tx.findOrg(venueID)
		if err != nil {
			return err
		}
		if v.Kind != passnum.KindVenue || !all && !v.Qualification.InDirectory() {
			return notFound("organisation", venueID)
		}
		out, err = selectAll(tx, scanService, `SELECT `+serviceColumns+` FROM catalogue_services WHERE venue_id = ? AND (active = 1 OR ?) ORDER BY id`, venueID, all)
		return err
	})
	return out, wrapf(err, "services of venue %d", venueID)
}

// FindCatalogueService reads one service with the rights of
// ListCatalogueServices: the venue itself and the operator any of the
// venue's, others an active service of a venue in the directory.
func (s *Store) FindCatalogueService(ctx context.Context, id int64) (*passnum.CatalogueService, error) {
	return readOne(ctx, s, passnum.ActCatalogueRead, func(tx *tx, a *passnum.Actor) (*passnum.CatalogueService, error) {
		c, err := tx.findService(id)
		if err != nil || a.IsOperator() || a.OrgID == c.VenueID {
			return c, err
		}
		v, err := tx.findOrg(c.VenueID)
		if err != nil {
			return nil, err
		}
		if !c.Active || !v.Qualification.InDirectory() {
			return nil, notFound("service", id)
		}
		return c, nil
	})
}

// SetCatalogueServiceActive withdraws a service from (or restores it to)
// the catalogue; past redemptions keep pointing to it.
func (s *Store) SetCatalogueServiceActive(ctx context.Context, id int64, active bool) (*passnum.CatalogueService, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCatalogueEdit); err != nil {
		return nil, err
	}
	var out *passnum.CatalogueService
	err := s.write(ctx, "service active", func(tx *tx) error {
		if err := tx.directoryChanged(); err != nil {
			return err
		}
		c, err := tx.findService(id)
		if err != nil {
			return err
		}
		if !a.IsOperator() && c.VenueID != a.OrgID {
			return notFound("service", id)
		}
		flag := 0
		if active {
			flag = 1
		}
		if err := tx.exec(`UPDATE catalogue_services SET active = ? WHERE id = ?`, flag, id); err != nil {
			return err
		}
		if err := tx.audit("catalogue.active", fmt.Sprintf("service:%d", id), fmt.Sprint(active)); err != nil {
			return err
		}
		out, err = tx.findService(id)
		return err
	})
	return out, wrapf(err, "service %d active %t", id, active)
}
