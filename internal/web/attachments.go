package web

import (
	"fmt"
	"io"
	"net/http"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
)

// Attachments of applications (passnum.AttachmentService): the list on
// the application's page, the upload form and the removal buttons of
// the applicant's draft, and the download.

func init() {
	// A file of passnum.MaxAttachmentBytes and the form's few fields (the
	// token, the multipart headers) fit: a file a little larger is read
	// and refused by the service, next to the field; a much larger body
	// is cut at this limit and refused by serve.
	uploadLimits["/financeur/candidatures/{id}/pieces"] = passnum.MaxAttachmentBytes + 1<<20
	funcs["fileSize"] = passnum.FrenchBytes
}

// addAttachmentForm joins the file of the form to the draft.
func (s *Server) addAttachmentForm(w http.ResponseWriter, r *http.Request) error {
	return s.applicationAction(w, r, "file", func(id int64) (string, error) {
		// The role first, as the service would, before reading the file.
		if err := passnum.Authorize(visitorFrom(r).actor(), passnum.ActApplicationWrite); err != nil {
			return "", err
		}
		file, header, err := r.FormFile("file")
		if err != nil {
			return "", passnum.Invalid("file", "Choisissez le fichier PDF à joindre.")
		}
		defer file.Close()
		content, err := io.ReadAll(io.LimitReader(file, passnum.MaxAttachmentBytes+1))
		if err != nil {
			return "", fmt.Errorf("read attachment: %w", err)
		}
		f, err := s.svc.AddAttachment(r.Context(), passnum.AttachmentUpload{ApplicationID: id, FileName: header.Filename, Content: content})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Pièce jointe ajoutée : « %s » (%s).", f.FileName, passnum.FrenchBytes(f.Size)), nil
	})
}

// deleteAttachmentForm removes a file from the draft.
func (s *Server) deleteAttachmentForm(w http.ResponseWriter, r *http.Request) error {
	return s.applicationAction(w, r, "file", func(id int64) (string, error) {
		aid, err := pathID(r, "aid", "Pièce jointe")
		if err != nil {
			return "", err
		}
		if err := s.svc.DeleteAttachment(r.Context(), id, aid); err != nil {
			return "", err
		}
		return "Pièce jointe retirée.", nil
	})
}

// attachmentFile sends a file of an application, as a download.
func (s *Server) attachmentFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Candidature")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid", "Pièce jointe")
	if err != nil {
		return err
	}
	f, content, err := s.svc.ReadAttachment(r.Context(), id, aid)
	if err != nil {
		return httpx.NotFound(err, "Pièce jointe introuvable.")
	}
	httpx.WriteAttachment(w, f, content)
	return nil
}
