package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/passnum/passnum"
)

type carnetRow struct {
	passnum.Carnet
	firstSerial int64
}

func (c *carnetRow) lastSerial() int64 { return c.firstSerial + int64(c.Size) - 1 }

const carnetColumns = `c.number, c.programme_id, c.batch_id, c.size, c.first_serial, COALESCE(c.prescriber_id, 0), COALESCE(c.beneficiary_id, 0),
	c.allocated_at, c.distributed_at, p.valid_until`

func scanCarnet(sc scanner) (*carnetRow, error) {
	var c carnetRow
	var allocated, distributed sql.NullString
	if err := sc.Scan(&c.Number, &c.ProgrammeID, &c.BatchID, &c.Size, &c.firstSerial, &c.PrescriberID, &c.BeneficiaryID,
		&allocated, &distributed, &c.ValidUntil); err != nil {
		return nil, err
	}
	in := instants{table: "carnets", id: c.Number}
	c.AllocatedAt, c.DistributedAt = in.optional("allocated_at", allocated), in.optional("distributed_at", distributed)
	return &c, in.err
}

func (t *tx) carnet(number int64) (*carnetRow, error) {
	c, err := scanCarnet(t.row(`SELECT `+carnetColumns+` FROM carnets c JOIN programmes p ON p.id = c.programme_id WHERE c.number = ?`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("carnet", number)
	}
	return c, err
}

// canSeeCarnet: the operator sees every carnet, a prescriber its stock, a
// funder the carnets of its programmes.
func (t *tx) canSeeCarnet(a *passnum.Actor, c *carnetRow) (bool, error) {
	switch a.OrgKind {
	case passnum.KindOperator:
		return true, nil
	case passnum.KindPrescriber:
		return c.PrescriberID == a.OrgID, nil
	case passnum.KindFunder:
		p, err := t.settings(c.ProgrammeID)
		return err == nil && funds(a, p), err
	}
	return false, nil
}

func (t *tx) carnetPasses(c *carnetRow) ([]passnum.Pass, error) {
	rows, err := t.query(`SELECT serial, state, redeemed_at, COALESCE(venue_id, 0) FROM passes WHERE serial BETWEEN ? AND ? ORDER BY serial`,
		c.firstSerial, c.lastSerial())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []passnum.Pass
	for rows.Next() {
		p := passnum.Pass{CarnetNo: c.Number, ProgrammeID: c.ProgrammeID}
		var redeemed sql.NullString
		if err := rows.Scan(&p.Serial, &p.State, &redeemed, &p.VenueID); err != nil {
			return nil, err
		}
		in := instants{table: "passes", id: p.Serial}
		if p.RedeemedAt = in.optional("redeemed_at", redeemed); in.err != nil {
			return nil, in.err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// FindCarnet returns a carnet with its passes.
func (s *Store) FindCarnet(ctx context.Context, number int64) (*passnum.Carnet, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCarnetRead); err != nil {
		return nil, err
	}
	var out *passnum.Carnet
	err := s.read(ctx, func(tx *tx) error {
		c, err := tx.carnet(number)
		if err != nil {
			return err
		}
		if ok, err := tx.canSeeCarnet(a, c); err != nil {
			return err
		} else if !ok {
			return notFound("carnet", number)
		}
		if c.Passes, err = tx.carnetPasses(c); err != nil {
			return err
		}
		for _, p := range c.Passes {
			if p.State == passnum.StateDistributed {
				c.Remaining++
			}
		}
		if err := tx.fillBeneficiaryRefs(a, []*carnetRow{c}); err != nil {
			return err
		}
		out = &c.Carnet
		return nil
	})
	passnum.RedactFor(a, out)
	return out, wrapf(err, "carnet %d", number)
}

// ListCarnets lists carnets visible to the actor.
func (s *Store) ListCarnets(ctx context.Context, f passnum.CarnetFilter) ([]*passnum.Carnet, int, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActCarnetRead); err != nil {
		return nil, 0, err
	}
	where, args := []string{"1 = 1"}, []any{}
	switch a.OrgKind {
	case passnum.KindPrescriber:
		f.PrescriberID = a.OrgID
	case passnum.KindFunder:
		where = append(where, "c.programme_id IN (SELECT programme_id FROM programme_funders WHERE funder_id = ?)")
		args = append(args, a.OrgID)
	}
	if f.ProgrammeID != 0 {
		where, args = append(where, "c.programme_id = ?"), append(args, f.ProgrammeID)
	}
	if f.PrescriberID != 0 {
		where, args = append(where, "c.prescriber_id = ?"), append(args, f.PrescriberID)
	}
	if f.Distributed != nil {
		if *f.Distributed {
			where = append(where, "c.beneficiary_id IS NOT NULL")
		} else {
			where = append(where, "c.beneficiary_id IS NULL")
		}
	}
	cond := strings.Join(where, " AND ")
	offset, limit := page(f.Offset, f.Limit)
	var out []*passnum.Carnet
	var total int
	err := s.read(ctx, func(tx *tx) error {
		out = out[:0]
		if err := tx.get(&total, `SELECT COUNT(*) FROM carnets c WHERE `+cond, args...); err != nil {
			return err
		}
		list, err := selectAll(tx, scanCarnet, `SELECT `+carnetColumns+` FROM carnets c JOIN programmes p ON p.id = c.programme_id WHERE `+cond+
			` ORDER BY c.number LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		if err != nil {
			return err
		}
		if err := tx.decorateCarnets(a, list); err != nil {
			return err
		}
		for _, c := range list {
			out = append(out, &c.Carnet)
		}
		return nil
	})
	passnum.RedactFor(a, out)
	return out, total, err
}

// decorateCarnets fills what a list of carnets shows beside their rows:
// the passes left to spend and, for who may read it, the beneficiary's
// reference.
func (t *tx) decorateCarnets(a *passnum.Actor, list []*carnetRow) error {
	for _, c := range list {
		if err := t.get(&c.Remaining, `SELECT COUNT(*) FROM passes WHERE serial BETWEEN ? AND ? AND state = 'distributed'`, c.firstSerial, c.lastSerial()); err != nil {
			return err
		}
	}
	return t.fillBeneficiaryRefs(a, list)
}

// fillBeneficiaryRefs sets the beneficiary reference of distributed
// carnets when the actor may read beneficiaries: the operator, and a
// prescriber for the people it registered itself. A funder follows carnets
// without learning who holds them.
func (t *tx) fillBeneficiaryRefs(a *passnum.Actor, list []*carnetRow) error {
	if !a.Can(passnum.ActBeneficiaryRead) {
		return nil
	}
	var ids []any
	for _, c := range list {
		if c.BeneficiaryID != 0 {
			ids = append(ids, c.BeneficiaryID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	type benRef struct {
		id, prescriber int64
		ref            string
	}
	refs, err := selectAll(t, func(sc scanner) (benRef, error) {
		var b benRef
		return b, sc.Scan(&b.id, &b.prescriber, &b.ref)
	}, `SELECT id, prescriber_id, ref FROM beneficiaries WHERE id IN (`+placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return err
	}
	byID := map[int64]string{}
	for _, b := range refs {
		if a.IsOperator() || b.prescriber == a.OrgID {
			byID[b.id] = b.ref
		}
	}
	for _, c := range list {
		c.BeneficiaryRef = byID[c.BeneficiaryID]
	}
	return nil
}

// serialRanges merges the serials of carnets into as few ranges as
// possible, so that updates go by primary key range.
func serialRanges(carnets []*carnetRow) [][2]int64 {
	sorted := slices.Clone(carnets)
	slices.SortFunc(sorted, func(a, b *carnetRow) int { return int(a.firstSerial - b.firstSerial) })
	var out [][2]int64
	for _, c := range sorted {
		if n := len(out); n > 0 && out[n-1][1]+1 == c.firstSerial {
			out[n-1][1] = c.lastSerial()
			continue
		}
		out = append(out, [2]int64{c.firstSerial, c.lastSerial()})
	}
	return out
}

// Allocate hands activated carnets to a prescriber (or moves undistributed
// ones from one prescriber to another).
func (s *Store) Allocate(ctx context.Context, r passnum.AllocateRequest) (int, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActAllocate); err != nil {
		return 0, err
	}
	numbers, err := r.Numbers()
	if err != nil {
		return 0, err
	}
	slices.Sort(numbers)
	numbers = slices.Compact(numbers)
	err = s.write(ctx, "allocate", func(tx *tx) error {
		pr, err := tx.findOrg(r.PrescriberID)
		if err != nil {
			return err
		}
		if pr.Kind != passnum.KindPrescriber {
			return passnum.Invalid("prescriber_id", "%s n'est pas un prescripteur.", pr.Name)
		}
		var carnets []*carnetRow
		for chunk := range slices.Chunk(numbers, 500) {
			args := make([]any, len(chunk))
			for i, n := range chunk {
				args[i] = n
			}
			found, err := selectAll(tx, scanCarnet, `SELECT `+carnetColumns+` FROM carnets c JOIN programmes p ON p.id = c.programme_id WHERE c.number IN (`+placeholders(len(chunk))+`)`, args...)
			if err != nil {
				return err
			}
			carnets = append(carnets, found...)
		}
		if len(carnets) != len(numbers) {
			found := map[int64]bool{}
			for _, c := range carnets {
				found[c.Number] = true
			}
			for _, n := range numbers {
				if !found[n] {
					return passnum.Invalid("carnets", "Carnet n°%d introuvable.", n)
				}
			}
		}
		for _, c := range carnets {
			if c.BeneficiaryID != 0 {
				return passnum.Errorf(passnum.EREFUSED, passnum.ReasonCarnetAlreadyDistributed, "Le carnet n°%d a déjà été remis à un bénéficiaire : il ne peut plus être attribué.", c.Number)
			}
		}
		ranges := serialRanges(carnets)
		for _, rg := range ranges {
			var bad sql.NullInt64
			if err := tx.get(&bad, `SELECT MIN(serial) FROM passes WHERE serial BETWEEN ? AND ? AND state NOT IN ('activated', 'allocated')`, rg[0], rg[1]); err != nil {
				return err
			}
			if bad.Valid {
				var carnet int64
				var state passnum.PassState
				if err := tx.row(`SELECT carnet, state FROM passes WHERE serial = ?`, bad.Int64).Scan(&carnet, &state); err != nil {
					return err
				}
				reason, msg := passnum.ReasonCarnetNotActivated, fmt.Sprintf("Le carnet n°%d n'est pas activé : enregistrez les fonds reçus et activez-le avant de l'attribuer.", carnet)
				if state != passnum.StateIssued {
					reason, msg = passnum.ReasonCarnetUnavailable, fmt.Sprintf("Le carnet n°%d contient un pass %s : il ne peut pas être attribué.", carnet, state.Label())
				}
				return passnum.Errorf(passnum.EREFUSED, reason, "%s", msg)
			}
		}
		for chunk := range slices.Chunk(numbers, 500) {
			args := []any{r.PrescriberID, tx.nowText()}
			for _, n := range chunk {
				args = append(args, n)
			}
			if err := tx.exec(`UPDATE carnets SET prescriber_id = ?, allocated_at = ? WHERE number IN (`+placeholders(len(chunk))+`)`, args...); err != nil {
				return err
			}
		}
		for _, rg := range ranges {
			if err := tx.exec(`UPDATE passes SET state = 'allocated' WHERE serial BETWEEN ? AND ? AND state = 'activated'`, rg[0], rg[1]); err != nil {
				return err
			}
		}
		return tx.audit("carnets.allocate", fmt.Sprintf("org:%d", r.PrescriberID), fmt.Sprintf("%d carnets %d-%d", len(numbers), numbers[0], numbers[len(numbers)-1]))
	})
	if err != nil {
		return 0, fmt.Errorf("allocate %d carnets to prescriber %d: %w", len(numbers), r.PrescriberID, err)
	}
	return len(numbers), nil
}

const beneficiaryColumns = `id, ref, COALESCE(birth_year, 0), COALESCE(age_band, ''), commune_insee, needs, COALESCE(autonomy, ''), consent_at, prescriber_id, created_at,
	restricted_at, restriction_reason`

func scanBeneficiary(sc scanner) (*passnum.Beneficiary, error) {
	var b passnum.Beneficiary
	var needs, created string
	var restricted sql.NullString
	if err := sc.Scan(&b.ID, &b.Ref, &b.BirthYear, &b.AgeBand, &b.CommuneINSEE, &needs, &b.Autonomy, &b.ConsentAt, &b.PrescriberID, &created,
		&restricted, &b.RestrictionReason); err != nil {
		return nil, err
	}
	b.Needs = []string{}
	if needs != "" {
		b.Needs = strings.Split(needs, "|")
	}
	in := instants{table: "beneficiaries", id: b.ID}
	b.CreatedAt = in.at("created_at", created)
	b.RestrictedAt = in.optional("restricted_at", restricted)
	return &b, in.err
}

// newBeneficiaryRef draws a pseudonymous reference: "B-" and 8 Crockford
// base32 characters (40 bits), easy to note on a paper file.
func newBeneficiaryRef() (string, error) {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	raw := make([]byte, 8)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	out := []byte("B-")
	for i, c := range raw {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, alphabet[c&31])
	}
	return string(out), nil
}

// Distribute hands a carnet of the prescriber's stock to a beneficiary.
func (s *Store) Distribute(ctx context.Context, r passnum.DistributeRequest) (*passnum.Distribution, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActDistribute); err != nil {
		return nil, err
	}
	r.BeneficiaryRef = strings.ToUpper(strings.TrimSpace(r.BeneficiaryRef))
	if (r.BeneficiaryRef == "") == (r.Beneficiary == nil) {
		return nil, passnum.Invalid("beneficiary", "Décrivez la personne (nouveau bénéficiaire) ou donnez sa référence si elle a déjà reçu un carnet.")
	}
	if r.Beneficiary != nil {
		if err := r.Beneficiary.Validate(s.now()); err != nil {
			return nil, err
		}
	}
	ref := ""
	if r.Beneficiary != nil {
		var err error
		if ref, err = newBeneficiaryRef(); err != nil {
			return nil, err
		}
	}
	var out *passnum.Distribution
	err := s.write(ctx, "distribute", func(tx *tx) error {
		c, err := tx.carnet(r.Carnet)
		if passnum.ErrorCode(err) == passnum.ENOTFOUND || err == nil && c.PrescriberID != a.OrgID {
			// The same answer whether the carnet exists elsewhere or not at
			// all: a prescriber learns nothing of other structures' stock.
			return &passnum.Error{Code: passnum.EREFUSED, Reason: passnum.ReasonCarnetNotInStock, Field: "carnet",
				Message: fmt.Sprintf("Le carnet n°%d n'est pas dans le stock de votre structure. Vérifiez le numéro.", r.Carnet)}
		} else if err != nil {
			return err
		}
		if c.BeneficiaryID != 0 {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonCarnetAlreadyDistributed, "Le carnet n°%d a déjà été remis le %s.", c.Number, passnum.FrenchDateTime(*c.DistributedAt))
		}
		p, err := tx.settings(c.ProgrammeID)
		if err != nil {
			return err
		}
		if !tx.now.Before(p.ExpiresAfter()) {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonProgrammeExpired, "Les pass de ce carnet ont expiré le %s : ne le remettez pas.", passnum.FrenchDate(p.ValidUntil))
		}
		var blocked int
		if err := tx.get(&blocked, `SELECT COUNT(*) FROM passes WHERE serial BETWEEN ? AND ? AND state <> 'allocated'`, c.firstSerial, c.lastSerial()); err != nil {
			return err
		}
		if blocked > 0 {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonCarnetBlocked, "Le carnet n°%d est bloqué par le financeur ou l'opérateur : il ne peut pas être remis.", c.Number)
		}
		var b *passnum.Beneficiary
		if r.BeneficiaryRef != "" {
			b, err = scanBeneficiary(tx.row(`SELECT `+beneficiaryColumns+` FROM beneficiaries WHERE ref = ? AND prescriber_id = ? AND erased_at IS NULL`, r.BeneficiaryRef, a.OrgID))
			if errors.Is(err, sql.ErrNoRows) {
				return &passnum.Error{Code: passnum.ENOTFOUND, Reason: passnum.ReasonBeneficiaryUnknown, Field: "beneficiary_ref",
					Message: fmt.Sprintf("Aucun bénéficiaire de votre structure n'a la référence %s.", r.BeneficiaryRef)}
			} else if err != nil {
				return err
			}
			if b.RestrictedAt != nil {
				return restrictedError("beneficiary_ref", b.Ref)
			}
		} else {
			in := r.Beneficiary
			id, err := tx.insert(`INSERT INTO beneficiaries (ref, birth_year, age_band, commune_insee, needs, autonomy, consent_at, prescriber_id, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, ref, nullInt(in.BirthYear), nullable(in.AgeBand), in.CommuneINSEE,
				strings.Join(in.Needs, "|"), nullable(in.Autonomy), in.ConsentAt, a.OrgID, tx.nowText())
			if err != nil {
				return err
			}
			if b, err = scanBeneficiary(tx.row(`SELECT `+beneficiaryColumns+` FROM beneficiaries WHERE id = ?`, id)); err != nil {
				return err
			}
		}
		if err := tx.exec(`UPDATE carnets SET beneficiary_id = ?, distributed_at = ?, distributed_by = ? WHERE number = ?`,
			b.ID, tx.nowText(), tx.actorLabel(), c.Number); err != nil {
			return err
		}
		if err := tx.exec(`UPDATE passes SET state = 'distributed' WHERE serial BETWEEN ? AND ? AND state = 'allocated'`, c.firstSerial, c.lastSerial()); err != nil {
			return err
		}
		if err := tx.audit("carnets.distribute", fmt.Sprintf("carnet:%d", c.Number), "beneficiary:"+b.Ref); err != nil {
			return err
		}
		c, err = tx.carnet(c.Number)
		if err != nil {
			return err
		}
		if c.Passes, err = tx.carnetPasses(c); err != nil {
			return err
		}
		c.Remaining = len(c.Passes)
		c.BeneficiaryRef = b.Ref // the prescriber registered this person: it may read the reference
		out = &passnum.Distribution{Carnet: &c.Carnet, Beneficiary: b}
		return nil
	})
	passnum.RedactFor(a, out)
	return out, wrapf(err, "distribute carnet %d", r.Carnet)
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// FindBeneficiary returns a beneficiary by reference (the prescriber's own,
// or any for the operator). The operator's staff, who never create a
// record, say why they open one (passnum.WithReadReason); every read is
// journaled.
func (s *Store) FindBeneficiary(ctx context.Context, ref string) (*passnum.Beneficiary, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActBeneficiaryRead); err != nil {
		return nil, err
	}
	if a.IsOperator() && passnum.ReadReasonFrom(ctx) == "" {
		return nil, passnum.ReadReasonRequired()
	}
	if err := passnum.CheckReadReason(passnum.ReadReasonFrom(ctx)); err != nil {
		return nil, err
	}
	ref = strings.ToUpper(strings.TrimSpace(ref))
	var b *passnum.Beneficiary
	err := s.read(ctx, func(tx *tx) error {
		var err error
		b, err = scanBeneficiary(tx.row(`SELECT `+beneficiaryColumns+` FROM beneficiaries WHERE ref = ? AND erased_at IS NULL`, ref))
		if errors.Is(err, sql.ErrNoRows) || err == nil && !a.IsOperator() && b.PrescriberID != a.OrgID {
			return notFound("beneficiary", ref)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	passnum.RedactFor(a, b)
	if err := s.journalBeneficiaries(ctx, a, passnum.ReadBeneficiary, b); err != nil {
		return nil, err
	}
	return b, nil
}

// passScope is the SQL condition selecting the passes of a block request.
type passScope struct {
	programmeID int64
	cond        string
	args        []any
	ref         string
}

func (t *tx) blockScope(r passnum.BlockRequest) (*passScope, error) {
	switch r.Scope {
	case passnum.BlockPass:
		var prog int64
		err := t.get(&prog, `SELECT programme_id FROM passes WHERE serial = ?`, r.Serial)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("pass", passnum.FormatSerial(r.Serial))
		}
		return &passScope{prog, "serial = ?", []any{r.Serial}, fmt.Sprintf("pass:%d", r.Serial)}, err
	case passnum.BlockCarnet:
		c, err := t.carnet(r.Carnet)
		if err != nil {
			return nil, err
		}
		return &passScope{c.ProgrammeID, "serial BETWEEN ? AND ?", []any{c.firstSerial, c.lastSerial()}, fmt.Sprintf("carnet:%d", c.Number)}, nil
	default:
		if _, err := t.settings(r.ProgrammeID); err != nil {
			return nil, err
		}
		return &passScope{r.ProgrammeID, "programme_id = ?", []any{r.ProgrammeID}, fmt.Sprintf("programme:%d", r.ProgrammeID)}, nil
	}
}

// Block blocks passes (one, a carnet, or a programme's undistributed stock)
// or, with Unblock, gives them back the state they had.
func (s *Store) Block(ctx context.Context, r passnum.BlockRequest) (int64, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActBlock); err != nil {
		return 0, err
	}
	if err := r.Validate(); err != nil {
		return 0, err
	}
	var changed int64
	err := s.write(ctx, "block", func(tx *tx) error {
		sc, err := tx.blockScope(r)
		if err != nil {
			return err
		}
		p, err := tx.settings(sc.programmeID)
		if err != nil {
			return err
		}
		if a.OrgKind == passnum.KindFunder && !funds(a, p) {
			return notFound("programme", p.ID)
		}
		from := []string{"issued", "activated", "allocated", "distributed"}
		if r.Scope == passnum.BlockStock {
			from = from[:3] // stock: what no beneficiary holds yet
		}
		// Count by source state so that the ledger moves the value from
		// the right account.
		var groupBy, update string
		var args []any
		if !r.Unblock {
			groupBy = `SELECT state, COUNT(*) FROM passes WHERE ` + sc.cond + ` AND state IN ('` + strings.Join(from, "', '") + `') GROUP BY state`
			update = `UPDATE passes SET blocked_from = state, block_scope = ?, block_reason = ?, state = 'blocked' WHERE ` + sc.cond + ` AND state IN ('` + strings.Join(from, "', '") + `')`
			args = append([]any{string(r.Scope), r.Reason}, sc.args...)
		} else {
			groupBy = `SELECT blocked_from, COUNT(*) FROM passes WHERE ` + sc.cond + ` AND state = 'blocked' AND block_scope = ? GROUP BY blocked_from`
			update = `UPDATE passes SET state = blocked_from, blocked_from = NULL, block_scope = NULL, block_reason = NULL WHERE ` + sc.cond + ` AND state = 'blocked' AND block_scope = ?`
			args = append(slices.Clone(sc.args), string(r.Scope))
		}
		countArgs := sc.args
		if r.Unblock {
			countArgs = args
		}
		var value map[string]int64
		value, changed, err = tx.valueByAccount(p.FaceValueCents, groupBy, countArgs...)
		if err != nil {
			return err
		}
		if changed == 0 {
			if r.Unblock {
				return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonNothingToUnblock, "Aucun pass bloqué à ce niveau (%s) : rien à débloquer.", r.Scope)
			}
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonNothingToBlock, "Aucun pass à bloquer : ils sont déjà utilisés, bloqués ou expirés.")
		}
		n, err := tx.execN(update, args...)
		if err != nil {
			return err
		}
		if n != changed {
			return fmt.Errorf("%d passes counted, %d updated", changed, n)
		}
		entries := moveAll(p.ID, value, passnum.AccountPassesBlocked, r.Unblock)
		kind, action := "block", "passes.block"
		if r.Unblock {
			kind, action = "unblock", "passes.unblock"
		}
		if err := tx.post(kind, sc.ref, entries); err != nil {
			return err
		}
		return tx.audit(action, sc.ref, fmt.Sprintf("%d passes: %s", changed, r.Reason))
	})
	return changed, wrapf(err, "block %s (programme %d, carnet %d, pass %d, unblock %t)", r.Scope, r.ProgrammeID, r.Carnet, r.Serial, r.Unblock)
}

// Expire moves every pass past its programme's validity and tolerance to
// expired. It can run any time, as often as wanted.
func (s *Store) Expire(ctx context.Context) (*passnum.ExpireResult, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActExpire); err != nil {
		return nil, err
	}
	res := &passnum.ExpireResult{Programmes: []int64{}}
	err := s.write(ctx, "expire", func(tx *tx) error {
		res.Passes, res.Programmes = 0, res.Programmes[:0]
		ids, err := selectAll(tx, scanInt64, `SELECT id FROM programmes ORDER BY id`)
		if err != nil {
			return err
		}
		const open = `state IN ('issued', 'activated', 'allocated', 'distributed', 'blocked')`
		for _, id := range ids {
			p, err := tx.settings(id)
			if err != nil {
				return fmt.Errorf("programme %d: %w", id, err)
			}
			if tx.now.Before(p.ExpiresAfter()) {
				continue
			}
			value, total, err := tx.valueByAccount(p.FaceValueCents, `SELECT state, COUNT(*) FROM passes WHERE programme_id = ? AND `+open+` GROUP BY state`, id)
			if err != nil {
				return fmt.Errorf("programme %d: %w", id, err)
			}
			if total == 0 {
				continue
			}
			n, err := tx.execN(`UPDATE passes SET state = 'expired', blocked_from = NULL, block_scope = NULL WHERE programme_id = ? AND `+open, id)
			if err != nil {
				return fmt.Errorf("programme %d: %w", id, err)
			}
			if n != total {
				return fmt.Errorf("programme %d: %d passes counted, %d updated", id, total, n)
			}
			ref := fmt.Sprintf("programme:%d", id)
			if err := tx.post("expiry", ref, moveAll(id, value, passnum.AccountPassesExpired, false)); err != nil {
				return fmt.Errorf("programme %d: %w", id, err)
			}
			if err := tx.audit("passes.expire", ref, fmt.Sprintf("%d passes", total)); err != nil {
				return err
			}
			res.Passes += total
			res.Programmes = append(res.Programmes, id)
		}
		return nil
	})
	return res, wrapf(err, "expire")
}

// valueByAccount runs q, which returns (state, count) rows, and gives the
// face value of those passes by the ledger account that holds it, with
// their number.
func (t *tx) valueByAccount(face int64, q string, args ...any) (map[string]int64, int64, error) {
	type stateCount struct {
		state passnum.PassState
		n     int64
	}
	rows, err := selectAll(t, func(sc scanner) (stateCount, error) {
		var c stateCount
		return c, sc.Scan(&c.state, &c.n)
	}, q, args...)
	if err != nil {
		return nil, 0, err
	}
	value, total := map[string]int64{}, int64(0)
	for _, r := range rows {
		value[passnum.StateAccount(r.state)] += r.n * face
		total += r.n
	}
	return value, total, nil
}

// moveAll returns the entries moving each account's value to target or,
// with back, from target to each account, in a stable order.
func moveAll(programmeID int64, value map[string]int64, target string, back bool) []passnum.Entry {
	var entries []passnum.Entry
	for _, acct := range slices.Sorted(maps.Keys(value)) {
		if back {
			entries = append(entries, passnum.Move(programmeID, target, 0, acct, 0, value[acct])...)
		} else {
			entries = append(entries, passnum.Move(programmeID, acct, 0, target, 0, value[acct])...)
		}
	}
	return entries
}
