package main

import (
	"slices"
	"strings"
	"testing"
)

func TestParseEuros(t *testing.T) {
	ok := []struct {
		in    string
		cents int64
	}{
		{"10", 1000},
		{"0", 0},
		{"0,1", 10},
		{"0.1", 10},
		{"0,05", 5},
		{"12,5", 1250},
		{"1234,56", 123456},
		{"1234.56", 123456},
		{"1 234,56", 123456},
		{"1\u00a0234,56", 123456}, // no-break space, as spreadsheets write it
		{"1\u202f234,56", 123456}, // narrow no-break space, as French typography writes it
		{"1 234 567,89", 123456789},
		{"250000,00", 25000000},
		{"250 000", 25000000},
		{" 42 ", 4200},
		{"007", 700},
		{"12,50 €", 1250},
		{"12,50€", 1250},
		{"10 EUR", 1000},
		{"99999999999", 9999999999900},
	}
	for _, tc := range ok {
		got, err := parseEuros(tc.in)
		if err != nil || got != tc.cents {
			t.Errorf("parseEuros(%q) = %d, %v; want %d", tc.in, got, err, tc.cents)
		}
	}
	bad := []struct {
		in   string
		want string // in the message
	}{
		{"1,234", "ambigu"}, // 1,234 € in French, 1 234 € in English
		{"1.234", "ambigu"},
		{"12,345", "12345 ou 12 345"},
		{"-5", "négatif"},
		{"-0,50", "négatif"},
		{"+5", "illisible"},
		{"", "vide"},
		{"   ", "vide"},
		{"€", "vide"},
		{"abc", "illisible"},
		{"1,2,3", "un seul séparateur"},
		{"1.234,56", "un seul séparateur"},
		{"1,234.56", "un seul séparateur"},
		{"1,", "illisible"},
		{",5", "illisible"},
		{"1 23", "illisible"},
		{"12  345", "illisible"},
		{"1234 567", "illisible"},
		{"1,2345", "illisible"},
		{"1e3", "illisible"},
		{"0x10", "illisible"},
		{"١٢", "illisible"}, // Arabic-Indic digits
		{"12 345 678 901 234", "trop grand"},
	}
	for _, tc := range bad {
		got, err := parseEuros(tc.in)
		if err == nil {
			t.Errorf("parseEuros(%q) = %d, want an error", tc.in, got)
		} else if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseEuros(%q): %v, want a message with %q", tc.in, err, tc.want)
		}
	}
}

// FuzzParseEuros: whatever it accepts, formatting the cents and parsing
// them again gives the same cents.
func FuzzParseEuros(f *testing.F) {
	for _, s := range []string{"10", "1 234,56", "0,1", "1,234", "-1", "12.5 €"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseEuros(s)
		if err != nil {
			return
		}
		if c < 0 {
			t.Fatalf("parseEuros(%q) = %d", s, c)
		}
		if back, err := parseEuros(formatEuros(c)); err != nil || back != c {
			t.Fatalf("parseEuros(%q) = %d, formatted %q, parsed back %d, %v", s, c, formatEuros(c), back, err)
		}
	})
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{formatEuros(123456789), "1\u202f234\u202f567,89\u00a0€"},
		{formatEuros(5), "0,05\u00a0€"},
		{formatEuros(-1050), "-10,50\u00a0€"},
		{formatInt(1000000), "1\u202f000\u202f000"},
		{formatInt(-1234), "-1\u202f234"},
		{formatInt(999), "999"},
		{formatPercent(1, 3), "33,3\u00a0%"},
		{formatPercent(2, 3), "66,7\u00a0%"},
		{formatPercent(0, 0), "–"},
		{formatBP(400), "4\u00a0%"},
		{formatBP(5000), "50\u00a0%"},
		{formatBP(3333), "33,33\u00a0%"},
		{formatBP(3330), "33,3\u00a0%"},
		{formatBP(0), "0\u00a0%"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestParseCarnetList(t *testing.T) {
	got, err := parseCarnetList("1,2, 5,10-12")
	if err != nil || !slices.Equal(got, []int64{1, 2, 5, 10, 11, 12}) {
		t.Errorf("got %v, %v", got, err)
	}
	for _, bad := range []string{"", "a", "1,,2", "3-1", "0", "-1", "1-", "1-100001"} {
		if _, err := parseCarnetList(bad); err == nil {
			t.Errorf("parseCarnetList(%q): no error", bad)
		}
	}
}

func TestTranslateFlagError(t *testing.T) {
	for in, want := range map[string]string{
		"flag provided but not defined: -carnet":                     "option inconnue : --carnet",
		"flag needs an argument: -id":                                "cette option attend une valeur : --id",
		`invalid value "x" for flag -id: nombre entier attendu`:      `valeur invalide "x" pour --id : nombre entier attendu`,
		`invalid value "1,234" for flag -amount: "1,234" est ambigu`: `valeur invalide "1,234" pour --amount : "1,234" est ambigu`,
		`invalid boolean value "x" for -unblock: parse error`:        `valeur invalide "x" pour --unblock : valeur illisible`,
	} {
		if got := translateFlagError(errorString(in)); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestDisplayDSN(t *testing.T) {
	if got := displayDSN("postgres://passnum:s3cret@db.example/passnum?sslmode=verify-full"); strings.Contains(got, "s3cret") || !strings.Contains(got, "db.example") {
		t.Errorf("displayDSN shows %q", got)
	}
	if got := displayDSN("passnum.db"); got != "passnum.db" {
		t.Errorf("displayDSN(passnum.db) = %q", got)
	}
}
