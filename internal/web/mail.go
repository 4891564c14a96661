package web

import (
	"fmt"
	"net/http"

	"github.com/passnum/passnum"
)

// The one-click unsubscribe links of the messages that can be turned off
// (List-Unsubscribe, RFC 8058), and the outbox's retry.
//
// The link's secret is the authority: the page needs no session, and its
// POST no CSRF token, since a mail program sends it without cookies
// ("List-Unsubscribe=One-Click", RFC 8058 §3.2). A forged POST can only do
// what the link's holder can: turn off one kind of message for the account
// it was sent to.

// tokenLinks are the routes whose POST carries its authority in the path
// and is exempt from the CSRF token (serveRoute).
var tokenLinks = map[string]bool{"/desabonnement/{token}": true}

// unsubscribeForm shows what the link turns off, with a button: a GET
// changes nothing (a link checker or a preview may open it).
func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	u, err := s.svc.FindUnsubscribe(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "unsubscribe", s.newView(r, "Se désabonner", map[string]any{"Unsubscribe": u, "Token": r.PathValue("token")}))
}

// unsubscribe turns the kind off, from the page's button or from a mail
// program's one-click POST; either way, the page says it is done.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	u, err := s.svc.Unsubscribe(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "unsubscribe", s.newView(r, "Désabonnement enregistré", map[string]any{"Unsubscribe": u, "Token": r.PathValue("token"), "Done": true}))
}

// retryMail puts a failed message back in the queue.
func (s *Server) retryMail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Message")
	if err != nil {
		return err
	}
	if err := s.svc.RetryMail(r.Context(), id); err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/courriels#message-%d", id), fmt.Sprintf("Le message n°%d est de nouveau en file : il part à la prochaine tentative de l'expéditeur.", id))
}

// mailBadge is the badge class of a message's state.
func mailBadge(s passnum.MailState) string {
	switch s {
	case passnum.MailSent:
		return "badge-ok"
	case passnum.MailFailed:
		return "badge-ko"
	}
	return "badge-wait"
}
