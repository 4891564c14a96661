package httpapi

import (
	"net/http"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/ratelimit"
)

// authenticate returns the actor behind the request's bearer token. Failed
// attempts are counted per client network; past the limit, the network is
// refused without the token even being looked up.
func (s *Server) authenticate(r *http.Request) (*passnum.Actor, error) {
	client, now := s.proxies.ClientNetwork(r), s.now()
	if until, blocked := s.failedAuth.BlockedUntil(client, now); blocked {
		return nil, &rateLimited{retryAt: until, err: passnum.Errorf(passnum.ERATELIMIT, reasonTooManyBadTokens,
			"Trop de jetons d'accès refusés depuis votre réseau. Réessayez %s.", ratelimit.RetryWhen(until, now))}
	}
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, passnum.Errorf(passnum.EUNAUTHORIZED, "unauthenticated",
			"Identifiez-vous : ajoutez l'en-tête Authorization: Bearer suivi du jeton d'accès de votre organisation.")
	}
	scheme, secret, _ := strings.Cut(header, " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return nil, passnum.Errorf(passnum.EUNAUTHORIZED, "unauthenticated",
			"En-tête Authorization non reconnu : écrivez « Bearer » suivi du jeton d'accès (pn_…).")
	}
	actor, err := s.svc.AuthenticateToken(r.Context(), secret)
	if err != nil {
		if passnum.ErrorCode(err) == passnum.EUNAUTHORIZED {
			if s.failedAuth.Add(client, now, 1) {
				s.log.WarnContext(r.Context(), "failed authentication limit reached", "client", client)
			}
		}
		return nil, err
	}
	return actor, nil
}

// refuseGuessers answers 429 to an organisation that presented too many
// codes that do not exist.
func (s *Server) refuseGuessers(a *passnum.Actor) error {
	now := s.now()
	until, blocked := s.badCodes.BlockedUntil(a.OrgID, now)
	if !blocked {
		return nil
	}
	return &rateLimited{retryAt: until, err: passnum.Errorf(passnum.ERATELIMIT, reasonTooManyBadCodes,
		"Trop de codes de pass inconnus, falsifiés ou mal saisis ont été présentés par votre structure en peu de temps : "+
			"contrôles et encaissements sont suspendus. Réessayez %s ; si un pass semble authentique, contactez l'opérateur.", ratelimit.RetryWhen(until, now))}
}

// countBadCodes records the codes of checks that do not exist.
func (s *Server) countBadCodes(r *http.Request, checks []passnum.PassCheck) {
	a := passnum.ActorFromContext(r.Context())
	if ratelimit.CountBadCodes(s.badCodes, a.OrgID, checks, s.now()) {
		s.log.WarnContext(r.Context(), "bad pass code limit reached", "org", a.OrgID, "actor", a.Label)
	}
}
