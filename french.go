package passnum

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// How figures, amounts and dates are written for people, in French, in
// messages, pages and documents alike.

// narrowNBSP separates thousands and units, as French typography does.
const narrowNBSP = "\u202f"

// FrenchNumber writes n with its thousands separated: "1 000 000"; a
// negative number starts with a hyphen-minus, as amounts do (FrenchEuros).
func FrenchNumber(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(narrowNBSP)
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}

// FrenchPercent writes basis points as a percentage: "50 %", "33,33 %".
func FrenchPercent(bp int) string {
	s := strconv.Itoa(bp / 100)
	if r := bp % 100; r != 0 {
		s += strings.TrimRight(fmt.Sprintf(",%02d", r), "0")
	}
	return s + narrowNBSP + "%"
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// FrenchDate renders a YYYY-MM-DD date as "31 décembre 2027".
func FrenchDate(iso string) string {
	d, err := time.Parse(DateLayout, iso)
	if err != nil {
		return iso
	}
	day := fmt.Sprint(d.Day())
	if d.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frenchMonths[d.Month()-1], d.Year())
}

// FrenchDateTime renders an instant in Paris time, "12 mars 2027 à 14 h 05".
func FrenchDateTime(t time.Time) string {
	t = t.In(paris)
	return fmt.Sprintf("%s à %d h %02d", FrenchDate(t.Format(DateLayout)), t.Hour(), t.Minute())
}

// FrenchMonth renders a month as "mars 2026".
func FrenchMonth(t time.Time) string {
	return fmt.Sprintf("%s %d", frenchMonths[t.Month()-1], t.Year())
}

// Articles and plurals for phrases built from data: a funder's name after
// "par", a count before its noun. Names come as people typed them, so the
// article is only added when the name starts with a known institution
// word; a proper name ("Emmaüs Connect", "La Poste") is left bare.

// frenchGender gives the article of the institution words a funder's name
// starts with, in lower case.
var frenchGender = map[string]string{
	"état": "le", "département": "le", "conseil": "le", "ministère": "le",
	"fonds": "le", "groupement": "le", "syndicat": "le", "centre": "le",
	"établissement": "le", "hôpital": "le", "haut-commissariat": "le",
	"région": "la", "métropole": "la", "commune": "la", "ville": "la",
	"caisse": "la", "préfecture": "la", "communauté": "la", "collectivité": "la",
	"agence": "la", "banque": "la", "direction": "la", "fondation": "la",
	"mairie": "la", "délégation": "la", "mutualité": "la", "agglomération": "la",
}

// frenchMuteH lists the institution words starting with an h that is not
// pronounced, so that their article elides: "l'Hôpital" but "le
// Haut-Commissariat".
var frenchMuteH = map[string]bool{"hôpital": true}

// FrenchArticle puts the definite article before a funder's name when it
// starts with an institution word: "l'État", "le Département du Nord", "la
// Région Bretagne", "les Communes du Trégor"; other names stay as typed.
func FrenchArticle(name string) string {
	name = strings.TrimSpace(name)
	first, _, _ := strings.Cut(name, " ")
	word := strings.ToLower(first)
	article, ok := frenchGender[word]
	if !ok {
		// A plural of a known word ("Départements", "Communes").
		if singular, cut := strings.CutSuffix(word, "s"); cut && frenchGender[singular] != "" {
			return "les " + name
		}
		return name
	}
	if r, _ := utf8.DecodeRuneInString(word); strings.ContainsRune("aeiouyàâäéèêëîïôöùûü", r) || frenchMuteH[word] {
		return "l'" + name
	}
	return article + " " + name
}

// FrenchBy writes who pays, after a past participle: "par l'État", "par
// l'État et la Région Bretagne", "par l'État, le Département du Finistère
// et la Région Bretagne"; nothing without names.
func FrenchBy(names ...string) string {
	if len(names) == 0 {
		return ""
	}
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = FrenchArticle(n)
	}
	return "par " + FrenchList(parts)
}

// FrenchList joins items the French way: "a", "a et b", "a, b et c".
func FrenchList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " et " + items[len(items)-1]
}

// FrenchCount writes a count with its noun, singular up to one as French
// has it: "0 carnet", "1 carnet", "2 carnets", "1 200 pass".
func FrenchCount(n int64, one, many string) string {
	return FrenchNumber(n) + " " + frenchNoun(n, one, many)
}

// FrenchTheir writes a count after "son"/"ses", where one thing takes no
// figure: "son pass", "ses 3 pass", "ses 2 carnets", "aucun carnet". The
// noun is masculine, as pass and carnet are.
func FrenchTheir(n int64, one, many string) string {
	switch n {
	case 0:
		return "aucun " + one
	case 1:
		return "son " + one
	}
	return "ses " + FrenchCount(n, one, many)
}

func frenchNoun(n int64, one, many string) string {
	if n > 1 || n < -1 {
		return many
	}
	return one
}
