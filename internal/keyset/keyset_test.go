package keyset_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/keyset"
	"github.com/passnum/passnum/internal/passcode"
)

var now = time.Date(2027, 1, 5, 10, 0, 0, 0, time.UTC)

// b64 is base64 of 32 bytes of b.
func b64(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

// fileOf writes a key file of the given keys' JSON lines.
func fileOf(keys ...string) string {
	return `{"format": "passnum-keys/1", "keys": [` + strings.Join(keys, ",") + `]}`
}

var (
	signK1  = `{"kind": "signing", "id": "k1", "state": "active", "created": "2027-01-05T10:00:00Z", "secret": "` + b64(1) + `"}`
	sealS1  = `{"kind": "sealing", "id": "s1", "state": "active", "created": "2027-01-05T10:00:00Z", "secret": "` + b64(2) + `"}`
	pubK0   = `{"kind": "signing", "id": "k0", "state": "retired", "created": "2026-01-05T10:00:00Z", "public": "` + base64.StdEncoding.EncodeToString(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32)).Public().(ed25519.PublicKey)) + `"}`
	secrets = []string{b64(1), b64(2)}
)

// TestParse: a good file reads; every mistake is one French line naming
// the file and what is wrong, and never quotes a secret.
func TestParse(t *testing.T) {
	good, err := keyset.Parse([]byte(fileOf(signK1, sealS1, pubK0)), "fichier de clés k.json")
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := good.Active(keyset.Signing); a.ID != "k1" || len(good.Keys) != 3 {
		t.Fatalf("active signing key %q, %d keys", a.ID, len(good.Keys))
	}
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", `{"format": "passnum-keys/1", "keys": [`, "JSON illisible"},
		{"syntax error names its line", "{\n\"format\": \"passnum-keys/1\",\n\"keys\": [}\n", "ligne 3"},
		{"empty", ``, "vide ou tronqué"},
		{"unknown field", `{"format": "passnum-keys/1", "keys": [], "comment": "x"}`, `champ inconnu "comment"`},
		{"wrong format", `{"format": "passnum-keys/2", "keys": []}`, `format "passnum-keys/2" inconnu`},
		{"no format", `{"keys": []}`, `format "" inconnu`},
		{"trailing text", fileOf(signK1, sealS1) + `{}`, "du texte suit"},
		{"no signing key", fileOf(sealS1), "aucune clé de signature active"},
		{"no sealing key", fileOf(signK1), "aucune clé de chiffrement active"},
		{"two active", fileOf(signK1, sealS1, strings.Replace(strings.Replace(signK1, `"k1"`, `"k2"`, 1), b64(1), b64(3), 1)), "2 clés de signature actives"},
		{"duplicate id", fileOf(signK1, sealS1, strings.Replace(pubK0, `"k0"`, `"k1"`, 1)), "deux clés de signature ont l'id k1"},
		{"bad kind", fileOf(signK1, sealS1, strings.Replace(pubK0, `"signing"`, `"hmac"`, 1)), `kind "hmac" inconnu`},
		{"bad id", fileOf(strings.Replace(signK1, `"k1"`, `"K-1"`, 1), sealS1), `id "K-1"`},
		{"bad state", fileOf(strings.Replace(signK1, `"active"`, `"on"`, 1), sealS1), `state "on" inconnu`},
		{"bad date", fileOf(strings.Replace(signK1, `2027-01-05T10:00:00Z`, `05/01/2027`, 1), sealS1), "RFC 3339"},
		{"bad base64", fileOf(strings.Replace(signK1, b64(1), "%%%", 1), sealS1), "n'est pas du base64"},
		{"short secret", fileOf(strings.Replace(signK1, b64(1), base64.StdEncoding.EncodeToString([]byte("short")), 1), sealS1), "de 5 octets, attendu 32"},
		{"public of another key", fileOf(strings.Replace(signK1, `}`, `, "public": "`+b64(7)+`"}`, 1), sealS1), "public ne correspond pas"},
		{"active signing key without secret", fileOf(strings.Replace(pubK0, `"retired"`, `"active"`, 1), sealS1), "a besoin de son secret"},
		{"sealing key with a public part", fileOf(signK1, strings.Replace(sealS1, `}`, `, "public": "`+b64(7)+`"}`, 1)), "pas de partie publique"},
		{"wrong type", `{"format": 1, "keys": []}`, `le champ "format" n'a pas le bon type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := keyset.Parse([]byte(tt.data), "fichier de clés k.json")
			msg := passnum.ErrorMessage(err)
			if passnum.ErrorCode(err) != passnum.EINVALID || !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, "fichier de clés k.json : ") || strings.Contains(msg, "\n") {
				t.Fatalf("got %v, want one line with %q", err, tt.want)
			}
			for _, s := range secrets {
				if strings.Contains(msg, s) {
					t.Fatalf("the error shows a secret: %s", msg)
				}
			}
		})
	}
}

// TestReadFilePermissions: a key file its group or others may read or
// write is refused with the command that fixes it; in systemd's
// credentials directory, systemd decides who reads.
func TestReadFilePermissions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys.json")
	if err := os.WriteFile(path, []byte(fileOf(signK1, sealS1)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(keyset.EnvCredentials, "")
	for _, tt := range []struct {
		mode os.FileMode
		ok   bool
	}{{0o600, true}, {0o400, true}, {0o640, false}, {0o604, false}, {0o620, false}, {0o644, false}} {
		if err := os.Chmod(path, tt.mode); err != nil {
			t.Fatal(err)
		}
		_, err := keyset.ReadFile(path)
		if tt.ok != (err == nil) {
			t.Errorf("mode %04o: %v", tt.mode, err)
		}
		if !tt.ok && !strings.Contains(passnum.ErrorMessage(err), "chmod 600 "+path) {
			t.Errorf("mode %04o: %v", tt.mode, err)
		}
	}
	if _, err := keyset.ReadFile(filepath.Join(dir, "absent.json")); !strings.Contains(passnum.ErrorMessage(err), "il n'existe pas") {
		t.Errorf("absent file: %v", err)
	}
	if _, err := keyset.ReadFile(dir); !strings.Contains(passnum.ErrorMessage(err), "ce n'est pas un fichier") {
		t.Errorf("a directory: %v", err)
	}

	// systemd's LoadCredential=passnum-keys:…, found without a setting.
	creds := t.TempDir()
	cred := filepath.Join(creds, keyset.CredentialName)
	if err := os.WriteFile(cred, []byte(fileOf(signK1, sealS1)), 0o440); err != nil {
		t.Fatal(err)
	}
	t.Setenv(keyset.EnvCredentials, creds)
	set, err := keyset.FromEnv(func(k string) string {
		if k == keyset.EnvCredentials {
			return creds
		}
		return ""
	})
	if err != nil || set == nil || set.Source != "fichier de clés "+cred {
		t.Fatalf("credential: %v %+v", err, set)
	}
}

// TestFromEnv: the file, or the content in a variable, or nothing (the
// database keeps the keys); both at once is a mistake.
func TestFromEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, []byte(fileOf(signK1, sealS1)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	if set, err := keyset.FromEnv(env(nil)); set != nil || err != nil {
		t.Errorf("nothing set: %v %v", set, err)
	}
	if set, err := keyset.FromEnv(env(map[string]string{keyset.EnvFile: path})); err != nil || set.Source != "fichier de clés "+path {
		t.Errorf("file: %v %v", set, err)
	}
	if set, err := keyset.FromEnv(env(map[string]string{keyset.EnvKeys: fileOf(signK1, sealS1)})); err != nil || set.Source != "variable PASSNUM_KEYS" {
		t.Errorf("variable: %v %v", set, err)
	}
	if _, err := keyset.FromEnv(env(map[string]string{keyset.EnvKeys: "{", keyset.EnvFile: path})); !strings.Contains(passnum.ErrorMessage(err), "gardez-en un seul") {
		t.Errorf("both: %v", err)
	}
	if _, err := keyset.FromEnv(env(map[string]string{keyset.EnvKeys: "{"})); !strings.HasPrefix(passnum.ErrorMessage(err), "variable PASSNUM_KEYS : JSON illisible") {
		t.Errorf("bad variable: %v", err)
	}
}

// TestRotation: a generated key waits, then signs; the key it replaces
// keeps verifying what it signed, with its public key only; the file
// written reads back the same and is 0600.
func TestRotation(t *testing.T) {
	set, err := keyset.New(now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k1, err := set.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	claims := passcode.Claims{Serial: 42, Programme: 1, Expiry: "2027-12-31", Code: 12345}
	old, err := k1.Sign(claims)
	if err != nil || !strings.HasPrefix(old, "PN1:K1:") {
		t.Fatalf("sign with k1: %q %v", old, err)
	}

	pending, err := set.Add(keyset.Signing, "", now.Add(time.Hour), rand.Reader)
	if err != nil || pending.ID != "k2" || pending.State != keyset.Pending {
		t.Fatalf("add: %+v %v", pending, err)
	}
	kr, _ := set.Keyring()
	if kr.ActiveID() != "k1" {
		t.Errorf("a pending key signs: %s", kr.ActiveID())
	}
	if _, err := set.Add(keyset.Signing, "k2", now, rand.Reader); passnum.ErrorCode(err) != passnum.ECONFLICT {
		t.Errorf("add k2 twice: %v", err)
	}

	active, retired, err := set.Rotate(keyset.Signing, now.Add(2*time.Hour), rand.Reader)
	if err != nil || active.ID != "k2" || retired.ID != "k1" || retired.Secret != nil {
		t.Fatalf("rotate: %s %s (secret kept: %v) %v", active.ID, retired.ID, retired.Secret != nil, err)
	}
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := set.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("written with mode %v %v", info.Mode(), err)
	}
	back, err := keyset.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	kr, err = back.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := kr.Verify(old); err != nil || got != claims {
		t.Errorf("a pass signed by the retired key: %+v %v", got, err)
	}
	fresh, err := kr.Sign(claims)
	if err != nil || !strings.HasPrefix(fresh, "PN1:K2:") {
		t.Errorf("sign after rotation: %q %v", fresh, err)
	}
	// Rotating again without a pending key makes one.
	if active, retired, err := back.Rotate(keyset.Signing, now.Add(3*time.Hour), rand.Reader); err != nil || active.ID != "k3" || retired.ID != "k2" {
		t.Errorf("second rotation: %s %s %v", active.ID, retired.ID, err)
	}
	// Sealing keys keep their secret when retired: they open what they
	// sealed until it is sealed again.
	if _, retired, err := back.Rotate(keyset.Sealing, now, rand.Reader); err != nil || retired.ID != "s1" || retired.Secret == nil {
		t.Errorf("sealing rotation: %s %v", retired.ID, err)
	}
}

// TestPublic: the export holds the public keys with their ids and states,
// active first, and no secret.
func TestPublic(t *testing.T) {
	set, err := keyset.Parse([]byte(fileOf(signK1, sealS1, pubK0)), "test")
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(set.Public())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"format":"passnum-public-keys/1","payload":"PN1","keys":[` +
		`{"id":"k1","algorithm":"Ed25519","public_key":"` + base64.StdEncoding.EncodeToString(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32)).Public().(ed25519.PublicKey)) + `","state":"active","created":"2027-01-05T10:00:00Z"},` +
		`{"id":"k0","algorithm":"Ed25519","public_key":"` + base64.StdEncoding.EncodeToString(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32)).Public().(ed25519.PublicKey)) + `","state":"retired","created":"2026-01-05T10:00:00Z"}]}`
	if string(out) != want {
		t.Errorf("export:\n%s\nwant\n%s", out, want)
	}
}

// TestSealer: what is sealed opens with its key and context only.
func TestSealer(t *testing.T) {
	set, err := keyset.Parse([]byte(fileOf(signK1, sealS1)), "test")
	if err != nil {
		t.Fatal(err)
	}
	s, err := set.Sealer()
	if err != nil {
		t.Fatal(err)
	}
	kid, sealed, err := s.Seal([]byte("JBSWY3DPEHPK3PXP"), []byte("user:1"))
	if err != nil || kid != "s1" || strings.Contains(sealed, "JBSWY3DPEHPK3PXP") {
		t.Fatalf("seal: %s %q %v", kid, sealed, err)
	}
	_, again, _ := s.Seal([]byte("JBSWY3DPEHPK3PXP"), []byte("user:1"))
	if again == sealed {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	if got, err := s.Open("s1", sealed, []byte("user:1")); err != nil || string(got) != "JBSWY3DPEHPK3PXP" {
		t.Errorf("open: %q %v", got, err)
	}
	if _, err := s.Open("s1", sealed, []byte("user:2")); err == nil {
		t.Error("a value moved to another record opens")
	}
	if _, err := s.Open("s9", sealed, []byte("user:1")); err == nil {
		t.Error("an unknown key opens")
	}
	tampered := []byte(sealed)
	tampered[len(tampered)/2] ^= 1
	if _, err := s.Open("s1", string(tampered), []byte("user:1")); err == nil {
		t.Error("an altered value opens")
	}
}

// TestMerge: merging the same keys again changes nothing (a move run
// twice); another key of the same id is refused.
func TestMerge(t *testing.T) {
	a, _ := keyset.Parse([]byte(fileOf(signK1, sealS1, pubK0)), "fichier de clés a.json")
	b, _ := keyset.Parse([]byte(fileOf(signK1, sealS1, pubK0)), "b")
	if err := a.Merge(b); err != nil || len(a.Keys) != 3 {
		t.Errorf("same keys: %v, %d keys", err, len(a.Keys))
	}
	c, _ := keyset.Parse([]byte(fileOf(strings.Replace(signK1, b64(1), b64(5), 1), sealS1)), "c")
	if err := a.Merge(c); passnum.ErrorCode(err) != passnum.ECONFLICT || !strings.Contains(passnum.ErrorMessage(err), "autre clé de signature k1") {
		t.Errorf("another k1: %v", err)
	}
}
