package passnum

// Action is something an actor asks to do. Which organisation kinds and roles
// may attempt each action is decided here, in one table; whether the object
// belongs to the actor (its carnets, its programmes, its venue) is checked by
// the store where the object is read.
type Action string

// Actions of the platform.
const (
	ActOrgCreate       Action = "org.create"
	ActOrgRead         Action = "org.read"
	ActOrgQualify      Action = "org.qualify"
	ActUserCreate      Action = "user.create"
	ActTokenManage     Action = "token.manage"
	ActProgrammeCreate Action = "programme.create"
	ActProgrammeRead   Action = "programme.read"
	ActFundsRecord     Action = "funds.record"
	ActIssue           Action = "carnets.issue"
	ActActivate        Action = "passes.activate"
	ActAllocate        Action = "carnets.allocate"
	ActCarnetRead      Action = "carnets.read"
	ActDistribute      Action = "carnets.distribute"
	ActBlock           Action = "passes.block"
	ActExpire          Action = "passes.expire"
	ActCheck           Action = "passes.check"
	ActRedeem          Action = "passes.redeem"
	ActVoid            Action = "redemptions.void"
	ActRedemptionRead  Action = "redemptions.read"
	ActCatalogueEdit   Action = "catalogue.edit"
	ActCatalogueRead   Action = "catalogue.read"
	ActBeneficiaryRead Action = "beneficiaries.read"
	ActInvariantsCheck Action = "invariants.check"
	ActPassExport      Action = "passes.export"
	ActSearch          Action = "search"
	ActOutboxRead      Action = "outbox.read"
	ActOutboxRetry     Action = "outbox.retry"
	ActMembersRead     Action = "members.read"
	// ActMailPreferences reads and sets which messages a person
	// receives: the store lets a person set their own, and the admins of
	// their organisations theirs.
	ActMailPreferences Action = "mail.preferences"
	ActSessionManage   Action = "sessions.manage"
	ActSessionBook     Action = "sessions.book"
	ActActivityWrite   Action = "activity.write"
	ActActivityRead    Action = "activity.read"
	ActSettle          Action = "settlement.manage"
	ActStatementRead   Action = "statements.read"
	ActChargeRead      Action = "charges.read"
	ActIndicatorsRead  Action = "indicators.read"
	ActIndicatorsRun   Action = "indicators.refresh"

	// ActAuditAnchors exports and verifies the anchors of the audit
	// journal's hash chain.
	ActAuditAnchors Action = "audit.anchors"
)

// Actions of the rights of the person over a beneficiary record (articles
// 15 to 21). A prescriber acts only on the records it created (the store
// checks it, answering "not found" for others).
const (
	ActPersonalDataRead    Action = "beneficiaries.personal-data"
	ActBeneficiaryRectify  Action = "beneficiaries.rectify"
	ActBeneficiaryRestrict Action = "beneficiaries.restrict"
	ActBeneficiaryErase    Action = "beneficiaries.erase"
	// ActRetentionManage runs the retention job and reads its runs.
	ActRetentionManage Action = "retention.manage"
)

// Actions of the journal of personal reads (personal_read.go).
const (
	ActPersonalReadsRead Action = "personal-reads.read"
)

// Actions of the register of rights requests (rights_request.go).
const (
	ActRightsRequestRecord Action = "rights-requests.record"
	ActRightsRequestManage Action = "rights-requests.manage"
)

// Actions of calls for projects and their applications (call.go). A
// collectivité that applies is an organisation of kind funder: it
// co-finances the convention it asks for.
const (
	ActCallManage       Action = "calls.manage"
	ActCallRead         Action = "calls.read"
	ActApplicationWrite Action = "applications.write"
	ActApplicationRead  Action = "applications.read"
	// ActConventionRead reads conventions: their parties, the call's
	// funder and the operator (store); hubs read the figures of their
	// territory's conventions.
	ActConventionRead Action = "conventions.read"
)

type grant struct {
	kind OrgKind
	role Role // "" means any role
}

var (
	opAdmin  = grant{KindOperator, RoleAdmin}
	opAny    = grant{KindOperator, ""}
	funder   = grant{KindFunder, ""}
	hub      = grant{KindHub, ""}
	presc    = grant{KindPrescriber, ""}
	prAdmin  = grant{KindPrescriber, RoleAdmin}
	venue    = grant{KindVenue, ""}
	vnAdmin  = grant{KindVenue, RoleAdmin}
	fnAdmin  = grant{KindFunder, RoleAdmin}
	hubAdmin = grant{KindHub, RoleAdmin}
)

// permissions is the role matrix. internal/httpapi's TestRoleMatrixTable
// compares it cell by cell with a copy written out by hand, and
// TestRoleMatrix asks the API for every cell.
var permissions = map[Action][]grant{
	ActOrgCreate:       {opAdmin},
	ActOrgRead:         {opAny, funder, hub, presc, venue}, // others see only their own
	ActOrgQualify:      {opAdmin},
	ActUserCreate:      {opAdmin, fnAdmin, hubAdmin, prAdmin, vnAdmin}, // admins: their own organisation
	ActTokenManage:     {opAdmin, fnAdmin, hubAdmin, prAdmin, vnAdmin},
	ActProgrammeCreate: {opAdmin},
	ActProgrammeRead:   {opAny, funder, hub}, // a funder sees the programmes it funds
	ActFundsRecord:     {opAdmin},
	ActIssue:           {opAdmin},
	ActActivate:        {opAdmin},
	ActAllocate:        {opAny},
	ActCarnetRead:      {opAny, funder, presc}, // funder: its programmes; prescriber: its stock
	ActDistribute:      {presc},
	ActBlock:           {opAny, funder}, // funder: its programmes
	ActExpire:          {opAdmin},
	ActCheck:           {venue},
	ActRedeem:          {venue},
	ActVoid:            {venue},
	ActRedemptionRead:  {opAny, venue}, // venue: its own
	ActCatalogueEdit:   {opAdmin, vnAdmin},
	ActCatalogueRead:   {opAny, funder, hub, presc, venue},
	ActBeneficiaryRead: {opAny, presc}, // prescriber: those it created
	ActInvariantsCheck: {opAny},
	ActPassExport:      {opAdmin},
	ActSearch:          {opAny},
	ActOutboxRead:      {opAdmin},                                    // messages hold password reset links
	ActOutboxRetry:     {opAdmin},                                    // a failed message sent again
	ActMembersRead:     {opAny, fnAdmin, hubAdmin, prAdmin, vnAdmin}, // admins: their own organisation
	ActMailPreferences: {opAny, funder, hub, presc, venue},           // a person their own; admins their members'
	ActSessionManage:   {opAny, venue},                               // venue: its own sessions and registrations
	ActSessionBook:     {presc},                                      // a seat for the holder of a carnet it handed out (booking.go)
	ActActivityWrite:   {venue},                                      // the venue's own reports
	ActActivityRead:    {opAny, hub, venue},                          // venue: its own; hub: the venues of its territory
	ActSettle:          {opAdmin},                                    // runs, statements, batches, payer account, credit notes
	ActStatementRead:   {opAny, venue},                               // venue: its own statements; runs, batches and transfers: operator only
	ActChargeRead:      {opAny, funder},                              // funder: its own charges, credit notes and reconciliations
	ActIndicatorsRead:  {opAny, funder, hub},                         // funder: its programmes; hub: its territory
	ActIndicatorsRun:   {opAny},                                      // recompute the snapshot now

	// Rights of the person: the operator's staff answer requests, the
	// prescriber acts for the person in front of it (its own records).
	ActPersonalDataRead:    {opAny, presc},
	ActBeneficiaryRectify:  {opAny, presc},
	ActBeneficiaryRestrict: {opAny, presc},
	ActBeneficiaryErase:    {opAny, presc},
	ActRetentionManage:     {opAdmin}, // the purge and its runs; serve runs it as the system
	// The register of rights requests: the operator's staff keep it; a
	// prescriber records what a person asks in front of it.
	ActRightsRequestRecord: {opAny, presc},
	ActRightsRequestManage: {opAny}, // read, extend, answer

	ActAuditAnchors: {opAdmin}, // the anchors an outside party keeps to prove the journal unchanged

	// The journal of who read personal data: the operator's administrators
	// review it (it names the staff who read).
	ActPersonalReadsRead: {opAdmin},

	// Calls for projects: a funder's admins open theirs and decide on
	// their applications; a collectivité's admins apply. Everyone who
	// reads a programme reads calls; applications are read by their
	// applicant, its group, the call's funder and the operator (store).
	ActCallManage:       {opAdmin, fnAdmin},
	ActCallRead:         {opAny, funder, hub},
	ActApplicationWrite: {fnAdmin},
	ActApplicationRead:  {opAny, funder},
	ActConventionRead:   {opAny, funder, hub},
}

// Can tells whether the actor's organisation kind and role allow action.
func (a *Actor) Can(action Action) bool {
	if a == nil {
		return false
	}
	for _, g := range permissions[action] {
		if g.kind == a.OrgKind && (g.role == "" || g.role == a.Role) {
			return true
		}
	}
	return false
}

// Authorize returns an EUNAUTHORIZED error when there is no actor and an
// EFORBIDDEN one when the actor's role does not allow action.
func Authorize(a *Actor, action Action) error {
	if a == nil {
		return Errorf(EUNAUTHORIZED, ReasonUnauthenticated, "Identifiez-vous pour continuer.")
	}
	if !a.Can(action) {
		return Errorf(EFORBIDDEN, ReasonForbidden, "Votre rôle (%s, %s) ne permet pas cette action.", a.OrgKind.Label(), a.Role)
	}
	return nil
}

// Actions lists every action, for the role matrix tests and documentation.
func Actions() []Action {
	out := make([]Action, 0, len(permissions))
	for a := range permissions {
		out = append(out, a)
	}
	return out
}
