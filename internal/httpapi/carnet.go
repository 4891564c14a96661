package httpapi

import (
	"net/http"

	"github.com/passnum/passnum"
)

func (s *Server) allocate(w http.ResponseWriter, r *http.Request) error {
	var in passnum.AllocateRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := s.svc.Allocate(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Allocated int `json:"allocated"`
	}{n})
}

func (s *Server) listCarnets(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	f := passnum.CarnetFilter{Offset: p.offset, Limit: p.limit}
	if f.ProgrammeID, err = queryID(r, "programme_id"); err != nil {
		return err
	}
	if f.PrescriberID, err = queryID(r, "prescriber_id"); err != nil {
		return err
	}
	if f.Distributed, err = queryBool(r, "distributed"); err != nil {
		return err
	}
	carnets, total, err := s.svc.ListCarnets(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, p, carnets, total)
}

func (s *Server) getCarnet(w http.ResponseWriter, r *http.Request) error {
	number, err := pathID(r, "number")
	if err != nil {
		return err
	}
	c, err := s.svc.FindCarnet(r.Context(), number)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// distributionInput is the body of POST /carnets/{number}/distribution:
// the reference of a beneficiary the prescriber knows, or a new one.
type distributionInput struct {
	BeneficiaryRef string                    `json:"beneficiary_ref,omitempty"`
	Beneficiary    *passnum.BeneficiaryInput `json:"beneficiary,omitempty"`
}

func (s *Server) distribute(w http.ResponseWriter, r *http.Request) error {
	number, err := pathID(r, "number")
	if err != nil {
		return err
	}
	var in distributionInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := s.svc.Distribute(r.Context(), passnum.DistributeRequest{Carnet: number,
		BeneficiaryRef: in.BeneficiaryRef, Beneficiary: in.Beneficiary})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

// getBeneficiary answers a person's record. The operator's staff give the
// reason of their reading (?reason=…), journaled with it.
func (s *Server) getBeneficiary(w http.ResponseWriter, r *http.Request) error {
	b, err := s.svc.FindBeneficiary(passnum.WithReadReason(r.Context(), r.URL.Query().Get("reason")), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

func (s *Server) block(w http.ResponseWriter, r *http.Request) error {
	var in passnum.BlockRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := s.svc.Block(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Passes int64 `json:"passes"`
	}{n})
}

func (s *Server) expire(w http.ResponseWriter, r *http.Request) error {
	res, err := s.svc.Expire(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
