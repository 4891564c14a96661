package passnum

import (
	"context"
	"time"
)

// Reminders are the messages no one's action decides but the calendar:
// passes about to expire, a rights request about to be due. A daily job
// queues them (serve runs it; `passnum reminders run` too), each at most
// once whatever the number of servers or restarts: the store records what
// it reminded of under a unique key in the transaction that queues the
// message.

// ExpiryReminderDays is how long before the last day of validity of a
// programme's passes its prescribers and funders are told what is still
// unused.
const ExpiryReminderDays = 30

// RightsReminderDays is how long before its due date the operator is
// reminded of an open rights request: the week the dashboard's card shows.
const RightsReminderDays = RightsDueSoonDays

// ReminderRun counts what a run of the daily reminders queued: each a
// reminder of one organisation for one programme, or of one request.
type ReminderRun struct {
	StockExpiring int `json:"stock_expiring"` // prescribers and funders told of passes about to expire
	RightsDue     int `json:"rights_due"`     // rights requests the operator is reminded of
}

// Total is the number of reminders queued.
func (r *ReminderRun) Total() int { return r.StockExpiring + r.RightsDue }

// ExpiryReminderDue tells whether passes valid until validUntil
// (YYYY-MM-DD) are within ExpiryReminderDays of their last day at now,
// and not past it.
func ExpiryReminderDue(validUntil string, now time.Time) bool {
	today := Today(now)
	return validUntil >= today && validUntil <= AddDays(today, ExpiryReminderDays)
}

// AddDays returns the date (YYYY-MM-DD) days after day; a date that does
// not read is returned as it is.
func AddDays(day string, days int) string {
	d, err := time.Parse(DateLayout, day)
	if err != nil {
		return day
	}
	return d.AddDate(0, 0, days).Format(DateLayout)
}

// ReminderService runs the daily reminders (the operator; serve as the
// system).
type ReminderService interface {
	SendReminders(ctx context.Context) (*ReminderRun, error)
}
