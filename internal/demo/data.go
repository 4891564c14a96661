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
	title      string
	category   string
	minutes    int
	passes     int
	collective bool // a workshop in a group, with sessions, or one-to-one help
}

// The workshops venues offer: one pass for up to two hours, two passes for
// three-hour sessions.
var (
	svcSmartphone = serviceSeed{"Premiers pas sur smartphone", catEveryday, 90, 1, true}
	svcEmail      = serviceSeed{"Créer et utiliser son adresse e-mail", catEveryday, 90, 1, true}
	svcComputer   = serviceSeed{"Découvrir l'ordinateur : clavier, souris, fichiers (3 h)", catEveryday, 180, 2, true}
	svcVisio      = serviceSeed{"Parler en visio avec ses proches", catEveryday, 60, 1, true}
	svcTaxes      = serviceSeed{"Déclarer ses revenus en ligne", catAdmin, 120, 1, false}
	svcAmeli      = serviceSeed{"Mon compte Ameli et mes remboursements", catAdmin, 90, 1, false}
	svcFC         = serviceSeed{"FranceConnect et identité numérique", catAdmin, 60, 1, false}
	svcDoctor     = serviceSeed{"Prendre rendez-vous chez le médecin en ligne", catAdmin, 60, 1, false}
	svcCV         = serviceSeed{"Rédiger son CV et sa lettre de motivation (3 h)", catJobs, 180, 2, true}
	svcJobSearch  = serviceSeed{"Chercher un emploi sur francetravail.fr", catJobs, 120, 1, false}
	svcScams      = serviceSeed{"Déjouer les arnaques en ligne", catSecurity, 120, 1, true}
	svcPasswords  = serviceSeed{"Mots de passe et sauvegardes", catSecurity, 90, 1, true}
	svcENT        = serviceSeed{"Suivre la scolarité de son enfant sur l'ENT", catParents, 90, 1, false}
	svcPhotos     = serviceSeed{"Retoucher et partager ses photos", catLeisure, 120, 1, true}
	svcAI         = serviceSeed{"Comprendre l'intelligence artificielle au quotidien", catUnderstand, 120, 1, true}
	svcFreeAccess = serviceSeed{"Accès libre accompagné à internet", catAccess, 60, 1, false}
)

type venueSeed struct {
	name      string
	siret     string
	commune   string
	qualified bool
	services  []serviceSeed
	place     placeSeed
	about     string // presentation_resume
	hours     string // OpenStreetMap opening_hours
	publics   []string
	supports  []string
	access    []string // modalites_acces
	modes     []string // modalites_accompagnement
	schemes   []string // dispositif_programmes_nationaux
	mediators int
	advisers  int
}

// placeSeed is an address with its postal code and a point close to the
// real street (WGS84, from the street's public map position).
type placeSeed struct {
	address    string
	postalCode string
	lat, lon   float64
}

// Vocabulary of the standard used by the seeds.
const (
	accessWalkIn  = "Se présenter"
	accessPhone   = "Téléphoner"
	accessMail    = "Contacter par mail"
	accessOnline  = "Prendre un RDV en ligne"
	modeAlone     = "En autonomie"
	modeOne       = "Accompagnement individuel"
	modeGroup     = "Dans un atelier collectif"
	modeRemote    = "À distance"
	schemeCnum    = "Conseillers numériques"
	schemeAidants = "Aidants Connect"
	schemeFS      = "France Services"
)

// venues: ten qualified across the département and one still waiting for
// its qualification. The first is the one whose agent logs in.
var venues = []venueSeed{
	{"Le Grand Clic — association de médiation numérique", "82417356000015", rennes, true,
		[]serviceSeed{svcSmartphone, svcTaxes, svcComputer, svcScams},
		placeSeed{"12 rue de Saint-Malo", "35000", 48.11541, -1.68052},
		"Association de quartier : ateliers en petits groupes et rendez-vous individuels pour prendre en main smartphone, ordinateur et démarches en ligne.",
		"Mo-Fr 09:00-12:30,14:00-18:00; Sa 10:00-12:00; PH off",
		[]string{"Seniors"}, []string{"Illettrisme", "Langues étrangères (anglais)"},
		[]string{accessWalkIn, accessPhone}, []string{modeOne, modeGroup}, []string{schemeCnum, schemeAidants}, 4, 2},
	{"Espace numérique de Rocabey", "50349821700028", saintMalo, true,
		[]serviceSeed{svcSmartphone, svcAmeli, svcVisio},
		placeSeed{"3 rue de la Croix Désilles", "35400", 48.64351, -2.00848},
		"Espace public numérique du quartier de Rocabey : accès libre accompagné et ateliers du quotidien.",
		"Tu-Fr 13:30-18:00; Sa 09:30-12:30",
		[]string{"Seniors", "Familles et/ou enfants"}, nil,
		[]string{accessWalkIn, accessPhone}, []string{modeAlone, modeGroup}, []string{schemeCnum}, 2, 1},
	{"Médiathèque de Fougères — espace multimédia", "21350115000014", fougeres, true,
		[]serviceSeed{svcEmail, svcPhotos, svcFreeAccess},
		placeSeed{"2 rue Nationale", "35300", 48.35251, -1.19902},
		"L'espace multimédia de la médiathèque propose des postes en accès libre et des ateliers de découverte.",
		"Tu,Th 14:00-18:00; We,Sa 10:00-12:30,14:00-18:00",
		nil, []string{"Déficience visuelle", "Handicaps moteurs"},
		[]string{accessWalkIn}, []string{modeAlone, modeGroup}, nil, 3, 0},
	{"Cyber-base de Vitré", "24350360000013", vitre, true,
		[]serviceSeed{svcComputer, svcJobSearch, svcFC},
		placeSeed{"14 boulevard Pierre Landais", "35500", 48.12318, -1.20874},
		"Cyber-base intercommunale : initiation à l'ordinateur, recherche d'emploi et identité numérique.",
		"Mo-Fr 09:00-12:00,13:30-17:30",
		[]string{"Jeunes"}, nil,
		[]string{accessPhone, accessOnline}, []string{modeOne, modeGroup}, []string{schemeFS}, 3, 1},
	{"Tiers-lieu La Fabrique du Pays de Redon", "88904123500017", redon, true,
		[]serviceSeed{svcSmartphone, svcAI},
		placeSeed{"5 quai Saint-Jacques", "35600", 47.64962, -2.08481},
		"Tiers-lieu associatif : fablab, café numérique et ateliers pour comprendre les outils d'aujourd'hui.",
		"We-Sa 10:00-18:00",
		[]string{"Jeunes", "Étudiants"}, nil,
		[]string{accessWalkIn, accessMail}, []string{modeAlone, modeGroup}, nil, 2, 0},
	{"Centre social de Cesson-Sévigné — atelier numérique", "78215034100025", cessonSevigne, true,
		[]serviceSeed{svcAmeli, svcENT, svcPasswords},
		placeSeed{"1 rue du Bac", "35510", 48.12087, -1.60302},
		"Le centre social accompagne les familles : ENT, santé en ligne, sécurité des comptes.",
		"Mo-Fr 09:00-12:00,14:00-19:00",
		[]string{"Familles et/ou enfants"}, []string{"Langues étrangères (autres)"},
		[]string{accessWalkIn, accessPhone}, []string{modeOne, modeGroup}, []string{schemeCnum}, 2, 1},
	{"Espace jeunes et numérique de Bruz", "21350047000033", bruz, true,
		[]serviceSeed{svcCV, svcJobSearch},
		placeSeed{"6 avenue Alphonse Legault", "35170", 48.02452, -1.74603},
		"Accueil des 16-25 ans : CV, candidatures en ligne et préparation aux entretiens.",
		"Mo-Fr 14:00-19:00; We 10:00-12:00",
		[]string{"Jeunes"}, nil,
		[]string{accessWalkIn, accessOnline}, []string{modeOne}, nil, 2, 0},
	{"Association Clic & Partage", "85312098700013", dinard, true,
		[]serviceSeed{svcVisio, svcScams, svcDoctor},
		placeSeed{"20 rue Levavasseur", "35800", 48.63264, -2.05801},
		"Des bénévoles formés accompagnent les aînés, chez eux ou au local, pour rester en lien et en sécurité.",
		"Mo,Th 14:00-17:00; Sa 09:30-12:00",
		[]string{"Seniors"}, []string{"Surdité"},
		[]string{accessPhone}, []string{modeOne, modeRemote}, nil, 5, 0},
	{"Point numérique de Montfort-sur-Meu", "44018362900011", montfort, true,
		[]serviceSeed{svcTaxes, svcDoctor, svcEmail},
		placeSeed{"4 place de la Mairie", "35160", 48.13752, -1.95648},
		"Point numérique de la mairie : démarches administratives accompagnées, sur rendez-vous.",
		"Mo-Fr 08:30-12:00",
		nil, nil,
		[]string{accessPhone, accessOnline}, []string{modeOne}, []string{schemeAidants, schemeFS}, 1, 1},
	{"La Ressourcerie numérique de Saint-Jacques", "90123456700039", saintJacques, true,
		[]serviceSeed{svcComputer, svcPasswords, svcFreeAccess},
		placeSeed{"9 rue Jules Vallès", "35136", 48.08795, -1.70823},
		"Ordinateurs reconditionnés à prix solidaire et ateliers pour bien les utiliser.",
		"Tu-Sa 10:00-13:00,14:00-18:00",
		nil, nil,
		[]string{accessWalkIn}, []string{modeAlone, modeGroup}, nil, 2, 0},
	{"Atelier numérique du Blosne", "87953214600013", rennes, false,
		[]serviceSeed{svcSmartphone, svcTaxes},
		placeSeed{"7 boulevard de Yougoslavie", "35200", 48.08853, -1.66612},
		"Nouvelle association du quartier du Blosne : ateliers en français facile.",
		"Mo,We,Fr 14:00-18:00",
		nil, []string{"Langues étrangères (autres)", "Illettrisme"},
		[]string{accessWalkIn}, []string{modeGroup}, nil, 1, 0},
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
	hubName        = "Hub numérique d'Ille-et-Vilaine"
	operatorName   = "Coopérative passnum"
	demoActorLabel = "demo:seed"
)
