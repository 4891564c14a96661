package sepa

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sepa/sepatest"
)

var update = flag.Bool("update", false, "rewrite testdata/example.*.xml")

// testIBAN makes the n-th valid French IBAN: 23 digits of BBAN, then the
// check digits that make it ≡ 1 (mod 97).
func testIBAN(n int) string {
	bban := fmt.Sprintf("%023d", n)
	check := 98 - mod97([]byte(bban), []byte("FR00"))
	return fmt.Sprintf("FR%02d%s", check, bban)
}

var created = time.Date(2026, 3, 2, 9, 30, 15, 123456789, time.FixedZone("CET", 3600))

// sample returns a valid batch of n transfers, with names that need
// transliterating.
func sample(n int) (passnum.PaymentBatch, passnum.PayerAccount, []passnum.Transfer) {
	names := []string{"Médiathèque « L'Œil » & Cie", "Association Emmaüs Connect", "Tiers-lieu_numérique; Forêt!",
		"Espace Public Numérique de Saint-Étienne-du-Rouvray, Maison des Associations et de la Citoyenneté", "Café 🎉 Numérique"}
	bics := []string{"CCBPFRPPNAN", "BNPAFRPPXXX", "AGRIFRPP", "CEPAFRPP751"}
	ts := make([]passnum.Transfer, n)
	var sum int64
	for i := range ts {
		id := int64(1000 + i)
		ts[i] = passnum.Transfer{
			StatementID: id,
			EndToEndID:  fmt.Sprintf("PN-2026-02-%07d", id),
			Creditor:    names[i%len(names)],
			IBAN:        testIBAN(i + 1),
			BIC:         bics[i%len(bics)],
			AmountCents: int64(1 + (i*7919)%5_000_000),
			Reference:   CreditorReference(fmt.Sprintf("PN%d", id)),
			Period:      "2026-02-28",
		}
		sum += ts[i].AmountCents
	}
	b := passnum.PaymentBatch{ID: 7, MessageID: "PASSNUM-2026-03-02-7", ExecutionDate: "2026-03-05",
		Statements: n, ControlSumCents: sum, Actor: "operateur@example.org", CreatedAt: created}
	payer := passnum.PayerAccount{Name: "Opérateur du Pass numérique", IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP882", Format: passnum.PainEPC09}
	return b, payer, ts
}

func TestAppendAmount(t *testing.T) {
	tests := []struct {
		cents int64
		want  string
	}{
		{0, "0.00"},
		{1, "0.01"},
		{10, "0.10"},
		{99, "0.99"},
		{100, "1.00"},
		{105, "1.05"},
		{123456789, "1234567.89"},
		{MaxAmountCents, "999999999.99"},
		{maxControlSumCents, "9999999999999999.99"},
	}
	for _, tt := range tests {
		if got := string(appendAmount(nil, tt.cents)); got != tt.want {
			t.Errorf("appendAmount(%d) = %q, want %q", tt.cents, got, tt.want)
		}
	}
}

func TestWriteRefuses(t *testing.T) {
	type input struct {
		b     *passnum.PaymentBatch
		payer *passnum.PayerAccount
		ts    *[]passnum.Transfer
	}
	// second edits the second transfer, statement n°1001.
	second := func(f func(*passnum.Transfer)) func(input) {
		return func(in input) { f(&(*in.ts)[1]) }
	}
	tests := []struct {
		name  string
		edit  func(input)
		field string
		says  string // a part of the message
	}{
		{"message id too long", func(in input) { in.b.MessageID = strings.Repeat("M", 36) }, "message_id", "de 1 à 35 caractères"},
		{"message id empty", func(in input) { in.b.MessageID = "" }, "message_id", "de 1 à 35 caractères"},
		{"message id accented", func(in input) { in.b.MessageID = "LOT-ÉTÉ" }, "message_id", "sans accent"},
		{"message id with //", func(in input) { in.b.MessageID = "LOT//1" }, "message_id", "« // »"},
		{"message id ends with /", func(in input) { in.b.MessageID = "LOT/" }, "message_id", "« / »"},
		{"execution date", func(in input) { in.b.ExecutionDate = "05/03/2026" }, "execution_date", "AAAA-MM-JJ"},
		{"execution date impossible", func(in input) { in.b.ExecutionDate = "2026-02-30" }, "execution_date", "AAAA-MM-JJ"},
		{"payer name", func(in input) { in.payer.Name = "北京" }, "name", "Compte de l'opérateur"},
		{"payer IBAN", func(in input) { in.payer.IBAN = "FR7630006000011234567890188" }, "iban", "Compte de l'opérateur : IBAN invalide"},
		{"payer BIC", func(in input) { in.payer.BIC = "AGRI" }, "bic", "Compte de l'opérateur : BIC invalide"},
		{"payer format", func(in input) { in.payer.Format = "pain.001.001.03" }, "format", "Compte de l'opérateur : le format « pain.001.001.03 » n'est ni pain.001.001.09 ni pain.001.001.10"},
		{"no transfer", func(in input) { *in.ts = nil; in.b.Statements, in.b.ControlSumCents = 0, 0 }, "transfers", "aucun virement"},
		{"creditor IBAN", second(func(t *passnum.Transfer) { t.IBAN = "FR76 3000 6000 0112 3456 7890 189" }), "iban", "Relevé n°1001 (Association Emmaüs Connect) : IBAN invalide"},
		{"creditor IBAN outside SEPA", second(func(t *passnum.Transfer) { t.IBAN = "US7630006000011234567890189" }), "iban", "Relevé n°1001"},
		{"creditor BIC", second(func(t *passnum.Transfer) { t.BIC = "ccbpfrppnan" }), "bic", "Relevé n°1001 (Association Emmaüs Connect) : BIC invalide"},
		{"creditor name", second(func(t *passnum.Transfer) { t.Creditor = " 🎉 " }), "creditor", "Relevé n°1001"},
		{"zero amount", second(func(t *passnum.Transfer) { t.AmountCents = 0 }), "amount_cents", "Relevé n°1001"},
		{"negative amount", second(func(t *passnum.Transfer) { t.AmountCents = -100 }), "amount_cents", "Relevé n°1001"},
		{"amount too large", second(func(t *passnum.Transfer) { t.AmountCents = MaxAmountCents + 1 }), "amount_cents", "Relevé n°1001"},
		{"end-to-end id too long", second(func(t *passnum.Transfer) { t.EndToEndID = strings.Repeat("E", 36) }), "end_to_end_id", "Relevé n°1001"},
		{"end-to-end id empty", second(func(t *passnum.Transfer) { t.EndToEndID = "" }), "end_to_end_id", "Relevé n°1001"},
		{"end-to-end id with &", second(func(t *passnum.Transfer) { t.EndToEndID = "A&B" }), "end_to_end_id", "Relevé n°1001"},
		{"end-to-end id twice", func(in input) { (*in.ts)[2].EndToEndID = (*in.ts)[0].EndToEndID }, "end_to_end_id", "Relevé n°1002 (Tiers-lieu_numérique; Forêt!) : l'identifiant de bout en bout « PN-2026-02-0001000 » est déjà celui du relevé n°1000"},
		{"reference", second(func(t *passnum.Transfer) { t.Reference = "RF19539007547034" }), "reference", "Relevé n°1001"},
		{"no reference", second(func(t *passnum.Transfer) { t.Reference = "" }), "reference", "Relevé n°1001"},
		{"count differs", func(in input) { in.b.Statements++ }, "transfers", "il annonce 6 relevés"},
		{"control sum differs", func(in input) { in.b.ControlSumCents-- }, "transfers", "ses virements en comptent 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, payer, ts := sample(5)
			tt.edit(input{&b, &payer, &ts})
			var out bytes.Buffer
			err := Write(&out, b, payer, ts, created)
			var e *passnum.Error
			if !errors.As(err, &e) {
				t.Fatalf("Write: %v, want a *passnum.Error", err)
			}
			if e.Code != passnum.EINVALID || e.Field != tt.field || !strings.Contains(e.Message, tt.says) {
				t.Errorf("Write: code %q field %q message %q, want %q %q %q", e.Code, e.Field, e.Message, passnum.EINVALID, tt.field, tt.says)
			}
			if out.Len() != 0 {
				t.Errorf("Write wrote %d bytes before refusing", out.Len())
			}
		})
	}
}

// document is what the tests read back from a file.
type document struct {
	XMLName xml.Name `xml:"Document"`
	NS      string   `xml:"xmlns,attr"`
	GrpHdr  struct {
		MsgId    string
		CreDtTm  string
		NbOfTxs  string
		CtrlSum  string
		InitgPty struct{ Nm string }
	} `xml:"CstmrCdtTrfInitn>GrpHdr"`
	PmtInf []struct {
		PmtInfId    string
		PmtMtd      string
		BtchBookg   string
		NbOfTxs     string
		CtrlSum     string
		SvcLvl      string `xml:"PmtTpInf>SvcLvl>Cd"`
		ReqdExctnDt string `xml:"ReqdExctnDt>Dt"`
		Dbtr        string `xml:"Dbtr>Nm"`
		DbtrIBAN    string `xml:"DbtrAcct>Id>IBAN"`
		DbtrBIC     string `xml:"DbtrAgt>FinInstnId>BICFI"`
		DbtrAgtOthr string `xml:"DbtrAgt>FinInstnId>Othr>Id"`
		ChrgBr      string
		Tx          []struct {
			EndToEndId string `xml:"PmtId>EndToEndId"`
			Amt        struct {
				Ccy   string `xml:"Ccy,attr"`
				Value string `xml:",chardata"`
			} `xml:"Amt>InstdAmt"`
			Cdtr    string `xml:"Cdtr>Nm"`
			IBAN    string `xml:"CdtrAcct>Id>IBAN"`
			CdtrAgt *struct {
				BIC string `xml:"FinInstnId>BICFI"`
			}
			Ultimate string `xml:"UltmtCdtr>Nm"`
			RefType  string `xml:"RmtInf>Strd>CdtrRefInf>Tp>CdOrPrtry>Cd"`
			RefIssr  string `xml:"RmtInf>Strd>CdtrRefInf>Tp>Issr"`
			Ref      string `xml:"RmtInf>Strd>CdtrRefInf>Ref"`
		} `xml:"CdtTrfTxInf"`
	} `xml:"CstmrCdtTrfInitn>PmtInf"`
}

// cents reads an amount written with exactly two decimals, without float.
func cents(t *testing.T, s string) int64 {
	t.Helper()
	units, dec, ok := strings.Cut(s, ".")
	if !ok || len(dec) != 2 {
		t.Fatalf("amount %q: not two decimals", s)
	}
	n, err := strconv.ParseInt(units+dec, 10, 64)
	if err != nil || n < 0 {
		t.Fatalf("amount %q: %v", s, err)
	}
	return n
}

// formats are the message versions every test writes.
var formats = []passnum.PainFormat{passnum.PainEPC09, passnum.PainISO10}

func TestWriteReadBack(t *testing.T) {
	namespaces := map[passnum.PainFormat]string{
		passnum.PainEPC09: "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09",
		passnum.PainISO10: "urn:iso:std:iso:20022:tech:xsd:pain.001.001.10",
		"":                "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09", // the default
	}
	for format, ns := range namespaces {
		t.Run(string(format), func(t *testing.T) {
			b, payer, ts := sample(250)
			payer.Format = format
			ts[1].BIC = "" // SEPA needs no BIC: no creditor's bank then
			ts[2].UltimateCreditor = "Espace numérique du Val"
			ts[3].UltimateCreditor = ts[3].Creditor // nothing more to say
			var out bytes.Buffer
			if err := Write(&out, b, payer, ts, created); err != nil {
				t.Fatal(err)
			}
			var d document
			if err := xml.Unmarshal(out.Bytes(), &d); err != nil {
				t.Fatal(err)
			}
			if d.NS != ns {
				t.Errorf("namespace %q, want %q", d.NS, ns)
			}
			if d.GrpHdr.MsgId != b.MessageID || d.GrpHdr.CreDtTm != "2026-03-02T09:30:15+01:00" || d.GrpHdr.InitgPty.Nm != "Operateur du Pass numerique" {
				t.Errorf("group header %+v", d.GrpHdr)
			}
			if len(d.PmtInf) != 1 {
				t.Fatalf("%d PmtInf, want 1", len(d.PmtInf))
			}
			p := d.PmtInf[0]
			if p.PmtInfId != b.MessageID || p.PmtMtd != "TRF" || p.BtchBookg != "true" || p.SvcLvl != "SEPA" || p.ReqdExctnDt != "2026-03-05" ||
				p.Dbtr != "Operateur du Pass numerique" || p.DbtrIBAN != payer.IBAN || p.DbtrBIC != payer.BIC || p.DbtrAgtOthr != "" || p.ChrgBr != "SLEV" {
				t.Errorf("payment information %+v", p)
			}
			var sum int64
			for i, tx := range p.Tx {
				want := ts[i]
				got := cents(t, tx.Amt.Value)
				sum += got
				if tx.EndToEndId != want.EndToEndID || tx.Amt.Ccy != "EUR" || got != want.AmountCents || tx.IBAN != want.IBAN ||
					tx.RefType != "SCOR" || tx.RefIssr != "ISO" || tx.Ref != want.Reference || tx.Cdtr != Transliterate(want.Creditor) && len(tx.Cdtr) != maxNameLen {
					t.Errorf("transaction %d: %+v, from %+v", i, tx, want)
				}
				if i == 1 && tx.CdtrAgt != nil || i != 1 && (tx.CdtrAgt == nil || tx.CdtrAgt.BIC != want.BIC) {
					t.Errorf("transaction %d: creditor's bank %+v, BIC %q", i, tx.CdtrAgt, want.BIC)
				}
				if wantUltimate := map[int]string{2: "Espace numerique du Val"}[i]; tx.Ultimate != wantUltimate {
					t.Errorf("transaction %d: ultimate creditor %q, want %q", i, tx.Ultimate, wantUltimate)
				}
				if !clean(tx.Cdtr) || len(tx.Cdtr) > maxNameLen {
					t.Errorf("transaction %d: creditor %q", i, tx.Cdtr)
				}
			}
			if n := strconv.Itoa(len(ts)); d.GrpHdr.NbOfTxs != n || p.NbOfTxs != n || len(p.Tx) != len(ts) {
				t.Errorf("NbOfTxs %s and %s for %d transactions, want %s", d.GrpHdr.NbOfTxs, p.NbOfTxs, len(p.Tx), n)
			}
			if cents(t, d.GrpHdr.CtrlSum) != sum || cents(t, p.CtrlSum) != sum || sum != b.ControlSumCents {
				t.Errorf("CtrlSum %s and %s, the amounts sum to %d cents, the batch says %d", d.GrpHdr.CtrlSum, p.CtrlSum, sum, b.ControlSumCents)
			}
		})
	}
}

func TestWritePayerWithoutBIC(t *testing.T) {
	b, payer, ts := sample(2)
	payer.BIC = ""
	var out bytes.Buffer
	if err := Write(&out, b, payer, ts, created); err != nil {
		t.Fatal(err)
	}
	var d document
	if err := xml.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if p := d.PmtInf[0]; p.DbtrBIC != "" || p.DbtrAgtOthr != "NOTPROVIDED" {
		t.Errorf("payer's bank without BIC: BICFI %q, Othr %q, want NOTPROVIDED", p.DbtrBIC, p.DbtrAgtOthr)
	}
}

// TestWriteExample compares a small file of each format with
// testdata/example.FORMAT.xml, for people to read what Write produces
// (go test -run Example -update).
func TestWriteExample(t *testing.T) {
	for _, format := range formats {
		t.Run(string(format), func(t *testing.T) {
			b, payer, ts := sample(3)
			payer.Format = format
			ts[2].UltimateCreditor = "Forêt numérique de Brocéliande"
			var out bytes.Buffer
			if err := Write(&out, b, payer, ts, created); err != nil {
				t.Fatal(err)
			}
			golden := "testdata/example." + string(format) + ".xml"
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("Write differs from %s (go test -run Example -update rewrites it):\n%s", golden, out.Bytes())
			}
		})
	}
}

// edgeCases are batches at the bounds of what the EPC's guidelines allow.
// Each edit starts from sample(n).
var edgeCases = []struct {
	name string
	n    int
	edit func(b *passnum.PaymentBatch, payer *passnum.PayerAccount, ts []passnum.Transfer)
}{
	{"sample", 40, nil},
	{"amounts at the limits", 3, func(_ *passnum.PaymentBatch, _ *passnum.PayerAccount, ts []passnum.Transfer) {
		ts[0].AmountCents, ts[1].AmountCents, ts[2].AmountCents = 1, MaxAmountCents, MaxAmountCents-1
	}},
	{"control sum of a thousand largest transfers", 1000, func(_ *passnum.PaymentBatch, _ *passnum.PayerAccount, ts []passnum.Transfer) {
		for i := range ts {
			ts[i].AmountCents = MaxAmountCents
		}
	}},
	{"identifiers, names and reference at their longest", 3, func(b *passnum.PaymentBatch, payer *passnum.PayerAccount, ts []passnum.Transfer) {
		b.MessageID = "M" + strings.Repeat("0123456789", 3)[:29] + "-/?:Z"
		payer.Name = strings.Repeat("Coopérative numérique ", 5)
		ts[0].EndToEndID = strings.Repeat("E", 34) + "9"
		ts[0].Creditor = strings.Repeat("Médiathèque ", 10)
		ts[0].UltimateCreditor = strings.Repeat("Œuvre ", 20)
		ts[0].Reference = CreditorReference("000000000539007547034")
		ts[1].Creditor = strings.Repeat("é", 71) // cut within the transliteration
	}},
	{"accents and characters outside the set", 4, func(_ *passnum.PaymentBatch, payer *passnum.PayerAccount, ts []passnum.Transfer) {
		payer.Name = "Coopérative « Numérique » & Cie <script>"
		ts[0].Creditor = `Le "Cyber" <b>n° 3</b> ; l'Œil & la Forêt`
		ts[1].Creditor = "Ça Gère 🎉 北京 Łódź – Straße…"
		ts[2].Creditor = "Tiers\tlieu\u00a0de\u202fla Gare\r\n\x00\u202e"
		ts[3].UltimateCreditor = "Maison France Services d'Évry-Courcouronnes ™ ©"
	}},
	{"no BIC anywhere", 3, func(_ *passnum.PaymentBatch, payer *passnum.PayerAccount, ts []passnum.Transfer) {
		payer.BIC = ""
		for i := range ts {
			ts[i].BIC = ""
		}
	}},
	{"ten thousand transfers", 10_000, nil},
}

// build returns edge case c written in format f.
func build(t *testing.T, c int, f passnum.PainFormat) []byte {
	t.Helper()
	tc := edgeCases[c]
	b, payer, ts := sample(tc.n)
	payer.Format = f
	if tc.edit != nil {
		tc.edit(&b, &payer, ts)
	}
	b.ControlSumCents = 0
	for _, tr := range ts {
		b.ControlSumCents += tr.AmountCents
	}
	var out bytes.Buffer
	if err := Write(&out, b, payer, ts, created.UTC()); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestWriteValidatesAgainstSchemas writes every edge case in both formats
// and checks each file against the official schema of its format: the
// EPC's for pain.001.001.09, ISO's for pain.001.001.10.
func TestWriteValidatesAgainstSchemas(t *testing.T) {
	sepatest.Xmllint(t)
	for c, tc := range edgeCases {
		for _, f := range formats {
			t.Run(tc.name+"/"+string(f), func(t *testing.T) {
				sepatest.Validate(t, build(t, c, f), f)
			})
		}
	}
}

// TestWriteStaysWithinTheGuidelines checks, on every edge case, what the
// EPC's guidelines ask beyond their schema: texts in the basic Latin set,
// names of 70 characters at most, the structured remittance within 140
// characters.
func TestWriteStaysWithinTheGuidelines(t *testing.T) {
	text := regexp.MustCompile(`<\w+(?: [^>]*)?>([^<]*)</(\w+)>`)
	strd := regexp.MustCompile(`<Strd>(.*?)</Strd>`)
	for c, tc := range edgeCases {
		t.Run(tc.name, func(t *testing.T) {
			file := build(t, c, passnum.PainEPC09)
			body := file[bytes.Index(file, []byte("<Document")):]
			for _, m := range text.FindAllSubmatch(body, -1) {
				if value, tag := string(m[1]), string(m[2]); value == "" || !inCharset(value) {
					t.Fatalf("<%s> %q: outside the EPC's basic Latin set", tag, value)
				} else if tag == "Nm" && len(value) > maxNameLen {
					t.Fatalf("<Nm> %q: %d characters, more than 70", value, len(value))
				}
			}
			all := strd.FindAllSubmatch(body, -1)
			if len(all) != bytes.Count(body, []byte("<CdtTrfTxInf>")) {
				t.Fatalf("%d structured remittances on one line, for %d transfers", len(all), bytes.Count(body, []byte("<CdtTrfTxInf>")))
			}
			for _, m := range all {
				if len(m[1]) > 140 {
					t.Fatalf("structured remittance of %d characters, more than 140: %s", len(m[1]), m[1])
				}
			}
		})
	}
}

// TestSchemasRefuse shows that each schema check can fail, and that the
// EPC's schema holds rules ISO's does not.
func TestSchemasRefuse(t *testing.T) {
	sepatest.Xmllint(t)
	tests := []struct {
		name      string
		from, to  string
		refusedBy []passnum.PainFormat
	}{
		{"charges borne by all", "<ChrgBr>SLEV</ChrgBr>", "<ChrgBr>ALL</ChrgBr>", formats},
		{"charges shared, not SEPA", "<ChrgBr>SLEV</ChrgBr>", "<ChrgBr>SHAR</ChrgBr>", []passnum.PainFormat{passnum.PainEPC09}},
		{"a milliard euros", "<InstdAmt Ccy=\"EUR\">0.01<", "<InstdAmt Ccy=\"EUR\">1000000000.00<", []passnum.PainFormat{passnum.PainEPC09}},
		{"name of 71 characters", "<Nm>Operateur du Pass numerique</Nm>", "<Nm>" + strings.Repeat("N", 71) + "</Nm>", []passnum.PainFormat{passnum.PainEPC09}},
		{"service level not SEPA", "<Cd>SEPA</Cd>", "<Cd>NURG</Cd>", []passnum.PainFormat{passnum.PainEPC09}},
	}
	for _, tt := range tests {
		for _, f := range formats {
			t.Run(tt.name+"/"+string(f), func(t *testing.T) {
				file := build(t, 1, f) // amounts at the limits: the first is 0.01
				bad := bytes.Replace(file, []byte(tt.from), []byte(tt.to), 1)
				if bytes.Equal(bad, file) {
					t.Fatalf("%q is not in the file", tt.from)
				}
				err := sepatest.Check(t, bad, f)
				if refused := slices.Contains(tt.refusedBy, f); refused != (err != nil) {
					t.Errorf("refused %v, want %v: %v", err != nil, refused, err)
				}
			})
		}
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteReportsWriterErrors(t *testing.T) {
	b, payer, ts := sample(2000)
	for _, n := range []int{0, 100 << 10, 1 << 20} {
		err := Write(&failingWriter{n: n}, b, payer, ts, created)
		if err == nil || !strings.Contains(err.Error(), "disk full") || passnum.ErrorCode(err) != passnum.EINTERNAL {
			t.Errorf("after %d bytes: Write = %v, want the writer's error", n, err)
		}
	}
}

// BenchmarkWrite1M writes a batch of a million transfers.
func BenchmarkWrite1M(b *testing.B) {
	const n = 1_000_000
	batch, payer, ts := sample(n)
	var size countingWriter
	if err := Write(&size, batch, payer, ts, created); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := Write(io.Discard, batch, payer, ts, created); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
}

type countingWriter int

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
