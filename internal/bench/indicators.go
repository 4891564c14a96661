package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
	"github.com/passnum/passnum/internal/sqlstore"
	"github.com/passnum/passnum/internal/web"
)

// AimDashboardPage is the issue's aim for a funder's dashboard page over
// ten million passes and five million redemptions, on SQLite.
const AimDashboardPage = 300 * time.Millisecond

// IndicatorsFixture is a history of two programmes co-financed by the State,
// whose funder account reads the dashboard.
type IndicatorsFixture struct {
	Passes, Redemptions int64
	FunderID            int64
	FunderEmail         string
	FunderPassword      string
	SetupSeconds        float64
}

// IndicatorsResult is what MeasureIndicators found.
type IndicatorsResult struct {
	Passes      int64 `json:"passes"`
	Redemptions int64 `json:"redemptions"`
	// RefreshSeconds computes every indicator from raw records into a
	// snapshot (RefreshIndicators).
	RefreshSeconds float64 `json:"refresh_seconds"`
	Cells          int64   `json:"cells"`
	// Changes passes used afterwards (IncrementalChanges, one redemption
	// each, people drawn at random), then the refresh that counts again
	// only the people they changed: IncrementalSeconds. Zero on a store
	// that cannot seed them.
	Changes            int64   `json:"changes"`
	IncrementalSeconds float64 `json:"incremental_seconds"`
	// Pages are the funder's dashboard pages, one per dimension, served
	// over HTTP with a session (the slowest of three requests each).
	Pages     []PageTime `json:"pages"`
	SlowestMs float64    `json:"slowest_ms"`
	CPU       CPUUse     `json:"cpu"`
	// SetupSeconds seeded the history (not measured).
	SetupSeconds float64 `json:"setup_seconds"`
}

// IncrementalChanges is how many passes the bench uses between the full
// computation of the indicators and the incremental one it measures.
const IncrementalChanges = 10000

// usesSeeder seeds uses after a snapshot (sqlstore.Store.SeedMoreUses).
type usesSeeder interface {
	SeedMoreUses(ctx context.Context, n int, seed uint64) (int64, error)
}

// PageTime is the time to serve one page.
type PageTime struct {
	Path  string  `json:"path"`
	Ms    float64 `json:"ms"`
	Bytes int     `json:"bytes"`
}

// SetupIndicators issues passes passes in carnets of ten under two
// programmes (the State with the Région, the State with the Département),
// activates them, and seeds a year of history (sqlstore.SeedHistory): 90 %
// of carnets handed out to people in 300 communes of Bretagne by 40
// prescribers, 55 % of their passes used one by one at 400 venues — about
// half the passes redeemed, one redemption each.
func SetupIndicators(ctx context.Context, s *sqlstore.Store, passes int, log *slog.Logger) (*IndicatorsFixture, error) {
	log = orDiscard(log)
	start := time.Now()
	opCtx, err := operator(ctx, s)
	if err != nil {
		return nil, err
	}
	n, err := newNetwork(opCtx, s, passes, log)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	story := now.AddDate(0, 0, -420)
	fx := &IndicatorsFixture{FunderID: n.state.ID, FunderEmail: "financeur@banc-essai.passnum.fr", FunderPassword: "tableau de bord des quarante mesures"}
	for i, partner := range []*passnum.Organisation{n.region, n.dept} {
		issued, redeemed, err := n.history(opCtx, s, i, partner, passes/10/2, story, now, log)
		if err != nil {
			return nil, err
		}
		fx.Passes += issued
		fx.Redemptions += redeemed
	}
	if _, err := s.CreateUser(opCtx, passnum.UserCreate{Email: fx.FunderEmail, Name: "Financeur du banc d'essai", Password: fx.FunderPassword,
		OrgID: n.state.ID, Role: passnum.RoleAdmin}); err != nil {
		return nil, err
	}
	fx.SetupSeconds = time.Since(start).Seconds()
	return fx, nil
}

// network is the organisations of the indicators' history: three funders,
// two hubs, prescribers and venues with a service each, in communes of
// Bretagne.
type network struct {
	state, region, dept           *passnum.Organisation
	prescribers, venues, services []int64
	communes                      []string
}

// newNetwork creates the organisations of the indicators' history; the
// venues' SIRET and communes are drawn from a sequence seeded by passes.
func newNetwork(opCtx context.Context, s Service, passes int, log *slog.Logger) (*network, error) {
	n := &network{}
	org := func(c passnum.OrganisationCreate) (*passnum.Organisation, error) {
		return s.CreateOrganisation(opCtx, c)
	}
	var err error
	if n.state, err = org(passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "État — ANCT (banc d'essai)"}); err != nil {
		return nil, err
	}
	if n.region, err = org(passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Région Bretagne (banc d'essai)"}); err != nil {
		return nil, err
	}
	if n.dept, err = org(passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Département du Finistère (banc d'essai)"}); err != nil {
		return nil, err
	}
	for _, area := range []string{"region:53", "departement:29"} {
		if _, err := org(passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub " + area + " (banc d'essai)", Territory: []string{area}}); err != nil {
			return nil, err
		}
	}
	n.communes = bretonCommunes(300)
	r := mrand.New(mrand.NewPCG(uint64(passes), 6))
	for i := range 40 {
		p, err := org(passnum.OrganisationCreate{Kind: passnum.KindPrescriber, Name: fmt.Sprintf("France Services n°%d (banc d'essai)", i+1), CommuneINSEE: n.communes[i%len(n.communes)]})
		if err != nil {
			return nil, err
		}
		n.prescribers = append(n.prescribers, p.ID)
	}
	categories := passnum.ServiceCategories
	log.Info("bench: creating venues", "venues", 400)
	for i := range 400 {
		v, err := org(passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: fmt.Sprintf("Lieu de médiation numérique n°%d (banc d'essai)", i+1),
			SIRET: benchSIRET(r), CommuneINSEE: n.communes[r.IntN(len(n.communes))], Qualification: passnum.QualificationQualified})
		if err != nil {
			return nil, err
		}
		svc, err := s.CreateCatalogueService(opCtx, passnum.CatalogueServiceCreate{VenueID: v.ID, Title: "Atelier (banc d'essai)",
			Category: categories[i%len(categories)], DurationMinutes: 60 + 30*(i%3), PricePasses: 1})
		if err != nil {
			return nil, err
		}
		n.venues, n.services = append(n.venues, v.ID), append(n.services, svc.ID)
	}
	return n, nil
}

// history creates the i-th programme, of the State and partner, issues
// carnets carnets of ten, pays for and activates them, and seeds its
// history from story to now. It returns how many passes it issued and how
// many redemptions it seeded.
func (n *network) history(opCtx context.Context, s *sqlstore.Store, i int, partner *passnum.Organisation, carnets int, story, now time.Time, log *slog.Logger) (int64, int64, error) {
	p, err := s.CreateProgramme(opCtx, passnum.ProgrammeCreate{
		Name:    fmt.Sprintf("Pass numérique %s (banc d'essai)", partner.Name),
		Funders: []passnum.FunderShare{{FunderID: n.state.ID, ShareBP: 5000}, {FunderID: partner.ID, ShareBP: 5000}},
		// Enough budget for every pass and its fee.
		BudgetCents: int64(carnets) * 10 * passnum.DefaultFaceValue, FaceValueCents: passnum.DefaultFaceValue, CarnetSize: 10,
		ValidFrom: story.Format(passnum.DateLayout), ValidUntil: now.AddDate(0, 6, 0).Format(passnum.DateLayout),
		Territory: []string{"region:53"},
	})
	if err != nil {
		return 0, 0, err
	}
	log.Info("bench: issuing", "programme", i+1, "passes", carnets*10)
	b, err := s.Issue(opCtx, passnum.IssueRequest{ProgrammeID: p.ID, Carnets: carnets})
	if err != nil {
		return 0, 0, fmt.Errorf("issue: %w", err)
	}
	value := int64(b.Passes) * p.FaceValueCents
	paid := (value*int64(passnum.BasisPoints+p.FeeBP) + passnum.BasisPoints - 1) / passnum.BasisPoints
	for j, f := range []*passnum.Organisation{n.state, partner} {
		if _, err := s.RecordFunds(opCtx, passnum.FundsCreate{ProgrammeID: p.ID, FunderID: f.ID, Reference: fmt.Sprintf("OP-BENCH-%d-%d", i, j),
			AmountCents: paid/2 + 1, ReceivedOn: now.Format(passnum.DateLayout)}); err != nil {
			return 0, 0, fmt.Errorf("record funds: %w", err)
		}
	}
	if _, err := s.Activate(opCtx, passnum.ActivateRequest{ProgrammeID: p.ID, BatchID: b.ID}); err != nil {
		return 0, 0, fmt.Errorf("activate: %w", err)
	}
	log.Info("bench: seeding a year of history", "programme", i+1)
	redeemed, err := s.SeedHistory(opCtx, sqlstore.HistorySeed{ProgrammeID: p.ID, Prescribers: n.prescribers, Venues: n.venues, Services: n.services,
		Communes: n.communes, Start: story, Distributed: 9000, Used: 5500, Seed: uint64(i + 1)},
		func(step string) { log.Info("bench: seed", "step", step) })
	if err != nil {
		return 0, 0, fmt.Errorf("seed history: %w", err)
	}
	return int64(b.Passes), redeemed, nil
}

// bretonCommunes returns up to n INSEE codes of communes of Bretagne.
func bretonCommunes(n int) []string {
	var out []string
	for k, dep := range []string{"35", "29", "22", "56"} {
		for i := 1; i < 1000 && len(out) < n*(k+1)/4; i++ {
			code := fmt.Sprintf("%s%03d", dep, i)
			if _, ok := geo.LookupCommune(code); ok {
				out = append(out, code)
			}
		}
	}
	return out
}

// DashboardPaths are the funder's dashboard pages the bench serves: one
// per dimension, all time, then the latest year by month.
func DashboardPaths(funderID int64, year int) []string {
	var out []string
	for _, d := range passnum.Dimensions {
		q := url.Values{"scope": {fmt.Sprintf("funder:%d", funderID)}, "dim": {string(d)}}
		out = append(out, "/financeur/indicateurs?"+q.Encode())
	}
	q := url.Values{"scope": {fmt.Sprintf("funder:%d", funderID)}, "year": {fmt.Sprint(year)}, "dim": {string(passnum.DimMonth)}}
	return append(out, "/financeur/indicateurs?"+q.Encode())
}

// MeasureIndicators computes the indicators, then serves each of the
// funder's dashboard pages three times through the web interface with a
// logged-in session, keeping the slowest.
func MeasureIndicators(ctx context.Context, s Service, fx *IndicatorsFixture, log *slog.Logger) (*IndicatorsResult, error) {
	log = orDiscard(log)
	opCtx, err := operator(ctx, s)
	if err != nil {
		return nil, err
	}
	res := &IndicatorsResult{Passes: fx.Passes, Redemptions: fx.Redemptions}
	cpu := sampleCPU()
	start := time.Now()
	var last time.Time
	snap, err := s.RefreshIndicators(opCtx, func(done, total int64) {
		if time.Since(last) > 2*time.Second {
			last = time.Now()
			log.Info("bench: indicators", "passes", done, "of", total)
		}
	})
	if err != nil {
		return nil, err
	}
	res.RefreshSeconds, res.Cells = time.Since(start).Seconds(), snap.Cells
	log.Info("bench: indicators computed", "seconds", res.RefreshSeconds, "cells", res.Cells)

	srv, err := web.NewServer(s, web.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	secret, _, err := s.Login(ctx, fx.FunderEmail, fx.FunderPassword)
	if err != nil {
		return nil, fmt.Errorf("log in: %w", err)
	}
	for _, path := range DashboardPaths(fx.FunderID, passnum.YearOf(time.Now())) {
		var pt PageTime
		for range 3 {
			req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+path, nil)
			req.AddCookie(&http.Cookie{Name: "passnum_session", Value: secret})
			t := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, err
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			ms := float64(time.Since(t).Microseconds()) / 1000
			if err != nil {
				return nil, err
			}
			if resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
			}
			pt = PageTime{Path: path, Ms: max(pt.Ms, ms), Bytes: len(body)}
		}
		res.Pages = append(res.Pages, pt)
		log.Info("bench: page", "path", path, "ms", pt.Ms, "bytes", pt.Bytes)
	}
	res.SlowestMs = slices.MaxFunc(res.Pages, func(a, b PageTime) int { return int(a.Ms*1000) - int(b.Ms*1000) }).Ms
	res.CPU = cpu.since(runtime.NumCPU())

	// What a refresh costs after IncrementalChanges uses, next to the
	// full computation above.
	if seeder, ok := s.(usesSeeder); ok {
		if res.Changes, err = seeder.SeedMoreUses(opCtx, IncrementalChanges, uint64(fx.Passes)); err != nil {
			return nil, fmt.Errorf("uses after the snapshot: %w", err)
		}
		start := time.Now()
		if _, err := s.RefreshIndicators(opCtx, nil); err != nil {
			return nil, err
		}
		res.IncrementalSeconds = time.Since(start).Seconds()
		log.Info("bench: indicators refreshed", "changes", res.Changes, "seconds", res.IncrementalSeconds)
	}
	return res, nil
}
