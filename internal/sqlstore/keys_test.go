package sqlstore_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/keyset"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// newKeySet is a key file's keys: k1 signs, s1 seals.
func newKeySet(t *testing.T) *keyset.Set {
	t.Helper()
	set, err := keyset.New(st.Start, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set.Source = "fichier de clés test.json"
	return set
}

// verifyByHand checks a QR payload as an offline verifier would from the
// public export alone: the key named by the payload, the message up to
// the last colon, the signature in base32.
func verifyByHand(t *testing.T, pub keyset.PublicKeys, payload string) bool {
	t.Helper()
	f := strings.Split(payload, ":")
	cut := strings.LastIndexByte(payload, ':')
	sig, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(payload[cut+1:])
	if err != nil || len(f) != 7 {
		t.Fatalf("payload %q: %v", payload, err)
	}
	for _, k := range pub.Keys {
		if strings.EqualFold(k.ID, f[1]) {
			raw, err := base64.StdEncoding.DecodeString(k.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			return ed25519.Verify(raw, []byte(payload[:cut]), sig)
		}
	}
	return false
}

// reopen opens env's database again with opts, closed at the end of the
// test.
func reopen(t *testing.T, env *st.Env, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	s, err := env.OpenAgain(opts...)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ids(t *testing.T, s *sqlstore.Store, q string) string {
	t.Helper()
	v, err := sqlstore.QueryStrings(s, q)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(v, ",")
}

// TestKeysInDatabaseByDefault: without a key file, as in the demo and in
// development, the database makes and keeps the keys, and they stay the
// same from one opening to the next.
func TestKeysInDatabaseByDefault(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		set := env.Store.Keys()
		if set.Source != "base de données" {
			t.Errorf("source %q", set.Source)
		}
		if got := ids(t, env.Store, `SELECT id FROM signing_keys`) + "|" + ids(t, env.Store, `SELECT id FROM sealing_keys`); got != "k1|s1" {
			t.Errorf("keys in the database: %s", got)
		}
		again := reopen(t, env)
		if a, b := set.Public(), again.Keys().Public(); len(b.Keys) != 1 || a.Keys[0] != b.Keys[0] {
			t.Errorf("keys changed on reopening: %+v %+v", a, b)
		}
	})
}

// TestKeysFromFile: with a key file, passes are signed by its key (the
// database keeps none), a rotation keeps the passes already printed
// valid, and the public export verifies every one of them.
func TestKeysFromFile(t *testing.T) {
	set := newKeySet(t)
	eachWith(t, []sqlstore.Option{sqlstore.WithKeys(set)}, func(t *testing.T, env *st.Env) {
		if got := ids(t, env.Store, `SELECT id FROM signing_keys`) + ids(t, env.Store, `SELECT id FROM sealing_keys`); got != "" {
			t.Errorf("the database keeps keys beside the file: %s", got)
		}
		if env.Store.Keys().Source != "fichier de clés test.json" {
			t.Errorf("source %q", env.Store.Keys().Source)
		}
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2, Distributed: 2, Allocated: 2})
		old := f.Payloads[f.Batch.FirstSerial]
		if !strings.HasPrefix(old, "PN1:K1:") || !verifyByHand(t, set.Public(), old) {
			t.Fatalf("payload %q does not verify with the file's k1", old)
		}

		// Rotation: k2 signs, k1 keeps only its public key.
		rotated := newKeySetCopy(t, set)
		if _, _, err := rotated.Rotate(keyset.Signing, st.Start, rand.Reader); err != nil {
			t.Fatal(err)
		}
		s := reopen(t, env, sqlstore.WithKeys(rotated))
		_, fresh := st.ExportCodes(t, s, f.Operator, f.Batch.ID)
		if p := fresh[f.Batch.FirstSerial]; !strings.HasPrefix(p, "PN1:K2:") || !verifyByHand(t, rotated.Public(), p) {
			t.Errorf("after rotation, payload %q", p)
		}
		checks, err := s.Check(st.VenueCtx(f.Venue), passnum.CheckRequest{Codes: []string{old}, ServiceID: f.Service.ID})
		if err != nil || len(checks) != 1 || !checks[0].Usable {
			t.Fatalf("a pass printed with the retired key: %+v %v", checks, err)
		}
		if !verifyByHand(t, rotated.Public(), old) {
			t.Error("the export after rotation does not verify a pass printed before")
		}

		// A file without k1 would refuse passes still valid: refused.
		without := &keyset.Set{Source: "fichier de clés sans-k1.json"}
		for _, k := range rotated.Keys {
			if k.ID != "k1" {
				without.Keys = append(without.Keys, k)
			}
		}
		_, err = env.OpenAgain(sqlstore.WithKeys(without))
		if passnum.ErrorReason(err) != "keys-missing" || !strings.Contains(passnum.ErrorMessage(err), "k1") {
			t.Errorf("a file without the key of valid passes: %v", err)
		}
	})
}

// newKeySetCopy copies a set, so that a rotation does not change the one
// the test's other store uses.
func newKeySetCopy(t *testing.T, set *keyset.Set) *keyset.Set {
	t.Helper()
	data, err := set.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	out, err := keyset.Parse(data, set.Source)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMoveKeys: an installation whose keys are in the database moves them
// into a file: passes printed before stay valid with the file, the
// database forgets the secrets, refuses to start without the file, and
// refuses a file that lacks a moved key.
func TestMoveKeys(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2, Distributed: 2, Allocated: 2})
		old := f.Payloads[f.Batch.FirstSerial]
		if _, err := env.Store.RotateKey(st.As(f.Operator)); err != nil {
			t.Fatal(err)
		}
		_, second := st.ExportCodes(t, env.Store, f.Operator, f.Batch.ID)
		newer := second[f.Batch.FirstSerial]

		// A key file beside keys in the database is refused.
		_, err := env.OpenAgain(sqlstore.WithKeys(newKeySet(t)))
		if passnum.ErrorReason(err) != "keys-in-database" || !strings.Contains(passnum.ErrorMessage(err), "passnum keys move") {
			t.Fatalf("file beside database keys: %v", err)
		}

		if _, err := env.Store.MoveKeys(st.As(st.Actor(f.Prescriber, passnum.RoleAdmin)), func(*keyset.Set) error { return nil }); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Errorf("a prescriber moves the keys: %v", err)
		}
		// The file fails to be written: nothing leaves the database.
		if _, err := env.Store.MoveKeys(st.As(f.Operator), func(*keyset.Set) error { return os.ErrPermission }); err == nil {
			t.Fatal("move with a failed write")
		}
		if got := ids(t, env.Store, `SELECT id FROM signing_keys ORDER BY id`); got != "k1,k2" {
			t.Fatalf("after a failed move, the database has %s", got)
		}
		var written *keyset.Set
		moved, err := env.Store.MoveKeys(st.As(f.Operator), func(s *keyset.Set) error {
			s.Source = "fichier de clés moved.json"
			written = s
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var states []string
		for _, k := range moved.Sorted() {
			states = append(states, k.ID+"="+string(k.State)+map[bool]string{true: "+secret", false: ""}[k.Secret != nil])
		}
		if got := strings.Join(states, " "); got != "k2=active+secret k1=retired s1=active+secret" {
			t.Errorf("moved keys: %s", got)
		}
		if got := ids(t, env.Store, `SELECT id FROM signing_keys`) + ids(t, env.Store, `SELECT id FROM sealing_keys`); got != "" {
			t.Errorf("the database still keeps %s", got)
		}
		if got := ids(t, env.Store, `SELECT id FROM keys_moved ORDER BY kind DESC, id`); got != "k1,k2,s1" {
			t.Errorf("keys_moved: %s", got)
		}

		_, err = env.OpenAgain()
		if passnum.ErrorReason(err) != "keys-moved" || !strings.Contains(passnum.ErrorMessage(err), keyset.EnvFile) {
			t.Errorf("opened without the file after the move: %v", err)
		}
		_, err = env.OpenAgain(sqlstore.WithKeys(newKeySet(t)))
		if passnum.ErrorReason(err) != "keys-missing" {
			t.Errorf("opened with another file: %v", err)
		}

		s := reopen(t, env, sqlstore.WithKeys(written))
		for _, p := range []string{old, newer} {
			checks, err := s.Check(st.VenueCtx(f.Venue), passnum.CheckRequest{Codes: []string{p}, ServiceID: f.Service.ID})
			if err != nil || len(checks) != 1 || !checks[0].Usable {
				t.Fatalf("a pass printed before the move: %+v %v", checks, err)
			}
		}
		if _, err := s.MoveKeys(st.As(f.Operator), func(*keyset.Set) error { return nil }); passnum.ErrorReason(err) != "keys-outside" {
			t.Errorf("move from a file: %v", err)
		}
		if _, err := s.RotateKey(st.As(f.Operator)); passnum.ErrorReason(err) != "keys-outside" {
			t.Errorf("database rotation with a file: %v", err)
		}
	})
}

// TestTOTPSeedsSealed: a TOTP seed is stored sealed with the sealing key,
// never in clear; a seed stored in clear before migration 0022 is sealed
// when the store opens and still proves codes; after a rotation of the
// sealing key, seeds are sealed again with the new one; a seed sealed
// with a key the file lacks stops the store from opening.
func TestTOTPSeedsSealed(t *testing.T) {
	set := newKeySet(t)
	opts := []sqlstore.Option{sqlstore.WithKeys(set), sqlstore.WithSecondFactor(passnum.SecondFactorAdmins)}
	eachWith(t, opts, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 1, CarnetSize: 2})
		admin := newUser(t, env, f, "olivia@example.org", "Olivia", mustOrg(t, env, f, f.Operator.OrgID), passnum.RoleAdmin)
		seed, _, _ := enrolTOTP(t, env, admin.Email)
		stored := ids(t, env.Store, `SELECT totp_secret FROM second_factors`)
		if stored == "" || strings.Contains(stored, seed) || ids(t, env.Store, `SELECT totp_key_id FROM second_factors`) != "s1" {
			t.Fatalf("stored %q for seed %q", stored, seed)
		}
		signIn := func(s *sqlstore.Store) error {
			pending, _, err := s.Login(context.Background(), admin.Email, password)
			if err != nil {
				return err
			}
			env.Clock.Advance(31e9) // a new time step: a code is accepted once
			_, err = s.VerifySecondFactor(context.Background(), pending, totpCode(t, seed, env.Clock.Now()))
			return err
		}

		// As a database migrated from before sealing: the seed in clear.
		if err := sqlstore.ExecRaw(env.Store, `UPDATE second_factors SET totp_secret = ?, totp_key_id = NULL`, seed); err != nil {
			t.Fatal(err)
		}
		s := reopen(t, env, opts...)
		if got := ids(t, s, `SELECT totp_key_id FROM second_factors`); got != "s1" || strings.Contains(ids(t, s, `SELECT totp_secret FROM second_factors`), seed) {
			t.Errorf("a seed in clear is not sealed on opening: key %q", got)
		}
		if err := signIn(s); err != nil {
			t.Errorf("sign in with a seed sealed on opening: %v", err)
		}

		rotated := newKeySetCopy(t, set)
		if _, _, err := rotated.Rotate(keyset.Sealing, st.Start, rand.Reader); err != nil {
			t.Fatal(err)
		}
		s2 := reopen(t, env, sqlstore.WithKeys(rotated), opts[1])
		if got := ids(t, s2, `SELECT totp_key_id FROM second_factors`); got != "s2" {
			t.Errorf("after rotation, sealed with %q", got)
		}
		if n, err := s2.SealedSeeds(context.Background()); err != nil || n["s1"] != 0 || n["s2"] != 1 {
			t.Errorf("sealed seeds: %v %v", n, err)
		}
		if err := signIn(s2); err != nil {
			t.Errorf("sign in after rotation: %v", err)
		}

		// s2 gone from the file while it seals a seed: refused.
		_, err := env.OpenAgain(sqlstore.WithKeys(set), opts[1])
		if err == nil || !strings.Contains(err.Error(), "s2") {
			t.Errorf("opened without the key that seals a seed: %v", err)
		}
	})
}

// TestTOTPSeedsSealedInDatabaseMode: the demo's and development's keys
// seal the seeds too, so that moving the keys to a file protects them
// without a second migration.
func TestTOTPSeedsSealedInDatabaseMode(t *testing.T) {
	eachRequiring(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 1, CarnetSize: 2})
		admin := newUser(t, env, f, "olivia@example.org", "Olivia", mustOrg(t, env, f, f.Operator.OrgID), passnum.RoleAdmin)
		seed, _, _ := enrolTOTP(t, env, admin.Email)
		if stored := ids(t, env.Store, `SELECT totp_secret FROM second_factors`); strings.Contains(stored, seed) || ids(t, env.Store, `SELECT totp_key_id FROM second_factors`) != "s1" {
			t.Errorf("stored %q for seed %q", stored, seed)
		}
	})
}
