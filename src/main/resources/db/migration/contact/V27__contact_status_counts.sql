-- How many contacts each campaign has in each status, kept as contacts change, so a campaign's
-- stats read a few counters instead of counting its contacts on every request (eight index scans
-- over all of a campaign's contacts per GET …/stats before).
--
-- Kept by statement-level triggers from the statement's transition tables: one counter upsert per
-- (campaign, status) a statement changes, whatever number of rows it writes. Every writer of a
-- campaign's contacts holds the campaign's row in contact_change_counters (V7) while it writes, so
-- the counters of one campaign are updated by one transaction at a time, in status order.
CREATE TABLE contact_status_counts (
    workspace_id bigint NOT NULL,
    campaign_id  text   NOT NULL,
    status       text   NOT NULL,
    n            bigint NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, status)
);

CREATE FUNCTION contact_status_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO contact_status_counts AS k (workspace_id, campaign_id, status, n)
        SELECT workspace_id, campaign_id, status, count(*) FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (workspace_id, campaign_id, status) DO UPDATE SET n = k.n + EXCLUDED.n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO contact_status_counts AS k (workspace_id, campaign_id, status, n)
        SELECT workspace_id, campaign_id, status, sum(d)
          FROM (SELECT workspace_id, campaign_id, status, 1 AS d FROM new_rows
                UNION ALL
                SELECT workspace_id, campaign_id, status, -1 FROM old_rows) AS x
         GROUP BY 1, 2, 3
        HAVING sum(d) <> 0
         ORDER BY 1, 2, 3
        ON CONFLICT (workspace_id, campaign_id, status) DO UPDATE SET n = k.n + EXCLUDED.n;
    ELSE
        INSERT INTO contact_status_counts AS k (workspace_id, campaign_id, status, n)
        SELECT workspace_id, campaign_id, status, -count(*) FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (workspace_id, campaign_id, status) DO UPDATE SET n = k.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER campaign_contacts_counted_insert AFTER INSERT ON campaign_contacts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_status_counts_apply();
CREATE TRIGGER campaign_contacts_counted_update AFTER UPDATE ON campaign_contacts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_status_counts_apply();
CREATE TRIGGER campaign_contacts_counted_delete AFTER DELETE ON campaign_contacts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_status_counts_apply();

INSERT INTO contact_status_counts (workspace_id, campaign_id, status, n)
SELECT workspace_id, campaign_id, status, count(*) FROM campaign_contacts GROUP BY 1, 2, 3;
