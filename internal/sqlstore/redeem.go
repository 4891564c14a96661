package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/passcode"
)

// presented is one pass as the venue typed or scanned it.
type presented struct {
	check  passnum.PassCheck
	code   int64
	serial int64 // from a verified QR payload, 0 for a typed code
}

// parseCodes reads what the venue presented. Malformed, forged and
// duplicated entries get their refusal here, before any database read.
func (s *Store) parseCodes(inputs []string) []presented {
	out := make([]presented, len(inputs))
	seen := map[int64]bool{}
	for i, in := range inputs {
		in = strings.TrimSpace(in)
		p := &out[i]
		p.check.Input = in
		refuse := func(reason, msg string) { p.check.Reason, p.check.Message = reason, msg }
		if passcode.IsPayload(in) {
			claims, err := s.keys.Verify(in)
			switch {
			case errors.Is(err, passcode.ErrForged), errors.Is(err, passcode.ErrUnknownKey):
				refuse(passnum.ReasonForged, "QR code falsifié : sa signature ne correspond à aucun pass émis. Refusez ce pass et signalez-le à l'opérateur.")
				continue
			case err != nil:
				refuse(passnum.ReasonMalformed, "QR code illisible : scannez-le de nouveau ou tapez le code écrit sous le QR code.")
				continue
			}
			p.code, p.serial = int64(claims.Code), claims.Serial
			p.check.Input = claims.Code.String()
		} else {
			c, err := passcode.Parse(in)
			switch {
			case errors.Is(err, passcode.ErrCheck):
				refuse(passnum.ReasonMalformed, "Code mal saisi : le dernier caractère (contrôle) ne correspond pas. Vérifiez chaque caractère.")
				continue
			case errors.Is(err, passcode.ErrLength):
				refuse(passnum.ReasonMalformed, "Code incomplet : un code de pass compte 13 caractères, par exemple "+passcode.Example.String()+".")
				continue
			case err != nil:
				refuse(passnum.ReasonMalformed, "Code mal saisi : il contient un caractère qui n'existe pas dans les codes de pass (seuls les chiffres et les lettres sauf I, L, O et U).")
				continue
			}
			p.code = int64(c)
			p.check.Input = c.String()
		}
		if seen[p.code] {
			refuse(passnum.ReasonDuplicate, "Ce pass figure deux fois dans la liste.")
			continue
		}
		seen[p.code] = true
	}
	return out
}

// venueContext is what the rules need to know about the venue presenting
// passes and the service it delivers.
type venueContext struct {
	venueCommune string
	service      *passnum.CatalogueService
}

// venueServiceQuery reads a venue's qualification and commune with one of
// its services: one statement instead of two on the path of every
// redemption, which SQLite runs on its single committer.
var venueServiceQuery = `SELECT COALESCE(o.qualification, ''), COALESCE(o.commune_insee, ''), ` + prefixColumns("s.", serviceColumns) + `
	FROM catalogue_services s JOIN organisations o ON o.id = s.venue_id WHERE s.id = ? AND o.id = ?`

func (t *tx) venueContext(a *passnum.Actor, serviceID int64, required bool) (*venueContext, error) {
	if serviceID != 0 {
		var qualification passnum.Qualification
		vc := &venueContext{}
		svc, err := scanService(leading{t.row(venueServiceQuery, serviceID, a.OrgID), []any{&qualification, &vc.venueCommune}})
		if err == nil {
			if qualification != passnum.QualificationQualified {
				return nil, venueNotQualified(qualification)
			}
			if !svc.Active {
				return nil, serviceUnknown()
			}
			vc.service = svc
			return vc, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		// No such service at this venue: the venue is read on its own
		// below, to refuse for the right reason.
	}
	v, err := t.findOrg(a.OrgID)
	if err != nil {
		return nil, err
	}
	if v.Qualification != passnum.QualificationQualified {
		return nil, venueNotQualified(v.Qualification)
	}
	if serviceID == 0 && !required {
		return &venueContext{venueCommune: v.CommuneINSEE}, nil
	}
	return nil, serviceUnknown()
}

func venueNotQualified(q passnum.Qualification) error {
	return passnum.Errorf(passnum.EREFUSED, passnum.ReasonVenueNotQual,
		"Votre lieu n'est pas qualifié (statut : %s) : il ne peut pas encaisser de pass. Contactez l'opérateur.", q.Label())
}

func serviceUnknown() error {
	return &passnum.Error{Code: passnum.EREFUSED, Reason: passnum.ReasonServiceUnknown, Field: "service_id",
		Message: "Ce service ne figure pas (ou plus) au catalogue de votre lieu : choisissez un service de la liste."}
}

// leading is a row whose first columns go to dest before those its
// scanner asks for: it lets scanService read a row that starts with other
// columns.
type leading struct {
	sc   scanner
	dest []any
}

func (l leading) Scan(dest ...any) error { return l.sc.Scan(append(l.dest, dest...)...) }

// prefixColumns qualifies each column of a list such as serviceColumns
// with a table alias.
func prefixColumns(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// evaluate looks up the presented passes and applies the rules to each.
// It returns the verdicts and whether every pass is usable.
func (t *tx) evaluate(list []presented, vc *venueContext) ([]passnum.PassCheck, bool, error) {
	var codes []any
	for _, p := range list {
		if p.check.Reason == "" {
			codes = append(codes, p.code)
		}
	}
	type found struct {
		pass        passnum.Pass
		blockReason string
	}
	byCode := map[int64]*found{}
	if len(codes) > 0 {
		rows, err := t.query(`SELECT serial, carnet, programme_id, code, state, COALESCE(block_reason, ''), redeemed_at, COALESCE(venue_id, 0)
			FROM passes WHERE code IN (`+placeholders(len(codes))+`)`, codes...)
		if err != nil {
			return nil, false, err
		}
		for rows.Next() {
			var f found
			var code int64
			var redeemed sql.NullString
			if err := rows.Scan(&f.pass.Serial, &f.pass.CarnetNo, &f.pass.ProgrammeID, &code, &f.pass.State, &f.blockReason, &redeemed, &f.pass.VenueID); err != nil {
				rows.Close()
				return nil, false, err
			}
			in := instants{table: "passes", id: f.pass.Serial}
			if f.pass.RedeemedAt = in.optional("redeemed_at", redeemed); in.err != nil {
				rows.Close()
				return nil, false, in.err
			}
			byCode[code] = &f
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, false, err
		}
	}
	category := ""
	if vc.service != nil {
		category = vc.service.Category
	}
	venueNames := map[int64]string{}
	out := make([]passnum.PassCheck, len(list))
	ok := true
	for i, p := range list {
		c := p.check
		if c.Reason == "" {
			f := byCode[p.code]
			switch {
			case f == nil:
				c.Reason, c.Message = passnum.ReasonUnknown, "Code inconnu : aucun pass ne porte ce code. Vérifiez la saisie, caractère par caractère."
			case p.serial != 0 && p.serial != f.pass.Serial:
				c.Reason, c.Message = passnum.ReasonForged, "QR code falsifié : il ne correspond pas au pass enregistré. Refusez ce pass et signalez-le à l'opérateur."
			default:
				prog, err := t.settings(f.pass.ProgrammeID)
				if err != nil {
					return nil, false, err
				}
				facts := passnum.PassFacts{Pass: f.pass, Programme: prog, BlockReason: f.blockReason,
					VenueCommune: vc.venueCommune, ServiceCategory: category}
				if f.pass.VenueID != 0 {
					name, known := venueNames[f.pass.VenueID]
					if !known {
						if v, err := t.findOrg(f.pass.VenueID); err == nil {
							name = v.Name
						}
						venueNames[f.pass.VenueID] = name
					}
					facts.RedeemedVenue = name
				}
				c.Serial, c.Carnet, c.ProgrammeID, c.State, c.ValidUntil = f.pass.Serial, f.pass.CarnetNo, prog.ID, f.pass.State, prog.ValidUntil
				c.Reason, c.Message = passnum.EvaluatePass(facts, t.now)
			}
		}
		c.Usable = c.Reason == ""
		ok = ok && c.Usable
		out[i] = c
	}
	return out, ok, nil
}

// refusal builds the error of a refused check or redemption: one reason
// when every refused pass shares it, with the verdict on every pass.
func refusal(checks []passnum.PassCheck) error {
	var refused []passnum.PassCheck
	for _, c := range checks {
		if !c.Usable {
			refused = append(refused, c)
		}
	}
	e := &passnum.Error{Code: passnum.EREFUSED, Reason: refused[0].Reason, Passes: checks}
	for _, c := range refused[1:] {
		if c.Reason != e.Reason {
			e.Reason = passnum.ReasonPassesRefused
		}
	}
	if len(checks) == 1 {
		e.Message = refused[0].Message
	} else {
		e.Message = fmt.Sprintf("%d pass sur %d refusés : aucun pass n'a été encaissé. Retirez les pass refusés et validez de nouveau.", len(refused), len(checks))
	}
	return e
}

// Check tells whether passes are usable at the caller's venue, without
// spending them.
func (s *Store) Check(ctx context.Context, r passnum.CheckRequest) ([]passnum.PassCheck, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCheck); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	list := s.parseCodes(r.Codes)
	var out []passnum.PassCheck
	err := s.read(ctx, func(tx *tx) error {
		vc, err := tx.venueContext(a, r.ServiceID, false)
		if err != nil {
			return err
		}
		out, _, err = tx.evaluate(list, vc)
		return err
	})
	return out, wrapf(err, "check %d passes for service %d", len(list), r.ServiceID)
}

// requestHash identifies what a redemption asked for, so that a retried
// request with the same idempotency key is recognised as the same. A
// session, when there is one, is part of the request; without one the hash
// is what it was before sessions existed, so that keys recorded then still
// replay.
func requestHash(list []presented, serviceID, sessionID int64) string {
	keys := make([]string, len(list))
	for i, p := range list {
		keys[i] = fmt.Sprint(p.code)
	}
	slices.Sort(keys)
	what := fmt.Sprintf("%d|%s", serviceID, strings.Join(keys, ","))
	if sessionID != 0 {
		what = fmt.Sprintf("%d|session:%d|%s", serviceID, sessionID, strings.Join(keys, ","))
	}
	sum := sha256.Sum256([]byte(what))
	return hex.EncodeToString(sum[:])
}

// Redeem spends passes for one service of the caller's venue: every pass,
// or none. A request retried with the same idempotency key returns the
// first answer instead of spending again.
func (s *Store) Redeem(ctx context.Context, r passnum.RedeemRequest) (*passnum.Redemption, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActRedeem); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	list := s.parseCodes(r.Codes)
	hash := requestHash(list, r.ServiceID, r.SessionID)
	// The idempotency key is looked up only when the write fails, in a
	// read transaction of its own, never before it nor inside it. A
	// request sent again after its first answer was lost finds its passes
	// redeemed, or its key taken by the unique index, and is answered from
	// the redemption it made: so a fresh redemption, by far the most
	// common, costs no extra transaction. And under PostgreSQL's
	// serializable isolation, a write transaction reading "no redemption
	// with this key yet" would conflict with every other one inserting its
	// own key.
	out, err := s.redeem(ctx, a, r, list, hash)
	if err != nil {
		// A twin request may have committed in between (its passes are
		// now redeemed, or its key taken): answer as it was answered.
		prev, perr := s.replay(ctx, a.OrgID, r.IdempotencyKey, hash)
		if perr != nil && passnum.ErrorReason(err) == passnum.ReasonOutcomeUnknown && passnum.ErrorCode(perr) != passnum.ECONFLICT {
			// The commit's connection broke and the key cannot be
			// looked up either (the database is still away): the venue
			// is told that the outcome is unknown, never that nothing
			// was cashed.
			return nil, err
		}
		if prev != nil || perr != nil {
			return prev, perr
		}
		return nil, fmt.Errorf("redeem %d passes for service %d: %w", len(list), r.ServiceID, err)
	}
	return out, nil
}

// errPassesChanged: a pass checked by a redemption was no longer
// distributed when it was written (redeem); the redemption runs again.
var errPassesChanged = errors.New("a pass changed between its check and its redemption")

// errKeyTaken: the idempotency key was already used when the redemption
// was written.
var errKeyTaken = errors.New("idempotency key already used")

// replay returns the redemption a venue already made with an idempotency
// key, marked Replayed; nil when the key is new; an error when the key
// served for a different request.
func (s *Store) replay(ctx context.Context, venueID int64, key, hash string) (*passnum.Redemption, error) {
	var out *passnum.Redemption
	err := s.read(ctx, func(tx *tx) error {
		var id int64
		var prevHash string
		err := tx.row(`SELECT id, request_hash FROM redemptions WHERE venue_id = ? AND idempotency_key = ?`, venueID, key).Scan(&id, &prevHash)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		if prevHash != hash {
			return &passnum.Error{Code: passnum.ECONFLICT, Reason: passnum.ReasonIdempotencyKeyReused, Field: "idempotency_key",
				Message: "Cette clé d'idempotence a déjà servi pour un autre encaissement : utilisez une clé nouvelle pour chaque encaissement."}
		}
		if out, err = tx.redemption(id); err != nil {
			return err
		}
		out.Replayed = true
		return nil
	})
	return out, err
}

// redeemTx names the write transaction of a redemption.
const redeemTx = "redeem"

// redeem spends the passes in one write transaction.
func (s *Store) redeem(ctx context.Context, a *passnum.Actor, r passnum.RedeemRequest, list []presented, hash string) (*passnum.Redemption, error) {
	var out *passnum.Redemption
	err := s.writeReadCommitted(ctx, redeemTx, func(tx *tx) error {
		vc, err := tx.venueContext(a, r.ServiceID, true)
		if err != nil {
			return err
		}
		if r.SessionID != 0 {
			if err := tx.redemptionSession(a.OrgID, r.ServiceID, r.SessionID); err != nil {
				return err
			}
		}
		if price := vc.service.PricePasses; len(list)%price != 0 {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonPassCount,
				"Le service « %s » coûte %d pass par personne : %d pass ne correspondent pas à un nombre entier de personnes.", vc.service.Title, price, len(list))
		}
		checks, ok, err := tx.evaluate(list, vc)
		if err != nil {
			return err
		}
		if !ok {
			return refusal(checks)
		}
		var amount int64
		perProgramme := map[int64]int64{}
		serials := make([]any, len(checks))
		for i, c := range checks {
			p, err := tx.settings(c.ProgrammeID)
			if err != nil {
				return err
			}
			amount += p.FaceValueCents
			perProgramme[c.ProgrammeID] += p.FaceValueCents
			serials[i] = c.Serial
		}
		id, err := tx.insert(`INSERT INTO redemptions (venue_id, service_id, session_id, actor, idempotency_key, request_hash, passes, amount_cents, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.OrgID, r.ServiceID, nullID(r.SessionID), tx.actorLabel(), r.IdempotencyKey, hash, len(checks), amount, tx.nowText())
		if taken, constraint := uniqueViolation(err); taken && strings.Contains(constraint, "idempotency_key") {
			return errKeyTaken // not a conflict to retry: Redeem answers from the key's owner
		} else if err != nil {
			return err
		}
		// The conditional update is the guard that no pass is spent
		// twice: it takes only passes still distributed, on the latest
		// committed rows, and waits for a concurrent transaction that
		// holds one of them. Fewer rows than passes checked means
		// another redemption, a block or a void got there first since
		// evaluate read them: the transaction runs again, and evaluate
		// then refuses with the reason.
		n, err := tx.execN(`UPDATE passes SET state = 'redeemed', redemption_id = ?, venue_id = ?, redeemed_at = ?
			WHERE state = 'distributed' AND serial IN (`+placeholders(len(serials))+`)`, append([]any{id, a.OrgID, tx.nowText()}, serials...)...)
		if err != nil {
			return err
		}
		if n != int64(len(serials)) {
			return errPassesChanged
		}
		lines := make([]any, 0, 3*len(checks))
		for _, c := range checks {
			lines = append(lines, id, c.Serial, c.ProgrammeID)
		}
		if err := tx.exec(`INSERT INTO redemption_passes (redemption_id, serial, programme_id) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(checks)), ", "), lines...); err != nil {
			return err
		}
		var entries []passnum.Entry
		for _, prog := range slices.Sorted(maps.Keys(perProgramme)) {
			entries = append(entries, passnum.Move(prog, passnum.AccountPassesLive, 0, passnum.AccountVenuePayable, a.OrgID, perProgramme[prog])...)
		}
		ref := fmt.Sprintf("redemption:%d", id)
		if err := tx.post("redemption", ref, entries); err != nil {
			return err
		}
		detail := fmt.Sprintf("venue:%d service:%d %d passes", a.OrgID, r.ServiceID, len(checks))
		if r.SessionID != 0 {
			detail = fmt.Sprintf("venue:%d service:%d session:%d %d passes", a.OrgID, r.ServiceID, r.SessionID, len(checks))
		}
		if err := tx.audit("passes.redeem", ref, detail); err != nil {
			return err
		}
		// The answer is built from what was written rather than read back:
		// on PostgreSQL, reading the newest rows of redemptions through an
		// index would make every concurrent redemption a serialization
		// conflict (they all insert into the same index pages).
		out = &passnum.Redemption{ID: id, VenueID: a.OrgID, ServiceID: r.ServiceID, ServiceTitle: vc.service.Title, SessionID: r.SessionID,
			Actor: tx.actorLabel(), IdempotencyKey: r.IdempotencyKey, AmountCents: amount, CreatedAt: storedInstant(tx.now)}
		for _, c := range checks {
			out.Serials = append(out.Serials, c.Serial)
		}
		slices.Sort(out.Serials)
		return nil
	})
	return out, err
}

func (t *tx) redemption(id int64) (*passnum.Redemption, error) {
	var r passnum.Redemption
	var created string
	var voided sql.NullString
	err := t.row(`SELECT r.id, r.venue_id, r.service_id, COALESCE(s.title, ''), COALESCE(r.session_id, 0), r.actor, r.idempotency_key, r.amount_cents, r.created_at, r.voided_at
		FROM redemptions r LEFT JOIN catalogue_services s ON s.id = r.service_id WHERE r.id = ?`, id).
		Scan(&r.ID, &r.VenueID, &r.ServiceID, &r.ServiceTitle, &r.SessionID, &r.Actor, &r.IdempotencyKey, &r.AmountCents, &created, &voided)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("redemption", id)
	} else if err != nil {
		return nil, err
	}
	in := instants{table: "redemptions", id: id}
	if r.CreatedAt, r.VoidedAt = in.at("created_at", created), in.optional("voided_at", voided); in.err != nil {
		return nil, in.err
	}
	r.Passes, err = selectAll(t, func(sc scanner) (passnum.RedeemedPass, error) {
		var p passnum.RedeemedPass
		var code int64
		err := sc.Scan(&p.Serial, &p.Carnet, &code)
		p.Code = passcode.Code(code).Masked()
		return p, err
	}, `SELECT rp.serial, p.carnet, p.code FROM redemption_passes rp JOIN passes p ON p.serial = rp.serial
		WHERE rp.redemption_id = ? ORDER BY rp.serial`, id)
	if err != nil {
		return nil, fmt.Errorf("passes of redemption %d: %w", id, err)
	}
	r.Serials = make([]int64, len(r.Passes))
	for i, p := range r.Passes {
		r.Serials[i] = p.Serial
	}
	return &r, nil
}

// VoidRedemption cancels a venue's own redemption within 24 hours, unless
// it has been settled: the passes go back to the beneficiary.
func (s *Store) VoidRedemption(ctx context.Context, id int64) (*passnum.Redemption, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActVoid); err != nil {
		return nil, err
	}
	var out *passnum.Redemption
	err := s.write(ctx, "void", func(tx *tx) error {
		r, err := tx.redemption(id)
		if err != nil {
			return err
		}
		if r.VenueID != a.OrgID {
			return notFound("redemption", id)
		}
		if r.VoidedAt != nil {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonAlreadyVoided, "Cet encaissement a déjà été annulé le %s.", passnum.FrenchDateTime(*r.VoidedAt))
		}
		if tx.now.Sub(r.CreatedAt) > passnum.VoidWindow {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonVoidWindowClosed,
				"Annulation impossible : l'encaissement date du %s, il y a plus de 24 heures. Contactez l'opérateur.", passnum.FrenchDateTime(r.CreatedAt))
		}
		// Never after settlement: once on a venue statement (even one whose
		// transfer was rejected, since the funders were charged for it),
		// the redemption stands.
		var onStatement int64
		if err := tx.get(&onStatement, `SELECT COALESCE(MAX(statement_id), 0) FROM statement_lines WHERE redemption_id = ?`, id); err != nil {
			return err
		}
		if onStatement != 0 {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonAlreadySettled,
				"Annulation impossible : cet encaissement figure sur le relevé de remboursement n°%d de votre lieu. Contactez l'opérateur.", onStatement)
		}
		var notRedeemed int
		if err := tx.get(&notRedeemed, `SELECT COUNT(*) FROM passes WHERE serial IN (SELECT serial FROM redemption_passes WHERE redemption_id = ?) AND state <> 'redeemed'`, id); err != nil {
			return err
		}
		if notRedeemed > 0 {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonAlreadySettled, "Annulation impossible : cet encaissement a déjà été remboursé à votre lieu.")
		}
		rows, err := tx.query(`SELECT p.id, COUNT(*) * p.face_value_cents FROM redemption_passes r JOIN programmes p ON p.id = r.programme_id
			WHERE r.redemption_id = ? GROUP BY p.id, p.face_value_cents ORDER BY p.id`, id)
		if err != nil {
			return err
		}
		var entries []passnum.Entry
		for rows.Next() {
			var prog, value int64
			if err := rows.Scan(&prog, &value); err != nil {
				rows.Close()
				return err
			}
			entries = append(entries, passnum.Move(prog, passnum.AccountVenuePayable, a.OrgID, passnum.AccountPassesLive, 0, value)...)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		n, err := tx.execN(`UPDATE passes SET state = 'distributed', redemption_id = NULL, venue_id = NULL, redeemed_at = NULL
			WHERE state = 'redeemed' AND serial IN (SELECT serial FROM redemption_passes WHERE redemption_id = ?)`, id)
		if err != nil {
			return err
		}
		if n != int64(len(r.Serials)) {
			return fmt.Errorf("%d passes expected, %d updated", len(r.Serials), n)
		}
		if err := tx.exec(`UPDATE redemption_passes SET voided = 1 WHERE redemption_id = ?`, id); err != nil {
			return err
		}
		if err := tx.exec(`UPDATE redemptions SET voided_at = ?, voided_by = ? WHERE id = ?`, tx.nowText(), tx.actorLabel(), id); err != nil {
			return err
		}
		ref := fmt.Sprintf("redemption:%d", id)
		if err := tx.post("void", ref, entries); err != nil {
			return err
		}
		if err := tx.audit("redemptions.void", ref, fmt.Sprintf("%d passes", n)); err != nil {
			return err
		}
		out, err = tx.redemption(id)
		return err
	})
	return out, wrapf(err, "void redemption %d", id)
}

// FindRedemption reads one redemption: a venue its own, the operator any
// venue's.
func (s *Store) FindRedemption(ctx context.Context, id int64) (*passnum.Redemption, error) {
	return readOne(ctx, s, passnum.ActRedemptionRead, func(tx *tx, a *passnum.Actor) (*passnum.Redemption, error) {
		r, err := tx.redemption(id)
		if err == nil && !a.IsOperator() && r.VenueID != a.OrgID {
			return nil, notFound("redemption", id)
		}
		return r, err
	})
}

// ListRedemptions lists redemptions, newest first: a venue its own, the
// operator any venue's.
func (s *Store) ListRedemptions(ctx context.Context, f passnum.RedemptionFilter) ([]*passnum.Redemption, int, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActRedemptionRead); err != nil {
		return nil, 0, err
	}
	if !a.IsOperator() {
		f.VenueID = a.OrgID
	}
	cond, args := "1 = 1", []any{}
	if f.VenueID != 0 {
		cond, args = "venue_id = ?", []any{f.VenueID}
	}
	offset, limit := page(f.Offset, f.Limit)
	var out []*passnum.Redemption
	var total int
	err := s.read(ctx, func(tx *tx) error {
		out = out[:0]
		if err := tx.get(&total, `SELECT COUNT(*) FROM redemptions WHERE `+cond, args...); err != nil {
			return err
		}
		var err error
		out, err = loadAll(tx, tx.redemption, `SELECT id FROM redemptions WHERE `+cond+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		return err
	})
	return out, total, err
}
