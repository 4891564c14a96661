package bench

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/passnum/passnum"
)

// IssueResult is the issuance measure: one batch, one durable transaction.
type IssueResult struct {
	Passes          int     `json:"passes"`
	Carnets         int     `json:"carnets"`
	CarnetSize      int     `json:"carnet_size"`
	Seconds         float64 `json:"seconds"`
	PassesPerSecond float64 `json:"passes_per_second"`
	CPU             CPUUse  `json:"cpu"`
}

// MeasureIssue creates a programme large enough, then times one call to
// Issue of passes passes (rounded up to whole carnets of carnetSize):
// from the request to the durable commit of the batch, its ledger posting
// and its audit line.
func MeasureIssue(ctx context.Context, s Service, passes, carnetSize int, log *slog.Logger) (*IssueResult, error) {
	log = orDiscard(log)
	carnets := (passes + carnetSize - 1) / carnetSize
	opCtx, err := operator(ctx, s)
	if err != nil {
		return nil, err
	}
	p, err := newProgramme(opCtx, s, "Banc d'essai — émission", carnets, carnetSize, nil)
	if err != nil {
		return nil, err
	}
	log.Info("bench: issuing", "passes", carnets*carnetSize, "carnets", carnets)
	cpu := sampleCPU()
	start := time.Now()
	b, err := s.Issue(opCtx, passnum.IssueRequest{ProgrammeID: p.ID, Carnets: carnets, Progress: throttle(log, "bench: issuing")})
	elapsed := time.Since(start)
	if err != nil {
		return nil, err
	}
	return &IssueResult{Passes: b.Passes, Carnets: b.Carnets, CarnetSize: carnetSize,
		Seconds: elapsed.Seconds(), PassesPerSecond: float64(b.Passes) / elapsed.Seconds(), CPU: cpu.since(runtime.NumCPU())}, nil
}

// newProgramme creates a funder and a programme in Bretagne whose budget
// pays for carnets carnets exactly, valid from a month ago to a year from
// now. funder, when not nil, receives the funder.
func newProgramme(opCtx context.Context, s interface {
	passnum.OrganisationService
	passnum.ProgrammeService
}, name string, carnets, carnetSize int, funder **passnum.Organisation) (*passnum.Programme, error) {
	f, err := s.CreateOrganisation(opCtx, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Région Bretagne (banc d'essai)"})
	if err != nil {
		return nil, fmt.Errorf("create funder: %w", err)
	}
	if funder != nil {
		*funder = f
	}
	now := time.Now()
	p, err := s.CreateProgramme(opCtx, passnum.ProgrammeCreate{
		Name:           name,
		Funders:        []passnum.FunderShare{{FunderID: f.ID, ShareBP: passnum.BasisPoints}},
		BudgetCents:    int64(carnets) * int64(carnetSize) * passnum.DefaultFaceValue,
		FaceValueCents: passnum.DefaultFaceValue,
		CarnetSize:     carnetSize,
		ValidFrom:      now.AddDate(0, -1, 0).Format(passnum.DateLayout),
		ValidUntil:     now.AddDate(1, 0, 0).Format(passnum.DateLayout),
		Territory:      []string{"region:53"},
	})
	if err != nil {
		return nil, fmt.Errorf("create programme: %w", err)
	}
	return p, nil
}
