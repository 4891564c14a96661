package httpapi_test

import (
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpapi"
	"github.com/passnum/passnum/internal/storetest"
)

// openAPI is the part of the OpenAPI document the tests read.
type openAPI struct {
	OpenAPI    string                                 `json:"openapi"`
	Paths      map[string]map[string]openAPIOperation `json:"paths"`
	Components struct {
		Schemas map[string]openAPISchema `json:"schemas"`
	} `json:"components"`
}

type openAPIOperation struct {
	OperationID string            `json:"operationId"`
	Security    *[]map[string]any `json:"security"`
	Parameters  []struct {
		Ref  string `json:"$ref"`
		Name string `json:"name"`
		In   string `json:"in"`
	} `json:"parameters"`
	RequestBody map[string]any            `json:"requestBody"`
	Responses   map[string]map[string]any `json:"responses"`
}

type openAPISchema struct {
	Properties map[string]any `json:"properties"`
	Required   []string       `json:"required"`
}

func readOpenAPI(t *testing.T) (*openAPI, []byte) {
	t.Helper()
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return &doc, raw
}

// TestOpenAPICoversRoutes: every route of the table is documented with
// the same method and path, and every documented operation is a route.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc, _ := readOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	registered := map[string]httpapi.Route{}
	for _, rt := range httpapi.Routes() {
		key := rt.Method + " " + rt.Path
		if _, dup := registered[key]; dup {
			t.Errorf("route %s twice in the table", key)
		}
		registered[key] = rt
	}
	documented := map[string]openAPIOperation{}
	ids := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented[strings.ToUpper(method)+" "+path] = op
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s %s: operationId %q missing or not unique", method, path, op.OperationID)
			}
			ids[op.OperationID] = true
		}
	}
	for key, rt := range registered {
		op, ok := documented[key]
		if !ok {
			t.Errorf("route %s is not in openapi.json", key)
			continue
		}
		if public := op.Security != nil && len(*op.Security) == 0; public != rt.Public {
			t.Errorf("%s: documented as public=%v, served with public=%v", key, public, rt.Public)
		}
		if !rt.Public && op.Responses["401"] == nil {
			t.Errorf("%s: 401 answer not documented", key)
		}
		if rt.Method == "POST" && op.RequestBody != nil && op.Responses["400"] == nil {
			t.Errorf("%s: 400 answer not documented", key)
		}
		if op.Responses["500"] == nil {
			t.Errorf("%s: 500 answer not documented", key)
		}
		// A write can find the disk full.
		if rt.Method != "GET" && op.Responses["503"] == nil {
			t.Errorf("%s: 503 answer not documented", key)
		}
		// Path parameters are exactly the pattern's wildcards.
		var want, got []string
		for _, m := range regexp.MustCompile(`\{([a-z_]+)\}`).FindAllStringSubmatch(rt.Path, -1) {
			want = append(want, m[1])
		}
		for _, p := range op.Parameters {
			if p.In == "path" {
				got = append(got, p.Name)
			}
		}
		if !slices.Equal(want, got) {
			t.Errorf("%s: path parameters documented %v, want %v", key, got, want)
		}
	}
	for key := range documented {
		if _, ok := registered[key]; !ok {
			t.Errorf("openapi.json documents %s, which no route serves", key)
		}
	}
}

// TestOpenAPIReferences: every $ref of the document resolves.
func TestOpenAPIReferences(t *testing.T) {
	_, raw := readOpenAPI(t)
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if !resolves(doc, ref) {
					t.Errorf("$ref %s does not resolve", ref)
				}
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(doc)
}

func resolves(doc any, ref string) bool {
	path, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	node := doc
	for _, part := range strings.Split(path, "/") {
		m, ok := node.(map[string]any)
		if !ok {
			return false
		}
		if node, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// TestOpenAPISchemasMatchTypes: the properties of each schema are the JSON
// fields of the Go type the API decodes or encodes, and for answers, the
// required ones are those always present (no omitempty).
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	doc, _ := readOpenAPI(t)
	check := func(name string, v any, answer bool) {
		schema, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s missing", name)
			return
		}
		fields, always := jsonFields(reflect.TypeOf(v))
		var props []string
		for p := range schema.Properties {
			props = append(props, p)
		}
		sort.Strings(props)
		if !slices.Equal(props, fields) {
			t.Errorf("schema %s has properties %v, Go type has %v", name, props, fields)
		}
		if answer {
			required := slices.Sorted(slices.Values(schema.Required))
			if !slices.Equal(required, always) {
				t.Errorf("schema %s requires %v, Go type always has %v", name, required, always)
			}
		}
	}
	for name, v := range httpapi.RequestSchemas {
		check(name, v, false)
	}
	for name, v := range httpapi.ResponseSchemas {
		check(name, v, true)
	}
}

// jsonFields lists the JSON names of a struct's fields (embedded structs
// flattened) and those without omitempty, both sorted.
func jsonFields(t reflect.Type) (all, always []string) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			a, b := jsonFields(f.Type)
			all, always = append(all, a...), append(always, b...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		all = append(all, name)
		if !strings.Contains(opts, "omitempty") {
			always = append(always, name)
		}
	}
	sort.Strings(all)
	sort.Strings(always)
	return all, always
}

// TestOpenAPIServed: the document served is the embedded file.
func TestOpenAPIServed(t *testing.T) {
	a := newAPI(t, storetest.OpenSQLite(t))
	_, raw := readOpenAPI(t)
	res := a.do("", "GET", "/api/openapi.json", nil).ok(http.StatusOK, nil)
	if string(res.body) != string(raw) {
		t.Fatal("served document differs from openapi.json")
	}
}

// TestProblemTypesCoverReasons: every reason slug the domain and the store
// can answer with (the domain's table, passnum.Reasons, where each is
// declared with its title), and those of the HTTP layer, has a problem type
// that dereferences.
func TestProblemTypesCoverReasons(t *testing.T) {
	reasons := map[string]bool{}
	for _, r := range passnum.Reasons() {
		reasons[r.Reason] = true
	}
	if len(reasons) < 30 {
		t.Fatalf("found only %d reasons in the domain's table", len(reasons))
	}
	// The HTTP layer's own.
	for _, r := range []string{"invalid-json", "unknown-field", "body-too-large", "unsupported-media-type", "method-not-allowed",
		"too-many-failed-authentications", "too-many-carnet-codes", "too-many-applications", "file-too-large"} {
		reasons[r] = true
	}
	documented := map[string]bool{}
	for _, r := range httpapi.ProblemReasons() {
		documented[r] = true
	}
	a := newAPI(t, storetest.OpenSQLite(t))
	for reason := range reasons {
		if !documented[reason] {
			t.Errorf("reason %q has no problem type", reason)
			continue
		}
		var p struct {
			Type, Title, Description string
			Status                   int
		}
		a.do("", "GET", "/api/problems/"+reason, nil).ok(http.StatusOK, &p)
		if p.Type != "/api/problems/"+reason || p.Title == "" || p.Description == "" || p.Status < 400 {
			t.Errorf("problem type %s: %+v", reason, p)
		}
	}
}
