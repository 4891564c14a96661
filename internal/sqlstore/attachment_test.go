package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

var _ passnum.AttachmentService = (*sqlstore.Store)(nil)

// tinyPDF is the smallest file the type check takes: the header, a
// body, the end-of-file marker.
func tinyPDF(body string) []byte {
	return []byte("%PDF-1.4\n" + body + "\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

// attachmentRows counts the stored attachments, content included, and
// the journal's entries about them, straight from the tables.
func attachmentRows(t *testing.T, env *st.Env) (files, journal string) {
	t.Helper()
	n, err := sqlstore.QueryStrings(env.Store, `SELECT CAST(COUNT(*) AS TEXT) FROM application_attachments`)
	if err != nil {
		t.Fatal(err)
	}
	j, err := sqlstore.QueryStrings(env.Store, `SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE action LIKE 'application.attachment.%'`)
	if err != nil {
		t.Fatal(err)
	}
	return n[0], j[0]
}

func TestAttachments(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newCallWorld(t, env)
		s := env.Store
		draft, err := s.SaveApplication(w.dept, w.input(10_000_00, 10_000_00, 0))
		if err != nil {
			t.Fatal(err)
		}
		content := tinyPDF("Délibération du conseil départemental, 12 mars 2027")
		sum := sha256.Sum256(content)
		f, err := s.AddAttachment(w.dept, passnum.AttachmentUpload{ApplicationID: draft.ID, FileName: `C:\Documents\délibération <mars>.PDF`, Content: content})
		if err != nil {
			t.Fatal(err)
		}
		if f.FileName != "délibération _mars_.pdf" || f.Size != int64(len(content)) || f.SHA256 != hex.EncodeToString(sum[:]) ||
			f.UploadedBy != w.f.Dept.ID || f.UploadedByName != w.f.Dept.Name || f.UploadedAt.IsZero() {
			t.Fatalf("attachment %+v: want the sanitised name, the size, the hash and the département", f)
		}
		// The content comes back byte for byte.
		got, back, err := s.ReadAttachment(w.dept, draft.ID, f.ID)
		if err != nil || !bytes.Equal(back, content) || *got != *f {
			t.Fatalf("read back %+v (%d bytes, %v), want %+v and the content sent", got, len(back), err, f)
		}
		if files, journal := attachmentRows(t, env); files != "1" || journal != "1" {
			t.Fatalf("%s files and %s journal entries after an upload, want 1 and 1", files, journal)
		}
		detail, err := sqlstore.QueryStrings(env.Store, `SELECT detail FROM audit_log WHERE action = 'application.attachment.add'`)
		if err != nil || len(detail) != 1 || !strings.Contains(detail[0], f.SHA256) || strings.Contains(detail[0], "Délibération") {
			t.Fatalf("journal %q (%v): want the hash, never the content", detail, err)
		}

		// Refusals change nothing.
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR%%EOF")
		huge := append(tinyPDF(""), make([]byte, passnum.MaxAttachmentBytes)...)
		copy(huge[len(huge)-6:], "%%EOF\n")
		foundation := st.As(st.Actor(w.foundation, passnum.RoleAdmin))
		cases := []struct {
			name    string
			ctx     context.Context
			content []byte
			reason  string
		}{
			{"empty", w.dept, nil, passnum.ReasonAttachmentNotPDF},
			{"text named .pdf", w.dept, []byte("Ceci est un texte.\n%%EOF"), passnum.ReasonAttachmentNotPDF},
			{"PNG named .pdf", w.dept, png, passnum.ReasonAttachmentNotPDF},
			{"header without trailer", w.dept, []byte("%PDF-1.7\n" + strings.Repeat("x", 2000)), passnum.ReasonAttachmentNotPDF},
			{"trailer far from the end", w.dept, []byte("%PDF-1.7\n%%EOF\n" + strings.Repeat("x", 2000)), passnum.ReasonAttachmentNotPDF},
			{"over 10 Mo", w.dept, huge, passnum.ReasonAttachmentTooLarge},
			{"the call's funder", w.state, content, passnum.ReasonNotFound},
			{"a funder with nothing to do with it", foundation, content, passnum.ReasonNotFound},
			{"the département's agent", st.As(st.Actor(w.f.Dept, passnum.RoleAgent)), content, passnum.ReasonForbidden},
			{"a venue", st.VenueCtx(w.f.Venue), content, passnum.ReasonForbidden},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.AddAttachment(tc.ctx, passnum.AttachmentUpload{ApplicationID: draft.ID, FileName: "plan.pdf", Content: tc.content})
				if passnum.ErrorReason(err) != tc.reason || passnum.ErrorMessage(err) == "" {
					t.Fatalf("got %v, want %s", err, tc.reason)
				}
				if files, journal := attachmentRows(t, env); files != "1" || journal != "1" {
					t.Fatalf("%s files and %s journal entries after a refusal, want 1 and 1", files, journal)
				}
			})
		}

		// Who reads: the applicant and, once submitted, the call's funder;
		// never another funder.
		if _, err := s.ListAttachments(w.state, draft.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("the call's funder lists the files of a draft: %v, want not found", err)
		}
		for _, ctx := range []context.Context{foundation, st.As(st.Actor(w.other, passnum.RoleAgent))} {
			if _, _, err := s.ReadAttachment(ctx, draft.ID, f.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
				t.Fatalf("another funder reads the file: %v, want not found", err)
			}
		}

		// Deleting: the file and its content go, the journal says so.
		second, err := s.AddAttachment(w.dept, passnum.AttachmentUpload{ApplicationID: draft.ID, FileName: "", Content: tinyPDF("Budget")})
		if err != nil || second.FileName != "piece-jointe.pdf" {
			t.Fatalf("second file %+v, %v: want it named piece-jointe.pdf", second, err)
		}
		if err := s.DeleteAttachment(w.state, draft.ID, second.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("the call's funder deletes the applicant's file: %v, want not found", err)
		}
		if err := s.DeleteAttachment(w.dept, draft.ID, second.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAttachment(w.dept, draft.ID, second.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("deleting twice: %v, want not found", err)
		}
		if files, journal := attachmentRows(t, env); files != "1" || journal != "3" {
			t.Fatalf("%s files and %s journal entries after an upload and a removal, want 1 and 3", files, journal)
		}

		// Submitted, the files are frozen and the call's funder reads them.
		if _, err := s.SubmitApplication(w.dept, draft.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddAttachment(w.dept, passnum.AttachmentUpload{ApplicationID: draft.ID, FileName: "tard.pdf", Content: content}); passnum.ErrorReason(err) != passnum.ReasonApplicationState {
			t.Fatalf("upload after submission: %v, want %s", err, passnum.ReasonApplicationState)
		}
		if err := s.DeleteAttachment(w.dept, draft.ID, f.ID); passnum.ErrorReason(err) != passnum.ReasonApplicationState {
			t.Fatalf("removal after submission: %v, want %s", err, passnum.ReasonApplicationState)
		}
		list, err := s.ListAttachments(w.state, draft.ID)
		if err != nil || len(list) != 1 || *list[0] != *f {
			t.Fatalf("the call's funder lists %v, %v: want the one file left", list, err)
		}
		if _, back, err := s.ReadAttachment(w.state, draft.ID, f.ID); err != nil || sha256.Sum256(back) != sum {
			t.Fatalf("the call's funder reads %d bytes (%v), want the file as joined", len(back), err)
		}
		// An attachment is asked for through its own application only.
		other, err := s.SaveApplication(w.dept, w.input(1_000_00, 1_000_00, 0))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ReadAttachment(w.dept, other.ID, f.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("a file read through another application: %v, want not found", err)
		}
		if files, journal := attachmentRows(t, env); files != "1" || journal != "3" {
			t.Fatalf("%s files and %s journal entries after the refusals, want 1 and 3", files, journal)
		}
		st.MustCheck(t, env, w.f.Operator)
	})
}

// TestAttachmentLimit: an application holds passnum.MaxAttachments files;
// one more is refused until one is removed.
func TestAttachmentLimit(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newCallWorld(t, env)
		s := env.Store
		draft, err := s.SaveApplication(w.dept, w.input(10_000_00, 10_000_00, 0))
		if err != nil {
			t.Fatal(err)
		}
		var last *passnum.Attachment
		for i := range passnum.MaxAttachments {
			if last, err = s.AddAttachment(w.dept, passnum.AttachmentUpload{ApplicationID: draft.ID, FileName: "annexe.pdf", Content: tinyPDF(strings.Repeat("a", i))}); err != nil {
				t.Fatalf("file %d: %v", i+1, err)
			}
		}
		if _, err := s.AddAttachment(w.dept, passnum.AttachmentUpload{ApplicationID: draft.ID, FileName: "de trop.pdf", Content: tinyPDF("")}); passnum.ErrorReason(err) != passnum.ReasonAttachmentLimit {
			t.Fatalf("file %d: %v, want %s", passnum.MaxAttachments+1, err, passnum.ReasonAttachmentLimit)
		}
		if err := s.DeleteAttachment(w.dept, draft.ID, last.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddAttachment(w.dept, passnum.AttachmentUpload{ApplicationID: draft.ID, FileName: "à la place.pdf", Content: tinyPDF("")}); err != nil {
			t.Fatalf("after a removal: %v", err)
		}
	})
}
