package passcode

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"
)

// testKey returns a deterministic key, so failures are replayable.
func testKey(t testing.TB, id string, seedByte byte) Key {
	t.Helper()
	k, err := GenerateKey(id, bytes.NewReader(bytes.Repeat([]byte{seedByte}, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testRing(t testing.TB, active Key, others ...Key) *Keyring {
	t.Helper()
	kr, err := NewKeyring(active, others...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func publicOnly(k Key) Key { return Key{ID: k.ID, Public: k.Public} }

// testClaims has a code with 0 and 1 in it, the characters with aliases.
var testClaims = Claims{Serial: 1234567890, Programme: 42, Expiry: "2027-12-31", Code: dataCode("X0Y1Z0W1V0T1")}

// qrAlphanumeric is the character set of QR alphanumeric mode.
const qrAlphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

var payloadRE = regexp.MustCompile(`^PN1:[A-Z0-9]{1,8}:[1-9][0-9]*:[1-9][0-9]*:[0-9]{8}:[` + alphabet + `]{13}:[A-Z2-7]{103}$`)

func TestSignVerifyRoundTrip(t *testing.T) {
	kr := testRing(t, testKey(t, "k1", 1))
	claims := []Claims{
		testClaims,
		{Serial: 1, Programme: 1, Expiry: "2026-01-01", Code: 0},
		{Serial: math.MaxInt64, Programme: math.MaxInt64, Expiry: "9999-12-31", Code: codeMask},
		{Serial: 7, Programme: 3, Expiry: "2028-02-29", Code: 1},
	}
	for _, c := range claims {
		p, err := kr.Sign(c)
		if err != nil {
			t.Fatalf("Sign(%+v): %v", c, err)
		}
		if !payloadRE.MatchString(p) {
			t.Errorf("payload %q does not match %s", p, payloadRE)
		}
		if !IsPayload(p) {
			t.Errorf("IsPayload(%q) = false", p)
		}
		for i := 0; i < len(p); i++ {
			if !strings.ContainsRune(qrAlphanumeric, rune(p[i])) {
				t.Errorf("payload %q: %q is not QR alphanumeric", p, p[i])
			}
		}
		got, err := kr.Verify(p)
		if err != nil || got != c {
			t.Errorf("Verify(%q) = %+v, %v; want %+v", p, got, err, c)
		}
		// An offline verifier in another language checks the bytes
		// before the last colon with the published public key.
		i := strings.LastIndexByte(p, ':')
		sig, err := sigEncoding.DecodeString(p[i+1:])
		if err != nil || !ed25519.Verify(kr.PublicKeys()["k1"], []byte(p[:i]), sig) {
			t.Errorf("payload %q: signature is not over the text before the last colon", p)
		}
	}
	p, _ := kr.Sign(testClaims)
	want := "PN1:K1:1234567890:42:20271231:" + testClaims.Code.Compact() + ":"
	if !strings.HasPrefix(p, want) {
		t.Errorf("payload %q, want prefix %q", p, want)
	}
	// Ed25519 is deterministic: the same claims give the same payload.
	if p2, _ := kr.Sign(testClaims); p2 != p {
		t.Errorf("Sign is not deterministic: %q, %q", p, p2)
	}
}

func TestVerifyTolerance(t *testing.T) {
	kr := testRing(t, testKey(t, "k1", 1))
	p, err := kr.Sign(testClaims)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		strings.ToLower(p),            // scanner with Caps Lock on
		mixCase(p),                    // whatever the keyboard did
		p + "\r\n", "  " + p + "\t\n", // scanner suffixes
	} {
		got, err := kr.Verify(in)
		if err != nil || got != testClaims {
			t.Errorf("Verify(%q) = %+v, %v; want %+v", in, got, err, testClaims)
		}
	}
}

// TestVerifyRejectsEverySingleChange alters each character of a payload to
// every other byte value. Changing only the letter case is not a change
// (Verify folds case, see TestVerifyTolerance); anything else must fail.
func TestVerifyRejectsEverySingleChange(t *testing.T) {
	k1, k2 := testKey(t, "k1", 1), testKey(t, "k2", 2)
	// k2 in the ring makes K1->K2 a well-formed payload with a known key,
	// which must be caught by the signature.
	kr := testRing(t, k1, k2)
	p, err := kr.Sign(testClaims)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[error]int{}
	b := []byte(p)
	for i := range b {
		orig := b[i]
		for v := 0; v < 256; v++ {
			c := byte(v)
			if c == orig || asciiUpper(string(c)) == asciiUpper(string(orig)) {
				continue
			}
			b[i] = c
			got, err := kr.Verify(string(b))
			switch {
			case err == nil:
				t.Fatalf("changing %q to %q at %d of %q: verified as %+v", orig, c, i, p, got)
			case errors.Is(err, ErrForged):
				counts[ErrForged]++
			case errors.Is(err, ErrMalformed):
				counts[ErrMalformed]++
			case errors.Is(err, ErrUnknownKey):
				counts[ErrUnknownKey]++
			default:
				t.Fatalf("changing %q to %q at %d: unexpected error %v", orig, c, i, err)
			}
		}
		b[i] = orig
	}
	// Each class occurs, so the test exercises all the paths it claims to.
	for _, e := range []error{ErrForged, ErrMalformed, ErrUnknownKey} {
		if counts[e] == 0 {
			t.Errorf("no change gave %v", e)
		}
	}
	t.Logf("outcomes: %v", counts)
}

func TestVerifyTamperedFieldsAreForged(t *testing.T) {
	kr := testRing(t, testKey(t, "k1", 1), testKey(t, "k2", 2))
	p, _ := kr.Sign(testClaims)
	f := strings.Split(p, ":")
	other, _ := kr.Sign(Claims{Serial: 99, Programme: 43, Expiry: "2030-06-30", Code: 0xfedcba987654321})
	g := strings.Split(other, ":")
	for i := 1; i <= 5; i++ {
		h := append([]string(nil), f...)
		h[i] = g[i]
		if i == 1 {
			h[i] = "K2"
		}
		if _, err := kr.Verify(strings.Join(h, ":")); !errors.Is(err, ErrForged) {
			t.Errorf("field %d replaced with a well-formed value: err = %v, want ErrForged", i, err)
		}
	}
	// A signature from another payload does not transfer.
	h := append([]string(nil), f...)
	h[6] = g[6]
	if _, err := kr.Verify(strings.Join(h, ":")); !errors.Is(err, ErrForged) {
		t.Errorf("transplanted signature: err = %v, want ErrForged", err)
	}
	// A code with a wrong check character is a forgery, not a typo.
	code := testClaims.Code.Compact()
	h = append([]string(nil), f...)
	h[5] = code[:12] + string(alphabet[(strings.IndexByte(alphabet, code[12])+1)%32])
	if _, err := kr.Verify(strings.Join(h, ":")); !errors.Is(err, ErrForged) {
		t.Errorf("wrong check character: err = %v, want ErrForged", err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	kr := testRing(t, testKey(t, "k1", 1))
	p, _ := kr.Sign(testClaims)
	f := strings.Split(p, ":")
	with := func(i int, v string) string {
		h := append([]string(nil), f...)
		h[i] = v
		return strings.Join(h, ":")
	}
	sig := f[6]
	// The last of 103 characters carries 2 signature bits and 3 unused
	// bits: setting an unused bit must not give a second valid spelling.
	last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", sig[102])
	lowBitsSet := sig[:102] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[last|1])
	code := testClaims.Code.Compact()
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"short code", code},
		{"prefix only", "PN1:"},
		{"other version", "PN2" + p[3:]},
		{"no prefix", p[4:]},
		{"too few fields", strings.Join(f[:6], ":")},
		{"too many fields", p + ":"},
		{"empty key id", with(1, "")},
		{"long key id", with(1, "K123456789")},
		{"key id with dash", with(1, "K-1")},
		{"serial leading zero", with(2, "0"+f[2])},
		{"serial plus", with(2, "+"+f[2])},
		{"serial zero", with(2, "0")},
		{"serial negative", with(2, "-1")},
		{"serial overflow", with(2, "9223372036854775808")},
		{"serial empty", with(2, "")},
		{"programme leading zero", with(3, "042")},
		{"programme hex", with(3, "2A")},
		{"expiry with hyphens", with(4, "2027-12-31")},
		{"expiry impossible", with(4, "20270231")},
		{"expiry short", with(4, "2027123")},
		{"code with O alias", with(5, strings.Replace(code, "0", "O", 1))},
		{"code with I alias", with(5, strings.Replace(code, "1", "I", 1))},
		{"code with L alias", with(5, strings.Replace(code, "1", "L", 1))},
		{"code with U", with(5, "U"+code[1:])},
		{"code grouped", with(5, testClaims.Code.String())},
		{"code short", with(5, code[:12])},
		{"signature short", with(6, sig[:102])},
		{"signature long", with(6, sig+"A")},
		{"signature padded", with(6, sig+"=====")},
		{"signature base64", with(6, base64.StdEncoding.EncodeToString(make([]byte, 64)))},
		{"signature unused bits", with(6, lowBitsSet)},
		{"space inside", strings.Replace(p, ":", ": ", 1)},
		{"oversized", p + strings.Repeat("A", 300)},
		{"non-ASCII", strings.Replace(p, "K1", "K\u0131", 1)},
	}
	if lowBitsSet == sig {
		t.Fatal("lowBitsSet did not change the signature")
	}
	for _, tt := range tests {
		if _, err := kr.Verify(tt.in); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Verify(%q) err = %v, want ErrMalformed", tt.name, tt.in, err)
		}
	}
}

func TestVerifyUnknownKey(t *testing.T) {
	p, _ := testRing(t, testKey(t, "k1", 1)).Sign(testClaims)
	// Same key id, different key: a forgery.
	if _, err := testRing(t, testKey(t, "k1", 9)).Verify(p); !errors.Is(err, ErrForged) {
		t.Errorf("other key under same id: err = %v, want ErrForged", err)
	}
	kr := testRing(t, testKey(t, "k2", 2), publicOnly(testKey(t, "k3", 3)))
	if _, err := kr.Verify(p); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("err = %v, want ErrUnknownKey", err)
	}
}

func TestRotation(t *testing.T) {
	k1, k2 := testKey(t, "k1", 1), testKey(t, "k2", 2)
	old := testRing(t, k1)
	p1, err := old.Sign(testClaims)
	if err != nil {
		t.Fatal(err)
	}
	for name, kr := range map[string]*Keyring{
		"k1 private": testRing(t, k2, k1),
		"k1 public":  testRing(t, k2, publicOnly(k1)),
	} {
		if got := kr.ActiveID(); got != "k2" {
			t.Errorf("%s: ActiveID = %q, want k2", name, got)
		}
		if got, err := kr.Verify(p1); err != nil || got != testClaims {
			t.Errorf("%s: Verify(k1 payload) = %+v, %v", name, got, err)
		}
		p2, err := kr.Sign(testClaims)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p2, "PN1:K2:") {
			t.Errorf("%s: new payload %q not signed by K2", name, p2)
		}
		if got, err := kr.Verify(p2); err != nil || got != testClaims {
			t.Errorf("%s: Verify(k2 payload) = %+v, %v", name, got, err)
		}
		// The old ring does not know k2.
		if _, err := old.Verify(p2); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("%s: old ring on k2 payload: err = %v, want ErrUnknownKey", name, err)
		}
	}
}

func TestPublicKeys(t *testing.T) {
	k1, k2 := testKey(t, "k1", 1), testKey(t, "k2", 2)
	kr := testRing(t, k2, publicOnly(k1))
	m := kr.PublicKeys()
	if len(m) != 2 || !bytes.Equal(m["k1"], k1.Public) || !bytes.Equal(m["k2"], k2.Public) {
		t.Fatalf("PublicKeys() = %v", m)
	}
	// The caller cannot alter the ring through the result.
	m["k1"][0] ^= 1
	delete(m, "k2")
	if m2 := kr.PublicKeys(); !bytes.Equal(m2["k1"], k1.Public) || m2["k2"] == nil {
		t.Fatal("PublicKeys() shares state with the ring")
	}
	// Nor through the keys it was made from.
	k := testKey(t, "k9", 9)
	kr = testRing(t, k)
	k.Private[0] ^= 1
	k.Public[0] ^= 1
	p, _ := kr.Sign(testClaims)
	if _, err := kr.Verify(p); err != nil {
		t.Fatalf("ring changed through its input keys: %v", err)
	}
}

func TestNewKeyringErrors(t *testing.T) {
	k1, k2 := testKey(t, "k1", 1), testKey(t, "k2", 2)
	badPriv := Key{ID: "k1", Private: append(ed25519.PrivateKey(nil), k1.Private...)}
	badPriv.Private[40] ^= 1 // public half no longer matches the seed
	tests := []struct {
		name   string
		active Key
		others []Key
	}{
		{"active without private key", publicOnly(k1), nil},
		{"empty active", Key{}, nil},
		{"bad active id", Key{ID: "K1", Private: k1.Private}, nil},
		{"long id", Key{ID: "k12345678", Private: k1.Private}, nil},
		{"short private key", Key{ID: "k1", Private: k1.Private[:32]}, nil},
		{"inconsistent private key", badPriv, nil},
		{"mismatched public key", Key{ID: "k1", Private: k1.Private, Public: k2.Public}, nil},
		{"duplicate id", k1, []Key{publicOnly(Key{ID: "k1", Public: k2.Public})}},
		{"other without key", k1, []Key{{ID: "k2"}}},
		{"other short public key", k1, []Key{{ID: "k2", Public: k2.Public[:31]}}},
		{"other bad id", k1, []Key{{ID: "", Public: k2.Public}}},
	}
	for _, tt := range tests {
		if kr, err := NewKeyring(tt.active, tt.others...); err == nil {
			t.Errorf("%s: NewKeyring succeeded: %v", tt.name, kr)
		}
	}
	// Public may be left out: it is derived from Private.
	kr, err := NewKeyring(Key{ID: "k1", Private: k1.Private})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kr.PublicKeys()["k1"], k1.Public) {
		t.Fatal("derived public key differs")
	}
}

func TestSignRejectsBadClaims(t *testing.T) {
	kr := testRing(t, testKey(t, "k1", 1))
	bad := func(f func(*Claims)) Claims { c := testClaims; f(&c); return c }
	tests := map[string]Claims{
		"zero serial":        bad(func(c *Claims) { c.Serial = 0 }),
		"negative serial":    bad(func(c *Claims) { c.Serial = -5 }),
		"zero programme":     bad(func(c *Claims) { c.Programme = 0 }),
		"empty expiry":       bad(func(c *Claims) { c.Expiry = "" }),
		"compact expiry":     bad(func(c *Claims) { c.Expiry = "20271231" }),
		"impossible expiry":  bad(func(c *Claims) { c.Expiry = "2027-02-30" }),
		"expiry with time":   bad(func(c *Claims) { c.Expiry = "2027-12-31T00:00:00Z" }),
		"short month expiry": bad(func(c *Claims) { c.Expiry = "2027-1-31" }),
		"code out of range":  bad(func(c *Claims) { c.Code = 1 << CodeBits }),
	}
	for name, c := range tests {
		if p, err := kr.Sign(c); err == nil {
			t.Errorf("%s: Sign(%+v) = %q, want an error", name, c, p)
		}
	}
}

func TestIsPayload(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"PN1:K1:1:1:20271231:0000000000000:AAAA", true},
		{"pn1:k1:whatever", true},
		{"Pn1:", true},
		{"  PN1:x", true},
		{"PN1", false},
		{"PN2:K1", false},
		{"", false},
		{"ABCD-EFGH-JKMN-P", false},
		{"PN1-", false},
	}
	for _, tt := range tests {
		if got := IsPayload(tt.in); got != tt.want {
			t.Errorf("IsPayload(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestGenerateKey(t *testing.T) {
	k, err := GenerateKey("k1", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if k.ID != "k1" || len(k.Private) != ed25519.PrivateKeySize || !bytes.Equal(k.Private.Public().(ed25519.PublicKey), k.Public) {
		t.Fatalf("GenerateKey = %+v", k)
	}
	// Deterministic from its reader, so tests are replayable.
	if a, b := testKey(t, "k1", 7), testKey(t, "k1", 7); !bytes.Equal(a.Private, b.Private) {
		t.Fatal("GenerateKey is not deterministic")
	}
	for _, id := range []string{"", "K1", "k_1", "k-1", "123456789", "clé"} {
		if _, err := GenerateKey(id, rand.Reader); err == nil {
			t.Errorf("GenerateKey(%q) succeeded", id)
		}
	}
	for _, id := range []string{"a", "0", "k1", "abcdefgh", "2026q1"} {
		if _, err := GenerateKey(id, rand.Reader); err != nil {
			t.Errorf("GenerateKey(%q): %v", id, err)
		}
	}
	if _, err := GenerateKey("k1", bytes.NewReader(make([]byte, 31))); err == nil {
		t.Error("GenerateKey with a short reader succeeded")
	}
}

func TestMarshalKeyRoundTrip(t *testing.T) {
	k := testKey(t, "k1", 1)
	s := MarshalKey(k)
	if want := "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)); s != want {
		t.Fatalf("MarshalKey = %q, want %q", s, want)
	}
	for _, in := range []string{s, s + "\n", "  " + s + "\r\n"} {
		got, err := UnmarshalKey(in)
		if err != nil || got.ID != k.ID || !bytes.Equal(got.Private, k.Private) || !bytes.Equal(got.Public, k.Public) {
			t.Fatalf("UnmarshalKey(%q) = %+v, %v; want %+v", in, got, err, k)
		}
	}
	pub := publicOnly(k)
	ps := MarshalKey(pub)
	if !strings.HasPrefix(ps, "k1:pub:") {
		t.Fatalf("MarshalKey(public) = %q", ps)
	}
	got, err := UnmarshalKey(ps)
	if err != nil || got.ID != "k1" || got.Private != nil || !bytes.Equal(got.Public, k.Public) {
		t.Fatalf("UnmarshalKey(%q) = %+v, %v", ps, got, err)
	}
	// Unmarshalled keys work in a ring together.
	kr := testRing(t, testKey(t, "k2", 2), got)
	p, _ := testRing(t, k).Sign(testClaims)
	if _, err := kr.Verify(p); err != nil {
		t.Fatalf("verify with unmarshalled public key: %v", err)
	}
	// MarshalKey does not panic on broken keys, and the output is rejected.
	for _, bad := range []Key{{}, {ID: "k1"}, {ID: "k1", Private: make([]byte, 10)}} {
		if k, err := UnmarshalKey(MarshalKey(bad)); err == nil {
			t.Errorf("UnmarshalKey(MarshalKey(%+v)) = %+v, want an error", bad, k)
		}
	}
}

func TestUnmarshalKeyRejects(t *testing.T) {
	seed := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	tests := map[string]string{
		"empty":                 "",
		"id only":               "k1",
		"no key":                "k1:",
		"no id":                 ":" + seed,
		"upper-case id":         "K1:" + seed,
		"long id":               "k12345678:" + seed,
		"id with space":         "k 1:" + seed,
		"bad base64":            "k1:" + seed[:10] + "!" + seed[11:],
		"unpadded base64":       "k1:" + strings.TrimRight(seed, "="),
		"URL base64":            "k1:" + base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)),
		"newline inside":        "k1:" + seed[:20] + "\n" + seed[20:],
		"31 bytes":              "k1:" + base64.StdEncoding.EncodeToString(make([]byte, 31)),
		"33 bytes":              "k1:" + base64.StdEncoding.EncodeToString(make([]byte, 33)),
		"64-byte private key":   "k1:" + base64.StdEncoding.EncodeToString(testKey(t, "k1", 1).Private),
		"unknown kind":          "k1:priv:" + seed,
		"upper-case kind":       "k1:PUB:" + seed,
		"public without key":    "k1:pub:",
		"public short":          "k1:pub:" + base64.StdEncoding.EncodeToString(make([]byte, 31)),
		"too many fields":       "k1:pub:" + seed + ":x",
		"hex seed":              "k1:" + strings.Repeat("01", 32),
		"trailing garbage":      "k1:" + seed + "x",
		"non-canonical padding": "k1:" + seed[:42] + "R=",
	}
	for name, in := range tests {
		if k, err := UnmarshalKey(in); err == nil {
			t.Errorf("%s: UnmarshalKey(%q) = %+v, want an error", name, in, k)
		}
	}
}

func FuzzVerify(f *testing.F) {
	kr := testRing(f, testKey(f, "k1", 1), testKey(f, "k2", 2))
	p, _ := kr.Sign(testClaims)
	for _, s := range []string{p, strings.ToLower(p), "", "PN1:", "PN1:K1:1:1:20271231:0000000000000:", p[:len(p)-1] + "B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := kr.Verify(s)
		if err != nil {
			if c != (Claims{}) {
				t.Fatalf("Verify(%q) = %+v with error %v", s, c, err)
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrForged) {
				t.Fatalf("Verify(%q): unexpected error %v", s, err)
			}
			return
		}
		// Anything accepted is, up to case and surrounding white space,
		// exactly what Sign makes (Ed25519 is deterministic).
		kid := strings.ToLower(strings.Split(asciiUpper(strings.TrimSpace(s)), ":")[1])
		signer := testRing(t, testKey(t, kid, map[string]byte{"k1": 1, "k2": 2}[kid]))
		again, err := signer.Sign(c)
		if err != nil || again != asciiUpper(strings.TrimSpace(s)) {
			t.Fatalf("Verify(%q) = %+v; re-signed %q, %v", s, c, again, err)
		}
	})
}

func BenchmarkSign(b *testing.B) {
	kr := testRing(b, testKey(b, "k1", 1))
	for b.Loop() {
		if _, err := kr.Sign(testClaims); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	kr := testRing(b, testKey(b, "k1", 1))
	p, _ := kr.Sign(testClaims)
	for b.Loop() {
		if _, err := kr.Verify(p); err != nil {
			b.Fatal(err)
		}
	}
}
