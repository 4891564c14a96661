package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/csvfile"
	"github.com/passnum/passnum/internal/httpx"
)

// Money out: settlement runs, venue statements, payment batches, funder
// charges, reconciliation and credit notes (passnum.SettlementService,
// PaymentService and BillingService).
// The service authorises every call and filters what each organisation
// sees (a venue its statements, a funder its charges and credit notes).

// settlementRunInput is the body of POST /settlement-runs.
type settlementRunInput struct {
	CutOff string `json:"cut_off"`
}

func (s *Server) createSettlementRun(w http.ResponseWriter, r *http.Request) error {
	var in settlementRunInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	run, err := s.svc.RunSettlement(r.Context(), in.CutOff)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/statements?run_id=%d", run.ID))
	return writeJSON(w, http.StatusCreated, run)
}

func (s *Server) listSettlementRuns(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	runs, err := s.svc.ListSettlementRuns(r.Context())
	if err != nil {
		return err
	}
	return writeSlice(w, p, runs)
}

// queryStatementState reads ?state=, one of the statement states.
func queryStatementState(r *http.Request) (passnum.StatementState, error) {
	raw := r.URL.Query().Get("state")
	switch st := passnum.StatementState(raw); st {
	case "", passnum.StatementDraft, passnum.StatementValidated, passnum.StatementPaid, passnum.StatementRejected:
		return st, nil
	}
	return "", passnum.Invalid("state", "Paramètre state invalide : %q (draft, validated, paid ou rejected).", raw)
}

func (s *Server) listStatements(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	f := passnum.StatementFilter{Offset: p.offset, Limit: p.limit}
	if f.VenueID, err = queryID(r, "venue_id"); err != nil {
		return err
	}
	if f.RunID, err = queryID(r, "run_id"); err != nil {
		return err
	}
	if f.State, err = queryStatementState(r); err != nil {
		return err
	}
	statements, total, err := s.svc.ListStatements(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, p, statements, total)
}

// findStatement reads the statement of the path's {id}, with its lines.
func (s *Server) findStatement(r *http.Request) (*passnum.Statement, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.svc.FindStatement(r.Context(), id)
}

func (s *Server) getStatement(w http.ResponseWriter, r *http.Request) error {
	st, err := s.findStatement(r)
	if err != nil {
		return err
	}
	if st.Lines == nil {
		st.Lines = []passnum.StatementLine{}
	}
	return writeJSON(w, http.StatusOK, st)
}

// getStatementCSV answers a statement as CSV for a spreadsheet, the same
// file as the web pages' (internal/csvfile).
func (s *Server) getStatementCSV(w http.ResponseWriter, r *http.Request) error {
	st, err := s.findStatement(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := csvfile.Statement(&buf, st); err != nil {
		return err
	}
	return writeFile(w, "text/csv; charset=utf-8", fmt.Sprintf("releve-%d.csv", st.ID), buf.Bytes())
}

// writeFile answers a download, whole: built before the first byte, so
// that a failure is still a proper problem.
func writeFile(w http.ResponseWriter, contentType, filename string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	return nil
}

// statementAction answers the POST routes that move a statement.
func (s *Server) statementAction(w http.ResponseWriter, r *http.Request, move func(id int64) (*passnum.Statement, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st, err := move(id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

func (s *Server) validateStatement(w http.ResponseWriter, r *http.Request) error {
	return s.statementAction(w, r, func(id int64) (*passnum.Statement, error) {
		return s.svc.ValidateStatement(r.Context(), id)
	})
}

func (s *Server) markStatementPaid(w http.ResponseWriter, r *http.Request) error {
	return s.statementAction(w, r, func(id int64) (*passnum.Statement, error) {
		return s.svc.MarkPaid(r.Context(), id)
	})
}

// rejectInput is the body of POST /statements/{id}/reject: why the bank
// refused the transfer.
type rejectInput struct {
	Reason string `json:"reason"`
}

func (s *Server) rejectStatement(w http.ResponseWriter, r *http.Request) error {
	var in rejectInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	return s.statementAction(w, r, func(id int64) (*passnum.Statement, error) {
		return s.svc.RejectStatement(r.Context(), id, in.Reason)
	})
}

// payerAccountInput is the body of PUT /payer-account: the BIC may be
// left out, as SEPA does not require it, and the format, to keep it.
type payerAccountInput struct {
	Name   string             `json:"name"`
	IBAN   string             `json:"iban"`
	BIC    string             `json:"bic,omitempty"`
	Format passnum.PainFormat `json:"format,omitempty"`
}

func (s *Server) putPayerAccount(w http.ResponseWriter, r *http.Request) error {
	var in payerAccountInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.svc.SetPayerAccount(r.Context(), passnum.PayerAccount{Name: in.Name, IBAN: in.IBAN, BIC: in.BIC, Format: in.Format}); err != nil {
		return err
	}
	return s.getPayerAccount(w, r)
}

func (s *Server) getPayerAccount(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svc.PayerAccount(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

// paymentBatchInput is the body of POST /payment-batches.
type paymentBatchInput struct {
	ExecutionDate string `json:"execution_date"`
}

func (s *Server) createPaymentBatch(w http.ResponseWriter, r *http.Request) error {
	var in paymentBatchInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	b, err := s.svc.CreatePaymentBatch(r.Context(), in.ExecutionDate)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/payment-batches/%d/pain.001", b.ID))
	return writeJSON(w, http.StatusCreated, b)
}

func (s *Server) listPaymentBatches(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	batches, err := s.svc.ListPaymentBatches(r.Context())
	if err != nil {
		return err
	}
	return writeSlice(w, p, batches)
}

// findPaymentBatch returns the batch of the path's {id}.
func (s *Server) findPaymentBatch(r *http.Request) (*passnum.PaymentBatch, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	b, err := s.svc.FindPaymentBatch(r.Context(), id)
	return b, httpx.NotFound(err, "Aucun lot de virements n°%d.", id)
}

// transferList is the answer of GET /payment-batches/{id}/transfers.
type transferList struct {
	Payer *passnum.PayerAccount `json:"payer"`
	Items []passnum.Transfer    `json:"items"`
}

func (s *Server) listTransfers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	payer, transfers, err := s.svc.PaymentBatchTransfers(r.Context(), id)
	if err != nil {
		return err
	}
	if transfers == nil {
		transfers = []passnum.Transfer{}
	}
	return writeJSON(w, http.StatusOK, transferList{Payer: payer, Items: transfers})
}

func (s *Server) listFunderCharges(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	funder, programme, err := queryFunderProgramme(r)
	if err != nil {
		return err
	}
	charges, err := s.svc.ListFunderCharges(r.Context(), funder, programme)
	if err != nil {
		return err
	}
	return writeSlice(w, p, charges)
}

// queryFunderProgramme reads ?funder_id=&programme_id=.
func queryFunderProgramme(r *http.Request) (funder, programme int64, err error) {
	if funder, err = queryID(r, "funder_id"); err != nil {
		return 0, 0, err
	}
	if programme, err = queryID(r, "programme_id"); err != nil {
		return 0, 0, err
	}
	return funder, programme, nil
}

// findFunderCharge returns the charge of the path's {id}, among those the
// caller may read.
func (s *Server) findFunderCharge(r *http.Request) (*passnum.FunderCharge, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	c, err := s.svc.FindFunderCharge(r.Context(), id)
	return c, httpx.NotFound(err, "Aucun appel de fonds n°%d.", id)
}

func (s *Server) getReconciliation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rec, err := s.svc.Reconcile(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rec)
}

// creditNoteList is the answer of POST /programmes/{id}/credit-notes: the
// notes issued by this call.
type creditNoteList struct {
	Items []*passnum.CreditNote `json:"items"`
}

func (s *Server) issueCreditNotes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	notes, err := s.svc.IssueCreditNotes(r.Context(), id)
	if err != nil {
		return err
	}
	if notes == nil {
		notes = []*passnum.CreditNote{}
	}
	return writeJSON(w, http.StatusCreated, creditNoteList{Items: notes})
}

func (s *Server) listCreditNotes(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	funder, programme, err := queryFunderProgramme(r)
	if err != nil {
		return err
	}
	notes, err := s.svc.ListCreditNotes(r.Context(), funder, programme)
	if err != nil {
		return err
	}
	return writeSlice(w, p, notes)
}

// findCreditNote returns the credit note of the path's {id}, among those
// the caller may read.
func (s *Server) findCreditNote(r *http.Request) (*passnum.CreditNote, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	n, err := s.svc.FindCreditNote(r.Context(), id)
	return n, httpx.NotFound(err, "Aucun avoir n°%d.", id)
}
