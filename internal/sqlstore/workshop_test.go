package sqlstore_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// The store implements the workshop interface.
var _ passnum.WorkshopService = (*sqlstore.Store)(nil)

// wantErr fails unless err has the code and, when given, the reason; an
// empty code wants no error.
func wantErr(t *testing.T, err error, code, reason string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if passnum.ErrorCode(err) != code || reason != "" && passnum.ErrorReason(err) != reason {
		t.Fatalf("got %v, want %s (%s)", err, code, reason)
	}
}

// wantField fails unless err is EINVALID about field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var e *passnum.Error
	if !asError(err, &e) || e.Code != passnum.EINVALID || e.Field != field {
		t.Fatalf("got %v, want invalid %s", err, field)
	}
}

// addPlace adds a point of presence to a venue, closed when open is false.
func addPlace(t *testing.T, env *st.Env, f *st.Fixture, venueID int64, name string, open bool) int64 {
	t.Helper()
	op := st.As(f.Operator)
	p, err := env.Store.SavePlace(op, passnum.Place{VenueID: venueID, Name: name, Address: "2 place de la Mairie", PostalCode: "35000", INSEE: "35238"})
	if err == nil && !open {
		p.Active = false
		p, err = env.Store.SavePlace(op, *p)
	}
	if err != nil {
		t.Fatalf("place %q: %v", name, err)
	}
	return p.ID
}

// collective adds a collective workshop to a venue's catalogue.
func collective(t *testing.T, env *st.Env, f *st.Fixture, venue *passnum.Organisation, title string) *passnum.CatalogueService {
	t.Helper()
	svc, err := env.Store.CreateCatalogueService(st.As(f.Operator), passnum.CatalogueServiceCreate{VenueID: venue.ID, Title: title,
		Category: "Maîtrise des outils numériques du quotidien", DurationMinutes: 120, PricePasses: 1, Format: passnum.FormatCollective, Level: "débutant"})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func newSession(t *testing.T, env *st.Env, ctx context.Context, serviceID int64, start time.Time, capacity int) *passnum.WorkshopSession {
	t.Helper()
	w, err := env.Store.CreateSession(ctx, passnum.SessionCreate{ServiceID: serviceID, StartsAt: start, Capacity: capacity})
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	return w
}

// beneficiaryRefs returns the references of the people the fixture's first
// n carnets were handed to.
func beneficiaryRefs(t *testing.T, env *st.Env, f *st.Fixture, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		c, err := env.Store.FindCarnet(st.As(f.Operator), f.Batch.FirstCarnet+int64(i))
		if err != nil || c.BeneficiaryRef == "" {
			t.Fatalf("carnet %d: %+v %v", i, c, err)
		}
		out = append(out, c.BeneficiaryRef)
	}
	return out
}

func TestCatalogueServiceUpdate(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s := env.Store
		// A service created without level nor format gets the defaults.
		if f.Service.Level != "tous niveaux" || f.Service.Format != passnum.FormatIndividual || f.Service.Description != "" {
			t.Fatalf("defaults: %+v", f.Service)
		}
		svc := collective(t, env, f, f.Venue, "Atelier tablette")
		if svc.Level != "débutant" || svc.Format != passnum.FormatCollective {
			t.Fatalf("created: %+v", svc)
		}
		good := passnum.CatalogueServiceCreate{Title: "Atelier tablette et smartphone", Category: "Aide aux démarches administratives",
			DurationMinutes: 150, PricePasses: 2, Level: "intermédiaire", Format: passnum.FormatCollective,
			Accessibility: "Salle de plain-pied, boucle magnétique.", Description: "Deux heures et demie pour apprivoiser sa tablette."}
		with := func(change func(*passnum.CatalogueServiceCreate)) passnum.CatalogueServiceCreate {
			c := good
			change(&c)
			return c
		}
		admin := st.As(st.Actor(f.Venue, passnum.RoleAdmin))
		tests := []struct {
			name   string
			ctx    context.Context
			id     int64
			in     passnum.CatalogueServiceCreate
			code   string
			field  string
			reason string
		}{
			{"agent of the venue", st.VenueCtx(f.Venue), svc.ID, good, passnum.EFORBIDDEN, "", ""},
			{"admin of another venue", st.As(st.Actor(f.Venue2, passnum.RoleAdmin)), svc.ID, good, passnum.ENOTFOUND, "", ""},
			{"operator agent", st.As(st.Actor(&passnum.Organisation{ID: f.Operator.OrgID, Kind: passnum.KindOperator}, passnum.RoleAgent)), svc.ID, good, passnum.EFORBIDDEN, "", ""},
			{"funder", st.As(st.Actor(f.State, passnum.RoleAdmin)), svc.ID, good, passnum.EFORBIDDEN, "", ""},
			{"prescriber", st.As(st.Actor(f.Prescriber, passnum.RoleAdmin)), svc.ID, good, passnum.EFORBIDDEN, "", ""},
			{"unknown service", admin, 999999, good, passnum.ENOTFOUND, "", ""},
			{"unknown level", admin, svc.ID, with(func(c *passnum.CatalogueServiceCreate) { c.Level = "expert" }), passnum.EINVALID, "level", ""},
			{"unknown format", admin, svc.ID, with(func(c *passnum.CatalogueServiceCreate) { c.Format = "hybride" }), passnum.EINVALID, "format", ""},
			{"price below the duration", admin, svc.ID, with(func(c *passnum.CatalogueServiceCreate) { c.PricePasses = 1 }), passnum.EINVALID, "price_passes", ""},
			{"unknown category", admin, svc.ID, with(func(c *passnum.CatalogueServiceCreate) { c.Category = "Cuisine" }), passnum.EINVALID, "category", ""},
			{"empty title", admin, svc.ID, with(func(c *passnum.CatalogueServiceCreate) { c.Title = "  " }), passnum.EINVALID, "title", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.UpdateCatalogueService(tc.ctx, passnum.CatalogueServiceUpdate{ID: tc.id, CatalogueServiceCreate: tc.in})
				if tc.field != "" {
					wantField(t, err, tc.field)
					return
				}
				wantErr(t, err, tc.code, tc.reason)
			})
		}
		t.Run("venue admin", func(t *testing.T) {
			// The venue named in the input is ignored: a service stays where it is.
			in := with(func(c *passnum.CatalogueServiceCreate) { c.VenueID = f.Venue2.ID; c.Title = "  " + good.Title + " " })
			got, err := s.UpdateCatalogueService(admin, passnum.CatalogueServiceUpdate{ID: svc.ID, CatalogueServiceCreate: in})
			wantErr(t, err, "", "")
			want := passnum.CatalogueService{ID: svc.ID, VenueID: f.Venue.ID, Title: good.Title, Category: good.Category, DurationMinutes: 150,
				PricePasses: 2, Level: "intermédiaire", Format: passnum.FormatCollective, Accessibility: good.Accessibility,
				Description: good.Description, Active: true, CreatedAt: svc.CreatedAt}
			if *got != want {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
			list, err := s.ListCatalogueServices(st.VenueCtx(f.Venue), 0)
			wantErr(t, err, "", "")
			if last := list[len(list)-1]; *last != want {
				t.Fatalf("listed %+v", last)
			}
		})
		t.Run("operator admin, defaults", func(t *testing.T) {
			in := with(func(c *passnum.CatalogueServiceCreate) { c.Level, c.Format = "", "" })
			got, err := s.UpdateCatalogueService(st.As(f.Operator), passnum.CatalogueServiceUpdate{ID: svc.ID, CatalogueServiceCreate: in})
			wantErr(t, err, "", "")
			if got.Level != "tous niveaux" || got.Format != passnum.FormatIndividual || got.VenueID != f.Venue.ID {
				t.Fatalf("got %+v", got)
			}
		})
		if n := countAudit(t, env, "catalogue.update"); n != 2 {
			t.Errorf("%d catalogue.update lines in the audit trail, want 2", n)
		}
	})
}

func countAudit(t *testing.T, env *st.Env, action string) int {
	t.Helper()
	lines, err := sqlstore.QueryStrings(env.Store, `SELECT object FROM audit_log WHERE action = ?`, action)
	if err != nil {
		t.Fatal(err)
	}
	return len(lines)
}

func TestCreateSession(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s := env.Store
		svc := collective(t, env, f, f.Venue, "Atelier tablette")
		withdrawn := collective(t, env, f, f.Venue, "Atelier retiré")
		if _, err := s.SetCatalogueServiceActive(st.As(f.Operator), withdrawn.ID, false); err != nil {
			t.Fatal(err)
		}
		library := addPlace(t, env, f, f.Venue.ID, "Bibliothèque des Champs-Manceaux", true)
		closed := addPlace(t, env, f, f.Venue.ID, "Mairie de quartier (fermée)", false)
		elsewhere := addPlace(t, env, f, f.Venue2.ID, "Médiathèque annexe", true)
		agent := st.VenueCtx(f.Venue)
		soon := st.Start.Add(48 * time.Hour)
		good := passnum.SessionCreate{ServiceID: svc.ID, StartsAt: soon, Capacity: 8}
		with := func(change func(*passnum.SessionCreate)) passnum.SessionCreate {
			c := good
			change(&c)
			return c
		}
		tests := []struct {
			name  string
			ctx   context.Context
			in    passnum.SessionCreate
			code  string
			field string
		}{
			{"no service", agent, with(func(c *passnum.SessionCreate) { c.ServiceID = 0 }), passnum.EINVALID, "service_id"},
			{"no start", agent, with(func(c *passnum.SessionCreate) { c.StartsAt = time.Time{} }), passnum.EINVALID, "starts_at"},
			{"no seat", agent, with(func(c *passnum.SessionCreate) { c.Capacity = 0 }), passnum.EINVALID, "capacity"},
			{"too many seats", agent, with(func(c *passnum.SessionCreate) { c.Capacity = passnum.MaxSessionCapacity + 1 }), passnum.EINVALID, "capacity"},
			{"too short", agent, with(func(c *passnum.SessionCreate) { c.DurationMinutes = 10 }), passnum.EINVALID, "duration_minutes"},
			{"longer than the passes pay for", agent, with(func(c *passnum.SessionCreate) { c.DurationMinutes = 180 }), passnum.EINVALID, "duration_minutes"},
			{"long past", agent, with(func(c *passnum.SessionCreate) { c.StartsAt = st.Start.AddDate(0, -2, 0) }), passnum.EINVALID, "starts_at"},
			{"far ahead", agent, with(func(c *passnum.SessionCreate) { c.StartsAt = st.Start.AddDate(3, 0, 0) }), passnum.EINVALID, "starts_at"},
			{"withdrawn service", agent, with(func(c *passnum.SessionCreate) { c.ServiceID = withdrawn.ID }), passnum.EINVALID, "service_id"},
			{"service of another venue", agent, with(func(c *passnum.SessionCreate) { c.ServiceID = f.Service2.ID }), passnum.ENOTFOUND, ""},
			{"unknown service", agent, with(func(c *passnum.SessionCreate) { c.ServiceID = 999999 }), passnum.ENOTFOUND, ""},
			{"place of another venue", agent, with(func(c *passnum.SessionCreate) { c.PlaceID = elsewhere }), passnum.EINVALID, "place_id"},
			{"unknown place", agent, with(func(c *passnum.SessionCreate) { c.PlaceID = 999999 }), passnum.EINVALID, "place_id"},
			{"closed place", agent, with(func(c *passnum.SessionCreate) { c.PlaceID = closed }), passnum.EINVALID, "place_id"},
			{"funder", st.As(st.Actor(f.State, passnum.RoleAdmin)), good, passnum.EFORBIDDEN, ""},
			{"hub-less prescriber", st.As(st.Actor(f.Prescriber, passnum.RoleAdmin)), good, passnum.EFORBIDDEN, ""},
			{"nobody", context.Background(), good, passnum.EUNAUTHORIZED, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.CreateSession(tc.ctx, tc.in)
				if tc.field != "" {
					wantField(t, err, tc.field)
					return
				}
				wantErr(t, err, tc.code, "")
			})
		}
		t.Run("agent, at a place, duration of the service", func(t *testing.T) {
			w, err := s.CreateSession(agent, with(func(c *passnum.SessionCreate) { c.PlaceID = library; c.Note = "  Apportez votre tablette. " }))
			wantErr(t, err, "", "")
			if w.VenueID != f.Venue.ID || w.ServiceID != svc.ID || w.PlaceID != library || w.PlaceName != "Bibliothèque des Champs-Manceaux" ||
				w.DurationMinutes != 120 || w.Capacity != 8 || !w.StartsAt.Equal(soon) || w.Note != "Apportez votre tablette." ||
				w.ServiceTitle != "Atelier tablette" || w.Registered != 0 || w.CancelledAt != nil {
				t.Fatalf("got %+v", w)
			}
		})
		t.Run("a session of last week, to record who came", func(t *testing.T) {
			w, err := s.CreateSession(agent, with(func(c *passnum.SessionCreate) { c.StartsAt = st.Start.AddDate(0, 0, -7); c.DurationMinutes = 60 }))
			wantErr(t, err, "", "")
			if w.DurationMinutes != 60 {
				t.Fatalf("got %+v", w)
			}
		})
		t.Run("operator, for the venue", func(t *testing.T) {
			w, err := s.CreateSession(st.As(f.Operator), with(func(c *passnum.SessionCreate) { c.PlaceID = library }))
			wantErr(t, err, "", "")
			if w.VenueID != f.Venue.ID {
				t.Fatalf("got %+v", w)
			}
		})
		if n := countAudit(t, env, "sessions.create"); n != 3 {
			t.Errorf("%d sessions.create lines in the audit trail, want 3", n)
		}
	})
}

func TestListAndFindSessions(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s := env.Store
		svc := collective(t, env, f, f.Venue, "Atelier tablette")
		other := collective(t, env, f, f.Venue, "Atelier courriels")
		agent := st.VenueCtx(f.Venue)
		past := newSession(t, env, agent, svc.ID, st.Start.Add(-72*time.Hour), 5)
		next := newSession(t, env, agent, svc.ID, st.Start.Add(24*time.Hour), 5)
		later := newSession(t, env, agent, other.ID, st.Start.Add(96*time.Hour), 5)
		cancelled := newSession(t, env, agent, svc.ID, st.Start.Add(48*time.Hour), 5)
		if _, err := s.CancelSession(agent, cancelled.ID); err != nil {
			t.Fatal(err)
		}
		brest := newSession(t, env, st.VenueCtx(f.Venue2), f.Service2.ID, st.Start.Add(24*time.Hour), 5)
		if _, err := s.Register(agent, passnum.RegistrationCreate{SessionID: next.ID, Label: "Josiane"}); err != nil {
			t.Fatal(err)
		}
		ids := func(list []*passnum.WorkshopSession) []int64 {
			var out []int64
			for _, w := range list {
				out = append(out, w.ID)
			}
			return out
		}
		tests := []struct {
			name   string
			ctx    context.Context
			f      passnum.SessionFilter
			want   []int64
			counts bool // whether counts are shown
		}{
			{"the venue's own, all", agent, passnum.SessionFilter{}, []int64{past.ID, next.ID, cancelled.ID, later.ID}, true},
			{"the venue's own by number", st.As(st.Actor(f.Venue, passnum.RoleAdmin)), passnum.SessionFilter{VenueID: f.Venue.ID}, []int64{past.ID, next.ID, cancelled.ID, later.ID}, true},
			{"one service", agent, passnum.SessionFilter{ServiceID: other.ID}, []int64{later.ID}, true},
			{"a period", agent, passnum.SessionFilter{From: st.Start, To: st.Start.Add(72 * time.Hour)}, []int64{next.ID, cancelled.ID}, true},
			{"limited", agent, passnum.SessionFilter{Limit: 2}, []int64{past.ID, next.ID}, true},
			{"operator, every venue", st.As(f.Operator), passnum.SessionFilter{From: st.Start}, []int64{next.ID, brest.ID, cancelled.ID, later.ID}, true},
			{"operator, one venue", st.As(f.Operator), passnum.SessionFilter{VenueID: f.Venue2.ID}, []int64{brest.ID}, true},
			{"public: coming, not cancelled", context.Background(), passnum.SessionFilter{VenueID: f.Venue.ID}, []int64{next.ID, later.ID}, false},
			{"public asking for the past", context.Background(), passnum.SessionFilter{VenueID: f.Venue.ID, From: st.Start.AddDate(0, -1, 0)}, []int64{next.ID, later.ID}, false},
			{"another venue sees the public list", st.VenueCtx(f.Venue2), passnum.SessionFilter{VenueID: f.Venue.ID}, []int64{next.ID, later.ID}, false},
			{"a prescriber sees the public list", st.As(st.Actor(f.Prescriber, passnum.RoleAgent)), passnum.SessionFilter{VenueID: f.Venue.ID}, []int64{next.ID, later.ID}, false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				list, err := s.ListSessions(tc.ctx, tc.f)
				wantErr(t, err, "", "")
				if fmt.Sprint(ids(list)) != fmt.Sprint(tc.want) {
					t.Fatalf("got %v, want %v", ids(list), tc.want)
				}
				for _, w := range list {
					// Seats taken show to everyone, so that people see what
					// is left; attendance only to members (checked below).
					if w.ID == next.ID && w.Registered != 1 {
						t.Errorf("registered %d, want 1 (members' view: %v)", w.Registered, tc.counts)
					}
				}
			})
		}
		t.Run("public without a venue", func(t *testing.T) {
			_, err := s.ListSessions(context.Background(), passnum.SessionFilter{})
			wantField(t, err, "venue_id")
		})
		t.Run("a withdrawn service leaves the public list", func(t *testing.T) {
			if _, err := s.SetCatalogueServiceActive(st.As(f.Operator), other.ID, false); err != nil {
				t.Fatal(err)
			}
			list, err := s.ListSessions(context.Background(), passnum.SessionFilter{VenueID: f.Venue.ID})
			wantErr(t, err, "", "")
			if fmt.Sprint(ids(list)) != fmt.Sprint([]int64{next.ID}) {
				t.Fatalf("got %v", ids(list))
			}
		})
		t.Run("find", func(t *testing.T) {
			for _, ctx := range []context.Context{agent, st.As(f.Operator)} {
				w, regs, err := s.FindSession(ctx, next.ID)
				wantErr(t, err, "", "")
				if w.Registered != 1 || len(regs) != 1 || regs[0].Label != "Josiane" || regs[0].Attended != nil {
					t.Fatalf("got %+v %+v", w, regs)
				}
			}
			_, _, err := s.FindSession(st.VenueCtx(f.Venue2), next.ID)
			wantErr(t, err, passnum.ENOTFOUND, "")
			_, _, err = s.FindSession(st.As(st.Actor(f.State, passnum.RoleAdmin)), next.ID)
			wantErr(t, err, passnum.EFORBIDDEN, "")
			_, _, err = s.FindSession(agent, 999999)
			wantErr(t, err, passnum.ENOTFOUND, "")
		})
	})
}

// TestRegistrationCapacityRace registers 20 people at once on a session
// of 5 seats: exactly 5 get one, the others are told it is full; and 10
// registrations of the same person at once give exactly one seat.
func TestRegistrationCapacityRace(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s := env.Store
		svc := collective(t, env, f, f.Venue, "Atelier tablette")
		agent := st.VenueCtx(f.Venue)
		race := func(w *passnum.WorkshopSession, n int, input func(i int) passnum.RegistrationCreate) (ok int, reasons map[string]int) {
			var mu sync.Mutex
			var wg sync.WaitGroup
			reasons = map[string]int{}
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, err := s.Register(agent, input(i))
					mu.Lock()
					defer mu.Unlock()
					if err == nil {
						ok++
					} else {
						reasons[passnum.ErrorReason(err)]++
					}
				}(i)
			}
			wg.Wait()
			return ok, reasons
		}
		w := newSession(t, env, agent, svc.ID, st.Start.Add(24*time.Hour), 5)
		ok, reasons := race(w, 20, func(i int) passnum.RegistrationCreate {
			return passnum.RegistrationCreate{SessionID: w.ID, Label: fmt.Sprintf("Personne %d", i)}
		})
		if ok != 5 || reasons["session-full"] != 15 || len(reasons) != 1 {
			t.Fatalf("%d registered, refusals %v; want 5 and 15 session-full", ok, reasons)
		}
		got, regs, err := s.FindSession(agent, w.ID)
		wantErr(t, err, "", "")
		if got.Registered != 5 || len(regs) != 5 || !got.Full() {
			t.Fatalf("session %+v with %d registrations", got, len(regs))
		}

		ref := beneficiaryRefs(t, env, f, 1)[0]
		w2 := newSession(t, env, agent, svc.ID, st.Start.Add(48*time.Hour), 5)
		ok, reasons = race(w2, 10, func(int) passnum.RegistrationCreate {
			return passnum.RegistrationCreate{SessionID: w2.ID, BeneficiaryRef: ref}
		})
		if ok != 1 || reasons["already-registered"] != 9 || len(reasons) != 1 {
			t.Fatalf("%d registered, refusals %v; want 1 and 9 already-registered", ok, reasons)
		}
		st.MustCheck(t, env, f.Operator)
		t.Logf("%s: %d transactions retried", env.Name, s.Retries())
	})
}

func TestRegistrationsAndAttendance(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 3, CarnetSize: 2, Distributed: 3})
		s := env.Store
		svc := collective(t, env, f, f.Venue, "Atelier tablette")
		agent := st.VenueCtx(f.Venue)
		refs := beneficiaryRefs(t, env, f, 3)
		start := st.Start.Add(2 * time.Hour)
		w := newSession(t, env, agent, svc.ID, start, 3)
		reg := func(ctx context.Context, in passnum.RegistrationCreate) (*passnum.Registration, error) {
			in.SessionID = w.ID
			return s.Register(ctx, in)
		}
		tests := []struct {
			name  string
			ctx   context.Context
			in    passnum.RegistrationCreate
			code  string
			field string
		}{
			{"nobody named", agent, passnum.RegistrationCreate{Label: "  "}, passnum.EINVALID, "label"},
			{"unknown reference", agent, passnum.RegistrationCreate{BeneficiaryRef: "B-0000-0000"}, passnum.EINVALID, "beneficiary_ref"},
			{"another venue", st.VenueCtx(f.Venue2), passnum.RegistrationCreate{Label: "Paul"}, passnum.ENOTFOUND, ""},
			{"a prescriber", st.As(st.Actor(f.Prescriber, passnum.RoleAgent)), passnum.RegistrationCreate{BeneficiaryRef: refs[0]}, passnum.EFORBIDDEN, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := reg(tc.ctx, tc.in)
				if tc.field != "" {
					wantField(t, err, tc.field)
					return
				}
				wantErr(t, err, tc.code, "")
			})
		}
		// A reference typed in lower case with spaces is the same person.
		first, err := reg(agent, passnum.RegistrationCreate{BeneficiaryRef: " " + strings.ToLower(refs[0]) + " ", Label: "Mme D."})
		wantErr(t, err, "", "")
		if first.BeneficiaryRef != refs[0] || first.Label != "Mme D." || first.SessionID != w.ID || first.Attended != nil {
			t.Fatalf("got %+v", first)
		}
		_, err = reg(agent, passnum.RegistrationCreate{BeneficiaryRef: refs[0]})
		wantErr(t, err, passnum.ECONFLICT, "already-registered")
		second, err := reg(st.As(f.Operator), passnum.RegistrationCreate{Label: "Josiane"})
		wantErr(t, err, "", "")
		third, err := reg(agent, passnum.RegistrationCreate{BeneficiaryRef: refs[1]})
		wantErr(t, err, "", "")
		_, err = reg(agent, passnum.RegistrationCreate{BeneficiaryRef: refs[2]})
		wantErr(t, err, passnum.ECONFLICT, "session-full")

		// Attendance waits for the session to start.
		wantErr(t, s.RecordAttendance(agent, first.ID, true), passnum.EREFUSED, "session-not-started")
		env.Clock.Set(start.Add(10 * time.Minute))
		defer env.Clock.Set(st.Start)
		wantErr(t, s.RecordAttendance(st.VenueCtx(f.Venue2), first.ID, true), passnum.ENOTFOUND, "")
		wantErr(t, s.RecordAttendance(agent, first.ID, true), "", "")
		wantErr(t, s.RecordAttendance(agent, second.ID, true), "", "")
		wantErr(t, s.RecordAttendance(agent, second.ID, false), "", "") // corrected
		wantErr(t, s.RecordAttendance(agent, 999999, true), passnum.ENOTFOUND, "")

		// A person recorded present keeps their seat; others may leave.
		wantErr(t, s.CancelRegistration(agent, first.ID), passnum.ECONFLICT, "attendance-recorded")
		wantErr(t, s.CancelRegistration(st.VenueCtx(f.Venue2), third.ID), passnum.ENOTFOUND, "")
		wantErr(t, s.CancelRegistration(agent, third.ID), "", "")
		wantErr(t, s.CancelRegistration(agent, third.ID), passnum.ECONFLICT, "registration-cancelled")
		wantErr(t, s.RecordAttendance(agent, third.ID, true), passnum.ECONFLICT, "registration-cancelled")
		// The freed seat is taken during the session (a latecomer), by the
		// same person as before or another.
		late, err := reg(agent, passnum.RegistrationCreate{BeneficiaryRef: refs[1]})
		wantErr(t, err, "", "")

		got, regs, err := s.FindSession(agent, w.ID)
		wantErr(t, err, "", "")
		if got.Registered != 3 || got.Attended != 1 || len(regs) != 4 {
			t.Fatalf("session %+v, %d registrations", got, len(regs))
		}
		attended := map[int64]string{}
		for _, r := range regs {
			switch {
			case r.CancelledAt != nil:
				attended[r.ID] = "cancelled"
			case r.Attended == nil:
				attended[r.ID] = "unknown"
			default:
				attended[r.ID] = strconv.FormatBool(*r.Attended)
			}
		}
		want := map[int64]string{first.ID: "true", second.ID: "false", third.ID: "cancelled", late.ID: "unknown"}
		if fmt.Sprint(attended) != fmt.Sprint(want) {
			t.Fatalf("attendance %v, want %v", attended, want)
		}

		// A session held cannot be cancelled; one where nobody came can.
		_, err = s.CancelSession(agent, w.ID)
		wantErr(t, err, passnum.ECONFLICT, "session-held")
		empty := newSession(t, env, agent, svc.ID, env.Clock.Now().Add(-30*time.Minute), 3)
		r, err := s.Register(agent, passnum.RegistrationCreate{SessionID: empty.ID, Label: "Paul"})
		wantErr(t, err, "", "")
		wantErr(t, s.RecordAttendance(agent, r.ID, false), "", "")
		_, err = s.CancelSession(st.VenueCtx(f.Venue2), empty.ID)
		wantErr(t, err, passnum.ENOTFOUND, "")
		c, err := s.CancelSession(agent, empty.ID)
		wantErr(t, err, "", "")
		if c.CancelledAt == nil || c.Registered != 1 {
			t.Fatalf("cancelled %+v", c)
		}
		_, err = s.CancelSession(agent, empty.ID)
		wantErr(t, err, passnum.ECONFLICT, "session-cancelled")
		_, err = s.Register(agent, passnum.RegistrationCreate{SessionID: empty.ID, Label: "Marie"})
		wantErr(t, err, passnum.ECONFLICT, "session-cancelled")
		wantErr(t, s.RecordAttendance(agent, r.ID, true), passnum.ECONFLICT, "session-cancelled")

		// Once over, a session takes no more registrations.
		env.Clock.Set(start.Add(3 * time.Hour))
		_, err = reg(agent, passnum.RegistrationCreate{Label: "Trop tard"})
		wantErr(t, err, passnum.EREFUSED, "session-over")
		st.MustCheck(t, env, f.Operator)
		if text := auditText(t, env); strings.Contains(text, "Josiane") || strings.Contains(text, "Mme D.") {
			t.Errorf("the audit trail names a registered person:\n%s", text)
		}
	})
}

// TestRedeemForSession ties redemptions to sessions: only a session of the
// caller's venue, of the service delivered, not cancelled; the session is
// part of the idempotent request.
func TestRedeemForSession(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 6, Distributed: 6, CarnetSize: 2})
		s := env.Store
		agent := st.VenueCtx(f.Venue)
		other := collective(t, env, f, f.Venue, "Atelier courriels")
		session := newSession(t, env, agent, f.Service.ID, st.Start.Add(-30*time.Minute), 4)
		ofOther := newSession(t, env, agent, other.ID, st.Start, 4)
		atBrest := newSession(t, env, st.VenueCtx(f.Venue2), f.Service2.ID, st.Start, 4)
		cancelled := newSession(t, env, agent, f.Service.ID, st.Start.Add(time.Hour), 4)
		if _, err := s.CancelSession(agent, cancelled.ID); err != nil {
			t.Fatal(err)
		}
		codes := f.CodesOf(f.Serials(0)...)
		tests := []struct {
			name    string
			session int64
		}{
			{"session of another venue", atBrest.ID},
			{"session of another service", ofOther.ID},
			{"cancelled session", cancelled.ID},
			{"unknown session", 999999},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := snapshot(t, env, f)
				_, err := s.Redeem(agent, passnum.RedeemRequest{Codes: codes, ServiceID: f.Service.ID, SessionID: tc.session, IdempotencyKey: "k-" + tc.name})
				wantField(t, err, "session_id")
				if after := snapshot(t, env, f); after != before {
					t.Fatalf("a refused redemption changed the data:\n%s\n%s", before, after)
				}
			})
		}
		req := passnum.RedeemRequest{Codes: codes, ServiceID: f.Service.ID, SessionID: session.ID, IdempotencyKey: "atelier-1"}
		r, err := s.Redeem(agent, req)
		wantErr(t, err, "", "")
		if r.SessionID != session.ID || r.Replayed || len(r.Serials) != 2 {
			t.Fatalf("got %+v", r)
		}
		again, err := s.Redeem(agent, req)
		wantErr(t, err, "", "")
		if !again.Replayed || again.ID != r.ID || again.SessionID != session.ID {
			t.Fatalf("replay %+v", again)
		}
		// The same key for the same passes in another session (or none) is
		// another request.
		for _, sessionID := range []int64{0, ofOther.ID} {
			other := req
			other.SessionID = sessionID
			_, err = s.Redeem(agent, other)
			wantErr(t, err, passnum.ECONFLICT, "idempotency-key-reused")
		}
		list, _, err := s.ListRedemptions(agent, passnum.RedemptionFilter{})
		wantErr(t, err, "", "")
		if len(list) != 1 || list[0].SessionID != session.ID {
			t.Fatalf("listed %+v", list)
		}
		// A redemption without a session has none.
		plain, err := s.Redeem(agent, passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(1)...), ServiceID: f.Service.ID, IdempotencyKey: "sans-seance"})
		wantErr(t, err, "", "")
		if plain.SessionID != 0 {
			t.Fatalf("got %+v", plain)
		}
		// A session with passes redeemed for it cannot be cancelled until
		// the redemption is voided.
		_, err = s.CancelSession(agent, session.ID)
		wantErr(t, err, passnum.ECONFLICT, "session-redeemed")
		if _, err := s.VoidRedemption(agent, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CancelSession(agent, session.ID); err != nil {
			t.Fatal(err)
		}
		// The replay still answers with the session, voided.
		again, err = s.Redeem(agent, req)
		wantErr(t, err, "", "")
		if !again.Replayed || again.SessionID != session.ID || again.VoidedAt == nil {
			t.Fatalf("replay after void %+v", again)
		}
		st.MustCheck(t, env, f.Operator)
	})
}

// TestCheckNoticesWorkshopTampering changes sessions, redemptions and
// reports behind the store's back and expects CheckInvariants to say so;
// overbooking is refused by the database itself.
func TestCheckNoticesWorkshopTampering(t *testing.T) {
	tests := []struct {
		name, sql, expect string
	}{
		{"counter off", `UPDATE workshop_sessions SET registered = 0`, "sessions disagree with their registrations"},
		{"registration revived", `UPDATE workshop_registrations SET cancelled_at = NULL`, "sessions disagree with their registrations"},
		{"redemption moved to another service", `UPDATE redemptions SET service_id = (SELECT MAX(id) FROM catalogue_services) WHERE session_id IS NOT NULL`, "tied to a session of another venue or service"},
		{"passes used edited", `UPDATE activity_reports SET passes_used = passes_used + 1`, "activity reports disagree"},
		{"people linked beyond participants", `UPDATE activity_reports SET participants = 1`, "activity reports disagree"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st.Each(t, func(t *testing.T, env *st.Env) {
				f := st.NewFixture(t, env, st.Options{Carnets: 3, Distributed: 3, CarnetSize: 2})
				s := env.Store
				agent := st.VenueCtx(f.Venue)
				refs := beneficiaryRefs(t, env, f, 2)
				w := newSession(t, env, agent, f.Service.ID, st.Start.Add(-time.Hour), 3)
				for _, in := range []passnum.RegistrationCreate{{SessionID: w.ID, BeneficiaryRef: refs[0]}, {SessionID: w.ID, Label: "Paul"}} {
					r, err := s.Register(agent, in)
					if err != nil {
						t.Fatal(err)
					}
					if in.Label != "" {
						wantErr(t, s.CancelRegistration(agent, r.ID), "", "")
					}
				}
				red, err := s.Redeem(agent, passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(0)...), ServiceID: f.Service.ID, SessionID: w.ID, IdempotencyKey: "x"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.CreateActivityReport(agent, passnum.ActivityReport{Format: passnum.FormatCollective, Date: "2026-11-02", DurationMinutes: 60,
					Themes: []string{"Courriels"}, PlaceKind: "lieu", Participants: 2, BeneficiaryRefs: refs, RedemptionID: red.ID}); err != nil {
					t.Fatal(err)
				}
				collective(t, env, f, f.Venue, "Atelier courriels") // the last service, of the same venue
				st.MustCheck(t, env, f.Operator)
				if err := sqlstore.ExecRaw(s, tc.sql); err != nil {
					t.Fatalf("tamper: %v", err)
				}
				rep, err := s.CheckInvariants(st.As(f.Operator))
				if err != nil {
					t.Fatal(err)
				}
				if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), tc.expect) {
					t.Fatalf("problems %q do not mention %q", rep.Problems, tc.expect)
				}
				if err := sqlstore.ExecRaw(s, `UPDATE workshop_sessions SET registered = capacity + 1`); err == nil {
					t.Fatal("the database accepted an overbooked session")
				}
			})
		})
	}
}
