package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	"github.com/passnum/passnum/internal/storetest"
)

// The read replica seen from the server (serve --db-read). These tests,
// and only these, pause the standby's replay (storetest.PauseReplay):
// the figures a page shows are then the replica's, older than the
// primary's, which proves where the page read them.

// getAuth is a GET with an API token.
func (p *platform) getAuth(t *testing.T, path, token string) *answer {
	t.Helper()
	req, _ := http.NewRequest("GET", p.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// jsonOf decodes an answer that must be 200.
func jsonOf[T any](t *testing.T, what string, a *answer) T {
	t.Helper()
	var v T
	if a.status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", what, a.status, a.body)
	}
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// TestReadReplicaServesPages: with replay paused on the standby, the
// dashboards' figures, the directory and the open data are the
// replica's (the older snapshot, the venue not yet there) and say how
// late they are, while a redemption, decided on the primary, sees the
// redemption made a moment before. Once replay resumes, they catch up.
func TestReadReplicaServesPages(t *testing.T) {
	repl := storetest.NewReplication(t)
	env := repl.Open(t, 0)
	p := newPlatform(t, env, storetest.Options{}, nil)
	f := p.fixture
	s := env.Store
	op := storetest.As(f.Operator)
	_, opToken, err := s.CreateToken(op, passnum.TokenCreate{OrgID: f.Operator.OrgID, Role: passnum.RoleAdmin, Name: "tableaux de bord"})
	if err != nil {
		t.Fatal(err)
	}
	venueToken := p.token(t, f.Venue)
	first, err := s.RefreshIndicators(op, nil)
	if err != nil {
		t.Fatal(err)
	}
	repl.WaitReplayed(t)
	type report struct {
		ComputedAt time.Time `json:"computed_at"`
		Total      struct{ Redeemed int64 }
		Freshness  *passnum.Freshness `json:"freshness"`
	}
	const indicators = "/api/v1/indicators?scope=all&dimension=programme"
	before := jsonOf[report](t, "indicators", p.getAuth(t, indicators, opToken))
	if !before.ComputedAt.Equal(first.ComputedAt) || before.Freshness == nil || before.Freshness.Source != passnum.SourceReplica {
		t.Fatalf("indicators before the pause: computed at %s, freshness %+v; want %s from the replica", before.ComputedAt, before.Freshness, first.ComputedAt)
	}

	resume := repl.PauseReplay(t)
	// On the primary meanwhile: a redemption, the indicators computed an
	// hour later, a venue qualified.
	code := f.CodesOf(f.Serials(0)[0])[0]
	if a, err := p.redeem(t.Context(), http.DefaultClient, venueToken, f.Service.ID, code, "replique-1"); err != nil || a.status != http.StatusOK && a.status != http.StatusCreated {
		t.Fatalf("redemption during the pause: %v %+v", err, a)
	}
	env.Clock.Advance(time.Hour)
	second, err := s.RefreshIndicators(op, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Tiers-lieu de Vitré",
		SIRET: "21350360000016", CommuneINSEE: "35360", Qualification: passnum.QualificationQualified}); err != nil {
		t.Fatal(err)
	}
	// The standby has all of it, and applies none of it.
	repl.WaitReceived(t)

	// Decisions read the primary: the pass is already used.
	a, err := p.redeem(t.Context(), http.DefaultClient, venueToken, f.Service.ID, code, "replique-2")
	if err != nil {
		t.Fatal(err)
	}
	if a.status == http.StatusOK || a.status == http.StatusCreated || !strings.Contains(string(a.body), passnum.ReasonAlreadyRedeemed) {
		t.Errorf("the same pass again during the pause: %d %s, want refused as already used", a.status, a.body)
	}

	// The dashboards' figures: the first snapshot, with a lag.
	during := jsonOf[report](t, "indicators", p.getAuth(t, indicators, opToken))
	if !during.ComputedAt.Equal(first.ComputedAt) {
		t.Errorf("indicators during the pause computed at %s, want the replica's %s (the primary has %s)", during.ComputedAt, first.ComputedAt, second.ComputedAt)
	}
	lagging := func(what string, fr *passnum.Freshness) {
		t.Helper()
		if fr == nil || fr.Source != passnum.SourceReplica || fr.LagSeconds <= 0 {
			t.Errorf("%s during the pause: freshness %+v, want the replica with a lag", what, fr)
		}
	}
	lagging("indicators", during.Freshness)
	// The directory: 3 venues, not the 4 of the primary.
	type directory struct {
		Total     int                `json:"total"`
		Freshness *passnum.Freshness `json:"freshness"`
	}
	dir := jsonOf[directory](t, "directory", p.get(t, "/api/v1/public/directory"))
	if dir.Total != 3 {
		t.Errorf("directory during the pause lists %d venues, want the replica's 3", dir.Total)
	}
	lagging("directory", dir.Freshness)
	page := p.get(t, "/annuaire")
	for _, want := range []string{"3 lieux", "réplique en retard de"} {
		if !strings.Contains(string(page.body), want) {
			t.Errorf("/annuaire during the pause does not say %q:\n%s", want, page.body)
		}
	}
	// The open data: the first snapshot's (computed at 10 h 30 in Paris,
	// the second at 11 h 30).
	open := jsonOf[struct {
		Freshness *passnum.Freshness `json:"freshness"`
	}](t, "open data", p.get(t, "/api/v1/public/open-data.json"))
	lagging("open data", open.Freshness)
	page = p.get(t, "/donnees-ouvertes")
	for _, want := range []string{"15 mars 2027 à 10 h 30", "réplique en retard de"} {
		if !strings.Contains(string(page.body), want) {
			t.Errorf("/donnees-ouvertes during the pause does not say %q", want)
		}
	}

	resume()
	repl.WaitReplayed(t)
	after := jsonOf[report](t, "indicators", p.getAuth(t, indicators, opToken))
	if !after.ComputedAt.Equal(second.ComputedAt) || after.Total.Redeemed != 1 {
		t.Errorf("indicators once replayed: computed at %s with %d redeemed, want %s and 1", after.ComputedAt, after.Total.Redeemed, second.ComputedAt)
	}
	if dir := jsonOf[directory](t, "directory", p.get(t, "/api/v1/public/directory")); dir.Total != 4 {
		t.Errorf("directory once replayed lists %d venues, want 4", dir.Total)
	}
	page = p.get(t, "/donnees-ouvertes")
	if !strings.Contains(string(page.body), "15 mars 2027 à 11 h 30") {
		t.Errorf("/donnees-ouvertes once replayed does not show the second snapshot")
	}
}

// TestReadReplicaTooLate: a replica further behind than --db-read-max-lag
// is not used: the pages show the primary's figures and say so, and the
// log says it once.
func TestReadReplicaTooLate(t *testing.T) {
	repl := storetest.NewReplication(t)
	// A bound any paused replica exceeds at once.
	storeLog := &syncBuffer{}
	env := repl.Open(t, time.Millisecond, sqlstore.WithLogger(slog.New(slog.NewTextHandler(storeLog, nil))))
	p := newPlatform(t, env, storetest.Options{}, nil)
	s := env.Store
	op := storetest.As(p.fixture.Operator)
	if _, err := s.RefreshIndicators(op, nil); err != nil {
		t.Fatal(err)
	}
	repl.WaitReplayed(t)
	repl.PauseReplay(t)
	env.Clock.Advance(time.Hour)
	second, err := s.RefreshIndicators(op, nil)
	if err != nil {
		t.Fatal(err)
	}
	repl.WaitReceived(t)
	for range 2 {
		page := p.get(t, "/donnees-ouvertes")
		for _, want := range []string{"15 mars 2027 à 11 h 30", "lus sur la base principale : la réplique a trop de retard"} {
			if !strings.Contains(string(page.body), want) {
				t.Errorf("/donnees-ouvertes with the replica too late does not say %q", want)
			}
		}
	}
	snap, err := s.LatestIndicators(op)
	if err != nil {
		t.Fatal(err)
	}
	if fr := snap.Freshness; !snap.ComputedAt.Equal(second.ComputedAt) || fr == nil || fr.Source != passnum.SourcePrimary || fr.Fallback != passnum.FallbackLagging {
		t.Errorf("latest snapshot %s, freshness %+v; want %s from the primary, the replica lagging", snap.ComputedAt, fr, second.ComputedAt)
	}
	if n := strings.Count(storeLog.String(), "read replica not used"); n != 1 {
		t.Errorf("%d log lines say the replica is not used, want 1:\n%s", n, storeLog.String())
	}
	if !strings.Contains(storeLog.String(), "reason=lagging") {
		t.Errorf("the log does not say why:\n%s", storeLog.String())
	}
}

// TestServeReadReplicaNeedsPostgres: serve refuses --db-read (and
// PASSNUM_DB_READ) on SQLite with one line, before it listens, and a bad
// bound as a usage error.
func TestServeReadReplicaNeedsPostgres(t *testing.T) {
	h := newHarness(t)
	h.ok("migrate")
	h.fail(1, []string{"serve", "--addr", "127.0.0.1:0", "--db-read", "postgres://postgres@127.0.0.1:5433/test"}, "--db-read demande PostgreSQL")
	t.Setenv(envDBRead, "postgres://postgres@127.0.0.1:5433/test")
	h.fail(1, []string{"serve", "--addr", "127.0.0.1:0"}, "--db-read demande PostgreSQL")
	h.fail(2, []string{"serve", "--addr", "127.0.0.1:0", "--db-read-max-lag", "0s"}, "--db-read-max-lag doit être positif")
	t.Setenv(envDBReadMaxLag, "bientôt")
	h.fail(2, []string{"serve", "--addr", "127.0.0.1:0"}, envDBReadMaxLag, "durée attendue")
}

// TestServeWithReadReplica: serve --db-read says at start where the
// reads that may lag go, and its directory says how fresh it is.
func TestServeWithReadReplica(t *testing.T) {
	repl := storetest.NewReplication(t)
	s := startServe(t, "--db", repl.PrimaryURL, "--db-read", repl.StandbyURL, "--indicators-every", "0")
	out := s.out.String()
	if !strings.Contains(out, "lus sur la réplique") || !strings.Contains(out, "plus de 5 min de retard") {
		t.Errorf("serve does not say where the reads that may lag go:\n%s", out)
	}
	base := baseRE.FindStringSubmatch(out)
	if base == nil {
		t.Fatalf("no address in:\n%s", out)
	}
	resp, body := get(t, base[1]+"/annuaire")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Données à jour à") {
		t.Errorf("/annuaire: %d, says how fresh: %v", resp.StatusCode, strings.Contains(body, "Données à jour à"))
	}
}
