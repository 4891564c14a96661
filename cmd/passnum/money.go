package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// parseEuros reads an amount of euros as people write it and returns it in
// cents, exactly: the digits are read as integers, never as a float.
//
//   - The decimal separator is a comma (French) or a dot: "1234,56",
//     "1234.56"; at most two decimals: "0,1" is 10 cents.
//   - Thousands may be grouped with spaces (also no-break and narrow
//     no-break spaces, as French typography and spreadsheets write them):
//     "1 234 567,89". Groups after the first have three digits.
//   - A trailing "€" or "EUR" is allowed.
//   - Refused: negative amounts, a sign, several separators ("1.234,56",
//     "1,234.56"), and three decimals ("1,234" or "1.234"), because a
//     French reader sees 1,234 € and an English one 1 234 €: such an
//     amount must be written unambiguously ("1234", "1 234" or "1,23").
func parseEuros(s string) (int64, error) {
	in := s
	s = strings.TrimSpace(s)
	for _, suffix := range []string{"€", "EUR", "eur", "Eur"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, suffix))
	}
	s = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2009", " ").Replace(s)
	switch {
	case s == "":
		return 0, errors.New("montant vide")
	case strings.HasPrefix(s, "-"):
		return 0, fmt.Errorf("montant négatif : %q", in)
	}
	if strings.Count(s, ",")+strings.Count(s, ".") > 1 {
		return 0, fmt.Errorf("%q : un seul séparateur décimal, la virgule ou le point ; groupez les milliers avec des espaces (1 234,56)", in)
	}
	units, decimals, hasDecimals := strings.Cut(strings.ReplaceAll(s, ".", ","), ",")
	groups := strings.Split(units, " ")
	for i, g := range groups {
		if !digits(g) || (i > 0 && len(g) != 3) || (i == 0 && len(groups) > 1 && len(g) > 3) {
			return 0, fmt.Errorf("montant illisible : %q (exemples : 250000, 250 000,00, 12.5)", in)
		}
	}
	units = strings.Join(groups, "")
	if len(units) > 13 {
		return 0, fmt.Errorf("montant trop grand : %q", in)
	}
	if hasDecimals {
		switch {
		case len(decimals) == 3:
			return 0, fmt.Errorf("%q est ambigu : écrivez %s ou %s %s pour des milliers d'euros, ou deux décimales au plus",
				in, units+decimals, units, decimals)
		case !digits(decimals) || len(decimals) > 2:
			return 0, fmt.Errorf("montant illisible : %q (deux décimales au plus)", in)
		}
	}
	euros, err := strconv.ParseInt(units, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("montant illisible : %q", in)
	}
	cents := int64(0)
	if decimals != "" {
		cents, _ = strconv.ParseInt(decimals, 10, 64)
		if len(decimals) == 1 {
			cents *= 10
		}
	}
	return euros*100 + cents, nil
}

// digits tells whether s is one or more ASCII digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// eurosValue is a flag holding an amount given in euros, kept in cents.
type eurosValue struct {
	cents *int64
}

func (v eurosValue) String() string {
	if v.cents == nil || *v.cents == 0 {
		return ""
	}
	return strings.ReplaceAll(formatEurosPlain(*v.cents), " ", "")
}

func (v eurosValue) Set(s string) error {
	c, err := parseEuros(s)
	if err != nil {
		return err
	}
	*v.cents = c
	return nil
}

// formatEuros renders cents as French does: "12 345,67 €", with narrow
// no-break spaces between thousands.
func formatEuros(cents int64) string {
	return strings.ReplaceAll(formatEurosPlain(cents), " ", "\u202f") + "\u00a0€"
}

func formatEurosPlain(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%s,%02d", sign, groupThousands(strconv.FormatInt(cents/100, 10), " "), cents%100)
}

// formatInt renders an integer with narrow no-break spaces between
// thousands: 1 000 000.
func formatInt[T ~int | ~int64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	if neg, ok := strings.CutPrefix(s, "-"); ok {
		return "-" + groupThousands(neg, "\u202f")
	}
	return groupThousands(s, "\u202f")
}

func groupThousands(digits, sep string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// formatPercent renders part/total as a percentage with one decimal,
// computed on integers: "16,7 %".
func formatPercent(part, total int64) string {
	if total <= 0 {
		return "–"
	}
	permille := (part*1000 + total/2) / total
	return fmt.Sprintf("%d,%d\u00a0%%", permille/10, permille%10)
}

// formatBP renders basis points as a percentage: 400 → "4 %", 3333 → "33,33 %".
func formatBP(bp int) string {
	s := fmt.Sprintf("%d,%02d", bp/100, bp%100)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "0"), ",0")
	s = strings.TrimSuffix(s, ",")
	return s + "\u00a0%"
}
