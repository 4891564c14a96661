package sepa

import (
	"math/rand/v2"
	"testing"
)

func TestCreditorReference(t *testing.T) {
	tests := []struct {
		body, want string
	}{
		{"539007547034", "RF18539007547034"}, // the example of ISO 11649
		{"5390 0754 7034", "RF18539007547034"},
		{"000000000539007547034", "RF18000000000539007547034"}, // 21 characters, the most
		{"2348231", "RF712348231"},
		{"g72uur", "RF45G72UUR"},
		{"18K5", "RF6518K5"},
		{"1", "RF741"},
		{"", ""},
		{"   ", ""},
		{"0000000005390075470341", ""}, // 22 characters
		{"AB-12", ""},
		{"ÉTÉ", ""},
		{"ı", ""}, // upper-cases to an ASCII I in Unicode, not here
	}
	for _, tt := range tests {
		if got := CreditorReference(tt.body); got != tt.want {
			t.Errorf("CreditorReference(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestValidCreditorReference(t *testing.T) {
	tests := []struct {
		ref  string
		want bool
	}{
		{"RF18539007547034", true},
		{"RF18000000000539007547034", true},
		{"RF712348231", true},
		{"RF45G72UUR", true},
		{"RF6518K5", true},
		{"RF741", true},
		{"RF18539007547035", false},           // last digit changed
		{"RF18539007547304", false},           // two digits swapped
		{"RF19539007547034", false},           // check digits changed
		{"RF18 5390 0754 7034", false},        // the printed form, not the electronic one
		{"rf18539007547034", false},           // lower case
		{"RF45g72uur", false},                 // lower case
		{"RF18", false},                       // no body
		{"RF180000000005390075470340", false}, // body of 22 characters
		{"RF71456789012345678901234", false},  // the shape of a reference, wrong check digits
		{"FR18539007547034", false},
		{"RFAB539007547034", false},
		{"RF18-539007547034", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidCreditorReference(tt.ref); got != tt.want {
			t.Errorf("ValidCreditorReference(%q) = %v, want %v", tt.ref, got, tt.want)
		}
	}
}

// TestCreditorReferenceRoundTrip checks, on random bodies, that every
// reference made is valid, that its check digits are 02 to 98, and that
// mod 97 catches every change of one digit for another, or of one letter
// for another (a letter for a digit changes the length of the number, and
// is caught only 96 times out of 97).
func TestCreditorReferenceRoundTrip(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	r := rand.New(rand.NewPCG(11649, 97))
	for range 2000 {
		body := make([]byte, 1+r.IntN(maxReferenceBody))
		for i := range body {
			body[i] = alphabet[r.IntN(len(alphabet))]
		}
		ref := CreditorReference(string(body))
		if !ValidCreditorReference(ref) || ref[4:] != string(body) {
			t.Fatalf("CreditorReference(%q) = %q, not valid", body, ref)
		}
		i := 4 + r.IntN(len(body))
		c := alphabet[r.IntN(10)]
		if !isDigit(ref[i]) {
			c = alphabet[10+r.IntN(26)]
		}
		if c == ref[i] {
			continue
		}
		typo := ref[:i] + string(c) + ref[i+1:]
		if ValidCreditorReference(typo) {
			t.Fatalf("ValidCreditorReference(%q) = true, a typo of %q", typo, ref)
		}
	}
}
