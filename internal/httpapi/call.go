package httpapi

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/pdf"
)

// Calls for projects and their applications (passnum.CallService).

func (s *Server) createCall(w http.ResponseWriter, r *http.Request) error {
	var in passnum.CallCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.CreateCall(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/calls/%d", c.ID))
	return writeJSON(w, http.StatusCreated, c)
}

func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	funder, err := queryID(r, "funder_id")
	if err != nil {
		return err
	}
	calls, total, err := s.svc.ListCalls(r.Context(), passnum.CallFilter{FunderID: funder, Offset: p.offset, Limit: p.limit})
	if err != nil {
		return err
	}
	return writeList(w, p, calls, total)
}

func (s *Server) getCall(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.FindCall(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// listOpenCalls answers the calls open today, without a token.
func (s *Server) listOpenCalls(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	calls, err := s.svc.OpenCalls(r.Context())
	if err != nil {
		return err
	}
	return writeSlice(w, p, calls)
}

func (s *Server) createApplication(w http.ResponseWriter, r *http.Request) error {
	var in passnum.ApplicationInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.ID != 0 {
		return passnum.Invalid("id", "Une nouvelle candidature n'a pas encore d'identifiant : modifiez un brouillon par PUT /api/v1/applications/{id}.")
	}
	p, err := s.svc.SaveApplication(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/applications/%d", p.ID))
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) updateApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.ApplicationInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.ID = id
	p, err := s.svc.SaveApplication(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) listApplications(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	call, err := queryID(r, "call_id")
	if err != nil {
		return err
	}
	apps, total, err := s.svc.ListApplications(r.Context(), passnum.ApplicationFilter{CallID: call, Offset: p.offset, Limit: p.limit})
	if err != nil {
		return err
	}
	return writeList(w, p, apps, total)
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.FindApplication(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) submitApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.SubmitApplication(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// messageInput is the body of POST /applications/{id}/messages.
type messageInput struct {
	Body string `json:"body"`
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in messageInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := s.svc.PostMessage(r.Context(), id, in.Body)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, m)
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	return writeSliceOf(w, r, s.svc.ListMessages)
}

func (s *Server) reviewApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.Review
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.ReviewApplication(r.Context(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) decideApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.Decision
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.DecideApplication(r.Context(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) createConvention(w http.ResponseWriter, r *http.Request) error {
	var in passnum.ConventionCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.CreateConvention(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/conventions/%d", c.ID))
	return writeJSON(w, http.StatusCreated, c)
}

func (s *Server) listConventions(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	call, err := queryID(r, "call_id")
	if err != nil {
		return err
	}
	list, total, err := s.svc.ListConventions(r.Context(), passnum.ConventionFilter{CallID: call, Offset: p.offset, Limit: p.limit})
	if err != nil {
		return err
	}
	return writeList(w, p, list, total)
}

func (s *Server) getConvention(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.FindConvention(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (s *Server) signConvention(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.Signature
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.SignConvention(r.Context(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// getConventionPDF answers the convention to sign.
func (s *Server) getConventionPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.ConventionFor(r.Context(), s.svc, &buf, id, 0, s.operator); err != nil {
		return err
	}
	return writeFile(w, "application/pdf", fmt.Sprintf("passnum-convention-%d.pdf", id), buf.Bytes())
}

func (s *Server) createConventionProgramme(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.ConventionProgramme
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.CreateProgrammeFromConvention(r.Context(), id, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/programmes/%d", p.ID))
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) createAddendum(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.AddendumCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.svc.CreateAddendum(r.Context(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a)
}

func (s *Server) listAddenda(w http.ResponseWriter, r *http.Request) error {
	return writeSliceOf(w, r, s.svc.ListAddenda)
}

// getAddendumPDF answers an addendum to sign: the convention with the
// amounts it left.
func (s *Server) getAddendumPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	number, err := pathID(r, "number")
	if err != nil {
		return err
	}
	if number > 1000 {
		return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "La convention n°%d n'a pas d'avenant n°%d.", id, number)
	}
	var buf bytes.Buffer
	if err := pdf.ConventionFor(r.Context(), s.svc, &buf, id, int(number), s.operator); err != nil {
		return err
	}
	return writeFile(w, "application/pdf", fmt.Sprintf("passnum-convention-%d-avenant-%d.pdf", id, number), buf.Bytes())
}

func (s *Server) callForFunds(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.FundCallCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	fc, err := s.svc.CallForFunds(r.Context(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, fc)
}

func (s *Server) getMoneyIn(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.svc.MoneyIn(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}
