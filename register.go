package passnum

import (
	"fmt"
	"io"
	"strings"
)

// The register of processing activities (GDPR article 30) and the notices
// given to people (articles 13 and 14), both built from the declaration of
// privacy.go and the installation's PrivacySettings. The web page, the PDF
// and docs/REGISTRE.md render the same Register; the public page, the
// prescriber's receipt and the carnet's cover letter say the same Notice,
// so that a change of the declaration or of a setting reaches all of them.

// Register is the register's entry for the platform.
type Register struct {
	Settings PrivacySettings
	// Activities: one per purpose, in the order of Purposes.
	Activities []RegisterActivity
	// Subjects: the categories of people, with what is held about them.
	Subjects []RegisterSubject
	// Recipients: who reads what, by kind of organisation.
	Recipients []RegisterRecipient
	// Transfers outside the European Union.
	Transfers string
	// Retention: the periods of the installation, one per rule.
	Retention []RegisterRetention
	// Security: the measures of article 32 the platform takes.
	Security []string
}

// RegisterActivity is one purpose with its legal basis and its fields.
type RegisterActivity struct {
	Purpose  Purpose
	Basis    string   // the basis in French, with its article
	Subjects []string // categories of people, in French
	Fields   []RegisterField
}

// RegisterField is one declared field as the register lists it.
type RegisterField struct {
	Key       string
	Label     string
	Subject   string
	Readers   []string // kinds of organisation, in French; empty: nobody
	Scope     string
	Retention string // the period of the installation, in French
	Sensitive bool
}

// ReadersLabel is the readers in one French phrase.
func (f RegisterField) ReadersLabel() string {
	if len(f.Readers) == 0 {
		return "personne"
	}
	return strings.Join(f.Readers, ", ")
}

// RegisterSubject is a category of people and the data held about them.
type RegisterSubject struct {
	Subject DataSubject
	Label   string
	Fields  []string // labels of the fields held
}

// RegisterRecipient is a kind of organisation and the fields it receives.
type RegisterRecipient struct {
	Kind   OrgKind
	Label  string
	Fields []string // labels of the fields it receives
}

// RegisterRetention is one retention period of the installation.
type RegisterRetention struct {
	Key    RetentionKey
	Period string // "3 ans", "tant que dure la relation"
	Start  string
	Action string
	Fields []string // labels of the fields it applies to
}

// registerSecurity are the measures of article 32, as they are built in
// internal/sqlstore, internal/web and internal/passcode.
var registerSecurity = []string{
	"Mots de passe gardés sous forme d'empreinte argon2id (sel propre à chaque compte) : personne ne peut les relire.",
	"Sessions, jetons d'API et liens de mot de passe oublié gardés sous forme d'empreinte SHA-256 ; sessions limitées dans le temps, cookies HttpOnly, SameSite et Secure en HTTPS.",
	"Formulaires protégés contre les requêtes d'autres sites ; en-têtes de sécurité (CSP, HSTS, interdiction d'affichage dans un cadre).",
	"Nombre d'essais limité pour les connexions, les codes de pass et les liens de mot de passe oublié.",
	"Second facteur de connexion (application d'authentification ou clé d'accès, avec codes de secours à usage unique) exigé des administrateurs de l'opérateur et des financeurs ; un code ne sert qu'une fois, les essais sont limités et journalisés.",
	"Droits vérifiés par le service à chaque action, selon le type de structure et le rôle (administrateur, agent) ; chaque structure ne voit que ce qui la concerne.",
	"Bénéficiaires pseudonymes : ni nom, ni adresse, ni téléphone ; une référence B-… les remplace.",
	"Pass signés (Ed25519) : un pass ne se fabrique pas et se vérifie sans la base.",
	"Graines des applications d'authentification chiffrées (AES-256-GCM) ; clés de signature des pass et de chiffrement gardées hors de la base, dans un fichier de clés que seul le service lit, dès qu'il est donné (passnum keys).",
	"Journal d'audit en ajout seul, chaîné par empreintes : chaque modification garde son auteur et sa date, une retouche directe de la base est détectée par passnum check, et des ancres s'exportent pour un tiers (passnum audit anchors).",
	"Journal des consultations des données personnelles (qui, quand, quoi, pourquoi), relu par les administrateurs de l'opérateur.",
	"Conservation limitée : une tâche planifiée du serveur (et passnum retention run) efface ou rend anonymes les données passées leur durée.",
}

// registerNoField is said of a purpose that keeps no field of its own.
const registerNoField = "Aucune donnée personnelle propre : des chiffres agrégés, calculés à partir des données ci-dessus, sans personne identifiable."

// NoFieldNote is said of an activity that keeps no field of its own.
func (a RegisterActivity) NoFieldNote() string { return registerNoField }

// NewRegister builds the register of an installation from the declaration
// and its settings.
func NewRegister(p PrivacySettings) *Register {
	r := &Register{
		Settings:  p,
		Transfers: "Aucun transfert de données hors de l'Union européenne.",
		Security:  registerSecurity,
	}
	field := func(f PersonalField) RegisterField {
		rf := RegisterField{Key: f.Key, Label: f.Label, Subject: f.Subject.Label(), Scope: f.Scope,
			Retention: p.PeriodLabel(f.Retention), Sensitive: f.Sensitive}
		for _, k := range OrgKinds {
			if f.ReadableBy(k) {
				rf.Readers = append(rf.Readers, k.Label())
			}
		}
		return rf
	}
	for _, purpose := range Purposes {
		a := RegisterActivity{Purpose: purpose, Basis: purpose.Basis.Label()}
		for _, f := range PersonalFields {
			if f.Purpose != purpose.Key {
				continue
			}
			a.Fields = append(a.Fields, field(f))
			if s := f.Subject.Label(); !contains(a.Subjects, s) {
				a.Subjects = append(a.Subjects, s)
			}
		}
		r.Activities = append(r.Activities, a)
	}
	for _, s := range []DataSubject{SubjectBeneficiary, SubjectStaff, SubjectContact} {
		rs := RegisterSubject{Subject: s, Label: s.Label()}
		for _, f := range PersonalFields {
			if f.Subject == s {
				rs.Fields = append(rs.Fields, f.Label)
			}
		}
		r.Subjects = append(r.Subjects, rs)
	}
	for _, k := range OrgKinds {
		rr := RegisterRecipient{Kind: k, Label: k.Label()}
		for _, f := range PersonalFields {
			if f.ReadableBy(k) {
				rr.Fields = append(rr.Fields, f.Label)
			}
		}
		r.Recipients = append(r.Recipients, rr)
	}
	for _, rule := range RetentionRules {
		rr := RegisterRetention{Key: rule.Key, Period: p.PeriodLabel(rule.Key), Start: rule.Start, Action: rule.Action}
		for _, f := range PersonalFields {
			if f.Retention == rule.Key {
				rr.Fields = append(rr.Fields, f.Label)
			}
		}
		r.Retention = append(r.Retention, rr)
	}
	return r
}

// RegisterSetting documents one setting of the installation in the
// Markdown of the register: the command line knows their names.
type RegisterSetting struct {
	Name    string // the environment variable
	Meaning string
	Default string
}

// WriteMarkdown writes the register as Markdown, followed by the table of
// settings when there are any. It holds no date, so that docs/REGISTRE.md
// changes only when the declaration or a default does.
func (r *Register) WriteMarkdown(w io.Writer, settings []RegisterSetting) error {
	var b strings.Builder
	p := r.Settings
	cell := func(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
	fmt.Fprintf(&b, "# Registre des activités de traitement\n\n")
	fmt.Fprintf(&b, "Article 30 du RGPD. Ce fichier est produit par le code à partir de la déclaration des données\n"+
		"personnelles (`privacy.go`) et des réglages par défaut ; un test vérifie qu'il est à jour\n"+
		"(`go test ./cmd/passnum -run TestRegisterDoc -update-docs` le régénère). Chaque installation publie\n"+
		"le sien, avec ses réglages, à l'adresse `/donnees-personnelles/registre` (page et PDF) ;\n"+
		"`passnum register [--format md|pdf] [--out FICHIER]` l'écrit aussi.\n\n")
	fmt.Fprintf(&b, "## Responsables\n\n")
	for _, kv := range [][2]string{
		{"Responsable du traitement", p.Controller},
		{"Adresse", p.ControllerAddress},
		{"Contact pour les demandes", p.ControllerEmail},
		{"Responsables conjoints", p.JointControllers},
		{"Délégué à la protection des données", p.DPOName + " — " + p.DPOEmail},
		{"Hébergeur (sous-traitant)", p.Host},
	} {
		fmt.Fprintf(&b, "- **%s** : %s\n", kv[0], kv[1])
	}
	fmt.Fprintf(&b, "\n## Finalités et bases légales\n\n")
	for _, a := range r.Activities {
		fmt.Fprintf(&b, "### %s\n\n", a.Purpose.Label)
		if len(a.Fields) == 0 {
			fmt.Fprintf(&b, "Base légale : %s. %s\n\n", a.Basis, registerNoField)
			continue
		}
		fmt.Fprintf(&b, "Base légale : %s. Personnes concernées : %s.\n\n", a.Basis, strings.Join(a.Subjects, " ; "))
		fmt.Fprintf(&b, "| Donnée | Qui la lit | Périmètre | Durée |\n|---|---|---|---|\n")
		for _, f := range a.Fields {
			label := f.Label
			if f.Sensitive {
				label += " (consultations journalisées)"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(label), cell(f.ReadersLabel()), cell(f.Scope), cell(f.Retention))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "## Catégories de personnes et de données\n\n")
	for _, s := range r.Subjects {
		fmt.Fprintf(&b, "- **%s** : %s.\n", s.Label, strings.Join(s.Fields, " ; "))
	}
	fmt.Fprintf(&b, "\n## Destinataires\n\n")
	for _, rr := range r.Recipients {
		what := strings.Join(rr.Fields, " ; ")
		if what == "" {
			what = "aucune donnée personnelle"
		}
		fmt.Fprintf(&b, "- **%s** : %s.\n", rr.Label, what)
	}
	fmt.Fprintf(&b, "\nLes financeurs et les hubs ne reçoivent aucune donnée d'un bénéficiaire : ils lisent des chiffres agrégés.\n")
	fmt.Fprintf(&b, "\n## Transferts hors de l'Union européenne\n\n%s\n", r.Transfers)
	fmt.Fprintf(&b, "\n## Durées de conservation\n\n| Règle | Durée | À compter de | Ensuite | Données |\n|---|---|---|---|---|\n")
	for _, rr := range r.Retention {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", rr.Key, rr.Period, cell(rr.Start), cell(rr.Action), cell(strings.Join(rr.Fields, " ; ")))
	}
	fmt.Fprintf(&b, "\n## Mesures de sécurité\n\n")
	for _, s := range r.Security {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	if len(settings) > 0 {
		fmt.Fprintf(&b, "\n## Réglages de l'installation\n\n"+
			"Chaque installation règle ses noms, ses contacts et ses durées par des variables d'environnement,\n"+
			"lues par toutes les commandes de `passnum` (le serveur, l'impression des carnets, le registre). Une valeur\n"+
			"invalide arrête la commande avec un message d'une ligne.\n\n"+
			"| Variable | Sens | Par défaut |\n|---|---|---|\n")
		for _, s := range settings {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s.Name, cell(s.Meaning), cell(s.Default))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
