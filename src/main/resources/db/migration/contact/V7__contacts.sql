-- Contacts of a campaign, and the per-campaign change counter behind the gap-free changes feed.
--
-- change_seq: every write that changes a contact takes a fresh number from its campaign's row in
-- contact_change_counters, and that row stays locked until the writing transaction ends. Writers
-- of one campaign therefore commit in change_seq order, so a reader that has seen seq N has seen
-- (or will never need) every seq below N: paging the feed by "change_seq > last seen" has no gaps.
-- Numbers may be skipped (a reserved number whose row turned out unchanged); that is harmless.

CREATE TABLE campaign_contacts (
    workspace_id  bigint      NOT NULL REFERENCES workspaces (id),
    id            text        NOT NULL,
    campaign_id   text        NOT NULL,
    email         text        NOT NULL,               -- normalised: lower case, domain in ASCII
    first_name    text,
    last_name     text,
    company       text,
    title         text,
    phone         text,
    timezone      text,                               -- IANA zone name
    custom_fields jsonb       NOT NULL DEFAULT '{}',  -- string → string; keys unique ignoring case
    status        text        NOT NULL DEFAULT 'not_started'
                  CHECK (status IN ('not_started', 'in_progress', 'completed', 'replied', 'bounced', 'unsubscribed', 'stopped')),
    current_step  integer     NOT NULL DEFAULT 0 CHECK (current_step >= 0),
    next_send_at  timestamptz,
    last_sent_at  timestamptz,
    reply_intent  text,
    change_seq    bigint      NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    CONSTRAINT campaign_contacts_email UNIQUE (workspace_id, campaign_id, email)
);
-- list pages (keyset on id), optionally by status
CREATE INDEX campaign_contacts_list ON campaign_contacts (workspace_id, campaign_id, id);
CREATE INDEX campaign_contacts_status ON campaign_contacts (workspace_id, campaign_id, status, id);
-- the same person across the workspace's campaigns (launch skips people in progress elsewhere)
CREATE INDEX campaign_contacts_person ON campaign_contacts (workspace_id, email);
-- the changes feed; unique, so two writes can never share a number
CREATE UNIQUE INDEX campaign_contacts_changes ON campaign_contacts (workspace_id, campaign_id, change_seq);

CREATE TABLE contact_change_counters (
    workspace_id bigint NOT NULL,
    campaign_id  text   NOT NULL,
    value        bigint NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id)
);

-- customFields merge of an upsert: the incoming keys replace stored keys equal to them ignoring
-- case, the other stored keys stay.
CREATE FUNCTION contact_merge_fields(stored jsonb, incoming jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN incoming = '{}'::jsonb THEN stored ELSE
        COALESCE((SELECT jsonb_object_agg(s.key, s.value) FROM jsonb_each(stored) s
                   WHERE lower(s.key) NOT IN (SELECT lower(k) FROM jsonb_object_keys(incoming) k)), '{}'::jsonb) || incoming
    END
$$;
