package httpapi

import (
	"net/http"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/ratelimit"
)

// authenticate returns the actor behind the request's bearer token.
//
// The token is looked up before any limit is consulted, so a valid token
// is always accepted, whatever others behind the same address (a reverse
// proxy, a town hall's connection) have sent. Tokens hold 256 random bits
// (sqlstore.CreateToken keeps only their SHA-256), so no rate of guessing
// could find one: the limit is not what keeps them secret, and counting
// failures per presented token would be pointless, as a guesser never
// presents the same wrong token twice. Rejected tokens are counted per
// client network only as a separate bound on noise: past it, that
// network's unknown tokens are answered 429 with Retry-After, which tells
// a script looping on a revoked token to stop. The lookup itself is one
// indexed read, no dearer than a public request, and a string that cannot
// be a token is refused without it.
func (s *Server) authenticate(r *http.Request) (*passnum.Actor, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, passnum.Errorf(passnum.EUNAUTHORIZED, passnum.ReasonUnauthenticated,
			"Identifiez-vous : ajoutez l'en-tête Authorization: Bearer suivi du jeton d'accès de votre organisation.")
	}
	scheme, secret, _ := strings.Cut(header, " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return nil, passnum.Errorf(passnum.EUNAUTHORIZED, passnum.ReasonUnauthenticated,
			"En-tête Authorization non reconnu : écrivez « Bearer » suivi du jeton d'accès (pn_…).")
	}
	actor, err := s.svc.AuthenticateToken(r.Context(), secret)
	if passnum.ErrorCode(err) != passnum.EUNAUTHORIZED {
		return actor, err
	}
	client, now := s.proxies.ClientNetwork(r), s.now()
	// While the network is over the bound its failures are not counted,
	// so that it is free again at the time Retry-After says.
	if until, blocked := s.failedAuth.BlockedUntil(client, now); blocked {
		return nil, &rateLimited{retryAt: until, err: passnum.Errorf(passnum.ERATELIMIT, reasonTooManyBadTokens,
			"Jeton d'accès inconnu ou révoqué, et trop de jetons refusés depuis votre réseau : réessayez %s avec un jeton valide.", ratelimit.RetryWhen(until, now))}
	}
	if s.failedAuth.Add(client, now, 1) {
		s.log.WarnContext(r.Context(), "failed authentication limit reached", "client", client)
	}
	return nil, err
}

// refuseGuessers answers 429 to an organisation that presented too many
// codes that do not exist.
func (s *Server) refuseGuessers(a *passnum.Actor) error {
	now := s.now()
	until, blocked := s.badCodes.BlockedUntil(a.OrgID, now)
	if !blocked {
		return nil
	}
	return &rateLimited{retryAt: until, err: passnum.Errorf(passnum.ERATELIMIT, passnum.ReasonTooManyBadCodes,
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
