package passnum

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// OrgKind is what an organisation is in a programme.
type OrgKind string

// The organisation kinds of DOMAIN.md.
const (
	KindOperator   OrgKind = "operator"
	KindFunder     OrgKind = "funder"
	KindHub        OrgKind = "hub"
	KindPrescriber OrgKind = "prescriber"
	KindVenue      OrgKind = "venue"
)

// OrgKinds lists every kind, in a stable order.
var OrgKinds = []OrgKind{KindOperator, KindFunder, KindHub, KindPrescriber, KindVenue}

// Valid tells whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, v := range OrgKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Label is the French name of the kind.
func (k OrgKind) Label() string {
	switch k {
	case KindOperator:
		return "opérateur"
	case KindFunder:
		return "financeur"
	case KindHub:
		return "hub territorial"
	case KindPrescriber:
		return "prescripteur"
	case KindVenue:
		return "lieu de médiation numérique"
	}
	return string(k)
}

// Role is what a member may do within an organisation.
type Role string

// Roles: an admin manages the organisation (members, tokens, catalogue); an
// agent does the daily work (hand out carnets, redeem passes).
const (
	RoleAdmin Role = "admin"
	RoleAgent Role = "agent"
)

// Valid tells whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleAgent }

// Qualification is the status of a venue: only a qualified venue redeems.
type Qualification string

// Qualification statuses; a later issue adds the application workflow.
const (
	QualificationPending   Qualification = "pending"
	QualificationQualified Qualification = "qualified"
	QualificationSuspended Qualification = "suspended"
	QualificationWithdrawn Qualification = "withdrawn"
)

// Valid tells whether q is a known status.
func (q Qualification) Valid() bool {
	switch q {
	case QualificationPending, QualificationQualified, QualificationSuspended, QualificationWithdrawn,
		QualificationListed, QualificationChangesRequested, QualificationRefused:
		return true
	}
	return false
}

// Label is the French name of a status.
func (q Qualification) Label() string {
	switch q {
	case QualificationPending:
		return "en attente de qualification"
	case QualificationQualified:
		return "qualifié"
	case QualificationSuspended:
		return "suspendu"
	case QualificationWithdrawn:
		return "qualification retirée"
	case QualificationListed:
		return "référencé (sans candidature)"
	case QualificationChangesRequested:
		return "compléments demandés"
	case QualificationRefused:
		return "candidature refusée"
	}
	return string(q)
}

// Organisation is an operator, funder, hub, prescriber or venue.
type Organisation struct {
	ID            int64         `json:"id"`
	Kind          OrgKind       `json:"kind"`
	Name          string        `json:"name"`
	SIRET         string        `json:"siret,omitempty"`
	CommuneINSEE  string        `json:"commune_insee,omitempty"`
	Qualification Qualification `json:"qualification,omitempty"`
	// Territory of a hub: the areas whose figures it reads ("region:53").
	Territory []string  `json:"territory,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// OrganisationCreate is the input of CreateOrganisation.
type OrganisationCreate struct {
	Kind         OrgKind `json:"kind"`
	Name         string  `json:"name"`
	SIRET        string  `json:"siret,omitempty"`
	CommuneINSEE string  `json:"commune_insee,omitempty"`
	// Qualification of a venue; defaults to pending.
	Qualification Qualification `json:"qualification,omitempty"`
	// Territory of a hub (optional: a hub without one reads no figures
	// until the operator sets it).
	Territory []string `json:"territory,omitempty"`
}

// Normalize trims the input and fills defaults.
func (c *OrganisationCreate) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	c.SIRET = strings.Join(strings.Fields(c.SIRET), "")
	c.CommuneINSEE = strings.ToUpper(strings.TrimSpace(c.CommuneINSEE))
	if c.Kind == KindVenue && c.Qualification == "" {
		c.Qualification = QualificationPending
	}
}

// Validate checks the input of CreateOrganisation.
func (c *OrganisationCreate) Validate() error {
	if err := CheckStrings(c); err != nil {
		return err
	}
	if !c.Kind.Valid() {
		return Invalid("kind", "Type d'organisation inconnu : %q.", c.Kind)
	}
	if c.Name == "" || len(c.Name) > 200 {
		return Invalid("name", "Le nom est obligatoire (200 caractères au plus).")
	}
	if c.SIRET != "" || c.Kind == KindVenue {
		if err := ValidateSIRET(c.SIRET); err != nil {
			return err
		}
	}
	if c.CommuneINSEE != "" || c.Kind == KindVenue {
		if err := ValidateCommune(c.CommuneINSEE); err != nil {
			return err
		}
	}
	if len(c.Territory) > 0 {
		if c.Kind != KindHub {
			return Invalid("territory", "Seul un hub territorial a un territoire.")
		}
		t, err := ParseTerritory(c.Territory)
		if err != nil {
			return err
		}
		c.Territory = t.Strings()
	}
	if c.Kind == KindVenue {
		if !c.Qualification.Valid() {
			return Invalid("qualification", "Statut de qualification inconnu : %q.", c.Qualification)
		}
	} else if c.Qualification != "" {
		return Invalid("qualification", "Seul un lieu de médiation a un statut de qualification.")
	}
	return nil
}

// OrganisationFilter selects organisations.
type OrganisationFilter struct {
	Kind   OrgKind
	Query  string // matches name or SIRET
	Offset int
	Limit  int
}

// User is a person who logs in. People may belong to several organisations.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// ConfirmedAt is when the person proved the address is theirs (an
	// invitation accepted, a confirmation link followed); nil until then,
	// and the account cannot sign in.
	ConfirmedAt *time.Time   `json:"confirmed_at"`
	Memberships []Membership `json:"memberships"`
}

// Membership is a user's role in one organisation.
type Membership struct {
	OrgID   int64   `json:"org_id"`
	OrgKind OrgKind `json:"org_kind"`
	OrgName string  `json:"org_name"`
	Role    Role    `json:"role"`
}

// UserCreate is the input of CreateUser: the user and a first membership.
// Without a password, the person is invited: the account has none until
// they choose it with the invitation's link, which confirms their address.
// With one (scripts and the API's clients that set accounts up for their
// people, the demonstration), the account can sign in at once.
type UserCreate struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password,omitempty"`
	OrgID    int64  `json:"org_id"`
	Role     Role   `json:"role"`
}

// Invitation tells whether the person is invited rather than given a
// password.
func (c *UserCreate) Invitation() bool { return c.Password == "" }

// MinPasswordLength follows ANSSI's advice for passwords protected by a
// login rate limit; CheckPassword says what else a password needs.
const MinPasswordLength = 12

// Validate checks the input of CreateUser and returns its first problem.
func (c *UserCreate) Validate() error {
	if errs := c.Problems(); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// Problems normalises the input of CreateUser and returns every problem,
// one per field: its characters (CheckStrings), the e-mail address, the
// name, the password (CheckPassword, with the name and address) and the
// role, so that a form shows them all at once.
func (c *UserCreate) Problems() []*Error {
	errs := checkAllStrings(c)
	refused := map[string]bool{}
	for _, e := range errs {
		refused[e.Field] = true
	}
	add := func(err error) {
		if e, ok := err.(*Error); ok && !refused[e.Field] {
			errs = append(errs, e)
		}
	}
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	c.Name = strings.TrimSpace(c.Name)
	if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
		add(Invalid("email", "Adresse électronique invalide : %q.", c.Email))
	}
	if c.Name == "" {
		add(Invalid("name", "Le nom est obligatoire."))
	}
	if !c.Invitation() {
		add(CheckPassword(c.Password, c.Name, c.Email))
	}
	if !c.Role.Valid() {
		add(Invalid("role", "Rôle inconnu : %q (admin ou agent).", c.Role))
	}
	return errs
}

// APIToken is a credential for an integration. Its secret is shown once, at
// creation; stores keep only a hash.
type APIToken struct {
	ID        int64      `json:"id"`
	OrgID     int64      `json:"org_id"`
	Role      Role       `json:"role"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"` // the first characters, to recognise it in a list
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// TokenCreate is the input of CreateToken.
type TokenCreate struct {
	OrgID int64  `json:"org_id"`
	Role  Role   `json:"role"`
	Name  string `json:"name"`
}

// Actor is who performs an operation: a member of an organisation acting
// with a role, through a session or an API token, or the operator's own
// command line.
type Actor struct {
	UserID  int64   `json:"user_id,omitempty"`
	TokenID int64   `json:"token_id,omitempty"`
	OrgID   int64   `json:"org_id"`
	OrgKind OrgKind `json:"org_kind"`
	Role    Role    `json:"role"`
	// Label names the actor in the audit trail ("user:12", "token:3", "cli:alice").
	Label string `json:"label"`
}

// IsOperator tells whether the actor acts for the operator.
func (a *Actor) IsOperator() bool { return a != nil && a.OrgKind == KindOperator }

type actorKey struct{}

// NewContextWithActor returns a context carrying a.
func NewContextWithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor of ctx, or nil.
func ActorFromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}
