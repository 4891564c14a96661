package pdf

import (
	"bytes"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

func TestRegister(t *testing.T) {
	p := passnum.DefaultPrivacySettings()
	p.Controller = "Coopérative Numérique pour tous"
	p.DPOEmail = "dpo@numerique-pour-tous.example.fr"
	p.RetentionMonths = map[passnum.RetentionKey]int{passnum.RetainBeneficiary: 48}
	var buf bytes.Buffer
	if err := Register(&buf, passnum.NewRegister(p), created); err != nil {
		t.Fatal(err)
	}
	keep(t, "registre.pdf", buf.Bytes())
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("%PDF-")) || len(pageObject.FindAll(b, -1)) < 2 {
		t.Fatalf("not a PDF of several pages: %d pages", len(pageObject.FindAll(b, -1)))
	}
	s := text(t, b)
	for _, want := range []string{
		"Registre des activit\xe9s de traitement",
		"Coop\xe9rative Num\xe9rique pour tous",
		"dpo@numerique-pour-tous.example.fr",
		"4 ans",
		"Aucun transfert de donn\xe9es hors de l'Union europ\xe9enne.",
		"argon2id",
		"(Donn\xe9e)", // a column title
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the register lacks %q", want)
		}
	}
	for _, f := range []string{"R\xe9f\xe9rence pseudonyme", "Notes du conseiller num\xe9rique", "Coordonn\xe9es bancaires du lieu"} {
		if !strings.Contains(s, f) {
			t.Errorf("the register lacks the field %q", f)
		}
	}
}

// The cover letter tells the person what is kept about them and whom to
// ask, with the installation's contacts.
func TestCoverLetterNotice(t *testing.T) {
	p := passnum.DefaultPrivacySettings()
	p.ControllerEmail = "donnees@example.fr"
	p.RetentionMonths = map[passnum.RetentionKey]int{passnum.RetainBeneficiary: 18}
	opts := carnetOptions
	opts.Privacy = &p
	var buf bytes.Buffer
	if err := Carnets(&buf, sheets(t, 1, 5), opts); err != nil {
		t.Fatal(err)
	}
	checkPDF(t, buf.Bytes(), 2)
	s := text(t, buf.Bytes())
	for _, want := range []string{"(Vos donn\xe9es personnelles)", "donnees@example.fr", "18 mois", "CNIL", "pass-numerique.example.fr/donnees-personnelles"} {
		if !strings.Contains(s, want) {
			t.Errorf("the cover letter lacks %q", want)
		}
	}
}
