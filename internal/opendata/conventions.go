package opendata

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/csvfile"
)

// The public amounts of the conventions (issue 18, point 6): for each
// convention signed by all its parties, its territory, dates and each
// party's amounts. Parties are public bodies, companies and foundations,
// named as registered; no person is named, no e-mail written, so nothing
// here needs the statistical protection of the counts of people.

// ConventionsHeader are the columns of conventions.csv. A "year" row holds
// a party's amounts of one year; its "total" row, the sum of its years and
// what it paid, which payment orders record without a year.
var ConventionsHeader = []string{"convention", "territory", "starts_on", "ends_on", "signed_on",
	"party", "party_signed_on", "level", "year", "committed_cents", "called_cents", "received_cents"}

// Levels of the rows of conventions.csv.
const (
	ConventionYear  = "year"
	ConventionTotal = "total"
)

// WriteConventionsCSV writes the conventions as CSV through csvfile.Writer:
// UTF-8 with a byte order mark, ";" as separator, one header line, then
// for each convention and party its rows of years followed by its total.
func WriteConventionsCSV(w io.Writer, list []passnum.PublicConvention) error {
	cw := csvfile.NewWriter(w)
	if err := cw.Write(ConventionsHeader); err != nil {
		return fmt.Errorf("opendata: write conventions csv: %w", err)
	}
	cents := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, c := range list {
		head := []string{strconv.FormatInt(c.Number, 10), strings.Join(c.Territory, " "), c.StartsOn, c.EndsOn, c.SignedOn}
		for _, p := range c.Parties {
			party := append(append([]string{}, head...), p.Name, p.SignedOn)
			for _, y := range p.Years {
				if err := cw.Write(append(append([]string{}, party...), ConventionYear, strconv.Itoa(y.Year), cents(y.CommittedCents), cents(y.CalledCents), "")); err != nil {
					return fmt.Errorf("opendata: write conventions csv: %w", err)
				}
			}
			if err := cw.Write(append(party, ConventionTotal, "", cents(p.CommittedCents), cents(p.CalledCents), cents(p.ReceivedCents))); err != nil {
				return fmt.Errorf("opendata: write conventions csv: %w", err)
			}
		}
	}
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("opendata: write conventions csv: %w", err)
	}
	return nil
}

// jsonConventions is the JSON shape of conventions.json.
type jsonConventions struct {
	Licence     string                     `json:"licence"`
	Conventions []passnum.PublicConvention `json:"conventions"`
}

// Licence is the licence of every file of open data.
const Licence = "Licence Ouverte 2.0 (Etalab)"

// WriteConventionsJSON writes the conventions as JSON: {licence,
// conventions: [{number, territory, signed_on, starts_on, ends_on,
// parties: [{name, signed_on, years: [{year, committed_cents,
// called_cents}], committed_cents, called_cents, received_cents}]}]}.
func WriteConventionsJSON(w io.Writer, list []passnum.PublicConvention) error {
	if list == nil {
		list = []passnum.PublicConvention{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(jsonConventions{Licence: Licence, Conventions: list}); err != nil {
		return fmt.Errorf("opendata: write conventions json: %w", err)
	}
	return nil
}
