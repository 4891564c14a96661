package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/passnum/passnum"
)

// check answers with the verdict on every pass presented. A refused pass
// is not an error here: the venue asked whether passes are usable, and the
// answer lists which are.
func (s *Server) check(w http.ResponseWriter, r *http.Request) error {
	if err := s.refuseGuessers(passnum.ActorFromContext(r.Context())); err != nil {
		return err
	}
	var in passnum.CheckRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	checks, err := s.svc.Check(r.Context(), in)
	s.countBadCodes(r, checks)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Passes []passnum.PassCheck `json:"passes"`
	}{checks})
}

// idempotencyKeyHeader carries the idempotency key of a redemption for
// clients that prefer headers (draft-ietf-httpapi-idempotency-key-header).
const idempotencyKeyHeader = "Idempotency-Key"

// redeem spends passes: 201 with the new redemption, or 200 with the same
// body when the idempotency key replays an earlier one.
func (s *Server) redeem(w http.ResponseWriter, r *http.Request) error {
	if err := s.refuseGuessers(passnum.ActorFromContext(r.Context())); err != nil {
		return err
	}
	var in passnum.RedeemRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if header := strings.TrimSpace(r.Header.Get(idempotencyKeyHeader)); header != "" {
		switch strings.TrimSpace(in.IdempotencyKey) {
		case "":
			in.IdempotencyKey = header
		case header:
		default:
			return passnum.Invalid("idempotency_key", "La clé d'idempotence du corps (%q) diffère de celle de l'en-tête Idempotency-Key (%q) : n'en donnez qu'une.", in.IdempotencyKey, header)
		}
	}
	red, err := s.svc.Redeem(r.Context(), in)
	var refusal *passnum.Error
	if errors.As(err, &refusal) {
		s.countBadCodes(r, refusal.Passes)
	}
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if red.Replayed {
		status = http.StatusOK
	}
	return writeJSON(w, status, red)
}

func (s *Server) listRedemptions(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	f := passnum.RedemptionFilter{Offset: p.offset, Limit: p.limit}
	if f.VenueID, err = queryID(r, "venue_id"); err != nil {
		return err
	}
	reds, total, err := s.svc.ListRedemptions(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, p, reds, total)
}

func (s *Server) voidRedemption(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	red, err := s.svc.VoidRedemption(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, red)
}

// invariantsReport is a CheckReport with its verdict spelt out.
type invariantsReport struct {
	OK bool `json:"ok"`
	*passnum.CheckReport
}

// checkInvariants answers 200 whatever the outcome: finding broken
// invariants is the check working, and the report says what it found.
func (s *Server) checkInvariants(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.svc.CheckInvariants(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, invariantsReport{OK: rep.OK(), CheckReport: rep})
}
