// Package sepa writes the ISO 20022 customer credit transfer initiation
// files (pain.001) that pay venues' statements by SEPA credit transfer:
// one file per passnum.PaymentBatch, one transaction per statement, which
// the operator uploads to its bank.
//
// The file is written as it goes, one transaction at a time, so a batch of
// a million transfers needs no more memory than its inputs: every input is
// checked first (Write refuses the whole batch, naming the statement at
// fault, rather than send a file the bank would reject half of), then the
// header with the control sums, then the transactions.
//
// The message is the version the payer account asks for (FormatOf):
// pain.001.001.09 under the European Payments Council's SEPA Credit
// Transfer customer-to-bank implementation guidelines (EPC132-08, 2023
// rulebook) by default, the version most French banks ask for, or ISO's
// pain.001.001.10. Both carry the same elements here, only the namespace
// differs; the tests check every file they write against the EPC's
// schema and ISO's (see testdata/README.md).
//
// Only what the EPC's guidelines allow is written, so that one file suits
// both: service level SEPA, charges shared (SLEV) at the payment level,
// batch booking, amounts in euros from 0.01 to 999 999 999.99, accounts by
// IBAN, banks by BIC when it is known (the BIC is optional in SEPA: the
// payer's bank is then "NOTPROVIDED", the creditor's left out), names of
// 70 characters at most in the EPC's basic Latin character set (see
// Transliterate), identifiers checked against the same set, the venue as
// ultimate creditor when the account's holder bears another name, and
// the remittance as a structured ISO 11649 creditor reference (SCOR,
// issuer ISO), written on one line so that the structured part stays
// within the guidelines' 140 characters, so that the venue's accounting
// can match the transfer to its statement.
package sepa

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/passnum/passnum"
)

// FormatOf returns the message version of payer's files: its Format, or
// passnum.PainEPC09 when it has none.
func FormatOf(payer passnum.PayerAccount) passnum.PainFormat {
	if payer.Format == "" {
		return passnum.PainEPC09
	}
	return payer.Format
}

// Namespace returns the XML namespace of the messages of format f.
func Namespace(f passnum.PainFormat) string { return "urn:iso:std:iso:20022:tech:xsd:" + string(f) }

const (
	// MaxAmountCents is the largest amount of one SEPA credit transfer,
	// 999 999 999,99 €.
	MaxAmountCents = 99_999_999_999
	// maxControlSumCents keeps control sums within the 18 digits of the
	// schema's DecimalNumber.
	maxControlSumCents = 999_999_999_999_999_999
	// maxIDLen is the length of the schema's Max35Text identifiers.
	maxIDLen = 35
	// maxNameLen is the length of names under the EPC's guidelines
	// (the schema allows 140, SEPA 70).
	maxNameLen = 70
)

// Write writes the pain.001 file of batch b, in the payer's format
// (FormatOf): the payer's account, then one transaction per transfer, in
// order. created dates the message (CreDtTm). Every input is checked
// before a byte is written: a problem returns a *passnum.Error of code
// EINVALID naming the statement at fault (or the batch, or the payer).
// Other errors come from w.
//
// The batch's Statements and ControlSumCents must match the transfers.
// Names are transliterated into the EPC's character set and cut at 70
// characters; identifiers (MessageID, EndToEndID) must already be in it.
// BICs may be empty. A transfer's UltimateCreditor is written only when
// it reads differently from its Creditor.
// Transfer.Period is not written: a SEPA transfer carries either a
// structured or an unstructured remittance, not both, and the creditor
// reference already names the statement.
func Write(w io.Writer, b passnum.PaymentBatch, payer passnum.PayerAccount, transfers []passnum.Transfer, created time.Time) error {
	sum, err := check(b, payer, transfers)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	buf := make([]byte, 0, 4096)
	buf = appendHeader(buf, FormatOf(payer), b, payer, len(transfers), sum, created)
	if _, err := bw.Write(buf); err != nil {
		return fmt.Errorf("sepa: write batch %s: %w", b.MessageID, err)
	}
	for i := range transfers {
		buf = appendTransfer(buf[:0], &transfers[i])
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("sepa: write batch %s: %w", b.MessageID, err)
		}
	}
	bw.WriteString("    </PmtInf>\n  </CstmrCdtTrfInitn>\n</Document>\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sepa: write batch %s: %w", b.MessageID, err)
	}
	return nil
}

// check validates every input and returns the control sum in cents.
func check(b passnum.PaymentBatch, payer passnum.PayerAccount, transfers []passnum.Transfer) (int64, error) {
	if err := checkID(b.MessageID); err != nil {
		return 0, passnum.Invalid("message_id", "Lot de paiement : l'identifiant du message « %s » %s.", b.MessageID, err)
	}
	if d, err := time.Parse(time.DateOnly, b.ExecutionDate); err != nil || d.Format(time.DateOnly) != b.ExecutionDate {
		return 0, passnum.Invalid("execution_date", "Lot de paiement %s : la date d'exécution « %s » n'est pas une date AAAA-MM-JJ.", b.MessageID, b.ExecutionDate)
	}
	if f := FormatOf(payer); !f.Valid() {
		return 0, passnum.Invalid("format", "Compte de l'opérateur : le format « %s » n'est ni %s ni %s.", f, passnum.PainEPC09, passnum.PainISO10)
	}
	var scratch [maxNameLen]byte
	if len(appendText(scratch[:0], payer.Name, maxNameLen)) == 0 {
		return 0, passnum.Invalid("name", "Compte de l'opérateur : le titulaire n'a pas de nom écrit en lettres latines.")
	}
	if err := passnum.ValidateIBAN(payer.IBAN); err != nil {
		return 0, reword(err, "Compte de l'opérateur : ")
	}
	if err := checkBIC(payer.BIC); err != nil {
		return 0, reword(err, "Compte de l'opérateur : ")
	}
	if len(transfers) == 0 {
		return 0, passnum.Invalid("transfers", "Lot de paiement %s : il ne contient aucun virement.", b.MessageID)
	}

	seen := make(map[string]int, len(transfers)) // EndToEndID → index
	var sum int64
	for i := range transfers {
		t := &transfers[i]
		if err := checkID(t.EndToEndID); err != nil {
			return 0, passnum.Invalid("end_to_end_id", "%sl'identifiant de bout en bout « %s » %s.", statementAt(t), t.EndToEndID, err)
		}
		if j, dup := seen[t.EndToEndID]; dup {
			return 0, passnum.Invalid("end_to_end_id", "%sl'identifiant de bout en bout « %s » est déjà celui du relevé n°%d.", statementAt(t), t.EndToEndID, transfers[j].StatementID)
		}
		seen[t.EndToEndID] = i
		if len(appendText(scratch[:0], t.Creditor, maxNameLen)) == 0 {
			return 0, passnum.Invalid("creditor", "%sle titulaire du compte n'a pas de nom écrit en lettres latines.", statementAt(t))
		}
		if err := passnum.ValidateIBAN(t.IBAN); err != nil {
			return 0, reword(err, statementAt(t))
		}
		if err := checkBIC(t.BIC); err != nil {
			return 0, reword(err, statementAt(t))
		}
		if t.AmountCents <= 0 || t.AmountCents > MaxAmountCents {
			return 0, passnum.Invalid("amount_cents", "%sle montant de %s n'est pas entre %s et %s.", statementAt(t), passnum.FrenchEuros(t.AmountCents), passnum.FrenchEuros(1), passnum.FrenchEuros(MaxAmountCents))
		}
		if sum += t.AmountCents; sum > maxControlSumCents {
			return 0, passnum.Invalid("transfers", "Lot de paiement %s : le total dépasse ce qu'un fichier peut porter ; répartissez les relevés en plusieurs lots.", b.MessageID)
		}
		if !ValidCreditorReference(t.Reference) {
			return 0, passnum.Invalid("reference", "%sla référence « %s » n'est pas une référence de créancier ISO 11649 (RF…).", statementAt(t), t.Reference)
		}
	}
	if b.Statements != len(transfers) || b.ControlSumCents != sum {
		return 0, passnum.Invalid("transfers", "Lot de paiement %s : il annonce %d relevés pour %s, ses virements en comptent %d pour %s.",
			b.MessageID, b.Statements, passnum.FrenchEuros(b.ControlSumCents), len(transfers), passnum.FrenchEuros(sum))
	}
	return sum, nil
}

// checkBIC checks a BIC, which may be empty: SEPA does not require it.
func checkBIC(bic string) error {
	if bic == "" {
		return nil
	}
	return passnum.ValidateBIC(bic)
}

// statementAt begins the message of an error about transfer t.
func statementAt(t *passnum.Transfer) string {
	return fmt.Sprintf("Relevé n°%d (%s) : ", t.StatementID, t.Creditor)
}

// checkID checks an identifier against the EPC's rules: 1 to 35
// characters of the basic Latin set, no "/" at either end, no "//".
func checkID(id string) error {
	switch {
	case id == "" || len(id) > maxIDLen:
		return errors.New("doit compter de 1 à 35 caractères")
	case !inCharset(id):
		return errors.New("ne peut compter que des lettres sans accent, des chiffres, des espaces et / - ? : ( ) . , ' +")
	case id[0] == '/' || id[len(id)-1] == '/' || containsSlashes(id):
		return errors.New("ne peut ni commencer ni finir par « / », ni contenir « // »")
	}
	return nil
}

func containsSlashes(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] == '/' && s[i-1] == '/' {
			return true
		}
	}
	return false
}

// reword prefixes the message of an IBAN or BIC error with who it is about.
func reword(err error, at string) error {
	var e *passnum.Error
	if !errors.As(err, &e) {
		return err
	}
	return passnum.Invalid(e.Field, "%s%s", at, e.Message)
}

// appendHeader appends the XML declaration, the group header and the
// payment information up to its first transaction. Every value written
// has been checked: none needs escaping.
func appendHeader(buf []byte, f passnum.PainFormat, b passnum.PaymentBatch, payer passnum.PayerAccount, n int, sum int64, created time.Time) []byte {
	buf = append(buf, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Document xmlns="`...)
	buf = append(buf, Namespace(f)...)
	buf = append(buf, `">`+"\n  <CstmrCdtTrfInitn>\n    <GrpHdr>\n      <MsgId>"...)
	buf = append(buf, b.MessageID...)
	buf = append(buf, "</MsgId>\n      <CreDtTm>"...)
	buf = created.Truncate(time.Second).AppendFormat(buf, time.RFC3339)
	buf = append(buf, "</CreDtTm>\n      <NbOfTxs>"...)
	buf = strconv.AppendInt(buf, int64(n), 10)
	buf = append(buf, "</NbOfTxs>\n      <CtrlSum>"...)
	buf = appendAmount(buf, sum)
	buf = append(buf, "</CtrlSum>\n      <InitgPty>\n        <Nm>"...)
	buf = appendText(buf, payer.Name, maxNameLen)
	buf = append(buf, "</Nm>\n      </InitgPty>\n    </GrpHdr>\n    <PmtInf>\n      <PmtInfId>"...)
	buf = append(buf, b.MessageID...)
	buf = append(buf, "</PmtInfId>\n      <PmtMtd>TRF</PmtMtd>\n      <BtchBookg>true</BtchBookg>\n      <NbOfTxs>"...)
	buf = strconv.AppendInt(buf, int64(n), 10)
	buf = append(buf, "</NbOfTxs>\n      <CtrlSum>"...)
	buf = appendAmount(buf, sum)
	buf = append(buf, "</CtrlSum>\n      <PmtTpInf>\n        <SvcLvl>\n          <Cd>SEPA</Cd>\n        </SvcLvl>\n      </PmtTpInf>\n      <ReqdExctnDt>\n        <Dt>"...)
	buf = append(buf, b.ExecutionDate...)
	buf = append(buf, "</Dt>\n      </ReqdExctnDt>\n      <Dbtr>\n        <Nm>"...)
	buf = appendText(buf, payer.Name, maxNameLen)
	buf = append(buf, "</Nm>\n      </Dbtr>\n      <DbtrAcct>\n        <Id>\n          <IBAN>"...)
	buf = append(buf, payer.IBAN...)
	buf = append(buf, "</IBAN>\n        </Id>\n      </DbtrAcct>\n      <DbtrAgt>\n        <FinInstnId>\n"...)
	if payer.BIC != "" {
		buf = append(buf, "          <BICFI>"...)
		buf = append(buf, payer.BIC...)
		buf = append(buf, "</BICFI>\n"...)
	} else {
		// The payer's bank must be named: without its BIC, the
		// guidelines' only other identification.
		buf = append(buf, "          <Othr>\n            <Id>NOTPROVIDED</Id>\n          </Othr>\n"...)
	}
	buf = append(buf, "        </FinInstnId>\n      </DbtrAgt>\n      <ChrgBr>SLEV</ChrgBr>\n"...)
	return buf
}

// appendTransfer appends one CdtTrfTxInf. The schema orders the
// creditor's bank (CdtrAgt, left out without a BIC, as the guidelines
// ask) before the creditor, and the ultimate creditor after its account.
func appendTransfer(buf []byte, t *passnum.Transfer) []byte {
	buf = append(buf, "      <CdtTrfTxInf>\n        <PmtId>\n          <EndToEndId>"...)
	buf = append(buf, t.EndToEndID...)
	buf = append(buf, "</EndToEndId>\n        </PmtId>\n        <Amt>\n          <InstdAmt Ccy=\"EUR\">"...)
	buf = appendAmount(buf, t.AmountCents)
	buf = append(buf, "</InstdAmt>\n        </Amt>\n"...)
	if t.BIC != "" {
		buf = append(buf, "        <CdtrAgt>\n          <FinInstnId>\n            <BICFI>"...)
		buf = append(buf, t.BIC...)
		buf = append(buf, "</BICFI>\n          </FinInstnId>\n        </CdtrAgt>\n"...)
	}
	buf = append(buf, "        <Cdtr>\n          <Nm>"...)
	start := len(buf)
	buf = appendText(buf, t.Creditor, maxNameLen)
	creditor := buf[start:]
	buf = append(buf, "</Nm>\n        </Cdtr>\n        <CdtrAcct>\n          <Id>\n            <IBAN>"...)
	buf = append(buf, t.IBAN...)
	buf = append(buf, "</IBAN>\n          </Id>\n        </CdtrAcct>\n"...)
	if t.UltimateCreditor != "" {
		mark := len(buf)
		buf = append(buf, "        <UltmtCdtr>\n          <Nm>"...)
		start := len(buf)
		buf = appendText(buf, t.UltimateCreditor, maxNameLen)
		if ultimate := buf[start:]; len(ultimate) == 0 || string(ultimate) == string(creditor) {
			buf = buf[:mark] // nothing the creditor's name does not say
		} else {
			buf = append(buf, "</Nm>\n        </UltmtCdtr>\n"...)
		}
	}
	// The structured remittance on one line: the guidelines count the
	// characters of its tags and data, at most 140 (here 122 with the
	// longest reference).
	buf = append(buf, "        <RmtInf>\n          <Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>"...)
	buf = append(buf, t.Reference...)
	buf = append(buf, "</Ref></CdtrRefInf></Strd>\n        </RmtInf>\n      </CdtTrfTxInf>\n"...)
	return buf
}

// appendAmount appends a non-negative amount of cents in euros with
// exactly two decimals and a full stop ("0.01", "1234567.89"), from the
// integer: no float is ever involved.
func appendAmount(buf []byte, cents int64) []byte {
	buf = strconv.AppendInt(buf, cents/100, 10)
	c := cents % 100
	return append(buf, '.', byte('0'+c/10), byte('0'+c%10))
}
