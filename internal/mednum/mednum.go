// Package mednum reads and writes files of the national data standard of
// lieux de médiation numérique, LaMednum/standard-mediation-num v1.0.2
// (schema.data.gouv.fr, a frictionless table schema): CSV and JSON.
//
// Reading is strict about the shape of a file and lenient about the habits
// of the tools that produce it:
//
//   - CSV is UTF-8 (a leading byte order mark is dropped), RFC 4180 quoting,
//     separated by ',' (the standard's example) or ';' (French spreadsheets):
//     the header line decides.
//   - Column names and JSON keys are matched after trimming, ignoring case
//     (the standard's own example writes "Itinerance"); an unknown column is
//     an error, and so is a missing required one (passnum.StandardRequired).
//   - A multi-valued cell is split on '|' when it contains one (the
//     standard's separator and what passnum writes), else on ';' (the
//     separator of the standard's earlier versions), else on ','. Two
//     exceptions: site_web splits on ';' or ',' only before "http://" or
//     "https://", since a URL may contain either; autres_formations_labels,
//     free text, never splits on ','.
//   - latitude and longitude are decimal numbers; a decimal comma is
//     accepted ("48,1173", as a French spreadsheet writes it), since a
//     coordinate is never above 180 and so has no thousands separator that
//     could be confused with it.
//   - horaires must be OpenStreetMap opening_hours (package openinghours):
//     what it evaluates is kept in its canonical form, valid syntax it does
//     not evaluate (months, school holidays, comments…) as written.
//   - Every venue is normalised (passnum.Venue.Normalize) and validated
//     (passnum.Venue.Validate); ids must be unique in the file.
//
// Every problem is returned with its line: the physical line where the CSV
// record, or the JSON object, starts (the CSV header is line 1). A line with
// a problem is not returned, so that callers import all or nothing.
//
// Writing produces what the standard's consumers expect: the columns of
// passnum.StandardFields in order, lists joined by '|', coordinates with a
// '.', horaires in canonical form; CSV separated by ','. The text is
// written exactly as stored, but for control characters, which no file
// holds (passnum.CleanText). WriteSpreadsheetCSV writes the same table
// for people who open it in a spreadsheet (csvfile's rule: ';', a byte
// order mark, nothing a spreadsheet would run as a formula), which
// ReadCSV takes back.
package mednum

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/openinghours"
)

// kind is how a column's text maps to a passnum.Venue field.
type kind int

const (
	kindText     kind = iota // one string
	kindList                 // values split on '|', ';' or ','
	kindFreeList             // free text values: split on '|' or ';' only
	kindURLList              // URLs: split on '|', or on ';' or ',' before http(s)://
	kindCoord                // latitude or longitude
)

// column is one column of the standard.
type column struct {
	name  string
	kind  kind
	text  func(*passnum.Venue) *string
	list  func(*passnum.Venue) *[]string
	coord func(*passnum.Venue) **float64
}

func textCol(name string, f func(*passnum.Venue) *string) column {
	return column{name: name, kind: kindText, text: f}
}

func listCol(name string, k kind, f func(*passnum.Venue) *[]string) column {
	return column{name: name, kind: k, list: f}
}

func coordCol(name string, f func(*passnum.Venue) **float64) column {
	return column{name: name, kind: kindCoord, coord: f}
}

// columns lists the standard's columns in the order of
// passnum.StandardFields (a test checks it).
var columns = []column{
	textCol("id", func(v *passnum.Venue) *string { return &v.ID }),
	textCol("pivot", func(v *passnum.Venue) *string { return &v.Pivot }),
	textCol("nom", func(v *passnum.Venue) *string { return &v.Name }),
	textCol("commune", func(v *passnum.Venue) *string { return &v.Commune }),
	textCol("code_postal", func(v *passnum.Venue) *string { return &v.PostalCode }),
	textCol("code_insee", func(v *passnum.Venue) *string { return &v.INSEE }),
	textCol("adresse", func(v *passnum.Venue) *string { return &v.Address }),
	textCol("complement_adresse", func(v *passnum.Venue) *string { return &v.AddressComplement }),
	coordCol("latitude", func(v *passnum.Venue) **float64 { return &v.Lat }),
	coordCol("longitude", func(v *passnum.Venue) **float64 { return &v.Lon }),
	listCol("typologie", kindList, func(v *passnum.Venue) *[]string { return &v.Typology }),
	textCol("telephone", func(v *passnum.Venue) *string { return &v.Phone }),
	listCol("courriels", kindList, func(v *passnum.Venue) *[]string { return &v.Emails }),
	listCol("site_web", kindURLList, func(v *passnum.Venue) *[]string { return &v.Websites }),
	textCol("horaires", func(v *passnum.Venue) *string { return &v.OpeningHours }),
	textCol("presentation_resume", func(v *passnum.Venue) *string { return &v.Summary }),
	textCol("presentation_detail", func(v *passnum.Venue) *string { return &v.Detail }),
	textCol("source", func(v *passnum.Venue) *string { return &v.Source }),
	listCol("itinerance", kindList, func(v *passnum.Venue) *[]string { return &v.Roaming }),
	textCol("structure_parente", func(v *passnum.Venue) *string { return &v.Parent }),
	textCol("date_maj", func(v *passnum.Venue) *string { return &v.UpdatedOn }),
	listCol("services", kindList, func(v *passnum.Venue) *[]string { return &v.Services }),
	listCol("publics_specifiquement_adresses", kindList, func(v *passnum.Venue) *[]string { return &v.Publics }),
	listCol("prise_en_charge_specifique", kindList, func(v *passnum.Venue) *[]string { return &v.Supports }),
	listCol("frais_a_charge", kindList, func(v *passnum.Venue) *[]string { return &v.Fees }),
	listCol("dispositif_programmes_nationaux", kindList, func(v *passnum.Venue) *[]string { return &v.NationalSchemes }),
	listCol("formations_labels", kindList, func(v *passnum.Venue) *[]string { return &v.Labels }),
	listCol("autres_formations_labels", kindFreeList, func(v *passnum.Venue) *[]string { return &v.OtherLabels }),
	listCol("modalites_acces", kindList, func(v *passnum.Venue) *[]string { return &v.AccessModes }),
	listCol("modalites_accompagnement", kindList, func(v *passnum.Venue) *[]string { return &v.SupportModes }),
	textCol("fiche_acces_libre", func(v *passnum.Venue) *string { return &v.AccessibilitySheet }),
	textCol("prise_rdv", func(v *passnum.Venue) *string { return &v.AppointmentURL }),
}

// columnIndex maps a column name to its index in columns.
var columnIndex = func() map[string]int {
	m := make(map[string]int, len(columns))
	for i, c := range columns {
		m[c.name] = i
	}
	return m
}()

// aliases are other spellings of a column seen in files that claim the
// standard. The standard's own example file (exemple-valide.csv) names the
// column modalites_acces "modalite_acces": files copied from it keep that
// header, so it is read as modalites_acces.
var aliases = map[string]string{
	"modalite_acces": "modalites_acces",
}

// lookupColumn returns the index in columns of a header name or JSON key,
// matched after trimming, ignoring case, through aliases.
func lookupColumn(name string) (int, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	if a, ok := aliases[n]; ok {
		n = a
	}
	i, ok := columnIndex[n]
	return i, ok
}

func isRequired(name string) bool {
	for _, r := range passnum.StandardRequired {
		if r == name {
			return true
		}
	}
	return false
}

// urlSeparator matches a ';' or ',' that starts another URL.
var urlSeparator = regexp.MustCompile(`[;,]\s*(?i:https?://)`)

// splitList splits a multi-valued cell of a column of kind k. Values are
// not trimmed here: Venue.Normalize trims them and drops empty ones.
func splitList(k kind, s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	switch {
	case strings.Contains(s, "|"):
		return strings.Split(s, "|")
	case k == kindURLList:
		var out []string
		for {
			loc := urlSeparator.FindStringIndex(s)
			if loc == nil {
				return append(out, s)
			}
			out = append(out, s[:loc[0]])
			s = s[loc[0]+1:]
		}
	case strings.Contains(s, ";"):
		return strings.Split(s, ";")
	case k == kindList && strings.Contains(s, ","):
		return strings.Split(s, ",")
	}
	return []string{s}
}

// joinList writes a list as the standard does, joined by '|'. A single
// value that the reader would split (one containing ';' or ',') gets a
// trailing '|': the cell then splits on '|', and the empty value after it
// is dropped, so that it reads back as one value. A value containing '|'
// cannot be written: ok is false.
func joinList(k kind, values []string) (s string, ok bool) {
	for _, x := range values {
		if strings.Contains(x, "|") {
			return "", false
		}
	}
	s = strings.Join(values, "|")
	if len(values) == 1 && len(splitList(k, s)) > 1 {
		s += "|"
	}
	return s, true
}

// coordPattern is a decimal number with a '.' or a ',' before its
// decimals.
var coordPattern = regexp.MustCompile(`^[+-]?[0-9]+([.,][0-9]+)?$`)

// parseCoord reads a latitude or longitude; "" is no coordinate.
func parseCoord(name, s string) (*float64, *passnum.ImportProblem) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if !coordPattern.MatchString(s) {
		return nil, &passnum.ImportProblem{Field: name, Message: name + " : « " + s + " » n'est pas un nombre décimal (par exemple 48.1173)."}
	}
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil {
		return nil, &passnum.ImportProblem{Field: name, Message: name + " : « " + s + " » n'est pas un nombre décimal (par exemple 48.1173)."}
	}
	return &f, nil
}

// formatCoord writes a coordinate with a '.', as few digits as read it
// back exactly and no exponent.
func formatCoord(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// canonicalHours returns opening hours in the canonical form of package
// openinghours; hours it cannot read are returned as they are.
func canonicalHours(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	c, _, err := openinghours.Canonical(s)
	if err != nil {
		return s
	}
	return c
}

// checker finishes each venue read from a file: normalisation, validation,
// opening hours and unique ids.
type checker struct {
	ids map[string]int // id → line where it was first seen
}

func newChecker() *checker { return &checker{ids: map[string]int{}} }

// check normalises v and returns its problems, each with line and the
// prefix put before its message ("" for CSV, "objet n°3 : " for JSON).
// read are the problems found while reading v's fields: Validate's
// problems with the same fields are left out, as they would say the same
// thing again (an unreadable latitude is also a missing one).
func (c *checker) check(v *passnum.Venue, line int, prefix string, read []passnum.ImportProblem) []passnum.ImportProblem {
	v.Normalize()
	problems := read
	reported := map[string]bool{}
	for _, p := range read {
		reported[p.Field] = true
		if p.Field == "latitude" || p.Field == "longitude" { // Validate checks them as a pair
			reported["latitude"], reported["longitude"] = true, true
		}
	}
	for _, e := range v.Validate() {
		if !reported[e.Field] {
			problems = append(problems, passnum.ImportProblem{Line: line, Field: e.Field, Message: prefix + e.Message})
		}
	}
	// Hours refused for their characters (Validate said so) are not parsed.
	if v.OpeningHours != "" && passnum.CheckLine("horaires", v.OpeningHours) == nil {
		canonical, _, err := openinghours.Canonical(v.OpeningHours)
		if err != nil {
			// The parser's message names the field and quotes the value.
			problems = append(problems, passnum.ImportProblem{Line: line, Field: "horaires",
				Message: prefix + err.Error() + " Format OpenStreetMap opening_hours, par exemple « Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00 »."})
		} else {
			v.OpeningHours = canonical
		}
	}
	if v.ID != "" {
		if first, seen := c.ids[v.ID]; seen {
			problems = append(problems, passnum.ImportProblem{Line: line, Field: "id",
				Message: prefix + "id : « " + v.ID + " » est déjà l'identifiant du lieu de la ligne " + strconv.Itoa(first) + " ; chaque lieu a le sien."})
		} else {
			c.ids[v.ID] = line
		}
	}
	return problems
}
