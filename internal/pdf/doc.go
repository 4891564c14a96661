// Package pdf writes the platform's printable documents: a venue's
// reimbursement statement, a funder's charges and credit notes, and the
// carnets of passes with their cover letters.
//
// Documents are A4, in French, and print well in black and white. They use
// the PDF core fonts (Helvetica for text, Courier for codes) through
// github.com/go-pdf/fpdf, with compressed page streams; QR codes are
// encoded by rsc.io/qr and drawn as filled rectangles (see qr.go). A
// document is built in memory and written to w at the end: nothing is
// written when an error occurs.
package pdf

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/passnum/passnum"
)

// Page geometry, in millimetres.
const (
	pageW   = 210.0
	pageH   = 297.0
	margin  = 15.0
	bodyW   = pageW - 2*margin
	footerY = pageH - 10
)

// Fonts.
const (
	sans = "Helvetica"
	mono = "Courier"
)

// doc is an fpdf document with the house style.
type doc struct {
	*fpdf.Fpdf
}

// newDoc starts an A4 document; title and author go to its metadata,
// created dates it (now when zero).
func newDoc(title, author string, created time.Time) *doc {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(true)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, 18)
	f.SetTitle(passnum.CleanLine(title), true)
	f.SetAuthor(passnum.CleanLine(author), true)
	f.SetCreator("passnum", false)
	f.SetLang("fr-FR")
	if !created.IsZero() {
		f.SetCreationDate(created)
	}
	f.AliasNbPages("{nb}")
	f.SetDrawColor(0, 0, 0)
	f.SetTextColor(0, 0, 0)
	return &doc{f}
}

// write outputs the document to w, or the first error met while building it.
func (d *doc) write(w io.Writer) error {
	if err := d.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	if err := d.Output(w); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return nil
}

// font sets Helvetica in a style ("", "B", "I") and a size in points.
func (d *doc) font(style string, size float64) { d.SetFont(sans, style, size) }

// cell writes s on one line of width w and height h, aligned "L", "C" or "R",
// and moves right.
func (d *doc) cell(w, h float64, s, align string) {
	d.CellFormat(w, h, cp1252(s), "", 0, align, false, 0, "")
}

// line writes s on one line of the full width and moves to the next line.
func (d *doc) line(h float64, s, align string) {
	d.CellFormat(0, h, cp1252(s), "", 1, align, false, 0, "")
}

// para writes s wrapped to width w (0: up to the right margin).
func (d *doc) para(w, h float64, s string) {
	d.MultiCell(w, h, cp1252(s), "", "L", false)
}

// fit shortens s with an ellipsis so that it holds in width w in the
// current font.
func (d *doc) fit(s string, w float64) string {
	if d.GetStringWidth(cp1252(s)) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		t := strings.TrimRight(string(r), " ,;:-") + "…"
		if d.GetStringWidth(cp1252(t)) <= w {
			return t
		}
	}
	return ""
}

// rule draws a horizontal line across the body at the current height.
func (d *doc) rule(width float64) {
	d.SetLineWidth(width)
	y := d.GetY()
	d.Line(margin, y, pageW-margin, y)
}

// footer puts "text · page n/N" at the bottom of every page.
func (d *doc) footer(text string) {
	d.SetFooterFunc(func() {
		d.SetY(footerY - 4)
		d.font("", 8)
		d.cell(bodyW-30, 4, d.fit(text, bodyW-32), "L")
		d.cell(30, 4, fmt.Sprintf("page %d/{nb}", d.PageNo()), "R")
	})
}

// runningHead repeats a short title at the top of every page but the
// first, so a loose page says what it belongs to.
func (d *doc) runningHead(text string) {
	d.SetHeaderFunc(func() {
		if d.PageNo() == 1 {
			return
		}
		d.font("I", 8)
		d.line(4, d.fit(text, bodyW), "L")
		d.Ln(3)
	})
}

// masthead writes the top of a document: the operator on the left, the
// document's title and its reference lines on the right.
func (d *doc) masthead(operator, title string, refs ...string) {
	top := d.GetY()
	d.font("B", 13)
	d.SetXY(margin, top)
	d.para(bodyW/2-5, 6, operator)
	d.font("", 9)
	d.SetX(margin)
	d.line(5, "Pass numérique", "L")
	left := d.GetY()

	d.SetXY(margin+bodyW/2, top)
	d.font("B", 16)
	d.MultiCell(bodyW/2, 7, cp1252(title), "", "R", false)
	d.font("", 10)
	for _, r := range refs {
		d.SetX(margin + bodyW/2)
		d.MultiCell(bodyW/2, 5, cp1252(r), "", "R", false)
	}
	d.SetY(max(left, d.GetY()) + 4)
	d.rule(0.4)
	d.Ln(5)
}

// heading writes a section title.
func (d *doc) heading(s string) {
	d.Ln(2)
	d.font("B", 11)
	d.line(6, s, "L")
	d.font("", 10)
}

// field writes "label : value" on one line or more.
func (d *doc) field(label, value string) {
	d.font("", 10)
	d.SetX(margin)
	d.cell(48, 5, label, "L")
	d.MultiCell(bodyW-48, 5, cp1252(value), "", "L", false)
}

// block writes a titled box of lines at (x, y), width w; it returns the
// height used.
func (d *doc) block(x, y, w float64, title string, lines []string) float64 {
	d.SetXY(x+3, y+2)
	d.font("B", 9)
	d.cell(w-6, 5, title, "L")
	d.SetXY(x+3, y+7)
	d.font("", 10)
	for _, l := range lines {
		if l == "" {
			continue
		}
		d.SetX(x + 3)
		d.MultiCell(w-6, 5, cp1252(l), "", "L", false)
	}
	h := d.GetY() + 2 - y
	d.SetLineWidth(0.2)
	d.Rect(x, y, w, h, "D")
	return h
}

// column of a table.
type column struct {
	title string
	width float64
	align string // "L", "C", "R"
}

// table writes rows of one line each, breaking pages itself so that the
// column titles are repeated at the top of every page.
type table struct {
	d    *doc
	cols []column
	rowH float64
}

func (t *table) header() {
	d := t.d
	d.font("B", 9)
	d.SetFillColor(225, 225, 225)
	d.SetLineWidth(0.2)
	d.SetX(margin)
	for _, c := range t.cols {
		d.CellFormat(c.width, t.rowH+1, cp1252(c.title), "TB", 0, c.align, true, 0, "")
	}
	d.Ln(-1)
	d.font("", 9)
}

// keep breaks the page, column titles repeated, unless n rows fit below
// the current position.
func (t *table) keep(n int) {
	d := t.d
	_, bottom := d.GetAutoPageBreak()
	if d.GetY()+float64(n)*t.rowH > pageH-bottom {
		d.AddPage()
		t.header()
	}
}

// row writes one row; cells too long for their column are shortened.
func (t *table) row(cells ...string) {
	d := t.d
	t.keep(1)
	d.SetX(margin)
	for i, c := range t.cols {
		s := ""
		if i < len(cells) {
			s = d.fit(cells[i], c.width-2)
		}
		d.CellFormat(c.width, t.rowH, cp1252(s), "B", 0, c.align, false, 0, "")
	}
	d.Ln(-1)
}

// keep breaks the page unless h millimetres fit below the current position.
func (d *doc) keep(h float64) {
	_, bottom := d.GetAutoPageBreak()
	if d.GetY()+h > pageH-bottom {
		d.AddPage()
	}
}

// paris is the zone dates and times are printed in.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// shortDateTime writes an instant as "02/03/2027 14:05", Paris time.
func shortDateTime(t time.Time) string { return t.In(paris).Format("02/01/2006 15:04") }

// groups writes s in groups of n characters separated by spaces.
func groups(s string, n int) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i > 0 && i%n == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maskIBAN hides all of an IBAN but its last four characters, in the
// printed groups of four: "•••• •••• … •••• 0606" keeps the shape a reader
// compares with their bank's.
func maskIBAN(iban string) string {
	iban = strings.ToUpper(strings.Join(strings.Fields(iban), ""))
	if len(iban) <= 4 {
		return iban
	}
	masked := strings.Repeat("•", len(iban)-4) + iban[len(iban)-4:]
	return groups(masked, 4)
}

// formatPivot writes a venue's pivot: a SIRET as "123 456 789 00012", an
// RNA number as is, each with its name.
func formatPivot(p string) string {
	p = strings.Join(strings.Fields(p), "")
	if len(p) == 14 && strings.Trim(p, "0123456789") == "" {
		return "SIRET\u00a0" + p[:3] + "\u00a0" + p[3:6] + "\u00a0" + p[6:9] + "\u00a0" + p[9:]
	}
	if p == "" {
		return ""
	}
	return "RNA\u00a0" + p
}
