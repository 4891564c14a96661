package sepa

import (
	"unicode"
	"unicode/utf8"
)

// Every bank must accept the basic Latin character set of the EPC's SEPA
// Credit Transfer implementation guidelines, and only that set is safe:
//
//	a-z A-Z 0-9 / - ? : ( ) . , ' + and space
//
// Names of venues and of their account holders are French, so they are
// transliterated into it rather than refused (Transliterate): letters
// with diacritics lose them (é → e, Ç → C, œ → oe, ß → ss), typographic
// apostrophes and quotes become ' (French guillemets, which come with
// spaces inside, are dropped), dashes become -, « & » becomes +,
// « ; » a comma, « ! » a full stop, « _ » a hyphen, brackets and braces
// parentheses, every kind of space (tab, no-break space, narrow no-break
// space…) a space; runs of spaces are collapsed, leading and trailing
// spaces trimmed; anything else (@, #, *, %, emoji, non-Latin scripts…)
// is dropped. None of the characters of the set needs escaping in XML.

// asciiMap says what becomes of each ASCII character: itself when it is in
// the set, a replacement, or 0 when it is dropped.
var asciiMap = func() (m [utf8.RuneSelf]byte) {
	for c := 'a'; c <= 'z'; c++ {
		m[c] = byte(c)
	}
	for c := 'A'; c <= 'Z'; c++ {
		m[c] = byte(c)
	}
	for c := '0'; c <= '9'; c++ {
		m[c] = byte(c)
	}
	for _, c := range "/-?:().,'+ " {
		m[c] = byte(c)
	}
	for from, to := range map[byte]byte{
		'&': '+', '"': '\'', '`': '\'', ';': ',', '!': '.', '_': '-',
		'[': '(', ']': ')', '{': '(', '}': ')',
		'\t': ' ', '\n': ' ', '\r': ' ', '\v': ' ', '\f': ' ',
	} {
		m[from] = to
	}
	return m
}()

// latinMap transliterates the non-ASCII characters that French (and the
// other Latin-script languages of SEPA countries) names use.
var latinMap = func() map[rune]string {
	m := make(map[rune]string)
	for to, from := range map[string]string{
		"A": "ÀÁÂÃÄÅĀĂĄǍ", "a": "àáâãäåāăąǎª",
		"C": "ÇĆĈĊČ", "c": "çćĉċč",
		"D": "ĎĐÐ", "d": "ďđð",
		"E": "ÈÉÊËĒĔĖĘĚ", "e": "èéêëēĕėęě",
		"G": "ĜĞĠĢ", "g": "ĝğġģ",
		"H": "ĤĦ", "h": "ĥħ",
		"I": "ÌÍÎÏĨĪĬĮİ", "i": "ìíîïĩīĭįı",
		"J": "Ĵ", "j": "ĵ",
		"K": "Ķ", "k": "ķĸ",
		"L": "ĹĻĽĿŁ", "l": "ĺļľŀł",
		"N": "ÑŃŅŇ", "n": "ñńņňŉ",
		"O": "ÒÓÔÕÖØŌŎŐ", "o": "òóôõöøōŏőº°",
		"R": "ŔŖŘ", "r": "ŕŗř",
		"S": "ŚŜŞŠȘ", "s": "śŝşšș",
		"T": "ŢŤŦȚ", "t": "ţťŧț",
		"U": "ÙÚÛÜŨŪŬŮŰŲ", "u": "ùúûüũūŭůűų",
		"W": "Ŵ", "w": "ŵ",
		"Y": "ÝŶŸ", "y": "ýÿŷ",
		"Z": "ŹŻŽ", "z": "źżž",
		"AE": "Æ", "ae": "æ", "OE": "Œ", "oe": "œ", "ss": "ß",
		"TH": "Þ", "th": "þ", "IJ": "Ĳ", "ij": "ĳ",
		"'":   "’‘‚‛′´“”„″",
		"-":   "‐‑‒–—―−",
		"...": "…", "EUR": "€", ".": "·",
	} {
		for _, r := range from {
			m[r] = to
		}
	}
	for _, r := range "«»‹›" {
		m[r] = ""
	}
	return m
}()

// latinTable is latinMap and the spaces for Latin-1 and Latin Extended-A
// and B, where most characters of names are: an index is faster than a map.
var latinTable = func() (t [0x250]string) {
	for r := range t {
		if to, ok := latinMap[rune(r)]; ok {
			t[r] = to
		} else if unicode.IsSpace(rune(r)) {
			t[r] = " "
		}
	}
	return t
}()

// Transliterate returns s in the EPC's basic Latin character set, as
// described above: "Médiathèque « L'Œil » & Cie" becomes
// "Mediatheque L'OEil + Cie".
func Transliterate(s string) string {
	return string(appendText(nil, s, len(s)*3))
}

// appendText appends s transliterated to dst, at most max characters of it.
func appendText(dst []byte, s string, max int) []byte {
	if len(s) <= max && clean(s) {
		return append(dst, s...)
	}
	start := len(dst)
	pending := false // a space waits for the next character
	add := func(c byte) bool {
		if c == ' ' {
			pending = len(dst) > start
			return true
		}
		n := 1
		if pending {
			n = 2
		}
		if len(dst)-start+n > max {
			return false
		}
		if pending {
			dst = append(dst, ' ')
			pending = false
		}
		dst = append(dst, c)
		return true
	}
	for _, r := range s {
		if r < utf8.RuneSelf {
			if c := asciiMap[r]; c != 0 && !add(c) {
				break
			}
			continue
		}
		var to string
		if r < rune(len(latinTable)) {
			to = latinTable[r]
		} else if t, ok := latinMap[r]; ok {
			to = t
		} else if unicode.IsSpace(r) {
			to = " "
		}
		for i := 0; i < len(to); i++ {
			if !add(to[i]) {
				return dst
			}
		}
	}
	return dst
}

// inCharset reports whether s is non-empty and made only of the EPC's
// basic Latin characters (identifiers are checked, not transliterated).
func inCharset(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || asciiMap[s[i]] != s[i] {
			return false
		}
	}
	return s != ""
}

// clean reports whether appendText would leave s as it is: characters of
// the set only, no space at either end, no two spaces in a row.
func clean(s string) bool {
	if !inCharset(s) || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] == ' ' && s[i-1] == ' ' {
			return false
		}
	}
	return true
}
