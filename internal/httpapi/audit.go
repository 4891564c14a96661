package httpapi

import (
	"bytes"
	"net/http"

	"github.com/passnum/passnum"
)

// The anchors of the audit journal's hash chain, for an outside party to
// keep (operator admins download them and hand them over).

func (s *Server) getAuditAnchors(w http.ResponseWriter, r *http.Request) error {
	anchors, err := s.svc.AuditAnchors(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, passnum.AuditAnchorList{Anchors: anchors})
}

func (s *Server) getAuditAnchorsCSV(w http.ResponseWriter, r *http.Request) error {
	anchors, err := s.svc.AuditAnchors(r.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := passnum.WriteAuditAnchorsCSV(&buf, anchors); err != nil {
		return err
	}
	return writeFile(w, "text/csv; charset=utf-8", "passnum-ancres-journal.csv", buf.Bytes())
}
