package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sepa"
)

func (c *cli) settleBatch(ctx context.Context, args []string) error {
	fs := c.flags("passnum settle batch", "passnum settle batch (--execution-date AAAA-MM-JJ | --id N) --out FICHIER.xml",
		"Rassemble les relevés validés qui ne sont pas encore dans un lot en un lot\n"+
			"de virements, un virement par relevé, et écrit son fichier SEPA ("+sepa.Version+")\n"+
			"à déposer à la banque. Le compte de l'opérateur doit être enregistré\n"+
			"(passnum settle payer).\n\n"+
			"Avec --id, écrit de nouveau le fichier d'un lot déjà créé, à l'identique.\n"+
			"Une fois les virements passés : passnum settle paid --statement N, ou\n"+
			"passnum settle reject --statement N --reason MOTIF pour un virement rejeté.")
	executionDate := fs.String("execution-date", "", "date d'exécution demandée `AAAA-MM-JJ`")
	var id int64
	fs.int64(&id, "id", 0, "`numéro` d'un lot déjà créé, dont réécrire le fichier")
	out := fs.String("out", "", "`fichier` XML à écrire")
	if err := fs.parse(args, "out"); err != nil {
		return err
	}
	if fs.given("execution-date") == fs.given("id") {
		return usageErrorf(fs.path, "donnez soit --execution-date (nouveau lot), soit --id (lot existant)")
	}
	if fs.given("execution-date") {
		if err := fs.date("execution-date", *executionDate); err != nil {
			return err
		}
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	var b *passnum.PaymentBatch
	if fs.given("id") {
		batches, err := s.ListPaymentBatches(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(batches, func(b *passnum.PaymentBatch) bool { return b.ID == id })
		if i < 0 {
			return passnum.Errorf(passnum.ENOTFOUND, "not-found", "Aucun lot de virements n°%d (passnum settle batches les montre).", id)
		}
		b = batches[i]
	} else {
		if b, err = s.CreatePaymentBatch(ctx, *executionDate); err != nil {
			return optionError(err, map[string]string{"execution_date": "execution-date"})
		}
	}
	payer, transfers, err := s.PaymentBatchTransfers(ctx, b.ID)
	if err == nil {
		err = writeAtomically(*out, func(f *os.File) error { return sepa.Write(f, *b, *payer, transfers, b.CreatedAt) })
	}
	if err != nil {
		if !fs.given("id") {
			// The batch exists: say how to get its file once fixed.
			c.printf("Lot n°%d créé, mais son fichier n'a pas pu être écrit ; réessayez avec passnum settle batch --id %d --out FICHIER.xml.\n", b.ID, b.ID)
		}
		return err
	}
	if fs.given("id") {
		c.printf("Lot n°%d (%s) écrit dans %s : %s virements, %s.\n", b.ID, b.MessageID, *out, formatInt(b.Statements), formatEuros(b.ControlSumCents))
		return nil
	}
	c.printf("Lot n°%d créé (%s) : %s virements, %s, exécution le %s.\n", b.ID, b.MessageID, formatInt(b.Statements),
		formatEuros(b.ControlSumCents), passnum.FrenchDate(b.ExecutionDate))
	c.printf("Fichier %s écrit dans %s : déposez-le à la banque.\n", sepa.Version, *out)
	if len(b.Skipped) > 0 {
		c.printf("Hors du lot, faute de coordonnées bancaires : %s. Leurs relevés iront dans un prochain lot.\n", strings.Join(b.Skipped, ", "))
	}
	return nil
}

// writeAtomically writes path through a temporary file renamed at the
// end, so that a failure never leaves a truncated file that could be
// taken for a whole one.
func writeAtomically(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return passnum.Errorf(passnum.EINVALID, "output", "Impossible de créer le fichier : %v", err)
	}
	defer os.Remove(f.Name()) // after a successful rename, there is nothing left to remove
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return passnum.Errorf(passnum.EINVALID, "output", "Impossible d'écrire %s : %v", path, err)
	}
	return nil
}
