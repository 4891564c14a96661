package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/mednum"
)

// maxImportBytes bounds an imported file: the national data set of some
// 20 000 venues is well under it.
const maxImportBytes = 20 << 20

// Formats of the standard's files.
const (
	formatCSV  = "csv"
	formatJSON = "json"
)

// importFormat reads ?format=, or guesses it from the Content-Type of the
// body when absent.
func importFormat(r *http.Request) (string, error) {
	switch f := r.URL.Query().Get("format"); f {
	case formatCSV, formatJSON:
		return f, nil
	case "":
		media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if media == "application/json" || strings.HasSuffix(media, "+json") {
			return formatJSON, nil
		}
		return formatCSV, nil
	default:
		return "", passnum.Invalid("format", "Format inconnu : %q (csv ou json).", f)
	}
}

// importVenues reads a file of the national standard of lieux de
// médiation numérique (the body, CSV or JSON) and upserts its venues, all
// or nothing. A file with bad lines answers 422 with every line to
// correct and imports nothing; dry_run=true says what would change.
// valid_lines=true imports the valid lines instead and lists the others
// in the report's skipped; only a file without a valid line is refused.
func (s *Server) importVenues(w http.ResponseWriter, r *http.Request) error {
	format, err := importFormat(r)
	if err != nil {
		return err
	}
	dry, err := queryBool(r, "dry_run")
	if err != nil {
		return err
	}
	validLines, err := queryBool(r, "valid_lines")
	if err != nil {
		return err
	}
	valid := validLines != nil && *validLines
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &passnum.Error{Code: passnum.EINVALID, Reason: reasonFileTooLarge,
				Message: fmt.Sprintf("Le fichier dépasse %d Mio : découpez-le en plusieurs fichiers (par département, par exemple).", maxImportBytes>>20)}
		}
		return fmt.Errorf("read import: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return passnum.Invalid("file", "Le fichier est vide : envoyez le fichier CSV ou JSON dans le corps de la requête.")
	}
	var (
		rows     []passnum.ImportRow
		problems []passnum.ImportProblem
	)
	if format == formatJSON {
		rows, problems = mednum.ReadJSON(bytes.NewReader(body))
	} else {
		rows, problems = mednum.ReadCSV(bytes.NewReader(body))
	}
	if len(problems) > 0 && (!valid || len(rows) == 0) {
		return importInvalid(problems)
	}
	importVenues := s.svc.ImportVenues
	if valid {
		importVenues = s.svc.ImportValidVenues
	}
	rep, err := importVenues(r.Context(), rows, dry != nil && *dry)
	if e := (*passnum.Error)(nil); valid && errors.As(err, &e) && len(e.Problems) > 0 {
		// No line was valid: the refusal lists those the reading left out too.
		all := &passnum.ImportReport{}
		all.Skip(append(problems, e.Problems...))
		return importInvalid(all.Skipped)
	}
	if err != nil {
		return err
	}
	if valid {
		rep.Skip(problems)
	}
	if rep.Warnings == nil {
		rep.Warnings = []passnum.ImportProblem{}
	}
	if rep.Skipped == nil {
		rep.Skipped = []passnum.ImportProblem{}
	}
	return writeJSON(w, http.StatusOK, rep)
}

// importInvalid is the refusal of a file with bad lines: the first in the
// detail, all of them in the errors extension.
func importInvalid(problems []passnum.ImportProblem) error {
	first := problems[0]
	msg := fmt.Sprintf("Le fichier compte %s à corriger ; rien n'a été importé. ", plural(len(problems), "erreur"))
	if first.Line > 0 {
		msg += fmt.Sprintf("Ligne %d : %s", first.Line, first.Message)
	} else {
		msg += first.Message
	}
	return &passnum.Error{Code: passnum.EINVALID, Reason: passnum.ReasonImportInvalid, Field: first.Field, Message: msg, Problems: problems}
}

// plural writes n things, with the French plural.
func plural(n int, unit string) string {
	if n > 1 {
		return fmt.Sprintf("%d %ss", n, unit)
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// exportVenues writes the venues as a file of the national standard: CSV
// (',' separated, UTF-8, lists joined by '|') or JSON.
func (s *Server) exportVenues(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	switch format {
	case "":
		format = formatCSV
	case formatCSV, formatJSON:
	default:
		return passnum.Invalid("format", "Format inconnu : %q (csv ou json).", format)
	}
	q, err := queryQualification(r)
	if err != nil {
		return err
	}
	venues, _, err := s.svc.ListVenues(r.Context(), passnum.VenueFilter{Qualification: q})
	if err != nil {
		return err
	}
	// The file is built before the first byte is sent, so that a failure
	// is still a proper problem.
	var buf bytes.Buffer
	contentType := "text/csv; charset=utf-8"
	if format == formatJSON {
		contentType = "application/json; charset=utf-8"
		err = mednum.WriteJSON(&buf, venues)
	} else {
		err = mednum.WriteCSV(&buf, venues)
	}
	if err != nil {
		return fmt.Errorf("export venues: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"lieux-mediation-numerique.%s\"", format))
	h.Set("Content-Length", fmt.Sprint(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}
