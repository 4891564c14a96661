// Package keyset holds the installation's keys: the Ed25519 keys that sign
// the QR payloads of passes, and the AES-256 keys that seal the secrets
// the database must keep readable (the TOTP seeds of the second factor).
//
// They come from a key file (PASSNUM_KEYS_FILE, or the file passnum-keys
// of systemd's credentials directory), or from the environment
// (PASSNUM_KEYS, the same JSON), or, when none is set, from the database:
// the default of the demonstration and of development (package sqlstore).
//
// A key file is JSON:
//
//	{
//	  "format": "passnum-keys/1",
//	  "keys": [
//	    {"kind": "signing", "id": "k2", "state": "active",  "created": "2027-01-05T10:00:00Z", "secret": "<base64 of the 32-byte Ed25519 seed>"},
//	    {"kind": "signing", "id": "k1", "state": "retired", "created": "2026-01-05T10:00:00Z", "public": "<base64 of the 32-byte public key>"},
//	    {"kind": "sealing", "id": "s1", "state": "active",  "created": "2026-01-05T10:00:00Z", "secret": "<base64 of 32 random bytes>"}
//	  ]
//	}
//
// Each kind has exactly one active key, which signs (or seals); pending
// keys (generated, not yet active, so that every server knows them before
// one signs with them) and retired keys verify (or open) only. A retired
// signing key needs only its public key.
package keyset

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/passcode"
)

// Format names the version of the key file's format.
const Format = "passnum-keys/1"

// Environment variables of the key source.
const (
	// EnvFile names the key file.
	EnvFile = "PASSNUM_KEYS_FILE"
	// EnvKeys holds the key file's content itself (a secret of a
	// container platform given as a variable).
	EnvKeys = "PASSNUM_KEYS"
	// EnvCredentials is the directory where systemd puts a service's
	// credentials (LoadCredential=); passnum reads CredentialName there.
	EnvCredentials = "CREDENTIALS_DIRECTORY"
	// CredentialName is the name of the key file among systemd's
	// credentials: LoadCredential=passnum-keys:/etc/passnum/keys.json.
	CredentialName = "passnum-keys"
)

// Kind is what a key does.
type Kind string

const (
	// Signing keys (Ed25519) sign the QR payloads of passes.
	Signing Kind = "signing"
	// Sealing keys (AES-256-GCM) encrypt secrets kept in the database.
	Sealing Kind = "sealing"
)

// Label names the kind for people.
func (k Kind) Label() string {
	if k == Sealing {
		return "chiffrement"
	}
	return "signature"
}

// State is where a key is in its life.
type State string

const (
	// Active: the key that signs or seals (one per kind).
	Active State = "active"
	// Pending: known to every server, verifies and opens, signs nothing
	// until a rotation makes it active.
	Pending State = "pending"
	// Retired: verifies what it signed, opens what it sealed, never signs
	// nor seals again.
	Retired State = "retired"
)

// Label names the state for people.
func (s State) Label() string {
	switch s {
	case Active:
		return "active"
	case Pending:
		return "en attente"
	}
	return "retirée"
}

// Key is one key of the set. Secret is the private part: the Ed25519 seed
// of a signing key, the AES key of a sealing key; a retired signing key
// may have none. Public is a signing key's public key.
type Key struct {
	Kind    Kind
	ID      string
	State   State
	Created time.Time
	Secret  []byte
	Public  ed25519.PublicKey
}

// Set is the installation's keys and where they come from.
type Set struct {
	// Source says where the keys were read, for people: "fichier
	// /etc/passnum/keys.json", "variable PASSNUM_KEYS", "base de données".
	Source string
	Keys   []Key
}

// keyFile is the JSON form of a set.
type keyFile struct {
	Format string    `json:"format"`
	Keys   []keyJSON `json:"keys"`
}

type keyJSON struct {
	Kind    Kind   `json:"kind"`
	ID      string `json:"id"`
	State   State  `json:"state"`
	Created string `json:"created"`
	Secret  string `json:"secret,omitempty"`
	Public  string `json:"public,omitempty"`
}

// invalid is the error of a key source that does not read: one French
// line that names the source.
func invalid(source, format string, args ...any) error {
	return passnum.Errorf(passnum.EINVALID, "keys-invalid", "%s : %s", source, fmt.Sprintf(format, args...))
}

// FromEnv returns the key source the environment names: PASSNUM_KEYS_FILE,
// else PASSNUM_KEYS, else the file passnum-keys of systemd's credentials
// directory if there is one; nil (and no error) when none is set, for the
// database to keep the keys.
func FromEnv(getenv func(string) string) (*Set, error) {
	file, inline := getenv(EnvFile), getenv(EnvKeys)
	switch {
	case file != "" && inline != "":
		return nil, passnum.Errorf(passnum.EINVALID, "keys-invalid", "%s et %s sont donnés tous les deux : gardez-en un seul.", EnvFile, EnvKeys)
	case file != "":
		return ReadFile(file)
	case inline != "":
		return Parse([]byte(inline), "variable "+EnvKeys)
	}
	if dir := getenv(EnvCredentials); dir != "" {
		path := filepath.Join(dir, CredentialName)
		if _, err := os.Stat(path); err == nil {
			return ReadFile(path)
		}
	}
	return nil, nil
}

// ReadFile reads a key file. It refuses a file that its group or others
// may read or write: the keys would not be secret.
func ReadFile(path string) (*Set, error) {
	source := "fichier de clés " + path
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, invalid(source, "il n'existe pas (passnum keys generate le crée)")
	} else if err != nil {
		return nil, invalid(source, "illisible : %v", err)
	}
	if !info.Mode().IsRegular() {
		return nil, invalid(source, "ce n'est pas un fichier")
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 && !inCredentials(path) {
		return nil, invalid(source, "son groupe ou tout le monde peut le lire (mode %04o) : faites chmod 600 %s", perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, invalid(source, "illisible : %v", err)
	}
	return Parse(data, source)
}

// inCredentials tells whether path is in systemd's credentials directory
// of the service, which only the service reads whatever the files' mode
// (systemd may grant the service's user through an access list, which
// shows as group bits).
func inCredentials(path string) bool {
	dir := os.Getenv(EnvCredentials)
	if dir == "" {
		return false
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Parse reads the JSON of a key file. source names it in errors. Every
// error is one line that never shows a secret.
func Parse(data []byte, source string) (*Set, error) {
	var f keyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, invalid(source, "JSON illisible (%s)", jsonError(data, err))
	}
	if dec.More() {
		return nil, invalid(source, "du texte suit l'objet JSON")
	}
	if f.Format != Format {
		return nil, invalid(source, "format %q inconnu, attendu %q", f.Format, Format)
	}
	set := &Set{Source: source}
	for i, kj := range f.Keys {
		k, err := kj.key()
		if err != nil {
			return nil, invalid(source, "clé n°%d : %s", i+1, err)
		}
		set.Keys = append(set.Keys, k)
	}
	if err := set.check(); err != nil {
		return nil, invalid(source, "%s", err)
	}
	return set, nil
}

// jsonError describes a JSON error by its line, never quoting the text.
func jsonError(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("ligne %d", 1+bytes.Count(data[:min(int(syn.Offset), len(data))], []byte("\n")))
	case errors.As(err, &typ):
		return fmt.Sprintf("ligne %d : le champ %q n'a pas le bon type", 1+bytes.Count(data[:min(int(typ.Offset), len(data))], []byte("\n")), typ.Field)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "vide ou tronqué"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "champ inconnu " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "structure inattendue"
}

// key checks one key of the file.
func (kj keyJSON) key() (Key, error) {
	k := Key{Kind: kj.Kind, ID: kj.ID, State: kj.State}
	if kj.Kind != Signing && kj.Kind != Sealing {
		return k, fmt.Errorf("kind %q inconnu, attendu %q ou %q", kj.Kind, Signing, Sealing)
	}
	if err := checkID(kj.ID); err != nil {
		return k, err
	}
	if kj.State != Active && kj.State != Pending && kj.State != Retired {
		return k, fmt.Errorf("clé %s : state %q inconnu, attendu active, pending ou retired", kj.ID, kj.State)
	}
	created, err := time.Parse(time.RFC3339, kj.Created)
	if err != nil {
		return k, fmt.Errorf("clé %s : created %q n'est pas une date RFC 3339 (2027-01-05T10:00:00Z)", kj.ID, kj.Created)
	}
	k.Created = created.UTC()
	if kj.Secret != "" {
		if k.Secret, err = decode32(kj.Secret); err != nil {
			return k, fmt.Errorf("clé %s : secret %s", kj.ID, err)
		}
	}
	if kj.Public != "" {
		if kj.Kind == Sealing {
			return k, fmt.Errorf("clé %s : une clé de chiffrement n'a pas de partie publique", kj.ID)
		}
		pub, err := decode32(kj.Public)
		if err != nil {
			return k, fmt.Errorf("clé %s : public %s", kj.ID, err)
		}
		k.Public = pub
	}
	return k.complete()
}

// complete checks a key's parts and derives a signing key's public key
// from its secret.
func (k Key) complete() (Key, error) {
	switch {
	case k.Kind == Sealing && k.Secret == nil:
		return k, fmt.Errorf("clé %s : une clé de chiffrement a besoin de son secret", k.ID)
	case k.Kind == Signing && k.Secret == nil && k.Public == nil:
		return k, fmt.Errorf("clé %s : ni secret ni public", k.ID)
	case k.Kind == Signing && k.Secret == nil && k.State != Retired:
		return k, fmt.Errorf("clé %s : une clé de signature %s a besoin de son secret", k.ID, k.State.Label())
	case k.Kind == Signing && k.Secret != nil:
		pub := ed25519.NewKeyFromSeed(k.Secret).Public().(ed25519.PublicKey)
		if k.Public != nil && !bytes.Equal(pub, k.Public) {
			return k, fmt.Errorf("clé %s : public ne correspond pas à secret", k.ID)
		}
		k.Public = pub
	}
	return k, nil
}

// decode32 reads 32 bytes of standard base64.
func decode32(s string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("n'est pas du base64")
	}
	if len(raw) != 32 {
		return nil, fmt.Errorf("de %d octets, attendu 32", len(raw))
	}
	return raw, nil
}

// checkID enforces the ids QR payloads carry: 1 to 8 of a-z and 0-9.
func checkID(id string) error {
	if id == "" || len(id) > 8 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return fmt.Errorf("id %q : de 1 à 8 lettres minuscules ou chiffres", id)
	}
	return nil
}

// check enforces the rules of the whole set: distinct ids within a kind,
// one active key of each kind.
func (s *Set) check() error {
	seen := map[string]bool{}
	for _, k := range s.Keys {
		if seen[string(k.Kind)+":"+k.ID] {
			return fmt.Errorf("deux clés de %s ont l'id %s", k.Kind.Label(), k.ID)
		}
		seen[string(k.Kind)+":"+k.ID] = true
	}
	for _, kind := range []Kind{Signing, Sealing} {
		switch n := len(s.of(kind, Active)); n {
		case 1:
		case 0:
			return fmt.Errorf("aucune clé de %s active (state \"active\")", kind.Label())
		default:
			return fmt.Errorf("%d clés de %s actives : une seule signe", n, kind.Label())
		}
	}
	return nil
}

// of returns the keys of kind, of the given states (all when none is
// given), in the set's order.
func (s *Set) of(kind Kind, states ...State) []Key {
	var out []Key
	for _, k := range s.Keys {
		if k.Kind == kind && (len(states) == 0 || slices.Contains(states, k.State)) {
			out = append(out, k)
		}
	}
	return out
}

// Sorted returns the keys for people: signing keys first, then sealing
// keys; the active key, the pending ones, the retired ones; newest first.
func (s *Set) Sorted() []Key {
	rank := map[State]int{Active: 0, Pending: 1, Retired: 2}
	out := slices.Clone(s.Keys)
	slices.SortStableFunc(out, func(a, b Key) int {
		if a.Kind != b.Kind {
			return strings.Compare(string(b.Kind), string(a.Kind)) // signing before sealing
		}
		if rank[a.State] != rank[b.State] {
			return rank[a.State] - rank[b.State]
		}
		return b.Created.Compare(a.Created)
	})
	return out
}

// Active returns the active key of kind.
func (s *Set) Active(kind Kind) (Key, bool) {
	a := s.of(kind, Active)
	if len(a) != 1 {
		return Key{}, false
	}
	return a[0], true
}

// Keyring returns the signing keys as a passcode.Keyring: the active one
// signs, every one verifies.
func (s *Set) Keyring() (*passcode.Keyring, error) {
	active, ok := s.Active(Signing)
	if !ok {
		return nil, invalid(s.Source, "aucune clé de signature active")
	}
	var others []passcode.Key
	for _, k := range s.of(Signing, Pending, Retired) {
		others = append(others, passcode.Key{ID: k.ID, Public: k.Public})
	}
	return passcode.NewKeyring(passcode.Key{ID: active.ID, Private: ed25519.NewKeyFromSeed(active.Secret)}, others...)
}

// Marshal renders the set as a key file, keys in the set's order.
func (s *Set) Marshal() ([]byte, error) {
	f := keyFile{Format: Format, Keys: []keyJSON{}}
	for _, k := range s.Keys {
		kj := keyJSON{Kind: k.Kind, ID: k.ID, State: k.State, Created: k.Created.UTC().Format(time.RFC3339)}
		if k.Secret != nil {
			kj.Secret = base64.StdEncoding.EncodeToString(k.Secret)
		} else {
			kj.Public = base64.StdEncoding.EncodeToString(k.Public)
		}
		f.Keys = append(f.Keys, kj)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	return append(b, '\n'), err
}

// WriteFile writes the set to path with mode 0600, through a temporary
// file renamed over it: a crash leaves the old file or the new one whole.
func (s *Set) WriteFile(path string) error {
	data, err := s.Marshal()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return passnum.Errorf(passnum.EINVALID, "keys-write", "Impossible de créer le fichier de clés %s : %v", path, err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600 already; Chmod says so whatever
	// the platform does.
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return passnum.Errorf(passnum.EINVALID, "keys-write", "Impossible d'écrire le fichier de clés %s : %v", path, err)
	}
	return nil
}

// NewKey makes a key of kind from the randomness of r (crypto/rand in
// production).
func NewKey(kind Kind, id string, state State, now time.Time, r io.Reader) (Key, error) {
	if r == nil {
		r = rand.Reader
	}
	if err := checkID(id); err != nil {
		return Key{}, passnum.Errorf(passnum.EINVALID, "keys-invalid", "%s", err)
	}
	secret := make([]byte, 32)
	if _, err := io.ReadFull(r, secret); err != nil {
		return Key{}, fmt.Errorf("key %s: %w", id, err)
	}
	return Key{Kind: kind, ID: id, State: state, Created: now.UTC().Truncate(time.Second), Secret: secret}.complete()
}

// New returns a set with a new active key of each kind, k1 and s1.
func New(now time.Time, r io.Reader) (*Set, error) {
	sign, err := NewKey(Signing, "k1", Active, now, r)
	if err != nil {
		return nil, err
	}
	seal, err := NewKey(Sealing, "s1", Active, now, r)
	if err != nil {
		return nil, err
	}
	return &Set{Keys: []Key{sign, seal}}, nil
}

// NextID returns the id after the largest of kind: k3 after k1 and k2, s2
// after s1.
func (s *Set) NextID(kind Kind) string {
	prefix := "k"
	if kind == Sealing {
		prefix = "s"
	}
	n := 0
	for _, k := range s.of(kind) {
		if v, err := strconv.Atoi(strings.TrimPrefix(k.ID, prefix)); err == nil && strings.HasPrefix(k.ID, prefix) && v > n {
			n = v
		}
	}
	return prefix + strconv.Itoa(n+1)
}

// Add adds a pending key of kind named id (NextID when ""), for every
// server to know it before a rotation makes it sign.
func (s *Set) Add(kind Kind, id string, now time.Time, r io.Reader) (Key, error) {
	if id == "" {
		id = s.NextID(kind)
	}
	for _, k := range s.of(kind) {
		if k.ID == id {
			return Key{}, passnum.Errorf(passnum.ECONFLICT, "keys-invalid", "Le fichier a déjà une clé de %s %s.", kind.Label(), id)
		}
	}
	k, err := NewKey(kind, id, Pending, now, r)
	if err != nil {
		return Key{}, err
	}
	s.Keys = append([]Key{k}, s.Keys...)
	return k, nil
}

// Rotate makes the newest pending key of kind active (a new one when none
// waits) and retires the active one. A retired signing key loses its
// secret: it never signs again, and its public key keeps verifying the
// passes already printed. A retired sealing key keeps its secret, to open
// what it sealed until the store seals it again with the new key.
func (s *Set) Rotate(kind Kind, now time.Time, r io.Reader) (activated, retired Key, err error) {
	pending := s.of(kind, Pending)
	if len(pending) == 0 {
		if _, err := s.Add(kind, "", now, r); err != nil {
			return Key{}, Key{}, err
		}
		pending = s.of(kind, Pending)
	}
	newest := pending[0]
	for _, k := range pending[1:] {
		if k.Created.After(newest.Created) {
			newest = k
		}
	}
	for i, k := range s.Keys {
		if k.Kind != kind {
			continue
		}
		switch {
		case k.ID == newest.ID:
			s.Keys[i].State = Active
			activated = s.Keys[i]
		case k.State == Active:
			s.Keys[i].State = Retired
			if kind == Signing {
				s.Keys[i].Secret = nil
			}
			retired = s.Keys[i]
		}
	}
	return activated, retired, nil
}

// PublicKey is a verifying key of the public export.
type PublicKey struct {
	ID        string `json:"id"`
	Algorithm string `json:"algorithm"`
	PublicKey string `json:"public_key"`
	State     State  `json:"state"`
	Created   string `json:"created"`
}

// PublicKeys is what an offline verifier needs (passnum keys
// export-public): the public keys of the signing keys with their ids.
type PublicKeys struct {
	Format  string      `json:"format"`
	Payload string      `json:"payload"`
	Keys    []PublicKey `json:"keys"`
}

// PublicFormat names the version of the public export's format.
const PublicFormat = "passnum-public-keys/1"

// Public returns the public export of the signing keys, active first.
func (s *Set) Public() PublicKeys {
	out := PublicKeys{Format: PublicFormat, Payload: "PN1", Keys: []PublicKey{}}
	for _, k := range s.Sorted() {
		if k.Kind == Signing {
			out.Keys = append(out.Keys, PublicKey{ID: k.ID, Algorithm: "Ed25519", PublicKey: base64.StdEncoding.EncodeToString(k.Public),
				State: k.State, Created: k.Created.UTC().Format(time.RFC3339)})
		}
	}
	return out
}

// Merge adds the keys of other that s lacks; a key of both must be the
// same key (same kind, id, state and material), so that a move run twice
// finds its work done, and a different key of the same id is refused.
func (s *Set) Merge(other *Set) error {
	for _, o := range other.Keys {
		i := slices.IndexFunc(s.Keys, func(k Key) bool { return k.Kind == o.Kind && k.ID == o.ID })
		if i < 0 {
			s.Keys = append(s.Keys, o)
			continue
		}
		k := s.Keys[i]
		if !bytes.Equal(k.Secret, o.Secret) || !bytes.Equal(k.Public, o.Public) || k.State != o.State {
			return passnum.Errorf(passnum.ECONFLICT, "keys-conflict", "%s a déjà une autre clé de %s %s : choisissez un autre fichier.", s.Source, o.Kind.Label(), o.ID)
		}
	}
	if err := s.check(); err != nil {
		return invalid(s.Source, "%s : choisissez un autre fichier", err)
	}
	return nil
}
