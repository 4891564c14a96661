package mednum

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

// TestReadRefusesControlCharacters: a file whose text holds a control
// character, a bidirectional override or the replacement character has
// the line reported, like any other problem, in CSV and in JSON.
func TestReadRefusesControlCharacters(t *testing.T) {
	for name, text := range map[string]string{
		"NUL": "Le Grand\x00Clic", "BEL": "Le Grand Clic\a", "U+202E": "Le Grand \u202eCilc",
		"C1": "Le Grand\u0085Clic", "U+FFFD": "Le Grand Cl\ufffdc", "tab": "Le Grand\tClic",
	} {
		v := exampleVenue()
		second := exampleVenue()
		second.ID, second.Name = "second", text
		var csvFile, jsonFile bytes.Buffer
		// The writers drop control characters: the hostile name goes in
		// by hand.
		if err := WriteCSV(&csvFile, []*passnum.Venue{&v, &second}); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&jsonFile, []*passnum.Venue{&v, &second}); err != nil {
			t.Fatal(err)
		}
		clean := passnum.CleanText(text)
		quoted, _ := json.Marshal(text) // "\u0000", as JSON writes a control character
		csvText := strings.Replace(csvFile.String(), ","+clean+",", ",\""+text+"\",", 1)
		jsonText := strings.Replace(jsonFile.String(), `"nom":"`+clean+`"`, `"nom":`+string(quoted), 1)
		if !strings.Contains(csvText, text) || !strings.Contains(jsonText, string(quoted)) {
			t.Fatalf("%s: the hostile name was not put in", name)
		}
		for format, read := range map[string]func(string) ([]passnum.ImportRow, []passnum.ImportProblem){
			"csv":  func(s string) ([]passnum.ImportRow, []passnum.ImportProblem) { return ReadCSV(strings.NewReader(s)) },
			"json": func(s string) ([]passnum.ImportRow, []passnum.ImportProblem) { return ReadJSON(strings.NewReader(s)) },
		} {
			file := csvText
			if format == "json" {
				file = jsonText
			}
			rows, problems := read(file)
			if len(rows) != 1 || len(problems) != 1 || problems[0].Line != 3 || problems[0].Field != "nom" {
				t.Errorf("%s in %s: %d rows, problems %+v, want the name of line 3 refused", name, format, len(rows), problems)
			}
		}
	}
}
