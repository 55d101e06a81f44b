-- One-off payments ("checkouts"), e.g. domain transfers: paid on a hosted page (sandbox page or
-- Stripe Checkout in payment mode) and then looked up by the module that asked for them.
CREATE TABLE payment_checkouts (
    workspace_id bigint        NOT NULL REFERENCES workspaces (id),
    id           text          NOT NULL,
    reference    text          NOT NULL,
    description  text          NOT NULL,
    amount       numeric(12,2) NOT NULL CHECK (amount >= 0),
    currency     text          NOT NULL,
    provider     text          NOT NULL,
    external_id  text,
    token_hash   bytea,
    status       text          NOT NULL CHECK (status IN ('open', 'paid', 'expired')),
    created_at   timestamptz   NOT NULL DEFAULT now(),
    expires_at   timestamptz   NOT NULL,
    paid_at      timestamptz,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX payment_checkouts_token ON payment_checkouts (token_hash) WHERE token_hash IS NOT NULL;
CREATE UNIQUE INDEX payment_checkouts_external ON payment_checkouts (provider, external_id) WHERE external_id IS NOT NULL;
