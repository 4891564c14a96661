package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sepa/sepatest"
	"github.com/passnum/passnum/internal/storetest"
)

// pain001 is what the tests read of a pain.001 file.
type pain001 struct {
	GrpHdr struct {
		MsgID     string `xml:"MsgId"`
		NbOfTxs   string `xml:"NbOfTxs"`
		CtrlSum   string `xml:"CtrlSum"`
		Initiator string `xml:"InitgPty>Nm"`
	} `xml:"CstmrCdtTrfInitn>GrpHdr"`
	Transfers []struct {
		EndToEndID string `xml:"PmtId>EndToEndId"`
		Amount     string `xml:"Amt>InstdAmt"`
		IBAN       string `xml:"CdtrAcct>Id>IBAN"`
	} `xml:"CstmrCdtTrfInitn>PmtInf>CdtTrfTxInf"`
}

const testIBAN = "FR7630006000011234567890189"

// redeemOver redeems the passes of serials at a venue's service over HTTP.
func redeemOver(t *testing.T, a *api, f *storetest.Fixture, venue *passnum.Organisation, service int64, serials []int64) {
	t.Helper()
	a.do(a.token(venue.ID, passnum.RoleAgent), "POST", "/api/v1/redemptions", map[string]any{
		"codes": f.CodesOf(serials...), "service_id": service, "idempotency_key": fmt.Sprintf("settle-%d", serials[0])}).ok(http.StatusCreated, nil)
}

// TestSettlement walks a month's settlement over HTTP: passes redeemed at
// two venues, a run, statements read by the operator and by each venue
// (its own only, as JSON, CSV and PDF), validation, the payer account, a
// payment batch and its pain.001 file, one transfer paid and one rejected
// (its passes back in the next run), the funders' charges (each its own),
// and the credit notes of the passes that expired unused.
func TestSettlement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		op := a.operatorToken()
		venue, venue2 := a.token(f.Venue.ID, passnum.RoleAdmin), a.token(f.Venue2.ID, passnum.RoleAgent)
		state, dept := a.token(f.State.ID, passnum.RoleAdmin), a.token(f.Dept.ID, passnum.RoleAgent)

		redeemOver(t, a, f, f.Venue, f.Service.ID, f.Serials(0)[:3])
		redeemOver(t, a, f, f.Venue2, f.Service2.ID, f.Serials(1)[:2])
		for _, id := range []int64{f.Venue.ID, f.Venue2.ID} {
			a.do(op, "PUT", fmt.Sprintf("/api/v1/venues/%d/bank-account", id), map[string]any{
				"holder": "Association du lieu", "iban": testIBAN, "bic": "AGRIFRPP"}).ok(http.StatusNoContent, nil)
		}
		env.Clock.Set(time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC))

		// Bad cut-off dates are refused as invalid input, nothing run.
		for _, bad := range []string{"", "31/03/2027", "2027-02-30", "2027-3-31"} {
			p := a.do(op, "POST", "/api/v1/settlement-runs", map[string]any{"cut_off": bad}).problem(http.StatusBadRequest, "invalid-input")
			if p.Field != "cut_off" {
				t.Errorf("cut_off %q: field %q", bad, p.Field)
			}
		}
		a.do(op, "POST", "/api/v1/settlement-runs", map[string]any{"cut_off": "2027-03-31", "period": "mars"}).problem(http.StatusBadRequest, "unknown-field")
		a.do(venue, "POST", "/api/v1/settlement-runs", map[string]any{"cut_off": "2027-03-31"}).problem(http.StatusForbidden, "forbidden")

		var run passnum.SettlementRun
		res := a.do(op, "POST", "/api/v1/settlement-runs", map[string]any{"cut_off": "2027-03-31"}).ok(http.StatusCreated, &run)
		if run.ID == 0 || run.CutOff != "2027-03-31" || run.Statements != 2 || run.Passes != 5 || run.AmountCents != 5000 {
			t.Fatalf("run %+v", run)
		}
		if loc := res.header.Get("Location"); loc != fmt.Sprintf("/api/v1/statements?run_id=%d", run.ID) {
			t.Errorf("Location %q", loc)
		}
		var runs page[passnum.SettlementRun]
		a.do(op, "GET", "/api/v1/settlement-runs", nil).ok(http.StatusOK, &runs)
		if runs.Total != 1 || runs.Items[0].ID != run.ID {
			t.Fatalf("runs %+v", runs)
		}

		var all page[passnum.Statement]
		a.do(op, "GET", fmt.Sprintf("/api/v1/statements?run_id=%d", run.ID), nil).ok(http.StatusOK, &all)
		if all.Total != 2 || len(all.Items) != 2 {
			t.Fatalf("statements %+v", all)
		}
		byVenue := map[int64]passnum.Statement{}
		for _, st := range all.Items {
			if st.State != passnum.StatementDraft || st.RunID != run.ID || st.Reference == "" || len(st.Lines) != 0 {
				t.Errorf("statement in a list %+v", st)
			}
			byVenue[st.VenueID] = st
		}
		st1, st2 := byVenue[f.Venue.ID], byVenue[f.Venue2.ID]
		if st1.Passes != 3 || st1.AmountCents != 3000 || st2.Passes != 2 || st2.AmountCents != 2000 {
			t.Fatalf("statements %+v %+v", st1, st2)
		}
		a.do(op, "GET", "/api/v1/statements?state=bogus", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "GET", "/api/v1/statements?run_id=x", nil).problem(http.StatusBadRequest, "invalid-input")

		// A venue sees its own statements only, whatever it asks.
		var own page[passnum.Statement]
		a.do(venue2, "GET", fmt.Sprintf("/api/v1/statements?venue_id=%d", f.Venue.ID), nil).ok(http.StatusOK, &own)
		for _, st := range own.Items {
			if st.VenueID != f.Venue2.ID {
				t.Errorf("venue 2 sees statement %+v", st)
			}
		}
		a.do(venue2, "GET", "/api/v1/statements", nil).ok(http.StatusOK, &own)
		if own.Total != 1 || own.Items[0].ID != st2.ID {
			t.Fatalf("venue 2's statements %+v", own)
		}
		a.do(venue2, "GET", fmt.Sprintf("/api/v1/statements/%d", st1.ID), nil).problem(http.StatusNotFound, "not-found")
		a.do(state, "GET", fmt.Sprintf("/api/v1/statements/%d", st1.ID), nil).problem(http.StatusForbidden, "forbidden")

		var detail passnum.Statement
		a.do(venue, "GET", fmt.Sprintf("/api/v1/statements/%d", st1.ID), nil).ok(http.StatusOK, &detail)
		if len(detail.Lines) != 3 {
			t.Fatalf("lines %+v", detail.Lines)
		}
		for _, l := range detail.Lines {
			var sum int64
			for _, sh := range l.Shares {
				sum += sh.AmountCents
			}
			if l.AmountCents != 1000 || sum != l.AmountCents || len(l.Shares) != 2 || l.ProgrammeID != f.Programme.ID {
				t.Errorf("line %+v", l)
			}
		}

		// The same statement as CSV and PDF.
		res = a.do(venue, "GET", fmt.Sprintf("/api/v1/statements/%d/csv", st1.ID), nil)
		if res.status != http.StatusOK || res.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.Contains(res.header.Get("Content-Disposition"), fmt.Sprintf("releve-%d.csv", st1.ID)) {
			t.Fatalf("csv: %d %v", res.status, res.header)
		}
		body, ok := strings.CutPrefix(string(res.body), "\ufeff")
		if !ok {
			t.Fatal("csv without a byte-order mark")
		}
		r := csv.NewReader(strings.NewReader(body))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil || len(recs) != 4 || recs[0][0] != "releve" || recs[1][10] != "10,00" || !strings.Contains(recs[1][11], "|") {
			t.Fatalf("csv %q: %v", body, err)
		}
		res = a.do(venue, "GET", fmt.Sprintf("/api/v1/statements/%d/pdf", st1.ID), nil)
		if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(res.body, []byte("%PDF-")) {
			t.Fatalf("pdf: %d %v %.20q", res.status, res.header, res.body)
		}
		a.do(venue2, "GET", fmt.Sprintf("/api/v1/statements/%d/pdf", st1.ID), nil).problem(http.StatusNotFound, "not-found")

		// Validation is the operator's.
		a.do(venue, "POST", fmt.Sprintf("/api/v1/statements/%d/validate", st1.ID), nil).problem(http.StatusForbidden, "forbidden")
		for _, st := range []passnum.Statement{st1, st2} {
			var v passnum.Statement
			a.do(op, "POST", fmt.Sprintf("/api/v1/statements/%d/validate", st.ID), nil).ok(http.StatusOK, &v)
			if v.State != passnum.StatementValidated || v.ValidatedAt == nil {
				t.Fatalf("validated %+v", v)
			}
		}
		a.do(op, "POST", "/api/v1/statements/999999/validate", nil).problem(http.StatusNotFound, "not-found")

		// The payer account, then a batch.
		if res := a.do(op, "GET", "/api/v1/payer-account", nil); res.status != http.StatusNotFound {
			t.Fatalf("payer account before it is set: %d %s", res.status, res.body)
		}
		a.do(op, "PUT", "/api/v1/payer-account", map[string]any{"name": "Coopérative passnum", "iban": "FR7630006000011234567890180", "bic": "AGRIFRPP"}).
			problem(http.StatusBadRequest, "invalid-input")
		var payer passnum.PayerAccount
		a.do(op, "PUT", "/api/v1/payer-account", map[string]any{"name": "Coopérative passnum", "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "AGRIFRPP"}).
			ok(http.StatusOK, &payer)
		if payer.Name != "Coopérative passnum" || payer.IBAN != testIBAN {
			t.Fatalf("payer %+v", payer)
		}
		a.do(venue, "GET", "/api/v1/payer-account", nil).problem(http.StatusForbidden, "forbidden")
		a.do(op, "POST", "/api/v1/payment-batches", map[string]any{"execution_date": "5 avril"}).problem(http.StatusBadRequest, "invalid-input")
		var batch passnum.PaymentBatch
		res = a.do(op, "POST", "/api/v1/payment-batches", map[string]any{"execution_date": "2027-04-05"}).ok(http.StatusCreated, &batch)
		if batch.Statements != 2 || batch.ControlSumCents != 5000 || batch.ExecutionDate != "2027-04-05" || batch.MessageID == "" {
			t.Fatalf("batch %+v", batch)
		}
		if loc := res.header.Get("Location"); loc != fmt.Sprintf("/api/v1/payment-batches/%d/pain.001", batch.ID) {
			t.Errorf("Location %q", loc)
		}
		var batches page[passnum.PaymentBatch]
		a.do(op, "GET", "/api/v1/payment-batches", nil).ok(http.StatusOK, &batches)
		if batches.Total != 1 || batches.Items[0].ID != batch.ID {
			t.Fatalf("batches %+v", batches)
		}
		var transfers struct {
			Payer passnum.PayerAccount `json:"payer"`
			Items []passnum.Transfer   `json:"items"`
		}
		a.do(op, "GET", fmt.Sprintf("/api/v1/payment-batches/%d/transfers", batch.ID), nil).ok(http.StatusOK, &transfers)
		if len(transfers.Items) != 2 || transfers.Payer.IBAN != testIBAN {
			t.Fatalf("transfers %+v", transfers)
		}

		res = a.do(op, "GET", fmt.Sprintf("/api/v1/payment-batches/%d/pain.001", batch.ID), nil)
		if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/xml" ||
			!strings.Contains(res.header.Get("Content-Disposition"), fmt.Sprintf("passnum-virements-%d.xml", batch.ID)) {
			t.Fatalf("pain.001: %d %v %s", res.status, res.header, res.body)
		}
		var doc pain001
		if err := xml.Unmarshal(res.body, &doc); err != nil {
			t.Fatalf("pain.001 is not well-formed XML: %v\n%s", err, res.body)
		}
		if doc.GrpHdr.NbOfTxs != "2" || doc.GrpHdr.CtrlSum != "50.00" || doc.GrpHdr.MsgID != batch.MessageID || len(doc.Transfers) != 2 {
			t.Fatalf("pain.001 %+v\n%s", doc, res.body)
		}
		for _, tx := range doc.Transfers {
			if tx.IBAN != testIBAN || tx.EndToEndID == "" {
				t.Errorf("transaction %+v", tx)
			}
		}
		again := a.do(op, "GET", fmt.Sprintf("/api/v1/payment-batches/%d/pain.001", batch.ID), nil)
		if !bytes.Equal(again.body, res.body) {
			t.Error("the pain.001 file differs from one download to the next")
		}
		if payer.Format != passnum.PainEPC09 {
			t.Errorf("payer format %q, want the EPC's by default", payer.Format)
		}
		sepatest.Validate(t, res.body, passnum.PainEPC09)
		// The bank asks for ISO's version: the same batch in it. An
		// unknown version changes nothing.
		a.do(op, "PUT", "/api/v1/payer-account", map[string]any{"name": "Coopérative passnum", "iban": testIBAN, "format": "pain.001.001.03"}).
			problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "PUT", "/api/v1/payer-account", map[string]any{"name": "Coopérative passnum", "iban": testIBAN, "bic": "AGRIFRPP", "format": "pain.001.001.10"}).
			ok(http.StatusOK, &payer)
		if payer.Format != passnum.PainISO10 {
			t.Errorf("payer format %q after choosing ISO's", payer.Format)
		}
		iso := a.do(op, "GET", fmt.Sprintf("/api/v1/payment-batches/%d/pain.001", batch.ID), nil)
		sepatest.Validate(t, iso.body, passnum.PainISO10)
		if !bytes.Equal(bytes.Replace(iso.body, []byte("pain.001.001.10"), []byte("pain.001.001.09"), 1), res.body) {
			t.Error("the batch in pain.001.001.10 differs from its pain.001.001.09 file by more than the namespace")
		}
		a.do(venue, "GET", fmt.Sprintf("/api/v1/payment-batches/%d/pain.001", batch.ID), nil).problem(http.StatusForbidden, "forbidden")
		a.do(op, "GET", "/api/v1/payment-batches/999999/pain.001", nil).problem(http.StatusNotFound, "not-found")

		// One transfer went through, the other was rejected.
		var paid, rejected passnum.Statement
		a.do(op, "POST", fmt.Sprintf("/api/v1/statements/%d/paid", st1.ID), nil).ok(http.StatusOK, &paid)
		if paid.State != passnum.StatementPaid || paid.PaidAt == nil || paid.BatchID != batch.ID {
			t.Fatalf("paid %+v", paid)
		}
		a.do(op, "POST", fmt.Sprintf("/api/v1/statements/%d/reject", st2.ID), map[string]any{"reason": " "}).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "POST", fmt.Sprintf("/api/v1/statements/%d/reject", st2.ID), nil).problem(http.StatusUnsupportedMediaType, "unsupported-media-type")
		a.do(op, "POST", fmt.Sprintf("/api/v1/statements/%d/reject", st2.ID), map[string]any{"reason": "AC04 compte clos"}).ok(http.StatusOK, &rejected)
		if rejected.State != passnum.StatementRejected || rejected.RejectedReason != "AC04 compte clos" {
			t.Fatalf("rejected %+v", rejected)
		}
		var venue2Sees passnum.Statement
		a.do(venue2, "GET", fmt.Sprintf("/api/v1/statements/%d", st2.ID), nil).ok(http.StatusOK, &venue2Sees)
		if venue2Sees.RejectedReason != "AC04 compte clos" {
			t.Errorf("the venue does not see why its transfer was rejected: %+v", venue2Sees)
		}

		// The rejected passes go to the next run.
		var next passnum.SettlementRun
		a.do(op, "POST", "/api/v1/settlement-runs", map[string]any{"cut_off": "2027-03-31"}).ok(http.StatusCreated, &next)
		if next.Statements != 1 || next.Passes != 2 || next.AmountCents != 2000 {
			t.Fatalf("next run %+v", next)
		}

		// Each funder sees its own charges; the operator all of them.
		var charges page[passnum.FunderCharge]
		a.do(op, "GET", fmt.Sprintf("/api/v1/funder-charges?programme_id=%d", f.Programme.ID), nil).ok(http.StatusOK, &charges)
		funders := map[int64]int64{}
		for _, c := range charges.Items {
			funders[c.FunderID] += c.PassesCents
		}
		if len(funders) != 2 || funders[f.State.ID]+funders[f.Dept.ID] < 5000 {
			t.Fatalf("charges %+v", charges)
		}
		for _, tok := range []struct {
			token string
			id    int64
		}{{state, f.State.ID}, {dept, f.Dept.ID}} {
			var mine page[passnum.FunderCharge]
			a.do(tok.token, "GET", "/api/v1/funder-charges", nil).ok(http.StatusOK, &mine)
			if mine.Total == 0 {
				t.Errorf("funder %d sees no charge", tok.id)
			}
			for _, c := range mine.Items {
				if c.FunderID != tok.id {
					t.Errorf("funder %d sees charge %+v", tok.id, c)
				}
			}
		}
		res = a.do(state, "GET", fmt.Sprintf("/api/v1/funder-charges/%d/pdf", charges.Items[0].ID), nil)
		if charges.Items[0].FunderID == f.State.ID {
			if res.status != http.StatusOK || !bytes.HasPrefix(res.body, []byte("%PDF-")) {
				t.Errorf("charge pdf: %d %.40q", res.status, res.body)
			}
		} else {
			res.problem(http.StatusNotFound, "not-found")
		}
		a.do(venue, "GET", "/api/v1/funder-charges", nil).problem(http.StatusForbidden, "forbidden")

		// Reconciliation counts every pass once.
		var rec passnum.Reconciliation
		a.do(state, "GET", fmt.Sprintf("/api/v1/programmes/%d/reconciliation", f.Programme.ID), nil).ok(http.StatusOK, &rec)
		var passes int64
		for _, n := range rec.ByState {
			passes += n
		}
		if rec.ProgrammeID != f.Programme.ID || passes != int64(f.Batch.Passes) || rec.ReadyToCredit {
			t.Fatalf("reconciliation %+v", rec)
		}

		// Credit notes wait for the programme's end, then for the expiry
		// of its passes; they are issued once.
		credit := fmt.Sprintf("/api/v1/programmes/%d/credit-notes", f.Programme.ID)
		a.do(op, "POST", credit, nil).problem(http.StatusUnprocessableEntity, "not-expired")
		var notes page[passnum.CreditNote]
		a.do(op, "GET", "/api/v1/credit-notes", nil).ok(http.StatusOK, &notes)
		if notes.Total != 0 || notes.Items == nil {
			t.Fatalf("credit notes %+v", notes)
		}
		env.Clock.Set(time.Date(2028, 3, 1, 9, 0, 0, 0, time.UTC))
		a.do(op, "POST", credit, nil).problem(http.StatusUnprocessableEntity, "expiry-pending")
		a.do(op, "POST", "/api/v1/expiry", nil).ok(http.StatusOK, nil)
		a.do(state, "POST", credit, nil).problem(http.StatusForbidden, "forbidden")
		a.do(op, "GET", fmt.Sprintf("/api/v1/programmes/%d/reconciliation", f.Programme.ID), nil).ok(http.StatusOK, &rec)
		if !rec.ReadyToCredit || rec.ExpiredCents == 0 {
			t.Fatalf("reconciliation after expiry %+v", rec)
		}
		var issued struct {
			Items []passnum.CreditNote `json:"items"`
		}
		a.do(op, "POST", credit, nil).ok(http.StatusCreated, &issued)
		var credited int64
		for _, n := range issued.Items {
			credited += n.AmountCents
		}
		if len(issued.Items) != 2 || credited != rec.ExpiredCents {
			t.Fatalf("credit notes %+v, expired %d cents", issued, rec.ExpiredCents)
		}
		a.do(op, "POST", credit, nil).problem(http.StatusConflict, "already-credited")
		var mine page[passnum.CreditNote]
		a.do(state, "GET", "/api/v1/credit-notes", nil).ok(http.StatusOK, &mine)
		if mine.Total != 1 || mine.Items[0].FunderID != f.State.ID {
			t.Fatalf("the State's credit notes %+v", mine)
		}
		res = a.do(state, "GET", fmt.Sprintf("/api/v1/credit-notes/%d/pdf", mine.Items[0].ID), nil)
		if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(res.body, []byte("%PDF-")) {
			t.Fatalf("credit note pdf: %d %v", res.status, res.header)
		}
		for _, n := range issued.Items {
			if n.FunderID != f.State.ID {
				a.do(state, "GET", fmt.Sprintf("/api/v1/credit-notes/%d/pdf", n.ID), nil).problem(http.StatusNotFound, "not-found")
			}
		}
	})
}
