package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

const issuer = "https://proconnect.example.gouv.fr/api/v2"

// TestSignInWithProvider: the first sign-in finds the account by its
// verified e-mail and links it; later ones find it by the link, whatever
// the e-mail has become; nothing else gets in, and nothing is created.
func TestSignInWithProvider(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 1, CarnetSize: 1})
		s := env.Store
		ctx := context.Background()
		camille := newUser(t, env, f, "camille@mairie.example.fr", "Camille", f.Prescriber, passnum.RoleAgent)
		alex := newUser(t, env, f, "alex@mairie.example.fr", "Alex", f.Prescriber, passnum.RoleAgent)
		loner := newUser(t, env, f, "loner@mairie.example.fr", "Dominique", f.Venue, passnum.RoleAgent)
		if err := sqlstore.ExecRaw(s, `DELETE FROM memberships WHERE user_id = ?`, loner.ID); err != nil {
			t.Fatal(err)
		}
		users := func() int {
			n, err := sqlstore.QueryStrings(s, `SELECT CAST(COUNT(*) AS TEXT) FROM users`)
			if err != nil {
				t.Fatal(err)
			}
			return atoi(t, n[0])
		}
		before := users()
		tests := []struct {
			name   string
			id     passnum.ProviderIdentity
			user   int64 // 0: refused
			reason string
		}{
			{"first sign-in, e-mail in another case", passnum.ProviderIdentity{Issuer: issuer, Subject: "sub-camille", Email: " Camille@Mairie.Example.FR", EmailVerified: true}, camille.ID, ""},
			{"again, by the link, with a new e-mail", passnum.ProviderIdentity{Issuer: issuer, Subject: "sub-camille", Email: "camille.martin@agglo.example.fr", EmailVerified: true}, camille.ID, ""},
			{"unknown e-mail", passnum.ProviderIdentity{Issuer: issuer, Subject: "sub-nobody", Email: "nobody@mairie.example.fr", EmailVerified: true}, 0, "provider-account-unknown"},
			{"empty e-mail", passnum.ProviderIdentity{Issuer: issuer, Subject: "sub-empty", Email: "", EmailVerified: true}, 0, "provider-account-unknown"},
			{"unverified e-mail", passnum.ProviderIdentity{Issuer: issuer, Subject: "sub-alex", Email: "alex@mairie.example.fr"}, 0, "provider-email-unverified"},
			{"another identity with the e-mail of a linked account", passnum.ProviderIdentity{Issuer: issuer, Subject: "sub-intruder", Email: "camille.martin@agglo.example.fr", EmailVerified: true}, 0, "provider-account-unknown"},
			{"another identity with the old e-mail of a linked account", passnum.ProviderIdentity{Issuer: issuer, Subject: "sub-intruder", Email: "camille@mairie.example.fr", EmailVerified: true}, 0, "provider-link-conflict"},
			{"same subject at another provider", passnum.ProviderIdentity{Issuer: "https://idp.example.org", Subject: "sub-camille", Email: "alex@mairie.example.fr", EmailVerified: true}, alex.ID, ""},
			{"no membership", passnum.ProviderIdentity{Issuer: issuer, Subject: "sub-loner", Email: "loner@mairie.example.fr", EmailVerified: true}, 0, "no-membership"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				secret, info, err := s.SignInWithProvider(ctx, tc.id)
				if tc.user == 0 {
					if err == nil || passnum.ErrorReason(err) != tc.reason || secret != "" {
						t.Fatalf("got %q %v, want %s", secret, err, tc.reason)
					}
					if n := users(); n != before {
						t.Fatalf("%d accounts, want %d", n, before)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if info.User.ID != tc.user {
					t.Fatalf("signed in as user %d, want %d", info.User.ID, tc.user)
				}
				if again, err := s.AuthenticateSession(ctx, secret); err != nil || again.User.ID != tc.user {
					t.Fatalf("authenticate: %+v %v", again, err)
				}
			})
		}
		audit := auditText(t, env)
		for _, want := range []string{"provider.link", "via proconnect"} {
			if !strings.Contains(audit, want) {
				t.Fatalf("audit trail without %q:\n%s", want, audit)
			}
		}
		if strings.Contains(audit, "sub-camille") {
			t.Fatalf("the audit trail names the person's identifier at the provider:\n%s", audit)
		}

		// The person sees the link with the e-mail of the last sign-in,
		// and removes it; another person's link is not theirs to remove.
		asCamille := passnum.NewContextWithActor(ctx, &passnum.Actor{UserID: camille.ID, OrgID: f.Prescriber.ID, OrgKind: passnum.KindPrescriber, Role: passnum.RoleAgent, Label: fmt.Sprintf("user:%d", camille.ID)})
		asAlex := passnum.NewContextWithActor(ctx, &passnum.Actor{UserID: alex.ID, OrgID: f.Prescriber.ID, OrgKind: passnum.KindPrescriber, Role: passnum.RoleAgent, Label: fmt.Sprintf("user:%d", alex.ID)})
		links, err := s.ListProviderLinks(asCamille)
		if err != nil || len(links) != 1 || links[0].Issuer != issuer || links[0].Email != "camille.martin@agglo.example.fr" || links[0].UserID != camille.ID {
			t.Fatalf("links %+v %v", links, err)
		}
		if err := s.UnlinkProvider(asAlex, links[0].ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("another person's unlink: %v", err)
		}
		if _, err := s.ListProviderLinks(st.As(&passnum.Actor{TokenID: 1, OrgID: f.Prescriber.ID, Label: "token:1"})); passnum.ErrorCode(err) != passnum.EUNAUTHORIZED {
			t.Fatalf("links read with a token: %v", err)
		}
		if err := s.UnlinkProvider(asCamille, links[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.UnlinkProvider(asCamille, links[0].ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("second unlink: %v", err)
		}
		if !strings.Contains(auditText(t, env), "provider.unlink") {
			t.Fatal("unlink not in the audit trail")
		}
		// Unlinked, the old identity no longer gets in with the new
		// e-mail, which is no account's; with the account's e-mail it
		// links again.
		if _, _, err := s.SignInWithProvider(ctx, passnum.ProviderIdentity{Issuer: issuer, Subject: "sub-camille", Email: "camille.martin@agglo.example.fr", EmailVerified: true}); passnum.ErrorReason(err) != "provider-account-unknown" {
			t.Fatalf("after unlink: %v", err)
		}
		if _, info, err := s.SignInWithProvider(ctx, passnum.ProviderIdentity{Issuer: issuer, Subject: "sub-camille", Email: "camille@mairie.example.fr", EmailVerified: true}); err != nil || info.User.ID != camille.ID {
			t.Fatalf("linked again: %+v %v", info, err)
		}
	})
}

// TestSignInWithProviderConcurrent: two first sign-ins of one identity at
// once (two tabs, two servers) make one link, and both get in.
func TestSignInWithProviderConcurrent(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 1, CarnetSize: 1})
		s := env.Store
		u := newUser(t, env, f, "sam@mairie.example.fr", "Sam", f.Prescriber, passnum.RoleAgent)
		id := passnum.ProviderIdentity{Issuer: issuer, Subject: "sub-sam", Email: "sam@mairie.example.fr", EmailVerified: true}
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, info, err := s.SignInWithProvider(context.Background(), id)
				if err == nil && info.User.ID != u.ID {
					err = fmt.Errorf("signed in as %d", info.User.ID)
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("sign-in %d: %v", i, err)
			}
		}
		links, err := sqlstore.QueryStrings(s, `SELECT subject FROM provider_links`)
		if err != nil || len(links) != 1 {
			t.Fatalf("links %v %v, want one", links, err)
		}
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
