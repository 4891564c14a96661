package httpapi

import (
	"fmt"
	"net/http"

	"github.com/passnum/passnum"
)

func (s *Server) createProgramme(w http.ResponseWriter, r *http.Request) error {
	var in passnum.ProgrammeCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.CreateProgramme(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/programmes/%d", p.ID))
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) listProgrammes(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	programmes, total, err := s.svc.ListProgrammes(r.Context(), passnum.ProgrammeFilter{Offset: p.offset, Limit: p.limit})
	if err != nil {
		return err
	}
	return writeList(w, p, programmes, total)
}

func (s *Server) getProgramme(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.FindProgramme(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) getProgrammeStats(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st, err := s.svc.ProgrammeStats(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

// fundsInput is the body of POST /programmes/{id}/funds: a payment order,
// the programme being in the path.
type fundsInput struct {
	FunderID    int64  `json:"funder_id"`
	Reference   string `json:"reference"`
	AmountCents int64  `json:"amount_cents"`
	ReceivedOn  string `json:"received_on"`
}

func (s *Server) recordFunds(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in fundsInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	po, err := s.svc.RecordFunds(r.Context(), passnum.FundsCreate{ProgrammeID: id,
		FunderID: in.FunderID, Reference: in.Reference, AmountCents: in.AmountCents, ReceivedOn: in.ReceivedOn})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, po)
}

func (s *Server) listPaymentOrders(w http.ResponseWriter, r *http.Request) error {
	return writeSliceOf(w, r, s.svc.ListPaymentOrders)
}

// issueInput is the body of POST /programmes/{id}/batches.
type issueInput struct {
	Carnets int `json:"carnets"`
}

func (s *Server) issue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in issueInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	b, err := s.svc.Issue(r.Context(), passnum.IssueRequest{ProgrammeID: id, Carnets: in.Carnets})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, b)
}

func (s *Server) listBatches(w http.ResponseWriter, r *http.Request) error {
	return writeSliceOf(w, r, s.svc.ListBatches)
}

// activateInput is the body of POST /programmes/{id}/activations: a batch,
// or a range of carnets.
type activateInput struct {
	BatchID     int64 `json:"batch_id,omitempty"`
	FirstCarnet int64 `json:"first_carnet,omitempty"`
	LastCarnet  int64 `json:"last_carnet,omitempty"`
}

func (s *Server) activate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in activateInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := s.svc.Activate(r.Context(), passnum.ActivateRequest{ProgrammeID: id,
		BatchID: in.BatchID, FirstCarnet: in.FirstCarnet, LastCarnet: in.LastCarnet})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Activated int64 `json:"activated"`
	}{n})
}

// exportPasses streams a batch's passes as CSV for the printer. The file
// holds every pass code of the batch: it is never cached, and its headers
// are sent only with its first byte, so that a refusal (a role without the
// right, an unknown batch) is still a proper problem answer.
func (s *Server) exportPasses(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	out := &csvResponse{w: w, filename: fmt.Sprintf("passnum-lot-%d.csv", id)}
	err = s.svc.ExportPasses(r.Context(), id, out, nil)
	if err != nil && out.started {
		// Too late for a problem: cut the connection so that the client
		// sees a broken transfer, not a file that looks complete. A
		// client that hung up is no failure of ours.
		if r.Context().Err() == nil {
			s.log.ErrorContext(r.Context(), "pass export failed midway", "batch", id, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
	return err
}

// csvResponse writes the CSV headers before the first byte of the body.
type csvResponse struct {
	w        http.ResponseWriter
	filename string
	started  bool
}

func (c *csvResponse) Write(b []byte) (int, error) {
	if !c.started {
		c.started = true
		h := c.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+c.filename+`"`)
		c.w.WriteHeader(http.StatusOK)
	}
	return c.w.Write(b)
}
