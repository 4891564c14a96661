package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"runtime"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sepa"
	"github.com/passnum/passnum/internal/sqlstore"
)

// SettlementResult is what MeasureSettlement found.
type SettlementResult struct {
	Passes     int `json:"passes"`
	Venues     int `json:"venues"`
	Statements int `json:"statements"`
	// RunSeconds is RunSettlement alone: statements, lines, funder
	// charges, postings, one transaction.
	RunSeconds float64 `json:"run_seconds"`
	// ValidateSeconds validates every statement, one call each.
	ValidateSeconds float64 `json:"validate_seconds"`
	// PaySeconds is CreatePaymentBatch, PaymentBatchTransfers and writing
	// the pain.001 file (sepa.Write, to io.Discard), with its size.
	PaySeconds   float64 `json:"pay_seconds"`
	FileBytes    int64   `json:"file_bytes"`
	TotalSeconds float64 `json:"total_seconds"`
	CPU          CPUUse  `json:"cpu"`
}

// SettlementFixture is a programme whose passes are all redeemed, spread
// over venues with bank accounts, and an operator's payer account.
type SettlementFixture struct {
	ProgrammeID int64
	Passes      int64
	Venues      []int64
	RedeemedAt  time.Time
}

// SetupSettlement issues passes passes (carnets of carnetSize) under a new
// programme, pays for and activates them through the store, creates
// venues qualified venues with a service and a bank account each, then
// redeems every pass with sqlstore.SeedRedemptions (set-based SQL: the
// API would take an hour for a million), yesterday.
func SetupSettlement(ctx context.Context, s *sqlstore.Store, passes, carnetSize, venues int, log *slog.Logger) (*SettlementFixture, error) {
	log = orDiscard(log)
	opCtx, err := operator(ctx, s)
	if err != nil {
		return nil, err
	}
	carnets := (passes + carnetSize - 1) / carnetSize
	var funder *passnum.Organisation
	p, err := newProgramme(opCtx, s, "Banc d'essai — règlement", carnets, carnetSize, &funder)
	if err != nil {
		return nil, err
	}
	log.Info("bench: issuing for settlement", "passes", carnets*carnetSize)
	b, err := s.Issue(opCtx, passnum.IssueRequest{ProgrammeID: p.ID, Carnets: carnets})
	if err != nil {
		return nil, fmt.Errorf("issue: %w", err)
	}
	value := int64(b.Passes) * p.FaceValueCents
	paid := (value*int64(passnum.BasisPoints+p.FeeBP) + passnum.BasisPoints - 1) / passnum.BasisPoints
	if _, err := s.RecordFunds(opCtx, passnum.FundsCreate{ProgrammeID: p.ID, FunderID: funder.ID, Reference: "OP-BENCH-SETTLE",
		AmountCents: paid, ReceivedOn: time.Now().Format(passnum.DateLayout)}); err != nil {
		return nil, fmt.Errorf("record funds: %w", err)
	}
	if _, err := s.Activate(opCtx, passnum.ActivateRequest{ProgrammeID: p.ID, BatchID: b.ID}); err != nil {
		return nil, fmt.Errorf("activate: %w", err)
	}
	prescriber, err := s.CreateOrganisation(opCtx, passnum.OrganisationCreate{Kind: passnum.KindPrescriber, Name: "CCAS de Rennes (banc d'essai, règlement)", CommuneINSEE: "35238"})
	if err != nil {
		return nil, fmt.Errorf("create prescriber: %w", err)
	}
	log.Info("bench: creating venues", "venues", venues)
	r := mrand.New(mrand.NewPCG(uint64(passes), uint64(venues)))
	fx := &SettlementFixture{ProgrammeID: p.ID, RedeemedAt: time.Now().Add(-24 * time.Hour)}
	var services []int64
	for i := range venues {
		v, err := s.CreateOrganisation(opCtx, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: fmt.Sprintf("Lieu de médiation numérique n°%d (banc d'essai)", i+1),
			SIRET: benchSIRET(r), CommuneINSEE: "35238", Qualification: passnum.QualificationQualified})
		if err != nil {
			return nil, fmt.Errorf("create venue: %w", err)
		}
		svc, err := s.CreateCatalogueService(opCtx, passnum.CatalogueServiceCreate{VenueID: v.ID, Title: "Premiers pas sur smartphone",
			Category: "Maîtrise des outils numériques du quotidien", DurationMinutes: 90, PricePasses: 1})
		if err != nil {
			return nil, fmt.Errorf("create service: %w", err)
		}
		if err := s.UpdateBankAccount(opCtx, v.ID, passnum.BankAccount{Holder: fmt.Sprintf("Association du lieu n°%d", i+1),
			IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP"}); err != nil {
			return nil, fmt.Errorf("bank account: %w", err)
		}
		fx.Venues = append(fx.Venues, v.ID)
		services = append(services, svc.ID)
	}
	if err := s.SetPayerAccount(opCtx, passnum.PayerAccount{Name: "APTIC (banc d'essai)", IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP"}); err != nil {
		return nil, err
	}
	log.Info("bench: redeeming every pass")
	if fx.Passes, err = s.SeedRedemptions(opCtx, p.ID, prescriber.ID, fx.Venues, services, fx.RedeemedAt); err != nil {
		return nil, fmt.Errorf("seed redemptions: %w", err)
	}
	return fx, nil
}

// MeasureSettlement settles every redeemed pass up to today (Paris time),
// validates the statements, gathers them into a payment batch and writes
// its pain.001 file, timing each part.
func MeasureSettlement(ctx context.Context, s Service, fx *SettlementFixture, log *slog.Logger) (*SettlementResult, error) {
	log = orDiscard(log)
	opCtx, err := operator(ctx, s)
	if err != nil {
		return nil, err
	}
	res := &SettlementResult{Venues: len(fx.Venues)}
	cpu := sampleCPU()
	start := time.Now()
	run, err := s.RunSettlement(opCtx, passnum.Today(time.Now()))
	if err != nil {
		return nil, fmt.Errorf("run settlement: %w", err)
	}
	res.RunSeconds = time.Since(start).Seconds()
	res.Passes, res.Statements = run.Passes, run.Statements
	log.Info("bench: settled", "passes", run.Passes, "statements", run.Statements, "seconds", res.RunSeconds)

	t := time.Now()
	for {
		list, _, err := s.ListStatements(opCtx, passnum.StatementFilter{RunID: run.ID, State: passnum.StatementDraft, Limit: 500})
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			break
		}
		for _, st := range list {
			if _, err := s.ValidateStatement(opCtx, st.ID); err != nil {
				return nil, err
			}
		}
	}
	res.ValidateSeconds = time.Since(t).Seconds()

	t = time.Now()
	batch, err := s.CreatePaymentBatch(opCtx, passnum.Today(time.Now()))
	if err != nil {
		return nil, fmt.Errorf("payment batch: %w", err)
	}
	payer, transfers, err := s.PaymentBatchTransfers(opCtx, batch.ID)
	if err != nil {
		return nil, fmt.Errorf("transfers: %w", err)
	}
	w := &countingWriter{}
	if err := sepa.Write(w, *batch, *payer, transfers, time.Now()); err != nil {
		return nil, fmt.Errorf("pain.001: %w", err)
	}
	res.PaySeconds = time.Since(t).Seconds()
	res.FileBytes = w.n
	res.TotalSeconds = time.Since(start).Seconds()
	res.CPU = cpu.since(runtime.NumCPU())
	return res, nil
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)
