package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
	"github.com/passnum/passnum/internal/ratelimit"
)

// The online application of a venue (/candidature): anyone may send one,
// so it is limited per client network (ratelimit.ApplicationLimit and
// ApplicationTryLimit), with counters shared with the API. Forms sent back
// before reaching the service do not count, so that a person correcting
// their form a few times is never blocked.

// applicationPage is what the application form needs.
type applicationPage struct {
	// Resubmit is true on the venue's own page, where its admin corrects
	// the application: no account section, the form posts to
	// /lieu/candidature.
	Resubmit bool
	Action   string
	Communes []communeOption
	Charter  string // passnum.CharterVersion
	// File is the venue's file when it resubmits (status, history).
	File *passnum.VenueFile
	// CanEdit: an agent of the venue reads its status without the form.
	CanEdit bool
	// Names of the people behind the history's actor labels.
	Names map[string]string
}

func (s *Server) applicationForm(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Candidater pour accepter le Pass numérique", nil)
	return s.applicationFormPage(w, r, v, http.StatusOK, nil)
}

func (s *Server) applicationFormPage(w http.ResponseWriter, r *http.Request, v *view, status int, communes []communeOption) error {
	v.Data = &applicationPage{Action: "/candidature", Communes: communes, Charter: passnum.CharterVersion, CanEdit: true}
	return s.render(w, r, status, "application_form", v)
}

// apply records a public application: every problem of the form is shown
// at once, and nothing is created until all are fixed.
func (s *Server) apply(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Candidater pour accepter le Pass numérique", nil)
	v.Form = copyForm(r.PostForm)
	a, communes := readApplication(v, true)
	v.Form.Del("admin_password") // never sent back to the browser
	// A blocked network learns it at once, before correcting a form that
	// could not be sent anyway.
	now, client := s.now(), s.proxies.ClientNetwork(r)
	for _, lim := range []*ratelimit.Window[string]{s.limits.Applications, s.limits.ApplicationTries} {
		if until, blocked := lim.BlockedUntil(client, now); blocked {
			w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(until.Sub(now))))
			v.Summary, v.Errors = nil, nil
			v.addError("", "Trop de candidatures ont été envoyées depuis votre connexion. Par sécurité, les candidatures sont suspendues ; réessayez "+
				ratelimit.RetryWhen(until, now)+". Ce que vous avez saisi est conservé ci-dessous (sauf le mot de passe).")
			return s.applicationFormPage(w, r, v, http.StatusTooManyRequests, communes)
		}
	}
	if v.Summary != nil {
		return s.applicationFormPage(w, r, v, http.StatusBadRequest, communes)
	}
	org, err := s.svc.ApplyAsVenue(r.Context(), a)
	if passnum.ErrorCode(err) != passnum.EINTERNAL {
		blocked := s.limits.ApplicationTries.Add(client, now, 1)
		if err == nil {
			blocked = s.limits.Applications.Add(client, now, 1) || blocked
		}
		if blocked {
			s.log.WarnContext(r.Context(), "application limit reached", "client", client)
		}
	}
	if err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		addProblems(v, err)
		addEveryProblem(v, a, true)
		return s.applicationFormPage(w, r, v, errStatus(err), communes)
	}
	s.setFlash(w, "success", fmt.Sprintf("Candidature de « %s » enregistrée.", org.Name))
	http.Redirect(w, r, "/candidature/envoyee", http.StatusSeeOther)
	return nil
}

// applicationSent explains what happens after an application.
func (s *Server) applicationSent(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "application_sent", s.newView(r, "Candidature envoyée", nil))
}

// readApplication reads the application form of v.Form. Fields that cannot
// even be read (a number that is not one, a commune that is not found) are
// recorded on v, with the problems the service would find in the rest, so
// that every problem is listed at once; otherwise the service lists them.
func readApplication(v *view, withAdmin bool) (passnum.VenueApplication, []communeOption) {
	f := v.Form
	a := passnum.VenueApplication{
		Questionnaire: passnum.Questionnaire{
			WheelchairAccess:   f.Get("wheelchair_access") == "1",
			OfferDescription:   f.Get("offer_description"),
			StaffQualification: f.Get("staff_qualification"),
		},
		Bank:           passnum.BankAccount{Holder: f.Get("holder"), IBAN: f.Get("iban"), BIC: f.Get("bic")},
		CharterVersion: f.Get("charter"),
	}
	venue, communes := readVenueDescription(v)
	a.Venue = venue
	for _, n := range []struct {
		field string
		to    *int
		label string
	}{
		{"mediators", &a.Questionnaire.Mediators, "le nombre de médiateurs et médiatrices"},
		{"digital_advisers", &a.Questionnaire.DigitalAdvisers, "le nombre de conseillers numériques"},
		{"volunteers", &a.Questionnaire.Volunteers, "le nombre de bénévoles"},
		{"workstations", &a.Questionnaire.Workstations, "le nombre de postes informatiques"},
		{"people_per_year", &a.Questionnaire.PeoplePerYear, "le nombre de personnes accompagnées"},
	} {
		typed := strings.TrimSpace(f.Get(n.field))
		if typed == "" {
			continue // 0; the service says which counts are required
		}
		c, ok := parseCount(typed)
		if !ok || c > 1_000_000 {
			v.addError(n.field, fmt.Sprintf("Indiquez %s en chiffres, par exemple 3.", n.label))
			continue
		}
		*n.to = int(c)
	}
	if withAdmin {
		a.AdminName, a.AdminEmail, a.AdminPassword = f.Get("admin_name"), f.Get("admin_email"), f.Get("admin_password")
	}
	if v.Summary != nil {
		// The service will not see this form: list the rest of its
		// problems now, so that all are corrected in one go.
		check := a // Validate normalises: keep what was typed in the form
		if check.Venue.ID == "" {
			check.Venue.ID = "passnum-candidature" // the service's own, on creation
		}
		if check.Venue.UpdatedOn == "" {
			check.Venue.UpdatedOn = "2026-01-01" // the service dates the description: any valid date will do here
		}
		for _, e := range check.Validate(withAdmin) {
			addFieldError(v, e.Field, e.Message)
		}
		addEveryProblem(v, a, withAdmin)
	}
	return a, communes
}

// addEveryProblem adds the problems of the questionnaire, the bank account
// and the account that their Validate, stopping at the first, does not
// tell: each field at fault is set right in a copy, and the copy checked
// again.
func addEveryProblem(v *view, a passnum.VenueApplication, withAdmin bool) {
	q := a.Questionnaire
	for range 8 {
		var e *passnum.Error
		if err := q.Validate(); !errors.As(err, &e) {
			break
		}
		addFieldError(v, e.Field, e.Message)
		switch e.Field {
		case "mediators":
			q.Mediators = max(1, q.DigitalAdvisers)
		case "digital_advisers":
			q.DigitalAdvisers = 0
		case "volunteers":
			q.Volunteers = 0
		case "workstations":
			q.Workstations = 0
		case "people_per_year":
			q.PeoplePerYear = 0
		case "offer_description":
			q.OfferDescription = "…"
		case "staff_qualification":
			q.StaffQualification = ""
		default:
			return
		}
	}
	addBankProblems(v, a.Bank)
	if withAdmin {
		for _, e := range a.AdminProblems() {
			addFieldError(v, e.Field, e.Message)
		}
	}
}

// addBankProblems records every problem of a bank account, on its field.
func addBankProblems(v *view, b passnum.BankAccount) {
	b.Normalize()
	var e *passnum.Error
	if errors.As(b.Validate(), &e) && e.Field == "holder" {
		addFieldError(v, e.Field, e.Message)
	}
	for _, err := range []error{passnum.ValidateIBAN(b.IBAN), passnum.ValidateBIC(b.BIC)} {
		if errors.As(err, &e) {
			addFieldError(v, e.Field, e.Message)
		}
	}
}

// readVenueDescription reads the public description of a venue (the
// standard's fields) from v.Form: the structure and its offer.
func readVenueDescription(v *view) (passnum.Venue, []communeOption) {
	f := v.Form
	venue := passnum.Venue{
		Name:              f.Get("nom"),
		Pivot:             f.Get("pivot"),
		Address:           f.Get("adresse"),
		AddressComplement: f.Get("complement_adresse"),
		PostalCode:        strings.TrimSpace(f.Get("code_postal")),
		Phone:             normalizePhone(f.Get("telephone")),
		Emails:            splitList(f.Get("courriels")),
		Websites:          splitList(f.Get("site_web")),
		OpeningHours:      f.Get("horaires"),
		Summary:           strings.TrimSpace(f.Get("presentation_resume")),
		Detail:            strings.TrimSpace(f.Get("presentation_detail")),
		AppointmentURL:    strings.TrimSpace(f.Get("prise_rdv")),
		Services:          f["services"],
		Publics:           f["publics_specifiquement_adresses"],
		Supports:          f["prise_en_charge_specifique"],
		Fees:              f["frais_a_charge"],
		AccessModes:       f["modalites_acces"],
		SupportModes:      f["modalites_accompagnement"],
	}
	typed := strings.TrimSpace(f.Get("commune"))
	insee, communes := communeField(v, true)
	if c, ok := geo.LookupCommune(insee); ok {
		venue.INSEE, venue.Commune = c.INSEE, c.Name
		switch {
		case venue.PostalCode == "" && len(typed) == 5 && slices.Contains(c.PostalCodes, typed):
			venue.PostalCode = typed // the commune was found by its postal code
		case venue.PostalCode == "" && len(c.PostalCodes) == 1:
			venue.PostalCode = c.PostalCodes[0]
		}
		if venue.PostalCode != "" && f.Get("code_postal") == "" {
			f.Set("code_postal", venue.PostalCode)
		}
	}
	return venue, communes
}

// applicationFields maps the fields the service names to those of the
// form: the commune picker stands for the standard's three commune
// columns, and what the form does not ask is reported on the form.
var applicationFields = map[string]string{
	"commune": "commune", "code_insee": "commune", "latitude": "", "longitude": "", "id": "",
	"date_maj": "", "venue_id": "", "email": "admin_email", "name": "admin_name", "password": "admin_password",
	"siret": "pivot", "qualification": "",
}

// addFieldError records a problem of the service on the form's field,
// without the "field :" prefix the standard's messages carry for imports.
func addFieldError(v *view, field, msg string) {
	msg = strings.TrimSpace(strings.TrimPrefix(msg, field+" :"))
	msg = capitalize(msg)
	if mapped, ok := applicationFields[field]; ok {
		field = mapped
	}
	v.addError(field, msg)
}

// addProblems records every problem of a refused form: those the service
// lists (Problems), or its one error.
func addProblems(v *view, err error) {
	var e *passnum.Error
	if errors.As(err, &e) && len(e.Problems) > 0 {
		for _, p := range e.Problems {
			addFieldError(v, p.Field, p.Message)
		}
		return
	}
	if errors.As(err, &e) {
		addFieldError(v, e.Field, e.Message)
		return
	}
	v.addError("", passnum.ErrorMessage(err))
}

// normalizePhone writes a French number as the standard wants it, +33
// then the digits: "02 99 00 00 00" is "+33299000000".
func normalizePhone(s string) string {
	t := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '(', ')', '/', '\u00a0', '\u202f', '\t':
			return -1
		}
		return r
	}, s)
	if strings.HasPrefix(t, "00") {
		t = "+" + t[2:]
	}
	if len(t) == 10 && t[0] == '0' && isAllDigits(t) {
		t = "+33" + t[1:]
	}
	return t
}

func isAllDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// splitList splits addresses typed with commas, semicolons, spaces, line
// breaks or the standard's '|' between them.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == '|' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
}

// venueValues fills a form with a venue's description.
func venueValues(out url.Values, venue *passnum.Venue) {
	set := func(k, val string) {
		if val != "" {
			out.Set(k, val)
		}
	}
	set("nom", venue.Name)
	set("pivot", venue.Pivot)
	set("adresse", venue.Address)
	set("complement_adresse", venue.AddressComplement)
	set("code_postal", venue.PostalCode)
	if c, ok := geo.LookupCommune(venue.INSEE); ok {
		set("commune", geo.Label(c))
	} else {
		set("commune", venue.Commune)
	}
	set("telephone", venue.Phone)
	set("courriels", strings.Join(venue.Emails, ", "))
	set("site_web", strings.Join(venue.Websites, " "))
	set("horaires", venue.OpeningHours)
	set("presentation_resume", venue.Summary)
	set("presentation_detail", venue.Detail)
	set("prise_rdv", venue.AppointmentURL)
	for field, values := range map[string][]string{
		"services": venue.Services, "publics_specifiquement_adresses": venue.Publics, "prise_en_charge_specifique": venue.Supports,
		"frais_a_charge": venue.Fees, "modalites_acces": venue.AccessModes, "modalites_accompagnement": venue.SupportModes,
	} {
		if len(values) > 0 {
			out[field] = append([]string(nil), values...)
		}
	}
}

// applicationValues fills the application form with a venue's file, for
// its admin to correct and send again. The charter is accepted anew.
func applicationValues(file *passnum.VenueFile) url.Values {
	out := url.Values{}
	venueValues(out, &file.Venue)
	if q := file.Questionnaire; q != nil {
		for k, n := range map[string]int{"mediators": q.Mediators, "digital_advisers": q.DigitalAdvisers, "volunteers": q.Volunteers,
			"workstations": q.Workstations, "people_per_year": q.PeoplePerYear} {
			out.Set(k, strconv.Itoa(n))
		}
		if q.WheelchairAccess {
			out.Set("wheelchair_access", "1")
		}
		out.Set("offer_description", q.OfferDescription)
		out.Set("staff_qualification", q.StaffQualification)
	}
	if b := file.Bank; b != nil {
		out.Set("holder", b.Holder)
		out.Set("iban", groupIBAN(b.IBAN))
		out.Set("bic", b.BIC)
	}
	return out
}

// groupIBAN writes an IBAN in groups of four, as on a bank's RIB.
func groupIBAN(iban string) string {
	var b strings.Builder
	for i, c := range iban {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// maskIBAN shows the country, the check digits and the last four
// characters of an IBAN: enough to recognise it, not to use it, and not
// even its length: "FR7630006000011234567890189" is "FR76 •••• •••• 0189".
func maskIBAN(iban string) string {
	iban = strings.ToUpper(strings.Join(strings.Fields(iban), ""))
	if len(iban) < 12 {
		return "•••• •••• ••••"
	}
	return iban[:4] + " •••• •••• " + iban[len(iban)-4:]
}

// copyForm copies what a person sent, without the CSRF token, to fill the
// form again.
func copyForm(f url.Values) url.Values {
	out := url.Values{}
	for k, vs := range f {
		if k != "csrf" {
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}
