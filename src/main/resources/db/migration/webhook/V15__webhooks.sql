-- Webhooks: an outbox of events (written in the transaction of the change where the change is a
-- transaction of ours), subscriptions with their secret (encrypted), and one delivery per
-- (subscription, event), retried on a fixed schedule.

CREATE TABLE webhook_events (
    workspace_id bigint      NOT NULL REFERENCES workspaces (id),
    id           text        NOT NULL,                        -- evt_… (also the webhook-id header, constant across retries)
    type         text        NOT NULL,
    campaign_id  text,
    payload      jsonb       NOT NULL,                        -- the body sent: {"type","timestamp","data":{…}}
    created_at   timestamptz NOT NULL,
    seq          bigint      GENERATED ALWAYS AS IDENTITY,    -- creation order (ids made in the same millisecond are not ordered)
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX webhook_events_list ON webhook_events (workspace_id, id DESC);

CREATE TABLE webhook_subscriptions (
    workspace_id     bigint      NOT NULL REFERENCES workspaces (id),
    id               text        NOT NULL,                    -- whk_…
    url              text        NOT NULL,
    event_types      text[]      NOT NULL,
    campaign_ids     text[]      NOT NULL DEFAULT '{}',       -- empty: every campaign (and events without one)
    description      text,
    secret           text        NOT NULL,                    -- sealed by the secret vault
    old_secret       text,                                    -- the previous secret, still signing until old_secret_until
    old_secret_until timestamptz,
    status           text        NOT NULL CHECK (status IN ('active', 'paused', 'disabled')),
    disabled_reason  text,
    failing_since    timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE webhook_deliveries (
    workspace_id     bigint      NOT NULL,
    id               text        NOT NULL,                    -- dlv_…
    subscription_id  text        NOT NULL,
    event_id         text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('pending', 'delivering', 'succeeded', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    last_status      integer,
    last_error       text,
    last_response    text,                                    -- the endpoint's answer, truncated
    locked_by        text,
    locked_until     timestamptz,
    created_at       timestamptz NOT NULL,
    first_attempt_at timestamptz,
    delivered_at     timestamptz,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (workspace_id, subscription_id, id DESC);
