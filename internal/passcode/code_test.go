package passcode

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// testRand is a reproducible source of random codes: a failure must be
// replayable.
func testRand() *mrand.Rand { return mrand.New(mrand.NewPCG(1, 2)) }

func randomCode(r *mrand.Rand) Code { return Code(r.Uint64() & codeMask) }

// dataCode returns the Code whose 12 data characters are s.
func dataCode(s string) Code {
	var v uint64
	for i := 0; i < dataChars; i++ {
		v = v<<5 | uint64(strings.IndexByte(alphabet, s[i]))
	}
	return Code(v)
}

// syndrome is the check equation of a full 13-symbol word: zero for a valid
// code.
func syndrome(sym [codeChars]byte) byte {
	return checkSymbol(sym[:dataChars]) ^ sym[dataChars]
}

func TestFieldIsPrimitive(t *testing.T) {
	// alpha = 2 must have order 31, or weights would repeat within 13
	// positions and some transpositions would go unseen.
	x := byte(1)
	for k := 1; k <= 31; k++ {
		x = gfMul(x, 2)
		if x == 1 && k < 31 {
			t.Fatalf("alpha^%d = 1: x^5+x^2+1 is not primitive", k)
		}
	}
	if x != 1 {
		t.Fatalf("alpha^31 = %d, want 1", x)
	}
	// The 13 weights (alpha^1..alpha^12 for data, 1 for check) are
	// distinct and non-zero.
	seen := map[byte]int{1: dataChars}
	for i, w := range weights {
		if w == 0 {
			t.Fatalf("weight %d is zero", i)
		}
		if j, dup := seen[w]; dup {
			t.Fatalf("weights %d and %d are both %d", i, j, w)
		}
		seen[w] = i
	}
}

func TestGFMulIsAField(t *testing.T) {
	// Every non-zero element has an inverse: no zero divisors, which the
	// detection argument relies on.
	for a := byte(1); a < 32; a++ {
		inv := 0
		for b := byte(1); b < 32; b++ {
			if gfMul(a, b) == 0 {
				t.Fatalf("%d * %d = 0", a, b)
			}
			if gfMul(a, b) == 1 {
				inv++
			}
			if gfMul(a, b) != gfMul(b, a) {
				t.Fatalf("%d * %d not commutative", a, b)
			}
		}
		if inv != 1 {
			t.Fatalf("%d has %d inverses", a, inv)
		}
	}
}

// TestSyndromeCatchesAllSingleErrors proves detection for every code at once:
// the syndrome is linear, so an error changes it by an amount that depends
// only on the error, not on the code. Trying every error on the zero word is
// therefore exhaustive.
func TestSyndromeCatchesAllSingleErrors(t *testing.T) {
	for pos := 0; pos < codeChars; pos++ {
		for a := byte(0); a < 32; a++ {
			for b := byte(0); b < 32; b++ {
				if a == b {
					continue
				}
				var sub [codeChars]byte
				sub[pos] = a ^ b
				if syndrome(sub) == 0 {
					t.Fatalf("substitution %d->%d at %d undetected", a, b, pos)
				}
				if pos+1 < codeChars {
					// Swapping a, b at pos, pos+1 adds a^b to both.
					var swap [codeChars]byte
					swap[pos], swap[pos+1] = a^b, a^b
					if syndrome(swap) == 0 {
						t.Fatalf("transposition at %d,%d of %d,%d undetected", pos, pos+1, a, b)
					}
				}
			}
		}
	}
}

func TestParseCatchesTyposOnRandomCodes(t *testing.T) {
	r := testRand()
	n := 3000
	if testing.Short() {
		n = 300
	}
	for range n {
		c := randomCode(r)
		s := []byte(c.Compact())
		if got, err := Parse(string(s)); err != nil || got != c {
			t.Fatalf("Parse(%q) = %v, %v; want %v", s, got, err, c)
		}
		for pos := range s {
			orig := s[pos]
			for i := 0; i < len(alphabet); i++ {
				if alphabet[i] == orig {
					continue
				}
				s[pos] = alphabet[i]
				if _, err := Parse(string(s)); !errors.Is(err, ErrCheck) {
					t.Fatalf("substitution %c->%c at %d of %s: err = %v, want ErrCheck", orig, alphabet[i], pos, c.Compact(), err)
				}
			}
			s[pos] = orig
		}
		for pos := 0; pos+1 < len(s); pos++ {
			if s[pos] == s[pos+1] {
				continue
			}
			s[pos], s[pos+1] = s[pos+1], s[pos]
			if _, err := Parse(string(s)); !errors.Is(err, ErrCheck) {
				t.Fatalf("transposition at %d of %s: err = %v, want ErrCheck", pos, c.Compact(), err)
			}
			s[pos], s[pos+1] = s[pos+1], s[pos]
		}
	}
}

func TestStringFormat(t *testing.T) {
	tests := []struct {
		c       Code
		compact string
	}{
		{0, "0000000000000"},
		{1, "000000000001" + string(alphabet[weights[dataChars-1]])},
		{codeMask, "ZZZZZZZZZZZZ" + string(alphabet[checkSymbol(bytes.Repeat([]byte{31}, dataChars))])},
	}
	for _, tt := range tests {
		if got := tt.c.Compact(); got != tt.compact {
			t.Errorf("Code(%#x).Compact() = %q, want %q", uint64(tt.c), got, tt.compact)
		}
		want := tt.compact[:4] + "-" + tt.compact[4:8] + "-" + tt.compact[8:12] + "-" + tt.compact[12:]
		if got := tt.c.String(); got != want {
			t.Errorf("Code(%#x).String() = %q, want %q", uint64(tt.c), got, want)
		}
		masked := "••••-••••-" + tt.compact[8:12] + "-" + tt.compact[12:]
		if got := tt.c.Masked(); got != masked {
			t.Errorf("Code(%#x).Masked() = %q, want %q", uint64(tt.c), got, masked)
		}
		if _, err := Parse(tt.c.Masked()); err == nil {
			t.Errorf("Parse(%q) succeeded: a masked code must not be presentable", tt.c.Masked())
		}
	}
	// Most significant first: 0x1 << 55 is the top 5-bit group.
	if got := Code(1 << 55).Compact()[:12]; got != "100000000000" {
		t.Errorf("Code(1<<55) data = %q", got)
	}
}

func TestRoundTrip(t *testing.T) {
	r := testRand()
	for range 10000 {
		c := randomCode(r)
		for _, s := range []string{c.String(), c.Compact(), strings.ToLower(c.String())} {
			got, err := Parse(s)
			if err != nil || got != c {
				t.Fatalf("Parse(%q) = %v, %v; want %v", s, got, err, c)
			}
		}
		if s := c.String(); len(s) != 16 || s[4] != '-' || s[9] != '-' || s[14] != '-' {
			t.Fatalf("String() = %q, want XXXX-XXXX-XXXX-C", s)
		}
		for _, ch := range c.Compact() {
			if !strings.ContainsRune(alphabet, ch) {
				t.Fatalf("Compact() = %q uses %q", c.Compact(), ch)
			}
		}
	}
}

func TestParseNormalisation(t *testing.T) {
	// A code whose characters include 0 and 1, to exercise the aliases.
	c := dataCode("01AB01CD01EF")
	canon := c.Compact()
	if !strings.ContainsAny(canon[:dataChars], "0") || !strings.ContainsAny(canon[:dataChars], "1") {
		t.Fatalf("test code %s lacks 0 or 1", canon)
	}
	alias := strings.NewReplacer("0", "O", "1", "I").Replace(canon[:dataChars]) + canon[dataChars:]
	aliasL := strings.NewReplacer("0", "o", "1", "l").Replace(canon[:dataChars]) + canon[dataChars:]
	grouped := c.String()
	tests := []struct {
		name, in string
	}{
		{"compact", canon},
		{"grouped", grouped},
		{"lower case", strings.ToLower(grouped)},
		{"mixed case", mixCase(canon)},
		{"O and I", alias},
		{"o and l", aliasL},
		{"L upper", strings.ReplaceAll(canon[:dataChars], "1", "L") + canon[dataChars:]},
		{"spaces", strings.ReplaceAll(grouped, "-", " ")},
		{"leading and trailing spaces", "  " + grouped + "  "},
		{"spaces everywhere", strings.Join(strings.Split(canon, ""), " ")},
		{"dots", strings.ReplaceAll(grouped, "-", ".")},
		{"double hyphens", strings.ReplaceAll(grouped, "-", "--")},
		{"scanner newline", canon + "\r\n"},
		{"tab", canon[:6] + "\t" + canon[6:]},
		{"no-break space", strings.ReplaceAll(grouped, "-", "\u00a0")},
		{"narrow no-break space", strings.ReplaceAll(grouped, "-", "\u202f")},
		{"non-breaking hyphen", strings.ReplaceAll(grouped, "-", "\u2011")},
		{"en dash", strings.ReplaceAll(grouped, "-", "\u2013")},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || got != c {
			t.Errorf("%s: Parse(%q) = %v, %v; want %v", tt.name, tt.in, got, err, c)
		}
	}
}

func mixCase(s string) string {
	b := []byte(s)
	for i := range b {
		if i%2 == 0 {
			b[i] = bytes.ToLower(b[i : i+1])[0]
		}
	}
	return string(b)
}

func TestParseErrors(t *testing.T) {
	good := Code(0xDEADBEEFCAFE42).Compact()
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrLength},
		{"only separators", " - . ", ErrLength},
		{"12 characters", good[:12], ErrLength},
		{"14 characters", good + "0", ErrLength},
		{"way too long", strings.Repeat(good, 10), ErrLength},
		{"U", good[:5] + "U" + good[6:], ErrCharacter},
		{"u", good[:5] + "u" + good[6:], ErrCharacter},
		{"star", good[:12] + "*", ErrCharacter},
		{"Crockford mod-37 check symbols", good[:12] + "~", ErrCharacter},
		{"dollar", good[:12] + "$", ErrCharacter},
		{"equals", good[:12] + "=", ErrCharacter},
		{"underscore", good[:4] + "_" + good[4:], ErrCharacter},
		{"slash", good[:4] + "/" + good[4:], ErrCharacter},
		{"accented letter", good[:12] + "É", ErrCharacter},
		{"invalid UTF-8", good[:12] + "\xff", ErrCharacter},
		{"NUL", good[:12] + "\x00", ErrCharacter},
		{"bad character beats bad length", "U", ErrCharacter},
		{"fullwidth A", good[:12] + "Ａ", ErrCharacter},
		{"wrong check", good[:12] + string(alphabet[(strings.IndexByte(alphabet, good[12])+1)%32]), ErrCheck},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Parse(%q) = %v, %v; want %v", tt.name, tt.in, got, err, tt.want)
		}
		if err != nil && got != 0 {
			t.Errorf("%s: Parse(%q) returned %v with an error", tt.name, tt.in, got)
		}
	}
}

// onesReader returns 0xff bytes forever: the largest possible code.
type onesReader struct{}

func (onesReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xff
	}
	return len(p), nil
}

func TestNewCode(t *testing.T) {
	c, err := NewCode(onesReader{})
	if err != nil || c != codeMask {
		t.Fatalf("NewCode(all ones) = %#x, %v; want %#x", uint64(c), err, uint64(codeMask))
	}
	c, err = NewCode(bytes.NewReader(make([]byte, 8)))
	if err != nil || c != 0 {
		t.Fatalf("NewCode(zeros) = %#x, %v; want 0", uint64(c), err)
	}
	// The top 60 bits are kept.
	c, err = NewCode(bytes.NewReader([]byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0}))
	if err != nil || c != 0x123456789abcdef {
		t.Fatalf("NewCode = %#x, %v; want 0x123456789abcdef", uint64(c), err)
	}
	if _, err := NewCode(bytes.NewReader(make([]byte, 7))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("NewCode(short reader) err = %v, want io.ErrUnexpectedEOF", err)
	}
	if _, err := NewCode(bytes.NewReader(nil)); !errors.Is(err, io.EOF) {
		t.Fatalf("NewCode(empty reader) err = %v, want io.EOF", err)
	}
	var top uint64
	for range 10000 {
		c, err := NewCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if c >= 1<<CodeBits {
			t.Fatalf("NewCode = %#x, not below 1<<60", uint64(c))
		}
		top |= uint64(c)
		if got, err := Parse(c.String()); err != nil || got != c {
			t.Fatalf("Parse(%q) = %v, %v", c.String(), got, err)
		}
	}
	// With 10000 draws, every one of the 60 bits has been set at least
	// once unless the generator is broken.
	if top != codeMask {
		t.Fatalf("bits never set in 10000 codes: %#x", codeMask&^top)
	}
}

func TestOutOfRangeCodeRendersLow60Bits(t *testing.T) {
	c := Code(0xF<<CodeBits | 0x123)
	if got, want := c.Compact(), Code(0x123).Compact(); got != want {
		t.Fatalf("Compact() = %q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "0000-0000-0000-0", Code(12345).String(), Code(codeMask).Compact(),
		"oooo iiii llll 0", "ABCD-EFGH-JKMN-U", "*", "PN1:K1:1:1:20271231:X:Y",
		"\u00a0\u2011", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if c != 0 {
				t.Fatalf("Parse(%q) = %v with error %v", s, c, err)
			}
			if !errors.Is(err, ErrLength) && !errors.Is(err, ErrCharacter) && !errors.Is(err, ErrCheck) {
				t.Fatalf("Parse(%q): unexpected error %v", s, err)
			}
			return
		}
		if c >= 1<<CodeBits {
			t.Fatalf("Parse(%q) = %#x, out of range", s, uint64(c))
		}
		for _, r := range []string{c.String(), c.Compact()} {
			if got, err := Parse(r); err != nil || got != c {
				t.Fatalf("Parse(%q) = %v; re-parse of %q = %v, %v", s, c, r, got, err)
			}
		}
		// What was parsed is, once normalised, exactly the canonical form.
		var norm strings.Builder
		for _, r := range s {
			if isSeparator(r) {
				continue
			}
			if !utf8.ValidRune(r) || r >= utf8.RuneSelf {
				t.Fatalf("Parse(%q) accepted non-ASCII %q", s, r)
			}
			norm.WriteByte(alphabet[decodeTable[r]])
		}
		if norm.String() != c.Compact() {
			t.Fatalf("Parse(%q) = %s, normalised input %s", s, c.Compact(), norm.String())
		}
	})
}

func BenchmarkNewCode(b *testing.B) {
	for b.Loop() {
		if _, err := NewCode(rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	s := Code(0x123456789abcdef).String()
	for b.Loop() {
		if _, err := Parse(s); err != nil {
			b.Fatal(err)
		}
	}
}

// TestExample checks that the code shown as a model parses back to itself
// and has the 13 characters the pages ask for.
func TestExample(t *testing.T) {
	s := Example.String()
	c, err := Parse(s)
	if err != nil || c != Example {
		t.Fatalf("Parse(%q) = %v, %v; want %v", s, c, err, Example)
	}
	if n := len(Example.Compact()); n != 13 {
		t.Errorf("example %q has %d significant characters, want 13", s, n)
	}
	if s != "7K3M-QX9D-2HFT-9" {
		t.Errorf("example %q: the pages and documentation show 7K3M-QX9D-2HFT-9", s)
	}
}
