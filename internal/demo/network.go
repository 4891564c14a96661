package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
	"github.com/passnum/passnum/internal/mednum"
)

// listedVenues is a file of the national standard, as a hub would send it:
// venues of the département that have not applied for passes. The demo
// imports it so that the directory also shows places that help without
// passes.
//
//go:embed lieux-ille-et-vilaine.csv
var listedVenues []byte

// application is venue seed i's online application.
func (sd *seeder) application(i int, v venueSeed) (passnum.VenueApplication, error) {
	c, ok := geo.LookupCommune(v.commune)
	if !ok {
		return passnum.VenueApplication{}, fmt.Errorf("venue %q: unknown commune %s", v.name, v.commune)
	}
	password, err := newPassword()
	if err != nil {
		return passnum.VenueApplication{}, err
	}
	lat, lon := v.place.lat, v.place.lon
	slug := fmt.Sprintf("lieu%02d", i+1)
	return passnum.VenueApplication{
		Venue: passnum.Venue{
			ID: "passnum-" + slug, Pivot: v.siret, Name: v.name,
			Commune: c.Name, PostalCode: v.place.postalCode, INSEE: v.commune,
			Address: v.place.address, Lat: &lat, Lon: &lon,
			Phone:        fmt.Sprintf("+332990%05d", 10000+i*137),
			Emails:       []string{"contact." + slug + "@" + demoMailDomain},
			OpeningHours: v.hours, Summary: v.about, Source: operatorName,
			UpdatedOn: sd.tl.start.In(paris).Format(time.DateOnly),
			Services:  servicesOf(v), Publics: v.publics, Supports: v.supports,
			Fees: []string{"Gratuit sous condition"}, NationalSchemes: v.schemes,
			AccessModes: v.access, SupportModes: v.modes,
		},
		Questionnaire: passnum.Questionnaire{
			Mediators: v.mediators, DigitalAdvisers: v.advisers, Volunteers: v.mediators / 2,
			Workstations: 4 + 2*v.mediators, PeoplePerYear: 120 * v.mediators, WheelchairAccess: i%3 != 2,
			OfferDescription:   v.about + " Ateliers de 1 h 30 à 3 h, en groupes de 6 personnes au plus.",
			StaffQualification: "Médiateurs titulaires du titre professionnel REMN ou formés par le Hub numérique de Bretagne.",
		},
		Bank:           passnum.BankAccount{Holder: strings.ToUpper(strings.SplitN(v.name, " — ", 2)[0]), IBAN: demoIBAN(i), BIC: "CMBRFR2BARK"},
		CharterVersion: passnum.CharterVersion,
		AdminName:      "Responsable " + slug, AdminEmail: "admin." + slug + "@" + demoMailDomain, AdminPassword: password,
	}, nil
}

// servicesOf lists the standard's categories of a venue's workshops.
func servicesOf(v venueSeed) []string {
	var out []string
	for _, s := range v.services {
		if !slices.Contains(out, s.category) {
			out = append(out, s.category)
		}
	}
	return out
}

// demoIBAN is a French IBAN of a made-up account at a made-up branch, with
// check digits that pass the mod-97 test.
func demoIBAN(i int) string {
	bban := fmt.Sprintf("1558900001%011d%02d", 40000+i, 97-(i%90))
	// ISO 13616: check = 98 − (BBAN + "FR00" read with letters as numbers) mod 97.
	n, _ := new(big.Int).SetString(bban+"152700", 10) // F=15, R=27
	check := 98 - new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("FR%02d%s", check, bban)
}

// network imports the hub's file of listed venues, opens a permanence,
// schedules workshops with their registrations and records the advisers'
// activity reports, as the weeks before today would have left them.
func (sd *seeder) network(ctx context.Context) error {
	now := sd.tl.end
	sd.setTime(now.Add(-time.Hour))
	rows, problems := mednum.ReadCSV(bytes.NewReader(listedVenues))
	if len(problems) > 0 {
		return fmt.Errorf("listed venues, line %d: %s", problems[0].Line, problems[0].Message)
	}
	rep, err := sd.s.ImportVenues(sd.op, rows, false)
	if err != nil {
		return fmt.Errorf("import listed venues: %w", err)
	}
	first := sd.venues[0]
	admin := sd.as(ctx, first.org, passnum.RoleAdmin)
	lat, lon := 48.12168, -1.70402
	place, err := sd.s.SavePlace(admin, passnum.Place{Name: "Permanence à la maison de quartier de Villejean",
		Address: "2 rue de Bourgogne", PostalCode: "35000", INSEE: rennes, Lat: &lat, Lon: &lon, OpeningHours: "Th 14:00-17:00"})
	if err != nil {
		return fmt.Errorf("place: %w", err)
	}
	sessions, err := sd.sessions(ctx, now, place)
	if err != nil {
		return err
	}
	booked, err := sd.bookAtHandOut(ctx, now)
	if err != nil {
		return err
	}
	reports, err := sd.reports(ctx, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(sd.w, "démo : %d lieux référencés importés du standard national, %d séances d'ateliers, %d comptes-rendus d'activité\n",
		rep.Created, sessions, reports)
	fmt.Fprintf(sd.w, "démo : %s à un premier atelier lors de la remise\n", passnum.FrenchCount(int64(booked), "personne inscrite", "personnes inscrites"))
	return nil
}

// sessions schedules, for each qualified venue's first two workshops, one
// session last week (held, with attendance) and two in the coming weeks.
func (sd *seeder) sessions(ctx context.Context, now time.Time, place *passnum.Place) (int, error) {
	labels := []string{"Mme Le Bihan", "M. Diallo", "Josiane", "R. K.", "Mme Perrin", "Yannick", "M. Nguyen", "Fatou"}
	day := time.Date(now.In(paris).Year(), now.In(paris).Month(), now.In(paris).Day(), 0, 0, 0, 0, paris)
	n := 0
	for vi, v := range sd.qualifiedVenues() {
		vctx := sd.as(ctx, v.org, passnum.RoleAgent)
		si := -1 // index among the venue's group workshops
		for _, svc := range v.services {
			if svc.Format != passnum.FormatCollective || !slices.Contains(programmeServices, svc.Category) {
				continue
			}
			si++
			for _, offset := range []int{-6, 5, 12} {
				start := weekday(day.AddDate(0, 0, offset+vi%3)).Add(time.Duration(14+si%3) * time.Hour)
				past := offset < 0
				if past && sd.clock == nil {
					continue // people register before a session: only with the clock in hand
				}
				if past {
					sd.setTime(start.AddDate(0, 0, -3))
				}
				c := passnum.SessionCreate{ServiceID: svc.ID, StartsAt: start, Capacity: 6,
					Note: "Apportez votre smartphone ou votre ordinateur portable si vous en avez un."}
				if vi == 0 && si == 1 {
					c.PlaceID = place.ID
				}
				session, err := sd.s.CreateSession(vctx, c)
				if err != nil {
					return n, fmt.Errorf("session of %q at %s: %w", svc.Title, v.org.Name, err)
				}
				n++
				seats := 2 + (vi+si+offset+12)%4
				var regs []*passnum.Registration
				for k := 0; k < seats; k++ {
					r, err := sd.s.Register(vctx, passnum.RegistrationCreate{SessionID: session.ID, Label: labels[(vi*3+si+k)%len(labels)]})
					if err != nil {
						return n, fmt.Errorf("register: %w", err)
					}
					regs = append(regs, r)
				}
				if past {
					sd.setTime(now.Add(-time.Hour))
					for k, r := range regs {
						if err := sd.s.RecordAttendance(vctx, r.ID, k != 1); err != nil {
							return n, fmt.Errorf("attendance: %w", err)
						}
					}
				}
			}
		}
	}
	return n, nil
}

// weekday is day, or the next Monday when day falls on a weekend: most
// venues hold their workshops on weekdays.
func weekday(day time.Time) time.Time {
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	return day
}

// reports records an activity report for every redemption of the first
// four venues, and the help they gave without passes: collective
// workshops and quick individual help.
func (sd *seeder) reports(ctx context.Context, now time.Time) (int, error) {
	themesOf := map[string][]string{
		catAdmin:      {"Démarches en ligne"},
		catEveryday:   {"Prendre en main du matériel", "Courriels"},
		catJobs:       {"Insertion professionnelle"},
		catSecurity:   {"Sécurité numérique"},
		catParents:    {"Parentalité et éducation"},
		catLeisure:    {"Réseaux sociaux et communication"},
		catUnderstand: {"Culture numérique"},
		catAccess:     {"Navigation sur internet"},
	}
	first := map[int64]bool{}
	for _, v := range sd.venues[:4] {
		first[v.org.ID] = true
	}
	// The first venue's reports are its adviser's, who logs in to the demo;
	// the others' are written by the demo's own actor.
	adviser := passnum.NewContextWithActor(ctx, &passnum.Actor{UserID: sd.adviser.ID, OrgID: sd.venues[0].org.ID,
		OrgKind: passnum.KindVenue, Role: passnum.RoleAgent, Label: fmt.Sprintf("user:%d", sd.adviser.ID)})
	as := func(v *venue) context.Context {
		if v == sd.venues[0] {
			return adviser
		}
		return sd.as(ctx, v.org, passnum.RoleAgent)
	}
	n := 0
	for i, r := range sd.redemptions {
		if r.voided || !first[r.venue.org.ID] || r.carnet.ref == "" {
			continue
		}
		vctx := as(r.venue)
		_, err := sd.s.CreateActivityReport(vctx, passnum.ActivityReport{
			Format: passnum.FormatIndividual, Date: r.at.In(paris).Format(time.DateOnly), DurationMinutes: r.service.DurationMinutes,
			Themes: themesOf[r.service.Category], Autonomy: passnum.Autonomy[i%len(passnum.Autonomy)], PlaceKind: "lieu",
			Participants: 1, BeneficiaryRefs: []string{r.carnet.ref}, RedemptionID: r.id,
		})
		if err != nil {
			return n, fmt.Errorf("report of redemption %d: %w", r.id, err)
		}
		n++
	}
	for vi, v := range sd.venues[:4] {
		vctx := as(v)
		for k := 0; k < 6; k++ {
			date := now.In(paris).AddDate(0, 0, -7*k-vi-1).Format(time.DateOnly)
			rep := passnum.ActivityReport{Format: passnum.FormatCollective, Date: date, DurationMinutes: 120,
				Themes: []string{"Sécurité numérique", "Courriels"}, PlaceKind: "lieu", Participants: 4 + (k+vi)%5,
				Notes: "Atelier collectif hors Pass numérique, financé par la commune."}
			if k%2 == 1 {
				rep = passnum.ActivityReport{Format: passnum.FormatIndividual, Date: date, DurationMinutes: 30,
					Themes: []string{"Démarches en ligne"}, Autonomy: "partiellement autonome", PlaceKind: "permanence", Participants: 1}
			}
			if _, err := sd.s.CreateActivityReport(vctx, rep); err != nil {
				return n, fmt.Errorf("report at %s: %w", v.org.Name, err)
			}
			n++
		}
	}
	return n, nil
}

// settle pays the venues for last month, as the operator does early each
// month: a settlement run to the end of last month, every statement
// validated, a payment batch, and the transfers marked paid — but one,
// which the bank rejected, so that its passes wait for the next run.
func (sd *seeder) settle(ctx context.Context) error {
	now := sd.tl.end
	sd.setTime(now.Add(-2 * time.Hour))
	run, err := sd.s.RunSettlement(sd.op, passnum.DefaultCutOff(now))
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if run.Statements == 0 {
		fmt.Fprintf(sd.w, "démo : aucun pass à régler au %s\n", passnum.FrenchDate(run.CutOff))
		return nil
	}
	statements, _, err := sd.s.ListStatements(sd.op, passnum.StatementFilter{RunID: run.ID, Limit: 1000})
	if err != nil {
		return err
	}
	for _, st := range statements {
		if _, err := sd.s.ValidateStatement(sd.op, st.ID); err != nil {
			return fmt.Errorf("validate statement %d: %w", st.ID, err)
		}
	}
	if err := sd.s.SetPayerAccount(sd.op, passnum.PayerAccount{Name: operatorName, IBAN: demoIBAN(99), BIC: "CMBRFR2BARK"}); err != nil {
		return fmt.Errorf("payer account: %w", err)
	}
	batch, err := sd.s.CreatePaymentBatch(sd.op, passnum.Today(now))
	if err != nil {
		return fmt.Errorf("payment batch: %w", err)
	}
	sd.setTime(now.Add(-time.Hour))
	for i, st := range statements {
		if i == len(statements)-1 && len(statements) > 1 {
			if _, err := sd.s.RejectStatement(sd.op, st.ID, "Virement rejeté par la banque : compte clôturé (AC04). Le lieu doit donner son nouvel IBAN."); err != nil {
				return fmt.Errorf("reject statement %d: %w", st.ID, err)
			}
			continue
		}
		if _, err := sd.s.MarkPaid(sd.op, st.ID); err != nil {
			return fmt.Errorf("mark statement %d paid: %w", st.ID, err)
		}
	}
	fmt.Fprintf(sd.w, "démo : règlement au %s : %d relevés, %d pass, %s ; lot de virements n°%d, un virement rejeté\n",
		passnum.FrenchDate(run.CutOff), run.Statements, run.Passes, passnum.FrenchEuros(run.AmountCents), batch.ID)
	return nil
}

// bookAtHandOut books, as their prescriber would have done at the counter,
// the first workshop of the people who received a carnet in the last month
// and have not used it yet, in the first session the hand-out offers them:
// the indicator of bookings at hand-out then reads as it would in the first
// weeks of use.
func (sd *seeder) bookAtHandOut(ctx context.Context, now time.Time) (int, error) {
	if sd.clock != nil {
		sd.setTime(now.Add(-30 * time.Minute))
	}
	booked := 0
	for _, p := range sd.plans {
		if p.blocked || p.used > 0 || p.at.Before(now.AddDate(0, 0, -30)) {
			continue
		}
		pctx := sd.as(ctx, sd.prescribers[p.prescriber], passnum.RoleAgent)
		offered, err := sd.s.BookableSessions(pctx, p.number)
		if err != nil {
			return booked, fmt.Errorf("sessions offered to carnet %d: %w", p.number, err)
		}
		if len(offered) == 0 {
			continue
		}
		if _, err := sd.s.BookAtHandOut(pctx, passnum.BookingRequest{Carnet: p.number, SessionID: offered[0].ID}); err != nil {
			return booked, fmt.Errorf("book carnet %d: %w", p.number, err)
		}
		booked++
	}
	return booked, nil
}
