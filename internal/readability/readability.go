// Package readability measures how easy a French text is to read, so that
// the texts written for people who read with difficulty (the notices of
// personal data) can be tested like code.
//
// The score is Kandel and Moles' adaptation of Flesch's reading ease to
// French (1958):
//
//	207 − 1.015 × words per sentence − 73.6 × syllables per word
//
// 60 and above reads easily; 30 to 60 is for readers at ease; under 30 is
// hard. Syllables are counted by groups of vowels, the way a French reader
// says them: a final mute "e" (or "es") after a consonant is not said.
package readability

import (
	"strings"
	"unicode"
)

// Result is what Measure found in a text.
type Result struct {
	Sentences int
	Words     int
	Syllables int
	// MaxWords is the number of words of the longest sentence.
	MaxWords int
}

// WordsPerSentence is the average length of a sentence.
func (r Result) WordsPerSentence() float64 {
	if r.Sentences == 0 {
		return 0
	}
	return float64(r.Words) / float64(r.Sentences)
}

// SyllablesPerWord is the average length of a word.
func (r Result) SyllablesPerWord() float64 {
	if r.Words == 0 {
		return 0
	}
	return float64(r.Syllables) / float64(r.Words)
}

// Score is the Kandel–Moles reading ease; an empty text scores 0.
func (r Result) Score() float64 {
	if r.Words == 0 {
		return 0
	}
	return 207 - 1.015*r.WordsPerSentence() - 73.6*r.SyllablesPerWord()
}

// Easy is the score from which a text reads easily.
const Easy = 60

// Measure counts the sentences, words and syllables of text. A sentence
// ends with ".", "!", "?" or "…" followed by a space or the end, and at
// every line break (a title or an item of a list is a sentence of its
// own). A web or e-mail address counts as one word of two syllables: a
// reader takes it in as one unit.
func Measure(text string) Result {
	var r Result
	for _, line := range strings.Split(text, "\n") {
		words := 0
		flush := func() {
			if words > 0 {
				r.Sentences++
				r.MaxWords = max(r.MaxWords, words)
			}
			words = 0
		}
		for _, tok := range strings.Fields(line) {
			end := strings.IndexFunc(tok, func(c rune) bool { return strings.ContainsRune(".!?…", c) })
			word := strings.TrimFunc(tok, func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) })
			if word != "" {
				words++
				r.Words++
				r.Syllables += wordSyllables(word)
			}
			// A sentence ends where its token ends with a full stop
			// (an address's inner dots do not end it).
			if end >= 0 && strings.TrimRight(tok, ".!?…»\")") != tok {
				flush()
			}
		}
		flush()
	}
	return r
}

// wordSyllables counts the syllables of a word, addresses and numbers
// included.
func wordSyllables(w string) int {
	if strings.ContainsAny(w, "@/") || strings.Count(w, ".") > 0 {
		return 2
	}
	// An elided "l'", "c'", "qu'" is said with the next word.
	n := 0
	for _, part := range strings.FieldsFunc(w, func(c rune) bool { return c == '-' || c == '\'' || c == '’' }) {
		if strings.IndexFunc(strings.ToLower(part), func(c rune) bool { return strings.ContainsRune("aeiouyàâäéèêëîïôöùûüÿœæ", c) }) >= 0 {
			n += Syllables(part)
		}
	}
	return max(n, 1)
}

// vowelAt tells whether the letter at i of w is said as a vowel: a "u"
// after "q" ("que") or between "g" and "e" or "i" ("guide") is not.
func vowelAt(w []rune, i int) bool {
	c := w[i]
	if !strings.ContainsRune("aeiouyàâäéèêëîïôöùûüÿœæ", c) {
		return false
	}
	if c == 'u' && i > 0 {
		next := rune(0)
		if i+1 < len(w) {
			next = w[i+1]
		}
		if w[i-1] == 'q' || (w[i-1] == 'g' && strings.ContainsRune("eéèêiî", next)) {
			return false
		}
	}
	return true
}

// Syllables counts the syllables of one French word by its groups of
// vowels, a final mute "e" or "es" after a consonant not said ("porte" 1,
// "portes" 1, "numérique" 3). A word without a vowel (a number, an
// acronym like "CNIL") counts one.
func Syllables(word string) int {
	w := []rune(strings.ToLower(word))
	groups := 0
	for i := range w {
		if vowelAt(w, i) && (i == 0 || !vowelAt(w, i-1)) {
			groups++
		}
	}
	if groups > 1 {
		n := len(w)
		switch {
		case w[n-1] == 'e' && !vowelAt(w, n-2):
			groups--
		case n > 2 && w[n-2] == 'e' && w[n-1] == 's' && !vowelAt(w, n-3):
			groups--
		}
	}
	return max(groups, 1)
}
