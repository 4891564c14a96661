package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/passnum/passnum/internal/geo"
)

// communeOption is one commune offered to choose from.
type communeOption struct {
	INSEE       string   `json:"insee"`
	Name        string   `json:"name"`
	Label       string   `json:"label"`
	PostalCodes []string `json:"postal_codes"`
}

func optionOf(c geo.Commune) communeOption {
	return communeOption{INSEE: c.INSEE, Name: c.Name, Label: geo.Label(c), PostalCodes: c.PostalCodes}
}

// communes answers the commune search of forms (a name or a postal code
// as typed) with up to 10 communes, as JSON, for the suggestions shown
// while typing. The same search runs on the server when the form is sent,
// so the page works without JavaScript.
func (s *Server) communes(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	out := []communeOption{}
	if len([]rune(q)) >= 2 {
		for _, c := range geo.Search(q, 10) {
			out = append(out, optionOf(c))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	return json.NewEncoder(w).Encode(out)
}

var labelPattern = regexp.MustCompile(`^(.+) \((\d{5}), [^)]+\)$`)

// resolveCommune reads the commune a person typed: a label chosen among
// the suggestions, an INSEE code, a postal code or a name. It returns the
// INSEE code when exactly one commune fits; otherwise the candidates to
// choose from (none when nothing fits).
func resolveCommune(input string) (string, []communeOption) {
	input = strings.TrimSpace(input)
	if input == "" {
		return "", nil
	}
	if c, ok := geo.LookupCommune(strings.ToUpper(input)); ok {
		return c.INSEE, nil
	}
	// A label chosen among the suggestions, "Rennes (35000, Ille-et-
	// Vilaine)": its postal code narrows the search to a few communes.
	if m := labelPattern.FindStringSubmatch(input); m != nil {
		for _, c := range geo.Search(m[2], 0) {
			if geo.Label(c) == input {
				return c.INSEE, nil
			}
		}
	}
	found := geo.Search(input, 12)
	if len(found) == 1 {
		return found[0].INSEE, nil
	}
	// A name typed in full that only one commune bears wins over the
	// communes whose names merely start with it ("Rennes", not
	// "Rennes-le-Château").
	var exact []geo.Commune
	for _, c := range found {
		if geo.Normalize(c.Name) == geo.Normalize(input) {
			exact = append(exact, c)
		}
	}
	if len(exact) == 1 {
		return exact[0].INSEE, nil
	}
	if len(exact) > 1 {
		found = exact
	}
	opts := make([]communeOption, len(found))
	for i, c := range found {
		opts[i] = optionOf(c)
	}
	return "", opts
}

// communeField resolves the commune of a form: the candidate chosen in a
// previous round ("commune_choice") wins over the text typed ("commune").
// It records an error on the view when the commune is missing, unknown or
// ambiguous, and returns the candidates to show.
func communeField(v *view, required bool) (string, []communeOption) {
	if choice := v.Form.Get("commune_choice"); choice != "" {
		if c, ok := geo.LookupCommune(choice); ok {
			v.Form.Set("commune", geo.Label(c))
			return c.INSEE, nil
		}
	}
	typed := v.Form.Get("commune")
	if typed == "" {
		if required {
			v.addError("commune", "Indiquez la commune : son nom ou son code postal.")
		}
		return "", nil
	}
	insee, options := resolveCommune(typed)
	switch {
	case insee != "":
		if c, ok := geo.LookupCommune(insee); ok {
			v.Form.Set("commune", geo.Label(c))
		}
	case len(options) == 0:
		v.addError("commune", "Aucune commune ne correspond à « "+typed+" ». Vérifiez l'orthographe, ou tapez le code postal.")
	default:
		v.addError("commune", "Plusieurs communes correspondent à « "+typed+" » : choisissez la bonne dans la liste.")
	}
	return insee, options
}
