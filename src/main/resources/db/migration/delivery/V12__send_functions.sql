-- The two writes of one send, each one round trip (see docs/adr/0005-send-writes-as-sql-functions.md).
-- Every time is the caller's injected clock, never now().

-- Reserves a send, all or nothing: the mailbox's gap slot, every daily cap in p_scopes (each below
-- its p_limits entry), the send marked in flight with what it rendered, and its tracked links.
-- Returns NULL when reserved; otherwise why not, with nothing written: 'mailbox_gap', the
-- p_reasons entry of the first cap that was full, or 'claim_lost' (another process has the send).
CREATE FUNCTION delivery_reserve_send(
    p_workspace bigint, p_send text, p_node text, p_mailbox text, p_variant text, p_subject text,
    p_message_id text, p_in_reply_to text, p_now timestamptz, p_next_at timestamptz, p_lease_end timestamptz,
    p_day date, p_scopes text[], p_limits integer[], p_reasons text[], p_links text[]) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        INSERT INTO delivery_pacing AS p (workspace_id, mailbox_id, next_at) VALUES (p_workspace, p_mailbox, p_next_at)
        ON CONFLICT (workspace_id, mailbox_id) DO UPDATE SET next_at = p_next_at WHERE p.next_at <= p_now;
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

-- Records a group of accepted sends in one transaction (the engine's group commit: sends that
-- finish while a group is being written go into the next one). For each send that is still this
-- process's (p_node) to record, in flight or already given up on as 'unknown' by the reaper:
-- sent; the stats counter (and the unknown the reaper counted, taken back); the mailbox's
-- failure streak reset when p_mailbox_ok; the contact's next step planned when p_next_id is
-- given; and the contact's progress (p_contact_status at this step) through the contact
-- capability's own function, contact_record_progress_batch, which takes the campaign's change
-- numbers (a row lock) last, so it is held for the shortest time. The arrays are parallel, one
-- entry per send. Returns each recorded send with the status it had ('in_flight' or 'unknown');
-- a send not returned was not this process's to record, and nothing was written for it.
CREATE FUNCTION delivery_record_sent(
    p_node text, p_workspace bigint[], p_send text[], p_campaign text[], p_contact text[], p_step_order integer[],
    p_variant text[], p_mailbox text[], p_mailbox_ok boolean[], p_sent_at timestamptz[], p_day date[],
    p_next_id text[], p_next_step_id text[], p_next_step_order integer[], p_next_at timestamptz[], p_contact_status text[])
RETURNS TABLE (send_id text, before text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_sends text[];
    v_before text[];
BEGIN
    -- This transaction commits without waiting for its WAL flush: the commit point against
    -- duplicates is the reservation (delivery_reserve_send), which is synchronous. A database
    -- crash can lose the last moments of outcomes; those sends stay in flight and become unknown,
    -- never resent (ADR 0005).
    PERFORM set_config('synchronous_commit', 'off', true);

    WITH input AS (
        SELECT * FROM unnest(p_workspace, p_send) AS i(workspace_id, send_id)
    ), locked AS (
        SELECT s.workspace_id, s.id, s.status FROM sends s JOIN input i ON s.workspace_id = i.workspace_id AND s.id = i.send_id
         WHERE s.status IN ('in_flight', 'unknown') AND s.locked_by = p_node
         ORDER BY s.workspace_id, s.id
           FOR UPDATE OF s
    ), done AS (
        UPDATE sends s SET status = 'sent', sent_at = i.sent_at, smtp_reply = '250 accepted', reason = NULL, locked_by = NULL,
               locked_until = NULL, updated_at = i.sent_at
          FROM locked l, unnest(p_workspace, p_send, p_sent_at) AS i(workspace_id, send_id, sent_at)
         WHERE s.workspace_id = l.workspace_id AND s.id = l.id AND i.workspace_id = l.workspace_id AND i.send_id = l.id
        RETURNING s.id, l.status
    )
    SELECT array_agg(d.id), array_agg(d.status) INTO v_sends, v_before FROM done d;
    IF v_sends IS NULL THEN
        RETURN;
    END IF;

    -- sent counters, and unknowns the reaper counted for sends that were accepted after all, per stats row
    INSERT INTO campaign_stats AS c (workspace_id, campaign_id, day, step_order, variant_id, mailbox_id, sent)
    SELECT i.workspace_id, i.campaign_id, i.day, i.step_order, coalesce(i.variant_id, ''), coalesce(i.mailbox_id, ''), count(*)
      FROM unnest(p_workspace, p_send, p_campaign, p_day, p_step_order, p_variant, p_mailbox)
           AS i(workspace_id, send_id, campaign_id, day, step_order, variant_id, mailbox_id)
     WHERE i.send_id = ANY (v_sends)
     GROUP BY 1, 2, 3, 4, 5, 6
     ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (workspace_id, campaign_id, day, step_order, variant_id, mailbox_id) DO UPDATE SET sent = c.sent + EXCLUDED.sent;
    UPDATE campaign_stats c SET unknown = greatest(c.unknown - u.n, 0)
      FROM (SELECT i.workspace_id, i.campaign_id, i.day, i.step_order, coalesce(i.variant_id, '') AS variant_id,
                   coalesce(i.mailbox_id, '') AS mailbox_id, count(*) AS n
              FROM unnest(p_workspace, p_send, p_campaign, p_day, p_step_order, p_variant, p_mailbox)
                   AS i(workspace_id, send_id, campaign_id, day, step_order, variant_id, mailbox_id)
              JOIN unnest(v_sends, v_before) AS d(send_id, before) ON d.send_id = i.send_id AND d.before = 'unknown'
             GROUP BY 1, 2, 3, 4, 5, 6) u
     WHERE c.workspace_id = u.workspace_id AND c.campaign_id = u.campaign_id AND c.day = u.day AND c.step_order = u.step_order
       AND c.variant_id = u.variant_id AND c.mailbox_id = u.mailbox_id;

    UPDATE delivery_mailbox_state m SET consecutive_failures = 0, paused_until = NULL, updated_at = i.sent_at
      FROM (SELECT DISTINCT ON (workspace_id, mailbox_id) workspace_id, mailbox_id, sent_at
              FROM unnest(p_workspace, p_send, p_mailbox, p_mailbox_ok, p_sent_at) AS x(workspace_id, send_id, mailbox_id, ok, sent_at)
             WHERE x.ok AND x.send_id = ANY (v_sends)
             ORDER BY workspace_id, mailbox_id, sent_at DESC) i
     WHERE m.workspace_id = i.workspace_id AND m.mailbox_id = i.mailbox_id
       AND (m.consecutive_failures > 0 OR m.paused_until IS NOT NULL);

    INSERT INTO sends (workspace_id, id, campaign_id, contact_id, step_id, step_order, mailbox_id, status, scheduled_at,
                       created_at, updated_at)
    SELECT i.workspace_id, i.next_id, i.campaign_id, i.contact_id, i.next_step_id, i.next_step_order, i.mailbox_id, 'planned',
           i.next_at, i.sent_at, i.sent_at
      FROM unnest(p_workspace, p_send, p_campaign, p_contact, p_mailbox, p_sent_at, p_next_id, p_next_step_id, p_next_step_order,
                  p_next_at)
           AS i(workspace_id, send_id, campaign_id, contact_id, mailbox_id, sent_at, next_id, next_step_id, next_step_order, next_at)
     WHERE i.next_id IS NOT NULL AND i.send_id = ANY (v_sends)
    ON CONFLICT (workspace_id, contact_id, step_id) DO NOTHING;

    PERFORM contact_record_progress_batch(array_agg(i.workspace_id), array_agg(i.campaign_id), array_agg(i.contact_id),
                                          array_agg(i.contact_status), array_agg(i.step_order),
                                          array_agg(CASE WHEN i.next_id IS NULL THEN NULL ELSE i.next_at END), array_agg(i.sent_at))
       FROM unnest(p_workspace, p_send, p_campaign, p_contact, p_contact_status, p_step_order, p_next_id, p_next_at, p_sent_at)
            AS i(workspace_id, send_id, campaign_id, contact_id, contact_status, step_order, next_id, next_at, sent_at)
      WHERE i.send_id = ANY (v_sends);

    RETURN QUERY SELECT * FROM unnest(v_sends, v_before);
END
$$;
