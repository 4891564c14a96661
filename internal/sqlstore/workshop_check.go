package sqlstore

// workshopChecks: what sessions and activity reports count agrees with
// their records.
var workshopChecks = []invariantCheck{
	{name: "workshop.registrations", about: "A session's registered counter is the number of its registrations not cancelled, and never exceeds its capacity.",
		number: `SELECT COUNT(*) FROM workshop_sessions w
			WHERE w.registered <> (SELECT COUNT(*) FROM workshop_registrations g WHERE g.session_id = w.id AND g.cancelled_at IS NULL)
			   OR w.registered > w.capacity`,
		message: "%d sessions disagree with their registrations (counter versus recount, or over capacity)"},
	{name: "workshop.redemptions", about: "A redemption tied to a session is of the session's venue and service.",
		number: `SELECT COUNT(*) FROM redemptions r JOIN workshop_sessions w ON w.id = r.session_id
			WHERE w.venue_id <> r.venue_id OR w.service_id <> r.service_id`,
		message: "%d redemptions are tied to a session of another venue or service"},
	{name: "workshop.reports", about: "A report's passes used are its redemption's passes, its redemption and session are its venue's, and it links no more people than it has participants.",
		number: `SELECT COUNT(*) FROM activity_reports a
			LEFT JOIN redemptions r ON r.id = a.redemption_id
			LEFT JOIN workshop_sessions w ON w.id = a.session_id
			WHERE (a.redemption_id IS NOT NULL AND (r.id IS NULL OR r.venue_id <> a.venue_id OR r.passes <> a.passes_used))
			   OR (a.session_id IS NOT NULL AND (w.id IS NULL OR w.venue_id <> a.venue_id))
			   OR a.participants < (SELECT COUNT(*) FROM activity_report_people p WHERE p.report_id = a.id)`,
		message: "%d activity reports disagree with their redemption, session or linked people"},
}
