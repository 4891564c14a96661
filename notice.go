package passnum

import "strings"

// NoticePath is where the full notice is published, for the short notices
// to point to.
const NoticePath = "/donnees-personnelles"

// Notice is what a beneficiary is told about their data (articles 13 and
// 14), in plain French: short sentences, everyday words, "vous". It is
// built from the declaration, so that a field added there must be told
// here (plainFields) before the tests pass. internal/readability's tests
// check its reading level.
type Notice struct {
	Title    string
	Intro    []string
	Sections []NoticeSection
}

// NoticeSection is a heading, paragraphs, a list, and paragraphs after
// the list.
type NoticeSection struct {
	Heading string
	Text    []string
	Items   []string
	After   []string
}

// ShortNotice is the few lines printed on the prescriber's receipt and on
// the carnet's cover letter; MoreAt (NoticePath) is where to read more.
type ShortNotice struct {
	Title  string
	Lines  []string
	MoreAt string
}

// plainFields says each field held about a beneficiary in everyday words.
var plainFields = map[string]string{
	"beneficiary.ref":         "un numéro qui remplace votre nom",
	"beneficiary.birth_year":  "votre année de naissance, ou votre âge à peu près",
	"beneficiary.age_band":    "", // said with the year of birth
	"beneficiary.commune":     "la ville où vous habitez",
	"beneficiary.needs":       "ce que vous voulez apprendre",
	"beneficiary.autonomy":    "ce que vous savez déjà faire",
	"beneficiary.consent":     "le jour où vous avez dit oui",
	"beneficiary.prescriber":  "la structure qui vous a donné le carnet",
	"beneficiary.restriction": "votre demande de bloquer vos données, si vous en faites une",
	"carnet.holder":           "le numéro de votre carnet et le jour où vous l'avez reçu",
	"pass.use":                "les pass que vous avez utilisés : le jour, le lieu et l'atelier",
	"registration.person":     "vos inscriptions aux ateliers, avec votre prénom si vous le donnez, et si vous êtes venu",
	"activity.people":         "les ateliers où vous êtes venu",
	"activity.notes":          "les notes de la personne qui vous aide à l'atelier",
	"rights-request.record":   "vos demandes sur vos données et nos réponses",
}

// plainPurposes says each purpose in everyday words, after "pour".
var plainPurposes = map[string]string{
	"programme":  "vous donner des pass et suivre votre parcours",
	"diagnostic": "savoir ce dont vous avez besoin et bien vous guider",
	"workshops":  "vous inscrire aux ateliers",
	"settlement": "payer les lieux qui font les ateliers",
	"evaluation": "compter combien de personnes le Pass numérique aide, sans dire qui",
	"accounts":   "faire marcher le site en sécurité",
	"network":    "faire connaître les lieux des ateliers",
}

// plainReaders says who reads a beneficiary's data, by kind.
var plainReaders = map[OrgKind]string{
	KindOperator:   "l'équipe qui gère le Pass numérique",
	KindPrescriber: "la structure qui vous a donné le carnet",
	KindVenue:      "les lieux où vous faites des ateliers",
}

// NewNotice builds the notice of an installation.
func NewNotice(p PrivacySettings) *Notice {
	var held, readers []string
	var purposes []string
	consent := false
	seenKind := map[OrgKind]bool{}
	seenPurpose := map[string]bool{}
	for _, f := range PersonalFields {
		if f.Subject != SubjectBeneficiary {
			continue
		}
		if s := plainFields[f.Key]; s != "" {
			held = append(held, s)
		}
		if !seenPurpose[f.Purpose] {
			seenPurpose[f.Purpose] = true
			purposes = append(purposes, "pour "+plainPurposes[f.Purpose])
			if pr := FindPurpose(f.Purpose); pr != nil && pr.Basis == BasisConsent {
				consent = true
			}
		}
		for _, k := range OrgKinds {
			if f.ReadableBy(k) && !seenKind[k] {
				seenKind[k] = true
			}
		}
	}
	for _, k := range OrgKinds {
		if seenKind[k] {
			readers = append(readers, plainReaders[k])
		}
	}
	purposes = append(purposes, "pour "+plainPurposes["evaluation"])

	n := &Notice{
		Title: "Vos données personnelles",
		Intro: []string{
			"Vous avez reçu un carnet de Pass numérique.",
			"Cette page dit ce que nous gardons sur vous, et pourquoi.",
			"Elle dit aussi ce que vous pouvez demander.",
		},
	}
	n.Sections = append(n.Sections, NoticeSection{
		Heading: "Qui s'occupe de vos données ?",
		Text: []string{
			sentence(p.Controller) + " gère le Pass numérique. C'est le responsable de vos données.",
			"Les financeurs du Pass numérique sont aussi responsables. Ils paient les pass.",
		},
	})
	n.Sections = append(n.Sections, NoticeSection{
		Heading: "Ce que nous gardons",
		Text:    []string{"Nous ne gardons pas votre nom de famille. Nous ne gardons pas votre adresse. Nous gardons :"},
		Items:   held,
	})
	why := NoticeSection{Heading: "Pourquoi ?", Text: []string{"Nous gardons ces données :"}, Items: purposes}
	if consent {
		why.After = append(why.After, "Pour noter vos besoins, nous vous demandons votre accord. Vous pouvez dire non à tout moment.")
	}
	n.Sections = append(n.Sections, why)
	n.Sections = append(n.Sections, NoticeSection{
		Heading: "Qui voit vos données ?",
		Text:    []string{"Vos données sont vues par :"},
		Items:   readers,
		After:   []string{"Les financeurs voient seulement des chiffres. Ils ne savent pas qui vous êtes."},
	})
	n.Sections = append(n.Sections, NoticeSection{
		Heading: "Combien de temps ?",
		Text: []string{
			"Nous gardons vos données " + p.PeriodLabel(RetainBeneficiary) + " après votre dernier pass. Ensuite, nous les effaçons.",
			"Les notes de l'atelier sont effacées après " + p.PeriodLabel(RetainNotes) + ".",
			"Nos comptes gardent les pass utilisés " + p.PeriodLabel(RetainAccounting) + ", comme la loi le demande. Mais ils ne disent plus qui vous êtes.",
			"Vos données ne sortent pas de l'Union européenne.",
		},
	})
	n.Sections = append(n.Sections, NoticeSection{
		Heading: "Ce que vous pouvez demander",
		Text:    []string{"Vos données sont à vous. Vous pouvez demander :"},
		Items: []string{
			"de voir vos données, et d'en avoir une copie",
			"de corriger une erreur",
			"d'effacer vos données",
			"de bloquer vos données pour un temps",
			"de ne plus utiliser vos données",
		},
	})
	ask := []string{
		"Demandez à la structure qui vous a donné le carnet. Elle peut le faire avec vous.",
		"Vous pouvez aussi écrire à " + p.ControllerEmail + ".",
	}
	if !strings.EqualFold(p.DPOEmail, p.ControllerEmail) {
		ask = append(ask, "Ou écrivez à la personne chargée de protéger vos données : "+p.DPOEmail+".")
	}
	ask = append(ask, "Nous vous répondons en un mois au plus. C'est gratuit.")
	n.Sections = append(n.Sections, NoticeSection{Heading: "À qui demander ?", Text: ask})
	n.Sections = append(n.Sections, NoticeSection{
		Heading: "Vous n'êtes pas d'accord ?",
		Text: []string{
			"Vous pouvez vous plaindre à la CNIL. La CNIL protège les données des gens.",
			"Son site : www.cnil.fr. Son adresse : CNIL, 3 place de Fontenoy, 75007 Paris.",
		},
	})
	return n
}

// NewShortNotice builds the lines of the receipt and the cover letter.
func NewShortNotice(p PrivacySettings) *ShortNotice {
	return &ShortNotice{
		Title: "Vos données personnelles",
		Lines: []string{
			"Nous gardons votre âge, votre ville et vos besoins. Nous ne gardons pas votre nom de famille.",
			"C'est pour vous aider à apprendre le numérique.",
			"Nous effaçons ces données " + p.PeriodLabel(RetainBeneficiary) + " après votre dernier pass.",
			"Vous pouvez les voir, les corriger ou les effacer.",
			"Demandez à la structure qui vous a donné ce carnet, ou écrivez à " + p.ControllerEmail + ".",
			"Vous pouvez aussi vous plaindre à la CNIL.",
		},
		MoreAt: NoticePath,
	}
}

// Text is every sentence of the notice, one paragraph or item a line:
// what the reading level is measured on.
func (n *Notice) Text() []string {
	out := append([]string{n.Title}, n.Intro...)
	for _, s := range n.Sections {
		out = append(out, s.Heading)
		out = append(out, s.Text...)
		out = append(out, s.Items...)
		out = append(out, s.After...)
	}
	return out
}

// sentence makes s start with a capital letter.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}
