-- ANALYZE samples 300 rows per unit of the largest statistics target of a table's columns. The
-- inbox tables are analysed each time they double (ADR 0011) and by autovacuum every 10 % of
-- growth; with the default target (100) each analysis of a large table read 30,000 rows. The
-- queries that matter look threads and messages up by key or walk an index in id order; the
-- filters (intent, campaign, mailbox, flags, updatedSince) need little more than the most common
-- values and a coarse histogram, which 3,000 rows give. Measured on an 80,000-row copy of
-- unibox_messages: 261–351 ms per ANALYZE before, 23–28 ms after (ADR 0017).
ALTER TABLE unibox_messages
    ALTER COLUMN workspace_id SET STATISTICS 10, ALTER COLUMN id SET STATISTICS 10, ALTER COLUMN thread_id SET STATISTICS 10,
    ALTER COLUMN mailbox_id SET STATISTICS 10, ALTER COLUMN message_id SET STATISTICS 10, ALTER COLUMN in_reply_to SET STATISTICS 10,
    ALTER COLUMN from_email SET STATISTICS 10, ALTER COLUMN from_name SET STATISTICS 10, ALTER COLUMN subject SET STATISTICS 10,
    ALTER COLUMN date_received SET STATISTICS 10, ALTER COLUMN is_incoming SET STATISTICS 10, ALTER COLUMN folder SET STATISTICS 10,
    ALTER COLUMN created_at SET STATISTICS 10;
ALTER TABLE unibox_threads
    ALTER COLUMN workspace_id SET STATISTICS 10, ALTER COLUMN id SET STATISTICS 10, ALTER COLUMN mailbox_id SET STATISTICS 10,
    ALTER COLUMN external_thread_id SET STATISTICS 10, ALTER COLUMN subject SET STATISTICS 10, ALTER COLUMN subject_display SET STATISTICS 10,
    ALTER COLUMN subject_key SET STATISTICS 10, ALTER COLUMN participant SET STATISTICS 10, ALTER COLUMN campaign_id SET STATISTICS 10,
    ALTER COLUMN contact_id SET STATISTICS 10, ALTER COLUMN send_id SET STATISTICS 10, ALTER COLUMN reply_intent SET STATISTICS 10,
    ALTER COLUMN intent_confidence SET STATISTICS 10, ALTER COLUMN intent_manual SET STATISTICS 10, ALTER COLUMN return_date SET STATISTICS 10,
    ALTER COLUMN is_warming SET STATISTICS 10, ALTER COLUMN is_postmaster SET STATISTICS 10, ALTER COLUMN has_incoming SET STATISTICS 10,
    ALTER COLUMN message_count SET STATISTICS 10, ALTER COLUMN last_message_id SET STATISTICS 10, ALTER COLUMN last_at SET STATISTICS 10,
    ALTER COLUMN created_at SET STATISTICS 10, ALTER COLUMN updated_at SET STATISTICS 10;
