package passnum

import (
	"fmt"
	"reflect"
	"sync"
)

// Minimisation (GDPR article 5.1.c): what leaves the platform — API
// answers, pages, CSV, spreadsheets, PDFs — holds, for each organisation
// kind, only the personal fields the declaration (PersonalFields) gives
// that kind. A struct field that carries a declared personal datum says
// which with the tag `personal:"key"`; Redact blanks the tagged fields the
// reader's kind may not read. The store applies it to every record it
// answers with, so that every way out shows the same.

// Redact blanks, in v, every field tagged personal:"key" whose declared
// field kind does not read. v is a pointer to a struct, or a slice, array,
// map or pointer leading to such structs; nested records are redacted too.
// A kind that is no organisation kind (an anonymous caller) reads no
// personal field. A tag naming no declared field panics: TestPersonalTags
// keeps every tag declared.
func Redact(kind OrgKind, v any) {
	if v == nil {
		return
	}
	redactValue(kind, reflect.ValueOf(v))
}

// RedactFor is Redact for the kind of actor a (none: nothing is readable).
func RedactFor(a *Actor, v any) {
	var kind OrgKind
	if a != nil {
		kind = a.OrgKind
	}
	Redact(kind, v)
}

// personalPlan is what Redact does with a struct type: the indexes of its
// tagged fields with their declared field, and of its fields that may hold
// tagged records further down.
type personalPlan struct {
	tagged []taggedField
	nested []int
}

type taggedField struct {
	index int
	field *PersonalField
}

// plans caches personalPlan by type: reflection reads tags once per type.
var plans sync.Map // reflect.Type → *personalPlan

func planOf(t reflect.Type) *personalPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*personalPlan)
	}
	p := &personalPlan{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if key, ok := sf.Tag.Lookup("personal"); ok {
			f := FindPersonalField(key)
			if f == nil {
				panic(fmt.Sprintf("passnum: %s.%s is tagged personal:%q, which PersonalFields does not declare", t.Name(), sf.Name, key))
			}
			p.tagged = append(p.tagged, taggedField{i, f})
			continue
		}
		if mayHoldPersonal(sf.Type, map[reflect.Type]bool{}) {
			p.nested = append(p.nested, i)
		}
	}
	plans.Store(t, p)
	return p
}

// mayHoldPersonal tells whether a value of type t can lead to a tagged
// field, so that Redact skips the rest (times, numbers, strings).
func mayHoldPersonal(t reflect.Type, seen map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return mayHoldPersonal(t.Elem(), seen)
	case reflect.Interface:
		return true
	case reflect.Struct:
		if seen[t] {
			return false
		}
		seen[t] = true
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			if _, ok := sf.Tag.Lookup("personal"); ok || mayHoldPersonal(sf.Type, seen) {
				return true
			}
		}
	}
	return false
}

func redactValue(kind OrgKind, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			redactValue(kind, v.Elem())
		}
	case reflect.Slice, reflect.Array:
		if v.Len() == 0 || !mayHoldPersonal(v.Type().Elem(), map[reflect.Type]bool{}) {
			return
		}
		for i := range v.Len() {
			redactValue(kind, v.Index(i))
		}
	case reflect.Map:
		if !mayHoldPersonal(v.Type().Elem(), map[reflect.Type]bool{}) {
			return
		}
		for _, k := range v.MapKeys() {
			// Map values are not addressable: redact a copy and put it back.
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			redactValue(kind, e)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		p := planOf(v.Type())
		for _, tf := range p.tagged {
			if !tf.field.ReadableBy(kind) {
				if f := v.Field(tf.index); f.CanSet() {
					f.SetZero()
				}
			}
		}
		for _, i := range p.nested {
			redactValue(kind, v.Field(i))
		}
	}
}

// ReadableFields lists the keys of the personal fields kind receives.
func ReadableFields(kind OrgKind) []string {
	var out []string
	for _, f := range PersonalFields {
		if f.ReadableBy(kind) {
			out = append(out, f.Key)
		}
	}
	return out
}
