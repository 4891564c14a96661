package httpapi

import (
	"net/http"

	"github.com/passnum/passnum"
)

// listPersonalReads answers the journal of who read personal data, for the
// operator's administrators: by person (user_id), organisation (org_id),
// record (a B-… reference or a journal record), period (from, to), paged.
func (s *Server) listPersonalReads(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := passnum.PersonalReadFilter{Offset: p.offset, Limit: p.limit, Record: q.Get("record"), From: q.Get("from"), To: q.Get("to")}
	if f.UserID, err = queryID(r, "user_id"); err != nil {
		return err
	}
	if f.OrgID, err = queryID(r, "org_id"); err != nil {
		return err
	}
	list, total, err := s.svc.ListPersonalReads(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, p, list, total)
}
