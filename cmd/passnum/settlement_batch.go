package main

import (
	"context"
	"io"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sepa"
)

func (c *cli) settleBatch(o *options) runFunc {
	o.usage("(--execution-date AAAA-MM-JJ | --id N) --out FICHIER.xml",
		"Rassemble les relevés validés qui ne sont pas encore dans un lot en un lot\n"+
			"de virements, un virement par relevé, et écrit son fichier SEPA (pain.001,\n"+
			"dans la version choisie pour le compte de l'opérateur : passnum settle payer)\n"+
			"à déposer à la banque. Le compte de l'opérateur doit être enregistré\n"+
			"(passnum settle payer).\n\n"+
			"Avec --id, écrit de nouveau le fichier d'un lot déjà créé, à l'identique.\n"+
			"Une fois les virements passés : passnum settle paid --statement N, ou\n"+
			"passnum settle reject --statement N --reason MOTIF pour un virement rejeté.")
	var executionDate, out string
	var id int64
	o.int64(&id, "id", "`numéro` d'un lot déjà créé, dont réécrire le fichier")
	o.string(&out, "out", "", "`fichier` XML à écrire", required)
	o.check(func() error {
		if o.given("execution-date") == o.given("id") {
			return o.usageErrorf("donnez soit --execution-date (nouveau lot), soit --id (lot existant)")
		}
		return nil
	})
	o.date(&executionDate, "execution-date", "date d'exécution demandée `AAAA-MM-JJ`")
	return func(ctx context.Context, s store) error {
		if o.given("id") {
			b, err := findPaymentBatch(ctx, s, id)
			if err == nil {
				_, err = writeBatch(ctx, s, b, out)
			}
			if err != nil {
				return err
			}
			c.printf("Lot n°%d (%s) écrit dans %s : %s, %s.\n", b.ID, b.MessageID, out, plural(b.Statements, "virement", "virements"), formatEuros(b.ControlSumCents))
			return nil
		}
		b, err := s.CreatePaymentBatch(ctx, executionDate)
		if err != nil {
			return optionError(err, map[string]string{"execution_date": "execution-date"})
		}
		format, err := writeBatch(ctx, s, b, out)
		if err != nil {
			// The batch exists: say how to get its file once fixed.
			c.printf("Lot n°%d créé, mais son fichier n'a pas pu être écrit ; réessayez avec passnum settle batch --id %d --out FICHIER.xml.\n", b.ID, b.ID)
			return err
		}
		c.printf("Lot n°%d créé (%s) : %s, %s, exécution le %s.\n", b.ID, b.MessageID, plural(b.Statements, "virement", "virements"),
			formatEuros(b.ControlSumCents), passnum.FrenchDate(b.ExecutionDate))
		c.printf("Fichier %s écrit dans %s : déposez-le à la banque.\n", format, out)
		if len(b.Skipped) > 0 {
			c.printf("Hors du lot, faute de coordonnées bancaires : %s. Leurs relevés iront dans un prochain lot.\n", strings.Join(b.Skipped, ", "))
		}
		return nil
	}
}

// findPaymentBatch returns the payment batch id.
func findPaymentBatch(ctx context.Context, s store, id int64) (*passnum.PaymentBatch, error) {
	b, err := s.FindPaymentBatch(ctx, id)
	if passnum.ErrorCode(err) == passnum.ENOTFOUND {
		return nil, passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Aucun lot de virements n°%d (passnum settle batches les montre).", id)
	}
	return b, err
}

// writeBatch writes the SEPA file of a payment batch to path, in the
// payer account's format, which it returns.
func writeBatch(ctx context.Context, s store, b *passnum.PaymentBatch, path string) (passnum.PainFormat, error) {
	payer, transfers, err := s.PaymentBatchTransfers(ctx, b.ID)
	if err != nil {
		return "", err
	}
	return sepa.FormatOf(*payer), writeAtomically(path, func(w io.Writer) error { return sepa.Write(w, *b, *payer, transfers, b.CreatedAt) })
}
