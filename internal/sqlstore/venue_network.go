package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

// The venue network (passnum.QualificationService, VenueService):
// applications and qualification, the venues' descriptions in the national
// standard, their bank accounts and points of presence. A venue is an organisation of kind
// venue (its name and qualification live there) with one row of venues
// (the rest of the standard and the private parts); both change in the same
// transactions. Imports are in venue_import.go, the public directory in
// directory.go.

// venueColumns reads a venue and its organisation; scanVenue scans them.
const venueColumns = `o.id, o.name, COALESCE(o.qualification, ''), v.id, v.pivot, v.commune, v.postal_code, v.code_insee,
	v.address, v.address_complement, v.latitude, v.longitude, v.typology, v.phone, v.emails, v.websites,
	v.opening_hours, v.summary, v.detail, v.source, v.roaming, v.parent, v.updated_on, v.services, v.publics,
	v.supports, v.fees, v.national_schemes, v.labels, v.other_labels, v.access_modes, v.support_modes,
	v.accessibility_sheet, v.appointment_url`

const venueFrom = ` FROM venues v JOIN organisations o ON o.id = v.org_id `

func scanVenue(sc scanner) (*passnum.Venue, error) {
	v, err := scanVenueRaw(sc)
	if err != nil {
		return nil, err
	}
	completeFromGeo(v)
	return v, nil
}

// scanVenueRaw scans a venue as stored, for imports to compare with.
func scanVenueRaw(sc scanner) (*passnum.Venue, error) {
	var v passnum.Venue
	var lat, lon sql.NullFloat64
	var typology, emails, websites, roaming, services, publics, supports, fees, schemes, labels, otherLabels, access, support string
	if err := sc.Scan(&v.OrgID, &v.Name, &v.Qualification, &v.ID, &v.Pivot, &v.Commune, &v.PostalCode, &v.INSEE,
		&v.Address, &v.AddressComplement, &lat, &lon, &typology, &v.Phone, &emails, &websites,
		&v.OpeningHours, &v.Summary, &v.Detail, &v.Source, &roaming, &v.Parent, &v.UpdatedOn, &services, &publics,
		&supports, &fees, &schemes, &labels, &otherLabels, &access, &support,
		&v.AccessibilitySheet, &v.AppointmentURL); err != nil {
		return nil, err
	}
	if lat.Valid && lon.Valid {
		v.Lat, v.Lon = &lat.Float64, &lon.Float64
	}
	v.Typology, v.Emails, v.Websites, v.Roaming = splitList(typology), splitList(emails), splitList(websites), splitList(roaming)
	v.Services, v.Publics, v.Supports, v.Fees = splitList(services), splitList(publics), splitList(supports), splitList(fees)
	v.NationalSchemes, v.Labels, v.OtherLabels = splitList(schemes), splitList(labels), splitList(otherLabels)
	v.AccessModes, v.SupportModes = splitList(access), splitList(support)
	return &v, nil
}

// completeFromGeo fills the commune's name and postal code that a venue
// created with only an INSEE code (CreateOrganisation, or the rows 0003
// added for venues that existed before it) does not store.
func completeFromGeo(v *passnum.Venue) {
	if v.INSEE == "" || v.Commune != "" && v.PostalCode != "" {
		return
	}
	c, ok := geo.LookupCommune(v.INSEE)
	if !ok {
		return
	}
	if v.Commune == "" {
		v.Commune = c.Name
	}
	if v.PostalCode == "" && len(c.PostalCodes) > 0 {
		v.PostalCode = c.PostalCodes[0]
	}
}

// The standard writes lists joined by '|'.
func joinList(l []string) string { return strings.Join(l, "|") }

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// venueDataColumns are the columns of venues that hold the standard's
// fields but nom, in the order of venueDataArgs.
var venueDataColumns = []string{
	"id", "pivot", "commune", "postal_code", "code_insee", "address", "address_complement", "latitude", "longitude",
	"typology", "phone", "emails", "websites", "opening_hours", "summary", "detail", "source", "roaming", "parent",
	"updated_on", "services", "publics", "supports", "fees", "national_schemes", "labels", "other_labels",
	"access_modes", "support_modes", "accessibility_sheet", "appointment_url",
}

func venueDataArgs(v *passnum.Venue) []any {
	var lat, lon any
	if v.Lat != nil && v.Lon != nil {
		lat, lon = *v.Lat, *v.Lon
	}
	return []any{
		v.ID, v.Pivot, v.Commune, v.PostalCode, v.INSEE, v.Address, v.AddressComplement, lat, lon,
		joinList(v.Typology), v.Phone, joinList(v.Emails), joinList(v.Websites), v.OpeningHours, v.Summary, v.Detail,
		v.Source, joinList(v.Roaming), v.Parent, v.UpdatedOn, joinList(v.Services), joinList(v.Publics),
		joinList(v.Supports), joinList(v.Fees), joinList(v.NationalSchemes), joinList(v.Labels), joinList(v.OtherLabels),
		joinList(v.AccessModes), joinList(v.SupportModes), v.AccessibilitySheet, v.AppointmentURL,
	}
}

var (
	insertVenueSQL = `INSERT INTO venues (org_id, ` + strings.Join(venueDataColumns, ", ") + `, updated_at) VALUES (` +
		placeholders(len(venueDataColumns)+2) + `)`
	updateVenueSQL = `UPDATE venues SET ` + strings.Join(venueDataColumns, " = ?, ") + ` = ?, updated_at = ? WHERE org_id = ?`
)

// insertVenue writes the venue row of organisation v.OrgID.
func (t *tx) insertVenue(v *passnum.Venue) error {
	if err := t.directoryChanged(); err != nil {
		return err
	}
	return t.exec(insertVenueSQL, append(append([]any{v.OrgID}, venueDataArgs(v)...), t.nowText())...)
}

// updateVenue rewrites the standard's fields of a venue and keeps its
// organisation's name, SIRET and commune in step.
func (t *tx) updateVenue(v *passnum.Venue) error {
	if err := t.directoryChanged(); err != nil {
		return err
	}
	if err := t.exec(updateVenueSQL, append(venueDataArgs(v), t.nowText(), v.OrgID)...); err != nil {
		return err
	}
	return t.exec(`UPDATE organisations SET name = ?, siret = ?, commune_insee = ? WHERE id = ?`,
		v.Name, nullable(v.Pivot), nullable(v.INSEE), v.OrgID)
}

// createVenueRow gives a venue organisation made by CreateOrganisation
// its row: the standard's id "passnum-<id>", the SIRET as pivot, the
// commune from internal/geo, and no address yet (see 0003_venues.sql).
func (t *tx) createVenueRow(o *passnum.Organisation) error {
	id, err := t.platformVenueID(o.ID)
	if err != nil {
		return err
	}
	v := &passnum.Venue{OrgID: o.ID, ID: id, Pivot: o.SIRET, INSEE: o.CommuneINSEE, UpdatedOn: passnum.Today(t.now)}
	completeFromGeo(v)
	return t.insertVenue(v)
}

// platformVenueID returns the standard id the platform gives a venue,
// "passnum-<organisation>", or "passnum-<organisation>-<n>" in the unlikely
// case that an imported venue already has it.
func (t *tx) platformVenueID(orgID int64) (string, error) {
	id := fmt.Sprintf("passnum-%d", orgID)
	for n := 2; ; n++ {
		var taken int
		if err := t.get(&taken, `SELECT COUNT(*) FROM venues WHERE id = ?`, id); err != nil || taken == 0 {
			return id, err
		}
		id = fmt.Sprintf("passnum-%d-%d", orgID, n)
	}
}

// findVenue returns a venue; organisations of other kinds are not found.
func (t *tx) findVenue(orgID int64) (*passnum.Venue, error) {
	v, err := scanVenue(t.row(`SELECT `+venueColumns+venueFrom+`WHERE o.id = ? AND o.kind = 'venue'`, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("venue", orgID)
	}
	return v, err
}

// invalidAll returns the first of errs, carrying all of them as Problems
// so that a form can show every field's error at once.
func invalidAll(errs []*passnum.Error) error {
	if len(errs) == 0 {
		return nil
	}
	e := *errs[0]
	e.Problems = make([]passnum.ImportProblem, len(errs))
	for i, x := range errs {
		e.Problems[i] = passnum.ImportProblem{Field: x.Field, Message: x.Message}
	}
	return &e
}

// conflict is an ECONFLICT on a field.
func conflict(field, reason, format string, args ...any) *passnum.Error {
	return &passnum.Error{Code: passnum.ECONFLICT, Reason: reason, Field: field, Message: fmt.Sprintf(format, args...)}
}

// venueConflicts returns what in v clashes with other venues: its
// standard id, and its SIRET when v is (or becomes) a candidate or a
// qualified venue, which must be unique among them.
func (t *tx) venueConflicts(v *passnum.Venue, uniquePivot bool) ([]*passnum.Error, error) {
	var errs []*passnum.Error
	if v.ID != "" {
		var other int64
		err := t.get(&other, `SELECT org_id FROM venues WHERE id = ? AND org_id <> ?`, v.ID, v.OrgID)
		if err == nil {
			errs = append(errs, conflict("id", passnum.ReasonVenueIDTaken,
				"id : l'identifiant « %s » est déjà celui d'un autre lieu de l'annuaire (n° %d). Si c'est le vôtre, demandez à l'opérateur de vous y rattacher.", v.ID, other))
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	if uniquePivot && v.Pivot != "" {
		taken, err := t.pivotTaken(v.Pivot, v.OrgID)
		if err != nil {
			return nil, err
		}
		if taken {
			errs = append(errs, conflict("pivot", passnum.ReasonSiretTaken,
				"pivot : un lieu candidat ou qualifié porte déjà le SIRET %s. Un SIRET ne peut être qualifié qu'une fois : contactez l'opérateur si c'est le vôtre.", v.Pivot))
		}
	}
	return errs, nil
}

// pivotTaken tells whether a venue other than orgID, candidate or
// qualified (not merely listed), has this SIRET: the rule of the partial
// unique index organisations_venue_siret, checked first to say so.
func (t *tx) pivotTaken(pivot string, orgID int64) (bool, error) {
	var n int
	err := t.get(&n, `SELECT COUNT(*) FROM organisations WHERE kind = 'venue' AND siret = ? AND qualification <> 'listed' AND id <> ?`, pivot, orgID)
	return n > 0, err
}

// ApplyAsVenue records an online application: the organisation (pending),
// its venue description, its first administrator, the questionnaire, the
// bank account and the accepted charter, and tells the operator. It needs
// no actor; the callers rate-limit it. Every problem of the form is
// returned at once, in the error's Problems.
//
// Anybody may apply with any address, so the answer never tells whether
// the administrator's address has an account: the same venue is created,
// the same answer given, after the same password hashing. With a new
// address, its account is created and receives a confirmation. With an
// address that has an account, no account is created nor changed (the
// applicant, whoever it is, gets no access through it): its owner is told
// by e-mail what happened and what to do, and the operator, who attaches
// the account to the venue once the owner confirms.
func (s *Store) ApplyAsVenue(ctx context.Context, a passnum.VenueApplication) (*passnum.Organisation, error) {
	a.Venue.OrgID = 0
	a.Venue.Normalize()
	// The standard's id is the platform's own, "passnum-<organisation>",
	// unless the applicant copies one from the national data set.
	placeholderID := a.Venue.ID == ""
	if placeholderID {
		a.Venue.ID = "passnum-candidature"
	}
	if a.Venue.UpdatedOn == "" {
		a.Venue.UpdatedOn = passnum.Today(s.now())
	}
	deriveINSEE(&a.Venue)
	errs := a.Validate(true)
	errs = append(errs, adminProblems(&a, errs)...)
	errs = append(errs, venueGeoHoursProblems(&a.Venue)...)
	// Conflicts are told with the rest of the form, then checked again
	// when writing.
	err := s.read(ctx, func(tx *tx) error {
		c, err := tx.applicationConflicts(&a, placeholderID)
		errs = append(errs, c...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("application: conflicts: %w", err)
	}
	if len(errs) > 0 {
		return nil, invalidAll(errs)
	}
	hash, err := hashPassword(a.AdminPassword)
	if err != nil {
		return nil, err
	}
	var org *passnum.Organisation
	err = s.write(ctx, "apply as venue", func(tx *tx) error {
		if c, err := tx.applicationConflicts(&a, placeholderID); err != nil || len(c) > 0 {
			return firstError(err, c)
		}
		org, err = tx.apply(&a, placeholderID, hash)
		return err
	})
	if err != nil {
		return nil, err
	}
	return org, nil
}

// apply records an application whose form is checked: the organisation
// (pending), its venue, its private file, its administrator, its history,
// and tells the operator.
func (t *tx) apply(a *passnum.VenueApplication, placeholderID bool, hash string) (*passnum.Organisation, error) {
	v := a.Venue
	id, err := t.insert(`INSERT INTO organisations (kind, name, siret, commune_insee, qualification, created_at) VALUES ('venue', ?, ?, ?, 'pending', ?)`,
		v.Name, v.Pivot, nullable(v.INSEE), t.nowText())
	if err != nil {
		return nil, fmt.Errorf("insert organisation: %w", err)
	}
	v.OrgID = id
	if placeholderID {
		if v.ID, err = t.platformVenueID(id); err != nil {
			return nil, fmt.Errorf("organisation %d: venue id: %w", id, err)
		}
	}
	if err := t.insertVenue(&v); err != nil {
		return nil, fmt.Errorf("organisation %d: venue: %w", id, err)
	}
	if err := t.savePrivate(id, &a.Questionnaire, &a.Bank, a.CharterVersion); err != nil {
		return nil, fmt.Errorf("organisation %d: private file: %w", id, err)
	}
	existing, admin, err := t.applicationAdmin(a, id, &v, hash)
	if err != nil {
		return nil, fmt.Errorf("organisation %d: administrator: %w", id, err)
	}
	if err := t.addHistory(id, passnum.QualificationPending, "candidature envoyée"); err != nil {
		return nil, fmt.Errorf("organisation %d: history: %w", id, err)
	}
	if err := t.audit("venue.apply", fmt.Sprintf("org:%d", id), fmt.Sprintf("%q SIRET %s, %s", v.Name, v.Pivot, admin)); err != nil {
		return nil, err
	}
	body := applicationBody(&v, a.AdminName, a.AdminEmail, false)
	if existing != 0 {
		body += fmt.Sprintf("\nL'adresse %s a déjà un compte : aucun compte n'a été créé pour cette candidature, et son titulaire en a été prévenu. "+
			"S'il confirme être à l'origine de la candidature, rattachez son compte au lieu depuis la page de l'organisation (« Rattacher un compte existant ») ; "+
			"sinon, refusez la candidature.\n", a.AdminEmail)
	}
	if err := t.tellOperator(passnum.MailVenueApplication, "Nouvelle candidature : "+v.Name, body); err != nil {
		return nil, fmt.Errorf("organisation %d: tell the operator: %w", id, err)
	}
	return t.findOrg(id)
}

// applicationAdmin gives the application of organisation orgID its
// administrator. A new address gets an account, which acts from then on
// and is sent a confirmation; an address that has an account gets none
// and its owner is told, the public acting. It returns the account the
// address had (0 for none) and what the audit trail says of the
// administrator.
func (t *tx) applicationAdmin(a *passnum.VenueApplication, orgID int64, v *passnum.Venue, hash string) (existing int64, admin string, err error) {
	if err := t.get(&existing, `SELECT id FROM users WHERE email = ?`, a.AdminEmail); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, "", err
	}
	if existing != 0 {
		// Nobody acts as the owner of the address: the history and the
		// audit trail say that the public applied.
		t.actor = &passnum.Actor{OrgID: orgID, OrgKind: passnum.KindVenue, Label: "public"}
		admin = fmt.Sprintf("admin's address already has an account (user:%d): none created, its owner told", existing)
		return existing, admin, t.queueMail(mail{Kind: passnum.MailAddressInUse, UserID: existing, To: a.AdminEmail,
			Subject: "Une candidature a été envoyée avec votre adresse", Body: addressOwnerBody(v)})
	}
	userID, err := t.insert(`INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?)`, a.AdminEmail, a.AdminName, hash, t.nowText())
	if err != nil {
		return 0, "", err
	}
	if err := t.exec(`INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, 'admin')`, userID, orgID); err != nil {
		return 0, "", err
	}
	// From here on, the applicant acts: the history and the audit trail
	// name them.
	t.actor = &passnum.Actor{UserID: userID, OrgID: orgID, OrgKind: passnum.KindVenue, Role: passnum.RoleAdmin, Label: fmt.Sprintf("user:%d", userID)}
	return 0, fmt.Sprintf("admin user:%d", userID), t.queueMail(mail{Kind: passnum.MailVenueApplication, UserID: userID, To: a.AdminEmail,
		Subject: "Votre candidature : " + v.Name, Body: applicantBody(v)})
}

// adminProblems returns the problems of the administrator's e-mail, name
// and password that VenueApplication.Validate, which stops at the first of
// them, did not report.
func adminProblems(a *passnum.VenueApplication, reported []*passnum.Error) []*passnum.Error {
	u := passnum.UserCreate{Email: a.AdminEmail, Name: a.AdminName, Password: a.AdminPassword, Role: passnum.RoleAdmin}
	var errs []*passnum.Error
	for _, p := range u.Problems() {
		e := *p
		e.Field = "admin_" + e.Field
		if !slices.ContainsFunc(reported, func(r *passnum.Error) bool { return r.Field == e.Field }) {
			errs = append(errs, &e)
		}
	}
	return errs
}

// applicationConflicts checks the SIRET and the standard id of an
// application against the records. Both are public (the national company
// register, the national data set of venues), so telling that a candidate
// or qualified venue has them tells nothing private, and the applicant must
// know it. The administrator's address is not checked here: whether it has
// an account is not for the public to learn (ApplyAsVenue).
func (t *tx) applicationConflicts(a *passnum.VenueApplication, placeholderID bool) ([]*passnum.Error, error) {
	v := a.Venue
	if placeholderID {
		v.ID = ""
	}
	return t.venueConflicts(&v, true)
}

// savePrivate records the private parts of an application.
func (t *tx) savePrivate(orgID int64, q *passnum.Questionnaire, b *passnum.BankAccount, charter string) error {
	raw, err := json.Marshal(q)
	if err != nil {
		return err
	}
	return t.exec(`UPDATE venues SET questionnaire = ?, bank_holder = ?, bank_iban = ?, bank_bic = ?, charter_version = ?, charter_accepted_at = ? WHERE org_id = ?`,
		string(raw), b.Holder, b.IBAN, b.BIC, charter, t.nowText(), orgID)
}

// addHistory adds a line to a venue's qualification history.
func (t *tx) addHistory(venueID int64, q passnum.Qualification, reason string) error {
	return t.exec(`INSERT INTO qualification_history (venue_id, status, reason, actor, created_at) VALUES (?, ?, ?, ?, ?)`,
		venueID, q, reason, t.actorLabel(), t.nowText())
}

// tellOperator queues a message of kind for each administrator of the
// operator.
func (t *tx) tellOperator(kind passnum.MailKind, subject, body string) error {
	admins, err := t.adminsOf(`SELECT id FROM organisations WHERE kind = 'operator'`)
	if err != nil {
		return err
	}
	return t.queueMailTo(admins, kind, subject, body)
}

// applicantBody confirms an application to the account it created.
func applicantBody(v *passnum.Venue) string {
	return fmt.Sprintf("Bonjour,\n\nLa candidature de %s (%s %s, SIRET %s) pour devenir un lieu qualifié du Pass numérique est enregistrée : "+
		"elle attend l'examen de l'opérateur.\n\nConnectez-vous avec cette adresse et le mot de passe choisi pour suivre son état : "+
		"la page « Candidature et qualification » montre chaque décision et son motif.\n\n"+
		"Si vous n'avez pas envoyé cette candidature, écrivez à l'opérateur : un compte a été créé avec votre adresse.\n",
		v.Name, v.PostalCode, v.Commune, v.Pivot)
}

// addressOwnerBody tells the owner of an account that someone applied
// with its address, that nothing changed for it, and what to do.
func addressOwnerBody(v *passnum.Venue) string {
	return fmt.Sprintf("Bonjour,\n\nUne candidature pour devenir un lieu qualifié du Pass numérique vient d'être envoyée au nom de %s (%s %s, SIRET %s), "+
		"en donnant votre adresse électronique comme celle de son administrateur. Votre adresse a déjà un compte : "+
		"aucun compte n'a été créé et le vôtre n'a pas changé. Votre mot de passe reste le même, et la personne qui a envoyé la candidature "+
		"n'a aucun accès par votre adresse.\n\n"+
		"Si c'est vous : connectez-vous avec votre mot de passe habituel (ou « Mot de passe oublié ») et écrivez à l'opérateur : "+
		"il rattachera votre compte à ce lieu, qui apparaîtra alors dans « Changer de structure ».\n\n"+
		"Si ce n'est pas vous : vous n'avez rien à faire. L'opérateur est prévenu et examinera cette candidature ; "+
		"écrivez-lui si vous pensez que quelqu'un utilise votre adresse.\n",
		v.Name, v.PostalCode, v.Commune, v.Pivot)
}

func applicationBody(v *passnum.Venue, adminName, adminEmail string, again bool) string {
	what := "demande à devenir un lieu qualifié du Pass numérique"
	if again {
		what = "a complété et renvoyé sa candidature"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Bonjour,\n\n%s (%s %s, SIRET %s) %s.\n", v.Name, v.PostalCode, v.Commune, v.Pivot, what)
	if adminEmail != "" {
		fmt.Fprintf(&b, "Candidature envoyée par %s (%s).\n", adminName, adminEmail)
	}
	fmt.Fprintf(&b, "\nLe dossier du lieu n° %d vous attend dans l'espace opérateur : questionnaire, compte bancaire et charte.\n", v.OrgID)
	return b.String()
}

// ResubmitApplication lets a venue's admin correct its application and
// send it back to the operator's queue: from changes requested, refused,
// withdrawn or listed (a venue of the national data set applying) to
// pending.
func (s *Store) ResubmitApplication(ctx context.Context, venueID int64, a passnum.VenueApplication) (*passnum.VenueFile, error) {
	act := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(act, passnum.ActOrgRead); err != nil {
		return nil, err
	}
	if act.OrgKind != passnum.KindVenue || act.OrgID != venueID {
		return nil, notFound("venue", venueID)
	}
	if act.Role != passnum.RoleAdmin {
		return nil, passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Seul un administrateur du lieu peut renvoyer sa candidature.")
	}
	a.Venue.OrgID = venueID
	a.Venue.Normalize()
	if a.Venue.UpdatedOn == "" {
		a.Venue.UpdatedOn = passnum.Today(s.now())
	}
	deriveINSEE(&a.Venue)
	var errs []*passnum.Error
	err := s.read(ctx, func(tx *tx) error {
		errs = errs[:0]
		cur, err := tx.findVenue(venueID)
		if err != nil {
			return err
		}
		if a.Venue.ID == "" {
			a.Venue.ID = cur.ID
		}
		errs = append(errs, a.Validate(false)...)
		errs = append(errs, venueGeoHoursProblems(&a.Venue)...)
		c, err := tx.venueConflicts(&a.Venue, true)
		errs = append(errs, c...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("application of venue %d: %w", venueID, err)
	}
	if len(errs) > 0 {
		return nil, invalidAll(errs)
	}
	var out *passnum.VenueFile
	err = s.write(ctx, "resubmit application", func(tx *tx) error {
		cur, err := tx.findVenue(venueID)
		if err != nil {
			return err
		}
		if !cur.Qualification.CanMove(passnum.QualificationPending) {
			return conflict("qualification", passnum.ReasonQualificationMove,
				"Votre lieu est « %s » : il n'y a pas de candidature à renvoyer.", cur.Qualification.Label())
		}
		if c, err := tx.venueConflicts(&a.Venue, true); err != nil || len(c) > 0 {
			return firstError(err, c)
		}
		v := a.Venue
		if err := tx.updateVenue(&v); err != nil {
			return err
		}
		if err := tx.savePrivate(venueID, &a.Questionnaire, &a.Bank, a.CharterVersion); err != nil {
			return err
		}
		if err := tx.changeQualification(cur, passnum.QualificationPending, "candidature renvoyée", "venue.resubmit"); err != nil {
			return err
		}
		if err := tx.tellOperator(passnum.MailVenueApplication, "Candidature complétée : "+v.Name, applicationBody(&v, "", "", true)); err != nil {
			return err
		}
		out, err = tx.venueFile(venueID, true)
		return err
	})
	return out, wrapf(err, "resubmit application of venue %d", venueID)
}

// changeQualification moves a venue to q and records why, with no rule
// but one: a SIRET is unique among candidates and qualified venues.
func (t *tx) changeQualification(v *passnum.Venue, q passnum.Qualification, reason, action string) error {
	if v.Qualification == passnum.QualificationListed && q != passnum.QualificationListed {
		taken, err := t.pivotTaken(v.Pivot, v.OrgID)
		if err != nil {
			return err
		}
		if taken {
			return conflict("pivot", passnum.ReasonSiretTaken,
				"Un autre lieu candidat ou qualifié porte déjà le SIRET %s : un SIRET ne peut être qualifié qu'une fois.", v.Pivot)
		}
	}
	if err := t.directoryChanged(); err != nil {
		return err
	}
	if err := t.exec(`UPDATE organisations SET qualification = ? WHERE id = ?`, q, v.OrgID); err != nil {
		return err
	}
	if err := t.addHistory(v.OrgID, q, reason); err != nil {
		return err
	}
	return t.audit(action, fmt.Sprintf("org:%d", v.OrgID), fmt.Sprintf("%s → %s: %s", v.Qualification, q, reason))
}

// checkDecision checks a qualification decision and returns its trimmed
// reason, which the venue's history keeps and the venue reads.
func checkDecision(to passnum.Qualification, reason string) (string, error) {
	if err := passnum.CheckText("reason", reason); err != nil {
		return "", err
	}
	reason = strings.TrimSpace(reason)
	if !to.Valid() {
		return "", passnum.Invalid("qualification", "Statut de qualification inconnu : %q.", to)
	}
	if reason == "" {
		return "", passnum.Invalid("reason", "Le motif est obligatoire : il est conservé dans l'historique du lieu et communiqué au lieu.")
	}
	if len(reason) > 2000 {
		return "", passnum.Invalid("reason", "Motif : 2 000 caractères au plus.")
	}
	return reason, nil
}

// MoveQualification applies the operator's decision on a venue, as the
// workflow allows it (passnum.Qualification.CanMove), with a reason kept in
// its history, and tells the venue's admins. It is the only way a venue's
// status moves after its creation: the API (both addresses), the pages and
// the command line all come here. Qualifying an application needs a
// complete file: questionnaire, bank account and accepted charter.
// Lifting a suspension restores the qualification decided earlier, which
// for a venue qualified on paper (created so by the operator) had no file.
func (s *Store) MoveQualification(ctx context.Context, venueID int64, to passnum.Qualification, reason string) (*passnum.VenueFile, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActOrgQualify); err != nil {
		return nil, err
	}
	reason, err := checkDecision(to, reason)
	if err != nil {
		return nil, err
	}
	var out *passnum.VenueFile
	err = s.write(ctx, "move qualification", func(tx *tx) error {
		v, err := tx.findVenue(venueID)
		if err != nil {
			return err
		}
		if to == passnum.QualificationPending && v.Qualification.CanMove(to) {
			return conflict("qualification", passnum.ReasonQualificationMove,
				"C'est le lieu qui envoie ou renvoie sa candidature : demandez-lui des compléments plutôt.")
		}
		if !v.Qualification.CanMove(to) {
			next := []string{}
			for _, q := range v.Qualification.NextStatuses() {
				if q != passnum.QualificationPending {
					next = append(next, "« "+q.Label()+" »")
				}
			}
			msg := fmt.Sprintf("Un lieu « %s » ne peut passer à « %s ».", v.Qualification.Label(), to.Label())
			if len(next) > 0 {
				msg += " Décisions possibles : " + strings.Join(next, ", ") + "."
			} else {
				msg += " Le lieu doit d'abord (r)envoyer sa candidature."
			}
			return conflict("qualification", passnum.ReasonQualificationMove, "%s", msg)
		}
		if v.Qualification == passnum.QualificationPending && to == passnum.QualificationQualified {
			missing, err := tx.missingForQualification(venueID)
			if err != nil {
				return err
			}
			if missing != "" {
				return conflict("qualification", passnum.ReasonFileIncomplete,
					"Le dossier est incomplet : il manque %s. Demandez des compléments au lieu.", missing)
			}
		}
		if err := tx.changeQualification(v, to, reason, "venue.qualify"); err != nil {
			return err
		}
		if err := tx.tellQualification(v, v.Qualification, to, reason); err != nil {
			return err
		}
		out, err = tx.venueFile(venueID, true)
		return err
	})
	return out, wrapf(err, "move venue %d to %s", venueID, to)
}

// missingForQualification names what a venue's file lacks to be
// qualified, in French, or "" when it is complete.
func (t *tx) missingForQualification(venueID int64) (string, error) {
	var q, iban, charter sql.NullString
	if err := t.row(`SELECT questionnaire, bank_iban, charter_version FROM venues WHERE org_id = ?`, venueID).Scan(&q, &iban, &charter); err != nil {
		return "", err
	}
	var missing []string
	if !q.Valid || q.String == "" {
		missing = append(missing, "le questionnaire")
	}
	if !iban.Valid || iban.String == "" {
		missing = append(missing, "le compte bancaire")
	}
	if !charter.Valid || charter.String == "" {
		missing = append(missing, "la charte acceptée")
	}
	switch len(missing) {
	case 0:
		return "", nil
	case 1:
		return missing[0], nil
	}
	return strings.Join(missing[:len(missing)-1], ", ") + " et " + missing[len(missing)-1], nil
}

// FindVenueFile returns a venue with its private parts: the operator sees
// every venue's; a venue's members see their own, the bank account only
// for its admins. Other actors find nothing.
func (s *Store) FindVenueFile(ctx context.Context, venueID int64) (*passnum.VenueFile, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActOrgRead); err != nil {
		return nil, err
	}
	own := a.OrgKind == passnum.KindVenue && a.OrgID == venueID
	if !a.IsOperator() && !own {
		return nil, notFound("venue", venueID)
	}
	bank := a.IsOperator() || a.Role == passnum.RoleAdmin
	var out *passnum.VenueFile
	err := s.read(ctx, func(tx *tx) error {
		var err error
		out, err = tx.venueFile(venueID, bank)
		return err
	})
	return out, wrapf(err, "file of venue %d", venueID)
}

// venueFile reads a venue with its private parts, history and places.
func (t *tx) venueFile(venueID int64, withBank bool) (*passnum.VenueFile, error) {
	v, err := t.findVenue(venueID)
	if err != nil {
		return nil, err
	}
	f := &passnum.VenueFile{Venue: *v, History: []passnum.QualificationEvent{}, Places: []*passnum.Place{}}
	var q, holder, iban, bic, charterAt sql.NullString
	if err := t.row(`SELECT questionnaire, bank_holder, bank_iban, bank_bic, charter_accepted_at FROM venues WHERE org_id = ?`, venueID).
		Scan(&q, &holder, &iban, &bic, &charterAt); err != nil {
		return nil, fmt.Errorf("private parts: %w", err)
	}
	if q.Valid && q.String != "" {
		f.Questionnaire = new(passnum.Questionnaire)
		if err := json.Unmarshal([]byte(q.String), f.Questionnaire); err != nil {
			return nil, fmt.Errorf("venue %d: questionnaire: %w", venueID, err)
		}
	}
	if withBank && iban.Valid && iban.String != "" {
		f.Bank = &passnum.BankAccount{Holder: holder.String, IBAN: iban.String, BIC: bic.String}
	}
	in := instants{table: "venues", id: venueID}
	if f.CharterAt = in.optional("charter_accepted_at", charterAt); in.err != nil {
		return nil, in.err
	}
	history, err := selectAll(t, func(sc scanner) (passnum.QualificationEvent, error) {
		var e passnum.QualificationEvent
		var at string
		err := sc.Scan(&e.Status, &e.Reason, &e.Actor, &at)
		in := instants{table: "qualification_history of venue", id: venueID, err: err}
		e.CreatedAt = in.at("created_at", at)
		return e, in.err
	}, `SELECT status, reason, actor, created_at FROM qualification_history WHERE venue_id = ? ORDER BY id`, venueID)
	if err != nil {
		return nil, fmt.Errorf("qualification history: %w", err)
	}
	if len(history) > 0 {
		f.History = history
		at := history[len(history)-1].CreatedAt
		f.Venue.QualificationUpdatedAt = &at
	}
	places, err := selectAll(t, scanPlace, `SELECT `+placeColumns+` FROM venue_places WHERE venue_id = ? ORDER BY id`, venueID)
	if err != nil {
		return nil, fmt.Errorf("places: %w", err)
	}
	if places != nil {
		f.Places = places
	}
	return f, nil
}

// mayEditVenue tells whether the actor may change a venue: the operator's
// admins, and the venue's own admins (passnum.ActCatalogueEdit).
func mayEditVenue(a *passnum.Actor, venueID int64) error {
	if err := passnum.Authorize(a, passnum.ActCatalogueEdit); err != nil {
		return err
	}
	if !a.IsOperator() && a.OrgID != venueID {
		return notFound("venue", venueID)
	}
	return nil
}

// UpdateVenue changes a venue's public description (the operator's admins,
// the venue's admins). date_maj becomes today unless given. Every problem
// is returned at once, in the error's Problems.
func (s *Store) UpdateVenue(ctx context.Context, v passnum.Venue) (*passnum.Venue, error) {
	a := passnum.ActorFromContext(ctx)
	if v.OrgID == 0 && a != nil && a.OrgKind == passnum.KindVenue {
		v.OrgID = a.OrgID
	}
	if err := mayEditVenue(a, v.OrgID); err != nil {
		return nil, err
	}
	if v.UpdatedOn == "" {
		v.UpdatedOn = passnum.Today(s.now())
	}
	errs := checkVenue(&v)
	err := s.read(ctx, func(tx *tx) error {
		cur, err := tx.findVenue(v.OrgID)
		if err != nil {
			return err
		}
		c, err := tx.venueConflicts(&v, cur.Qualification != passnum.QualificationListed)
		errs = append(errs, c...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("venue %d: %w", v.OrgID, err)
	}
	if len(errs) > 0 {
		return nil, invalidAll(errs)
	}
	var out *passnum.Venue
	err = s.write(ctx, "update venue", func(tx *tx) error {
		cur, err := tx.findVenue(v.OrgID)
		if err != nil {
			return err
		}
		if c, err := tx.venueConflicts(&v, cur.Qualification != passnum.QualificationListed); err != nil || len(c) > 0 {
			return firstError(err, c)
		}
		if v.Pivot != cur.Pivot && !a.IsOperator() &&
			(cur.Qualification == passnum.QualificationQualified || cur.Qualification == passnum.QualificationSuspended) {
			return &passnum.Error{Code: passnum.EFORBIDDEN, Reason: passnum.ReasonForbidden, Field: "pivot",
				Message: "Le SIRET d'un lieu qualifié est celui de ses remboursements : seul l'opérateur peut le changer. Contactez-le."}
		}
		if err := tx.updateVenue(&v); err != nil {
			return err
		}
		if err := tx.audit("venue.update", fmt.Sprintf("org:%d", v.OrgID), fmt.Sprintf("%q %s", v.Name, v.ID)); err != nil {
			return err
		}
		out, err = tx.findVenue(v.OrgID)
		return err
	})
	return out, wrapf(err, "update venue %d", v.OrgID)
}

// UpdateBankAccount changes where a venue is paid (the operator's admins,
// the venue's admins). The audit trail keeps only the IBAN's last
// characters.
func (s *Store) UpdateBankAccount(ctx context.Context, venueID int64, b passnum.BankAccount) error {
	a := passnum.ActorFromContext(ctx)
	if venueID == 0 && a != nil && a.OrgKind == passnum.KindVenue {
		venueID = a.OrgID
	}
	if err := mayEditVenue(a, venueID); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return err
	}
	err := s.write(ctx, "update bank account", func(tx *tx) error {
		if _, err := tx.findVenue(venueID); err != nil {
			return err
		}
		if err := tx.exec(`UPDATE venues SET bank_holder = ?, bank_iban = ?, bank_bic = ?, updated_at = ? WHERE org_id = ?`,
			b.Holder, b.IBAN, b.BIC, tx.nowText(), venueID); err != nil {
			return err
		}
		return tx.audit("venue.bank", fmt.Sprintf("org:%d", venueID), "IBAN …"+b.IBAN[max(0, len(b.IBAN)-4):])
	})
	return wrapf(err, "bank account of venue %d", venueID)
}

// ListVenues lists venues for the operator, by name: all of them or those
// of one status, matching a query (words of the name or of the commune,
// a SIRET, a standard id). Limit 0 lists them all, for exports.
func (s *Store) ListVenues(ctx context.Context, f passnum.VenueFilter) ([]*passnum.Venue, int, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActOrgRead); err != nil {
		return nil, 0, err
	}
	if !a.IsOperator() {
		return nil, 0, passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Seul l'opérateur consulte la liste des lieux.")
	}
	if f.Qualification != "" && !f.Qualification.Valid() {
		return nil, 0, passnum.Invalid("qualification", "Statut de qualification inconnu : %q.", f.Qualification)
	}
	where, args := "o.kind = 'venue'", []any{}
	if f.Qualification != "" {
		where, args = where+" AND o.qualification = ?", append(args, f.Qualification)
	}
	query := strings.TrimSpace(f.Query)
	words := strings.Fields(geo.Normalize(query))
	offset := max(f.Offset, 0)
	var out []*passnum.Venue
	var total int
	err := s.read(ctx, func(tx *tx) error {
		// Names are compared here, folded as geo.Normalize does: SQLite's
		// LOWER folds ASCII only (see searchOrgNames).
		type key struct {
			id     int64
			folded string
		}
		keys, err := selectAll(tx, func(sc scanner) (key, error) {
			var k key
			var name, commune, pivot, sid string
			if err := sc.Scan(&k.id, &name, &commune, &pivot, &sid); err != nil {
				return k, err
			}
			k.folded = geo.Normalize(name)
			if query != "" && !strings.EqualFold(query, pivot) && query != sid && strings.Join(strings.Fields(query), "") != pivot &&
				!containsWords(k.folded+" "+geo.Normalize(commune), words) {
				k.id = 0
			}
			return k, nil
		}, `SELECT o.id, o.name, v.commune, v.pivot, v.id`+venueFrom+`WHERE `+where, args...)
		if err != nil {
			return err
		}
		keys = slices.DeleteFunc(keys, func(k key) bool { return k.id == 0 })
		slices.SortFunc(keys, func(x, y key) int { return cmp.Or(cmp.Compare(x.folded, y.folded), cmp.Compare(x.id, y.id)) })
		total = len(keys)
		keys = keys[min(offset, len(keys)):]
		if f.Limit > 0 {
			keys = keys[:min(f.Limit, len(keys))]
		}
		byID := make(map[int64]int, len(keys))
		for i, k := range keys {
			byID[k.id] = i
		}
		out = make([]*passnum.Venue, len(keys))
		if len(keys) == 0 {
			return nil
		}
		var rows []*passnum.Venue
		if len(keys) == total {
			rows, err = selectAll(tx, scanVenue, `SELECT `+venueColumns+venueFrom+`WHERE `+where, args...)
		} else {
			ids := make([]any, len(keys))
			for i, k := range keys {
				ids[i] = k.id
			}
			rows, err = selectAll(tx, scanVenue, `SELECT `+venueColumns+venueFrom+`WHERE o.id IN (`+placeholders(len(ids))+`)`, ids...)
		}
		if err != nil {
			return err
		}
		for _, v := range rows {
			if i, ok := byID[v.OrgID]; ok {
				out[i] = v
			}
		}
		out = slices.DeleteFunc(out, func(v *passnum.Venue) bool { return v == nil })
		return tx.fillQualificationDates(out)
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// fillQualificationDates sets when each venue's qualification last moved
// (its latest history line), so that the operator's queue can put the
// longest waiting first without reading each venue's file.
func (t *tx) fillQualificationDates(venues []*passnum.Venue) error {
	byID := make(map[int64]*passnum.Venue, len(venues))
	ids := make([]any, 0, len(venues))
	for _, v := range venues {
		byID[v.OrgID] = v
		ids = append(ids, v.OrgID)
	}
	type moved struct {
		id int64
		at string
	}
	for chunk := range slices.Chunk(ids, 500) {
		dates, err := selectAll(t, func(sc scanner) (moved, error) {
			var m moved
			return m, sc.Scan(&m.id, &m.at)
		}, `SELECT venue_id, MAX(created_at) FROM qualification_history WHERE venue_id IN (`+placeholders(len(chunk))+`) GROUP BY venue_id`, chunk...)
		if err != nil {
			return err
		}
		for _, m := range dates {
			in := instants{table: "qualification_history of venue", id: m.id}
			at := in.at("created_at", m.at)
			if in.err != nil {
				return in.err
			}
			byID[m.id].QualificationUpdatedAt = &at
		}
	}
	return nil
}

// containsWords tells whether each word starts a word of the folded text.
func containsWords(folded string, words []string) bool {
	for _, w := range words {
		if !strings.HasPrefix(folded, w) && !strings.Contains(folded, " "+w) {
			return false
		}
	}
	return true
}

const placeColumns = `id, venue_id, name, address, postal_code, commune_insee, latitude, longitude, opening_hours, active`

func scanPlace(sc scanner) (*passnum.Place, error) {
	var p passnum.Place
	var lat, lon sql.NullFloat64
	var active int
	if err := sc.Scan(&p.ID, &p.VenueID, &p.Name, &p.Address, &p.PostalCode, &p.INSEE, &lat, &lon, &p.OpeningHours, &active); err != nil {
		return nil, err
	}
	if lat.Valid && lon.Valid {
		p.Lat, p.Lon = &lat.Float64, &lon.Float64
	}
	p.Active = active == 1
	return &p, nil
}

// SavePlace creates a point of presence of a venue (ID 0) or changes one
// (the operator's admins, the venue's admins). A new place is active
// whatever p.Active says, so that a place given without it shows in the
// directory; a change sets Active as given.
func (s *Store) SavePlace(ctx context.Context, p passnum.Place) (*passnum.Place, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCatalogueEdit); err != nil {
		return nil, err
	}
	if p.ID == 0 && p.VenueID == 0 && a.OrgKind == passnum.KindVenue {
		p.VenueID = a.OrgID
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if c, ok := geo.LookupCommune(p.INSEE); !ok {
		return nil, passnum.Invalid("commune_insee", "La commune %s n'existe pas (code officiel géographique en vigueur).", p.INSEE)
	} else if !postalCodeFits(p.PostalCode, c) {
		return nil, passnum.Invalid("postal_code", "Le code postal %s n'est pas celui de %s.", p.PostalCode, geo.Label(c))
	}
	if p.OpeningHours != "" {
		canonical, err := canonicalHours(p.OpeningHours)
		if err != nil {
			return nil, passnum.Invalid("opening_hours", "Horaires : %s", err.Error())
		}
		p.OpeningHours = canonical
	}
	flag := 0
	if p.Active || p.ID == 0 {
		flag = 1
	}
	var lat, lon any
	if p.Lat != nil {
		lat, lon = *p.Lat, *p.Lon
	}
	var out *passnum.Place
	err := s.write(ctx, "save place", func(tx *tx) error {
		if err := tx.directoryChanged(); err != nil {
			return err
		}
		id := p.ID
		if id == 0 {
			if err := mayEditVenue(a, p.VenueID); err != nil {
				return err
			}
			if _, err := tx.findVenue(p.VenueID); err != nil {
				return err
			}
			var err error
			id, err = tx.insert(`INSERT INTO venue_places (venue_id, name, address, postal_code, commune_insee, latitude, longitude, opening_hours, active, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				p.VenueID, p.Name, p.Address, p.PostalCode, p.INSEE, lat, lon, p.OpeningHours, flag, tx.nowText(), tx.nowText())
			if err != nil {
				return err
			}
		} else {
			cur, err := scanPlace(tx.row(`SELECT `+placeColumns+` FROM venue_places WHERE id = ?`, id))
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("place", id)
			} else if err != nil {
				return err
			}
			if mayEditVenue(a, cur.VenueID) != nil || p.VenueID != 0 && p.VenueID != cur.VenueID {
				return notFound("place", id)
			}
			if err := tx.exec(`UPDATE venue_places SET name = ?, address = ?, postal_code = ?, commune_insee = ?, latitude = ?, longitude = ?,
				opening_hours = ?, active = ?, updated_at = ? WHERE id = ?`,
				p.Name, p.Address, p.PostalCode, p.INSEE, lat, lon, p.OpeningHours, flag, tx.nowText(), id); err != nil {
				return err
			}
		}
		var err error
		out, err = scanPlace(tx.row(`SELECT `+placeColumns+` FROM venue_places WHERE id = ?`, id))
		if err != nil {
			return err
		}
		return tx.audit("venue.place", fmt.Sprintf("place:%d", id), fmt.Sprintf("venue:%d %q active=%v", out.VenueID, out.Name, out.Active))
	})
	return out, wrapf(err, "place %d of venue %d", p.ID, p.VenueID)
}
