package readability_test

import (
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/readability"
)

// The notices are read by people who read with difficulty: each must read
// easily, in short sentences, with the installation's own names as well
// as with the defaults.
func TestNoticesReadEasily(t *testing.T) {
	custom := passnum.DefaultPrivacySettings()
	custom.Controller = "la coopérative Numérique pour tous"
	custom.ControllerEmail = "donnees@numerique-pour-tous.example.fr"
	custom.DPOEmail = "dpo@numerique-pour-tous.example.fr"
	custom.RetentionMonths = map[passnum.RetentionKey]int{passnum.RetainBeneficiary: 48, passnum.RetainNotes: 12}
	for name, p := range map[string]passnum.PrivacySettings{"defaults": passnum.DefaultPrivacySettings(), "custom": custom} {
		short := passnum.NewShortNotice(p)
		for text, lines := range map[string][]string{
			"notice":       passnum.NewNotice(p).Text(),
			"short notice": append([]string{short.Title}, short.Lines...),
		} {
			t.Run(name+"/"+text, func(t *testing.T) {
				r := readability.Measure(strings.Join(lines, "\n"))
				if r.Score() < readability.Easy {
					t.Errorf("score %.1f, want %d or more (%.1f words a sentence, %.2f syllables a word)", r.Score(), readability.Easy, r.WordsPerSentence(), r.SyllablesPerWord())
				}
				if r.WordsPerSentence() > 15 {
					t.Errorf("%.1f words a sentence, want 15 at most", r.WordsPerSentence())
				}
				for _, l := range lines {
					if m := readability.Measure(l); m.MaxWords > 25 {
						t.Errorf("a sentence of %d words, want 25 at most: %q", m.MaxWords, l)
					}
				}
				t.Logf("score %.1f, %.1f words a sentence, longest %d", r.Score(), r.WordsPerSentence(), r.MaxWords)
			})
		}
	}
}
