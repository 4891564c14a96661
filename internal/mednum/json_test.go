package mednum

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

func TestReadJSONExample(t *testing.T) {
	// Lists as arrays and as strings joined by '|', ';' or ','; a
	// coordinate as a number and one as a string.
	rows, problems := ReadJSON(strings.NewReader(readTestdata(t, "exemple-valide.json")))
	wantOneRow(t, rows, problems, 2, exampleVenue())
}

func TestReadJSONVariants(t *testing.T) {
	example := readTestdata(t, "exemple-valide.json")
	r := strings.NewReplacer
	for _, tc := range []struct {
		name string
		file string
		line int
	}{
		{"BOM", bom + example, 2},
		{"one line", strings.Join(strings.Fields(strings.ReplaceAll(example, "\n", " ")), " "), 1},
		{"keys in any case, the standard's alias", r(`"itinerance"`, `"Itinerance"`, `"modalites_acces"`, `"modalite_acces"`).Replace(example), 2},
		{"null values", r(`"autres_formations_labels"`, `"structure_parente":null, "autres_formations_labels"`,
			`"structure_parente": "Commune de Chartres-de-Bretagne",`, ``).Replace(example), 2},
		{"decimal comma in a string", r(`"-1.70535"`, `"-1,70535"`).Replace(example), 2},
		{"exponent", r(`48.04147`, `4804147e-5`).Replace(example), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := exampleVenue()
			if strings.HasPrefix(tc.name, "null") {
				want.Parent = ""
			}
			rows, problems := ReadJSON(strings.NewReader(tc.file))
			wantOneRow(t, rows, problems, tc.line, want)
		})
	}
}

// compact returns the example as one object on one line.
func compactExample(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(readTestdata(t, "exemple-valide.json"))); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(strings.TrimPrefix(b.String(), "["), "]")
}

func TestReadJSONProblems(t *testing.T) {
	obj := compactExample(t)
	with := func(oldnew ...string) string { return strings.NewReplacer(oldnew...).Replace(obj) }
	id := func(o, n string) string {
		return strings.Replace(o, `"mediatheque-chartres-de-bretagne"`, `"lieu-`+n+`"`, 1)
	}
	for _, tc := range []struct {
		name  string
		file  string
		rows  []int
		wants []want
	}{
		{"empty", "", nil, []want{{1, "", "vide"}}},
		{"blank", " \n\t\n", nil, []want{{1, "", "vide"}}},
		{"empty array", "[\n]\n", nil, []want{{1, "", "Aucun lieu"}}},
		{"an object, not an array", "\n" + obj, nil, []want{{2, "", "tableau JSON d'objets"}}},
		{"not JSON", "id,pivot,nom\n", nil, []want{{1, "", "JSON illisible : caractère « i » inattendu : une valeur est attendue"}}},
		{"newline in a string", "[\n" + strings.Replace(obj, "Poterie", "Pote\nrie", 1) + "]", nil, []want{{2, "", "ne peut contenir de retour à la ligne"}}},
		{"missing comma", "[\n" + id(obj, "a") + ",\n" + id(obj, "b") + "\n" + id(obj, "c") + "\n]", nil, []want{{4, "", "une virgule manque entre deux objets"}}},
		{"syntax error inside an object", "[\n" + id(obj, "a") + ",\n" + id(obj, "b") + ",\n" + strings.Replace(id(obj, "c"), `,"nom"`, ",\n\n\"nom\"::", 1) + "\n]", nil,
			[]want{{6, "", "JSON illisible : caractère « : » inattendu : une valeur est attendue"}}},
		{"truncated", "[\n" + id(obj, "a") + ",\n" + id(obj, "b")[:200], nil, []want{{3, "", "JSON incomplet"}}},
		{"after the array", "[\n" + obj + "\n]\n[]", nil, []want{{4, "", "après la fin du tableau"}}},
		{"not objects", "[\n" + id(obj, "a") + ",\n\"texte\",\n[1, 2],\n" + id(obj, "b") + "\n]", []int{2, 5}, []want{
			{3, "", "objet n°2 : un objet { \"id\": …, \"nom\": … } est attendu, pas un texte"},
			{4, "", "objet n°3 : un objet { \"id\": …, \"nom\": … } est attendu, pas une liste"},
		}},
		{"keys", "[" + id(with(`"source"`, `"Source_donnees"`, `"nom"`, `"org_id":3,"nom"`, `"prise_rdv"`, `"Nom":"x","prise_rdv"`), "a") + "]", nil, []want{
			{1, "org_id", "objet n°1 : clé inconnue « org_id »"},
			{1, "Source_donnees", "objet n°1 : clé inconnue « Source_donnees »"},
			{1, "nom", "objet n°1 : la clé nom figure deux fois"},
		}},
		{"types", "[\n" + id(with(`"21357066000018"`, `21357066000018`, `48.04147`, `true`, `["BIB","MUNI"]`, `[1,2]`,
			`"Fixe"`, `{"valeur":"Fixe"}`, `"Gratuit"`, `"Gratuit", 3`), "a") + "\n]", nil, []want{
			{2, "pivot", "objet n°1 : pivot : un texte entre guillemets est attendu, pas un nombre (21357066000018)"},
			{2, "latitude", "objet n°1 : latitude : un nombre est attendu, pas un booléen (true)"},
			{2, "typologie", "objet n°1 : typologie : une liste de textes"},
			{2, "itinerance", "objet n°1 : itinerance : une liste de textes [\"…\", \"…\"] ou un texte (valeurs séparées par « | ») est attendu, pas un objet"},
			{2, "frais_a_charge", "pas une liste"},
		}},
		{"bad coordinate string", "[" + id(with(`"-1.70535"`, `"1°42'W"`), "a") + "]", nil, []want{
			{1, "longitude", "objet n°1 : longitude : « 1°42'W » n'est pas un nombre décimal"},
		}},
		{"validation and lines", "[\n" + id(obj, "a") + ",\n\n  " + id(with(`"35131"`, `"3513"`), "b") + "\n,\n" + id(obj, "c") + ",\n" + id(obj, "a") + "]", []int{2, 6}, []want{
			{4, "code_postal", "objet n°2 : code_postal : « 3513 » n'est pas un code postal"},
			{7, "id", "objet n°4 : id : « lieu-a » est déjà l'identifiant du lieu de la ligne 2"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, problems := ReadJSON(strings.NewReader(tc.file))
			var got []int
			for _, r := range rows {
				got = append(got, r.Line)
			}
			if !slices.Equal(got, tc.rows) {
				t.Errorf("rows on lines %v, want %v", got, tc.rows)
			}
			checkProblems(t, problems, tc.wants)
		})
	}
}

func TestWriteJSON(t *testing.T) {
	v := exampleVenue()
	short := passnum.Venue{ID: "x", Pivot: "W123456789", Name: "Café <numérique> & co", Commune: "Rennes", PostalCode: "35000",
		Address: "1 rue", UpdatedOn: "2026-01-02", Services: []string{"Aide aux démarches administratives"}}
	var b bytes.Buffer
	if err := WriteJSON(&b, []*passnum.Venue{&v, &short}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	if len(lines) != 5 || lines[0] != "[" || lines[3] != "]" || lines[4] != "" {
		t.Fatalf("not one object per line:\n%s", out)
	}
	if want := `{"id":"x","pivot":"W123456789","nom":"Café <numérique> & co","commune":"Rennes","code_postal":"35000","adresse":"1 rue","date_maj":"2026-01-02","services":"Aide aux démarches administratives"}`; lines[2] != want {
		t.Errorf("second object\n got %s\nwant %s", lines[2], want)
	}
	for _, w := range []string{`{"id":"mediatheque-chartres-de-bretagne","pivot":`, `"latitude":48.04147,"longitude":-1.70535,"typologie":"BIB|MUNI",`,
		`"itinerance":"Fixe",`, `"modalites_acces":"Se présenter|Téléphoner",`} {
		if !strings.Contains(lines[1], w) {
			t.Errorf("first object does not contain %s:\n%s", w, lines[1])
		}
	}
	var decoded []map[string]any
	if err := json.Unmarshal(b.Bytes(), &decoded); err != nil || len(decoded) != 2 {
		t.Fatalf("%v %v", err, decoded)
	}

	b.Reset()
	if err := WriteJSON(&b, nil); err != nil || b.String() != "[]\n" {
		t.Errorf("no venues: %q %v", b.String(), err)
	}
}

func TestLineCounter(t *testing.T) {
	lc := &lineCounter{r: strings.NewReader("a\nb\n\nc\nd"), line: 1}
	buf := make([]byte, 3)
	lc.Read(buf)
	if got := lc.lineAt(2); got != 2 {
		t.Errorf("line at 2: %d", got)
	}
	lc.Read(buf)
	if got := lc.lineAt(1); got != 2 { // before the last offset: no change
		t.Errorf("line at 1: %d", got)
	}
	if got := lc.lineAt(5); got != 4 {
		t.Errorf("line at 5: %d", got)
	}
	if got := lc.lineAt(100); got != 4 { // beyond what was read: clamped
		t.Errorf("line at 100: %d", got)
	}
}
