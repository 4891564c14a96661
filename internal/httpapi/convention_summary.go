package httpapi

import (
	"bytes"
	"net/http"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/opendata"
)

// The conventions of a territory (issue 18, point 6): their summary for
// those who may read conventions, and their public amounts as open data.

// getTerritorySummary summarises the conventions the caller may see in
// the area of ?area= (a région or a département; everywhere without it).
func (s *Server) getTerritorySummary(w http.ResponseWriter, r *http.Request) error {
	sum, err := s.svc.ConventionSummary(r.Context(), passnum.ConventionSummaryFilter{Area: r.URL.Query().Get("area")})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sum)
}

// getOpenConventionsCSV downloads the public amounts of the signed
// conventions: anyone may.
func (s *Server) getOpenConventionsCSV(w http.ResponseWriter, r *http.Request) error {
	list, err := s.svc.PublicConventions(r.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := opendata.WriteConventionsCSV(&buf, list); err != nil {
		return err
	}
	return writeFile(w, "text/csv; charset=utf-8", "conventions.csv", buf.Bytes())
}

func (s *Server) getOpenConventionsJSON(w http.ResponseWriter, r *http.Request) error {
	list, err := s.svc.PublicConventions(r.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := opendata.WriteConventionsJSON(&buf, list); err != nil {
		return err
	}
	return writeFile(w, "application/json; charset=utf-8", "conventions.json", buf.Bytes())
}
