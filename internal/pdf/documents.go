package pdf

import (
	"context"
	"fmt"
	"io"

	"github.com/passnum/passnum"
)

// The settlement documents as a caller of the service may have them: what
// they print about a venue or a funder is read with the caller's rights,
// in one place for the API and the web pages. What the caller may not read
// (not found, forbidden) is left out; any other error is returned, so that
// a failing store never prints a document short of what it should hold.

// VenueReader is what StatementFor reads of the service: a venue's file,
// else its page of the public directory.
type VenueReader interface {
	FindVenueFile(ctx context.Context, venueID int64) (*passnum.VenueFile, error)
	DirectoryEntry(ctx context.Context, orgID int64) (*passnum.DirectoryEntry, error)
}

// FunderReader is what FunderChargeFor and CreditNoteFor read of the
// service: the funder and the programme a document is about.
type FunderReader interface {
	FindOrganisation(ctx context.Context, id int64) (*passnum.Organisation, error)
	FindProgramme(ctx context.Context, id int64) (*passnum.Programme, error)
}

// unreadable tells whether err only says that the caller may not read a
// record: not found, or forbidden to its role.
func unreadable(err error) bool {
	code := passnum.ErrorCode(err)
	return code == passnum.ENOTFOUND || code == passnum.EFORBIDDEN
}

// StatementFor writes statement st for the caller of ctx: the venue's
// address and bank account where the caller may read them (the operator,
// the venue's admins), its public description otherwise (a venue's
// agents), its name at least.
func StatementFor(ctx context.Context, svc VenueReader, w io.Writer, st *passnum.Statement, operator string) error {
	venue, bank, err := statementVenue(ctx, svc, st)
	if err != nil {
		return fmt.Errorf("statement %d pdf: %w", st.ID, err)
	}
	if err := VenueStatement(w, st, venue, bank, operator); err != nil {
		return fmt.Errorf("statement %d pdf: %w", st.ID, err)
	}
	return nil
}

// statementVenue reads what a statement prints about its venue, as far as
// the caller may read it.
func statementVenue(ctx context.Context, svc VenueReader, st *passnum.Statement) (passnum.Venue, *passnum.BankAccount, error) {
	f, err := svc.FindVenueFile(ctx, st.VenueID)
	if err == nil {
		return f.Venue, f.Bank, nil
	} else if !unreadable(err) {
		return passnum.Venue{}, nil, err
	}
	e, err := svc.DirectoryEntry(ctx, st.VenueID)
	if err == nil {
		return e.Venue, nil, nil
	} else if !unreadable(err) {
		return passnum.Venue{}, nil, err
	}
	return passnum.Venue{OrgID: st.VenueID, Name: st.VenueName}, nil, nil
}

// FunderChargeFor writes funder charge ch for the caller of ctx.
func FunderChargeFor(ctx context.Context, svc FunderReader, w io.Writer, ch *passnum.FunderCharge, operator string) error {
	funder, programme, err := funderAndProgramme(ctx, svc, ch.FunderID, ch.FunderName, ch.ProgrammeID)
	if err != nil {
		return fmt.Errorf("funder charge %d pdf: %w", ch.ID, err)
	}
	if err := FunderCharge(w, []*passnum.FunderCharge{ch}, funder, programme, operator); err != nil {
		return fmt.Errorf("funder charge %d pdf: %w", ch.ID, err)
	}
	return nil
}

// CreditNoteFor writes credit note cn for the caller of ctx.
func CreditNoteFor(ctx context.Context, svc FunderReader, w io.Writer, cn *passnum.CreditNote, operator string) error {
	funder, programme, err := funderAndProgramme(ctx, svc, cn.FunderID, cn.FunderName, cn.ProgrammeID)
	if err != nil {
		return fmt.Errorf("credit note %d pdf: %w", cn.ID, err)
	}
	if err := CreditNote(w, cn, funder, programme, operator); err != nil {
		return fmt.Errorf("credit note %d pdf: %w", cn.ID, err)
	}
	return nil
}

// funderAndProgramme reads what a funder's document prints about the
// funder and its programme, as far as the caller may read them: the
// funder's name and no programme details at least.
func funderAndProgramme(ctx context.Context, svc FunderReader, funderID int64, funderName string, programmeID int64) (passnum.Organisation, *passnum.Programme, error) {
	funder := passnum.Organisation{ID: funderID, Kind: passnum.KindFunder, Name: funderName}
	if o, err := svc.FindOrganisation(ctx, funderID); err == nil {
		funder = *o
	} else if !unreadable(err) {
		return funder, nil, err
	}
	p, err := svc.FindProgramme(ctx, programmeID)
	if unreadable(err) {
		return funder, nil, nil
	} else if err != nil {
		return funder, nil, err
	}
	return funder, p, nil
}

// ConventionReader is what the PDF of a convention reads.
type ConventionReader interface {
	FindConvention(ctx context.Context, id int64) (*passnum.Convention, error)
	FindCall(ctx context.Context, id int64) (*passnum.Call, error)
	ListAddenda(ctx context.Context, conventionID int64) ([]*passnum.Addendum, error)
}

// ConventionFor writes convention id for the caller of ctx, or its
// addendum number addendum (0: the convention as first signed, its
// amounts before any addendum).
func ConventionFor(ctx context.Context, svc ConventionReader, w io.Writer, id int64, addendum int, operator string) error {
	c, err := svc.FindConvention(ctx, id)
	if err != nil {
		return err
	}
	call, err := svc.FindCall(ctx, c.CallID)
	if err != nil {
		return fmt.Errorf("convention %d pdf: %w", id, err)
	}
	addenda, err := svc.ListAddenda(ctx, id)
	if err != nil {
		return fmt.Errorf("convention %d pdf: %w", id, err)
	}
	var shown *passnum.Addendum
	if addendum > 0 {
		if addendum > len(addenda) {
			return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "La convention n°%d n'a pas d'avenant n°%d.", id, addendum)
		}
		shown = addenda[addendum-1]
	}
	// The amounts the document shows: those the addenda after it had not
	// yet changed, undone from the newest.
	at := *c
	at.Amounts = passnum.AmountsBefore(c.Amounts, addenda[min(addendum, len(addenda)):])
	at.TotalCents = 0
	for _, l := range at.Amounts {
		at.TotalCents += l.AmountCents
	}
	if err := Convention(w, &at, call, shown, operator); err != nil {
		return fmt.Errorf("convention %d pdf: %w", id, err)
	}
	return nil
}
