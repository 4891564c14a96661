package pdf

import (
	"context"
	"fmt"
	"io"

	"github.com/passnum/passnum"
)

// The settlement documents as a caller of the service may have them: what
// they print about a venue or a funder is read with the caller's rights,
// in one place for the API and the web pages.

// StatementFor writes statement st for the caller of ctx: the venue's
// address and bank account where the caller may read them (the operator,
// the venue's admins), its public description otherwise (a venue's
// agents), its name at least.
func StatementFor(ctx context.Context, svc passnum.Service, w io.Writer, st *passnum.Statement, operator string) error {
	venue, bank := passnum.Venue{OrgID: st.VenueID, Name: st.VenueName}, (*passnum.BankAccount)(nil)
	if f, err := svc.FindVenueFile(ctx, st.VenueID); err == nil {
		venue, bank = f.Venue, f.Bank
	} else if e, err := svc.DirectoryEntry(ctx, st.VenueID); err == nil {
		venue = e.Venue
	}
	if err := VenueStatement(w, st, venue, bank, operator); err != nil {
		return fmt.Errorf("statement %d pdf: %w", st.ID, err)
	}
	return nil
}

// FunderChargeFor writes funder charge ch for the caller of ctx.
func FunderChargeFor(ctx context.Context, svc passnum.Service, w io.Writer, ch *passnum.FunderCharge, operator string) error {
	funder, programme, err := funderAndProgramme(ctx, svc, ch.FunderID, ch.FunderName, ch.ProgrammeID)
	if err != nil {
		return err
	}
	if err := FunderCharge(w, []*passnum.FunderCharge{ch}, funder, programme, operator); err != nil {
		return fmt.Errorf("funder charge %d pdf: %w", ch.ID, err)
	}
	return nil
}

// CreditNoteFor writes credit note cn for the caller of ctx.
func CreditNoteFor(ctx context.Context, svc passnum.Service, w io.Writer, cn *passnum.CreditNote, operator string) error {
	funder, programme, err := funderAndProgramme(ctx, svc, cn.FunderID, cn.FunderName, cn.ProgrammeID)
	if err != nil {
		return err
	}
	if err := CreditNote(w, cn, funder, programme, operator); err != nil {
		return fmt.Errorf("credit note %d pdf: %w", cn.ID, err)
	}
	return nil
}

// funderAndProgramme reads what a funder's document prints about the
// funder and its programme, as far as the caller may read them: the
// funder's name and no programme details at least.
func funderAndProgramme(ctx context.Context, svc passnum.Service, funderID int64, funderName string, programmeID int64) (passnum.Organisation, *passnum.Programme, error) {
	funder := passnum.Organisation{ID: funderID, Kind: passnum.KindFunder, Name: funderName}
	if o, err := svc.FindOrganisation(ctx, funderID); err == nil {
		funder = *o
	} else if code := passnum.ErrorCode(err); code != passnum.EFORBIDDEN && code != passnum.ENOTFOUND {
		return funder, nil, err
	}
	p, err := svc.FindProgramme(ctx, programmeID)
	if code := passnum.ErrorCode(err); code == passnum.EFORBIDDEN || code == passnum.ENOTFOUND {
		return funder, nil, nil
	} else if err != nil {
		return funder, nil, err
	}
	return funder, p, nil
}
