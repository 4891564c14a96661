package mednum

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

func TestColumnsAreTheStandard(t *testing.T) {
	var names []string
	for _, c := range columns {
		names = append(names, c.name)
	}
	if !slices.Equal(names, passnum.StandardFields) {
		t.Fatalf("columns %v\nwant passnum.StandardFields %v", names, passnum.StandardFields)
	}
	// Every closed vocabulary is a list column.
	for _, voc := range passnum.Vocabularies {
		if c := columns[columnIndex[voc.Field]]; c.kind != kindList {
			t.Errorf("%s: kind %d, want kindList", voc.Field, c.kind)
		}
		for _, value := range voc.Values {
			if got := splitList(kindList, value); len(got) != 1 {
				t.Errorf("%s: value %q splits into %q", voc.Field, value, got)
			}
		}
	}
}

func ptr(f float64) *float64 { return &f }

// exampleVenue is the venue of testdata/exemple-valide.csv.
func exampleVenue() passnum.Venue {
	return passnum.Venue{
		ID:                 "mediatheque-chartres-de-bretagne",
		Pivot:              "21357066000018",
		Name:               "Médiathèque L'Odyssée — espace numérique",
		Commune:            "Chartres-de-Bretagne",
		PostalCode:         "35131",
		INSEE:              "35066",
		Address:            "2 rue de la Poterie",
		AddressComplement:  "Rez-de-chaussée, à gauche de l'accueil",
		Lat:                ptr(48.04147),
		Lon:                ptr(-1.70535),
		Typology:           []string{"BIB", "MUNI"},
		Phone:              "+33299778899",
		Emails:             []string{"mediatheque@exemple.fr", "numerique@exemple.fr"},
		Websites:           []string{"https://www.exemple.fr/mediatheque", "https://www.facebook.com/exemple"},
		OpeningHours:       canonicalHours("Tu,Th,Fr 14:00-18:00; We,Sa 10:00-12:30,14:00-17:00"),
		Summary:            "Postes en accès libre, ateliers collectifs et rendez-vous individuels pour les démarches en ligne.",
		Detail:             "La médiathèque accueille un conseiller numérique le mercredi et le samedi. Les ateliers « Premiers pas sur smartphone » ont lieu en petits groupes de six personnes ; inscription à l'accueil.",
		Source:             "Hub numérique Bretagne",
		Roaming:            []string{"Fixe"},
		Parent:             "Commune de Chartres-de-Bretagne",
		UpdatedOn:          "2026-09-15",
		Services:           []string{"Maîtrise des outils numériques du quotidien", "Accès internet et matériel informatique", "Aide aux démarches administratives"},
		Publics:            []string{"Seniors", "Familles et/ou enfants"},
		Supports:           []string{"Déficience visuelle", "Langues étrangères (anglais)"},
		Fees:               []string{"Gratuit"},
		NationalSchemes:    []string{"Conseillers numériques", "Bibliothèques numérique de référence"},
		Labels:             []string{"Formé à « Mon Espace Santé »"},
		OtherLabels:        []string{"Pass numérique Bretagne"},
		AccessModes:        []string{"Se présenter", "Téléphoner"},
		SupportModes:       []string{"En autonomie", "Dans un atelier collectif"},
		AccessibilitySheet: "https://acceslibre.beta.gouv.fr/app/35-chartres-de-bretagne/a/bibliotheque-mediatheque/erp/mediatheque-l-odyssee/",
		AppointmentURL:     "https://www.rdv-solidarites.fr/",
	}
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantOneRow(t *testing.T, rows []passnum.ImportRow, problems []passnum.ImportProblem, line int, want passnum.Venue) {
	t.Helper()
	if len(problems) > 0 {
		t.Fatalf("problems: %+v", problems)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1", len(rows))
	}
	if rows[0].Line != line {
		t.Errorf("line %d, want %d", rows[0].Line, line)
	}
	if !reflect.DeepEqual(rows[0].Venue, want) {
		t.Errorf("venue\n got %#v\nwant %#v", rows[0].Venue, want)
	}
}

func TestReadCSVExample(t *testing.T) {
	rows, problems := ReadCSV(strings.NewReader(readTestdata(t, "exemple-valide.csv")))
	wantOneRow(t, rows, problems, 2, exampleVenue())
}

// TestReadCSVVariants reads the example as other tools write it.
func TestReadCSVVariants(t *testing.T) {
	example := readTestdata(t, "exemple-valide.csv")
	header, row, _ := strings.Cut(example, "\n")
	r := strings.NewReplacer
	for _, tc := range []struct {
		name string
		file string
	}{
		{"CRLF", strings.ReplaceAll(example, "\n", "\r\n")},
		{"no final newline", strings.TrimSuffix(example, "\n")},
		{"BOM", bom + example},
		// The header of the standard's own exemple-valide.csv: some names
		// unquoted, "Itinerance", "modalite_acces"; and spaces around.
		{"the standard's header", r(`"itinerance"`, `"Itinerance"`, `"modalites_acces"`, `modalite_acces`, `"formations_labels"`, `formations_labels`,
			`"id"`, `" ID "`).Replace(header) + "\n" + row},
		{"lists separated by ;", header + "\n" + r(`BIB|MUNI`, `BIB;MUNI`, `"Seniors|Familles et/ou enfants"`, `"Seniors ; Familles et/ou enfants"`,
			`mediatheque@exemple.fr|`, `mediatheque@exemple.fr; `, `mediatheque|https`, `mediatheque;https`).Replace(row)},
		{"lists separated by ,", header + "\n" + r(`BIB|MUNI`, `BIB,MUNI`, `"Seniors|Familles et/ou enfants"`, `"Seniors, Familles et/ou enfants"`,
			`mediatheque@exemple.fr|`, `mediatheque@exemple.fr, `, `mediatheque|https`, `mediatheque, https`).Replace(row)},
		{"repeated and empty list values", header + "\n" + r(`"Gratuit"`, `"Gratuit||Gratuit| "`).Replace(row)},
		{"blank lines and a spreadsheet's empty rows", header + "\n\n" + row + strings.Repeat(",", 31) + "\n\n"},
		{"spaces around values", header + "\n" + r(`"35131"`, `" 35131 "`, `"Fixe"`, `" Fixe"`).Replace(row)},
		{"pivot with spaces", header + "\n" + r(`"21357066000018"`, `"213 570 660 00018"`).Replace(row)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line := 2
			if strings.HasPrefix(tc.name, "blank lines") {
				line = 3
			}
			rows, problems := ReadCSV(strings.NewReader(tc.file))
			wantOneRow(t, rows, problems, line, exampleVenue())
		})
	}
}

// semicolonFile writes the example as a French spreadsheet saves it: ';'
// separated, decimal commas, a BOM, quotes only where needed.
func TestReadCSVSpreadsheet(t *testing.T) {
	v := exampleVenue()
	var b bytes.Buffer
	if err := WriteSpreadsheetCSV(&b, []*passnum.Venue{&v}); err != nil {
		t.Fatal(err)
	}
	file := strings.NewReplacer("48.04147", "48,04147", "-1.70535", "-1,70535").Replace(b.String())
	if !strings.HasPrefix(file, bom+"id;pivot;nom;") || !strings.Contains(file, ";48,04147;-1,70535;") {
		t.Fatalf("not a spreadsheet's file:\n%s", file)
	}
	rows, problems := ReadCSV(strings.NewReader(file))
	wantOneRow(t, rows, problems, 2, exampleVenue())
}

// want is an expected problem: its line, field and words of its message.
type want struct {
	line  int
	field string
	words string
}

func checkProblems(t *testing.T, got []passnum.ImportProblem, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Errorf("%d problems, want %d:", len(got), len(wants))
		for _, p := range got {
			t.Errorf("  ligne %d [%s] %s", p.Line, p.Field, p.Message)
		}
		return
	}
	for i, w := range wants {
		p := got[i]
		if p.Line != w.line || p.Field != w.field || !strings.Contains(p.Message, w.words) {
			t.Errorf("problem %d: ligne %d [%s] %q\nwant ligne %d [%s] containing %q", i, p.Line, p.Field, p.Message, w.line, w.field, w.words)
		}
	}
}

// TestReadCSVProblems: each kind of problem, with its line.
func TestReadCSVProblems(t *testing.T) {
	example := readTestdata(t, "exemple-valide.csv")
	header, row, _ := strings.Cut(strings.TrimSuffix(example, "\n"), "\n")
	// with returns the example row with replacements (old, new, …).
	with := func(oldnew ...string) string { return strings.NewReplacer(oldnew...).Replace(row) }
	// id gives the row another id, so that it is not a repeat.
	id := func(r, n string) string {
		return strings.Replace(r, `"mediatheque-chartres-de-bretagne"`, `"lieu-`+n+`"`, 1)
	}
	lines := func(rows ...string) string { return header + "\n" + strings.Join(rows, "\n") + "\n" }
	for _, tc := range []struct {
		name  string
		file  string
		rows  []int // lines of the rows returned
		wants []want
	}{
		{"empty", "", nil, []want{{1, "", "vide"}}},
		{"BOM and blank lines only", bom + "\n\n", nil, []want{{1, "", "vide"}}},
		{"header only", header + "\n", nil, []want{{2, "", "Aucun lieu"}}},
		{"unknown and duplicate columns", strings.Replace(header, `"source"`, `"Source_donnees"`, 1) + `,"nom",` + "\n" + row + `,"x",` + "\n", nil, []want{
			{1, "Source_donnees", "Colonne inconnue « Source_donnees » (colonne n°18)"},
			{1, "nom", "deux fois (colonnes n°3 et n°33)"},
			{1, "", "colonne n°34 n'a pas de nom"},
		}},
		{"missing required columns", strings.NewReplacer(`"pivot",`, ``, `,"date_maj"`, ``).Replace(header) + "\nx\n", nil, []want{
			{1, "pivot", "obligatoire pivot manque"},
			{1, "date_maj", "obligatoire date_maj manque"},
		}},
		{"Windows-1252 header", "id;nom;commune;\xe9tat\n", nil, []want{{1, "", "UTF-8"}}},
		{"unreadable header", `"id","pivot"x` + "\n" + row + "\n", nil, []want{{1, "", "Guillemet mal placé"}}},
		{"field counts", lines(row, id(row, "a")+`,"en trop"`, id(strings.Replace(row, `"Fixe",`, ``, 1), "b"), id(row, "c")), []int{2, 5}, []want{
			{3, "", "33 valeurs au lieu de 32"},
			{4, "", "31 valeurs au lieu de 32"},
		}},
		{"quotes", lines(id(row, "a"), id(with(`"Anonymal"`, `Ano"nymal`, `"Médiathèque L'Odyssée — espace numérique"`, `Média"thèque`), "b"), id(row, "c")), []int{2, 4}, []want{
			{3, "", "Guillemet (\") au milieu d'une valeur"},
		}},
		{"quote misplaced", lines(id(row, "a"), id(with(`"Fixe"`, `"Fixe"x`), "b"), id(row, "c")), []int{2, 4}, []want{
			{3, "", "Guillemet mal placé (ligne 3, caractère"},
		}},
		{"quote never closed", lines(id(row, "a"), id(with(`"https://www.rdv-solidarites.fr/"`, `"https://www.rdv-solidarites.fr/`), "b"), id(row, "c")), []int{2}, []want{
			{3, "", "Guillemet non fermé : la valeur ouverte par un guillemet ligne 3"},
		}},
		{"not UTF-8", lines(id(row, "a"), id(with("Médiathèque", "M\xe9diath\xe8que"), "b")), []int{2}, []want{{3, "", "UTF-8"}}},
		{"coordinates", lines(
			id(with(`"48.04147"`, `"48.041.47"`), "a"),
			id(with(`"-1.70535"`, `""`), "b"),
			id(with(`"48.04147"`, `"1e2"`, `"-1.70535"`, `"-1,70535"`), "c"),
			id(with(`"48.04147"`, `"94.1"`), "d"),
			id(with(`"48.04147"`, `"48,04147"`, `"-1.70535"`, `" -1.70535 "`), "e"),
		), []int{6}, []want{
			{2, "latitude", "« 48.041.47 » n'est pas un nombre décimal"},
			{3, "latitude", "donnez les deux coordonnées"},
			{4, "latitude", "« 1e2 » n'est pas un nombre décimal"},
			{5, "latitude", "94.1 n'est pas une latitude"},
		}},
		{"every problem of a row", lines(id(with(`"21357066000018"`, `"21357066000019"`, `"2026-09-15"`, `"15/09/2026"`,
			`"Gratuit"`, `"Gratuit : Je peux accéder gratuitement au lieu et à ses services"`, `"Fixe"`, `"fixe"`,
			`"+33299778899"`, `"02 99 77 88 99"`), "a")), nil, []want{
			{2, "pivot", "clé de contrôle fausse"},
			{2, "telephone", "« 02 99 77 88 99 » n'est pas au format international"},
			{2, "date_maj", "« 15/09/2026 » n'est pas une date AAAA-MM-JJ"},
			{2, "itinerance", "valeur inconnue « fixe »"},
			{2, "frais_a_charge", "valeur inconnue « Gratuit : Je peux accéder gratuitement au lieu et à ses services »"},
		}},
		{"required values", lines(id(with(`"Chartres-de-Bretagne","35131"`, `"",""`, `"2 rue de la Poterie"`, `"  "`), "a")), nil, []want{
			{2, "commune", "commune est obligatoire"},
			{2, "code_postal", "n'est pas un code postal"},
			{2, "adresse", "adresse est obligatoire"},
		}},
		{"opening hours", lines(id(with(`"Tu,Th,Fr 14:00-18:00; We,Sa 10:00-12:30,14:00-17:00"`, `"Mo-Fr 25:00-26:00"`), "a")), nil, []want{
			{2, "horaires", "horaires : « Mo-Fr 25:00-26:00 » : heure de début « 25:00 » impossible"},
		}},
		{"urls and emails", lines(id(with(`https://www.facebook.com/exemple`, `www.facebook.com/exemple`, `numerique@exemple.fr`, `numerique.exemple.fr`), "a")), nil, []want{
			{2, "courriels", "« numerique.exemple.fr » n'est pas une adresse électronique"},
			{2, "site_web", "« www.facebook.com/exemple » n'est pas une adresse web"},
		}},
		{"repeated id", lines(row, id(row, "a"), row), []int{2, 3}, []want{
			{4, "id", "« mediatheque-chartres-de-bretagne » est déjà l'identifiant du lieu de la ligne 2"},
		}},
		// A record spanning several lines: the next ones start further down.
		{"values over several lines", lines(
			id(with(`"La médiathèque accueille`, "\"La médiathèque\n\naccueille", `; inscription`, ";\r\ninscription"), "a"),
			id(with(`"2026-09-15"`, `"2026-02-30"`), "b"),
			id(with(`"Commune de Chartres-de-Bretagne"`, "\"Commune\nde Chartres\"", `"Fixe"`, `"Mobile"`), "c"),
			id(row, "d"),
		), []int{2, 9}, []want{
			{6, "date_maj", "« 2026-02-30 » n'est pas une date qui existe"},
			{7, "structure_parente", "tient sur une ligne"}, // a name: one line
			{7, "itinerance", "valeur inconnue « Mobile »"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, problems := ReadCSV(strings.NewReader(tc.file))
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

func TestSplitList(t *testing.T) {
	for _, tc := range []struct {
		kind kind
		in   string
		want []string
	}{
		{kindList, "", nil},
		{kindList, "  ", nil},
		{kindList, "a", []string{"a"}},
		{kindList, "a|b;c,d", []string{"a", "b;c,d"}},
		{kindList, "a;b,c", []string{"a", "b,c"}},
		{kindList, "a, b", []string{"a", " b"}},
		{kindFreeList, "Label, niveau 2", []string{"Label, niveau 2"}},
		{kindFreeList, "A;B, niveau 2", []string{"A", "B, niveau 2"}},
		{kindURLList, "https://a.fr/?q=1,2;x", []string{"https://a.fr/?q=1,2;x"}},
		{kindURLList, "https://a.fr/?q=1,2; HTTPS://b.fr,http://c.fr", []string{"https://a.fr/?q=1,2", " HTTPS://b.fr", "http://c.fr"}},
		{kindURLList, "https://a.fr/|www.b.fr", []string{"https://a.fr/", "www.b.fr"}},
	} {
		if got := splitList(tc.kind, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("splitList(%d, %q) = %q, want %q", tc.kind, tc.in, got, tc.want)
		}
	}
}

func TestJoinList(t *testing.T) {
	for _, tc := range []struct {
		kind kind
		in   []string
		want string
		ok   bool
	}{
		{kindList, nil, "", true},
		{kindList, []string{"a", "b, c"}, "a|b, c", true},
		{kindList, []string{"b, c"}, "b, c|", true},
		{kindFreeList, []string{"b, c"}, "b, c", true},
		{kindFreeList, []string{"b; c"}, "b; c|", true},
		{kindURLList, []string{"https://a.fr/?q=1,2"}, "https://a.fr/?q=1,2", true},
		{kindURLList, []string{"https://a.fr/?q=1,https://b.fr"}, "https://a.fr/?q=1,https://b.fr|", true},
		{kindList, []string{"a|b"}, "", false},
	} {
		got, ok := joinList(tc.kind, tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("joinList(%d, %q) = %q, %v; want %q, %v", tc.kind, tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseCoord(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want *float64
		bad  bool
	}{
		{"", nil, false},
		{" ", nil, false},
		{"48.1173", ptr(48.1173), false},
		{"-1,6778", ptr(-1.6778), false},
		{"+5", ptr(5), false},
		{" 43.52609 ", ptr(43.52609), false},
		{"1,234.5", nil, true},
		{"48.", nil, true},
		{".5", nil, true},
		{"NaN", nil, true},
		{"Inf", nil, true},
		{"0x1p-2", nil, true},
		{"4 8", nil, true},
		{"48°07'", nil, true},
	} {
		got, p := parseCoord("latitude", tc.in)
		if (p != nil) != tc.bad || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseCoord(%q) = %v, %v", tc.in, got, p)
		}
	}
}

func TestDetectComma(t *testing.T) {
	for in, want := range map[string]rune{
		"id,pivot,nom":           ',',
		"id;pivot;nom":           ';',
		`"a;b","c;d",e`:          ',',
		`"a,b";"c,d";e`:          ';',
		"id":                     ',',
		"":                       ',',
		"id;pivot,nom;commune\n": ';',
	} {
		if got := detectComma(in); got != want {
			t.Errorf("detectComma(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	v := exampleVenue()
	var b bytes.Buffer
	if err := WriteCSV(&b, []*passnum.Venue{&v}); err != nil {
		t.Fatal(err)
	}
	header, row, _ := strings.Cut(b.String(), "\n")
	if header != strings.Join(passnum.StandardFields, ",") {
		t.Errorf("header %q", header)
	}
	for _, w := range []string{",48.04147,-1.70535,BIB|MUNI,", ",Fixe,", ",Gratuit,", `,"Rez-de-chaussée, à gauche de l'accueil",`} {
		if !strings.Contains(row, w) {
			t.Errorf("row does not contain %q:\n%s", w, row)
		}
	}
	if strings.HasPrefix(b.String(), bom) {
		t.Error("BOM by default")
	}

	v.OtherLabels = []string{"A|B"}
	if err := WriteCSV(&b, []*passnum.Venue{&v}); err == nil || !strings.Contains(err.Error(), "autres_formations_labels") {
		t.Errorf("a value with '|': %v", err)
	}
}
