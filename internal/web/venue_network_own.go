package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

// The venue's own pages about itself, under /lieu: its public description,
// its application, its bank account, its points of presence and its staff.
// Its admins edit them; its agents read what they may.

// ownVenueNav marks "Mon lieu" as the current menu item on these pages,
// which do not live under its path.
func ownVenueNav(v *view) {
	for i := range v.Nav {
		v.Nav[i].Current = v.Nav[i].Href == "/lieu/fiche"
	}
}

// ownPage is what every page of the venue's own space receives.
type ownPage struct {
	Org     *passnum.Organisation
	File    *passnum.VenueFile // without the bank account for agents
	IsAdmin bool
	// Section names the page, for the sub-menu.
	Section string
	// Form-specific data.
	Communes []communeOption
	Place    *passnum.Place // the place being edited, nil for a new one
	Members  []*passnum.User
	History  []historyRow
	// Reason is the operator's reason for the venue's current status.
	Reason    string
	Decisions []decision
	Charter   string
	CanApply  bool
	// Operator is true when the operator edits the venue's description
	// (/operateur/lieux/{id}/fiche): no venue menu, the SIRET editable.
	Operator bool
	// Action is where the description form posts.
	Action string
}

// ownView prepares a page of the venue's space: the venue, and its file
// for admins.
func (s *Server) ownView(r *http.Request, title, section string) (*view, *ownPage, error) {
	a := visitorFrom(r).actor()
	v := s.newView(r, title, nil)
	ownVenueNav(v)
	d := &ownPage{IsAdmin: a.Role == passnum.RoleAdmin, Section: section, Charter: passnum.CharterVersion, Action: "/lieu/fiche"}
	var err error
	if d.Org, err = s.svc.FindOrganisation(r.Context(), a.OrgID); err != nil {
		return nil, nil, err
	}
	if d.File, err = s.svc.FindVenueFile(r.Context(), a.OrgID); err != nil {
		return nil, nil, err
	}
	d.CanApply = d.IsAdmin && d.Org.Qualification.CanMove(passnum.QualificationPending)
	v.Data = d
	return v, d, nil
}

// ownHistory names the moves of the venue's history, with its members'
// names for its admins, who may list them.
func (s *Server) ownHistory(r *http.Request, d *ownPage) error {
	var members []*passnum.User
	if d.IsAdmin {
		var err error
		if members, err = s.svc.ListMembers(r.Context(), d.Org.ID); err != nil {
			return err
		}
	}
	d.History = s.qualificationHistory(r, d.File, members)
	if len(d.History) > 0 {
		if last := d.History[0]; last.Status == d.Org.Qualification && !last.Status.ByVenue(last.Status) {
			d.Reason = last.Reason
		}
	}
	return nil
}

// adminOnly answers an agent on a page that is for the venue's admins.
func (s *Server) adminOnly(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title = "Réservé aux administrateurs du lieu"
	return s.render(w, r, http.StatusForbidden, "network_admin_only", v)
}

// ownProfile is the venue's public description, as the directory and the
// national data set show it.
func (s *Server) ownProfile(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.ownView(r, "La fiche de mon lieu", "fiche")
	if err != nil {
		return err
	}
	venueValues(v.Form, &d.File.Venue)
	return s.render(w, r, http.StatusOK, "network_profile", v)
}

func (s *Server) ownProfileSave(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.ownView(r, "La fiche de mon lieu", "fiche")
	if err != nil {
		return err
	}
	if !d.IsAdmin {
		return s.adminOnly(w, r, v)
	}
	return s.saveProfile(w, r, v, d)
}

// operatorProfileView prepares the description form of venue {id} for the
// operator, who corrects what a venue cannot (its SIRET) or keeps the
// description of a venue without an administrator up to date.
func (s *Server) operatorProfileView(r *http.Request) (*view, *ownPage, error) {
	id, err := pathID(r, "id", "Lieu")
	if err != nil {
		return nil, nil, err
	}
	d := &ownPage{IsAdmin: true, Operator: true, Section: "fiche", Action: fmt.Sprintf("/operateur/lieux/%d/fiche", id)}
	if d.Org, err = s.svc.FindOrganisation(r.Context(), id); err != nil {
		return nil, nil, err
	}
	if d.File, err = s.svc.FindVenueFile(r.Context(), id); err != nil {
		return nil, nil, err
	}
	v := s.newView(r, "Fiche de "+d.Org.Name, d)
	// The operator's admins correct a description, as they decide on
	// qualification; its agents read it.
	d.IsAdmin = v.Can(string(passnum.ActOrgQualify))
	return v, d, nil
}

func (s *Server) operatorProfile(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.operatorProfileView(r)
	if err != nil {
		return err
	}
	venueValues(v.Form, &d.File.Venue)
	return s.render(w, r, http.StatusOK, "network_profile", v)
}

func (s *Server) operatorProfileSave(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.operatorProfileView(r)
	if err != nil {
		return err
	}
	return s.saveProfile(w, r, v, d)
}

// saveProfile records the description form, for the venue's admins or the
// operator.
func (s *Server) saveProfile(w http.ResponseWriter, r *http.Request, v *view, d *ownPage) error {
	v.Form = copyForm(r.PostForm)
	if !d.Operator {
		// The identity of the venue (its SIRET) is the operator's to change.
		v.Form.Set("pivot", d.File.Venue.Pivot)
	}
	read, communes := readVenueDescription(v)
	d.Communes = communes
	venue := d.File.Venue
	venue.Name, venue.Address, venue.AddressComplement = read.Name, read.Address, read.AddressComplement
	venue.PostalCode, venue.INSEE, venue.Commune = read.PostalCode, read.INSEE, read.Commune
	venue.Phone, venue.Emails, venue.Websites, venue.OpeningHours = read.Phone, read.Emails, read.Websites, read.OpeningHours
	venue.Summary, venue.Detail, venue.AppointmentURL = read.Summary, read.Detail, read.AppointmentURL
	venue.Services, venue.Publics, venue.Supports, venue.Fees = read.Services, read.Publics, read.Supports, read.Fees
	venue.AccessModes, venue.SupportModes = read.AccessModes, read.SupportModes
	if d.Operator {
		venue.Pivot = read.Pivot
	}
	if read.INSEE != d.File.Venue.INSEE {
		venue.Lat, venue.Lon = nil, nil // the point of the old address
	}
	venue.UpdatedOn = "" // today, says the service
	if v.Summary != nil {
		check := venue
		check.UpdatedOn = passnum.Today(s.now())
		for _, e := range check.Validate() {
			addFieldError(v, e.Field, e.Message)
		}
		return s.render(w, r, http.StatusBadRequest, "network_profile", v)
	}
	if _, err := s.svc.UpdateVenue(r.Context(), venue); err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		addProblems(v, err)
		return s.render(w, r, errStatus(err), "network_profile", v)
	}
	back := "/lieu/fiche"
	if d.Operator {
		back = fmt.Sprintf("/operateur/lieux/%d", d.Org.ID)
	}
	return s.redirect(w, r, back, "Fiche enregistrée : l'annuaire et les données ouvertes la montrent désormais ainsi.")
}

// ownApplication shows the venue's status and history and, when the
// workflow lets the venue (re)apply, its application to correct.
func (s *Server) ownApplication(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.ownView(r, "Ma candidature", "candidature")
	if err != nil {
		return err
	}
	v.Form = applicationValues(d.File)
	if err := s.ownHistory(r, d); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "network_application", v)
}

func (s *Server) ownResubmit(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.ownView(r, "Ma candidature", "candidature")
	if err != nil {
		return err
	}
	if !d.IsAdmin {
		return s.adminOnly(w, r, v)
	}
	if err := s.ownHistory(r, d); err != nil {
		return err
	}
	v.Form = copyForm(r.PostForm)
	v.Form.Set("pivot", d.File.Venue.Pivot)
	a, communes := readApplication(v, false)
	d.Communes = communes
	a.Venue.OrgID, a.Venue.ID = d.File.Venue.OrgID, d.File.Venue.ID
	a.Venue.Lat, a.Venue.Lon = d.File.Venue.Lat, d.File.Venue.Lon
	if v.Summary != nil {
		return s.render(w, r, http.StatusBadRequest, "network_application", v)
	}
	if _, err := s.svc.ResubmitApplication(r.Context(), d.Org.ID, a); err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		addProblems(v, err)
		addEveryProblem(v, a, false)
		return s.render(w, r, errStatus(err), "network_application", v)
	}
	return s.redirect(w, r, "/lieu/candidature", "Candidature renvoyée : l'opérateur l'examine de nouveau. Vous lirez sa décision ici.")
}

// ownBank shows where the venue is paid, for its admins only.
func (s *Server) ownBank(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.ownView(r, "Coordonnées bancaires", "banque")
	if err != nil {
		return err
	}
	if !d.IsAdmin {
		return s.adminOnly(w, r, v)
	}
	if b := d.File.Bank; b != nil {
		v.Form.Set("holder", b.Holder)
		v.Form.Set("bic", b.BIC)
	}
	return s.render(w, r, http.StatusOK, "network_bank", v)
}

func (s *Server) ownBankSave(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.ownView(r, "Coordonnées bancaires", "banque")
	if err != nil {
		return err
	}
	if !d.IsAdmin {
		return s.adminOnly(w, r, v)
	}
	f := r.PostForm
	v.Form.Set("holder", f.Get("holder"))
	v.Form.Set("iban", f.Get("iban"))
	v.Form.Set("bic", f.Get("bic"))
	b := passnum.BankAccount{Holder: f.Get("holder"), IBAN: f.Get("iban"), BIC: f.Get("bic")}
	addBankProblems(v, b)
	if v.Summary == nil {
		if err = s.svc.UpdateBankAccount(r.Context(), d.Org.ID, b); err == nil {
			return s.redirect(w, r, "/lieu/banque", "Coordonnées bancaires enregistrées : les prochains remboursements seront versés sur ce compte.")
		}
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		addProblems(v, err)
	}
	return s.render(w, r, errStatusOr(err, http.StatusBadRequest), "network_bank", v)
}

func errStatusOr(err error, status int) int {
	if err != nil {
		return errStatus(err)
	}
	return status
}

// ownPlaces lists the venue's points of presence, with the form to add
// one (or to change the one of ?lieu=).
func (s *Server) ownPlaces(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.ownView(r, "Permanences", "permanences")
	if err != nil {
		return err
	}
	if id, _ := strconv.ParseInt(r.URL.Query().Get("lieu"), 10, 64); id > 0 && d.IsAdmin {
		for _, p := range d.File.Places {
			if p.ID == id {
				d.Place = p
				placeValues(v, p)
			}
		}
		if d.Place == nil {
			return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Cette permanence est introuvable parmi celles de votre lieu.")
		}
	}
	if d.Place == nil {
		v.Form.Set("active", "1")
	}
	return s.render(w, r, http.StatusOK, "network_places", v)
}

func placeValues(v *view, p *passnum.Place) {
	v.Form.Set("place_id", strconv.FormatInt(p.ID, 10))
	v.Form.Set("place_name", p.Name)
	v.Form.Set("place_address", p.Address)
	v.Form.Set("code_postal", p.PostalCode)
	v.Form.Set("commune", p.INSEE)
	if c, ok := geo.LookupCommune(p.INSEE); ok {
		v.Form.Set("commune", geo.Label(c))
	}
	v.Form.Set("horaires", p.OpeningHours)
	if p.Active {
		v.Form.Set("active", "1")
	}
}

var placeFields = map[string]string{
	"name": "place_name", "address": "place_address", "postal_code": "code_postal", "commune_insee": "commune",
	"opening_hours": "horaires", "latitude": "", "venue_id": "", "id": "",
}

func (s *Server) ownPlaceSave(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.ownView(r, "Permanences", "permanences")
	if err != nil {
		return err
	}
	if !d.IsAdmin {
		return s.adminOnly(w, r, v)
	}
	f := r.PostForm
	v.Form = copyForm(f)
	p := passnum.Place{VenueID: d.Org.ID, Name: f.Get("place_name"), Address: f.Get("place_address"),
		PostalCode: strings.TrimSpace(f.Get("code_postal")), OpeningHours: f.Get("horaires"), Active: f.Get("active") == "1"}
	if id, _ := strconv.ParseInt(f.Get("place_id"), 10, 64); id > 0 {
		for _, old := range d.File.Places {
			if old.ID == id {
				d.Place, p.ID, p.Lat, p.Lon = old, old.ID, old.Lat, old.Lon
			}
		}
		if d.Place == nil {
			return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Cette permanence est introuvable parmi celles de votre lieu.")
		}
	}
	read, communes := readVenueDescription(v)
	d.Communes = communes
	p.INSEE = read.INSEE
	if p.PostalCode == "" {
		p.PostalCode = read.PostalCode
	}
	if d.Place != nil && d.Place.INSEE != p.INSEE {
		p.Lat, p.Lon = nil, nil
	}
	if v.Summary == nil {
		check := p
		if err := check.Validate(); err != nil {
			v.addServiceError(err, placeFields)
		}
	}
	if v.Summary == nil {
		saved, err := s.svc.SavePlace(r.Context(), p)
		if err == nil {
			return s.redirect(w, r, "/lieu/permanences", fmt.Sprintf("Permanence « %s » enregistrée.", saved.Name))
		}
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		v.addServiceError(err, placeFields)
		return s.render(w, r, errStatus(err), "network_places", v)
	}
	return s.render(w, r, http.StatusBadRequest, "network_places", v)
}

// ownTeam lists the venue's staff accounts and lets its admins add one.
func (s *Server) ownTeam(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.ownView(r, "Équipe", "equipe")
	if err != nil {
		return err
	}
	if !d.IsAdmin {
		return s.adminOnly(w, r, v)
	}
	if d.Members, err = s.svc.ListMembers(r.Context(), d.Org.ID); err != nil {
		return err
	}
	v.Form.Set("role", string(passnum.RoleAgent))
	return s.render(w, r, http.StatusOK, "network_team", v)
}

func (s *Server) ownTeamAdd(w http.ResponseWriter, r *http.Request) error {
	v, d, err := s.ownView(r, "Équipe", "equipe")
	if err != nil {
		return err
	}
	if !d.IsAdmin {
		return s.adminOnly(w, r, v)
	}
	f := r.PostForm
	u, err := s.svc.CreateUser(r.Context(), passnum.UserCreate{Email: f.Get("email"), Name: f.Get("name"), OrgID: d.Org.ID, Role: passnum.Role(f.Get("role"))})
	if err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		v.Form = copyForm(f)
		v.addServiceError(err, nil)
		var lerr error
		if d.Members, lerr = s.svc.ListMembers(r.Context(), d.Org.ID); lerr != nil {
			return lerr
		}
		return s.render(w, r, errStatus(err), "network_team", v)
	}
	return s.redirect(w, r, "/lieu/equipe", invitedMessage(u))
}
