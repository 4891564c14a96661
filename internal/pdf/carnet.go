package pdf

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/passnum/passnum"
)

// CarnetSheet is one carnet to print: its number, what its passes pay for
// and who pays, and its passes. Fill it from the operator's export of a
// batch (ExportPasses: serial, carnet, validity, short code, QR payload)
// and from the programme.
type CarnetSheet struct {
	Number         int64
	Programme      string   // the programme's name
	Funders        []string // the funders' names, as people know them
	FaceValueCents int64    // value of one pass; 0: not printed
	Passes         []CarnetPass
}

// CarnetPass is one pass of a carnet as printed on its coupon.
type CarnetPass struct {
	Serial     int64
	ShortCode  string // "XXXX-XXXX-XXXX-C" (passcode.Code.String), read over the phone or typed
	QR         string // the signed payload (passcode.Keyring.Sign), drawn as a QR code
	ValidFrom  string // YYYY-MM-DD; "" prints only the last day
	ValidUntil string // YYYY-MM-DD
}

// CarnetOptions are what every carnet of a print run shares.
type CarnetOptions struct {
	// OperatorName runs the platform and signs the cover letter.
	OperatorName string
	// BaseURL is the platform's address, "https://pass.example.fr": the
	// letter sends people to BaseURL/annuaire to find a venue.
	BaseURL string
	// HelpPhone is the number people call with a question, HelpHours when
	// someone answers ("du lundi au vendredi, de 9 h à 17 h"; optional).
	HelpPhone string
	HelpHours string
	// NoLetter leaves out the cover letters: coupons only.
	NoLetter bool
	// Privacy are the installation's privacy settings, which the letter's
	// short notice tells (whom to write to, how long data is kept); nil:
	// the defaults.
	Privacy *passnum.PrivacySettings
	// Created dates the file; zero: now.
	Created time.Time
}

// Coupon grid: 2 columns × 5 rows of 95 × 55 mm inside 10 mm margins,
// which office printers reach; dashed cut lines around each coupon.
const (
	couponCols  = 2
	couponRows  = 5
	perPage     = couponCols * couponRows
	couponW     = 95.0
	couponH     = 55.0
	gridX       = (pageW - couponCols*couponW) / 2
	gridY       = 8.0
	qrBox       = 41.0 // the QR code with its quiet zone, in mm
	couponTextX = 45.0 // where the text column starts, from the coupon's left
)

// Carnets writes the carnets of a print run: for each carnet, a cover
// letter for the person who receives it (unless opts.NoLetter), then its
// passes as coupons, ten to an A4 page, each with its QR code, its short
// code, serial, validity, programme and funders. Every carnet starts on a
// new page, so a carnet can be printed, cut and bound on its own; a page
// holds the passes of one carnet only. The letter carries no personal data.
//
// The document is held in memory until written: print batches in files of
// a few thousand carnets (see docs/PERFORMANCE.md for the speed).
func Carnets(w io.Writer, sheets []CarnetSheet, opts CarnetOptions) error {
	d := newDoc("Carnets Pass numérique", opts.OperatorName, opts.Created)
	d.SetAutoPageBreak(false, 0)
	d.SetMargins(gridX, gridY, gridX)
	codes := newQREncoder()
	defer codes.close()
	for i := range sheets {
		s := &sheets[i]
		if len(s.Passes) == 0 {
			return fmt.Errorf("pdf: carnet %d has no passes", s.Number)
		}
		// Encode the next carnets' codes while this one is drawn.
		for j := i; j < len(sheets) && j < i+4; j++ {
			codes.start(&sheets[j])
		}
		if !opts.NoLetter {
			coverLetter(d, s, opts)
		}
		qrs, err := codes.wait(s)
		if err != nil {
			return fmt.Errorf("pdf: carnet %d: %w", s.Number, err)
		}
		couponPages(d, s, qrs)
	}
	if d.PageCount() == 0 {
		return fmt.Errorf("pdf: no carnets to print")
	}
	return d.write(w)
}

// qrEncoder encodes the QR codes of carnets in the background, on every
// core but the one drawing: encoding is most of the work of a coupon.
type qrEncoder struct {
	jobs chan *qrJob
	mu   sync.Mutex
	byNo map[*CarnetSheet]*qrJob
	wg   sync.WaitGroup
}

type qrJob struct {
	sheet *CarnetSheet
	codes []qrCode
	err   error
	done  chan struct{}
}

func newQREncoder() *qrEncoder {
	e := &qrEncoder{jobs: make(chan *qrJob, 8), byNo: map[*CarnetSheet]*qrJob{}}
	n := max(1, runtime.GOMAXPROCS(0)-1)
	e.wg.Add(n)
	for range n {
		go func() {
			defer e.wg.Done()
			for j := range e.jobs {
				j.codes = make([]qrCode, len(j.sheet.Passes))
				for k, p := range j.sheet.Passes {
					if j.codes[k], j.err = encodeQR(p.QR); j.err != nil {
						break
					}
				}
				close(j.done)
			}
		}()
	}
	return e
}

// start queues a carnet's codes, once.
func (e *qrEncoder) start(s *CarnetSheet) {
	e.mu.Lock()
	if _, ok := e.byNo[s]; ok {
		e.mu.Unlock()
		return
	}
	j := &qrJob{sheet: s, done: make(chan struct{})}
	e.byNo[s] = j
	e.mu.Unlock()
	e.jobs <- j
}

// wait returns a carnet's codes and forgets them.
func (e *qrEncoder) wait(s *CarnetSheet) ([]qrCode, error) {
	e.mu.Lock()
	j := e.byNo[s]
	delete(e.byNo, s)
	e.mu.Unlock()
	<-j.done
	return j.codes, j.err
}

func (e *qrEncoder) close() {
	close(e.jobs)
	e.wg.Wait()
}

// couponPages draws a carnet's passes, perPage to a page.
func couponPages(d *doc, s *CarnetSheet, qrs []qrCode) {
	value := ""
	if s.FaceValueCents > 0 {
		value = passnum.FrenchEuros(s.FaceValueCents)
	}
	textW := couponW - couponTextX - 3

	// What every coupon of the carnet shares, wrapped once.
	d.font("", 7.5)
	progLines := d.wrap(s.Programme, textW, 2)
	d.font("", 7)
	// "Financé par l'État et la Région Bretagne", as the pages say it.
	var funderLines []string
	if len(s.Funders) > 0 {
		funderLines = d.wrap("Financé "+passnum.FrenchBy(s.Funders...), textW, 2)
	}
	validity := map[[2]string][]string{}

	pages := (len(s.Passes) + perPage - 1) / perPage
	for p := 0; p < pages; p++ {
		d.AddPage()
		last := min(len(s.Passes), (p+1)*perPage)
		cutLines(d, last-p*perPage)
		d.font("", 7)
		d.Text(gridX, pageH-4, cp1252(fmt.Sprintf("Carnet n° %d · pass %d à %d sur %d · feuille %d/%d · découpez selon les pointillés",
			s.Number, p*perPage+1, last, len(s.Passes), p+1, pages)))
		for i := p * perPage; i < last; i++ {
			k := i - p*perPage
			x := gridX + float64(k%couponCols)*couponW
			y := gridY + float64(k/couponCols)*couponH
			ps := &s.Passes[i]
			key := [2]string{ps.ValidFrom, ps.ValidUntil}
			vl, ok := validity[key]
			if !ok {
				d.font("", 7.5)
				vl = d.wrap(validityText(ps.ValidFrom, ps.ValidUntil), textW, 2)
				validity[key] = vl
			}
			coupon(d, x, y, ps, qrs[i], value, progLines, funderLines, vl,
				fmt.Sprintf("Série %s · carnet %d · %d/%d", passnum.FormatSerial(ps.Serial), s.Number, i+1, len(s.Passes)))
		}
	}
}

// cutLines draws the dashed lines the first n coupons of a page are cut
// along, and none around the empty places.
func cutLines(d *doc, n int) {
	d.SetDrawColor(140, 140, 140)
	d.SetLineWidth(0.2)
	d.SetDashPattern([]float64{1.5, 1.5}, 0)
	rows := (n + couponCols - 1) / couponCols
	inRow := func(r int) int { return max(0, min(couponCols, n-r*couponCols)) }
	for c := 0; c <= couponCols; c++ {
		h := 0 // rows reaching this vertical line
		for r := 0; r < rows; r++ {
			if inRow(r) >= c {
				h = r + 1
			}
		}
		x := gridX + float64(c)*couponW
		d.Line(x, gridY, x, gridY+float64(h)*couponH)
	}
	for r := 0; r <= rows; r++ {
		w := inRow(r)
		if r > 0 {
			w = max(w, inRow(r-1))
		}
		y := gridY + float64(r)*couponH
		d.Line(gridX, y, gridX+float64(w)*couponW, y)
	}
	d.SetDashPattern(nil, 0)
	d.SetDrawColor(0, 0, 0)
}

// coupon draws one pass with its top left corner at (x, y).
func coupon(d *doc, x, y float64, p *CarnetPass, q qrCode, value string, prog, funders, validity []string, serial string) {
	m := qrBox / float64(q.side+2*qrQuiet)
	d.drawQR(q, x+2+qrQuiet*m, y+2+qrQuiet*m, m)

	tx := x + couponTextX
	ty := y + 7
	d.font("B", 11)
	d.Text(tx, ty, cp1252("PASS NUMÉRIQUE"))
	if value != "" {
		d.font("B", 16)
		d.Text(tx, ty+7, cp1252(value))
	}
	ty += 12.5
	d.font("", 7.5)
	for _, l := range prog {
		d.Text(tx, ty, l)
		ty += 3.2
	}
	ty += 0.8
	d.font("", 7)
	for _, l := range funders {
		d.Text(tx, ty, l)
		ty += 3
	}
	ty += 1.2
	d.font("B", 7.5)
	for _, l := range validity {
		d.Text(tx, ty, l)
		ty += 3.2
	}
	d.font("", 6.5)
	d.Text(tx, y+44, cp1252(serial))

	d.font("", 7.5)
	d.Text(x+4, y+50.5, cp1252("Code du pass :"))
	d.SetFont(mono, "B", 16)
	d.Text(x+26, y+51, cp1252(p.ShortCode))
}

// wrap splits s, encoded for the core fonts, into at most n lines of width
// w in the current font; the last line is shortened with an ellipsis if
// needed.
func (d *doc) wrap(s string, w float64, n int) []string {
	if s == "" {
		return nil
	}
	var lines []string
	for _, l := range d.SplitLines([]byte(cp1252(s)), w+2*d.GetCellMargin()) {
		lines = append(lines, string(l))
	}
	if len(lines) > n {
		rest := strings.Join(lines[n-1:], " ")
		lines = append(lines[:n-1], "")
		// rest is already encoded: shorten it byte by byte.
		ell := cp1252("…")
		for len(rest) > 0 && d.GetStringWidth(rest+ell) > w {
			rest = rest[:len(rest)-1]
		}
		lines[n-1] = strings.TrimRight(rest, " ,;") + ell
	}
	return lines
}

// validityText says when a pass may be used, in words; a date is never
// broken across lines.
func validityText(from, until string) string {
	date := func(iso string) string { return strings.ReplaceAll(passnum.FrenchDate(iso), " ", "\u00a0") }
	if from == "" {
		return "Valable jusqu'au " + date(until)
	}
	return "Valable du " + date(from) + " au " + date(until)
}

// coverLetter writes the page that comes with a carnet: what the passes
// are, how to use them, where, until when, and whom to call, in plain
// words and a large type. It names no one.
func coverLetter(d *doc, s *CarnetSheet, opts CarnetOptions) {
	const left = 22.0
	l := &letter{doc: d, left: left, width: pageW - 2*left}
	d.AddPage()
	d.SetLeftMargin(left)
	d.SetRightMargin(left)
	defer func() {
		d.SetLeftMargin(gridX)
		d.SetRightMargin(gridX)
	}()
	l.title(s, opts)
	l.whatFor(s)
	l.howTo(opts)
	l.head("Jusqu'à quand ?")
	l.para(validityText(carnetValidity(s)) + ". Après cette date, les pass ne marchent plus : utilisez-les avant.")
	l.questions(opts)
}

// letter writes a cover letter's text between its margins, in a large
// type.
type letter struct {
	*doc
	left, width float64
}

func (l *letter) para(s string) {
	l.font("", 12)
	l.doc.para(l.width, 6, s)
	l.Ln(2)
}

func (l *letter) head(s string) {
	l.Ln(2)
	l.font("B", 13)
	l.line(7, s, "L")
}

func (l *letter) step(n int, s string) {
	l.font("B", 12)
	l.SetX(l.left)
	l.cell(8, 6, fmt.Sprintf("%d.", n), "L")
	l.font("", 12)
	l.doc.para(l.width-8, 6, s)
	l.Ln(1)
}

// carnetValidity is when the passes of a carnet may be used: from the
// earliest start to the latest end.
func carnetValidity(s *CarnetSheet) (from, until string) {
	from, until = s.Passes[0].ValidFrom, s.Passes[0].ValidUntil
	for _, p := range s.Passes[1:] {
		if p.ValidFrom != "" && (from == "" || p.ValidFrom < from) {
			from = p.ValidFrom
		}
		if p.ValidUntil > until {
			until = p.ValidUntil
		}
	}
	return from, until
}

// title writes who sends the carnet, its number and what it holds.
func (l *letter) title(s *CarnetSheet, opts CarnetOptions) {
	l.SetXY(l.left, 18)
	l.font("B", 11)
	l.cell(l.width/2, 6, opts.OperatorName, "L")
	l.font("", 11)
	l.cell(l.width/2, 6, fmt.Sprintf("Carnet n° %d", s.Number), "R")
	l.Ln(10)
	l.font("B", 22)
	l.line(10, "Votre carnet Pass numérique", "L")
	l.font("", 13)
	what := plural(len(s.Passes), "pass", "pass")
	if s.FaceValueCents > 0 {
		what += " de " + passnum.FrenchEuros(s.FaceValueCents)
	}
	l.line(7, what+", pour apprendre le numérique près de chez vous", "L")
	l.Ln(5)
}

// whatFor says what the passes are for, and who pays for them.
func (l *letter) whatFor(s *CarnetSheet) {
	l.head("À quoi sert ce carnet ?")
	paid := ""
	if len(s.Funders) > 0 {
		paid = " Ils sont payés " + shorten(passnum.FrenchBy(s.Funders...), 110)
		if s.Programme != "" {
			paid += " (programme «\u00a0" + shorten(s.Programme, 50) + "\u00a0»)"
		}
		paid += "."
	}
	l.para("Les pass de ce carnet vous permettent de suivre des ateliers pour apprendre à vous servir d'un ordinateur, d'un téléphone, d'une tablette ou d'internet, et à faire vos démarches en ligne. Ces ateliers ont lieu dans des lieux de médiation numérique : associations, espaces publics numériques, médiathèques, France Services… C'est gratuit pour vous." + paid)
}

// howTo says how to use a pass, step by step, and where to find a venue.
func (l *letter) howTo(opts CarnetOptions) {
	l.head("Comment faire ?")
	l.step(1, "Choisissez un lieu près de chez vous (voir plus bas).")
	l.step(2, "Appelez-le ou allez le voir pour vous inscrire à un atelier. Dites que vous avez des Pass numériques.")
	l.step(3, "Le jour de l'atelier, apportez ce carnet. Le lieu utilise un pass par atelier : il scanne le carré noir et blanc du pass ou tape son code.")
	l.step(4, "Gardez les pass qui restent pour vos prochains ateliers.")

	l.head("Où trouver un lieu ?")
	where := "Demandez à la personne qui vous a remis ce carnet."
	if opts.BaseURL != "" {
		where = "Sur internet, à l'adresse " + strings.TrimRight(opts.BaseURL, "/") + "/annuaire : vous y trouvez les lieux qui acceptent le Pass numérique, près de chez vous. Sinon, demandez à la personne qui vous a remis ce carnet."
	}
	if opts.HelpPhone != "" {
		where += " Vous pouvez aussi appeler le " + opts.HelpPhone + "."
	}
	l.para(where)
}

// questions says whom to call, warns that a pass is worth money, and signs.
func (l *letter) questions(opts CarnetOptions) {
	if opts.HelpPhone != "" {
		l.head("Une question ?")
		call := "Appelez le " + opts.HelpPhone
		if opts.HelpHours != "" {
			call += ", " + opts.HelpHours
		}
		l.para(call + ". Donnez le numéro du carnet, écrit en haut de cette page.")
	}

	l.head("Attention")
	l.para("Un pass vaut de l'argent, comme un chèque. Ne le donnez pas et ne le vendez pas. Ne dites jamais le code d'un pass à quelqu'un qui vous appelle ou vous écrit : seul le lieu de votre atelier en a besoin. Ce carnet ne porte pas votre nom : rangez-le en lieu sûr.")

	l.privacyNotice(opts)

	if opts.OperatorName != "" {
		l.SetY(max(l.GetY()+4, pageH-22))
		l.font("", 9)
		l.doc.para(l.width, 4.5, opts.OperatorName+" gère le Pass numérique pour le compte de ses financeurs.")
	}
}

// privacyNotice tells the person, in a smaller type, what is kept about
// them and what they can ask (articles 13 and 14): the notice of the
// prescriber's receipt.
func (l *letter) privacyNotice(opts CarnetOptions) {
	p := passnum.DefaultPrivacySettings()
	if opts.Privacy != nil {
		p = *opts.Privacy
	}
	n := passnum.NewShortNotice(p)
	text := strings.Join(n.Lines, " ")
	if opts.BaseURL != "" {
		// The address as people type it, without its scheme.
		site := strings.TrimPrefix(strings.TrimPrefix(strings.TrimRight(opts.BaseURL, "/"), "https://"), "http://")
		text += " Pour en savoir plus : " + site + n.MoreAt + "."
	}
	l.font("B", 10)
	l.line(5, n.Title, "L")
	l.font("", 9)
	l.doc.para(l.width, 4.2, text)
}

// shorten cuts s to n characters at most, with an ellipsis: the cover
// letter must hold on one page whatever the names.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimRight(string(r[:n-1]), " ,;") + "…"
}
