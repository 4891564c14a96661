package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// Numbers as people type them in France: "50 000", "52 000,50", "1.000"
// are all accepted; the comma is the decimal separator, the point too when
// it cannot be a thousands separator.

// cleanNumber removes spaces (of every kind) and the euro sign.
func cleanNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\t', '€':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// parseDecimal reads a non-negative decimal number with at most decimals
// digits after the separator, scaled to an integer: parseDecimal("12,5",
// 2) is 1250.
func parseDecimal(s string, decimals int) (int64, bool) {
	s = cleanNumber(s)
	if s == "" {
		return 0, false
	}
	// A point followed by exactly three digits, with no comma, is a
	// thousands separator ("1.000"); otherwise it is the decimal one.
	if !strings.Contains(s, ",") {
		parts := strings.Split(s, ".")
		if len(parts) > 2 || len(parts) == 2 && len(parts[1]) == 3 {
			s = strings.ReplaceAll(s, ".", "")
		} else {
			s = strings.Replace(s, ".", ",", 1)
		}
	} else {
		s = strings.ReplaceAll(s, ".", "")
	}
	whole, frac, _ := strings.Cut(s, ",")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > decimals || strings.Contains(frac, ",") {
		return 0, false
	}
	frac += strings.Repeat("0", decimals-len(frac))
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > math.MaxInt64/int64(math.Pow10(decimals))-1 {
		return 0, false
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil || f < 0 {
			return 0, false
		}
	}
	return w*int64(math.Pow10(decimals)) + f, true
}

// parseEuros reads an amount in euros as cents.
func parseEuros(s string) (int64, bool) { return parseDecimal(s, 2) }

// parsePercent reads a percentage as basis points: "50" is 5 000, "33,33"
// is 3 333.
func parsePercent(s string) (int, bool) {
	n, ok := parseDecimal(strings.TrimSuffix(cleanNumber(s), "%"), 2)
	if !ok || n > 1_000_000 {
		return 0, false
	}
	return int(n), true
}

// parseCount reads a whole number typed by a person ("1 000").
func parseCount(s string) (int64, bool) {
	n, err := strconv.ParseInt(cleanNumber(s), 10, 64)
	return n, err == nil && n >= 0
}

// splitCodes splits a list of codes typed with commas, semicolons or
// spaces between them.
func splitCodes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// pathID reads the number of an object in the path: what names it in the
// not-found page when the path holds no number.
func pathID(r *http.Request, name, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "%s introuvable.", what)
	}
	return id, nil
}

// checkForm is where the text of every form sent comes in: it refuses a
// form with a character no field may hold (passnum.CheckText: control
// characters, bidirectional controls, bytes that are not UTF-8), naming
// the field, and writes the line breaks of text areas, which browsers send
// as CRLF, as LF. What a field may hold beyond that (no line break in a
// name…) is the service's rule, which pages show on the form.
func checkForm(form url.Values) error {
	for name, values := range form {
		for i, v := range values {
			if err := passnum.CheckText(name, v); err != nil {
				return &passnum.Error{Code: passnum.EINVALID, Reason: passnum.ReasonControlCharacter, Field: name,
					Message: fmt.Sprintf("Le formulaire n'a pas été enregistré : le champ « %s » contient un caractère refusé. %s Revenez au formulaire pour le corriger.",
						passnum.CleanLine(name), passnum.ErrorMessage(err))}
			}
			values[i] = strings.ReplaceAll(v, "\r\n", "\n")
		}
	}
	return nil
}

// url0 builds form values with one value per field.
func url0(m map[string]string) url.Values {
	out := url.Values{}
	for k, v := range m {
		out.Set(k, v)
	}
	return out
}
