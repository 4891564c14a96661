package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// Money out: the monthly settlement of venues, payment batches, and the
// credit notes of funders.

// clock is the time of the run: the test clock, else the wall clock.
func (c *cli) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// optionError names, for a service error about field, the option that
// sets it, so that the one-line message says what to correct.
func optionError(err error, options map[string]string) error {
	var e *passnum.Error
	if errors.As(err, &e) && e.Field != "" {
		if opt, ok := options[e.Field]; ok {
			cp := *e
			cp.Field = ""
			cp.Message = strings.TrimSpace(e.Message) + " (option --" + opt + ")"
			return &cp
		}
	}
	return err
}

func (c *cli) settleRun(o *options) runFunc {
	o.usage("[--cut-off AAAA-MM-JJ]",
		"Règle les pass encaissés et pas encore réglés, jusqu'à la fin de la date\n"+
			"d'arrêté (heure de Paris) : un relevé en brouillon par lieu, et pour chaque\n"+
			"financeur sa part, frais de gestion compris. Un second règlement à la même\n"+
			"date ne prend que les pass encaissés depuis.\n\n"+
			"Par défaut, la date d'arrêté est le dernier jour du mois précédent.\n"+
			"Ensuite : passnum settle validate --run N, puis passnum settle batch.")
	var cutOff string
	o.date(&cutOff, "cut-off", "date d'arrêté `AAAA-MM-JJ` (défaut : dernier jour du mois précédent)")
	return func(ctx context.Context, s store) error {
		if !o.given("cut-off") {
			cutOff = passnum.DefaultCutOff(c.clock())
		}
		run, err := s.RunSettlement(ctx, cutOff)
		if err != nil {
			return optionError(err, map[string]string{"cut_off": "cut-off"})
		}
		if run.Statements == 0 {
			c.printf("Règlement n°%d au %s : aucun pass encaissé à régler.\n", run.ID, passnum.FrenchDate(run.CutOff))
			return nil
		}
		c.printf("Règlement n°%d au %s : %s, %s pass, %s.\n", run.ID, passnum.FrenchDate(run.CutOff),
			plural(run.Statements, "relevé", "relevés"), formatInt(run.Passes), formatEuros(run.AmountCents))
		c.printf("Ensuite : vérifiez les relevés (passnum settle statements --run %d), puis passnum settle validate --run %d.\n", run.ID, run.ID)
		return nil
	}
}

func (c *cli) settleList(o *options) runFunc {
	o.usage("", "Liste les règlements, du plus récent au plus ancien.")
	return func(ctx context.Context, s store) error {
		runs, err := s.ListSettlementRuns(ctx)
		if err != nil {
			return err
		}
		return printList(c.stdout, runs, "Aucun règlement.", "rlrrrll", []string{"N°", "ARRÊTÉ AU", "RELEVÉS", "PASS", "MONTANT", "PAR", "LE"},
			func(r *passnum.SettlementRun) []string {
				return []string{fmt.Sprint(r.ID), r.CutOff, formatInt(r.Statements), formatInt(r.Passes), formatEuros(r.AmountCents),
					r.Actor, passnum.FrenchDateTime(r.CreatedAt)}
			})
	}
}

// allStatements reads every statement f selects, page after page.
func allStatements(ctx context.Context, svc passnum.SettlementService, f passnum.StatementFilter) ([]*passnum.Statement, error) {
	return allPages(func(offset, limit int) ([]*passnum.Statement, int, error) {
		f.Offset, f.Limit = offset, limit
		return svc.ListStatements(ctx, f)
	})
}

// stateValue reads --state, a statement state.
type stateValue struct{ p *passnum.StatementState }

func (v stateValue) String() string {
	if v.p == nil {
		return ""
	}
	return string(*v.p)
}

func (v stateValue) Set(s string) error {
	switch st := passnum.StatementState(s); st {
	case passnum.StatementDraft, passnum.StatementValidated, passnum.StatementPaid, passnum.StatementRejected:
		*v.p = st
		return nil
	}
	return errors.New("draft, validated, paid ou rejected")
}

func (c *cli) settleStatements(o *options) runFunc {
	o.usage("[--run N] [--venue N] [--state ÉTAT]",
		"Liste les relevés des lieux : un par lieu et par règlement, avec son état\n"+
			"(draft : brouillon, validated : validé, paid : payé, rejected : virement rejeté).")
	var f passnum.StatementFilter
	o.int64(&f.RunID, "run", "`numéro` du règlement")
	o.int64(&f.VenueID, "venue", "`numéro` du lieu")
	o.value(stateValue{&f.State}, "state", "`état` : draft, validated, paid ou rejected")
	return func(ctx context.Context, s store) error {
		all, err := allStatements(ctx, s, f)
		if err != nil {
			return err
		}
		err = printList(c.stdout, all, "Aucun relevé.", "rrllrrll", []string{"N°", "RÈGLEMENT", "LIEU", "ÉTAT", "PASS", "MONTANT", "RÉFÉRENCE", "REMARQUE"},
			func(st *passnum.Statement) []string {
				note := ""
				switch {
				case st.RejectedReason != "":
					note = "rejet : " + st.RejectedReason
				case st.BatchID != 0:
					note = fmt.Sprintf("lot n°%d", st.BatchID)
				}
				return []string{fmt.Sprint(st.ID), fmt.Sprint(st.RunID), st.VenueName, st.State.Label(), formatInt(st.Passes),
					formatEuros(st.AmountCents), st.Reference, note}
			})
		if err != nil || len(all) == 0 {
			return err
		}
		var passes int
		var cents int64
		for _, st := range all {
			passes += st.Passes
			cents += st.AmountCents
		}
		c.printf("%s, %s pass, %s.\n", plural(len(all), "relevé", "relevés"), formatInt(passes), formatEuros(cents))
		return nil
	}
}

func (c *cli) settleValidate(o *options) runFunc {
	o.usage("(--run N | --statement N)",
		"Valide les relevés vérifiés : tous les brouillons d'un règlement (--run), ou\n"+
			"un relevé (--statement). Un relevé validé entre dans le prochain lot de\n"+
			"virements (passnum settle batch).")
	var run, statement int64
	o.int64(&run, "run", "`numéro` du règlement : valide tous ses brouillons")
	o.int64(&statement, "statement", "`numéro` du relevé")
	o.check(func() error {
		if o.given("run") == o.given("statement") {
			return o.usageErrorf("donnez soit --run, soit --statement")
		}
		return nil
	})
	return func(ctx context.Context, s store) error {
		if o.given("statement") {
			st, err := s.ValidateStatement(ctx, statement)
			if err != nil {
				return err
			}
			c.printf("Relevé n°%d validé : %s, %s pass, %s.\n", st.ID, st.VenueName, formatInt(st.Passes), formatEuros(st.AmountCents))
			return nil
		}
		return c.validateRun(ctx, s, run)
	}
}

// validateRun validates every draft statement of a run, one after the
// other, showing the progress.
func (c *cli) validateRun(ctx context.Context, s store, run int64) error {
	drafts, err := allStatements(ctx, s, passnum.StatementFilter{RunID: run, State: passnum.StatementDraft})
	if err != nil {
		return err
	}
	if len(drafts) == 0 {
		runs, err := s.ListSettlementRuns(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(runs, func(r *passnum.SettlementRun) bool { return r.ID == run }) {
			return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Aucun règlement n°%d (passnum settle list les montre).", run)
		}
		c.printf("Aucun relevé en brouillon dans le règlement n°%d.\n", run)
		return nil
	}
	p := c.progress("validation des relevés")
	var passes int
	var cents int64
	for i, st := range drafts {
		if _, err := s.ValidateStatement(ctx, st.ID); err != nil {
			p.end()
			return fmt.Errorf("relevé n°%d (%s) : %w — les %d relevés précédents sont validés", st.ID, st.VenueName, err, i)
		}
		passes += st.Passes
		cents += st.AmountCents
		p.update(i+1, len(drafts))
	}
	p.end()
	validated := "validés"
	if len(drafts) == 1 {
		validated = "validé"
	}
	c.printf("%s du règlement n°%d %s : %s pass, %s.\n", plural(len(drafts), "relevé", "relevés"), run, validated, formatInt(passes), formatEuros(cents))
	c.printf("Ensuite : passnum settle batch --execution-date AAAA-MM-JJ --out virements.xml\n")
	return nil
}

func (c *cli) settlePayer(o *options) runFunc {
	o.usage("[--name NOM --iban IBAN [--bic BIC]] [--format VERSION]",
		"Enregistre le compte de l'opérateur d'où partent les virements aux lieux ;\n"+
			"sans option, l'affiche. L'IBAN et le BIC (facultatif en SEPA) sont vérifiés.\n\n"+
			"--format choisit la version des fichiers de virements, celle que demande la\n"+
			"banque : "+string(passnum.PainEPC09)+" (guide SEPA de l'EPC, par défaut) ou\n"+
			string(passnum.PainISO10)+" (ISO 20022) ; seul, il ne change que la version.")
	var a passnum.PayerAccount
	var format string
	o.string(&a.Name, "name", "", "`titulaire` du compte (70 caractères au plus)")
	o.string(&a.IBAN, "iban", "", "`IBAN` du compte (espaces permises)")
	o.string(&a.BIC, "bic", "", "`BIC` de la banque (8 ou 11 caractères), facultatif")
	o.string(&format, "format", "", "`version` des fichiers : "+string(passnum.PainEPC09)+" ou "+string(passnum.PainISO10))
	set := func() bool { return o.given("name") || o.given("iban") || o.given("bic") }
	o.check(func() error {
		for _, name := range []string{"name", "iban"} {
			if set() && !o.given(name) {
				return o.usageErrorf("l'option --%s est obligatoire", name)
			}
		}
		return nil
	})
	return func(ctx context.Context, s store) error {
		a.Format = passnum.PainFormat(format)
		if !set() && o.given("format") {
			// The version alone: the account stays as it is.
			cur, err := s.PayerAccount(ctx)
			if passnum.ErrorCode(err) == passnum.ENOTFOUND {
				return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Aucun compte de l'opérateur : enregistrez-le avec passnum settle payer --name NOM --iban IBAN --format VERSION.")
			}
			if err != nil {
				return err
			}
			a.Name, a.IBAN, a.BIC = cur.Name, cur.IBAN, cur.BIC
		}
		if set() || o.given("format") {
			if err := s.SetPayerAccount(ctx, a); err != nil {
				return optionError(err, map[string]string{"name": "name", "iban": "iban", "bic": "bic", "format": "format"})
			}
		}
		got, err := s.PayerAccount(ctx)
		if passnum.ErrorCode(err) == passnum.ENOTFOUND {
			return passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Aucun compte de l'opérateur : enregistrez-le avec passnum settle payer --name NOM --iban IBAN --bic BIC.")
		}
		if err != nil {
			return err
		}
		bic := got.BIC
		if bic == "" {
			bic = "sans BIC"
		}
		what := "Compte de l'opérateur"
		if set() || o.given("format") {
			what = "Compte de l'opérateur enregistré"
		}
		c.printf("%s : %s, %s, %s ; fichiers de virements en %s.\n", what, got.Name, got.IBAN, bic, got.Format)
		return nil
	}
}

func (c *cli) settleBatches(o *options) runFunc {
	o.usage("", "Liste les lots de virements, du plus récent au plus ancien.")
	return func(ctx context.Context, s store) error {
		batches, err := s.ListPaymentBatches(ctx)
		if err != nil {
			return err
		}
		return printList(c.stdout, batches, "Aucun lot de virements.", "rllrrl", []string{"N°", "MESSAGE", "EXÉCUTION", "VIREMENTS", "MONTANT", "PAR"},
			func(b *passnum.PaymentBatch) []string {
				return []string{fmt.Sprint(b.ID), b.MessageID, b.ExecutionDate, formatInt(b.Statements), formatEuros(b.ControlSumCents), b.Actor}
			})
	}
}

func (c *cli) settlePaid(o *options) runFunc {
	o.usage("--statement N", "Enregistre que le virement d'un relevé est passé : ses pass sont réglés.")
	var statement int64
	o.int64(&statement, "statement", "`numéro` du relevé", required)
	return func(ctx context.Context, s store) error {
		st, err := s.MarkPaid(ctx, statement)
		if err != nil {
			return err
		}
		c.printf("Relevé n°%d payé : %s, %s.\n", st.ID, st.VenueName, formatEuros(st.AmountCents))
		return nil
	}
}

func (c *cli) settleReject(o *options) runFunc {
	o.usage("--statement N --reason MOTIF",
		"Enregistre que la banque a rejeté le virement d'un relevé (compte clos,\n"+
			"IBAN erroné…) : le motif est gardé et les pass du relevé reviennent au\n"+
			"prochain règlement. Corrigez d'abord le compte bancaire du lieu.")
	var statement int64
	var reason string
	o.int64(&statement, "statement", "`numéro` du relevé", required)
	o.string(&reason, "reason", "", "`motif` du rejet (code et texte de la banque)", required)
	return func(ctx context.Context, s store) error {
		st, err := s.RejectStatement(ctx, statement, reason)
		if err != nil {
			return optionError(err, map[string]string{"reason": "reason"})
		}
		back := "reviendront"
		if st.Passes == 1 {
			back = "reviendra"
		}
		c.printf("Relevé n°%d : virement rejeté (%s) ; %s %s au prochain règlement.\n", st.ID, st.RejectedReason, passnum.FrenchTheir(int64(st.Passes), "pass", "pass"), back)
		return nil
	}
}

func (c *cli) settleCharges(o *options) runFunc {
	o.usage("[--funder N] [--programme N]",
		"Liste ce que chaque règlement appelle auprès des financeurs : leur part des\n"+
			"pass encaissés, et les frais de gestion.")
	var funder, programme int64
	o.int64(&funder, "funder", "`numéro` du financeur")
	o.int64(&programme, "programme", "`numéro` du programme")
	return func(ctx context.Context, s store) error {
		charges, err := s.ListFunderCharges(ctx, funder, programme)
		if err != nil {
			return err
		}
		return printList(c.stdout, charges, "Aucun appel de fonds.", "rlrlrrrr",
			[]string{"N°", "FINANCEUR", "PROGRAMME", "PÉRIODE", "PASS", "MONTANT", "FRAIS", "TOTAL"},
			func(ch *passnum.FunderCharge) []string {
				return []string{fmt.Sprint(ch.ID), ch.FunderName, fmt.Sprint(ch.ProgrammeID), ch.Period, formatInt(ch.Passes),
					formatEuros(ch.PassesCents), formatEuros(ch.FeeCents), formatEuros(ch.TotalCents)}
			})
	}
}

func (c *cli) creditNotesIssue(o *options) runFunc {
	o.usage("--programme N",
		"Rembourse à chaque financeur d'un programme expiré sa part des pass expirés\n"+
			"sans avoir servi, à leur valeur faciale : un avoir par financeur, une seule\n"+
			"fois. Le programme doit avoir dépassé sa validité et sa tolérance, et tous\n"+
			"ses pass encaissés doivent être réglés.")
	var programme int64
	o.int64(&programme, "programme", "`numéro` du programme", required)
	return func(ctx context.Context, s store) error {
		notes, err := s.IssueCreditNotes(ctx, programme)
		if err != nil {
			return err
		}
		if len(notes) == 0 {
			c.printf("Aucun avoir à émettre pour le programme n°%d.\n", programme)
			return nil
		}
		var cents int64
		for _, n := range notes {
			c.printf("Avoir n°%d (%s) : %s, %s pass, %s.\n", n.ID, n.Reference, n.FunderName, formatInt(n.Passes), formatEuros(n.AmountCents))
			cents += n.AmountCents
		}
		c.printf("%s avoirs émis pour le programme n°%d : %s.\n", formatInt(len(notes)), programme, formatEuros(cents))
		return nil
	}
}

func (c *cli) creditNotesList(o *options) runFunc {
	o.usage("[--funder N] [--programme N]", "Liste les avoirs émis aux financeurs.")
	var funder, programme int64
	o.int64(&funder, "funder", "`numéro` du financeur")
	o.int64(&programme, "programme", "`numéro` du programme")
	return func(ctx context.Context, s store) error {
		notes, err := s.ListCreditNotes(ctx, funder, programme)
		if err != nil {
			return err
		}
		return printList(c.stdout, notes, "Aucun avoir.", "rllrrr", []string{"N°", "RÉFÉRENCE", "FINANCEUR", "PROGRAMME", "PASS", "MONTANT"},
			func(n *passnum.CreditNote) []string {
				return []string{fmt.Sprint(n.ID), n.Reference, n.FunderName, fmt.Sprint(n.ProgrammeID), formatInt(n.Passes), formatEuros(n.AmountCents)}
			})
	}
}
