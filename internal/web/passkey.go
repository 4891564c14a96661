package web

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/passnum/passnum"
)

// Passkeys (WebAuthn), where the browser has them: a person adds one from
// their security page, and a session waiting for its second factor proves
// it with one. The browser's side is static/passkey.js; the ceremonies are
// JSON exchanges on the session (CSRF token in a header), whose state the
// store keeps on the session row, and whose answers go-webauthn verifies
// here before the store records them.

// newRelyingParty is the WebAuthn relying party of the base address: a
// passkey is bound to the host people type. An address WebAuthn does not
// accept (an IP address) leaves passkeys off; TOTP works everywhere.
func newRelyingParty(base *url.URL) *webauthn.WebAuthn {
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          base.Hostname(),
		RPDisplayName: "Pass numérique",
		RPOrigins:     []string{base.Scheme + "://" + base.Host},
	})
	if err != nil {
		return nil
	}
	return wa
}

// passkeyUser is an account as go-webauthn sees it.
type passkeyUser struct {
	acc   *passnum.PasskeyAccount
	creds []webauthn.Credential
}

func newPasskeyUser(acc *passnum.PasskeyAccount) (*passkeyUser, error) {
	u := &passkeyUser{acc: acc}
	for _, raw := range acc.Credentials {
		var c webauthn.Credential
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		u.creds = append(u.creds, c)
	}
	return u, nil
}

// WebAuthnID is the account's handle: its number, which says nothing
// about the person.
func (u *passkeyUser) WebAuthnID() []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(u.acc.UserID))
}
func (u *passkeyUser) WebAuthnName() string                       { return u.acc.Email }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.acc.Name }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// passkeyAnswer is what the ceremonies answer the script.
type passkeyAnswer struct {
	Next          string   `json:"next,omitempty"`
	Message       string   `json:"message,omitempty"`
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
}

// passkeyCeremony reads what a ceremony needs: the relying party, the
// account and its challenge in progress.
// The challenge comes back as stored, for the store to consume.
func (s *Server) passkeyCeremony(r *http.Request) (*passkeyUser, *webauthn.SessionData, []byte, error) {
	if s.passkeys == nil {
		return nil, nil, nil, passnum.Errorf(passnum.ECONFLICT, passnum.ECONFLICT, "Les clés d'accès ne sont pas possibles à cette adresse : utilisez une application d'authentification.")
	}
	acc, err := s.svc.PasskeyAccount(r.Context(), visitorFrom(r).secret)
	if err != nil {
		return nil, nil, nil, err
	}
	u, err := newPasskeyUser(acc)
	if err != nil {
		return nil, nil, nil, err
	}
	var sd *webauthn.SessionData
	if len(acc.Challenge) > 0 {
		sd = &webauthn.SessionData{}
		if err := json.Unmarshal(acc.Challenge, sd); err != nil {
			return nil, nil, nil, err
		}
	}
	return u, sd, acc.Challenge, nil
}

// passkeyRefused answers the script that the browser's answer did not
// prove the second factor.
func passkeyRefused(w http.ResponseWriter, message string) error {
	return writeJSON(w, http.StatusUnauthorized, passkeyAnswer{Message: message})
}

// passkeyUnusable answers the script that the request cannot be done as
// it is (an expired ceremony, an unreadable answer, no passkey).
func passkeyUnusable(w http.ResponseWriter, status int, message string) error {
	return writeJSON(w, status, passkeyAnswer{Message: message})
}

func (s *Server) passkeyRegisterOptions(w http.ResponseWriter, r *http.Request) error {
	u, _, _, err := s.passkeyCeremony(r)
	if err != nil {
		return err
	}
	exclude := make([]protocol.CredentialDescriptor, len(u.creds))
	for i := range u.creds {
		exclude[i] = u.creds[i].Descriptor()
	}
	creation, session, err := s.passkeys.BeginRegistration(u, webauthn.WithExclusions(exclude),
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementDiscouraged))
	if err != nil {
		return err
	}
	state, err := json.Marshal(session)
	if err != nil {
		return err
	}
	if err := s.svc.SetPasskeyChallenge(r.Context(), visitorFrom(r).secret, state); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, creation)
}

func (s *Server) passkeyRegister(w http.ResponseWriter, r *http.Request) error {
	u, session, state, err := s.passkeyCeremony(r)
	if err != nil {
		return err
	}
	if session == nil {
		return passkeyUnusable(w, http.StatusConflict, "Cette demande a expiré : recommencez l'ajout de la clé.")
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(r.Body)
	if err != nil {
		return passkeyUnusable(w, http.StatusBadRequest, "La réponse du navigateur est illisible : recommencez l'ajout de la clé.")
	}
	cred, err := s.passkeys.CreateCredential(u, *session, parsed)
	if err != nil {
		s.log.InfoContext(r.Context(), "passkey registration refused", "user", u.acc.UserID, "err", err)
		return passkeyUnusable(w, http.StatusBadRequest, "La clé n'a pas pu être vérifiée : recommencez l'ajout.")
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	proof, err := s.svc.AddPasskey(r.Context(), visitorFrom(r).secret, state, r.URL.Query().Get("nom"),
		base64.RawURLEncoding.EncodeToString(cred.ID), raw)
	if err != nil {
		if code := passnum.ErrorCode(err); code == passnum.EINVALID || code == passnum.ECONFLICT {
			return writeJSON(w, errStatus(err), passkeyAnswer{Message: passnum.ErrorMessage(err)})
		}
		return err
	}
	s.sessionProven(w, r, proof)
	answer := passkeyAnswer{Next: "/compte/second-facteur", Message: "Votre clé d'accès est ajoutée."}
	for _, c := range proof.RecoveryCodes {
		answer.RecoveryCodes = append(answer.RecoveryCodes, passnum.FormatRecoveryCode(c))
	}
	if len(answer.RecoveryCodes) == 0 {
		s.setFlash(w, "success", answer.Message)
	}
	return writeJSON(w, http.StatusOK, answer)
}

func (s *Server) passkeyLoginOptions(w http.ResponseWriter, r *http.Request) error {
	if visitorFrom(r).LoggedIn() {
		return passkeyUnusable(w, http.StatusConflict, "Votre connexion est déjà complète.")
	}
	u, _, _, err := s.passkeyCeremony(r)
	if err != nil {
		return err
	}
	if len(u.creds) == 0 {
		return passkeyUnusable(w, http.StatusConflict, "Vous n'avez pas de clé d'accès : utilisez un code.")
	}
	assertion, session, err := s.passkeys.BeginLogin(u)
	if err != nil {
		return err
	}
	state, err := json.Marshal(session)
	if err != nil {
		return err
	}
	if err := s.svc.SetPasskeyChallenge(r.Context(), visitorFrom(r).secret, state); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, assertion)
}

func (s *Server) passkeyLogin(w http.ResponseWriter, r *http.Request) error {
	v := visitorFrom(r)
	next := safeNext(r.URL.Query().Get("suite"))
	if v.LoggedIn() {
		if next == "" {
			next = homePath(v.Info.Actor.OrgKind)
		}
		return writeJSON(w, http.StatusOK, passkeyAnswer{Next: next})
	}
	user := v.pending.User.ID
	if _, blocked, err := s.secondFactorBlocked(r, user); err != nil {
		return err
	} else if blocked {
		return writeJSON(w, http.StatusTooManyRequests, passkeyAnswer{Message: "Trop d'essais erronés : réessayez dans un quart d'heure."})
	}
	u, session, state, err := s.passkeyCeremony(r)
	if err != nil {
		return err
	}
	if session == nil {
		return passkeyUnusable(w, http.StatusConflict, "Cette demande a expiré : recommencez.")
	}
	fail := func(why string) error {
		if err := s.secondFactorFailed(r, user); err != nil {
			return err
		}
		if err := s.svc.RecordSecondFactorFailure(r.Context(), v.secret, "passkey: "+why); err != nil {
			return err
		}
		return passkeyRefused(w, "La clé d'accès n'a pas été reconnue : réessayez, ou utilisez un code.")
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(r.Body)
	if err != nil {
		return fail("unreadable answer")
	}
	cred, err := s.passkeys.ValidateLogin(u, *session, parsed)
	if err != nil {
		s.log.InfoContext(r.Context(), "passkey assertion refused", "user", user, "err", err)
		return fail("assertion refused")
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	proof, err := s.svc.ProvePasskey(r.Context(), v.secret, state, base64.RawURLEncoding.EncodeToString(cred.ID), raw)
	if err != nil {
		if passnum.ErrorReason(err) == passnum.ReasonSecondFactorInvalid {
			return fail("credential unknown or challenge spent")
		}
		return err
	}
	s.sessionProven(w, r, proof)
	if next == "" {
		next = homePath(proof.Info.Actor.OrgKind)
	}
	return writeJSON(w, http.StatusOK, passkeyAnswer{Next: next})
}
