package httpapi

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/passnum/passnum/internal/pdf"
	"github.com/passnum/passnum/internal/sepa"
)

// The files of settlement: the SEPA credit transfer file a bank takes, and
// the PDF documents venues and funders keep. Each is built whole before
// its first byte, so that a refusal is still a proper problem.

// operatorLabel signs the PDF documents when the server was not told the
// operator's name (Options.OperatorName).
const operatorLabel = "Opérateur du Pass numérique"

// getPain001 answers the pain.001 file of a payment batch. It is dated by
// the batch's creation, so that downloading it again gives the same file.
func (s *Server) getPain001(w http.ResponseWriter, r *http.Request) error {
	b, err := s.findPaymentBatch(r)
	if err != nil {
		return err
	}
	payer, transfers, err := s.svc.PaymentBatchTransfers(r.Context(), b.ID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := sepa.Write(&buf, *b, *payer, transfers, b.CreatedAt); err != nil {
		return err
	}
	return writeFile(w, "application/xml", fmt.Sprintf("passnum-virements-%d.xml", b.ID), buf.Bytes())
}

func (s *Server) getStatementPDF(w http.ResponseWriter, r *http.Request) error {
	st, err := s.findStatement(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.StatementFor(r.Context(), s.svc, &buf, st, s.operator); err != nil {
		return err
	}
	return writeFile(w, "application/pdf", fmt.Sprintf("passnum-releve-%d.pdf", st.ID), buf.Bytes())
}

func (s *Server) getFunderChargePDF(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.findFunderCharge(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.FunderChargeFor(r.Context(), s.svc, &buf, ch, s.operator); err != nil {
		return err
	}
	return writeFile(w, "application/pdf", fmt.Sprintf("passnum-appel-%d.pdf", ch.ID), buf.Bytes())
}

func (s *Server) getCreditNotePDF(w http.ResponseWriter, r *http.Request) error {
	cn, err := s.findCreditNote(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.CreditNoteFor(r.Context(), s.svc, &buf, cn, s.operator); err != nil {
		return err
	}
	return writeFile(w, "application/pdf", fmt.Sprintf("passnum-avoir-%d.pdf", cn.ID), buf.Bytes())
}
