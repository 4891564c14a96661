package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestAuditAnchors: an operator admin downloads the journal's anchors as
// JSON and as CSV, and both read back as the same anchors, which verify.
func TestAuditAnchors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		a := newAPI(t, env)
		if _, err := env.Store.SealAudit(context.Background()); err != nil {
			t.Fatal(err)
		}
		var list passnum.AuditAnchorList
		a.do(a.operatorToken(), "GET", "/api/v1/audit/anchors", nil).ok(http.StatusOK, &list)
		if len(list.Anchors) != 1 || list.Anchors[0].Seq < 1 || len(list.Anchors[0].Hash) != 64 {
			t.Fatalf("anchors after the first sealing: %+v, want one", list.Anchors)
		}
		res := a.do(a.operatorToken(), "GET", "/api/v1/audit/anchors.csv", nil)
		if res.status != http.StatusOK || res.header.Get("Content-Type") != "text/csv; charset=utf-8" || !bytes.HasPrefix(res.body, []byte("numero;empreinte;date\r\n")) {
			t.Fatalf("CSV: %d %q %q", res.status, res.header.Get("Content-Type"), res.body)
		}
		fromCSV, err := passnum.ReadAuditAnchors(bytes.NewReader(res.body))
		if err != nil {
			t.Fatal(err)
		}
		if len(fromCSV) != 1 || fromCSV[0].Seq != list.Anchors[0].Seq || fromCSV[0].Hash != list.Anchors[0].Hash || !fromCSV[0].At.Equal(list.Anchors[0].At) {
			t.Errorf("CSV anchors %+v, JSON %+v", fromCSV, list.Anchors)
		}
		if err := env.Store.VerifyAuditAnchors(storetest.As(a.op), fromCSV); err != nil {
			t.Errorf("the anchors downloaded do not verify: %v", err)
		}
	})
}
