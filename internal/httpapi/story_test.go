package httpapi_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestStory runs a programme end to end through the API only: the operator
// sets it up, a prescriber hands a carnet out, a venue checks, redeems,
// replays and voids, and the books still balance.
func TestStory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		a := newAPI(t, env)
		op := a.operatorToken()

		var me passnum.Actor
		a.do(op, "GET", "/api/v1/me", nil).ok(http.StatusOK, &me)
		if me.OrgKind != passnum.KindOperator || me.Role != passnum.RoleAdmin || me.OrgID != a.op.OrgID {
			t.Fatalf("me = %+v", me)
		}

		org := func(c passnum.OrganisationCreate) *passnum.Organisation {
			var o passnum.Organisation
			res := a.do(op, "POST", "/api/v1/organisations", c).ok(http.StatusCreated, &o)
			if loc := res.header.Get("Location"); loc != fmt.Sprintf("/api/v1/organisations/%d", o.ID) {
				t.Fatalf("location %q", loc)
			}
			return &o
		}
		state := org(passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "État — ANCT"})
		region := org(passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Région Bretagne"})
		ccas := org(passnum.OrganisationCreate{Kind: passnum.KindPrescriber, Name: "CCAS de Rennes", CommuneINSEE: "35238"})
		// A venue qualified on paper is created so; later decisions follow
		// the workflow (a suspension, lifted).
		venue := org(passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "La Quincaillerie numérique", SIRET: "78282932000079", CommuneINSEE: "35238",
			Qualification: passnum.QualificationQualified})
		if venue.Qualification != passnum.QualificationQualified {
			t.Fatalf("new venue is %q", venue.Qualification)
		}
		for _, status := range []passnum.Qualification{passnum.QualificationSuspended, passnum.QualificationQualified} {
			a.do(op, "POST", fmt.Sprintf("/api/v1/organisations/%d/qualification", venue.ID),
				map[string]any{"status": status, "reason": "Contrôle annuel"}).ok(http.StatusOK, venue)
			if venue.Qualification != status {
				t.Fatalf("venue is %q, want %q", venue.Qualification, status)
			}
		}
		var found page[passnum.Organisation]
		a.do(op, "GET", "/api/v1/organisations?kind=funder&q=bretagne", nil).ok(http.StatusOK, &found)
		if found.Total != 1 || found.Items[0].ID != region.ID {
			t.Fatalf("search funders: %+v", found)
		}

		newToken := func(orgID int64, role passnum.Role) string {
			var tok struct {
				passnum.APIToken
				Secret string `json:"secret"`
			}
			res := a.do(op, "POST", "/api/v1/tokens", map[string]any{"org_id": orgID, "role": role, "name": "logiciel de caisse"}).ok(http.StatusCreated, &tok)
			if !strings.HasPrefix(tok.Secret, "pn_") || tok.OrgID != orgID || !strings.HasPrefix(tok.Secret, tok.Prefix) {
				t.Fatalf("token %+v", tok)
			}
			if res.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("a secret must not be cached: %v", res.header)
			}
			return tok.Secret
		}
		prescriber := newToken(ccas.ID, passnum.RoleAgent)
		venueAdmin := newToken(venue.ID, passnum.RoleAdmin)
		venueAgent := newToken(venue.ID, passnum.RoleAgent)
		var tokens page[passnum.APIToken]
		res := a.do(venueAdmin, "GET", fmt.Sprintf("/api/v1/organisations/%d/tokens", venue.ID), nil).ok(http.StatusOK, &tokens)
		if tokens.Total != 2 || strings.Contains(string(res.body), venueAgent) || strings.Contains(string(res.body), venueAdmin) {
			t.Fatalf("token list shows secrets or misses tokens: %s", res.body)
		}

		var prog passnum.Programme
		res = a.do(op, "POST", "/api/v1/programmes", map[string]any{
			"name":         "Pass numérique Bretagne 2027",
			"funders":      []map[string]any{{"funder_id": state.ID, "share_bp": 5000}, {"funder_id": region.ID, "share_bp": 5000}},
			"budget_cents": 100000, "carnet_size": 5,
			"valid_from": "2027-01-01", "valid_until": "2027-12-31",
			"territory": []string{"region:53"},
			"services":  []string{"Maîtrise des outils numériques du quotidien"},
		}).ok(http.StatusCreated, &prog)
		if res.header.Get("Location") != fmt.Sprintf("/api/v1/programmes/%d", prog.ID) || prog.FaceValueCents != 1000 || len(prog.Funders) != 2 {
			t.Fatalf("programme %+v at %q", prog, res.header.Get("Location"))
		}
		progPath := fmt.Sprintf("/api/v1/programmes/%d", prog.ID)

		var batch passnum.Batch
		a.do(op, "POST", progPath+"/batches", map[string]any{"carnets": 4}).ok(http.StatusCreated, &batch)
		if batch.Passes != 20 || batch.LastCarnet-batch.FirstCarnet != 3 {
			t.Fatalf("batch %+v", batch)
		}
		// Passes are activated only once the funders' money is recorded.
		a.do(op, "POST", progPath+"/activations", map[string]any{"batch_id": batch.ID}).problem(http.StatusUnprocessableEntity, "funds-insufficient")
		for i, funder := range []*passnum.Organisation{state, region} {
			var po passnum.PaymentOrder
			a.do(op, "POST", progPath+"/funds", map[string]any{"funder_id": funder.ID, "reference": fmt.Sprintf("OP-2027-%d", i), "amount_cents": 10400, "received_on": "2027-02-01"}).ok(http.StatusCreated, &po)
		}
		var orders page[passnum.PaymentOrder]
		a.do(op, "GET", progPath+"/funds", nil).ok(http.StatusOK, &orders)
		if orders.Total != 2 || len(orders.Items) != 2 || orders.Limit != 50 {
			t.Fatalf("payment orders %+v", orders)
		}
		var activated struct{ Activated int64 }
		a.do(op, "POST", progPath+"/activations", map[string]any{"batch_id": batch.ID}).ok(http.StatusOK, &activated)
		if activated.Activated != 20 {
			t.Fatalf("activated %d", activated.Activated)
		}
		var allocated struct{ Allocated int }
		a.do(op, "POST", "/api/v1/allocations", map[string]any{"prescriber_id": ccas.ID, "first_carnet": batch.FirstCarnet, "last_carnet": batch.FirstCarnet + 1}).ok(http.StatusOK, &allocated)
		if allocated.Allocated != 2 {
			t.Fatalf("allocated %d", allocated.Allocated)
		}

		var stock page[passnum.Carnet]
		a.do(prescriber, "GET", "/api/v1/carnets?distributed=false", nil).ok(http.StatusOK, &stock)
		if stock.Total != 2 {
			t.Fatalf("prescriber's stock %+v", stock)
		}
		var dist passnum.Distribution
		a.do(prescriber, "POST", fmt.Sprintf("/api/v1/carnets/%d/distribution", batch.FirstCarnet), map[string]any{"beneficiary": map[string]any{
			"birth_year": 1950, "commune_insee": "35238", "needs": []string{"Aide aux démarches administratives"}, "consent_at": "2027-03-01"}}).ok(http.StatusCreated, &dist)
		if dist.Beneficiary.Ref == "" || dist.Carnet.Remaining != 5 {
			t.Fatalf("distribution %+v", dist)
		}
		var who passnum.Beneficiary
		a.do(prescriber, "GET", "/api/v1/beneficiaries/"+dist.Beneficiary.Ref, nil).ok(http.StatusOK, &who)
		if who.ID != dist.Beneficiary.ID {
			t.Fatalf("beneficiary %+v", who)
		}

		var workshop passnum.CatalogueService
		a.do(venueAdmin, "POST", "/api/v1/services", passnum.CatalogueServiceCreate{Title: "Premiers pas sur smartphone",
			Category: "Maîtrise des outils numériques du quotidien", DurationMinutes: 90, PricePasses: 1}).ok(http.StatusCreated, &workshop)
		if workshop.VenueID != venue.ID || !workshop.Active {
			t.Fatalf("service %+v", workshop)
		}

		// The printer's file, the only place codes leave the platform.
		res = a.do(op, "GET", fmt.Sprintf("/api/v1/batches/%d/passes.csv", batch.ID), nil).ok(http.StatusOK, nil)
		if ct, cd := res.header.Get("Content-Type"), res.header.Get("Content-Disposition"); ct != "text/csv; charset=utf-8" || !strings.HasPrefix(cd, "attachment;") {
			t.Fatalf("export headers: %q, %q", ct, cd)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(res.body), "\ufeff")))
		r.Comma = ';'
		rows, err := r.ReadAll()
		if err != nil || len(rows) != 21 {
			t.Fatalf("export: %d rows, %v", len(rows), err)
		}
		codes, payloads := map[int64]string{}, map[int64]string{}
		for _, row := range rows[1:] {
			serial, _ := strconv.ParseInt(row[0], 10, 64)
			codes[serial], payloads[serial] = row[4], row[5]
		}
		// One pass typed, one scanned.
		presented := []string{codes[batch.FirstSerial], payloads[batch.FirstSerial+1]}

		var checked struct{ Passes []passnum.PassCheck }
		a.do(venueAgent, "POST", "/api/v1/checks", map[string]any{"codes": presented, "service_id": workshop.ID}).ok(http.StatusOK, &checked)
		if len(checked.Passes) != 2 || !checked.Passes[0].Usable || !checked.Passes[1].Usable {
			t.Fatalf("check %+v", checked)
		}
		redeem := map[string]any{"codes": presented, "service_id": workshop.ID, "idempotency_key": "caisse-1-000042"}
		var first passnum.Redemption
		a.do(venueAgent, "POST", "/api/v1/redemptions", redeem).ok(http.StatusCreated, &first)
		if first.Replayed || len(first.Serials) != 2 || first.AmountCents != 2000 || first.VenueID != venue.ID {
			t.Fatalf("redemption %+v", first)
		}
		// The till lost the answer and sends again, the key in a header
		// this time: the same redemption comes back, nothing is spent twice.
		delete(redeem, "idempotency_key")
		var replay passnum.Redemption
		a.do(venueAgent, "POST", "/api/v1/redemptions", redeem, header{"Idempotency-Key", "caisse-1-000042"}).ok(http.StatusOK, &replay)
		if !replay.Replayed || replay.ID != first.ID || replay.AmountCents != first.AmountCents {
			t.Fatalf("replay %+v of %+v", replay, first)
		}
		var reds page[passnum.Redemption]
		a.do(venueAgent, "GET", "/api/v1/redemptions", nil).ok(http.StatusOK, &reds)
		if reds.Total != 1 || reds.Items[0].ID != first.ID {
			t.Fatalf("redemptions %+v", reds)
		}
		var carnet passnum.Carnet
		a.do(prescriber, "GET", fmt.Sprintf("/api/v1/carnets/%d", batch.FirstCarnet), nil).ok(http.StatusOK, &carnet)
		if carnet.Remaining != 3 {
			t.Fatalf("carnet after redemption %+v", carnet)
		}

		var voided passnum.Redemption
		a.do(venueAgent, "POST", fmt.Sprintf("/api/v1/redemptions/%d/void", first.ID), nil).ok(http.StatusOK, &voided)
		if voided.VoidedAt == nil {
			t.Fatalf("void %+v", voided)
		}
		a.do(venueAgent, "POST", fmt.Sprintf("/api/v1/redemptions/%d/void", first.ID), nil).problem(http.StatusConflict, "already-voided")

		a.do(op, "GET", progPath, nil).ok(http.StatusOK, &prog)
		if got := prog.PassesByState; got[passnum.StateDistributed] != 5 || got[passnum.StateAllocated] != 5 || got[passnum.StateActivated] != 10 || got[passnum.StateRedeemed] != 0 {
			t.Fatalf("passes by state %v", got)
		}
		var report struct {
			OK       bool     `json:"ok"`
			Passes   int64    `json:"passes"`
			Problems []string `json:"problems"`
		}
		a.do(op, "GET", "/api/v1/invariants", nil).ok(http.StatusOK, &report)
		if !report.OK || report.Passes != 20 || len(report.Problems) != 0 {
			t.Fatalf("invariants %+v", report)
		}

		// The access log names routes and actors, never secrets or codes.
		logs := a.logs.String()
		for _, secret := range append([]string{op, prescriber, venueAdmin, venueAgent, dist.Beneficiary.Ref}, presented...) {
			if strings.Contains(logs, secret) {
				t.Fatalf("the log holds a secret %q:\n%s", secret, logs)
			}
		}
		if !strings.Contains(logs, `"pattern":"POST /api/v1/redemptions"`) || !strings.Contains(logs, `"status":201`) {
			t.Fatalf("access log misses the redemption:\n%s", logs)
		}
	})
}
