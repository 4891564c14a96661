-- Attachments of applications (issue 18, point 2, attachment.go): PDF
-- files an applicant joins to its draft. The content is kept in the
-- database, so that every server of an installation serves it and a
-- backup holds it; passnum.MaxAttachmentBytes and MaxAttachments bound
-- what an application adds. {{BLOB}} is BYTEA on PostgreSQL, BLOB on
-- SQLite. uploaded_by is the organisation (the journal names the person).
CREATE TABLE application_attachments (
    id             {{ID}},
    application_id BIGINT NOT NULL REFERENCES applications (id),
    file_name      TEXT NOT NULL,
    size           BIGINT NOT NULL CHECK (size > 0),
    sha256         TEXT NOT NULL,
    content        {{BLOB}} NOT NULL,
    uploaded_by    BIGINT NOT NULL REFERENCES organisations (id),
    uploaded_at    TEXT NOT NULL
);
CREATE INDEX application_attachments_application ON application_attachments (application_id);
