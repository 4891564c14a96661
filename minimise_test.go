package passnum

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPersonalTags reads every struct of the domain's source and checks
// that each personal:"key" tag names a declared field, so that Redact
// never meets an unknown key at run time.
func TestPersonalTags(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	tags := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			field, ok := n.(*ast.Field)
			if !ok || field.Tag == nil {
				return true
			}
			tag, err := strconv.Unquote(field.Tag.Value)
			if err != nil {
				t.Fatal(err)
			}
			key, ok := reflect.StructTag(tag).Lookup("personal")
			if !ok {
				return true
			}
			tags++
			if FindPersonalField(key) == nil {
				t.Errorf("%s: field %v is tagged personal:%q, which PersonalFields does not declare", name, field.Names, key)
			}
			return true
		})
	}
	if tags < 10 {
		t.Fatalf("found only %d personal tags: is the scan broken?", tags)
	}
}

// TestRedact checks what each kind keeps of records holding personal
// fields, against expectations written from the declaration's readers.
func TestRedact(t *testing.T) {
	restricted := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	beneficiary := func() *Beneficiary {
		return &Beneficiary{ID: 7, Ref: "B-ABCD-EFGH", BirthYear: 1931, CommuneINSEE: "35047", Needs: []string{"Courriels"},
			Autonomy: "faible", ConsentAt: "2027-03-01", PrescriberID: 3, RestrictedAt: &restricted, RestrictionReason: "demande"}
	}
	attended := true
	records := func() any {
		return &struct {
			Beneficiaries []*Beneficiary
			Carnet        Carnet
			Registrations []*Registration
			Reports       map[string]*ActivityReport
		}{
			Beneficiaries: []*Beneficiary{beneficiary()},
			Carnet:        Carnet{Number: 12, BeneficiaryID: 7, BeneficiaryRef: "B-ABCD-EFGH", ValidUntil: "2027-12-31"},
			Registrations: []*Registration{{ID: 1, BeneficiaryRef: "B-ABCD-EFGH", Label: "Dominique", Attended: &attended}},
			Reports:       map[string]*ActivityReport{"a": {ID: 2, Author: "user:4", AuthorName: "Alix", Notes: "notes", BeneficiaryRefs: []string{"B-ABCD-EFGH"}, Participants: 1}},
		}
	}
	// What survives, by kind, written from the declaration: beneficiary
	// details for the operator and the prescriber; registrations for them
	// and the venue; reports' people and notes for the operator and the
	// venue, their author for the hub too.
	tests := []struct {
		kind                                      OrgKind
		beneficiary, holder, registration, people bool
		notes, author                             bool
	}{
		{KindOperator, true, true, true, true, true, true},
		{KindPrescriber, true, true, true, false, false, false},
		{KindVenue, false, false, true, true, true, true},
		{KindHub, false, false, false, false, false, true},
		{KindFunder, false, false, false, false, false, false},
		{"", false, false, false, false, false, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.kind), func(t *testing.T) {
			v := records()
			Redact(tc.kind, v)
			got := reflect.ValueOf(v).Elem()
			b := got.Field(0).Interface().([]*Beneficiary)[0]
			c := got.Field(1).Interface().(Carnet)
			r := got.Field(2).Interface().([]*Registration)[0]
			rep := got.Field(3).Interface().(map[string]*ActivityReport)["a"]
			check := func(what string, keep bool, value, zero any) {
				t.Helper()
				if kept := !reflect.DeepEqual(value, zero); kept != keep {
					t.Errorf("%s: kept %v, want %v (%v)", what, kept, keep, value)
				}
			}
			check("beneficiary birth year", tc.beneficiary, b.BirthYear, 0)
			check("beneficiary commune", tc.beneficiary, b.CommuneINSEE, "")
			check("beneficiary needs", tc.beneficiary, len(b.Needs), 0)
			check("beneficiary restriction", tc.beneficiary, b.RestrictionReason, "")
			check("beneficiary restricted at", tc.beneficiary, b.RestrictedAt == nil, true)
			check("carnet holder", tc.holder, c.BeneficiaryRef, "")
			check("carnet holder id", tc.holder, c.BeneficiaryID, int64(0))
			check("registration label", tc.registration, r.Label, "")
			check("registration attendance", tc.registration, r.Attended == nil, true)
			check("report people", tc.people, len(rep.BeneficiaryRefs), 0)
			check("report notes", tc.notes, rep.Notes, "")
			check("report author", tc.author, rep.AuthorName, "")
			// What is no personal datum stays for everyone.
			if b.ID != 7 || c.Number != 12 || c.ValidUntil != "2027-12-31" || r.ID != 1 || rep.Participants != 1 {
				t.Errorf("a field that is no personal datum was blanked: %+v %+v %+v %+v", b, c, r, rep)
			}
		})
	}
}

func TestRedactNil(t *testing.T) {
	Redact(KindFunder, nil)
	var b *Beneficiary
	Redact(KindFunder, b)
	RedactFor(nil, []*Beneficiary{nil})
}

func BenchmarkRedact(b *testing.B) {
	list := make([]*ActivityReport, 100)
	for i := range list {
		list[i] = &ActivityReport{ID: int64(i), Notes: "notes", BeneficiaryRefs: []string{"B-ABCD-EFGH"}}
	}
	for b.Loop() {
		Redact(KindHub, list)
	}
}
