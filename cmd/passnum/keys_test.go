package main

import (
	"crypto/ed25519"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passnum/passnum/internal/keyset"
)

// secretsOf returns the private parts of a key file as they are written
// in it, to look for them in outputs.
func secretsOf(t *testing.T, path string) []string {
	t.Helper()
	var f struct {
		Keys []struct {
			Secret string `json:"secret"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(readFile(t, path)), &f); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range f.Keys {
		if k.Secret != "" {
			raw, _ := base64.StdEncoding.DecodeString(k.Secret)
			// The secret as written, and in the other encodings a
			// careless log could use.
			out = append(out, k.Secret, base64.RawURLEncoding.EncodeToString(raw), strings.ToLower(base32.StdEncoding.EncodeToString(raw)))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no secret in %s", path)
	}
	return out
}

// noSecret fails if an output shows a secret.
func noSecret(t *testing.T, secrets []string, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		for _, s := range secrets {
			if strings.Contains(o, s) {
				t.Fatalf("an output shows a secret key:\n%s", o)
			}
		}
	}
}

// payloads returns the QR payloads of an export of passes, by serial.
func payloads(t *testing.T, csvText string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(csvText), "\n")[1:] {
		f := strings.Split(line, ";")
		out = append(out, f[5])
	}
	return out
}

// verifyWithExport checks a payload as an offline counter would, from the
// JSON of keys export-public alone (the README's steps).
func verifyWithExport(t *testing.T, export []byte, payload string) bool {
	t.Helper()
	var pub struct {
		Format string `json:"format"`
		Keys   []struct {
			ID        string `json:"id"`
			Algorithm string `json:"algorithm"`
			PublicKey string `json:"public_key"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(export, &pub); err != nil || pub.Format != "passnum-public-keys/1" {
		t.Fatalf("export %s: %v", export, err)
	}
	cut := strings.LastIndexByte(payload, ':')
	kid := strings.Split(payload, ":")[1]
	sig, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(payload[cut+1:])
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range pub.Keys {
		if strings.EqualFold(k.ID, kid) && k.Algorithm == "Ed25519" {
			raw, err := base64.StdEncoding.DecodeString(k.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			return ed25519.Verify(raw, []byte(payload[:cut]), sig)
		}
	}
	return false
}

// TestKeysFileCommands: generate writes a 0600 file, adds a pending key,
// rotate activates it, list shows ids and states; nothing prints a secret,
// and a file others may read, or that does not read, is one clear line.
func TestKeysFileCommands(t *testing.T) {
	unsetenv(t, keyset.EnvFile)
	unsetenv(t, keyset.EnvKeys)
	unsetenv(t, keyset.EnvCredentials)
	h := newHarness(t)
	file := filepath.Join(t.TempDir(), "keys.json")
	var outputs []string
	run := func(args ...string) string {
		out, errs, code := h.run(args...)
		outputs = append(outputs, out, errs)
		if code != 0 {
			t.Fatalf("passnum %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
		}
		return out
	}
	if out := run("keys", "generate", "--file", file); !strings.Contains(out, "clé de signature k1 et clé de chiffrement s1") {
		t.Errorf("generate: %q", out)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v", info.Mode(), err)
	}
	if out := run("keys", "generate", "--file", file); !strings.Contains(out, "Clé de signature k2 ajoutée") || !strings.Contains(out, "en attente") {
		t.Errorf("generate again: %q", out)
	}
	out := run("keys", "list", "--file", file)
	for _, want := range []string{"signature    k1  active", "signature    k2  en attente", "chiffrement  s1  active"} {
		if !strings.Contains(out, want) {
			t.Errorf("list does not say %q:\n%s", want, out)
		}
	}
	secrets := secretsOf(t, file)
	var before struct {
		Keys []struct{ ID, Secret string } `json:"keys"`
	}
	json.Unmarshal([]byte(readFile(t, file)), &before)
	k1Secret := ""
	for _, k := range before.Keys {
		if k.ID == "k1" {
			k1Secret = k.Secret
		}
	}
	if out := run("keys", "rotate", "--file", file); !strings.Contains(out, "Clé de signature k2 active ; k1 retirée") {
		t.Errorf("rotate: %q", out)
	}
	if out := run("keys", "list", "--file", file); !strings.Contains(out, "k1  retirée") || !strings.Contains(out, "k2  active") {
		t.Errorf("list after rotation:\n%s", out)
	}
	if k1Secret == "" || strings.Contains(readFile(t, file), k1Secret) {
		t.Error("the retired signing key keeps its secret in the file")
	}
	noSecret(t, append(secrets, secretsOf(t, file)...), outputs...)

	os.Chmod(file, 0o640)
	h.fail(1, []string{"keys", "list", "--file", file}, "son groupe ou tout le monde peut le lire (mode 0640)", "chmod 600 "+file)
	os.Chmod(file, 0o600)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"format": "passnum-keys/1", "keys": [}`), 0o600)
	h.fail(1, []string{"keys", "list", "--file", bad}, "fichier de clés "+bad+" : JSON illisible")
	h.fail(2, []string{"keys", "generate"}, "indiquez le fichier de clés")
	h.fail(2, []string{"keys", "rotate", "--file", file, "--kind", "hmac"}, "signing")
}

// TestKeysMoveAndRotate: an installation whose keys are in the database
// moves them into a file; then the file signs, a rotation keeps printed
// passes valid, the public export verifies old and new passes, and no
// output (logs included) shows a private key.
func TestKeysMoveAndRotate(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		unsetenv(t, keyset.EnvFile)
		unsetenv(t, keyset.EnvKeys)
		unsetenv(t, keyset.EnvCredentials)
		var outputs []string
		run := func(args ...string) string {
			out, errs, code := h.run(args...)
			outputs = append(outputs, out, errs)
			if code != 0 {
				t.Fatalf("passnum %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
			}
			return out
		}
		run("migrate")
		if out := run("keys", "list"); !strings.Contains(out, "Clés : base de données.") || !strings.Contains(out, "signature    k1  active") {
			t.Errorf("list in the database:\n%s", out)
		}
		state := id(t, run("org", "create", "--kind", "funder", "--name", "État — ANCT"))
		prog := id(t, run("programme", "create", "--name", "Pass 2027", "--funder", state+":10000",
			"--budget", "500", "--from", "2027-01-01", "--until", "2027-12-31", "--territory", "departement:35"))
		batch := id(t, run("issue", "--programme", prog, "--carnets", "2"))
		before := payloads(t, run("export", "passes", "--batch", batch))
		if !strings.HasPrefix(before[0], "PN1:K1:") {
			t.Fatalf("payload %q", before[0])
		}

		file := filepath.Join(t.TempDir(), "keys.json")
		if out := run("keys", "move", "--file", file); !strings.Contains(out, "Clés k1, s1 écrites dans "+file+" et retirées de la base") {
			t.Errorf("move: %q", out)
		}
		h.fail(1, []string{"export", "passes", "--batch", batch}, "ont été déplacées dans un fichier de clés", keyset.EnvFile)
		t.Setenv(keyset.EnvFile, file)
		run("keys", "rotate")
		if out := run("keys", "list"); !strings.Contains(out, "Clés : fichier de clés "+file) || !strings.Contains(out, "k2  active") || !strings.Contains(out, "k1  retirée") {
			t.Errorf("list with the file:\n%s", out)
		}
		after := payloads(t, run("export", "passes", "--batch", batch))
		if !strings.HasPrefix(after[0], "PN1:K2:") {
			t.Errorf("after rotation, payload %q", after[0])
		}
		exportFile := filepath.Join(t.TempDir(), "public.json")
		run("keys", "export-public", "--out", exportFile)
		export := []byte(readFile(t, exportFile))
		if stdout := run("keys", "export-public"); stdout != string(export) {
			t.Errorf("export to stdout and to a file differ")
		}
		for _, p := range []string{before[0], before[len(before)-1], after[0]} {
			if !verifyWithExport(t, export, p) {
				t.Errorf("the public export does not verify %q", p)
			}
		}
		forged := after[0][:len(after[0])-3] + "AAA"
		if verifyWithExport(t, export, forged) {
			t.Error("the public export verifies a forged payload")
		}
		run("check")
		// The same keys given in a variable, as a container platform does.
		unsetenv(t, keyset.EnvFile)
		t.Setenv(keyset.EnvKeys, readFile(t, file))
		if out := run("keys", "list"); !strings.Contains(out, "Clés : variable PASSNUM_KEYS.") {
			t.Errorf("list with the variable:\n%s", out)
		}
		if again := payloads(t, run("export", "passes", "--batch", batch)); again[0] != after[0] {
			t.Errorf("the variable signs %q, the file %q", again[0], after[0])
		}
		h.fail(1, []string{"keys", "rotate"}, "variable PASSNUM_KEYS")
		noSecret(t, secretsOf(t, file), append(outputs, string(export))...)
	})
}

// TestServeKeysFile: serve takes its keys from the file, says so at
// start, and its output (logs included) shows no private key.
func TestServeKeysFile(t *testing.T) {
	unsetenv(t, keyset.EnvKeys)
	unsetenv(t, keyset.EnvCredentials)
	dir := t.TempDir()
	file := filepath.Join(dir, "keys.json")
	h := newHarness(t)
	h.ok("keys", "generate", "--file", file)
	t.Setenv(keyset.EnvFile, file)
	s := startServe(t, "--db", filepath.Join(dir, "passnum.db"), "--log-format", "json")
	if !strings.Contains(s.out.String(), "Clés (signature des QR codes, chiffrement des graines TOTP) : fichier de clés "+file+".") {
		t.Errorf("banner:\n%s", s.out.String())
	}
	if resp, _ := get(t, baseRE.FindStringSubmatch(s.out.String())[1]+"/connexion"); resp.StatusCode != 200 {
		t.Errorf("GET /connexion: %d", resp.StatusCode)
	}
	s.stop()
	noSecret(t, secretsOf(t, file), s.out.String(), s.errOut.String())

	// A key file others may read stops serve at start.
	os.Chmod(file, 0o644)
	out, errs, code := h.run("serve", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errs, "chmod 600") || strings.Contains(out, "écoute") {
		t.Errorf("serve with a readable key file: exit %d\n%s%s", code, out, errs)
	}
}
