package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sheet"
)

// The conventions of a territory, for the conférence des financeurs
// (issue 18, point 6): each convention the visitor may see (the operator
// all, a funder those it is a party to or whose call it runs, a hub those
// of its territory; the service decides), grouped by territory with its
// totals, a chart of the money, and the same table as CSV and XLSX.

// conventionsData is the page of the conventions of a territory.
type conventionsData struct {
	Base    string // "/operateur/conventions/territoires" or "/financeur/conventions"
	Area    string // the filter, "" for everywhere
	Areas   []scopeOption
	Summary *passnum.ConventionSummary
	Groups  []conventionGroup
	Chart   template.HTML
	Money   []passnum.FunnelStep
	CSVURL  string
	XLSXURL string
	// Link is where each convention has its page for the visitor
	// (followed by its number), empty for a hub, which has none.
	Link          string
	Operator, Hub bool
	AreaLabel     string
}

type conventionGroup struct {
	Label string
	G     passnum.TerritoryConventions
}

// conventionsBase is the page's address in the visitor's space.
func conventionsBase(r *http.Request) string {
	if visitorFrom(r).actor().IsOperator() {
		return "/operateur/conventions/territoires"
	}
	return "/financeur/conventions"
}

// territoryAreas are the areas a visitor may choose among: the régions
// and départements of the conventions it sees, régions first.
func territoryAreas(all *passnum.ConventionSummary) []string {
	seen := map[string]bool{}
	var regions, deps []string
	add := func(list *[]string, a string) {
		if !seen[a] {
			seen[a] = true
			*list = append(*list, a)
		}
	}
	for _, g := range all.Territories {
		for _, s := range g.Territory {
			a, err := passnum.ParseArea(s)
			if err != nil {
				continue
			}
			dep := a.Code
			switch a.Level {
			case passnum.LevelRegion:
				add(&regions, a.String())
				continue
			case passnum.LevelCommune:
				dep = passnum.DepartementOfCommune(a.Code)
			}
			add(&deps, string(passnum.LevelDepartement)+":"+dep)
			add(&regions, string(passnum.LevelRegion)+":"+passnum.RegionOfDepartement(dep))
		}
	}
	slices.Sort(regions)
	slices.Sort(deps)
	return append(regions, deps...)
}

// readConventions reads the summary the page and its exports show: the
// area chosen, checked by the service. A bad area is put on v (the page
// shows it beside the list) and everything is shown.
func (s *Server) readConventions(r *http.Request, v *view, d *conventionsData) error {
	d.Base = conventionsBase(r)
	a := visitorFrom(r).actor()
	d.Operator, d.Hub = a.IsOperator(), a.OrgKind == passnum.KindHub
	switch a.OrgKind {
	case passnum.KindOperator:
		d.Link = "/operateur/conventions/"
	case passnum.KindFunder:
		d.Link = "/financeur/conventions/"
	}
	all, err := s.svc.ConventionSummary(r.Context(), passnum.ConventionSummaryFilter{})
	if err != nil {
		return err
	}
	d.Summary = all
	area := strings.TrimSpace(r.URL.Query().Get("territoire"))
	if area != "" {
		sum, err := s.svc.ConventionSummary(r.Context(), passnum.ConventionSummaryFilter{Area: area})
		switch {
		case passnum.ErrorCode(err) == passnum.EINVALID && v != nil:
			v.addServiceError(err, map[string]string{"area": "territoire"})
		case err != nil:
			return err
		default:
			d.Summary, d.Area, d.AreaLabel = sum, sum.Area, describeTerritory([]string{sum.Area})
		}
	}
	d.Areas = []scopeOption{{Value: "", Label: "Tous les territoires", Selected: d.Area == ""}}
	for _, a := range territoryAreas(all) {
		d.Areas = append(d.Areas, scopeOption{Value: a, Label: describeTerritory([]string{a}), Selected: a == d.Area})
	}
	for _, g := range d.Summary.Territories {
		d.Groups = append(d.Groups, conventionGroup{Label: describeTerritory(g.Territory), G: g})
	}
	q := ""
	if d.Area != "" {
		q = "?" + url.Values{"territoire": {d.Area}}.Encode()
	}
	d.CSVURL, d.XLSXURL = d.Base+"/export.csv"+q, d.Base+"/export.xlsx"+q
	return nil
}

func (s *Server) territoryConventions(w http.ResponseWriter, r *http.Request) error {
	d := &conventionsData{}
	v := s.newView(r, "Conventions par territoire", d)
	if err := s.readConventions(r, v, d); err != nil {
		return err
	}
	t := d.Summary.Total
	d.Money = []passnum.FunnelStep{
		{Key: "committed", Label: "Engagé", Count: t.CommittedCents},
		{Key: "called", Label: "Appelé", Count: t.CalledCents},
		{Key: "received", Label: "Reçu", Count: t.ReceivedCents},
	}
	if t.Conventions > 0 {
		d.Chart = euroChart("Argent des conventions", d.Money)
	}
	status := http.StatusOK
	if v.Summary != nil {
		status = http.StatusBadRequest
	}
	return s.render(w, r, status, "conventions_territory", v)
}

// conventionsTable is the table of the exports.
func (s *Server) conventionsTable(r *http.Request) (*sheet.Table, string, error) {
	d := &conventionsData{}
	v := s.newView(r, "", d)
	if err := s.readConventions(r, v, d); err != nil {
		return nil, "", err
	}
	if v.Summary != nil {
		return nil, "", passnum.Invalid("territoire", "%s", v.Summary[0].Message)
	}
	scope, name := "tous les territoires", "conventions"
	if d.Area != "" {
		scope = describeTerritory([]string{d.Area})
		name += "-" + strings.ReplaceAll(d.Area, ":", "-")
	}
	return sheet.Conventions(d.Summary, describeTerritory, scope), name, nil
}

// exportConventionsCSV downloads the table for a spreadsheet (';'
// separated, UTF-8 with a byte order mark).
func (s *Server) exportConventionsCSV(w http.ResponseWriter, r *http.Request) error {
	t, name, err := s.conventionsTable(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := sheet.WriteCSV(&buf, t); err != nil {
		return err
	}
	return sendFile(w, "text/csv; charset=utf-8", name+".csv", buf.Bytes())
}

// exportConventionsXLSX downloads the table as a workbook whose totals are
// numbers that add up.
func (s *Server) exportConventionsXLSX(w http.ResponseWriter, r *http.Request) error {
	t, name, err := s.conventionsTable(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, t); err != nil {
		return fmt.Errorf("conventions workbook: %w", err)
	}
	return sendFile(w, xlsxType, name+".xlsx", buf.Bytes())
}
