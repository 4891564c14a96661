package keyset

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// ErrUnknownSealingKey reports a value sealed with a key the set does not
// hold (removed from the file too early).
var ErrUnknownSealingKey = errors.New("keyset: unknown sealing key")

// Sealer encrypts secrets the database keeps (AES-256-GCM): the active
// sealing key seals, every sealing key of the set opens. The key's id is
// stored beside the sealed value, so that the keys can rotate. A Sealer is
// safe for concurrent use.
type Sealer struct {
	active string
	aeads  map[string]cipher.AEAD
}

// Sealer returns the sealing keys of the set as a Sealer.
func (s *Set) Sealer() (*Sealer, error) {
	active, ok := s.Active(Sealing)
	if !ok {
		return nil, invalid(s.Source, "aucune clé de chiffrement active")
	}
	out := &Sealer{active: active.ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range s.of(Sealing) {
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("sealing key %s: %w", k.ID, err)
		}
		if out.aeads[k.ID], err = cipher.NewGCM(block); err != nil {
			return nil, fmt.Errorf("sealing key %s: %w", k.ID, err)
		}
	}
	return out, nil
}

// ActiveID returns the id of the key that seals.
func (s *Sealer) ActiveID() string { return s.active }

// Seal encrypts plaintext with the active key, bound to context (what the
// value is and whose: a value moved to another record does not open). It
// returns the key's id and base64 of the random nonce and the ciphertext.
func (s *Sealer) Seal(plaintext, context []byte) (keyID, sealed string, err error) {
	aead := s.aeads[s.active]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", "", err
	}
	return s.active, base64.StdEncoding.EncodeToString(aead.Seal(nonce, nonce, plaintext, context)), nil
}

// Open decrypts what Seal returned, with the key keyID.
func (s *Sealer) Open(keyID, sealed string, context []byte) ([]byte, error) {
	aead, ok := s.aeads[keyID]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownSealingKey, keyID)
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("keyset: sealed value malformed")
	}
	out, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], context)
	if err != nil {
		return nil, fmt.Errorf("keyset: sealed value does not open with key %q (altered, or moved from another record)", keyID)
	}
	return out, nil
}
