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

func (c *cli) settle(ctx context.Context, args []string) error {
	return c.group(ctx, "settle", args, map[string]command{
		"run":        {c.settleRun, "règle les pass encaissés jusqu'à une date : un relevé par lieu"},
		"list":       {c.settleList, "liste les règlements"},
		"statements": {c.settleStatements, "liste les relevés des lieux"},
		"validate":   {c.settleValidate, "valide les relevés en brouillon d'un règlement, ou un relevé"},
		"payer":      {c.settlePayer, "compte de l'opérateur d'où partent les virements"},
		"batch":      {c.settleBatch, "crée un lot de virements SEPA (pain.001) des relevés validés"},
		"batches":    {c.settleBatches, "liste les lots de virements"},
		"paid":       {c.settlePaid, "enregistre qu'un relevé a été payé"},
		"reject":     {c.settleReject, "enregistre le rejet du virement d'un relevé"},
		"charges":    {c.settleCharges, "liste les appels de fonds aux financeurs"},
	})
}

// date checks that the option name holds a YYYY-MM-DD date.
func (fs *flagSet) date(name, value string) error {
	if _, err := time.Parse(passnum.DateLayout, value); err != nil {
		return usageErrorf(fs.path, "date invalide pour --%s : %q (AAAA-MM-JJ attendu, par exemple 2027-02-28)", name, value)
	}
	return nil
}

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

func (c *cli) settleRun(ctx context.Context, args []string) error {
	fs := c.flags("passnum settle run", "passnum settle run [--cut-off AAAA-MM-JJ]",
		"Règle les pass encaissés et pas encore réglés, jusqu'à la fin de la date\n"+
			"d'arrêté (heure de Paris) : un relevé en brouillon par lieu, et pour chaque\n"+
			"financeur sa part, frais de gestion compris. Un second règlement à la même\n"+
			"date ne prend que les pass encaissés depuis.\n\n"+
			"Par défaut, la date d'arrêté est le dernier jour du mois précédent.\n"+
			"Ensuite : passnum settle validate --run N, puis passnum settle batch.")
	cutOff := fs.String("cut-off", "", "date d'arrêté `AAAA-MM-JJ` (défaut : dernier jour du mois précédent)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if !fs.given("cut-off") {
		*cutOff = passnum.DefaultCutOff(c.clock())
	} else if err := fs.date("cut-off", *cutOff); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	run, err := s.RunSettlement(ctx, *cutOff)
	if err != nil {
		return optionError(err, map[string]string{"cut_off": "cut-off"})
	}
	if run.Statements == 0 {
		c.printf("Règlement n°%d au %s : aucun pass encaissé à régler.\n", run.ID, passnum.FrenchDate(run.CutOff))
		return nil
	}
	c.printf("Règlement n°%d au %s : %s relevés, %s pass, %s.\n", run.ID, passnum.FrenchDate(run.CutOff),
		formatInt(run.Statements), formatInt(run.Passes), formatEuros(run.AmountCents))
	c.printf("Ensuite : vérifiez les relevés (passnum settle statements --run %d), puis passnum settle validate --run %d.\n", run.ID, run.ID)
	return nil
}

func (c *cli) settleList(ctx context.Context, args []string) error {
	fs := c.flags("passnum settle list", "passnum settle list", "Liste les règlements, du plus récent au plus ancien.")
	if err := fs.parse(args); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	runs, err := s.ListSettlementRuns(ctx)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		c.printf("Aucun règlement.\n")
		return nil
	}
	t := newTable(true, false, true, true, true, false, false)
	t.add("N°", "ARRÊTÉ AU", "RELEVÉS", "PASS", "MONTANT", "PAR", "LE")
	for _, r := range runs {
		t.add(fmt.Sprint(r.ID), r.CutOff, formatInt(r.Statements), formatInt(r.Passes), formatEuros(r.AmountCents),
			r.Actor, passnum.FrenchDateTime(r.CreatedAt))
	}
	return t.write(c.stdout, "")
}

// allStatements reads every statement f selects, page after page.
func allStatements(ctx context.Context, svc passnum.SettlementService, f passnum.StatementFilter) ([]*passnum.Statement, error) {
	var all []*passnum.Statement
	for {
		f.Offset, f.Limit = len(all), 500
		page, total, err := svc.ListStatements(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) == 0 || len(all) >= total {
			return all, nil
		}
	}
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

func (c *cli) settleStatements(ctx context.Context, args []string) error {
	fs := c.flags("passnum settle statements", "passnum settle statements [--run N] [--venue N] [--state ÉTAT]",
		"Liste les relevés des lieux : un par lieu et par règlement, avec son état\n"+
			"(draft : brouillon, validated : validé, paid : payé, rejected : virement rejeté).")
	var f passnum.StatementFilter
	fs.int64(&f.RunID, "run", 0, "`numéro` du règlement")
	fs.int64(&f.VenueID, "venue", 0, "`numéro` du lieu")
	fs.Var(stateValue{&f.State}, "state", "`état` : draft, validated, paid ou rejected")
	if err := fs.parse(args); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	all, err := allStatements(ctx, s, f)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		c.printf("Aucun relevé.\n")
		return nil
	}
	t := newTable(true, true, false, false, true, true, false, false)
	t.add("N°", "RÈGLEMENT", "LIEU", "ÉTAT", "PASS", "MONTANT", "RÉFÉRENCE", "REMARQUE")
	var passes int
	var cents int64
	for _, st := range all {
		note := ""
		switch {
		case st.RejectedReason != "":
			note = "rejet : " + st.RejectedReason
		case st.BatchID != 0:
			note = fmt.Sprintf("lot n°%d", st.BatchID)
		}
		t.add(fmt.Sprint(st.ID), fmt.Sprint(st.RunID), st.VenueName, st.State.Label(), formatInt(st.Passes),
			formatEuros(st.AmountCents), st.Reference, note)
		passes += st.Passes
		cents += st.AmountCents
	}
	if err := t.write(c.stdout, ""); err != nil {
		return err
	}
	c.printf("%s relevés, %s pass, %s.\n", formatInt(len(all)), formatInt(passes), formatEuros(cents))
	return nil
}

func (c *cli) settleValidate(ctx context.Context, args []string) error {
	fs := c.flags("passnum settle validate", "passnum settle validate (--run N | --statement N)",
		"Valide les relevés vérifiés : tous les brouillons d'un règlement (--run), ou\n"+
			"un relevé (--statement). Un relevé validé entre dans le prochain lot de\n"+
			"virements (passnum settle batch).")
	var run, statement int64
	fs.int64(&run, "run", 0, "`numéro` du règlement : valide tous ses brouillons")
	fs.int64(&statement, "statement", 0, "`numéro` du relevé")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.given("run") == fs.given("statement") {
		return usageErrorf(fs.path, "donnez soit --run, soit --statement")
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if fs.given("statement") {
		st, err := s.ValidateStatement(ctx, statement)
		if err != nil {
			return err
		}
		c.printf("Relevé n°%d validé : %s, %s pass, %s.\n", st.ID, st.VenueName, formatInt(st.Passes), formatEuros(st.AmountCents))
		return nil
	}
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
			return passnum.Errorf(passnum.ENOTFOUND, "not-found", "Aucun règlement n°%d (passnum settle list les montre).", run)
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
	c.printf("%s relevés du règlement n°%d validés : %s pass, %s.\n", formatInt(len(drafts)), run, formatInt(passes), formatEuros(cents))
	c.printf("Ensuite : passnum settle batch --execution-date AAAA-MM-JJ --out virements.xml\n")
	return nil
}

func (c *cli) settlePayer(ctx context.Context, args []string) error {
	fs := c.flags("passnum settle payer", "passnum settle payer [--name NOM --iban IBAN --bic BIC]",
		"Enregistre le compte de l'opérateur d'où partent les virements aux lieux ;\n"+
			"sans option, l'affiche. L'IBAN et le BIC sont vérifiés.")
	var a passnum.PayerAccount
	fs.StringVar(&a.Name, "name", "", "`titulaire` du compte (70 caractères au plus)")
	fs.StringVar(&a.IBAN, "iban", "", "`IBAN` du compte (espaces permises)")
	fs.StringVar(&a.BIC, "bic", "", "`BIC` de la banque (8 ou 11 caractères)")
	if err := fs.parse(args); err != nil {
		return err
	}
	set := fs.given("name") || fs.given("iban") || fs.given("bic")
	if set {
		if err := fs.require("name", "iban", "bic"); err != nil {
			return err
		}
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if set {
		if err := s.SetPayerAccount(ctx, a); err != nil {
			return optionError(err, map[string]string{"name": "name", "iban": "iban", "bic": "bic"})
		}
	}
	got, err := s.PayerAccount(ctx)
	if passnum.ErrorCode(err) == passnum.ENOTFOUND {
		return passnum.Errorf(passnum.ENOTFOUND, "not-found", "Aucun compte de l'opérateur : enregistrez-le avec passnum settle payer --name NOM --iban IBAN --bic BIC.")
	}
	if err != nil {
		return err
	}
	if set {
		c.printf("Compte de l'opérateur enregistré : %s, %s, %s.\n", got.Name, got.IBAN, got.BIC)
	} else {
		c.printf("Compte de l'opérateur : %s, %s, %s.\n", got.Name, got.IBAN, got.BIC)
	}
	return nil
}

func (c *cli) settleBatches(ctx context.Context, args []string) error {
	fs := c.flags("passnum settle batches", "passnum settle batches", "Liste les lots de virements, du plus récent au plus ancien.")
	if err := fs.parse(args); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	batches, err := s.ListPaymentBatches(ctx)
	if err != nil {
		return err
	}
	if len(batches) == 0 {
		c.printf("Aucun lot de virements.\n")
		return nil
	}
	t := newTable(true, false, false, true, true, false)
	t.add("N°", "MESSAGE", "EXÉCUTION", "VIREMENTS", "MONTANT", "PAR")
	for _, b := range batches {
		t.add(fmt.Sprint(b.ID), b.MessageID, b.ExecutionDate, formatInt(b.Statements), formatEuros(b.ControlSumCents), b.Actor)
	}
	return t.write(c.stdout, "")
}

func (c *cli) settlePaid(ctx context.Context, args []string) error {
	fs := c.flags("passnum settle paid", "passnum settle paid --statement N",
		"Enregistre que le virement d'un relevé est passé : ses pass sont réglés.")
	var statement int64
	fs.int64(&statement, "statement", 0, "`numéro` du relevé")
	if err := fs.parse(args, "statement"); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := s.MarkPaid(ctx, statement)
	if err != nil {
		return err
	}
	c.printf("Relevé n°%d payé : %s, %s.\n", st.ID, st.VenueName, formatEuros(st.AmountCents))
	return nil
}

func (c *cli) settleReject(ctx context.Context, args []string) error {
	fs := c.flags("passnum settle reject", "passnum settle reject --statement N --reason MOTIF",
		"Enregistre que la banque a rejeté le virement d'un relevé (compte clos,\n"+
			"IBAN erroné…) : le motif est gardé et les pass du relevé reviennent au\n"+
			"prochain règlement. Corrigez d'abord le compte bancaire du lieu.")
	var statement int64
	fs.int64(&statement, "statement", 0, "`numéro` du relevé")
	reason := fs.String("reason", "", "`motif` du rejet (code et texte de la banque)")
	if err := fs.parse(args, "statement", "reason"); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := s.RejectStatement(ctx, statement, *reason)
	if err != nil {
		return optionError(err, map[string]string{"reason": "reason"})
	}
	c.printf("Relevé n°%d : virement rejeté (%s) ; ses %s pass reviendront au prochain règlement.\n", st.ID, st.RejectedReason, formatInt(st.Passes))
	return nil
}

func (c *cli) settleCharges(ctx context.Context, args []string) error {
	fs := c.flags("passnum settle charges", "passnum settle charges [--funder N] [--programme N]",
		"Liste ce que chaque règlement appelle auprès des financeurs : leur part des\n"+
			"pass encaissés, et les frais de gestion.")
	var funder, programme int64
	fs.int64(&funder, "funder", 0, "`numéro` du financeur")
	fs.int64(&programme, "programme", 0, "`numéro` du programme")
	if err := fs.parse(args); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	charges, err := s.ListFunderCharges(ctx, funder, programme)
	if err != nil {
		return err
	}
	if len(charges) == 0 {
		c.printf("Aucun appel de fonds.\n")
		return nil
	}
	t := newTable(true, false, true, false, true, true, true, true)
	t.add("N°", "FINANCEUR", "PROGRAMME", "PÉRIODE", "PASS", "MONTANT", "FRAIS", "TOTAL")
	for _, ch := range charges {
		t.add(fmt.Sprint(ch.ID), ch.FunderName, fmt.Sprint(ch.ProgrammeID), ch.Period, formatInt(ch.Passes),
			formatEuros(ch.PassesCents), formatEuros(ch.FeeCents), formatEuros(ch.TotalCents))
	}
	return t.write(c.stdout, "")
}

func (c *cli) creditNotes(ctx context.Context, args []string) error {
	return c.group(ctx, "credit-notes", args, map[string]command{
		"issue": {c.creditNotesIssue, "émet les avoirs des pass expirés d'un programme"},
		"list":  {c.creditNotesList, "liste les avoirs"},
	})
}

func (c *cli) creditNotesIssue(ctx context.Context, args []string) error {
	fs := c.flags("passnum credit-notes issue", "passnum credit-notes issue --programme N",
		"Rembourse à chaque financeur d'un programme expiré sa part des pass expirés\n"+
			"sans avoir servi, à leur valeur faciale : un avoir par financeur, une seule\n"+
			"fois. Le programme doit avoir dépassé sa validité et sa tolérance, et tous\n"+
			"ses pass encaissés doivent être réglés.")
	var programme int64
	fs.int64(&programme, "programme", 0, "`numéro` du programme")
	if err := fs.parse(args, "programme"); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
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

func (c *cli) creditNotesList(ctx context.Context, args []string) error {
	fs := c.flags("passnum credit-notes list", "passnum credit-notes list [--funder N] [--programme N]",
		"Liste les avoirs émis aux financeurs.")
	var funder, programme int64
	fs.int64(&funder, "funder", 0, "`numéro` du financeur")
	fs.int64(&programme, "programme", 0, "`numéro` du programme")
	if err := fs.parse(args); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	notes, err := s.ListCreditNotes(ctx, funder, programme)
	if err != nil {
		return err
	}
	if len(notes) == 0 {
		c.printf("Aucun avoir.\n")
		return nil
	}
	t := newTable(true, false, false, true, true, true)
	t.add("N°", "RÉFÉRENCE", "FINANCEUR", "PROGRAMME", "PASS", "MONTANT")
	for _, n := range notes {
		t.add(fmt.Sprint(n.ID), n.Reference, n.FunderName, fmt.Sprint(n.ProgrammeID), formatInt(n.Passes), formatEuros(n.AmountCents))
	}
	return t.write(c.stdout, "")
}
