package httpapi

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/passnum/passnum"
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
	// The venue's address and bank account are printed when the caller
	// may read them (the operator, the venue's admins); otherwise its name.
	venue := passnum.Venue{Name: st.VenueName}
	var bank *passnum.BankAccount
	if file, err := s.svc.FindVenueFile(r.Context(), st.VenueID); err == nil {
		venue, bank = file.Venue, file.Bank
	} else if code := passnum.ErrorCode(err); code != passnum.EFORBIDDEN && code != passnum.ENOTFOUND {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.VenueStatement(&buf, st, venue, bank, s.operator); err != nil {
		return fmt.Errorf("statement %d pdf: %w", st.ID, err)
	}
	return writeFile(w, "application/pdf", fmt.Sprintf("passnum-releve-%d.pdf", st.ID), buf.Bytes())
}

func (s *Server) getFunderChargePDF(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.findFunderCharge(r)
	if err != nil {
		return err
	}
	funder, programme, err := s.funderAndProgramme(r, ch.FunderID, ch.FunderName, ch.ProgrammeID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.FunderCharge(&buf, []*passnum.FunderCharge{ch}, funder, programme, s.operator); err != nil {
		return fmt.Errorf("funder charge %d pdf: %w", ch.ID, err)
	}
	return writeFile(w, "application/pdf", fmt.Sprintf("passnum-appel-%d.pdf", ch.ID), buf.Bytes())
}

func (s *Server) getCreditNotePDF(w http.ResponseWriter, r *http.Request) error {
	cn, err := s.findCreditNote(r)
	if err != nil {
		return err
	}
	funder, programme, err := s.funderAndProgramme(r, cn.FunderID, cn.FunderName, cn.ProgrammeID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.CreditNote(&buf, cn, funder, programme, s.operator); err != nil {
		return fmt.Errorf("credit note %d pdf: %w", cn.ID, err)
	}
	return writeFile(w, "application/pdf", fmt.Sprintf("passnum-avoir-%d.pdf", cn.ID), buf.Bytes())
}

// funderAndProgramme reads what a funder's document prints about it and
// its programme, as far as the caller may read them.
func (s *Server) funderAndProgramme(r *http.Request, funderID int64, funderName string, programmeID int64) (passnum.Organisation, *passnum.Programme, error) {
	funder := passnum.Organisation{ID: funderID, Kind: passnum.KindFunder, Name: funderName}
	if o, err := s.svc.FindOrganisation(r.Context(), funderID); err == nil {
		funder = *o
	} else if code := passnum.ErrorCode(err); code != passnum.EFORBIDDEN && code != passnum.ENOTFOUND {
		return funder, nil, err
	}
	p, err := s.svc.FindProgramme(r.Context(), programmeID)
	if code := passnum.ErrorCode(err); code == passnum.EFORBIDDEN || code == passnum.ENOTFOUND {
		return funder, nil, nil
	} else if err != nil {
		return funder, nil, err
	}
	return funder, p, nil
}
