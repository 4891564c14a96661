package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/passnum/passnum"
)

// Numbers as people type them in France: "50 000", "52 000,50". Amounts
// and percentages follow the domain's one rule (passnum.ParseEuros,
// passnum.ParsePercent), which the command line follows too; counts are
// whole numbers with spaces of any kind between thousands.

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

// typedError is the message of a field a person typed wrong: what to type
// (hint), then, when something was typed, why it was not read (the
// domain's reason, made a sentence).
func typedError(hint, typed string, err error) string {
	reason := passnum.ErrorMessage(err)
	if strings.TrimSpace(typed) == "" || reason == "" {
		return hint
	}
	r, size := utf8.DecodeRuneInString(reason)
	return hint + " " + string(unicode.ToUpper(r)) + reason[size:] + "."
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
