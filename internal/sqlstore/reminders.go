package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/passnum/passnum"
)

// The daily reminders (passnum.ReminderService): passes about to expire,
// told to the prescribers that hold them and the funders that paid for
// them, and rights requests about to be due, told to the operator. Each
// reminder is its own short transaction that inserts its key in
// mail_reminders (ON CONFLICT DO NOTHING) and queues its messages only if
// the key was new: two servers running the job at once, a restart, or a
// second run on the same day queue nothing twice, and a run killed midway
// leaves whole reminders, the rest for the next run.

// SendReminders queues the day's reminders (the operator; serve runs it
// every day as the system).
func (s *Store) SendReminders(ctx context.Context) (*passnum.ReminderRun, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActOrgRead); err != nil {
		return nil, err
	}
	if !a.IsOperator() {
		return nil, forbidden(a)
	}
	run := &passnum.ReminderRun{}
	if err := s.remindExpiring(ctx, run); err != nil {
		return run, fmt.Errorf("reminders of passes expiring: %w", err)
	}
	if err := s.remindRightsDue(ctx, run); err != nil {
		return run, fmt.Errorf("reminders of rights requests due: %w", err)
	}
	return run, nil
}

// remindOnce runs queue, which returns whether it has something to tell,
// in a transaction that first takes the reminder's key; it tells whether
// this run queued it.
func (s *Store) remindOnce(ctx context.Context, kind passnum.MailKind, about, dueOn string, queue func(tx *tx) (bool, error)) (bool, error) {
	var sent bool
	err := s.write(ctx, "reminder", func(tx *tx) error {
		sent = false
		n, err := tx.execN(`INSERT INTO mail_reminders (kind, about, due_on, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			kind, about, dueOn, tx.nowText())
		if err != nil || n == 0 {
			return err
		}
		told, err := queue(tx)
		if err != nil {
			return err
		}
		if !told {
			// Nothing to tell, or nobody to tell it to: no key, so
			// that a later run tells what has changed by then.
			return errNothingToRemind
		}
		sent = true
		return nil
	})
	if errors.Is(err, errNothingToRemind) {
		return false, nil
	}
	return sent, wrapf(err, "reminder %s %s %s", kind, about, dueOn)
}

// errNothingToRemind rolls back the key of a reminder with nothing to
// tell.
var errNothingToRemind = errors.New("nothing to remind")

// holder is an organisation that holds or paid for passes of a programme.
type holder struct {
	org       int64
	programme int64
	until     string
}

// remindExpiring tells, once per organisation, programme and last day of
// validity, the prescribers holding unused passes and the funders of
// unused passes, passnum.ExpiryReminderDays before that day.
func (s *Store) remindExpiring(ctx context.Context, run *passnum.ReminderRun) error {
	today := passnum.Today(s.now())
	var holders []holder
	err := s.read(ctx, func(tx *tx) error {
		var err error
		holders, err = selectAll(tx, func(sc scanner) (holder, error) {
			var h holder
			return h, sc.Scan(&h.org, &h.programme, &h.until)
		}, `SELECT DISTINCT c.prescriber_id, pr.id, pr.valid_until FROM programmes pr
				JOIN carnets c ON c.programme_id = pr.id JOIN passes p ON p.carnet = c.number
			WHERE pr.valid_until >= ? AND pr.valid_until <= ? AND c.prescriber_id IS NOT NULL AND p.state IN ('allocated', 'distributed')
			UNION
			SELECT DISTINCT f.funder_id, pr.id, pr.valid_until FROM programmes pr JOIN programme_funders f ON f.programme_id = pr.id
			WHERE pr.valid_until >= ? AND pr.valid_until <= ?
				AND EXISTS (SELECT 1 FROM passes p WHERE p.programme_id = pr.id AND p.state IN ('issued', 'activated', 'allocated', 'distributed'))
			ORDER BY 2, 1`, today, passnum.AddDays(today, passnum.ExpiryReminderDays), today, passnum.AddDays(today, passnum.ExpiryReminderDays))
		return err
	})
	if err != nil {
		return err
	}
	for _, h := range holders {
		sent, err := s.remindOnce(ctx, passnum.MailStockExpiring, fmt.Sprintf("org:%d programme:%d", h.org, h.programme), h.until, func(tx *tx) (bool, error) {
			return tx.tellExpiring(h)
		})
		if err != nil {
			return err
		}
		if sent {
			run.StockExpiring++
		}
	}
	return nil
}

// tellExpiring queues the reminder of passes expiring to a holder's
// administrators, and tells whether it had something to tell to someone.
func (t *tx) tellExpiring(h holder) (bool, error) {
	p, err := t.settings(h.programme)
	if err != nil {
		return false, err
	}
	var kind string
	if err := t.get(&kind, `SELECT kind FROM organisations WHERE id = ?`, h.org); err != nil {
		return false, err
	}
	admins, err := t.adminsOf(`?`, h.org)
	if err != nil || len(admins) == 0 {
		return false, err
	}
	last := passnum.FrenchDate(p.ValidUntil)
	var subject string
	var b strings.Builder
	b.WriteString("Bonjour,\n\n")
	if passnum.OrgKind(kind) == passnum.KindFunder {
		var notHanded, handed int64
		if err := t.row(`SELECT COALESCE(SUM(CASE WHEN state IN ('issued', 'activated', 'allocated') THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN state = 'distributed' THEN 1 ELSE 0 END), 0)
			FROM passes WHERE programme_id = ?`, p.ID).Scan(&notHanded, &handed); err != nil {
			return false, err
		}
		if notHanded+handed == 0 {
			return false, nil
		}
		subject = fmt.Sprintf("Des pass du programme « %s » expirent le %s", p.Name, last)
		fmt.Fprintf(&b, "Les pass du programme « %s », que vous financez, ne sont plus valables après le %s. "+
			"À ce jour, %s ne sont pas encore utilisés, soit %s en valeur faciale :\n\n"+
			"- %s pas encore remis à des personnes ;\n- %s remis, pas encore utilisés dans un lieu.\n\n"+
			"Les pass qui ne seront pas utilisés, passé la tolérance de %s, vous seront remboursés par un avoir, selon votre part du financement. "+
			"D'ici là, vous pouvez demander aux prescripteurs de remettre leur stock.\n\nLe programme :\n%s\n",
			p.Name, last, passnum.FrenchCount(notHanded+handed, "pass", "pass"), passnum.FrenchEuros((notHanded+handed)*p.FaceValueCents),
			passnum.FrenchCount(notHanded, "pass", "pass"), passnum.FrenchCount(handed, "pass", "pass"),
			passnum.FrenchCount(int64(p.ToleranceDays), "jour", "jours"), t.link(fmt.Sprintf("/financeur/programmes/%d", p.ID)))
	} else {
		var carnets, stockPasses, handed int64
		if err := t.row(`SELECT COUNT(DISTINCT CASE WHEN p.state = 'allocated' AND c.beneficiary_id IS NULL THEN c.number END),
				COALESCE(SUM(CASE WHEN p.state = 'allocated' AND c.beneficiary_id IS NULL THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN p.state = 'distributed' THEN 1 ELSE 0 END), 0)
			FROM carnets c JOIN passes p ON p.carnet = c.number WHERE c.prescriber_id = ? AND c.programme_id = ?`, h.org, p.ID).Scan(&carnets, &stockPasses, &handed); err != nil {
			return false, err
		}
		if stockPasses+handed == 0 {
			return false, nil
		}
		subject = fmt.Sprintf("Vos pass du programme « %s » expirent le %s", p.Name, last)
		fmt.Fprintf(&b, "Les pass du programme « %s » ne sont plus valables après le %s.\n\n", p.Name, last)
		if stockPasses > 0 {
			fmt.Fprintf(&b, "- Votre stock compte encore %s non remis (%s) : remettez-les avant cette date aux personnes qui en ont besoin.\n",
				passnum.FrenchCount(carnets, "carnet", "carnets"), passnum.FrenchCount(stockPasses, "pass", "pass"))
		}
		if handed > 0 {
			fmt.Fprintf(&b, "- %s remis par votre structure ne sont pas encore utilisés : si vous revoyez ces personnes, rappelez-leur de s'inscrire à un atelier avant cette date.\n",
				passnum.FrenchCount(handed, "pass", "pass"))
		}
		fmt.Fprintf(&b, "\nVotre espace :\n%s\n", t.link("/prescripteur"))
	}
	b.WriteString(mailSignature)
	return true, t.queueMailTo(admins, passnum.MailStockExpiring, subject, b.String())
}

// remindRightsDue reminds the operator's administrators, once per request
// and due date, of each open rights request due within
// passnum.RightsReminderDays (or overdue, when no run could tell before).
func (s *Store) remindRightsDue(ctx context.Context, run *passnum.ReminderRun) error {
	today := passnum.Today(s.now())
	var open []*passnum.RightsRequest
	err := s.read(ctx, func(tx *tx) error {
		var err error
		open, err = selectAll(tx, scanRightsRequest, `SELECT `+rightsRequestColumns+` FROM rights_requests
			WHERE (answered_on IS NULL OR answered_on = '') AND due_on <= ? ORDER BY due_on, id`, passnum.AddDays(today, passnum.RightsReminderDays))
		return err
	})
	if err != nil {
		return err
	}
	for _, r := range open {
		sent, err := s.remindOnce(ctx, passnum.MailRightsRequest, fmt.Sprintf("rights-request:%d", r.ID), r.DueOn, func(tx *tx) (bool, error) {
			return tx.tellRightsDue(r.ID, today)
		})
		if err != nil {
			return err
		}
		if sent {
			run.RightsDue++
		}
	}
	return nil
}

// tellRightsDue reminds the operator's administrators of an open request.
func (t *tx) tellRightsDue(id int64, today string) (bool, error) {
	r, err := t.rightsRequest(id)
	if err != nil || !r.Open() {
		return false, err
	}
	admins, err := t.adminsOf(`SELECT id FROM organisations WHERE kind = 'operator'`)
	if err != nil || len(admins) == 0 {
		return false, err
	}
	when := "à répondre avant le " + passnum.FrenchDate(r.DueOn)
	if r.DueOn < today {
		when = "en retard depuis le " + passnum.FrenchDate(r.DueOn)
	}
	extension := "Si elle est complexe, le délai peut encore être prolongé de deux mois, une fois, en le disant à la personne avant l'échéance."
	if r.Extended {
		extension = "Le délai a déjà été prolongé : il ne peut plus l'être."
	}
	body := fmt.Sprintf("Bonjour,\n\nLa demande d'exercice de droits n° %d (droit : %s, reçue le %s, %s) attend toujours sa réponse : elle est due le %s.\n\n%s\n\n"+
		"La demande :\n%s\n%s",
		r.ID, r.Kind.Label(), passnum.FrenchDate(r.ReceivedOn), r.Channel.Label(), passnum.FrenchDate(r.DueOn), extension,
		t.link(fmt.Sprintf("/operateur/demandes-rgpd/%d", r.ID)), mailSignature)
	return true, t.queueMailTo(admins, passnum.MailRightsRequest, fmt.Sprintf("Demande RGPD n° %d %s", r.ID, when), body)
}
