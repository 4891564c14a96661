package web

import (
	"bytes"
	"net/http"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/pdf"
)

// The pages of personal data: the notice for people (articles 13 and 14)
// and the register of processing activities (article 30), public and
// linked from every footer. Both are built from the declaration of
// privacy.go and the installation's settings (Options.Privacy).

// privacyNotice is the page "Données personnelles", in plain French.
func (s *Server) privacyNotice(w http.ResponseWriter, r *http.Request) error {
	n := passnum.NewNotice(s.privacy)
	return s.render(w, r, http.StatusOK, "privacy_notice", s.newView(r, "Données personnelles", n))
}

// privacyRegister is the register as a page.
func (s *Server) privacyRegister(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "privacy_register", s.newView(r, "Registre des traitements de données", passnum.NewRegister(s.privacy)))
}

// privacyRegisterPDF is the register as a PDF, dated of the day.
func (s *Server) privacyRegisterPDF(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := pdf.Register(&buf, passnum.NewRegister(s.privacy), s.now()); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="registre-des-traitements.pdf"`)
	_, err := w.Write(buf.Bytes())
	return err
}
