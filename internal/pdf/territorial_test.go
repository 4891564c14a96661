package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// values makes the indicators of a row from a few counts: used passes
// cost 10 € each, split 50/50 between funders 7 and 8, and each took a
// 90-minute workshop.
func values(issued, distributed, redeemed, people int64) passnum.IndicatorValues {
	v := passnum.IndicatorValues{PeopleReached: people, Minutes: redeemed * 90, SpentCents: redeemed * 1000,
		Delays: passnum.DelayHistogram{}}
	v.Issued, v.Activated, v.Allocated, v.Distributed, v.Started, v.Redeemed = issued, issued, issued, distributed, redeemed, redeemed
	v.AddFunderCents(7, redeemed*500)
	v.AddFunderCents(8, redeemed*500)
	if redeemed > 0 {
		v.Delays.Add(3)
		v.Delays.Add(12)
		v.Delays.Add(40)
	}
	return v
}

// territorial builds a hub's report by hand: 80 communes, so that the
// commune table is cut, and 60 venues, so that their table runs on.
func territorial() *Territorial {
	scope := passnum.Scope{Kind: passnum.ScopeHub, ID: 12, Year: 2026}
	at := time.Date(2027, 1, 4, 6, 15, 0, 0, time.UTC)
	total := values(12500, 9800, 6543, 1234)
	report := func(dim passnum.Dimension, rows ...passnum.IndicatorRow) *passnum.IndicatorReport {
		return &passnum.IndicatorReport{Scope: scope, ScopeLabel: "Territoire de Hub numérique Bretagne — Coopérative des acteurs de la médiation numérique, année 2026",
			Dimension: dim, ComputedAt: at, Total: total, Rows: rows,
			Funders: map[int64]string{7: "Conseil départemental d'Ille-et-Vilaine", 8: "État — ANCT"}}
	}
	var months, communes, venues []passnum.IndicatorRow
	for m := 1; m <= 12; m++ {
		months = append(months, passnum.IndicatorRow{Key: fmt.Sprintf("2026-%02d", m), Label: passnum.FrenchMonth(time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC)),
			Values: values(1000, 800, int64(200+m*80), int64(40+m*10))})
	}
	for i := range 80 {
		communes = append(communes, passnum.IndicatorRow{Key: fmt.Sprint(35000 + i), Label: fmt.Sprintf("Commune n° %d de l'agglomération (35%03d)", i+1, i),
			Values: values(800, 600, int64(500-i*5), int64(50-i/2))})
	}
	for i := range 60 {
		v := values(0, 0, int64(120-i), int64(30-i/3))
		v.Issued, v.Distributed = 0, 0
		venues = append(venues, passnum.IndicatorRow{Key: fmt.Sprint(100 + i), Label: fmt.Sprintf("Espace public numérique de la Maison France Services intercommunale du pays de Brocéliande n° %d", i+1), Values: v})
	}
	funder7, funder8 := values(12500, 9800, 6543, 1234), values(8000, 6000, 4000, 800)
	funder7.SpentCents, funder8.SpentCents = total.FunderShare(7), total.FunderShare(8)
	cat := values(0, 0, 4000, 900)
	return &Territorial{OperatorName: "Coopérative « Numérique pour tous »", Scope: scope, Reports: map[passnum.Dimension]*passnum.IndicatorReport{
		passnum.DimMonth: report(passnum.DimMonth, months...),
		passnum.DimDepartement: report(passnum.DimDepartement,
			passnum.IndicatorRow{Key: "35", Label: "Ille-et-Vilaine (35)", Values: values(9000, 7000, 5000, 900)},
			passnum.IndicatorRow{Key: "29", Label: "Finistère (29)", Values: values(3500, 2800, 1543, 334)},
			passnum.IndicatorRow{Key: passnum.NoKey, Label: "Non localisé", Values: values(0, 0, 0, 0)}),
		passnum.DimCommune: report(passnum.DimCommune, communes...),
		passnum.DimVenue:   report(passnum.DimVenue, venues...),
		passnum.DimPrescriber: report(passnum.DimPrescriber,
			passnum.IndicatorRow{Key: "40", Label: "CCAS de Rennes", Values: values(5000, 4000, 3000, 600)},
			passnum.IndicatorRow{Key: "41", Label: "France Services Fougères", Values: values(2000, 0, 0, 0)}),
		passnum.DimCategory: report(passnum.DimCategory,
			passnum.IndicatorRow{Key: "a", Label: "Maîtrise des outils numériques du quotidien", Values: cat},
			passnum.IndicatorRow{Key: "b", Label: "Aide aux démarches administratives", Values: values(0, 0, 2543, 400)}),
		passnum.DimAgeBand: report(passnum.DimAgeBand,
			passnum.IndicatorRow{Key: "60-74", Label: "60 à 74 ans", Values: values(5000, 4000, 3000, 600)},
			passnum.IndicatorRow{Key: passnum.NoKey, Label: "Non renseigné", Values: values(10, 5, 0, 0)}),
		passnum.DimFunder: report(passnum.DimFunder,
			passnum.IndicatorRow{Key: "7", Label: "Conseil départemental d'Ille-et-Vilaine", Values: funder7},
			passnum.IndicatorRow{Key: "8", Label: "État — ANCT", Values: funder8}),
	}}
}

func TestTerritorialReport(t *testing.T) {
	var buf bytes.Buffer
	if err := TerritorialReport(&buf, territorial()); err != nil {
		t.Fatal(err)
	}
	keep(t, "territorial.pdf", buf.Bytes())
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("output starts with %q", b[:min(len(b), 8)])
	}
	pages := len(pageObject.FindAll(b, -1))
	if pages < 3 {
		t.Errorf("%d pages, want the summary and the breakdowns over several", pages)
	}
	s := text(t, b)
	for _, want := range []string{
		"Rapport territorial",
		"Territoire de Hub num\xe9rique Bretagne",
		"Ann\xe9e 2026",
		cp1252("Chiffres arrêtés le " + passnum.FrenchDateTime(time.Date(2027, 1, 4, 6, 15, 0, 0, time.UTC))),
		cp1252(passnum.FrenchNumber(9800)),       // pass remis
		cp1252(passnum.FrenchNumber(6543)),       // pass utilisés
		cp1252(passnum.FrenchPercent(6676)),      // 6 543 ÷ 9 800
		cp1252(passnum.FrenchEuros(6543 * 1000)), // montant utilisé
		cp1252(passnum.FrenchEuros(6543 * 500)),  // a funder's part
		"9\xa0814,5\xa0h",                        // 6 543 × 90 minutes
		"12\xa0jours",
		"Commune n\xb0 30 ",
		"50\xa0autres communes",
		fmt.Sprintf("page %d/%d", pages, pages),
	} {
		if !strings.Contains(s, pdfString(want)) {
			t.Errorf("no %q in the document", want)
		}
	}
	if strings.Contains(s, "Commune n\xb0 31 ") {
		t.Error("the commune table is not cut at 30 rows")
	}
	if n := strings.Count(s, "(Lieu)"); n < 2 {
		t.Errorf("the venue table's titles are printed %d times, want once per page it runs on", n)
	}
	// A prescriber that handed out nothing has no rate of use.
	if !strings.Contains(s, "(\x97)") {
		t.Error("no dash for an indicator without value")
	}
}

// TestTerritorialReportSinceStart prints forty months, too many for their
// figures to stand level above the bars, and a report of the total alone.
func TestTerritorialReportSinceStart(t *testing.T) {
	tr := territorial()
	tr.Scope.Year = 0
	var months []passnum.IndicatorRow
	for m := range 40 {
		at := time.Date(2024, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC)
		months = append(months, passnum.IndicatorRow{Key: at.Format("2006-01"), Label: passnum.FrenchMonth(at),
			Values: values(20000, 15000, int64(10000+m*500), int64(2000+m*50))})
	}
	months = append(months, passnum.IndicatorRow{Key: passnum.NoKey, Label: "Non renseigné", Values: passnum.IndicatorValues{}})
	tr.Reports[passnum.DimMonth].Rows = months
	var buf bytes.Buffer
	if err := TerritorialReport(&buf, tr); err != nil {
		t.Fatal(err)
	}
	keep(t, "territorial-since-start.pdf", buf.Bytes())
	s := text(t, buf.Bytes())
	for _, want := range []string{"Depuis le d\xe9but des programmes", "(04/27)", "(" + cp1252(passnum.FrenchNumber(29500)) + ")", "(d\xe9cembre 2025)"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in the document", want)
		}
	}

	// Only the total: the first page and empty sections.
	tr.Reports = map[passnum.Dimension]*passnum.IndicatorReport{passnum.DimAgeBand: {ScopeLabel: "Tous les programmes",
		Dimension: passnum.DimAgeBand, ComputedAt: created}}
	buf.Reset()
	if err := TerritorialReport(&buf, tr); err != nil {
		t.Fatal(err)
	}
	keep(t, "territorial-empty.pdf", buf.Bytes())
	s = text(t, buf.Bytes())
	for _, want := range []string{"(Tous les programmes)", "(\x97)", "(Aucune donn\xe9e)", "(Aucun montant utilis\xe9)"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in the document", want)
		}
	}
	if err := TerritorialReport(io.Discard, &Territorial{}); err == nil {
		t.Error("a report without indicators is printed")
	}
	if err := TerritorialReport(io.Discard, nil); err == nil {
		t.Error("a nil report is printed")
	}
}

func TestTerritorialFor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		s := env.Store
		serials := f.Serials(0)
		if _, err := s.Redeem(storetest.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(serials[:3]...), ServiceID: f.Service.ID, IdempotencyKey: "t1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Redeem(storetest.VenueCtx(f.Venue2), passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(1)[0]), ServiceID: f.Service2.ID, IdempotencyKey: "t2"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RefreshIndicators(storetest.As(f.Operator), nil); err != nil {
			t.Fatal(err)
		}

		tr, err := TerritorialFor(storetest.As(f.Operator), s, passnum.ScopeAllPasses, "Opérateur")
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Reports) != len(TerritorialDimensions) || tr.first().Total.Redeemed != 4 {
			t.Fatalf("%d reports, total %+v", len(tr.Reports), tr.first().Total)
		}

		state := storetest.As(storetest.Actor(f.State, passnum.RoleAdmin))
		own := passnum.Scope{Kind: passnum.ScopeFunder, ID: f.State.ID}
		tr, err = TerritorialFor(state, s, own, "Opérateur")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := TerritorialReport(&buf, tr); err != nil {
			t.Fatal(err)
		}
		keep(t, "territorial-"+env.Name+".pdf", buf.Bytes())
		txt := text(t, buf.Bytes())
		for _, want := range []string{cp1252(f.State.Name), cp1252(f.Venue.Name), cp1252(passnum.FrenchEuros(4 * 500))} {
			if !strings.Contains(txt, pdfString(want)) {
				t.Errorf("no %q in the funder's report", want)
			}
		}

		other := passnum.Scope{Kind: passnum.ScopeFunder, ID: f.Dept.ID}
		if _, err := TerritorialFor(state, s, other, "Opérateur"); err == nil {
			t.Error("a funder reads another funder's report")
		}
	})
}
