package web

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/pdf"
)

// Calls for projects (passnum.CallService): the public list of open
// calls, the funder's and the applicant's pages.

// openCalls lists the calls for projects open today, for everyone.
func (s *Server) openCalls(w http.ResponseWriter, r *http.Request) error {
	calls, err := s.svc.OpenCalls(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "calls_public", s.newView(r, "Appels à projets ouverts", calls))
}

// applicantKindLabels writes the kinds a call accepts, in French.
func applicantKindLabels(kinds []passnum.ApplicantKind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.Label()
	}
	return out
}

// funderCalls is a funder's space for calls for projects: the calls it
// opened, its applications, and the calls open today.
func (s *Server) funderCalls(w http.ResponseWriter, r *http.Request) error {
	a := visitorFrom(r).actor()
	mine, _, err := s.svc.ListCalls(r.Context(), passnum.CallFilter{FunderID: a.OrgID, Limit: 100})
	if err != nil {
		return err
	}
	open, err := s.svc.OpenCalls(r.Context())
	if err != nil {
		return err
	}
	apps, _, err := s.svc.ListApplications(r.Context(), passnum.ApplicationFilter{Limit: 200})
	if err != nil {
		return err
	}
	var own []*passnum.Application
	for _, p := range apps {
		if p.ApplicantID == a.OrgID || slices.Contains(p.Members, a.OrgID) {
			own = append(own, p)
		}
	}
	data := map[string]any{"Mine": mine, "Open": open, "Applications": own}
	return s.render(w, r, http.StatusOK, "calls_funder", s.newView(r, "Appels à projets", data))
}

// applicationRow is an application with what the call's funder is asked.
type applicationRow struct {
	*passnum.Application
	Asked, Total int64
}

// funderCall shows a call: to its funder, the applications submitted,
// the envelope left and the conventions; to others, the call and their
// own applications.
func (s *Server) funderCall(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Appel à projets")
	if err != nil {
		return err
	}
	c, err := s.svc.FindCall(r.Context(), id)
	if err != nil {
		return err
	}
	apps, _, err := s.svc.ListApplications(r.Context(), passnum.ApplicationFilter{CallID: id, Limit: 500})
	if err != nil {
		return err
	}
	rows := make([]applicationRow, len(apps))
	for i, p := range apps {
		asked, total := p.Totals(c.FunderID)
		rows[i] = applicationRow{p, asked, total}
	}
	convs, _, err := s.svc.ListConventions(r.Context(), passnum.ConventionFilter{CallID: id, Limit: 500})
	if err != nil {
		return err
	}
	a := visitorFrom(r).actor()
	data := map[string]any{"Call": c, "Applications": rows, "Conventions": convs, "Funder": a.OrgID == c.FunderID,
		"Open": c.OpenOn(passnum.Today(s.now()))}
	return s.render(w, r, http.StatusOK, "calls_call", s.newView(r, c.Title, data))
}

// callApplicationFormPage is the form of a new application to a call.
func (s *Server) callApplicationFormPage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r, "id", "Appel à projets")
	if err != nil {
		return err
	}
	c, err := s.svc.FindCall(r.Context(), id)
	if err != nil {
		return err
	}
	year := s.now().In(parisTime).Year()
	v.Title, v.Data = "Candidater : "+c.Title, map[string]any{"Call": c, "Years": []int{year, year + 1}, "Kinds": c.ApplicantKinds}
	return s.render(w, r, status, "calls_apply", v)
}

func (s *Server) newApplicationForm(w http.ResponseWriter, r *http.Request) error {
	return s.callApplicationFormPage(w, r, s.newView(r, "", nil), http.StatusOK)
}

// apply saves the form as a draft, then submits it when asked; a refused
// submission leaves the draft and shows why on the application's page.
func (s *Server) applyToCall(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Appel à projets")
	if err != nil {
		return err
	}
	a := visitorFrom(r).actor()
	// The role first, as the service would, before reading the call.
	if err := passnum.Authorize(a, passnum.ActApplicationWrite); err != nil {
		return err
	}
	f := r.PostForm
	back := func(err error) error {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		v := s.newView(r, "", nil)
		v.Form = f
		v.addServiceError(err, map[string]string{"lines": "asked_0", "targets": "people", "territory": "territory", "title": "title"})
		return s.callApplicationFormPage(w, r, v, errStatus(err))
	}
	in := passnum.ApplicationInput{CallID: id, ApplicantKind: passnum.ApplicantKind(f.Get("applicant_kind")), Title: f.Get("title")}
	if t := strings.Fields(strings.ReplaceAll(f.Get("territory"), ",", " ")); len(t) > 0 {
		in.Territory = t
	}
	for _, n := range []struct {
		name string
		to   *int
	}{{"people", &in.Targets.People}, {"passes", &in.Targets.Passes}, {"venues", &in.Targets.Venues}, {"hubs", &in.Targets.Hubs}} {
		if raw := strings.TrimSpace(f.Get(n.name)); raw != "" {
			v, err := strconv.Atoi(raw)
			if err != nil || v < 0 {
				return back(passnum.Invalid(n.name, "Indiquez un nombre entier positif."))
			}
			*n.to = v
		}
	}
	c, err := s.svc.FindCall(r.Context(), id)
	if err != nil {
		return err
	}
	year := s.now().In(parisTime).Year()
	for i, y := range []int{year, year + 1} {
		for _, l := range []struct {
			field  string
			funder int64
		}{{fmt.Sprintf("asked_%d", i), c.FunderID}, {fmt.Sprintf("own_%d", i), a.OrgID}} {
			raw := strings.TrimSpace(f.Get(l.field))
			if raw == "" {
				continue
			}
			cents, err := passnum.ParseEuros(raw)
			if err != nil {
				return back(passnum.Invalid(l.field, "%s", passnum.ErrorMessage(err)))
			}
			if cents > 0 {
				in.Lines = append(in.Lines, passnum.FundingLine{FunderID: l.funder, Year: y, AmountCents: cents})
			}
		}
	}
	for i := range c.Questions {
		in.Answers = append(in.Answers, f.Get(fmt.Sprintf("answer_%d", i)))
	}
	p, err := s.svc.SaveApplication(r.Context(), in)
	if err != nil {
		return back(err)
	}
	to := fmt.Sprintf("/financeur/candidatures/%d", p.ID)
	if f.Get("submit") != "1" {
		return s.redirect(w, r, to, "Brouillon enregistré. Déposez-le quand il est complet.")
	}
	if _, err := s.svc.SubmitApplication(r.Context(), p.ID); err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		s.setFlash(w, "info", "Brouillon enregistré, mais pas déposé : "+passnum.ErrorMessage(err))
		return s.redirect(w, r, to, "")
	}
	return s.redirect(w, r, to, "Candidature déposée : le financeur de l'appel peut maintenant la lire.")
}

// applicationPage shows an application: budget, answers, decision,
// questions and answers; to the call's funder, the decision form.
func (s *Server) applicationPage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r, "id", "Candidature")
	if err != nil {
		return err
	}
	p, err := s.svc.FindApplication(r.Context(), id)
	if err != nil {
		return err
	}
	c, err := s.svc.FindCall(r.Context(), p.CallID)
	if err != nil {
		return err
	}
	msgs, err := s.svc.ListMessages(r.Context(), id)
	if err != nil {
		return err
	}
	files, err := s.svc.ListAttachments(r.Context(), id)
	if err != nil {
		return err
	}
	convs, _, err := s.svc.ListConventions(r.Context(), passnum.ConventionFilter{CallID: c.ID, Limit: 500})
	if err != nil {
		return err
	}
	var conv *passnum.Convention
	for _, x := range convs {
		if x.ApplicationID == p.ID {
			conv = x
		}
	}
	asked, total := p.Totals(c.FunderID)
	a := visitorFrom(r).actor()
	v.Title = "Candidature : " + p.Title
	if p.Title == "" {
		v.Title = fmt.Sprintf("Candidature n° %d", p.ID)
	}
	v.Data = map[string]any{"A": p, "Call": c, "Messages": msgs, "Asked": asked, "Total": total, "Convention": conv,
		"Funder": a.OrgID == c.FunderID, "Applicant": a.OrgID == p.ApplicantID, "Questions": c.Questions,
		"Attachments": files, "MaxAttachment": passnum.FrenchBytes(passnum.MaxAttachmentBytes), "MaxAttachments": passnum.MaxAttachments}
	return s.render(w, r, status, "calls_application", v)
}

func (s *Server) funderApplication(w http.ResponseWriter, r *http.Request) error {
	return s.applicationPage(w, r, s.newView(r, "", nil), http.StatusOK)
}

// applicationAction runs a form of the application's page and comes back
// to it, with the service's refusal shown in the form.
func (s *Server) applicationAction(w http.ResponseWriter, r *http.Request, field string, do func(id int64) (string, error)) error {
	id, err := pathID(r, "id", "Candidature")
	if err != nil {
		return err
	}
	msg, err := do(id)
	if err != nil {
		if c := passnum.ErrorCode(err); c == passnum.EINTERNAL || c == passnum.ENOTFOUND || c == passnum.EFORBIDDEN {
			return err
		}
		v := s.newView(r, "", nil)
		v.Form = r.PostForm
		v.addServiceError(err, map[string]string{"body": field, "reason": field, "lines": field, "answers": field, "title": field, "territory": field, "targets": field, "applicant_kind": field, "file": field})
		return s.applicationPage(w, r, v, errStatus(err))
	}
	return s.redirect(w, r, fmt.Sprintf("/financeur/candidatures/%d", id), msg)
}

func (s *Server) submitApplicationForm(w http.ResponseWriter, r *http.Request) error {
	return s.applicationAction(w, r, "submit", func(id int64) (string, error) {
		_, err := s.svc.SubmitApplication(r.Context(), id)
		return "Candidature déposée : le financeur de l'appel peut maintenant la lire.", err
	})
}

func (s *Server) postApplicationMessage(w http.ResponseWriter, r *http.Request) error {
	return s.applicationAction(w, r, "body", func(id int64) (string, error) {
		_, err := s.svc.PostMessage(r.Context(), id, r.PostForm.Get("body"))
		return "Message envoyé.", err
	})
}

func (s *Server) decideApplicationForm(w http.ResponseWriter, r *http.Request) error {
	return s.applicationAction(w, r, "reason", func(id int64) (string, error) {
		d := passnum.Decision{Selected: r.PostForm.Get("selected") == "1", Reason: r.PostForm.Get("reason")}
		p, err := s.svc.DecideApplication(r.Context(), id, d)
		if err != nil {
			return "", err
		}
		return "Décision enregistrée : la candidature est " + p.Status.Label() + ".", nil
	})
}

func (s *Server) conventionPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Convention")
	if err != nil {
		return err
	}
	number := 0
	if raw := r.PathValue("number"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 1000 {
			return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Avenant introuvable.")
		}
		number = n
	}
	var buf bytes.Buffer
	if err := pdf.ConventionFor(r.Context(), s.svc, &buf, id, number, s.operatorName(r)); err != nil {
		return err
	}
	name := fmt.Sprintf("passnum-convention-%d.pdf", id)
	if number > 0 {
		name = fmt.Sprintf("passnum-convention-%d-avenant-%d.pdf", id, number)
	}
	return sendFile(w, "application/pdf", name, buf.Bytes())
}
