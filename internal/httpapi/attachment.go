package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
)

// Attachments of applications (passnum.AttachmentService). A file is sent
// as the raw body of the request, not as multipart: one file a request,
// its name in ?file_name= (or the filename of a Content-Disposition
// header), its type read from its content by the service.

// uploadedFileName is the name a client gives the file it sends: the
// file_name parameter, else the filename of its Content-Disposition.
func uploadedFileName(r *http.Request) string {
	if name := r.URL.Query().Get("file_name"); name != "" {
		return name
	}
	if _, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
		return params["filename"]
	}
	return ""
}

// readAttachment reads an uploaded file, refusing it at
// passnum.MaxAttachmentBytes + 1 bytes without reading the rest: a body
// announced larger is refused before a byte of it is read, one sent in
// chunks as soon as it goes past the limit.
func readAttachment(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > passnum.MaxAttachmentBytes {
		return nil, passnum.AttachmentTooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, passnum.MaxAttachmentBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, passnum.AttachmentTooLarge()
		}
		return nil, fmt.Errorf("read attachment: %w", err)
	}
	return body, nil
}

func (s *Server) addAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	body, err := readAttachment(w, r)
	if err != nil {
		return err
	}
	f, err := s.svc.AddAttachment(r.Context(), passnum.AttachmentUpload{ApplicationID: id, FileName: uploadedFileName(r), Content: body})
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/applications/%d/attachments/%d", id, f.ID))
	return writeJSON(w, http.StatusCreated, f)
}

func (s *Server) listAttachments(w http.ResponseWriter, r *http.Request) error {
	return writeSliceOf(w, r, s.svc.ListAttachments)
}

func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	f, content, err := s.svc.ReadAttachment(r.Context(), id, aid)
	if err != nil {
		return err
	}
	httpx.WriteAttachment(w, f, content)
	return nil
}

func (s *Server) deleteAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteAttachment(r.Context(), id, aid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
