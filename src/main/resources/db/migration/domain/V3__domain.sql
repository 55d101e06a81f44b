-- Domains, their orders, their DNS records (desired state), the sandbox zone store (the sandbox
-- DNS provider's own state, served by the built-in DNS server) and Cloudflare transfers.

-- One row per domain a workspace holds. A name is held by at most one workspace at a time.
CREATE TABLE domains (
    workspace_id     bigint      NOT NULL REFERENCES workspaces (id),
    id               text        NOT NULL,
    name             text        NOT NULL,               -- ASCII (punycode), lower case
    status           text        NOT NULL CHECK (status IN ('pending', 'active', 'failed', 'removed')),
    source           text        NOT NULL CHECK (source IN ('purchased', 'connected', 'transferred')),
    registrar        text        NOT NULL,               -- sandbox | namecheap | external
    dns_provider     text        NOT NULL,               -- sandbox | cloudflare | namecheap
    dns_zone_id      text,
    nameservers      text[]      NOT NULL DEFAULT '{}',
    redirect_url     text,
    dkim_selector    text        NOT NULL,
    dkim_private_key text        NOT NULL,               -- SecretVault ciphertext of the PKCS#8 key
    dkim_public_key  text        NOT NULL,               -- base64 SubjectPublicKeyInfo, as in the p= tag
    dmarc_policy     text        NOT NULL DEFAULT 'none' CHECK (dmarc_policy IN ('none', 'quarantine', 'reject')),
    dns_status       jsonb       NOT NULL DEFAULT '{}',
    dns_checked_at   timestamptz,
    dns_synced_at    timestamptz,
    last_error       text,
    order_id         text,
    expires_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX domains_name_held ON domains (name) WHERE status <> 'removed';
CREATE INDEX domains_workspace_name ON domains (workspace_id, name);
-- the scheduled verification walks domains oldest-checked first
CREATE INDEX domains_check_due ON domains (dns_checked_at NULLS FIRST) WHERE status = 'active';

-- A purchase: one order, one item per domain, each with its own status.
CREATE TABLE domain_orders (
    workspace_id  bigint        NOT NULL REFERENCES workspaces (id),
    id            text          NOT NULL,
    status        text          NOT NULL CHECK (status IN ('processing', 'completed', 'partial', 'failed')),
    years         integer       NOT NULL,
    whois_privacy boolean       NOT NULL,
    redirect_url  text,
    contact       jsonb         NOT NULL,
    total         numeric(12,2) NOT NULL,
    currency      text          NOT NULL,
    registrar     text          NOT NULL,
    created_at    timestamptz   NOT NULL DEFAULT now(),
    updated_at    timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE domain_order_items (
    workspace_id bigint        NOT NULL,
    order_id     text          NOT NULL,
    domain       text          NOT NULL,
    status       text          NOT NULL CHECK (status IN ('pending', 'registered', 'failed')),
    price        numeric(12,2) NOT NULL,
    attempts     integer       NOT NULL DEFAULT 0,
    external_id  text,
    error        text,
    updated_at   timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, order_id, domain),
    FOREIGN KEY (workspace_id, order_id) REFERENCES domain_orders (workspace_id, id)
);
-- a name can be in at most one unfinished order at a time, across all workspaces
CREATE UNIQUE INDEX domain_order_items_pending ON domain_order_items (domain) WHERE status = 'pending';

-- Desired DNS records of a domain: the managed ones (computed) and the user's own.
CREATE TABLE domain_dns_records (
    workspace_id bigint      NOT NULL,
    id           text        NOT NULL,
    domain_id    text        NOT NULL,
    type         text        NOT NULL,
    name         text        NOT NULL,                   -- FQDN, no trailing dot
    value        text        NOT NULL,
    ttl          integer     NOT NULL,
    priority     integer,
    managed      boolean     NOT NULL,
    purpose      text,                                   -- managed: mx, spf, dkim, dmarc, web, www, mail
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, domain_id) REFERENCES domains (workspace_id, id)
);
CREATE INDEX domain_dns_records_domain ON domain_dns_records (workspace_id, domain_id);

-- The sandbox DNS provider's zones: what the built-in DNS server answers. Not workspace data:
-- it plays the part of an outside provider (like Cloudflare's zone store).
CREATE TABLE sandbox_dns_zones (
    zone       text        PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sandbox_dns_records (
    zone      text    NOT NULL REFERENCES sandbox_dns_zones (zone) ON DELETE CASCADE,
    name      text    NOT NULL,
    type      text    NOT NULL,
    value     text    NOT NULL,
    ttl       integer NOT NULL,
    priority  integer
);
CREATE INDEX sandbox_dns_records_name ON sandbox_dns_records (name);
CREATE INDEX sandbox_dns_records_zone ON sandbox_dns_records (zone);

-- Transfers of domains to Cloudflare Registrar.
CREATE TABLE domain_transfers (
    workspace_id bigint      NOT NULL REFERENCES workspaces (id),
    id           text        NOT NULL,
    checkout_id  text        NOT NULL,
    domain       text        NOT NULL,
    auth_code    text,                                   -- SecretVault ciphertext
    status       text        NOT NULL,
    detail       text,
    provider     text        NOT NULL,
    paid_at      timestamptz,
    started_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX domain_transfers_open ON domain_transfers (domain)
    WHERE status NOT IN ('completed', 'failed', 'cancelled');
CREATE INDEX domain_transfers_checkout ON domain_transfers (workspace_id, checkout_id);
