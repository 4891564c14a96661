package passnum_test

import (
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

// TestParseEuros is the table of what people type, in a form of the pages
// or on the command line, and what each gives.
func TestParseEuros(t *testing.T) {
	for _, tc := range []struct {
		in    string
		cents int64
		err   string // in the message; "" for an amount read
	}{
		// Read.
		{"1 234,50", 123450, ""},
		{"1234.5", 123450, ""},
		{"1 234 €", 123400, ""},
		{"1234,56", 123456, ""},
		{"0,5", 50, ""},
		{"0.1", 10, ""},
		{"0,05", 5, ""},
		{"10", 1000, ""},
		{"0", 0, ""},
		{"007", 700, ""},
		{" 42 ", 4200, ""},
		{"1\u00a0234,50", 123450, ""},          // no-break space, as spreadsheets group thousands
		{"1\u202f234,50", 123450, ""},          // narrow no-break space, as French typography does
		{"1\u2009234,50", 123450, ""},          // thin space
		{"1\u202f234,50\u00a0€", 123450, ""},   // what FrenchEuros writes
		{"1 234 567,89", 123456789, ""},        // several groups
		{"1 000.50", 100050, ""},               // grouped, with a decimal point
		{"12,50€", 1250, ""},                   // the sign stuck to the number
		{"10 EUR", 1000, ""},                   // the currency code
		{"99999999999", 9999999999900, ""},     // 11 digits
		{"9999999999999", 999999999999900, ""}, // 13 digits, the most
		{"-3,00", 0, "négatif"},                // no amount typed by people is negative
		{"-0,50", 0, "négatif"},                // not read as 50 cents either
		{"+5", 0, "illisible"},                 // no sign at all
		{"1.234", 0, "ambigu : écrivez 1234 ou 1 234 pour des milliers"}, // 1,234 € in French, 1 234 € in English
		{"1,234", 0, "ambigu"},
		{"12,345", 0, "12345 ou 12 345"},
		{"999.999", 0, "ambigu"},
		{"1 234,567", 0, "deux décimales au plus"}, // grouped: the comma is decimal, three decimals are too many
		{"1234,567", 0, "deux décimales au plus"},  // four digits before cannot be a thousands group
		{"0,125", 0, "deux décimales au plus"},     // nor a lone zero
		{"1,2345", 0, "illisible"},
		{",50", 0, "illisible"}, // a separator with nothing before it
		{"1,", 0, "illisible"},  // nor after it
		{"abc", 0, "illisible"},
		{"1e3", 0, "illisible"},
		{"0x10", 0, "illisible"},
		{"١٢", 0, "illisible"}, // Arabic-Indic digits
		{"", 0, "vide"},
		{"   ", 0, "vide"},
		{"€", 0, "vide"},
		{"1,2,3", 0, "un seul séparateur"},
		{"1.234,56", 0, "un seul séparateur"}, // thousands with a point, as in German
		{"1,234.56", 0, "un seul séparateur"}, // thousands with a comma, as in English
		{"1 23", 0, "illisible"},              // a group of two
		{"12  345", 0, "illisible"},           // two spaces
		{"1234 567", 0, "illisible"},          // a first group of four
		{"12 345 678 901 234", 0, "trop grand"},
	} {
		got, err := passnum.ParseEuros(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.cents):
			t.Errorf("ParseEuros(%q) = %d, %v; want %d", tc.in, got, err, tc.cents)
		case tc.err != "" && err == nil:
			t.Errorf("ParseEuros(%q) = %d, want an error", tc.in, got)
		case tc.err != "" && !strings.Contains(passnum.ErrorMessage(err), tc.err):
			t.Errorf("ParseEuros(%q): %q, want a message with %q", tc.in, passnum.ErrorMessage(err), tc.err)
		case tc.err != "" && passnum.ErrorCode(err) != passnum.EINVALID:
			t.Errorf("ParseEuros(%q): code %s", tc.in, passnum.ErrorCode(err))
		}
	}
}

func TestParsePercent(t *testing.T) {
	for _, tc := range []struct {
		in  string
		bp  int
		err string
	}{
		{"50", 5000, ""},
		{"33,33", 3333, ""},
		{"33.33 %", 3333, ""},
		{"4%", 400, ""},
		{"0,5", 50, ""},
		{"10 000", 1000000, ""},
		{"33,333", 0, "deux décimales au plus"}, // never a thousands group
		{"10 001", 0, "trop grand"},
		{"-4", 0, "négatif"},
		{"", 0, "pourcentage vide"},
		{"quatre", 0, "pourcentage illisible"},
	} {
		got, err := passnum.ParsePercent(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.bp):
			t.Errorf("ParsePercent(%q) = %d, %v; want %d", tc.in, got, err, tc.bp)
		case tc.err != "" && err == nil:
			t.Errorf("ParsePercent(%q) = %d, want an error", tc.in, got)
		case tc.err != "" && !strings.Contains(passnum.ErrorMessage(err), tc.err):
			t.Errorf("ParsePercent(%q): %q, want a message with %q", tc.in, passnum.ErrorMessage(err), tc.err)
		}
	}
}

// FuzzParseEuros: whatever it reads, written for people and read again,
// gives the same cents.
func FuzzParseEuros(f *testing.F) {
	for _, s := range []string{"10", "1 234,56", "0,1", "1,234", "-1", "12.5 €", "1\u202f000\u00a0€"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := passnum.ParseEuros(s)
		if err != nil {
			return
		}
		if c < 0 {
			t.Fatalf("ParseEuros(%q) = %d", s, c)
		}
		if back, err := passnum.ParseEuros(passnum.FrenchEuros(c)); err != nil || back != c {
			t.Fatalf("ParseEuros(%q) = %d, written %q, read back %d, %v", s, c, passnum.FrenchEuros(c), back, err)
		}
	})
}

func TestFormatEuros(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		// For people: pages, PDF, command line.
		{passnum.FrenchEuros(123456789), "1\u202f234\u202f567,89\u00a0€"},
		{passnum.FrenchEuros(5200000), "52\u202f000,00\u00a0€"},
		{passnum.FrenchEuros(5), "0,05\u00a0€"},
		{passnum.FrenchEuros(0), "0,00\u00a0€"},
		{passnum.FrenchEuros(-1050), "-10,50\u00a0€"},
		{passnum.FrenchEuros(-123456), "-1\u202f234,56\u00a0€"},
		{passnum.FrenchNumber(-1234), "-1\u202f234"},
		// For a spreadsheet's cell.
		{passnum.EurosCell(0), "0,00"},
		{passnum.EurosCell(1), "0,01"},
		{passnum.EurosCell(100), "1,00"},
		{passnum.EurosCell(123456), "1234,56"},
		{passnum.EurosCell(-250), "-2,50"},
		{passnum.EurosCell(100000000), "1000000,00"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
