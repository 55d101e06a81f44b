-- Platform tables: server secrets and the idempotency record of POST requests.

CREATE TABLE platform_secrets (
    name       text        PRIMARY KEY,
    value      bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per (workspace, Idempotency-Key). 'running' while the first request executes; 'done'
-- with the exact response bytes afterwards. Rows expire after 24 h (purged hourly).
CREATE TABLE idempotency_keys (
    workspace_id          bigint      NOT NULL,
    idem_key              text        NOT NULL,
    request_hash          bytea       NOT NULL,
    state                 text        NOT NULL CHECK (state IN ('running', 'done')),
    response_status       integer,
    response_content_type text,
    response_body         bytea,
    created_at            timestamptz NOT NULL DEFAULT now(),
    expires_at            timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, idem_key)
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
