package httpapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// fiftyMegabytes is a body of 50 Mo that starts like a PDF, made as it
// is read: it counts what was read of it and says when it is closed.
type fiftyMegabytes struct {
	read   atomic.Int64
	closed chan struct{}
}

const fiftyMo = 50 << 20

func (b *fiftyMegabytes) Read(p []byte) (int, error) {
	left := fiftyMo - b.read.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), left))
	clear(p[:n])
	if b.read.Load() == 0 {
		n = copy(p, "%PDF-1.7\n")
	}
	b.read.Add(int64(n))
	return n, nil
}

func (b *fiftyMegabytes) Close() error {
	select {
	case <-b.closed:
	default:
		close(b.closed)
	}
	return nil
}

// TestAttachmentsAPI: a PDF joined to a draft comes back byte for byte,
// as a download; a 50 Mo body is refused with 413 without being read
// whole, and a text or a PNG named .pdf with 415, nothing stored either
// time; after submission the files are frozen; another organisation
// neither reads nor removes them.
func TestAttachmentsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 1})
		a := newAPI(t, env)
		state, dept := a.token(f.State.ID, passnum.RoleAdmin), a.token(f.Dept.ID, passnum.RoleAdmin)
		other, err := env.Store.CreateOrganisation(storetest.As(f.Operator), passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Département du Rhône"})
		if err != nil {
			t.Fatal(err)
		}
		intruder := a.token(other.ID, passnum.RoleAdmin)
		var call passnum.Call
		a.do(state, "POST", "/api/v1/calls", map[string]any{"title": "AAP 2027", "envelope_cents": 50_000_00,
			"applicant_kinds": []string{"departement"}, "opens_on": "2027-03-01", "closes_on": "2027-04-30"}).ok(http.StatusCreated, &call)
		var app passnum.Application
		a.do(dept, "POST", "/api/v1/applications", map[string]any{"call_id": call.ID, "applicant_kind": "departement", "title": "Plan 35",
			"territory": []string{"departement:35"}, "targets": map[string]int{"people": 100, "passes": 1000},
			"lines": []map[string]any{{"funder_id": f.State.ID, "year": 2027, "amount_cents": 5_000_00}, {"funder_id": f.Dept.ID, "year": 2027, "amount_cents": 5_000_00}},
		}).ok(http.StatusCreated, &app)
		files := fmt.Sprintf("/api/v1/applications/%d/attachments", app.ID)
		pdfType := header{"Content-Type", "application/pdf"}
		stored := func(want int) {
			t.Helper()
			var list page[passnum.Attachment]
			a.do(dept, "GET", files, nil).ok(http.StatusOK, &list)
			if list.Total != want || len(list.Items) != want {
				t.Fatalf("%d attachments listed, want %d", list.Total, want)
			}
		}

		content := "%PDF-1.4\n% Délibération\ntrailer\n<< >>\n%%EOF\n"
		var att passnum.Attachment
		res := a.do(dept, "POST", files+"?file_name="+strings.ReplaceAll("délibération mars.pdf", " ", "%20"), content, pdfType).ok(http.StatusCreated, &att)
		sum := sha256.Sum256([]byte(content))
		if att.FileName != "délibération mars.pdf" || att.Size != int64(len(content)) || att.SHA256 != hex.EncodeToString(sum[:]) ||
			res.header.Get("Location") != fmt.Sprintf("%s/%d", files, att.ID) {
			t.Fatalf("attachment %+v at %q", att, res.header.Get("Location"))
		}
		one := fmt.Sprintf("%s/%d", files, att.ID)
		got := a.do(dept, "GET", one, nil)
		if got.status != http.StatusOK || sha256.Sum256(got.body) != sum {
			t.Fatalf("download: %d, %d bytes; want the file as sent", got.status, len(got.body))
		}
		for h, want := range map[string]string{
			"Content-Type":           "application/pdf",
			"Content-Disposition":    "attachment; filename*=utf-8''d%C3%A9lib%C3%A9ration%20mars.pdf",
			"X-Content-Type-Options": "nosniff",
		} {
			if v := got.header.Get(h); v != want {
				t.Errorf("download: %s %q, want %q", h, v, want)
			}
		}
		// The name may come from a Content-Disposition header too.
		var second passnum.Attachment
		a.do(dept, "POST", files, "%PDF-1.7\n%%EOF", pdfType, header{"Content-Disposition", `attachment; filename="budget.pdf"`}).ok(http.StatusCreated, &second)
		if second.FileName != "budget.pdf" {
			t.Fatalf("name from Content-Disposition: %q", second.FileName)
		}
		stored(2)

		// 50 Mo, announced or sent in chunks: 413 at the limit, nothing
		// stored, and the body not read to its end.
		for _, announced := range []bool{true, false} {
			body := &fiftyMegabytes{closed: make(chan struct{})}
			req, err := http.NewRequest("POST", a.http.URL+files+"?file_name=gros.pdf", body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = -1 // chunked
			if announced {
				req.ContentLength = fiftyMo
			}
			req.Header.Set("Authorization", "Bearer "+dept)
			req.Header.Set("Content-Type", "application/pdf")
			r, err := a.http.Client().Do(req)
			if err != nil {
				t.Fatalf("50 Mo (announced %v): %v", announced, err)
			}
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			(&response{t: t, req: "POST 50 Mo", status: r.StatusCode, header: r.Header, body: b}).problem(http.StatusRequestEntityTooLarge, passnum.ReasonAttachmentTooLarge)
			var p struct{ Detail string }
			if json.Unmarshal(b, &p) != nil || !strings.Contains(p.Detail, "10 Mo") {
				t.Errorf("detail %q: want the limit in French", p.Detail)
			}
			select {
			case <-body.closed:
			case <-time.After(10 * time.Second):
				t.Fatalf("the client still sends the 50 Mo body 10 s after the answer")
			}
			t.Logf("50 Mo announced %v: %d bytes of it sent before the server closed the connection", announced, body.read.Load())
			if n := body.read.Load(); n >= fiftyMo {
				t.Errorf("announced %v: the whole body was sent (%d bytes): the server read it all", announced, n)
			}
			stored(2)
		}

		// Not a PDF, whatever its name and Content-Type.
		for _, bad := range []string{"", "Un texte.\n%%EOF\n", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"} {
			a.do(dept, "POST", files+"?file_name=plan.pdf", bad, pdfType).problem(http.StatusUnsupportedMediaType, passnum.ReasonAttachmentNotPDF)
		}
		stored(2)

		// Another organisation reads nothing and removes nothing; the
		// call's funder does not see a draft's files.
		a.do(intruder, "GET", files, nil).problem(http.StatusNotFound, passnum.ReasonNotFound)
		a.do(intruder, "GET", one, nil).problem(http.StatusNotFound, passnum.ReasonNotFound)
		a.do(intruder, "DELETE", one, nil).problem(http.StatusNotFound, passnum.ReasonNotFound)
		a.do(intruder, "POST", files, content, pdfType).problem(http.StatusNotFound, passnum.ReasonNotFound)
		a.do(state, "GET", one, nil).problem(http.StatusNotFound, passnum.ReasonNotFound)

		// Removal, then submission: the files are frozen and the call's
		// funder reads them.
		if r := a.do(dept, "DELETE", fmt.Sprintf("%s/%d", files, second.ID), nil); r.status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.status, r.body)
		}
		stored(1)
		a.do(dept, "POST", fmt.Sprintf("/api/v1/applications/%d/submission", app.ID), nil).ok(http.StatusOK, nil)
		a.do(dept, "POST", files, content, pdfType).problem(http.StatusConflict, passnum.ReasonApplicationState)
		a.do(dept, "DELETE", one, nil).problem(http.StatusConflict, passnum.ReasonApplicationState)
		if got := a.do(state, "GET", one, nil); got.status != http.StatusOK || sha256.Sum256(got.body) != sum {
			t.Fatalf("the call's funder downloads: %d, %d bytes", got.status, len(got.body))
		}
		a.do(intruder, "GET", one, nil).problem(http.StatusNotFound, passnum.ReasonNotFound)
		stored(1)
	})
}
