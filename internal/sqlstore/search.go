package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
	"github.com/passnum/passnum/internal/passcode"
)

// Search finds what the operator's search box was given: a pass by its
// short code, QR payload or serial, a carnet by its number, a beneficiary
// by reference, an organisation by SIRET or name. A query may match
// several kinds at once (a number is a serial and a carnet number); each
// kind is bounded by passnum.MaxSearchResults.
func (s *Store) Search(ctx context.Context, query string) (*passnum.SearchResults, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSearch); err != nil {
		return nil, err
	}
	q := strings.TrimSpace(query)
	if q == "" {
		return nil, passnum.Invalid("q", "Saisissez ce que vous cherchez : code ou numéro de série d'un pass, numéro de carnet, référence de bénéficiaire, SIRET ou nom d'organisation.")
	}
	if len(q) > 300 {
		return nil, passnum.Invalid("q", "Recherche trop longue : 300 caractères au plus.")
	}
	// What the query could be is decided before any read.
	var code, codeSerial int64
	hasCode, payload := false, false
	if p := s.parseCodes([]string{q})[0]; p.check.Reason == "" {
		code, codeSerial, hasCode, payload = p.code, p.serial, true, p.serial != 0
	}
	digits := strings.Join(strings.Fields(q), "") // "782 829 320 00079" is a SIRET
	var number int64
	if isDigits(digits) && len(digits) <= 18 {
		number, _ = strconv.ParseInt(digits, 10, 64)
	}
	ref := beneficiaryRef(q)

	res := &passnum.SearchResults{Query: q, Passes: []*passnum.Pass{}, Carnets: []*passnum.Carnet{},
		Beneficiaries: []*passnum.Beneficiary{}, Organisations: []*passnum.Organisation{}}
	err := s.read(ctx, func(tx *tx) error {
		res.Passes, res.Carnets = res.Passes[:0], res.Carnets[:0]
		res.Beneficiaries, res.Organisations = res.Beneficiaries[:0], res.Organisations[:0]
		if hasCode {
			p, err := scanPass(tx.row(`SELECT `+passColumns+` FROM passes WHERE code = ?`, code))
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("pass by code: %w", err)
			}
			// A payload whose serial is not the code's pass is forged:
			// it finds nothing.
			if err == nil && (!payload || p.Serial == codeSerial) {
				res.Passes = append(res.Passes, p)
			}
		}
		if number > 0 {
			p, err := scanPass(tx.row(`SELECT `+passColumns+` FROM passes WHERE serial = ?`, number))
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("pass %d: %w", number, err)
			}
			if err == nil && !slices.ContainsFunc(res.Passes, func(x *passnum.Pass) bool { return x.Serial == p.Serial }) {
				res.Passes = append(res.Passes, p)
			}
			c, err := tx.carnet(number)
			if err != nil && passnum.ErrorCode(err) != passnum.ENOTFOUND {
				return fmt.Errorf("carnet %d: %w", number, err)
			}
			if err == nil {
				if err := tx.decorateCarnets(a, []*carnetRow{c}); err != nil {
					return fmt.Errorf("carnet %d: %w", number, err)
				}
				res.Carnets = append(res.Carnets, &c.Carnet)
			}
		}
		if number > 0 && len(digits) == 14 {
			orgs, err := selectAll(tx, scanOrg, `SELECT `+orgColumns+` FROM organisations WHERE siret = ? ORDER BY id LIMIT ?`, digits, passnum.MaxSearchResults)
			if err != nil {
				return fmt.Errorf("organisations by SIRET: %w", err)
			}
			res.Organisations = append(res.Organisations, orgs...)
		}
		if ref != "" {
			b, err := scanBeneficiary(tx.row(`SELECT `+beneficiaryColumns+` FROM beneficiaries WHERE ref = ?`, ref))
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("beneficiary by reference: %w", err)
			}
			if err == nil {
				res.Beneficiaries = append(res.Beneficiaries, b)
			}
		}
		if passcode.IsPayload(q) || isDigits(digits) {
			return nil // numbers and QR payloads are no organisation's name
		}
		return wrapf(tx.searchOrgNames(q, res), "organisations by name")
	})
	if err != nil {
		return nil, err
	}
	passnum.RedactFor(a, res)
	if err := s.journalBeneficiaries(ctx, a, passnum.ReadSearch, res.Beneficiaries...); err != nil {
		return nil, err
	}
	return res, nil
}

// searchOrgNames adds the organisations whose name contains q, ignoring
// case and accents, by name. The names are compared here rather than in
// SQL: SQLite's LOWER folds ASCII only, so "état" would find "État" on
// PostgreSQL and not on SQLite. Organisations number in the thousands at
// most, so reading their names is cheap.
func (t *tx) searchOrgNames(q string, res *passnum.SearchResults) error {
	want := geo.Normalize(q)
	if want == "" {
		return nil
	}
	type named struct {
		id     int64
		name   string
		folded string
	}
	all, err := selectAll(t, func(sc scanner) (named, error) {
		var n named
		return n, sc.Scan(&n.id, &n.name)
	}, `SELECT id, name FROM organisations`)
	if err != nil {
		return err
	}
	var hits []named
	for _, n := range all {
		if n.folded = geo.Normalize(n.name); strings.Contains(n.folded, want) {
			hits = append(hits, n)
		}
	}
	slices.SortFunc(hits, func(x, y named) int {
		return cmp.Or(cmp.Compare(x.folded, y.folded), cmp.Compare(x.id, y.id))
	})
	for _, h := range hits {
		if len(res.Organisations) >= passnum.MaxSearchResults {
			break
		}
		if slices.ContainsFunc(res.Organisations, func(o *passnum.Organisation) bool { return o.ID == h.id }) {
			continue // already found by SIRET
		}
		o, err := t.findOrg(h.id)
		if err != nil {
			return err
		}
		res.Organisations = append(res.Organisations, o)
	}
	return nil
}

const passColumns = `serial, carnet, programme_id, state, redeemed_at, COALESCE(venue_id, 0)`

func scanPass(sc scanner) (*passnum.Pass, error) {
	var p passnum.Pass
	var redeemed sql.NullString
	if err := sc.Scan(&p.Serial, &p.CarnetNo, &p.ProgrammeID, &p.State, &redeemed, &p.VenueID); err != nil {
		return nil, err
	}
	in := instants{table: "passes", id: p.Serial}
	p.RedeemedAt = in.optional("redeemed_at", redeemed)
	return &p, in.err
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// beneficiaryRef reads a beneficiary reference as people note and read it
// out: any case, with or without dashes and spaces, and O, I, L for 0, 1,
// 1 as Crockford base32 allows. It returns the reference in its stored
// form, B-XXXX-XXXX, or "" when q cannot be one.
func beneficiaryRef(q string) string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var b strings.Builder
	for _, r := range strings.ToUpper(q) {
		switch r {
		case ' ', '-', '_', '.':
			continue
		}
		b.WriteRune(r)
	}
	s := b.String()
	if len(s) != 9 || s[0] != 'B' {
		return ""
	}
	out := []byte("B-")
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch c {
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		if !strings.ContainsRune(alphabet, rune(c)) {
			return ""
		}
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, c)
	}
	return string(out)
}
