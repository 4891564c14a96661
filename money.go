package passnum

import (
	"fmt"
	"strconv"
	"strings"
)

// Money in one place: how people type an amount (ParseEuros, used by the
// command line and the forms of the pages), how it is written for them
// (FrenchEuros: pages, PDF, command line, messages) and how it is written
// in a cell of a file meant for a spreadsheet (EurosCell: CSV). Amounts are
// integer cents everywhere else.

// ParseEuros reads an amount of euros as people type it and returns it in
// cents, exactly: the digits are read as integers, never as a float.
//
//   - The decimal separator is a comma (French) or a dot: "1234,56",
//     "1234.56"; at most two decimals: "0,5" is 50 cents.
//   - Thousands may be grouped with spaces, no-break, narrow no-break or
//     thin spaces, as French typography and spreadsheets write them:
//     "1 234 567,89". Groups after the first have three digits.
//   - A trailing "€" or "EUR" is allowed.
//   - Refused: negative amounts, a sign, several separators ("1.234,56",
//     "1,234.56"), a separator with no digit before it (",50"), an
//     exponent ("1e3"), and more than two decimals.
//
// Three decimals after one to three digits ("1.234", "1,234", "12,345")
// are refused as ambiguous: a French reader sees 1,234 €, an English one
// 1 234 €, and a mistake is a factor of a thousand on a budget or a payment
// order. The pages used to read "1.234" as 1 234 € while the command line
// refused it; the refusal, with the two ways to write it, is the one
// answer now, as nothing tells which reading the person meant. Three
// decimals after a grouped or longer whole part ("1 234,567", "1234,567")
// cannot be thousands: they are too many decimals.
//
// The error is EINVALID with a French message naming the input, without a
// field: the caller knows which field it read.
func ParseEuros(s string) (int64, error) {
	n, err := parseHundredths(s, "montant", []string{"€", "EUR", "eur", "Eur"}, true)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// ParsePercent reads a percentage as people type it, in basis points:
// "50" is 5 000, "33,33" and "33.33 %" are 3 333. It follows the grammar
// of ParseEuros (a percentage has no thousands to mistake for decimals, so
// three decimals are only too many), up to 10 000 %.
func ParsePercent(s string) (int, error) {
	n, err := parseHundredths(s, "pourcentage", []string{"%"}, false)
	if err != nil {
		return 0, err
	}
	if n > maxPercentBP {
		return 0, Invalid("", "pourcentage trop grand : « %s »", s)
	}
	return int(n), nil
}

// maxPercentBP bounds a percentage typed by a person: 10 000 %.
const maxPercentBP = 1_000_000

// maxUnitDigits bounds the whole part of a number typed by a person: ten
// thousand billion euros, far beyond any programme, well within int64 cents.
const maxUnitDigits = 13

// parseHundredths reads a non-negative decimal number with at most two
// decimals, as ParseEuros describes, scaled to hundredths. noun names the
// quantity in messages ("montant"); units are the symbols allowed after
// it; thousands tells whether three decimals may be a thousands group.
func parseHundredths(s, noun string, units []string, thousands bool) (int64, error) {
	in := s
	s = strings.TrimSpace(s)
	for _, unit := range units {
		s = strings.TrimSpace(strings.TrimSuffix(s, unit))
	}
	s = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2009", " ").Replace(s)
	switch {
	case s == "":
		return 0, Invalid("", "%s vide", noun)
	case strings.HasPrefix(s, "-"):
		return 0, Invalid("", "%s négatif : « %s »", noun, in)
	case strings.Count(s, ",")+strings.Count(s, ".") > 1:
		return 0, Invalid("", "« %s » : un seul séparateur décimal, la virgule ou le point ; groupez les milliers avec des espaces (1 234,56)", in)
	}
	whole, decimals, hasDecimals := strings.Cut(strings.ReplaceAll(s, ".", ","), ",")
	groups := strings.Split(whole, " ")
	for i, g := range groups {
		if !isDigits(g) || (i > 0 && len(g) != 3) || (i == 0 && len(groups) > 1 && len(g) > 3) {
			return 0, Invalid("", "%s illisible : « %s » (exemples : 250000, 250 000,00, 12.5)", noun, in)
		}
	}
	whole = strings.Join(groups, "")
	if len(whole) > maxUnitDigits {
		return 0, Invalid("", "%s trop grand : « %s »", noun, in)
	}
	if hasDecimals {
		// One to three digits, not a lone zero, then three: a thousands
		// group in English, three decimals in French.
		maybeThousands := thousands && len(groups) == 1 && len(whole) <= 3 && whole[0] != '0'
		switch {
		case len(decimals) == 3 && maybeThousands:
			return 0, Invalid("", "« %s » est ambigu : écrivez %s ou %s %s pour des milliers d'euros, ou deux décimales au plus",
				in, whole+decimals, whole, decimals)
		case !isDigits(decimals) || len(decimals) > 2:
			return 0, Invalid("", "%s illisible : « %s » (deux décimales au plus)", noun, in)
		}
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, Invalid("", "%s illisible : « %s »", noun, in)
	}
	hundredths := int64(0)
	if decimals != "" {
		hundredths, _ = strconv.ParseInt(decimals, 10, 64)
		if len(decimals) == 1 {
			hundredths *= 10
		}
	}
	return n*100 + hundredths, nil
}

// FrenchEuros writes cents as an amount for people: "52 000,00 €", with
// narrow no-break spaces between thousands and a no-break space before the
// euro sign, as the command line printed them; a negative amount starts
// with a hyphen-minus, "-10,50 €". The pages used to write the minus sign
// U+2212 and a narrow space before "€": the PDF documents could not
// (Windows-1252 has neither) and printed this form already, the command
// line too, and a hyphen-minus is what a spreadsheet or a form reads back
// when a person copies the amount. ParseEuros reads what it writes, but a
// negative amount.
func FrenchEuros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%s,%02d\u00a0€", sign, FrenchNumber(cents/100), cents%100)
}

// EurosCell writes cents for a cell of a file meant for a spreadsheet
// (CSV): a decimal comma, no grouping, no unit, a hyphen-minus, "1234,50",
// "-2,50", which French spreadsheets read as numbers.
func EurosCell(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d,%02d", sign, cents/100, cents%100)
}
