package pdf

import (
	"strings"

	"github.com/passnum/passnum"
)

// The documents use the PDF core fonts (Helvetica, Courier): nothing to
// embed, so files stay small and every viewer and printer has them. Their
// text is single-byte, in Windows-1252, which covers French: accented
// letters, œ, « », €, ’, —, … and the no-break space.

// cp1252High maps the runes that Windows-1252 places in 0x80–0x9F.
var cp1252High = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87,
	'ˆ': 0x88, '‰': 0x89, 'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E,
	'‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
	'˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// cp1252Near maps runes Windows-1252 lacks to the nearest it has: the
// narrow no-break space that passnum.FrenchNumber puts between thousands
// (in amounts too) becomes a no-break space (so "1 000,00 €" never
// breaks), the minus sign of text typed by people a hyphen.
var cp1252Near = map[rune]byte{
	'\u202f': 0xA0, // narrow no-break space
	'\u2009': 0xA0, // thin space
	'\u2007': 0xA0, // figure space
	'\u2212': '-',  // minus sign
	'\u2010': '-',  // hyphen
	'\u2011': '-',  // non-breaking hyphen
	'\u00ad': '-',  // soft hyphen
	'\u2032': '\'', // prime
	'\u2192': '>',  // rightwards arrow
}

// cp1252 encodes s for the core fonts. Control characters, stored before
// passnum's rule refused them, are dropped first (passnum.CleanText: a
// tab becomes a space, line breaks stay for MultiCell). A rune
// Windows-1252 cannot show becomes "?", so a gap in a document is visible
// rather than silent. It is safe for concurrent use.
func cp1252(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || c < 0x20 && c != '\n' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	s = passnum.CleanText(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteByte(byte(r))
		case r >= 0xA0 && r <= 0xFF:
			b.WriteByte(byte(r))
		default:
			if c, ok := cp1252High[r]; ok {
				b.WriteByte(c)
			} else if c, ok := cp1252Near[r]; ok {
				b.WriteByte(c)
			} else {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}
