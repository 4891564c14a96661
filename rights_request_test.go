package passnum

import (
	"errors"
	"testing"
)

func TestRightsDueDate(t *testing.T) {
	for _, tc := range []struct {
		received string
		extended bool
		want     string
	}{
		{"2027-03-05", false, "2027-04-05"},
		{"2027-03-05", true, "2027-06-05"},
		// A month without the day: its last day.
		{"2027-01-31", false, "2027-02-28"},
		{"2028-01-31", false, "2028-02-29"},
		{"2027-03-31", false, "2027-04-30"},
		{"2027-03-31", true, "2027-06-30"},
		{"2027-11-30", true, "2028-02-29"},
		// Across the year.
		{"2027-12-15", false, "2028-01-15"},
		{"2027-12-31", true, "2028-03-31"},
	} {
		got, err := RightsDueDate(tc.received, tc.extended)
		if err != nil || got != tc.want {
			t.Errorf("RightsDueDate(%s, extended %v) = %q, %v; want %s", tc.received, tc.extended, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "2027-02-30", "15/03/2027", "2027-3-5"} {
		if _, err := RightsDueDate(bad, false); ErrorCode(err) != EINVALID {
			t.Errorf("RightsDueDate(%q): %v, want EINVALID", bad, err)
		}
	}
}

func TestRightsRequestDue(t *testing.T) {
	r := &RightsRequest{ReceivedOn: "2027-03-01", DueOn: "2027-04-01"}
	for _, tc := range []struct {
		today            string
		left             int
		soon, overdue    bool
		answeredOn, late string
	}{
		{today: "2027-03-01", left: 31},
		{today: "2027-03-24", left: 8},
		{today: "2027-03-25", left: 7, soon: true},
		{today: "2027-04-01", left: 0, soon: true},
		{today: "2027-04-02", left: -1, soon: true, overdue: true},
		{today: "2027-04-02", left: -1, answeredOn: "2027-03-30"},
		{today: "2027-04-05", left: -4, answeredOn: "2027-04-03", late: "late"},
	} {
		r.AnsweredOn = tc.answeredOn
		if got := r.DaysLeft(tc.today); got != tc.left {
			t.Errorf("%s: %d days left, want %d", tc.today, got, tc.left)
		}
		if got := r.DueSoon(tc.today); got != tc.soon {
			t.Errorf("%s (answered %q): due soon %v, want %v", tc.today, tc.answeredOn, got, tc.soon)
		}
		if got := r.Overdue(tc.today); got != tc.overdue {
			t.Errorf("%s (answered %q): overdue %v, want %v", tc.today, tc.answeredOn, got, tc.overdue)
		}
		if got := r.AnsweredLate(); got != (tc.late != "") {
			t.Errorf("answered %q: late %v", tc.answeredOn, got)
		}
	}
}

func TestRightsRequestCreateValidate(t *testing.T) {
	ok := RightsRequestCreate{Ref: " B-1234-5678 ", Kind: RightErasure, Channel: ChannelPost, ReceivedOn: "2027-03-10", Details: "Effacer mes données."}
	if err := ok.Validate("2027-03-15"); err != nil || ok.Ref != "B-1234-5678" {
		t.Fatalf("valid request: %v (ref %q)", err, ok.Ref)
	}
	for _, tc := range []struct {
		field  string
		change func(*RightsRequestCreate)
	}{
		{"ref", func(c *RightsRequestCreate) { c.Ref = "  " }},
		{"ref", func(c *RightsRequestCreate) { c.Ref = "B-1\nB-2" }},
		{"kind", func(c *RightsRequestCreate) { c.Kind = "deletion" }},
		{"channel", func(c *RightsRequestCreate) { c.Channel = "fax" }},
		{"received_on", func(c *RightsRequestCreate) { c.ReceivedOn = "2027-03-16" }},
		{"received_on", func(c *RightsRequestCreate) { c.ReceivedOn = "10/03/2027" }},
		{"details", func(c *RightsRequestCreate) { c.Details = "\x1b[31m" }},
	} {
		c := ok
		tc.change(&c)
		err := c.Validate("2027-03-15")
		var e *Error
		if err == nil || !errors.As(err, &e) || e.Field != tc.field {
			t.Errorf("%+v: %v, want an error on %s", c, err, tc.field)
		}
	}
}

func TestRightsRef(t *testing.T) {
	for in, want := range map[string]string{
		" b-7k3m-qx9d ":             "B-7K3M-QX9D",
		"B-7K3M-QX9D":               "B-7K3M-QX9D",
		"Courrier de Mme D., Redon": "Courrier de Mme D., Redon",
		"b-7k3m-qx9d et sa fille":   "b-7k3m-qx9d et sa fille",
		"bé-7k3m":                   "bé-7k3m",
		"B-":                        "B-",
		"  lettre du 3 mars  ":      "lettre du 3 mars",
	} {
		if got := RightsRef(in); got != want {
			t.Errorf("RightsRef(%q) = %q, want %q", in, got, want)
		}
	}
}
