package httpapi

import (
	"time"

	"github.com/passnum/passnum"
)

// SetNow replaces the clock of the rate limiters, so that tests can let a
// window pass without waiting.
func SetNow(s *Server, now func() time.Time) { s.now = now }

// Route is one entry of the route table, for the OpenAPI coverage test.
type Route struct {
	Method, Path string
	Public       bool
}

// Routes returns the route table.
func Routes() []Route {
	out := make([]Route, len(routes))
	for i, rt := range routes {
		out[i] = Route{rt.method, rt.path, rt.public}
	}
	return out
}

// ProblemReasons returns the reasons of every documented problem type.
func ProblemReasons() []string {
	out := make([]string, 0, len(problemTypes))
	for reason := range problemTypes {
		out = append(out, reason)
	}
	return out
}

// RequestSchemas maps the OpenAPI schemas of request bodies to the Go
// values the handlers decode them into.
var RequestSchemas = map[string]any{
	"OrganisationCreate":     passnum.OrganisationCreate{},
	"QualificationUpdate":    qualificationInput{},
	"UserCreate":             passnum.UserCreate{},
	"MembershipCreate":       membershipInput{},
	"InvitationRequest":      invitationInput{},
	"MailPreferencesUpdate":  mailPreferencesInput{},
	"TokenCreate":            passnum.TokenCreate{},
	"BookingRequest":         bookingInput{},
	"ProgrammeCreate":        passnum.ProgrammeCreate{},
	"FundsCreate":            fundsInput{},
	"IssueRequest":           issueInput{},
	"ActivateRequest":        activateInput{},
	"AllocateRequest":        passnum.AllocateRequest{},
	"DistributionRequest":    distributionInput{},
	"BeneficiaryInput":       passnum.BeneficiaryInput{},
	"BlockRequest":           passnum.BlockRequest{},
	"CheckRequest":           passnum.CheckRequest{},
	"RedeemRequest":          passnum.RedeemRequest{},
	"CatalogueServiceCreate": passnum.CatalogueServiceCreate{},
	"ServiceActive":          activeInput{},
	"CarnetStatusRequest":    carnetStatusInput{},
	"TerritoryUpdate":        territoryInput{},

	// Calls for projects.
	"CallCreate":          passnum.CallCreate{},
	"ApplicationInput":    passnum.ApplicationInput{},
	"MessageCreate":       messageInput{},
	"Review":              passnum.Review{},
	"Decision":            passnum.Decision{},
	"ConventionCreate":    passnum.ConventionCreate{},
	"Signature":           passnum.Signature{},
	"ConventionProgramme": passnum.ConventionProgramme{},
	"AddendumCreate":      passnum.AddendumCreate{},
	"FundCallCreate":      passnum.FundCallCreate{},

	// Rights of the person.
	"RectificationRequest": rectificationInput{},
	"RestrictionRequest":   restrictionInput{},
	"ErasureRequest":       erasureInput{},
}

// ResponseSchemas maps the OpenAPI schemas of answers to the Go values the
// handlers encode.
var ResponseSchemas = map[string]any{
	"Problem":             Problem{},
	"ProblemType":         problemType{},
	"Actor":               passnum.Actor{},
	"Organisation":        passnum.Organisation{},
	"Membership":          passnum.Membership{},
	"User":                passnum.User{},
	"MailPreference":      passnum.MailPreference{},
	"APIToken":            passnum.APIToken{},
	"CreatedToken":        createdToken{},
	"FunderShare":         passnum.FunderShare{},
	"Programme":           passnum.Programme{},
	"PaymentOrder":        passnum.PaymentOrder{},
	"Batch":               passnum.Batch{},
	"Pass":                passnum.Pass{},
	"Carnet":              passnum.Carnet{},
	"Beneficiary":         passnum.Beneficiary{},
	"Distribution":        passnum.Distribution{},
	"BookableSession":     passnum.BookableSession{},
	"BookableSessionPage": list[*passnum.BookableSession]{},
	"Booking":             passnum.Booking{},
	"BookingPage":         list[*passnum.Booking]{},
	"ExpireResult":        passnum.ExpireResult{},
	"PassCheck":           passnum.PassCheck{},
	"Redemption":          passnum.Redemption{},
	"CatalogueService":    passnum.CatalogueService{},
	"CheckReport":         invariantsReport{},
	"OrganisationPage":    list[*passnum.Organisation]{},
	"UserPage":            list[*passnum.User]{},
	"Funnel":              passnum.Funnel{},
	"CarnetCounts":        passnum.CarnetCounts{},
	"ShareMoney":          passnum.ShareMoney{},
	"ProgrammeStats":      passnum.ProgrammeStats{},
	"SearchResults":       passnum.SearchResults{},
	"OutboxMessage":       passnum.OutboxMessage{},
	"OutboxMessagePage":   list[*passnum.OutboxMessage]{},
	"ProgrammeSummary":    passnum.ProgrammeSummary{},
	"CarnetStatus":        passnum.CarnetStatus{},
	"PublicVenue":         passnum.PublicVenue{},
	"PublicVenueList":     publicVenueList{},
	"Scope":               passnum.Scope{},
	"ScopeChoice":         passnum.ScopeChoice{},
	"FunderCents":         passnum.FunderCents{},
	"IndicatorValues":     passnum.IndicatorValues{},
	"IndicatorRow":        passnum.IndicatorRow{},
	"IndicatorReport":     passnum.IndicatorReport{},
	"IndicatorSnapshot":   passnum.IndicatorSnapshot{},

	// Rights of the person.
	"PersonalData":        passnum.PersonalData{},
	"PersonalCarnet":      passnum.PersonalCarnet{},
	"PersonalPassUse":     passnum.PersonalPassUse{},
	"PersonalWorkshop":    passnum.PersonalWorkshop{},
	"PersonalActivity":    passnum.PersonalActivity{},
	"PersonalFieldStored": passnum.PersonalFieldStored{},
	"Erasure":             passnum.Erasure{},
	"RetentionRun":        passnum.RetentionRun{},
	"RetentionCount":      passnum.RetentionCount{},
	"RetentionRunList":    retentionRunList{},
	"AuditAnchor":         passnum.AuditAnchor{},
	"AuditAnchorList":     passnum.AuditAnchorList{},

	// Calls for projects.
	"Call":                   passnum.Call{},
	"CallPage":               list[*passnum.Call]{},
	"Criterion":              passnum.Criterion{},
	"Application":            passnum.Application{},
	"ApplicationPage":        list[*passnum.Application]{},
	"ActionTargets":          passnum.ActionTargets{},
	"FundingLine":            passnum.FundingLine{},
	"Score":                  passnum.Score{},
	"ApplicationMessage":     passnum.ApplicationMessage{},
	"ApplicationMessagePage": list[*passnum.ApplicationMessage]{},
	"Attachment":             passnum.Attachment{},
	"AttachmentPage":         list[*passnum.Attachment]{},
	"ConventionParty":        passnum.ConventionParty{},
	"Convention":             passnum.Convention{},
	"ConventionPage":         list[*passnum.Convention]{},
	"AddendumLine":           passnum.AddendumLine{},
	"Addendum":               passnum.Addendum{},
	"AddendumPage":           list[*passnum.Addendum]{},
	"FundCall":               passnum.FundCall{},
	"FunderMoney":            passnum.FunderMoney{},
	"MoneyIn":                passnum.MoneyIn{},
	"ConventionTotals":       passnum.ConventionTotals{},
	"ConventionFigures":      passnum.ConventionFigures{},
	"TerritoryConventions":   passnum.TerritoryConventions{},
	"ConventionSummary":      passnum.ConventionSummary{},
}
