package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// The journal of consultations (/operateur/journal-consultations): who
// read a person's record, advisers' notes or an export holding personal
// data, when, what and why. The operator's administrators review it here
// and download it; the download is journaled too.

const readsPerPage = 50

// journalData is the page of the journal.
type journalData struct {
	Rows      []journalRow
	Total     int
	PageNo    int
	Pages     int
	PrevURL   string
	NextURL   string
	ExportURL string
	Filtered  bool
	Kept      string // how long the journal is kept, in French
}

// journalRow is an entry as the page shows it.
type journalRow struct {
	P       *passnum.PersonalRead
	What    string
	Who     string
	Records []journalRecord
	Fields  string
}

// journalRecord is a record of an entry, with the address that filters
// the journal on it.
type journalRecord struct {
	Label, URL string
}

// journalFields maps the service's fields to the form's.
var journalFields = map[string]string{"user": "personne", "record": "dossier", "from": "du", "to": "au"}

// journalFilter reads the filter of the page and of its export. A person
// is typed by their e-mail address.
func (s *Server) journalFilter(ctx context.Context, v *view, q url.Values) (passnum.PersonalReadFilter, url.Values, error) {
	f := passnum.PersonalReadFilter{Record: strings.TrimSpace(q.Get("dossier")), From: strings.TrimSpace(q.Get("du")), To: strings.TrimSpace(q.Get("au"))}
	kept := url.Values{}
	for _, name := range []string{"personne", "dossier", "du", "au"} {
		if val := strings.TrimSpace(q.Get(name)); val != "" {
			v.Form.Set(name, val)
			kept.Set(name, val)
		}
	}
	if email := strings.TrimSpace(q.Get("personne")); email != "" {
		u, err := s.svc.FindUserByEmail(ctx, email)
		if err != nil {
			if passnum.ErrorCode(err) == passnum.ENOTFOUND {
				return f, kept, passnum.Invalid("user", "Aucun compte n'a l'adresse %s.", email)
			}
			return f, kept, err
		}
		f.UserID = u.ID
	}
	return f, kept, nil
}

func (s *Server) personalReads(w http.ResponseWriter, r *http.Request) error {
	if err := passnum.Authorize(visitorFrom(r).actor(), passnum.ActPersonalReadsRead); err != nil {
		return err
	}
	d := &journalData{PageNo: 1, Kept: s.privacy.PeriodLabel(passnum.RetainAccessLog)}
	v := s.newView(r, "Journal des consultations", d)
	q := r.URL.Query()
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		d.PageNo = min(n, 100000)
	}
	f, kept, err := s.journalFilter(r.Context(), v, q)
	d.Filtered = len(kept) > 0
	var list []*passnum.PersonalRead
	if err == nil {
		f.Offset, f.Limit = (d.PageNo-1)*readsPerPage, readsPerPage
		list, d.Total, err = s.svc.ListPersonalReads(r.Context(), f)
	}
	if err != nil {
		if passnum.ErrorCode(err) != passnum.EINVALID {
			return err
		}
		v.addServiceError(err, journalFields)
		return s.render(w, r, http.StatusBadRequest, "journal", v)
	}
	for _, p := range list {
		d.Rows = append(d.Rows, journalRowOf(p))
	}
	d.Pages = max(1, (d.Total+readsPerPage-1)/readsPerPage)
	d.PrevURL, d.NextURL = pagerLinks("/operateur/journal-consultations", kept, d.PageNo, d.Pages)
	d.ExportURL = "/operateur/journal-consultations/export.csv?" + kept.Encode()
	return s.render(w, r, http.StatusOK, "journal", v)
}

func journalRowOf(p *passnum.PersonalRead) journalRow {
	row := journalRow{P: p, What: passnum.ReadWhatLabel(p.What)}
	if p.Export != "" {
		row.What += " : " + p.Export
	}
	row.Who = p.Actor
	if p.UserName != "" {
		row.Who = p.UserName
	}
	for _, rec := range p.Records {
		label := rec
		if ref, ok := strings.CutPrefix(rec, "beneficiary:"); ok {
			label = ref
		} else if n, ok := strings.CutPrefix(rec, "activity-report:"); ok {
			label = "compte rendu n°" + n
		} else if n, ok := strings.CutPrefix(rec, "personal-read:"); ok {
			label = "consultation n°" + n
		}
		row.Records = append(row.Records, journalRecord{label, "/operateur/journal-consultations?" + url.Values{"dossier": {rec}}.Encode()})
	}
	labels := make([]string, 0, len(p.Fields))
	for _, k := range p.Fields {
		if pf := passnum.FindPersonalField(k); pf != nil {
			labels = append(labels, pf.Label)
		} else {
			labels = append(labels, k)
		}
	}
	row.Fields = strings.Join(labels, " ; ")
	return row
}

// journalCSVHeader is the first line of the journal's export.
var journalCSVHeader = []string{"numero", "date", "personne", "compte", "structure_numero", "structure", "consultation", "export",
	"dossiers", "donnees", "motif"}

// exportPersonalReads writes the journal, filtered as the page, as CSV.
func (s *Server) exportPersonalReads(w http.ResponseWriter, r *http.Request) error {
	if err := passnum.Authorize(visitorFrom(r).actor(), passnum.ActPersonalReadsRead); err != nil {
		return err
	}
	v := s.newView(r, "Journal des consultations", nil)
	f, _, err := s.journalFilter(r.Context(), v, r.URL.Query())
	if err != nil {
		return err
	}
	ctx := passnum.WithExport(r.Context(), "journal-consultations.csv")
	var rows [][]string
	for offset := 0; ; offset += 500 {
		f.Offset, f.Limit = offset, 500
		list, total, err := s.svc.ListPersonalReads(ctx, f)
		if err != nil {
			return err
		}
		for _, p := range list {
			rows = append(rows, []string{strconv.FormatInt(p.ID, 10), p.ReadAt.In(parisTime).Format("2006-01-02 15:04:05"), p.UserName, p.Actor,
				optionalID(p.OrgID), p.OrgName, p.What, p.Export, strings.Join(p.Records, " "), strings.Join(p.Fields, " "), p.Reason})
		}
		if len(list) == 0 || offset+len(list) >= total {
			break
		}
	}
	writeSpreadsheetCSV(w, fmt.Sprintf("journal-consultations-%s.csv", passnum.Today(s.now())), journalCSVHeader, rows)
	return nil
}
