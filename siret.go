package passnum

// laPosteSIREN is La Poste's SIREN: its establishments' SIRET numbers do not
// pass the Luhn check; INSEE's rule for them is that the digit sum is a
// multiple of 5.
const laPosteSIREN = "356000000"

// ValidateSIRET checks that s is a SIRET number: 14 digits that pass the
// Luhn check (or La Poste's rule).
func ValidateSIRET(s string) error {
	bad := Invalid("siret", "SIRET invalide : %q. Il compte 14 chiffres ; vérifiez-le sur annuaire-entreprises.data.gouv.fr.", s)
	if len(s) != 14 {
		return bad
	}
	sum, plain := 0, 0
	for i := 0; i < 14; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return bad
		}
		d := int(c - '0')
		plain += d
		if i%2 == 0 { // from the left, even positions are doubled for 14 digits
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	if s[:9] == laPosteSIREN && plain%5 == 0 {
		return nil
	}
	if sum%10 != 0 {
		return bad
	}
	return nil
}
