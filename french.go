package passnum

import (
	"fmt"
	"strconv"
	"strings"
	"time"
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
