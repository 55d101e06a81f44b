-- The warmup network: mailboxes of every workspace that have warmup on form one pool and send
-- each other ordinary-looking mail, ramping up day by day; recipients open it, rescue it from
-- spam and answer a share of it, and where each message landed is recorded.

CREATE TABLE warmup_mailboxes (
    workspace_id     bigint           NOT NULL REFERENCES workspaces (id),
    mailbox_id       text             NOT NULL,
    address          text             NOT NULL,
    domain           text             NOT NULL,
    state            text             NOT NULL CHECK (state IN ('warming', 'ready', 'paused', 'off')),
    paused_from      text,                                 -- the state a pause returns to
    enabled_at       timestamptz      NOT NULL,            -- the ramp's day 1 is this UTC day
    start_per_day    integer          NOT NULL,
    target_per_day   integer          NOT NULL,
    ramp_days        integer          NOT NULL,
    reply_rate       double precision NOT NULL,
    important_rate   double precision NOT NULL,
    ready_inbox_rate double precision NOT NULL,
    window_days      integer          NOT NULL,
    ready_at         timestamptz,
    created_at       timestamptz      NOT NULL,
    updated_at       timestamptz      NOT NULL,
    PRIMARY KEY (workspace_id, mailbox_id)
);
CREATE INDEX warmup_mailboxes_pool ON warmup_mailboxes (state) WHERE state IN ('warming', 'ready');

-- One row per mailbox and UTC day once that day's mail is planned (so it is planned once).
CREATE TABLE warmup_plans (
    workspace_id bigint  NOT NULL,
    mailbox_id   text    NOT NULL,
    day          date    NOT NULL,
    ramp_day     integer NOT NULL,
    target       integer NOT NULL,                          -- the ramp's number for the day
    planned      integer NOT NULL,                          -- what was planned (the target with its randomness, within the limit)
    PRIMARY KEY (workspace_id, mailbox_id, day)
);

CREATE TABLE warmup_messages (
    id                text        PRIMARY KEY,              -- wmsg_…
    kind              text        NOT NULL CHECK (kind IN ('warmup', 'reply')),
    parent_id         text,                                 -- the message a reply answers
    sender_ws         bigint      NOT NULL,
    sender_mailbox    text        NOT NULL,
    recipient_ws      bigint      NOT NULL,
    recipient_mailbox text        NOT NULL,
    day               date        NOT NULL,                 -- the sender's UTC day it belongs to
    seq               integer     NOT NULL,                 -- the sender's n-th message that day (what the corpus writes)
    planned_at        timestamptz NOT NULL,
    status            text        NOT NULL CHECK (status IN ('planned', 'sending', 'sent', 'failed', 'skipped', 'cancelled')),
    reason            text,
    locked_until      timestamptz,
    message_id        text,
    subject           text,
    sent_at           timestamptz,
    landed            text        CHECK (landed IN ('inbox', 'spam')),
    landed_at         timestamptz,
    flagged           boolean     NOT NULL DEFAULT false,
    replied           boolean     NOT NULL DEFAULT false
);
CREATE INDEX warmup_messages_due ON warmup_messages (planned_at) WHERE status = 'planned';
CREATE INDEX warmup_messages_sending ON warmup_messages (locked_until) WHERE status = 'sending';
CREATE INDEX warmup_messages_sender ON warmup_messages (sender_ws, sender_mailbox, day);
CREATE INDEX warmup_messages_recipient ON warmup_messages (recipient_ws, recipient_mailbox, landed_at);
CREATE INDEX warmup_messages_awaiting ON warmup_messages (recipient_ws, recipient_mailbox) WHERE status = 'sent' AND landed IS NULL;

CREATE TABLE warmup_operations (
    workspace_id bigint      NOT NULL REFERENCES workspaces (id),
    id           text        NOT NULL,                      -- wop_…
    action       text        NOT NULL,
    mailbox_key  text        NOT NULL,                      -- the mailboxes asked for, normalised and sorted
    day          date        NOT NULL,                      -- the same action on the same mailboxes the same UTC day is this one
    status       text        NOT NULL,
    settings     jsonb,
    items        jsonb       NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, action, mailbox_key, day)
);
