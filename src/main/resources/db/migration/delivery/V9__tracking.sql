-- Open and click tracking (off by default, per campaign). Every hit is recorded; only hits that
-- look human are counted (not HEAD requests, known scanners, or hits seconds after sending).
ALTER TABLE campaigns ADD COLUMN tracking_domain text;
ALTER TABLE sends ADD COLUMN opened_at timestamptz;
ALTER TABLE sends ADD COLUMN clicked_at timestamptz;

-- The links a sent message contained: the click redirect goes only to these.
CREATE TABLE send_links (
    workspace_id bigint  NOT NULL,
    send_id      text    NOT NULL,
    idx          integer NOT NULL,
    url          text    NOT NULL,
    PRIMARY KEY (workspace_id, send_id, idx)
);

CREATE TABLE tracking_events (
    workspace_id bigint      NOT NULL,
    id           bigint      GENERATED ALWAYS AS IDENTITY,
    send_id      text        NOT NULL,
    campaign_id  text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('open', 'click')),
    link_idx     integer,
    at           timestamptz NOT NULL,
    user_agent   text,
    counted      boolean     NOT NULL,
    reason       text,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX tracking_events_send ON tracking_events (workspace_id, send_id);
