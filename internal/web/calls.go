package web

import (
	"net/http"

	"github.com/passnum/passnum"
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
