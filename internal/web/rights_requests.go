package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// The register of rights requests (/operateur/demandes-rgpd): every
// request a person makes over their data, recorded with the day it came
// in, due one month later, extended once, answered. The operator's staff
// keep it; the dashboard shows the requests due soon (rightsDueSoon).

// rightsRequestRow is a request as the register shows it on a given day.
type rightsRequestRow struct {
	*passnum.RightsRequest
	Left int // days to the due date, negative once passed
	Late bool
	Soon bool
	// Person is the page of the person when the request gives a
	// reference (B-…), "" otherwise.
	Person string
}

func rightsRows(list []*passnum.RightsRequest, today string) []rightsRequestRow {
	rows := make([]rightsRequestRow, len(list))
	for i, r := range list {
		rows[i] = rightsRequestRow{RightsRequest: r, Left: r.DaysLeft(today), Late: r.Overdue(today), Soon: r.DueSoon(today)}
		if strings.HasPrefix(strings.ToUpper(r.Ref), "B-") && !strings.ContainsAny(r.Ref, " /?#") {
			rows[i].Person = operatorRights.personPath(r.Ref)
		}
	}
	return rows
}

// rightsKindChoices and rightsChannelChoices are the register's choices,
// in French.
func rightsKindChoices() []choice {
	out := make([]choice, len(passnum.RightsKinds))
	for i, k := range passnum.RightsKinds {
		out[i] = choice{string(k), capitalize(k.Label())}
	}
	return out
}

func rightsChannelChoices() []choice {
	out := make([]choice, len(passnum.RightsChannels))
	for i, c := range passnum.RightsChannels {
		out[i] = choice{string(c), capitalize(c.Label())}
	}
	return out
}

// rightsRequestFields maps the service's fields to the forms'.
var rightsRequestFields = map[string]string{"ref": "ref", "kind": "kind", "channel": "channel", "received_on": "received_on",
	"details": "details", "answer": "answer", "answered_on": "answered_on", "reason": "reason"}

type rightsRegisterData struct {
	Rows     []rightsRequestRow
	Total    int
	Open     bool // only the open requests are listed
	Kinds    []choice
	Channels []choice
	Today    string
}

func (s *Server) rightsRequests(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Demandes d'exercice des droits", nil)
	// Links from the pages of a person fill the form in: the reference
	// and the right asked.
	q := r.URL.Query()
	v.Form.Set("ref", q.Get("ref"))
	v.Form.Set("kind", q.Get("droit"))
	v.Form.Set("channel", string(passnum.ChannelPost))
	v.Form.Set("received_on", passnum.Today(s.now()))
	return s.rightsRequestsPage(w, r, v, http.StatusOK)
}

func (s *Server) rightsRequestsPage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	open := r.URL.Query().Get("toutes") == ""
	list, total, err := s.svc.ListRightsRequests(r.Context(), passnum.RightsRequestFilter{Open: open, Limit: 500})
	if err != nil {
		return err
	}
	today := passnum.Today(s.now())
	v.Data = rightsRegisterData{Rows: rightsRows(list, today), Total: total, Open: open,
		Kinds: rightsKindChoices(), Channels: rightsChannelChoices(), Today: today}
	return s.render(w, r, status, "rights_requests", v)
}

func (s *Server) recordRightsRequest(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Demandes d'exercice des droits", nil)
	v.Form = r.PostForm
	c := passnum.RightsRequestCreate{Ref: v.Form.Get("ref"), Kind: passnum.RightsKind(v.Form.Get("kind")),
		Channel: passnum.RightsChannel(v.Form.Get("channel")), ReceivedOn: v.Form.Get("received_on"), Details: v.Form.Get("details")}
	if c.ReceivedOn == "" {
		// The service takes today for a missing date; on the form, whose
		// field starts at today, an emptied field is a mistake to show.
		v.addError("received_on", "Indiquez le jour où la demande est arrivée.")
		return s.rightsRequestsPage(w, r, v, http.StatusBadRequest)
	}
	req, err := s.svc.RecordRightsRequest(r.Context(), c)
	if err != nil {
		return sendBack(v, err, rightsRequestFields, func(status int) error { return s.rightsRequestsPage(w, r, v, status) })
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/demandes-rgpd/%d", req.ID),
		fmt.Sprintf("Demande n°%d enregistrée : réponse à donner au plus tard le %s.", req.ID, passnum.FrenchDate(req.DueOn)))
}

type rightsRequestData struct {
	Row rightsRequestRow
	// ExtendedDue is the due date once extended.
	ExtendedDue string
}

func (s *Server) rightsRequest(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Demande", nil)
	v.Form.Set("answered_on", passnum.Today(s.now()))
	return s.rightsRequestPage(w, r, v, http.StatusOK)
}

func (s *Server) rightsRequestPage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r, "id", "Demande")
	if err != nil {
		return err
	}
	req, err := s.svc.FindRightsRequest(r.Context(), id)
	if err != nil {
		return err
	}
	today := passnum.Today(s.now())
	v.Title = fmt.Sprintf("Demande n°%d", req.ID)
	extended, err := passnum.RightsDueDate(req.ReceivedOn, true)
	if err != nil {
		return err
	}
	v.Data = rightsRequestData{rightsRows([]*passnum.RightsRequest{req}, today)[0], extended}
	return s.render(w, r, status, "rights_request", v)
}

func (s *Server) answerRightsRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Demande")
	if err != nil {
		return err
	}
	v := s.newView(r, "Demande", nil)
	v.Form = r.PostForm
	a := passnum.RightsRequestAnswer{ID: id, AnsweredOn: v.Form.Get("answered_on"), Answer: v.Form.Get("answer")}
	if a.AnsweredOn == "" {
		v.addError("answered_on", "Indiquez le jour où la réponse a été donnée.")
		return s.rightsRequestPage(w, r, v, http.StatusBadRequest)
	}
	req, err := s.svc.AnswerRightsRequest(r.Context(), a)
	if err != nil {
		return sendBack(v, err, rightsRequestFields, func(status int) error { return s.rightsRequestPage(w, r, v, status) })
	}
	msg := fmt.Sprintf("Réponse à la demande n°%d enregistrée le %s.", req.ID, passnum.FrenchDate(req.AnsweredOn))
	if req.AnsweredLate() {
		msg += fmt.Sprintf(" Elle est arrivée après l'échéance du %s.", passnum.FrenchDate(req.DueOn))
	}
	return s.redirect(w, r, "/operateur/demandes-rgpd", msg)
}

func (s *Server) extendRightsRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Demande")
	if err != nil {
		return err
	}
	v := s.newView(r, "Demande", nil)
	v.Form = r.PostForm
	req, err := s.svc.ExtendRightsRequest(r.Context(), passnum.RightsRequestExtension{ID: id, Reason: v.Form.Get("reason")})
	if err != nil {
		return sendBack(v, err, rightsRequestFields, func(status int) error { return s.rightsRequestPage(w, r, v, status) })
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/demandes-rgpd/%d", req.ID),
		fmt.Sprintf("Délai prolongé : réponse à donner au plus tard le %s. Prévenez la personne de la prolongation et de sa raison.", passnum.FrenchDate(req.DueOn)))
}

// rightsDueSoon lists the open requests due within
// passnum.RightsDueSoonDays or overdue, for the operator's dashboard;
// nil when the visitor may not read the register.
func (s *Server) rightsDueSoon(r *http.Request) ([]rightsRequestRow, error) {
	if !visitorFrom(r).actor().Can(passnum.ActRightsRequestManage) {
		return nil, nil
	}
	today := passnum.Today(s.now())
	day, err := time.Parse(passnum.DateLayout, today)
	if err != nil {
		return nil, err
	}
	by := day.AddDate(0, 0, passnum.RightsDueSoonDays).Format(passnum.DateLayout)
	list, _, err := s.svc.ListRightsRequests(r.Context(), passnum.RightsRequestFilter{Open: true, DueBy: by, Limit: 50})
	if err != nil {
		return nil, err
	}
	return rightsRows(list, today), nil
}
