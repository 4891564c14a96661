package passnum

import (
	"context"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Venue is a lieu de médiation numérique as the national data standard
// describes it (standard.go), plus what the platform needs around it:
// qualification, bank account, questionnaire and points of presence.
//
// Multi-valued fields are slices; the standard writes them joined by '|'.
// Every venue is an organisation (OrgID); the organisation's name is the
// standard's nom.
type Venue struct {
	OrgID         int64         `json:"org_id"`
	Qualification Qualification `json:"qualification"`

	ID                     string     `json:"id"`    // the standard's local identifier
	Pivot                  string     `json:"pivot"` // SIRET, or RNA number for an association without SIRET
	Name                   string     `json:"nom"`
	Commune                string     `json:"commune"`
	PostalCode             string     `json:"code_postal"`
	INSEE                  string     `json:"code_insee,omitempty"`
	Address                string     `json:"adresse" text:"multiline"` // a postal address may have lines
	AddressComplement      string     `json:"complement_adresse,omitempty" text:"multiline"`
	Lat                    *float64   `json:"latitude,omitempty"`
	Lon                    *float64   `json:"longitude,omitempty"`
	Typology               []string   `json:"typologie,omitempty"`
	Phone                  string     `json:"telephone,omitempty"`
	Emails                 []string   `json:"courriels,omitempty"`
	Websites               []string   `json:"site_web,omitempty"`
	OpeningHours           string     `json:"horaires,omitempty"`
	Summary                string     `json:"presentation_resume,omitempty" text:"multiline"`
	Detail                 string     `json:"presentation_detail,omitempty" text:"multiline"`
	Source                 string     `json:"source,omitempty"`
	Roaming                []string   `json:"itinerance,omitempty"`
	Parent                 string     `json:"structure_parente,omitempty"`
	UpdatedOn              string     `json:"date_maj"` // YYYY-MM-DD
	Services               []string   `json:"services,omitempty"`
	Publics                []string   `json:"publics_specifiquement_adresses,omitempty"`
	Supports               []string   `json:"prise_en_charge_specifique,omitempty"`
	Fees                   []string   `json:"frais_a_charge,omitempty"`
	NationalSchemes        []string   `json:"dispositif_programmes_nationaux,omitempty"`
	Labels                 []string   `json:"formations_labels,omitempty"`
	OtherLabels            []string   `json:"autres_formations_labels,omitempty"`
	AccessModes            []string   `json:"modalites_acces,omitempty"`
	SupportModes           []string   `json:"modalites_accompagnement,omitempty"`
	AccessibilitySheet     string     `json:"fiche_acces_libre,omitempty"`
	AppointmentURL         string     `json:"prise_rdv,omitempty"`
	QualificationUpdatedAt *time.Time `json:"-"`
}

// StandardFields lists the columns of the standard, in its order: the
// header of a CSV export.
var StandardFields = []string{
	"id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse", "complement_adresse",
	"latitude", "longitude", "typologie", "telephone", "courriels", "site_web", "horaires",
	"presentation_resume", "presentation_detail", "source", "itinerance", "structure_parente",
	"date_maj", "services", "publics_specifiquement_adresses", "prise_en_charge_specifique",
	"frais_a_charge", "dispositif_programmes_nationaux", "formations_labels",
	"autres_formations_labels", "modalites_acces", "modalites_accompagnement",
	"fiche_acces_libre", "prise_rdv",
}

// StandardRequired lists the columns the standard requires.
var StandardRequired = []string{"id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"}

// The standard's patterns (schema v1.0.2).
var (
	pivotPattern      = regexp.MustCompile(`^[a-zA-Z0-9]{9,14}$`)
	postalCodePattern = regexp.MustCompile(`^\d{5}$`)
	inseePattern      = regexp.MustCompile(`^([013-9]\d|2[AB1-9])\d{3}$`)
	phonePattern      = regexp.MustCompile(`^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)\d{6,9}$`)
	datePattern       = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// SummaryMaxLength is the standard's limit on presentation_resume.
const SummaryMaxLength = 280

// Validate checks a venue against the standard and the platform's rules and
// returns every problem found, each naming its field. Callers that need one
// error take the first. The opening hours (horaires) are parsed by package
// openinghours, which the store and the importer call: the domain imports
// nothing of ours.
func (v *Venue) Validate() []*Error {
	// A field refused for its characters is not checked further: its
	// other messages would quote the invisible characters.
	errs := checkAllStrings(v)
	refused := map[string]bool{}
	for _, e := range errs {
		refused[e.Field] = true
		e.Message = e.Field + " : " + e.Message
	}
	bad := func(field, format string, args ...any) {
		if !refused[field] {
			errs = append(errs, Invalid(field, format, args...))
		}
	}
	// In the order of the standard's columns, which is the order of the
	// problems: callers that need one error take the first.
	v.checkIdentity(bad)
	v.checkPlace(bad)
	v.checkContacts(bad)
	v.checkStandard(bad)
	return errs
}

// complain records a problem with a field of a venue.
type complain func(field, format string, args ...any)

// checkIdentity checks the venue's identifier, SIRET (or RNA number) and
// name.
func (v *Venue) checkIdentity(bad complain) {
	if v.ID == "" {
		bad("id", "id : l'identifiant du lieu est obligatoire.")
	} else if len(v.ID) > 200 {
		bad("id", "id : 200 caractères au plus.")
	}
	switch {
	case v.Pivot == "":
		bad("pivot", "pivot : le SIRET (ou le numéro RNA) est obligatoire.")
	case !pivotPattern.MatchString(v.Pivot):
		bad("pivot", "pivot : « %s » n'est ni un SIRET (14 chiffres) ni un numéro RNA (W suivi de 9 chiffres).", v.Pivot)
	case isDigits(v.Pivot) && len(v.Pivot) == 14 && ValidateSIRET(v.Pivot) != nil:
		bad("pivot", "pivot : le SIRET « %s » est invalide (clé de contrôle fausse).", v.Pivot)
	}
	if v.Name == "" || len(v.Name) > 200 {
		bad("nom", "nom : le nom du lieu est obligatoire (200 caractères au plus).")
	}
}

// checkPlace checks where the venue is: commune, postal code, INSEE code,
// address and coordinates.
func (v *Venue) checkPlace(bad complain) {
	if v.Commune == "" {
		bad("commune", "commune : le nom de la commune est obligatoire.")
	}
	if !postalCodePattern.MatchString(v.PostalCode) {
		bad("code_postal", "code_postal : « %s » n'est pas un code postal (5 chiffres).", v.PostalCode)
	}
	if v.INSEE != "" && !inseePattern.MatchString(v.INSEE) {
		bad("code_insee", "code_insee : « %s » n'est pas un code officiel géographique.", v.INSEE)
	} else if v.INSEE != "" && ValidateCommune(v.INSEE) != nil {
		// The domain knows départements, not communes: the store checks the
		// commune against the geography (internal/geo).
		bad("code_insee", "code_insee : « %s » n'est le code d'aucune commune : son département n'existe pas.", v.INSEE)
	}
	if v.Address == "" {
		bad("adresse", "adresse : l'adresse est obligatoire.")
	}
	if (v.Lat == nil) != (v.Lon == nil) {
		bad("latitude", "latitude, longitude : donnez les deux coordonnées, ou aucune.")
	} else if v.Lat != nil {
		if math.IsNaN(*v.Lat) || *v.Lat < -90 || *v.Lat > 90 {
			bad("latitude", "latitude : %v n'est pas une latitude (entre -90 et 90).", *v.Lat)
		}
		if math.IsNaN(*v.Lon) || *v.Lon < -180 || *v.Lon > 180 {
			bad("longitude", "longitude : %v n'est pas une longitude (entre -180 et 180).", *v.Lon)
		}
	}
}

// checkContacts checks the venue's phone number, e-mail addresses and web
// addresses.
func (v *Venue) checkContacts(bad complain) {
	if v.Phone != "" && !phonePattern.MatchString(v.Phone) {
		bad("telephone", "telephone : « %s » n'est pas au format international sans espace (par exemple +33180059880).", v.Phone)
	}
	for _, e := range v.Emails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			bad("courriels", "courriels : « %s » n'est pas une adresse électronique.", e)
		}
	}
	for _, field := range []struct {
		name string
		urls []string
	}{{"site_web", v.Websites}, {"fiche_acces_libre", nonEmpty(v.AccessibilitySheet)}, {"prise_rdv", nonEmpty(v.AppointmentURL)}} {
		for _, u := range field.urls {
			if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
				bad(field.name, "%s : « %s » n'est pas une adresse web (http:// ou https://).", field.name, u)
			}
		}
	}
}

// checkStandard checks what the standard bounds: the summary's length,
// the date of update, the lists' separator and the closed vocabularies.
func (v *Venue) checkStandard(bad complain) {
	if n := len([]rune(v.Summary)); n > SummaryMaxLength {
		bad("presentation_resume", "presentation_resume : %d caractères, le standard en permet %d au plus.", n, SummaryMaxLength)
	}
	if !datePattern.MatchString(v.UpdatedOn) {
		bad("date_maj", "date_maj : « %s » n'est pas une date AAAA-MM-JJ.", v.UpdatedOn)
	} else if _, err := time.Parse(time.DateOnly, v.UpdatedOn); err != nil {
		bad("date_maj", "date_maj : « %s » n'est pas une date qui existe.", v.UpdatedOn)
	}
	for _, list := range []struct {
		field  string
		values []string
	}{{"typologie", v.Typology}, {"courriels", v.Emails}, {"site_web", v.Websites}, {"autres_formations_labels", v.OtherLabels}} {
		for _, value := range list.values {
			if strings.Contains(value, "|") {
				bad(list.field, "%s : « %s » contient « | », le séparateur des listes du standard.", list.field, value)
			}
		}
	}
	for _, voc := range Vocabularies {
		for _, value := range v.vocabularyValues(voc.Field) {
			if !voc.Contains(value) {
				bad(voc.Field, "%s : valeur inconnue « %s » (valeurs permises : %s).", voc.Field, value, strings.Join(voc.Values, " | "))
			}
		}
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// vocabularyValues returns the values of one closed field.
func (v *Venue) vocabularyValues(field string) []string {
	switch field {
	case "itinerance":
		return v.Roaming
	case "services":
		return v.Services
	case "publics_specifiquement_adresses":
		return v.Publics
	case "prise_en_charge_specifique":
		return v.Supports
	case "frais_a_charge":
		return v.Fees
	case "dispositif_programmes_nationaux":
		return v.NationalSchemes
	case "formations_labels":
		return v.Labels
	case "modalites_acces":
		return v.AccessModes
	case "modalites_accompagnement":
		return v.SupportModes
	}
	return nil
}

// Normalize trims every text field, drops empty and repeated list values
// and upper-cases the INSEE code, so that equal venues compare equal.
func (v *Venue) Normalize() {
	for _, p := range []*string{&v.ID, &v.Pivot, &v.Name, &v.Commune, &v.PostalCode, &v.INSEE, &v.Address,
		&v.AddressComplement, &v.Phone, &v.OpeningHours, &v.Summary, &v.Detail, &v.Source, &v.Parent,
		&v.UpdatedOn, &v.AccessibilitySheet, &v.AppointmentURL} {
		// A browser's textarea sends CRLF, which a CSV round trip reads back
		// as LF: keep LF only, so that an export re-imported is unchanged.
		*p = strings.TrimSpace(strings.ReplaceAll(*p, "\r\n", "\n"))
	}
	v.Pivot = strings.ToUpper(strings.Join(strings.Fields(v.Pivot), ""))
	v.INSEE = strings.ToUpper(v.INSEE)
	for _, p := range []*[]string{&v.Typology, &v.Emails, &v.Websites, &v.Roaming, &v.Services, &v.Publics,
		&v.Supports, &v.Fees, &v.NationalSchemes, &v.Labels, &v.OtherLabels, &v.AccessModes, &v.SupportModes} {
		*p = cleanList(*p)
	}
}

// cleanList trims values, drops empty ones and repeats, keeping the order.
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// AcceptsPasses tells whether the venue may redeem passes now.
func (v *Venue) AcceptsPasses() bool { return v.Qualification == QualificationQualified }

// ActsBeyondItsFile tells whether a venue of status q may do what takes
// effect beyond its own file: file activity reports (which hubs and the
// operator count), plan sessions (which the public sees) and register
// people for them, give its team accounts, redeem passes. Only a qualified
// venue does: an applicant's file is not reviewed yet, and a venue
// suspended, refused or withdrawn stands under the operator's decision.
// Everything else stays open to it: its application, description, bank
// account, points of presence and catalogue, which the public sees only
// once the venue is in the directory (InDirectory).
func (q Qualification) ActsBeyondItsFile() bool { return q == QualificationQualified }

// InDirectory tells whether the public directory lists a venue of status
// q: a qualified one, a suspended one (qualified after review; it shows as
// not accepting passes while the operator checks) and a listed one (from
// the national data set, imported by the operator, not typed by an
// applicant). An applicant (pending, changes requested) stays out until
// the operator has reviewed what it wrote, with its links; refused and
// withdrawn venues stay out for good.
func (q Qualification) InDirectory() bool {
	switch q {
	case QualificationQualified, QualificationSuspended, QualificationListed:
		return true
	}
	return false
}

// NotQualified is the refusal of what a venue of status q may not do
// (ActsBeyondItsFile); what says it in French ("rédiger des comptes rendus
// d'activité").
func (q Qualification) NotQualified(what string) *Error {
	next := "Contactez l'opérateur."
	switch q {
	case QualificationPending, QualificationChangesRequested:
		next = "Vous le pourrez une fois votre candidature acceptée par l'opérateur ; d'ici là, vous pouvez la compléter, ainsi que votre fiche."
	case QualificationListed, QualificationRefused, QualificationWithdrawn:
		next = "Pour le devenir, envoyez votre candidature depuis la page « Candidature et qualification »."
	}
	return Errorf(EREFUSED, ReasonVenueNotQual, "Votre lieu est « %s » : seul un lieu qualifié peut %s. %s", q.Label(), what, next)
}

// HasPoint tells whether the venue has its own coordinates.
func (v *Venue) HasPoint() bool { return v.Lat != nil && v.Lon != nil }

// Qualification statuses added by the application workflow. A venue
// imported from the national data set, which never applied, is "listed":
// it appears in the directory but does not accept passes.
const (
	QualificationListed           Qualification = "listed"
	QualificationChangesRequested Qualification = "changes_requested"
	QualificationRefused          Qualification = "refused"
)

// qualificationMoves lists who may move a venue from one status to another:
// the operator's decisions, and the venue's own (re)submission.
var qualificationMoves = map[Qualification][]Qualification{
	QualificationListed:           {QualificationPending},
	QualificationPending:          {QualificationQualified, QualificationChangesRequested, QualificationRefused},
	QualificationChangesRequested: {QualificationPending, QualificationRefused},
	QualificationRefused:          {QualificationPending},
	QualificationQualified:        {QualificationSuspended, QualificationWithdrawn},
	QualificationSuspended:        {QualificationQualified, QualificationWithdrawn},
	QualificationWithdrawn:        {QualificationPending},
}

// CanMove tells whether the workflow allows going from q to next.
func (q Qualification) CanMove(next Qualification) bool {
	return slices.Contains(qualificationMoves[q], next)
}

// NextStatuses lists the statuses q may move to.
func (q Qualification) NextStatuses() []Qualification { return qualificationMoves[q] }

// ByVenue tells whether the venue itself makes this move (submitting or
// resubmitting its application) rather than the operator.
func (q Qualification) ByVenue(next Qualification) bool { return next == QualificationPending }

// QualificationEvent is one line of a venue's qualification history.
type QualificationEvent struct {
	Status    Qualification `json:"status"`
	Reason    string        `json:"reason"`
	Actor     string        `json:"actor"`
	CreatedAt time.Time     `json:"created_at"`
}

// Questionnaire is what a venue declares about its offer and staff when it
// applies; the operator reads it to decide.
type Questionnaire struct {
	Mediators          int    `json:"mediators"`                            // people who run workshops
	DigitalAdvisers    int    `json:"digital_advisers"`                     // of whom conseillers numériques
	Volunteers         int    `json:"volunteers"`                           // volunteers among them
	Workstations       int    `json:"workstations"`                         // computers for the public
	PeoplePerYear      int    `json:"people_per_year"`                      // people helped last year
	WheelchairAccess   bool   `json:"wheelchair_access"`                    // premises accessible
	OfferDescription   string `json:"offer_description" text:"multiline"`   // workshops, support, how
	StaffQualification string `json:"staff_qualification" text:"multiline"` // training, diplomas, experience
}

// Validate checks a questionnaire.
func (q *Questionnaire) Validate() error {
	if err := CheckStrings(q); err != nil {
		return err
	}
	q.OfferDescription = strings.TrimSpace(q.OfferDescription)
	q.StaffQualification = strings.TrimSpace(q.StaffQualification)
	for _, n := range []struct {
		field string
		v     int
	}{{"mediators", q.Mediators}, {"digital_advisers", q.DigitalAdvisers}, {"volunteers", q.Volunteers},
		{"workstations", q.Workstations}, {"people_per_year", q.PeoplePerYear}} {
		if n.v < 0 || n.v > 1_000_000 {
			return Invalid(n.field, "Nombre invalide : %d.", n.v)
		}
	}
	if q.Mediators < 1 {
		return Invalid("mediators", "Un lieu qualifié compte au moins un médiateur ou une médiatrice.")
	}
	if q.DigitalAdvisers > q.Mediators {
		return Invalid("digital_advisers", "Les conseillers numériques sont comptés parmi les médiateurs : %d ne peut dépasser %d.", q.DigitalAdvisers, q.Mediators)
	}
	if q.OfferDescription == "" || len(q.OfferDescription) > 4000 {
		return Invalid("offer_description", "Décrivez votre offre d'accompagnement (4 000 caractères au plus).")
	}
	if len(q.StaffQualification) > 4000 {
		return Invalid("staff_qualification", "4 000 caractères au plus.")
	}
	return nil
}

// BankAccount is where a venue is paid. It is never public.
type BankAccount struct {
	Holder string `json:"holder"`
	IBAN   string `json:"iban"`
	BIC    string `json:"bic"`
}

// Normalize removes spaces and upper-cases the IBAN and BIC.
func (b *BankAccount) Normalize() {
	b.Holder = strings.TrimSpace(b.Holder)
	b.IBAN = strings.ToUpper(strings.Join(strings.Fields(b.IBAN), ""))
	b.BIC = strings.ToUpper(strings.Join(strings.Fields(b.BIC), ""))
}

// Validate checks the holder, the IBAN (ISO 13616: country, length and
// mod-97 check digits) and the BIC (ISO 9362).
func (b *BankAccount) Validate() error {
	if err := CheckStrings(b); err != nil {
		return err
	}
	b.Normalize()
	if b.Holder == "" || len(b.Holder) > 70 {
		return Invalid("holder", "Le titulaire du compte est obligatoire (70 caractères au plus, la limite des virements SEPA).")
	}
	if err := ValidateIBAN(b.IBAN); err != nil {
		return err
	}
	return ValidateBIC(b.BIC)
}

// ibanLengths gives the IBAN length of the SEPA countries (ISO 13616
// registry); an IBAN of another country is refused, as a SEPA transfer
// could not reach it.
var ibanLengths = map[string]int{
	"AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
	"EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
	"IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
	"NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
	"VA": 22,
}

// ValidateIBAN checks an IBAN without spaces.
func ValidateIBAN(iban string) error {
	bad := func(why string) error {
		return Invalid("iban", "IBAN invalide : %s. Recopiez-le depuis votre relevé d'identité bancaire.", why)
	}
	if len(iban) < 15 {
		return bad("trop court")
	}
	want, ok := ibanLengths[iban[:2]]
	if !ok {
		return bad(fmt.Sprintf("le pays « %s » n'est pas dans la zone SEPA", iban[:2]))
	}
	if len(iban) != want {
		return bad(fmt.Sprintf("un IBAN %s compte %d caractères, celui-ci %d", iban[:2], want, len(iban)))
	}
	// ISO 7064 mod 97-10: move the first four characters to the end, read
	// letters as 10..35, and the number must leave 1 modulo 97.
	rem := 0
	for _, c := range iban[4:] + iban[:4] {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return bad(fmt.Sprintf("caractère « %c » interdit", c))
		}
	}
	if rem != 1 {
		return bad("la clé de contrôle ne correspond pas (une erreur de frappe ?)")
	}
	return nil
}

var bicPattern = regexp.MustCompile(`^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)

// ValidateBIC checks a BIC of 8 or 11 characters.
func ValidateBIC(bic string) error {
	if !bicPattern.MatchString(bic) {
		return Invalid("bic", "BIC invalide : « %s ». Il compte 8 ou 11 caractères (par exemple CCBPFRPPNAN).", bic)
	}
	return nil
}

// CharterVersion is the version of the venue charter an applicant accepts.
const CharterVersion = "2026-01"

// VenueApplication is a venue applying online to be qualified: the
// structure (standard fields), its first administrator's account, the
// questionnaire, the bank account and the charter.
type VenueApplication struct {
	Venue          Venue         `json:"venue"`
	Questionnaire  Questionnaire `json:"questionnaire"`
	Bank           BankAccount   `json:"bank"`
	CharterVersion string        `json:"charter_version"` // must equal CharterVersion
	// The first administrator; ignored when a logged-in venue admin
	// resubmits its application.
	AdminName     string `json:"admin_name"`
	AdminEmail    string `json:"admin_email"`
	AdminPassword string `json:"admin_password"`
}

// Validate checks an application and returns every problem found. The
// caller dates the venue's description (UpdatedOn) with its own clock.
func (a *VenueApplication) Validate(withAdmin bool) []*Error {
	a.Venue.Normalize()
	errs := a.Venue.Validate()
	if a.Venue.Pivot != "" && !(isDigits(a.Venue.Pivot) && len(a.Venue.Pivot) == 14) {
		errs = append(errs, Invalid("pivot", "Le SIRET est obligatoire pour être qualifié : 14 chiffres (annuaire-entreprises.data.gouv.fr)."))
	}
	if a.Venue.INSEE == "" {
		errs = append(errs, Invalid("code_insee", "Choisissez la commune du lieu."))
	}
	if len(a.Venue.Services) == 0 {
		errs = append(errs, Invalid("services", "Choisissez au moins un service proposé."))
	}
	if err := a.Questionnaire.Validate(); err != nil {
		errs = append(errs, err.(*Error))
	}
	if err := a.Bank.Validate(); err != nil {
		errs = append(errs, err.(*Error))
	}
	if a.CharterVersion != CharterVersion {
		errs = append(errs, Invalid("charter", "Acceptez la charte des lieux qualifiés pour envoyer votre candidature."))
	}
	if withAdmin {
		if problems := a.AdminProblems(); len(problems) > 0 {
			errs = append(errs, problems[0])
		}
	}
	return errs
}

// AdminProblems normalises the administrator's address and name of an
// application and returns every problem of them and of the password, on
// fields named admin_…. Unlike an invited member, an applicant chooses a
// password at once: there is nobody to invite them.
func (a *VenueApplication) AdminProblems() []*Error {
	u := UserCreate{Email: a.AdminEmail, Name: a.AdminName, Password: a.AdminPassword, Role: RoleAdmin}
	errs := u.Problems()
	if a.AdminPassword == "" {
		errs = append(errs, CheckPassword("", u.Name, u.Email).(*Error))
	}
	a.AdminEmail, a.AdminName = u.Email, u.Name
	for i, p := range errs {
		e := *p
		e.Field = "admin_" + e.Field
		errs[i] = &e
	}
	return errs
}

// VenueFile is everything the operator and the venue's admins see of a
// venue: its public description and what stays private.
type VenueFile struct {
	Venue         Venue                `json:"venue"`
	Questionnaire *Questionnaire       `json:"questionnaire,omitempty"`
	Bank          *BankAccount         `json:"bank,omitempty"`
	CharterAt     *time.Time           `json:"charter_accepted_at,omitempty"`
	History       []QualificationEvent `json:"history"`
	Places        []*Place             `json:"places"`
}

// Place is a point of presence of a venue besides its main address: a
// permanence in a library, a town hall, a bus stop.
type Place struct {
	ID           int64    `json:"id"`
	VenueID      int64    `json:"venue_id"`
	Name         string   `json:"name"`
	Address      string   `json:"address"`
	PostalCode   string   `json:"postal_code"`
	INSEE        string   `json:"commune_insee"`
	Lat          *float64 `json:"latitude,omitempty"`
	Lon          *float64 `json:"longitude,omitempty"`
	OpeningHours string   `json:"opening_hours,omitempty"`
	Active       bool     `json:"active"`
}

// Validate checks a place.
func (p *Place) Validate() error {
	if err := CheckStrings(p); err != nil {
		return err
	}
	p.Name = strings.TrimSpace(p.Name)
	p.Address = strings.TrimSpace(p.Address)
	p.PostalCode = strings.TrimSpace(p.PostalCode)
	p.INSEE = strings.ToUpper(strings.TrimSpace(p.INSEE))
	p.OpeningHours = strings.TrimSpace(p.OpeningHours)
	if p.Name == "" || len(p.Name) > 200 {
		return Invalid("name", "Le nom du lieu de permanence est obligatoire (200 caractères au plus).")
	}
	if p.Address == "" || len(p.Address) > 300 {
		return Invalid("address", "L'adresse est obligatoire (300 caractères au plus).")
	}
	if !postalCodePattern.MatchString(p.PostalCode) {
		return Invalid("postal_code", "Code postal invalide : %q (5 chiffres).", p.PostalCode)
	}
	if err := ValidateCommune(p.INSEE); err != nil {
		return err
	}
	if (p.Lat == nil) != (p.Lon == nil) || p.Lat != nil && (*p.Lat < -90 || *p.Lat > 90 || *p.Lon < -180 || *p.Lon > 180) {
		return Invalid("latitude", "Coordonnées invalides.")
	}
	return nil
}

// VenueFilter selects venues for the operator's lists and exports.
type VenueFilter struct {
	Qualification Qualification // "" for all
	Query         string        // name, SIRET, commune or standard id
	Offset        int
	Limit         int // 0: no limit (exports)
}

// ImportRow is one venue read from a file of the standard, with the line it
// came from.
type ImportRow struct {
	Line  int
	Venue Venue
}

// ImportProblem is a problem on one line of an imported file.
type ImportProblem struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// ImportReport tells what an import did. Warnings (likely duplicates) do
// not stop an import; errors stop all of it.
type ImportReport struct {
	Created   int             `json:"created"`
	Updated   int             `json:"updated"`
	Unchanged int             `json:"unchanged"`
	Warnings  []ImportProblem `json:"warnings"`
	DryRun    bool            `json:"dry_run"`
	// Skipped are the problems of the lines an import of the valid lines
	// left out (ImportValidVenues), each with its line; empty for an
	// import all or nothing, which imports no line with a problem.
	Skipped []ImportProblem `json:"skipped"`
}

// SkippedLines counts the lines of Skipped.
func (r *ImportReport) SkippedLines() int {
	lines := map[int]bool{}
	for _, p := range r.Skipped {
		lines[p.Line] = true
	}
	return len(lines)
}

// Skip adds to the report the problems of lines left out before the
// import (a line of the file that could not be read into a venue), kept
// in the order of the lines.
func (r *ImportReport) Skip(problems []ImportProblem) {
	r.Skipped = append(r.Skipped, problems...)
	slices.SortStableFunc(r.Skipped, func(a, b ImportProblem) int { return a.Line - b.Line })
}

// An import of the web pages is checked first (a dry run), then
// confirmed: between the two, its lines wait in the database
// (VenueService.KeepVenueImport), so that any server of the installation
// confirms what another checked, and a restart keeps them.
const (
	// VenueImportTTL is how long a checked import waits for its
	// confirmation; after it, it is purged.
	VenueImportTTL = 30 * time.Minute
	// MaxPendingVenueImports bounds the imports waiting across the
	// installation (one per person): each holds a file of up to 20 MB.
	MaxPendingVenueImports = 4
)

// PendingVenueImport is an import checked and waiting for its
// confirmation by the person who checked it.
type PendingVenueImport struct {
	// Token confirms it: a secret given once, by KeepVenueImport; the
	// store keeps only its hash.
	Token      string
	Name       string // the file's name, for messages
	ValidLines bool   // import the valid lines (ImportValidVenues), not all or nothing
	Rows       []ImportRow
	// Unread are the problems of the lines the reading of the file left
	// out, reported with the import's own (ValidLines only).
	Unread    []ImportProblem
	UserID    int64
	ExpiresAt time.Time
}

// DuplicateDistanceMeters is how close two venues of the same name must be
// to be flagged as a likely duplicate.
const DuplicateDistanceMeters = 100

// QualificationService moves venues through the qualification workflow:
// the online application, the operator's decisions, the corrections the
// venue sends back.
type QualificationService interface {
	// ApplyAsVenue records an online application: a new venue, pending,
	// with its first administrator. It needs no actor; callers rate-limit it.
	ApplyAsVenue(ctx context.Context, a VenueApplication) (*Organisation, error)
	// ResubmitApplication lets a venue's admin correct its application and
	// send it back to the operator's queue.
	ResubmitApplication(ctx context.Context, venueID int64, a VenueApplication) (*VenueFile, error)
	// MoveQualification applies the operator's decision, with a reason
	// kept in the venue's history.
	MoveQualification(ctx context.Context, venueID int64, to Qualification, reason string) (*VenueFile, error)
}

// VenueService manages the venues' files: their descriptions, bank
// accounts, points of presence and the national standard's imports.
type VenueService interface {
	// FindVenueFile returns a venue with its private parts (operator, the
	// venue's own admins).
	FindVenueFile(ctx context.Context, venueID int64) (*VenueFile, error)
	// UpdateVenue changes a venue's public description (operator, the
	// venue's admins).
	UpdateVenue(ctx context.Context, v Venue) (*Venue, error)
	// UpdateBankAccount changes where a venue is paid.
	UpdateBankAccount(ctx context.Context, venueID int64, b BankAccount) error
	ListVenues(ctx context.Context, f VenueFilter) ([]*Venue, int, error)
	SavePlace(ctx context.Context, p Place) (*Place, error)
	// ImportVenues upserts venues by id then pivot, all or nothing.
	ImportVenues(ctx context.Context, rows []ImportRow, dryRun bool) (*ImportReport, error)
	// ImportValidVenues upserts the rows without problems as ImportVenues
	// does, and reports the others in the report's Skipped instead of
	// refusing the file; a file without any valid row is refused.
	ImportValidVenues(ctx context.Context, rows []ImportRow, dryRun bool) (*ImportReport, error)
	// KeepVenueImport keeps a checked import for VenueImportTTL, for the
	// actor's person only, and returns it with its Token; it replaces the
	// person's import waiting before, and the oldest of others beyond
	// MaxPendingVenueImports.
	KeepVenueImport(ctx context.Context, p PendingVenueImport) (*PendingVenueImport, error)
	// ConfirmVenueImport imports what the actor's person kept under token
	// (ImportVenues, or ImportValidVenues), once: a second confirmation,
	// another person's, or one after VenueImportTTL is refused
	// (ReasonImportExpired) and imports nothing. A refused import stays
	// waiting.
	ConfirmVenueImport(ctx context.Context, token string) (*PendingVenueImport, *ImportReport, error)
}
