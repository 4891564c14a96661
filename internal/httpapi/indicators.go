package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/opendata"
	"github.com/passnum/passnum/internal/pdf"
	"github.com/passnum/passnum/internal/sheet"
)

// Indicators are read from the latest snapshot (the store's
// RefreshIndicators): the service decides which scopes a caller may read,
// as for every other route. The exports are built whole before their first
// byte, so that a refusal is still a proper problem.

// indicatorQuery reads ?scope= (default all) and ?dimension= (default
// month).
func indicatorQuery(r *http.Request) (passnum.Scope, passnum.Dimension, error) {
	q := r.URL.Query()
	sc, err := passnum.ParseScope(q.Get("scope"))
	if err != nil {
		return sc, "", err
	}
	dim := passnum.Dimension(q.Get("dimension"))
	if dim == "" {
		dim = passnum.DimMonth
	}
	if !dim.Valid() {
		names := make([]string, len(passnum.Dimensions))
		for i, d := range passnum.Dimensions {
			names[i] = string(d)
		}
		return sc, "", passnum.Invalid("dimension", "Axe inconnu : %q (%s).", string(dim), strings.Join(names, ", "))
	}
	return sc, dim, nil
}

// indicatorReport reads the report the query asks for.
func (s *Server) indicatorReport(r *http.Request) (*passnum.IndicatorReport, error) {
	sc, dim, err := indicatorQuery(r)
	if err != nil {
		return nil, err
	}
	return s.svc.Indicators(r.Context(), sc, dim)
}

func (s *Server) getIndicators(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.indicatorReport(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

func (s *Server) getIndicatorsCSV(w http.ResponseWriter, r *http.Request) error {
	return s.indicatorSheet(w, r, "text/csv; charset=utf-8", ".csv", sheet.WriteCSV)
}

func (s *Server) getIndicatorsXLSX(w http.ResponseWriter, r *http.Request) error {
	return s.indicatorSheet(w, r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", sheet.WriteXLSX)
}

func (s *Server) indicatorSheet(w http.ResponseWriter, r *http.Request, contentType, ext string,
	write func(io.Writer, *sheet.Table) error) error {
	rep, err := s.indicatorReport(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(&buf, sheet.Indicators(rep)); err != nil {
		return err
	}
	return writeFile(w, contentType, indicatorFilename(rep.Scope, string(rep.Dimension), ext), buf.Bytes())
}

// indicatorFilename names an export after its scope: the characters of
// "funder:3@2027" do not all belong in a file name.
func indicatorFilename(sc passnum.Scope, what, ext string) string {
	name := strings.NewReplacer(":", "-", "@", "-").Replace(sc.String())
	return "passnum-indicateurs-" + name + "-" + what + ext
}

func (s *Server) getTerritorialPDF(w http.ResponseWriter, r *http.Request) error {
	sc, err := passnum.ParseScope(r.URL.Query().Get("scope"))
	if err != nil {
		return err
	}
	t, err := pdf.TerritorialFor(r.Context(), s.svc, sc, s.operator)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.TerritorialReport(&buf, t); err != nil {
		return err
	}
	return writeFile(w, "application/pdf", indicatorFilename(sc, "rapport", ".pdf"), buf.Bytes())
}

func (s *Server) getIndicatorScopes(w http.ResponseWriter, r *http.Request) error {
	scopes, err := s.svc.IndicatorScopes(r.Context())
	if err != nil {
		return err
	}
	if scopes == nil {
		scopes = []passnum.ScopeChoice{}
	}
	return writeJSON(w, http.StatusOK, scopes)
}

// refreshIndicators recomputes the snapshot now, in the request: the
// server also does it on a schedule (passnum serve --indicators-every).
func (s *Server) refreshIndicators(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.svc.RefreshIndicators(r.Context(), nil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, snap)
}

// territoryInput is the body of PUT /organisations/{id}/territory.
type territoryInput struct {
	Territory []string `json:"territory"`
}

func (s *Server) putTerritory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in territoryInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	org, err := s.svc.SetTerritory(r.Context(), id, in.Territory)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, org)
}

// openDataRelease returns the latest snapshot's open data, protected
// (internal/opendata) once per snapshot: anyone may download it.
func (s *Server) openDataRelease(r *http.Request) (*opendata.Release, error) {
	rel, _, err := s.openData.Release(r.Context(), s.svc)
	if passnum.ErrorCode(err) == passnum.ENOTFOUND {
		return nil, passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNoIndicators,
			"Les données ouvertes ne sont pas encore calculées : réessayez dans quelques minutes.")
	}
	return rel, err
}

func (s *Server) getOpenDataCSV(w http.ResponseWriter, r *http.Request) error {
	rel, err := s.openDataRelease(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := rel.WriteCSV(&buf); err != nil {
		return err
	}
	return writeFile(w, "text/csv; charset=utf-8", "pass-numerique.csv", buf.Bytes())
}

func (s *Server) getOpenDataJSON(w http.ResponseWriter, r *http.Request) error {
	rel, err := s.openDataRelease(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := rel.WriteJSON(&buf); err != nil {
		return err
	}
	return writeFile(w, "application/json; charset=utf-8", "pass-numerique.json", buf.Bytes())
}
