package pdf

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

// PersonalData writes, for the person, everything the platform holds
// about one beneficiary reference (GDPR articles 15 and 20): who they
// are for us, their carnets, the passes they used, their workshops, then
// why each datum is kept and for how long, and what they can ask and to
// whom. It is written in plain French, in short sentences, as the privacy
// notice is: the person may read with difficulty, and the prescriber may
// read it with them.
func PersonalData(w io.Writer, data *passnum.PersonalData, p passnum.PrivacySettings) error {
	if data == nil || data.Beneficiary == nil {
		return fmt.Errorf("pdf: personal data without a beneficiary")
	}
	b := data.Beneficiary
	created := data.GeneratedAt
	if created.IsZero() {
		created = time.Now()
	}
	day := passnum.FrenchDate(created.In(paris).Format(passnum.DateLayout))
	d := newDoc("Vos données personnelles "+b.Ref, p.Controller, created)
	d.footer("Vos données personnelles · " + b.Ref + " · le " + day)
	d.runningHead("Vos données personnelles · " + b.Ref)
	d.AddPage()
	d.masthead(p.Controller, "Vos données personnelles", "Référence "+b.Ref, "le "+day)

	d.plain("Vous avez demandé à voir vos données. Voici tout ce que nous gardons sur vous, le " + day + ".")
	d.plain("Nous ne gardons pas votre nom de famille. Nous ne gardons pas votre adresse.")

	d.heading("Ce que nous savons de vous")
	d.fact("Votre numéro", b.Ref+" (il remplace votre nom)")
	switch {
	case b.BirthYear != 0:
		d.fact("Année de naissance", strconv.Itoa(b.BirthYear))
	case b.AgeBand != "":
		d.fact("Votre âge", b.AgeBand+" ans")
	}
	d.fact("Votre ville", communeLabel(b.CommuneINSEE))
	if len(b.Needs) > 0 {
		d.fact("Ce que vous voulez apprendre", strings.Join(b.Needs, " ; "))
	} else {
		d.fact("Ce que vous voulez apprendre", "rien n'est noté")
	}
	if b.Autonomy != "" {
		d.fact("Ce que vous savez faire", "autonomie "+b.Autonomy)
	}
	if b.ConsentAt != "" {
		d.fact("Votre accord", "donné le "+passnum.FrenchDate(b.ConsentAt))
	}
	if data.Prescriber != "" {
		d.fact("Votre carnet vient de", data.Prescriber)
	}
	if b.RestrictedAt != nil {
		d.fact("Données bloquées", "depuis le "+passnum.FrenchDate(b.RestrictedAt.In(paris).Format(passnum.DateLayout))+
			" : nous ne les utilisons plus, sauf pour les comptes")
	}

	d.heading("Vos carnets")
	if len(data.Carnets) == 0 {
		d.plain("Aucun carnet.")
	} else {
		t := &wrappedTable{d: d, cols: []column{{"Carnet", 26, "L"}, {"Programme", 70, "L"}, {"Reçu le", 30, "L"}, {"Valable jusqu'au", 30, "L"}, {"Pass restants", 24, "L"}}, lineH: 4.5}
		t.header()
		for _, c := range data.Carnets {
			received := ""
			if c.DistributedAt != nil {
				received = passnum.FrenchDate(c.DistributedAt.In(paris).Format(passnum.DateLayout))
			}
			t.row(fmt.Sprintf("n° %d", c.Number), c.Programme, received, passnum.FrenchDate(c.ValidUntil), fmt.Sprintf("%d sur %d", c.Remaining, c.Passes))
		}
	}

	d.heading("Les pass que vous avez utilisés")
	if len(data.PassUses) == 0 {
		d.plain("Vous n'avez pas encore utilisé de pass.")
	} else {
		t := &wrappedTable{d: d, cols: []column{{"Jour", 30, "L"}, {"Lieu", 60, "L"}, {"Atelier", 72, "L"}, {"Pass", 18, "L"}}, lineH: 4.5}
		t.header()
		for _, u := range data.PassUses {
			t.row(frenchDay(u.Date), u.Venue, u.Service, strconv.Itoa(u.Passes))
		}
	}

	d.heading("Vos inscriptions aux ateliers")
	if len(data.Workshops) == 0 {
		d.plain("Aucune inscription.")
	} else {
		t := &wrappedTable{d: d, cols: []column{{"Jour", 30, "L"}, {"Lieu", 60, "L"}, {"Atelier", 62, "L"}, {"Venu ?", 28, "L"}}, lineH: 4.5}
		t.header()
		for _, ws := range data.Workshops {
			came := "pas encore noté"
			switch {
			case ws.Cancelled:
				came = "inscription annulée"
			case ws.Attended != nil && *ws.Attended:
				came = "oui"
			case ws.Attended != nil:
				came = "non"
			}
			t.row(frenchDay(ws.StartsAt), ws.Venue, ws.Service, came)
		}
	}

	if len(data.Activities) > 0 {
		d.heading("Ce que les lieux ont noté sur vos ateliers")
		t := &wrappedTable{d: d, cols: []column{{"Jour", 30, "L"}, {"Lieu", 50, "L"}, {"Sujets", 50, "L"}, {"Notes", 50, "L"}}, lineH: 4.5}
		t.header()
		for _, a := range data.Activities {
			t.row(passnum.FrenchDate(a.Date), a.Venue, strings.Join(a.Themes, ", "), a.Notes)
		}
	}

	if len(data.Fields) > 0 {
		d.heading("Pourquoi nous gardons ces données, et combien de temps")
		t := &wrappedTable{d: d, cols: []column{{"Donnée", 48, "L"}, {"Pour quoi faire", 56, "L"}, {"Ce qui nous y autorise", 40, "L"}, {"Combien de temps", 36, "L"}}, lineH: 4}
		t.header()
		for _, f := range data.Fields {
			t.row(f.Label, f.Purpose, f.Basis, f.Retention)
		}
	}

	d.keep(60)
	r := personalRights(p)
	d.heading("Ce que vous pouvez demander")
	d.plain(r.Intro)
	for _, s := range r.Rights {
		d.bullet(s)
	}
	d.plain(r.Kept)
	d.keep(45)
	d.heading("À qui demander ?")
	for _, s := range r.Ask {
		d.plain(s)
	}
	return d.write(w)
}

// personalRightsText is what the document tells the person they can ask,
// and whom: in short sentences, measured by internal/readability's tests
// as the privacy notice is.
type personalRightsText struct {
	Intro  string
	Rights []string
	Kept   string
	Ask    []string
}

func personalRights(p passnum.PrivacySettings) personalRightsText {
	r := personalRightsText{
		Intro: "Vos données sont à vous. Vous pouvez demander :",
		Rights: []string{
			"une copie de vos données : c'est ce document ;",
			"de corriger une erreur ;",
			"d'effacer vos données ;",
			"de bloquer vos données pour un temps ;",
			"de ne plus utiliser vos données.",
		},
		Kept: "Les pass déjà utilisés restent dans nos comptes, car la loi le demande. Mais ils ne disent plus qui vous êtes.",
		Ask: []string{
			"Demandez à la structure qui vous a donné le carnet. Elle peut le faire avec vous.",
			"Vous pouvez aussi écrire à " + p.ControllerEmail + ".",
		},
	}
	if !strings.EqualFold(p.DPOEmail, p.ControllerEmail) {
		r.Ask = append(r.Ask, "La personne chargée de protéger vos données lit aussi ce courrier : "+p.DPOEmail+".")
	}
	r.Ask = append(r.Ask, "Nous vous répondons en un mois au plus. C'est gratuit.",
		"Vous n'êtes pas d'accord ? Vous pouvez vous plaindre à la CNIL. Son site : www.cnil.fr.",
		"Son adresse : CNIL, 3 place de Fontenoy, 75007 Paris.")
	return r
}

// fact writes "label  value" with room for the longer labels of this
// document, the value wrapped.
func (d *doc) fact(label, value string) {
	d.font("", 10)
	d.SetX(margin)
	d.cell(62, 5.5, label, "L")
	d.MultiCell(bodyW-62, 5.5, cp1252(value), "", "L", false)
}

// plain writes a paragraph of plain text, a little larger than a table.
func (d *doc) plain(s string) {
	d.font("", 10.5)
	d.SetX(margin)
	d.para(0, 5.5, s)
	d.Ln(1)
}

// frenchDay is the French day of an instant: "15 mars 2027".
func frenchDay(t time.Time) string {
	return passnum.FrenchDate(t.In(paris).Format(passnum.DateLayout))
}

// communeLabel names a commune by its INSEE code: "Rennes (35238)".
func communeLabel(insee string) string {
	if c, ok := geo.LookupCommune(insee); ok {
		return c.Name + " (" + insee + ")"
	}
	return insee
}
