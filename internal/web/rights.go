package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
	"github.com/passnum/passnum/internal/pdf"
)

// The rights of the person over a beneficiary record (articles 15 to 21),
// in two spaces: the operator's staff answering a request
// (/operateur/droits: find a reference, see and download everything held,
// rectify, restrict, erase), and the prescriber in front of the person
// (/prescripteur/personnes: see the data, print the copy, rectify, and ask
// the operator for an erasure or a restriction, which the register of
// requests records). The service decides who sees what: a prescriber's
// unknown reference and another prescriber's get the same answer.

// rightsSpace is one of the two spaces.
type rightsSpace struct {
	base     string // the space's path
	operator bool
}

var (
	operatorRights   = rightsSpace{"/operateur/droits", true}
	prescriberRights = rightsSpace{"/prescripteur/personnes", false}
)

// readReason is why the space reads a person's data, for the journal of
// consultations.
func (sp rightsSpace) readReason() string {
	if sp.operator {
		return "droits de la personne (articles 15 à 21 du RGPD)"
	}
	return "la personne, présente, exerce ses droits"
}

// personPath is the page of ref in the space.
func (sp rightsSpace) personPath(ref string) string { return sp.base + "/" + url.PathEscape(ref) }

// rightsFindData is the search form of a space, with what was not found.
type rightsFindData struct {
	Base     string
	Operator bool
	Missing  string // the reference not found
}

// rightsPersonData is the page of a person.
type rightsPersonData struct {
	Base     string
	Path     string // the person's page
	Operator bool
	D        *passnum.PersonalData
	Commune  string
	Needs    []choice
	AgeBands []choice
	Autonomy []choice
	// Kinds are the rights a prescriber asks the operator for.
	Kinds []choice
	// Requests are the person's requests in the register (the
	// operator's staff), open ones first.
	Requests []rightsRequestRow
}

func (s *Server) operatorRightsFind(w http.ResponseWriter, r *http.Request) error {
	return s.rightsFind(w, r, operatorRights)
}

func (s *Server) prescriberRightsFind(w http.ResponseWriter, r *http.Request) error {
	return s.rightsFind(w, r, prescriberRights)
}

// rightsFind is the search form; a reference sent goes to its page.
func (s *Server) rightsFind(w http.ResponseWriter, r *http.Request, sp rightsSpace) error {
	v := s.newView(r, "Données d'une personne", rightsFindData{Base: sp.base, Operator: sp.operator})
	if ref := strings.TrimSpace(r.URL.Query().Get("ref")); ref != "" {
		http.Redirect(w, r, sp.personPath(ref), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "rights_find", v)
}

func (s *Server) operatorRightsPerson(w http.ResponseWriter, r *http.Request) error {
	return s.rightsPerson(w, r, operatorRights, s.newView(r, "", nil), http.StatusOK)
}

func (s *Server) prescriberRightsPerson(w http.ResponseWriter, r *http.Request) error {
	return s.rightsPerson(w, r, prescriberRights, s.newView(r, "", nil), http.StatusOK)
}

// personalData reads what is held about the reference of the path; a
// reference the visitor may not see is answered by the search form,
// saying it was not found, with the same words whether it exists or not.
func (s *Server) personalData(w http.ResponseWriter, r *http.Request, sp rightsSpace) (*passnum.PersonalData, bool, error) {
	return s.personalDataFor(w, r, sp, "")
}

// personalDataFor is personalData for a file, named export ("" for a
// page): the journal of consultations records why the data was read
// (the space's purpose) and, for a file, that it left the platform.
func (s *Server) personalDataFor(w http.ResponseWriter, r *http.Request, sp rightsSpace, export string) (*passnum.PersonalData, bool, error) {
	ref := r.PathValue("ref")
	ctx := passnum.WithReadReason(r.Context(), sp.readReason())
	if export != "" {
		ctx = passnum.WithExport(ctx, export)
	}
	d, err := s.svc.PersonalData(ctx, ref)
	if passnum.ErrorCode(err) == passnum.ENOTFOUND {
		v := s.newView(r, "Données d'une personne", rightsFindData{Base: sp.base, Operator: sp.operator, Missing: ref})
		v.Form.Set("ref", ref)
		v.addError("ref", passnum.ErrorMessage(err))
		return nil, false, s.render(w, r, http.StatusNotFound, "rights_find", v)
	}
	if err != nil {
		return nil, false, err
	}
	return d, true, nil
}

// rightsPerson shows everything held about a reference, with the forms to
// act on it; v carries the forms' values and errors when one comes back.
func (s *Server) rightsPerson(w http.ResponseWriter, r *http.Request, sp rightsSpace, v *view, status int) error {
	d, ok, err := s.personalData(w, r, sp)
	if !ok {
		return err
	}
	b := d.Beneficiary
	if v.Form.Get("rectify") == "" {
		// The rectification form starts from the record as it is.
		if b.BirthYear != 0 {
			v.Form.Set("birth_year", strconv.Itoa(b.BirthYear))
		}
		v.Form.Set("age_band", b.AgeBand)
		if c, ok := geo.LookupCommune(b.CommuneINSEE); ok {
			v.Form.Set("commune", geo.Label(c))
		}
		v.Form["needs"] = append([]string(nil), b.Needs...)
		v.Form.Set("autonomy", b.Autonomy)
	}
	needs := make([]choice, len(passnum.Needs))
	for i, n := range passnum.Needs {
		needs[i] = choice{n, n}
	}
	bands := make([]choice, len(passnum.AgeBands))
	for i, a := range passnum.AgeBands {
		bands[i] = choice{a, a + " ans"}
	}
	autonomy := make([]choice, len(passnum.AutonomyLevels))
	for i, a := range passnum.AutonomyLevels {
		autonomy[i] = choice{a, capitalize(a)}
	}
	var kinds []choice
	for _, k := range []passnum.RightsKind{passnum.RightErasure, passnum.RightRestriction, passnum.RightObjection} {
		kinds = append(kinds, choice{string(k), capitalize(k.Label())})
	}
	var requests []rightsRequestRow
	if sp.operator {
		list, _, err := s.svc.ListRightsRequests(r.Context(), passnum.RightsRequestFilter{Ref: b.Ref, Limit: 50})
		if err != nil {
			return err
		}
		requests = rightsRows(list, passnum.Today(s.now()))
	}
	v.Title = "Données de la personne " + b.Ref
	v.Data = rightsPersonData{Requests: requests, Base: sp.base, Path: sp.personPath(b.Ref), Operator: sp.operator, D: d,
		Commune: communeWithCode(b.CommuneINSEE), Needs: needs, AgeBands: bands, Autonomy: autonomy, Kinds: kinds}
	return s.render(w, r, status, "rights_person", v)
}

// communeWithCode names a commune with its code: "Rennes (35238)".
func communeWithCode(insee string) string {
	if c, ok := geo.LookupCommune(insee); ok {
		return c.Name + " (" + insee + ")"
	}
	return insee
}

func (s *Server) operatorRightsPDF(w http.ResponseWriter, r *http.Request) error {
	return s.rightsPDF(w, r, operatorRights)
}

func (s *Server) prescriberRightsPDF(w http.ResponseWriter, r *http.Request) error {
	return s.rightsPDF(w, r, prescriberRights)
}

// rightsPDF is the person's copy of their data, to print or send.
func (s *Server) rightsPDF(w http.ResponseWriter, r *http.Request, sp rightsSpace) error {
	d, ok, err := s.personalDataFor(w, r, sp, "donnees-personnelles.pdf")
	if !ok {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.PersonalData(&buf, d, s.privacy); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="donnees-%s.pdf"`, d.Beneficiary.Ref))
	_, err = w.Write(buf.Bytes())
	return err
}

// operatorRightsJSON is the copy for a machine (article 20): the same
// document as the API's.
func (s *Server) operatorRightsJSON(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.personalDataFor(w, r, operatorRights, "donnees-personnelles.json")
	if !ok {
		return err
	}
	body, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="donnees-%s.json"`, d.Beneficiary.Ref))
	_, err = w.Write(append(body, '\n'))
	return err
}

// rightsFields maps the service's fields to the forms'.
var rightsFields = map[string]string{"birth_year": "birth_year", "age_band": "age_band", "commune_insee": "commune", "needs": "needs",
	"autonomy": "autonomy", "reason": "reason", "ref": "", "kind": "kind", "details": "details"}

func (s *Server) operatorRightsRectify(w http.ResponseWriter, r *http.Request) error {
	return s.rightsRectify(w, r, operatorRights)
}

func (s *Server) prescriberRightsRectify(w http.ResponseWriter, r *http.Request) error {
	return s.rightsRectify(w, r, prescriberRights)
}

// rightsRectify corrects the details the person says are wrong (article
// 16). The form sends the record as it should be; the service changes
// what differs, and says so when nothing does.
func (s *Server) rightsRectify(w http.ResponseWriter, r *http.Request, sp rightsSpace) error {
	v := s.newView(r, "", nil)
	v.Form = r.PostForm
	v.Form.Set("rectify", "1")
	f := v.Form
	c := passnum.Rectification{Ref: r.PathValue("ref"), Reason: f.Get("reason"), Needs: append([]string{}, f["needs"]...)}
	if y := strings.TrimSpace(f.Get("birth_year")); y != "" {
		year, err := strconv.Atoi(y)
		if err != nil {
			v.addError("birth_year", "L'année de naissance s'écrit avec 4 chiffres, par exemple 1956.")
		}
		c.BirthYear = &year
	}
	band := f.Get("age_band")
	c.AgeBand = &band
	autonomy := f.Get("autonomy")
	c.Autonomy = &autonomy
	insee, _ := communeField(v, false)
	if insee != "" {
		c.CommuneINSEE = &insee
	}
	back := func(status int) error { return s.rightsPerson(w, r, sp, v, status) }
	if v.Summary != nil {
		return back(http.StatusBadRequest)
	}
	b, err := s.svc.RectifyBeneficiary(r.Context(), c)
	if err != nil {
		return sendBack(v, err, rightsFields, back)
	}
	return s.redirect(w, r, sp.personPath(b.Ref)+"#donnees", "Données corrigées. "+registerHint(sp))
}

// registerHint reminds the operator's staff to record the request and its
// answer; the prescriber's requests are recorded when it asks.
func registerHint(sp rightsSpace) string {
	if !sp.operator {
		return "Donnez à la personne sa copie à jour si elle le souhaite."
	}
	return "Pensez à enregistrer la demande et sa réponse dans le registre des demandes RGPD."
}

// operatorRightsRestrict restricts the use of a record, or lifts the
// restriction (article 18).
func (s *Server) operatorRightsRestrict(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "", nil)
	v.Form = r.PostForm
	restrict := v.Form.Get("restricted") == "1"
	b, err := s.svc.RestrictBeneficiary(r.Context(), r.PathValue("ref"), restrict, v.Form.Get("restriction_reason"))
	if err != nil {
		return sendBack(v, err, map[string]string{"reason": "restriction_reason", "ref": ""}, func(status int) error {
			return s.rightsPerson(w, r, operatorRights, v, status)
		})
	}
	msg := "Limitation levée : les données de la personne servent de nouveau au programme."
	if restrict {
		msg = "Traitement limité : la personne ne peut plus recevoir de carnet ni être inscrite, et ses données ne sortent plus dans les exports."
	}
	return s.redirect(w, r, operatorRights.personPath(b.Ref), msg+" "+registerHint(operatorRights))
}

// rightsEraseData is the confirmation page of an erasure, or its result.
type rightsEraseData struct {
	Path    string
	D       *passnum.PersonalData
	Erasure *passnum.Erasure
	// Refused is the service's reason when it refused the erasure.
	Refused string
}

// operatorRightsEraseForm asks for confirmation, saying what goes and
// what stays.
func (s *Server) operatorRightsEraseForm(w http.ResponseWriter, r *http.Request) error {
	return s.rightsEraseForm(w, r, s.newView(r, "", nil), http.StatusOK, "")
}

func (s *Server) rightsEraseForm(w http.ResponseWriter, r *http.Request, v *view, status int, refused string) error {
	d, ok, err := s.personalData(w, r, operatorRights)
	if !ok {
		return err
	}
	v.Title = "Effacer les données de la personne " + d.Beneficiary.Ref
	v.Data = rightsEraseData{Path: operatorRights.personPath(d.Beneficiary.Ref), D: d, Refused: refused}
	return s.render(w, r, status, "rights_erase", v)
}

// operatorRightsErase erases the record (article 17), or shows why the
// service refuses: a person still holding unused passes would leave value
// in the books under nobody.
func (s *Server) operatorRightsErase(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "", nil)
	v.Form = r.PostForm
	ref := r.PathValue("ref")
	if v.Form.Get("confirm") != "1" {
		v.addError("confirm", "Cochez la case pour confirmer : l'effacement ne peut pas être annulé.")
		return s.rightsEraseForm(w, r, v, http.StatusBadRequest, "")
	}
	e, err := s.svc.EraseBeneficiary(r.Context(), ref, v.Form.Get("reason"))
	if err != nil {
		var pe *passnum.Error
		if errors.As(err, &pe) && pe.Code == passnum.EREFUSED {
			return s.rightsEraseForm(w, r, v, errStatus(err), passnum.ErrorMessage(err))
		}
		if passnum.ErrorCode(err) == passnum.ENOTFOUND {
			_, _, err := s.personalData(w, r, operatorRights)
			return err
		}
		return sendBack(v, err, map[string]string{"reason": "reason", "ref": ""}, func(status int) error {
			return s.rightsEraseForm(w, r, v, status, "")
		})
	}
	v.Title = "Données effacées"
	v.Data = rightsEraseData{Erasure: e}
	return s.render(w, r, http.StatusOK, "rights_erased", v)
}

// prescriberRightsAsk records in the register what the person in front
// of the prescriber asks the operator to do: erase, restrict, or stop
// using their data. The operator answers within a month.
func (s *Server) prescriberRightsAsk(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "", nil)
	v.Form = r.PostForm
	ref := r.PathValue("ref")
	// The reference must be one the prescriber sees: the page of the
	// person says so, with the words of an unknown one.
	if _, ok, err := s.personalData(w, r, prescriberRights); !ok {
		return err
	}
	req, err := s.svc.RecordRightsRequest(r.Context(), passnum.RightsRequestCreate{Ref: ref, Kind: passnum.RightsKind(v.Form.Get("kind")),
		Channel: passnum.ChannelPrescriber, Details: v.Form.Get("details")})
	if err != nil {
		return sendBack(v, err, rightsFields, func(status int) error { return s.rightsPerson(w, r, prescriberRights, v, status) })
	}
	return s.redirect(w, r, prescriberRights.personPath(ref)+"#demande",
		fmt.Sprintf("Demande n°%d transmise à l'opérateur : %s. Il répondra à la personne au plus tard le %s.", req.ID, req.Kind.Label(), passnum.FrenchDate(req.DueOn)))
}
