package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/passnum/passnum"
)

// maxBodyBytes bounds request bodies. The largest legitimate one, an
// allocation listing 100 000 carnet numbers, fits well within it.
const maxBodyBytes = 1 << 20

// decodeJSON reads the JSON object of a POST body into dst. Unknown fields
// are refused, so that a misspelt optional field is an error rather than a
// silently ignored setting. So is text the service would refuse for its
// characters (passnum.CheckStrings), named by its field: bytes that are
// not UTF-8 first, which encoding/json would silently turn into U+FFFD.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || media != "application/json" && !strings.HasSuffix(media, "+json") {
		return &passnum.Error{Code: passnum.EINVALID, Reason: reasonUnsupportedMedia,
			Message: "Envoyez le corps de la requête en JSON, avec l'en-tête Content-Type: application/json."}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return jsonError(err)
	}
	if !utf8.Valid(body) {
		at := 0
		for at < len(body) {
			r, size := utf8.DecodeRune(body[at:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			at += size
		}
		return &passnum.Error{Code: passnum.EINVALID, Reason: passnum.ReasonControlCharacter,
			Message: fmt.Sprintf("Le corps de la requête contient des octets qui ne sont pas du texte UTF-8 (octet %d) : encodez le JSON en UTF-8.", at)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &passnum.Error{Code: passnum.EINVALID, Reason: reasonInvalidJSON,
			Message: "Le corps de la requête doit contenir un seul objet JSON, sans rien après."}
	}
	return passnum.CheckStrings(dst)
}

// jsonError explains in French why a body could not be decoded.
func jsonError(err error) error {
	var (
		tooLarge *http.MaxBytesError
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
	)
	invalid := func(format string, args ...any) error {
		return &passnum.Error{Code: passnum.EINVALID, Reason: reasonInvalidJSON, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case errors.As(err, &tooLarge):
		return &passnum.Error{Code: passnum.EINVALID, Reason: reasonBodyTooLarge,
			Message: fmt.Sprintf("Le corps de la requête dépasse %d octets (1 Mio) : envoyez-le en plusieurs fois.", maxBodyBytes)}
	case errors.Is(err, io.EOF):
		return invalid("Le corps de la requête est vide : un objet JSON est attendu.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("Le corps de la requête est un JSON incomplet.")
	case errors.As(err, &syntax):
		return invalid("JSON mal formé vers l'octet %d du corps de la requête.", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return invalid("Le corps de la requête doit être un objet JSON.")
		}
		return passnum.Invalid(typ.Field, "Le champ %q doit être %s.", typ.Field, frenchJSONType(typ.Type))
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unquoted, err := strconv.Unquote(field); err == nil {
			field = unquoted
		}
		return &passnum.Error{Code: passnum.EINVALID, Reason: reasonUnknownField, Field: field,
			Message: fmt.Sprintf("Champ inconnu : %q. Vérifiez son orthographe dans la documentation de l'API (/api/openapi.json).", field)}
	}
	return invalid("Corps de requête illisible : un objet JSON est attendu.")
}

// frenchJSONType names the JSON type a Go type expects.
func frenchJSONType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "un booléen (true ou false)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "un nombre entier"
	case reflect.Float32, reflect.Float64:
		return "un nombre"
	case reflect.String:
		return "une chaîne de caractères"
	case reflect.Slice, reflect.Array:
		return "une liste"
	case reflect.Pointer:
		return frenchJSONType(t.Elem())
	}
	return "un objet"
}

// writeJSON answers with v as JSON. It encodes before writing the status,
// so that an encoding failure still becomes a proper problem.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

// pathID reads a positive integer path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	raw := r.PathValue(name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, passnum.Invalid(name, "Identifiant invalide : %q (un nombre entier positif est attendu).", raw)
	}
	return id, nil
}

// queryID reads an optional positive integer query parameter; 0 when absent.
func queryID(r *http.Request, name string) (int64, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, passnum.Invalid(name, "Paramètre %s invalide : %q (un nombre entier positif est attendu).", name, raw)
	}
	return id, nil
}

// queryBool reads an optional boolean query parameter; nil when absent.
func queryBool(r *http.Request, name string) (*bool, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return nil, passnum.Invalid(name, "Paramètre %s invalide : %q (true ou false).", name, raw)
	}
	return &b, nil
}

// Pagination of list endpoints. The bounds are the store's, so the page
// an answer reports is the page the store read.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// pageRequest is the offset and limit a list endpoint was asked for.
type pageRequest struct {
	offset, limit int
}

// queryPage reads ?offset=&limit=.
func queryPage(r *http.Request) (pageRequest, error) {
	p := pageRequest{offset: 0, limit: defaultLimit}
	q := r.URL.Query()
	if raw := q.Get("offset"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return p, passnum.Invalid("offset", "Paramètre offset invalide : %q (un nombre entier positif ou nul est attendu).", raw)
		}
		p.offset = n
	}
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxLimit {
			return p, passnum.Invalid("limit", "Paramètre limit invalide : %q (un nombre entier de 1 à %d est attendu).", raw, maxLimit)
		}
		p.limit = n
	}
	return p, nil
}

// list is the answer of every list endpoint.
type list[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// writeSliceOf answers the GET routes that list everything under the object
// of the path's {id} (its batches, payment orders, tokens, services), one
// page at a time.
func writeSliceOf[T any](w http.ResponseWriter, r *http.Request, list func(context.Context, int64) ([]T, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	items, err := list(r.Context(), id)
	if err != nil {
		return err
	}
	return writeSlice(w, p, items)
}

// writeList answers with one page of items out of total.
func writeList[T any](w http.ResponseWriter, p pageRequest, items []T, total int) error {
	if items == nil {
		items = []T{} // an empty page is [], not null
	}
	return writeJSON(w, http.StatusOK, list[T]{Items: items, Total: total, Offset: p.offset, Limit: p.limit})
}

// writeSlice answers with one page of a list the service returns whole.
func writeSlice[T any](w http.ResponseWriter, p pageRequest, all []T) error {
	start := min(p.offset, len(all))
	end := min(start+p.limit, len(all))
	return writeList(w, p, all[start:end], len(all))
}
