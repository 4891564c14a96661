package httpapi

import "net/http"

// route is one operation of the API. The table below is the only list of
// routes: NewServer registers it on the mux, and a test checks it against
// the OpenAPI document both ways.
type route struct {
	method string
	path   string // a net/http pattern path, also the OpenAPI path
	// public routes are served without a token.
	public bool
	handle func(*Server, http.ResponseWriter, *http.Request) error
}

// routes maps the API 1:1 to the methods of passnum.Service, except the
// login sessions and password resets, which only the web interface uses.
var routes = []route{
	{"GET", "/api/openapi.json", true, (*Server).getOpenAPI},
	{"GET", "/api/problems/{type}", true, (*Server).getProblemType},

	{"GET", "/api/v1/me", false, (*Server).getMe},

	{"POST", "/api/v1/organisations", false, (*Server).createOrganisation},
	{"GET", "/api/v1/organisations", false, (*Server).listOrganisations},
	{"GET", "/api/v1/organisations/{id}", false, (*Server).getOrganisation},
	{"POST", "/api/v1/organisations/{id}/qualification", false, (*Server).setQualification},
	{"POST", "/api/v1/users", false, (*Server).createUser},
	{"GET", "/api/v1/users", false, (*Server).findUserByEmail},
	{"POST", "/api/v1/users/{id}/memberships", false, (*Server).addMembership},
	{"POST", "/api/v1/users/{id}/invitation", false, (*Server).resendInvitation},
	{"GET", "/api/v1/users/{id}/mail-preferences", false, (*Server).getMailPreferences},
	{"PUT", "/api/v1/users/{id}/mail-preferences", false, (*Server).putMailPreferences},
	{"POST", "/api/v1/tokens", false, (*Server).createToken},
	{"GET", "/api/v1/organisations/{id}/tokens", false, (*Server).listTokens},
	{"DELETE", "/api/v1/tokens/{id}", false, (*Server).revokeToken},
	{"GET", "/api/v1/organisations/{id}/members", false, (*Server).listMembers},
	{"PUT", "/api/v1/organisations/{id}/territory", false, (*Server).putTerritory},

	{"POST", "/api/v1/programmes", false, (*Server).createProgramme},
	{"GET", "/api/v1/programmes", false, (*Server).listProgrammes},
	{"GET", "/api/v1/programmes/{id}", false, (*Server).getProgramme},
	{"GET", "/api/v1/programmes/{id}/stats", false, (*Server).getProgrammeStats},
	{"POST", "/api/v1/programmes/{id}/funds", false, (*Server).recordFunds},
	{"GET", "/api/v1/programmes/{id}/funds", false, (*Server).listPaymentOrders},
	{"POST", "/api/v1/programmes/{id}/batches", false, (*Server).issue},
	{"GET", "/api/v1/programmes/{id}/batches", false, (*Server).listBatches},
	{"POST", "/api/v1/programmes/{id}/activations", false, (*Server).activate},
	{"GET", "/api/v1/batches/{id}/passes.csv", false, (*Server).exportPasses},

	// Calls for projects and their applications (call.go).
	{"POST", "/api/v1/calls", false, (*Server).createCall},
	{"GET", "/api/v1/calls", false, (*Server).listCalls},
	{"GET", "/api/v1/calls/{id}", false, (*Server).getCall},
	{"GET", "/api/v1/public/calls", true, (*Server).listOpenCalls},
	{"POST", "/api/v1/applications", false, (*Server).createApplication},
	{"GET", "/api/v1/applications", false, (*Server).listApplications},
	{"GET", "/api/v1/applications/{id}", false, (*Server).getApplication},
	{"PUT", "/api/v1/applications/{id}", false, (*Server).updateApplication},
	{"POST", "/api/v1/applications/{id}/submission", false, (*Server).submitApplication},
	{"POST", "/api/v1/applications/{id}/messages", false, (*Server).postMessage},
	{"GET", "/api/v1/applications/{id}/messages", false, (*Server).listMessages},
	{"POST", "/api/v1/applications/{id}/attachments", false, (*Server).addAttachment},
	{"GET", "/api/v1/applications/{id}/attachments", false, (*Server).listAttachments},
	{"GET", "/api/v1/applications/{id}/attachments/{aid}", false, (*Server).getAttachment},
	{"DELETE", "/api/v1/applications/{id}/attachments/{aid}", false, (*Server).deleteAttachment},
	{"POST", "/api/v1/applications/{id}/review", false, (*Server).reviewApplication},
	{"POST", "/api/v1/applications/{id}/decision", false, (*Server).decideApplication},
	{"POST", "/api/v1/conventions", false, (*Server).createConvention},
	{"GET", "/api/v1/conventions", false, (*Server).listConventions},
	{"GET", "/api/v1/conventions/{id}", false, (*Server).getConvention},
	{"POST", "/api/v1/conventions/{id}/signatures", false, (*Server).signConvention},
	{"GET", "/api/v1/conventions/{id}/convention.pdf", false, (*Server).getConventionPDF},
	{"POST", "/api/v1/conventions/{id}/programmes", false, (*Server).createConventionProgramme},
	{"POST", "/api/v1/conventions/{id}/addenda", false, (*Server).createAddendum},
	{"GET", "/api/v1/conventions/{id}/addenda", false, (*Server).listAddenda},
	{"GET", "/api/v1/conventions/{id}/addenda/{number}/addendum.pdf", false, (*Server).getAddendumPDF},
	{"POST", "/api/v1/conventions/{id}/fund-calls", false, (*Server).callForFunds},
	{"GET", "/api/v1/conventions/{id}/money-in", false, (*Server).getMoneyIn},
	{"GET", "/api/v1/conventions/territory-summary", false, (*Server).getTerritorySummary},

	{"POST", "/api/v1/allocations", false, (*Server).allocate},
	{"GET", "/api/v1/carnets", false, (*Server).listCarnets},
	{"GET", "/api/v1/carnets/{number}", false, (*Server).getCarnet},
	{"POST", "/api/v1/carnets/{number}/distribution", false, (*Server).distribute},
	{"GET", "/api/v1/carnets/{number}/bookable-sessions", false, (*Server).bookableSessions},
	{"POST", "/api/v1/carnets/{number}/bookings", false, (*Server).book},
	{"GET", "/api/v1/carnets/{number}/bookings", false, (*Server).carnetBookings},
	{"DELETE", "/api/v1/carnets/{number}/bookings/{id}", false, (*Server).cancelBooking},
	{"GET", "/api/v1/beneficiaries/{ref}", false, (*Server).getBeneficiary},
	{"POST", "/api/v1/blocks", false, (*Server).block},
	{"POST", "/api/v1/expiry", false, (*Server).expire},

	{"POST", "/api/v1/checks", false, (*Server).check},
	{"POST", "/api/v1/redemptions", false, (*Server).redeem},
	{"GET", "/api/v1/redemptions", false, (*Server).listRedemptions},
	{"POST", "/api/v1/redemptions/{id}/void", false, (*Server).voidRedemption},

	{"POST", "/api/v1/services", false, (*Server).createCatalogueService},
	{"GET", "/api/v1/venues/{id}/services", false, (*Server).listCatalogueServices},
	{"POST", "/api/v1/services/{id}/active", false, (*Server).setCatalogueServiceActive},
	{"PUT", "/api/v1/services/{id}", false, (*Server).updateCatalogueService},

	{"GET", "/api/v1/venues", false, (*Server).listVenues},
	{"POST", "/api/v1/venues/import", false, (*Server).importVenues},
	{"GET", "/api/v1/venues/export", false, (*Server).exportVenues},
	{"GET", "/api/v1/venues/{id}", false, (*Server).getVenue},
	{"PUT", "/api/v1/venues/{id}", false, (*Server).updateVenue},
	{"PUT", "/api/v1/venues/{id}/bank-account", false, (*Server).updateBankAccount},
	{"POST", "/api/v1/venues/{id}/qualification", false, (*Server).moveQualification},
	{"POST", "/api/v1/venues/{id}/application", false, (*Server).resubmitApplication},
	{"POST", "/api/v1/venues/{id}/places", false, (*Server).createPlace},
	{"PUT", "/api/v1/venues/{id}/places/{place_id}", false, (*Server).updatePlace},

	{"POST", "/api/v1/sessions", false, (*Server).createSession},
	{"GET", "/api/v1/sessions", false, (*Server).listSessions},
	{"GET", "/api/v1/sessions/{id}", false, (*Server).getSession},
	{"POST", "/api/v1/sessions/{id}/cancel", false, (*Server).cancelSession},
	{"POST", "/api/v1/sessions/{id}/registrations", false, (*Server).register},
	{"DELETE", "/api/v1/registrations/{id}", false, (*Server).cancelRegistration},
	{"PUT", "/api/v1/registrations/{id}/attendance", false, (*Server).recordAttendance},
	{"POST", "/api/v1/activity-reports", false, (*Server).createActivityReport},
	{"GET", "/api/v1/activity-reports", false, (*Server).listActivityReports},

	// Money out: settlement runs, statements, payment batches, funders.
	{"POST", "/api/v1/settlement-runs", false, (*Server).createSettlementRun},
	{"GET", "/api/v1/settlement-runs", false, (*Server).listSettlementRuns},
	{"GET", "/api/v1/statements", false, (*Server).listStatements},
	{"GET", "/api/v1/statements/{id}", false, (*Server).getStatement},
	{"GET", "/api/v1/statements/{id}/csv", false, (*Server).getStatementCSV},
	{"GET", "/api/v1/statements/{id}/pdf", false, (*Server).getStatementPDF},
	{"POST", "/api/v1/statements/{id}/validate", false, (*Server).validateStatement},
	{"POST", "/api/v1/statements/{id}/paid", false, (*Server).markStatementPaid},
	{"POST", "/api/v1/statements/{id}/reject", false, (*Server).rejectStatement},
	{"GET", "/api/v1/payer-account", false, (*Server).getPayerAccount},
	{"PUT", "/api/v1/payer-account", false, (*Server).putPayerAccount},
	{"POST", "/api/v1/payment-batches", false, (*Server).createPaymentBatch},
	{"GET", "/api/v1/payment-batches", false, (*Server).listPaymentBatches},
	{"GET", "/api/v1/payment-batches/{id}/transfers", false, (*Server).listTransfers},
	{"GET", "/api/v1/payment-batches/{id}/pain.001", false, (*Server).getPain001},
	{"GET", "/api/v1/funder-charges", false, (*Server).listFunderCharges},
	{"GET", "/api/v1/funder-charges/{id}/pdf", false, (*Server).getFunderChargePDF},
	{"GET", "/api/v1/programmes/{id}/reconciliation", false, (*Server).getReconciliation},
	{"POST", "/api/v1/programmes/{id}/credit-notes", false, (*Server).issueCreditNotes},
	{"GET", "/api/v1/credit-notes", false, (*Server).listCreditNotes},
	{"GET", "/api/v1/credit-notes/{id}/pdf", false, (*Server).getCreditNotePDF},

	// Indicators, read from the latest snapshot (indicators.go).
	{"GET", "/api/v1/indicators", false, (*Server).getIndicators},
	{"GET", "/api/v1/indicators.csv", false, (*Server).getIndicatorsCSV},
	{"GET", "/api/v1/indicators.xlsx", false, (*Server).getIndicatorsXLSX},
	{"GET", "/api/v1/indicators/report.pdf", false, (*Server).getTerritorialPDF},
	{"GET", "/api/v1/indicator-scopes", false, (*Server).getIndicatorScopes},
	{"POST", "/api/v1/indicators/refresh", false, (*Server).refreshIndicators},

	{"GET", "/api/v1/invariants", false, (*Server).checkInvariants},
	{"GET", "/api/v1/search", false, (*Server).search},
	{"GET", "/api/v1/outbox", false, (*Server).listOutbox},
	{"POST", "/api/v1/outbox/{id}/retry", false, (*Server).retryOutboxMessage},

	// The journal of who read personal data (journal.go).
	{"GET", "/api/v1/personal-reads", false, (*Server).listPersonalReads},

	// Rights of the person over a beneficiary record (rights.go).
	{"GET", "/api/v1/beneficiaries/{ref}/personal-data", false, (*Server).getPersonalData},
	{"POST", "/api/v1/beneficiaries/{ref}/rectification", false, (*Server).rectifyBeneficiary},
	{"POST", "/api/v1/beneficiaries/{ref}/restriction", false, (*Server).restrictBeneficiary},
	{"POST", "/api/v1/beneficiaries/{ref}/erasure", false, (*Server).eraseBeneficiary},
	// The retention job's runs (retention.go).
	{"GET", "/api/v1/retention-runs", false, (*Server).listRetentionRuns},
	// The register of rights requests (rights_request.go).
	{"POST", "/api/v1/rights-requests", false, (*Server).recordRightsRequest},
	{"GET", "/api/v1/rights-requests", false, (*Server).listRightsRequests},
	{"GET", "/api/v1/rights-requests/{id}", false, (*Server).getRightsRequest},
	{"POST", "/api/v1/rights-requests/{id}/answer", false, (*Server).answerRightsRequest},
	{"POST", "/api/v1/rights-requests/{id}/extension", false, (*Server).extendRightsRequest},

	// The anchors of the audit journal's hash chain (audit.go).
	{"GET", "/api/v1/audit/anchors", false, (*Server).getAuditAnchors},
	{"GET", "/api/v1/audit/anchors.csv", false, (*Server).getAuditAnchorsCSV},

	// What anyone may ask, without a token.
	{"POST", "/api/v1/public/carnet-status", true, (*Server).carnetStatus},
	{"GET", "/api/v1/public/venues", true, (*Server).listPublicVenues},
	{"GET", "/api/v1/public/directory", true, (*Server).searchDirectory},
	{"GET", "/api/v1/public/directory/{id}", true, (*Server).getDirectoryEntry},
	{"POST", "/api/v1/venue-applications", true, (*Server).applyAsVenue},
	{"GET", "/api/v1/public/open-data.csv", true, (*Server).getOpenDataCSV},
	{"GET", "/api/v1/public/open-data.json", true, (*Server).getOpenDataJSON},
	{"GET", "/api/v1/public/open-data/conventions.csv", true, (*Server).getOpenConventionsCSV},
	{"GET", "/api/v1/public/open-data/conventions.json", true, (*Server).getOpenConventionsJSON},
}
