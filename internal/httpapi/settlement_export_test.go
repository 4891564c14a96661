package httpapi

import "github.com/passnum/passnum"

// The schemas of settlement's requests and answers, for the OpenAPI test
// (export_test.go holds the others).
func init() {
	for name, v := range map[string]any{
		"SettlementRunCreate": settlementRunInput{},
		"StatementReject":     rejectInput{},
		"PaymentBatchCreate":  paymentBatchInput{},
		"PayerAccountInput":   payerAccountInput{},
	} {
		RequestSchemas[name] = v
	}
	for name, v := range map[string]any{
		"SettlementRun":     passnum.SettlementRun{},
		"SettlementRunPage": list[*passnum.SettlementRun]{},
		"Statement":         passnum.Statement{},
		"StatementPage":     list[*passnum.Statement]{},
		"StatementLine":     passnum.StatementLine{},
		"LineShare":         passnum.LineShare{},
		"PayerAccount":      passnum.PayerAccount{},
		"PaymentBatch":      passnum.PaymentBatch{},
		"PaymentBatchPage":  list[*passnum.PaymentBatch]{},
		"Transfer":          passnum.Transfer{},
		"TransferList":      transferList{},
		"FunderCharge":      passnum.FunderCharge{},
		"FunderChargePage":  list[*passnum.FunderCharge]{},
		"Reconciliation":    passnum.Reconciliation{},
		"CreditNote":        passnum.CreditNote{},
		"CreditNotePage":    list[*passnum.CreditNote]{},
		"IssuedCreditNotes": creditNoteList{},
	} {
		ResponseSchemas[name] = v
	}
}
