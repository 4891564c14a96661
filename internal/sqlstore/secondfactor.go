package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/passnum/passnum"
)

// WithSecondFactor sets whose sign-in waits for a second factor; nobody's
// by default (passnum.SecondFactorPolicy's zero value).
func WithSecondFactor(p passnum.SecondFactorPolicy) Option {
	return func(s *Store) { s.secondFactor = p }
}

// TOTP as every authenticator application takes it (RFC 6238's defaults):
// 6 digits, 30-second steps, SHA-1; one step of drift either way is
// accepted, for phones whose clock is a little off.
const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
	totpDrift  = 1
	// totpEnrolmentLifetime is how long a seed waits for its first code.
	totpEnrolmentLifetime = 15 * time.Minute
	// issuer names the service in authenticator applications.
	totpIssuer = "passnum"
)

// recoveryAlphabet leaves out the letters and digits people confuse
// (0/o, 1/l/i); 16 characters of its 32 are 80 random bits.
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

const recoveryLength = 16

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// confirmedFactors counts the second factors of an account.
func (t *tx) confirmedFactors(userID int64) (int, error) {
	var n int
	err := t.get(&n, `SELECT COUNT(*) FROM second_factors WHERE user_id = ? AND confirmed_at IS NOT NULL`, userID)
	return n, wrapf(err, "second factors of user %d", userID)
}

func errBadSecondFactor() error {
	return passnum.Errorf(passnum.EUNAUTHORIZED, passnum.ReasonSecondFactorInvalid,
		"Ce code n'est pas valable : il est incorrect, a déjà servi ou a expiré. Tapez le code affiché maintenant par votre application, ou un code de secours.")
}

// enrolSession returns the session behind secret, if it may add a second
// factor: a complete session, or one waiting for a factor that its person
// must have and does not have yet (enrolment is then the only way in).
func (s *Store) enrolSession(tx *tx, secret string) (*passnum.SessionInfo, error) {
	info, err := tx.anySession(secret)
	if err != nil {
		return nil, err
	}
	if info.Session.SecondFactorPending {
		n, err := tx.confirmedFactors(info.User.ID)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			// Proving the factor comes first: adding another one with
			// a password alone would be a way round it.
			return nil, errSecondFactorPending()
		}
	}
	tx.actor = info.Actor
	return info, nil
}

// completeSession ends the wait of a pending session: it gets a new
// secret (one seen before the proof is worth nothing) and a working day
// of life.
func (t *tx) completeSession(info *passnum.SessionInfo) (string, *passnum.SessionInfo, error) {
	raw, err := randomSecret()
	if err != nil {
		return "", nil, err
	}
	secret := sessionPrefix + raw
	expires := t.now.Add(passnum.SessionLifetime)
	n, err := t.execN(`UPDATE sessions SET secret_hash = ?, second_factor_pending = 0, webauthn_challenge = NULL, expires_at = ?
		WHERE id = ? AND second_factor_pending = 1`, hashToken(secret), passnum.FormatTime(expires), info.Session.ID)
	if err != nil {
		return "", nil, fmt.Errorf("session %d: %w", info.Session.ID, err)
	}
	if n != 1 {
		return "", nil, errSessionExpired()
	}
	sess := *info.Session
	sess.SecondFactorPending, sess.ExpiresAt = false, storedInstant(expires)
	return secret, &passnum.SessionInfo{Session: &sess, User: info.User, Actor: info.Actor}, nil
}

// SecondFactorStatus tells what second factors the person of a session
// has, whether they must have one and whether the session waits for it.
func (s *Store) SecondFactorStatus(ctx context.Context, secret string) (*passnum.SecondFactorStatus, error) {
	var out *passnum.SecondFactorStatus
	err := s.read(ctx, func(tx *tx) error {
		info, err := tx.anySession(secret)
		if err != nil {
			return err
		}
		st := &passnum.SecondFactorStatus{Required: s.secondFactor.Requires(info.User), Pending: info.Session.SecondFactorPending}
		st.Factors, err = selectAll(tx, func(sc scanner) (passnum.SecondFactor, error) {
			var f passnum.SecondFactor
			var created string
			var used sql.NullString
			if err := sc.Scan(&f.ID, &f.Kind, &f.Label, &created, &used); err != nil {
				return f, err
			}
			in := instants{table: "second_factors", id: f.ID}
			f.CreatedAt, f.LastUsedAt = in.at("created_at", created), in.optional("last_used_at", used)
			return f, in.err
		}, `SELECT id, kind, label, created_at, last_used_at FROM second_factors
			WHERE user_id = ? AND confirmed_at IS NOT NULL ORDER BY id`, info.User.ID)
		if err != nil {
			return err
		}
		if err := tx.get(&st.RecoveryCodesLeft, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, info.User.ID); err != nil {
			return err
		}
		out = st
		return nil
	})
	return out, wrapf(err, "second factor status")
}

// BeginTOTP returns the TOTP seed of the person that waits for its first
// code, creating it if there is none (or the last one is too old). The
// same seed comes back until it is confirmed, so that a page reloaded or
// a code mistyped does not make the person scan again.
func (s *Store) BeginTOTP(ctx context.Context, secret string) (*passnum.TOTPEnrolment, error) {
	var out *passnum.TOTPEnrolment
	err := s.write(ctx, "begin totp", func(tx *tx) error {
		info, err := s.enrolSession(tx, secret)
		if err != nil {
			return err
		}
		var seed, stored string
		var keyID sql.NullString
		err = tx.row(`SELECT totp_secret, totp_key_id FROM second_factors
			WHERE user_id = ? AND kind = ? AND confirmed_at IS NULL AND created_at > ? ORDER BY id DESC LIMIT 1`,
			info.User.ID, passnum.FactorTOTP, passnum.FormatTime(tx.now.Add(-totpEnrolmentLifetime))).Scan(&stored, &keyID)
		if err == nil {
			seed, err = s.openSeed(info.User.ID, keyID.String, stored)
		}
		if errors.Is(err, sql.ErrNoRows) {
			// Seeds never confirmed are of no use: one waits at a time.
			if err := tx.exec(`DELETE FROM second_factors WHERE user_id = ? AND confirmed_at IS NULL`, info.User.ID); err != nil {
				return err
			}
			key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: info.User.Email, Period: totpPeriod, Digits: totpDigits, SecretSize: 20})
			if err != nil {
				return fmt.Errorf("totp seed: %w", err)
			}
			seed = key.Secret()
			// The seed is sealed: the server needs it back to compute
			// codes, so it cannot be hashed as tokens are, and a copy of
			// the database alone must not give it.
			kid, sealed, err := s.sealSeed(info.User.ID, seed)
			if err != nil {
				return err
			}
			if _, err := tx.insert(`INSERT INTO second_factors (user_id, kind, label, totp_secret, totp_key_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				info.User.ID, passnum.FactorTOTP, passnum.FactorTOTP.Label(), sealed, kid, tx.nowText()); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		out = &passnum.TOTPEnrolment{Secret: seed, URL: totpURL(seed, info.User.Email)}
		return nil
	})
	return out, wrapf(err, "begin totp")
}

// totpURL is the otpauth:// address of a seed (the format of Google
// Authenticator's "Key Uri Format", which every application reads): the
// QR code's content.
func totpURL(seed, account string) string {
	q := url.Values{"secret": {seed}, "issuer": {totpIssuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {fmt.Sprint(totpPeriod)}}
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + totpIssuer + ":" + account, RawQuery: q.Encode()}
	return u.String()
}

// matchTOTP returns the time step whose code is code, among the steps
// around now that come after last (a step accepted once is never
// accepted again), and whether one matched.
func matchTOTP(seed, code string, now time.Time, last int64) (int64, bool) {
	if len(code) != totpDigits.Length() {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	for d := int64(-totpDrift); d <= totpDrift; d++ {
		st := step + d
		if st <= last {
			continue
		}
		want, err := totp.GenerateCodeCustom(seed, time.Unix(st*totpPeriod, 0), totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st, true
		}
	}
	return 0, false
}

// digitsOnly removes the spaces people type in the middle of a code.
func digitsOnly(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(code))
}

// newRecoveryCodes returns RecoveryCodeCount random codes.
func newRecoveryCodes() ([]string, error) {
	out := make([]string, passnum.RecoveryCodeCount)
	for i := range out {
		raw := make([]byte, recoveryLength)
		if _, err := rand.Read(raw); err != nil {
			return nil, err
		}
		for j, b := range raw {
			raw[j] = recoveryAlphabet[int(b)%len(recoveryAlphabet)]
		}
		out[i] = string(raw)
	}
	return out, nil
}

// enrolled records what every new factor brings: recovery codes when the
// person has none left, the audit line, the message to the person, and the
// end of the wait of a pending session.
func (t *tx) enrolled(info *passnum.SessionInfo, factorID int64, kind passnum.SecondFactorKind) (*passnum.SecondFactorProof, error) {
	proof := &passnum.SecondFactorProof{Info: info}
	var left int
	if err := t.get(&left, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, info.User.ID); err != nil {
		return nil, err
	}
	if left == 0 {
		codes, err := newRecoveryCodes()
		if err != nil {
			return nil, err
		}
		if err := t.exec(`DELETE FROM recovery_codes WHERE user_id = ?`, info.User.ID); err != nil {
			return nil, err
		}
		for _, c := range codes {
			if err := t.exec(`INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)`, info.User.ID, hashToken(c), t.nowText()); err != nil {
				return nil, err
			}
		}
		proof.RecoveryCodes = codes
	}
	if err := t.audit("second_factor.enrol", fmt.Sprintf("user:%d", info.User.ID), fmt.Sprintf("second_factor:%d %s", factorID, kind)); err != nil {
		return nil, err
	}
	if err := t.queueMail(mail{Kind: passnum.MailSecurity, UserID: info.User.ID, To: info.User.Email,
		Subject: "Un second facteur a été ajouté à votre compte passnum",
		Body: securityBody(info.User.Name, fmt.Sprintf("Un second facteur (%s) a été ajouté à votre compte passnum le %s.",
			strings.ToLower(kind.Label()), passnum.FrenchDateTime(t.now)))}); err != nil {
		return nil, err
	}
	if info.Session.SecondFactorPending {
		secret, done, err := t.completeSession(info)
		if err != nil {
			return nil, err
		}
		proof.Secret, proof.Info = secret, done
	}
	return proof, nil
}

// securityBody is the text of a MailSecurity message.
func securityBody(name, what string) string {
	return fmt.Sprintf(`Bonjour %s,

%s

Si c'est bien vous, il n'y a rien à faire.
Sinon, prévenez sans attendre l'administrateur de votre structure : il peut réinitialiser votre second facteur et fermer vos sessions.

L'équipe passnum
`, name, what)
}

// ConfirmTOTP checks the first code of the seed BeginTOTP gave and makes
// it a factor. A pending session that had to enrol is complete then.
func (s *Store) ConfirmTOTP(ctx context.Context, secret, code string) (*passnum.SecondFactorProof, error) {
	code = digitsOnly(code)
	var out *passnum.SecondFactorProof
	err := s.write(ctx, "confirm totp", func(tx *tx) error {
		info, err := s.enrolSession(tx, secret)
		if err != nil {
			return err
		}
		var id int64
		var stored string
		var keyID sql.NullString
		err = tx.row(`SELECT id, totp_secret, totp_key_id FROM second_factors
			WHERE user_id = ? AND kind = ? AND confirmed_at IS NULL AND created_at > ? ORDER BY id DESC LIMIT 1`,
			info.User.ID, passnum.FactorTOTP, passnum.FormatTime(tx.now.Add(-totpEnrolmentLifetime))).Scan(&id, &stored, &keyID)
		if errors.Is(err, sql.ErrNoRows) {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonSecondFactorInvalid,
				"Cet ajout a expiré : recommencez depuis la page « Second facteur » et scannez le nouveau QR code.")
		} else if err != nil {
			return err
		}
		seed, err := s.openSeed(info.User.ID, keyID.String, stored)
		if err != nil {
			return fmt.Errorf("second factor %d: %w", id, err)
		}
		step, ok := matchTOTP(seed, code, tx.now, 0)
		if !ok {
			return &passnum.Error{Code: passnum.EINVALID, Reason: passnum.ReasonSecondFactorInvalid, Field: "code",
				Message: "Ce code ne correspond pas : tapez les 6 chiffres affichés maintenant par votre application (vérifiez que l'heure de votre téléphone est juste)."}
		}
		if err := tx.exec(`UPDATE second_factors SET confirmed_at = ?, last_used_at = ?, totp_step = ? WHERE id = ?`,
			tx.nowText(), tx.nowText(), step, id); err != nil {
			return err
		}
		out, err = tx.enrolled(info, id, passnum.FactorTOTP)
		return err
	})
	return out, wrapf(err, "confirm totp")
}

// VerifySecondFactor proves a pending session with a code of one of the
// person's TOTP factors or with one of their recovery codes; each is
// accepted once. A failure is recorded in the audit trail (and the
// transaction commits it) before it is returned.
func (s *Store) VerifySecondFactor(ctx context.Context, secret, code string) (*passnum.SecondFactorProof, error) {
	code = digitsOnly(code)
	var out *passnum.SecondFactorProof
	var failed error
	err := s.write(ctx, "verify second factor", func(tx *tx) error {
		out, failed = nil, nil
		info, err := tx.anySession(secret)
		if err != nil {
			return err
		}
		tx.actor = info.Actor
		if !info.Session.SecondFactorPending {
			out = &passnum.SecondFactorProof{Info: info}
			return nil
		}
		how, err := tx.proveCode(info.User.ID, code)
		if err != nil {
			return err
		}
		object := fmt.Sprintf("user:%d", info.User.ID)
		if how == "" {
			failed = errBadSecondFactor()
			return tx.audit("second_factor.failure", object, fmt.Sprintf("session:%d code", info.Session.ID))
		}
		if err := tx.audit("second_factor.success", object, fmt.Sprintf("session:%d %s", info.Session.ID, how)); err != nil {
			return err
		}
		secret, done, err := tx.completeSession(info)
		if err != nil {
			return err
		}
		out = &passnum.SecondFactorProof{Secret: secret, Info: done}
		return nil
	})
	if err == nil {
		err = failed
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// proveCode spends a TOTP code (its time step) or a recovery code of the
// person and says which ("" when neither matched). The updates are
// conditional, so that of two requests spending the same code at once,
// one does.
func (t *tx) proveCode(userID int64, code string) (string, error) {
	if code == "" || len(code) > 64 {
		return "", nil
	}
	type seed struct {
		id     int64
		stored string
		keyID  sql.NullString
		step   int64
	}
	seeds, err := selectAll(t, func(sc scanner) (seed, error) {
		var s seed
		return s, sc.Scan(&s.id, &s.stored, &s.keyID, &s.step)
	}, `SELECT id, totp_secret, totp_key_id, totp_step FROM second_factors WHERE user_id = ? AND kind = ? AND confirmed_at IS NOT NULL ORDER BY id`,
		userID, passnum.FactorTOTP)
	if err != nil {
		return "", err
	}
	for _, sd := range seeds {
		plain, err := t.s.openSeed(userID, sd.keyID.String, sd.stored)
		if err != nil {
			return "", fmt.Errorf("second factor %d: %w", sd.id, err)
		}
		step, ok := matchTOTP(plain, code, t.now, sd.step)
		if !ok {
			continue
		}
		n, err := t.execN(`UPDATE second_factors SET totp_step = ?, last_used_at = ? WHERE id = ? AND totp_step < ?`, step, t.nowText(), sd.id, step)
		if err != nil {
			return "", err
		}
		if n == 1 {
			return fmt.Sprintf("totp second_factor:%d", sd.id), nil
		}
	}
	n, err := t.execN(`UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
		t.nowText(), userID, hashToken(passnum.NormaliseRecoveryCode(code)))
	if err != nil || n != 1 {
		return "", err
	}
	var left int
	if err := t.get(&left, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID); err != nil {
		return "", err
	}
	return fmt.Sprintf("recovery code, %d left", left), nil
}

// RecordSecondFactorFailure records in the audit trail a second factor
// that a pending session failed to prove outside the store (a passkey
// assertion the caller refused).
func (s *Store) RecordSecondFactorFailure(ctx context.Context, secret, how string) error {
	return s.write(ctx, "second factor failure", func(tx *tx) error {
		info, err := tx.anySession(secret)
		if err != nil {
			return err
		}
		tx.actor = info.Actor
		return tx.audit("second_factor.failure", fmt.Sprintf("user:%d", info.User.ID), fmt.Sprintf("session:%d %s", info.Session.ID, how))
	})
}

// RemoveSecondFactor removes one of the person's own factors. The last one
// of a person who must have one stays: they add another first. With the
// last factor go the recovery codes.
func (s *Store) RemoveSecondFactor(ctx context.Context, secret string, id int64) error {
	return wrapf(s.write(ctx, "remove second factor", func(tx *tx) error {
		info, err := tx.session(secret)
		if err != nil {
			return err
		}
		tx.actor = info.Actor
		var kind passnum.SecondFactorKind
		err = tx.row(`SELECT kind FROM second_factors WHERE id = ? AND user_id = ? AND confirmed_at IS NOT NULL`, id, info.User.ID).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("second factor", id)
		} else if err != nil {
			return err
		}
		n, err := tx.confirmedFactors(info.User.ID)
		if err != nil {
			return err
		}
		if n == 1 && s.secondFactor.Requires(info.User) {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonForbidden,
				"Votre rôle exige un second facteur : ajoutez-en un autre avant de retirer celui-ci.")
		}
		if err := tx.exec(`DELETE FROM second_factors WHERE id = ?`, id); err != nil {
			return err
		}
		detail := fmt.Sprintf("second_factor:%d %s", id, kind)
		if n == 1 {
			if err := tx.exec(`DELETE FROM recovery_codes WHERE user_id = ?`, info.User.ID); err != nil {
				return err
			}
			detail += ", last one: recovery codes removed"
		}
		if err := tx.audit("second_factor.remove", fmt.Sprintf("user:%d", info.User.ID), detail); err != nil {
			return err
		}
		return tx.queueMail(mail{Kind: passnum.MailSecurity, UserID: info.User.ID, To: info.User.Email,
			Subject: "Un second facteur a été retiré de votre compte passnum",
			Body: securityBody(info.User.Name, fmt.Sprintf("Un second facteur (%s) a été retiré de votre compte passnum le %s.",
				strings.ToLower(kind.Label()), passnum.FrenchDateTime(tx.now)))})
	}), "remove second factor %d", id)
}

// ResetSecondFactor removes every second factor and recovery code of
// another person, who lost them: an administrator of the operator may do
// it for anyone, an administrator of an organisation for its members. The
// reason is mandatory and kept in the audit trail; the person's sessions
// end and a message tells them.
func (s *Store) ResetSecondFactor(ctx context.Context, userID int64, reason string) error {
	a := passnum.ActorFromContext(ctx)
	if a == nil {
		return passnum.Errorf(passnum.EUNAUTHORIZED, passnum.ReasonUnauthenticated, "Identifiez-vous pour réinitialiser un second facteur.")
	}
	if a.Role != passnum.RoleAdmin {
		return passnum.Errorf(passnum.EFORBIDDEN, passnum.ReasonForbidden, "Votre rôle (%s, %s) ne permet pas cette action : seul un administrateur réinitialise le second facteur d'une personne.", a.OrgKind.Label(), a.Role)
	}
	if a.UserID == userID {
		return passnum.Invalid("user", "Vous ne pouvez pas réinitialiser votre propre second facteur : demandez-le à un autre administrateur.")
	}
	reason = strings.TrimSpace(reason)
	if err := passnum.CheckText("reason", reason); err != nil {
		return err
	}
	if len([]rune(reason)) < passnum.MinResetReason || len(reason) > 1000 {
		return passnum.Invalid("reason", "Indiquez la raison de la réinitialisation (au moins %d caractères, par exemple « téléphone perdu, vérifié par appel le 3 mars »).", passnum.MinResetReason)
	}
	return wrapf(s.write(ctx, "reset second factor", func(tx *tx) error {
		u, err := tx.findUser(userID)
		if err != nil {
			return err
		}
		if _, member := membership(u, a.OrgID); a.OrgKind != passnum.KindOperator && !member {
			return notFound("user", userID) // another organisation's member: not even their existence
		}
		// A seed waiting for its first code is no factor: it goes, but
		// does not make a reset of someone who has none.
		factors, err := tx.confirmedFactors(userID)
		if err != nil {
			return err
		}
		if err := tx.exec(`DELETE FROM second_factors WHERE user_id = ?`, userID); err != nil {
			return err
		}
		if factors == 0 {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ECONFLICT, "%s n'a aucun second facteur à réinitialiser.", u.Name)
		}
		if err := tx.exec(`DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
			return err
		}
		ended, err := tx.execN(`DELETE FROM sessions WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		if err := tx.audit("second_factor.reset", fmt.Sprintf("user:%d", userID),
			fmt.Sprintf("%d factors removed, %d sessions ended; reason: %s", factors, ended, reason)); err != nil {
			return err
		}
		return tx.queueMail(mail{Kind: passnum.MailSecurity, UserID: userID, To: u.Email,
			Subject: "Le second facteur de votre compte passnum a été réinitialisé",
			Body: securityBody(u.Name, fmt.Sprintf("Un administrateur a réinitialisé le second facteur de votre compte passnum le %s, pour cette raison :\n\n  %s\n\nVos sessions ont été fermées. À votre prochaine connexion, ajoutez un nouveau second facteur depuis la page « Second facteur ».",
				passnum.FrenchDateTime(tx.now), reason))})
	}), "reset second factor of user %d", userID)
}

// PasskeyAccount returns what a WebAuthn ceremony needs of the person of a
// session (complete, or waiting for its second factor): their handle,
// names, registered passkeys and the challenge in progress.
func (s *Store) PasskeyAccount(ctx context.Context, secret string) (*passnum.PasskeyAccount, error) {
	var out *passnum.PasskeyAccount
	err := s.read(ctx, func(tx *tx) error {
		info, err := tx.anySession(secret)
		if err != nil {
			return err
		}
		acc := &passnum.PasskeyAccount{UserID: info.User.ID, Email: info.User.Email, Name: info.User.Name}
		creds, err := selectAll(tx, func(sc scanner) (string, error) {
			var c string
			return c, sc.Scan(&c)
		}, `SELECT credential FROM second_factors WHERE user_id = ? AND kind = ? AND confirmed_at IS NOT NULL ORDER BY id`, info.User.ID, passnum.FactorPasskey)
		if err != nil {
			return err
		}
		for _, c := range creds {
			acc.Credentials = append(acc.Credentials, []byte(c))
		}
		var challenge sql.NullString
		if err := tx.row(`SELECT webauthn_challenge FROM sessions WHERE id = ?`, info.Session.ID).Scan(&challenge); err != nil {
			return err
		}
		if challenge.Valid {
			acc.Challenge = []byte(challenge.String)
		}
		out = acc
		return nil
	})
	return out, wrapf(err, "passkey account")
}

// SetPasskeyChallenge keeps the state of a WebAuthn ceremony on the
// session, replacing any earlier one: the ceremony finishes on whichever
// server gets the browser's answer.
func (s *Store) SetPasskeyChallenge(ctx context.Context, secret string, challenge []byte) error {
	if len(challenge) > 8<<10 {
		return passnum.Invalid("challenge", "Cérémonie WebAuthn trop longue.")
	}
	return wrapf(s.write(ctx, "passkey challenge", func(tx *tx) error {
		info, err := tx.anySession(secret)
		if err != nil {
			return err
		}
		return tx.exec(`UPDATE sessions SET webauthn_challenge = ? WHERE id = ?`, string(challenge), info.Session.ID)
	}), "passkey challenge")
}

// consumeChallenge takes the session's ceremony state, which must be
// challenge: each ceremony finishes once.
func (t *tx) consumeChallenge(sessionID int64, challenge []byte) error {
	n, err := t.execN(`UPDATE sessions SET webauthn_challenge = NULL WHERE id = ? AND webauthn_challenge = ?`, sessionID, string(challenge))
	if err != nil {
		return err
	}
	if n != 1 {
		return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonSecondFactorInvalid,
			"Cette demande de clé d'accès a déjà servi ou a été remplacée : recommencez.")
	}
	return nil
}

// AddPasskey registers a passkey that the caller verified against the
// session's challenge, which it consumes.
func (s *Store) AddPasskey(ctx context.Context, secret string, challenge []byte, label, credentialID string, credential []byte) (*passnum.SecondFactorProof, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		label = passnum.FactorPasskey.Label()
	}
	if err := passnum.CheckLine("label", label); err != nil {
		return nil, err
	}
	if len([]rune(label)) > 60 {
		return nil, passnum.Invalid("label", "Nom de la clé trop long : 60 caractères au plus.")
	}
	var out *passnum.SecondFactorProof
	err := s.write(ctx, "add passkey", func(tx *tx) error {
		info, err := s.enrolSession(tx, secret)
		if err != nil {
			return err
		}
		if err := tx.consumeChallenge(info.Session.ID, challenge); err != nil {
			return err
		}
		var taken int
		if err := tx.get(&taken, `SELECT COUNT(*) FROM second_factors WHERE credential_id = ?`, credentialID); err != nil {
			return err
		}
		if taken > 0 {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ECONFLICT, "Cette clé d'accès est déjà enregistrée.")
		}
		id, err := tx.insert(`INSERT INTO second_factors (user_id, kind, label, credential_id, credential, created_at, confirmed_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			info.User.ID, passnum.FactorPasskey, label, credentialID, string(credential), tx.nowText(), tx.nowText(), tx.nowText())
		if err != nil {
			return err
		}
		out, err = tx.enrolled(info, id, passnum.FactorPasskey)
		return err
	})
	return out, wrapf(err, "add passkey")
}

// ProvePasskey records an assertion the caller verified against the
// session's challenge (consumed): the credential with its new signature
// counter replaces the stored one, and the pending session is complete.
func (s *Store) ProvePasskey(ctx context.Context, secret string, challenge []byte, credentialID string, credential []byte) (*passnum.SecondFactorProof, error) {
	var out *passnum.SecondFactorProof
	err := s.write(ctx, "prove passkey", func(tx *tx) error {
		info, err := tx.anySession(secret)
		if err != nil {
			return err
		}
		tx.actor = info.Actor
		if !info.Session.SecondFactorPending {
			out = &passnum.SecondFactorProof{Info: info}
			return nil
		}
		if err := tx.consumeChallenge(info.Session.ID, challenge); err != nil {
			return err
		}
		var id int64
		err = tx.row(`SELECT id FROM second_factors WHERE user_id = ? AND kind = ? AND credential_id = ? AND confirmed_at IS NOT NULL`,
			info.User.ID, passnum.FactorPasskey, credentialID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return errBadSecondFactor()
		} else if err != nil {
			return err
		}
		if err := tx.exec(`UPDATE second_factors SET credential = ?, last_used_at = ? WHERE id = ?`, string(credential), tx.nowText(), id); err != nil {
			return err
		}
		if err := tx.audit("second_factor.success", fmt.Sprintf("user:%d", info.User.ID), fmt.Sprintf("session:%d passkey second_factor:%d", info.Session.ID, id)); err != nil {
			return err
		}
		secret, done, err := tx.completeSession(info)
		if err != nil {
			return err
		}
		out = &passnum.SecondFactorProof{Secret: secret, Info: done}
		return nil
	})
	return out, wrapf(err, "prove passkey")
}
