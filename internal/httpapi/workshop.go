package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// serviceUpdateInput is the body of PUT /services/{id}: a catalogue
// service's new description. Its venue does not change.
type serviceUpdateInput struct {
	Title           string `json:"title"`
	Category        string `json:"category"`
	DurationMinutes int    `json:"duration_minutes"`
	PricePasses     int    `json:"price_passes"`
	Level           string `json:"level,omitempty"`
	Format          string `json:"format,omitempty"`
	Accessibility   string `json:"accessibility,omitempty"`
	Description     string `json:"description,omitempty"`
}

func (s *Server) updateCatalogueService(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in serviceUpdateInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	svc, err := s.svc.UpdateCatalogueService(r.Context(), passnum.CatalogueServiceUpdate{ID: id,
		CatalogueServiceCreate: passnum.CatalogueServiceCreate{Title: in.Title, Category: in.Category,
			DurationMinutes: in.DurationMinutes, PricePasses: in.PricePasses, Level: in.Level, Format: in.Format,
			Accessibility: in.Accessibility, Description: in.Description}})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, svc)
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) error {
	var in passnum.SessionCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	sess, err := s.svc.CreateSession(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/sessions/%d", sess.ID))
	return writeJSON(w, http.StatusCreated, sess)
}

// maxSessions bounds the sessions one request reads; the page is cut from
// them.
const maxSessions = 5000

// listSessions answers GET /sessions: a venue's sessions in a period,
// soonest first.
func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	f := passnum.SessionFilter{Limit: maxSessions}
	if f.VenueID, err = queryID(r, "venue_id"); err != nil {
		return err
	}
	if f.ServiceID, err = queryID(r, "service_id"); err != nil {
		return err
	}
	if f.From, err = queryInstant(r, "from", false); err != nil {
		return err
	}
	if f.To, err = queryInstant(r, "to", true); err != nil {
		return err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return passnum.Invalid("to", "La fin de la période (to) précède son début (from).")
	}
	sessions, err := s.svc.ListSessions(r.Context(), f)
	if err != nil {
		return err
	}
	return writeSlice(w, p, sessions)
}

// parisTime is where the dates of the API's periods are read: French days.
var parisTime = loadParis()

func loadParis() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600) // without tzdata, as the domain does
	}
	return loc
}

// queryInstant reads an optional instant parameter: RFC 3339, or a date
// (YYYY-MM-DD) meaning the start of that day in France, or, when end is
// set, the start of the next (the upper bound is exclusive), so that
// from=2027-03-01&to=2027-03-31 covers all of March.
func queryInstant(r *http.Request, name string, end bool) (time.Time, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, raw, parisTime)
	if err != nil {
		return time.Time{}, passnum.Invalid(name, "Paramètre %s invalide : %q (une date AAAA-MM-JJ ou un instant RFC 3339 comme 2027-03-15T14:00:00+01:00).", name, raw)
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

// sessionDetail is a session with its registrations.
type sessionDetail struct {
	*passnum.WorkshopSession
	Registrations []*passnum.Registration `json:"registrations"`
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sess, regs, err := s.svc.FindSession(r.Context(), id)
	if err != nil {
		return err
	}
	if regs == nil {
		regs = []*passnum.Registration{}
	}
	return writeJSON(w, http.StatusOK, sessionDetail{WorkshopSession: sess, Registrations: regs})
}

func (s *Server) cancelSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sess, err := s.svc.CancelSession(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sess)
}

// registrationInput is the body of POST /sessions/{id}/registrations: the
// session comes from the path.
type registrationInput struct {
	BeneficiaryRef string `json:"beneficiary_ref,omitempty"`
	Label          string `json:"label,omitempty"`
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in registrationInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	reg, err := s.svc.Register(r.Context(), passnum.RegistrationCreate{SessionID: id, BeneficiaryRef: in.BeneficiaryRef, Label: in.Label})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, reg)
}

func (s *Server) cancelRegistration(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.CancelRegistration(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// attendanceInput is the body of PUT /registrations/{id}/attendance.
// Attended is a pointer so that a forgotten field is an error, not an
// absence.
type attendanceInput struct {
	Attended *bool `json:"attended"`
}

func (s *Server) recordAttendance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in attendanceInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Attended == nil {
		return passnum.Invalid("attended", "Indiquez si la personne est venue (true) ou non (false).")
	}
	if err := s.svc.RecordAttendance(r.Context(), id, *in.Attended); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// activityReportInput is the body of POST /activity-reports: what the
// adviser records; the venue (the caller's), the author, the identifier and
// the instant are the service's.
type activityReportInput struct {
	Format          string   `json:"format"`
	Date            string   `json:"date"`
	DurationMinutes int      `json:"duration_minutes"`
	Themes          []string `json:"themes"`
	Autonomy        string   `json:"autonomy,omitempty"`
	PlaceID         int64    `json:"place_id,omitempty"`
	PlaceKind       string   `json:"place_kind"`
	Participants    int      `json:"participants"`
	BeneficiaryRefs []string `json:"beneficiary_refs,omitempty"`
	SessionID       int64    `json:"session_id,omitempty"`
	RedemptionID    int64    `json:"redemption_id,omitempty"`
	PassesUsed      int      `json:"passes_used,omitempty"`
	Notes           string   `json:"notes,omitempty"`
}

func (s *Server) createActivityReport(w http.ResponseWriter, r *http.Request) error {
	var in activityReportInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rep, err := s.svc.CreateActivityReport(r.Context(), passnum.ActivityReport{
		Format: in.Format, Date: in.Date, DurationMinutes: in.DurationMinutes,
		Themes: in.Themes, Autonomy: in.Autonomy, PlaceID: in.PlaceID, PlaceKind: in.PlaceKind,
		Participants: in.Participants, BeneficiaryRefs: in.BeneficiaryRefs, SessionID: in.SessionID,
		RedemptionID: in.RedemptionID, PassesUsed: in.PassesUsed, Notes: in.Notes})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, rep)
}

// activityReportList is the answer of GET /activity-reports: a page of
// reports and the summary of the whole period.
type activityReportList struct {
	Reports []*passnum.ActivityReport `json:"reports"`
	Total   int                       `json:"total"`
	Offset  int                       `json:"offset"`
	Limit   int                       `json:"limit"`
	Summary *passnum.ActivitySummary  `json:"summary"`
}

func (s *Server) listActivityReports(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	f := passnum.ActivityFilter{Offset: p.offset, Limit: p.limit}
	if f.VenueID, err = queryID(r, "venue_id"); err != nil {
		return err
	}
	for _, d := range []struct {
		name string
		dst  *string
	}{{"from", &f.From}, {"to", &f.To}} {
		raw := r.URL.Query().Get(d.name)
		if raw == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, raw); err != nil {
			return passnum.Invalid(d.name, "Paramètre %s invalide : %q (une date AAAA-MM-JJ).", d.name, raw)
		}
		*d.dst = raw
	}
	if f.From != "" && f.To != "" && f.To < f.From {
		return passnum.Invalid("to", "La fin de la période (to) précède son début (from).")
	}
	for _, raw := range r.URL.Query()["territory"] {
		f.Territory = append(f.Territory, strings.FieldsFunc(raw, func(c rune) bool { return c == ',' || c == ' ' })...)
	}
	reports, total, sum, err := s.svc.ListActivityReports(r.Context(), f)
	if err != nil {
		return err
	}
	if reports == nil {
		reports = []*passnum.ActivityReport{}
	}
	if sum == nil {
		sum = &passnum.ActivitySummary{}
	}
	if sum.ByTheme == nil {
		sum.ByTheme = map[string]int{}
	}
	return writeJSON(w, http.StatusOK, activityReportList{Reports: reports, Total: total, Offset: p.offset, Limit: p.limit, Summary: sum})
}
