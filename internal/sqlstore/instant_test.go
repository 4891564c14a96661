package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestUnreadableInstant damages a stored instant behind the store's back,
// one record at a time, and expects reading the record to fail with an
// internal error naming the table, the record and the column, instead of
// reading the instant as the year 1 (issue 12: a session whose expiry
// did not read was a session that never expired), and CheckInvariants to
// name the column.
func TestUnreadableInstant(t *testing.T) {
	type world struct {
		f       *st.Fixture
		session string // a prescriber's session secret
		serial  int64  // a redeemed pass, in carnet number
		carnet  int64
	}
	tests := []struct {
		name   string
		sql    func(w *world) string
		read   func(ctx context.Context, env *st.Env, w *world) (any, error) // what was read
		expect func(w *world) string                                         // in the error
	}{
		{
			"organisation created",
			func(w *world) string {
				return fmt.Sprintf(`UPDATE organisations SET created_at = 'garbage' WHERE id = %d`, w.f.Venue.ID)
			},
			func(ctx context.Context, env *st.Env, w *world) (any, error) {
				o, err := env.Store.FindOrganisation(ctx, w.f.Venue.ID)
				if err != nil {
					return nil, err
				}
				return o.CreatedAt, nil
			},
			func(w *world) string {
				return fmt.Sprintf(`organisations %d: created_at "garbage" is not an instant`, w.f.Venue.ID)
			},
		},
		{
			"session expiry",
			func(w *world) string { return `UPDATE sessions SET expires_at = 'garbage'` },
			func(ctx context.Context, env *st.Env, w *world) (any, error) {
				info, err := env.Store.AuthenticateSession(context.Background(), w.session)
				if err != nil {
					return nil, err
				}
				return info.Session.ExpiresAt, nil
			},
			func(w *world) string { return `: expires_at "garbage" is not an instant` },
		},
		{
			"pass redeemed, empty",
			func(w *world) string {
				return fmt.Sprintf(`UPDATE passes SET redeemed_at = '' WHERE serial = %d`, w.serial)
			},
			func(ctx context.Context, env *st.Env, w *world) (any, error) {
				c, err := env.Store.FindCarnet(ctx, w.carnet)
				if err != nil {
					return nil, err
				}
				return c.Passes[0].RedeemedAt, nil
			},
			func(w *world) string { return fmt.Sprintf(`passes %d: redeemed_at "" is not an instant`, w.serial) },
		},
		{
			"carnet distributed, a date only",
			func(w *world) string {
				return fmt.Sprintf(`UPDATE carnets SET distributed_at = '2027-03-15' WHERE number = %d`, w.carnet)
			},
			func(ctx context.Context, env *st.Env, w *world) (any, error) {
				c, err := env.Store.FindCarnet(ctx, w.carnet)
				if err != nil {
					return nil, err
				}
				return c.DistributedAt, nil
			},
			func(w *world) string {
				return fmt.Sprintf(`carnets %d: distributed_at "2027-03-15" is not an instant`, w.carnet)
			},
		},
		{
			"redemption voided, another format",
			func(w *world) string { return `UPDATE redemptions SET voided_at = '2027-03-15 10:00:00'` },
			func(ctx context.Context, env *st.Env, w *world) (any, error) {
				list, _, err := env.Store.ListRedemptions(ctx, passnum.RedemptionFilter{})
				if err != nil {
					return nil, err
				}
				return list[0].VoidedAt, nil
			},
			func(w *world) string { return `: voided_at "2027-03-15 10:00:00" is not an instant` },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st.Each(t, func(t *testing.T, env *st.Env) {
				f := st.NewFixture(t, env, st.Options{Carnets: 4, Allocated: 3, Distributed: 2, CarnetSize: 2})
				w := &world{f: f, serial: f.Serials(0)[0]}
				op := st.As(f.Operator)
				if _, err := env.Store.Redeem(st.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(w.serial), ServiceID: f.Service.ID, IdempotencyKey: "x"}); err != nil {
					t.Fatal(err)
				}
				numbers, err := sqlstore.QueryStrings(env.Store, `SELECT CAST(carnet AS TEXT) FROM passes WHERE serial = ?`, w.serial)
				if err != nil || len(numbers) != 1 {
					t.Fatal(numbers, err)
				}
				fmt.Sscan(numbers[0], &w.carnet)
				if _, err := env.Store.CreateUser(op, passnum.UserCreate{Email: "camille@example.fr", Name: "Camille", Password: "un mot de passe assez long", OrgID: f.Prescriber.ID, Role: passnum.RoleAgent}); err != nil {
					t.Fatal(err)
				}
				if w.session, _, err = env.Store.Login(context.Background(), "camille@example.fr", "un mot de passe assez long"); err != nil {
					t.Fatal(err)
				}
				if _, err := tc.read(op, env, w); err != nil {
					t.Fatalf("before: %v", err)
				}
				st.MustCheck(t, env, f.Operator)

				if err := sqlstore.ExecRaw(env.Store, tc.sql(w)); err != nil {
					t.Fatalf("tamper: %v", err)
				}
				read, err := tc.read(op, env, w)
				if err == nil || !strings.Contains(err.Error(), tc.expect(w)) {
					t.Fatalf("read %v, error %v; want an error containing %q", read, err, tc.expect(w))
				}
				if passnum.ErrorCode(err) != passnum.EINTERNAL {
					t.Errorf("error code %q, want %q: people see an internal error, the operator's log the detail", passnum.ErrorCode(err), passnum.EINTERNAL)
				}
				rep, err := env.Store.CheckInvariants(op)
				if err != nil {
					t.Fatal(err)
				}
				if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "the shape of an instant") {
					t.Fatalf("problems %q do not name the damaged instant", rep.Problems)
				}
			})
		})
	}
}

// TestInstantColumns: the columns CheckInvariants reads as instants are
// those of the schema, so that a new column is not forgotten; a column
// named …_at that holds a date is listed as such.
func TestInstantColumns(t *testing.T) {
	env := st.OpenSQLite(t)
	named, err := sqlstore.QueryStrings(env.Store, `SELECT m.name || '.' || c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name LIKE '%\_at' ESCAPE '\' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	instants, dates := sqlstore.InstantColumns()
	listed := append(slices.Clone(instants), dates...)
	slices.Sort(listed)
	if !slices.Equal(named, listed) {
		t.Errorf("columns named …_at in the schema:\n%s\nlisted as instants or dates:\n%s", strings.Join(named, "\n"), strings.Join(listed, "\n"))
	}
	// Instants not named …_at exist too: each must be a column.
	for _, c := range instants {
		table, column, _ := strings.Cut(c, ".")
		n, err := sqlstore.QueryStrings(env.Store, `SELECT CAST(COUNT(*) AS TEXT) FROM pragma_table_info(?) WHERE name = ?`, table, column)
		if err != nil || len(n) != 1 || n[0] != "1" {
			t.Errorf("%s is not a column: %v %v", c, n, err)
		}
	}
}
