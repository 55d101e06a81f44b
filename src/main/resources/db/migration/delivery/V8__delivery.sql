-- The sending engine's state: what each send rendered, atomic daily reservations and pacing
-- per mailbox (so several processes can never exceed a cap together), mailbox health as seen
-- by sending, and the counters stats are read from.

ALTER TABLE sends ADD COLUMN subject text;
ALTER TABLE sends ADD COLUMN in_reply_to text;
ALTER TABLE sends ADD COLUMN smtp_reply text;

-- sends left in flight by a dead process are found by their expired lease
CREATE INDEX sends_in_flight ON sends (locked_until) WHERE status = 'in_flight';
-- a contact's earlier sends (threading, same mailbox)
CREATE INDEX sends_contact ON sends (workspace_id, contact_id, step_order);

-- Reservations: a row per (scope, UTC day). A send reserves with
--   INSERT … ON CONFLICT DO UPDATE SET used = used + 1 WHERE used < :limit RETURNING used
-- which is atomic: two processes can never both take the last slot.
CREATE TABLE delivery_day_counts (
    workspace_id bigint  NOT NULL,
    scope        text    NOT NULL,   -- 'mailbox:<id>', 'campaign:<id>', 'campaign-mailbox:<id>:<id>', 'campaign-new:<id>'
    day          date    NOT NULL,
    used         integer NOT NULL,
    PRIMARY KEY (workspace_id, scope, day)
);

-- The earliest moment each mailbox may send again (the random gap between its sends).
CREATE TABLE delivery_pacing (
    workspace_id bigint      NOT NULL,
    mailbox_id   text        NOT NULL,
    next_at      timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, mailbox_id)
);

-- Mailbox health as sending sees it: consecutive failures pause only that mailbox.
CREATE TABLE delivery_mailbox_state (
    workspace_id         bigint      NOT NULL,
    mailbox_id           text        NOT NULL,
    consecutive_failures integer     NOT NULL DEFAULT 0,
    paused_until         timestamptz,
    last_error           text,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, mailbox_id)
);

-- Counters kept as sends happen: stats read these, never the sends table.
CREATE TABLE campaign_stats (
    workspace_id bigint  NOT NULL,
    campaign_id  text    NOT NULL,
    day          date    NOT NULL,
    step_order   integer NOT NULL,
    variant_id   text    NOT NULL DEFAULT '',
    mailbox_id   text    NOT NULL DEFAULT '',
    sent         integer NOT NULL DEFAULT 0,
    failed       integer NOT NULL DEFAULT 0,
    bounced      integer NOT NULL DEFAULT 0,
    skipped      integer NOT NULL DEFAULT 0,
    unknown      integer NOT NULL DEFAULT 0,
    opened       integer NOT NULL DEFAULT 0,
    clicked      integer NOT NULL DEFAULT 0,
    replied      integer NOT NULL DEFAULT 0,
    interested   integer NOT NULL DEFAULT 0,
    unsubscribed integer NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, campaign_id, day, step_order, variant_id, mailbox_id)
);
