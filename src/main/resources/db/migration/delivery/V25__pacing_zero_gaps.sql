-- Zero gaps between a mailbox's sends (minGapSeconds = maxGapSeconds = 0) no longer refuse each
-- other. Concurrent sends of one mailbox take their times a moment apart and reserve in any order:
-- one that took its time a little before the last reservation's found its mailbox "not free until"
-- that later time, was deferred and processed again (about 4 % of sends under load). A send with no
-- gap now goes right after one that left no gap either (next_at <= last_at); a send that leaves a
-- gap, or one after a send that did, keeps the strict rule (the mailbox free again by p_now).

ALTER TABLE delivery_pacing ADD COLUMN last_at timestamptz; -- the time of the mailbox's last reservation

CREATE OR REPLACE FUNCTION delivery_reserve_send(
    p_workspace bigint, p_send text, p_node text, p_mailbox text, p_variant text, p_subject text,
    p_message_id text, p_in_reply_to text, p_now timestamptz, p_next_at timestamptz, p_lease_end timestamptz,
    p_day date, p_scopes text[], p_limits integer[], p_reasons text[], p_links text[]) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        INSERT INTO delivery_pacing AS p (workspace_id, mailbox_id, next_at, last_at) VALUES (p_workspace, p_mailbox, p_next_at, p_now)
        ON CONFLICT (workspace_id, mailbox_id) DO UPDATE SET next_at = greatest(p.next_at, p_next_at), last_at = greatest(p.last_at, p_now)
         WHERE p.next_at <= p_now OR (p_next_at <= p_now AND p.next_at <= p.last_at);
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'O2D01', MESSAGE = 'mailbox_gap';
        END IF;
        FOR i IN 1 .. coalesce(array_length(p_scopes, 1), 0) LOOP
            INSERT INTO delivery_day_counts AS d (workspace_id, scope, day, used) VALUES (p_workspace, p_scopes[i], p_day, 1)
            ON CONFLICT (workspace_id, scope, day) DO UPDATE SET used = d.used + 1 WHERE d.used < p_limits[i];
            IF NOT FOUND OR p_limits[i] < 1 THEN
                RAISE EXCEPTION USING ERRCODE = 'O2D01', MESSAGE = p_reasons[i];
            END IF;
        END LOOP;
        UPDATE sends SET status = 'in_flight', mailbox_id = p_mailbox, variant_id = p_variant, subject = p_subject,
               message_id = p_message_id, in_reply_to = p_in_reply_to, attempts = attempts + 1, locked_until = p_lease_end,
               updated_at = p_now
         WHERE workspace_id = p_workspace AND id = p_send AND status = 'planned' AND locked_by = p_node;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'O2D01', MESSAGE = 'claim_lost';
        END IF;
        INSERT INTO send_links (workspace_id, send_id, idx, url)
        SELECT p_workspace, p_send, (l.ord - 1)::integer, l.url FROM unnest(p_links) WITH ORDINALITY AS l(url, ord)
        ON CONFLICT DO NOTHING;
    EXCEPTION WHEN SQLSTATE 'O2D01' THEN
        RETURN SQLERRM; -- the block's writes are rolled back
    END;
    RETURN NULL;
END
$$;
