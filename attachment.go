package passnum

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Attachments of applications (issue 18, point 2): the PDF files an
// applicant joins to its draft (a deliberation of its assembly, a letter
// of a co-funder, a detailed budget). They are kept in the database, so
// that every server of an installation serves them and a backup holds
// them, which is why their size and number are bounded.

// MaxAttachmentBytes bounds one attachment: a scanned deliberation of a
// few pages weighs 1 to 3 Mo, and ten keep the database (where files
// live, read whole into memory when served) and each upload reasonable.
const MaxAttachmentBytes = 10 << 20

// MaxAttachments bounds the files of one application: 20 of the largest
// make 200 Mo, the most one application may add to the database.
const MaxAttachments = 20

// pdfTrailerWindow is how near the end of a file its %%EOF marker must
// be: the PDF specification reads the trailer from the last 1024 bytes,
// and writers may add a few blank lines after it.
const pdfTrailerWindow = 1024

// Attachment is a PDF file joined to an application. Its content is read
// apart (AttachmentService.ReadAttachment): lists carry only this.
type Attachment struct {
	ID            int64  `json:"id"`
	ApplicationID int64  `json:"application_id"`
	FileName      string `json:"file_name"`
	Size          int64  `json:"size"`
	// SHA256 is the hexadecimal SHA-256 of the content, for the reader
	// to check that what it downloads is what was joined.
	SHA256 string `json:"sha256"`
	// UploadedBy is the organisation that joined the file: attachments,
	// like the questions and answers, are the organisation's, not a
	// person's (the journal says who).
	UploadedBy     int64     `json:"uploaded_by"`
	UploadedByName string    `json:"uploaded_by_name"`
	UploadedAt     time.Time `json:"uploaded_at"`
}

// AttachmentUpload is the input of AddAttachment.
type AttachmentUpload struct {
	ApplicationID int64
	// FileName is the name the file had on the applicant's computer;
	// AddAttachment keeps it sanitised (SanitizeFileName).
	FileName string
	Content  []byte
}

// AttachmentTooLarge is the error of a file above MaxAttachmentBytes.
func AttachmentTooLarge() *Error {
	return &Error{Code: EINVALID, Reason: ReasonAttachmentTooLarge, Field: "file",
		Message: fmt.Sprintf("Le fichier dépasse %s, la taille maximale d'une pièce jointe : réduisez-le (en l'enregistrant en qualité « écran », par exemple) ou découpez-le.", FrenchBytes(MaxAttachmentBytes))}
}

// CheckPDF tells whether content is a PDF file, by its content alone (a
// name ending in .pdf or a Content-Type prove nothing): it starts with
// the %PDF- header and ends with the %%EOF marker of its trailer. It does
// not parse the file: a reader that opens it does so in its own PDF
// viewer, and the download is served as an attachment, never displayed
// by passnum.
func CheckPDF(content []byte) error {
	if len(content) == 0 {
		return &Error{Code: EINVALID, Reason: ReasonAttachmentNotPDF, Field: "file",
			Message: "Le fichier est vide : choisissez le fichier PDF à joindre."}
	}
	if len(content) > MaxAttachmentBytes {
		return AttachmentTooLarge()
	}
	tail := content[max(0, len(content)-pdfTrailerWindow):]
	if !bytes.HasPrefix(content, []byte("%PDF-")) || !bytes.Contains(tail, []byte("%%EOF")) {
		return &Error{Code: EINVALID, Reason: ReasonAttachmentNotPDF, Field: "file",
			Message: "Le fichier n'est pas un PDF (son contenu ne commence pas par « %PDF- » ou ne se termine pas par « %%EOF ») : seuls les fichiers PDF peuvent être joints. Enregistrez le document au format PDF, puis joignez-le."}
	}
	return nil
}

// maxFileNameRunes bounds a kept file name, extension included.
const maxFileNameRunes = 120

// SanitizeFileName is the name under which an attachment is kept and
// offered for download: the last element of the path a browser may send,
// without control or markup characters nor anything a file system or a
// Content-Disposition header reads specially, shortened, and ending in
// .pdf. An empty result becomes "piece-jointe.pdf".
func SanitizeFileName(name string) string {
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	name = strings.ReplaceAll(name, `\`, "/")
	name = strings.TrimPrefix(path.Base("/"+name), "/")
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" .-_()+,'&", r):
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune('_')
		}
	}
	name = strings.Join(strings.Fields(b.String()), " ")
	base := name
	if strings.HasSuffix(strings.ToLower(name), ".pdf") {
		base = name[:len(name)-len(".pdf")]
	}
	base = strings.Trim(base, " .")
	if r := []rune(base); len(r) > maxFileNameRunes-4 {
		base = strings.TrimRight(string(r[:maxFileNameRunes-4]), " .")
	}
	if base == "" {
		base = "piece-jointe"
	}
	return base + ".pdf"
}

// FrenchBytes writes a size as people read it in French: « 850 octets »,
// « 12 ko », « 1,2 Mo », in the binary units that file managers show
// under these names (1 Mo = 1 048 576 octets), one decimal under 10.
func FrenchBytes(n int64) string {
	const kilo, mega = 1 << 10, 1 << 20
	one := func(v int64, unit int64, name string) string {
		if v < 10*unit {
			tenths := (v*10 + unit/2) / unit
			if tenths%10 == 0 {
				return fmt.Sprintf("%d %s", tenths/10, name)
			}
			return fmt.Sprintf("%d,%d %s", tenths/10, tenths%10, name)
		}
		return fmt.Sprintf("%d %s", (v+unit/2)/unit, name)
	}
	switch {
	case n < kilo:
		if n <= 1 {
			return fmt.Sprintf("%d octet", n)
		}
		return fmt.Sprintf("%d octets", n)
	case n < mega-mega/20:
		return one(n, kilo, "ko")
	default:
		return one(n, mega, "Mo")
	}
}

// AttachmentService keeps the PDF files of applications. The applicant
// (its lead or a member of its group) joins files to a draft and removes
// them from it; once the application is submitted its files are frozen
// with the rest of it, as the funder reviews them. Files are read by
// those who read the application: the applicant's group, the call's
// funder once submitted, and the operator. Every upload and removal is
// journaled, without the content.
type AttachmentService interface {
	AddAttachment(ctx context.Context, in AttachmentUpload) (*Attachment, error)
	ListAttachments(ctx context.Context, applicationID int64) ([]*Attachment, error)
	// ReadAttachment returns an attachment with its content.
	ReadAttachment(ctx context.Context, applicationID, id int64) (*Attachment, []byte, error)
	DeleteAttachment(ctx context.Context, applicationID, id int64) error
}
