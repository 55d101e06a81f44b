-- A contact's sending progress in one round trip: takes the campaign's next change number and
-- stores the progress under it, unless nothing changes (then the number is spent, not used: the
-- feed has gaps, never a change without a new number). Returns whether the contact changed.
-- p_last_sent_at NULL keeps the stored value. Same rules as ContactRepository.UPDATE_PROGRESS.
CREATE FUNCTION contact_record_progress(
    p_workspace bigint, p_campaign text, p_contact text, p_status text, p_current_step integer,
    p_next_send_at timestamptz, p_last_sent_at timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_seq bigint;
BEGIN
    INSERT INTO contact_change_counters AS k (workspace_id, campaign_id, value) VALUES (p_workspace, p_campaign, 1)
    ON CONFLICT (workspace_id, campaign_id) DO UPDATE SET value = k.value + 1
    RETURNING k.value INTO v_seq;
    UPDATE campaign_contacts
       SET status = p_status, current_step = p_current_step, next_send_at = p_next_send_at,
           last_sent_at = coalesce(p_last_sent_at, last_sent_at), change_seq = v_seq, updated_at = now()
     WHERE workspace_id = p_workspace AND id = p_contact AND campaign_id = p_campaign
       AND (status, current_step, next_send_at, last_sent_at)
           IS DISTINCT FROM (p_status, p_current_step, p_next_send_at, coalesce(p_last_sent_at, last_sent_at));
    RETURN FOUND;
END
$$;

-- The same for many contacts at once (the sending engine records sends in groups): each
-- campaign's change numbers are taken in one step, in campaign order, and handed out in contact
-- order; the arrays are parallel, one entry per contact. Returns how many contacts changed.
CREATE FUNCTION contact_record_progress_batch(
    p_workspace bigint[], p_campaign text[], p_contact text[], p_status text[], p_current_step integer[],
    p_next_send_at timestamptz[], p_last_sent_at timestamptz[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_changed integer;
BEGIN
    WITH input AS (
        SELECT i.*, row_number() OVER (PARTITION BY i.workspace_id, i.campaign_id ORDER BY i.contact_id) AS ord
          FROM unnest(p_workspace, p_campaign, p_contact, p_status, p_current_step, p_next_send_at, p_last_sent_at)
               AS i(workspace_id, campaign_id, contact_id, status, current_step, next_send_at, last_sent_at)
    ), wanted AS (
        SELECT workspace_id, campaign_id, count(*) AS n FROM input GROUP BY 1, 2
    ), taken AS (
        INSERT INTO contact_change_counters AS k (workspace_id, campaign_id, value)
        SELECT workspace_id, campaign_id, n FROM wanted ORDER BY 1, 2
        ON CONFLICT (workspace_id, campaign_id) DO UPDATE SET value = k.value + EXCLUDED.value
        RETURNING k.workspace_id, k.campaign_id, k.value
    ), changed AS (
        UPDATE campaign_contacts c
           SET status = i.status, current_step = i.current_step, next_send_at = i.next_send_at,
               last_sent_at = coalesce(i.last_sent_at, c.last_sent_at), change_seq = t.value - w.n + i.ord, updated_at = now()
          FROM input i
          JOIN wanted w ON w.workspace_id = i.workspace_id AND w.campaign_id = i.campaign_id
          JOIN taken t ON t.workspace_id = i.workspace_id AND t.campaign_id = i.campaign_id
         WHERE c.workspace_id = i.workspace_id AND c.id = i.contact_id AND c.campaign_id = i.campaign_id
           AND (c.status, c.current_step, c.next_send_at, c.last_sent_at)
               IS DISTINCT FROM (i.status, i.current_step, i.next_send_at, coalesce(i.last_sent_at, c.last_sent_at))
        RETURNING 1
    )
    SELECT count(*) INTO v_changed FROM changed;
    RETURN v_changed;
END
$$;
