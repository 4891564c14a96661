package main

import (
	"context"
	"net"
	"net/http"
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

// TestServePublicURL: the messages a request to serve queues carry links
// on its --url.
func TestServePublicURL(t *testing.T) {
	h := newHarness(t)
	h.ok("migrate")
	s, err := sqlstore.Open(context.Background(), h.db)
	if err != nil {
		t.Fatal(err)
	}
	op, err := s.SystemActor(context.Background(), "test")
	var token string
	if err == nil {
		_, err = s.CreateUser(storetest.As(op), passnum.UserCreate{Email: "dpo@operateur.example", Name: "Claire Martin",
			Password: "un mot de passe assez long pour le test", OrgID: op.OrgID, Role: passnum.RoleAdmin})
	}
	if err == nil {
		_, token, err = s.CreateToken(storetest.As(op), passnum.TokenCreate{OrgID: op.OrgID, Role: passnum.RoleAdmin, Name: "registre"})
	}
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	// With --url, serve prints it, not the address it listens on: take a
	// free port first.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := startServe(t, "--db", h.db, "--addr", addr, "--url", "https://pass.example.fr/")
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/rights-requests", strings.NewReader(`{"ref": "B-0000-0001", "kind": "access", "channel": "email"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("record a request: %s", resp.Status)
	}
	srv.stop()
	s, err = sqlstore.Open(context.Background(), h.db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	msgs, _, err := s.ListOutbox(storetest.As(op), passnum.OutboxFilter{})
	if err != nil || len(msgs) != 1 || msgs[0].To != "dpo@operateur.example" ||
		!strings.Contains(msgs[0].Body, "\nhttps://pass.example.fr/operateur/demandes-rgpd/1\n") {
		t.Fatalf("outbox %+v %v", msgs, err)
	}
}
