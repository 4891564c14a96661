package web

import (
	"net/http"

	"github.com/passnum/passnum"
)

// The pages the law asks every site to link from each page: the legal
// notice (mentions légales) and the accessibility statement (déclaration
// d'accessibilité), built from the installation's privacy settings (the
// publisher is the data controller, the host the same) and its legal
// settings (Options.Legal).

// accessibilityStatementDate is the day the accessibility statement was
// last written, after the tests it describes.
const accessibilityStatementDate = "2026-12-07"

// legalPage is what both pages tell.
type legalPage struct {
	Privacy passnum.PrivacySettings
	Legal   passnum.LegalSettings
	// Site is the service's address, which the statement applies to.
	Site string
	// StatementDate is the day the accessibility statement was written.
	StatementDate string
}

func (s *Server) legalPage() legalPage {
	return legalPage{Privacy: s.privacy, Legal: s.legal, Site: s.base.String(), StatementDate: accessibilityStatementDate}
}

// legalNotice is the page "Mentions légales" (article 6 III of the LCEN).
func (s *Server) legalNotice(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "legal_notice", s.newView(r, "Mentions légales", s.legalPage()))
}

// accessibility is the accessibility statement, in the form the RGAA
// asks: conformity, test results, what is not accessible, how it was
// tested, whom to write to and where to complain.
func (s *Server) accessibility(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "accessibility", s.newView(r, "Déclaration d'accessibilité", s.legalPage()))
}
