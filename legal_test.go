package passnum

import (
	"errors"
	"testing"
)

// TestLegalSettings: the demo's settings are valid, and each wrong value
// is refused with its field.
func TestLegalSettings(t *testing.T) {
	d := DefaultLegalSettings()
	if err := d.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*LegalSettings)
		field string // "" when valid
	}{
		{"audited", func(l *LegalSettings) { l.AuditDate, l.AuditRate, l.Auditor = "2027-03-15", 78, "Access42" }, ""},
		{"audit without its auditor", func(l *LegalSettings) { l.AuditDate, l.AuditRate = "2027-03-15", 78 }, "auditor"},
		{"no director", func(l *LegalSettings) { l.Director = " " }, "director"},
		{"no host address", func(l *LegalSettings) { l.HostAddress = "" }, "host_address"},
		{"contact not an address", func(l *LegalSettings) { l.ContactEmail = "contact" }, "contact_email"},
		{"rate without audit", func(l *LegalSettings) { l.AuditRate = 80 }, "audit_date"},
		{"audit date", func(l *LegalSettings) { l.AuditDate, l.AuditRate, l.Auditor = "15/03/2027", 80, "Access42" }, "audit_date"},
		{"rate over 100", func(l *LegalSettings) { l.AuditDate, l.AuditRate, l.Auditor = "2027-03-15", 101, "Access42" }, "audit_rate"},
	} {
		l := DefaultLegalSettings()
		tc.edit(&l)
		err := l.Validate()
		got := ""
		var e *Error
		if errors.As(err, &e) {
			got = e.Field
		}
		if got != tc.field || (err != nil) != (tc.field != "") || (tc.field != "" && ErrorCode(err) != EINVALID) {
			t.Errorf("%s: field %q (%v), want %q", tc.name, got, err, tc.field)
		}
	}
}

// TestConformity: only an audit makes a service partly or fully
// conformant, as the RGAA says.
func TestConformity(t *testing.T) {
	for _, tc := range []struct {
		date string
		rate int
		want string
	}{
		{"", 0, "non conforme"},
		{"2027-03-15", 49, "non conforme"},
		{"2027-03-15", 50, "partiellement conforme"},
		{"2027-03-15", 99, "partiellement conforme"},
		{"2027-03-15", 100, "totalement conforme"},
	} {
		l := LegalSettings{AuditDate: tc.date, AuditRate: tc.rate}
		if got := l.Conformity(); got != tc.want {
			t.Errorf("audit %q at %d %%: %q, want %q", tc.date, tc.rate, got, tc.want)
		}
	}
}
