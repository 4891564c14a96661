package web

import (
	"bytes"
	"net/http"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/opendata"
)

// The open data of the Pass numérique: a public page that explains them and
// the two files, protected by internal/opendata from the latest snapshot of
// the indicators. The API serves the same files (/api/v1/public/open-data.*).

// openDataView is what the open data page shows.
type openDataView struct {
	Ready      bool
	ComputedAt time.Time
	Threshold  int
	Months     int
	First      string // first month, "mars 2027"
	Last       string
	Communes   int
	// Freshness: when a read replica served the figures (serve --db-read).
	Freshness *passnum.Freshness
}

// openDataRelease returns the protected open data of the latest snapshot,
// built once per snapshot.
func (s *Server) openDataRelease(r *http.Request) (*opendata.Release, time.Time, error) {
	return s.openDataCache.Release(r.Context(), s.svc)
}

func (s *Server) openData(w http.ResponseWriter, r *http.Request) error {
	d := &openDataView{Threshold: opendata.DefaultThreshold}
	rel, at, err := s.openDataRelease(r)
	switch {
	case passnum.ErrorCode(err) == passnum.ENOTFOUND:
		// Not computed yet: the page still explains the data.
	case err != nil:
		return err
	default:
		d.Ready, d.ComputedAt, d.Freshness = true, at, rel.Freshness
		months, communes := map[string]bool{}, map[string]bool{}
		for _, row := range rel.Rows {
			months[row.Month] = true
			if row.Level == opendata.LevelCommune {
				communes[row.Commune] = true
			}
			if d.First == "" || row.Month < d.First {
				d.First = row.Month
			}
			if row.Month > d.Last {
				d.Last = row.Month
			}
		}
		d.Months, d.Communes = len(months), len(communes)
		d.First, d.Last = frenchMonth(d.First), frenchMonth(d.Last)
	}
	return s.render(w, r, http.StatusOK, "opendata", s.newView(r, "Données ouvertes", d))
}

func frenchMonth(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return passnum.FrenchMonth(t)
}

// openDataFile serves pass-numerique.csv and pass-numerique.json, and the
// public amounts of the conventions (conventions.csv, conventions.json).
func (s *Server) openDataFile(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	if name == "conventions.csv" || name == "conventions.json" {
		return s.openConventionsFile(w, r, name)
	}
	var write func(*opendata.Release, *bytes.Buffer) error
	contentType := ""
	switch name {
	case "pass-numerique.csv":
		write, contentType = func(rel *opendata.Release, b *bytes.Buffer) error { return rel.WriteCSV(b) }, "text/csv; charset=utf-8"
	case "pass-numerique.json":
		write, contentType = func(rel *opendata.Release, b *bytes.Buffer) error { return rel.WriteJSON(b) }, "application/json; charset=utf-8"
	default:
		return s.notFound(w, r)
	}
	rel, at, err := s.openDataRelease(r)
	if passnum.ErrorCode(err) == passnum.ENOTFOUND {
		return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNoIndicators, "Les données ouvertes ne sont pas encore calculées : réessayez dans quelques minutes.")
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(rel, &buf); err != nil {
		return err
	}
	w.Header().Set("Last-Modified", at.UTC().Format(http.TimeFormat))
	return sendFile(w, contentType, name, buf.Bytes())
}

// openConventionsFile serves the public amounts of the signed conventions:
// organisations and money, no person, so no count to protect.
func (s *Server) openConventionsFile(w http.ResponseWriter, r *http.Request, name string) error {
	list, err := s.svc.PublicConventions(r.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if name == "conventions.csv" {
		if err := opendata.WriteConventionsCSV(&buf, list); err != nil {
			return err
		}
		return sendFile(w, "text/csv; charset=utf-8", name, buf.Bytes())
	}
	if err := opendata.WriteConventionsJSON(&buf, list); err != nil {
		return err
	}
	return sendFile(w, "application/json; charset=utf-8", name, buf.Bytes())
}
