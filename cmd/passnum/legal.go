package main

import (
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// The settings of the legal notice and of the accessibility statement
// (passnum.LegalSettings) come from the environment beside the privacy
// settings, whose controller and host they name as publisher and host.
// serve reads and checks them before it opens anything, so that a wrong
// value stops it with its variable named.
const (
	envLegalDirector     = "PASSNUM_LEGAL_DIRECTOR"
	envLegalHostAddress  = "PASSNUM_LEGAL_HOST_ADDRESS"
	envLegalContactEmail = "PASSNUM_LEGAL_CONTACT_EMAIL"
	envLegalAuditDate    = "PASSNUM_LEGAL_AUDIT_DATE"
	envLegalAuditRate    = "PASSNUM_LEGAL_AUDIT_RATE"
	envLegalAuditor      = "PASSNUM_LEGAL_AUDITOR"
)

// legalSettings reads the settings from getenv over the defaults and
// checks them.
func legalSettings(getenv func(string) string) (passnum.LegalSettings, error) {
	l := passnum.DefaultLegalSettings()
	for _, v := range []struct {
		name string
		dst  *string
	}{
		{envLegalDirector, &l.Director},
		{envLegalHostAddress, &l.HostAddress},
		{envLegalContactEmail, &l.ContactEmail},
		{envLegalAuditDate, &l.AuditDate},
		{envLegalAuditor, &l.Auditor},
	} {
		if s := strings.TrimSpace(getenv(v.name)); s != "" {
			*v.dst = s
		}
	}
	if s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(getenv(envLegalAuditRate)), "%")); s != "" {
		rate, err := strconv.Atoi(s)
		if err != nil {
			return l, privacyError(envLegalAuditRate, "un taux de conformité en pour cent, de 0 à 100, pas « "+s+" ».")
		}
		l.AuditRate = rate
	}
	if err := l.Validate(); err != nil {
		return l, privacyError("PASSNUM_LEGAL_*", passnum.ErrorMessage(err))
	}
	return l, nil
}
