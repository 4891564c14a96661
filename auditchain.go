package passnum

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
)

// AuditAnchor is a place of the audit journal's hash chain and the hash
// the chain had there. The journal is chained: each entry's hash covers its
// content and the previous entry's hash, so an anchor vouches for every
// entry up to its place. Someone outside the platform (the conférence des
// financeurs) who keeps anchors can later prove that the journal was not
// rewritten since: a rewritten journal no longer gives their hashes.
type AuditAnchor struct {
	Seq  int64     `json:"seq"`  // the place in the chain: 1, 2, 3…
	Hash string    `json:"hash"` // SHA-256 of the chain up to Seq, hexadecimal
	At   time.Time `json:"at"`   // when the anchor was taken
}

// AuditChainService exports and proves the anchors of the audit journal's
// chain (operator admins).
type AuditChainService interface {
	// AuditAnchors lists the anchors of the chain, oldest first.
	AuditAnchors(ctx context.Context) ([]AuditAnchor, error)
	// VerifyAuditAnchors checks the whole chain and that it still holds
	// each of anchors: nil, or an ECONFLICT error whose French message
	// names the first break or the first anchor it no longer holds.
	VerifyAuditAnchors(ctx context.Context, anchors []AuditAnchor) error
}

// AuditAnchorList is the JSON form of exported anchors, as the API
// answers them and passnum audit anchors --format json writes them.
type AuditAnchorList struct {
	Anchors []AuditAnchor `json:"anchors"`
}

// auditAnchorsHeader is the header line of exported anchors in CSV.
var auditAnchorsHeader = []string{"numero", "empreinte", "date"}

// WriteAuditAnchorsCSV writes anchors as a table separated by semicolons,
// one anchor a line: its place, its hash and its instant (UTC, TimeLayout).
func WriteAuditAnchorsCSV(w io.Writer, anchors []AuditAnchor) error {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(auditAnchorsHeader); err != nil {
		return err
	}
	for _, a := range anchors {
		if err := cw.Write([]string{strconv.FormatInt(a.Seq, 10), a.Hash, FormatTime(a.At)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteAuditAnchorsJSON writes anchors as an AuditAnchorList, indented.
func WriteAuditAnchorsJSON(w io.Writer, anchors []AuditAnchor) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(AuditAnchorList{Anchors: anchors})
}

// ReadAuditAnchors reads anchors exported as JSON (an object with anchors,
// or a bare list) or as the CSV table of WriteAuditAnchorsCSV. An anchor
// that cannot be read is an EINVALID error naming its line or position.
func ReadAuditAnchors(r io.Reader) ([]AuditAnchor, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	trimmed := bytes.TrimSpace(data)
	var anchors []AuditAnchor
	switch {
	case len(trimmed) == 0:
		return nil, Errorf(EINVALID, ReasonInvalidInput, "Le fichier d'ancres est vide.")
	case trimmed[0] == '{':
		var list AuditAnchorList
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return nil, Errorf(EINVALID, ReasonInvalidInput, "Le fichier d'ancres n'est pas un JSON lisible : %v.", err)
		}
		anchors = list.Anchors
	case trimmed[0] == '[':
		if err := json.Unmarshal(trimmed, &anchors); err != nil {
			return nil, Errorf(EINVALID, ReasonInvalidInput, "Le fichier d'ancres n'est pas un JSON lisible : %v.", err)
		}
	default:
		if anchors, err = readAuditAnchorsCSV(trimmed); err != nil {
			return nil, err
		}
	}
	for i, a := range anchors {
		if a.Seq < 1 || len(a.Hash) != 64 || strings.Trim(a.Hash, "0123456789abcdef") != "" {
			return nil, Errorf(EINVALID, ReasonInvalidInput, "L'ancre n° %d du fichier n'en est pas une : il faut un numéro positif et une empreinte de 64 caractères hexadécimaux.", i+1)
		}
	}
	if len(anchors) == 0 {
		return nil, Errorf(EINVALID, ReasonInvalidInput, "Le fichier ne contient aucune ancre.")
	}
	return anchors, nil
}

func readAuditAnchorsCSV(data []byte) ([]AuditAnchor, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, Errorf(EINVALID, ReasonInvalidInput, "Le fichier d'ancres n'est ni un JSON ni un CSV lisible : %v.", err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ";") != strings.Join(auditAnchorsHeader, ";") {
		return nil, Errorf(EINVALID, ReasonInvalidInput, "Le fichier d'ancres doit commencer par la ligne %q.", strings.Join(auditAnchorsHeader, ";"))
	}
	var out []AuditAnchor
	for i, row := range rows[1:] {
		line := i + 2
		seq, err := strconv.ParseInt(row[0], 10, 64)
		if err != nil || len(row) != 3 {
			return nil, Errorf(EINVALID, ReasonInvalidInput, "Ligne %d du fichier d'ancres : il faut un numéro, une empreinte et une date.", line)
		}
		at, err := ParseTime(row[2])
		if err != nil {
			return nil, Errorf(EINVALID, ReasonInvalidInput, "Ligne %d du fichier d'ancres : la date %q n'est pas un instant (%s).", line, row[2], TimeLayout)
		}
		out = append(out, AuditAnchor{Seq: seq, Hash: row[1], At: at})
	}
	return out, nil
}
