package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
	"pgregory.net/rapid"
)

// TestIndicatorsRecount builds random histories — people handed carnets of
// two programmes in several communes, uses at three venues over two years,
// voids, blocks, expiry — and compares every indicator of every scope,
// period and dimension the store computes with a recount from raw records
// written independently, group by group, from the definitions.
//
// Refreshes happen along the way: each but the first counts only what
// changed since the previous snapshot, and must give, row for row, what a
// computation from scratch gives (sameAsRecount).
func TestIndicatorsRecount(t *testing.T) {
	eachRapid(t, 8, 3, func(rt *rapid.T, t *testing.T, env *st.Env) { runIndicatorHistory(rt, t, env, false) })
}

// TestIndicatorsIncremental runs the same histories with, besides, what
// changes a person's rows without touching their passes — restriction of
// their record, its rectification, its erasure — and a refresh killed
// midway; after every refresh the snapshot must hold exactly what a
// computation from scratch gives.
//
// Here a refresh counts everything again when most people changed, as it
// does on large stores, so that both ways are compared.
func TestIndicatorsIncremental(t *testing.T) {
	defer sqlstore.CountAllWhenMostChanged()()
	eachRapid(t, 8, 3, func(rt *rapid.T, t *testing.T, env *st.Env) { runIndicatorHistory(rt, t, env, true) })
}

// sameAsRecount fails unless the latest snapshot holds, row for row and
// to the byte, what a computation from scratch gives now.
func sameAsRecount(rt *rapid.T, s *sqlstore.Store, when string) {
	got, gotPasses, err := sqlstore.IndicatorCells(s)
	if err != nil {
		rt.Fatal(err)
	}
	want, wantPasses, err := sqlstore.RecomputedIndicatorCells(s)
	if err != nil {
		rt.Fatal(err)
	}
	if gotPasses != wantPasses {
		rt.Fatalf("%s: snapshot counts %d passes, recount %d", when, gotPasses, wantPasses)
	}
	for k, v := range want {
		if got[k] != v {
			rt.Fatalf("%s: row %s:\n snapshot %s\n recount  %s", when, k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			rt.Fatalf("%s: row %s in the snapshot, not in the recount: %s", when, k, v)
		}
	}
}

func runIndicatorHistory(rt *rapid.T, t *testing.T, env *st.Env, rights bool) {
	s := env.Store
	f := st.NewFixture(t, env, st.Options{Carnets: 12, Activated: 10, Allocated: 8, Distributed: 1, CarnetSize: 3,
		Shares: []int{3333, 3333, 3334}, FaceValueCents: 777})
	op := st.As(f.Operator)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// A second programme, funded by the département and a foundation.
	foundation, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Fondation"})
	must(err)
	p2, err := s.CreateProgramme(op, passnum.ProgrammeCreate{Name: "Pass Finistère", BudgetCents: 100000, CarnetSize: 2, FaceValueCents: 1000,
		Funders:   []passnum.FunderShare{{FunderID: f.Dept.ID, ShareBP: 6000}, {FunderID: foundation.ID, ShareBP: 4000}},
		ValidFrom: "2027-01-01", ValidUntil: "2027-12-31", Territory: []string{"region:53"},
		Services: []string{"Maîtrise des outils numériques du quotidien", "Aide aux démarches administratives"}})
	must(err)
	b2, err := s.Issue(op, passnum.IssueRequest{ProgrammeID: p2.ID, Carnets: 6})
	must(err)
	_, err = s.RecordFunds(op, passnum.FundsCreate{ProgrammeID: p2.ID, FunderID: f.Dept.ID, Reference: "P2-D", AmountCents: 60000, ReceivedOn: "2027-03-01"})
	must(err)
	_, err = s.RecordFunds(op, passnum.FundsCreate{ProgrammeID: p2.ID, FunderID: foundation.ID, Reference: "P2-F", AmountCents: 40000, ReceivedOn: "2027-03-01"})
	must(err)
	_, err = s.Activate(op, passnum.ActivateRequest{ProgrammeID: p2.ID, FirstCarnet: b2.FirstCarnet, LastCarnet: b2.LastCarnet})
	must(err)
	_, err = s.Allocate(op, passnum.AllocateRequest{PrescriberID: f.Other.ID, FirstCarnet: b2.FirstCarnet, LastCarnet: b2.LastCarnet - 1})
	must(err)
	// Hubs: one for Ille-et-Vilaine, one for Brest and Quimper.
	_, err = s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub 35", Territory: []string{"departement:35"}})
	must(err)
	_, err = s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub Finistère", Territory: []string{"commune:29019", "commune:29232"}})
	must(err)
	// Workshops of 2 hours for 2 passes and of 100 minutes for 3.
	long, err := s.CreateCatalogueService(op, passnum.CatalogueServiceCreate{VenueID: f.Venue2.ID, Title: "Atelier long", Category: "Aide aux démarches administratives", DurationMinutes: 120, PricePasses: 2})
	must(err)
	odd, err := s.CreateCatalogueService(op, passnum.CatalogueServiceCreate{VenueID: f.Venue.ID, Title: "Atelier de trois", Category: "Maîtrise des outils numériques du quotidien", DurationMinutes: 100, PricePasses: 3})
	must(err)
	services := []*passnum.CatalogueService{f.Service, f.Service2, long, odd}
	venueOf := map[int64]*passnum.Organisation{f.Service.ID: f.Venue, f.Service2.ID: f.Venue2, long.ID: f.Venue2, odd.ID: f.Venue}

	carnets := []struct {
		number     int64
		prescriber *passnum.Organisation
		serials    []int64
	}{}
	for i := 1; i < 8; i++ {
		carnets = append(carnets, struct {
			number     int64
			prescriber *passnum.Organisation
			serials    []int64
		}{f.Batch.FirstCarnet + int64(i), f.Prescriber, f.Serials(i)})
	}
	codes2, _ := st.ExportCodes(t, s, f.Operator, b2.ID)
	for n := b2.FirstCarnet; n < b2.LastCarnet; n++ {
		first := b2.FirstSerial + (n-b2.FirstCarnet)*2
		carnets = append(carnets, struct {
			number     int64
			prescriber *passnum.Organisation
			serials    []int64
		}{n, f.Other, []int64{first, first + 1}})
	}
	codeOf := func(serial int64) string {
		if c, ok := f.Codes[serial]; ok {
			return c
		}
		return codes2[serial]
	}
	// Sessions the prescribers may book people into at hand-out: at
	// Rennes and Brest, before and after the turn of the year.
	var sessions []int64
	for _, w := range []struct {
		venue   *passnum.Organisation
		service int64
		at      time.Time
	}{
		{f.Venue, f.Service.ID, time.Date(2027, 11, 26, 13, 0, 0, 0, time.UTC)},
		{f.Venue2, f.Service2.ID, time.Date(2027, 12, 10, 13, 0, 0, 0, time.UTC)},
		{f.Venue, f.Service.ID, time.Date(2028, 1, 12, 13, 0, 0, 0, time.UTC)},
	} {
		env.Clock.Set(time.Date(2027, 11, 1, 9, 0, 0, 0, time.UTC))
		sessions = append(sessions, newSession(t, env, st.VenueCtx(w.venue), w.service, w.at, 2).ID)
	}
	var bookings []struct{ carnet, registration int64 }
	communes := []string{"35238", "35115", "29019", "29232", "56260"}
	var refs []string
	distributed := map[int]bool{}
	var redemptions []int64
	key := 0
	// The story goes on from late autumn, so that it crosses into the
	// next year: periods then differ from all time.
	env.Clock.Set(time.Date(2027, 11, 20, 9, 0, 0, 0, time.UTC))
	inUse := map[int64]int64{} // serial → redemption
	steps := rapid.IntRange(10, 40).Draw(rt, "steps")
	refreshes := 0
	refresh := func() {
		_, incremental, err := sqlstore.RefreshIndicatorsIncremental(s, op, nil)
		must(err)
		if incremental != (refreshes > 0) && (incremental || !rights) {
			rt.Fatalf("refresh %d: incremental %v", refreshes, incremental)
		}
		refreshes++
		sameAsRecount(rt, s, fmt.Sprintf("refresh %d", refreshes))
	}
	ops := 12
	if rights {
		ops = 16
	}
	for i := 0; i < steps; i++ {
		switch rapid.IntRange(0, ops-1).Draw(rt, "op") {
		case 11: // the indicators, as serve refreshes them
			refresh()
		case 12: // a person restricts their record, or lifts the restriction
			if len(refs) > 0 {
				_, err := s.RestrictBeneficiary(op, refs[rapid.IntRange(0, len(refs)-1).Draw(rt, "restricted")], rapid.Bool().Draw(rt, "restrict"), "demande")
				must(err)
			}
		case 13: // their commune is corrected
			if len(refs) > 0 {
				c := communes[rapid.IntRange(0, len(communes)-1).Draw(rt, "moved")]
				s.RectifyBeneficiary(op, passnum.Rectification{Ref: refs[rapid.IntRange(0, len(refs)-1).Draw(rt, "rectified")], CommuneINSEE: &c, Reason: "demande"})
			}
		case 14: // their record is erased
			if len(refs) > 0 {
				s.EraseBeneficiary(op, refs[rapid.IntRange(0, len(refs)-1).Draw(rt, "erased")], "demande")
			}
		case 15: // a refresh killed midway leaves the previous snapshot
			before, _, _ := sqlstore.IndicatorCells(s)
			ctx, cancel := context.WithCancel(op)
			_, err := s.RefreshIndicators(ctx, func(done, total int64) { cancel() })
			cancel()
			if err == nil {
				rt.Fatal("a refresh cancelled midway succeeded")
			}
			if after, _, _ := sqlstore.IndicatorCells(s); !reflect.DeepEqual(before, after) {
				rt.Fatal("a refresh cancelled midway changed the snapshot")
			}
		case 0, 1: // hand a carnet to a new or known person
			c := rapid.IntRange(0, len(carnets)-1).Draw(rt, "carnet")
			if distributed[c] {
				continue
			}
			req := passnum.DistributeRequest{Carnet: carnets[c].number}
			if len(refs) > 0 && rapid.Bool().Draw(rt, "known") {
				req.BeneficiaryRef = refs[rapid.IntRange(0, len(refs)-1).Draw(rt, "who")]
			} else {
				in := &passnum.BeneficiaryInput{CommuneINSEE: communes[rapid.IntRange(0, len(communes)-1).Draw(rt, "commune")],
					Needs: []string{"Aide aux démarches administratives"}, ConsentAt: passnum.Today(env.Clock.Now())}
				if rapid.Bool().Draw(rt, "band") {
					in.AgeBand = passnum.AgeBands[rapid.IntRange(0, len(passnum.AgeBands)-1).Draw(rt, "ageband")]
				} else {
					in.BirthYear = rapid.IntRange(1930, 2010).Draw(rt, "birth")
				}
				req.Beneficiary = in
			}
			d, err := s.Distribute(st.As(st.Actor(carnets[c].prescriber, passnum.RoleAgent)), req)
			if err != nil {
				continue // a blocked carnet, a person of the other prescriber…
			}
			distributed[c] = true
			if req.BeneficiaryRef == "" {
				refs = append(refs, d.Beneficiary.Ref)
			}
			if rapid.Bool().Draw(rt, "book") { // the first workshop, on the spot
				b, err := s.BookAtHandOut(st.As(st.Actor(carnets[c].prescriber, passnum.RoleAgent)),
					passnum.BookingRequest{Carnet: carnets[c].number, SessionID: sessions[rapid.IntRange(0, len(sessions)-1).Draw(rt, "session")]})
				if err == nil {
					bookings = append(bookings, struct{ carnet, registration int64 }{carnets[c].number, b.Registration.ID})
				}
			}
		case 2, 3, 4: // use passes of a handed carnet, as many as the workshop costs per person, for one or more people
			var handed []int
			for c := range distributed {
				handed = append(handed, c)
			}
			if len(handed) == 0 {
				continue
			}
			sort.Ints(handed)
			c := carnets[handed[rapid.IntRange(0, len(handed)-1).Draw(rt, "which")]]
			svc := services[rapid.IntRange(0, len(services)-1).Draw(rt, "service")]
			var free []int64
			for _, serial := range c.serials {
				if inUse[serial] == 0 {
					free = append(free, serial)
				}
			}
			people := len(free) / svc.PricePasses
			if people == 0 {
				continue
			}
			n := svc.PricePasses * rapid.IntRange(1, people).Draw(rt, "people")
			var codes []string
			for _, serial := range free[:n] {
				codes = append(codes, codeOf(serial))
			}
			key++
			r, err := s.Redeem(st.VenueCtx(venueOf[svc.ID]), passnum.RedeemRequest{Codes: codes, ServiceID: svc.ID, IdempotencyKey: fmt.Sprint("k", key)})
			if err == nil {
				redemptions = append(redemptions, r.ID)
				for _, serial := range free[:n] {
					inUse[serial] = r.ID
				}
			}
		case 5: // void the last use, if still allowed
			if len(redemptions) > 0 {
				id := redemptions[len(redemptions)-1]
				redemptions = redemptions[:len(redemptions)-1]
				for _, v := range []*passnum.Organisation{f.Venue, f.Venue2} {
					if _, err := s.VoidRedemption(st.VenueCtx(v), id); err == nil {
						for serial, r := range inUse {
							if r == id {
								delete(inUse, serial)
							}
						}
					}
				}
			}
		case 6: // block a carnet
			c := carnets[rapid.IntRange(0, len(carnets)-1).Draw(rt, "blocked")]
			s.Block(op, passnum.BlockRequest{Scope: passnum.BlockCarnet, Carnet: c.number, Reason: "perdu"})
		case 9: // book the holder of a handed carnet into a session
			c := carnets[rapid.IntRange(0, len(carnets)-1).Draw(rt, "booked")]
			b, err := s.BookAtHandOut(st.As(st.Actor(c.prescriber, passnum.RoleAgent)),
				passnum.BookingRequest{Carnet: c.number, SessionID: sessions[rapid.IntRange(0, len(sessions)-1).Draw(rt, "session")]})
			if err == nil {
				bookings = append(bookings, struct{ carnet, registration int64 }{c.number, b.Registration.ID})
			}
		case 10: // cancel a booking, by the prescriber or the venue
			if len(bookings) == 0 {
				continue
			}
			b := bookings[rapid.IntRange(0, len(bookings)-1).Draw(rt, "unbooked")]
			for _, c := range carnets {
				if c.number == b.carnet {
					s.CancelBooking(st.As(st.Actor(c.prescriber, passnum.RoleAgent)), b.carnet, b.registration)
				}
			}
		case 7, 8: // time passes, into the next year
			env.Clock.Advance(time.Duration(rapid.IntRange(1, 20*24).Draw(rt, "hours")) * time.Hour)
		}
		env.Clock.Advance(time.Minute) // no two uses at the same instant
	}
	if rapid.Bool().Draw(rt, "expire") {
		env.Clock.Set(time.Date(2028, 3, 1, 10, 0, 0, 0, time.UTC))
		_, err := s.Expire(op)
		must(err)
	}
	st.MustCheck(t, env, f.Operator)
	refresh()
	if rights {
		return // the recount below reads records as they were written, restricted or not
	}

	raw := loadRaw(t, env)
	choices, err := s.IndicatorScopes(op)
	must(err)
	// The operator reads every région and département where passes are.
	listed := map[string]bool{}
	for _, c := range choices {
		listed[c.Scope.String()] = true
	}
	for _, c := range raw.carnets {
		if pl := raw.place(c); pl != "" {
			dep := passnum.DepartementOfCommune(pl)
			for _, want := range []string{"area:departement:" + dep, "area:region:" + passnum.RegionOfDepartement(dep)} {
				if !listed[want] {
					rt.Fatalf("scope %s not offered: %v", want, listed)
				}
			}
		}
	}
	var scopes []passnum.Scope
	for _, c := range choices {
		scopes = append(scopes, c.Scope)
		for _, y := range []int{2027, 2028} {
			sc := c.Scope
			sc.Year = y
			scopes = append(scopes, sc)
		}
	}
	cells, _, err := s.OpenData(op)
	must(err)
	got := map[string][]int64{}
	for _, c := range cells {
		got[c.Month+"|"+c.Commune] = c.Counts
	}
	if want := raw.recountOpenData(); !reflect.DeepEqual(got, want) {
		rt.Fatalf("open data:\n store   %v\n recount %v", got, want)
	}
	for _, sc := range scopes {
		for _, dim := range passnum.Dimensions {
			rep, err := s.Indicators(op, sc, dim)
			must(err)
			total, rows := raw.recount(sc, dim)
			if !reflect.DeepEqual(normalize(rep.Total), normalize(total)) {
				rt.Fatalf("%s / %s total:\n store   %+v\n recount %+v", sc, dim, rep.Total, total)
			}
			got := map[string]passnum.IndicatorValues{}
			for _, r := range rep.Rows {
				if v := normalize(r.Values); !reflect.DeepEqual(v, passnum.IndicatorValues{}) {
					got[r.Key] = v
				}
			}
			want := map[string]passnum.IndicatorValues{}
			for k, v := range rows {
				if v := normalize(*v); !reflect.DeepEqual(v, passnum.IndicatorValues{}) {
					want[k] = v
				}
			}
			if !reflect.DeepEqual(got, want) {
				rt.Fatalf("%s / %s rows:\n store   %+v\n recount %+v", sc, dim, got, want)
			}
		}
	}
}

// recountOpenData counts, by month and commune of the person, the people
// handed a carnet, the people who used a pass and the people who used their
// first pass.
func (d *rawData) recountOpenData() map[string][]int64 {
	out := map[string][]int64{}
	add := func(month string, person int64, measure int, seen map[string]bool) {
		k := month + "|" + d.people[person].commune
		if seen[k] {
			return
		}
		seen[k] = true
		if out[k] == nil {
			out[k] = make([]int64, len(passnum.OpenDataMeasures))
		}
		out[k][measure]++
	}
	for person := range d.people {
		handed, usedIn, first := map[string]bool{}, map[string]bool{}, map[string]bool{}
		var firstUse time.Time
		for _, c := range d.carnets {
			if c.person != person {
				continue
			}
			add(month(c.distributed), person, 0, handed)
			for _, p := range d.passes {
				if p.carnet == c.number && used(p) {
					add(month(p.redeemed), person, 1, usedIn)
					if firstUse.IsZero() || p.redeemed.Before(firstUse) {
						firstUse = p.redeemed
					}
				}
			}
		}
		if !firstUse.IsZero() {
			add(month(firstUse), person, 2, first)
		}
	}
	return out
}

// normalize drops empty histograms and funder parts so that a missing
// map and an empty one compare equal.
func normalize(v passnum.IndicatorValues) passnum.IndicatorValues {
	if len(v.Delays) == 0 {
		v.Delays = nil
	}
	if len(v.ByFunder) == 0 {
		v.ByFunder = nil
	}
	return v
}

// rawData is every record the indicators come from, read with plain
// queries.
type rawData struct {
	passes      []rawPass
	carnets     map[int64]*rawCarnet
	people      map[int64]*rawPerson
	batches     map[int64]time.Time
	programmes  map[int64]rawProgramme
	services    map[int64]rawService
	prescribers map[int64]string
	hubs        map[int64]passnum.Territory
}

type rawPass struct {
	serial, carnet, programme, venue, service int64
	state                                     string
	activated, redeemed                       time.Time
}

type rawCarnet struct {
	number, programme, batch, prescriber, person int64
	allocated, distributed                       time.Time
	booked                                       bool // a live registration booked at hand-out names it
}

type rawPerson struct {
	commune, band string
}

type rawProgramme struct {
	face    int64
	funders []int64
	shares  []int
}

type rawService struct {
	category  string
	perPass   int64
	durations int64
}

func parseOpt(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	t, err := time.Parse(passnum.TimeLayout, s.String)
	if err != nil {
		panic(err)
	}
	return t
}

func loadRaw(t *testing.T, env *st.Env) *rawData {
	t.Helper()
	db := sqlstore.RawDB(env.Store)
	ctx := context.Background()
	d := &rawData{carnets: map[int64]*rawCarnet{}, people: map[int64]*rawPerson{}, batches: map[int64]time.Time{},
		programmes: map[int64]rawProgramme{}, services: map[int64]rawService{}, prescribers: map[int64]string{}, hubs: map[int64]passnum.Territory{}}
	each := func(q string, scan func(*sql.Rows) error) {
		t.Helper()
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				t.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	each(`SELECT p.serial, p.carnet, p.programme_id, p.state, p.activated_at, COALESCE(p.venue_id, 0), p.redeemed_at, COALESCE(r.service_id, 0)
		FROM passes p LEFT JOIN redemptions r ON r.id = p.redemption_id ORDER BY p.serial`, func(r *sql.Rows) error {
		var p rawPass
		var act, red sql.NullString
		err := r.Scan(&p.serial, &p.carnet, &p.programme, &p.state, &act, &p.venue, &red, &p.service)
		p.activated, p.redeemed = parseOpt(act), parseOpt(red)
		d.passes = append(d.passes, p)
		return err
	})
	each(`SELECT number, programme_id, batch_id, COALESCE(prescriber_id, 0), COALESCE(beneficiary_id, 0), allocated_at, distributed_at FROM carnets`, func(r *sql.Rows) error {
		var c rawCarnet
		var al, di sql.NullString
		err := r.Scan(&c.number, &c.programme, &c.batch, &c.prescriber, &c.person, &al, &di)
		c.allocated, c.distributed = parseOpt(al), parseOpt(di)
		d.carnets[c.number] = &c
		return err
	})
	each(`SELECT carnet_number FROM workshop_registrations WHERE carnet_number IS NOT NULL AND cancelled_at IS NULL`, func(r *sql.Rows) error {
		var n int64
		err := r.Scan(&n)
		if c := d.carnets[n]; c != nil {
			c.booked = true
		}
		return err
	})
	each(`SELECT id, commune_insee, COALESCE(age_band, ''), COALESCE(birth_year, 0), created_at FROM beneficiaries`, func(r *sql.Rows) error {
		var id int64
		var p rawPerson
		var birth int
		var created string
		if err := r.Scan(&id, &p.commune, &p.band, &birth, &created); err != nil {
			return err
		}
		if p.band == "" {
			at, _ := time.Parse(passnum.TimeLayout, created)
			p.band = passnum.AgeBandOf(birth, passnum.YearOf(at))
		}
		d.people[id] = &p
		return nil
	})
	each(`SELECT id, created_at FROM batches`, func(r *sql.Rows) error {
		var id int64
		var at string
		err := r.Scan(&id, &at)
		d.batches[id], _ = time.Parse(passnum.TimeLayout, at)
		return err
	})
	each(`SELECT p.id, p.face_value_cents, f.funder_id, f.share_bp FROM programmes p JOIN programme_funders f ON f.programme_id = p.id ORDER BY p.id, f.funder_id`, func(r *sql.Rows) error {
		var id, face, funder int64
		var share int
		err := r.Scan(&id, &face, &funder, &share)
		p := d.programmes[id]
		p.face, p.funders, p.shares = face, append(p.funders, funder), append(p.shares, share)
		d.programmes[id] = p
		return err
	})
	each(`SELECT id, category, duration_minutes, price_passes FROM catalogue_services`, func(r *sql.Rows) error {
		var id, dur, price int64
		var cat string
		err := r.Scan(&id, &cat, &dur, &price)
		d.services[id] = rawService{category: cat, perPass: dur / price, durations: dur}
		return err
	})
	each(`SELECT id, kind, COALESCE(commune_insee, ''), territory FROM organisations WHERE kind IN ('prescriber', 'hub')`, func(r *sql.Rows) error {
		var id int64
		var kind, commune, territory string
		if err := r.Scan(&id, &kind, &commune, &territory); err != nil {
			return err
		}
		if kind == "prescriber" {
			d.prescribers[id] = commune
		} else if territory != "" {
			d.hubs[id], _ = passnum.ParseTerritory(strings.Fields(territory))
		}
		return nil
	})
	return d
}

func used(p rawPass) bool { return p.state == "redeemed" || p.state == "settled" }

// during tells whether t happened in year (0: ever).
func during(t time.Time, year int) bool {
	return !t.IsZero() && (year == 0 || t.In(paris).Year() == year)
}

var paris, _ = time.LoadLocation("Europe/Paris")

func month(t time.Time) string { return t.In(paris).Format("2006-01") }

// place is where a pass is counted: its person's commune, else its
// prescriber's.
func (d *rawData) place(c *rawCarnet) string {
	if c.person != 0 {
		return d.people[c.person].commune
	}
	return d.prescribers[c.prescriber]
}

func (d *rawData) inScope(c *rawCarnet, sc passnum.Scope) bool {
	switch sc.Kind {
	case passnum.ScopeProgramme:
		return c.programme == sc.ID
	case passnum.ScopeFunder:
		for _, f := range d.programmes[c.programme].funders {
			if f == sc.ID {
				return true
			}
		}
		return false
	case passnum.ScopeHub:
		pl := d.place(c)
		return pl != "" && d.hubs[sc.ID].Contains(pl)
	case passnum.ScopeArea:
		pl := d.place(c)
		area, err := passnum.ParseTerritory([]string{sc.Area})
		return err == nil && pl != "" && area.Contains(pl)
	}
	return true
}

// keys are a pass's rows along dim, outside month, venue and category.
func (d *rawData) keys(c *rawCarnet, dim passnum.Dimension) []string {
	pl := d.place(c)
	dep := passnum.DepartementOfCommune(pl)
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	switch dim {
	case passnum.DimProgramme:
		return []string{id(c.programme)}
	case passnum.DimFunder:
		var out []string
		for _, f := range d.programmes[c.programme].funders {
			out = append(out, id(f))
		}
		return out
	case passnum.DimRegion:
		return []string{passnum.RegionOfDepartement(dep)}
	case passnum.DimDepartement:
		return []string{dep}
	case passnum.DimCommune:
		return []string{pl}
	case passnum.DimPrescriber:
		return []string{id(c.prescriber)}
	case passnum.DimAgeBand:
		if c.person == 0 {
			return []string{""}
		}
		return []string{d.people[c.person].band}
	}
	return []string{""} // the total
}

// firstUse is a carnet's first used pass: earliest, then lowest serial.
func (d *rawData) firstUse(number int64) *rawPass {
	var first *rawPass
	for i := range d.passes {
		p := &d.passes[i]
		if p.carnet == number && used(*p) && (first == nil || p.redeemed.Before(first.redeemed)) {
			first = p
		}
	}
	return first
}

// moneyOf is a used pass's face value split pass by pass, or funder's part.
func (d *rawData) moneyOf(v *passnum.IndicatorValues, programme int64, funder string) {
	pr := d.programmes[programme]
	parts := passnum.SplitByShares(pr.face, pr.shares)
	for i, f := range pr.funders {
		if funder != "" && strconv.FormatInt(f, 10) != funder {
			continue
		}
		v.SpentCents += parts[i]
		v.AddFunderCents(f, parts[i])
	}
}

// recount computes a breakdown from raw records, row by row.
func (d *rawData) recount(sc passnum.Scope, dim passnum.Dimension) (passnum.IndicatorValues, map[string]*passnum.IndicatorValues) {
	year := sc.Year
	total := d.rows(sc, passnum.DimTotal, year)[""]
	if total == nil {
		total = &passnum.IndicatorValues{}
	}
	return *total, d.rows(sc, dim, year)
}

func (d *rawData) rows(sc passnum.Scope, dim passnum.Dimension, year int) map[string]*passnum.IndicatorValues {
	out := map[string]*passnum.IndicatorValues{}
	get := func(k string) *passnum.IndicatorValues {
		if out[k] == nil {
			out[k] = &passnum.IndicatorValues{}
		}
		return out[k]
	}
	reached := map[string]map[int64]bool{}
	holding := map[string]map[int64]bool{}
	unused := map[string]map[int64]bool{}
	mark := func(m map[string]map[int64]bool, k string, person int64) {
		if m[k] == nil {
			m[k] = map[int64]bool{}
		}
		m[k][person] = true
	}
	for _, p := range d.passes {
		c := d.carnets[p.carnet]
		if !d.inScope(c, sc) {
			continue
		}
		first := d.firstUse(c.number)
		isUsed := used(p) && during(p.redeemed, year)
		switch dim {
		case passnum.DimVenue, passnum.DimCategory:
			if !isUsed {
				continue
			}
			k := strconv.FormatInt(p.venue, 10)
			if dim == passnum.DimCategory {
				k = d.services[p.service].category
			}
			v := get(k)
			v.Redeemed++
			v.Minutes += d.services[p.service].perPass
			d.moneyOf(v, p.programme, "")
			if c.person != 0 {
				mark(reached, k, c.person)
			}
		case passnum.DimMonth:
			if t := d.batches[c.batch]; during(t, year) {
				get(month(t)).Issued++
			}
			if during(p.activated, year) {
				get(month(p.activated)).Activated++
			}
			if c.prescriber != 0 && during(c.allocated, year) {
				get(month(c.allocated)).Allocated++
			}
			if c.person != 0 && during(c.distributed, year) {
				get(month(c.distributed)).Distributed++
			}
			if first != nil && during(first.redeemed, year) {
				get(month(first.redeemed)).Started++
			}
			if isUsed {
				v := get(month(p.redeemed))
				v.Redeemed++
				v.Minutes += d.services[p.service].perPass
				d.moneyOf(v, p.programme, "")
				if c.person != 0 {
					mark(reached, month(p.redeemed), c.person)
				}
			}
		default:
			for _, k := range d.keys(c, dim) {
				v := get(k)
				if year == 0 || during(d.batches[c.batch], year) {
					v.Issued++
				}
				if during(p.activated, year) {
					v.Activated++
				}
				if c.prescriber != 0 && (year == 0 || during(c.allocated, year)) {
					v.Allocated++
				}
				if c.person != 0 && (year == 0 || during(c.distributed, year)) {
					v.Distributed++
				}
				if first != nil && during(first.redeemed, year) {
					v.Started++
				}
				if year == 0 && p.state == "blocked" {
					v.Blocked++
				}
				if year == 0 && p.state == "expired" {
					v.Expired++
				}
				funder := ""
				if dim == passnum.DimFunder {
					funder = k
				}
				if isUsed {
					v.Redeemed++
					v.Minutes += d.services[p.service].perPass
					d.moneyOf(v, p.programme, funder)
				}
				if c.person != 0 {
					mark(holding, k, c.person)
					if isUsed {
						mark(reached, k, c.person)
					} else {
						mark(unused, k, c.person)
					}
				}
			}
		}
	}
	for k, people := range reached {
		get(k).PeopleReached = int64(len(people))
	}
	if year == 0 && dim != passnum.DimMonth && dim != passnum.DimVenue && dim != passnum.DimCategory {
		for k, people := range holding {
			for person := range people {
				if !unused[k][person] {
					get(k).PeopleCompleted++
				}
			}
		}
	}
	// Carnets handed out, and booked at hand-out, carnet by carnet.
	for _, c := range d.carnets {
		if c.person == 0 || !d.inScope(c, sc) || !during(c.distributed, year) {
			continue
		}
		var ks []string
		switch dim {
		case passnum.DimVenue, passnum.DimCategory:
		case passnum.DimMonth:
			ks = []string{month(c.distributed)}
		default:
			ks = d.keys(c, dim)
		}
		for _, k := range ks {
			v := get(k)
			v.HandedOut++
			if c.booked {
				v.BookedAtHandOut++
			}
		}
	}
	// Delays, carnet by carnet.
	for _, c := range d.carnets {
		if c.person == 0 || !d.inScope(c, sc) {
			continue
		}
		first := d.firstUse(c.number)
		if first == nil || !during(first.redeemed, year) {
			continue
		}
		days := passnum.DaysBetween(c.distributed, first.redeemed)
		var ks []string
		switch dim {
		case passnum.DimVenue:
			ks = []string{strconv.FormatInt(first.venue, 10)}
		case passnum.DimCategory:
			ks = []string{d.services[first.service].category}
		case passnum.DimMonth:
			ks = []string{month(first.redeemed)}
		default:
			ks = d.keys(c, dim)
		}
		for _, k := range ks {
			v := get(k)
			if v.Delays == nil {
				v.Delays = passnum.DelayHistogram{}
			}
			v.Delays.Add(days)
		}
	}
	return out
}
