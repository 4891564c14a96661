// Package passcode makes and checks the authenticators of Pass numérique
// vouchers.
//
// A pass carries two forms of the same secret:
//
//   - a short code of 60 random bits, printed as 12 Crockford base32
//     characters plus one check character ("XXXX-XXXX-XXXX-C"), for people
//     who type it or read it over the phone;
//   - a QR payload signed with Ed25519, so that a merchant's app can check a
//     pass offline, without asking the server (see Keyring).
//
// The check character is computed in GF(2^5) rather than with Crockford's
// own mod-37 scheme: mod 37 needs five extra symbols (*~$=U) that are
// awkward to say and type, whereas a weighted sum in GF(32) stays inside the
// 32-symbol alphabet and still detects every single-character substitution
// and every adjacent transposition (see checkSymbol for the argument).
package passcode

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"
)

// Code is the 60-bit secret of a pass (always < 1<<60).
type Code uint64

// CodeBits is the number of random bits in a Code: 60 bits make a guess
// succeed with probability 2^-60 per try, far beyond what an online attacker
// can reach, and fit exactly in 12 base32 characters.
const CodeBits = 60

const (
	// dataChars is the number of base32 characters carrying the 60 bits.
	dataChars = CodeBits / 5
	// codeChars counts the data characters and the check character.
	codeChars = dataChars + 1
	// codeMask keeps the low 60 bits.
	codeMask = 1<<CodeBits - 1
	// alphabet is Crockford's base32 alphabet: no I, L, O (confused with
	// 1 and 0) and no U (accidental obscenities), so what remains can be
	// read aloud unambiguously.
	alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// Errors returned by Parse. Callers test them with errors.Is (Parse wraps
// them with details) and translate them for the user.
var (
	// ErrLength reports a code that does not have 13 significant
	// characters.
	ErrLength = errors.New("passcode: a code has 13 characters")
	// ErrCharacter reports a character outside the Crockford alphabet.
	ErrCharacter = errors.New("passcode: invalid character in code")
	// ErrCheck reports a check character that does not match the data
	// characters: almost certainly a typo.
	ErrCheck = errors.New("passcode: check character does not match, probably a typo")
)

// Example is the code shown to people as a model of what to type
// (7K3M-QX9D-2HFT-9). It is built from fixed data characters by the same
// code as every pass, so its length, grouping and check character follow
// the real format: a person who copies it is told the pass is unknown, not
// that they mistyped it.
var Example = func() Code {
	var v uint64
	for _, r := range "7K3MQX9D2HFT" {
		v = v<<5 | uint64(decodeTable[r])
	}
	return Code(v)
}()

// NewCode draws 60 random bits from r (crypto/rand.Reader in production).
func NewCode(r io.Reader) (Code, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, fmt.Errorf("passcode: reading random bits: %w", err)
	}
	// Keeping the top 60 of 64 uniform bits is itself uniform: no
	// rejection sampling is needed.
	return Code(binary.BigEndian.Uint64(b[:]) >> (64 - CodeBits)), nil
}

// String renders 12 Crockford base32 data characters (most significant
// first) plus 1 check character from the same alphabet, grouped
// "XXXX-XXXX-XXXX-C". Groups of four are easier to read over the phone and to
// compare by eye. A Code out of range (never produced by NewCode or Parse)
// is rendered from its low 60 bits.
func (c Code) String() string {
	s := c.symbols()
	b := make([]byte, 0, codeChars+3)
	for i, v := range s {
		if i > 0 && i%4 == 0 {
			b = append(b, '-')
		}
		b = append(b, alphabet[v])
	}
	return string(b)
}

// Masked renders the code with its first eight characters hidden
// ("••••-••••-2HFT-R"): enough for a mediator to recognise a pass in a
// list, not enough to present it. A redeemed pass becomes usable again
// when its redemption is voided, so lists and answers that outlive the
// counter never carry the whole code.
func (c Code) Masked() string {
	full := c.String()
	return "••••-••••" + full[len("XXXX-XXXX"):]
}

// Compact renders the same 13 characters as String without separators, for
// machines (QR payloads, database columns, URLs).
func (c Code) Compact() string {
	s := c.symbols()
	var b [codeChars]byte
	for i, v := range s {
		b[i] = alphabet[v]
	}
	return string(b[:])
}

// symbols returns the 12 data symbols of c, most significant first,
// followed by the check symbol.
func (c Code) symbols() [codeChars]byte {
	var s [codeChars]byte
	v := uint64(c) & codeMask
	for i := dataChars - 1; i >= 0; i-- {
		s[i] = byte(v & 31)
		v >>= 5
	}
	s[dataChars] = checkSymbol(s[:dataChars])
	return s
}

// decodeTable maps an ASCII byte to its symbol value, or -1.
var decodeTable = func() (t [128]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
		t[unicode.ToLower(rune(alphabet[i]))] = int8(i)
	}
	// Crockford: O reads as 0, I and L read as 1, because that is what a
	// person who typed them meant. U stays invalid.
	for _, a := range []struct {
		r rune
		v int8
	}{{'O', 0}, {'o', 0}, {'I', 1}, {'i', 1}, {'L', 1}, {'l', 1}} {
		t[a.r] = a.v
	}
	return t
}()

// isSeparator tells whether r may be ignored between characters. Beyond
// ASCII space, hyphen and dot it accepts any Unicode space or dash: codes get
// copied out of e-mails and PDFs, and French typography puts non-breaking
// spaces and hyphens there that look exactly like the ASCII ones.
func isSeparator(r rune) bool {
	return r == '.' || unicode.IsSpace(r) || unicode.Is(unicode.Pd, r)
}

// Parse accepts what a person types or a scanner sends: case-insensitive,
// ignores spaces, hyphens and dots (and their Unicode look-alikes); maps O
// to 0, I and L to 1 as Crockford says; rejects U and any other character.
// Errors wrap ErrCharacter, ErrLength or ErrCheck, in that order of
// precedence: a wrong character is the most precise thing to tell the user.
func Parse(s string) (Code, error) {
	var sym [codeChars]byte
	n := 0
	for _, r := range s {
		if isSeparator(r) {
			continue
		}
		if r >= utf8.RuneSelf || decodeTable[r] < 0 {
			return 0, fmt.Errorf("%w: %q", ErrCharacter, r)
		}
		if n < codeChars {
			sym[n] = byte(decodeTable[r])
		}
		n++
	}
	if n != codeChars {
		return 0, fmt.Errorf("%w, got %d", ErrLength, n)
	}
	if checkSymbol(sym[:dataChars]) != sym[dataChars] {
		return 0, ErrCheck
	}
	var v uint64
	for _, x := range sym[:dataChars] {
		v = v<<5 | uint64(x)
	}
	return Code(v), nil
}

// GF(2^5) arithmetic. Elements are 5-bit polynomials over GF(2); addition is
// XOR; multiplication is reduced modulo the primitive polynomial
// x^5 + x^2 + 1, so alpha = x (the value 2) generates all 31 non-zero
// elements.
const gfPoly = 0b100101

// gfMul multiplies a and b in GF(2^5).
func gfMul(a, b byte) byte {
	var p byte
	for b != 0 {
		if b&1 != 0 {
			p ^= a
		}
		b >>= 1
		a <<= 1
		if a&0b100000 != 0 {
			a ^= gfPoly
		}
	}
	return p
}

// weights[i] is alpha^(i+1), the weight of data position i; the check
// symbol has weight alpha^0 = 1. Since alpha has order 31 > 13, the 13
// weights are distinct and non-zero.
var weights = func() (w [dataChars]byte) {
	x := byte(1)
	for i := range w {
		x = gfMul(x, 2)
		w[i] = x
	}
	return w
}()

// weighted[i][v] = weights[i] * v, precomputed so that a check costs 12
// table look-ups.
var weighted = func() (t [dataChars][32]byte) {
	for i := range t {
		for v := range t[i] {
			t[i][v] = gfMul(weights[i], byte(v))
		}
	}
	return t
}()

// checkSymbol returns the c such that sum_i w_i*x_i + c = 0 in GF(2^5);
// in characteristic 2, minus is plus, so c is the weighted sum itself.
//
// Why this catches every single error: the syndrome S = sum_i w_i*x_i + c is
// linear. Substituting b for a at position i changes S by w_i*(a+b), which
// is non-zero because w_i != 0, a != b and a field has no zero divisors.
// Swapping differing a, b at adjacent positions i, j changes S by
// (w_i + w_j)*(a + b), non-zero because the weights are distinct; this
// includes the swap of the last data character (weight alpha^12) with the
// check character (weight 1).
func checkSymbol(data []byte) byte {
	var s byte
	for i, v := range data {
		s ^= weighted[i][v&31]
	}
	return s
}
