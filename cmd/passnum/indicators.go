package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/opendata"
	"github.com/passnum/passnum/internal/sheet"
)

// Environment variable of serve --indicators-every.
const envIndicatorsEvery = "PASSNUM_INDICATORS_EVERY"

// defaultIndicatorsEvery is how often the server recomputes the indicators:
// dashboards say when their figures were computed, and a quarter of an
// hour is fresh enough for figures followed month by month.
const defaultIndicatorsEvery = 15 * time.Minute

const indicatorsRefreshDoc = `Met à jour tous les indicateurs (tableaux de bord des financeurs, des hubs et
de l'opérateur, données ouvertes) à partir des données, et remplace le calcul
précédent. Seules les personnes dont les carnets ont changé depuis sont
recomptées, sauf au premier calcul, quand un programme, un service ou un hub
a changé, ou avec --full, qui recompte tout. Le serveur le fait aussi de
lui-même (passnum serve --indicators-every). L'avancement s'affiche sur la
sortie d'erreur.`

func (c *cli) indicatorsRefresh(o *options) runFunc {
	o.usage("[--full]", indicatorsRefreshDoc)
	var full bool
	o.bool(&full, "full", "recompter tout, quoi qu'il ait changé")
	return func(ctx context.Context, s store) error {
		p := c.progress("Pass lus")
		refresh := s.RefreshIndicators
		if full {
			refresh = s.RecountIndicators
		}
		snap, err := refresh(ctx, func(done, total int64) { p.update(int(done), int(total)) })
		p.end()
		if err != nil {
			return err
		}
		c.printf("Indicateurs calculés : %s pass lus, %s cellules, en %s.\n", formatInt(snap.Passes), formatInt(snap.Cells), formatSeconds(snap.Duration))
		return nil
	}
}

const indicatorsShowDoc = `Affiche les indicateurs d'un périmètre, ligne par ligne selon un axe, tels
que le dernier calcul les a arrêtés, puis le total.

Périmètre (--scope) : all, programme:N, funder:N, hub:N, area:region:N ou
area:departement:N, suivi si besoin de @ANNÉE (funder:3@2027). Axes (--dimension) : %s.
Formats : table (lisible), csv (tableur : point-virgule, virgule décimale),
json (le rapport de l'API GET /api/v1/indicators).`

func (c *cli) indicatorsShow(o *options) runFunc {
	dims := make([]string, len(passnum.Dimensions))
	for i, d := range passnum.Dimensions {
		dims[i] = string(d)
	}
	o.usage("[--scope all] [--dimension month] [--format table|csv|json]", fmt.Sprintf(indicatorsShowDoc, strings.Join(dims, ", ")))
	var scope, dim, format string
	var sc passnum.Scope
	o.string(&scope, "scope", "all", "`périmètre` : all, programme:N, funder:N, hub:N, area:region:N ou area:departement:N, avec @ANNÉE en option")
	o.string(&dim, "dimension", string(passnum.DimMonth), "`axe` de la ventilation")
	o.string(&format, "format", "table", "`format` : table, csv ou json")
	o.check(func() error {
		if format != "table" && format != "csv" && format != "json" {
			return o.usageErrorf("format inconnu : %q (table, csv ou json)", format)
		}
		var err error
		sc, err = passnum.ParseScope(scope)
		return err
	})
	return func(ctx context.Context, s store) error {
		rep, err := s.Indicators(ctx, sc, passnum.Dimension(dim))
		if err != nil {
			return err
		}
		switch format {
		case "csv":
			return sheet.WriteCSV(c.stdout, sheet.Indicators(rep))
		case "json":
			enc := json.NewEncoder(c.stdout)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(rep)
		}
		return writeIndicatorTable(c.stdout, rep)
	}
}

// writeIndicatorTable prints a report for a terminal: one column per
// indicator that has a meaning along the dimension, in French.
func writeIndicatorTable(w io.Writer, rep *passnum.IndicatorReport) error {
	fmt.Fprintf(w, "%s, par %s — chiffres calculés le %s\n\n", rep.ScopeLabel, strings.ToLower(rep.Dimension.Label()), passnum.FrenchDateTime(rep.ComputedAt))
	var inds []passnum.Indicator
	for _, ind := range passnum.IndicatorDefinitions {
		if ind.Applies(rep.Dimension) {
			inds = append(inds, ind)
		}
	}
	align := "l" + strings.Repeat("r", len(inds))
	head := []string{rep.Dimension.Label()}
	for _, ind := range inds {
		head = append(head, ind.Label)
	}
	t := newTable(align)
	t.add(head...)
	row := func(label string, v *passnum.IndicatorValues) {
		cells := []string{label}
		for _, ind := range inds {
			cells = append(cells, v.Format(ind.Key))
		}
		t.add(cells...)
	}
	for i := range rep.Rows {
		label := rep.Rows[i].Label
		if label == "" {
			label = rep.Rows[i].Key
		}
		row(label, &rep.Rows[i].Values)
	}
	row("Total", &rep.Total)
	return t.write(w, "")
}

const opendataDoc = `Écrit les données ouvertes du dernier calcul des indicateurs dans FICHIER :
pass remis, pass utilisés et nouvelles personnes, par mois, commune et
département, anonymes. Tout nombre de 1 à 4 est masqué, et d'autres avec
lui pour qu'aucun total ne le révèle (secret secondaire). Licence Ouverte
2.0 (Etalab). Les mêmes fichiers sont publiés sur la page /donnees-ouvertes.

Format : csv (point-virgule, UTF-8) ou json ; par défaut, celui de
l'extension de FICHIER, sinon csv.`

func (c *cli) opendata(o *options) runFunc {
	o.usage("--out FICHIER [--format csv|json]", opendataDoc)
	var out, format string
	o.string(&out, "out", "", "`fichier` à écrire", required)
	o.fileFormat(&format, "format", "`format` : csv ou json", &out)
	return func(ctx context.Context, s store) error {
		cells, at, err := s.OpenData(ctx)
		if passnum.ErrorCode(err) == passnum.ENOTFOUND {
			return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNoIndicators, "Les indicateurs n'ont pas encore été calculés : lancez « passnum indicators refresh ».")
		}
		if err != nil {
			return err
		}
		rel, err := opendata.Publish(cells, opendata.DefaultThreshold, passnum.MonthOf(at))
		if err != nil {
			return err
		}
		// A publication script may pick the file up: every failure says
		// the file was not written.
		if _, err := replaceFile(out, func(w io.Writer) error {
			if format == "json" {
				return rel.WriteJSON(w)
			}
			return rel.WriteCSV(w)
		}); err != nil {
			return passnum.Errorf(passnum.EINVALID, "output", "Impossible d'écrire %s : %v", out, err)
		}
		c.printf("Données ouvertes écrites dans %s : %s lignes, chiffres calculés le %s.\n", out, formatInt(len(rel.Rows)), passnum.FrenchDateTime(at))
		return nil
	}
}

// refreshIndicatorsEvery recomputes the indicators every interval until
// ctx ends, as ctx's actor (the operator), on one of the servers: each
// interval is a period that the first server to try claims (sc). It
// starts at once when there is no snapshot or the last one is older than
// every, so that a restart does not leave dashboards without figures, nor
// recompute fresh ones; then it tries at the start of each interval. Each
// run's duration goes to sc's done (the metrics' job hook), failures to the
// log: the next run tries again.
func refreshIndicatorsEvery(ctx context.Context, svc passnum.IndicatorService, sc *scheduler, every time.Duration) {
	wait := time.Duration(0)
	if rep, err := svc.Indicators(ctx, passnum.ScopeAllPasses, passnum.DimProgramme); err == nil {
		// A clock behind the store's (the demo's) gives a negative age:
		// the snapshot is fresh.
		if age := time.Since(rep.ComputedAt); age < every {
			wait = every - max(age, 0)
		}
	} else if passnum.ErrorCode(err) != passnum.ENOTFOUND {
		sc.log.Warn("indicators: cannot read the last snapshot", "err", err)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		now := time.Now().UTC()
		stopped := sc.runOnce(ctx, "indicators", now.Truncate(every).Format(time.RFC3339Nano), func(ctx context.Context) ([]any, error) {
			snap, err := svc.RefreshIndicators(ctx, nil)
			if err != nil {
				return nil, err
			}
			return []any{"passes", snap.Passes, "cells", snap.Cells}, nil
		})
		if stopped {
			return
		}
		// The next interval's start, when every server tries it.
		timer.Reset(now.Truncate(every).Add(every).Sub(time.Now().UTC()))
	}
}

// indicatorsEvery is the default of serve --indicators-every: the
// environment's, else defaultIndicatorsEvery.
func indicatorsEvery() (time.Duration, error) {
	v := os.Getenv(envIndicatorsEvery)
	if v == "" {
		return defaultIndicatorsEvery, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q : durée attendue, par exemple 15m ou 1h (0 : jamais)", envIndicatorsEvery, v)
	}
	return d, nil
}
