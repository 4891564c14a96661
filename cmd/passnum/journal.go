package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/csvfile"
)

// journalReads writes the journal of who read personal data as CSV, for
// the operator's administrators and the DPO; the export is journaled.
func (c *cli) journalReads(o *options) runFunc {
	o.usage("[--user E-MAIL|N] [--org N] [--record B-…] [--from AAAA-MM-JJ] [--to AAAA-MM-JJ]",
		"Écrit sur la sortie standard le journal des consultations de données\n"+
			"personnelles (fiches des personnes, notes des conseillers, exports) : CSV UTF-8\n"+
			"séparé par des points-virgules, de la plus récente à la plus ancienne, colonnes\n"+
			"numero;date;personne;compte;structure_numero;structure;consultation;export;\n"+
			"dossiers;donnees;motif. Les dates sont à l'heure de Paris. Cet export est\n"+
			"lui-même noté dans le journal.")
	var user, record, from, to string
	var org int64
	o.string(&user, "user", "", "personne qui a consulté : son `e-mail` ou son numéro de compte")
	o.int64(&org, "org", "`numéro` de la structure de la personne qui a consulté")
	o.string(&record, "record", "", "`dossier` consulté : référence d'une personne (B-…) ou dossier du journal (activity-report:12)")
	o.date(&from, "from", "premier `jour` de la période")
	o.date(&to, "to", "dernier `jour` de la période")
	return func(ctx context.Context, s store) error {
		f := passnum.PersonalReadFilter{OrgID: org, Record: record, From: from, To: to}
		if user != "" {
			if id, err := strconv.ParseInt(user, 10, 64); err == nil {
				f.UserID = id
			} else {
				u, err := s.FindUserByEmail(ctx, user)
				if err != nil {
					return err
				}
				f.UserID = u.ID
			}
		}
		ctx = passnum.WithExport(ctx, "passnum journal reads")
		w := csvfile.NewWriter(c.stdout)
		if err := w.Write([]string{"numero", "date", "personne", "compte", "structure_numero", "structure", "consultation", "export",
			"dossiers", "donnees", "motif"}); err != nil {
			return err
		}
		for offset := 0; ; offset += 500 {
			f.Offset, f.Limit = offset, 500
			list, total, err := s.ListPersonalReads(ctx, f)
			if err != nil {
				return err
			}
			for _, p := range list {
				org := ""
				if p.OrgID != 0 {
					org = strconv.FormatInt(p.OrgID, 10)
				}
				if err := w.Write([]string{strconv.FormatInt(p.ID, 10), p.ReadAt.In(journalTime).Format("2006-01-02 15:04:05"), p.UserName, p.Actor,
					org, p.OrgName, p.What, p.Export, strings.Join(p.Records, " "), strings.Join(p.Fields, " "), p.Reason}); err != nil {
					return err
				}
			}
			if len(list) == 0 || offset+len(list) >= total {
				break
			}
		}
		return w.Flush()
	}
}

// journalTime is the zone of the journal's dates: Paris, as on the pages.
var journalTime = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
		return loc
	}
	return time.FixedZone("CET", 3600)
}()
