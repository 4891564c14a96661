package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/passcode"
)

// Set PASSNUM_PDF_DIR to keep the documents the tests make, to look at
// them (pdftoppm -png -r 60 file.pdf prefix).
func keep(t testing.TB, name string, b []byte) {
	dir := os.Getenv("PASSNUM_PDF_DIR")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

// checkPDF checks that b is a PDF of n pages.
func checkPDF(t *testing.T, b []byte, pages int) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("output starts with %q, want %%PDF-", b[:min(len(b), 8)])
	}
	if !bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
		t.Error("output does not end with the end-of-file marker")
	}
	if got := len(pageObject.FindAll(b, -1)); got != pages {
		t.Errorf("%d pages, want %d", got, pages)
	}
}

// streams returns the page content streams of b, inflated.
func streams(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	for {
		i := bytes.Index(b, []byte("stream\n"))
		if i < 0 {
			return out
		}
		b = b[i+len("stream\n"):]
		j := bytes.Index(b, []byte("\nendstream"))
		if j < 0 {
			t.Fatal("unterminated stream")
		}
		r, err := zlib.NewReader(bytes.NewReader(b[:j]))
		if err == nil {
			s, err := io.ReadAll(r)
			if err == nil {
				out = append(out, string(s))
			}
		}
		b = b[j+len("\nendstream"):]
	}
}

// text is what the content streams show, encoded in Windows-1252.
func text(t *testing.T, b []byte) string {
	return strings.Join(streams(t, b), "\n")
}

var (
	operator = "Coopérative « Numérique pour tous » — opérateur national du Pass numérique"
	created  = time.Date(2027, 4, 2, 9, 30, 0, 0, time.UTC)
)

func statement(lines int) *passnum.Statement {
	titles := []string{
		"Découvrir l'ordinateur : allumer, la souris, le clavier",
		"Créer son adresse électronique et envoyer ses premiers courriels à ses proches, pièces jointes comprises",
		"Démarches en ligne : impots.gouv.fr, ameli.fr, France Connect",
		"Sécurité : mots de passe, arnaques et « hameçonnage »",
		"Smartphone — premiers pas",
	}
	st := &passnum.Statement{ID: 4127, RunID: 12, VenueID: 88, VenueName: "Médiathèque",
		CutOff: "2027-03-31", State: passnum.StatementValidated, Reference: "RF471234567890123456789",
		CreatedAt: created, ValidatedAt: &created}
	at := time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range lines {
		st.Lines = append(st.Lines, passnum.StatementLine{Serial: 1000000 + int64(i)*7, RedemptionID: int64(i + 1),
			RedeemedAt: at.Add(time.Duration(i) * 97 * time.Minute), ServiceTitle: titles[i%len(titles)],
			ProgrammeID: int64(1 + i%3), AmountCents: 1000})
		st.Passes++
		st.AmountCents += 1000
	}
	return st
}

var venue = passnum.Venue{Name: "Médiathèque intercommunale François-Mitterrand de la Communauté d'agglomération Cœur d'Essonne",
	Address: "12, avenue de l'Hôtel-de-Ville", AddressComplement: "Bâtiment B, 2e étage",
	PostalCode: "91290", Commune: "Arpajon", Pivot: "21910021300017"}

var bank = &passnum.BankAccount{Holder: "Trésor public — Communauté d'agglomération Cœur d'Essonne", IBAN: "FR1420041010050500013M02606", BIC: "PSSTFRPPPAR"}

func TestVenueStatement(t *testing.T) {
	for _, tc := range []struct {
		lines, pages int
	}{{0, 1}, {3, 1}, {90, 3}} {
		t.Run(fmt.Sprint(tc.lines), func(t *testing.T) {
			var buf bytes.Buffer
			if err := VenueStatement(&buf, statement(tc.lines), venue, bank, operator); err != nil {
				t.Fatal(err)
			}
			keep(t, fmt.Sprintf("statement-%d.pdf", tc.lines), buf.Bytes())
			checkPDF(t, buf.Bytes(), tc.pages)
			s := text(t, buf.Bytes())
			for _, want := range []string{
				"page 1/" + fmt.Sprint(tc.pages),
				cp1252("Relevé de remboursement"),
				cp1252("SIRET\u00a0219\u00a0100\u00a0213\u00a000017"),
				"RF471234567890123456789",
				cp1252(passnum.FrenchEuros(int64(tc.lines) * 1000)),
				cp1252("•••2 606"),
			} {
				if !strings.Contains(s, pdfString(want)) {
					t.Errorf("no %q in the document", want)
				}
			}
			if strings.Contains(s, "FR14") {
				t.Error("the IBAN is printed in full")
			}
			if tc.pages > 1 && strings.Count(s, "(Encaiss\xe9 le)") != tc.pages {
				t.Errorf("column titles printed %d times, want once a page", strings.Count(s, "(Encaiss\xe9 le)"))
			}
		})
	}
}

// pdfString escapes s as fpdf writes it inside a string operand.
func pdfString(s string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`, "\r", `\r`).Replace(s)
}

func TestVenueStatementWithoutBank(t *testing.T) {
	var buf bytes.Buffer
	st := statement(2)
	st.State, st.RejectedReason = passnum.StatementRejected, "AC04 : compte clôturé"
	if err := VenueStatement(&buf, st, passnum.Venue{}, nil, "Opérateur"); err != nil {
		t.Fatal(err)
	}
	checkPDF(t, buf.Bytes(), 1)
	if !strings.Contains(text(t, buf.Bytes()), cp1252("compte clôturé")) {
		t.Error("the rejection's reason is missing")
	}
	if err := VenueStatement(&buf, nil, venue, nil, "x"); err == nil {
		t.Error("a nil statement is printed")
	}
}

var programme = &passnum.Programme{ID: 3, Name: "Pass numérique Essonne 2027 — Inclusion numérique des seniors et des demandeurs d'emploi",
	Funders:        []passnum.FunderShare{{FunderID: 7, FunderName: "Département de l'Essonne", ShareBP: 5000}, {FunderID: 8, FunderName: "État", ShareBP: 5000}},
	FaceValueCents: 1000, CarnetSize: 10, ValidFrom: "2027-01-01", ValidUntil: "2027-12-31", ToleranceDays: 31, FeeBP: 400}

var funder = passnum.Organisation{ID: 7, Kind: passnum.KindFunder, Name: "Conseil départemental de l'Essonne — Direction de l'action sociale", SIRET: "22910001700011"}

func TestFunderCharge(t *testing.T) {
	var charges []*passnum.FunderCharge
	for i := range 40 { // 40 periods: two pages of lines
		passes := 100 + 37*i
		pc := int64(passes) * 500
		fee := pc * 400 / passnum.BasisPoints
		charges = append(charges, &passnum.FunderCharge{ID: int64(40 - i), FunderID: 7, FunderName: funder.Name, ProgrammeID: 3, RunID: int64(i),
			Period: time.Date(2024, time.Month(1+i), 0, 0, 0, 0, 0, time.UTC).Format(passnum.DateLayout),
			Passes: passes, PassesCents: pc, FeeBP: 400, FeeCents: fee, TotalCents: pc + fee, CreatedAt: created})
	}
	for _, tc := range []struct {
		name  string
		n     int
		pages int
	}{{"one", 1, 1}, {"many", 30, 3}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := FunderCharge(&buf, charges[:tc.n], funder, programme, operator); err != nil {
				t.Fatal(err)
			}
			keep(t, "charge-"+tc.name+".pdf", buf.Bytes())
			checkPDF(t, buf.Bytes(), tc.pages)
			var total int64
			for _, c := range charges[:tc.n] {
				total += c.TotalCents
			}
			s := text(t, buf.Bytes())
			for _, want := range []string{"Frais de gestion 4\xa0%", cp1252(passnum.FrenchEuros(total)), "Votre part : 50\xa0%", "Total \xe0 payer"} {
				if !strings.Contains(s, pdfString(want)) {
					t.Errorf("no %q in the document", want)
				}
			}
		})
	}
	if err := FunderCharge(io.Discard, nil, funder, programme, operator); err == nil {
		t.Error("no charges printed")
	}
	var buf bytes.Buffer
	if err := FunderCharge(&buf, charges[:2], funder, nil, operator); err != nil {
		t.Fatal(err)
	}
	checkPDF(t, buf.Bytes(), 1)
}

func TestCreditNote(t *testing.T) {
	cn := &passnum.CreditNote{ID: 9, FunderID: 7, FunderName: funder.Name, ProgrammeID: 3, Passes: 1234,
		AmountCents: 617000, Reference: "AV-2028-0009", CreatedAt: created}
	var buf bytes.Buffer
	if err := CreditNote(&buf, cn, funder, programme, operator); err != nil {
		t.Fatal(err)
	}
	keep(t, "credit-note.pdf", buf.Bytes())
	checkPDF(t, buf.Bytes(), 1)
	s := text(t, buf.Bytes())
	for _, want := range []string{"Avoir n\xb0 AV-2028-0009", "1\xa0234", "12\xa0340,00\xa0\x80", "6\xa0170,00\xa0\x80", "Part du financeur"} {
		if !strings.Contains(s, pdfString(want)) {
			t.Errorf("no %q in the document", want)
		}
	}
	if err := CreditNote(&buf, cn, funder, nil, operator); err != nil {
		t.Fatal(err)
	}
}

func TestCP1252(t *testing.T) {
	for in, want := range map[string]string{
		"abc":                   "abc",
		"Été à l’œil — « € » …": "\xc9t\xe9 \xe0 l\x92\x9cil \x97 \xab \x80 \xbb \x85",
		"1\u202f000,00\u202f€":  "1\xa0000,00\xa0\x80",
		"−3":                    "-3",
		"日本":                    "??",
	} {
		if got := cp1252(in); got != want {
			t.Errorf("cp1252(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskIBAN(t *testing.T) {
	if got, want := maskIBAN("fr14 2004 1010 0505 0001 3M02 606"), "•••• •••• •••• •••• •••• •••2 606"; got != want {
		t.Errorf("maskIBAN = %q, want %q", got, want)
	}
}

// sheets makes n carnets of size passes with real signed payloads.
func sheets(t testing.TB, n, size int) []CarnetSheet {
	t.Helper()
	r := mrand.New(mrand.NewPCG(1, 2))
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(r.Uint32())
	}
	key, err := passcode.GenerateKey("k2027", bytes.NewReader(seed))
	if err != nil {
		t.Fatal(err)
	}
	kr, err := passcode.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]CarnetSheet, n)
	serial := int64(4_000_000_000)
	for i := range out {
		s := CarnetSheet{Number: 100_000 + int64(i), Programme: programme.Name, FaceValueCents: 1000,
			Funders: []string{"Conseil départemental de l'Essonne", "État — Agence nationale de la cohésion des territoires", "Caisse d'allocations familiales de l'Essonne"}}
		for range size {
			serial++
			code := passcode.Code(r.Uint64() >> 4)
			payload, err := kr.Sign(passcode.Claims{Serial: serial, Programme: 3, Expiry: "2027-12-31", Code: code})
			if err != nil {
				t.Fatal(err)
			}
			s.Passes = append(s.Passes, CarnetPass{Serial: serial, ShortCode: code.String(), QR: payload, ValidFrom: "2027-01-01", ValidUntil: "2027-12-31"})
		}
		out[i] = s
	}
	return out
}

var carnetOptions = CarnetOptions{OperatorName: "Coopérative Numérique pour tous", BaseURL: "https://pass-numerique.example.fr/",
	HelpPhone: "01\u00a023\u00a045\u00a067\u00a089", HelpHours: "du lundi au vendredi, de 9 h à 17 h", Created: created}

func TestCarnets(t *testing.T) {
	for _, tc := range []struct {
		name            string
		carnets, size   int
		noLetter        bool
		pages, coupons  int
		letterSubstring string
	}{
		{"ten", 2, 10, false, 4, 20, "Votre carnet Pass num\xe9rique"},
		{"five", 3, 5, false, 6, 15, "/annuaire"},
		{"twelve", 1, 12, true, 2, 12, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ss := sheets(t, tc.carnets, tc.size)
			opts := carnetOptions
			opts.NoLetter = tc.noLetter
			var buf bytes.Buffer
			if err := Carnets(&buf, ss, opts); err != nil {
				t.Fatal(err)
			}
			keep(t, "carnets-"+tc.name+".pdf", buf.Bytes())
			checkPDF(t, buf.Bytes(), tc.pages)
			s := text(t, buf.Bytes())
			if got := strings.Count(s, "(PASS NUM\xc9RIQUE)"); got != tc.coupons {
				t.Errorf("%d coupons, want %d", got, tc.coupons)
			}
			for _, c := range ss {
				for _, p := range c.Passes {
					if !strings.Contains(s, "("+p.ShortCode+")") {
						t.Fatalf("no short code %s", p.ShortCode)
					}
				}
			}
			if tc.letterSubstring != "" && !strings.Contains(s, tc.letterSubstring) {
				t.Errorf("letter without %q", tc.letterSubstring)
			}
			if tc.noLetter && strings.Contains(s, "Votre carnet") {
				t.Error("a letter is printed")
			}
		})
	}
}

func TestCarnetsErrors(t *testing.T) {
	if err := Carnets(io.Discard, nil, carnetOptions); err == nil {
		t.Error("an empty print run is written")
	}
	if err := Carnets(io.Discard, []CarnetSheet{{Number: 1}}, carnetOptions); err == nil {
		t.Error("a carnet without passes is written")
	}
	ss := sheets(t, 3, 2)
	ss[2].Passes[1].QR = strings.Repeat("X", 5000)
	if err := Carnets(io.Discard, ss, carnetOptions); err == nil || !strings.Contains(err.Error(), "carnet 100002") {
		t.Errorf("a payload too long for a QR code: %v", err)
	}
}

// TestCoverLetterHolds checks that the letter holds on its page whatever
// the length of the names it quotes.
func TestCoverLetterHolds(t *testing.T) {
	s := sheets(t, 1, 10)[0]
	s.Programme = strings.Repeat("Programme départemental d'inclusion numérique ", 8)
	s.Funders = nil
	for range 12 {
		s.Funders = append(s.Funders, "Communauté d'agglomération du Grand Est parisien et des Deux Vallées")
	}
	d := newDoc("test", "x", created)
	d.SetAutoPageBreak(false, 0)
	coverLetter(d, &s, carnetOptions)
	if y := d.GetY(); y > pageH-10 {
		t.Errorf("the letter ends %.0f mm from the top of a %.0f mm page", y, pageH)
	}
	if d.PageCount() != 1 {
		t.Errorf("%d pages", d.PageCount())
	}
	var buf bytes.Buffer
	if err := Carnets(&buf, []CarnetSheet{s}, carnetOptions); err != nil {
		t.Fatal(err)
	}
	keep(t, "carnets-long-names.pdf", buf.Bytes())
}

// TestControlCharactersNotWritten: text stored before passnum's rule, with
// control characters and a bidirectional override, is printed without
// them, in the pages and in the document's metadata.
func TestControlCharactersNotWritten(t *testing.T) {
	hostile := "Le Grand Clic\x00\a\x1b[2J\x7f\u0085\u202e"
	st := statement(2)
	st.VenueName = hostile
	st.Lines[0].ServiceTitle = "Atelier\ttablette\r\n" + hostile
	v := venue
	v.Name, v.Address = hostile, "12 rue\x00 de la Paix"
	var buf bytes.Buffer
	if err := VenueStatement(&buf, st, v, bank, operator+"\x07"); err != nil {
		t.Fatal(err)
	}
	s := text(t, buf.Bytes())
	if i := strings.IndexFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }); i >= 0 {
		t.Errorf("a control character %q in the page: %q", s[i], s[max(0, i-40):min(len(s), i+40)])
	}
	for _, want := range []string{"Le Grand Clic[2J", "12 rue de la Paix", "Atelier tablette"} {
		if !strings.Contains(s, pdfString(want)) {
			t.Errorf("no %q in the document", want)
		}
	}
	if strings.Contains(s, "Clic[2J?") {
		t.Error("the override is printed as ?")
	}
	// The metadata are UTF-16 with a byte-order mark.
	b := buf.Bytes()
	i := bytes.Index(b, []byte("/Author (\xfe\xff"))
	j := bytes.Index(b[i:], []byte(")\n"))
	if i < 0 || j < 0 {
		t.Fatal("no author in the metadata")
	}
	author := b[i+len("/Author (\xfe\xff") : i+j]
	units := make([]uint16, len(author)/2)
	for k := range units {
		units[k] = uint16(author[2*k])<<8 | uint16(author[2*k+1])
	}
	if got := string(utf16.Decode(units)); got != operator {
		t.Errorf("author %q, want %q", got, operator)
	}
}

// TestNote: a note is a PDF that the attachments' type check takes.
func TestNote(t *testing.T) {
	var buf bytes.Buffer
	if err := Note(&buf, "Département d'Ille-et-Vilaine", "Délibération du conseil départemental", time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC),
		"Le conseil départemental s'engage à cofinancer le plan d'action.", "Fait à Rennes."); err != nil {
		t.Fatal(err)
	}
	if err := passnum.CheckPDF(buf.Bytes()); err != nil {
		t.Fatalf("the note is not taken as a PDF: %v", err)
	}
	if err := Note(&buf, "x", "", time.Time{}); err == nil {
		t.Fatal("a note without a title was written")
	}
}
