package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestAttachmentsPage: the applicant joins a PDF to its draft from the
// application's page, sees it listed with its size in French and
// downloads it; a file that is not a PDF, or too large, comes back with
// the French error next to the field and nothing joined; an agent may
// not join; the applicant removes the file.
func TestAttachmentsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f, st := s.f, env.Store
		// The département's call, to which the State (the site's funder)
		// applies: its admin is the applicant here.
		call, err := st.CreateCall(storetest.As(f.Operator), passnum.CallCreate{FunderID: f.Dept.ID, Title: "AAP du département", EnvelopeCents: 100_000_00,
			ApplicantKinds: []passnum.ApplicantKind{passnum.ApplicantRegion}, OpensOn: "2027-03-01", ClosesOn: "2027-04-30"})
		if err != nil {
			t.Fatal(err)
		}
		stateCtx := storetest.As(storetest.Actor(f.State, passnum.RoleAdmin))
		app, err := st.SaveApplication(stateCtx, passnum.ApplicationInput{CallID: call.ID, Title: "Plan régional"})
		if err != nil {
			t.Fatal(err)
		}
		admin, agent := s.as(passnum.KindFunder, passnum.RoleAdmin), s.as(passnum.KindFunder, passnum.RoleAgent)
		page := fmt.Sprintf("/financeur/candidatures/%d", app.ID)
		files := page + "/pieces"
		count := func() int {
			t.Helper()
			list, err := st.ListAttachments(stateCtx, app.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		if a := s.get(admin, page); a.status != http.StatusOK || !strings.Contains(a.text(), "Aucune pièce jointe.") ||
			!strings.Contains(a.body, `enctype="multipart/form-data"`) || !strings.Contains(a.text(), "Au format PDF, 10 Mo au plus") {
			t.Fatalf("draft page: %d\n%s", a.status, a.text())
		}

		pdf := []byte("%PDF-1.4\n" + strings.Repeat("% ligne de remplissage\n", 56) + "%%EOF\n")
		if a := s.upload(admin, files, "Délibération.pdf", string(pdf)); a.status != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%s", a.status, a.text())
		}
		a := s.get(admin, page)
		if !strings.Contains(a.text(), "Délibération.pdf") || !strings.Contains(a.text(), "1,3 ko") || !strings.Contains(a.text(), "Retirer Délibération.pdf") {
			t.Fatalf("the file is not listed with its size and its removal button:\n%s", a.text())
		}
		list, err := st.ListAttachments(stateCtx, app.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("attachments %v, %v", list, err)
		}
		link := fmt.Sprintf("%s/%d/piece.pdf", files, list[0].ID)
		if !strings.Contains(a.body, `href="`+link+`"`) {
			t.Fatalf("no download link %s", link)
		}
		if d := s.get(admin, link); d.status != http.StatusOK || d.body != string(pdf) || d.header.Get("Content-Type") != "application/pdf" ||
			d.header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(d.header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("download: %d %v", d.status, d.header)
		}

		cases := []struct {
			name    string
			content []byte
			status  int
			says    string
		}{
			{"text named .pdf", []byte("Un budget en texte.\n"), http.StatusUnsupportedMediaType, "Le fichier n'est pas un PDF"},
			{"PNG named .pdf", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), http.StatusUnsupportedMediaType, "Le fichier n'est pas un PDF"},
			{"empty", nil, http.StatusUnsupportedMediaType, "Le fichier est vide"},
			{"a little over 10 Mo", append([]byte("%PDF-1.4\n"), make([]byte, passnum.MaxAttachmentBytes)...), http.StatusRequestEntityTooLarge, "Le fichier dépasse 10 Mo"},
		}
		for _, c := range cases {
			a := s.upload(admin, files, "budget.pdf", string(c.content))
			if a.status != c.status || !strings.Contains(a.body, `id="file-error"`) || !strings.Contains(a.text(), c.says) {
				t.Errorf("%s: %d, want %d and %q next to the field\n%.2000s", c.name, a.status, c.status, c.says, a.text())
			}
		}
		// Far over the limit, the body is cut before the form is read.
		if a := s.upload(admin, files, "gros.pdf", "%PDF-1.4\n"+strings.Repeat("x", 12<<20)); a.status != http.StatusRequestEntityTooLarge ||
			!strings.Contains(a.text(), "Fichier trop volumineux") {
			t.Errorf("12 Mo: %d\n%.1000s", a.status, a.text())
		}
		if a := s.upload(agent, files, "plan.pdf", string(pdf)); a.status != http.StatusForbidden {
			t.Errorf("an agent joins a file: %d", a.status)
		}
		if n := count(); n != 1 {
			t.Fatalf("%d files after the refusals, want 1", n)
		}

		if a := s.post(admin, fmt.Sprintf("%s/%d/suppression", files, list[0].ID), nil); a.status != http.StatusSeeOther {
			t.Fatalf("removal: %d\n%s", a.status, a.text())
		}
		if n := count(); n != 0 {
			t.Fatalf("%d files after the removal, want 0", n)
		}
		if d := s.get(admin, link); d.status != http.StatusNotFound {
			t.Fatalf("a removed file: %d", d.status)
		}
	})
}
