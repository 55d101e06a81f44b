-- Subsequences: follow-up sequences a contact is moved into when its reply is classified with an
-- intent the campaign routes (interested, out of office, …) or when it has not replied some time
-- after a given step. The main sequence stops for that contact; the sending engine sends the
-- subsequence's steps from the same mailbox, threaded under the earlier emails.

CREATE TABLE campaign_subsequences (
    workspace_id        bigint      NOT NULL,
    id                  text        NOT NULL,
    campaign_id         text        NOT NULL,
    name                text        NOT NULL,
    reply_intents       text[]      NOT NULL DEFAULT '{}',  -- trigger: the reply intents it accepts …
    no_reply_after_step integer     CHECK (no_reply_after_step IS NULL OR no_reply_after_step >= 1), -- … or no reply after step N
    no_reply_wait_seconds bigint    NOT NULL DEFAULT 259200 CHECK (no_reply_wait_seconds >= 0),
    status              text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    deleted_at          timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id),
    CHECK (cardinality(reply_intents) > 0 OR no_reply_after_step IS NOT NULL)
);
CREATE INDEX campaign_subsequences_campaign ON campaign_subsequences (workspace_id, campaign_id) WHERE deleted_at IS NULL;

-- Steps like a campaign's; variants kept with the step (a few per step, read together).
CREATE TABLE subsequence_steps (
    workspace_id   bigint      NOT NULL,
    id             text        NOT NULL,
    subsequence_id text        NOT NULL,
    step_order     integer     NOT NULL CHECK (step_order >= 1),
    subject        text        NOT NULL DEFAULT '',
    body_html      text        NOT NULL,
    body_text      text,
    delay_seconds  bigint      NOT NULL DEFAULT 0 CHECK (delay_seconds >= 0),
    variants       jsonb       NOT NULL DEFAULT '[]',  -- [{id, subject, bodyHtml, bodyText, weight}]
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, subsequence_id) REFERENCES campaign_subsequences (workspace_id, id),
    CONSTRAINT subsequence_steps_order UNIQUE (workspace_id, subsequence_id, step_order) DEFERRABLE INITIALLY DEFERRED
);

-- The routing policy: which subsequence a reply intent sends the contact to (one per intent).
CREATE TABLE subsequence_routes (
    workspace_id   bigint NOT NULL,
    campaign_id    text   NOT NULL,
    intent         text   NOT NULL,
    subsequence_id text   NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, intent),
    FOREIGN KEY (workspace_id, subsequence_id) REFERENCES campaign_subsequences (workspace_id, id)
);

-- Who is (or was) in which subsequence. A contact is in at most one subsequence at a time and
-- enters each subsequence at most once (so no subsequence email is ever sent twice).
CREATE TABLE subsequence_members (
    workspace_id   bigint      NOT NULL,
    subsequence_id text        NOT NULL,
    contact_id     text        NOT NULL,
    campaign_id    text        NOT NULL,
    mailbox_id     text        NOT NULL,   -- the contact's thread mailbox: every step goes from it
    status         text        NOT NULL CHECK (status IN ('active', 'completed', 'stopped', 'moved')),
    reason         text        NOT NULL,   -- the reply intent, 'no_reply_after_step_N' or 'sync'
    current_step   integer     NOT NULL DEFAULT 0,
    stop_reason    text,
    entered_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, subsequence_id, contact_id)
);
CREATE UNIQUE INDEX subsequence_members_one_active ON subsequence_members (workspace_id, contact_id) WHERE status = 'active';

-- A send of a subsequence step names it; NULL is the main sequence.
ALTER TABLE sends ADD COLUMN subsequence_id text;

-- Counters per subsequence step, kept as its sends happen (the campaign's own counters are the main sequence's).
CREATE TABLE subsequence_stats (
    workspace_id   bigint  NOT NULL,
    subsequence_id text    NOT NULL,
    step_order     integer NOT NULL,
    sent           integer NOT NULL DEFAULT 0,
    failed         integer NOT NULL DEFAULT 0,
    bounced        integer NOT NULL DEFAULT 0,
    skipped        integer NOT NULL DEFAULT 0,
    unknown        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, subsequence_id, step_order)
);
