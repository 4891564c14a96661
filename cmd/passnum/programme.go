package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// Programmes and the funds their funders pay.

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

func (c *cli) programmeCreate(o *options) runFunc {
	o.usage("--name NOM --funder N:PART… --budget EUROS --from DATE --until DATE --territory ZONE… [OPTIONS]",
		strings.Replace(programmeDoc, "{categories}", strings.Join(passnum.ServiceCategories, "\n  "), 1))
	in := passnum.ProgrammeCreate{FaceValueCents: passnum.DefaultFaceValue, ToleranceDays: new(int), FeeBP: new(int)}
	o.string(&in.Name, "name", "", "`nom` du programme", required)
	o.value(fundersValue{&in.Funders}, "funder", "financeur et sa part, `N:PART` en points de base (répétable)", required)
	o.amount(&in.BudgetCents, "budget", "budget financé")
	o.euros(&in.FaceValueCents, "face-value", "valeur faciale d'un pass en `euros`")
	o.int(&in.CarnetSize, "carnet-size", passnum.DefaultCarnetSize, "`nombre` de pass par carnet")
	o.string(&in.ValidFrom, "from", "", "premier jour de validité des pass, `AAAA-MM-JJ`", required)
	o.string(&in.ValidUntil, "until", "", "dernier jour de validité des pass, `AAAA-MM-JJ`", required)
	o.int(in.ToleranceDays, "tolerance-days", passnum.DefaultToleranceDays, "`jours` de tolérance après la fin de validité")
	o.int(in.FeeBP, "fee-bp", passnum.DefaultFeeBP, "frais de gestion en `points` de base (400 = 4 %)")
	o.list(&in.Territory, "territory", "`zone` de validité : region:CODE, departement:CODE ou commune:INSEE (répétable)", required)
	o.list(&in.Services, "service", "`catégorie` de service financée (répétable ; défaut : toutes)")
	o.check(func() error {
		if in.FaceValueCents == 0 {
			return passnum.Invalid("face_value_cents", "La valeur faciale d'un pass est comprise entre 1 centime et 1 000 €.")
		}
		return nil
	})
	return func(ctx context.Context, s store) error {
		p, err := s.CreateProgramme(ctx, in)
		if err != nil {
			return err
		}
		c.printf("Programme n°%d créé : %s.\n", p.ID, p.Name)
		c.printf("Budget %s : %s de %d pass à %s au plus.\n", formatEuros(p.BudgetCents),
			plural(p.BudgetCents/(int64(p.CarnetSize)*p.FaceValueCents), "carnet", "carnets"), p.CarnetSize, formatEuros(p.FaceValueCents))
		c.printf("Prochaine étape : enregistrer les fonds reçus (passnum funds record --programme %d …).\n", p.ID)
		return nil
	}
}

func (c *cli) programmeList(o *options) runFunc {
	o.usage("", "Liste les programmes avec leur budget et ce qui a été émis, activé et reçu.")
	return func(ctx context.Context, s store) error {
		all, err := allPages(func(offset, limit int) ([]*passnum.Programme, int, error) {
			return s.ListProgrammes(ctx, passnum.ProgrammeFilter{Offset: offset, Limit: limit})
		})
		if err != nil {
			return err
		}
		return printList(c.stdout, all, "Aucun programme.", "rlrrrrl", []string{"N°", "NOM", "BUDGET", "FONDS REÇUS", "ÉMIS", "ACTIVÉS", "VALIDITÉ"},
			func(p *passnum.Programme) []string {
				return []string{fmt.Sprint(p.ID), p.Name, formatEuros(p.BudgetCents), formatEuros(p.FundsReceived),
					formatEuros(p.IssuedCents), formatEuros(p.ActivatedCents), p.ValidFrom + " → " + p.ValidUntil}
			})
	}
}

func (c *cli) programmeShow(o *options) runFunc {
	o.usage("--id N", "Montre un programme : financeurs, territoire, validité ; l'entonnoir des pass\n"+
		"par état ; l'argent budgété, reçu, émis et activé ; les ordres de paiement et les lots.")
	var id int64
	o.int64(&id, "id", "`numéro` du programme", required)
	return func(ctx context.Context, s store) error {
		p, err := s.FindProgramme(ctx, id)
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
		return c.printProgramme(p, orders, batches)
	}
}

// printProgramme writes programme show's page: the terms of the
// programme, its money, its passes by state, its payment orders and
// batches.
func (c *cli) printProgramme(p *passnum.Programme, orders []*passnum.PaymentOrder, batches []*passnum.Batch) error {
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
	t := newTable("lrl")
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
	t = newTable("lrr")
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
	t = newTable("lllrl")
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

func (c *cli) fundsRecord(o *options) runFunc {
	o.usage("--programme N --funder N --reference REF --amount EUROS --received-on AAAA-MM-JJ",
		"Enregistre les fonds reçus d'un financeur (ordre de paiement). Les financeurs\n"+
			"paient la valeur des pass plus les frais de gestion ; les pass ne s'activent\n"+
			"que dans la limite des fonds reçus.\n\n"+
			"Exemple : passnum funds record --programme 1 --funder 2 --reference OP-2027-001 \\\n"+
			"            --amount \"20 800,00\" --received-on 2027-01-10")
	var in passnum.FundsCreate
	o.int64(&in.ProgrammeID, "programme", "`numéro` du programme", required)
	o.int64(&in.FunderID, "funder", "`numéro` du financeur", required)
	o.string(&in.Reference, "reference", "", "`référence` de l'ordre de paiement", required)
	o.amount(&in.AmountCents, "amount", "montant reçu")
	o.string(&in.ReceivedOn, "received-on", "", "date de réception, `AAAA-MM-JJ`", required)
	return func(ctx context.Context, s store) error {
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
}
