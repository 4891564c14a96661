package sqlstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
	"golang.org/x/crypto/argon2"
)

const orgColumns = `id, kind, name, COALESCE(siret, ''), COALESCE(commune_insee, ''), COALESCE(qualification, ''), territory, created_at`

func scanOrg(sc scanner) (*passnum.Organisation, error) {
	var o passnum.Organisation
	var created, territory string
	if err := sc.Scan(&o.ID, &o.Kind, &o.Name, &o.SIRET, &o.CommuneINSEE, &o.Qualification, &territory, &created); err != nil {
		return nil, err
	}
	o.Territory = strings.Fields(territory)
	in := instants{table: "organisations", id: o.ID}
	o.CreatedAt = in.at("created_at", created)
	return &o, in.err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateOrganisation creates an organisation (operator admins only).
func (s *Store) CreateOrganisation(ctx context.Context, c passnum.OrganisationCreate) (*passnum.Organisation, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActOrgCreate); err != nil {
		return nil, err
	}
	return s.createOrganisation(ctx, c)
}

func (s *Store) createOrganisation(ctx context.Context, c passnum.OrganisationCreate) (*passnum.Organisation, error) {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var org *passnum.Organisation
	err := s.write(ctx, "create organisation", func(tx *tx) error {
		if c.Kind == passnum.KindVenue && c.Qualification != passnum.QualificationListed { // listed venues may share a SIRET
			var n int
			if err := tx.get(&n, `SELECT COUNT(*) FROM organisations WHERE kind = 'venue' AND siret = ? AND qualification <> 'listed'`, c.SIRET); err != nil {
				return err
			}
			if n > 0 {
				return &passnum.Error{Code: passnum.ECONFLICT, Reason: passnum.ReasonSiretTaken, Field: "siret",
					Message: fmt.Sprintf("Un lieu avec le SIRET %s existe déjà.", c.SIRET)}
			}
		}
		id, err := tx.insert(`INSERT INTO organisations (kind, name, siret, commune_insee, qualification, territory, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.Kind, c.Name, nullable(c.SIRET), nullable(c.CommuneINSEE), nullable(string(c.Qualification)), strings.Join(c.Territory, " "), tx.nowText())
		if err != nil {
			return err
		}
		if c.Kind == passnum.KindVenue {
			if err := tx.exec(`INSERT INTO qualification_history (venue_id, status, reason, actor, created_at) VALUES (?, ?, ?, ?, ?)`,
				id, c.Qualification, "création", tx.actorLabel(), tx.nowText()); err != nil {
				return fmt.Errorf("organisation %d: qualification history: %w", id, err)
			}
		}
		if err := tx.audit("org.create", fmt.Sprintf("org:%d", id), fmt.Sprintf("%s %q", c.Kind, c.Name)); err != nil {
			return err
		}
		org, err = scanOrg(tx.row(`SELECT `+orgColumns+` FROM organisations WHERE id = ?`, id))
		if err == nil && c.Kind == passnum.KindVenue {
			err = wrapf(tx.createVenueRow(org), "organisation %d: venue", id) // its description, to be completed (venue_network.go)
		}
		return err
	})
	return org, err
}

// FindOrganisation returns an organisation; people outside the operator
// see only their own.
func (s *Store) FindOrganisation(ctx context.Context, id int64) (*passnum.Organisation, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActOrgRead); err != nil {
		return nil, err
	}
	if !a.IsOperator() && a.OrgID != id {
		return nil, notFound("organisation", id)
	}
	var org *passnum.Organisation
	err := s.read(ctx, func(tx *tx) error {
		var err error
		org, err = tx.findOrg(id)
		return err
	})
	return org, wrapf(err, "organisation %d", id)
}

func (t *tx) findOrg(id int64) (*passnum.Organisation, error) {
	org, err := scanOrg(t.row(`SELECT `+orgColumns+` FROM organisations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("organisation", id)
	}
	return org, err
}

func notFound(what string, id any) error {
	return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Introuvable : %s %v.", frenchObject(what), id)
}

func frenchObject(what string) string {
	switch what {
	case "organisation":
		return "organisation n°"
	case "programme":
		return "programme n°"
	case "carnet":
		return "carnet n°"
	case "pass":
		return "pass n°"
	case "batch":
		return "lot n°"
	case "redemption":
		return "encaissement n°"
	case "service":
		return "service n°"
	case "user":
		return "utilisateur n°"
	case "token":
		return "jeton n°"
	case "beneficiary":
		return "bénéficiaire"
	case "venue":
		return "lieu n°"
	case "place":
		return "lieu de permanence n°"
	case "funder charge":
		return "appel de fonds n°"
	case "credit note":
		return "avoir n°"
	case "call":
		return "appel à projets n°"
	case "application":
		return "candidature n°"
	case "convention":
		return "convention n°"
	}
	return what
}

// ListOrganisations lists organisations (the operator sees all, others
// their own).
func (s *Store) ListOrganisations(ctx context.Context, f passnum.OrganisationFilter) ([]*passnum.Organisation, int, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActOrgRead); err != nil {
		return nil, 0, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if !a.IsOperator() {
		where, args = append(where, "id = ?"), append(args, a.OrgID)
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, "(LOWER(name) LIKE ? OR siret = ?)")
		args = append(args, "%"+strings.ToLower(q)+"%", q)
	}
	offset, limit := page(f.Offset, f.Limit)
	var out []*passnum.Organisation
	var total int
	err := s.read(ctx, func(tx *tx) error {
		out = out[:0]
		cond := strings.Join(where, " AND ")
		if err := tx.get(&total, `SELECT COUNT(*) FROM organisations WHERE `+cond, args...); err != nil {
			return err
		}
		var err error
		out, err = selectAll(tx, scanOrg, `SELECT `+orgColumns+` FROM organisations WHERE `+cond+` ORDER BY id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		return err
	})
	return out, total, err
}

// SetTerritory sets the territory of a hub: the areas whose indicators it
// reads. An empty list clears it.
func (s *Store) SetTerritory(ctx context.Context, hubID int64, areas []string) (*passnum.Organisation, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActOrgCreate); err != nil {
		return nil, err
	}
	var list []string
	if len(areas) > 0 {
		t, err := passnum.ParseTerritory(areas)
		if err != nil {
			return nil, err
		}
		list = t.Strings()
	}
	var org *passnum.Organisation
	err := s.write(ctx, "set territory", func(tx *tx) error {
		o, err := tx.findOrg(hubID)
		if err != nil {
			return err
		}
		if o.Kind != passnum.KindHub {
			return passnum.Invalid("territory", "Seul un hub territorial a un territoire.")
		}
		if err := tx.exec(`UPDATE organisations SET territory = ? WHERE id = ?`, strings.Join(list, " "), hubID); err != nil {
			return err
		}
		if err := tx.audit("org.territory", fmt.Sprintf("org:%d", hubID), strings.Join(list, " ")); err != nil {
			return err
		}
		org, err = tx.findOrg(hubID)
		return err
	})
	return org, wrapf(err, "territory of organisation %d", hubID)
}

// canManageOrg tells whether the actor may manage members and tokens of org.
func canManageOrg(a *passnum.Actor, orgID int64) bool {
	return a.IsOperator() && a.Role == passnum.RoleAdmin || a.OrgID == orgID && a.Role == passnum.RoleAdmin
}

// CreateUser creates a person with a first membership: the operator's
// admins in any organisation, an organisation's admins in their own, but
// a venue's only once it is qualified.
func (s *Store) CreateUser(ctx context.Context, c passnum.UserCreate) (*passnum.User, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActUserCreate); err != nil {
		return nil, err
	}
	if !canManageOrg(a, c.OrgID) {
		return nil, passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Vous ne pouvez ajouter des membres qu'à votre propre organisation.")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	// An invited person has no password until they choose it: an empty
	// hash matches none.
	var hash string
	if !c.Invitation() {
		var err error
		if hash, err = hashPassword(c.Password); err != nil {
			return nil, err
		}
	}
	var u *passnum.User
	err := s.write(ctx, "create user", func(tx *tx) error {
		o, err := tx.findOrg(c.OrgID)
		if err != nil {
			return err
		}
		// An applicant's admin (not yet reviewed) creates no account for
		// other people's addresses; the operator may.
		if o.Kind == passnum.KindVenue && !a.IsOperator() {
			if err := tx.actsBeyondItsFile(o.ID, "créer des comptes pour son équipe"); err != nil {
				return err
			}
		}
		var n int
		if err := tx.get(&n, `SELECT COUNT(*) FROM users WHERE email = ?`, c.Email); err != nil {
			return err
		}
		if n > 0 {
			return &passnum.Error{Code: passnum.ECONFLICT, Reason: passnum.ReasonEmailTaken, Field: "email",
				Message: fmt.Sprintf("Un compte existe déjà pour %s : ajoutez-lui plutôt une appartenance.", c.Email)}
		}
		// A password given by an administrator (the API, scripts) makes
		// an account that signs in at once, as before invitations: the
		// administrator vouches for the address.
		confirmed := nullable(tx.nowText())
		if c.Invitation() {
			confirmed = nil
		}
		id, err := tx.insert(`INSERT INTO users (email, name, password_hash, created_at, confirmed_at) VALUES (?, ?, ?, ?, ?)`, c.Email, c.Name, hash, tx.nowText(), confirmed)
		if err != nil {
			return err
		}
		if err := tx.exec(`INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)`, id, c.OrgID, c.Role); err != nil {
			return err
		}
		action := "user.create"
		if c.Invitation() {
			action = "user.invite"
			if err := tx.invite(id, c.OrgID, c.Role); err != nil {
				return fmt.Errorf("invitation of user %d: %w", id, err)
			}
		}
		if err := tx.audit(action, fmt.Sprintf("user:%d", id), fmt.Sprintf("org:%d %s", c.OrgID, c.Role)); err != nil {
			return err
		}
		u, err = tx.findUser(id)
		return err
	})
	return u, wrapf(err, "user of organisation %d", c.OrgID)
}

func (t *tx) findUser(id int64) (*passnum.User, error) {
	var u passnum.User
	var created string
	var confirmed sql.NullString
	err := t.row(`SELECT id, email, name, created_at, confirmed_at FROM users WHERE id = ?`, id).Scan(&u.ID, &u.Email, &u.Name, &created, &confirmed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user", id)
	} else if err != nil {
		return nil, err
	}
	in := instants{table: "users", id: id}
	if u.CreatedAt, u.ConfirmedAt = in.at("created_at", created), in.optional("confirmed_at", confirmed); in.err != nil {
		return nil, in.err
	}
	rows, err := t.query(`SELECT o.id, o.kind, o.name, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = ? ORDER BY o.id`, id)
	if err != nil {
		return nil, fmt.Errorf("memberships of user %d: %w", id, err)
	}
	defer rows.Close()
	u.Memberships = []passnum.Membership{}
	for rows.Next() {
		var m passnum.Membership
		if err := rows.Scan(&m.OrgID, &m.OrgKind, &m.OrgName, &m.Role); err != nil {
			return nil, fmt.Errorf("memberships of user %d: %w", id, err)
		}
		u.Memberships = append(u.Memberships, m)
	}
	return &u, wrapf(rows.Err(), "memberships of user %d", id)
}

// ListMembers lists the people of an organisation, by name. The operator
// reads any organisation's members with all their memberships; an
// organisation's admin reads its own, each with only the membership of that
// organisation: which other structures a person works for is none of its
// business. Other organisations answer ENOTFOUND, as ListTokens does.
func (s *Store) ListMembers(ctx context.Context, orgID int64) ([]*passnum.User, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActMembersRead); err != nil {
		return nil, err
	}
	if !a.IsOperator() && (a.OrgID != orgID || a.Role != passnum.RoleAdmin) {
		return nil, notFound("organisation", orgID)
	}
	var out []*passnum.User
	err := s.read(ctx, func(tx *tx) error {
		if _, err := tx.findOrg(orgID); err != nil {
			return err
		}
		var err error
		out, err = loadAll(tx, tx.findUser, `SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.org_id = ?`, orgID)
		if err != nil {
			return err
		}
		// Sorted here rather than in SQL: SQLite and PostgreSQL collate
		// names differently (case, accents), and both stores must answer
		// alike.
		slices.SortFunc(out, func(x, y *passnum.User) int {
			return cmp.Or(cmp.Compare(geo.Normalize(x.Name), geo.Normalize(y.Name)), cmp.Compare(x.ID, y.ID))
		})
		if a.IsOperator() {
			return nil
		}
		for _, u := range out {
			m, _ := membership(u, orgID)
			u.Memberships = []passnum.Membership{m}
		}
		return nil
	})
	if out == nil && err == nil {
		out = []*passnum.User{}
	}
	return out, wrapf(err, "members of organisation %d", orgID)
}

// AddMembership gives an existing person a role in one more organisation.
// Only operator admins may: an organisation's admin could otherwise attach
// any account, found by its number, to its organisation.
func (s *Store) AddMembership(ctx context.Context, userID, orgID int64, role passnum.Role) error {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActUserCreate); err != nil {
		return err
	}
	if !a.IsOperator() || a.Role != passnum.RoleAdmin {
		return passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Seul un administrateur de l'opérateur peut rattacher un compte existant à une organisation.")
	}
	if !role.Valid() {
		return passnum.Invalid("role", "Rôle inconnu : %q (admin ou agent).", role)
	}
	err := s.write(ctx, "add membership", func(tx *tx) error {
		if _, err := tx.findOrg(orgID); err != nil {
			return err
		}
		if _, err := tx.findUser(userID); err != nil {
			return err
		}
		n, err := tx.execN(`UPDATE memberships SET role = ? WHERE user_id = ? AND org_id = ?`, role, userID, orgID)
		if err != nil {
			return err
		}
		if n == 0 {
			if err := tx.exec(`INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)`, userID, orgID, role); err != nil {
				return err
			}
		}
		return tx.audit("user.membership", fmt.Sprintf("user:%d", userID), fmt.Sprintf("org:%d %s", orgID, role))
	})
	return wrapf(err, "membership of user %d in organisation %d", userID, orgID)
}

// FindUserByEmail finds an account by e-mail, for operator admins only: as
// with AddMembership, an organisation's admin must not be able to probe
// which addresses have accounts.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*passnum.User, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActUserCreate); err != nil {
		return nil, err
	}
	if !a.IsOperator() || a.Role != passnum.RoleAdmin {
		return nil, passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Seul un administrateur de l'opérateur peut rechercher un compte par son adresse.")
	}
	email = strings.ToLower(strings.TrimSpace(email))
	var u *passnum.User
	err := s.read(ctx, func(tx *tx) error {
		var id int64
		err := tx.get(&id, `SELECT id FROM users WHERE email = ?`, email)
		if errors.Is(err, sql.ErrNoRows) {
			return &passnum.Error{Code: passnum.ENOTFOUND, Reason: passnum.ReasonNotFound, Field: "email",
				Message: fmt.Sprintf("Aucun compte n'existe pour %s : créez-le plutôt.", email)}
		} else if err != nil {
			return err
		}
		u, err = tx.findUser(id)
		return err
	})
	return u, err
}

// AuthenticatePassword checks an e-mail and password. The comparison costs
// the same whether or not the e-mail exists, so timing does not reveal
// accounts.
func (s *Store) AuthenticatePassword(ctx context.Context, email, password string) (*passnum.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var u *passnum.User
	var hash string
	var id int64
	err := s.read(ctx, func(tx *tx) error {
		err := tx.row(`SELECT id, password_hash FROM users WHERE email = ?`, email).Scan(&id, &hash)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		u, err = tx.findUser(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if u == nil {
		hash = dummyHash
	}
	if !checkPassword(hash, password) || u == nil {
		return nil, passnum.Errorf(passnum.EUNAUTHORIZED, passnum.ReasonBadCredentials, "Adresse électronique ou mot de passe incorrect.")
	}
	if err := requireConfirmedAddress(u); err != nil {
		return nil, err
	}
	return u, nil
}

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

var dummyHash, _ = hashPassword("passnum-dummy-password")

func hashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

func checkPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// tokenPrefix marks passnum tokens, so secret scanners can find leaked ones.
const tokenPrefix = "pn_"

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken creates an API token for an organisation and returns its
// secret, which is never stored: only its SHA-256 is (the secret has 256
// bits of entropy, so a plain hash is enough).
func (s *Store) CreateToken(ctx context.Context, c passnum.TokenCreate) (*passnum.APIToken, string, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActTokenManage); err != nil {
		return nil, "", err
	}
	if !canManageOrg(a, c.OrgID) {
		return nil, "", passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Vous ne pouvez créer des jetons que pour votre propre organisation.")
	}
	if err := passnum.CheckStrings(&c); err != nil {
		return nil, "", err
	}
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" || len(c.Name) > 100 {
		return nil, "", passnum.Invalid("name", "Donnez un nom au jeton (100 caractères au plus), par exemple le logiciel qui l'utilise.")
	}
	if !c.Role.Valid() {
		return nil, "", passnum.Invalid("role", "Rôle inconnu : %q (admin ou agent).", c.Role)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	secret := tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw))
	var tok *passnum.APIToken
	err := s.write(ctx, "create token", func(tx *tx) error {
		if _, err := tx.findOrg(c.OrgID); err != nil {
			return err
		}
		id, err := tx.insert(`INSERT INTO api_tokens (org_id, role, name, prefix, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.OrgID, c.Role, c.Name, secret[:10], hashToken(secret), tx.nowText())
		if err != nil {
			return err
		}
		if err := tx.audit("token.create", fmt.Sprintf("token:%d", id), fmt.Sprintf("org:%d %s %q", c.OrgID, c.Role, c.Name)); err != nil {
			return err
		}
		tok, err = tx.findToken(id)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("token of organisation %d: %w", c.OrgID, err)
	}
	return tok, secret, nil
}

func (t *tx) findToken(id int64) (*passnum.APIToken, error) {
	var tok passnum.APIToken
	var created string
	var revoked sql.NullString
	err := t.row(`SELECT id, org_id, role, name, prefix, created_at, revoked_at FROM api_tokens WHERE id = ?`, id).
		Scan(&tok.ID, &tok.OrgID, &tok.Role, &tok.Name, &tok.Prefix, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("token", id)
	}
	in := instants{table: "api_tokens", id: id, err: err}
	tok.CreatedAt = in.at("created_at", created)
	tok.RevokedAt = in.optional("revoked_at", revoked)
	return &tok, in.err
}

// ListTokens lists an organisation's tokens (without secrets).
func (s *Store) ListTokens(ctx context.Context, orgID int64) ([]*passnum.APIToken, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActTokenManage); err != nil {
		return nil, err
	}
	if !canManageOrg(a, orgID) {
		return nil, notFound("organisation", orgID) // as RevokeToken: other organisations' tokens are not visible
	}
	var out []*passnum.APIToken
	err := s.read(ctx, func(tx *tx) error {
		out = out[:0]
		var err error
		out, err = loadAll(tx, tx.findToken, `SELECT id FROM api_tokens WHERE org_id = ? ORDER BY id`, orgID)
		return err
	})
	return out, wrapf(err, "tokens of organisation %d", orgID)
}

// RevokeToken revokes a token at once.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActTokenManage); err != nil {
		return err
	}
	err := s.write(ctx, "revoke token", func(tx *tx) error {
		tok, err := tx.findToken(id)
		if err != nil {
			return err
		}
		if !canManageOrg(a, tok.OrgID) {
			return notFound("token", id)
		}
		n, err := tx.execN(`UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, tx.nowText(), id)
		if err != nil || n == 0 { // already revoked: nothing to do, nothing to record
			return err
		}
		return tx.audit("token.revoke", fmt.Sprintf("token:%d", id), "")
	})
	return wrapf(err, "revoke token %d", id)
}

// AuthenticateToken returns the actor behind a token secret.
func (s *Store) AuthenticateToken(ctx context.Context, secret string) (*passnum.Actor, error) {
	bad := passnum.Errorf(passnum.EUNAUTHORIZED, passnum.ReasonBadToken, "Jeton d'accès inconnu ou révoqué.")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 200 {
		return nil, bad
	}
	var a passnum.Actor
	err := s.readRow(ctx, `SELECT t.id, t.org_id, o.kind, t.role FROM api_tokens t JOIN organisations o ON o.id = t.org_id
		WHERE t.secret_hash = ? AND t.revoked_at IS NULL`, []any{hashToken(secret)}, &a.TokenID, &a.OrgID, &a.OrgKind, &a.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	a.Label = fmt.Sprintf("token:%d", a.TokenID)
	return &a, nil
}

// ActorForUser returns the actor of a user acting for one of their
// organisations.
func (s *Store) ActorForUser(ctx context.Context, userID, orgID int64) (*passnum.Actor, error) {
	a := passnum.Actor{UserID: userID, OrgID: orgID, Label: fmt.Sprintf("user:%d", userID)}
	err := s.read(ctx, func(tx *tx) error {
		return tx.row(`SELECT o.kind, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = ? AND m.org_id = ?`,
			userID, orgID).Scan(&a.OrgKind, &a.Role)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonNotAMember, "Vous n'êtes pas membre de cette organisation.")
	}
	return &a, wrapf(err, "actor of user %d in organisation %d", userID, orgID)
}

// SystemActor returns the actor of the operator's command line: an admin of
// the first operator organisation, created on first use — found or created
// in one transaction, so two first commands at once make only one.
func (s *Store) SystemActor(ctx context.Context, label string) (*passnum.Actor, error) {
	var id int64
	err := s.write(ctx, "system actor", func(tx *tx) error {
		err := tx.get(&id, `SELECT id FROM organisations WHERE kind = 'operator' ORDER BY id LIMIT 1`)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		tx.actor = &passnum.Actor{Label: label, OrgKind: passnum.KindOperator, Role: passnum.RoleAdmin}
		if id, err = tx.insert(`INSERT INTO organisations (kind, name, created_at) VALUES ('operator', ?, ?)`, "Opérateur", tx.nowText()); err != nil {
			return err
		}
		return tx.audit("org.create", fmt.Sprintf("org:%d", id), `operator "Opérateur"`)
	})
	if err != nil {
		return nil, err
	}
	return &passnum.Actor{OrgID: id, OrgKind: passnum.KindOperator, Role: passnum.RoleAdmin, Label: label}, nil
}
