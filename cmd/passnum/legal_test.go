package main

import (
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

func TestLegalSettingsFromEnvironment(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    passnum.LegalSettings
		wantErr string
	}{
		{"defaults", nil, passnum.DefaultLegalSettings(), ""},
		{"an installation's", map[string]string{
			envLegalDirector: " Anne Kerjean, présidente ", envLegalHostAddress: "Hébergeur SAS, 2 rue Kellermann, 59100 Roubaix, 01 02 03 04 05",
			envLegalContactEmail: "contact@pass-bretagne.fr", envLegalAuditDate: "2027-03-15", envLegalAuditRate: "78 %",
			envLegalAuditor: "Access42",
		}, passnum.LegalSettings{Director: "Anne Kerjean, présidente", HostAddress: "Hébergeur SAS, 2 rue Kellermann, 59100 Roubaix, 01 02 03 04 05",
			ContactEmail: "contact@pass-bretagne.fr", AuditDate: "2027-03-15", AuditRate: 78, Auditor: "Access42"}, ""},
		{"audit without its auditor", map[string]string{envLegalAuditDate: "2027-03-15", envLegalAuditRate: "78"}, passnum.LegalSettings{}, "qui a réalisé"},
		{"bad contact", map[string]string{envLegalContactEmail: "contact"}, passnum.LegalSettings{}, "e-mail"},
		{"rate not a number", map[string]string{envLegalAuditDate: "2027-03-15", envLegalAuditRate: "beaucoup", envLegalAuditor: "Access42"}, passnum.LegalSettings{}, envLegalAuditRate},
		{"rate without a date", map[string]string{envLegalAuditRate: "80"}, passnum.LegalSettings{}, "sa date"},
		{"date not a date", map[string]string{envLegalAuditDate: "mars 2027"}, passnum.LegalSettings{}, "AAAA-MM-JJ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := legalSettings(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || passnum.ErrorCode(err) != passnum.EINVALID {
					t.Fatalf("err = %v, want an EINVALID one about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || l != tt.want {
				t.Fatalf("settings %+v, err %v, want %+v", l, err, tt.want)
			}
		})
	}
}
