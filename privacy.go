package passnum

import (
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"
)

// The processing of personal data, declared once (GDPR article 30). Every
// personal field the platform stores is a PersonalField below: what it is
// for, on which legal basis, who may read it and how long it is kept. The
// register of processing activities (page, PDF, docs/REGISTRE.md), the
// notices given to people, the retention job and what each role receives in
// exports and answers are all derived from this declaration, so that
// changing a rule here changes all of them; internal/sqlstore's tests check
// that every column holding personal data is declared here.

// LegalBasis is the ground of article 6 on which a purpose rests.
type LegalBasis string

// Legal bases used by the platform.
const (
	// BasisPublicTask: the programme is a mission of public interest
	// entrusted to the operator and its funders (article 6.1.e).
	BasisPublicTask LegalBasis = "public-task"
	// BasisConsent: the person agreed, and may withdraw (article 6.1.a).
	BasisConsent LegalBasis = "consent"
	// BasisLegalObligation: a law requires it (article 6.1.c), such as
	// keeping accounting records or securing the processing (article 32).
	BasisLegalObligation LegalBasis = "legal-obligation"
)

// Label is the basis in French, with its article.
func (b LegalBasis) Label() string {
	switch b {
	case BasisPublicTask:
		return "mission d'intérêt public (article 6.1.e du RGPD)"
	case BasisConsent:
		return "consentement de la personne (article 6.1.a du RGPD)"
	case BasisLegalObligation:
		return "obligation légale (article 6.1.c du RGPD)"
	}
	return string(b)
}

// DataSubject is a category of people whose data the platform holds.
type DataSubject string

// Categories of people.
const (
	SubjectBeneficiary DataSubject = "beneficiary" // people who receive passes
	SubjectStaff       DataSubject = "staff"       // members of organisations using the platform
	SubjectContact     DataSubject = "contact"     // contacts of venues and applicants
)

// Label is the category in French.
func (d DataSubject) Label() string {
	switch d {
	case SubjectBeneficiary:
		return "bénéficiaires du Pass numérique"
	case SubjectStaff:
		return "membres des structures utilisatrices (opérateur, financeurs, hubs, prescripteurs, lieux)"
	case SubjectContact:
		return "contacts des lieux de médiation et des structures candidates"
	}
	return string(d)
}

// Purpose is one aim of the processing.
type Purpose struct {
	Key   string     `json:"key"`
	Label string     `json:"label"` // in French, for the register
	Basis LegalBasis `json:"basis"`
}

// Purposes of the platform, in the order of the register.
var Purposes = []Purpose{
	{"programme", "Remettre des pass aux personnes qui en ont besoin et suivre leur parcours", BasisPublicTask},
	{"diagnostic", "Noter les besoins et l'autonomie numérique de la personne pour l'orienter", BasisConsent},
	{"workshops", "Inscrire les personnes aux ateliers et noter leur présence", BasisPublicTask},
	{"settlement", "Rembourser les lieux et tenir la comptabilité des fonds publics", BasisLegalObligation},
	{"evaluation", "Mesurer, en chiffres agrégés, ce que le programme a permis", BasisPublicTask},
	{"accounts", "Gérer les comptes des structures et sécuriser la plateforme", BasisLegalObligation},
	{"network", "Qualifier et publier le réseau des lieux de médiation", BasisPublicTask},
}

// FindPurpose returns the purpose with key, or nil.
func FindPurpose(key string) *Purpose {
	for i := range Purposes {
		if Purposes[i].Key == key {
			return &Purposes[i]
		}
	}
	return nil
}

// RetentionKey names a retention period, a setting of the installation.
type RetentionKey string

// Retention periods.
const (
	// RetainBeneficiary: a beneficiary's details, counted from the last use
	// of one of their passes or the end of validity of their last carnet,
	// whichever comes last.
	RetainBeneficiary RetentionKey = "beneficiary"
	// RetainNotes: advisers' notes in activity reports, from the report.
	RetainNotes RetentionKey = "notes"
	// RetainSessions: web sessions, from their expiry.
	RetainSessions RetentionKey = "sessions"
	// RetainPasswordResets: forgotten-password links, from their expiry.
	RetainPasswordResets RetentionKey = "password-resets"
	// RetainOutbox: e-mails, from their sending (or creation if unsent).
	RetainOutbox RetentionKey = "outbox"
	// RetainAccessLog: the journal of who read personal data, from the read.
	RetainAccessLog RetentionKey = "access-log"
	// RetainAccounting: money records (statements, transfers, ledger) and
	// the audit trail, from their date: the Code de commerce (article
	// L123-22) and public accounting rules ask for ten years. They keep no
	// link to a person once the person's details are erased.
	RetainAccounting RetentionKey = "accounting"
	// RetainAccount: a member's account, kept while the membership lasts.
	RetainAccount RetentionKey = "account"
	// RetainNetwork: a venue's contacts, kept while the venue is in the
	// network and published by the venue itself.
	RetainNetwork RetentionKey = "network"
)

// RetentionRule says how long data of a key is kept, and from when.
type RetentionRule struct {
	Key RetentionKey `json:"key"`
	// Months is the default period; 0 means "while the relation lasts"
	// (see Start), with no automatic erasure.
	Months int    `json:"months"`
	Start  string `json:"start"` // in French: what starts the clock
	Action string `json:"action"`
}

// RetentionRules are the default periods. An installation overrides the
// months of any key with PrivacySettings.RetentionMonths.
var RetentionRules = []RetentionRule{
	{RetainBeneficiary, 36, "la dernière utilisation d'un pass ou la fin de validité du dernier carnet", "détails effacés, référence remplacée ; les pass utilisés restent dans les comptes sans lien avec la personne"},
	{RetainNotes, 24, "la date du compte rendu d'activité", "notes effacées"},
	{RetainSessions, 6, "la fin de la session", "session supprimée"},
	{RetainPasswordResets, 1, "la fin de validité du lien", "lien supprimé"},
	{RetainOutbox, 3, "l'envoi du message (ou sa création s'il n'est pas parti)", "message supprimé"},
	{RetainAccessLog, 12, "la consultation", "ligne du journal supprimée"},
	{RetainAccounting, 120, "la date de l'écriture", "conservé 10 ans sans lien avec la personne (obligation comptable)"},
	{RetainAccount, 0, "la fin de l'adhésion à la structure", "compte supprimé à la demande de la structure"},
	{RetainNetwork, 0, "la sortie du lieu du réseau", "fiche retirée de l'annuaire"},
}

// FindRetentionRule returns the rule of key, or nil.
func FindRetentionRule(key RetentionKey) *RetentionRule {
	for i := range RetentionRules {
		if RetentionRules[i].Key == key {
			return &RetentionRules[i]
		}
	}
	return nil
}

// PersonalField is one personal datum the platform stores.
type PersonalField struct {
	// Key names the field: "record.field", stable, used by the store's
	// column map, by minimisation and by exports.
	Key     string      `json:"key"`
	Label   string      `json:"label"` // in French
	Subject DataSubject `json:"subject"`
	Purpose string      `json:"purpose"` // a Purposes key
	// Readers are the organisation kinds that receive the field in pages,
	// exports and API answers; Scope says, in French, which records of
	// the field each of them sees. Kinds not listed never receive it.
	Readers   []OrgKind    `json:"readers"`
	Scope     string       `json:"scope"`
	Retention RetentionKey `json:"retention"`
	// Sensitive fields are written by people about people (free text):
	// reads of them are journaled.
	Sensitive bool `json:"sensitive,omitempty"`
}

// ReadableBy tells whether an organisation of kind receives the field.
func (f PersonalField) ReadableBy(kind OrgKind) bool {
	for _, k := range f.Readers {
		if k == kind {
			return true
		}
	}
	return false
}

var (
	beneficiaryReaders = []OrgKind{KindOperator, KindPrescriber}
	workshopReaders    = []OrgKind{KindOperator, KindPrescriber, KindVenue}
	staffReaders       = []OrgKind{KindOperator}
	everyone           = []OrgKind{KindOperator, KindFunder, KindHub, KindPrescriber, KindVenue}
)

// PersonalFields is the declaration. Funders and hubs read no field of a
// beneficiary: they see figures, aggregated by the indicators.
var PersonalFields = []PersonalField{
	{"beneficiary.ref", "Référence pseudonyme (B-…)", SubjectBeneficiary, "programme", workshopReaders, "le prescripteur : les personnes qu'il a reçues ; le lieu : les personnes inscrites à ses ateliers ; l'opérateur : toutes", RetainBeneficiary, false},
	{"beneficiary.birth_year", "Année de naissance", SubjectBeneficiary, "programme", beneficiaryReaders, "le prescripteur : les personnes qu'il a reçues ; l'opérateur : toutes", RetainBeneficiary, false},
	{"beneficiary.age_band", "Tranche d'âge", SubjectBeneficiary, "programme", beneficiaryReaders, "le prescripteur : les personnes qu'il a reçues ; l'opérateur : toutes", RetainBeneficiary, false},
	{"beneficiary.commune", "Commune de résidence", SubjectBeneficiary, "programme", beneficiaryReaders, "le prescripteur : les personnes qu'il a reçues ; l'opérateur : toutes", RetainBeneficiary, false},
	{"beneficiary.needs", "Besoins notés au diagnostic", SubjectBeneficiary, "diagnostic", beneficiaryReaders, "le prescripteur : les personnes qu'il a reçues ; l'opérateur : toutes", RetainBeneficiary, false},
	{"beneficiary.autonomy", "Autonomie numérique", SubjectBeneficiary, "diagnostic", beneficiaryReaders, "le prescripteur : les personnes qu'il a reçues ; l'opérateur : toutes", RetainBeneficiary, false},
	{"beneficiary.consent", "Date du consentement", SubjectBeneficiary, "diagnostic", beneficiaryReaders, "le prescripteur : les personnes qu'il a reçues ; l'opérateur : toutes", RetainBeneficiary, false},
	{"beneficiary.prescriber", "Structure qui a remis le carnet", SubjectBeneficiary, "programme", beneficiaryReaders, "le prescripteur : les personnes qu'il a reçues ; l'opérateur : toutes", RetainBeneficiary, false},
	{"beneficiary.restriction", "Limitation du traitement demandée", SubjectBeneficiary, "programme", beneficiaryReaders, "le prescripteur : les personnes qu'il a reçues ; l'opérateur : toutes", RetainBeneficiary, false},
	{"carnet.holder", "Carnet remis à la personne (numéro, date)", SubjectBeneficiary, "programme", beneficiaryReaders, "le prescripteur : les carnets qu'il a remis ; l'opérateur : tous", RetainBeneficiary, false},
	{"pass.use", "Pass utilisés (date, lieu, atelier)", SubjectBeneficiary, "settlement", []OrgKind{KindOperator, KindVenue}, "le lieu : les pass qu'il a encaissés ; l'opérateur : tous", RetainAccounting, false},
	{"registration.person", "Inscription à un atelier (référence ou prénom, présence, structure et carnet pour une inscription lors de la remise)", SubjectBeneficiary, "workshops", workshopReaders, "le lieu : ses ateliers ; le prescripteur : les personnes qu'il a reçues ; l'opérateur : tous", RetainBeneficiary, false},
	{"activity.people", "Personnes liées à un compte rendu d'activité", SubjectBeneficiary, "workshops", []OrgKind{KindOperator, KindVenue}, "le lieu : ses comptes rendus ; l'opérateur : tous", RetainBeneficiary, false},
	{"activity.notes", "Notes du conseiller numérique", SubjectBeneficiary, "workshops", []OrgKind{KindOperator, KindVenue}, "le lieu : ses comptes rendus ; l'opérateur : tous", RetainNotes, true},
	{"activity.author", "Auteur d'un compte rendu d'activité", SubjectStaff, "workshops", []OrgKind{KindOperator, KindHub, KindVenue}, "le lieu : ses comptes rendus ; le hub : les lieux de son territoire ; l'opérateur : tous", RetainNotes, false},
	{"user.identity", "Nom et adresse e-mail des membres", SubjectStaff, "accounts", everyone, "chaque structure : ses membres ; l'opérateur : tous", RetainAccount, false},
	{"user.password", "Mot de passe (haché, illisible)", SubjectStaff, "accounts", nil, "personne : seule son empreinte est gardée", RetainAccount, false},
	{"user.provider-link", "Identité ProConnect reliée au compte (fournisseur, identifiant chez lui, adresse donnée)", SubjectStaff, "accounts", staffReaders, "la personne elle-même ; l'opérateur", RetainAccount, false},
	{"session.connection", "Connexions (sessions, date, structure)", SubjectStaff, "accounts", staffReaders, "l'opérateur", RetainSessions, false},
	{"account.link", "Liens d'invitation et de confirmation d'adresse (et qui a invité)", SubjectStaff, "accounts", nil, "personne : seule leur empreinte est gardée", RetainPasswordResets, false},
	{"user.second-factor", "Second facteur de connexion (application d'authentification, clés d'accès, codes de secours hachés, dates d'usage)", SubjectStaff, "accounts", nil, "personne : le secret n'est montré qu'une fois, à la personne, à l'ajout", RetainAccount, false},
	{"password-reset.link", "Liens de mot de passe oublié", SubjectStaff, "accounts", nil, "personne : seule leur empreinte est gardée", RetainPasswordResets, false},
	{"user.mail-preferences", "Types d'e-mails désactivés par la personne", SubjectStaff, "accounts", staffReaders, "la personne elle-même ; les administrateurs de l'opérateur", RetainAccount, false},
	{"outbox.message", "E-mails envoyés (destinataire, contenu, dernière réponse du serveur d'envoi)", SubjectStaff, "accounts", staffReaders, "les administrateurs de l'opérateur", RetainOutbox, false},
	{"audit.actor", "Auteur d'une action (journal d'audit, écritures)", SubjectStaff, "accounts", staffReaders, "l'opérateur", RetainAccounting, false},
	{"rights-request.record", "Demandes d'exercice des droits (référence, demande, réponse)", SubjectBeneficiary, "accounts", staffReaders, "l'opérateur, qui répond aux demandes", RetainAccounting, false},
	{"access-log.reader", "Consultations de données personnelles (qui, quand, quoi, pourquoi)", SubjectStaff, "accounts", staffReaders, "les administrateurs de l'opérateur", RetainAccessLog, false},
	{"venue.contact", "Coordonnées publiques du lieu (téléphone, e-mails, sites)", SubjectContact, "network", everyone, "tout le monde : l'annuaire est public", RetainNetwork, false},
	{"venue.bank", "Coordonnées bancaires du lieu (titulaire, IBAN)", SubjectContact, "settlement", []OrgKind{KindOperator, KindVenue}, "le lieu : les siennes ; l'opérateur : toutes", RetainAccounting, false},
	{"venue.application", "Questionnaire de candidature et charte acceptée", SubjectContact, "network", []OrgKind{KindOperator, KindVenue}, "le lieu : la sienne ; l'opérateur : toutes", RetainNetwork, false},
}

// FindPersonalField returns the field with key, or nil.
func FindPersonalField(key string) *PersonalField {
	for i := range PersonalFields {
		if PersonalFields[i].Key == key {
			return &PersonalFields[i]
		}
	}
	return nil
}

// PrivacySettings are the installation's answers to the register: who is
// responsible, whom to write to, and the retention periods it chose.
type PrivacySettings struct {
	Controller        string `json:"controller"`         // the operator, data controller
	ControllerAddress string `json:"controller_address"` // postal address
	ControllerEmail   string `json:"controller_email"`   // where people send requests
	// JointControllers are named in the register: the funders decide the
	// purposes of their programmes with the operator.
	JointControllers string `json:"joint_controllers"`
	DPOName          string `json:"dpo_name"`
	DPOEmail         string `json:"dpo_email"`
	// RetentionMonths overrides the default months of RetentionRules.
	RetentionMonths map[RetentionKey]int `json:"retention_months,omitempty"`
	// Host names who runs the servers (article 28 processor).
	Host string `json:"host"`
}

// DefaultPrivacySettings are the defaults written in docs/REGISTRE.md; an
// installation sets its own names and contacts (cmd/passnum reads them
// from PASSNUM_PRIVACY_* variables).
func DefaultPrivacySettings() PrivacySettings {
	return PrivacySettings{
		Controller:        "L'opérateur du Pass numérique de cette installation",
		ControllerAddress: "adresse à renseigner (PASSNUM_PRIVACY_CONTROLLER_ADDRESS)",
		ControllerEmail:   "dpo@example.org",
		JointControllers:  "Les financeurs de chaque programme, pour les personnes qui en reçoivent les pass",
		DPOName:           "Le délégué à la protection des données de l'opérateur",
		DPOEmail:          "dpo@example.org",
		Host:              "L'hébergeur choisi par l'opérateur, en France ou dans l'Union européenne",
	}
}

// Validate checks the settings an installation gave.
func (p *PrivacySettings) Validate() error {
	if strings.TrimSpace(p.Controller) == "" {
		return Invalid("controller", "Nommez le responsable du traitement.")
	}
	for name, e := range map[string]string{"controller_email": p.ControllerEmail, "dpo_email": p.DPOEmail} {
		if _, err := mail.ParseAddress(e); err != nil || !strings.Contains(e, "@") {
			return Invalid(name, "Adresse e-mail invalide : %q.", e)
		}
	}
	keys := make([]string, 0, len(p.RetentionMonths))
	for k := range p.RetentionMonths {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	for _, k := range keys {
		rule := FindRetentionRule(RetentionKey(k))
		if rule == nil {
			return Invalid("retention", "Durée de conservation inconnue : %q.", k)
		}
		m := p.RetentionMonths[RetentionKey(k)]
		if m < 1 || m > 240 {
			return Invalid("retention", "%s : une durée de 1 à 240 mois, pas %d.", k, m)
		}
		if rule.Key == RetainAccounting && m < 120 {
			return Invalid("retention", "Les pièces comptables se gardent 10 ans (120 mois) au moins.")
		}
		if rule.Months == 0 {
			return Invalid("retention", "%s se garde tant que dure la relation : pas de durée à régler.", k)
		}
	}
	return nil
}

// Months is the retention period of key in this installation, 0 when data
// of key is kept while the relation lasts.
func (p PrivacySettings) Months(key RetentionKey) int {
	if m, ok := p.RetentionMonths[key]; ok && m > 0 {
		return m
	}
	if r := FindRetentionRule(key); r != nil {
		return r.Months
	}
	return 0
}

// Cutoff is the instant before which data of key, counted from its start,
// has passed its period at now; ok is false when key has no period.
func (p PrivacySettings) Cutoff(key RetentionKey, now time.Time) (cutoff time.Time, ok bool) {
	m := p.Months(key)
	if m == 0 {
		return time.Time{}, false
	}
	return now.AddDate(0, -m, 0), true
}

// PeriodLabel is the retention period of key in French ("36 mois", "10 ans").
func (p PrivacySettings) PeriodLabel(key RetentionKey) string {
	m := p.Months(key)
	switch {
	case m == 0:
		return "tant que dure la relation"
	case m%12 == 0 && m >= 24:
		return fmt.Sprintf("%d ans", m/12)
	case m == 12:
		return "1 an"
	default:
		return fmt.Sprintf("%d mois", m)
	}
}

// The rights of a person over a beneficiary record (articles 15 to 21).
// The operator's staff answer requests; the prescriber who created the
// record acts for the person in front of them. Whoever else asks about a
// reference is answered as if the reference did not exist.

// PersonalData is everything stored about one beneficiary reference, as
// the person receives it (PDF) or a machine (JSON).
type PersonalData struct {
	Beneficiary *Beneficiary          `json:"beneficiary"`
	Prescriber  string                `json:"prescriber"` // name of the structure that created the record
	Carnets     []PersonalCarnet      `json:"carnets"`
	PassUses    []PersonalPassUse     `json:"pass_uses"`
	Workshops   []PersonalWorkshop    `json:"workshops"`
	Activities  []PersonalActivity    `json:"activities"`
	Fields      []PersonalFieldStored `json:"fields"` // the declaration of what is held, for the person
	GeneratedAt time.Time             `json:"generated_at"`
}

// PersonalCarnet is a carnet handed to the person.
type PersonalCarnet struct {
	Number        int64      `json:"number"`
	Programme     string     `json:"programme"`
	DistributedAt *time.Time `json:"distributed_at,omitempty"`
	ValidUntil    string     `json:"valid_until"`
	Passes        int        `json:"passes"`
	Remaining     int        `json:"remaining"`
}

// PersonalPassUse is a use of one or more passes at a venue.
type PersonalPassUse struct {
	Date    time.Time `json:"date"`
	Venue   string    `json:"venue"`
	Service string    `json:"service"`
	Passes  int       `json:"passes"`
}

// PersonalWorkshop is a registration to a workshop session.
type PersonalWorkshop struct {
	StartsAt  time.Time `json:"starts_at"`
	Venue     string    `json:"venue"`
	Service   string    `json:"service"`
	Cancelled bool      `json:"cancelled"`
	Attended  *bool     `json:"attended,omitempty"`
}

// PersonalActivity is an activity report the person is linked to.
type PersonalActivity struct {
	Date   string   `json:"date"`
	Venue  string   `json:"venue"`
	Themes []string `json:"themes"`
	Notes  string   `json:"notes,omitempty"`
}

// PersonalFieldStored is one declared field as told to the person.
type PersonalFieldStored struct {
	Label     string `json:"label"`
	Purpose   string `json:"purpose"`
	Basis     string `json:"basis"`
	Retention string `json:"retention"`
}

// Rectification corrects a beneficiary's details (article 16). Only the
// fields set change; Reason is kept in the audit trail.
type Rectification struct {
	Ref          string   `json:"ref"`
	BirthYear    *int     `json:"birth_year,omitempty"`
	AgeBand      *string  `json:"age_band,omitempty"`
	CommuneINSEE *string  `json:"commune_insee,omitempty"`
	Needs        []string `json:"needs,omitempty"`
	Autonomy     *string  `json:"autonomy,omitempty"`
	Reason       string   `json:"reason"`
}

// Erasure is what erasing a beneficiary did (article 17).
type Erasure struct {
	Ref string `json:"ref"`
	// Kept says what stays, and why: passes already used stay in the books
	// (accounting law), without any link to the person.
	Kept          []string  `json:"kept"`
	Registrations int       `json:"registrations"` // seats whose person was removed
	Activities    int       `json:"activities"`    // reports whose link was removed
	ErasedAt      time.Time `json:"erased_at"`
}
