package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/pdf"
)

// programmeRow is a programme with its figures, for tables.
type programmeRow struct {
	*passnum.Programme
	Stats *passnum.ProgrammeStats
	Alert *expiryAlert
}

// expiryAlert warns that a programme's passes expire within
// passnum.ExpiryAlertDays, with what is still unused.
type expiryAlert struct {
	Days          int
	ValidUntil    string
	ToleranceDays int
	Unused        int64 // handed out, not used
	Undistributed int64 // activated, not handed out
	Action        string
}

func newExpiryAlert(p *passnum.Programme, st *passnum.ProgrammeStats, now time.Time, action string) *expiryAlert {
	if !p.ExpiresSoon(now) {
		return nil
	}
	return &expiryAlert{Days: p.DaysLeft(now), ValidUntil: p.ValidUntil, ToleranceDays: p.ToleranceDays,
		Unused: st.Funnel.Distributed - st.Funnel.Redeemed, Undistributed: st.Funnel.Activated - st.Funnel.Distributed, Action: action}
}

func (s *Server) programmeRows(r *http.Request) ([]programmeRow, error) {
	progs, _, err := s.svc.ListProgrammes(r.Context(), passnum.ProgrammeFilter{Limit: 200})
	if err != nil {
		return nil, err
	}
	rows := make([]programmeRow, len(progs))
	for i, p := range progs {
		st, err := s.svc.ProgrammeStats(r.Context(), p.ID)
		if err != nil {
			return nil, err
		}
		rows[i] = programmeRow{p, st, newExpiryAlert(p, st, s.now(), "")}
	}
	return rows, nil
}

func (s *Server) operatorHome(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.programmeRows(r)
	if err != nil {
		return err
	}
	venues, _, err := s.svc.ListOrganisations(r.Context(), passnum.OrganisationFilter{Kind: passnum.KindVenue, Limit: 1000})
	if err != nil {
		return err
	}
	pending := 0
	for _, o := range venues {
		if o.Qualification == passnum.QualificationPending {
			pending++
		}
	}
	outbox, failed := 0, 0
	if visitorFrom(r).actor().Can(passnum.ActOutboxRead) {
		if _, outbox, err = s.svc.ListOutbox(r.Context(), passnum.OutboxFilter{Limit: 1, State: passnum.MailPending}); err != nil {
			return err
		}
		if _, failed, err = s.svc.ListOutbox(r.Context(), passnum.OutboxFilter{Limit: 1, State: passnum.MailFailed}); err != nil {
			return err
		}
	}
	rights, err := s.rightsDueSoon(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "operator_home", s.newView(r, "Tableau de bord de l'opérateur", map[string]any{
		"Programmes": rows, "Venues": len(venues), "Pending": pending, "Outbox": outbox, "OutboxFailed": failed, "Rights": rights,
	}))
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := s.newView(r, "Recherche", nil)
	v.Search = q
	if q == "" {
		v.Data = (*passnum.SearchResults)(nil)
		return s.render(w, r, http.StatusOK, "search", v)
	}
	res, err := s.svc.Search(r.Context(), q)
	if err != nil {
		return err
	}
	v.Title = "Recherche : " + q
	v.Data = res
	return s.render(w, r, http.StatusOK, "search", v)
}

// programmeFormData is what the programme creation form needs.
type programmeFormData struct {
	Funders []*passnum.Organisation
	Rows    []int // funder rows of the form
}

const funderRows = 4

func (s *Server) programmeForm(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Nouveau programme", nil)
	v.Form = url0(map[string]string{"face_value": "10", "carnet_size": "10", "tolerance_days": "31", "fee": "4", "share_1": "100"})
	v.Form["services"] = passnum.ServiceCategories
	return s.programmeFormPage(w, r, v, http.StatusOK)
}

func (s *Server) programmeFormPage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	funders, _, err := s.svc.ListOrganisations(r.Context(), passnum.OrganisationFilter{Kind: passnum.KindFunder, Limit: 1000})
	if err != nil {
		return err
	}
	rows := make([]int, funderRows)
	for i := range rows {
		rows[i] = i + 1
	}
	v.Data = &programmeFormData{Funders: funders, Rows: rows}
	return s.render(w, r, status, "programme_new", v)
}

// programmeFields maps the service's field names to the form's.
var programmeFields = map[string]string{
	"funders": "funder_1", "budget_cents": "budget", "face_value_cents": "face_value", "fee_bp": "fee",
	"territory": "territory_departements", "commune_insee": "territory_communes", "services": "services-0",
}

func (s *Server) createProgramme(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Nouveau programme", nil)
	v.Form = r.PostForm
	f := r.PostForm
	c := passnum.ProgrammeCreate{Name: f.Get("name"), ValidFrom: f.Get("valid_from"), ValidUntil: f.Get("valid_until"), Services: f["services"]}
	for i := 1; i <= funderRows; i++ {
		id, share := f.Get(fmt.Sprintf("funder_%d", i)), f.Get(fmt.Sprintf("share_%d", i))
		if id == "" && strings.TrimSpace(share) == "" {
			continue
		}
		fid, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			v.addError(fmt.Sprintf("funder_%d", i), fmt.Sprintf("Financeur n°%d : choisissez-le dans la liste.", i))
			continue
		}
		bp, err := passnum.ParsePercent(share)
		if err != nil {
			v.addError(fmt.Sprintf("share_%d", i), typedError(fmt.Sprintf("Part du financeur n°%d : indiquez un pourcentage, par exemple 50 ou 33,33.", i), share, err))
			continue
		}
		c.Funders = append(c.Funders, passnum.FunderShare{FunderID: fid, ShareBP: bp})
	}
	var err error
	if c.BudgetCents, err = passnum.ParseEuros(f.Get("budget")); err != nil {
		v.addError("budget", typedError("Indiquez le budget financé en euros, par exemple 50 000.", f.Get("budget"), err))
	}
	if c.FaceValueCents, err = passnum.ParseEuros(f.Get("face_value")); err != nil {
		v.addError("face_value", typedError("Indiquez la valeur d'un pass en euros, par exemple 10.", f.Get("face_value"), err))
	}
	if n, ok := parseCount(f.Get("carnet_size")); !ok {
		v.addError("carnet_size", "Indiquez le nombre de pass par carnet, par exemple 10.")
	} else {
		c.CarnetSize = int(min(n, 1000))
	}
	if n, ok := parseCount(f.Get("tolerance_days")); !ok {
		v.addError("tolerance_days", "Indiquez la tolérance en jours, par exemple 31.")
	} else {
		d := int(min(n, 10000))
		c.ToleranceDays = &d
	}
	if bp, err := passnum.ParsePercent(f.Get("fee")); err != nil {
		v.addError("fee", typedError("Indiquez les frais de gestion en pourcentage, par exemple 4.", f.Get("fee"), err))
	} else {
		c.FeeBP = &bp
	}
	for _, level := range []struct{ field, prefix string }{{"territory_regions", "region:"}, {"territory_departements", "departement:"}, {"territory_communes", "commune:"}} {
		for _, code := range splitCodes(strings.ToUpper(f.Get(level.field))) {
			c.Territory = append(c.Territory, level.prefix+code)
		}
	}
	if len(c.Services) == 0 {
		v.addError("services-0", "Cochez au moins un type de service financé.")
	}
	if v.Summary != nil {
		return s.programmeFormPage(w, r, v, http.StatusBadRequest)
	}
	p, err := s.svc.CreateProgramme(r.Context(), c)
	if err != nil {
		return sendBack(v, err, programmeFields, func(status int) error { return s.programmeFormPage(w, r, v, status) })
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/programmes/%d", p.ID),
		fmt.Sprintf("Programme « %s » créé. Enregistrez maintenant les fonds reçus, puis émettez les carnets.", p.Name))
}

// programmePage is the operator's page of a programme: figures, funds,
// batches, and the forms of the lifecycle.
type programmePage struct {
	P           *passnum.Programme
	Stats       *passnum.ProgrammeStats
	Orders      []*passnum.PaymentOrder
	Batches     []*passnum.Batch
	Prescribers []*passnum.Organisation
	// Capacity is how many more passes the funds received can activate.
	Capacity int64
	// Waiting counts the passes issued and not yet activated.
	Waiting int64
	Jobs    []*passnum.Job // its jobs still running, on any server
	Alert   *expiryAlert
}

func (s *Server) operatorProgramme(w http.ResponseWriter, r *http.Request) error {
	return s.programmePage(w, r, s.newView(r, "Programme", nil), http.StatusOK)
}

func (s *Server) programmePage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r, "id", "Programme")
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, err := s.svc.FindProgramme(ctx, id)
	if err != nil {
		return err
	}
	d := &programmePage{P: p}
	if d.Stats, err = s.svc.ProgrammeStats(ctx, id); err != nil {
		return err
	}
	if d.Orders, err = s.svc.ListPaymentOrders(ctx, id); err != nil {
		return err
	}
	if d.Batches, err = s.svc.ListBatches(ctx, id); err != nil {
		return err
	}
	if d.Prescribers, _, err = s.svc.ListOrganisations(ctx, passnum.OrganisationFilter{Kind: passnum.KindPrescriber, Limit: 1000}); err != nil {
		return err
	}
	d.Capacity = max(0, (passnum.ActivationCapacity(p.FundsReceived, p.FeeBP)-p.ActivatedCents)/p.FaceValueCents)
	d.Waiting = p.PassesByState[passnum.StateIssued]
	if d.Jobs, err = s.svc.RunningJobs(ctx, id); err != nil {
		return err
	}
	d.Alert = newExpiryAlert(p, d.Stats, s.now(), "Prévenez les prescripteurs, et bloquez le stock non remis s'il ne doit plus être distribué.")
	v.Title, v.Data = p.Name, d
	return s.render(w, r, status, "operator_programme", v)
}

// programmeFormError shows the programme page again with the error of one
// of its forms, on the form's field.
func (s *Server) programmeFormError(w http.ResponseWriter, r *http.Request, err error, fields map[string]string) error {
	if passnum.ErrorCode(err) == passnum.EINTERNAL {
		return err
	}
	v := s.newView(r, "Programme", nil)
	v.Form = r.PostForm
	v.addServiceError(err, fields)
	return s.programmePage(w, r, v, errStatus(err))
}

func (s *Server) recordFunds(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Programme")
	if err != nil {
		return err
	}
	f := r.PostForm
	c := passnum.FundsCreate{ProgrammeID: id, Reference: f.Get("funds_reference"), ReceivedOn: f.Get("funds_received_on")}
	fields := map[string]string{"funder_id": "funds_funder", "reference": "funds_reference", "amount_cents": "funds_amount", "received_on": "funds_received_on"}
	if c.FunderID, err = strconv.ParseInt(f.Get("funds_funder"), 10, 64); err != nil {
		return s.programmeFormError(w, r, passnum.Invalid("funder_id", "Choisissez le financeur qui a versé les fonds."), fields)
	}
	amount, err := passnum.ParseEuros(f.Get("funds_amount"))
	if err != nil {
		return s.programmeFormError(w, r, passnum.Invalid("amount_cents", "%s",
			typedError("Indiquez le montant reçu en euros, par exemple 26 000 ou 26 000,50.", f.Get("funds_amount"), err)), fields)
	}
	c.AmountCents = amount
	po, err := s.svc.RecordFunds(r.Context(), c)
	if err != nil {
		return s.programmeFormError(w, r, err, fields)
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/programmes/%d#fonds", id),
		fmt.Sprintf("Fonds enregistrés : %s reçus le %s (référence %s).", passnum.FrenchEuros(po.AmountCents), passnum.FrenchDate(po.ReceivedOn), po.Reference))
}

func (s *Server) activate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Programme")
	if err != nil {
		return err
	}
	f := r.PostForm
	req := passnum.ActivateRequest{ProgrammeID: id}
	fields := map[string]string{"batch_id": "activate_batch", "first_carnet": "activate_first", "last_carnet": "activate_last", "programme_id": "activate_batch"}
	if b := f.Get("activate_batch"); b != "" {
		req.BatchID, _ = strconv.ParseInt(b, 10, 64)
	} else {
		first, ok1 := parseCount(f.Get("activate_first"))
		last, ok2 := parseCount(f.Get("activate_last"))
		if !ok1 || !ok2 {
			return s.programmeFormError(w, r, passnum.Invalid("batch_id", "Choisissez un lot, ou indiquez le premier et le dernier numéro de carnet à activer."), fields)
		}
		req.FirstCarnet, req.LastCarnet = first, last
	}
	n, err := s.svc.Activate(r.Context(), req)
	if err != nil {
		return s.programmeFormError(w, r, err, fields)
	}
	msg := fmt.Sprintf("%s pass activés.", passnum.FrenchNumber(n))
	if n == 0 {
		msg = "Aucun pass à activer : ils l'étaient déjà."
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/programmes/%d#activation", id), msg)
}

func (s *Server) allocate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Programme")
	if err != nil {
		return err
	}
	f := r.PostForm
	fields := map[string]string{"prescriber_id": "allocate_prescriber", "first_carnet": "allocate_first", "last_carnet": "allocate_last", "carnets": "allocate_first"}
	prescriber, err := strconv.ParseInt(f.Get("allocate_prescriber"), 10, 64)
	if err != nil {
		return s.programmeFormError(w, r, passnum.Invalid("prescriber_id", "Choisissez le prescripteur qui reçoit les carnets."), fields)
	}
	first, ok1 := parseCount(f.Get("allocate_first"))
	last, ok2 := parseCount(f.Get("allocate_last"))
	if !ok1 {
		return s.programmeFormError(w, r, passnum.Invalid("first_carnet", "Indiquez le numéro du premier carnet."), fields)
	}
	if !ok2 || f.Get("allocate_last") == "" {
		last = first
	}
	n, err := s.svc.Allocate(r.Context(), passnum.AllocateRequest{PrescriberID: prescriber, FirstCarnet: first, LastCarnet: last})
	if err != nil {
		return s.programmeFormError(w, r, err, fields)
	}
	name := ""
	if o, err := s.svc.FindOrganisation(r.Context(), prescriber); err == nil {
		name = o.Name
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/programmes/%d#attribution", id),
		fmt.Sprintf("%s %s (n°%d à n°%d) attribués à %s.", passnum.FrenchNumber(int64(n)), pluralize(int64(n), "carnet", "carnets"), first, last, name))
}

func pluralize(n int64, one, many string) string {
	if n > 1 {
		return many
	}
	return one
}

// operatorBlock blocks or unblocks a pass, a carnet or a programme's
// stock, then goes back to the page the form was on.
func (s *Server) operatorBlock(w http.ResponseWriter, r *http.Request) error {
	req, back, err := blockRequest(r)
	if err == nil {
		var n int64
		if n, err = s.svc.Block(r.Context(), req); err == nil {
			return s.redirect(w, r, back, blockMessage(req, n))
		}
	}
	if passnum.ErrorCode(err) == passnum.EINTERNAL {
		return err
	}
	// Blocks are asked from the carnet page and the programme page: the
	// error is shown as a page of its own with the way back.
	return s.render(w, r, errStatus(err), "error", s.newView(r, errTitle(err), map[string]any{"Message": passnum.ErrorMessage(err), "Back": back}))
}

// blockRequest reads a block form: scope, the number it applies to, the
// reason, and whether it unblocks.
func blockRequest(r *http.Request) (passnum.BlockRequest, string, error) {
	f := r.PostForm
	req := passnum.BlockRequest{Scope: passnum.BlockScope(f.Get("scope")), Reason: f.Get("reason"), Unblock: f.Get("unblock") == "1"}
	back := safeNext(f.Get("back"))
	if back == "" {
		back = "/"
	}
	n, _ := parseCount(f.Get("number"))
	switch req.Scope {
	case passnum.BlockPass:
		req.Serial = n
		if serial, ok := parseCount(f.Get("serial")); ok && f.Get("serial") != "" {
			req.Serial = serial
		}
	case passnum.BlockCarnet:
		req.Carnet = n
	case passnum.BlockStock:
		req.ProgrammeID = n
	}
	return req, back, req.Validate()
}

func blockMessage(req passnum.BlockRequest, n int64) string {
	verb := "bloqués"
	if req.Unblock {
		verb = "débloqués"
	}
	if n == 0 {
		return "Aucun pass n'a changé : ils l'étaient déjà, ou ne pouvaient plus l'être."
	}
	return fmt.Sprintf("%s %s %s (motif : %s).", passnum.FrenchNumber(n), pluralize(n, "pass", "pass"), verb, req.Reason)
}

func (s *Server) exportPasses(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Lot")
	if err != nil {
		return err
	}
	if !visitorFrom(r).actor().Can(passnum.ActPassExport) {
		return passnum.Authorize(visitorFrom(r).actor(), passnum.ActPassExport)
	}
	// Headers are written with the first line: an error before it is
	// still a proper error page.
	cw := &lazyCSV{w: w, name: fmt.Sprintf("pass-lot-%d.csv", id)}
	if err := s.svc.ExportPasses(r.Context(), id, cw, nil); err != nil {
		if !cw.started {
			return err
		}
		if r.Context().Err() == nil { // else the person left: no failure of ours
			s.log.ErrorContext(r.Context(), "export cut short", "batch", id, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
	return nil
}

// printCarnets is the batch's carnets as a PDF for the printer: a letter
// to the person and the passes with their QR codes. The codes are secret:
// the answer is not cached.
func (s *Server) printCarnets(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Lot")
	if err != nil {
		return err
	}
	a := visitorFrom(r).actor()
	if err := passnum.Authorize(a, passnum.ActPassExport); err != nil {
		return err
	}
	var export bytes.Buffer
	if err := s.svc.ExportPasses(r.Context(), id, &export, nil); err != nil {
		return err
	}
	programmeID, err := pdf.ExportProgramme(export.Bytes())
	if err != nil {
		return err
	}
	programme, err := s.svc.FindProgramme(r.Context(), programmeID)
	if err != nil {
		return err
	}
	sheets, err := pdf.ReadExport(&export, programme)
	if err != nil {
		return err
	}
	operator, err := s.svc.FindOrganisation(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	var doc bytes.Buffer
	if err := pdf.Carnets(&doc, sheets, pdf.CarnetOptions{OperatorName: operator.Name, BaseURL: s.base.String(), Privacy: &s.privacy}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="carnets-lot-%d.pdf"`, id))
	_, err = w.Write(doc.Bytes())
	return err
}

// lazyCSV sets the download headers when the first bytes arrive.
type lazyCSV struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (c *lazyCSV) Write(p []byte) (int, error) {
	if !c.started {
		c.started = true
		h := c.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+c.name+`"`)
	}
	return c.w.Write(p)
}

func (s *Server) operatorCarnet(w http.ResponseWriter, r *http.Request) error {
	n, err := pathID(r, "number", "Carnet")
	if err != nil {
		return err
	}
	c, err := s.svc.FindCarnet(r.Context(), n)
	if err != nil {
		return err
	}
	p, err := s.svc.FindProgramme(r.Context(), c.ProgrammeID)
	if err != nil {
		return err
	}
	var prescriber *passnum.Organisation
	if c.PrescriberID != 0 {
		if prescriber, err = s.svc.FindOrganisation(r.Context(), c.PrescriberID); err != nil {
			return err
		}
	}
	venues := map[int64]string{}
	for _, ps := range c.Passes {
		if ps.VenueID != 0 && venues[ps.VenueID] == "" {
			if o, err := s.svc.FindOrganisation(r.Context(), ps.VenueID); err == nil {
				venues[ps.VenueID] = o.Name
			}
		}
	}
	return s.render(w, r, http.StatusOK, "operator_carnet", s.newView(r, fmt.Sprintf("Carnet n°%d", n), map[string]any{
		"Carnet": c, "Programme": p, "Prescriber": prescriber, "Venues": venues,
	}))
}

// operatorBeneficiary shows a person's record once the visitor has said
// why they open it (the field "motif"): the read and its reason go to the
// journal of consultations.
func (s *Server) operatorBeneficiary(w http.ResponseWriter, r *http.Request) error {
	ref := r.PathValue("ref")
	reason := strings.TrimSpace(r.URL.Query().Get("motif"))
	b, err := s.svc.FindBeneficiary(passnum.WithReadReason(r.Context(), reason), ref)
	if passnum.ErrorCode(err) == passnum.EINVALID {
		v := s.newView(r, "Consulter la fiche "+ref, map[string]any{"Ref": ref, "AskReason": true})
		v.Form.Set("motif", reason)
		status := http.StatusOK
		if reason != "" {
			v.addServiceError(err, map[string]string{"reason": "motif"})
			status = http.StatusBadRequest
		}
		return s.render(w, r, status, "operator_beneficiary", v)
	}
	if err != nil {
		return err
	}
	prescriber, err := s.svc.FindOrganisation(r.Context(), b.PrescriberID)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "operator_beneficiary", s.newView(r, "Bénéficiaire "+b.Ref, map[string]any{"B": b, "Prescriber": prescriber}))
}

// Organisations.

type orgListData struct {
	Communes []communeOption
	Orgs     []*passnum.Organisation
	Total    int
	Kind     passnum.OrgKind
	Kinds    []passnum.OrgKind
}

func (s *Server) organisations(w http.ResponseWriter, r *http.Request) error {
	return s.organisationsPage(w, r, s.newView(r, "Organisations", nil), http.StatusOK, nil)
}

func (s *Server) organisationsPage(w http.ResponseWriter, r *http.Request, v *view, status int, communes []communeOption) error {
	kind := passnum.OrgKind(r.URL.Query().Get("type"))
	if !kind.Valid() {
		kind = ""
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	orgs, total, err := s.svc.ListOrganisations(r.Context(), passnum.OrganisationFilter{Kind: kind, Query: q, Limit: 500})
	if err != nil {
		return err
	}
	if v.Form.Get("kind") == "" {
		v.Form.Set("kind", string(passnum.KindPrescriber))
	}
	if v.Form.Get("list_q") == "" {
		v.Form.Set("list_q", q)
	}
	v.Data = &orgListData{Communes: communes, Orgs: orgs, Total: total, Kind: kind, Kinds: passnum.OrgKinds}
	return s.render(w, r, status, "organisations", v)
}

var orgFields = map[string]string{"commune_insee": "commune", "qualification": "qualification"}

func (s *Server) createOrganisation(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Organisations", nil)
	v.Form = r.PostForm
	c := passnum.OrganisationCreate{Kind: passnum.OrgKind(v.Form.Get("kind")), Name: v.Form.Get("name"), SIRET: v.Form.Get("siret")}
	if c.Kind == passnum.KindVenue && v.Form.Get("qualified") == "1" {
		c.Qualification = passnum.QualificationQualified
	}
	insee, options := communeField(v, c.Kind == passnum.KindVenue)
	c.CommuneINSEE = insee
	if v.Summary != nil {
		return s.organisationsPage(w, r, v, http.StatusBadRequest, options)
	}
	o, err := s.svc.CreateOrganisation(r.Context(), c)
	if err != nil {
		return sendBack(v, err, orgFields, func(status int) error { return s.organisationsPage(w, r, v, status, nil) })
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/organisations/%d", o.ID),
		fmt.Sprintf("%s créé : %s. Ajoutez-lui maintenant ses membres.", capitalize(o.Kind.Label()), o.Name))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

type orgPage struct {
	Org      *passnum.Organisation
	Members  []*passnum.User
	Services []*passnum.CatalogueService
}

func (s *Server) organisation(w http.ResponseWriter, r *http.Request) error {
	return s.organisationPage(w, r, s.newView(r, "Organisation", nil), http.StatusOK)
}

func (s *Server) organisationPage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r, "id", "Organisation")
	if err != nil {
		return err
	}
	o, err := s.svc.FindOrganisation(r.Context(), id)
	if err != nil {
		return err
	}
	d := &orgPage{Org: o}
	if d.Members, err = s.svc.ListMembers(r.Context(), id); err != nil {
		return err
	}
	if o.Kind == passnum.KindVenue {
		if d.Services, err = s.svc.ListCatalogueServices(r.Context(), id); err != nil {
			return err
		}
	}
	for _, field := range []string{"role", "attach_role"} {
		if v.Form.Get(field) == "" {
			v.Form.Set(field, string(passnum.RoleAgent))
		}
	}
	v.Title, v.Data = o.Name, d
	return s.render(w, r, status, "organisation", v)
}

func (s *Server) createMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Organisation")
	if err != nil {
		return err
	}
	f := r.PostForm
	// The person is invited: they choose their password themselves with
	// the invitation's link (account_mail.go); nobody types it for them.
	u, err := s.svc.CreateUser(r.Context(), passnum.UserCreate{Email: f.Get("email"), Name: f.Get("name"), OrgID: id, Role: passnum.Role(f.Get("role"))})
	if err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		v := s.newView(r, "Organisation", nil)
		v.Form = f
		v.addServiceError(err, nil)
		return s.organisationPage(w, r, v, errStatus(err))
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/organisations/%d#membres", id), invitedMessage(u))
}

// attachMember gives a person who already has an account a role in one
// more organisation: they then switch between them after logging in.
func (s *Server) attachMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Organisation")
	if err != nil {
		return err
	}
	f := r.PostForm
	fail := func(err error) error {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		v := s.newView(r, "Organisation", nil)
		v.Form = f
		v.addServiceError(err, map[string]string{"email": "attach_email", "role": "attach_email"})
		return s.organisationPage(w, r, v, errStatus(err))
	}
	u, err := s.svc.FindUserByEmail(r.Context(), f.Get("attach_email"))
	if err != nil {
		return fail(err)
	}
	if err := s.svc.AddMembership(r.Context(), u.ID, id, passnum.Role(f.Get("attach_role"))); err != nil {
		return fail(err)
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/organisations/%d#membres", id),
		fmt.Sprintf("%s (%s) fait maintenant partie de cette organisation : après sa connexion, elle choisira sa structure avec « Changer de structure ».", u.Name, u.Email))
}

func (s *Server) outbox(w http.ResponseWriter, r *http.Request) error {
	msgs, total, err := s.svc.ListOutbox(r.Context(), passnum.OutboxFilter{Limit: 100})
	if err != nil {
		return err
	}
	title := "Courriels en attente"
	if s.mailSending {
		title = "Courriels"
	}
	return s.render(w, r, http.StatusOK, "outbox", s.newView(r, title, map[string]any{"Messages": msgs, "Total": total, "Sending": s.mailSending}))
}
