-- Reservations in groups (ADR 0015). Sending threads that reserve at the same moment are written
-- together: one call, one transaction, one synchronous commit, and set-based statements, where
-- delivery_reserve_send (V12, V25) runs five statements and a commit per send. The rules are the
-- same, checked per mailbox and per cap scope for the whole group:
--   * a mailbox's gap slot: free at the earliest of its sends in the group, or each of them leaves
--     no gap and the last reservation left none either (V25's rule); two or more sends of one
--     mailbox that leave a gap cannot share a group;
--   * a daily cap: a slot for every send of the group that takes it (used + n <= limit).
-- When a group cannot be taken whole (a cap has fewer slots left than the group needs, or two
-- sends of one mailbox leave a gap), nothing of it is written and every send is reserved on its own
-- through delivery_reserve_send, in the same call: exactly the single-send rules and outcomes.
--
-- The arrays are parallel, one entry per send; caps and links are flattened with the 1-based index
-- of their send (p_cap_send, p_link_send; a send's links in their order). Returns every send with
-- NULL when reserved, otherwise why not: 'claim_lost', 'mailbox_gap' or the reason of a full cap.
-- Lock order: the group's own claimed sends (no other process holds them), then the mailboxes'
-- pacing rows, then the cap rows, each sorted; a single reservation takes a mailbox's pacing row
-- before anything of that mailbox, so the two cannot wait on each other in a cycle (the fallback
-- takes the group's pacing rows first too). A deadlock the database still finds is retried once by
-- the engine.
CREATE FUNCTION delivery_reserve_sends(
    p_node text, p_workspace bigint[], p_send text[], p_mailbox text[], p_variant text[], p_subject text[],
    p_message_id text[], p_in_reply_to text[], p_now timestamptz[], p_next_at timestamptz[], p_lease_end timestamptz[],
    p_day date[], p_cap_send integer[], p_cap_scope text[], p_cap_limit integer[], p_cap_reason text[],
    p_link_send integer[], p_link_url text[])
RETURNS TABLE (send_id text, refused text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_n integer := coalesce(array_length(p_send, 1), 0);
    v_owned integer[];   -- the sends still planned and claimed by p_node
    v_paced integer[];   -- of those, the sends whose mailbox's gap slot was taken
    v_new text[];        -- pacing rows this group made (the mailbox's first send)
    v_scopes integer;
    v_taken integer;
    v_result text[] := array_fill(NULL::text, ARRAY[v_n]);
BEGIN
    BEGIN
        SELECT array_agg(o.ord ORDER BY o.ord) INTO v_owned FROM (
            SELECT i.ord::integer AS ord FROM unnest(p_workspace, p_send) WITH ORDINALITY AS i(workspace_id, send_id, ord)
              JOIN sends s ON s.workspace_id = i.workspace_id AND s.id = i.send_id
             WHERE s.status = 'planned' AND s.locked_by = p_node
             ORDER BY s.workspace_id, s.id
               FOR UPDATE OF s) o;
        v_owned := coalesce(v_owned, '{}');

        -- two sends of one mailbox that leave a gap: one at a time
        IF EXISTS (SELECT 1 FROM unnest(v_owned) AS o
                    GROUP BY p_workspace[o], p_mailbox[o]
                   HAVING count(*) > 1 AND NOT bool_and(p_next_at[o] <= p_now[o])) THEN
            RAISE EXCEPTION USING ERRCODE = 'O2D02', MESSAGE = 'one at a time';
        END IF;

        -- gap slots: a mailbox's first send ever makes its row; the others take it when it is free
        WITH g AS (
            SELECT p_workspace[o] AS workspace_id, p_mailbox[o] AS mailbox_id, max(p_next_at[o]) AS next_at, max(p_now[o]) AS last_at
              FROM unnest(v_owned) AS o GROUP BY 1, 2
        ), made AS (
            INSERT INTO delivery_pacing (workspace_id, mailbox_id, next_at, last_at)
            SELECT workspace_id, mailbox_id, next_at, last_at FROM g ORDER BY 1, 2
            ON CONFLICT (workspace_id, mailbox_id) DO NOTHING
            RETURNING workspace_id::text || ':' || mailbox_id
        )
        SELECT coalesce(array_agg(m), '{}') INTO v_new FROM made AS x(m);

        WITH g AS (
            SELECT p_workspace[o] AS workspace_id, p_mailbox[o] AS mailbox_id, max(p_next_at[o]) AS next_at,
                   min(p_now[o]) AS first_at, max(p_now[o]) AS last_at, bool_and(p_next_at[o] <= p_now[o]) AS zero_gap
              FROM unnest(v_owned) AS o GROUP BY 1, 2
        ), locked AS (
            SELECT p.workspace_id, p.mailbox_id FROM delivery_pacing p JOIN g USING (workspace_id, mailbox_id)
             WHERE NOT (p.workspace_id::text || ':' || p.mailbox_id = ANY (v_new))
             ORDER BY 1, 2
               FOR UPDATE OF p
        ), taken AS (
            UPDATE delivery_pacing p SET next_at = greatest(p.next_at, g.next_at), last_at = greatest(p.last_at, g.last_at)
              FROM g, locked l
             WHERE p.workspace_id = l.workspace_id AND p.mailbox_id = l.mailbox_id
               AND g.workspace_id = l.workspace_id AND g.mailbox_id = l.mailbox_id
               AND (p.next_at <= g.first_at OR (g.zero_gap AND p.next_at <= p.last_at))
            RETURNING p.workspace_id::text || ':' || p.mailbox_id
        )
        SELECT coalesce(array_agg(o ORDER BY o), '{}') INTO v_paced FROM unnest(v_owned) AS o
         WHERE p_workspace[o]::text || ':' || p_mailbox[o] = ANY (v_new || ARRAY(SELECT * FROM taken));

        -- daily caps: every scope the paced sends take, with a slot for each of them, or the group is not taken whole
        WITH c AS (
            SELECT p_workspace[x.s] AS workspace_id, x.scope, p_day[x.s] AS day
              FROM unnest(p_cap_send, p_cap_scope) AS x(s, scope) WHERE x.s = ANY (v_paced)
             GROUP BY 1, 2, 3
        )
        INSERT INTO delivery_day_counts (workspace_id, scope, day, used)
        SELECT workspace_id, scope, day, 0 FROM c ORDER BY 1, 2, 3
        ON CONFLICT (workspace_id, scope, day) DO NOTHING;

        WITH c AS (
            SELECT p_workspace[x.s] AS workspace_id, x.scope, p_day[x.s] AS day, min(x.lim) AS lim, count(*) AS n
              FROM unnest(p_cap_send, p_cap_scope, p_cap_limit) AS x(s, scope, lim) WHERE x.s = ANY (v_paced)
             GROUP BY 1, 2, 3
        ), locked AS (
            SELECT d.workspace_id, d.scope, d.day FROM delivery_day_counts d JOIN c USING (workspace_id, scope, day)
             ORDER BY 1, 2, 3
               FOR UPDATE OF d
        ), taken AS (
            UPDATE delivery_day_counts d SET used = d.used + c.n
              FROM c, locked l
             WHERE d.workspace_id = l.workspace_id AND d.scope = l.scope AND d.day = l.day
               AND c.workspace_id = l.workspace_id AND c.scope = l.scope AND c.day = l.day
               AND d.used + c.n <= c.lim
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM taken) INTO v_scopes, v_taken;
        IF v_taken < v_scopes THEN
            RAISE EXCEPTION USING ERRCODE = 'O2D02', MESSAGE = 'a cap has too few slots for the group';
        END IF;

        UPDATE sends s SET status = 'in_flight', mailbox_id = p_mailbox[o], variant_id = p_variant[o], subject = p_subject[o],
               message_id = p_message_id[o], in_reply_to = p_in_reply_to[o], attempts = s.attempts + 1,
               locked_until = p_lease_end[o], updated_at = p_now[o]
          FROM unnest(v_paced) AS o
         WHERE s.workspace_id = p_workspace[o] AND s.id = p_send[o];

        INSERT INTO send_links (workspace_id, send_id, idx, url)
        SELECT p_workspace[l.s], p_send[l.s], (row_number() OVER (PARTITION BY l.s ORDER BY l.ord) - 1)::integer, l.url
          FROM unnest(p_link_send, p_link_url) WITH ORDINALITY AS l(s, url, ord)
         WHERE l.s = ANY (v_paced)
        ON CONFLICT DO NOTHING;

        FOR i IN 1 .. v_n LOOP
            IF NOT (i = ANY (v_owned)) THEN
                v_result[i] := 'claim_lost';
            ELSIF NOT (i = ANY (v_paced)) THEN
                v_result[i] := 'mailbox_gap';
            END IF;
        END LOOP;
        RETURN QUERY SELECT * FROM unnest(p_send, v_result);
        RETURN;
    EXCEPTION WHEN SQLSTATE 'O2D02' THEN
        NULL; -- nothing of the group was written: each send on its own, below
    END;

    -- the group's pacing rows first, in order, as a group takes them: a single reservation below holds
    -- a cap (the campaign's) while it takes the next mailbox's row, which a group may hold while it waits for that cap
    PERFORM 1 FROM delivery_pacing p
      JOIN (SELECT DISTINCT p_workspace[i] AS workspace_id, p_mailbox[i] AS mailbox_id FROM generate_series(1, v_n) AS i) g
        USING (workspace_id, mailbox_id)
     ORDER BY p.workspace_id, p.mailbox_id
       FOR UPDATE OF p;

    RETURN QUERY
    SELECT p_send[i], delivery_reserve_send(p_workspace[i], p_send[i], p_node, p_mailbox[i], p_variant[i], p_subject[i],
                          p_message_id[i], p_in_reply_to[i], p_now[i], p_next_at[i], p_lease_end[i], p_day[i],
                          coalesce(ARRAY(SELECT x.scope FROM unnest(p_cap_send, p_cap_scope) WITH ORDINALITY AS x(s, scope, ord)
                                          WHERE x.s = i ORDER BY x.ord), '{}'),
                          coalesce(ARRAY(SELECT x.lim FROM unnest(p_cap_send, p_cap_limit) WITH ORDINALITY AS x(s, lim, ord)
                                          WHERE x.s = i ORDER BY x.ord), '{}'),
                          coalesce(ARRAY(SELECT x.reason FROM unnest(p_cap_send, p_cap_reason) WITH ORDINALITY AS x(s, reason, ord)
                                          WHERE x.s = i ORDER BY x.ord), '{}'),
                          coalesce(ARRAY(SELECT x.url FROM unnest(p_link_send, p_link_url) WITH ORDINALITY AS x(s, url, ord)
                                          WHERE x.s = i ORDER BY x.ord), '{}'))
      FROM generate_series(1, v_n) AS i ORDER BY i;
END
$$;
