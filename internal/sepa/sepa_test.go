package sepa

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
)

var update = flag.Bool("update", false, "rewrite testdata/example.xml")

// xsd is the official schema of Version (see testdata/README.md).
const xsd = "testdata/" + Version + ".xsd"

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
	payer := passnum.PayerAccount{Name: "Opérateur du Pass numérique", IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP882"}
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
		ChrgBr      string
		Tx          []struct {
			EndToEndId string `xml:"PmtId>EndToEndId"`
			Amt        struct {
				Ccy   string `xml:"Ccy,attr"`
				Value string `xml:",chardata"`
			} `xml:"Amt>InstdAmt"`
			Cdtr    string `xml:"Cdtr>Nm"`
			IBAN    string `xml:"CdtrAcct>Id>IBAN"`
			BIC     string `xml:"CdtrAgt>FinInstnId>BICFI"`
			RefType string `xml:"RmtInf>Strd>CdtrRefInf>Tp>CdOrPrtry>Cd"`
			Ref     string `xml:"RmtInf>Strd>CdtrRefInf>Ref"`
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

func TestWriteReadBack(t *testing.T) {
	b, payer, ts := sample(250)
	var out bytes.Buffer
	if err := Write(&out, b, payer, ts, created); err != nil {
		t.Fatal(err)
	}
	var d document
	if err := xml.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if d.NS != Namespace || Namespace != "urn:iso:std:iso:20022:tech:xsd:pain.001.001.10" {
		t.Errorf("namespace %q", d.NS)
	}
	if d.GrpHdr.MsgId != b.MessageID || d.GrpHdr.CreDtTm != "2026-03-02T09:30:15+01:00" || d.GrpHdr.InitgPty.Nm != "Operateur du Pass numerique" {
		t.Errorf("group header %+v", d.GrpHdr)
	}
	if len(d.PmtInf) != 1 {
		t.Fatalf("%d PmtInf, want 1", len(d.PmtInf))
	}
	p := d.PmtInf[0]
	if p.PmtInfId != b.MessageID || p.PmtMtd != "TRF" || p.BtchBookg != "true" || p.SvcLvl != "SEPA" || p.ReqdExctnDt != "2026-03-05" ||
		p.Dbtr != "Operateur du Pass numerique" || p.DbtrIBAN != payer.IBAN || p.DbtrBIC != payer.BIC || p.ChrgBr != "SLEV" {
		t.Errorf("payment information %+v", p)
	}
	var sum int64
	for i, tx := range p.Tx {
		want := ts[i]
		got := cents(t, tx.Amt.Value)
		sum += got
		if tx.EndToEndId != want.EndToEndID || tx.Amt.Ccy != "EUR" || got != want.AmountCents || tx.IBAN != want.IBAN || tx.BIC != want.BIC ||
			tx.RefType != "SCOR" || tx.Ref != want.Reference || tx.Cdtr != Transliterate(want.Creditor) && len(tx.Cdtr) != maxNameLen {
			t.Errorf("transaction %d: %+v, from %+v", i, tx, want)
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
}

// TestWriteExample compares a small file with testdata/example.xml, for
// people to read what Write produces (go test -run Example -update).
func TestWriteExample(t *testing.T) {
	b, payer, ts := sample(3)
	var out bytes.Buffer
	if err := Write(&out, b, payer, ts, created); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/example.xml"
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
}

// xmllint returns the path of xmllint. Without it the test is skipped on
// a developer's machine, but fails under CI (CI set, as .ci/run does):
// the files must be checked against the official schema.
func xmllint(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("xmllint is missing (Debian: apt-get install libxml2-utils); under CI this test fails")
		}
		t.Fatal("xmllint is missing: the pain.001 files cannot be checked against the schema (Debian: apt-get install libxml2-utils)")
	}
	return path
}

func TestWriteValidatesAgainstSchema(t *testing.T) {
	lint := xmllint(t)
	dir := t.TempDir()
	validate := func(name string, content []byte) error {
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, content, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(lint, "--noout", "--schema", xsd, file).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%w: %s", err, out)
		}
		return nil
	}

	b, payer, ts := sample(40)
	ts[0].AmountCents, ts[1].AmountCents = 1, MaxAmountCents
	ts[2].Creditor = strings.Repeat("Médiathèque ", 10) // cut at 70 characters
	ts[3].Reference = CreditorReference("000000000539007547034")
	b.ControlSumCents = 0
	for _, tr := range ts {
		b.ControlSumCents += tr.AmountCents
	}
	var out bytes.Buffer
	if err := Write(&out, b, payer, ts, created.UTC()); err != nil {
		t.Fatal(err)
	}
	if err := validate("batch.xml", out.Bytes()); err != nil {
		t.Errorf("%s: %v", xsd, err)
	}
	// The check must be able to fail: a file the schema refuses.
	bad := bytes.Replace(out.Bytes(), []byte("<ChrgBr>SLEV</ChrgBr>"), []byte("<ChrgBr>ALL</ChrgBr>"), 1)
	if err := validate("bad.xml", bad); err == nil {
		t.Errorf("xmllint accepted a file with ChrgBr ALL")
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
