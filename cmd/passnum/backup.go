package main

import (
	"context"
	"time"

	"github.com/passnum/passnum/internal/sqlstore"
)

const backupDoc = `Écrit une copie cohérente de la base SQLite dans FICHIER, pendant que le
serveur tourne (VACUUM INTO : une photographie de la base à un instant,
sans bloquer les encaissements). FICHIER ne doit pas exister.

Restaurer : arrêter le serveur, remplacer la base (et supprimer ses
fichiers -wal et -shm) par une copie de la sauvegarde, puis
« passnum check » avant de relancer.

` + sqlstore.PostgresBackupHelp + `.`

func (c *cli) backup(o *options) runFunc {
	o.usage("--out FICHIER", backupDoc)
	var out string
	o.string(&out, "out", "", "`fichier` de sauvegarde à créer", required)
	return func(ctx context.Context, s store) error {
		start := time.Now()
		if err := s.Backup(ctx, out); err != nil {
			return err
		}
		c.printf("Sauvegarde écrite dans %s en %s.\n", out, formatSeconds(time.Since(start)))
		return nil
	}
}
