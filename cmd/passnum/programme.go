package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// Programmes and the funds their funders pay.

func (c *cli) programme(ctx context.Context, args []string) error {
	return c.group(ctx, "programme", args, map[string]command{
		"create": {c.programmeCreate, "crée un programme (convention de financement)"},
		"list":   {c.programmeList, "liste les programmes et leurs montants"},
		"show":   {c.programmeShow, "montre un programme : pass par état, argent, lots"},
	})
}

// listValue is a repeatable string flag.
type listValue struct{ list *[]string }

func (v listValue) String() string {
	if v.list == nil {
		return ""
	}
	return strings.Join(*v.list, ", ")
}

func (v listValue) Set(s string) error {
	*v.list = append(*v.list, s)
	return nil
}

// fundersValue reads repeated --funder ID:SHARE_BP.
type fundersValue struct{ list *[]passnum.FunderShare }

func (v fundersValue) String() string { return "" }

func (v fundersValue) Set(s string) error {
	id, share, ok := strings.Cut(s, ":")
	n, err1 := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	bp, err2 := strconv.Atoi(strings.TrimSpace(share))
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return fmt.Errorf("écrivez NUMÉRO:PART en points de base, par exemple 2:5000 pour 50 %%")
	}
	*v.list = append(*v.list, passnum.FunderShare{FunderID: n, ShareBP: bp})
	return nil
}

const programmeDoc = `Crée un programme : une convention de financement entre un ou plusieurs
financeurs, avec son budget, la valeur et la validité de ses pass, son
territoire et les services qu'il finance.

Montants en euros, virgule ou point décimal, espaces entre les milliers :
--budget "250 000,00", --budget 250000.5 ; ou en centimes : --budget-cents.
Parts des financeurs en points de base (10 000 = 100 %), qui totalisent
10 000 : --funder 2:5000 --funder 3:5000.
Territoire : région, département ou commune par code INSEE, répétable :
--territory region:53, --territory departement:35, --territory commune:35238.
Services : les catégories du standard national des lieux de médiation
(toutes par défaut), répétable :
  {categories}

Exemple :
  passnum programme create --name "Pass numérique Ille-et-Vilaine 2027" \
    --funder 2:5000 --funder 3:5000 --budget "50 000" \
    --from 2026-01-01 --until 2027-12-31 --territory departement:35`

func (c *cli) programmeCreate(ctx context.Context, args []string) error {
	fs := c.flags("passnum programme create",
		"passnum programme create --name NOM --funder N:PART… --budget EUROS --from DATE --until DATE --territory ZONE… [OPTIONS]",
		strings.Replace(programmeDoc, "{categories}", strings.Join(passnum.ServiceCategories, "\n  "), 1))
	var in passnum.ProgrammeCreate
	var budgetCents, faceCents int64
	var tolerance, fee int
	fs.StringVar(&in.Name, "name", "", "`nom` du programme")
	fs.Var(fundersValue{&in.Funders}, "funder", "financeur et sa part, `N:PART` en points de base (répétable)")
	fs.Var(eurosValue{&budgetCents}, "budget", "budget financé en `euros`")
	budgetCentsFlag := new(int64)
	fs.int64(budgetCentsFlag, "budget-cents", 0, "budget financé en `centimes`")
	faceCents = passnum.DefaultFaceValue
	fs.Var(eurosValue{&faceCents}, "face-value", "valeur faciale d'un pass en `euros`")
	fs.int(&in.CarnetSize, "carnet-size", passnum.DefaultCarnetSize, "`nombre` de pass par carnet")
	fs.StringVar(&in.ValidFrom, "from", "", "premier jour de validité des pass, `AAAA-MM-JJ`")
	fs.StringVar(&in.ValidUntil, "until", "", "dernier jour de validité des pass, `AAAA-MM-JJ`")
	fs.int(&tolerance, "tolerance-days", passnum.DefaultToleranceDays, "`jours` de tolérance après la fin de validité")
	fs.int(&fee, "fee-bp", passnum.DefaultFeeBP, "frais de gestion en `points` de base (400 = 4 %)")
	fs.Var(listValue{&in.Territory}, "territory", "`zone` de validité : region:CODE, departement:CODE ou commune:INSEE (répétable)")
	fs.Var(listValue{&in.Services}, "service", "`catégorie` de service financée (répétable ; défaut : toutes)")
	if err := fs.parse(args, "name", "funder", "from", "until", "territory"); err != nil {
		return err
	}
	switch {
	case fs.given("budget") && fs.given("budget-cents"):
		return usageErrorf(fs.path, "donnez --budget (euros) ou --budget-cents, pas les deux")
	case fs.given("budget-cents"):
		budgetCents = *budgetCentsFlag
	case !fs.given("budget"):
		return usageErrorf(fs.path, "l'option --budget (euros) ou --budget-cents est obligatoire")
	}
	in.BudgetCents, in.FaceValueCents = budgetCents, faceCents
	in.ToleranceDays, in.FeeBP = &tolerance, &fee
	if in.FaceValueCents == 0 {
		return passnum.Invalid("face_value_cents", "La valeur faciale d'un pass est comprise entre 1 centime et 1 000 €.")
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := s.CreateProgramme(ctx, in)
	if err != nil {
		return err
	}
	c.printf("Programme n°%d créé : %s.\n", p.ID, p.Name)
	c.printf("Budget %s : %s carnets de %d pass à %s au plus.\n", formatEuros(p.BudgetCents),
		formatInt(p.BudgetCents/(int64(p.CarnetSize)*p.FaceValueCents)), p.CarnetSize, formatEuros(p.FaceValueCents))
	c.printf("Prochaine étape : enregistrer les fonds reçus (passnum funds record --programme %d …).\n", p.ID)
	return nil
}

func (c *cli) programmeList(ctx context.Context, args []string) error {
	fs := c.flags("passnum programme list", "passnum programme list", "Liste les programmes avec leur budget et ce qui a été émis, activé et reçu.")
	if err := fs.parse(args); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	var all []*passnum.Programme
	for {
		page, total, err := s.ListProgrammes(ctx, passnum.ProgrammeFilter{Offset: len(all), Limit: 500})
		if err != nil {
			return err
		}
		all = append(all, page...)
		if len(page) == 0 || len(all) >= total {
			break
		}
	}
	if len(all) == 0 {
		c.printf("Aucun programme.\n")
		return nil
	}
	t := newTable(true, false, true, true, true, true, false)
	t.add("N°", "NOM", "BUDGET", "FONDS REÇUS", "ÉMIS", "ACTIVÉS", "VALIDITÉ")
	for _, p := range all {
		t.add(fmt.Sprint(p.ID), p.Name, formatEuros(p.BudgetCents), formatEuros(p.FundsReceived),
			formatEuros(p.IssuedCents), formatEuros(p.ActivatedCents), p.ValidFrom+" → "+p.ValidUntil)
	}
	return t.write(c.stdout, "")
}

func (c *cli) programmeShow(ctx context.Context, args []string) error {
	fs := c.flags("passnum programme show", "passnum programme show --id N",
		"Montre un programme : financeurs, territoire, validité ; l'entonnoir des pass\n"+
			"par état ; l'argent budgété, reçu, émis et activé ; les ordres de paiement et les lots.")
	id := new(int64)
	fs.int64(id, "id", 0, "`numéro` du programme")
	if err := fs.parse(args, "id"); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := s.FindProgramme(ctx, *id)
	if err != nil {
		return err
	}
	orders, err := s.ListPaymentOrders(ctx, p.ID)
	if err != nil {
		return err
	}
	batches, err := s.ListBatches(ctx, p.ID)
	if err != nil {
		return err
	}

	c.printf("Programme n°%d — %s\n", p.ID, p.Name)
	var funders []string
	names := map[int64]string{}
	for _, f := range p.Funders {
		funders = append(funders, fmt.Sprintf("%s (n°%d) %s", f.FunderName, f.FunderID, formatBP(f.ShareBP)))
		names[f.FunderID] = f.FunderName
	}
	c.printf("Financeurs : %s\n", strings.Join(funders, ", "))
	c.printf("Territoire : %s\n", passnum.DescribeTerritory(p.Territory))
	if len(p.Services) == len(passnum.ServiceCategories) {
		c.printf("Services financés : toutes les catégories\n")
	} else {
		c.printf("Services financés : %s\n", strings.Join(p.Services, " ; "))
	}
	c.printf("Pass : %s, carnets de %d, frais de gestion %s\n", formatEuros(p.FaceValueCents), p.CarnetSize, formatBP(p.FeeBP))
	c.printf("Validité : du %s au %s, plus %d jours de tolérance\n\n", passnum.FrenchDate(p.ValidFrom), passnum.FrenchDate(p.ValidUntil), p.ToleranceDays)

	capacity := passnum.ActivationCapacity(p.FundsReceived, p.FeeBP)
	c.printf("Argent\n")
	t := newTable(false, true, false)
	t.add("budget financé", formatEuros(p.BudgetCents), "")
	t.add("fonds reçus", formatEuros(p.FundsReceived), "couvrent "+formatEuros(capacity)+" de pass, frais déduits")
	t.add("émis", formatEuros(p.IssuedCents), formatPercent(p.IssuedCents, p.BudgetCents)+" du budget")
	t.add("activés", formatEuros(p.ActivatedCents), formatPercent(p.ActivatedCents, capacity)+" des fonds reçus")
	if err := t.write(c.stdout, "  "); err != nil {
		return err
	}
	var total int64
	for _, n := range p.PassesByState {
		total += n
	}
	c.printf("\nPass par état\n")
	t = newTable(false, true, true)
	for _, st := range passnum.PassStates {
		t.add(st.Label(), formatInt(p.PassesByState[st]), formatPercent(p.PassesByState[st], total))
	}
	t.add("total", formatInt(total), "")
	if err := t.write(c.stdout, "  "); err != nil {
		return err
	}

	c.printf("\nOrdres de paiement\n")
	if len(orders) == 0 {
		c.printf("  aucun : enregistrez-les avec passnum funds record --programme %d …\n", p.ID)
	}
	t = newTable(false, false, false, true, false)
	for _, o := range orders {
		t.add(fmt.Sprintf("n°%d", o.ID), o.ReceivedOn, o.Reference, formatEuros(o.AmountCents), names[o.FunderID])
	}
	if err := t.write(c.stdout, "  "); err != nil {
		return err
	}
	c.printf("\nLots\n")
	if len(batches) == 0 {
		c.printf("  aucun : émettez des carnets avec passnum issue --programme %d --carnets N\n", p.ID)
	}
	for _, b := range batches {
		c.printf("  n°%d : %s carnets (n° %d à %d), pass %s à %s, clé %s, émis le %s\n", b.ID, formatInt(b.Carnets),
			b.FirstCarnet, b.LastCarnet, passnum.FormatSerial(b.FirstSerial), passnum.FormatSerial(b.LastSerial), b.KeyID,
			passnum.FrenchDateTime(b.CreatedAt))
	}
	return nil
}

func (c *cli) funds(ctx context.Context, args []string) error {
	return c.group(ctx, "funds", args, map[string]command{
		"record": {c.fundsRecord, "enregistre un ordre de paiement reçu d'un financeur"},
	})
}

func (c *cli) fundsRecord(ctx context.Context, args []string) error {
	fs := c.flags("passnum funds record",
		"passnum funds record --programme N --funder N --reference REF --amount EUROS --received-on AAAA-MM-JJ",
		"Enregistre les fonds reçus d'un financeur (ordre de paiement). Les financeurs\n"+
			"paient la valeur des pass plus les frais de gestion ; les pass ne s'activent\n"+
			"que dans la limite des fonds reçus.\n\n"+
			"Exemple : passnum funds record --programme 1 --funder 2 --reference OP-2027-001 \\\n"+
			"            --amount \"20 800,00\" --received-on 2027-01-10")
	var in passnum.FundsCreate
	var amount int64
	fs.int64(&in.ProgrammeID, "programme", 0, "`numéro` du programme")
	fs.int64(&in.FunderID, "funder", 0, "`numéro` du financeur")
	fs.StringVar(&in.Reference, "reference", "", "`référence` de l'ordre de paiement")
	fs.Var(eurosValue{&amount}, "amount", "montant reçu en `euros`")
	amountCents := new(int64)
	fs.int64(amountCents, "amount-cents", 0, "montant reçu en `centimes`")
	fs.StringVar(&in.ReceivedOn, "received-on", "", "date de réception, `AAAA-MM-JJ`")
	if err := fs.parse(args, "programme", "funder", "reference", "received-on"); err != nil {
		return err
	}
	switch {
	case fs.given("amount") && fs.given("amount-cents"):
		return usageErrorf(fs.path, "donnez --amount (euros) ou --amount-cents, pas les deux")
	case fs.given("amount-cents"):
		amount = *amountCents
	case !fs.given("amount"):
		return usageErrorf(fs.path, "l'option --amount (euros) ou --amount-cents est obligatoire")
	}
	in.AmountCents = amount
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	po, err := s.RecordFunds(ctx, in)
	if err != nil {
		return err
	}
	p, err := s.FindProgramme(ctx, po.ProgrammeID)
	if err != nil {
		return err
	}
	capacity := passnum.ActivationCapacity(p.FundsReceived, p.FeeBP)
	c.printf("Ordre de paiement n°%d enregistré : %s reçus le %s (%s).\n", po.ID, formatEuros(po.AmountCents), po.ReceivedOn, po.Reference)
	c.printf("Fonds reçus pour le programme : %s, de quoi activer %s de pass (%s déjà activés).\n",
		formatEuros(p.FundsReceived), formatEuros(capacity), formatEuros(p.ActivatedCents))
	return nil
}
