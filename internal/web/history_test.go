package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestHistoryShowsPassesAsSeen: the venue's history and the page to void
// a redemption name each pass by its code and carnet, as the mediator saw
// them at the counter (the code masked but for its end: a voided
// redemption makes its passes usable again), never by the platform's
// internal serial, and never with the whole code.
func TestHistoryShowsPassesAsSeen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		first, second := f.Serials(0)[0], f.Serials(1)[2]
		red, err := env.Store.Redeem(storetest.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(first, second), ServiceID: f.Service.ID, IdempotencyKey: "history"})
		if err != nil {
			t.Fatal(err)
		}
		venue := s.as(passnum.KindVenue, passnum.RoleAgent)
		for _, path := range []string{"/lieu/historique", fmt.Sprintf("/lieu/encaissements/%d/annuler", red.ID)} {
			text := strings.ReplaceAll(s.get(venue, path).text(), " ,", ",") // the code is in its own element
			for _, want := range []string{
				masked(f.Codes[first]) + ", carnet n°" + fmt.Sprint(f.Batch.FirstCarnet),
				masked(f.Codes[second]) + ", carnet n°" + fmt.Sprint(f.Batch.FirstCarnet+1),
			} {
				if !strings.Contains(text, want) {
					t.Errorf("%s does not say %q:\n%s", path, want, text)
				}
			}
			for _, code := range []string{f.Codes[first], f.Codes[second]} {
				if strings.Contains(text, code) {
					t.Errorf("%s shows the whole code %s:\n%s", path, code, text)
				}
			}
			for _, serial := range []int64{first, second} {
				if strings.Contains(text, passnum.FormatSerial(serial)) {
					t.Errorf("%s shows the serial %s:\n%s", path, passnum.FormatSerial(serial), text)
				}
			}
		}
	})
}

// masked is a code as lists show it, its first eight characters hidden.
func masked(code string) string { return "••••-••••" + code[len("XXXX-XXXX"):] }
