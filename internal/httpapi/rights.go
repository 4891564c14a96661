package httpapi

import (
	"net/http"

	"github.com/passnum/passnum"
)

// The rights of the person over a beneficiary record (articles 15 to 21),
// under the beneficiary's reference. Another prescriber's reference and an
// unknown one answer the same 404.

func (s *Server) getPersonalData(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.PersonalData(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

// rectificationInput is the body of POST …/rectification: the fields to
// correct, and why.
type rectificationInput struct {
	BirthYear    *int     `json:"birth_year,omitempty"`
	AgeBand      *string  `json:"age_band,omitempty"`
	CommuneINSEE *string  `json:"commune_insee,omitempty"`
	Needs        []string `json:"needs,omitempty"`
	Autonomy     *string  `json:"autonomy,omitempty"`
	Reason       string   `json:"reason"`
}

func (s *Server) rectifyBeneficiary(w http.ResponseWriter, r *http.Request) error {
	var in rectificationInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	b, err := s.svc.RectifyBeneficiary(r.Context(), passnum.Rectification{Ref: r.PathValue("ref"), BirthYear: in.BirthYear, AgeBand: in.AgeBand,
		CommuneINSEE: in.CommuneINSEE, Needs: in.Needs, Autonomy: in.Autonomy, Reason: in.Reason})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

// restrictionInput is the body of POST …/restriction: restricted true to
// restrict the use of the record, false to lift the restriction.
type restrictionInput struct {
	Restricted *bool  `json:"restricted"`
	Reason     string `json:"reason"`
}

func (s *Server) restrictBeneficiary(w http.ResponseWriter, r *http.Request) error {
	var in restrictionInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Restricted == nil {
		return passnum.Invalid("restricted", "Dites si le traitement est limité (true) ou si la limitation est levée (false).")
	}
	b, err := s.svc.RestrictBeneficiary(r.Context(), r.PathValue("ref"), *in.Restricted, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

// erasureInput is the body of POST …/erasure: why, without personal data
// (the reason stays in the audit trail).
type erasureInput struct {
	Reason string `json:"reason"`
}

func (s *Server) eraseBeneficiary(w http.ResponseWriter, r *http.Request) error {
	var in erasureInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := s.svc.EraseBeneficiary(r.Context(), r.PathValue("ref"), in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}
