package pdf

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

var (
	errForbidden = passnum.Errorf(passnum.EFORBIDDEN, "forbidden", "Votre rôle ne permet pas cette action.")
	errNotFound  = passnum.Errorf(passnum.ENOTFOUND, "not-found", "Introuvable.")
	errDisk      = errors.New("read venues: disk I/O error")
)

// readers answers the documents' reads as a store would, one error or
// record per method.
type readers struct {
	file     *passnum.VenueFile
	fileErr  error
	entry    *passnum.DirectoryEntry
	entryErr error
	org      *passnum.Organisation
	orgErr   error
	prog     *passnum.Programme
	progErr  error
}

func (r *readers) FindVenueFile(context.Context, int64) (*passnum.VenueFile, error) {
	return r.file, r.fileErr
}

func (r *readers) DirectoryEntry(context.Context, int64) (*passnum.DirectoryEntry, error) {
	return r.entry, r.entryErr
}

func (r *readers) FindOrganisation(context.Context, int64) (*passnum.Organisation, error) {
	return r.org, r.orgErr
}

func (r *readers) FindProgramme(context.Context, int64) (*passnum.Programme, error) {
	return r.prog, r.progErr
}

func TestStatementForReadsWithTheCallersRights(t *testing.T) {
	public := passnum.Venue{Name: "Médiathèque de Brest (fiche publique)", Commune: "Brest"}
	for _, tc := range []struct {
		name    string
		r       readers
		want    []string // in the document
		notWant []string
		err     bool
	}{
		{"the venue's file", readers{file: &passnum.VenueFile{Venue: venue, Bank: bank}},
			[]string{venue.Commune, "•••2 606"}, nil, false},
		{"forbidden file: the directory's page", readers{fileErr: errForbidden, entry: &passnum.DirectoryEntry{Venue: public}},
			[]string{public.Name}, []string{"•••"}, false},
		{"neither: the statement's name", readers{fileErr: errNotFound, entryErr: errNotFound},
			[]string{"Médiathèque"}, []string{"•••", "Brest"}, false},
		{"the file fails", readers{fileErr: errDisk, entry: &passnum.DirectoryEntry{Venue: public}}, nil, nil, true},
		{"the directory fails", readers{fileErr: errForbidden, entryErr: errDisk}, nil, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := StatementFor(context.Background(), &tc.r, &buf, statement(2), operator)
			if tc.err {
				if !errors.Is(err, errDisk) || passnum.ErrorCode(err) != passnum.EINTERNAL || buf.Len() != 0 {
					t.Fatalf("want the internal error and no document, got %v and %d bytes", err, buf.Len())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := text(t, buf.Bytes())
			for _, w := range tc.want {
				if !strings.Contains(s, pdfString(cp1252(w))) {
					t.Errorf("no %q in the document", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(s, pdfString(cp1252(w))) {
					t.Errorf("%q in the document", w)
				}
			}
		})
	}
}

func TestFunderDocumentsReadWithTheCallersRights(t *testing.T) {
	charge := &passnum.FunderCharge{ID: 31, FunderID: 7, FunderName: "Essonne (nom du relevé)", ProgrammeID: 3, Period: "2027-03-31",
		Passes: 4, PassesCents: 2000, FeeBP: 400, FeeCents: 80, TotalCents: 2080, CreatedAt: created}
	note := &passnum.CreditNote{ID: 12, FunderID: 7, FunderName: "Essonne (nom du relevé)", ProgrammeID: 3, Passes: 98, AmountCents: 49000,
		Reference: "RF18539007547034", CreatedAt: created}
	const siret = "SIRET\u00a0229\u00a0100\u00a0017\u00a000011"
	for _, tc := range []struct {
		name    string
		r       readers
		want    []string
		notWant []string
		err     bool
	}{
		{"funder and programme", readers{org: &funder, prog: programme}, []string{siret, "(n°\u00a03)"}, nil, false},
		{"neither readable: the document's name", readers{orgErr: errForbidden, progErr: errNotFound},
			[]string{"Essonne (nom du relevé)"}, []string{siret, "(n°\u00a03)"}, false},
		{"the funder fails", readers{orgErr: errDisk, prog: programme}, nil, nil, true},
		{"the programme fails", readers{org: &funder, progErr: errDisk}, nil, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for doc, write := range map[string]func(*bytes.Buffer) error{
				"charge": func(b *bytes.Buffer) error { return FunderChargeFor(context.Background(), &tc.r, b, charge, operator) },
				"note":   func(b *bytes.Buffer) error { return CreditNoteFor(context.Background(), &tc.r, b, note, operator) },
			} {
				var buf bytes.Buffer
				err := write(&buf)
				if tc.err {
					if !errors.Is(err, errDisk) || buf.Len() != 0 {
						t.Errorf("%s: want the internal error and no document, got %v and %d bytes", doc, err, buf.Len())
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", doc, err)
				}
				s := text(t, buf.Bytes())
				for _, w := range tc.want {
					if !strings.Contains(s, pdfString(cp1252(w))) {
						t.Errorf("%s: no %q in the document", doc, w)
					}
				}
				for _, w := range tc.notWant {
					if strings.Contains(s, pdfString(cp1252(w))) {
						t.Errorf("%s: %q in the document", doc, w)
					}
				}
			}
		})
	}
}
