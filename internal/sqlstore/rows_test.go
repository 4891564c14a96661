package sqlstore_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestRowsLoopsCheckErr reads the store's sources: every loop over rows
// (for rows.Next()) is followed, before the next loop over the same rows,
// by a call of rows.Err(). rows.Next returns false on an error as at the
// end of the rows (a connection lost, a value the driver cannot read, a
// serialization failure), so a loop without rows.Err takes a partial read
// for a whole one; selectAll and tx.each check it for their callers.
func TestRowsLoopsCheckErr(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	loops := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			// Per rows variable, its loops and its Err calls, in
			// source order.
			type loop struct{ start, end token.Pos }
			nexts := map[string][]loop{}
			errs := map[string][]token.Pos{}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ForStmt:
					if v, ok := methodCall(n.Cond, "Next"); ok {
						nexts[v] = append(nexts[v], loop{n.Pos(), n.End()})
					}
				case *ast.CallExpr:
					if v, ok := methodCall(n, "Err"); ok {
						errs[v] = append(errs[v], n.Pos())
					}
				}
				return true
			})
			for v, ls := range nexts {
				sort.Slice(ls, func(i, j int) bool { return ls[i].start < ls[j].start })
				for i, l := range ls {
					loops++
					limit := fn.Body.End()
					if i+1 < len(ls) {
						limit = ls[i+1].start
					}
					checked := false
					for _, p := range errs[v] {
						checked = checked || (p > l.end && p < limit)
					}
					if !checked {
						t.Errorf("%s: %s.Next() loop in %s without %s.Err() after it", fset.Position(l.start), v, fn.Name.Name, v)
					}
				}
			}
		}
	}
	if loops == 0 {
		t.Fatal("no loop found: the test reads nothing")
	}
}

// methodCall tells whether e is a call of method on a variable without
// arguments, such as rows.Next(), and names the variable.
func methodCall(e ast.Expr, method string) (string, bool) {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) > 0 {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != method {
		return "", false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return "", false
	}
	return id.Name, true
}
