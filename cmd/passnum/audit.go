package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
)

// The audit journal's hash chain: the sealer that serve runs, and the
// export and proof of its anchors (internal/sqlstore/chain.go).

// sealInBackground seals the audit journal every interval until the stop
// it returns is called. Every server of an installation runs it: sealers
// that meet on one PostgreSQL take turns by themselves.
func sealInBackground(ctx context.Context, s *sqlstore.Store, every time.Duration, log *slog.Logger, done func(job string, d time.Duration)) (stop func()) {
	jobCtx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		sealEvery(jobCtx, s, every, log, done)
	}()
	return func() { cancel(); <-finished }
}

// sealEvery seals the journal at once, then every interval, until ctx
// ends. A failure is logged and the next run tries again: the entries
// wait, kept by the triggers, and the check names none of them meanwhile.
func sealEvery(ctx context.Context, s *sqlstore.Store, every time.Duration, log *slog.Logger, done func(job string, d time.Duration)) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if s.Storage().Full {
			// Each seal would be one more write refused, counted and
			// logged: the entries wait for space, kept by the triggers.
			timer.Reset(every)
			continue
		}
		start := time.Now()
		n, err := s.SealAudit(ctx)
		d := time.Since(start)
		switch {
		case ctx.Err() != nil && errors.Is(err, ctx.Err()):
			return
		case err != nil:
			log.Error("audit journal sealing failed", "err", err, "duration", d)
		case n > 0:
			log.Debug("audit journal sealed", "entries", n, "duration", d)
		}
		if done != nil {
			done("audit-seal", d)
		}
		timer.Reset(every)
	}
}

// latestAnchors is how many anchors passnum check prints.
const latestAnchors = 3

// printLatestAnchors prints the last anchors of the journal's chain, for
// the operator to compare with the copies kept outside.
func (c *cli) printLatestAnchors(ctx context.Context, s store) error {
	anchors, err := s.AuditAnchors(ctx)
	if err != nil {
		return err
	}
	if len(anchors) == 0 {
		c.printf("Journal d'audit : aucune ancre encore.\n")
		return nil
	}
	c.printf("Journal d'audit, dernières ancres (numéro, empreinte, date) :\n")
	for _, a := range anchors[max(0, len(anchors)-latestAnchors):] {
		c.printf("  %d  %s  %s\n", a.Seq, a.Hash, passnum.FormatTime(a.At))
	}
	return nil
}

const auditAnchorsDoc = `Écrit les ancres du journal d'audit : chaque entrée du journal porte
l'empreinte (SHA-256) de la précédente et de son propre contenu ; une ancre
est l'empreinte de la chaîne à un numéro d'entrée, prise toutes les 1 000
entrées ou toutes les heures. Remises à un tiers (la conférence des
financeurs, par exemple) qui les garde hors de la plateforme, elles
prouvent plus tard que le journal n'a pas été réécrit depuis : passnum audit
verify --anchors FICHIER. Les nouvelles entrées sont scellées d'abord.

Formats : csv (séparé par « ; » : numero;empreinte;date, date en UTC) ou
json ({"anchors": [{"seq", "hash", "at"}]}).

Exemples :
  passnum audit anchors --out ancres-2027-03.csv
  passnum audit anchors --format json --out ancres.json`

func (c *cli) auditAnchors(o *options) runFunc {
	o.usage("[--format csv|json] [--out FICHIER]", auditAnchorsDoc)
	var out, format string
	o.string(&out, "out", "", "`fichier` à écrire (défaut : sortie standard)")
	o.fileFormat(&format, "format", "`format` : csv ou json (défaut : json pour un fichier .json, csv sinon)", &out)
	return func(ctx context.Context, s store) error {
		if _, err := s.SealAudit(ctx); err != nil {
			return err
		}
		anchors, err := s.AuditAnchors(ctx)
		if err != nil {
			return err
		}
		toFile, err := c.writeOut(out, func(w io.Writer) error {
			if format == "json" {
				return passnum.WriteAuditAnchorsJSON(w, anchors)
			}
			return passnum.WriteAuditAnchorsCSV(w, anchors)
		})
		if err != nil || !toFile {
			return err
		}
		c.printf("%s dans %s.\n", plural(len(anchors), "ancre écrite", "ancres écrites"), out)
		return nil
	}
}

const auditVerifyDoc = `Vérifie que le journal d'audit contient encore les ancres d'un fichier
écrit par passnum audit anchors (CSV ou JSON) : recalcule toute la chaîne
d'empreintes du journal, puis compare chaque ancre à l'entrée de même
numéro. Code de sortie 1, avec une ligne qui nomme la première rupture ou
la première ancre absente, si le journal a été modifié ou réécrit depuis.

Exemple :
  passnum audit verify --anchors ancres-2027-03.csv`

func (c *cli) auditVerify(o *options) runFunc {
	o.usage("--anchors FICHIER", auditVerifyDoc)
	var file string
	o.string(&file, "anchors", "", "`fichier` d'ancres (CSV ou JSON)", required)
	return func(ctx context.Context, s store) error {
		f, err := os.Open(file)
		if err != nil {
			return passnum.Errorf(passnum.EINVALID, passnum.ReasonInvalidInput, "Impossible de lire le fichier d'ancres %s : %v", file, err)
		}
		defer f.Close()
		anchors, err := passnum.ReadAuditAnchors(f)
		if err != nil {
			return err
		}
		if err := s.VerifyAuditAnchors(ctx, anchors); err != nil {
			return err
		}
		last := anchors[len(anchors)-1]
		c.printf("Le journal d'audit est intact et contient %s du fichier (la dernière : n° %d du %s).\n",
			plural(len(anchors), "ancre", "ancres"), last.Seq, passnum.FormatTime(last.At))
		return nil
	}
}
