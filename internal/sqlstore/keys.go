package sqlstore

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/keyset"
	"github.com/passnum/passnum/internal/passcode"
)

// The installation's keys (issue 17, point 4): the keys that sign the QR
// payloads of passes and the keys that seal the TOTP seeds come from a key
// file or the environment (WithKeys), else from the database, where they
// are made on first use: the default of the demonstration and of
// development.

// WithKeys makes the store take its keys from set (a key file, the
// environment) instead of the database. The database must then hold no
// key (passnum keys move takes them out), and set must hold every signing
// key moved out of it.
func WithKeys(set *keyset.Set) Option { return func(s *Store) { s.keySet = set } }

// Keys returns the keys the store uses and where they come from.
func (s *Store) Keys() *keyset.Set { return s.inUse }

// loadKeys reads the keys: from the set given, checked against what the
// database remembers, or from the database, creating the first ones on a
// new database.
func (s *Store) loadKeys(ctx context.Context) error {
	set := s.keySet
	var err error
	if set != nil {
		err = s.checkOutsideKeys(ctx, set)
	} else {
		set, err = s.databaseKeys(ctx)
	}
	if err != nil {
		return err
	}
	keys, err := set.Keyring()
	if err != nil {
		return err
	}
	sealer, err := set.Sealer()
	if err != nil {
		return err
	}
	s.inUse, s.keys, s.sealer = set, keys, sealer
	return nil
}

// checkOutsideKeys refuses a key file that would break what the
// database's records rely on: keys left in the database (the file would
// not know them), or a signing key moved out of it that the file lacks.
func (s *Store) checkOutsideKeys(ctx context.Context, set *keyset.Set) error {
	return s.read(ctx, func(tx *tx) error {
		var left []string
		for _, table := range []string{"signing_keys", "sealing_keys"} {
			ids, err := selectAll(tx, func(sc scanner) (string, error) {
				var id string
				return id, sc.Scan(&id)
			}, `SELECT id FROM `+table+` ORDER BY id`)
			if err != nil {
				return err
			}
			left = append(left, ids...)
		}
		if len(left) > 0 {
			return passnum.Errorf(passnum.ECONFLICT, "keys-in-database",
				"La base garde encore ses clés (%s) alors que les clés viennent du %s : déplacez-les dans un nouveau fichier avec « passnum keys move --file FICHIER », puis donnez ce fichier.",
				strings.Join(left, ", "), set.Source)
		}
		type moved struct{ id, public string }
		signing, err := selectAll(tx, func(sc scanner) (moved, error) {
			var m moved
			return m, sc.Scan(&m.id, &m.public)
		}, `SELECT id, public_key FROM keys_moved WHERE kind = ? ORDER BY id`, string(keyset.Signing))
		if err != nil {
			return err
		}
		have := map[string]string{}
		for _, pk := range set.Public().Keys {
			have[pk.ID] = pk.PublicKey
		}
		for _, m := range signing {
			if have[m.id] != m.public {
				return passnum.Errorf(passnum.ECONFLICT, "keys-missing",
					"Le %s n'a pas la clé de signature %s sortie de la base (ou en a une autre) : les pass qu'elle a signés ne seraient plus reconnus. Donnez le fichier écrit par « passnum keys move », ou ajoutez-y cette clé.",
					set.Source, m.id)
			}
		}
		// A key that signed a batch whose passes are still valid must
		// stay: removed from the file, it would make them refused.
		type batchKey struct {
			key string
			p   passnum.Programme
		}
		batches, err := selectAll(tx, func(sc scanner) (batchKey, error) {
			var b batchKey
			return b, sc.Scan(&b.key, &b.p.ValidUntil, &b.p.ToleranceDays)
		}, `SELECT DISTINCT b.key_id, p.valid_until, p.tolerance_days FROM batches b JOIN programmes p ON p.id = b.programme_id ORDER BY b.key_id`)
		if err != nil {
			return err
		}
		for _, b := range batches {
			if _, ok := have[b.key]; !ok && tx.now.Before(b.p.ExpiresAfter()) {
				return passnum.Errorf(passnum.ECONFLICT, "keys-missing",
					"Le %s n'a pas la clé de signature %s, qui a signé des pass encore valables (jusqu'au %s) : ils seraient refusés. Gardez-la dans le fichier, retirée.",
					set.Source, b.key, passnum.FrenchDate(b.p.ValidUntil))
			}
		}
		return nil
	})
}

// databaseKeys reads the keys kept in the database, newest active, making
// the first of each kind on a new database. It refuses to run once the
// keys moved to a file: a new key here would sign passes that the file's
// servers do not know.
func (s *Store) databaseKeys(ctx context.Context) (*keyset.Set, error) {
	set := &keyset.Set{Source: "base de données"}
	err := s.write(ctx, "keys", func(tx *tx) error {
		set.Keys = set.Keys[:0]
		var movedAt sql.NullString
		if err := tx.get(&movedAt, `SELECT MAX(moved_at) FROM keys_moved`); err != nil {
			return err
		}
		if movedAt.Valid {
			return passnum.Errorf(passnum.ECONFLICT, "keys-moved",
				"Les clés de cette base ont été déplacées dans un fichier de clés (le %s) : donnez-le avec %s.",
				movedAt.String[:min(len(movedAt.String), 10)], keyset.EnvFile)
		}
		for _, kind := range []keyset.Kind{keyset.Signing, keyset.Sealing} {
			keys, err := tx.databaseKeys(kind)
			if err != nil {
				return err
			}
			if len(keys) == 0 {
				// Two servers that start at once on a new database (or
				// one just migrated) both make a first key: one is kept,
				// and both read it.
				if _, err := tx.newDatabaseKey(kind, true); err != nil {
					return err
				}
				if keys, err = tx.databaseKeys(kind); err != nil {
					return err
				}
			}
			set.Keys = append(set.Keys, keys...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	return set, nil
}

// keyTable is the table of the keys of kind.
func keyTable(kind keyset.Kind) string {
	if kind == keyset.Sealing {
		return "sealing_keys"
	}
	return "signing_keys"
}

// databaseKeys reads the keys of kind, the newest first and active.
func (t *tx) databaseKeys(kind keyset.Kind) ([]keyset.Key, error) {
	type row struct{ id, secret, created string }
	rows, err := selectAll(t, func(sc scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.id, &r.secret, &r.created)
	}, `SELECT id, secret, created_at FROM `+keyTable(kind)+` ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, err
	}
	var out []keyset.Key
	for i, r := range rows {
		created, err := passnum.ParseTime(r.created)
		if err != nil {
			return nil, fmt.Errorf("%s %s: created_at %q is not an instant", keyTable(kind), r.id, r.created)
		}
		k := keyset.Key{Kind: kind, ID: r.id, State: keyset.Retired, Created: created}
		if i == 0 {
			k.State = keyset.Active
		}
		if kind == keyset.Signing {
			pk, err := passcode.UnmarshalKey(r.secret)
			if err != nil {
				return nil, fmt.Errorf("signing key %s: %w", r.id, err)
			}
			k.Public = pk.Public
			if pk.Private != nil {
				k.Secret = pk.Private.Seed()
			}
		} else if k.Secret, err = base64.StdEncoding.DecodeString(r.secret); err != nil || len(k.Secret) != 32 {
			return nil, fmt.Errorf("sealing key %s: not 32 bytes of base64", r.id)
		}
		out = append(out, k)
	}
	return out, nil
}

// newDatabaseKey makes the next key of kind (k1, k2… or s1, s2…) and
// keeps it in the database. The first one, when first is set, is not
// inserted if another transaction made it meanwhile.
func (t *tx) newDatabaseKey(kind keyset.Kind, first bool) (keyset.Key, error) {
	var n int
	if err := t.get(&n, `SELECT COUNT(*) FROM `+keyTable(kind)); err != nil {
		return keyset.Key{}, err
	}
	id := fmt.Sprintf("k%d", n+1)
	if kind == keyset.Sealing {
		id = fmt.Sprintf("s%d", n+1)
	}
	conflict := ""
	if first {
		conflict = " ON CONFLICT (id) DO NOTHING"
	}
	k, err := keyset.NewKey(kind, id, keyset.Active, t.now, rand.Reader)
	if err != nil {
		return k, err
	}
	stored := base64.StdEncoding.EncodeToString(k.Secret)
	if kind == keyset.Signing {
		stored = passcode.MarshalKey(passcode.Key{ID: k.ID, Private: ed25519.NewKeyFromSeed(k.Secret)})
	}
	return k, t.exec(`INSERT INTO `+keyTable(kind)+` (id, secret, created_at) VALUES (?, ?, ?)`+conflict, k.ID, stored, t.nowText())
}

// RotateKey creates a new signing key in the database that signs from
// now on; older keys keep verifying the passes they signed. With a key
// file, rotation is the file's (passnum keys rotate).
func (s *Store) RotateKey(ctx context.Context) (string, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActIssue); err != nil {
		return "", err
	}
	if s.keySet != nil {
		return "", passnum.Errorf(passnum.ECONFLICT, "keys-outside", "Les clés viennent du %s : c'est lui que « passnum keys rotate --file » change.", s.keySet.Source)
	}
	var id string
	err := s.write(ctx, "rotate key", func(tx *tx) error {
		k, err := tx.newDatabaseKey(keyset.Signing, false)
		if err != nil {
			return err
		}
		id = k.ID
		return tx.audit("keys.rotate", "key:"+id, "")
	})
	if err != nil {
		return "", err
	}
	return id, s.loadKeys(ctx)
}

// MoveKeys takes the database's keys out: write receives them as a key
// set (the newest signing key active, the others retired with their
// public key only, since they never sign again; the newest sealing key
// active, the others retired) and must keep them durably before it
// returns; then the database forgets them, remembering their ids and
// public keys in keys_moved. Run again after a crash between the two, it
// gives write the same keys.
func (s *Store) MoveKeys(ctx context.Context, write func(*keyset.Set) error) (*keyset.Set, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActIssue); err != nil {
		return nil, err
	}
	if s.keySet != nil {
		return nil, passnum.Errorf(passnum.ECONFLICT, "keys-outside", "Les clés viennent déjà du %s : il n'y a rien à déplacer.", s.keySet.Source)
	}
	out := &keyset.Set{}
	for _, k := range s.inUse.Keys {
		if k.Kind == keyset.Signing && k.State == keyset.Retired {
			k.Secret = nil
		}
		out.Keys = append(out.Keys, k)
	}
	if err := write(out); err != nil {
		return nil, err
	}
	err := s.write(ctx, "move keys", func(tx *tx) error {
		var ids []string
		for _, k := range out.Keys {
			var public any
			if k.Kind == keyset.Signing {
				public = base64.StdEncoding.EncodeToString(k.Public)
			}
			if err := tx.exec(`INSERT INTO keys_moved (kind, id, public_key, moved_at) VALUES (?, ?, ?, ?)`, string(k.Kind), k.ID, public, tx.nowText()); err != nil {
				return err
			}
			if err := tx.exec(`DELETE FROM `+keyTable(k.Kind)+` WHERE id = ?`, k.ID); err != nil {
				return err
			}
			ids = append(ids, k.ID)
		}
		// A key made by another process since this one opened would be
		// lost with its table: refuse rather than forget it.
		var left int
		if err := tx.get(&left, `SELECT (SELECT COUNT(*) FROM signing_keys) + (SELECT COUNT(*) FROM sealing_keys)`); err != nil {
			return err
		}
		if left > 0 {
			return passnum.Errorf(passnum.ECONFLICT, "keys-changed", "Une clé a été ajoutée à la base pendant le déplacement : recommencez.")
		}
		return tx.audit("keys.move", "keys", strings.Join(ids, " "))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SealedSeeds counts the TOTP seeds each sealing key seals, for the
// operator to know when a retired key may leave the key file.
func (s *Store) SealedSeeds(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := s.read(ctx, func(tx *tx) error {
		type count struct {
			id string
			n  int
		}
		counts, err := selectAll(tx, func(sc scanner) (count, error) {
			var c count
			return c, sc.Scan(&c.id, &c.n)
		}, `SELECT totp_key_id, COUNT(*) FROM second_factors WHERE totp_key_id IS NOT NULL GROUP BY totp_key_id`)
		for _, c := range counts {
			out[c.id] = c.n
		}
		return err
	})
	return out, err
}

// seedContext binds a sealed TOTP seed to its person: a seed copied onto
// another person's row does not open.
func seedContext(userID int64) []byte {
	return fmt.Appendf(nil, "passnum totp seed v1\x00user:%d", userID)
}

// sealSeed seals a TOTP seed of userID; it returns the key id and the
// sealed value to store.
func (s *Store) sealSeed(userID int64, seed string) (keyID, sealed string, err error) {
	return s.sealer.Seal([]byte(seed), seedContext(userID))
}

// openSeed returns the TOTP seed stored for userID: sealed with keyID, or
// in clear when keyID is empty (stored before migration 0022 and not yet
// sealed again).
func (s *Store) openSeed(userID int64, keyID, stored string) (string, error) {
	if keyID == "" {
		return stored, nil
	}
	seed, err := s.sealer.Open(keyID, stored, seedContext(userID))
	if errors.Is(err, keyset.ErrUnknownSealingKey) {
		return "", fmt.Errorf("a TOTP seed of user %d is sealed with key %s, which the %s does not hold", userID, keyID, s.inUse.Source)
	}
	return string(seed), err
}

// resealSeeds seals with the active key every TOTP seed stored in clear
// (before migration 0022) or sealed with another key (before a rotation),
// so that a retired sealing key soon seals nothing and may leave the file.
func (s *Store) resealSeeds(ctx context.Context) error {
	var stale int
	err := s.read(ctx, func(tx *tx) error {
		return tx.get(&stale, `SELECT COUNT(*) FROM second_factors WHERE totp_secret IS NOT NULL AND (totp_key_id IS NULL OR totp_key_id <> ?)`, s.sealer.ActiveID())
	})
	if err != nil || stale == 0 {
		return err
	}
	return s.write(ctx, "reseal totp seeds", func(tx *tx) error {
		type seedRow struct {
			id, user int64
			stored   string
			kid      sql.NullString
		}
		rows, err := selectAll(tx, func(sc scanner) (seedRow, error) {
			var r seedRow
			return r, sc.Scan(&r.id, &r.user, &r.stored, &r.kid)
		}, `SELECT id, user_id, totp_secret, totp_key_id FROM second_factors
			WHERE totp_secret IS NOT NULL AND (totp_key_id IS NULL OR totp_key_id <> ?) ORDER BY id`, s.sealer.ActiveID())
		if err != nil {
			return err
		}
		for _, r := range rows {
			seed, err := s.openSeed(r.user, r.kid.String, r.stored)
			if err != nil {
				return fmt.Errorf("second factor %d: %w", r.id, err)
			}
			kid, sealed, err := s.sealSeed(r.user, seed)
			if err != nil {
				return err
			}
			if err := tx.exec(`UPDATE second_factors SET totp_secret = ?, totp_key_id = ? WHERE id = ?`, sealed, kid, r.id); err != nil {
				return err
			}
		}
		return tx.audit("keys.reseal", "second_factors", fmt.Sprintf("%d TOTP seeds sealed with %s", len(rows), s.sealer.ActiveID()))
	})
}
