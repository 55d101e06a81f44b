-- What each campaign contact's replies came to: the classifier's reading of the latest reply, or
-- the user's override, which wins (the classifier's latest reading is still kept beside it).

CREATE TABLE campaign_contact_outcomes (
    workspace_id          bigint      NOT NULL REFERENCES workspaces (id),
    campaign_id           text        NOT NULL,
    contact_id            text        NOT NULL,
    email                 text        NOT NULL,                 -- the contact's address when the outcome was first recorded
    reply_intent          text        NOT NULL CHECK (reply_intent IN
                              ('interested', 'not_interested', 'out_of_office', 'unsubscribe', 'neutral', 'bounced')),
    confidence            double precision,                     -- the classifier's; NULL for a manual outcome
    source                text        NOT NULL CHECK (source IN ('classifier', 'manual')),
    note                  text,
    classifier_intent     text,                                 -- the classifier's latest reading, also under a manual outcome
    classifier_confidence double precision,
    thread_id             text,                                 -- the Unibox thread of the latest reply (none when told through the API)
    replies               integer     NOT NULL DEFAULT 0,
    last_reply_at         timestamptz,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, contact_id)
);
CREATE INDEX campaign_contact_outcomes_intent ON campaign_contact_outcomes (workspace_id, campaign_id, reply_intent, contact_id);
