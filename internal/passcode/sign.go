package passcode

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Errors returned by Keyring.Verify. Callers test them with errors.Is
// (Verify wraps them with details) and translate them for the user.
var (
	// ErrMalformed reports a payload that is not a well-formed pass QR
	// payload.
	ErrMalformed = errors.New("passcode: malformed pass payload")
	// ErrUnknownKey reports a payload signed with a key id the keyring does
	// not hold.
	ErrUnknownKey = errors.New("passcode: unknown signing key")
	// ErrForged reports a signature that does not verify: the payload was
	// altered or not made by us.
	ErrForged = errors.New("passcode: signature does not verify")
)

const (
	// payloadPrefix starts every payload and names its version, so that
	// the format can change while old passes stay readable.
	payloadPrefix = "PN1:"
	// payloadFields counts the colon-separated fields of a payload.
	payloadFields = 7
	// maxPayload bounds what Verify reads; real payloads are under 200
	// bytes, so anything longer is rejected before any work.
	maxPayload = 256
	// maxKeyID is the longest key id: the id goes into every QR code, so it
	// must stay short.
	maxKeyID = 8
	// payloadDate is the expiry layout inside a payload: no hyphens, which
	// saves two characters per QR code.
	payloadDate = "20060102"
	// claimsDate is the expiry layout of Claims, the project's date layout.
	claimsDate = "2006-01-02"
)

// sigEncoding is upper-case unpadded RFC 4648 base32: all of its characters
// belong to the QR alphanumeric mode (base64 would force the 8-bit byte mode
// and make the QR code denser), and padding would only waste characters.
var sigEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// sigChars is the length of an encoded Ed25519 signature.
var sigChars = sigEncoding.EncodedLen(ed25519.SignatureSize)

// Key is one Ed25519 signing key with its identifier (short, e.g. "k1",
// [a-z0-9]{1,8}). A key used only to verify holds a nil Private.
type Key struct {
	ID      string
	Private ed25519.PrivateKey
	Public  ed25519.PublicKey
}

// GenerateKey makes a new key named id from the randomness of r
// (crypto/rand.Reader in production).
func GenerateKey(id string, r io.Reader) (Key, error) {
	if err := checkKeyID(id); err != nil {
		return Key{}, err
	}
	// ed25519.GenerateKey reads exactly SeedSize bytes from r, so a
	// deterministic reader gives a deterministic key in tests.
	pub, priv, err := ed25519.GenerateKey(r)
	if err != nil {
		return Key{}, fmt.Errorf("passcode: generating key: %w", err)
	}
	return Key{ID: id, Private: priv, Public: pub}, nil
}

// checkKeyID enforces [a-z0-9]{1,8}: ids go upper-cased into QR payloads,
// which fold case, so lower-case-only ids cannot collide there.
func checkKeyID(id string) error {
	if id == "" || len(id) > maxKeyID {
		return fmt.Errorf("passcode: key id %q: want 1 to %d characters", id, maxKeyID)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return fmt.Errorf("passcode: key id %q: want only a-z and 0-9", id)
		}
	}
	return nil
}

// checked validates k and fills in its public key from its private key. It
// copies the key material so that a Keyring cannot be changed through the
// caller's slices.
func (k Key) checked() (Key, error) {
	if err := checkKeyID(k.ID); err != nil {
		return Key{}, err
	}
	out := Key{ID: k.ID}
	if k.Private != nil {
		if len(k.Private) != ed25519.PrivateKeySize {
			return Key{}, fmt.Errorf("passcode: key %q: private key of %d bytes, want %d", k.ID, len(k.Private), ed25519.PrivateKeySize)
		}
		// Re-derive from the seed: a private key whose second half is
		// not its public key would sign with the wrong key.
		out.Private = ed25519.NewKeyFromSeed(k.Private.Seed())
		if !bytes.Equal(out.Private, k.Private) {
			return Key{}, fmt.Errorf("passcode: key %q: inconsistent private key", k.ID)
		}
		out.Public = out.Private.Public().(ed25519.PublicKey)
		if k.Public != nil && !bytes.Equal(k.Public, out.Public) {
			return Key{}, fmt.Errorf("passcode: key %q: public key does not match private key", k.ID)
		}
		return out, nil
	}
	if len(k.Public) != ed25519.PublicKeySize {
		return Key{}, fmt.Errorf("passcode: key %q: public key of %d bytes, want %d", k.ID, len(k.Public), ed25519.PublicKeySize)
	}
	out.Public = bytes.Clone(k.Public)
	return out, nil
}

// Keyring signs with its active key and verifies with any key it holds, so
// keys can rotate: passes signed with an older key stay valid as long as
// that key is in the ring. A Keyring is immutable and safe for concurrent
// use.
type Keyring struct {
	active Key
	keys   map[string]ed25519.PublicKey
}

// NewKeyring returns a keyring that signs with active, which must hold a
// private key, and verifies with active and others. Others may hold only a
// Public key (verification only). Key ids must be distinct.
func NewKeyring(active Key, others ...Key) (*Keyring, error) {
	a, err := active.checked()
	if err != nil {
		return nil, err
	}
	if a.Private == nil {
		return nil, fmt.Errorf("passcode: active key %q has no private key", a.ID)
	}
	kr := &Keyring{active: a, keys: map[string]ed25519.PublicKey{a.ID: a.Public}}
	for _, o := range others {
		k, err := o.checked()
		if err != nil {
			return nil, err
		}
		if _, dup := kr.keys[k.ID]; dup {
			return nil, fmt.Errorf("passcode: duplicate key id %q", k.ID)
		}
		kr.keys[k.ID] = k.Public
	}
	return kr, nil
}

// ActiveID returns the id of the key that signs.
func (k *Keyring) ActiveID() string { return k.active.ID }

// PublicKeys returns the public keys of the ring by id, for offline
// verifiers. The map and keys are copies.
func (k *Keyring) PublicKeys() map[string]ed25519.PublicKey {
	m := maps.Clone(k.keys)
	for id, pub := range m {
		m[id] = bytes.Clone(pub)
	}
	return m
}

// Claims are what a pass's QR code states.
type Claims struct {
	Serial    int64
	Programme int64
	Expiry    string // YYYY-MM-DD, last day of validity
	Code      Code
}

// Sign returns the QR payload
//
//	PN1:<kid>:<serial>:<programme>:<YYYYMMDD>:<13-char compact code>:<signature>
//
// where the signature is unpadded upper-case RFC 4648 base32. It uses only
// characters of QR alphanumeric mode (0-9 A-Z space $ % * + - . / :) so the
// QR code stays small: key ids are rendered upper case in the payload and
// compared case-insensitively.
//
// The signed message is the payload up to its last colon, so an offline
// verifier in any language checks the bytes it read, without re-encoding.
// Serial and programme must be positive, Expiry a valid YYYY-MM-DD date.
func (k *Keyring) Sign(c Claims) (string, error) {
	if c.Serial <= 0 {
		return "", fmt.Errorf("passcode: serial %d: want a positive number", c.Serial)
	}
	if c.Programme <= 0 {
		return "", fmt.Errorf("passcode: programme %d: want a positive number", c.Programme)
	}
	if uint64(c.Code) > codeMask {
		return "", fmt.Errorf("passcode: code %#x out of range", uint64(c.Code))
	}
	expiry, err := time.Parse(claimsDate, c.Expiry)
	if err != nil || expiry.Format(claimsDate) != c.Expiry {
		return "", fmt.Errorf("passcode: expiry %q: want a YYYY-MM-DD date", c.Expiry)
	}
	msg := message(k.active.ID, c.Serial, c.Programme, expiry, c.Code)
	sig := ed25519.Sign(k.active.Private, []byte(msg))
	return msg + ":" + sigEncoding.EncodeToString(sig), nil
}

// message renders the signed part of a payload. Both Sign and Verify build
// it from decoded values, so the bytes verified always describe exactly the
// claims returned.
func message(kid string, serial, programme int64, expiry time.Time, code Code) string {
	b := make([]byte, 0, 80)
	b = append(b, payloadPrefix...)
	b = append(b, strings.ToUpper(kid)...)
	b = append(b, ':')
	b = strconv.AppendInt(b, serial, 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, programme, 10)
	b = append(b, ':')
	b = expiry.AppendFormat(b, payloadDate)
	b = append(b, ':')
	b = append(b, code.Compact()...)
	return string(b)
}

// IsPayload tells whether s looks like a QR payload (starts with "PN1:",
// case-insensitive, after leading white space) rather than a typed short
// code, so that one input field can take both.
func IsPayload(s string) bool {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	return len(s) >= len(payloadPrefix) && strings.EqualFold(s[:len(payloadPrefix)], payloadPrefix)
}

// Verify parses a payload and checks its signature; the signed message
// covers the version, key id, serial, programme, expiry and code. It folds
// case, because keyboard-emulating scanners with Caps Lock on invert it, and
// trims surrounding white space, because they end with Enter. Otherwise it
// is strict: a payload is accepted only in the exact form Sign produces, so
// no two different accepted payloads (up to case) carry the same claims.
// Errors wrap ErrMalformed, ErrUnknownKey or ErrForged.
func (k *Keyring) Verify(payload string) (Claims, error) {
	p := strings.TrimSpace(payload)
	if len(p) > maxPayload {
		return Claims{}, fmt.Errorf("%w: %d bytes", ErrMalformed, len(p))
	}
	p = asciiUpper(p)
	if !strings.HasPrefix(p, payloadPrefix) {
		return Claims{}, fmt.Errorf("%w: no %s prefix", ErrMalformed, payloadPrefix)
	}
	f := strings.Split(p, ":")
	if len(f) != payloadFields {
		return Claims{}, fmt.Errorf("%w: %d fields, want %d", ErrMalformed, len(f), payloadFields)
	}
	kid := strings.ToLower(f[1])
	if checkKeyID(kid) != nil {
		return Claims{}, fmt.Errorf("%w: key id %q", ErrMalformed, f[1])
	}
	serial, ok := parsePositive(f[2])
	if !ok {
		return Claims{}, fmt.Errorf("%w: serial %q", ErrMalformed, f[2])
	}
	programme, ok := parsePositive(f[3])
	if !ok {
		return Claims{}, fmt.Errorf("%w: programme %q", ErrMalformed, f[3])
	}
	expiry, err := time.Parse(payloadDate, f[4])
	if err != nil || expiry.Format(payloadDate) != f[4] {
		return Claims{}, fmt.Errorf("%w: expiry %q", ErrMalformed, f[4])
	}
	code, ok := parseStrictCode(f[5])
	if !ok {
		return Claims{}, fmt.Errorf("%w: code %q", ErrMalformed, f[5])
	}
	if len(f[6]) != sigChars {
		return Claims{}, fmt.Errorf("%w: signature of %d characters, want %d", ErrMalformed, len(f[6]), sigChars)
	}
	sig, err := sigEncoding.DecodeString(f[6])
	// Re-encoding catches the 3 unused low bits of the last character:
	// the decoder ignores them, so without this check a payload would have
	// several accepted spellings.
	if err != nil || len(sig) != ed25519.SignatureSize || sigEncoding.EncodeToString(sig) != f[6] {
		return Claims{}, fmt.Errorf("%w: signature", ErrMalformed)
	}
	pub, ok := k.keys[kid]
	if !ok {
		return Claims{}, fmt.Errorf("%w: %q", ErrUnknownKey, kid)
	}
	// The message is rebuilt from the decoded claims and must equal the
	// bytes received, so what is verified is exactly what is returned.
	// The fields are canonical already, so only a wrong check character
	// can make them differ: our signer never writes one, so the code was
	// altered, which is a forgery rather than a typo.
	msg := message(kid, serial, programme, expiry, code)
	if msg != p[:strings.LastIndexByte(p, ':')] || !ed25519.Verify(pub, []byte(msg), sig) {
		return Claims{}, ErrForged
	}
	return Claims{Serial: serial, Programme: programme, Expiry: expiry.Format(claimsDate), Code: code}, nil
}

// asciiUpper upper-cases ASCII letters only, leaving other bytes alone so
// that byte lengths and invalid input stay as they were.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// parsePositive parses a canonical positive decimal: no sign, no leading
// zero, no overflow.
func parsePositive(s string) (int64, bool) {
	if s == "" || s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// parseStrictCode reads the 12 data characters of a compact code in the
// canonical alphabet only: a payload is machine-made, so Crockford's
// aliases for human typos (O, I, L, lower case, separators) have no place
// there. The check character is only required to be in the alphabet here;
// Verify rejects a wrong one as a forgery.
func parseStrictCode(s string) (Code, bool) {
	if len(s) != codeChars {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		x := strings.IndexByte(alphabet, s[i])
		if x < 0 {
			return 0, false
		}
		if i < dataChars {
			v = v<<5 | uint64(x)
		}
	}
	return Code(v), true
}

// publicKind marks the text form of a verification-only key,
// "k1:pub:<public key>", against "k1:<seed>" for a private key. Standard
// base64 never contains a colon, so the two forms cannot be confused.
const publicKind = "pub"

// MarshalKey renders k as text to store it: "<id>:<base64 std of the 32-byte
// seed>" for a private key, "<id>:pub:<base64 std of the 32-byte public
// key>" for a verification-only key. The private form is a secret. A Key
// whose Private is not a 64-byte Ed25519 key gets the public form, which
// UnmarshalKey rejects unless Public is well-formed: MarshalKey never panics.
func MarshalKey(k Key) string {
	if len(k.Private) == ed25519.PrivateKeySize {
		return k.ID + ":" + base64.StdEncoding.EncodeToString(k.Private.Seed())
	}
	return k.ID + ":" + publicKind + ":" + base64.StdEncoding.EncodeToString(k.Public)
}

// UnmarshalKey parses the text form of MarshalKey, ignoring surrounding
// white space (as in a file or an environment variable); it rejects
// anything else with an error.
func UnmarshalKey(s string) (Key, error) {
	f := strings.Split(strings.TrimSpace(s), ":")
	var kind, b64 string
	switch len(f) {
	case 2:
		b64 = f[1]
	case 3:
		kind, b64 = f[1], f[2]
		if kind != publicKind {
			return Key{}, fmt.Errorf("passcode: key kind %q, want %q", kind, publicKind)
		}
	default:
		return Key{}, errors.New("passcode: key: want <id>:<base64 seed> or <id>:pub:<base64 public key>")
	}
	id := f[0]
	if err := checkKeyID(id); err != nil {
		return Key{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	// The decoder skips newlines inside its input; re-encoding keeps the
	// stored form canonical.
	if err != nil || base64.StdEncoding.EncodeToString(raw) != b64 {
		return Key{}, fmt.Errorf("passcode: key %q: invalid base64", id)
	}
	if len(raw) != 32 {
		return Key{}, fmt.Errorf("passcode: key %q: %d bytes, want 32", id, len(raw))
	}
	if kind == publicKind {
		return Key{ID: id, Public: ed25519.PublicKey(raw)}, nil
	}
	priv := ed25519.NewKeyFromSeed(raw)
	return Key{ID: id, Private: priv, Public: priv.Public().(ed25519.PublicKey)}, nil
}
