package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passnum/passnum"
)

// Fixture is what the redemption measure needs: passes in beneficiaries'
// hands, a venue that may redeem them, and a token of one of its agents.
type Fixture struct {
	ProgrammeID int64
	// Codes are the short codes of distinct distributed passes, one per
	// redemption to make, in random order.
	Codes []string
	// ServiceID is a 1-pass catalogue service of the venue.
	ServiceID int64
	VenueID   int64
	// Token is the bearer secret of a venue agent's API token.
	Token string
	// FaceValueCents is the value of one pass of the programme.
	FaceValueCents int64
	// Raw are the serials of further distributed passes of the same
	// programme, set aside for the raw limit (MeasureRaw), in random
	// order; none unless asked for (SetupRedemptionsRaw).
	Raw []int64
}

// distributeWorkers is how many Distribute calls run at once during setup:
// on SQLite the group committer then shares one fsync among them.
const distributeWorkers = 16

// SetupRedemptions builds, through the store's own operations, everything n
// one-pass redemptions need: a programme in Bretagne with ⌈n/carnetSize⌉
// carnets issued, paid for, activated, allocated to a prescriber and each
// handed to a new beneficiary; a qualified venue in Rennes with a 1-pass
// service; an agent token for the venue; and the codes, read back through
// the operator's export.
func SetupRedemptions(ctx context.Context, s Service, n, carnetSize int, log *slog.Logger) (*Fixture, error) {
	return SetupRedemptionsRaw(ctx, s, n, 0, carnetSize, log)
}

// SetupRedemptionsRaw is SetupRedemptions with raw more passes, prepared
// by the same steps in the same programme, whose serials go to fx.Raw for
// the raw limit: the same tables, the same indexes and passes in the same
// state as those redeemed over HTTP.
func SetupRedemptionsRaw(ctx context.Context, s Service, n, raw, carnetSize int, log *slog.Logger) (*Fixture, error) {
	log = orDiscard(log)
	want := n
	n += raw
	opCtx, err := operator(ctx, s)
	if err != nil {
		return nil, err
	}
	carnets := (n + carnetSize - 1) / carnetSize
	var funder *passnum.Organisation
	p, err := newProgramme(opCtx, s, "Banc d'essai — encaissements", carnets, carnetSize, &funder)
	if err != nil {
		return nil, err
	}
	prescriber, err := s.CreateOrganisation(opCtx, passnum.OrganisationCreate{Kind: passnum.KindPrescriber, Name: "CCAS de Rennes (banc d'essai)", CommuneINSEE: "35238"})
	if err != nil {
		return nil, fmt.Errorf("create prescriber: %w", err)
	}
	venue, err := s.CreateOrganisation(opCtx, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "La Quincaillerie numérique (banc d'essai)",
		SIRET: "78282932000079", CommuneINSEE: "35238", Qualification: passnum.QualificationQualified})
	if err != nil {
		return nil, fmt.Errorf("create venue: %w", err)
	}

	log.Info("bench: setting up redemptions", "carnets", carnets, "passes", carnets*carnetSize)
	b, err := s.Issue(opCtx, passnum.IssueRequest{ProgrammeID: p.ID, Carnets: carnets})
	if err != nil {
		return nil, fmt.Errorf("issue: %w", err)
	}
	// Funders pay the face value plus the upstream fee; round up so that
	// the capacity, rounded down, covers every pass.
	value := int64(b.Passes) * p.FaceValueCents
	paid := (value*int64(passnum.BasisPoints+p.FeeBP) + passnum.BasisPoints - 1) / passnum.BasisPoints
	if _, err := s.RecordFunds(opCtx, passnum.FundsCreate{ProgrammeID: p.ID, FunderID: funder.ID, Reference: "OP-BENCH-1",
		AmountCents: paid, ReceivedOn: time.Now().Format(passnum.DateLayout)}); err != nil {
		return nil, fmt.Errorf("record funds: %w", err)
	}
	if _, err := s.Activate(opCtx, passnum.ActivateRequest{ProgrammeID: p.ID, BatchID: b.ID}); err != nil {
		return nil, fmt.Errorf("activate: %w", err)
	}
	const perAllocation = 100_000 // the store's limit per call
	for first := b.FirstCarnet; first <= b.LastCarnet; first += perAllocation {
		last := min(first+perAllocation-1, b.LastCarnet)
		if _, err := s.Allocate(opCtx, passnum.AllocateRequest{PrescriberID: prescriber.ID, FirstCarnet: first, LastCarnet: last}); err != nil {
			return nil, fmt.Errorf("allocate: %w", err)
		}
	}
	if err := distributeAll(ctx, s, prescriber, b, log); err != nil {
		return nil, err
	}

	svc, err := s.CreateCatalogueService(opCtx, passnum.CatalogueServiceCreate{VenueID: venue.ID, Title: "Premiers pas sur smartphone",
		Category: "Maîtrise des outils numériques du quotidien", DurationMinutes: 90, PricePasses: 1})
	if err != nil {
		return nil, fmt.Errorf("create service: %w", err)
	}
	_, token, err := s.CreateToken(opCtx, passnum.TokenCreate{OrgID: venue.ID, Role: passnum.RoleAgent, Name: "banc d'essai"})
	if err != nil {
		return nil, fmt.Errorf("create token: %w", err)
	}
	codes, serials, err := exportCodes(opCtx, s, b.ID)
	if err != nil {
		return nil, err
	}
	if len(codes) < n {
		return nil, fmt.Errorf("export: %d codes for %d redemptions", len(codes), n)
	}
	// Passes presented at the same moment belong to different people:
	// spend them in random order, not carnet after carnet.
	codes, serials = codes[:n], serials[:n]
	rand.Shuffle(n, func(i, j int) {
		codes[i], codes[j] = codes[j], codes[i]
		serials[i], serials[j] = serials[j], serials[i]
	})
	fx := &Fixture{ProgrammeID: p.ID, Codes: codes[:want], ServiceID: svc.ID, VenueID: venue.ID, Token: token, FaceValueCents: p.FaceValueCents}
	if raw > 0 {
		fx.Raw = serials[want:]
	}
	return fx, nil
}

// distributeAll hands every carnet of b to a new beneficiary, one
// Distribute call per carnet as a prescriber's agent would, several at once.
func distributeAll(ctx context.Context, s passnum.CarnetService, prescriber *passnum.Organisation, b *passnum.Batch, log *slog.Logger) error {
	pCtx := passnum.NewContextWithActor(ctx, &passnum.Actor{OrgID: prescriber.ID, OrgKind: prescriber.Kind, Role: passnum.RoleAgent, Label: "cli:bench-prescriber"})
	ctx, cancel := context.WithCancelCause(pCtx)
	defer cancel(nil)
	now := time.Now()
	next := atomic.Int64{}
	next.Store(b.FirstCarnet)
	done := atomic.Int64{}
	progress := throttle(log, "bench: distributing carnets")
	var wg sync.WaitGroup
	for range distributeWorkers {
		wg.Go(func() {
			for ctx.Err() == nil {
				number := next.Add(1) - 1
				if number > b.LastCarnet {
					return
				}
				req := passnum.DistributeRequest{Carnet: number, Beneficiary: &passnum.BeneficiaryInput{
					BirthYear:    now.Year() - 20 - int(number%60),
					CommuneINSEE: "35238",
					Needs:        []string{"Maîtrise des outils numériques du quotidien"},
					ConsentAt:    now.Format(passnum.DateLayout),
				}}
				_, err := s.Distribute(ctx, req)
				// On PostgreSQL, concurrent distributions conflict often
				// enough that the store sometimes gives up (see
				// docs/PERFORMANCE.md). The setup is not what is measured:
				// try again a few times rather than fail the run.
				for attempt := 1; attempt < 4 && err != nil && worthRetrying(err) && ctx.Err() == nil; attempt++ {
					log.Warn("bench: distribute failed, trying again", "carnet", number, "err", err)
					_, err = s.Distribute(ctx, req)
				}
				if err != nil {
					cancel(fmt.Errorf("distribute carnet %d: %w", number, err))
					return
				}
				progress(int(done.Add(1)), b.Carnets)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// worthRetrying tells whether a failed Distribute of the setup is worth
// trying again: the store gave up on conflicting transactions (server-busy)
// or failed inside.
func worthRetrying(err error) bool {
	return passnum.ErrorCode(err) == passnum.EINTERNAL || passnum.ErrorReason(err) == passnum.ReasonServerBusy
}

// exportCodes reads the short codes and serials of a batch, in serial
// order, from the operator's CSV export: the only way codes leave the
// store.
func exportCodes(opCtx context.Context, s passnum.IssuanceService, batchID int64) ([]string, []int64, error) {
	var buf bytes.Buffer
	if err := s.ExportPasses(opCtx, batchID, &buf, nil); err != nil {
		return nil, nil, fmt.Errorf("export passes: %w", err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("read export: %w", err)
	}
	if len(recs) == 0 || len(recs[0]) < 5 || recs[0][0] != "serie" || recs[0][4] != "code" {
		return nil, nil, fmt.Errorf("export: unexpected header %v", recs[:min(1, len(recs))])
	}
	codes := make([]string, 0, len(recs)-1)
	serials := make([]int64, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		serial, err := strconv.ParseInt(rec[0], 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("export: serial %q: %w", rec[0], err)
		}
		codes, serials = append(codes, rec[4]), append(serials, serial)
	}
	return codes, serials, nil
}
