package passnum

import (
	"context"
	"io"
)

// Service is everything the platform does, behind one interface that the
// API, the web pages and the command line share. Every method reads the
// actor from the context and authorises it.
//
// It is the union of the small services below, each a few methods that a
// reader holds in mind, as WTF Dial keeps DialService and UserService
// apart: internal/sqlstore implements the union and cmd/passnum wires it,
// but a consumer takes only the services it uses (a PDF of a statement
// reads a venue's file, not the whole platform).
type Service interface {
	OrganisationService
	UserService
	AccountService
	TokenService
	SessionService
	SecondFactorService
	ProviderSignInService
	ProgrammeService
	IssuanceService
	CarnetService
	RedemptionService
	StatsService
	SearchService
	PublicService
	QualificationService
	VenueService
	Catalogue
	WorkshopService
	BookingService
	ActivityService
	DirectoryService
	SettlementService
	PaymentService
	BillingService
	IndicatorService
	RightsService
	RetentionService
	RightsRequestService
	PersonalReadService
	AuditChainService
	MailService
	JobService
	AttemptService
	CallService
	AttachmentService
	SelectionService
	MoneyInService
	ConventionSummaryService
	// CheckInvariants recomputes every invariant of DOMAIN.md from records.
	CheckInvariants(ctx context.Context) (*CheckReport, error)
}

// OrganisationService manages organisations: operator, funders, hubs,
// prescribers and venues.
type OrganisationService interface {
	CreateOrganisation(ctx context.Context, c OrganisationCreate) (*Organisation, error)
	FindOrganisation(ctx context.Context, id int64) (*Organisation, error)
	ListOrganisations(ctx context.Context, f OrganisationFilter) ([]*Organisation, int, error)
	// SetTerritory sets the territory of a hub (operator admins).
	SetTerritory(ctx context.Context, hubID int64, areas []string) (*Organisation, error)
}

// UserService manages people, their memberships of organisations and
// their passwords.
type UserService interface {
	CreateUser(ctx context.Context, c UserCreate) (*User, error)
	AddMembership(ctx context.Context, userID, orgID int64, role Role) error
	// FindUserByEmail finds an account by its e-mail, so that operator
	// admins can attach an existing person to one more organisation.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// ListMembers lists the people of an organisation with their
	// memberships (the operator, and an organisation's own admins).
	ListMembers(ctx context.Context, orgID int64) ([]*User, error)
	// AuthenticatePassword returns the user whose e-mail and password match.
	AuthenticatePassword(ctx context.Context, email, password string) (*User, error)
}

// TokenService manages the API tokens of organisations.
type TokenService interface {
	// CreateToken returns the token and its secret, shown this once.
	CreateToken(ctx context.Context, c TokenCreate) (*APIToken, string, error)
	ListTokens(ctx context.Context, orgID int64) ([]*APIToken, error)
	RevokeToken(ctx context.Context, id int64) error
	// AuthenticateToken returns the actor behind a token secret.
	AuthenticateToken(ctx context.Context, secret string) (*Actor, error)
}

// ProgrammeService manages programmes and the funds their funders pay.
type ProgrammeService interface {
	CreateProgramme(ctx context.Context, c ProgrammeCreate) (*Programme, error)
	FindProgramme(ctx context.Context, id int64) (*Programme, error)
	ListProgrammes(ctx context.Context, f ProgrammeFilter) ([]*Programme, int, error)
	RecordFunds(ctx context.Context, c FundsCreate) (*PaymentOrder, error)
	ListPaymentOrders(ctx context.Context, programmeID int64) ([]*PaymentOrder, error)
}

// IssuanceService issues a programme's carnets, activates their passes
// and exports them for the printer.
type IssuanceService interface {
	Issue(ctx context.Context, r IssueRequest) (*Batch, error)
	ListBatches(ctx context.Context, programmeID int64) ([]*Batch, error)
	// Activate activates passes within the funds received; it returns how
	// many passes it activated.
	Activate(ctx context.Context, r ActivateRequest) (int64, error)
	// ExportPasses writes the passes of a batch as CSV (';', UTF-8) with
	// their short codes and QR payloads, for the printer.
	ExportPasses(ctx context.Context, batchID int64, w io.Writer, progress func(done, total int)) error
}

// CarnetService moves carnets from stock to people.
type CarnetService interface {
	Allocate(ctx context.Context, r AllocateRequest) (int, error)
	ListCarnets(ctx context.Context, f CarnetFilter) ([]*Carnet, int, error)
	FindCarnet(ctx context.Context, number int64) (*Carnet, error)
	Distribute(ctx context.Context, r DistributeRequest) (*Distribution, error)
	FindBeneficiary(ctx context.Context, ref string) (*Beneficiary, error)
	// Block blocks (or unblocks) passes and returns how many changed.
	Block(ctx context.Context, r BlockRequest) (int64, error)
	// Expire moves passes past validity and tolerance to expired.
	Expire(ctx context.Context) (*ExpireResult, error)
}

// RightsService answers a person's rights over a beneficiary record
// (articles 15 to 21): the operator's staff for any reference, a prescriber
// for the references it created. Anyone else, and an unknown reference, get
// the same "not found".
type RightsService interface {
	// PersonalData gathers everything stored about ref (articles 15, 20).
	PersonalData(ctx context.Context, ref string) (*PersonalData, error)
	// RectifyBeneficiary corrects details (article 16).
	RectifyBeneficiary(ctx context.Context, r Rectification) (*Beneficiary, error)
	// RestrictBeneficiary limits (or lifts the limit on) the use of a
	// record (article 18): a restricted person's passes cannot be handed
	// or registered anew, and their details leave no export.
	RestrictBeneficiary(ctx context.Context, ref string, restricted bool, reason string) (*Beneficiary, error)
	// EraseBeneficiary erases a record (article 17) where no legal duty
	// keeps it: passes already used stay in the books, anonymised.
	EraseBeneficiary(ctx context.Context, ref, reason string) (*Erasure, error)
}

// CarnetFilter selects carnets.
type CarnetFilter struct {
	ProgrammeID  int64
	PrescriberID int64
	// Distributed filters on whether carnets were handed out.
	Distributed *bool
	Offset      int
	Limit       int
}

// RedemptionService checks and spends passes at venues.
type RedemptionService interface {
	Check(ctx context.Context, r CheckRequest) ([]PassCheck, error)
	Redeem(ctx context.Context, r RedeemRequest) (*Redemption, error)
	VoidRedemption(ctx context.Context, id int64) (*Redemption, error)
	ListRedemptions(ctx context.Context, f RedemptionFilter) ([]*Redemption, int, error)
	// FindRedemption reads one redemption: a venue its own, the operator
	// any; others are not found, as ListRedemptions would not show them.
	FindRedemption(ctx context.Context, id int64) (*Redemption, error)
}
