package httpapi_test

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/passcode"
	"github.com/passnum/passnum/internal/storetest"
)

// unknownCode returns a well-formed code that no pass carries.
func unknownCode(t *testing.T) string {
	t.Helper()
	c, err := passcode.NewCode(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return c.String()
}

// forgedPayload returns a QR payload for a real pass signed with a key the
// platform does not hold, under the id of the key it does.
func forgedPayload(t *testing.T, f *storetest.Fixture, serial int64) string {
	t.Helper()
	key, err := passcode.GenerateKey(f.Batch.KeyID, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := passcode.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	code, err := passcode.Parse(f.Codes[serial])
	if err != nil {
		t.Fatal(err)
	}
	p, err := ring.Sign(passcode.Claims{Serial: serial, Programme: f.Programme.ID, Expiry: f.Programme.ValidUntil, Code: code})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRefusals presents passes that must be refused: each refusal is a 422
// problem whose type is the reason, whose detail is French, and whose
// passes extension gives the verdict on every pass presented; a check of
// the same passes answers 200 with the same verdicts.
func TestRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		op := a.operatorToken()
		venue := a.token(f.Venue.ID, passnum.RoleAgent)
		venueAdmin := a.token(f.Venue.ID, passnum.RoleAdmin)
		venue2 := a.token(f.Venue2.ID, passnum.RoleAgent)
		outside := a.token(f.Outside.ID, passnum.RoleAgent)

		// Carnets 0-5 are distributed, 6-9 allocated only.
		distributed := func(carnet, i int) string { return f.Codes[f.Serials(carnet)[i]] }
		a.do(venue, "POST", "/api/v1/redemptions", map[string]any{"codes": []string{distributed(0, 0)}, "service_id": f.Service.ID, "idempotency_key": "first"}).ok(http.StatusCreated, nil)
		blockedSerial := f.Serials(1)[0]
		a.do(op, "POST", "/api/v1/blocks", map[string]any{"scope": "pass", "serial": blockedSerial, "reason": "carnet perdu"}).ok(http.StatusOK, nil)
		var leisure, double passnum.CatalogueService
		a.do(venueAdmin, "POST", "/api/v1/services", passnum.CatalogueServiceCreate{Title: "Montage vidéo", Category: "Loisirs et créations numériques", DurationMinutes: 120, PricePasses: 1}).ok(http.StatusCreated, &leisure)
		a.do(venueAdmin, "POST", "/api/v1/services", passnum.CatalogueServiceCreate{Title: "Atelier long", Category: "Maîtrise des outils numériques du quotidien", DurationMinutes: 240, PricePasses: 2}).ok(http.StatusCreated, &double)
		// A second batch that no funder has paid for yet.
		var unpaid passnum.Batch
		a.do(op, "POST", fmt.Sprintf("/api/v1/programmes/%d/batches", f.Programme.ID), map[string]any{"carnets": 1}).ok(http.StatusCreated, &unpaid)
		unpaidCodes, _ := storetest.ExportCodes(t, env.Store, f.Operator, unpaid.ID)
		a.do(op, "POST", fmt.Sprintf("/api/v1/organisations/%d/qualification", f.Venue2.ID), map[string]any{"status": "suspended", "reason": "contrôle en cours"}).ok(http.StatusOK, nil)

		for _, c := range []struct {
			name    string
			token   string
			codes   []string
			service int64
			reason  string
			detail  string // a part of the French detail
			field   string
			// perPass: the refusal is about passes, so every pass
			// presented has its verdict in the passes extension.
			perPass bool
		}{
			{"already redeemed", venue, []string{distributed(0, 0)}, f.Service.ID, passnum.ReasonAlreadyRedeemed, "déjà utilisé", "", true},
			{"unknown", venue, []string{unknownCode(t)}, f.Service.ID, passnum.ReasonUnknown, "Code inconnu", "", true},
			{"malformed", venue, []string{"7K3M-QX9D"}, f.Service.ID, passnum.ReasonMalformed, "incomplet", "", true},
			{"forged", venue, []string{forgedPayload(t, f, f.Serials(2)[0])}, f.Service.ID, passnum.ReasonForged, "falsifié", "", true},
			{"duplicate", venue, []string{distributed(2, 1), distributed(2, 1)}, f.Service.ID, passnum.ReasonDuplicate, "1 pass sur 2", "", true},
			{"not activated", venue, []string{unpaidCodes[unpaid.FirstSerial]}, f.Service.ID, passnum.ReasonNotActivated, "pas encore activé", "", true},
			{"not distributed", venue, []string{distributed(6, 0)}, f.Service.ID, passnum.ReasonNotDistributed, "n'a pas été remis", "", true},
			{"blocked", venue, []string{f.Codes[blockedSerial]}, f.Service.ID, passnum.ReasonBlocked, "carnet perdu", "", true},
			{"outside territory", outside, []string{distributed(3, 0)}, f.OutService.ID, passnum.ReasonOutsideTerr, "pas valable dans votre commune", "", true},
			{"service not allowed", venue, []string{distributed(3, 0)}, leisure.ID, passnum.ReasonServiceNotAllow, "ne finance pas", "", true},
			{"several reasons", venue, []string{distributed(3, 1), unknownCode(t), distributed(7, 0)}, f.Service.ID, passnum.ReasonPassesRefused, "2 pass sur 3 refusés", "", true},
			{"service of another venue", venue, []string{distributed(3, 0)}, f.Service2.ID, passnum.ReasonServiceUnknown, "catalogue", "service_id", false},
			{"pass count", venue, []string{distributed(3, 0)}, double.ID, passnum.ReasonPassCount, "2 pass par personne", "", false},
			{"venue not qualified", venue2, []string{distributed(3, 0)}, f.Service2.ID, passnum.ReasonVenueNotQual, "pas qualifié", "", false},
		} {
			t.Run(c.name, func(t *testing.T) {
				body := map[string]any{"codes": c.codes, "service_id": c.service, "idempotency_key": "refused-" + c.name}
				p := a.do(c.token, "POST", "/api/v1/redemptions", body).problem(http.StatusUnprocessableEntity, c.reason)
				if !strings.Contains(p.Detail, c.detail) || p.Instance != "/api/v1/redemptions" || p.Field != c.field {
					t.Fatalf("problem %+v, want detail with %q and field %q", p, c.detail, c.field)
				}
				var doc struct{ Title string }
				a.do("", "GET", p.Type, nil).ok(http.StatusOK, &doc)
				if doc.Title != p.Title {
					t.Fatalf("type %s dereferences to title %q, problem says %q", p.Type, doc.Title, p.Title)
				}
				if !c.perPass {
					if len(p.Passes) != 0 {
						t.Fatalf("passes %+v in a refusal about the venue or service", p.Passes)
					}
					return
				}
				if len(p.Passes) != len(c.codes) {
					t.Fatalf("%d passes in the problem for %d presented: %+v", len(p.Passes), len(c.codes), p.Passes)
				}
				refused := 0
				for _, pc := range p.Passes {
					if !pc.Usable {
						refused++
						if pc.Reason == "" || pc.Message == "" {
							t.Fatalf("refused pass without reason: %+v", pc)
						}
					}
				}
				if refused == 0 || len(c.codes) == 1 && p.Detail != p.Passes[0].Message {
					t.Fatalf("problem %+v", p)
				}
				var checked struct{ Passes []passnum.PassCheck }
				a.do(c.token, "POST", "/api/v1/checks", map[string]any{"codes": c.codes, "service_id": c.service}).ok(http.StatusOK, &checked)
				for i, pc := range checked.Passes {
					if pc.Reason != p.Passes[i].Reason || pc.Usable != p.Passes[i].Usable {
						t.Fatalf("check says %+v, redemption said %+v", pc, p.Passes[i])
					}
				}
			})
		}

		// Nothing was spent by the refusals.
		var reds page[passnum.Redemption]
		a.do(venue, "GET", "/api/v1/redemptions", nil).ok(http.StatusOK, &reds)
		if reds.Total != 1 {
			t.Fatalf("%d redemptions after refusals", reds.Total)
		}

		// After validity and tolerance, passes are refused as expired.
		env.Clock.Set(time.Date(2028, 2, 15, 10, 0, 0, 0, time.UTC))
		p := a.do(venue, "POST", "/api/v1/redemptions", map[string]any{"codes": []string{distributed(4, 0)}, "service_id": f.Service.ID, "idempotency_key": "late"}).
			problem(http.StatusUnprocessableEntity, passnum.ReasonExpired)
		if !strings.Contains(p.Detail, "31 décembre 2027") || len(p.Passes) != 1 {
			t.Fatalf("expired: %+v", p)
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}
