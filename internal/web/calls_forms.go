package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// The forms of a call for projects' funder, from the call to the money
// in (issue 18): open a call, turn a selected application into a
// convention, record its signatures, change it by an addendum, call each
// party for its funds; and the operator's, which creates the programme a
// signed convention finances. Each form asks the service, which checks
// the role, the envelope and the matching rule and journals the change;
// a refusal comes back on the form's field and changes nothing.

// callFields maps the service's field names to the call form's.
var callFields = map[string]string{
	"envelope_cents": "envelope", "max_share_bp": "max_share", "applicant_kinds": "applicant_kinds",
	"funder_id": "", "title": "title", "description": "description", "territory": "territory",
	"opens_on": "opens_on", "closes_on": "closes_on", "questions": "questions", "criteria": "criteria",
}

// kindOption is a box of the call form's eligible applicants.
type kindOption struct {
	Value, Label string
}

func (s *Server) callFormPage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	kinds := make([]kindOption, len(passnum.ApplicantKinds))
	for i, k := range passnum.ApplicantKinds {
		kinds[i] = kindOption{string(k), k.Label()}
	}
	v.Title, v.Data = "Ouvrir un appel à projets", map[string]any{"Kinds": kinds}
	return s.render(w, r, status, "calls_new", v)
}

// newCallForm is the form of a new call, filled with the scheme's
// defaults: the matching rule of 2020 and the collectivités that apply.
func (s *Server) newCallForm(w http.ResponseWriter, r *http.Request) error {
	if err := passnum.Authorize(visitorFrom(r).actor(), passnum.ActCallManage); err != nil {
		return err
	}
	v := s.newView(r, "", nil)
	today := passnum.Today(s.now())
	v.Form = url0(map[string]string{"max_share": "50", "opens_on": today, "closes_on": passnum.AddDays(today, 60)})
	v.Form["applicant_kinds"] = []string{string(passnum.ApplicantRegion), string(passnum.ApplicantDepartement), string(passnum.ApplicantEPCI), string(passnum.ApplicantGroup)}
	return s.callFormPage(w, r, v, http.StatusOK)
}

// parseCriteria reads the scoring grid, one criterion a line, its points
// after the last colon: "Qualité du plan d'action : 10".
func parseCriteria(text string) ([]passnum.Criterion, error) {
	var out []passnum.Criterion
	for i, line := range nonEmptyLines(text) {
		label, points, ok := cutLast(line, ":")
		n, err := strconv.Atoi(cleanNumber(points))
		if !ok || err != nil {
			return nil, passnum.Invalid("criteria", "Ligne %d de la grille : écrivez le critère puis ses points après deux-points, par exemple « Qualité du plan d'action : 10 ».", i+1)
		}
		out = append(out, passnum.Criterion{Label: strings.TrimSpace(label), MaxPoints: n})
	}
	return out, nil
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// nonEmptyLines splits a text area into its lines, trimmed, blank ones
// left out.
func nonEmptyLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// createCallForm opens the call the form describes.
func (s *Server) createCallForm(w http.ResponseWriter, r *http.Request) error {
	if err := passnum.Authorize(visitorFrom(r).actor(), passnum.ActCallManage); err != nil {
		return err
	}
	f := r.PostForm
	v := s.newView(r, "", nil)
	v.Form = f
	c := passnum.CallCreate{Title: f.Get("title"), Description: f.Get("description"), OpensOn: f.Get("opens_on"), ClosesOn: f.Get("closes_on"),
		Territory: splitCodes(f.Get("territory")), Questions: nonEmptyLines(f.Get("questions"))}
	for _, k := range f["applicant_kinds"] {
		c.ApplicantKinds = append(c.ApplicantKinds, passnum.ApplicantKind(k))
	}
	var err error
	if c.EnvelopeCents, err = passnum.ParseEuros(f.Get("envelope")); err != nil {
		v.addError("envelope", typedError("Indiquez l'enveloppe en euros, par exemple 15 000 000 ou 1 500,50.", f.Get("envelope"), err))
	} else if c.EnvelopeCents <= 0 {
		v.addError("envelope", "L'enveloppe de l'appel est un montant positif, en euros.")
	}
	if bp, err := passnum.ParsePercent(f.Get("max_share")); err != nil {
		v.addError("max_share", typedError("Indiquez la part maximale du financeur en pourcentage, par exemple 50.", f.Get("max_share"), err))
	} else if bp < 1 || bp > passnum.BasisPoints {
		v.addError("max_share", "La part maximale du financeur est comprise entre 0,01 % et 100 %.")
	} else {
		c.MaxShareBP = bp
	}
	if c.Criteria, err = parseCriteria(f.Get("criteria")); err != nil {
		v.addServiceError(err, callFields)
	}
	if v.Summary != nil {
		return s.callFormPage(w, r, v, http.StatusBadRequest)
	}
	call, err := s.svc.CreateCall(r.Context(), c)
	if err != nil {
		return sendBack(v, err, callFields, func(status int) error { return s.callFormPage(w, r, v, status) })
	}
	return s.redirect(w, r, fmt.Sprintf("/financeur/appels/%d", call.ID),
		fmt.Sprintf("Appel à projets « %s » ouvert : les collectivités peuvent candidater du %s au %s.", call.Title, passnum.FrenchDate(call.OpensOn), passnum.FrenchDate(call.ClosesOn)))
}

// createConventionForm turns a selected application into its
// convention: only the duration is typed, the amounts are the
// application's budget.
func (s *Server) createConventionForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Candidature")
	if err != nil {
		return err
	}
	if err := passnum.Authorize(visitorFrom(r).actor(), passnum.ActCallManage); err != nil {
		return err
	}
	f := r.PostForm
	c, err := s.svc.CreateConvention(r.Context(), passnum.ConventionCreate{ApplicationID: id, StartsOn: f.Get("starts_on"), EndsOn: f.Get("ends_on")})
	if err != nil {
		if code := passnum.ErrorCode(err); code == passnum.EINTERNAL || code == passnum.ENOTFOUND || code == passnum.EFORBIDDEN {
			return err
		}
		v := s.newView(r, "", nil)
		v.Form = f
		v.addServiceError(err, map[string]string{"starts_on": "starts_on", "ends_on": "ends_on", "application_id": "starts_on"})
		return s.applicationPage(w, r, v, errStatus(err))
	}
	return s.redirect(w, r, fmt.Sprintf("/financeur/conventions/%d", c.ID),
		fmt.Sprintf("Convention n° %d établie pour %s. Enregistrez la signature de chaque partie.", c.ID, passnum.FrenchEuros(c.TotalCents)))
}

// conventionData is what the convention page shows and its forms offer.
type conventionData struct {
	C       *passnum.Convention
	Addenda []*passnum.Addendum
	Call    *passnum.Call
	Money   *passnum.MoneyIn
	// Funder: the visitor runs the convention's call, and gets its forms.
	Funder bool
	// Operator: the operator's page, with the programme's form.
	Operator bool
	// Years of the convention's amounts, for the calls for funds.
	Years []int
	// CoFunders are the funders an addendum may name: the parties and
	// the funders the visitor meets in its calls' budgets and conventions.
	CoFunders []passnum.ConventionParty
	// Called totals the calls for funds; Received and Owed the parties'.
	Called, Received, Owed int64
	Today                  string
	// AddendumRows numbers the amounts of the addendum form.
	AddendumRows []int
}

// conventionPage shows a convention; base is where its page is, the
// funder's or the operator's.
func (s *Server) conventionPage(w http.ResponseWriter, r *http.Request, v *view, status int, operator bool) error {
	id, err := pathID(r, "id", "Convention")
	if err != nil {
		return err
	}
	ctx := r.Context()
	d := &conventionData{Operator: operator, Today: passnum.Today(s.now())}
	for i := 1; i <= addendumRows; i++ {
		d.AddendumRows = append(d.AddendumRows, i)
	}
	if d.C, err = s.svc.FindConvention(ctx, id); err != nil {
		return err
	}
	if d.Addenda, err = s.svc.ListAddenda(ctx, id); err != nil {
		return err
	}
	if d.Call, err = s.svc.FindCall(ctx, d.C.CallID); err != nil {
		return err
	}
	if d.Money, err = s.svc.MoneyIn(ctx, id); err != nil {
		return err
	}
	a := visitorFrom(r).actor()
	d.Funder = !operator && a.OrgID == d.Call.FunderID
	for _, l := range d.C.Amounts {
		if !slices.Contains(d.Years, l.Year) {
			d.Years = append(d.Years, l.Year)
		}
	}
	slices.Sort(d.Years)
	for _, fc := range d.Money.Calls {
		d.Called += fc.AmountCents
	}
	for _, m := range d.Money.Funders {
		d.Received += m.ReceivedCents
		d.Owed += m.OwedCents
	}
	if d.Funder {
		if d.CoFunders, err = s.coFunders(r, d.C); err != nil {
			return err
		}
	}
	if operator && v.Form.Get("prog_name") == "" && status == http.StatusOK {
		v.Form = url0(map[string]string{"prog_name": "Pass numérique — " + d.C.Title, "prog_face_value": "10", "prog_carnet_size": "10",
			"prog_tolerance_days": "31", "prog_fee": "4", "prog_valid_from": d.C.StartsOn, "prog_valid_until": d.C.EndsOn})
		v.Form["services"] = passnum.ServiceCategories
	}
	v.Title, v.Data = fmt.Sprintf("Convention n° %d", d.C.ID), d
	return s.render(w, r, status, "calls_convention", v)
}

// coFunders lists the funders an addendum may bring in: the convention's
// parties, then the funders the call's funder meets in the budgets of its
// calls' applications and in the conventions it sees. A funder reads no
// list of all organisations; one it has never met is named by its number.
func (s *Server) coFunders(r *http.Request, c *passnum.Convention) ([]passnum.ConventionParty, error) {
	seen := map[int64]bool{}
	var out []passnum.ConventionParty
	add := func(id int64, name string) {
		if !seen[id] && name != "" {
			seen[id] = true
			out = append(out, passnum.ConventionParty{FunderID: id, FunderName: name})
		}
	}
	for _, p := range c.Parties {
		add(p.FunderID, p.FunderName)
	}
	convs, _, err := s.svc.ListConventions(r.Context(), passnum.ConventionFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, x := range convs {
		for _, p := range x.Parties {
			add(p.FunderID, p.FunderName)
		}
	}
	apps, _, err := s.svc.ListApplications(r.Context(), passnum.ApplicationFilter{CallID: c.CallID, Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, p := range apps {
		for _, l := range p.Lines {
			add(l.FunderID, l.FunderName)
		}
	}
	return out, nil
}

func (s *Server) funderConvention(w http.ResponseWriter, r *http.Request) error {
	return s.conventionPage(w, r, s.newView(r, "", nil), http.StatusOK, false)
}

func (s *Server) operatorConvention(w http.ResponseWriter, r *http.Request) error {
	return s.conventionPage(w, r, s.newView(r, "", nil), http.StatusOK, true)
}

// operatorConventions lists the conventions signed under calls for
// projects, from which the operator creates programmes.
func (s *Server) operatorConventions(w http.ResponseWriter, r *http.Request) error {
	convs, _, err := s.svc.ListConventions(r.Context(), passnum.ConventionFilter{Limit: 500})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "operator_conventions", s.newView(r, "Conventions", convs))
}

// conventionAction runs a form of the convention's page, after the role
// check, and comes back to the page: with the message when it succeeded,
// with the service's refusal on the form's field when it did not.
func (s *Server) conventionAction(w http.ResponseWriter, r *http.Request, action passnum.Action, operator bool, fields map[string]string,
	do func(id int64) (to, msg string, err error)) error {
	id, err := pathID(r, "id", "Convention")
	if err != nil {
		return err
	}
	if err := passnum.Authorize(visitorFrom(r).actor(), action); err != nil {
		return err
	}
	to, msg, err := do(id)
	if err != nil {
		if code := passnum.ErrorCode(err); code == passnum.EINTERNAL || code == passnum.ENOTFOUND || code == passnum.EFORBIDDEN {
			return err
		}
		v := s.newView(r, "", nil)
		v.Form = r.PostForm
		v.addServiceError(err, fields)
		return s.conventionPage(w, r, v, errStatus(err), operator)
	}
	return s.redirect(w, r, to, msg)
}

// formID reads the number of an object chosen in a list.
func formID(raw, field, msg string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil || n <= 0 {
		return 0, passnum.Invalid(field, "%s", msg)
	}
	return n, nil
}

// signConventionForm records the day a party signed.
func (s *Server) signConventionForm(w http.ResponseWriter, r *http.Request) error {
	fields := map[string]string{"funder_id": "sign_funder", "signed_on": "signed_on"}
	return s.conventionAction(w, r, passnum.ActCallManage, false, fields, func(id int64) (string, string, error) {
		f := r.PostForm
		funder, err := formID(f.Get("sign_funder"), "funder_id", "Choisissez la partie qui a signé.")
		if err != nil {
			return "", "", err
		}
		c, err := s.svc.SignConvention(r.Context(), id, passnum.Signature{FunderID: funder, SignedOn: f.Get("signed_on")})
		if err != nil {
			return "", "", err
		}
		msg := "Signature enregistrée."
		if c.Signed {
			msg = "Signature enregistrée : toutes les parties ont signé, l'opérateur peut créer le programme."
		}
		return fmt.Sprintf("/financeur/conventions/%d#parties", id), msg, nil
	})
}

// addendumRows is how many amounts the addendum form offers.
const addendumRows = 3

// addendumForm records an addendum: new amounts by funder and year.
func (s *Server) addendumForm(w http.ResponseWriter, r *http.Request) error {
	fields := map[string]string{"reason": "addendum_reason", "amounts": "add_funder_1", "lines": "add_funder_1"}
	return s.conventionAction(w, r, passnum.ActCallManage, false, fields, func(id int64) (string, string, error) {
		f := r.PostForm
		in := passnum.AddendumCreate{Reason: f.Get("addendum_reason")}
		for i := 1; i <= addendumRows; i++ {
			fn, field := f.Get(fmt.Sprintf("add_funder_%d", i)), fmt.Sprintf("add_funder_%d", i)
			if other := strings.TrimSpace(f.Get(fmt.Sprintf("add_other_%d", i))); other != "" {
				fn = other
			}
			year, amount := strings.TrimSpace(f.Get(fmt.Sprintf("add_year_%d", i))), f.Get(fmt.Sprintf("add_amount_%d", i))
			if fn == "" && strings.TrimSpace(amount) == "" {
				continue
			}
			funder, err := formID(fn, field, fmt.Sprintf("Ligne %d : choisissez le financeur, ou indiquez son numéro.", i))
			if err != nil {
				return "", "", err
			}
			y, err := strconv.Atoi(year)
			if err != nil {
				return "", "", passnum.Invalid(fmt.Sprintf("add_year_%d", i), "Ligne %d : indiquez l'année, par exemple 2027.", i)
			}
			cents, err := passnum.ParseEuros(amount)
			if err != nil {
				return "", "", passnum.Invalid(fmt.Sprintf("add_amount_%d", i), "%s",
					typedError(fmt.Sprintf("Ligne %d : indiquez le nouveau montant en euros, par exemple 30 000.", i), amount, err))
			}
			in.Amounts = append(in.Amounts, passnum.FundingLine{FunderID: funder, Year: y, AmountCents: cents})
		}
		ad, err := s.svc.CreateAddendum(r.Context(), id, in)
		if err != nil {
			return "", "", err
		}
		return fmt.Sprintf("/financeur/conventions/%d#avenants", id),
			fmt.Sprintf("Avenant n° %d enregistré. Un financeur nouveau est partie à la convention : enregistrez sa signature.", ad.Number), nil
	})
}

// fundCallForm calls a party for its funds of a year.
func (s *Server) fundCallForm(w http.ResponseWriter, r *http.Request) error {
	fields := map[string]string{"funder_id": "call_funder", "year": "call_year", "amount_cents": "call_amount", "due_on": "call_due_on"}
	return s.conventionAction(w, r, passnum.ActCallManage, false, fields, func(id int64) (string, string, error) {
		f := r.PostForm
		funder, err := formID(f.Get("call_funder"), "funder_id", "Choisissez la partie appelée.")
		if err != nil {
			return "", "", err
		}
		year, err := strconv.Atoi(strings.TrimSpace(f.Get("call_year")))
		if err != nil {
			return "", "", passnum.Invalid("year", "Choisissez l'année des fonds appelés.")
		}
		cents, err := passnum.ParseEuros(f.Get("call_amount"))
		if err != nil {
			return "", "", passnum.Invalid("amount_cents", "%s", typedError("Indiquez le montant appelé en euros, par exemple 75 000.", f.Get("call_amount"), err))
		}
		fc, err := s.svc.CallForFunds(r.Context(), id, passnum.FundCallCreate{FunderID: funder, Year: year, AmountCents: cents, DueOn: f.Get("call_due_on")})
		if err != nil {
			return "", "", err
		}
		return fmt.Sprintf("/financeur/conventions/%d#fonds", id),
			fmt.Sprintf("Appel de fonds enregistré : %s demandés à %s pour %d, avant le %s.", passnum.FrenchEuros(fc.AmountCents), fc.FunderName, fc.Year, passnum.FrenchDate(fc.DueOn)), nil
	})
}

// conventionProgrammeForm creates the programme a signed convention
// finances: its funders, shares, budget and territory come from the
// convention; the form says only what a convention does not.
func (s *Server) conventionProgrammeForm(w http.ResponseWriter, r *http.Request) error {
	fields := map[string]string{"name": "prog_name", "face_value_cents": "prog_face_value", "carnet_size": "prog_carnet_size",
		"valid_from": "prog_valid_from", "valid_until": "prog_valid_until", "tolerance_days": "prog_tolerance_days", "fee_bp": "prog_fee",
		"services": "services-0", "funders": "prog_name", "budget_cents": "prog_name", "territory": "prog_name"}
	return s.conventionAction(w, r, passnum.ActProgrammeCreate, true, fields, func(id int64) (string, string, error) {
		f := r.PostForm
		in := passnum.ConventionProgramme{Name: f.Get("prog_name"), ValidFrom: f.Get("prog_valid_from"), ValidUntil: f.Get("prog_valid_until"), Services: f["services"]}
		var err error
		if in.FaceValueCents, err = passnum.ParseEuros(f.Get("prog_face_value")); err != nil {
			return "", "", passnum.Invalid("face_value_cents", "%s", typedError("Indiquez la valeur d'un pass en euros, par exemple 10.", f.Get("prog_face_value"), err))
		}
		n, ok := parseCount(f.Get("prog_carnet_size"))
		if !ok {
			return "", "", passnum.Invalid("carnet_size", "Indiquez le nombre de pass par carnet, par exemple 10.")
		}
		in.CarnetSize = int(min(n, 1000))
		if n, ok = parseCount(f.Get("prog_tolerance_days")); !ok {
			return "", "", passnum.Invalid("tolerance_days", "Indiquez la tolérance en jours, par exemple 31.")
		}
		days := int(min(n, 10000))
		in.ToleranceDays = &days
		bp, err := passnum.ParsePercent(f.Get("prog_fee"))
		if err != nil {
			return "", "", passnum.Invalid("fee_bp", "%s", typedError("Indiquez les frais de gestion en pourcentage, par exemple 4.", f.Get("prog_fee"), err))
		}
		in.FeeBP = &bp
		if len(in.Services) == 0 {
			return "", "", passnum.Invalid("services", "Cochez au moins un type de service financé.")
		}
		p, err := s.svc.CreateProgrammeFromConvention(r.Context(), id, in)
		if err != nil {
			return "", "", err
		}
		return fmt.Sprintf("/operateur/programmes/%d", p.ID),
			fmt.Sprintf("Programme « %s » créé depuis la convention n° %d, budget %s. Enregistrez les fonds reçus, puis émettez les carnets.", p.Name, id, passnum.FrenchEuros(p.BudgetCents)), nil
	})
}
