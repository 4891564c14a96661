package sepa

// ISO 11649 structured creditor references: "RF", two check digits and a
// body of 1 to 21 letters or digits, checked with ISO 7064 mod 97-10 like
// an IBAN. The electronic form has no spaces; the printed form groups it by
// four ("RF18 5390 0754 7034").

// maxReferenceBody is the longest body of a creditor reference (25 - 4).
const maxReferenceBody = 21

// CreditorReference returns the ISO 11649 creditor reference of body, in
// electronic form: "RF", the two check digits and body upper-cased. Spaces
// in body are dropped; if what remains is not 1 to 21 ASCII letters or
// digits, CreditorReference returns "" (which Write refuses).
func CreditorReference(body string) string {
	b := make([]byte, 0, 4+len(body))
	b = append(b, "RF00"...)
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == ' ':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return ""
		}
		b = append(b, c)
	}
	n := len(b) - 4
	if n < 1 || n > maxReferenceBody {
		return ""
	}
	// The check digits make body + "RF" + check ≡ 1 (mod 97): with
	// "00" in their place the remainder r gives 98 - r, in 02..98.
	check := 98 - mod97(b[4:], b[:4])
	b[2], b[3] = byte('0'+check/10), byte('0'+check%10)
	return string(b)
}

// ValidCreditorReference reports whether s is an ISO 11649 creditor
// reference in electronic form: "RF", check digits 02 to 98, then 1 to 21
// upper-case ASCII letters or digits, the whole ≡ 1 (mod 97) once the
// first four characters are moved to the end.
func ValidCreditorReference(s string) bool {
	if len(s) < 5 || len(s) > 4+maxReferenceBody || s[0] != 'R' || s[1] != 'F' {
		return false
	}
	if !isDigit(s[2]) || !isDigit(s[3]) || s[2:4] < "02" || s[2:4] > "98" {
		return false
	}
	for i := 4; i < len(s); i++ {
		if !isDigit(s[i]) && !(s[i] >= 'A' && s[i] <= 'Z') {
			return false
		}
	}
	return mod97([]byte(s[4:]), []byte(s[:4])) == 1
}

// mod97 returns the remainder modulo 97 of the number a+b spells once each
// letter is read as two digits (A = 10 … Z = 35), as ISO 7064 mod 97-10
// does for IBANs and creditor references. a and b hold only digits and
// upper-case letters.
func mod97(a, b []byte) int {
	r := 0
	for _, part := range [2][]byte{a, b} {
		for _, c := range part {
			if isDigit(c) {
				r = (r*10 + int(c-'0')) % 97
			} else {
				r = (r*100 + int(c-'A'+10)) % 97
			}
		}
	}
	return r
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
