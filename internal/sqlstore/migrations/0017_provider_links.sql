-- Links between accounts and identities at an OpenID Connect provider
-- (ProConnect; passnum.ProviderLink): made at a person's first sign-in
-- there, by the e-mail of the account an administrator created; later
-- sign-ins find the account by (issuer, subject), which the provider keeps
-- for good while the e-mail may change. email is the one the provider last
-- gave, shown to the person on their account page.
CREATE TABLE provider_links (
    id           {{ID}},
    user_id      BIGINT NOT NULL REFERENCES users (id),
    issuer       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    email        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT NOT NULL,
    UNIQUE (issuer, subject)
);
CREATE INDEX provider_links_user ON provider_links (user_id);
