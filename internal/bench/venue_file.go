package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/mednum"
)

// venuesAsFound are values valid under the standard's current version that
// passnum refused as long as imports were all or nothing over 1.0.1's
// lists and the subset of opening_hours it evaluates: a national file
// gathered from many producers always holds a few.
var venuesAsFound = []func(v *passnum.Venue){
	func(v *passnum.Venue) { v.OpeningHours = "Mo-Fr 09:00-17:00; Jul-Aug off" },
	func(v *passnum.Venue) { v.OpeningHours = "week 1-26 Mo-Fr 09:00-12:00" },
	func(v *passnum.Venue) { v.OpeningHours = `Mo-Fr 09:00-12:00 "sur rendez-vous l'après-midi"` },
	func(v *passnum.Venue) { v.OpeningHours = "Mo-Fr 09:00-18:00; SH Mo-Fr 10:00-12:00" },
	func(v *passnum.Venue) { v.OpeningHours = "Tu-Sa 10:00-18:00 || \"fermé en août\"" },
	func(v *passnum.Venue) { v.Labels = []string{"Étapes numériques(La Poste)"} },
}

// GenerateVenuesFile writes n venues of GenerateVenues as a CSV file of the
// standard (mednum.WriteCSV), where one line in 1/found carries a value of
// venuesAsFound (0: none) and one line in 1/bad a mistake, a postal code
// of four digits, that only the import of the valid lines leaves out
// (0: none). It also returns how many lines carry each.
func GenerateVenuesFile(n int, seed uint64, found, bad float64) (file []byte, foundLines, badLines int, err error) {
	rows := GenerateVenues(n, seed)
	r := mrand.New(mrand.NewPCG(seed^0x5bd1e995, seed))
	venues := make([]*passnum.Venue, len(rows))
	for i := range rows {
		v := &rows[i].Venue
		switch x := r.Float64(); {
		case x < found:
			venuesAsFound[r.IntN(len(venuesAsFound))](v)
			foundLines++
		case x < found+bad:
			v.PostalCode = v.PostalCode[:4]
			badLines++
		}
		venues[i] = v
	}
	var buf bytes.Buffer
	if err := mednum.WriteCSV(&buf, venues); err != nil {
		return nil, 0, 0, err
	}
	return buf.Bytes(), foundLines, badLines, nil
}

// FileImportResult is what MeasureFileImport found.
type FileImportResult struct {
	Lines       int     `json:"lines"`
	ReadSeconds float64 `json:"read_seconds"`
	Seconds     float64 `json:"seconds"` // reading and importing
	Created     int     `json:"created"`
	Updated     int     `json:"updated"`
	Unchanged   int     `json:"unchanged"`
	Skipped     int     `json:"skipped_lines"`
}

// MeasureFileImport times a CSV file of the standard read
// (mednum.ReadCSV) and imported as the operator, all or nothing or in the
// valid lines' mode, as `passnum venue import` does.
func MeasureFileImport(ctx context.Context, s Service, file []byte, validLines bool) (*FileImportResult, error) {
	opCtx, err := operator(ctx, s)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rows, unread := mednum.ReadCSV(bytes.NewReader(file))
	res := &FileImportResult{Lines: len(rows) + len(unread), ReadSeconds: time.Since(start).Seconds()}
	if len(unread) > 0 && !validLines {
		return nil, fmt.Errorf("read: %d problems, first line %d: %s", len(unread), unread[0].Line, unread[0].Message)
	}
	importVenues := s.ImportVenues
	if validLines {
		importVenues = s.ImportValidVenues
	}
	rep, err := importVenues(opCtx, rows, false)
	if err != nil {
		var e *passnum.Error
		if errors.As(err, &e) && len(e.Problems) > 0 {
			return nil, fmt.Errorf("import: %w (line %d: %s)", err, e.Problems[0].Line, e.Problems[0].Message)
		}
		return nil, err
	}
	rep.Skip(unread)
	res.Seconds = time.Since(start).Seconds()
	res.Created, res.Updated, res.Unchanged, res.Skipped = rep.Created, rep.Updated, rep.Unchanged, rep.SkippedLines()
	return res, nil
}
