package sqlstore

// callChecks are the invariants of calls for projects and conventions
// (DOMAIN.md, invariant 7): money committed under conventions never
// exceeds a call's envelope nor breaks its matching rule, and every total
// kept beside its parts equals them.
var callChecks = []invariantCheck{
	{name: "calls.envelope", about: "What a call's funder committed to the applications it selected is within the call's envelope.",
		rows: `SELECT c.id, SUM(a.granted_cents), c.envelope_cents FROM calls c JOIN applications a ON a.call_id = c.id AND a.status = 'selected'
			GROUP BY c.id, c.envelope_cents HAVING SUM(a.granted_cents) > c.envelope_cents ORDER BY c.id LIMIT 20`,
		message: "call %d: %d cents committed, above its envelope of %d cents"},
	{name: "calls.matching-rule", about: "In each convention, the call's funder pays at most the call's share (max_share_bp of the convention's total).",
		rows: `SELECT v.id, COALESCE(SUM(m.amount_cents), 0), v.total_cents, c.max_share_bp FROM conventions v
			JOIN calls c ON c.id = v.call_id LEFT JOIN convention_amounts m ON m.convention_id = v.id AND m.funder_id = c.funder_id
			GROUP BY v.id, v.total_cents, c.max_share_bp
			HAVING COALESCE(SUM(m.amount_cents), 0) * 10000 > v.total_cents * c.max_share_bp ORDER BY v.id LIMIT 20`,
		message: "convention %d: the call's funder puts %d cents of %d, above %d basis points"},
	{name: "calls.selected-share", about: "A selected application without a convention yet meets its call's matching rule.",
		rows: `SELECT a.id, a.granted_cents, (SELECT SUM(amount_cents) FROM application_lines l WHERE l.application_id = a.id), c.max_share_bp
			FROM applications a JOIN calls c ON c.id = a.call_id
			WHERE a.status = 'selected' AND NOT EXISTS (SELECT 1 FROM conventions v WHERE v.application_id = a.id)
			AND a.granted_cents * 10000 > (SELECT SUM(amount_cents) FROM application_lines l WHERE l.application_id = a.id) * c.max_share_bp
			ORDER BY a.id LIMIT 20`,
		message: "application %d: %d cents granted of %d, above %d basis points"},
	{name: "calls.granted", about: "What a selected application was granted equals what the call's funder puts in its convention, once there is one; refused and pending applications are granted nothing.",
		rows: `SELECT a.id, a.granted_cents, COALESCE((SELECT SUM(m.amount_cents) FROM conventions v JOIN convention_amounts m ON m.convention_id = v.id
				WHERE v.application_id = a.id AND m.funder_id = c.funder_id), 0)
			FROM applications a JOIN calls c ON c.id = a.call_id
			WHERE (a.status <> 'selected' AND a.granted_cents <> 0)
			OR (EXISTS (SELECT 1 FROM conventions v WHERE v.application_id = a.id) AND a.granted_cents <> COALESCE((SELECT SUM(m.amount_cents)
				FROM conventions v JOIN convention_amounts m ON m.convention_id = v.id WHERE v.application_id = a.id AND m.funder_id = c.funder_id), 0))
			ORDER BY a.id LIMIT 20`,
		message: "application %d: granted %d cents, its convention gives the call's funder %d"},
	{name: "conventions.total", about: "A convention's total is the sum of its amounts by funder and year.",
		rows: `SELECT v.id, v.total_cents, COALESCE(SUM(m.amount_cents), 0) FROM conventions v LEFT JOIN convention_amounts m ON m.convention_id = v.id
			GROUP BY v.id, v.total_cents HAVING v.total_cents <> COALESCE(SUM(m.amount_cents), 0) ORDER BY v.id LIMIT 20`,
		message: "convention %d: total %d cents, its amounts sum to %d"},
	{name: "conventions.history", about: "A convention's amounts are its application's budget changed by its addenda, line by line, each addendum starting from the amount the one before left.",
		rows: `SELECT v.id, m.funder_id, m.year, m.amount_cents FROM conventions v JOIN convention_amounts m ON m.convention_id = v.id
			WHERE m.amount_cents <> COALESCE((SELECT l.after_cents FROM addendum_lines l JOIN convention_addenda d ON d.id = l.addendum_id
				WHERE d.convention_id = v.id AND l.funder_id = m.funder_id AND l.year = m.year ORDER BY d.number DESC LIMIT 1),
				(SELECT b.amount_cents FROM application_lines b WHERE b.application_id = v.application_id AND b.funder_id = m.funder_id AND b.year = m.year), -1)
			ORDER BY v.id, m.funder_id, m.year LIMIT 20`,
		message: "convention %d: funder %d, year %d: %d cents, not what its application and addenda say"},
	{name: "conventions.called", about: "What is called from a party for a year of a convention is within what it committed for that year.",
		rows: `SELECT f.convention_id, f.funder_id, f.year, SUM(f.amount_cents), COALESCE(MAX(m.amount_cents), 0) FROM fund_calls f
			LEFT JOIN convention_amounts m ON m.convention_id = f.convention_id AND m.funder_id = f.funder_id AND m.year = f.year
			GROUP BY f.convention_id, f.funder_id, f.year HAVING SUM(f.amount_cents) > COALESCE(MAX(m.amount_cents), 0)
			ORDER BY f.convention_id, f.funder_id, f.year LIMIT 20`,
		message: "convention %d: funder %d, year %d: %d cents called, above its %d committed"},
}
