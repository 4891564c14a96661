package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/passnum/passnum"
)

// Attachments of applications (passnum.AttachmentService).

const attachmentColumns = `f.id, f.application_id, f.file_name, f.size, f.sha256, f.uploaded_by, o.name, f.uploaded_at`

func scanAttachment(sc scanner) (*passnum.Attachment, error) {
	var f passnum.Attachment
	var uploaded string
	if err := sc.Scan(&f.ID, &f.ApplicationID, &f.FileName, &f.Size, &f.SHA256, &f.UploadedBy, &f.UploadedByName, &uploaded); err != nil {
		return nil, err
	}
	in := instants{table: "application_attachments", id: f.ID}
	f.UploadedAt = in.at("uploaded_at", uploaded)
	return &f, in.err
}

func (t *tx) attachments(applicationID int64) ([]*passnum.Attachment, error) {
	out, err := selectAll(t, scanAttachment, `SELECT `+attachmentColumns+` FROM application_attachments f
		JOIN organisations o ON o.id = f.uploaded_by WHERE f.application_id = ? ORDER BY f.id`, applicationID)
	if out == nil {
		out = []*passnum.Attachment{}
	}
	return out, err
}

func (t *tx) attachment(applicationID, id int64) (*passnum.Attachment, error) {
	f, err := scanAttachment(t.row(`SELECT `+attachmentColumns+` FROM application_attachments f
		JOIN organisations o ON o.id = f.uploaded_by WHERE f.id = ? AND f.application_id = ?`, id, applicationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("attachment", id)
	}
	return f, err
}

// draftOfApplicant returns the application an actor may change the
// attachments of: a draft of its own, while its call still takes
// applications. A member of a group reads the files, its lead joins them,
// as it alone writes and submits the application.
func (t *tx) draftOfApplicant(a *passnum.Actor, id int64, verb string) (*passnum.Application, error) {
	p, c, party, err := t.visibleApplication(a, id)
	if err != nil {
		return nil, err
	}
	if party != partyApplicant {
		return nil, notFound("application", id)
	}
	if p.ApplicantID != a.OrgID {
		return nil, passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Seul le chef de file joint ou retire les pièces de la candidature du groupement.")
	}
	if p.Status != passnum.ApplicationDraft {
		// Once submitted, the funder reviews the files as they were.
		return nil, applicationState(p, verb)
	}
	if passnum.Today(t.now) > c.ClosesOn {
		return nil, callClosed(c)
	}
	return p, nil
}

// AddAttachment joins a PDF file to a draft of the actor's collectivité.
// The content is checked before anything is written: a file that is
// empty, too large or not a PDF is refused and nothing is kept.
func (s *Store) AddAttachment(ctx context.Context, in passnum.AttachmentUpload) (*passnum.Attachment, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActApplicationWrite); err != nil {
		return nil, err
	}
	if err := passnum.CheckPDF(in.Content); err != nil {
		return nil, err
	}
	name := passnum.SanitizeFileName(in.FileName)
	sum := sha256.Sum256(in.Content)
	digest := hex.EncodeToString(sum[:])
	var out *passnum.Attachment
	err := s.write(ctx, "add attachment", func(tx *tx) error {
		if _, err := tx.draftOfApplicant(a, in.ApplicationID, "compléter de pièces jointes"); err != nil {
			return err
		}
		var n int
		if err := tx.get(&n, `SELECT COUNT(*) FROM application_attachments WHERE application_id = ?`, in.ApplicationID); err != nil {
			return err
		}
		if n >= passnum.MaxAttachments {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonAttachmentLimit,
				"La candidature compte déjà %d pièces jointes, le maximum : retirez-en une avant d'en joindre une autre.", passnum.MaxAttachments)
		}
		id, err := tx.insert(`INSERT INTO application_attachments (application_id, file_name, size, sha256, content, uploaded_by, uploaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, in.ApplicationID, name, len(in.Content), digest, in.Content, a.OrgID, tx.nowText())
		if err != nil {
			return err
		}
		if err := tx.audit("application.attachment.add", fmt.Sprintf("application:%d", in.ApplicationID),
			fmt.Sprintf("attachment:%d %q size=%d sha256=%s", id, name, len(in.Content), digest)); err != nil {
			return err
		}
		out, err = tx.attachment(in.ApplicationID, id)
		return err
	})
	return out, wrapf(err, "attachment to application %d", in.ApplicationID)
}

// ListAttachments lists the files of an application the actor may read,
// in the order they were joined.
func (s *Store) ListAttachments(ctx context.Context, applicationID int64) ([]*passnum.Attachment, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActApplicationRead); err != nil {
		return nil, err
	}
	var out []*passnum.Attachment
	err := s.read(ctx, func(tx *tx) error {
		if _, _, _, err := tx.visibleApplication(a, applicationID); err != nil {
			return err
		}
		var err error
		out, err = tx.attachments(applicationID)
		return err
	})
	return out, wrapf(err, "attachments of application %d", applicationID)
}

// ReadAttachment returns a file of an application the actor may read,
// with its content.
func (s *Store) ReadAttachment(ctx context.Context, applicationID, id int64) (*passnum.Attachment, []byte, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActApplicationRead); err != nil {
		return nil, nil, err
	}
	var (
		f       *passnum.Attachment
		content []byte
	)
	err := s.read(ctx, func(tx *tx) error {
		if _, _, _, err := tx.visibleApplication(a, applicationID); err != nil {
			return err
		}
		var err error
		if f, err = tx.attachment(applicationID, id); err != nil {
			return err
		}
		return tx.get(&content, `SELECT content FROM application_attachments WHERE id = ?`, id)
	})
	if err != nil {
		return nil, nil, wrapf(err, "attachment %d of application %d", id, applicationID)
	}
	return f, content, nil
}

// DeleteAttachment removes a file from a draft of the actor's
// collectivité.
func (s *Store) DeleteAttachment(ctx context.Context, applicationID, id int64) error {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActApplicationWrite); err != nil {
		return err
	}
	err := s.write(ctx, "delete attachment", func(tx *tx) error {
		if _, err := tx.draftOfApplicant(a, applicationID, "modifier"); err != nil {
			return err
		}
		f, err := tx.attachment(applicationID, id)
		if err != nil {
			return err
		}
		if err := tx.exec(`DELETE FROM application_attachments WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.audit("application.attachment.delete", fmt.Sprintf("application:%d", applicationID),
			fmt.Sprintf("attachment:%d %q size=%d sha256=%s", id, f.FileName, f.Size, f.SHA256))
	})
	return wrapf(err, "attachment %d of application %d", id, applicationID)
}
