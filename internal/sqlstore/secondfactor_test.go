package sqlstore_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// eachRequiring runs f on both stores, opened with the policy that
// requires a second factor of the operator's and funders' administrators.
func eachRequiring(t *testing.T, f func(t *testing.T, env *st.Env)) {
	t.Helper()
	opt := sqlstore.WithSecondFactor(passnum.SecondFactorAdmins)
	t.Run("sqlite", func(t *testing.T) { f(t, st.OpenSQLite(t, opt)) })
	if os.Getenv(st.PostgresEnv) != "" {
		t.Run("postgres", func(t *testing.T) { f(t, st.OpenPostgres(t, opt)) })
	}
}

// totpCode is the code an authenticator application shows at now.
func totpCode(t *testing.T, seed string, now time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(seed, now, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantReason fails unless err has code and reason.
func wantReason(t *testing.T, err error, code, reason string) {
	t.Helper()
	if passnum.ErrorCode(err) != code || passnum.ErrorReason(err) != reason {
		t.Fatalf("got %v (%s/%s), want %s/%s", err, passnum.ErrorCode(err), passnum.ErrorReason(err), code, reason)
	}
}

// enrolTOTP signs in as email, enrols a TOTP application and returns its
// seed, the recovery codes and the complete session's secret.
func enrolTOTP(t *testing.T, env *st.Env, email string) (seed string, codes []string, secret string) {
	t.Helper()
	ctx := context.Background()
	secret, _, err := env.Store.Login(ctx, email, password)
	if err != nil {
		t.Fatal(err)
	}
	e, err := env.Store.BeginTOTP(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := env.Store.ConfirmTOTP(ctx, secret, totpCode(t, e.Secret, env.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if proof.Secret != "" {
		secret = proof.Secret
	}
	return e.Secret, proof.RecoveryCodes, secret
}

func TestSecondFactorTOTP(t *testing.T) {
	eachRequiring(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s, ctx := env.Store, context.Background()
		admin := newUser(t, env, f, "olivia@example.org", "Olivia", mustOrg(t, env, f, f.Operator.OrgID), passnum.RoleAdmin)

		// The password opens a session that waits, acts for nobody and
		// lives ten minutes.
		pending, info, err := s.Login(ctx, admin.Email, password)
		if err != nil {
			t.Fatal(err)
		}
		if !info.Session.SecondFactorPending || !info.Session.ExpiresAt.Equal(env.Clock.Now().Add(passnum.SecondFactorStepLifetime)) {
			t.Fatalf("session %+v: want pending, expiring in %s", info.Session, passnum.SecondFactorStepLifetime)
		}
		_, err = s.SwitchOrganisation(ctx, pending, f.Operator.OrgID)
		wantReason(t, err, passnum.EUNAUTHORIZED, passnum.ReasonSecondFactorPending)
		// No factor yet: no code proves it; enrolment is the way in.
		_, err = s.VerifySecondFactor(ctx, pending, "123456")
		wantReason(t, err, passnum.EUNAUTHORIZED, passnum.ReasonSecondFactorInvalid)

		e, err := s.BeginTOTP(ctx, pending)
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.BeginTOTP(ctx, pending)
		if err != nil || again.Secret != e.Secret {
			t.Fatalf("second BeginTOTP: %v, seed changed: %v", err, again.Secret != e.Secret)
		}
		if !strings.HasPrefix(e.URL, "otpauth://totp/passnum:olivia@example.org?") || !strings.Contains(e.URL, "secret="+e.Secret) {
			t.Fatalf("URL %q", e.URL)
		}
		now := env.Clock.Now()
		wrong := totpCode(t, e.Secret, now.Add(-10*time.Minute))
		_, err = s.ConfirmTOTP(ctx, pending, wrong)
		wantReason(t, err, passnum.EINVALID, passnum.ReasonSecondFactorInvalid)
		code := totpCode(t, e.Secret, now)
		proof, err := s.ConfirmTOTP(ctx, pending, code)
		if err != nil {
			t.Fatal(err)
		}
		if proof.Secret == "" || proof.Secret == pending || len(proof.RecoveryCodes) != 10 || proof.Info.Session.SecondFactorPending {
			t.Fatalf("proof: new secret %v, %d codes, pending %v", proof.Secret != pending, len(proof.RecoveryCodes), proof.Info.Session.SecondFactorPending)
		}
		if _, err := s.AuthenticateSession(ctx, pending); passnum.ErrorCode(err) != passnum.EUNAUTHORIZED {
			t.Fatalf("the secret seen before the proof still works: %v", err)
		}
		full, err := s.AuthenticateSession(ctx, proof.Secret)
		if err != nil || full.Session.SecondFactorPending {
			t.Fatalf("complete session: %v %+v", err, full)
		}
		status, err := s.SecondFactorStatus(ctx, proof.Secret)
		if err != nil || !status.Required || len(status.Factors) != 1 || status.Factors[0].Kind != passnum.FactorTOTP || status.RecoveryCodesLeft != 10 {
			t.Fatalf("status %+v, %v", status, err)
		}
		// The seed is shown once: a complete session asking again gets
		// a new one, which waits for its own first code.
		other, err := s.BeginTOTP(ctx, proof.Secret)
		if err != nil || other.Secret == e.Secret {
			t.Fatalf("BeginTOTP after confirmation: %v, same seed: %v", err, other.Secret == e.Secret)
		}

		signIn := func() string {
			t.Helper()
			sec, info, err := s.Login(ctx, admin.Email, password)
			if err != nil || !info.Session.SecondFactorPending {
				t.Fatalf("login: %v %+v", err, info)
			}
			return sec
		}
		// The code of the step that confirmed the enrolment is spent.
		_, err = s.VerifySecondFactor(ctx, signIn(), code)
		wantReason(t, err, passnum.EUNAUTHORIZED, passnum.ReasonSecondFactorInvalid)

		env.Clock.Advance(30 * time.Second)
		next := totpCode(t, e.Secret, env.Clock.Now())
		p2, err := s.VerifySecondFactor(ctx, signIn(), " "+next[:3]+" "+next[3:])
		if err != nil || p2.Secret == "" {
			t.Fatalf("next step's code: %v", err)
		}
		// Replay: the same code, in the same 30 seconds, is refused.
		_, err = s.VerifySecondFactor(ctx, signIn(), next)
		wantReason(t, err, passnum.EUNAUTHORIZED, passnum.ReasonSecondFactorInvalid)

		// A recovery code works once, typed in capitals with dashes.
		rc := proof.RecoveryCodes[3]
		if _, err := s.VerifySecondFactor(ctx, signIn(), strings.ToUpper(passnum.FormatRecoveryCode(rc))); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		_, err = s.VerifySecondFactor(ctx, signIn(), rc)
		wantReason(t, err, passnum.EUNAUTHORIZED, passnum.ReasonSecondFactorInvalid)

		// An expired pending session proves nothing.
		late := signIn()
		env.Clock.Advance(passnum.SecondFactorStepLifetime + time.Second)
		_, err = s.VerifySecondFactor(ctx, late, totpCode(t, e.Secret, env.Clock.Now()))
		wantReason(t, err, passnum.EUNAUTHORIZED, passnum.ReasonSessionExpired)

		// The trail tells every step and holds no secret.
		trail := auditText(t, env)
		for _, want := range []string{"second_factor.enrol user:", "second_factor.success user:", "recovery code, 9 left", "second_factor.failure user:", "second factor pending"} {
			if !strings.Contains(trail, want) {
				t.Errorf("audit trail lacks %q", want)
			}
		}
		for _, secret := range append([]string{e.Secret, code, next, pending}, proof.RecoveryCodes...) {
			if strings.Contains(trail, secret) {
				t.Errorf("audit trail holds a secret %q", secret)
			}
		}
		msgs, _, err := s.ListOutbox(st.As(f.Operator), passnum.OutboxFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		security := 0
		for _, m := range msgs {
			if m.Kind == passnum.MailSecurity && m.To == admin.Email {
				security++
				if strings.Contains(m.Body, e.Secret) {
					t.Error("the message holds the seed")
				}
			}
		}
		if security != 1 {
			t.Errorf("%d security messages to the admin, want 1 (added)", security)
		}

		// An agent of the operator has no factor and needs none.
		agent := newUser(t, env, f, "agent@example.org", "Agent", mustOrg(t, env, f, f.Operator.OrgID), passnum.RoleAgent)
		if _, info, err := s.Login(ctx, agent.Email, password); err != nil || info.Session.SecondFactorPending {
			t.Fatalf("agent login: %v pending %v", err, info != nil && info.Session.SecondFactorPending)
		}
	})
}

// mustOrg finds an organisation of the fixture by id.
func mustOrg(t *testing.T, env *st.Env, f *st.Fixture, id int64) *passnum.Organisation {
	t.Helper()
	o, err := env.Store.FindOrganisation(st.As(f.Operator), id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestSecondFactorVoluntary: an account the policy does not require a
// factor of may add one; sign-in then waits for it; it may remove it,
// which removes the recovery codes too.
func TestSecondFactorVoluntary(t *testing.T) {
	eachRequiring(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s, ctx := env.Store, context.Background()
		u := newUser(t, env, f, "camille@example.org", "Camille", f.Venue, passnum.RoleAdmin)
		seed, codes, secret := enrolTOTP(t, env, u.Email)
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes", len(codes))
		}
		pending, info, err := s.Login(ctx, u.Email, password)
		if err != nil || !info.Session.SecondFactorPending {
			t.Fatalf("login after enrolment: %v, pending %v", err, info != nil && info.Session.SecondFactorPending)
		}
		// A pending session cannot add a factor round the one it has.
		_, err = s.BeginTOTP(ctx, pending)
		wantReason(t, err, passnum.EUNAUTHORIZED, passnum.ReasonSecondFactorPending)
		st2, err := s.SecondFactorStatus(ctx, secret)
		if err != nil || st2.Required {
			t.Fatalf("status %+v %v", st2, err)
		}
		if err := s.RemoveSecondFactor(ctx, pending, st2.Factors[0].ID); passnum.ErrorReason(err) != passnum.ReasonSecondFactorPending {
			t.Fatalf("removal by a pending session: %v", err)
		}
		if err := s.RemoveSecondFactor(ctx, secret, st2.Factors[0].ID); err != nil {
			t.Fatal(err)
		}
		if after, _ := s.SecondFactorStatus(ctx, secret); len(after.Factors) != 0 || after.RecoveryCodesLeft != 0 {
			t.Fatalf("after removal: %+v", after)
		}
		if _, info, err := s.Login(ctx, u.Email, password); err != nil || info.Session.SecondFactorPending {
			t.Fatalf("login after removal: %v", err)
		}
		_ = seed
		if !strings.Contains(auditText(t, env), "second_factor.remove user:") {
			t.Error("removal not in the audit trail")
		}
	})
}

// TestSecondFactorRequiredStays: the last factor of an account that must
// have one is not removed.
func TestSecondFactorRequiredStays(t *testing.T) {
	eachRequiring(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		u := newUser(t, env, f, "funder@example.org", "Fanny", f.State, passnum.RoleAdmin)
		_, _, secret := enrolTOTP(t, env, u.Email)
		status, err := env.Store.SecondFactorStatus(context.Background(), secret)
		if err != nil {
			t.Fatal(err)
		}
		err = env.Store.RemoveSecondFactor(context.Background(), secret, status.Factors[0].ID)
		wantReason(t, err, passnum.EREFUSED, passnum.ReasonForbidden)
	})
}

// TestRecoveryCodeRace: one recovery code sent by two sign-ins at once
// proves one of them.
func TestRecoveryCodeRace(t *testing.T) {
	eachRequiring(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s, ctx := env.Store, context.Background()
		u := newUser(t, env, f, "olivia@example.org", "Olivia", mustOrg(t, env, f, f.Operator.OrgID), passnum.RoleAdmin)
		_, codes, _ := enrolTOTP(t, env, u.Email)
		for round := range 3 {
			const n = 4
			secrets := make([]string, n)
			for i := range secrets {
				var err error
				if secrets[i], _, err = s.Login(ctx, u.Email, password); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			won, lost := 0, 0
			for _, sec := range secrets {
				wg.Go(func() {
					_, err := s.VerifySecondFactor(ctx, sec, codes[round])
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						won++
					case passnum.ErrorReason(err) == passnum.ReasonSecondFactorInvalid:
						lost++
					default:
						t.Errorf("round %d: %v", round, err)
					}
				})
			}
			wg.Wait()
			if won != 1 || lost != n-1 {
				t.Fatalf("round %d: %d sign-ins proved by one code, %d refused; want 1 and %d", round, won, lost, n-1)
			}
		}
	})
}

func TestResetSecondFactor(t *testing.T) {
	eachRequiring(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s, ctx := env.Store, context.Background()
		op := mustOrg(t, env, f, f.Operator.OrgID)
		target := newUser(t, env, f, "fanny@example.org", "Fanny", f.State, passnum.RoleAdmin)
		bare := newUser(t, env, f, "bare@example.org", "Bernard", f.State, passnum.RoleAgent)
		_, _, targetSecret := enrolTOTP(t, env, target.Email)
		// A seed waiting for its first code is no factor to reset.
		bareSecret, _, err := s.Login(ctx, bare.Email, password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.BeginTOTP(ctx, bareSecret); err != nil {
			t.Fatal(err)
		}
		actorOf := func(email string, org *passnum.Organisation, role passnum.Role) *passnum.Actor {
			u := newUser(t, env, f, email, "Admin", org, role)
			return &passnum.Actor{UserID: u.ID, OrgID: org.ID, OrgKind: org.Kind, Role: role, Label: "user:test"}
		}
		opAdmin := actorOf("op.admin@example.org", op, passnum.RoleAdmin)
		opAgent := actorOf("op.agent@example.org", op, passnum.RoleAgent)
		stateAdmin := actorOf("state.admin@example.org", f.State, passnum.RoleAdmin)
		deptAdmin := actorOf("dept.admin@example.org", f.Dept, passnum.RoleAdmin)
		targetActor := &passnum.Actor{UserID: target.ID, OrgID: f.State.ID, OrgKind: passnum.KindFunder, Role: passnum.RoleAdmin, Label: "user:target"}
		const reason = "Téléphone perdu, identité vérifiée par appel"
		refusals := []struct {
			name          string
			actor         *passnum.Actor
			user          int64
			reason        string
			code, reason2 string
		}{
			{"an agent of the operator", opAgent, target.ID, reason, passnum.EFORBIDDEN, passnum.ReasonForbidden},
			{"the admin of another funder", deptAdmin, target.ID, reason, passnum.ENOTFOUND, passnum.ReasonNotFound},
			{"the person themselves", targetActor, target.ID, reason, passnum.EINVALID, passnum.ReasonInvalidInput},
			{"no reason", opAdmin, target.ID, "  ", passnum.EINVALID, passnum.ReasonInvalidInput},
			{"a reason too short", opAdmin, target.ID, "perdu", passnum.EINVALID, passnum.ReasonInvalidInput},
			{"a reason with a control character", opAdmin, target.ID, reason + "\x1b[2J", passnum.EINVALID, passnum.ReasonControlCharacter},
			{"someone without a factor", opAdmin, bare.ID, reason, passnum.ECONFLICT, passnum.ECONFLICT},
		}
		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				err := s.ResetSecondFactor(st.As(tc.actor), tc.user, tc.reason)
				wantReason(t, err, tc.code, tc.reason2)
			})
		}
		if _, err := s.AuthenticateSession(ctx, targetSecret); err != nil {
			t.Fatalf("a refused reset ended the session: %v", err)
		}
		// The funder's own admin resets it; then the operator's admin
		// finds nothing left to reset.
		if err := s.ResetSecondFactor(st.As(stateAdmin), target.ID, reason); err != nil {
			t.Fatal(err)
		}
		err = s.ResetSecondFactor(st.As(opAdmin), target.ID, reason)
		wantReason(t, err, passnum.ECONFLICT, passnum.ECONFLICT)
		if _, err := s.AuthenticateSession(ctx, bareSecret); err != nil {
			t.Fatalf("a refused reset ended the session of someone without a factor: %v", err)
		}
		if _, err := s.AuthenticateSession(ctx, targetSecret); passnum.ErrorCode(err) != passnum.EUNAUTHORIZED {
			t.Fatalf("the person's session survived the reset: %v", err)
		}
		if !strings.Contains(auditText(t, env), "second_factor.reset user:") || !strings.Contains(auditText(t, env), "reason: "+reason) {
			t.Error("the reset and its reason are not in the audit trail")
		}
		msgs, _, err := s.ListOutbox(st.As(f.Operator), passnum.OutboxFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if m := msgs[0]; m.Kind != passnum.MailSecurity || m.To != target.Email || !strings.Contains(m.Body, reason) {
			t.Fatalf("last message %+v: want the security message with the reason to the person", m)
		}
		// Signing in again goes through enrolment.
		pending, _, err := s.Login(ctx, target.Email, password)
		if err != nil {
			t.Fatal(err)
		}
		status, err := s.SecondFactorStatus(ctx, pending)
		if err != nil || !status.Pending || len(status.Factors) != 0 || status.RecoveryCodesLeft != 0 {
			t.Fatalf("after reset: %+v %v", status, err)
		}
		// And the operator's admin may reset anyone's.
		_, _, _ = enrolTOTP(t, env, target.Email)
		if err := s.ResetSecondFactor(st.As(opAdmin), target.ID, reason); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPasskeyCeremonies: the store records passkeys against the challenge
// it kept on the session, once: a replayed or replaced ceremony is
// refused, an unknown credential proves nothing.
func TestPasskeyCeremonies(t *testing.T) {
	eachRequiring(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s, ctx := env.Store, context.Background()
		u := newUser(t, env, f, "olivia@example.org", "Olivia", mustOrg(t, env, f, f.Operator.OrgID), passnum.RoleAdmin)
		_, _, secret := enrolTOTP(t, env, u.Email)
		challenge := []byte(`{"challenge":"registration-1"}`)
		if err := s.SetPasskeyChallenge(ctx, secret, challenge); err != nil {
			t.Fatal(err)
		}
		_, err := s.AddPasskey(ctx, secret, []byte(`{"challenge":"another"}`), "Clé", "cred-1", []byte(`{"id":"1"}`))
		wantReason(t, err, passnum.ECONFLICT, passnum.ReasonSecondFactorInvalid)
		proof, err := s.AddPasskey(ctx, secret, challenge, "  Clé du bureau ", "cred-1", []byte(`{"id":"1"}`))
		if err != nil {
			t.Fatal(err)
		}
		if proof.Secret != "" || len(proof.RecoveryCodes) != 0 {
			t.Fatalf("a second factor of a complete session: new secret %v, %d new codes", proof.Secret != "", len(proof.RecoveryCodes))
		}
		_, err = s.AddPasskey(ctx, secret, challenge, "Clé", "cred-2", []byte(`{"id":"2"}`))
		wantReason(t, err, passnum.ECONFLICT, passnum.ReasonSecondFactorInvalid)
		acc, err := s.PasskeyAccount(ctx, secret)
		if err != nil || len(acc.Credentials) != 1 || string(acc.Credentials[0]) != `{"id":"1"}` || acc.Challenge != nil {
			t.Fatalf("account %+v %v", acc, err)
		}

		pending, _, err := s.Login(ctx, u.Email, password)
		if err != nil {
			t.Fatal(err)
		}
		login := []byte(`{"challenge":"login-1"}`)
		if err := s.SetPasskeyChallenge(ctx, pending, login); err != nil {
			t.Fatal(err)
		}
		_, err = s.ProvePasskey(ctx, pending, login, "cred-unknown", []byte(`{"id":"x"}`))
		wantReason(t, err, passnum.EUNAUTHORIZED, passnum.ReasonSecondFactorInvalid)
		if err := s.SetPasskeyChallenge(ctx, pending, login); err != nil {
			t.Fatal(err)
		}
		proof, err = s.ProvePasskey(ctx, pending, login, "cred-1", []byte(`{"id":"1","signCount":1}`))
		if err != nil || proof.Secret == "" || proof.Info.Session.SecondFactorPending {
			t.Fatalf("proof %+v %v", proof, err)
		}
		acc, err = s.PasskeyAccount(ctx, proof.Secret)
		if err != nil || string(acc.Credentials[0]) != `{"id":"1","signCount":1}` {
			t.Fatalf("the new counter is not kept: %+v %v", acc, err)
		}
		// The same answer again, on another pending session: its
		// challenge is not this one.
		other, _, err := s.Login(ctx, u.Email, password)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.ProvePasskey(ctx, other, login, "cred-1", []byte(`{"id":"1"}`))
		wantReason(t, err, passnum.ECONFLICT, passnum.ReasonSecondFactorInvalid)
		if !strings.Contains(auditText(t, env), "passkey second_factor:") {
			t.Error("the passkey's proof is not in the audit trail")
		}
	})
}
