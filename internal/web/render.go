package web

import (
	"bytes"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages holds one template set per page: the layout, the shared
// partials and the page's own file.
type pages struct {
	sets map[string]*template.Template
}

func loadPages() (*pages, error) {
	shared, err := fs.Glob(templateFiles, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles, append(shared, f)...)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		p.sets[name] = t
	}
	return p, nil
}

// view is what every page template receives.
type view struct {
	Title string
	V     *visitor
	Flash *flash
	Nav   []navItem
	// Errors of a form sent back to be corrected, by field name; Summary
	// lists them in order for the box at the top of the page.
	Errors  map[string]string
	Summary []fieldError
	// Form holds what the person typed, to fill the form again.
	Form url.Values
	Data any
	Now  time.Time
	Path string
	// Search is the operator's last search, kept in the header's box.
	Search string
	// Legal are the installation's legal settings, for the footer's
	// contact and accessibility conformity.
	Legal passnum.LegalSettings
	// SignInLabel is the text of the button of sign-in with a provider
	// (ProConnect); "" when the installation has none.
	SignInLabel string
}

type fieldError struct {
	Field   string // "" when the error concerns no single field
	Message string
}

// addError records an error about a field ("" for the form as a whole).
func (v *view) addError(field, msg string) {
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	if field != "" {
		if _, dup := v.Errors[field]; dup {
			return
		}
		v.Errors[field] = msg
	}
	v.Summary = append(v.Summary, fieldError{field, msg})
}

// addServiceError records the error of a service call: on its field when
// the service names one the form has, on the form otherwise. Internal
// errors are logged by the caller's fail; here they only say so.
func (v *view) addServiceError(err error, fieldMap map[string]string) {
	var e *passnum.Error
	field := ""
	if errors.As(err, &e) && e.Field != "" {
		field = e.Field
		if mapped, ok := fieldMap[field]; ok {
			field = mapped
		}
	}
	v.addError(field, passnum.ErrorMessage(err))
}

// sendBack shows a form again after the service refused it: the error on
// its field, with the status of its code. Internal errors go to the error
// page instead, where they are logged.
func sendBack(v *view, err error, fields map[string]string, again func(status int) error) error {
	if passnum.ErrorCode(err) == passnum.EINTERNAL {
		return err
	}
	v.addServiceError(err, fields)
	return again(errStatus(err))
}

// Actor returns the visitor's actor, nil when anonymous.
func (v *view) Actor() *passnum.Actor { return v.V.actor() }

// Can tells whether the visitor may do action: forms they cannot use are
// not shown (the service would refuse them anyway).
func (v *view) Can(action string) bool { return v.V.actor().Can(passnum.Action(action)) }

// Value returns what the person typed in a field.
func (v *view) Value(field string) string { return v.Form.Get(field) }

// Checked tells whether a checkbox or radio value was chosen.
func (v *view) Checked(field, value string) bool {
	for _, x := range v.Form[field] {
		if x == value {
			return true
		}
	}
	return false
}

type navItem struct {
	Href    string
	Label   string
	Current bool
}

// navMore are the menu items a desk shows under "Plus", so that the menu
// holds on one line at 1280 px: the operator's eleven do not.
var navMore = map[string]bool{
	"/operateur/activite": true, "/operateur/conventions": true, "/operateur/courriels": true,
	"/operateur/demandes-rgpd": true, "/operateur/droits": true,
}

// More tells whether the item goes under "Plus" on a desk.
func (n navItem) More() bool { return navMore[n.Href] }

// navFor is the main menu of each kind of organisation.
func navFor(k passnum.OrgKind, current string) []navItem {
	var items []navItem
	switch k {
	case passnum.KindOperator:
		items = []navItem{{"/operateur", "Tableau de bord", false}, {"/operateur/programmes/nouveau", "Nouveau programme", false},
			{"/operateur/organisations", "Organisations", false}, {"/operateur/candidatures", "Candidatures", false}, {"/operateur/lieux", "Lieux", false}, {"/operateur/reglements", "Règlements", false}, {"/operateur/indicateurs", "Indicateurs", false}, {"/operateur/activite", "Activité des conseillers", false}, {"/operateur/conventions", "Conventions", false}, {"/operateur/courriels", "Courriels", false},
			{"/operateur/demandes-rgpd", "Demandes RGPD", false}, {"/operateur/droits", "Droits des personnes", false}}
	case passnum.KindFunder, passnum.KindHub:
		items = []navItem{{"/financeur", "Mes programmes", false}, {"/financeur/indicateurs", "Indicateurs", false}}
		if k == passnum.KindFunder {
			items = append(items, navItem{"/financeur/facturation", "Facturation", false}, navItem{"/financeur/appels", "Appels à projets", false})
		} else {
			items = append(items, navItem{"/financeur/activite", "Activité des conseillers", false})
		}
		items = append(items, navItem{"/financeur/conventions", "Conventions", false})
	case passnum.KindPrescriber:
		items = []navItem{{"/prescripteur/remettre", "Remettre un carnet", false}, {"/prescripteur", "Mon stock", false},
			{"/prescripteur/personnes", "Données d'une personne", false}}
	case passnum.KindVenue:
		items = []navItem{{"/lieu", "Encaisser", false}, {"/lieu/historique", "Historique", false}, {"/lieu/catalogue", "Catalogue", false},
			{"/lieu/seances", "Séances", false}, {"/lieu/comptes-rendus", "Comptes rendus", false}, {"/lieu/releves", "Relevés", false}, {"/lieu/fiche", "Mon lieu", false}}
	}
	// The longest matching prefix is the current item.
	best := -1
	for i, it := range items {
		if current == it.Href || strings.HasPrefix(current, it.Href+"/") {
			if best < 0 || len(it.Href) > len(items[best].Href) {
				best = i
			}
		}
	}
	if best >= 0 {
		items[best].Current = true
	}
	return items
}

// newView prepares the view of a page for the request.
func (s *Server) newView(r *http.Request, title string, data any) *view {
	v := visitorFrom(r)
	out := &view{Title: title, V: v, Data: data, Now: s.now(), Path: r.URL.Path, Form: url.Values{}}
	if s.signIn != nil {
		out.SignInLabel = s.signIn.Label()
	}
	if v.LoggedIn() {
		out.Nav = navFor(v.Info.Actor.OrgKind, r.URL.Path)
	}
	return out
}

// render executes a page into a buffer first, so that a template error
// becomes a clean error page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) error {
	t, ok := s.pages.sets[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	if f := s.takeFlash(w, r); f != nil && v.Flash == nil {
		v.Flash = f
	}
	v.Legal = s.legal
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	httpx.SetRetryAfter(w, status)
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// errorPage shows a plain error page with a way back.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	v := s.newView(r, title, map[string]any{"Message": message, "Status": status})
	if err := s.render(w, r, status, "error", v); err != nil {
		s.log.ErrorContext(r.Context(), "render error page", "err", err)
		http.Error(w, message, status)
	}
}

// notFound answers the paths no route matches, with the visitor's menu.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	s.errorPage(w, r, http.StatusNotFound, "Page introuvable", "Cette adresse ne correspond à aucune page. Vérifiez-la, ou revenez à l'accueil.")
	return nil
}

// flash is a message shown once, on the page after a form was sent.
type flash struct {
	Kind    string // "success" or "info"
	Message string
}

// setFlash stores a message for the next page in a short-lived cookie.
func (s *Server) setFlash(w http.ResponseWriter, kind, msg string) {
	s.setCookie(w, "flash", kind+":"+base64.RawURLEncoding.EncodeToString([]byte(msg)), time.Minute)
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	raw := s.cookie(r, "flash")
	if raw == "" {
		return nil
	}
	s.setCookie(w, "flash", "", -1)
	kind, enc, _ := strings.Cut(raw, ":")
	msg, ok := decodeFlash(enc)
	if !ok || (kind != "success" && kind != "info") {
		return nil
	}
	return &flash{Kind: kind, Message: msg}
}

func decodeFlash(enc string) (string, bool) {
	msg, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || !utf8.Valid(msg) || len(msg) > 1000 {
		return "", false
	}
	return string(msg), true
}

// redirect answers a form that succeeded: see the next page (and the
// message) with GET, so that reloading it sends nothing again.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, to, message string) error {
	if message != "" {
		s.setFlash(w, "success", message)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
