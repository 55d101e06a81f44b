-- Addresses and whole domains that are never mailed: workspace-wide (campaign_id '') or for one
-- campaign. Values are normalised (lower case, IDN domains as punycode), so matching is exact.
CREATE TABLE suppressions (
    workspace_id bigint      NOT NULL REFERENCES workspaces (id),
    id           text        NOT NULL,                       -- sup_…
    kind         text        NOT NULL CHECK (kind IN ('email', 'domain')),
    value        text        NOT NULL,                       -- a normalised address, or a domain (without the @)
    campaign_id  text        NOT NULL DEFAULT '',            -- '' = every campaign of the workspace
    reason       text,
    source       text        NOT NULL,                       -- api, unsubscribe, bounce
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX suppressions_once ON suppressions (workspace_id, kind, value, campaign_id);
CREATE INDEX suppressions_list ON suppressions (workspace_id, id DESC);
