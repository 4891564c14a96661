package passnum

// Closed vocabularies of the national data standard of lieux de médiation
// numérique, LaMednum/standard-mediation-num v1.0.2 (Licence Ouverte),
// published on schema.data.gouv.fr; TestVocabulariesFollowSchema keeps them
// equal to its schema.json (testdata/standard-mediation-num). The services vocabulary is
// ServiceCategories (programme.go). Values are kept exactly as the standard
// spells them: they are what other tools read and write.

// StandardVersion is the version of the standard passnum reads and writes.
const StandardVersion = "1.0.2"

// Publics are the values of publics_specifiquement_adresses.
var Publics = []string{"Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes"}

// Supports are the values of prise_en_charge_specifique.
var Supports = []string{
	"Surdité", "Handicaps moteurs", "Handicaps mentaux", "Illettrisme",
	"Langues étrangères (anglais)", "Langues étrangères (autres)", "Déficience visuelle",
}

// Fees are the values of frais_a_charge.
var Fees = []string{"Gratuit", "Gratuit sous condition", "Payant"}

// NationalSchemes are the values of dispositif_programmes_nationaux.
var NationalSchemes = []string{
	"Aidants Connect", "Bibliothèques numérique de référence", "Certification PIX",
	"Conseillers numériques", "Emmaüs Connect", "France Services", "Grande école du numérique",
	"La Croix Rouge", "Point d'accès numérique CAF", "Promeneurs du net",
	"Relais numérique (Emmaüs Connect)",
}

// Labels are the values of formations_labels.
var Labels = []string{
	"Formé à « Mon Espace Santé »", "Formé à « DUPLEX » (illettrisme)",
	"Arnia/MedNum BFC (Bourgogne-Franche-Comté)", "Collectif ressources et acteurs réemploi (Normandie)",
	// 1.0.2 writes no space before the parenthesis; files copy it so.
	"Étapes numériques(La Poste)", "Fabriques de Territoire", "Les Éclaireurs du numérique (Drôme)", "Mes Papiers (Métropole de Lyon)",
	"ORDI 3.0", "SUD LABS (PACA)",
}

// AccessModes are the values of modalites_acces.
var AccessModes = []string{
	"Se présenter", "Téléphoner", "Contacter par mail", "Prendre un RDV en ligne",
	"Ce lieu n'accueille pas de public", "Envoyer un mail avec une fiche de prescription",
}

// SupportModes are the values of modalites_accompagnement.
var SupportModes = []string{"En autonomie", "Accompagnement individuel", "Dans un atelier collectif", "À distance"}

// Roaming are the values of itinerance.
var Roaming = []string{"Itinérant", "Fixe"}

// Vocabulary is a closed list of values of one field.
type Vocabulary struct {
	Field  string // the standard's column name
	Label  string // French, for forms and error messages
	Values []string
}

// Vocabularies lists the standard's closed multi-valued fields, in the
// standard's column order.
var Vocabularies = []Vocabulary{
	{"itinerance", "Itinérance", Roaming},
	{"services", "Services", ServiceCategories},
	{"publics_specifiquement_adresses", "Publics spécifiquement adressés", Publics},
	{"prise_en_charge_specifique", "Prise en charge spécifique", Supports},
	{"frais_a_charge", "Frais à charge", Fees},
	{"dispositif_programmes_nationaux", "Dispositifs et programmes nationaux", NationalSchemes},
	{"formations_labels", "Formations et labels", Labels},
	{"modalites_acces", "Modalités d'accès", AccessModes},
	{"modalites_accompagnement", "Modalités d'accompagnement", SupportModes},
}

// VocabularyOf returns the vocabulary of a standard column.
func VocabularyOf(field string) Vocabulary {
	for _, v := range Vocabularies {
		if v.Field == field {
			return v
		}
	}
	return Vocabulary{}
}

// Contains tells whether s is one of the vocabulary's values.
func (v Vocabulary) Contains(s string) bool {
	for _, x := range v.Values {
		if x == s {
			return true
		}
	}
	return false
}
