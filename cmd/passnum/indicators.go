package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
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

func (c *cli) indicators(ctx context.Context, args []string) error {
	return c.group(ctx, "indicators", args, map[string]command{
		"refresh": {c.indicatorsRefresh, "recalcule tous les indicateurs à partir des données"},
		"show":    {c.indicatorsShow, "affiche les indicateurs d'un périmètre selon un axe"},
	})
}

const indicatorsRefreshDoc = `Recalcule tous les indicateurs (tableaux de bord des financeurs, des hubs et de
l'opérateur, données ouvertes) à partir des données, et remplace le calcul
précédent. Le serveur le fait aussi de lui-même (passnum serve
--indicators-every). L'avancement s'affiche sur la sortie d'erreur.`

func (c *cli) indicatorsRefresh(ctx context.Context, args []string) error {
	fs := c.flags("passnum indicators refresh", "passnum indicators refresh", indicatorsRefreshDoc)
	if err := fs.parse(args); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	p := c.progress("Pass lus")
	snap, err := s.RefreshIndicators(ctx, func(done, total int64) { p.update(int(done), int(total)) })
	p.end()
	if err != nil {
		return err
	}
	c.printf("Indicateurs calculés : %s pass lus, %s cellules, en %s.\n", formatInt(snap.Passes), formatInt(snap.Cells), formatSeconds(snap.Duration))
	return nil
}

const indicatorsShowDoc = `Affiche les indicateurs d'un périmètre, ligne par ligne selon un axe, tels
que le dernier calcul les a arrêtés, puis le total.

Périmètre (--scope) : all, programme:N, funder:N, hub:N, area:region:N ou
area:departement:N, suivi si besoin de @ANNÉE (funder:3@2027). Axes (--dimension) : %s.
Formats : table (lisible), csv (tableur : point-virgule, virgule décimale),
json (le rapport de l'API GET /api/v1/indicators).`

func (c *cli) indicatorsShow(ctx context.Context, args []string) error {
	dims := make([]string, len(passnum.Dimensions))
	for i, d := range passnum.Dimensions {
		dims[i] = string(d)
	}
	fs := c.flags("passnum indicators show", "passnum indicators show [--scope all] [--dimension month] [--format table|csv|json]",
		fmt.Sprintf(indicatorsShowDoc, strings.Join(dims, ", ")))
	scope := fs.String("scope", "all", "`périmètre` : all, programme:N, funder:N, hub:N, area:region:N ou area:departement:N, avec @ANNÉE en option")
	dim := fs.String("dimension", string(passnum.DimMonth), "`axe` de la ventilation")
	format := fs.String("format", "table", "`format` : table, csv ou json")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		return usageErrorf(fs.path, "format inconnu : %q (table, csv ou json)", *format)
	}
	sc, err := passnum.ParseScope(*scope)
	if err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.Indicators(ctx, sc, passnum.Dimension(*dim))
	if err != nil {
		return err
	}
	switch *format {
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
	right := []bool{false}
	head := []string{rep.Dimension.Label()}
	for _, ind := range inds {
		right = append(right, true)
		head = append(head, ind.Label)
	}
	t := newTable(right...)
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

func (c *cli) opendata(ctx context.Context, args []string) error {
	fs := c.flags("passnum opendata", "passnum opendata --out FICHIER [--format csv|json]", opendataDoc)
	out := fs.String("out", "", "`fichier` à écrire")
	format := fs.String("format", "", "`format` : csv ou json")
	if err := fs.parse(args, "out"); err != nil {
		return err
	}
	if *format == "" {
		*format = "csv"
		if strings.EqualFold(filepath.Ext(*out), ".json") {
			*format = "json"
		}
	}
	if *format != "csv" && *format != "json" {
		return usageErrorf(fs.path, "format inconnu : %q (csv ou json)", *format)
	}
	s, err := c.open(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	cells, at, err := s.OpenData(ctx)
	if err != nil {
		if passnum.ErrorCode(err) == passnum.ENOTFOUND {
			return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNoIndicators, "Les indicateurs n'ont pas encore été calculés : lancez « passnum indicators refresh ».")
		}
		return err
	}
	rel, err := opendata.Publish(cells, opendata.DefaultThreshold, passnum.MonthOf(at))
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*out, func(w io.Writer) error {
		if *format == "json" {
			return rel.WriteJSON(w)
		}
		return rel.WriteCSV(w)
	}); err != nil {
		return err
	}
	c.printf("Données ouvertes écrites dans %s : %s lignes, chiffres calculés le %s.\n", *out, formatInt(len(rel.Rows)), passnum.FrenchDateTime(at))
	return nil
}

// writeFileAtomic writes path through a temporary file renamed at the
// end, so that a failure never leaves half a file where a publication
// script would pick it up.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return passnum.Errorf(passnum.EINVALID, "output", "Impossible d'écrire %s : %v", path, err)
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return passnum.Errorf(passnum.EINVALID, "output", "Impossible d'écrire %s : %v", path, err)
	}
	return nil
}

// refreshIndicatorsEvery recomputes the indicators every interval until
// ctx ends, as ctx's actor (the operator). It starts at once when there is
// no snapshot or the last one is older than every, so that a restart does
// not leave dashboards without figures, nor recompute fresh ones. Each
// run's duration goes to done (the metrics' job hook), failures to the log:
// the next run tries again.
func refreshIndicatorsEvery(ctx context.Context, svc passnum.IndicatorService, every time.Duration, log *slog.Logger, done func(job string, d time.Duration)) {
	wait := time.Duration(0)
	if rep, err := svc.Indicators(ctx, passnum.ScopeAllPasses, passnum.DimProgramme); err == nil {
		// A clock behind the store's (the demo's) gives a negative age:
		// the snapshot is fresh.
		if age := time.Since(rep.ComputedAt); age < every {
			wait = every - max(age, 0)
		}
	} else if passnum.ErrorCode(err) != passnum.ENOTFOUND {
		log.Warn("indicators: cannot read the last snapshot", "err", err)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		start := time.Now()
		snap, err := svc.RefreshIndicators(ctx, nil)
		d := time.Since(start)
		switch {
		case ctx.Err() != nil && errors.Is(err, ctx.Err()):
			return
		case err != nil:
			log.Error("indicators refresh failed", "err", err, "duration", d)
		default:
			log.Info("indicators refreshed", "passes", snap.Passes, "cells", snap.Cells, "duration", d)
		}
		if done != nil {
			done("indicators", d)
		}
		timer.Reset(every)
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
