package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/passnum/passnum"
)

// Imports checked and waiting for their confirmation
// (passnum.VenueService.KeepVenueImport, ConfirmVenueImport), in the table
// venue_imports: any server confirms what another checked, a restart
// keeps them, and the rows past their expiry are purged by each keep and
// each confirmation. A confirmation claims its row, by a conditional
// DELETE, in the import's own transaction: of two confirmations of one
// import, one imports, and a refused import stays waiting.

// pendingLines is what the column lines holds.
type pendingLines struct {
	Rows   []passnum.ImportRow     `json:"rows"`
	Unread []passnum.ImportProblem `json:"unread,omitempty"`
}

func errImportNotPending() error {
	return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonImportExpired,
		"Cet import n'est plus en attente (plus de 30 minutes ont passé, ou il a déjà été confirmé) : envoyez le fichier de nouveau. Rien n'a été importé.")
}

// importPerson returns the person of an actor who may import venues.
func importPerson(ctx context.Context) (int64, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActOrgCreate); err != nil {
		return 0, err
	}
	if a.UserID == 0 {
		return 0, passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden,
			"Un import vérifié attend la confirmation d'une personne : connectez-vous avec votre compte.")
	}
	return a.UserID, nil
}

// purgeVenueImports deletes the imports past their expiry.
func (t *tx) purgeVenueImports() error {
	return t.exec(`DELETE FROM venue_imports WHERE expires_at <= ?`, t.nowText())
}

// KeepVenueImport keeps p's rows for its confirmation by the actor's
// person, for passnum.VenueImportTTL, and returns it with its token.
func (s *Store) KeepVenueImport(ctx context.Context, p passnum.PendingVenueImport) (*passnum.PendingVenueImport, error) {
	user, err := importPerson(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case len(p.Rows) == 0:
		return nil, passnum.Invalid("rows", "Aucun lieu à importer.")
	case len(p.Rows) > MaxImportRows:
		return nil, passnum.Invalid("rows", "Fichier trop long : %s lignes, %s au plus par import.",
			passnum.FrenchNumber(int64(len(p.Rows))), passnum.FrenchNumber(MaxImportRows))
	}
	if err := passnum.CheckLine("name", p.Name); err != nil {
		return nil, err
	}
	lines, err := json.Marshal(pendingLines{Rows: p.Rows, Unread: p.Unread})
	if err != nil {
		return nil, fmt.Errorf("keep import %s: %w", p.Name, err)
	}
	token, err := randomSecret()
	if err != nil {
		return nil, err
	}
	kept := p
	kept.Token, kept.UserID = token, user
	err = s.write(ctx, "keep venue import", func(tx *tx) error {
		if err := tx.purgeVenueImports(); err != nil {
			return err
		}
		// One import waiting per person, and a few in all: the oldest
		// others make room.
		if err := tx.exec(`DELETE FROM venue_imports WHERE user_id = ?`, user); err != nil {
			return err
		}
		var n int
		if err := tx.get(&n, `SELECT COUNT(*) FROM venue_imports`); err != nil {
			return err
		}
		if over := n - passnum.MaxPendingVenueImports + 1; over > 0 {
			if err := tx.exec(`DELETE FROM venue_imports WHERE id IN (SELECT id FROM venue_imports ORDER BY expires_at, id LIMIT ?)`, over); err != nil {
				return err
			}
		}
		kept.ExpiresAt = tx.now.Add(passnum.VenueImportTTL)
		valid := 0
		if p.ValidLines {
			valid = 1
		}
		return tx.exec(`INSERT INTO venue_imports (token_hash, user_id, name, valid_lines, row_count, lines, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, hashToken(token), user, p.Name, valid, len(p.Rows), string(lines), tx.nowText(), passnum.FormatTime(kept.ExpiresAt))
	})
	if err != nil {
		return nil, fmt.Errorf("keep import %s: %w", p.Name, err)
	}
	return &kept, nil
}

// ConfirmVenueImport imports what the actor's person kept under token,
// once.
func (s *Store) ConfirmVenueImport(ctx context.Context, token string) (*passnum.PendingVenueImport, *passnum.ImportReport, error) {
	user, err := importPerson(ctx)
	if err != nil {
		return nil, nil, err
	}
	hash := hashToken(token)
	p := &passnum.PendingVenueImport{UserID: user}
	var (
		lines   string
		valid   int
		expires string
	)
	err = s.read(ctx, func(tx *tx) error {
		return tx.row(`SELECT name, valid_lines, lines, expires_at FROM venue_imports WHERE token_hash = ? AND user_id = ? AND expires_at > ?`,
			hash, user, tx.nowText()).Scan(&p.Name, &valid, &lines, &expires)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errImportNotPending()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find pending import: %w", err)
	}
	in := instants{table: "venue_imports"}
	p.ExpiresAt = in.at("expires_at", expires)
	if in.err != nil {
		return nil, nil, in.err
	}
	var kept pendingLines
	if err := json.Unmarshal([]byte(lines), &kept); err != nil {
		return nil, nil, fmt.Errorf("pending import %s: %w", p.Name, err)
	}
	p.Rows, p.Unread, p.ValidLines = kept.Rows, kept.Unread, valid == 1
	claim := func(tx *tx) error {
		if err := tx.purgeVenueImports(); err != nil {
			return err
		}
		n, err := tx.execN(`DELETE FROM venue_imports WHERE token_hash = ? AND user_id = ?`, hash, user)
		if err != nil {
			return err
		}
		if n == 0 { // confirmed meanwhile, or expired
			return errImportNotPending()
		}
		return nil
	}
	rep, err := s.importVenues(ctx, p.Rows, false, p.ValidLines, claim)
	if err != nil {
		return p, nil, err
	}
	if p.ValidLines {
		rep.Skip(p.Unread)
	}
	return p, rep, nil
}
