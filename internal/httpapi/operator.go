package httpapi

import (
	"net/http"

	"github.com/passnum/passnum"
)

// search answers the operator's search box. The query travels in the URL,
// which the access log never records.
func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	res, err := s.svc.Search(r.Context(), r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// listOutbox lists the e-mails of the outbox with their delivery, newest
// first.
func (s *Server) listOutbox(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	f := passnum.OutboxFilter{Offset: p.offset, Limit: p.limit}
	if raw := r.URL.Query().Get("state"); raw != "" {
		if f.State, err = passnum.ParseMailState("state", raw); err != nil {
			return err
		}
	}
	msgs, total, err := s.svc.ListOutbox(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, p, msgs, total)
}

// retryOutboxMessage puts a failed message back in the queue.
func (s *Server) retryOutboxMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.RetryMail(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
