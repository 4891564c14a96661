package passnum_test

import (
	"testing"

	"github.com/passnum/passnum"
)

func TestSecondFactorPolicyRequires(t *testing.T) {
	member := func(k passnum.OrgKind, r passnum.Role) passnum.Membership {
		return passnum.Membership{OrgKind: k, Role: r}
	}
	tests := []struct {
		name   string
		policy passnum.SecondFactorPolicy
		ms     []passnum.Membership
		want   bool
	}{
		{"operator admin", passnum.SecondFactorAdmins, []passnum.Membership{member(passnum.KindOperator, passnum.RoleAdmin)}, true},
		{"funder admin", passnum.SecondFactorAdmins, []passnum.Membership{member(passnum.KindFunder, passnum.RoleAdmin)}, true},
		{"operator agent", passnum.SecondFactorAdmins, []passnum.Membership{member(passnum.KindOperator, passnum.RoleAgent)}, false},
		{"hub admin", passnum.SecondFactorAdmins, []passnum.Membership{member(passnum.KindHub, passnum.RoleAdmin)}, false},
		{"venue admin who is also a funder's admin", passnum.SecondFactorAdmins,
			[]passnum.Membership{member(passnum.KindVenue, passnum.RoleAdmin), member(passnum.KindFunder, passnum.RoleAdmin)}, true},
		{"operator admin, policy off", passnum.SecondFactorOff, []passnum.Membership{member(passnum.KindOperator, passnum.RoleAdmin)}, false},
		{"operator admin, zero policy", "", []passnum.Membership{member(passnum.KindOperator, passnum.RoleAdmin)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.policy.Requires(&passnum.User{Memberships: tc.ms}); got != tc.want {
				t.Fatalf("Requires = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseSecondFactorPolicy(t *testing.T) {
	for in, want := range map[string]passnum.SecondFactorPolicy{"admins": passnum.SecondFactorAdmins, " OFF ": passnum.SecondFactorOff} {
		if got, err := passnum.ParseSecondFactorPolicy(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "all", "oui"} {
		if _, err := passnum.ParseSecondFactorPolicy(bad); passnum.ErrorCode(err) != passnum.EINVALID {
			t.Errorf("%q: %v, want EINVALID", bad, err)
		}
	}
}

func TestRecoveryCodeFormat(t *testing.T) {
	if got := passnum.FormatRecoveryCode("abcdefghjkmnpqrs"); got != "abcd-efgh-jkmn-pqrs" {
		t.Errorf("format: %q", got)
	}
	if got := passnum.NormaliseRecoveryCode(" ABCD-efgh jkmn-PQRS "); got != "abcdefghjkmnpqrs" {
		t.Errorf("normalise: %q", got)
	}
}
