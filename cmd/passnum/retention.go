package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
)

// retentionKinds names in French what each step of the retention job
// erases, for the command's output.
var retentionKinds = map[string]string{
	"beneficiaries":                      "bénéficiaires effacés",
	"registrations":                      "prénoms d'inscrits effacés",
	"notes":                              "notes de comptes rendus effacées",
	"sessions":                           "sessions de connexion supprimées",
	string(passnum.RetainPasswordResets): "liens de mot de passe supprimés",
	"outbox":                             "courriels supprimés",
	"access-log":                         "lignes du journal des consultations supprimées",
}

func retentionKindLabel(kind string) string {
	if l, ok := retentionKinds[kind]; ok {
		return l
	}
	return kind
}

const retentionRunDoc = `Efface ou anonymise ce qui a dépassé sa durée de conservation (réglée par
PASSNUM_PRIVACY_RETENTION) : fiches des bénéficiaires (après leur dernier pass
utilisé ou la fin de validité de leur dernier carnet), prénoms d'inscrits,
notes des conseillers, sessions, liens de mot de passe, courriels, journal des
consultations. Les pièces
comptables restent, sans lien avec la personne.

Une personne qui a demandé la limitation du traitement, ou qui détient encore
des pass utilisables, est gardée (comptée « gardée »). Le travail se fait par
petits lots, chacun dans sa transaction : interrompue, la purge reprend où elle
en était à la prochaine exécution. Une seule purge à la fois, même sur
plusieurs serveurs. serve la lance chaque jour de lui-même.

Avec --dry-run : dit ce qui serait effacé, sans rien changer.`

func (c *cli) retentionRun(o *options) runFunc {
	o.usage("[--dry-run]", retentionRunDoc)
	var dry bool
	o.bool(&dry, "dry-run", "compte ce qui serait effacé, sans rien effacer")
	return func(ctx context.Context, s store) error {
		tty := isTerminal(c.stderr)
		run, err := s.Retain(ctx, dry, func(n passnum.RetentionCount) {
			line := fmt.Sprintf("%s : %s", retentionKindLabel(n.Kind), formatInt(n.Erased))
			if tty {
				fmt.Fprintf(c.stderr, "\r%s\x1b[K", line)
			} else {
				fmt.Fprintln(c.stderr, line)
			}
		})
		if tty {
			fmt.Fprint(c.stderr, "\r\x1b[K")
		}
		if run != nil && len(run.Counts) > 0 {
			verb := "Effacé"
			if dry {
				verb = "Serait effacé"
			}
			c.printf("%s :\n", verb)
			c.printRetentionCounts(run)
		}
		if err != nil {
			return err
		}
		switch {
		case dry:
			c.printf("Rien n'a été changé (--dry-run).\n")
		case run.Total() == 0:
			c.printf("Purge n°%d : rien n'avait dépassé sa durée de conservation.\n", run.ID)
		default:
			c.printf("Purge n°%d terminée : %s enregistrements effacés.\n", run.ID, formatInt(run.Total()))
		}
		return nil
	}
}

// printRetentionCounts prints one line per kind of record.
func (c *cli) printRetentionCounts(run *passnum.RetentionRun) {
	for _, n := range run.Counts {
		line := fmt.Sprintf("  %-36s %8s", retentionKindLabel(n.Kind), formatInt(n.Erased))
		if n.Skipped > 0 {
			line += fmt.Sprintf("  (%s gardés : limitation demandée ou pass encore utilisables)", formatInt(n.Skipped))
		}
		c.printf("%s\n", line)
	}
}

func (c *cli) retentionRuns(o *options) runFunc {
	o.usage("[--limit N]", "Liste les dernières purges, de la plus récente à la plus ancienne, avec ce\n"+
		"que chacune a effacé. Une purge « interrompue » s'est arrêtée en route (serveur\n"+
		"arrêté) : la suivante a repris son travail.")
	var limit int
	o.int(&limit, "limit", 20, "`nombre` de purges affichées")
	return func(ctx context.Context, s store) error {
		runs, err := s.ListRetentionRuns(ctx, limit)
		if err != nil {
			return err
		}
		return printList(c.stdout, runs, "Aucune purge.", "lllrll", []string{"N°", "DÉBUT", "ÉTAT", "EFFACÉS", "PAR", "DÉTAIL"},
			func(r *passnum.RetentionRun) []string {
				var detail []string
				for _, n := range r.Counts {
					if n.Erased > 0 || n.Skipped > 0 {
						detail = append(detail, fmt.Sprintf("%s=%d", n.Kind, n.Erased))
					}
				}
				if r.Error != "" {
					detail = append(detail, "erreur : "+r.Error)
				}
				return []string{fmt.Sprint(r.ID), passnum.FrenchDateTime(r.StartedAt), retentionStatusLabel(r.Status), formatInt(r.Total()),
					r.Actor, strings.Join(detail, " ")}
			})
	}
}

func retentionStatusLabel(status string) string {
	switch status {
	case passnum.RetentionRunning:
		return "en cours"
	case passnum.RetentionDone:
		return "terminée"
	case passnum.RetentionFailed:
		return "échec"
	case passnum.RetentionInterrupted:
		return "interrompue"
	}
	return status
}

// retainInBackground runs the retention job as the operator op once a
// day, on one of the servers (dailyJob), until the stop it returns is
// called. Another run at the same time (the command) is no error: the
// retention's lease lets one of them do it.
func retainInBackground(ctx context.Context, op *passnum.Actor, s *sqlstore.Store, sc *scheduler) (stop func()) {
	return sc.dailyJob(ctx, op, "retention", func(ctx context.Context) ([]any, error) {
		run, err := s.RunRetention(ctx, false)
		if passnum.ErrorReason(err) == passnum.ReasonRetentionRunning {
			return []any{"outcome", "another server runs it"}, nil
		}
		if err != nil {
			return nil, err
		}
		return []any{"run", run.ID, "erased", run.Total()}, nil
	})
}
