-- The unified inbox: every message synced from a mailbox's folders, grouped into threads per
-- mailbox, and what the sync knows of each folder. Inbound HTML is stored sanitised.

CREATE TABLE unibox_threads (
    workspace_id       bigint      NOT NULL REFERENCES workspaces (id),
    id                 text        NOT NULL,                 -- thr_…
    mailbox_id         text        NOT NULL,
    external_thread_id text        NOT NULL,                 -- the Message-ID (without <>) of the thread's first message
    subject            text,
    subject_display    text,
    subject_key        text        NOT NULL,                 -- normalised subject, for threading without headers
    participant        text,                                 -- the other party's address, for threading without headers
    campaign_id        text,
    contact_id         text,
    send_id            text,                                 -- the campaign send it answers
    reply_intent       text,
    intent_confidence  double precision,
    intent_manual      boolean     NOT NULL DEFAULT false,  -- set through the API: the classifier never overwrites it
    return_date        date,                                 -- out of office: back on
    is_warming         boolean     NOT NULL DEFAULT false,
    is_postmaster      boolean     NOT NULL DEFAULT false,
    has_incoming       boolean     NOT NULL DEFAULT false,
    message_count      integer     NOT NULL DEFAULT 0,
    last_message_id    text,                                 -- msg_… of the newest message
    last_at            timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
-- listing: newest threads first by id (creation order, which never changes, so pages hold still while mail arrives)
CREATE INDEX unibox_threads_list ON unibox_threads (workspace_id, id DESC);
CREATE INDEX unibox_threads_mailbox ON unibox_threads (workspace_id, mailbox_id, id DESC);
CREATE INDEX unibox_threads_updated ON unibox_threads (workspace_id, updated_at);
CREATE INDEX unibox_threads_subject ON unibox_threads (workspace_id, mailbox_id, subject_key, participant);

CREATE TABLE unibox_messages (
    workspace_id  bigint      NOT NULL,
    id            text        NOT NULL,                       -- msg_…
    thread_id     text        NOT NULL,
    mailbox_id    text        NOT NULL,
    message_id    text        NOT NULL,                       -- the Message-ID header, <…>
    in_reply_to   text,
    refs          text[]      NOT NULL DEFAULT '{}',
    from_email    text,
    from_name     text,
    to_emails     text[]      NOT NULL DEFAULT '{}',
    cc_emails     text[]      NOT NULL DEFAULT '{}',
    subject       text,
    date_received timestamptz NOT NULL,
    body_text     text        NOT NULL DEFAULT '',
    body_html     text,                                       -- sanitised
    attachments   jsonb       NOT NULL DEFAULT '[]',
    is_incoming   boolean     NOT NULL,
    folder        text        NOT NULL,                       -- inbox, sent, spam
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, thread_id) REFERENCES unibox_threads (workspace_id, id)
);
-- each message once per mailbox, and the lookup threading does
CREATE UNIQUE INDEX unibox_messages_once ON unibox_messages (workspace_id, mailbox_id, message_id);
CREATE INDEX unibox_messages_thread ON unibox_messages (workspace_id, thread_id, date_received, id);

-- Per mailbox folder: where the incremental sync stands.
CREATE TABLE mailsync_folders (
    workspace_id  bigint      NOT NULL,
    mailbox_id    text        NOT NULL,
    folder        text        NOT NULL,                       -- the server's folder name
    kind          text        NOT NULL,                       -- inbox, sent, spam
    uidvalidity   bigint,
    last_uid      bigint      NOT NULL DEFAULT 0,
    uidnext       bigint,
    messages      integer     NOT NULL DEFAULT 0,             -- messages stored from this folder
    synced_at     timestamptz,
    PRIMARY KEY (workspace_id, mailbox_id, folder)
);

-- Per mailbox: which server process syncs it (a lease), and how the last round went.
CREATE TABLE mailsync_mailboxes (
    workspace_id  bigint      NOT NULL,
    mailbox_id    text        NOT NULL,
    locked_by     text,
    locked_until  timestamptz,
    next_sync_at  timestamptz,
    synced_at     timestamptz,
    last_error    text,
    failures      integer     NOT NULL DEFAULT 0,
    idle          boolean,                                    -- the server offers IMAP IDLE (null: not known yet)
    watched_by    text,                                       -- the process holding an IDLE connection to its INBOX
    watch_until   timestamptz,
    PRIMARY KEY (workspace_id, mailbox_id)
);

-- Mail sent from the inbox (reply, new conversation, forward): queued by the API, sent by a worker.
CREATE TABLE unibox_operations (
    workspace_id    bigint      NOT NULL REFERENCES workspaces (id),
    id              text        NOT NULL,                     -- op_…
    kind            text        NOT NULL CHECK (kind IN ('reply', 'new', 'forward')),
    thread_id       text        NOT NULL,
    mailbox_id      text        NOT NULL,
    from_address    text        NOT NULL,
    to_emails       text[]      NOT NULL,
    cc_emails       text[]      NOT NULL DEFAULT '{}',
    bcc_emails      text[]      NOT NULL DEFAULT '{}',
    subject         text        NOT NULL,
    body_text       text        NOT NULL,
    body_html       text,
    message_id      text        NOT NULL,                     -- the Message-ID it goes out with, <…>
    in_reply_to     text,
    refs            text[]      NOT NULL DEFAULT '{}',
    status          text        NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    error           text,
    next_attempt_at timestamptz NOT NULL,
    locked_by       text,
    locked_until    timestamptz,
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX unibox_operations_due ON unibox_operations (next_attempt_at) WHERE status IN ('queued', 'sending');
