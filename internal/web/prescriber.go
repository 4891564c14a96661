package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

func (s *Server) prescriberHome(w http.ResponseWriter, r *http.Request) error {
	no, yes := false, true
	stock, inStock, err := s.svc.ListCarnets(r.Context(), passnum.CarnetFilter{Distributed: &no, Limit: 200})
	if err != nil {
		return err
	}
	// Carnets come by number; stock is handed out roughly in order, so
	// the last numbers hold the latest hand-outs.
	const window = 500
	given, handedOut, err := s.svc.ListCarnets(r.Context(), passnum.CarnetFilter{Distributed: &yes, Limit: window})
	if err != nil {
		return err
	}
	if handedOut > window {
		if given, _, err = s.svc.ListCarnets(r.Context(), passnum.CarnetFilter{Distributed: &yes, Offset: handedOut - window, Limit: window}); err != nil {
			return err
		}
	}
	// Newest first: the person who just left is the one whose receipt
	// may be needed again.
	recent := make([]*passnum.Carnet, 0, 20)
	for i := len(given) - 1; i >= 0 && len(recent) < 20; i-- {
		recent = append(recent, given[i])
	}
	sortByDistribution(recent)
	return s.render(w, r, http.StatusOK, "prescriber_home", s.newView(r, "Mon stock de carnets", map[string]any{
		"Stock": stock, "InStock": inStock, "Recent": recent, "HandedOut": handedOut,
	}))
}

func sortByDistribution(cs []*passnum.Carnet) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && later(cs[j], cs[j-1]); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

func later(a, b *passnum.Carnet) bool {
	if a.DistributedAt == nil || b.DistributedAt == nil {
		return a.DistributedAt != nil
	}
	return a.DistributedAt.After(*b.DistributedAt)
}

type handOutData struct {
	Communes []communeOption
	Stock    []*passnum.Carnet
	Year     int
}

func (s *Server) handOutForm(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Remettre un carnet", nil)
	v.Form.Set("person", "new")
	if c := r.URL.Query().Get("carnet"); c != "" {
		v.Form.Set("carnet", c)
	}
	return s.handOutPage(w, r, v, http.StatusOK, nil)
}

func (s *Server) handOutPage(w http.ResponseWriter, r *http.Request, v *view, status int, communes []communeOption) error {
	no := false
	stock, _, err := s.svc.ListCarnets(r.Context(), passnum.CarnetFilter{Distributed: &no, Limit: 50})
	if err != nil {
		return err
	}
	v.Data = &handOutData{Communes: communes, Stock: stock, Year: s.now().Year()}
	return s.render(w, r, status, "handout", v)
}

var handOutFields = map[string]string{"commune_insee": "commune", "beneficiary": "person-new", "consent_at": "consent", "needs": "needs-0"}

// handOut records the hand-out of a carnet: which carnet, to whom
// (pseudonymously: a birth year or an age band, a commune), what the
// person needs, and their consent; then shows the receipt to print.
func (s *Server) handOut(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Remettre un carnet", nil)
	v.Form = r.PostForm
	f := r.PostForm
	req := passnum.DistributeRequest{}
	if n, ok := parseCount(strings.TrimPrefix(strings.TrimSpace(f.Get("carnet")), "n°")); ok && n > 0 {
		req.Carnet = n
	} else {
		v.addError("carnet", "Scannez ou tapez le numéro du carnet, imprimé sur sa couverture (des chiffres seulement).")
	}
	var communes []communeOption
	if f.Get("person") == "known" {
		req.BeneficiaryRef = f.Get("ref")
		if strings.TrimSpace(req.BeneficiaryRef) == "" {
			v.addError("ref", "Indiquez la référence de la personne (B-…), notée lors de la remise de son premier carnet.")
		}
	} else {
		b := &passnum.BeneficiaryInput{Needs: f["needs"], Autonomy: f.Get("autonomy")}
		if y := strings.TrimSpace(f.Get("birth_year")); y != "" {
			year, err := strconv.Atoi(y)
			if err != nil {
				v.addError("birth_year", "L'année de naissance s'écrit avec 4 chiffres, par exemple 1956.")
			}
			b.BirthYear = year
		}
		b.AgeBand = f.Get("age_band")
		var insee string
		insee, communes = communeField(v, true)
		b.CommuneINSEE = insee
		if f.Get("consent") == "1" {
			b.ConsentAt = passnum.Today(s.now())
		} else {
			v.addError("consent", "La personne doit accepter l'enregistrement de ces informations : lisez-lui la phrase et cochez la case.")
		}
		req.Beneficiary = b
	}
	if v.Summary != nil {
		return s.handOutPage(w, r, v, http.StatusBadRequest, communes)
	}
	d, err := s.svc.Distribute(r.Context(), req)
	if err != nil {
		return sendBack(v, err, handOutFields, func(status int) error { return s.handOutPage(w, r, v, status, communes) })
	}
	// Next: the first workshop (booking.go), which leads to the receipt.
	return s.redirect(w, r, bookingPath(d.Carnet.Number),
		fmt.Sprintf("Carnet n°%d remis. Référence de la personne : %s — notez-la dans son dossier, elle servira pour un prochain carnet.", d.Carnet.Number, d.Beneficiary.Ref))
}

// receipt is the one page the prescriber prints for the person: what the
// carnet is, until when it is valid, and the nearest venues.
func (s *Server) receipt(w http.ResponseWriter, r *http.Request) error {
	n, err := pathID(r, "number", "Carnet")
	if err != nil {
		return err
	}
	c, err := s.svc.FindCarnet(r.Context(), n)
	if err != nil {
		return err
	}
	if c.BeneficiaryID == 0 {
		return passnum.Errorf(passnum.EREFUSED, reasonCarnetNotDistributed, "Le carnet n°%d n'a pas encore été remis : remettez-le d'abord, le reçu s'affichera ensuite.", n)
	}
	p, err := s.svc.ProgrammeSummary(r.Context(), c.ProgrammeID)
	if err != nil {
		return err
	}
	var b *passnum.Beneficiary
	commune := ""
	if c.BeneficiaryRef != "" {
		if b, err = s.svc.FindBeneficiary(r.Context(), c.BeneficiaryRef); err != nil {
			return err
		}
		commune = b.CommuneINSEE
	}
	// The venues nearest the person, with what it takes to go there (on
	// paper, three and the map fill a page), and who handed the carnet
	// over.
	venues, err := s.venueGuide(r.Context(), p, commune, guideOptions{Venues: 3, Sessions: 2, MapID: "carte-recu"})
	if err != nil {
		return err
	}
	handedOut, err := s.handedOutBy(r.Context(), c)
	if err != nil {
		return err
	}
	// The workshop booked at hand-out, printed on the receipt (booking.go).
	bookings, err := s.svc.CarnetBookings(r.Context(), n)
	if err != nil {
		return err
	}
	communeLabel := ""
	if gc, ok := geo.LookupCommune(commune); ok {
		communeLabel = gc.Name
	}
	return s.render(w, r, http.StatusOK, "receipt", s.newView(r, fmt.Sprintf("Reçu du carnet n°%d", n), map[string]any{
		"Carnet": c, "Programme": p, "Beneficiary": b, "Venues": venues, "Commune": communeLabel, "HandedOut": handedOut, "Bookings": bookings,
		"CheckURL": s.base.String() + "/carnet",
		// What the person is told of their data (articles 13 and 14).
		"Privacy": passnum.NewShortNotice(s.privacy), "PrivacyURL": s.base.String() + passnum.NoticePath,
	}))
}
