package httpapi

import (
	"net/http"
	"strconv"

	"github.com/passnum/passnum"
)

// retentionRunList is the answer of GET /api/v1/retention-runs.
type retentionRunList struct {
	Runs []*passnum.RetentionRun `json:"runs"`
}

// listRetentionRuns lists the latest runs of the retention job (operator
// admins), newest first; ?limit= (1 to 500, 20 by default).
func (s *Server) listRetentionRuns(w http.ResponseWriter, r *http.Request) error {
	limit := 20
	if raw := r.URL.Query().Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxLimit {
			return passnum.Invalid("limit", "Paramètre limit invalide : %q (un nombre entier de 1 à %d est attendu).", raw, maxLimit)
		}
		limit = n
	}
	runs, err := s.svc.ListRetentionRuns(r.Context(), limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, retentionRunList{Runs: runs})
}
