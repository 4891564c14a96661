package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// The retry policy. A temporary failure is tried again after 1, 2, 4 …
// minutes, at most 6 hours apart, each delay drawn within ±20 % so that
// the messages of one outage do not all come back at once; after
// MaxAttempts attempts (about two days) the message has failed.
const (
	MaxAttempts  = 16
	firstBackoff = time.Minute
	maxBackoff   = 6 * time.Hour
	// MaxWait: a message due for longer than this was never tried (no
	// sender ran): it is stale, the person no longer expects it (a
	// password reset link lasts an hour), and it is not sent.
	MaxWait = 48 * time.Hour
)

// Backoff is the delay before the attempt after attempt number n (1 for
// the first), without its jitter.
func Backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	if n > 20 {
		return maxBackoff
	}
	return min(firstBackoff<<(n-1), maxBackoff)
}

// Sender delivers the outbox: it claims due messages, sends them outside
// any transaction and records the outcome. Several senders (one per
// server) share one queue: each message is claimed by one at a time.
type Sender struct {
	queue  passnum.MailQueue
	client *Client
	log    *slog.Logger
	// now is the clock of retry dates (tests move it with the store's).
	now func() time.Time
	// claimer names this sender in the claims: the machine, the process
	// and a random part, unique among the senders of one database.
	claimer string
	// Interval is how long the sender waits when the queue is empty;
	// Lease how long a claim lasts (longer than a send); Batch how many
	// messages one claim takes.
	Interval time.Duration
	Lease    time.Duration
	Batch    int
}

// NewSender returns a sender of queue's messages through client.
func NewSender(queue passnum.MailQueue, client *Client, log *slog.Logger, now func() time.Time) *Sender {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	if now == nil {
		now = time.Now
	}
	return &Sender{queue: queue, client: client, log: log, now: now,
		claimer:  fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b)),
		Interval: 2 * time.Second, Lease: 5 * time.Minute, Batch: 10}
}

// Claimer names the sender in its claims.
func (s *Sender) Claimer() string { return s.claimer }

// Run delivers until ctx ends, waiting Interval whenever nothing is due.
func (s *Sender) Run(ctx context.Context) {
	for {
		n, err := s.RunOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.log.Error("mail queue", "err", err)
		}
		if n > 0 && err == nil {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.Interval):
		}
	}
}

// RunOnce claims one batch of due messages and delivers them; it
// returns how many it claimed.
func (s *Sender) RunOnce(ctx context.Context) (int, error) {
	batch, err := s.queue.ClaimMail(ctx, s.claimer, s.Batch, s.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim: %w", err)
	}
	for _, m := range batch {
		if ctx.Err() != nil {
			// Stopped: the claims of the rest expire and another attempt
			// (here after a restart, or on another server) takes them.
			return len(batch), ctx.Err()
		}
		o := s.deliver(ctx, m)
		if ctx.Err() != nil && o.State != passnum.MailSent {
			// Stopped mid-send: what failed is the stop's doing, not
			// the server's; the claim expires as above. A message the
			// server took is recorded sent, so that it is not sent twice.
			return len(batch), ctx.Err()
		}
		if err := s.queue.RecordMailOutcome(context.WithoutCancel(ctx), m.ID, s.claimer, o); err != nil {
			s.log.Error("mail outcome not recorded", "outbox", m.ID, "state", o.State, "err", err)
		}
	}
	return len(batch), ctx.Err()
}

// deliver sends one claimed message and says what became of it.
func (s *Sender) deliver(ctx context.Context, m *passnum.OutgoingMail) passnum.MailOutcome {
	now := s.now()
	log := s.log.With("outbox", m.ID, "kind", m.Kind, "attempt", m.Attempts)
	if m.Attempts > MaxAttempts {
		// Claims of this message expired again and again (a sender that
		// stops while sending it?): give up rather than loop.
		log.Warn("mail given up: too many attempts")
		return passnum.MailOutcome{State: passnum.MailFailed, Answer: fmt.Sprintf("abandonné après %d tentatives", MaxAttempts)}
	}
	if m.Attempts == 1 && now.Sub(m.DueAt) > MaxWait {
		log.Warn("mail not sent: stale", "due", m.DueAt)
		return passnum.MailOutcome{State: passnum.MailFailed,
			Answer: "non envoyé : en attente depuis plus de 48 heures, sans serveur d'envoi ; renvoyez-le si la personne l'attend encore"}
	}
	answer, err := s.client.Send(ctx, Message{ID: m.ID, CreatedAt: m.CreatedAt, Kind: m.Kind, To: m.To, Subject: m.Subject,
		Body: m.Body, UnsubscribeToken: m.UnsubscribeToken}, now)
	if err == nil {
		log.Info("mail sent", "answer", answer)
		return passnum.MailOutcome{State: passnum.MailSent, Answer: answer}
	}
	// Refused before sending (a malformed address stored before the
	// rule): sending again would change nothing.
	permanent, answer := true, passnum.ErrorMessage(err)
	if e, ok := err.(*Error); ok {
		permanent, answer = e.Permanent, e.Answer
	}
	if permanent || m.Attempts >= MaxAttempts {
		log.Warn("mail failed", "err", logged(err))
		return passnum.MailOutcome{State: passnum.MailFailed, Answer: answer}
	}
	delay := Backoff(m.Attempts)
	delay = delay*4/5 + time.Duration(mrand.Int64N(int64(delay)*2/5+1))
	log.Warn("mail not sent, will try again", "err", logged(err), "in", delay)
	return passnum.MailOutcome{State: passnum.MailPending, Answer: answer, RetryAt: now.Add(delay)}
}

// logged is what the log says of a failed delivery: the server's words
// and the code, without the recipient's address that go-mail appends (the
// outbox keeps it, for its readers only); for a message refused before
// sending, the reason and the field, not the address.
func logged(err error) string {
	if e, ok := err.(*Error); ok {
		answer, _, _ := strings.Cut(e.Answer, ", affected recipient")
		return answer
	}
	var pe *passnum.Error
	if errors.As(err, &pe) {
		return pe.Code + " " + pe.Reason + " (" + pe.Field + ")"
	}
	return err.Error()
}
