package readability

import (
	"math"
	"testing"
)

func TestSyllables(t *testing.T) {
	tests := []struct {
		word string
		want int
	}{
		{"chat", 1},
		{"vous", 1},
		{"les", 1},
		{"porte", 1},
		{"portes", 1},
		{"aide", 1},
		{"maison", 2},
		{"données", 2},
		{"idée", 2},
		{"été", 2},
		{"numérique", 3},
		{"guide", 1},
		{"effacer", 3},
		{"ateliers", 3},
		{"personnelles", 3},
		{"ordinateur", 4},
		{"oiseau", 2},
		{"CNIL", 1},
		{"75007", 1},
		{"Égalité", 4},
	}
	for _, tt := range tests {
		if got := Syllables(tt.word); got != tt.want {
			t.Errorf("Syllables(%q) = %d, want %d", tt.word, got, tt.want)
		}
	}
}

func TestMeasure(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Result
	}{
		{"empty", "", Result{}},
		{"one sentence", "Le chat dort.", Result{Sentences: 1, Words: 3, Syllables: 3, MaxWords: 3}},
		{"two sentences", "Le chat dort. La porte est ouverte !", Result{Sentences: 2, Words: 7, Syllables: 8, MaxWords: 4}},
		{"lines are sentences", "Pourquoi ?\nvotre ville", Result{Sentences: 2, Words: 3, Syllables: 4, MaxWords: 2}},
		{"an address is one word", "Écrivez à dpo@example.org.", Result{Sentences: 1, Words: 3, Syllables: 6, MaxWords: 3}},
		{"elision", "C'est l'atelier.", Result{Sentences: 1, Words: 2, Syllables: 4, MaxWords: 2}},
		{"punctuation is no word", "Vous : oui — non.", Result{Sentences: 1, Words: 3, Syllables: 3, MaxWords: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Measure(tt.text); got != tt.want {
				t.Errorf("Measure(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestScore(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		want      float64
		easy      bool
		tolerance float64
	}{
		// 3 words, 3 syllables: 207 − 1.015×3 − 73.6×1.
		{"short", "Le chat dort.", 207 - 1.015*3 - 73.6, true, 1e-9},
		{"plain", "Vous pouvez voir vos données. Demandez à la structure qui vous a donné le carnet.", 0, true, -1},
		{"administrative", "Conformément aux dispositions réglementaires applicables, l'exercice des prérogatives susmentionnées s'effectue auprès du délégué à la protection des données personnelles, nonobstant toute réclamation introduite auprès de l'autorité de contrôle compétente.", 0, false, -1},
		{"empty", "", 0, false, 1e-9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Measure(tt.text).Score()
			if tt.tolerance >= 0 && math.Abs(got-tt.want) > tt.tolerance {
				t.Errorf("score %.2f, want %.2f", got, tt.want)
			}
			if easy := got >= Easy; easy != tt.easy {
				t.Errorf("score %.1f: easy %v, want %v", got, easy, tt.easy)
			}
		})
	}
}
