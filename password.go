package passnum

import (
	_ "embed" // the list of common passwords
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What makes a password guessable, checked by CheckPassword wherever a
// password is set: an account created by the operator or a venue's admin,
// a venue's application, a reset, the command line.
//
// Beyond the length, a password is refused when a guesser would try it
// early: one of the most common passwords (a list shipped with the
// binary, common-passwords.txt), alone or with a few characters around it
// ("Soleil2024!", "!!motdepasse"); one character repeated ("aaaaaaaaaaaa");
// a sequence of the alphabet, of digits or of a keyboard row, AZERTY or
// QWERTY ("123456789012", "azertyuiopqs"); one piece repeated
// ("azeazeazeaze", "soleilsoleil"); the person's name or e-mail address
// in it. Passwords are compared in lower case, without accents, spaces,
// '-', '_' or '.', and with the usual digits for letters read back as
// letters ("p@ssw0rd"), so that "Mot de passe 2024" is "motdepasse2024".
// Long passphrases of ordinary words pass: the list is of passwords, not
// of words.

//go:generate go run ./internal/passwordgen

// commonPasswordsFile is the list of the most common passwords (see
// internal/passwordgen): lines starting with "#", a blank line, then one
// password a line as passwordKey writes it, sorted byte-wise. It is
// searched as it is, without building anything.
//
//go:embed common-passwords.txt
var commonPasswordsFile string

// decoratedScanMax bounds the length of the passwords searched for a
// common password with characters around it: a longer one is a
// passphrase, and the search costs the square of the length.
const decoratedScanMax = 64

// CheckPassword checks the new password of the person of the given name
// and e-mail address: an EINVALID error with reason ReasonWeakPassword on
// the field "password", saying why in French, when it is too short, holds
// a control character, or is easy to guess (see above). It never quotes
// the password.
func CheckPassword(password, name, email string) error {
	weak := func(format string, args ...any) error {
		return &Error{Code: EINVALID, Reason: ReasonWeakPassword, Field: "password",
			Message: fmt.Sprintf(format, args...) + " Choisissez-en un autre : par exemple quatre mots sans rapport entre eux, ou une phrase que vous seul connaissez."}
	}
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return &Error{Code: EINVALID, Reason: ReasonWeakPassword, Field: "password",
			Message: fmt.Sprintf("Le mot de passe doit compter au moins %d caractères.", MinPasswordLength)}
	}
	if CheckLine("password", password) != nil {
		return &Error{Code: EINVALID, Reason: ReasonWeakPassword, Field: "password",
			Message: "Le mot de passe contient un caractère invisible (tabulation, retour à la ligne, caractère de contrôle…) ou des octets qui ne sont pas du texte : n'y mettez que des lettres, des chiffres, des espaces et des signes."}
	}
	keys := passwordKeys(password)
	if utf8.RuneCountInString(keys[0]) < MinPasswordLength/2 {
		return weak("Ce mot de passe n'est presque fait que d'espaces, de tirets ou de points, que l'on ne compte pas.")
	}
	for _, part := range personalParts(name, false) {
		if containsAny(keys, part.key) {
			return weak("Ce mot de passe contient votre nom (« %s ») : quelqu'un qui vous connaît l'essaierait.", part.shown)
		}
	}
	for _, part := range personalParts(email, true) {
		if containsAny(keys, part.key) {
			return weak("Ce mot de passe contient votre adresse électronique (« %s ») : c'est ce qu'on essaie en premier.", part.shown)
		}
	}
	for i, k := range keys {
		// Letters read from digits and signs are compared with the
		// list only: "rennes35000!!" read "rennesesoooii" repeats
		// nothing that was typed.
		switch guessable([]rune(k), i > 0) {
		case weakCommon:
			return weak("Ce mot de passe fait partie des plus courants : il figure dans les listes de mots de passe volés que les pirates essaient en premier.")
		case weakDecorated:
			return weak("Ce mot de passe n'est qu'un mot de passe très courant avec quelques chiffres ou signes autour : les pirates essaient ces variantes en premier.")
		case weakRepeated:
			return weak("Ce mot de passe répète un même caractère : il se devine en quelques essais.")
		case weakSequence:
			return weak("Ce mot de passe suit une suite simple (1234…, abcd… ou une rangée du clavier comme azerty…) : il se devine en quelques essais.")
		case weakPiece:
			return weak("Ce mot de passe répète plusieurs fois le même morceau : il ne vaut guère mieux que ce morceau seul.")
		}
	}
	return nil
}

// weakness is why a password is easy to guess.
type weakness int

const (
	notWeak       weakness = iota
	weakCommon             // in the list
	weakDecorated          // in the list, with a few characters around
	weakRepeated           // one character repeated
	weakSequence           // a run of the alphabet, digits or a keyboard row
	weakPiece              // one piece repeated
)

// guessable tells why a normalised password is easy to guess: the whole
// of it, or its core between a prefix and a suffix that add little (at
// most five characters that are not themselves a repetition or a
// sequence: "2024!", "!!", "123456"). With listOnly, only the list counts.
func guessable(r []rune, listOnly bool) weakness {
	if w := weakCore(r, listOnly); w != notWeak {
		return w
	}
	n := len(r)
	if n > decoratedScanMax {
		return notWeak
	}
	pre, suf := affixCosts(r)
	const budget = 5 // a year and a sign
	for i := 0; i <= n; i++ {
		if pre[i] > budget {
			continue
		}
		for j := n; j >= i+4; j-- {
			if (i == 0 && j == n) || pre[i]+suf[j] > budget {
				continue
			}
			switch w := weakCore(r[i:j], listOnly); w {
			case notWeak:
			case weakCommon:
				return weakDecorated
			default:
				return w
			}
		}
	}
	return notWeak
}

// weakCore tells why r itself is easy to guess; with listOnly, only
// whether it is in the list.
func weakCore(r []rune, listOnly bool) weakness {
	switch {
	case listOnly:
		if len(r) >= 4 && commonPassword(string(r)) {
			return weakCommon
		}
		return notWeak
	case len(r) < 2:
		return notWeak
	case runLength(r, -1) == len(r):
		return weakRepeated
	case len(r) >= 4 && sequenceLength(r) == len(r):
		return weakSequence
	case len(r) >= 4 && commonPassword(string(r)):
		return weakCommon
	}
	for size := 1; size <= len(r)/2; size++ {
		if len(r)%size == 0 && slices.Equal(r[size:], r[:len(r)-size]) {
			return weakPiece
		}
	}
	return notWeak
}

// affixCosts returns, for each i, what the prefix r[:i] and the suffix
// r[i:] add to a guesser's work: the fewest characters left when they are
// cut into repetitions of a character (two or more), sequences (three or
// more) and single characters, each single one counting 1.
func affixCosts(r []rune) (pre, suf []int) {
	n := len(r)
	// same[k] and seq[k] are the lengths of the longest repetition and
	// sequence ending at r[k-1]; sameFrom[k] and seqFrom[k] of those
	// starting at r[k].
	same, seq := make([]int, n+1), make([]int, n+1)
	sameFrom, seqFrom := make([]int, n+1), make([]int, n+1)
	for rel := -1; rel < 2*len(sequences); rel++ {
		end, start := 0, 0
		for k := 1; k <= n; k++ {
			if k >= 2 && follows(rel, r[k-2], r[k-1]) {
				end++
			} else {
				end = 1
			}
			if j := n - k; j < n-1 && follows(rel, r[j], r[j+1]) {
				start++
			} else {
				start = 1
			}
			if rel < 0 {
				same[k], sameFrom[n-k] = end, start
			} else {
				seq[k], seqFrom[n-k] = max(seq[k], end), max(seqFrom[n-k], start)
			}
		}
	}
	pre, suf = make([]int, n+1), make([]int, n+1)
	for k := 1; k <= n; k++ {
		pre[k] = pre[k-1] + 1
		for l := 2; l <= max(same[k], seq[k]); l++ {
			if l <= same[k] || l >= 3 {
				pre[k] = min(pre[k], pre[k-l])
			}
		}
	}
	for k := n - 1; k >= 0; k-- {
		suf[k] = suf[k+1] + 1
		for l := 2; l <= max(sameFrom[k], seqFrom[k]); l++ {
			if l <= sameFrom[k] || l >= 3 {
				suf[k] = min(suf[k], suf[k+l])
			}
		}
	}
	return pre, suf
}

// sequences are runs people type: the alphabet, the digits and the
// keyboard rows, AZERTY and QWERTY, read across rows ("azertyuiopqs").
// They are cyclic: "7890123" and "xyzabc" count.
var sequences = [...]string{
	"abcdefghijklmnopqrstuvwxyz",
	"0123456789",
	"azertyuiopqsdfghjklmwxcvbn",
	"qwertyuiopasdfghjklzxcvbnm",
}

// sequencePos[i][c] is the position of the ASCII character c in
// sequences[i], -1 when it is not there.
var sequencePos = func() (pos [len(sequences)][utf8.RuneSelf]int8) {
	for i, s := range sequences {
		for c := range pos[i] {
			pos[i][c] = int8(strings.IndexByte(s, byte(c)))
		}
	}
	return pos
}()

// follows tells whether b comes right after a in the relation rel: -1 is
// "the same character"; 2i and 2i+1 are "the next in sequences[i]",
// forwards and backwards.
func follows(rel int, a, b rune) bool {
	if rel < 0 {
		return a == b
	}
	if a >= utf8.RuneSelf || b >= utf8.RuneSelf {
		return false
	}
	i, step := rel/2, 1-2*(rel%2)
	pa, pb := int(sequencePos[i][a]), int(sequencePos[i][b])
	n := len(sequences[i])
	return pa >= 0 && pb == (pa+step+n)%n
}

// runLength is the length of the longest prefix of r whose neighbours are
// in the relation rel (see follows).
func runLength(r []rune, rel int) int {
	if len(r) == 0 {
		return 0
	}
	n := 1
	for n < len(r) && follows(rel, r[n-1], r[n]) {
		n++
	}
	return n
}

// sequenceLength is the length of the longest prefix of r that runs along
// one of the sequences, either way.
func sequenceLength(r []rune) int {
	best := 0
	for rel := range 2 * len(sequences) {
		best = max(best, runLength(r, rel))
	}
	return best
}

// commonPasswords is the list of common passwords, after the file's
// header: one password a line, as passwordKey writes it, sorted.
var commonPasswords = commonPasswordsFile[strings.Index(commonPasswordsFile, "\n\n")+2:]

// commonPassword tells whether key, as passwordKey writes it, is in the
// list of common passwords: a binary search over the lines of the
// embedded file, as it is.
func commonPassword(key string) bool {
	list := commonPasswords
	lo, hi := 0, len(list) // the lines starting in [lo, hi)
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := lo + strings.LastIndexByte(list[lo:mid], '\n') + 1
		end := start + strings.IndexByte(list[start:], '\n')
		switch line := list[start:end]; {
		case line == key:
			return true
		case line < key:
			lo = end + 1
		default:
			hi = start
		}
	}
	return false
}

// leet reads the digits and signs that stand for letters as letters, the
// digit 1 as i, then as l.
var leet = [...]*strings.Replacer{
	strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i"),
	strings.NewReplacer("0", "o", "1", "l", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i"),
}

// passwordKeys are the ways a password is compared: passwordKey, and the
// same with the digits and signs that stand for letters read as letters
// ("p@ssw0rd" is "password"; 1 is read as i, then as l).
func passwordKeys(password string) []string {
	key := passwordKey(password)
	keys := []string{key}
	for _, r := range leet {
		if l := r.Replace(key); !slices.Contains(keys, l) {
			keys = append(keys, l)
		}
	}
	return keys
}

// passwordKey writes s as passwords are compared: in lower case, without
// accents, without spaces, '-', '_' or '.'.
func passwordKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsSpace(r) || r == '-' || r == '_' || r == '.':
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		default:
			if base, ok := unaccented[r]; ok {
				b.WriteString(base)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// unaccented maps the lower-case letters of French and its neighbours to
// their letters without accents.
var unaccented = func() map[rune]string {
	m := map[rune]string{}
	for base, letters := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "e": "èéêëēĕėęě", "i": "ìíîïĩīĭįı", "n": "ñńņňŉ",
		"o": "òóôõöøōŏő", "u": "ùúûüũūŭůűų", "y": "ýÿŷ", "oe": "œ", "ae": "æ", "ss": "ß",
	} {
		for _, r := range letters {
			m[r] = base
		}
	}
	return m
}()

// personalPart is a part of a name or an address that a password must
// not contain: as compared (key) and as shown in the message.
type personalPart struct{ key, shown string }

// personalParts returns the parts of a name (each word of four letters or
// more, and the whole name when it has four or more) or of an e-mail
// address (the same of the local part, and of each label of the domain
// but the last: "jean.dupont@mairie-bruz.fr" gives jean, dupont,
// jeandupont, mairie, bruz and mairiebruz).
func personalParts(s string, email bool) []personalPart {
	var out []personalPart
	add := func(shown string) {
		if k := passwordKey(shown); utf8.RuneCountInString(k) >= 4 && !slices.ContainsFunc(out, func(p personalPart) bool { return p.key == k }) {
			out = append(out, personalPart{k, shown})
		}
	}
	pieces := []string{s}
	if email {
		local, domain, _ := strings.Cut(strings.TrimSpace(s), "@")
		labels := strings.Split(domain, ".")
		pieces = append([]string{local}, labels[:max(0, len(labels)-1)]...)
	}
	for _, p := range pieces {
		for _, word := range strings.FieldsFunc(p, func(r rune) bool { return !unicode.IsLetter(r) }) {
			add(word)
		}
		add(p)
	}
	return out
}

func containsAny(keys []string, part string) bool {
	for _, k := range keys {
		if strings.Contains(k, part) {
			return true
		}
	}
	return false
}
