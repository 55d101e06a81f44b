-- CSV imports: the job (a resource with a status), its rejected rows (dead letters), and which
-- import last wrote a contact (so a duplicate within one file is told apart from an update).
ALTER TABLE campaign_contacts ADD COLUMN last_import_id text;

CREATE TABLE import_jobs (
    workspace_id    bigint      NOT NULL REFERENCES workspaces (id),
    id              text        NOT NULL,
    campaign_id     text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('awaiting_mapping', 'queued', 'running', 'completed', 'failed', 'cancelled')),
    file_path       text        NOT NULL,
    file_name       text,
    file_bytes      bigint      NOT NULL,
    charset         text        NOT NULL,
    delimiter       text        NOT NULL,
    has_header      boolean     NOT NULL,
    headers         jsonb       NOT NULL,
    sample_rows     jsonb       NOT NULL,
    mapping         jsonb,
    dedupe          text        NOT NULL DEFAULT 'update' CHECK (dedupe IN ('update', 'skip')),
    total_rows      bigint      NOT NULL,
    checkpoint_row  bigint      NOT NULL DEFAULT 0,   -- data rows up to here are committed
    imported        bigint      NOT NULL DEFAULT 0,
    updated         bigint      NOT NULL DEFAULT 0,
    duplicates      bigint      NOT NULL DEFAULT 0,
    suppressed      bigint      NOT NULL DEFAULT 0,
    invalid         bigint      NOT NULL DEFAULT 0,
    cancel_requested boolean    NOT NULL DEFAULT false,
    error           text,
    locked_by       text,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX import_jobs_runnable ON import_jobs (created_at) WHERE status IN ('queued', 'running');

CREATE TABLE import_dead_letters (
    workspace_id bigint  NOT NULL,
    import_id    text    NOT NULL,
    row_number   bigint  NOT NULL,
    raw          jsonb   NOT NULL,     -- the row's fields as read, by column name
    reason       text    NOT NULL,     -- machine code: INVALID_EMAIL, MISSING_EMAIL, RAGGED_ROW, …
    detail       text,
    replayed     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (workspace_id, import_id, row_number)
);
