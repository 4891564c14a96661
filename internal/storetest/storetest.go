// Package storetest opens real stores for tests — a SQLite file in a
// temporary directory, and a PostgreSQL schema of its own when
// PASSNUM_TEST_POSTGRES is set — and builds the fixtures most tests need.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
)

// PostgresEnv names the variable holding the PostgreSQL URL of the tests,
// e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresEnv = "PASSNUM_TEST_POSTGRES"

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set sets the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Start is the instant test clocks start at: within the validity of the
// default fixture programme.
var Start = time.Date(2027, 3, 15, 9, 30, 0, 0, time.UTC)

// Env is a store under test with its clock.
type Env struct {
	Name  string // "sqlite" or "postgres"
	Store *sqlstore.Store
	Clock *Clock
	// DSN is the database's address, which Reopen opens again.
	DSN string
}

// Reopen opens a second store on env's database, with env's clock, closed
// at the end of the test: another server of the same installation.
func Reopen(t testing.TB, env *Env, opts ...sqlstore.Option) *Env {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), env.DSN, append([]sqlstore.Option{sqlstore.WithClock(env.Clock.Now), sqlstore.WithLogger(quietLogger)}, opts...)...)
	if err != nil {
		t.Fatalf("open %s again: %v", env.Name, err)
	}
	t.Cleanup(func() { s.Close() })
	return &Env{Name: env.Name, Store: s, Clock: env.Clock, DSN: env.DSN}
}

// OpenAgain opens env's database once more and returns its error, for a
// test that expects the opening to be refused; the caller closes the
// store it gets.
func (e *Env) OpenAgain(opts ...sqlstore.Option) (*sqlstore.Store, error) {
	return sqlstore.Open(context.Background(), e.DSN, append([]sqlstore.Option{sqlstore.WithClock(e.Clock.Now), sqlstore.WithLogger(quietLogger)}, opts...)...)
}

// Each runs f once per store: SQLite always, PostgreSQL when configured.
func Each(t *testing.T, f func(t *testing.T, env *Env)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, OpenSQLite(t)) })
	if os.Getenv(PostgresEnv) != "" {
		t.Run("postgres", func(t *testing.T) { f(t, OpenPostgres(t)) })
	}
}

// quietLogger keeps retry chatter out of test output.
var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// OpenSQLite opens a fresh SQLite store in t.TempDir(); opts come after
// the test clock and a quiet logger, and may replace them.
func OpenSQLite(t testing.TB, opts ...sqlstore.Option) *Env {
	t.Helper()
	return OpenSQLiteAt(t, filepath.Join(t.TempDir(), "passnum.db"), opts...)
}

// OpenSQLiteAt opens a SQLite store at path, as OpenSQLite does.
func OpenSQLiteAt(t testing.TB, path string, opts ...sqlstore.Option) *Env {
	t.Helper()
	clock := NewClock(Start)
	s, err := sqlstore.Open(context.Background(), path, append([]sqlstore.Option{sqlstore.WithClock(clock.Now), sqlstore.WithLogger(quietLogger)}, opts...)...)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return &Env{Name: "sqlite", Store: s, Clock: clock, DSN: path}
}

// OpenPostgres opens a fresh store in a new PostgreSQL schema, dropped at
// the end of the test. It skips the test when PASSNUM_TEST_POSTGRES is
// unset. opts come after the test clock and a quiet logger.
func OpenPostgres(t testing.TB, opts ...sqlstore.Option) *Env {
	t.Helper()
	return OpenPostgresInTablespace(t, "", opts...)
}

// OpenPostgresInTablespace is OpenPostgres with the schema's tables and
// indexes in tablespace ("": the database's default).
func OpenPostgresInTablespace(t testing.TB, tablespace string, opts ...sqlstore.Option) *Env {
	t.Helper()
	dsn := PostgresSchema(t, tablespace)
	clock := NewClock(Start)
	s, err := sqlstore.Open(context.Background(), dsn, append([]sqlstore.Option{sqlstore.WithClock(clock.Now), sqlstore.WithLogger(quietLogger)}, opts...)...)
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return &Env{Name: "postgres", Store: s, Clock: clock, DSN: dsn}
}

// PostgresSchema creates a new schema, dropped at the end of the test,
// and returns the URL of PASSNUM_TEST_POSTGRES that uses it (its
// search_path), with its tables and indexes in tablespace ("": the
// database's default). It skips the test when the variable is unset.
func PostgresSchema(t testing.TB, tablespace string) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip(PostgresEnv + " not set")
	}
	raw := make([]byte, 6)
	rand.Read(raw)
	schema := "test_" + hex.EncodeToString(raw)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err == nil {
			admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			admin.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	if tablespace != "" {
		q.Set("default_tablespace", tablespace) // a run-time parameter of every connection
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// As returns a context acting as a.
func As(a *passnum.Actor) context.Context {
	return passnum.NewContextWithActor(context.Background(), a)
}

// Actor returns the actor of an organisation with a role.
func Actor(org *passnum.Organisation, role passnum.Role) *passnum.Actor {
	return &passnum.Actor{OrgID: org.ID, OrgKind: org.Kind, Role: role, Label: fmt.Sprintf("test:%s:%d:%s", org.Kind, org.ID, role)}
}

// Fixture is a small programme ready for redemptions: the State and a
// département funding 50/50 in Bretagne, two prescribers, three venues (two
// qualified in the territory, one outside), carnets issued, activated,
// allocated and some distributed.
type Fixture struct {
	Env        *Env
	Operator   *passnum.Actor
	State      *passnum.Organisation
	Dept       *passnum.Organisation
	Region     *passnum.Organisation // a third funder, with Options.Shares of three
	Prescriber *passnum.Organisation
	Other      *passnum.Organisation // a second prescriber
	Venue      *passnum.Organisation // qualified, in Rennes
	Venue2     *passnum.Organisation // qualified, in Brest
	Outside    *passnum.Organisation // qualified, in Lyon: outside the territory
	Programme  *passnum.Programme
	Batch      *passnum.Batch
	Service    *passnum.CatalogueService // 1 pass, "Maîtrise des outils numériques du quotidien"
	Service2   *passnum.CatalogueService // at Venue2
	OutService *passnum.CatalogueService // at Outside
	// Codes maps each serial to its short code.
	Codes map[int64]string
	// Payloads maps each serial to its signed QR payload.
	Payloads map[int64]string
}

// Options shape the fixture.
type Options struct {
	Carnets     int // issued (default 20)
	Activated   int // carnets activated (default all)
	Allocated   int // carnets allocated to Prescriber (default 10)
	Distributed int // carnets distributed (default 6)
	CarnetSize  int // default 5
	// Shares are the funders' shares in basis points: State and Dept
	// (default 5000 / 5000), then Region when there are three.
	Shares         []int
	FaceValueCents int64 // default passnum.DefaultFaceValue
}

// NewFixture builds a Fixture.
func NewFixture(t testing.TB, env *Env, o Options) *Fixture {
	t.Helper()
	if o.Carnets == 0 {
		o.Carnets = 20
	}
	if o.Activated == 0 {
		o.Activated = o.Carnets
	}
	if o.Allocated == 0 {
		o.Allocated = min(10, o.Activated)
	}
	if o.Distributed == 0 {
		o.Distributed = min(6, o.Allocated)
	}
	if o.CarnetSize == 0 {
		o.CarnetSize = 5
	}
	if len(o.Shares) == 0 {
		o.Shares = []int{5000, 5000}
	}
	if o.FaceValueCents == 0 {
		o.FaceValueCents = passnum.DefaultFaceValue
	}
	face := o.FaceValueCents
	s := env.Store
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %v", err)
		}
	}
	op, err := s.SystemActor(context.Background(), "test:operator")
	must(err)
	ctx := As(op)
	f := &Fixture{Env: env, Operator: op}
	org := func(c passnum.OrganisationCreate) *passnum.Organisation {
		o, err := s.CreateOrganisation(ctx, c)
		must(err)
		return o
	}
	f.State = org(passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "État — ANCT"})
	f.Dept = org(passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Département d'Ille-et-Vilaine"})
	f.Prescriber = org(passnum.OrganisationCreate{Kind: passnum.KindPrescriber, Name: "CCAS de Rennes", CommuneINSEE: "35238"})
	f.Other = org(passnum.OrganisationCreate{Kind: passnum.KindPrescriber, Name: "France Services Fougères", CommuneINSEE: "35115"})
	f.Venue = org(passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "La Quincaillerie numérique", SIRET: "78282932000079", CommuneINSEE: "35238", Qualification: passnum.QualificationQualified})
	f.Venue2 = org(passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Médiathèque de Brest", SIRET: "21290019700014", CommuneINSEE: "29019", Qualification: passnum.QualificationQualified})
	f.Outside = org(passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Espace numérique de Lyon", SIRET: "21690123100011", CommuneINSEE: "69123", Qualification: passnum.QualificationQualified})
	size := o.CarnetSize
	funders := []passnum.FunderShare{{FunderID: f.State.ID, ShareBP: o.Shares[0]}, {FunderID: f.Dept.ID, ShareBP: o.Shares[1]}}
	if len(o.Shares) > 2 {
		f.Region = org(passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Région Bretagne"})
		funders = append(funders, passnum.FunderShare{FunderID: f.Region.ID, ShareBP: o.Shares[2]})
	}
	f.Programme, err = s.CreateProgramme(ctx, passnum.ProgrammeCreate{
		Name:        "Pass numérique Bretagne 2027",
		Funders:     funders,
		BudgetCents: int64(o.Carnets*size) * face * 2, CarnetSize: size, FaceValueCents: face,
		ValidFrom: "2027-01-01", ValidUntil: "2027-12-31",
		Territory: []string{"region:53"},
		Services:  []string{"Maîtrise des outils numériques du quotidien", "Aide aux démarches administratives"},
	})
	must(err)
	f.Batch, err = s.Issue(ctx, passnum.IssueRequest{ProgrammeID: f.Programme.ID, Carnets: o.Carnets})
	must(err)
	need := int64(o.Activated*size) * face * 10400 / 10000
	_, err = s.RecordFunds(ctx, passnum.FundsCreate{ProgrammeID: f.Programme.ID, FunderID: f.State.ID, Reference: "OP-STATE-1", AmountCents: need/2 + 1, ReceivedOn: "2027-01-10"})
	must(err)
	_, err = s.RecordFunds(ctx, passnum.FundsCreate{ProgrammeID: f.Programme.ID, FunderID: f.Dept.ID, Reference: "OP-DEPT-1", AmountCents: need/2 + 1, ReceivedOn: "2027-01-12"})
	must(err)
	if o.Activated > 0 {
		_, err = s.Activate(ctx, passnum.ActivateRequest{ProgrammeID: f.Programme.ID, FirstCarnet: f.Batch.FirstCarnet, LastCarnet: f.Batch.FirstCarnet + int64(o.Activated) - 1})
		must(err)
	}
	if o.Allocated > 0 {
		_, err = s.Allocate(ctx, passnum.AllocateRequest{PrescriberID: f.Prescriber.ID, FirstCarnet: f.Batch.FirstCarnet, LastCarnet: f.Batch.FirstCarnet + int64(o.Allocated) - 1})
		must(err)
	}
	pctx := As(Actor(f.Prescriber, passnum.RoleAgent))
	for i := 0; i < o.Distributed; i++ {
		_, err := s.Distribute(pctx, passnum.DistributeRequest{Carnet: f.Batch.FirstCarnet + int64(i), Beneficiary: &passnum.BeneficiaryInput{
			BirthYear: 1940 + i%60, CommuneINSEE: "35238", Needs: []string{"Aide aux démarches administratives"}, ConsentAt: "2027-03-01"}})
		must(err)
	}
	svc := func(venue *passnum.Organisation, title, category string) *passnum.CatalogueService {
		c, err := s.CreateCatalogueService(ctx, passnum.CatalogueServiceCreate{VenueID: venue.ID, Title: title, Category: category, DurationMinutes: 90, PricePasses: 1})
		must(err)
		return c
	}
	f.Service = svc(f.Venue, "Premiers pas sur smartphone", "Maîtrise des outils numériques du quotidien")
	f.Service2 = svc(f.Venue2, "Créer son espace France Travail", "Aide aux démarches administratives")
	f.OutService = svc(f.Outside, "Premiers pas sur ordinateur", "Maîtrise des outils numériques du quotidien")
	f.Codes, f.Payloads = ExportCodes(t, s, op, f.Batch.ID)
	return f
}

// ExportCodes reads the short codes and QR payloads of a batch through the
// operator's CSV export.
func ExportCodes(t testing.TB, s *sqlstore.Store, op *passnum.Actor, batchID int64) (codes, payloads map[int64]string) {
	t.Helper()
	var buf bytes.Buffer
	if err := s.ExportPasses(As(op), batchID, &buf, nil); err != nil {
		t.Fatalf("export: %v", err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read export: %v", err)
	}
	codes, payloads = map[int64]string{}, map[int64]string{}
	for _, rec := range recs[1:] {
		serial, err := strconv.ParseInt(rec[0], 10, 64)
		if err != nil {
			t.Fatalf("export: serial %q: %v", rec[0], err)
		}
		codes[serial], payloads[serial] = rec[4], rec[5]
	}
	return codes, payloads
}

// Serials returns the serials of carnet number n of the fixture's batch
// (0-based within the batch).
func (f *Fixture) Serials(n int) []int64 {
	size := int64(f.Programme.CarnetSize)
	first := f.Batch.FirstSerial + int64(n)*size
	out := make([]int64, size)
	for i := range out {
		out[i] = first + int64(i)
	}
	return out
}

// CodesOf returns the short codes of serials.
func (f *Fixture) CodesOf(serials ...int64) []string {
	out := make([]string, len(serials))
	for i, s := range serials {
		out[i] = f.Codes[s]
	}
	return out
}

// VenueCtx acts as an agent of venue.
func VenueCtx(v *passnum.Organisation) context.Context { return As(Actor(v, passnum.RoleAgent)) }

// MustCheck fails the test if an invariant does not hold.
func MustCheck(t testing.TB, env *Env, op *passnum.Actor) {
	t.Helper()
	rep, err := env.Store.CheckInvariants(As(op))
	if err != nil {
		t.Fatalf("check invariants: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("invariants broken:\n%s", strings.Join(rep.Problems, "\n"))
	}
}
