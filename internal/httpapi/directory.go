package httpapi

import (
	"net/http"

	"github.com/passnum/passnum"
)

// directoryCacheControl lets browsers and proxies keep directory answers a
// few minutes: they are public, the same for everyone, and a venue that
// changes its hours can wait that long to see them.
const directoryCacheControl = "public, max-age=300"

// Pages of the directory: a screenful by default, a hundred at most.
const (
	defaultDirectoryLimit = 20
	maxDirectoryLimit     = 100
)

// searchDirectory answers GET /public/directory: venues of the directory
// by place, service, public and opening, nearest first when a place is
// given.
func (s *Server) searchDirectory(w http.ResponseWriter, r *http.Request) error {
	f, err := directoryFilter(r)
	if err != nil {
		return err
	}
	page, err := s.svc.SearchDirectory(r.Context(), f)
	if err != nil {
		return err
	}
	if page.Venues == nil {
		page.Venues = []*passnum.DirectoryVenue{} // no result is [], not null
	}
	if f.OpenNow {
		// "Open now" is true for a few minutes at most.
		w.Header().Set("Cache-Control", "public, max-age=60")
	} else {
		w.Header().Set("Cache-Control", directoryCacheControl)
	}
	return writeJSON(w, http.StatusOK, page)
}

// directoryFilter reads a directory search (passnum.ParseDirectoryQuery,
// which the pages use too) and its page, each parameter refused with the
// reason in French.
func directoryFilter(r *http.Request) (passnum.DirectoryFilter, error) {
	p, err := queryPage(r)
	if err != nil {
		return passnum.DirectoryFilter{}, err
	}
	if p.limit > maxDirectoryLimit {
		return passnum.DirectoryFilter{}, passnum.Invalid("limit", "Paramètre limit invalide : %d (l'annuaire répond au plus %d lieux à la fois).", p.limit, maxDirectoryLimit)
	}
	if r.URL.Query().Get("limit") == "" {
		p.limit = defaultDirectoryLimit
	}
	f, err := passnum.ParseDirectoryQuery(r.URL.Query())
	f.Offset, f.Limit = p.offset, p.limit
	return f, err
}

// getDirectoryEntry answers the public page of one venue of the directory.
func (s *Server) getDirectoryEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := s.svc.DirectoryEntry(r.Context(), id)
	if err != nil {
		return err
	}
	if e.Services == nil {
		e.Services = []*passnum.CatalogueService{}
	}
	if e.Places == nil {
		e.Places = []*passnum.Place{}
	}
	if e.NextSessions == nil {
		e.NextSessions = []*passnum.WorkshopSession{}
	}
	w.Header().Set("Cache-Control", directoryCacheControl)
	return writeJSON(w, http.StatusOK, e)
}
