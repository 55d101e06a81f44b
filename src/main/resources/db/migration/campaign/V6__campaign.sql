-- Campaigns: the campaign, its steps and variants, attached mailboxes, launch jobs, and the
-- sends the sending engine works through (planned at launch, one row per step per contact).

CREATE TABLE campaigns (
    workspace_id          bigint      NOT NULL REFERENCES workspaces (id),
    id                    text        NOT NULL,
    name                  text        NOT NULL,
    priority              text        NOT NULL CHECK (priority IN ('HIGH', 'MEDIUM', 'LOW')),
    status                text        NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'stopped', 'completed', 'archived')),
    status_before_archive text,
    schedule              jsonb       NOT NULL,
    stop_rules            jsonb       NOT NULL,
    text_only             boolean     NOT NULL DEFAULT false,
    track_opens           boolean     NOT NULL DEFAULT false,
    track_clicks          boolean     NOT NULL DEFAULT false,
    launched_at           timestamptz,
    completed_at          timestamptz,
    deleted_at            timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX campaigns_list ON campaigns (workspace_id, id) WHERE deleted_at IS NULL;

-- Steps keep a dense 1-based order per campaign; shifting happens in one statement, so the
-- uniqueness is checked at commit.
CREATE TABLE campaign_steps (
    workspace_id  bigint      NOT NULL,
    id            text        NOT NULL,
    campaign_id   text        NOT NULL,
    step_order    integer     NOT NULL CHECK (step_order >= 1),
    subject       text        NOT NULL DEFAULT '',
    body_html     text        NOT NULL DEFAULT '',
    body_text     text,
    delay_seconds bigint      NOT NULL DEFAULT 0 CHECK (delay_seconds >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id),
    CONSTRAINT campaign_steps_order UNIQUE (workspace_id, campaign_id, step_order) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE campaign_variants (
    workspace_id bigint        NOT NULL,
    id           text          NOT NULL,
    step_id      text          NOT NULL,
    position     integer       NOT NULL,
    subject      text          NOT NULL DEFAULT '',
    body_html    text          NOT NULL DEFAULT '',
    body_text    text,
    weight       numeric(10,4) NOT NULL CHECK (weight > 0),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, step_id) REFERENCES campaign_steps (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_variants_step ON campaign_variants (workspace_id, step_id, position);

CREATE TABLE campaign_mailboxes (
    workspace_id bigint        NOT NULL,
    campaign_id  text          NOT NULL,
    mailbox_id   text          NOT NULL,
    daily_limit  integer       CHECK (daily_limit IS NULL OR daily_limit BETWEEN 1 AND 1000),
    weight       numeric(10,4) NOT NULL DEFAULT 1 CHECK (weight > 0),
    paused       boolean       NOT NULL DEFAULT false,
    created_at   timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, campaign_id, mailbox_id),
    FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id)
);
CREATE INDEX campaign_mailboxes_mailbox ON campaign_mailboxes (workspace_id, mailbox_id);

CREATE TABLE launch_jobs (
    workspace_id        bigint      NOT NULL,
    id                  text        NOT NULL,
    campaign_id         text        NOT NULL,
    status              text        NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    requested_limit     integer,
    enrolled            integer     NOT NULL DEFAULT 0,
    skipped_suppressed  integer     NOT NULL DEFAULT 0,
    skipped_duplicate   integer     NOT NULL DEFAULT 0,
    skipped_invalid     integer     NOT NULL DEFAULT 0,
    error               text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    finished_at         timestamptz,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id)
);

-- One row per (contact, step): the work queue of the sending engine. A send is claimed with
-- FOR UPDATE SKIP LOCKED and a lease; it ends sent, failed, bounced, skipped (reason) or unknown.
CREATE TABLE sends (
    workspace_id  bigint      NOT NULL,
    id            text        NOT NULL,
    campaign_id   text        NOT NULL,
    contact_id    text        NOT NULL,
    step_id       text        NOT NULL,
    step_order    integer     NOT NULL,
    mailbox_id    text,
    variant_id    text,
    status        text        NOT NULL CHECK (status IN ('planned', 'in_flight', 'sent', 'failed', 'bounced', 'skipped', 'unknown')),
    reason        text,
    scheduled_at  timestamptz NOT NULL,
    locked_by     text,
    locked_until  timestamptz,
    attempts      integer     NOT NULL DEFAULT 0,
    message_id    text,
    sent_at       timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id),
    CONSTRAINT sends_once UNIQUE (workspace_id, contact_id, step_id)
);
-- the planner's claim: due planned sends, oldest first
CREATE INDEX sends_due ON sends (scheduled_at) WHERE status = 'planned';
CREATE INDEX sends_campaign ON sends (workspace_id, campaign_id, id);
-- mailbox caps count today's sends per mailbox
CREATE INDEX sends_mailbox_day ON sends (workspace_id, mailbox_id, sent_at) WHERE status IN ('sent', 'in_flight', 'unknown');
