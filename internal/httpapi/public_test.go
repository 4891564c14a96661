package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestPublicCarnetStatus: anyone learns what is left on a carnet from a
// pass code, without a token; codes that find no carnet all get the same
// 404, and 20 of them in 10 minutes stop the client's network until the
// window passes.
func TestPublicCarnetStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		venue := a.token(f.Venue.ID, passnum.RoleAgent)
		a.do(venue, "POST", "/api/v1/redemptions", map[string]any{"codes": f.CodesOf(f.Serials(0)[0]), "service_id": f.Service.ID, "idempotency_key": "k"}).ok(http.StatusCreated, nil)
		good := f.Codes[f.Serials(0)[3]]
		const path = "/api/v1/public/carnet-status"

		var cs passnum.CarnetStatus
		res := a.do("", "POST", path, map[string]any{"code": good}).ok(http.StatusOK, &cs)
		if cs.Number != f.Batch.FirstCarnet || cs.Status != passnum.CarnetUsable || cs.Remaining != 4 || cs.Used != 1 ||
			cs.Message != "Il vous reste 4 pass sur 5, valables jusqu'au 31 décembre 2027." || cs.Programme.Name != f.Programme.Name {
			t.Fatalf("status %+v", cs)
		}
		if res.header.Get("Cache-Control") != "no-store" || strings.Contains(string(res.body), "beneficiary") {
			t.Fatalf("answer %v %s", res.header, res.body)
		}
		// The QR payload works as well, and a token changes nothing.
		a.do(venue, "POST", path, map[string]any{"code": f.Payloads[f.Serials(0)[3]]}).ok(http.StatusOK, &cs)
		if cs.Number != f.Batch.FirstCarnet {
			t.Fatalf("status by payload %+v", cs)
		}
		// Requests that are not codes are not counted as guesses.
		for range 25 {
			a.do("", "POST", path, `{"code": `).problem(http.StatusBadRequest, "invalid-json")
			a.do("", "POST", path, map[string]any{"code": good}).ok(http.StatusOK, nil)
		}

		var details []string
		for i := range 20 {
			code := unknownCode(t)
			switch i % 4 {
			case 1:
				code = "7K3M-QX9D" // malformed
			case 2:
				code = forgedPayload(t, f, f.Serials(0)[1])
			case 3:
				code = ""
			}
			p := a.do("", "POST", path, map[string]any{"code": code}).problem(http.StatusNotFound, "carnet-unknown")
			details = append(details, p.Detail)
		}
		for _, d := range details[1:] {
			if d != details[0] {
				t.Fatalf("answers differ: %q and %q", details[0], d)
			}
		}
		res = a.do("", "POST", path, map[string]any{"code": good})
		p := res.problem(http.StatusTooManyRequests, "too-many-carnet-codes")
		if wait, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || wait < 590 || wait > 600 {
			t.Fatalf("Retry-After %q", res.header.Get("Retry-After"))
		}
		if !strings.Contains(p.Detail, "Réessayez à partir du") {
			t.Fatalf("detail %q", p.Detail)
		}
		// Another client network is not affected.
		req := httptest.NewRequest("POST", path, bytes.NewReader([]byte(`{"code":"`+good+`"}`)))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = "192.0.2.7:51000"
		rec := httptest.NewRecorder()
		a.server.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("another network: %d %s", rec.Code, rec.Body)
		}
		// Nor are the routes with a token.
		a.do(venue, "POST", "/api/v1/checks", map[string]any{"codes": []string{good}}).ok(http.StatusOK, nil)

		a.now.Advance(10*time.Minute + time.Second)
		a.do("", "POST", path, map[string]any{"code": good}).ok(http.StatusOK, nil)
	})
}

func TestPublicVenues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2, CarnetSize: 2})
		a := newAPI(t, env)
		ids := func(path string) []int64 {
			t.Helper()
			var got struct{ Items []passnum.PublicVenue }
			a.do("", "GET", path, nil).ok(http.StatusOK, &got)
			out := []int64{}
			for _, v := range got.Items {
				out = append(out, v.ID)
				if v.Services == nil {
					t.Fatalf("%s: venue %d without a services list", path, v.ID)
				}
			}
			return out
		}
		for _, tc := range []struct {
			path string
			want []int64
		}{
			{"/api/v1/public/venues?commune=29019", []int64{f.Venue2.ID, f.Venue.ID, f.Outside.ID}},
			{"/api/v1/public/venues?territory=region:53&commune=35238", []int64{f.Venue.ID, f.Venue2.ID}},
			{"/api/v1/public/venues?territory=departement:29,departement:69", []int64{f.Outside.ID, f.Venue2.ID}},
			{"/api/v1/public/venues?territory=departement:29&territory=departement:35", []int64{f.Venue.ID, f.Venue2.ID}},
			{"/api/v1/public/venues?limit=1", []int64{f.Outside.ID}},
		} {
			if got := ids(tc.path); !equalIDs(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.path, got, tc.want)
			}
		}
		for path, field := range map[string]string{
			"/api/v1/public/venues?territory=region:99": "territory",
			"/api/v1/public/venues?commune=Rennes":      "commune",
			"/api/v1/public/venues?limit=0":             "limit",
			"/api/v1/public/venues?limit=201":           "limit",
		} {
			if p := a.do("", "GET", path, nil).problem(http.StatusBadRequest, "invalid-input"); p.Field != field {
				t.Errorf("%s: field %q, want %q", path, p.Field, field)
			}
		}
	})
}

func equalIDs(a, b []int64) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
