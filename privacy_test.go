package passnum

import (
	"errors"
	"testing"
	"time"
)

// The declaration is read by the register, the notices, the retention job
// and minimisation: a field pointing to nothing would vanish from all four.
func TestPersonalFieldsDeclared(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range PersonalFields {
		if seen[f.Key] {
			t.Errorf("%s declared twice", f.Key)
		}
		seen[f.Key] = true
		if FindPurpose(f.Purpose) == nil {
			t.Errorf("%s: unknown purpose %q", f.Key, f.Purpose)
		}
		if FindRetentionRule(f.Retention) == nil {
			t.Errorf("%s: unknown retention %q", f.Key, f.Retention)
		}
		if f.Label == "" || f.Scope == "" || f.Subject.Label() == string(f.Subject) {
			t.Errorf("%s: label, scope or subject missing", f.Key)
		}
		for _, k := range f.Readers {
			if !k.Valid() {
				t.Errorf("%s: unknown reader %q", f.Key, k)
			}
		}
		if f.Subject == SubjectBeneficiary && (f.ReadableBy(KindFunder) || f.ReadableBy(KindHub)) {
			t.Errorf("%s: funders and hubs read figures, not people", f.Key)
		}
	}
	for _, p := range Purposes {
		if p.Basis.Label() == string(p.Basis) {
			t.Errorf("purpose %s: basis %q has no label", p.Key, p.Basis)
		}
	}
}

func TestPrivacySettings(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		edit   func(*PrivacySettings)
		reason string // "" when valid
	}{
		{"defaults", func(*PrivacySettings) {}, ""},
		{"longer beneficiary period", func(p *PrivacySettings) { p.RetentionMonths = map[RetentionKey]int{RetainBeneficiary: 48} }, ""},
		{"no controller", func(p *PrivacySettings) { p.Controller = " " }, "controller"},
		{"bad DPO e-mail", func(p *PrivacySettings) { p.DPOEmail = "dpo" }, "dpo_email"},
		{"unknown key", func(p *PrivacySettings) { p.RetentionMonths = map[RetentionKey]int{"forever": 3} }, "retention"},
		{"zero months", func(p *PrivacySettings) { p.RetentionMonths = map[RetentionKey]int{RetainNotes: 0} }, "retention"},
		{"accounting under 10 years", func(p *PrivacySettings) { p.RetentionMonths = map[RetentionKey]int{RetainAccounting: 60} }, "retention"},
		{"relation-long key", func(p *PrivacySettings) { p.RetentionMonths = map[RetentionKey]int{RetainAccount: 12} }, "retention"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPrivacySettings()
			tt.edit(&p)
			err := p.Validate()
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("valid settings refused: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Field != tt.reason {
				t.Fatalf("err = %v, want one about %s", err, tt.reason)
			}
		})
	}
	p := DefaultPrivacySettings()
	p.RetentionMonths = map[RetentionKey]int{RetainBeneficiary: 48}
	if c, ok := p.Cutoff(RetainBeneficiary, now); !ok || !c.Equal(time.Date(2022, 12, 7, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("cutoff = %v %v", c, ok)
	}
	if _, ok := p.Cutoff(RetainAccount, now); ok {
		t.Error("an account has no period")
	}
	if got := p.PeriodLabel(RetainAccounting); got != "10 ans" {
		t.Errorf("accounting period = %q", got)
	}
}
