package httpapi

import (
	"fmt"
	"net/http"

	"github.com/passnum/passnum"
)

// getMe answers with the actor behind the token.
func (s *Server) getMe(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, passnum.ActorFromContext(r.Context()))
}

func (s *Server) createOrganisation(w http.ResponseWriter, r *http.Request) error {
	var in passnum.OrganisationCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	org, err := s.svc.CreateOrganisation(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/organisations/%d", org.ID))
	return writeJSON(w, http.StatusCreated, org)
}

func (s *Server) listOrganisations(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	kind := passnum.OrgKind(r.URL.Query().Get("kind"))
	if kind != "" && !kind.Valid() {
		return passnum.Invalid("kind", "Type d'organisation inconnu : %q (operator, funder, hub, prescriber ou venue).", kind)
	}
	orgs, total, err := s.svc.ListOrganisations(r.Context(), passnum.OrganisationFilter{
		Kind: kind, Query: r.URL.Query().Get("q"), Offset: p.offset, Limit: p.limit})
	if err != nil {
		return err
	}
	return writeList(w, p, orgs, total)
}

func (s *Server) getOrganisation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	org, err := s.svc.FindOrganisation(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, org)
}

// qualificationInput is the body of POST /organisations/{id}/qualification.
type qualificationInput struct {
	Status passnum.Qualification `json:"status"`
	Reason string                `json:"reason" text:"multiline"`
}

// setQualification answers POST /organisations/{id}/qualification, the
// older address of POST /venues/{id}/qualification: the same decision of
// the workflow (MoveQualification), answered with the organisation as it
// always was.
func (s *Server) setQualification(w http.ResponseWriter, r *http.Request) error {
	id, in, err := readDecision(w, r)
	if err != nil {
		return err
	}
	if _, err := s.svc.MoveQualification(r.Context(), id, in.Status, in.Reason); err != nil {
		return err
	}
	org, err := s.svc.FindOrganisation(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, org)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var in passnum.UserCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := s.svc.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, u)
}

// findUserByEmail answers GET /users?email=…: the account to attach to
// one more organisation.
func (s *Server) findUserByEmail(w http.ResponseWriter, r *http.Request) error {
	email := r.URL.Query().Get("email")
	if email == "" {
		return passnum.Invalid("email", "Indiquez l'adresse électronique du compte (paramètre email).")
	}
	u, err := s.svc.FindUserByEmail(r.Context(), email)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

// membershipInput is the body of POST /users/{id}/memberships.
type membershipInput struct {
	OrgID int64        `json:"org_id"`
	Role  passnum.Role `json:"role"`
}

func (s *Server) addMembership(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in membershipInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.svc.AddMembership(r.Context(), id, in.OrgID, in.Role); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// createdToken is a new token with its secret, shown this once.
type createdToken struct {
	*passnum.APIToken
	Secret string `json:"secret"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in passnum.TokenCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	tok, secret, err := s.svc.CreateToken(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, createdToken{APIToken: tok, Secret: secret})
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	return writeSliceOf(w, r, s.svc.ListTokens)
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) error {
	return writeSliceOf(w, r, s.svc.ListMembers)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) createCatalogueService(w http.ResponseWriter, r *http.Request) error {
	var in passnum.CatalogueServiceCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	svc, err := s.svc.CreateCatalogueService(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, svc)
}

func (s *Server) listCatalogueServices(w http.ResponseWriter, r *http.Request) error {
	return writeSliceOf(w, r, s.svc.ListCatalogueServices)
}

// activeInput is the body of POST /services/{id}/active. Active is a
// pointer so that a forgotten field is an error, not a withdrawal.
type activeInput struct {
	Active *bool `json:"active"`
}

func (s *Server) setCatalogueServiceActive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in activeInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Active == nil {
		return passnum.Invalid("active", "Indiquez si le service est proposé (true) ou retiré du catalogue (false).")
	}
	svc, err := s.svc.SetCatalogueServiceActive(r.Context(), id, *in.Active)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, svc)
}
