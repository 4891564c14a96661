package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/passnum/passnum"
)

// Organisations, people and API tokens.

func (c *cli) org(ctx context.Context, args []string) error {
	return c.group(ctx, "org", args, map[string]command{
		"create": {c.orgCreate, "crée une organisation (financeur, prescripteur, lieu…)"},
		"list":   {c.orgList, "liste les organisations"},
		// The older name of "venue qualify": the same decisions of the
		// qualification workflow, by the same code.
		"qualify": {c.venueQualify, "comme « passnum venue qualify » : une décision du parcours de qualification"},
	})
}

func kindsHelp() string {
	var b strings.Builder
	for _, k := range passnum.OrgKinds {
		fmt.Fprintf(&b, "  %-11s %s\n", k, k.Label())
	}
	return b.String()
}

func (c *cli) orgCreate(ctx context.Context, args []string) error {
	fs := c.flags("passnum org create",
		"passnum org create --kind TYPE --name NOM [--siret SIRET] [--commune INSEE] [--qualification STATUT]",
		"Crée une organisation. Types :\n"+kindsHelp()+
			"\nUn lieu de médiation a un SIRET (14 chiffres, unique) et une commune\n"+
			"(code INSEE, par exemple 35238 pour Rennes) ; il est créé en attente de\n"+
			"qualification sauf --qualification qualified.\n\n"+
			"Exemple :\n  passnum org create --kind venue --name \"Le Grand Clic\" --siret 82417356000015 --commune 35238")
	var in passnum.OrganisationCreate
	kind := fs.String("kind", "", "`type` : operator, funder, hub, prescriber ou venue")
	fs.StringVar(&in.Name, "name", "", "`nom` de l'organisation")
	fs.StringVar(&in.SIRET, "siret", "", "`SIRET` (14 chiffres ; obligatoire pour un lieu)")
	fs.StringVar(&in.CommuneINSEE, "commune", "", "code `INSEE` de la commune (obligatoire pour un lieu)")
	qual := fs.String("qualification", "", "`statut` d'un lieu : pending, qualified, suspended ou withdrawn")
	if err := fs.parse(args, "kind", "name"); err != nil {
		return err
	}
	in.Kind, in.Qualification = passnum.OrgKind(*kind), passnum.Qualification(*qual)
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	o, err := s.CreateOrganisation(ctx, in)
	if err != nil {
		return err
	}
	c.printf("Organisation n°%d créée : %s (%s)", o.ID, o.Name, o.Kind.Label())
	if o.Qualification != "" {
		c.printf(", %s", o.Qualification.Label())
	}
	c.printf(".\n")
	return nil
}

func (c *cli) orgList(ctx context.Context, args []string) error {
	fs := c.flags("passnum org list", "passnum org list [--kind TYPE] [--query TEXTE]",
		"Liste les organisations, toutes ou d'un type :\n"+kindsHelp())
	kind := fs.String("kind", "", "`type` d'organisation")
	query := fs.String("query", "", "`texte` cherché dans le nom, ou SIRET exact")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *kind != "" && !passnum.OrgKind(*kind).Valid() {
		var names []string
		for _, k := range passnum.OrgKinds {
			names = append(names, string(k))
		}
		return usageErrorf(fs.path, "type inconnu : %q (%s)", *kind, strings.Join(names, ", "))
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	var all []*passnum.Organisation
	for {
		page, total, err := s.ListOrganisations(ctx, passnum.OrganisationFilter{Kind: passnum.OrgKind(*kind), Query: *query, Offset: len(all), Limit: 500})
		if err != nil {
			return err
		}
		all = append(all, page...)
		if len(page) == 0 || len(all) >= total {
			break
		}
	}
	if len(all) == 0 {
		c.printf("Aucune organisation.\n")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "N°\tTYPE\tNOM\tSIRET\tCOMMUNE\tQUALIFICATION")
	for _, o := range all {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", o.ID, o.Kind, o.Name, dash(o.SIRET), dash(o.CommuneINSEE), dash(string(o.Qualification)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	c.printf("%s organisation(s).\n", formatInt(len(all)))
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (c *cli) user(ctx context.Context, args []string) error {
	return c.group(ctx, "user", args, map[string]command{
		"create": {c.userCreate, "crée un compte membre d'une organisation"},
	})
}

func (c *cli) userCreate(ctx context.Context, args []string) error {
	fs := c.flags("passnum user create", "passnum user create --email ADRESSE --name NOM --org N --role admin|agent",
		"Crée le compte d'une personne, membre d'une organisation avec un rôle : admin\n"+
			"(gère l'organisation, ses membres, ses jetons) ou agent (travail quotidien).\n\n"+
			"Le mot de passe (12 caractères au moins) vient de la variable PASSNUM_PASSWORD\n"+
			"ou se saisit au clavier sans écho ; jamais d'une option, pour qu'il ne reste\n"+
			"pas dans l'historique du shell. Il est refusé s'il se devine vite : l'un des\n"+
			"mots de passe les plus courants (même avec quelques chiffres autour), une\n"+
			"suite (1234…, azerty…), un caractère ou un morceau répété, le nom ou\n"+
			"l'adresse de la personne.")
	var in passnum.UserCreate
	fs.StringVar(&in.Email, "email", "", "`adresse` électronique (identifiant de connexion)")
	fs.StringVar(&in.Name, "name", "", "`nom` de la personne")
	fs.int64(&in.OrgID, "org", 0, "`numéro` de l'organisation")
	role := fs.String("role", "", "`rôle` : admin ou agent")
	if err := fs.parse(args, "email", "name", "org", "role"); err != nil {
		return err
	}
	in.Role = passnum.Role(*role)
	if !in.Role.Valid() {
		return usageErrorf(fs.path, "rôle inconnu : %q (admin ou agent)", *role)
	}
	password, err := c.password(ctx, fs.path)
	if err != nil {
		return err
	}
	in.Password = password
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
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

func (c *cli) token(ctx context.Context, args []string) error {
	return c.group(ctx, "token", args, map[string]command{
		"create": {c.tokenCreate, "crée un jeton d'API pour une organisation"},
		"list":   {c.tokenList, "liste les jetons d'une organisation"},
		"revoke": {c.tokenRevoke, "révoque un jeton sur-le-champ"},
	})
}

func (c *cli) tokenCreate(ctx context.Context, args []string) error {
	fs := c.flags("passnum token create", "passnum token create --org N --role admin|agent --name NOM",
		"Crée un jeton d'accès à l'API pour une organisation (en-tête\n"+
			"Authorization: Bearer pn_…). Le secret s'affiche une seule fois : seule son\n"+
			"empreinte est conservée.")
	var in passnum.TokenCreate
	fs.int64(&in.OrgID, "org", 0, "`numéro` de l'organisation")
	role := fs.String("role", "", "`rôle` du jeton : admin ou agent")
	fs.StringVar(&in.Name, "name", "", "`nom` du jeton, par exemple le logiciel qui l'utilise")
	if err := fs.parse(args, "org", "role", "name"); err != nil {
		return err
	}
	in.Role = passnum.Role(*role)
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
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

func (c *cli) tokenList(ctx context.Context, args []string) error {
	fs := c.flags("passnum token list", "passnum token list --org N", "Liste les jetons d'une organisation (sans leur secret).")
	org := new(int64)
	fs.int64(org, "org", 0, "`numéro` de l'organisation")
	if err := fs.parse(args, "org"); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	toks, err := s.ListTokens(ctx, *org)
	if err != nil {
		return err
	}
	if len(toks) == 0 {
		c.printf("Aucun jeton.\n")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "N°\tNOM\tRÔLE\tDÉBUT\tCRÉÉ LE\tRÉVOQUÉ LE")
	for _, t := range toks {
		revoked := "-"
		if t.RevokedAt != nil {
			revoked = passnum.FrenchDateTime(*t.RevokedAt)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s…\t%s\t%s\n", t.ID, t.Name, t.Role, t.Prefix, passnum.FrenchDateTime(t.CreatedAt), revoked)
	}
	return tw.Flush()
}

func (c *cli) tokenRevoke(ctx context.Context, args []string) error {
	fs := c.flags("passnum token revoke", "passnum token revoke --id N", "Révoque un jeton : il est refusé dès la requête suivante.")
	id := new(int64)
	fs.int64(id, "id", 0, "`numéro` du jeton")
	if err := fs.parse(args, "id"); err != nil {
		return err
	}
	ctx, s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.RevokeToken(ctx, *id); err != nil {
		return err
	}
	c.printf("Jeton n°%d révoqué.\n", *id)
	return nil
}
