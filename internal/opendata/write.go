package opendata

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/csvfile"
)

// Header returns the CSV columns of the release: month, level, departement,
// commune, then for each measure its count and a "<measure>_suppressed" flag.
func (r *Release) Header() []string {
	h := []string{"month", "level", "departement", "commune"}
	for _, m := range r.Measures {
		h = append(h, m, m+"_suppressed")
	}
	return h
}

// WriteCSV writes the release as CSV through csvfile.Writer, like every
// file meant for a spreadsheet: UTF-8 with a byte order mark (so that
// spreadsheet software reads the accents), ";" as separator, one header
// line. A suppressed count is an empty field with its flag set to "true".
func (r *Release) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	cw := csvfile.NewWriter(bw)
	if err := cw.Write(r.Header()); err != nil {
		return fmt.Errorf("opendata: write csv: %w", err)
	}
	for _, row := range r.Rows {
		rec := []string{row.Month, string(row.Level), row.Departement, row.Commune}
		for _, v := range row.Values {
			if v.Suppressed {
				rec = append(rec, "", "true")
			} else {
				rec = append(rec, strconv.Itoa(v.N), "false")
			}
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("opendata: write csv: %w", err)
		}
	}
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("opendata: write csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("opendata: write csv: %w", err)
	}
	return nil
}

// jsonRelease is the JSON shape documented in README.md.
type jsonRelease struct {
	Threshold int       `json:"threshold"`
	Measures  []string  `json:"measures"`
	Rows      []jsonRow `json:"rows"`
	// Freshness: only when a read replica served the figures.
	Freshness *passnum.Freshness `json:"freshness,omitempty"`
}

type jsonRow struct {
	Month       string          `json:"month"`
	Level       Level           `json:"level"`
	Departement string          `json:"departement,omitempty"`
	Commune     string          `json:"commune,omitempty"`
	Counts      map[string]*int `json:"counts"`
	Suppressed  []string        `json:"suppressed"`
}

// WriteJSON writes the release as one JSON document. A suppressed count is
// null and its measure is listed in the row's "suppressed" array.
func (r *Release) WriteJSON(w io.Writer) error {
	out := jsonRelease{Threshold: r.Threshold, Measures: r.Measures, Rows: make([]jsonRow, 0, len(r.Rows)), Freshness: r.Freshness}
	for _, row := range r.Rows {
		jr := jsonRow{Month: row.Month, Level: row.Level, Departement: row.Departement, Commune: row.Commune,
			Counts: make(map[string]*int, len(row.Values)), Suppressed: []string{}}
		for i, v := range row.Values {
			m := r.Measures[i]
			if v.Suppressed {
				jr.Counts[m] = nil
				jr.Suppressed = append(jr.Suppressed, m)
				continue
			}
			n := v.N
			jr.Counts[m] = &n
		}
		out.Rows = append(out.Rows, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("opendata: write json: %w", err)
	}
	return nil
}
