package sqlstore_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

const password = "correct horse battery staple"

// newUser creates a person with a first membership, as an operator admin.
func newUser(t *testing.T, env *st.Env, f *st.Fixture, email, name string, org *passnum.Organisation, role passnum.Role) *passnum.User {
	t.Helper()
	u, err := env.Store.CreateUser(st.As(f.Operator), passnum.UserCreate{Email: email, Name: name, Password: password, OrgID: org.ID, Role: role})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// auditText is the whole audit trail, to check that no secret reached it.
func auditText(t *testing.T, env *st.Env) string {
	t.Helper()
	lines, err := sqlstore.QueryStrings(env.Store, `SELECT actor || ' ' || action || ' ' || object || ' ' || detail FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func TestLogin(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s := env.Store
		ctx := context.Background()
		// Created in the venue, then added to the prescriber, whose id is
		// lower: the session acts for the prescriber.
		camille := newUser(t, env, f, "camille@example.org", "Camille", f.Venue, passnum.RoleAgent)
		if err := s.AddMembership(st.As(f.Operator), camille.ID, f.Prescriber.ID, passnum.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		loner := newUser(t, env, f, "loner@example.org", "Dominique", f.Venue, passnum.RoleAgent)
		if err := sqlstore.ExecRaw(s, `DELETE FROM memberships WHERE user_id = ?`, loner.ID); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, email, password string
			code, reason          string
		}{
			{"good", "camille@example.org", password, "", ""},
			{"e-mail in another case, with spaces", "  Camille@Example.ORG ", password, "", ""},
			{"wrong password", "camille@example.org", password + "!", passnum.EUNAUTHORIZED, "bad-credentials"},
			{"unknown e-mail", "nobody@example.org", password, passnum.EUNAUTHORIZED, "bad-credentials"},
			{"no membership", "loner@example.org", password, passnum.EFORBIDDEN, "no-membership"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				secret, info, err := s.Login(ctx, tc.email, tc.password)
				if tc.code != "" {
					if passnum.ErrorCode(err) != tc.code || passnum.ErrorReason(err) != tc.reason || secret != "" || info != nil {
						t.Fatalf("got %q %+v %v, want %s/%s", secret, info, err, tc.code, tc.reason)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(secret, "ps_") || len(secret) != 3+52 || strings.ToLower(secret) != secret {
					t.Fatalf("secret %q", secret)
				}
				want := passnum.Actor{UserID: camille.ID, OrgID: f.Prescriber.ID, OrgKind: passnum.KindPrescriber, Role: passnum.RoleAdmin, Label: fmt.Sprintf("user:%d", camille.ID)}
				if *info.Actor != want {
					t.Fatalf("actor %+v, want %+v", *info.Actor, want)
				}
				if info.User.ID != camille.ID || len(info.User.Memberships) != 2 || info.Session.UserID != camille.ID || info.Session.OrgID != f.Prescriber.ID {
					t.Fatalf("info %+v %+v %+v", info.Session, info.User, info.Actor)
				}
				if !info.Session.CreatedAt.Equal(st.Start) || !info.Session.ExpiresAt.Equal(st.Start.Add(passnum.SessionLifetime)) {
					t.Fatalf("session from %s to %s", info.Session.CreatedAt, info.Session.ExpiresAt)
				}
				again, err := s.AuthenticateSession(ctx, secret)
				if err != nil || *again.Actor != want || again.Session.ID != info.Session.ID {
					t.Fatalf("authenticate: %+v %v", again, err)
				}
				if audit := auditText(t, env); !strings.Contains(audit, "session.login") || strings.Contains(audit, secret) || strings.Contains(audit, secret[3:]) {
					t.Fatalf("audit trail without the login, or with the secret:\n%s", audit)
				}
			})
		}
	})
}

func TestSessionEnds(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s := env.Store
		ctx := context.Background()
		u := newUser(t, env, f, "alex@example.org", "Alex", f.Venue, passnum.RoleAdmin)
		login := func() string {
			t.Helper()
			secret, _, err := s.Login(ctx, u.Email, password)
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		expired := func(t *testing.T, secret string) {
			t.Helper()
			_, err := s.AuthenticateSession(ctx, secret)
			if passnum.ErrorCode(err) != passnum.EUNAUTHORIZED || passnum.ErrorReason(err) != "session-expired" ||
				passnum.ErrorMessage(err) != "Votre session a expiré : reconnectez-vous." {
				t.Fatalf("got %v, want session-expired", err)
			}
		}
		t.Run("unknown secrets", func(t *testing.T) {
			for _, secret := range []string{"", "ps_", "ps_" + strings.Repeat("a", 52), "pn_abc", strings.Repeat("x", 5000)} {
				expired(t, secret)
			}
		})
		t.Run("lifetime", func(t *testing.T) {
			secret := login()
			env.Clock.Advance(passnum.SessionLifetime - time.Second)
			if _, err := s.AuthenticateSession(ctx, secret); err != nil {
				t.Fatalf("a second before the end: %v", err)
			}
			env.Clock.Advance(time.Second)
			expired(t, secret)
			if _, err := s.SwitchOrganisation(ctx, secret, f.Venue.ID); passnum.ErrorReason(err) != "session-expired" {
				t.Fatalf("switch with an expired session: %v", err)
			}
		})
		t.Run("logout", func(t *testing.T) {
			first, second := login(), login()
			if err := s.Logout(ctx, first); err != nil {
				t.Fatal(err)
			}
			expired(t, first)
			if _, err := s.AuthenticateSession(ctx, second); err != nil {
				t.Fatalf("logging out of one session ended another: %v", err)
			}
			for _, secret := range []string{first, "ps_unknown", ""} {
				if err := s.Logout(ctx, secret); err != nil {
					t.Fatalf("logout %q: %v", secret, err)
				}
			}
		})
		t.Run("membership removed", func(t *testing.T) {
			secret := login()
			if err := sqlstore.ExecRaw(s, `DELETE FROM memberships WHERE user_id = ? AND org_id = ?`, u.ID, f.Venue.ID); err != nil {
				t.Fatal(err)
			}
			expired(t, secret)
		})
	})
}

func TestSwitchOrganisation(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s := env.Store
		ctx := context.Background()
		u := newUser(t, env, f, "sam@example.org", "Sam", f.Prescriber, passnum.RoleAgent)
		if err := s.AddMembership(st.As(f.Operator), u.ID, f.Venue2.ID, passnum.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		secret, info, err := s.Login(ctx, u.Email, password)
		if err != nil || info.Actor.OrgID != f.Prescriber.ID {
			t.Fatalf("login: %+v %v", info, err)
		}
		tests := []struct {
			name   string
			org    int64
			reason string
			kind   passnum.OrgKind
			role   passnum.Role
		}{
			{"to a member organisation", f.Venue2.ID, "", passnum.KindVenue, passnum.RoleAdmin},
			{"to another organisation", f.Venue.ID, "not-a-member", passnum.KindVenue, passnum.RoleAdmin},
			{"to an unknown organisation", 999999, "not-a-member", passnum.KindVenue, passnum.RoleAdmin},
			{"back", f.Prescriber.ID, "", passnum.KindPrescriber, passnum.RoleAgent},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.SwitchOrganisation(ctx, secret, tc.org)
				if tc.reason != "" {
					if passnum.ErrorCode(err) != passnum.EFORBIDDEN || passnum.ErrorReason(err) != tc.reason {
						t.Fatalf("got %+v %v, want forbidden/%s", got, err, tc.reason)
					}
				} else if err != nil || got.Actor.OrgID != tc.org || got.Actor.OrgKind != tc.kind || got.Actor.Role != tc.role || got.Session.OrgID != tc.org {
					t.Fatalf("switch: %+v %v", got, err)
				}
				// The session acts for the organisation switched to last.
				now, err := s.AuthenticateSession(ctx, secret)
				if err != nil || now.Actor.OrgKind != tc.kind || now.Actor.Role != tc.role {
					t.Fatalf("after switch: %+v %v", now, err)
				}
			})
		}
		if audit := auditText(t, env); strings.Count(audit, "session.switch") != 2 {
			t.Fatalf("audit trail:\n%s", audit)
		}
	})
}

var resetLink = regexp.MustCompile(`https://passnum\.example/mot-de-passe/(\S+)`)

// TestPasswordReset follows a forgotten password from the request to the
// new password, reading the link in the outbox as the person would in
// their mailbox.
func TestPasswordReset(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s := env.Store
		ctx := context.Background()
		op := st.As(f.Operator)
		u := newUser(t, env, f, "lou@example.org", "Lou", f.Venue, passnum.RoleAgent)
		const prefix = "https://passnum.example/mot-de-passe/"
		const newPassword = "un tout nouveau mot de passe"

		// request asks for a link and returns its token, read in the outbox.
		request := func(t *testing.T) string {
			t.Helper()
			before, _, err := s.ListOutbox(op, passnum.OutboxFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.RequestPasswordReset(ctx, "  LOU@example.org", prefix); err != nil {
				t.Fatal(err)
			}
			msgs, total, err := s.ListOutbox(op, passnum.OutboxFilter{})
			if err != nil || total != len(before)+1 {
				t.Fatalf("outbox: %d messages, %v", total, err)
			}
			m := msgs[0]
			if m.To != "lou@example.org" || m.Subject != "Réinitialiser votre mot de passe passnum" || m.SentAt != nil {
				t.Fatalf("message %+v", m)
			}
			for _, want := range []string{"Bonjour Lou", "1 heure", "Si vous n'avez rien demandé, ignorez ce message"} {
				if !strings.Contains(m.Body, want) {
					t.Fatalf("body does not say %q:\n%s", want, m.Body)
				}
			}
			link := resetLink.FindStringSubmatch(m.Body)
			if link == nil {
				t.Fatalf("no link in:\n%s", m.Body)
			}
			if strings.Contains(auditText(t, env), link[1]) {
				t.Fatal("the reset token is in the audit trail")
			}
			return link[1]
		}
		invalidToken := func(t *testing.T, err error) {
			t.Helper()
			var e *passnum.Error
			if !asError(err, &e) || e.Code != passnum.EINVALID || e.Reason != "reset-token-invalid" || e.Field != "token" || !strings.Contains(e.Message, "Demandez-en un nouveau") {
				t.Fatalf("got %v, want reset-token-invalid", err)
			}
		}

		t.Run("unknown e-mail: nothing sent, no error", func(t *testing.T) {
			if err := s.RequestPasswordReset(ctx, "nobody@example.org", prefix); err != nil {
				t.Fatal(err)
			}
			if _, total, _ := s.ListOutbox(op, passnum.OutboxFilter{}); total != 0 {
				t.Fatalf("%d messages in the outbox", total)
			}
		})
		t.Run("end to end", func(t *testing.T) {
			old1, _, err := s.Login(ctx, u.Email, password)
			if err != nil {
				t.Fatal(err)
			}
			old2, _, _ := s.Login(ctx, u.Email, password)
			token := request(t)
			for password, says := range map[string]string{
				"trop court":      "12 caractères",
				"azertyuiopqsdf":  "suite simple",
				"Motdepasse2024!": "très courant",
				// The address, known from the token (lou@example.org).
				"un example de phrase": "adresse électronique (« example »)",
			} {
				err := s.ResetPassword(ctx, token, password)
				if e := (*passnum.Error)(nil); !asError(err, &e) || e.Code != passnum.EINVALID || e.Reason != passnum.ReasonWeakPassword ||
					e.Field != "password" || !strings.Contains(e.Message, says) {
					t.Fatalf("%q: %v, want weak-password saying %q", password, err, says)
				}
			}
			if err := s.ResetPassword(ctx, token, newPassword); err != nil {
				t.Fatalf("reset: %v", err)
			}
			for _, old := range []string{old1, old2} {
				if _, err := s.AuthenticateSession(ctx, old); passnum.ErrorReason(err) != "session-expired" {
					t.Fatalf("a session survived the reset: %v", err)
				}
			}
			if _, _, err := s.Login(ctx, u.Email, password); passnum.ErrorReason(err) != "bad-credentials" {
				t.Fatalf("old password: %v", err)
			}
			if _, _, err := s.Login(ctx, u.Email, newPassword); err != nil {
				t.Fatalf("new password: %v", err)
			}
			invalidToken(t, s.ResetPassword(ctx, token, "encore un autre mot de passe"))
			if _, _, err := s.Login(ctx, u.Email, newPassword); err != nil {
				t.Fatalf("a used token changed the password: %v", err)
			}
		})
		t.Run("expired", func(t *testing.T) {
			token := request(t)
			env.Clock.Advance(passnum.PasswordResetLifetime)
			invalidToken(t, s.ResetPassword(ctx, token, "encore un autre mot de passe"))
		})
		t.Run("a newer link voids the older ones once used", func(t *testing.T) {
			older, newer := request(t), request(t)
			if err := s.ResetPassword(ctx, newer, "le mot de passe d'après"); err != nil {
				t.Fatal(err)
			}
			invalidToken(t, s.ResetPassword(ctx, older, "encore un autre mot de passe"))
		})
		t.Run("garbage", func(t *testing.T) {
			for _, token := range []string{"", "   ", "abc", strings.Repeat("a", 52), strings.Repeat("a", 1000)} {
				invalidToken(t, s.ResetPassword(ctx, token, "encore un autre mot de passe"))
			}
		})
		if audit := auditText(t, env); strings.Count(audit, "password.reset ") != 2 {
			t.Fatalf("audit trail:\n%s", audit)
		}
	})
}

func TestListOutbox(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s := env.Store
		ctx := context.Background()
		for i, name := range []string{"Ana", "Bo", "Cy"} {
			email := fmt.Sprintf("%s@example.org", strings.ToLower(name))
			newUser(t, env, f, email, name, f.Venue, passnum.RoleAgent)
			env.Clock.Advance(time.Duration(i+1) * time.Minute)
			if err := s.RequestPasswordReset(ctx, email, "https://x/"); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name  string
			actor *passnum.Actor
			code  string
		}{
			{"operator admin", f.Operator, ""},
			{"operator agent", st.Actor(&passnum.Organisation{ID: f.Operator.OrgID, Kind: passnum.KindOperator}, passnum.RoleAgent), passnum.EFORBIDDEN},
			{"venue admin", st.Actor(f.Venue, passnum.RoleAdmin), passnum.EFORBIDDEN},
			{"funder admin", st.Actor(f.State, passnum.RoleAdmin), passnum.EFORBIDDEN},
			{"nobody", nil, passnum.EUNAUTHORIZED},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				msgs, total, err := s.ListOutbox(st.As(tc.actor), passnum.OutboxFilter{Offset: 1, Limit: 1})
				if passnum.ErrorCode(err) != tc.code {
					t.Fatalf("got %v, want %q", err, tc.code)
				}
				if tc.code != "" {
					return
				}
				// Newest first: the second page of one is Bo's.
				if total != 3 || len(msgs) != 1 || msgs[0].To != "bo@example.org" {
					t.Fatalf("total %d, messages %+v", total, msgs)
				}
			})
		}
	})
}

func TestListMembers(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s := env.Store
		zoe := newUser(t, env, f, "zoe@example.org", "Zoé", f.Venue, passnum.RoleAdmin)
		amelie := newUser(t, env, f, "amelie@example.org", "amélie", f.Venue, passnum.RoleAgent)
		bruno := newUser(t, env, f, "bruno@example.org", "Bruno", f.Prescriber, passnum.RoleAgent)
		if err := s.AddMembership(st.As(f.Operator), bruno.ID, f.Venue.ID, passnum.RoleAgent); err != nil {
			t.Fatal(err)
		}
		opAgent := st.Actor(&passnum.Organisation{ID: f.Operator.OrgID, Kind: passnum.KindOperator}, passnum.RoleAgent)
		tests := []struct {
			name  string
			actor *passnum.Actor
			org   int64
			code  string
			// memberships is how many memberships Bruno shows.
			memberships int
		}{
			{"operator admin", f.Operator, f.Venue.ID, "", 2},
			{"operator agent", opAgent, f.Venue.ID, "", 2},
			{"the venue's admin", st.Actor(f.Venue, passnum.RoleAdmin), f.Venue.ID, "", 1},
			{"the venue's agent", st.Actor(f.Venue, passnum.RoleAgent), f.Venue.ID, passnum.EFORBIDDEN, 0},
			{"another venue's admin", st.Actor(f.Venue2, passnum.RoleAdmin), f.Venue.ID, passnum.ENOTFOUND, 0},
			{"a funder's admin", st.Actor(f.State, passnum.RoleAdmin), f.Venue.ID, passnum.ENOTFOUND, 0},
			{"a funder's agent", st.Actor(f.State, passnum.RoleAgent), f.Venue.ID, passnum.EFORBIDDEN, 0},
			{"unknown organisation", f.Operator, 999999, passnum.ENOTFOUND, 0},
			{"nobody", nil, f.Venue.ID, passnum.EUNAUTHORIZED, 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				users, err := s.ListMembers(st.As(tc.actor), tc.org)
				if passnum.ErrorCode(err) != tc.code {
					t.Fatalf("got %v, want %q", err, tc.code)
				}
				if tc.code != "" {
					return
				}
				var got []string
				for _, u := range users {
					got = append(got, u.Name)
				}
				// By name, ignoring case and accents.
				if strings.Join(got, ",") != "amélie,Bruno,Zoé" {
					t.Fatalf("members %v", got)
				}
				if users[0].ID != amelie.ID || users[2].ID != zoe.ID || len(users[1].Memberships) != tc.memberships {
					t.Fatalf("members %+v", users)
				}
				if tc.memberships == 1 && (users[1].Memberships[0].OrgID != f.Venue.ID || users[1].Memberships[0].Role != passnum.RoleAgent) {
					t.Fatalf("Bruno's membership %+v", users[1].Memberships)
				}
			})
		}
		// An organisation without members is an empty list.
		users, err := s.ListMembers(st.As(f.Operator), f.State.ID)
		if err != nil || users == nil || len(users) != 0 {
			t.Fatalf("no members: %v %v", users, err)
		}
	})
}

// TestFindUserByEmail: operator admins find an account by its address,
// whatever its case; nobody else may probe addresses.
func TestFindUserByEmail(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		zoe := newUser(t, env, f, "zoe@example.org", "Zoé", f.Venue, passnum.RoleAdmin)
		u, err := env.Store.FindUserByEmail(st.As(f.Operator), " ZOE@example.org ")
		if err != nil || u.ID != zoe.ID || len(u.Memberships) != 1 || u.Memberships[0].OrgID != f.Venue.ID {
			t.Fatalf("found %+v %v", u, err)
		}
		if _, err := env.Store.FindUserByEmail(st.As(f.Operator), "personne@example.org"); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Errorf("unknown address: %v", err)
		}
		opAgent := st.Actor(&passnum.Organisation{ID: f.Operator.OrgID, Kind: passnum.KindOperator}, passnum.RoleAgent)
		for _, a := range []*passnum.Actor{opAgent, st.Actor(f.Venue, passnum.RoleAdmin), st.Actor(f.State, passnum.RoleAdmin), nil} {
			if _, err := env.Store.FindUserByEmail(st.As(a), "zoe@example.org"); err == nil {
				t.Errorf("%+v found an account by e-mail", a)
			}
		}
	})
}
