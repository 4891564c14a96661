package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/csvfile"
	"github.com/passnum/passnum/internal/httpx"
	"github.com/passnum/passnum/internal/pdf"
	"github.com/passnum/passnum/internal/sepa"
)

// Money out, in the operator's space: settlement runs for a cut-off date,
// the venues' statements to check and validate, the operator's own account,
// payment batches (their pain.001 file, then each transfer marked paid or
// rejected), and per programme the reconciliation and the credit notes.
// Venues read their statements under /lieu/releves, funders their charges
// and credit notes under /financeur/facturation. The service authorises
// every call and filters what each organisation sees.

// statementStates are the tabs of the operator's statements, in the order
// a statement moves through them.
var statementStates = []passnum.StatementState{passnum.StatementDraft, passnum.StatementValidated, passnum.StatementPaid, passnum.StatementRejected}

// settlementNav marks "Règlements" as the current item of the operator's
// menu on the pages it leads to (batches, statements, reconciliations),
// whose paths do not start with its own.
func settlementNav(v *view) {
	for i := range v.Nav {
		v.Nav[i].Current = v.Nav[i].Href == "/operateur/reglements"
	}
}

// statementTab is one state of the operator's list, with its count.
type statementTab struct {
	State passnum.StatementState
	Title string
	Count int
}

func statementTabTitle(st passnum.StatementState) string {
	switch st {
	case passnum.StatementDraft:
		return "À valider"
	case passnum.StatementValidated:
		return "Validés"
	case passnum.StatementPaid:
		return "Payés"
	case passnum.StatementRejected:
		return "Virements rejetés"
	}
	return "Tous"
}

// settlementsPage is the operator's settlement page.
type settlementsPage struct {
	Runs       []*passnum.SettlementRun
	Tabs       []statementTab
	State      passnum.StatementState
	Statements []*passnum.Statement
	Total      int
	// Unbatched counts the validated statements waiting for a batch, and
	// their amount.
	Unbatched      int
	UnbatchedCents int64
	Payer          *passnum.PayerAccount
	// Formats are the payer account's choices of file format, the
	// default first.
	Formats       []passnum.PainFormat
	DefaultFormat passnum.PainFormat
	Batches       []*passnum.PaymentBatch
	Programmes    []*passnum.Programme
	PageNo, Pages int
	PrevURL       string
	NextURL       string
}

const statementsPerPage = 50

func (s *Server) settlements(w http.ResponseWriter, r *http.Request) error {
	return s.settlementsView(w, r, s.newView(r, "Règlements des lieux", nil), http.StatusOK)
}

func (s *Server) settlementsView(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	ctx := r.Context()
	d := &settlementsPage{State: passnum.StatementState(r.URL.Query().Get("etat")), Formats: passnum.PainFormats, DefaultFormat: passnum.PainEPC09}
	if d.State != "" && statementTabTitle(d.State) == "Tous" {
		d.State = ""
	}
	var err error
	if d.Runs, err = s.svc.ListSettlementRuns(ctx); err != nil {
		return err
	}
	for _, st := range statementStates {
		_, n, err := s.svc.ListStatements(ctx, passnum.StatementFilter{State: st, Limit: 1})
		if err != nil {
			return err
		}
		d.Tabs = append(d.Tabs, statementTab{st, statementTabTitle(st), n})
	}
	if d.State == "" && r.URL.Query().Get("etat") == "" {
		// What needs doing first: the drafts, else the validated ones.
		d.State = passnum.StatementDraft
		if d.Tabs[0].Count == 0 && d.Tabs[1].Count > 0 {
			d.State = passnum.StatementValidated
		}
	}
	page := max(1, atoiDefault(r.URL.Query().Get("page"), 1))
	if d.Statements, d.Total, err = s.svc.ListStatements(ctx, passnum.StatementFilter{State: d.State, Offset: (page - 1) * statementsPerPage, Limit: statementsPerPage}); err != nil {
		return err
	}
	d.PageNo, d.Pages = page, (d.Total+statementsPerPage-1)/statementsPerPage
	link := func(p int) string {
		return fmt.Sprintf("/operateur/reglements?etat=%s&page=%d#releves", d.State, p)
	}
	if page > 1 {
		d.PrevURL = link(page - 1)
	}
	if page < d.Pages {
		d.NextURL = link(page + 1)
	}
	validated, err := s.allStatements(r, passnum.StatementFilter{State: passnum.StatementValidated})
	if err != nil {
		return err
	}
	for _, st := range validated {
		if st.BatchID == 0 {
			d.Unbatched++
			d.UnbatchedCents += st.AmountCents
		}
	}
	// An operator's agent reads the statements; the account and the
	// batches may be for its admins only.
	if d.Payer, err = s.svc.PayerAccount(ctx); err != nil && passnum.ErrorCode(err) != passnum.ENOTFOUND && passnum.ErrorCode(err) != passnum.EFORBIDDEN {
		return err
	}
	if d.Batches, err = s.svc.ListPaymentBatches(ctx); err != nil && passnum.ErrorCode(err) != passnum.EFORBIDDEN {
		return err
	}
	if d.Programmes, _, err = s.svc.ListProgrammes(ctx, passnum.ProgrammeFilter{Limit: 200}); err != nil {
		return err
	}
	if v.Form.Get("cut_off") == "" {
		v.Form.Set("cut_off", passnum.DefaultCutOff(s.now()))
	}
	if v.Form.Get("execution_date") == "" {
		v.Form.Set("execution_date", nextBusinessDay(s.now()))
	}
	if d.Payer != nil && v.Form.Get("payer_iban") == "" && v.Form.Get("payer_name") == "" {
		v.Form.Set("payer_name", d.Payer.Name)
		v.Form.Set("payer_iban", d.Payer.IBAN)
		v.Form.Set("payer_bic", d.Payer.BIC)
	}
	v.Data = d
	return s.render(w, r, status, "settlement_runs", v)
}

// nextBusinessDay is the default execution date of a batch: the next day
// from Monday to Friday, in Paris.
func nextBusinessDay(now time.Time) string {
	d, _ := time.Parse(passnum.DateLayout, passnum.Today(now))
	for d = d.AddDate(0, 0, 1); d.Weekday() == time.Saturday || d.Weekday() == time.Sunday; d = d.AddDate(0, 0, 1) {
	}
	return d.Format(passnum.DateLayout)
}

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

// allStatements reads every statement of a filter, page after page.
func (s *Server) allStatements(r *http.Request, f passnum.StatementFilter) ([]*passnum.Statement, error) {
	var out []*passnum.Statement
	f.Limit = 500
	for f.Offset = 0; ; f.Offset += f.Limit {
		page, total, err := s.svc.ListStatements(r.Context(), f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

// settlementFormError shows the settlement page again with a form's error.
func (s *Server) settlementFormError(w http.ResponseWriter, r *http.Request, err error, fields map[string]string) error {
	if passnum.ErrorCode(err) == passnum.EINTERNAL {
		return err
	}
	v := s.newView(r, "Règlements des lieux", nil)
	v.Form = r.PostForm
	v.addServiceError(err, fields)
	return s.settlementsView(w, r, v, errStatus(err))
}

func (s *Server) runSettlement(w http.ResponseWriter, r *http.Request) error {
	run, err := s.svc.RunSettlement(r.Context(), strings.TrimSpace(r.PostForm.Get("cut_off")))
	if err != nil {
		return s.settlementFormError(w, r, err, map[string]string{"cut_off": "cut_off", "cutoff": "cut_off"})
	}
	msg := fmt.Sprintf("Règlement au %s : %s %s pour %s %s, %s. Vérifiez-les puis validez-les.", passnum.FrenchDate(run.CutOff),
		passnum.FrenchNumber(int64(run.Statements)), pluralize(int64(run.Statements), "relevé", "relevés"),
		passnum.FrenchNumber(int64(run.Passes)), pluralize(int64(run.Passes), "pass", "pass"), passnum.FrenchEuros(run.AmountCents))
	if run.Statements == 0 {
		msg = fmt.Sprintf("Règlement au %s : aucun pass encaissé n'attendait d'être remboursé.", passnum.FrenchDate(run.CutOff))
	}
	return s.redirect(w, r, "/operateur/reglements?etat=draft#releves", msg)
}

// validateRun validates every draft statement of run {id}.
func (s *Server) validateRun(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Règlement")
	if err != nil {
		return err
	}
	drafts, err := s.allStatements(r, passnum.StatementFilter{RunID: id, State: passnum.StatementDraft})
	if err != nil {
		return err
	}
	var cents int64
	for _, st := range drafts {
		if _, err := s.svc.ValidateStatement(r.Context(), st.ID); err != nil {
			return s.settlementFormError(w, r, err, nil)
		}
		cents += st.AmountCents
	}
	msg := fmt.Sprintf("%s %s du règlement n°%d %s (%s). Créez maintenant un lot de virements.", passnum.FrenchNumber(int64(len(drafts))),
		pluralize(int64(len(drafts)), "relevé", "relevés"), id, pluralize(int64(len(drafts)), "validé", "validés"), passnum.FrenchEuros(cents))
	if len(drafts) == 0 {
		msg = fmt.Sprintf("Aucun relevé du règlement n°%d n'attendait d'être validé.", id)
	}
	return s.redirect(w, r, "/operateur/reglements?etat=validated#releves", msg)
}

func (s *Server) setPayerAccount(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	a := passnum.PayerAccount{Name: strings.TrimSpace(f.Get("payer_name")), IBAN: f.Get("payer_iban"), BIC: f.Get("payer_bic"),
		Format: passnum.PainFormat(f.Get("payer_format"))}
	if err := s.svc.SetPayerAccount(r.Context(), a); err != nil {
		return s.settlementFormError(w, r, err, map[string]string{"name": "payer_name", "holder": "payer_name", "iban": "payer_iban", "bic": "payer_bic", "format": "payer_format"})
	}
	return s.redirect(w, r, "/operateur/reglements#compte", "Compte de l'opérateur enregistré : les virements partiront de ce compte.")
}

func (s *Server) createPaymentBatch(w http.ResponseWriter, r *http.Request) error {
	b, err := s.svc.CreatePaymentBatch(r.Context(), strings.TrimSpace(r.PostForm.Get("execution_date")))
	if err != nil {
		return s.settlementFormError(w, r, err, map[string]string{"execution_date": "execution_date", "iban": "execution_date", "payer": "payer_iban"})
	}
	msg := fmt.Sprintf("Lot de virements n°%d créé : %s %s, %s, exécution le %s. Téléchargez le fichier pour votre banque.", b.ID,
		passnum.FrenchNumber(int64(b.Statements)), pluralize(int64(b.Statements), "virement", "virements"), passnum.FrenchEuros(b.ControlSumCents), passnum.FrenchDate(b.ExecutionDate))
	if len(b.Skipped) > 0 {
		msg += fmt.Sprintf(" Sans coordonnées bancaires, %s attend%s le prochain lot : %s.", pluralize(int64(len(b.Skipped)), "ce lieu", "ces lieux"),
			pluralize(int64(len(b.Skipped)), "", "ent"), strings.Join(b.Skipped, ", "))
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/virements/%d", b.ID), msg)
}

// findBatch returns batch {id}.
func (s *Server) findBatch(r *http.Request) (*passnum.PaymentBatch, error) {
	id, err := pathID(r, "id", "Lot de virements")
	if err != nil {
		return nil, err
	}
	b, err := s.svc.FindPaymentBatch(r.Context(), id)
	return b, httpx.NotFound(err, "Lot de virements n°%d introuvable.", id)
}

// batchRow is a transfer of a batch with the state of its statement.
type batchRow struct {
	passnum.Transfer
	Statement   *passnum.Statement
	GroupedIBAN string
}

func (s *Server) paymentBatch(w http.ResponseWriter, r *http.Request) error {
	return s.paymentBatchView(w, r, s.newView(r, "Lot de virements", nil), http.StatusOK)
}

func (s *Server) paymentBatchView(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	b, err := s.findBatch(r)
	if err != nil {
		return err
	}
	payer, transfers, err := s.svc.PaymentBatchTransfers(r.Context(), b.ID)
	if err != nil {
		return err
	}
	sts, err := s.allStatements(r, passnum.StatementFilter{BatchID: b.ID})
	if err != nil {
		return err
	}
	byID := make(map[int64]*passnum.Statement, len(sts))
	for _, x := range sts {
		byID[x.ID] = x
	}
	rows := make([]batchRow, len(transfers))
	open := 0
	for i, t := range transfers {
		rows[i] = batchRow{t, byID[t.StatementID], groupIBAN(t.IBAN)}
		if st := byID[t.StatementID]; st != nil && st.State == passnum.StatementValidated {
			open++
		}
	}
	v.Title = fmt.Sprintf("Lot de virements n°%d", b.ID)
	payerIBAN := ""
	if payer != nil {
		payerIBAN = groupIBAN(payer.IBAN)
	}
	v.Data = map[string]any{"Batch": b, "Payer": payer, "PayerIBAN": payerIBAN, "Rows": rows, "Open": open}
	settlementNav(v)
	return s.render(w, r, status, "settlement_batch", v)
}

// paymentFile answers the batch's SEPA credit transfer file (pain.001).
func (s *Server) paymentFile(w http.ResponseWriter, r *http.Request) error {
	b, err := s.findBatch(r)
	if err != nil {
		return err
	}
	payer, transfers, err := s.svc.PaymentBatchTransfers(r.Context(), b.ID)
	if err != nil {
		return err
	}
	if payer == nil {
		return passnum.Errorf(passnum.ECONFLICT, reasonNoPayer, "Enregistrez d'abord le compte de l'opérateur.")
	}
	var buf bytes.Buffer
	if err := sepa.Write(&buf, *b, *payer, transfers, s.now()); err != nil {
		return fmt.Errorf("batch %d pain.001: %w", b.ID, err)
	}
	return sendFile(w, "application/xml", fmt.Sprintf("virements-lot-%d-%s.xml", b.ID, b.ExecutionDate), buf.Bytes())
}

// sendFile answers a download built whole beforehand, so that a failure
// is still a proper error page.
func sendFile(w http.ResponseWriter, contentType, filename string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

// statementView is a statement's page: its facts, a page of its lines and
// what may be done with it.
type statementView struct {
	S        *passnum.Statement
	Lines    []passnum.StatementLine
	Base     string // the statement's address in the visitor's space
	Operator bool
	Batch    *passnum.PaymentBatch
	PageNo   int
	Pages    int
	PrevURL  string
	NextURL  string
}

const linesPerPage = 100

func (s *Server) statement(w http.ResponseWriter, r *http.Request) error {
	return s.statementPage(w, r, s.newView(r, "Relevé", nil), http.StatusOK)
}

func (s *Server) statementPage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	st, err := s.findStatement(r)
	if err != nil {
		return err
	}
	operator := visitorFrom(r).actor().IsOperator()
	d := &statementView{S: st, Operator: operator, Base: fmt.Sprintf("/lieu/releves/%d", st.ID)}
	if operator {
		settlementNav(v)
		d.Base = fmt.Sprintf("/operateur/releves/%d", st.ID)
		if st.BatchID != 0 {
			if d.Batch, err = s.svc.FindPaymentBatch(r.Context(), st.BatchID); err != nil {
				return err
			}
		}
	}
	d.Pages = max(1, (len(st.Lines)+linesPerPage-1)/linesPerPage)
	d.PageNo = min(max(1, atoiDefault(r.URL.Query().Get("page"), 1)), d.Pages)
	from := (d.PageNo - 1) * linesPerPage
	d.Lines = st.Lines[from:min(len(st.Lines), from+linesPerPage)]
	if d.PageNo > 1 {
		d.PrevURL = fmt.Sprintf("%s?page=%d#lignes", d.Base, d.PageNo-1)
	}
	if d.PageNo < d.Pages {
		d.NextURL = fmt.Sprintf("%s?page=%d#lignes", d.Base, d.PageNo+1)
	}
	v.Title = fmt.Sprintf("Relevé n°%d — %s", st.ID, st.VenueName)
	v.Data = d
	return s.render(w, r, status, "settlement_statement", v)
}

// findStatement reads statement {id} with its lines.
func (s *Server) findStatement(r *http.Request) (*passnum.Statement, error) {
	id, err := pathID(r, "id", "Relevé")
	if err != nil {
		return nil, err
	}
	return s.svc.FindStatement(r.Context(), id)
}

// statementMove answers the forms that move a statement, back to where
// the form was (the batch page or the statement page).
func (s *Server) statementMove(w http.ResponseWriter, r *http.Request, move func(id int64) (*passnum.Statement, error), message func(*passnum.Statement) string) error {
	id, err := pathID(r, "id", "Relevé")
	if err != nil {
		return err
	}
	st, err := move(id)
	back := safeNext(r.PostForm.Get("back"))
	if back == "" {
		back = fmt.Sprintf("/operateur/releves/%d", id)
	}
	if err != nil {
		if c := passnum.ErrorCode(err); c == passnum.EINTERNAL || c == passnum.ENOTFOUND {
			return err
		}
		return s.render(w, r, errStatus(err), "error", s.newView(r, errTitle(err), map[string]any{"Message": passnum.ErrorMessage(err), "Back": back}))
	}
	return s.redirect(w, r, back, message(st))
}

func (s *Server) validateStatement(w http.ResponseWriter, r *http.Request) error {
	return s.statementMove(w, r, func(id int64) (*passnum.Statement, error) { return s.svc.ValidateStatement(r.Context(), id) },
		func(st *passnum.Statement) string {
			return fmt.Sprintf("Relevé n°%d de %s validé (%s) : il partira dans le prochain lot de virements.", st.ID, st.VenueName, passnum.FrenchEuros(st.AmountCents))
		})
}

func (s *Server) markStatementPaid(w http.ResponseWriter, r *http.Request) error {
	return s.statementMove(w, r, func(id int64) (*passnum.Statement, error) { return s.svc.MarkPaid(r.Context(), id) },
		func(st *passnum.Statement) string {
			return fmt.Sprintf("Relevé n°%d de %s payé : %s. Ses pass sont remboursés.", st.ID, st.VenueName, passnum.FrenchEuros(st.AmountCents))
		})
}

func (s *Server) rejectStatement(w http.ResponseWriter, r *http.Request) error {
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if reason == "" {
		return s.statementMove(w, r, func(int64) (*passnum.Statement, error) {
			return nil, passnum.Invalid("reason", "Le motif du rejet est obligatoire : recopiez celui que donne la banque (par exemple « compte clos »).")
		}, nil)
	}
	return s.statementMove(w, r, func(id int64) (*passnum.Statement, error) { return s.svc.RejectStatement(r.Context(), id, reason) },
		func(st *passnum.Statement) string {
			return fmt.Sprintf("Virement du relevé n°%d de %s noté rejeté (motif : %s). Ses pass repartiront au prochain règlement.", st.ID, st.VenueName, reason)
		})
}

// statementPDF answers a statement as a PDF document.
func (s *Server) statementPDF(w http.ResponseWriter, r *http.Request) error {
	st, err := s.findStatement(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.StatementFor(r.Context(), s.svc, &buf, st, s.operatorName(r)); err != nil {
		return err
	}
	return sendFile(w, "application/pdf", fmt.Sprintf("releve-%d.pdf", st.ID), buf.Bytes())
}

// operatorName is the issuer printed on documents: the operator's
// organisation when the visitor belongs to it, else the name the server
// was given (Options.OperatorName).
func (s *Server) operatorName(r *http.Request) string {
	if info := visitorFrom(r).Info; info != nil && info.Actor.IsOperator() {
		for _, m := range info.User.Memberships {
			if m.OrgID == info.Session.OrgID && m.OrgName != "" {
				return m.OrgName
			}
		}
	}
	if s.operator != "" {
		return s.operator
	}
	return "Opérateur du Pass numérique"
}

// statementCSV answers a statement as CSV for a spreadsheet
// (internal/csvfile).
func (s *Server) statementCSV(w http.ResponseWriter, r *http.Request) error {
	st, err := s.findStatement(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := csvfile.Statement(&buf, st); err != nil {
		return err
	}
	return sendFile(w, "text/csv; charset=utf-8", fmt.Sprintf("releve-%d.csv", st.ID), buf.Bytes())
}

// Venues.

func (s *Server) venueStatements(w http.ResponseWriter, r *http.Request) error {
	page := max(1, atoiDefault(r.URL.Query().Get("page"), 1))
	sts, total, err := s.svc.ListStatements(r.Context(), passnum.StatementFilter{VenueID: visitorFrom(r).actor().OrgID, Offset: (page - 1) * statementsPerPage, Limit: statementsPerPage})
	if err != nil {
		return err
	}
	d := map[string]any{"Statements": sts, "Total": total, "PageNo": page, "Pages": (total + statementsPerPage - 1) / statementsPerPage, "PrevURL": "", "NextURL": ""}
	if page > 1 {
		d["PrevURL"] = fmt.Sprintf("/lieu/releves?page=%d", page-1)
	}
	if page*statementsPerPage < total {
		d["NextURL"] = fmt.Sprintf("/lieu/releves?page=%d", page+1)
	}
	return s.render(w, r, http.StatusOK, "settlement_venue", s.newView(r, "Mes relevés de remboursement", d))
}

// Programmes: reconciliation, funder charges and credit notes.

func (s *Server) programmeSettlement(w http.ResponseWriter, r *http.Request) error {
	return s.programmeSettlementView(w, r, s.newView(r, "Réconciliation", nil), http.StatusOK)
}

// passCount is a pass state with its count, in the order of the life of
// a pass.
type passCount struct {
	State passnum.PassState
	Label string
	Count int64
}

func passCounts(by map[passnum.PassState]int64) []passCount {
	var out []passCount
	seen := map[passnum.PassState]bool{}
	for _, st := range passnum.PassStates {
		seen[st] = true
		out = append(out, passCount{st, st.Label(), by[st]})
	}
	for st, n := range by {
		if !seen[st] {
			out = append(out, passCount{st, st.Label(), n})
		}
	}
	return out
}

func (s *Server) programmeSettlementView(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r, "id", "Programme")
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, err := s.svc.FindProgramme(ctx, id)
	if err != nil {
		return err
	}
	rec, err := s.svc.Reconcile(ctx, id)
	if err != nil {
		return err
	}
	charges, err := s.svc.ListFunderCharges(ctx, 0, id)
	if err != nil {
		return err
	}
	notes, err := s.svc.ListCreditNotes(ctx, 0, id)
	if err != nil {
		return err
	}
	var total int64
	for _, c := range rec.ByState {
		total += c
	}
	v.Title = "Réconciliation — " + p.Name
	settlementNav(v)
	live := rec.ByState[passnum.StateActivated] + rec.ByState[passnum.StateAllocated] + rec.ByState[passnum.StateDistributed] + rec.ByState[passnum.StateBlocked]
	v.Data = map[string]any{"P": p, "Rec": rec, "Counts": passCounts(rec.ByState), "Total": total, "Charges": charges, "Notes": notes,
		"Expired": !s.now().Before(p.ExpiresAfter()), "Live": live}
	return s.render(w, r, status, "settlement_programme", v)
}

func (s *Server) issueCreditNotes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Programme")
	if err != nil {
		return err
	}
	notes, err := s.svc.IssueCreditNotes(r.Context(), id)
	if err != nil {
		if c := passnum.ErrorCode(err); c == passnum.EINTERNAL || c == passnum.ENOTFOUND {
			return err
		}
		v := s.newView(r, "Réconciliation", nil)
		v.addServiceError(err, nil)
		return s.programmeSettlementView(w, r, v, errStatus(err))
	}
	var cents int64
	for _, n := range notes {
		cents += n.AmountCents
	}
	msg := fmt.Sprintf("%s %s %s, %s au total.", passnum.FrenchNumber(int64(len(notes))), pluralize(int64(len(notes)), "avoir", "avoirs"),
		pluralize(int64(len(notes)), "émis", "émis"), passnum.FrenchEuros(cents))
	if len(notes) == 0 {
		msg = "Aucun avoir à émettre : ils l'ont déjà été, ou aucun pass n'a expiré."
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/programmes/%d/reglement#avoirs", id), msg)
}

// expirePasses records the expiry of every pass past its programme's
// validity and tolerance (the same as "passnum expire"), so that the
// credit notes can be issued.
func (s *Server) expirePasses(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Programme")
	if err != nil {
		return err
	}
	res, err := s.svc.Expire(r.Context())
	if err != nil {
		if c := passnum.ErrorCode(err); c == passnum.EINTERNAL || c == passnum.ENOTFOUND {
			return err
		}
		v := s.newView(r, "Réconciliation", nil)
		v.addServiceError(err, nil)
		return s.programmeSettlementView(w, r, v, errStatus(err))
	}
	msg := fmt.Sprintf("%s %s %s.", passnum.FrenchNumber(res.Passes), pluralize(res.Passes, "pass", "pass"), pluralize(res.Passes, "expiré", "expirés"))
	if res.Passes == 0 {
		msg = "Aucun pass n'était à expirer."
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/programmes/%d/reglement#avoirs", id), msg)
}

// creditNotePDF answers credit note {id} as a PDF, among those the
// visitor may read.
func (s *Server) creditNotePDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Avoir")
	if err != nil {
		return err
	}
	n, err := s.svc.FindCreditNote(r.Context(), id) // a funder finds its own only
	if err != nil {
		return httpx.NotFound(err, "Avoir n°%d introuvable.", id)
	}
	var buf bytes.Buffer
	if err := pdf.CreditNoteFor(r.Context(), s.svc, &buf, n, s.operatorName(r)); err != nil {
		return err
	}
	return sendFile(w, "application/pdf", fmt.Sprintf("avoir-%d.pdf", n.ID), buf.Bytes())
}

// chargePDF answers funder charge {id} as a PDF, among those the visitor
// may read.
func (s *Server) chargePDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Appel de fonds")
	if err != nil {
		return err
	}
	c, err := s.svc.FindFunderCharge(r.Context(), id) // a funder finds its own only
	if err != nil {
		return httpx.NotFound(err, "Appel de fonds n°%d introuvable.", id)
	}
	var buf bytes.Buffer
	if err := pdf.FunderChargeFor(r.Context(), s.svc, &buf, c, s.operatorName(r)); err != nil {
		return err
	}
	return sendFile(w, "application/pdf", fmt.Sprintf("facturation-%d-%s.pdf", c.ID, c.Period), buf.Bytes())
}

// Funders.

// chargeGroup is a programme's charges and credit notes, for a funder.
type chargeGroup struct {
	Programme   *passnum.Programme
	Name        string
	Charges     []*passnum.FunderCharge
	Notes       []*passnum.CreditNote
	TotalCents  int64
	CreditCents int64
}

func (s *Server) funderBilling(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	org := visitorFrom(r).actor().OrgID
	charges, err := s.svc.ListFunderCharges(ctx, org, 0)
	if err != nil {
		return err
	}
	notes, err := s.svc.ListCreditNotes(ctx, org, 0)
	if err != nil {
		return err
	}
	progs, _, err := s.svc.ListProgrammes(ctx, passnum.ProgrammeFilter{Limit: 200})
	if err != nil && passnum.ErrorCode(err) != passnum.EFORBIDDEN {
		return err
	}
	programmes := make(map[int64]*passnum.Programme, len(progs))
	for _, p := range progs {
		programmes[p.ID] = p
	}
	var groups []*chargeGroup
	byProg := map[int64]*chargeGroup{}
	group := func(id int64) *chargeGroup {
		if g := byProg[id]; g != nil {
			return g
		}
		g := &chargeGroup{Name: fmt.Sprintf("Programme n°%d", id)}
		if p := programmes[id]; p != nil {
			g.Programme, g.Name = p, p.Name
		}
		byProg[id] = g
		groups = append(groups, g)
		return g
	}
	for _, c := range charges {
		g := group(c.ProgrammeID)
		g.Charges = append(g.Charges, c)
		g.TotalCents += c.TotalCents
	}
	for _, n := range notes {
		g := group(n.ProgrammeID)
		g.Notes = append(g.Notes, n)
		g.CreditCents += n.AmountCents
	}
	return s.render(w, r, http.StatusOK, "settlement_funder", s.newView(r, "Facturation", map[string]any{"Groups": groups}))
}
