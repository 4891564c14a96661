package httpapi

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openAPIDocument describes every route of the table in routes.go; a test
// checks that both agree, method and path.
//
//go:embed openapi.json
var openAPIDocument []byte

// getOpenAPI serves the OpenAPI 3.1 document, without authentication, so
// that integrators and tools can read it.
func (s *Server) getOpenAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(openAPIDocument)))
	w.WriteHeader(http.StatusOK)
	w.Write(openAPIDocument)
	return nil
}
