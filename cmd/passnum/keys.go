package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/keyset"
)

// The installation's keys (README, « Clés et secrets »): a key file or
// the environment, else the database.

// keysFileOption declares --file, the key file, PASSNUM_KEYS_FILE by
// default.
func keysFileOption(o *options, p *string, doc string, n ...need) {
	o.string(p, "file", os.Getenv(keyset.EnvFile), "`fichier` de clés "+doc+" (variable "+keyset.EnvFile+")", n...)
}

// keyKindValue is --kind: signing or sealing.
type keyKindValue struct{ k *keyset.Kind }

func (v keyKindValue) String() string {
	if v.k == nil {
		return ""
	}
	return string(*v.k)
}

func (v keyKindValue) Set(s string) error {
	switch keyset.Kind(s) {
	case keyset.Signing, keyset.Sealing:
		*v.k = keyset.Kind(s)
		return nil
	}
	return errors.New("signing (signature des QR codes) ou sealing (chiffrement des graines TOTP)")
}

// keysNow is the clock of the key commands.
func (c *cli) keysNow() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (c *cli) keysGenerate(o *options) runFunc {
	o.usage("--file FICHIER [--kind signing|sealing] [--id ID]",
		"Sans fichier : crée le fichier de clés (mode 0600) avec une clé de signature des\n"+
			"QR codes (k1) et une clé de chiffrement des graines TOTP (s1), toutes deux\n"+
			"actives. Avec un fichier existant : y ajoute une clé en attente, qui vérifie\n"+
			"sans signer ; déployez le fichier sur chaque serveur, puis « passnum keys\n"+
			"rotate » la rend active. N'affiche jamais de secret.")
	var file, id string
	kind := keyset.Signing
	keysFileOption(o, &file, "à créer ou à compléter")
	o.value(keyKindValue{&kind}, "kind", "`sorte` de clé ajoutée : signing (défaut) ou sealing")
	o.string(&id, "id", "", "`id` de la clé ajoutée (défaut : la suivante, k2, k3… ou s2…)")
	o.check(func() error {
		if file == "" {
			return o.usageErrorf("indiquez le fichier de clés : --file ou la variable %s", keyset.EnvFile)
		}
		return nil
	})
	return func(context.Context, store) error {
		now := c.keysNow()
		set, err := keyset.ReadFile(file)
		if passnum.ErrorCode(err) == passnum.EINVALID {
			if _, statErr := os.Stat(file); errors.Is(statErr, os.ErrNotExist) {
				set, err = keyset.New(now, rand.Reader)
				if err != nil {
					return err
				}
				if err := set.WriteFile(file); err != nil {
					return err
				}
				c.printf("Fichier de clés créé : %s (mode 0600), clé de signature k1 et clé de chiffrement s1, actives.\n", file)
				return nil
			}
		}
		if err != nil {
			return err
		}
		k, err := set.Add(kind, id, now, rand.Reader)
		if err != nil {
			return err
		}
		if err := set.WriteFile(file); err != nil {
			return err
		}
		c.printf("Clé de %s %s ajoutée à %s, en attente : déployez le fichier sur chaque serveur, redémarrez-les, puis « passnum keys rotate --kind %s ».\n",
			kind.Label(), k.ID, file, kind)
		return nil
	}
}

func (c *cli) keysRotate(o *options) runFunc {
	o.usage("[--file FICHIER] [--kind signing|sealing]",
		"Avec un fichier de clés : rend active la clé en attente la plus récente (ou une\n"+
			"nouvelle) ; l'ancienne est retirée. Une clé de signature retirée perd son secret\n"+
			"et garde sa clé publique : les pass déjà imprimés restent valables. Une clé de\n"+
			"chiffrement retirée garde son secret : chaque serveur, en démarrant, chiffre à\n"+
			"nouveau les graines TOTP avec la clé active. Déployez le fichier sur chaque\n"+
			"serveur et redémarrez-les.\n\n"+
			"Sans fichier, les clés sont dans la base : crée une nouvelle clé de signature\n"+
			"qui signe les QR codes exportés à partir de maintenant ; les précédentes\n"+
			"continuent de vérifier les pass qu'elles ont signés. Redémarrez les serveurs\n"+
			"ensuite pour qu'ils la chargent.")
	var file string
	kind := keyset.Signing
	keysFileOption(o, &file, "à changer ; sans lui, les clés de la base")
	o.value(keyKindValue{&kind}, "kind", "`sorte` de clé : signing (défaut) ou sealing")
	return func(ctx context.Context, _ store) error {
		if file == "" {
			if os.Getenv(keyset.EnvKeys) != "" {
				return passnum.Errorf(passnum.EINVALID, "keys-outside",
					"Les clés viennent de la variable %s : changez-les à leur source (un fichier tenu par « passnum keys rotate --file », dont la variable reçoit le contenu).", keyset.EnvKeys)
			}
			if kind != keyset.Signing {
				return passnum.Errorf(passnum.EINVALID, "keys-in-database",
					"Dans la base, seules les clés de signature tournent : pour chiffrer hors de la base, « passnum keys move --file FICHIER ».")
			}
			return c.withOperatorStore(ctx, func(ctx context.Context, s store) error {
				id, err := s.RotateKey(ctx)
				if err != nil {
					return err
				}
				c.printf("Nouvelle clé de signature : %s.\n", id)
				return nil
			})
		}
		set, err := keyset.ReadFile(file)
		if err != nil {
			return err
		}
		active, retired, err := set.Rotate(kind, c.keysNow(), rand.Reader)
		if err != nil {
			return err
		}
		if err := set.WriteFile(file); err != nil {
			return err
		}
		c.printf("Clé de %s %s active ; %s retirée", kind.Label(), active.ID, retired.ID)
		if kind == keyset.Signing {
			c.printf(" (sa clé publique vérifie encore les pass qu'elle a signés)")
		} else {
			c.printf(" (elle ouvre encore ce qu'elle a chiffré)")
		}
		c.printf(". Déployez %s sur chaque serveur et redémarrez-les.\n", file)
		return nil
	}
}

// withOperatorStore opens the store and runs f acting as the operator,
// for the key commands that open it only in some cases.
func (c *cli) withOperatorStore(ctx context.Context, f func(context.Context, store) error) error {
	s, err := c.open(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	a, err := s.SystemActor(ctx, "cli:"+c.login)
	if err != nil {
		return err
	}
	return f(passnum.NewContextWithActor(ctx, a), s)
}

// keysInUse returns the keys of --file when given, else those the store
// uses (the environment's, else the database's).
func (c *cli) keysInUse(ctx context.Context, file string, then func(*keyset.Set, store) error) error {
	if file != "" {
		set, err := keyset.ReadFile(file)
		if err != nil {
			return err
		}
		return then(set, nil)
	}
	return c.withOperatorStore(ctx, func(ctx context.Context, s store) error { return then(s.Keys(), s) })
}

func (c *cli) keysList(o *options) runFunc {
	o.usage("[--file FICHIER]",
		"Liste les clés : sorte, id, état (active, en attente, retirée) et date de\n"+
			"création, jamais leur secret. Sans --file, les clés qu'utilise la base ouverte\n"+
			"(celles de "+keyset.EnvFile+" ou "+keyset.EnvKeys+", sinon celles de la base), avec le\n"+
			"nombre de graines TOTP que chaque clé de chiffrement scelle : une clé retirée\n"+
			"qui n'en scelle plus peut quitter le fichier.")
	var file string
	o.string(&file, "file", "", "`fichier` de clés à lire seul, sans ouvrir la base")
	return func(ctx context.Context, _ store) error {
		return c.keysInUse(ctx, file, func(set *keyset.Set, s store) error {
			var sealed map[string]int
			if s != nil {
				var err error
				if sealed, err = s.SealedSeeds(ctx); err != nil {
					return err
				}
			}
			c.printf("Clés : %s.\n", set.Source)
			return printList(c.stdout, set.Sorted(), "Aucune clé.", "llllr", []string{"sorte", "id", "état", "créée le", "graines TOTP"}, func(k keyset.Key) []string {
				seeds := ""
				if k.Kind == keyset.Sealing && sealed != nil {
					seeds = formatInt(int64(sealed[k.ID]))
				}
				return []string{k.Kind.Label(), k.ID, k.State.Label(), k.Created.UTC().Format("2006-01-02 15:04 UTC"), seeds}
			})
		})
	}
}

func (c *cli) keysExportPublic(o *options) runFunc {
	o.usage("[--file FICHIER] [--out FICHIER.json]",
		"Écrit en JSON ce dont un vérificateur hors ligne (un guichet sans réseau) a\n"+
			"besoin pour vérifier les QR codes des pass : les clés publiques de signature\n"+
			"avec leur id (format passnum-public-keys/1, décrit dans le README). Rien de\n"+
			"secret : le fichier peut être copié sur chaque appareil.")
	var file, out string
	o.string(&file, "file", "", "`fichier` de clés à lire seul, sans ouvrir la base")
	o.string(&out, "out", "", "`fichier` à écrire (défaut : la sortie standard)")
	return func(ctx context.Context, _ store) error {
		return c.keysInUse(ctx, file, func(set *keyset.Set, _ store) error {
			toFile, err := c.writeOut(out, func(w io.Writer) error {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(set.Public())
			})
			if err == nil && toFile {
				c.printf("Clés publiques écrites dans %s.\n", out)
			}
			return err
		})
	}
}

func (c *cli) keysMove(o *options) runFunc {
	o.usage("--file FICHIER",
		"Pour une installation dont les clés sont dans la base : les écrit dans un\n"+
			"nouveau fichier de clés (mode 0600), puis les retire de la base, qui s'en\n"+
			"souvient (ids et clés publiques) : elle refusera ensuite de démarrer sans ce\n"+
			"fichier. Les anciennes clés de signature y passent retirées, avec leur seule\n"+
			"clé publique : les pass déjà imprimés restent valables. Relancée après une\n"+
			"interruption, la commande reprend. Donnez ensuite le fichier à chaque serveur\n"+
			"("+keyset.EnvFile+") et redémarrez-les.")
	var file string
	o.string(&file, "file", "", "`fichier` de clés à écrire", required)
	// The keys to move are the database's, whatever the environment says.
	c.keysFromDatabase = true
	return func(ctx context.Context, s store) error {
		moved, err := s.MoveKeys(ctx, func(set *keyset.Set) error {
			set.Source = "fichier de clés " + file
			if existing, err := keyset.ReadFile(file); err == nil {
				// A move interrupted after the file was written finds its
				// keys there: nothing more to write.
				if err := existing.Merge(set); err != nil {
					return err
				}
				return existing.WriteFile(file)
			} else if _, statErr := os.Stat(file); !errors.Is(statErr, os.ErrNotExist) {
				return err
			}
			return set.WriteFile(file)
		})
		if err != nil {
			return err
		}
		var ids []string
		for _, k := range moved.Keys {
			ids = append(ids, k.ID)
		}
		c.printf("Clés %s écrites dans %s et retirées de la base. Réglez %s=%s sur chaque serveur, puis redémarrez-les.\n",
			strings.Join(ids, ", "), file, keyset.EnvFile, file)
		return nil
	}
}
