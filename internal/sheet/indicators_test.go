package sheet

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/passnum/passnum"
)

func TestIndicators(t *testing.T) {
	delays := passnum.DelayHistogram{1: 1, 4: 1, 10: 2} // quartiles 1, 4, 10
	row := func(label string, redeemed, distributed int64, d passnum.DelayHistogram, state, region int64) passnum.IndicatorRow {
		v := passnum.IndicatorValues{Funnel: passnum.Funnel{Issued: 100, Distributed: distributed, Redeemed: redeemed},
			PeopleReached: 2, Minutes: 90, Delays: d, SpentCents: state + region}
		v.AddFunderCents(2, region)
		v.AddFunderCents(1, state)
		return passnum.IndicatorRow{Key: label, Label: label, Values: v}
	}
	a := row("Médiathèque", 3, 0, delays, 1000, 500)
	b := row("Le Clic", 1, 4, nil, 334, 166)
	b.Values.HandedOut, b.Values.BookedAtHandOut = 3, 1 // one person in three booked at hand-out
	total := row("", 4, 4, delays, 1334, 666).Values
	total.HandedOut, total.BookedAtHandOut = 4, 2
	twoFunders := map[int64]string{2: "Région", 1: "État"}
	delayHeaders := []string{"1er quartile du délai avant le premier atelier (jours)",
		"Délai médian avant le premier atelier (jours)", "3e quartile du délai avant le premier atelier (jours)"}

	for _, tc := range []struct {
		dim     passnum.Dimension
		funders map[int64]string
		headers []string
		// want gives, per header, the cells of rows a, b and the total.
		want map[string][3]Cell
	}{{
		dim: passnum.DimVenue, funders: twoFunders,
		headers: slices.Concat([]string{"Lieu", "Pass utilisés", "Personnes accompagnées", "Heures de formation"},
			delayHeaders, []string{"Montant utilisé (€)", "Part de État (€)", "Part de Région (€)"}),
		want: map[string][3]Cell{
			"Lieu":                {{Text: "Médiathèque"}, {Text: "Le Clic"}, {Text: "Total"}},
			"Pass utilisés":       {{N: 3}, {N: 1}, {N: 4}},
			"Heures de formation": {{N: 90}, {N: 90}, {N: 90}},
			delayHeaders[0]:       {{N: 1}, {Empty: true}, {N: 1}},
			delayHeaders[1]:       {{N: 4}, {Empty: true}, {N: 4}},
			delayHeaders[2]:       {{N: 10}, {Empty: true}, {N: 10}},
			"Montant utilisé (€)": {{N: 1500}, {N: 500}, {N: 2000}},
			"Part de État (€)":    {{N: 1000}, {N: 334}, {N: 1334}},
			"Part de Région (€)":  {{N: 500}, {N: 166}, {N: 666}},
		},
	}, {
		dim: passnum.DimProgramme, funders: map[int64]string{1: "État"},
		headers: slices.Concat([]string{"Programme", "Pass émis", "Pass activés", "Pass attribués", "Pass remis",
			"Pass de carnets entamés", "Pass utilisés", "Pass bloqués", "Pass expirés", "Taux d'utilisation (%)",
			"Part des personnes inscrites à un atelier lors de la remise (%)", "Personnes accompagnées", "Personnes ayant utilisé tous leurs pass", "Heures de formation"},
			delayHeaders, []string{"Montant utilisé (€)"}),
		want: map[string][3]Cell{
			"Pass émis":              {{N: 100}, {N: 100}, {N: 100}},
			"Taux d'utilisation (%)": {{Empty: true}, {N: 2500}, {N: 10000}},
			"Part des personnes inscrites à un atelier lors de la remise (%)": {{Empty: true}, {N: 3333}, {N: 5000}},
		},
	}, {
		dim: passnum.DimMonth, funders: twoFunders,
		headers: slices.Concat([]string{"Mois", "Pass émis", "Pass activés", "Pass attribués", "Pass remis",
			"Pass de carnets entamés", "Pass utilisés", "Part des personnes inscrites à un atelier lors de la remise (%)",
			"Personnes accompagnées", "Heures de formation"},
			delayHeaders, []string{"Montant utilisé (€)", "Part de État (€)", "Part de Région (€)"}),
	}} {
		t.Run(string(tc.dim), func(t *testing.T) {
			rep := &passnum.IndicatorReport{Dimension: tc.dim, ScopeLabel: "Programme Pass numérique",
				ComputedAt: time.Date(2027, 3, 12, 13, 5, 0, 0, time.UTC), Scope: passnum.Scope{Kind: "all", Year: 2027},
				Total: total, Rows: []passnum.IndicatorRow{a, b}, Funders: tc.funders}
			tb := Indicators(rep)
			var headers []string
			for _, c := range tb.Columns {
				headers = append(headers, c.Header)
			}
			if !slices.Equal(headers, tc.headers) {
				t.Fatalf("headers\n%q\nwant\n%q", headers, tc.headers)
			}
			if len(tb.Rows) != 3 {
				t.Fatalf("%d rows, want 3", len(tb.Rows))
			}
			for i, h := range headers {
				want, ok := tc.want[h]
				if !ok {
					continue
				}
				for r := range 3 {
					if got := tb.Rows[r][i]; got != want[r] {
						t.Errorf("row %d, %q = %+v, want %+v", r, h, got, want[r])
					}
				}
			}
			wantNotes := []string{"Périmètre : Programme Pass numérique, année 2027",
				"Chiffres arrêtés le 12 mars 2027 à 14 h 05"}
			if len(tb.Notes) < 2 || !slices.Equal(tb.Notes[:2], wantNotes) {
				t.Errorf("notes %q, want to start with %q", tb.Notes, wantNotes)
			}
			// The table is one the writers accept.
			var buf bytes.Buffer
			if err := WriteCSV(&buf, tb); err != nil {
				t.Error(err)
			}
			if err := WriteXLSX(&buf, tb); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestIndicatorsKinds(t *testing.T) {
	tb := Indicators(&passnum.IndicatorReport{Dimension: passnum.DimProgramme})
	want := map[string]Kind{"Programme": Text, "Pass émis": Int, "Taux d'utilisation (%)": Percent,
		"Heures de formation": Hours, "Délai médian avant le premier atelier (jours)": Days, "Montant utilisé (€)": Euros}
	for _, c := range tb.Columns {
		if k, ok := want[c.Header]; ok && k != c.Kind {
			t.Errorf("%q is of kind %d, want %d", c.Header, c.Kind, k)
		}
	}
	if tb.Title != "Indicateurs par programme" {
		t.Errorf("title %q", tb.Title)
	}
	// Only the total, and no note for an empty scope or time.
	if len(tb.Rows) != 1 || tb.Rows[0][0].Text != "Total" || len(tb.Notes) != 1 {
		t.Errorf("rows %+v, notes %q", tb.Rows, tb.Notes)
	}
}

// TestIndicatorsFreshness: figures read on a replica say how fresh they
// are in the notes (above the XLSX table).
func TestIndicatorsFreshness(t *testing.T) {
	at := time.Date(2027, 3, 15, 13, 32, 0, 0, time.UTC)
	tb := Indicators(&passnum.IndicatorReport{Dimension: passnum.DimProgramme,
		Freshness: &passnum.Freshness{Source: passnum.SourceReplica, AsOf: at, LagSeconds: 3}})
	if !slices.Contains(tb.Notes, "Données à jour à 14 h 32 (réplique en retard de 3 s).") {
		t.Errorf("notes %q do not say how fresh the figures are", tb.Notes)
	}
}
