-- Mailboxes: hosted by the built-in server (local) or connected by SMTP/IMAP (smtp).
-- Passwords are SecretVault ciphertexts; deleted mailboxes keep their row (sends refer to them)
-- with the credentials wiped.
CREATE TABLE mailboxes (
    workspace_id    bigint      NOT NULL REFERENCES workspaces (id),
    id              text        NOT NULL,
    address         text        NOT NULL,               -- lower case, domain in ASCII
    domain          text        NOT NULL,
    provider        text        NOT NULL CHECK (provider IN ('local', 'smtp')),
    first_name      text,
    last_name       text,
    status          text        NOT NULL CHECK (status IN ('active', 'error', 'deleted')),
    warmup_status   text        NOT NULL DEFAULT 'off',
    daily_limit     integer     NOT NULL CHECK (daily_limit BETWEEN 1 AND 1000),
    signature       text,
    forward_to      text,
    smtp_host       text        NOT NULL,
    smtp_port       integer     NOT NULL,
    smtp_security   text        NOT NULL,
    smtp_username   text        NOT NULL,
    smtp_password   text,
    imap_host       text        NOT NULL,
    imap_port       integer     NOT NULL,
    imap_security   text        NOT NULL,
    imap_username   text        NOT NULL,
    imap_password   text,
    last_error      text,
    last_checked_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX mailboxes_address_live ON mailboxes (address) WHERE status <> 'deleted';
CREATE INDEX mailboxes_workspace_address ON mailboxes (workspace_id, address);
-- the health check walks live mailboxes, oldest check first
CREATE INDEX mailboxes_check_due ON mailboxes (last_checked_at NULLS FIRST) WHERE status <> 'deleted';
