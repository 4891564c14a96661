package pdf

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/readability"
)

func personalData() *passnum.PersonalData {
	distributed := time.Date(2027, 1, 12, 10, 0, 0, 0, time.UTC)
	yes, no := true, false
	restricted := time.Date(2027, 3, 20, 15, 0, 0, 0, time.UTC)
	return &passnum.PersonalData{
		Beneficiary: &passnum.Beneficiary{Ref: "B-7Q2K-9XHM", BirthYear: 1948, CommuneINSEE: "35238",
			Needs: []string{"Aide aux démarches administratives", "Courriels"}, Autonomy: "faible", ConsentAt: "2027-01-12",
			RestrictedAt: &restricted},
		Prescriber: "CCAS de Rennes",
		Carnets:    []passnum.PersonalCarnet{{Number: 100004, Programme: "Pass numérique Ille-et-Vilaine 2027", DistributedAt: &distributed, ValidUntil: "2027-12-31", Passes: 5, Remaining: 3}},
		PassUses:   []passnum.PersonalPassUse{{Date: time.Date(2027, 2, 3, 14, 0, 0, 0, time.UTC), Venue: "Médiathèque des Champs Libres", Service: "Découvrir sa messagerie", Passes: 2}},
		Workshops: []passnum.PersonalWorkshop{
			{StartsAt: time.Date(2027, 2, 3, 14, 0, 0, 0, time.UTC), Venue: "Médiathèque des Champs Libres", Service: "Découvrir sa messagerie", Attended: &yes},
			{StartsAt: time.Date(2027, 2, 10, 14, 0, 0, 0, time.UTC), Venue: "Médiathèque des Champs Libres", Service: "Ameli en ligne", Attended: &no},
		},
		Activities:  []passnum.PersonalActivity{{Date: "2027-02-03", Venue: "Médiathèque des Champs Libres", Themes: []string{"Courriels"}, Notes: "A créé son adresse."}},
		Fields:      []passnum.PersonalFieldStored{{Label: "Année de naissance", Purpose: "Remettre des pass aux personnes qui en ont besoin", Basis: "mission d'intérêt public (article 6.1.e du RGPD)", Retention: "3 ans"}},
		GeneratedAt: created,
	}
}

// The person's copy of their data says what is held, why and how long,
// and what they can ask and to whom, with the installation's contacts.
func TestPersonalData(t *testing.T) {
	p := passnum.DefaultPrivacySettings()
	p.ControllerEmail = "donnees@numerique-pour-tous.example.fr"
	p.DPOEmail = "dpo@numerique-pour-tous.example.fr"
	var buf bytes.Buffer
	if err := PersonalData(&buf, personalData(), p); err != nil {
		t.Fatal(err)
	}
	keep(t, "donnees-personnelles.pdf", buf.Bytes())
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("%PDF-")) || len(pageObject.FindAll(b, -1)) < 1 {
		t.Fatal("not a PDF")
	}
	s := text(t, b)
	for _, want := range []string{
		"Vos donn\xe9es personnelles", "B-7Q2K-9XHM", "1948", `Rennes \(35238\)`, "Courriels", "CCAS de Rennes",
		"2 avril 2027",                                   // the day of the copy
		"depuis le 20 mars 2027",                         // restricted
		"n\xb0 100004", "3 sur 5", "31 d\xe9cembre 2027", // the carnet
		"Ameli en ligne", "(non)", "(oui)", "A cr\xe9\xe9 son adresse.",
		"mission d'int\xe9r\xeat public", "3 ans",
		"donnees@numerique-pour-tous.example.fr", "dpo@numerique-pour-tous.example.fr", "un mois", "CNIL",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the copy lacks %q", want)
		}
	}

	empty := &passnum.PersonalData{Beneficiary: &passnum.Beneficiary{Ref: "B-0000-0001", AgeBand: "60-74", CommuneINSEE: "99999"}, GeneratedAt: created}
	buf.Reset()
	if err := PersonalData(&buf, empty, p); err != nil {
		t.Fatal(err)
	}
	s = text(t, buf.Bytes())
	for _, want := range []string{"60-74 ans", "Aucun carnet.", "pas encore utilis\xe9 de pass", "Aucune inscription."} {
		if !strings.Contains(s, want) {
			t.Errorf("the copy of a record with nothing else lacks %q", want)
		}
	}
	if err := PersonalData(&buf, &passnum.PersonalData{}, p); err == nil {
		t.Error("a copy without a beneficiary was written")
	}
}

// What the copy tells the person reads as easily as the privacy notice.
func TestPersonalDataReadsEasily(t *testing.T) {
	p := passnum.DefaultPrivacySettings()
	p.DPOEmail = "dpo@numerique-pour-tous.example.fr"
	r := personalRights(p)
	lines := append(append([]string{r.Intro, r.Kept}, r.Rights...), r.Ask...)
	m := readability.Measure(strings.Join(lines, "\n"))
	if m.Score() < readability.Easy || m.WordsPerSentence() > 15 {
		t.Errorf("score %.1f (want %d or more), %.1f words a sentence (want 15 at most)", m.Score(), readability.Easy, m.WordsPerSentence())
	}
}
