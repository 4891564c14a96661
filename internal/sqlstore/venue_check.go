package sqlstore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
	"github.com/passnum/passnum/internal/openinghours"
)

// What the store checks of a venue besides the standard's rules
// (passnum.Venue.Validate, which imports nothing of ours): the opening
// hours, read by internal/openinghours, and the commune, against
// internal/geo.

// checkVenue normalises v, fills its INSEE code when the postal code and
// the commune's name designate one commune, and returns every problem.
func checkVenue(v *passnum.Venue) []*passnum.Error {
	v.Normalize()
	deriveINSEE(v)
	errs := v.Validate()
	return append(errs, venueGeoHoursProblems(v)...)
}

// venueGeoHoursProblems checks a normalised venue's opening hours, which
// it rewrites in their canonical form, and that its INSEE code names a
// commune that has its postal code and its name.
func venueGeoHoursProblems(v *passnum.Venue) []*passnum.Error {
	var errs []*passnum.Error
	// Text refused for its characters (Validate said so) is not read again.
	if v.OpeningHours != "" && passnum.CheckLine("horaires", v.OpeningHours) == nil {
		if canonical, err := canonicalHours(v.OpeningHours); err != nil {
			errs = append(errs, passnum.Invalid("horaires", "%s", err.Error()))
		} else {
			v.OpeningHours = canonical
		}
	}
	if v.INSEE == "" || passnum.ValidateCommune(v.INSEE) != nil {
		return errs // Validate said so, or there is nothing to compare
	}
	c, ok := geo.LookupCommune(v.INSEE)
	if !ok {
		return append(errs, passnum.Invalid("code_insee", "code_insee : aucune commune n'a le code « %s » (code officiel géographique en vigueur).", v.INSEE))
	}
	if len(v.PostalCode) == 5 && !postalCodeFits(v.PostalCode, c) {
		errs = append(errs, passnum.Invalid("code_postal", "code_postal : %s n'est pas un code postal de %s.", v.PostalCode, geo.Label(c)))
	}
	if v.Commune != "" && passnum.CheckLine("commune", v.Commune) == nil && !communeNameFits(v.Commune, c) {
		errs = append(errs, passnum.Invalid("commune", "commune : « %s » n'est pas le nom de la commune %s (%s).", v.Commune, v.INSEE, geo.Label(c)))
	}
	return errs
}

// canonicalHours reads opening hours and writes them in their canonical
// form, as imports and exports do (internal/mednum), so that the same
// hours are stored the same whichever way they came in, and an export
// re-imported is unchanged; valid OpenStreetMap syntax that cannot be
// evaluated is kept as written (openinghours.Canonical). Its errors say
// what is wrong in French.
func canonicalHours(s string) (string, error) {
	c, _, err := openinghours.Canonical(s)
	return c, err
}

// postalCodeFits tells whether a postal code is one of the commune's, or a
// CEDEX code of its département: CEDEX codes are in no list of communes.
func postalCodeFits(code string, c geo.Commune) bool {
	if slices.Contains(c.PostalCodes, code) {
		return true
	}
	if len(communesOfPostalCode(code)) > 0 {
		return false // another commune's postal code
	}
	dep := c.Departement
	if dep == "2A" || dep == "2B" {
		dep = "20"
	}
	return strings.HasPrefix(code, dep)
}

// communeNameFits tells whether name is the commune's, as people write it:
// case, accents, hyphens and "St" do not matter, and a name may say more
// ("Rennes Cedex", "Paris 15e arrondissement") or less ("Paris" for an
// arrondissement).
func communeNameFits(name string, c geo.Commune) bool {
	n, g := geo.Normalize(name), geo.Normalize(c.Name)
	return n == g || strings.HasPrefix(n, g+" ") || strings.HasPrefix(g, n+" ")
}

// communesOfPostalCode returns the communes that have this postal code.
func communesOfPostalCode(code string) []geo.Commune {
	if len(code) != 5 {
		return nil
	}
	found := geo.Search(code, 0)
	return slices.DeleteFunc(found, func(c geo.Commune) bool { return !slices.Contains(c.PostalCodes, code) })
}

// deriveINSEE fills a venue's missing INSEE code when its postal code and
// commune name designate exactly one commune.
func deriveINSEE(v *passnum.Venue) {
	if v.INSEE != "" || v.Commune == "" || len(v.PostalCode) != 5 {
		return
	}
	candidates := communesOfPostalCode(v.PostalCode)
	want := geo.Normalize(v.Commune)
	var exact, close []string
	for _, c := range candidates {
		switch {
		case geo.Normalize(c.Name) == want:
			exact = append(exact, c.INSEE)
		case communeNameFits(v.Commune, c):
			close = append(close, c.INSEE)
		}
	}
	switch {
	case len(exact) == 1:
		v.INSEE = exact[0]
	case len(exact) == 0 && len(close) == 1:
		v.INSEE = close[0]
	}
}

// problemsOf turns errors into the lines of an import report.
func problemsOf(line int, errs []*passnum.Error) []passnum.ImportProblem {
	out := make([]passnum.ImportProblem, len(errs))
	for i, e := range errs {
		out[i] = passnum.ImportProblem{Line: line, Field: e.Field, Message: e.Message}
	}
	return out
}

// firstError returns err, or the first conflict when err is nil.
func firstError(err error, conflicts []*passnum.Error) error {
	if err != nil {
		return err
	}
	if len(conflicts) > 0 {
		return conflicts[0]
	}
	return nil
}

// lineRef names a line of an imported file.
func lineRef(line int) string { return fmt.Sprintf("ligne %d", line) }

// venueChecks: every venue organisation has its description, which agrees
// with it. That a qualified venue has a bank account is not checked:
// venues qualified before the application workflow (and the demo's) have
// none recorded.
var venueChecks = []invariantCheck{
	{name: "venue.description", about: "Every venue organisation has its venue description.",
		number: `SELECT COUNT(*) FROM organisations o LEFT JOIN venues v ON v.org_id = o.id
		WHERE o.kind = 'venue' AND v.org_id IS NULL`,
		message: "%d venue organisations have no venue description"},
	{name: "venue.organisation", about: "A venue description is a venue organisation's, with its SIRET and commune.",
		number: `SELECT COUNT(*) FROM venues v JOIN organisations o ON o.id = v.org_id
		WHERE o.kind <> 'venue' OR COALESCE(o.siret, '') <> v.pivot OR COALESCE(o.commune_insee, '') <> v.code_insee`,
		message: "%d venue descriptions disagree with their organisation (kind, SIRET or commune)"},
	{name: "venue.siret", about: "A SIRET belongs to one candidate or qualified venue at most.",
		number: `SELECT COUNT(*) FROM (SELECT siret FROM organisations
		WHERE kind = 'venue' AND qualification <> 'listed' GROUP BY siret HAVING COUNT(*) > 1) x`,
		message: "%d SIRET numbers are shared by several candidate or qualified venues"},
}
