package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	"github.com/passnum/passnum/internal/storetest"
)

// TestRemindersCommand: passnum reminders run queues the day's reminders
// once, with links on PASSNUM_URL; run again, it queues nothing.
func TestRemindersCommand(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		f := seedFixture(t, h)
		s, err := sqlstore.Open(context.Background(), h.db, sqlstore.WithClock(func() time.Time { return storetest.Start }))
		if err != nil {
			t.Fatal(err)
		}
		op := storetest.As(f.Operator)
		_, err = s.CreateUser(op, passnum.UserCreate{Email: "dpo@operateur.example", Name: "Claire Martin",
			Password: "un mot de passe assez long pour le test", OrgID: f.Operator.OrgID, Role: passnum.RoleAdmin})
		if err == nil {
			_, err = s.RecordRightsRequest(op, passnum.RightsRequestCreate{Ref: "B-0000-0001", Kind: passnum.RightAccess, Channel: passnum.ChannelEmail})
		}
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("PASSNUM_URL", "https://pass.example.fr/")
		// Received 15 March, due 15 April: reminded from 8 April.
		h.now = time.Date(2027, 4, 8, 9, 0, 0, 0, time.UTC)
		if out := h.ok("reminders", "run"); out != "Rappels mis en file : pass qui expirent 0, demandes RGPD à échéance 1.\n" {
			t.Errorf("first run: %q", out)
		}
		if out := h.ok("reminders", "run"); out != "Rappels mis en file : pass qui expirent 0, demandes RGPD à échéance 0.\n" {
			t.Errorf("second run: %q", out)
		}
		s, err = sqlstore.Open(context.Background(), h.db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		msgs, _, err := s.ListOutbox(op, passnum.OutboxFilter{})
		if err != nil || len(msgs) == 0 || msgs[0].Kind != passnum.MailRightsRequest ||
			!strings.Contains(msgs[0].Body, "https://pass.example.fr/operateur/demandes-rgpd/1\n") {
			t.Fatalf("outbox %+v %v", msgs, err)
		}
	})
}
