package main

import (
	"context"

	"github.com/passnum/passnum"
)

const remindersRunDoc = `Met en file les rappels du jour par courriel :
  - aux prescripteurs et aux financeurs, les pass d'un programme encore
    inutilisés dans les 30 jours qui précèdent leur fin de validité ;
  - aux administrateurs de l'opérateur, les demandes RGPD sans réponse à
    moins de 7 jours de leur échéance (ou en retard).
Chaque rappel part une seule fois (par organisation, programme et date, ou
par demande et échéance), même lancé plusieurs fois ou sur plusieurs
serveurs. serve le lance chaque jour de lui-même.

Les liens des messages commencent par PASSNUM_URL (l'adresse publique).`

func (c *cli) remindersRun(o *options) runFunc {
	o.usage("", remindersRunDoc)
	return func(ctx context.Context, s store) error {
		run, err := s.SendReminders(ctx)
		if run != nil {
			c.printf("Rappels mis en file : pass qui expirent %d, demandes RGPD à échéance %d.\n", run.StockExpiring, run.RightsDue)
		}
		return err
	}
}

// remindInBackground queues the reminders as the operator op once a day,
// on one of the servers (dailyJob), until the stop it returns is called.
// Each reminder's key would let one server queue it anyway.
func remindInBackground(ctx context.Context, op *passnum.Actor, s passnum.ReminderService, sc *scheduler) (stop func()) {
	return sc.dailyJob(ctx, op, "reminders", func(ctx context.Context) ([]any, error) {
		run, err := s.SendReminders(ctx)
		if err != nil {
			return nil, err
		}
		return []any{"stock_expiring", run.StockExpiring, "rights_due", run.RightsDue}, nil
	})
}
