package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/passnum/passnum"
)

// Organisations, people and API tokens.

func kindsHelp() string {
	var b strings.Builder
	for _, k := range passnum.OrgKinds {
		fmt.Fprintf(&b, "  %-11s %s\n", k, k.Label())
	}
	return b.String()
}

func (c *cli) orgCreate(o *options) runFunc {
	o.usage("--kind TYPE --name NOM [--siret SIRET] [--commune INSEE] [--qualification STATUT]",
		"Crée une organisation. Types :\n"+kindsHelp()+
			"\nUn lieu de médiation a un SIRET (14 chiffres, unique) et une commune\n"+
			"(code INSEE, par exemple 35238 pour Rennes) ; il est créé en attente de\n"+
			"qualification sauf --qualification qualified.\n\n"+
			"Exemple :\n  passnum org create --kind venue --name \"Le Grand Clic\" --siret 82417356000015 --commune 35238")
	var in passnum.OrganisationCreate
	var kind, qual string
	o.string(&kind, "kind", "", "`type` : operator, funder, hub, prescriber ou venue", required)
	o.string(&in.Name, "name", "", "`nom` de l'organisation", required)
	o.string(&in.SIRET, "siret", "", "`SIRET` (14 chiffres ; obligatoire pour un lieu)")
	o.string(&in.CommuneINSEE, "commune", "", "code `INSEE` de la commune (obligatoire pour un lieu)")
	o.string(&qual, "qualification", "", "`statut` d'un lieu : pending, qualified, suspended ou withdrawn")
	return func(ctx context.Context, s store) error {
		in.Kind, in.Qualification = passnum.OrgKind(kind), passnum.Qualification(qual)
		org, err := s.CreateOrganisation(ctx, in)
		if err != nil {
			return err
		}
		c.printf("Organisation n°%d créée : %s (%s)", org.ID, org.Name, org.Kind.Label())
		if org.Qualification != "" {
			c.printf(", %s", org.Qualification.Label())
		}
		c.printf(".\n")
		return nil
	}
}

func (c *cli) orgList(o *options) runFunc {
	o.usage("[--kind TYPE] [--query TEXTE]", "Liste les organisations, toutes ou d'un type :\n"+kindsHelp())
	var f passnum.OrganisationFilter
	var kind string
	o.string(&kind, "kind", "", "`type` d'organisation")
	o.string(&f.Query, "query", "", "`texte` cherché dans le nom, ou SIRET exact")
	o.check(func() error {
		if f.Kind = passnum.OrgKind(kind); kind == "" || f.Kind.Valid() {
			return nil
		}
		var names []string
		for _, k := range passnum.OrgKinds {
			names = append(names, string(k))
		}
		return o.usageErrorf("type inconnu : %q (%s)", kind, strings.Join(names, ", "))
	})
	return func(ctx context.Context, s store) error {
		all, err := allPages(func(offset, limit int) ([]*passnum.Organisation, int, error) {
			f.Offset, f.Limit = offset, limit
			return s.ListOrganisations(ctx, f)
		})
		if err != nil {
			return err
		}
		err = printList(c.stdout, all, "Aucune organisation.", "", []string{"N°", "TYPE", "NOM", "SIRET", "COMMUNE", "QUALIFICATION"},
			func(org *passnum.Organisation) []string {
				return []string{fmt.Sprint(org.ID), string(org.Kind), org.Name, dash(org.SIRET), dash(org.CommuneINSEE), dash(string(org.Qualification))}
			})
		if err != nil || len(all) == 0 {
			return err
		}
		c.printf("%s.\n", passnum.FrenchCount(int64(len(all)), "organisation", "organisations"))
		return nil
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (c *cli) userCreate(o *options) runFunc {
	o.usage("--email ADRESSE --name NOM --org N --role admin|agent",
		"Crée le compte d'une personne, membre d'une organisation avec un rôle : admin\n"+
			"(gère l'organisation, ses membres, ses jetons) ou agent (travail quotidien).\n\n"+
			"Le mot de passe (12 caractères au moins) vient de la variable PASSNUM_PASSWORD\n"+
			"ou se saisit au clavier sans écho ; jamais d'une option, pour qu'il ne reste\n"+
			"pas dans l'historique du shell. Il est refusé s'il se devine vite : l'un des\n"+
			"mots de passe les plus courants (même avec quelques chiffres autour), une\n"+
			"suite (1234…, azerty…), un caractère ou un morceau répété, le nom ou\n"+
			"l'adresse de la personne.")
	var in passnum.UserCreate
	var role string
	o.string(&in.Email, "email", "", "`adresse` électronique (identifiant de connexion)", required)
	o.string(&in.Name, "name", "", "`nom` de la personne", required)
	o.int64(&in.OrgID, "org", "`numéro` de l'organisation", required)
	o.string(&role, "role", "", "`rôle` : admin ou agent", required)
	o.check(func() error {
		if in.Role = passnum.Role(role); !in.Role.Valid() {
			return o.usageErrorf("rôle inconnu : %q (admin ou agent)", role)
		}
		// Asked before the database is opened, as any other option.
		var err error
		in.Password, err = c.password(o.ctx, o.path)
		return err
	})
	return func(ctx context.Context, s store) error {
		u, err := s.CreateUser(ctx, in)
		if err != nil {
			return err
		}
		c.printf("Compte n°%d créé : %s <%s>", u.ID, u.Name, u.Email)
		for _, m := range u.Memberships {
			c.printf(", %s de %s (n°%d)", m.Role, m.OrgName, m.OrgID)
		}
		c.printf(".\n")
		return nil
	}
}

// password reads a new password from PASSNUM_PASSWORD or, on a terminal,
// from the keyboard without echo, twice.
func (c *cli) password(ctx context.Context, path string) (string, error) {
	if p, ok := os.LookupEnv(envPassword); ok {
		return p, nil
	}
	if !isTerminal(os.Stdin) {
		return "", usageErrorf(path, "donnez le mot de passe dans la variable %s (l'entrée standard n'est pas un terminal)", envPassword)
	}
	first, err := readSecret(ctx, c.stderr, fmt.Sprintf("Mot de passe (%d caractères au moins) : ", passnum.MinPasswordLength))
	if errors.Is(err, errNoEcho) {
		return "", usageErrorf(path, "impossible de masquer la saisie sur ce terminal : donnez le mot de passe dans la variable %s", envPassword)
	}
	if err != nil {
		return "", err
	}
	again, err := readSecret(ctx, c.stderr, "Mot de passe, de nouveau : ")
	if err != nil {
		return "", err
	}
	if first != again {
		return "", passnum.Invalid("password", "Les deux saisies du mot de passe diffèrent.")
	}
	return first, nil
}

func (c *cli) tokenCreate(o *options) runFunc {
	o.usage("--org N --role admin|agent --name NOM",
		"Crée un jeton d'accès à l'API pour une organisation (en-tête\n"+
			"Authorization: Bearer pn_…). Le secret s'affiche une seule fois : seule son\n"+
			"empreinte est conservée.")
	var in passnum.TokenCreate
	var role string
	o.int64(&in.OrgID, "org", "`numéro` de l'organisation", required)
	o.string(&role, "role", "", "`rôle` du jeton : admin ou agent", required)
	o.string(&in.Name, "name", "", "`nom` du jeton, par exemple le logiciel qui l'utilise", required)
	return func(ctx context.Context, s store) error {
		in.Role = passnum.Role(role)
		tok, secret, err := s.CreateToken(ctx, in)
		if err != nil {
			return err
		}
		c.printf("Jeton n°%d « %s » créé pour l'organisation n°%d (%s).\n", tok.ID, tok.Name, tok.OrgID, tok.Role)
		c.printf("Secret, affiché cette seule fois : copiez-le maintenant dans le logiciel qui l'utilisera.\n")
		c.printf("Quiconque le connaît agit au nom de l'organisation ; s'il fuit : passnum token revoke --id %d\n\n", tok.ID)
		c.printf("%s\n", secret)
		return nil
	}
}

func (c *cli) tokenList(o *options) runFunc {
	o.usage("--org N", "Liste les jetons d'une organisation (sans leur secret).")
	var org int64
	o.int64(&org, "org", "`numéro` de l'organisation", required)
	return func(ctx context.Context, s store) error {
		toks, err := s.ListTokens(ctx, org)
		if err != nil {
			return err
		}
		return printList(c.stdout, toks, "Aucun jeton.", "", []string{"N°", "NOM", "RÔLE", "DÉBUT", "CRÉÉ LE", "RÉVOQUÉ LE"},
			func(t *passnum.APIToken) []string {
				revoked := "-"
				if t.RevokedAt != nil {
					revoked = passnum.FrenchDateTime(*t.RevokedAt)
				}
				return []string{fmt.Sprint(t.ID), t.Name, string(t.Role), t.Prefix + "…", passnum.FrenchDateTime(t.CreatedAt), revoked}
			})
	}
}

func (c *cli) tokenRevoke(o *options) runFunc {
	o.usage("--id N", "Révoque un jeton : il est refusé dès la requête suivante.")
	var id int64
	o.int64(&id, "id", "`numéro` du jeton", required)
	return func(ctx context.Context, s store) error {
		if err := s.RevokeToken(ctx, id); err != nil {
			return err
		}
		c.printf("Jeton n°%d révoqué.\n", id)
		return nil
	}
}
