package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/ratelimit"
)

// carnetStatusInput is the body of POST /public/carnet-status. The code
// travels in a body rather than in the URL, so that no proxy log keeps it.
type carnetStatusInput struct {
	Code string `json:"code"`
}

// carnetStatus tells the holder of a carnet what is left on it. Anyone may
// ask, so codes that find no carnet are counted per client network: past
// the limit, the network is refused for a while, which stops guessing
// (60 random bits per code) long before it could find one.
func (s *Server) carnetStatus(w http.ResponseWriter, r *http.Request) error {
	// The answer is about one person's carnet: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	client, now := s.proxies.ClientNetwork(r), s.now()
	if until, blocked := s.unknownCarnets.BlockedUntil(client, now); blocked {
		return &rateLimited{retryAt: until, err: passnum.Errorf(passnum.ERATELIMIT, reasonTooManyCarnetCodes,
			"Trop de codes qui ne correspondent à aucun carnet ont été saisis depuis votre connexion. Réessayez %s.", ratelimit.RetryWhen(until, now))}
	}
	var in carnetStatusInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := s.svc.CarnetStatusByCode(r.Context(), in.Code)
	if passnum.ErrorCode(err) == passnum.ENOTFOUND {
		if s.unknownCarnets.Add(client, now, 1) {
			s.log.WarnContext(r.Context(), "unknown carnet code limit reached", "client", client)
		}
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

// publicVenueList is the answer of GET /public/venues.
type publicVenueList struct {
	Items []*passnum.PublicVenue `json:"items"`
}

// listPublicVenues lists qualified venues, nearest first. The territory
// may be given as several parameters or as one list separated by commas.
func (s *Server) listPublicVenues(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var territory []string
	for _, v := range q["territory"] {
		territory = append(territory, strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })...)
	}
	f := passnum.PublicVenueFilter{Territory: territory, Commune: q.Get("commune")}
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxPublicVenues {
			return passnum.Invalid("limit", "Paramètre limit invalide : %q (un nombre entier de 1 à %d est attendu).", raw, maxPublicVenues)
		}
		f.Limit = n
	}
	venues, err := s.svc.ListPublicVenues(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, publicVenueList{Items: venues})
}

// maxPublicVenues is the store's bound on one list of venues.
const maxPublicVenues = 200
