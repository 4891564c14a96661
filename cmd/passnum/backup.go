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

func (c *cli) backup(ctx context.Context, args []string) error {
	fs := c.flags("passnum backup", "passnum backup --out FICHIER", backupDoc)
	out := fs.String("out", "", "`fichier` de sauvegarde à créer")
	if err := fs.parse(args, "out"); err != nil {
		return err
	}
	s, err := c.open(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	if err := s.Backup(ctx, *out); err != nil {
		return err
	}
	c.printf("Sauvegarde écrite dans %s en %s.\n", *out, formatSeconds(time.Since(start)))
	return nil
}
