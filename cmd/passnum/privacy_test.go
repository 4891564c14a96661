package main

import (
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

func TestPrivacySettingsFromEnvironment(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		check   func(p passnum.PrivacySettings) bool
		wantErr string
	}{
		{"defaults", nil, func(p passnum.PrivacySettings) bool {
			return p.Months(passnum.RetainBeneficiary) == 36 && p.DPOEmail == passnum.DefaultPrivacySettings().DPOEmail
		}, ""},
		{"names and periods", map[string]string{
			envPrivacyController: "Coopérative Pass Bretagne", envPrivacyDPOEmail: "dpo@pass-bretagne.fr",
			envPrivacyRetention: " beneficiary=48, notes = 12 ",
		}, func(p passnum.PrivacySettings) bool {
			return p.Controller == "Coopérative Pass Bretagne" && p.DPOEmail == "dpo@pass-bretagne.fr" &&
				p.Months(passnum.RetainBeneficiary) == 48 && p.Months(passnum.RetainNotes) == 12 && p.Months(passnum.RetainSessions) == 6
		}, ""},
		{"not key=months", map[string]string{envPrivacyRetention: "beneficiary:48"}, nil, envPrivacyRetention},
		{"unknown key", map[string]string{envPrivacyRetention: "forever=12"}, nil, "inconnue"},
		{"accounting too short", map[string]string{envPrivacyRetention: "accounting=24"}, nil, "10 ans"},
		{"bad e-mail", map[string]string{envPrivacyDPOEmail: "personne"}, nil, "e-mail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := privacySettings(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || passnum.ErrorCode(err) != passnum.EINVALID {
					t.Fatalf("err = %v, want an EINVALID one about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(p) {
				t.Fatalf("settings %+v, err %v", p, err)
			}
		})
	}
}
