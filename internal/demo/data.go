package demo

import "github.com/passnum/passnum"

// The demo's fixed data: real places of Ille-et-Vilaine (INSEE codes of the
// Code officiel géographique), fictitious organisations with SIRET numbers
// that pass the Luhn check but belong to nobody we know of.

// Communes used by the demo, by INSEE code.
const (
	rennes         = "35238"
	saintMalo      = "35288"
	fougeres       = "35115"
	vitre          = "35360"
	redon          = "35236"
	cessonSevigne  = "35051"
	bruz           = "35047"
	dinard         = "35093"
	montfort       = "35188"
	saintJacques   = "35281"
	departement    = "35"
	demoMailDomain = "demo.passnum.fr"
)

// Service categories the programme pays for: every category of the national
// standard except access to equipment, which the funders finance elsewhere.
var programmeServices = []string{
	catAdmin, catEveryday, catJobs, catSecurity, catParents, catLeisure, catUnderstand,
}

const (
	catAdmin      = "Aide aux démarches administratives"
	catEveryday   = "Maîtrise des outils numériques du quotidien"
	catJobs       = "Insertion professionnelle via le numérique"
	catSecurity   = "Utilisation sécurisée du numérique"
	catParents    = "Parentalité et éducation avec le numérique"
	catLeisure    = "Loisirs et créations numériques"
	catUnderstand = "Compréhension du monde numérique"
	catAccess     = "Accès internet et matériel informatique" // not paid for by the programme
)

type serviceSeed struct {
	title    string
	category string
	minutes  int
	passes   int
}

// The workshops venues offer: one pass for up to two hours, two passes for
// three-hour sessions.
var (
	svcSmartphone = serviceSeed{"Premiers pas sur smartphone", catEveryday, 90, 1}
	svcEmail      = serviceSeed{"Créer et utiliser son adresse e-mail", catEveryday, 90, 1}
	svcComputer   = serviceSeed{"Découvrir l'ordinateur : clavier, souris, fichiers (3 h)", catEveryday, 180, 2}
	svcVisio      = serviceSeed{"Parler en visio avec ses proches", catEveryday, 60, 1}
	svcTaxes      = serviceSeed{"Déclarer ses revenus en ligne", catAdmin, 120, 1}
	svcAmeli      = serviceSeed{"Mon compte Ameli et mes remboursements", catAdmin, 90, 1}
	svcFC         = serviceSeed{"FranceConnect et identité numérique", catAdmin, 60, 1}
	svcDoctor     = serviceSeed{"Prendre rendez-vous chez le médecin en ligne", catAdmin, 60, 1}
	svcCV         = serviceSeed{"Rédiger son CV et sa lettre de motivation (3 h)", catJobs, 180, 2}
	svcJobSearch  = serviceSeed{"Chercher un emploi sur francetravail.fr", catJobs, 120, 1}
	svcScams      = serviceSeed{"Déjouer les arnaques en ligne", catSecurity, 120, 1}
	svcPasswords  = serviceSeed{"Mots de passe et sauvegardes", catSecurity, 90, 1}
	svcENT        = serviceSeed{"Suivre la scolarité de son enfant sur l'ENT", catParents, 90, 1}
	svcPhotos     = serviceSeed{"Retoucher et partager ses photos", catLeisure, 120, 1}
	svcAI         = serviceSeed{"Comprendre l'intelligence artificielle au quotidien", catUnderstand, 120, 1}
	svcFreeAccess = serviceSeed{"Accès libre accompagné à internet", catAccess, 60, 1}
)

type venueSeed struct {
	name      string
	siret     string
	commune   string
	qualified bool
	services  []serviceSeed
}

// venues: ten qualified across the département and one still waiting for
// its qualification. The first is the one whose agent logs in.
var venues = []venueSeed{
	{"Le Grand Clic — association de médiation numérique", "82417356000015", rennes, true,
		[]serviceSeed{svcSmartphone, svcTaxes, svcComputer, svcScams}},
	{"Espace numérique de Rocabey", "50349821700028", saintMalo, true,
		[]serviceSeed{svcSmartphone, svcAmeli, svcVisio}},
	{"Médiathèque de Fougères — espace multimédia", "21350115000014", fougeres, true,
		[]serviceSeed{svcEmail, svcPhotos, svcFreeAccess}},
	{"Cyber-base de Vitré", "24350360000013", vitre, true,
		[]serviceSeed{svcComputer, svcJobSearch, svcFC}},
	{"Tiers-lieu La Fabrique du Pays de Redon", "88904123500017", redon, true,
		[]serviceSeed{svcSmartphone, svcAI}},
	{"Centre social de Cesson-Sévigné — atelier numérique", "78215034100025", cessonSevigne, true,
		[]serviceSeed{svcAmeli, svcENT, svcPasswords}},
	{"Espace jeunes et numérique de Bruz", "21350047000033", bruz, true,
		[]serviceSeed{svcCV, svcJobSearch}},
	{"Association Clic & Partage", "85312098700013", dinard, true,
		[]serviceSeed{svcVisio, svcScams, svcDoctor}},
	{"Point numérique de Montfort-sur-Meu", "44018362900011", montfort, true,
		[]serviceSeed{svcTaxes, svcDoctor, svcEmail}},
	{"La Ressourcerie numérique de Saint-Jacques", "90123456700039", saintJacques, true,
		[]serviceSeed{svcComputer, svcPasswords, svcFreeAccess}},
	{"Atelier numérique du Blosne", "87953214600013", rennes, false,
		[]serviceSeed{svcSmartphone, svcTaxes}},
}

type prescriberSeed struct {
	name    string
	commune string
	carnets int // allocated
	handed  int // distributed to beneficiaries
	// area lists the communes its beneficiaries live in, the first ones
	// more often.
	area []string
}

// prescribers share the 250 activated carnets and hand out 80 of them.
var prescribers = []prescriberSeed{
	{"CCAS de Rennes", rennes, 120, 40, []string{rennes, rennes, rennes, saintJacques, cessonSevigne, bruz, montfort, rennes}},
	{"France Services de Fougères", fougeres, 70, 22, []string{fougeres, fougeres, fougeres, vitre}},
	{"Mairie de Saint-Malo", saintMalo, 60, 18, []string{saintMalo, saintMalo, saintMalo, dinard, redon}},
}

// Programme figures of the demo.
const (
	programmeName  = "Pass numérique Ille-et-Vilaine %d" // the year its validity ends
	faceValue      = passnum.DefaultFaceValue            // 10 €
	carnetSize     = 10
	budgetCarnets  = 500
	fundedCarnets  = 400 // payment orders cover these, plus the fee
	issuedCarnets  = 300
	activeCarnets  = 250
	redemptions    = 150
	voided         = 5
	feeBP          = 400
	toleranceDays  = 31
	blockReason    = "carnet perdu"
	stateName      = "État — Agence nationale de la cohésion des territoires"
	deptName       = "Département d'Ille-et-Vilaine"
	operatorName   = "Coopérative passnum"
	demoActorLabel = "demo:seed"
)
