package pdf

import (
	"io"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// Register writes the register of processing activities (GDPR article
// 30) of an installation, dated created: the same register as the page
// /donnees-personnelles/registre and docs/REGISTRE.md.
func Register(w io.Writer, r *passnum.Register, created time.Time) error {
	if created.IsZero() {
		created = time.Now()
	}
	p := r.Settings
	d := newDoc("Registre des activités de traitement", p.Controller, created)
	d.footer("Registre des activités de traitement (article 30 du RGPD) · " + p.Controller)
	d.runningHead("Registre des activités de traitement · " + p.Controller)
	d.AddPage()
	d.masthead(p.Controller, "Registre des activités de traitement", "Article 30 du RGPD",
		"à jour le "+passnum.FrenchDate(created.In(paris).Format("2006-01-02")))

	d.heading("Responsables")
	d.field("Responsable", p.Controller)
	d.field("Adresse", p.ControllerAddress)
	d.field("Demandes", p.ControllerEmail)
	d.field("Responsables conjoints", p.JointControllers)
	d.field("Délégué (DPO)", p.DPOName+", "+p.DPOEmail)
	d.field("Hébergeur", p.Host)

	d.heading("Finalités et bases légales")
	for _, a := range r.Activities {
		d.keep(30)
		d.Ln(1)
		d.font("B", 10)
		d.para(0, 5, a.Purpose.Label)
		d.font("", 9)
		if len(a.Fields) == 0 {
			d.para(0, 4.5, "Base légale : "+a.Basis+". "+a.NoFieldNote())
			continue
		}
		d.para(0, 4.5, "Base légale : "+a.Basis+". Personnes concernées : "+strings.Join(a.Subjects, " ; ")+".")
		d.Ln(1)
		t := &wrappedTable{d: d, cols: []column{{"Donnée", 50, "L"}, {"Qui la lit", 40, "L"}, {"Périmètre", 68, "L"}, {"Durée", 22, "L"}}, lineH: 4}
		t.header()
		for _, f := range a.Fields {
			label := f.Label
			if f.Sensitive {
				label += " (consultations journalisées)"
			}
			t.row(label, f.ReadersLabel(), f.Scope, f.Retention)
		}
	}

	d.heading("Catégories de personnes et de données")
	for _, s := range r.Subjects {
		d.bullet(s.Label + " : " + strings.Join(s.Fields, " ; ") + ".")
	}
	d.heading("Destinataires")
	for _, rr := range r.Recipients {
		what := strings.Join(rr.Fields, " ; ")
		if what == "" {
			what = "aucune donnée personnelle"
		}
		d.bullet(rr.Label + " : " + what + ".")
	}
	d.para(0, 4.5, "Les financeurs et les hubs ne reçoivent aucune donnée d'un bénéficiaire : ils lisent des chiffres agrégés.")

	d.heading("Transferts hors de l'Union européenne")
	d.para(0, 5, r.Transfers)

	d.heading("Durées de conservation")
	t := &wrappedTable{d: d, cols: []column{{"Données", 62, "L"}, {"Durée", 24, "L"}, {"À compter de", 46, "L"}, {"Ensuite", 48, "L"}}, lineH: 4}
	t.header()
	for _, rr := range r.Retention {
		t.row(strings.Join(rr.Fields, " ; "), rr.Period, rr.Start, rr.Action)
	}

	d.heading("Mesures de sécurité")
	for _, s := range r.Security {
		d.bullet(s)
	}
	return d.write(w)
}

// bullet writes an item of a list, wrapped, in a small type.
func (d *doc) bullet(s string) {
	d.font("", 9)
	d.SetX(margin)
	d.cell(5, 4.5, "•", "L")
	d.MultiCell(bodyW-5, 4.5, cp1252(s), "", "L", false)
	d.Ln(0.5)
}

// wrappedTable is a table whose cells wrap on several lines (the
// register's scopes are sentences), its column titles repeated on every
// page.
type wrappedTable struct {
	d     *doc
	cols  []column
	lineH float64
}

func (t *wrappedTable) header() {
	(&table{d: t.d, cols: t.cols, rowH: t.lineH}).header()
}

// row writes one row, as high as its longest cell.
func (t *wrappedTable) row(cells ...string) {
	d := t.d
	d.font("", 8.5)
	lines := make([][]string, len(t.cols))
	n := 1
	for i, c := range t.cols {
		if i < len(cells) {
			for _, l := range d.SplitLines([]byte(cp1252(cells[i])), c.width-2) {
				lines[i] = append(lines[i], string(l))
			}
		}
		n = max(n, len(lines[i]))
	}
	h := float64(n)*t.lineH + 1.5
	_, bottom := d.GetAutoPageBreak()
	if d.GetY()+h > pageH-bottom {
		d.AddPage()
		t.header()
		d.font("", 8.5)
	}
	y := d.GetY()
	x := margin
	for i, c := range t.cols {
		for j, l := range lines[i] {
			d.SetXY(x+1, y+0.75+float64(j)*t.lineH)
			// Already in Windows-1252: written as is.
			d.CellFormat(c.width-2, t.lineH, l, "", 0, "L", false, 0, "")
		}
		x += c.width
	}
	d.SetLineWidth(0.1)
	d.Line(margin, y+h, margin+bodyW, y+h)
	d.SetXY(margin, y+h)
}
