package passnum

import (
	"net/mail"
	"strings"
	"time"
)

// LegalSettings complete an installation's privacy settings with what the
// legal notice (mentions légales, article 6 III of the LCEN) and the
// accessibility statement (article 47 of the law of 11 February 2005)
// need and the register does not. The publisher is the data controller
// and the host the one of PrivacySettings, so that each name is set once.
type LegalSettings struct {
	// Director is the publication director (directeur de la publication),
	// a person who answers for what the site publishes.
	Director string `json:"director"`
	// HostAddress is the host's postal address and telephone, which the
	// law asks beside its name (PrivacySettings.Host).
	HostAddress string `json:"host_address"`
	// ContactEmail is where anyone writes about the service, in every
	// footer and in the accessibility statement.
	ContactEmail string `json:"contact_email"`
	// AuditDate and AuditRate are the last accessibility audit against
	// the RGAA: its day (YYYY-MM-DD) and the share of criteria met, in
	// percent. Without an audit the statement says "non conforme".
	AuditDate string `json:"audit_date,omitempty"`
	AuditRate int    `json:"audit_rate,omitempty"`
	// Auditor names who audited (a firm, or the operator's own team),
	// which the statement must say beside the date.
	Auditor string `json:"auditor,omitempty"`
}

// DefaultLegalSettings are the demo's: each says which variable to set
// (cmd/passnum reads them from PASSNUM_LEGAL_* variables).
func DefaultLegalSettings() LegalSettings {
	return LegalSettings{
		Director:     "Le représentant légal de l'opérateur (PASSNUM_LEGAL_DIRECTOR)",
		HostAddress:  "adresse et téléphone à renseigner (PASSNUM_LEGAL_HOST_ADDRESS)",
		ContactEmail: "contact@example.org",
	}
}

// Validate checks the settings an installation gave.
func (l *LegalSettings) Validate() error {
	if strings.TrimSpace(l.Director) == "" {
		return Invalid("director", "Nommez le directeur de la publication.")
	}
	if strings.TrimSpace(l.HostAddress) == "" {
		return Invalid("host_address", "Donnez l'adresse et le téléphone de l'hébergeur.")
	}
	if _, err := mail.ParseAddress(l.ContactEmail); err != nil || !strings.Contains(l.ContactEmail, "@") {
		return Invalid("contact_email", "Adresse e-mail de contact invalide : %q.", l.ContactEmail)
	}
	if l.AuditDate == "" {
		if l.AuditRate != 0 || strings.TrimSpace(l.Auditor) != "" {
			return Invalid("audit_date", "Un taux de conformité vient d'un audit : donnez aussi sa date.")
		}
		return nil
	}
	if _, err := time.Parse(DateLayout, l.AuditDate); err != nil {
		return Invalid("audit_date", "Date d'audit invalide : %q (AAAA-MM-JJ).", l.AuditDate)
	}
	if strings.TrimSpace(l.Auditor) == "" {
		return Invalid("auditor", "Nommez qui a réalisé l'audit d'accessibilité.")
	}
	if l.AuditRate < 0 || l.AuditRate > 100 {
		return Invalid("audit_rate", "Un taux de conformité de 0 à 100 %%, pas %d.", l.AuditRate)
	}
	return nil
}

// Conformity is an accessibility statement's état de conformité, as the
// RGAA defines it: "totalement conforme" when an audit found every
// criterion met, "partiellement conforme" from half of them, and "non
// conforme" below that or when no audit measured it. Automated checks and
// the team's own tests are not an audit.
func (l LegalSettings) Conformity() string {
	switch {
	case l.AuditDate == "":
		return "non conforme"
	case l.AuditRate == 100:
		return "totalement conforme"
	case l.AuditRate >= 50:
		return "partiellement conforme"
	}
	return "non conforme"
}
