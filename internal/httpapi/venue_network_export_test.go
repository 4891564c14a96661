package httpapi

import "github.com/passnum/passnum"

// The schemas of the venue network's requests and answers, for the
// OpenAPI test (export_test.go holds the others).
func init() {
	for name, v := range map[string]any{
		"VenueApplication":       passnum.VenueApplication{},
		"Questionnaire":          passnum.Questionnaire{},
		"BankAccount":            passnum.BankAccount{},
		"PlaceInput":             placeInput{},
		"CatalogueServiceUpdate": serviceUpdateInput{},
		"SessionCreate":          passnum.SessionCreate{},
		"RegistrationCreate":     registrationInput{},
		"Attendance":             attendanceInput{},
		"ActivityReportCreate":   activityReportInput{},
	} {
		RequestSchemas[name] = v
	}
	for name, v := range map[string]any{
		"InputError":            InputError{},
		"Venue":                 passnum.Venue{},
		"VenueFile":             passnum.VenueFile{},
		"VenuePage":             list[*passnum.Venue]{},
		"QualificationEvent":    passnum.QualificationEvent{},
		"Place":                 passnum.Place{},
		"ImportReport":          passnum.ImportReport{},
		"ImportProblem":         passnum.ImportProblem{},
		"LatLon":                passnum.LatLon{},
		"DirectoryVenue":        passnum.DirectoryVenue{},
		"DirectoryPage":         passnum.DirectoryPage{},
		"DirectoryEntry":        passnum.DirectoryEntry{},
		"WorkshopSession":       passnum.WorkshopSession{},
		"WorkshopSessionDetail": sessionDetail{},
		"WorkshopSessionPage":   list[*passnum.WorkshopSession]{},
		"Registration":          passnum.Registration{},
		"ActivityReport":        passnum.ActivityReport{},
		"ActivitySummary":       passnum.ActivitySummary{},
		"VenueActivity":         passnum.VenueActivity{},
		"ActivityReportList":    activityReportList{},
	} {
		ResponseSchemas[name] = v
	}
}
