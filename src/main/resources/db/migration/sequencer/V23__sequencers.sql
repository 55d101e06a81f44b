-- Sequencer connections (an Instantly or Smartlead API key of a workspace) and exports of
-- mailboxes into them. The export items are their own work queue: a runner in any server process
-- claims due items with FOR UPDATE SKIP LOCKED and a lease, so progress survives a restart.

CREATE TABLE sequencer_connections (
    workspace_id      bigint      NOT NULL REFERENCES workspaces (id),
    id                text        NOT NULL,                  -- seq_…
    provider          text        NOT NULL,                  -- instantly | smartlead
    name              text        NOT NULL,
    api_key           text        NOT NULL,                  -- SecretVault ciphertext, context 'sequencer:' || id
    key_hint          text        NOT NULL,                  -- last 4 characters, shown masked
    account           text,                                  -- what the provider calls the key's account/workspace
    validated_at      timestamptz NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE sequencer_exports (
    workspace_id   bigint      NOT NULL REFERENCES workspaces (id),
    id             text        NOT NULL,                     -- exp_…
    connection_id  text        NOT NULL,                     -- kept when the connection is deleted (history)
    provider       text        NOT NULL,
    status         text        NOT NULL,                     -- queued | running | completed | partial | failed
    daily_limit    integer,
    enable_warmup  boolean     NOT NULL,
    warmup_per_day integer     NOT NULL,
    warmup_rampup  integer     NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    finished_at    timestamptz,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE sequencer_export_items (
    workspace_id    bigint      NOT NULL,
    export_id       text        NOT NULL,
    seq             integer     NOT NULL,                    -- order as asked
    connection_id   text        NOT NULL,
    mailbox_id      text,                                    -- null when the asked-for mailbox is unknown
    mailbox         text        NOT NULL,                    -- address (or what was asked for)
    status          text        NOT NULL,                    -- queued | running | completed | failed | skipped
    reason          text,                                    -- machine code of a failure or skip
    error           text,                                    -- the provider's (or our) message
    external_id     text,                                    -- the provider's id of the created account
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    uncertain       boolean     NOT NULL DEFAULT false,      -- the last attempt may have reached the provider (5xx, timeout, lost lease)
    locked_by       text,
    locked_until    timestamptz,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, export_id, seq),
    FOREIGN KEY (workspace_id, export_id) REFERENCES sequencer_exports (workspace_id, id) ON DELETE CASCADE
);

-- A mailbox is exported to a connection at most once: a queued, running or completed item holds
-- the place; a failed one gives it back so the mailbox can be exported again.
CREATE UNIQUE INDEX sequencer_export_items_once ON sequencer_export_items (workspace_id, connection_id, mailbox_id)
    WHERE status IN ('queued', 'running', 'completed');

-- The runner's claim: due work of every workspace, oldest first.
CREATE INDEX sequencer_export_items_due ON sequencer_export_items (next_attempt_at) WHERE status IN ('queued', 'running');
