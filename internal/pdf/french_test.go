package pdf

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

var shownString = regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\)\s*Tj`)

// shown is the text a PDF's pages show, each string separated by a space,
// so that a sentence wrapped over several lines reads whole; it stays in
// Windows-1252, as the core fonts write it.
func shown(t *testing.T, b []byte) string {
	var out []string
	for _, m := range shownString.FindAllStringSubmatch(text(t, b), -1) {
		out = append(out, strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(m[1]))
	}
	return strings.Join(strings.Fields(strings.Join(out, " ")), " ")
}

// TestCarnetFundersInFrench: the coupons and the cover letter say who
// pays as the pages do, articles included, and not as a list after a
// colon ("Financé par : État, Région Bretagne").
func TestCarnetFundersInFrench(t *testing.T) {
	for _, tc := range []struct {
		funders []string
		want    []string
	}{
		{[]string{"État", "Région Bretagne"}, []string{
			"Financ\xe9 par l'\xc9tat et la R\xe9gion Bretagne",
			"Ils sont pay\xe9s par l'\xc9tat et la R\xe9gion Bretagne (programme",
		}},
		{[]string{"Département d'Ille-et-Vilaine"}, []string{
			"Financ\xe9 par le D\xe9partement d'Ille-et-Vilaine",
			"Ils sont pay\xe9s par le D\xe9partement d'Ille-et-Vilaine (programme",
		}},
	} {
		ss := sheets(t, 1, 2)
		ss[0].Funders = tc.funders
		var buf bytes.Buffer
		if err := Carnets(&buf, ss, carnetOptions); err != nil {
			t.Fatal(err)
		}
		s := shown(t, buf.Bytes())
		for _, w := range tc.want {
			if !strings.Contains(s, w) {
				t.Errorf("%v: the carnet does not say %q:\n%s", tc.funders, w, s)
			}
		}
		if strings.Contains(s, "par :") {
			t.Errorf("%v: the carnet still lists its funders after a colon", tc.funders)
		}
	}
}
