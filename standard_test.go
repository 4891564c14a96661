package passnum_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

// schemaFile is the national standard's table schema, v1.0.2, copied
// unchanged from LaMednum/standard-mediation-num (Licence Ouverte 2.0; see
// testdata/standard-mediation-num/README.md for its source).
const schemaFile = "testdata/standard-mediation-num/schema.json"

type schemaField struct {
	Name        string `json:"name"`
	Constraints struct {
		Required bool   `json:"required"`
		Pattern  string `json:"pattern"`
	} `json:"constraints"`
}

func readSchema(t *testing.T) (version string, fields []schemaField) {
	t.Helper()
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Version string        `json:"version"`
		Fields  []schemaField `json:"fields"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s.Version, s.Fields
}

// closedList reads the values of a multi-valued closed field from the
// schema's pattern, which the standard writes (?:(?:^|\|)(A|B|…))+$ with
// A, B… escaped as regular expressions; ok is false for other patterns.
func closedList(pattern string) (values []string, ok bool) {
	const prefix, suffix = `(?:(?:^|\|)(`, `))+$`
	if !strings.HasPrefix(pattern, prefix) || !strings.HasSuffix(pattern, suffix) {
		return nil, false
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(pattern, prefix), suffix)
	unescape := strings.NewReplacer(`\(`, "(", `\)`, ")", `\.`, ".")
	for _, v := range strings.Split(inner, "|") {
		values = append(values, unescape.Replace(v))
	}
	return values, true
}

// TestVocabulariesFollowSchema keeps passnum's closed lists, columns and
// required columns equal to the standard's current schema: a file valid
// under it must not be refused for a value passnum does not know.
func TestVocabulariesFollowSchema(t *testing.T) {
	version, fields := readSchema(t)
	if version != "v"+passnum.StandardVersion {
		t.Errorf("schema version %q, passnum.StandardVersion %q", version, passnum.StandardVersion)
	}
	var names, required, closed []string
	for _, f := range fields {
		names = append(names, f.Name)
		if f.Constraints.Required {
			required = append(required, f.Name)
		}
		values, ok := closedList(f.Constraints.Pattern)
		if !ok {
			continue
		}
		closed = append(closed, f.Name)
		t.Run(f.Name, func(t *testing.T) {
			got := passnum.VocabularyOf(f.Name).Values
			if !slices.Equal(got, values) {
				t.Errorf("passnum's list:\n  %q\nthe schema's:\n  %q", got, values)
			}
		})
	}
	if !slices.Equal(names, passnum.StandardFields) {
		t.Errorf("columns: passnum %q, schema %q", passnum.StandardFields, names)
	}
	if !slices.Equal(required, passnum.StandardRequired) {
		t.Errorf("required: passnum %q, schema %q", passnum.StandardRequired, required)
	}
	var vocabularies []string
	for _, v := range passnum.Vocabularies {
		vocabularies = append(vocabularies, v.Field)
	}
	if !slices.Equal(vocabularies, closed) {
		t.Errorf("closed lists: passnum %q, schema %q", vocabularies, closed)
	}
	// The label added by 1.0.2, written as the schema writes it (no space
	// before the parenthesis), so that files of the national map import.
	if !passnum.VocabularyOf("formations_labels").Contains("Étapes numériques(La Poste)") {
		t.Error("formations_labels lacks « Étapes numériques(La Poste) »")
	}
}

func TestClosedList(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		want    []string
		ok      bool
	}{
		{`(?:(?:^|\|)(Itinérant|Fixe))+$`, []string{"Itinérant", "Fixe"}, true},
		{`(?:(?:^|\|)(Langues étrangères \(anglais\)|ORDI 3.0))+$`, []string{"Langues étrangères (anglais)", "ORDI 3.0"}, true},
		{`^\d{5}$`, nil, false},
	} {
		got, ok := closedList(tc.pattern)
		if ok != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("closedList(%q) = %q, %v; want %q, %v", tc.pattern, got, ok, tc.want, tc.ok)
		}
	}
}
