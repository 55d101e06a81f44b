package dev.outreach2day.delivery;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code sends} table as a work queue, and the atomic reservations that keep every process
 * within the limits. All times are the injected clock's, passed in (never the database's now()),
 * so tests and benchmarks can move time.
 */
@Repository
class SendQueue {

    record SendRow(long workspaceId, String id, String campaignId, String contactId, String stepId, int stepOrder,
            String mailboxId, String variantId, String status, Instant scheduledAt, int attempts, String messageId,
            String subject, String lockedBy) {}

    private static final String COLUMNS = """
            s.workspace_id, s.id, s.campaign_id, s.contact_id, s.step_id, s.step_order, s.mailbox_id, s.variant_id, s.status,
            s.scheduled_at, s.attempts, s.message_id, s.subject, s.locked_by
            """;

    /**
     * Claims due planned sends for this process: a batch, oldest first, skipping rows other
     * processes hold. The claim is a lease on a still-planned row; nothing is "in flight" yet.
     */
    private static final String CLAIM = """
            WITH due AS (
                SELECT workspace_id, id FROM sends
                 WHERE status = 'planned' AND scheduled_at <= :now AND (locked_until IS NULL OR locked_until < :now)
                 ORDER BY scheduled_at
                 LIMIT :limit
                   FOR UPDATE SKIP LOCKED)
            UPDATE sends s SET locked_by = :node, locked_until = :leaseEnd
              FROM due WHERE s.workspace_id = due.workspace_id AND s.id = due.id
            RETURNING """ + " " + COLUMNS;

    private static final String DEFER = """
            UPDATE sends SET scheduled_at = :until, reason = :reason, locked_by = NULL, locked_until = NULL, updated_at = :now
             WHERE workspace_id = :workspaceId AND id = :id AND status = 'planned' AND locked_by = :node
            """;

    private static final String SKIP = """
            UPDATE sends SET status = 'skipped', reason = :reason, locked_by = NULL, locked_until = NULL, updated_at = :now
             WHERE workspace_id = :workspaceId AND id = :id AND status = 'planned' AND locked_by = :node
            """;

    /** The commit point before SMTP: from here a crash means "unknown", never a resend. */
    private static final String MARK_IN_FLIGHT = """
            UPDATE sends SET status = 'in_flight', mailbox_id = :mailboxId, variant_id = :variantId, subject = :subject,
                   message_id = :messageId, in_reply_to = :inReplyTo, attempts = attempts + 1, locked_until = :leaseEnd,
                   updated_at = :now
             WHERE workspace_id = :workspaceId AND id = :id AND status = 'planned' AND locked_by = :node
            """;

    /**
     * Sent; also from 'unknown' (the reaper was early, the SMTP server did accept it). Returns the
     * status it had, so a send the reaper had counted as unknown is moved, not counted twice.
     */
    private static final String MARK_SENT = """
            WITH before AS (SELECT status FROM sends WHERE workspace_id = :workspaceId AND id = :id FOR UPDATE)
            UPDATE sends SET status = 'sent', sent_at = :now, smtp_reply = :reply, reason = NULL, locked_by = NULL,
                   locked_until = NULL, updated_at = :now
              FROM before
             WHERE workspace_id = :workspaceId AND id = :id AND sends.status IN ('in_flight', 'unknown') AND locked_by = :node
            RETURNING before.status
            """;

    private static final String UNCOUNT_UNKNOWN = """
            UPDATE campaign_stats SET unknown = unknown - 1
             WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND day = :day AND step_order = :stepOrder
               AND variant_id = :variantId AND mailbox_id = :mailboxId AND unknown > 0
            """;

    private static final String MARK_FINAL = """
            UPDATE sends SET status = :status, reason = :reason, smtp_reply = :reply, locked_by = NULL, locked_until = NULL,
                   updated_at = :now
             WHERE workspace_id = :workspaceId AND id = :id AND status = 'in_flight' AND locked_by = :node
            """;

    /** A temporary SMTP failure: the send is planned again later (nothing was delivered). */
    private static final String RETRY_LATER = """
            UPDATE sends SET status = 'planned', scheduled_at = :until, reason = :reason, smtp_reply = :reply,
                   locked_by = NULL, locked_until = NULL, updated_at = :now
             WHERE workspace_id = :workspaceId AND id = :id AND status = 'in_flight' AND locked_by = :node
            """;

    /** In flight past the lease: its process died mid-SMTP. Never resent automatically. */
    private static final String REAP = """
            UPDATE sends SET status = 'unknown', reason = 'the sending process stopped during SMTP; not resent to avoid a duplicate',
                   updated_at = :now
             WHERE status = 'in_flight' AND locked_until < :now
            RETURNING workspace_id, campaign_id, step_order, COALESCE(variant_id, '') AS variant_id, COALESCE(mailbox_id, '') AS mailbox_id
            """;

    private static final String PLAN_NEXT = """
            INSERT INTO sends (workspace_id, id, campaign_id, contact_id, step_id, step_order, mailbox_id, status, scheduled_at,
                               created_at, updated_at)
            VALUES (:workspaceId, :id, :campaignId, :contactId, :stepId, :stepOrder, :mailboxId, 'planned', :scheduledAt, :now, :now)
            ON CONFLICT (workspace_id, contact_id, step_id) DO NOTHING
            """;

    /** The contact's sent emails of this campaign, in step order: its mailbox and its thread. */
    private static final String THREAD = """
            SELECT step_order, mailbox_id, message_id, subject FROM sends
             WHERE workspace_id = :workspaceId AND contact_id = :contactId AND campaign_id = :campaignId AND status = 'sent'
             ORDER BY step_order
            """;

    private static final String RESERVE_DAY = """
            INSERT INTO delivery_day_counts (workspace_id, scope, day, used) VALUES (:workspaceId, :scope, :day, 1)
            ON CONFLICT (workspace_id, scope, day) DO UPDATE SET used = delivery_day_counts.used + 1
             WHERE delivery_day_counts.used < :limit
            RETURNING used
            """;

    private static final String RELEASE_DAY = """
            UPDATE delivery_day_counts SET used = used - 1 WHERE workspace_id = :workspaceId AND scope = :scope AND day = :day AND used > 0
            """;

    private static final String USED_TODAY = """
            SELECT COALESCE((SELECT used FROM delivery_day_counts WHERE workspace_id = :workspaceId AND scope = :scope AND day = :day), 0)
            """;

    /** Takes the mailbox's next slot when its gap has passed; RETURNING nothing = not yet. */
    private static final String RESERVE_PACE = """
            INSERT INTO delivery_pacing (workspace_id, mailbox_id, next_at) VALUES (:workspaceId, :mailboxId, :nextAt)
            ON CONFLICT (workspace_id, mailbox_id) DO UPDATE SET next_at = :nextAt WHERE delivery_pacing.next_at <= :now
            RETURNING next_at
            """;

    private static final String PACE_OF = "SELECT next_at FROM delivery_pacing WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId";

    private static final String MAILBOX_STATE = """
            SELECT consecutive_failures, paused_until FROM delivery_mailbox_state WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId
            """;

    private static final String MAILBOX_FAILED = """
            INSERT INTO delivery_mailbox_state (workspace_id, mailbox_id, consecutive_failures, last_error, updated_at)
            VALUES (:workspaceId, :mailboxId, 1, :error, :now)
            ON CONFLICT (workspace_id, mailbox_id) DO UPDATE
               SET consecutive_failures = delivery_mailbox_state.consecutive_failures + 1, last_error = :error, updated_at = :now
            RETURNING consecutive_failures
            """;

    private static final String MAILBOX_PAUSE = """
            UPDATE delivery_mailbox_state SET paused_until = :until WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId
            """;

    private static final String MAILBOX_OK = """
            UPDATE delivery_mailbox_state SET consecutive_failures = 0, paused_until = NULL, updated_at = :now
             WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId AND (consecutive_failures > 0 OR paused_until IS NOT NULL)
            """;

    /** The counters a stats row has; count() takes its column from this list only. */
    static final java.util.Set<String> COUNTERS =
            java.util.Set.of("sent", "failed", "bounced", "skipped", "unknown", "opened", "clicked", "replied", "interested", "unsubscribed");

    private static final String COUNT = """
            INSERT INTO campaign_stats (workspace_id, campaign_id, day, step_order, variant_id, mailbox_id, %1$s)
            VALUES (:workspaceId, :campaignId, :day, :stepOrder, :variantId, :mailboxId, 1)
            ON CONFLICT (workspace_id, campaign_id, day, step_order, variant_id, mailbox_id) DO UPDATE
               SET %1$s = campaign_stats.%1$s + 1
            """;

    private static final String SAVE_LINK = "INSERT INTO send_links (workspace_id, send_id, idx, url) VALUES (:workspaceId, :sendId, :idx, :url) ON CONFLICT DO NOTHING";

    private final JdbcClient jdbc;

    SendQueue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void saveLinks(long workspaceId, String sendId, List<String> urls) {
        for (int i = 0; i < urls.size(); i++) {
            jdbc.sql(SAVE_LINK).param("workspaceId", workspaceId).param("sendId", sendId).param("idx", i).param("url", urls.get(i)).update();
        }
    }

    List<SendRow> claim(String node, Instant now, Instant leaseEnd, int limit) {
        return jdbc.sql(CLAIM).param("now", ts(now)).param("leaseEnd", ts(leaseEnd)).param("node", node).param("limit", limit)
                .query(SendQueue::map).list();
    }

    boolean defer(SendRow s, String node, Instant until, String reason, Instant now) {
        return jdbc.sql(DEFER).param("workspaceId", s.workspaceId()).param("id", s.id()).param("node", node)
                .param("until", ts(until)).param("reason", reason).param("now", ts(now)).update() == 1;
    }

    boolean skip(SendRow s, String node, String reason, Instant now) {
        return jdbc.sql(SKIP).param("workspaceId", s.workspaceId()).param("id", s.id()).param("node", node)
                .param("reason", reason).param("now", ts(now)).update() == 1;
    }

    boolean markInFlight(SendRow s, String node, String mailboxId, String variantId, String subject, String messageId,
            String inReplyTo, Instant now, Instant leaseEnd) {
        return jdbc.sql(MARK_IN_FLIGHT).param("workspaceId", s.workspaceId()).param("id", s.id()).param("node", node)
                .param("mailboxId", mailboxId).param("variantId", variantId).param("subject", subject)
                .param("messageId", messageId).param("inReplyTo", inReplyTo).param("now", ts(now)).param("leaseEnd", ts(leaseEnd))
                .update() == 1;
    }

    /** The status the send had before (in_flight, or unknown when the reaper had given up on it); empty when it was not ours. */
    Optional<String> markSent(SendRow s, String node, String reply, Instant now) {
        return jdbc.sql(MARK_SENT).param("workspaceId", s.workspaceId()).param("id", s.id()).param("node", node)
                .param("reply", reply).param("now", ts(now)).query(String.class).optional();
    }

    /** Takes back an 'unknown' the reaper counted (on the day it reaped) for a send that turned out sent. */
    void uncountUnknown(long workspaceId, String campaignId, LocalDate day, int stepOrder, String variantId, String mailboxId) {
        jdbc.sql(UNCOUNT_UNKNOWN).param("workspaceId", workspaceId).param("campaignId", campaignId).param("day", day)
                .param("stepOrder", stepOrder).param("variantId", variantId == null ? "" : variantId)
                .param("mailboxId", mailboxId == null ? "" : mailboxId).update();
    }

    boolean markFinal(SendRow s, String node, String status, String reason, String reply, Instant now) {
        return jdbc.sql(MARK_FINAL).param("workspaceId", s.workspaceId()).param("id", s.id()).param("node", node)
                .param("status", status).param("reason", reason).param("reply", reply).param("now", ts(now)).update() == 1;
    }

    boolean retryLater(SendRow s, String node, Instant until, String reason, String reply, Instant now) {
        return jdbc.sql(RETRY_LATER).param("workspaceId", s.workspaceId()).param("id", s.id()).param("node", node)
                .param("until", ts(until)).param("reason", reason).param("reply", reply).param("now", ts(now)).update() == 1;
    }

    record Reaped(long workspaceId, String campaignId, int stepOrder, String variantId, String mailboxId) {}

    List<Reaped> reap(Instant now) {
        return jdbc.sql(REAP).param("now", ts(now)).query((rs, n) -> new Reaped(rs.getLong(1), rs.getString(2), rs.getInt(3),
                rs.getString(4), rs.getString(5))).list();
    }

    void planNext(long workspaceId, String id, String campaignId, String contactId, String stepId, int stepOrder, String mailboxId,
            Instant scheduledAt, Instant now) {
        jdbc.sql(PLAN_NEXT).param("workspaceId", workspaceId).param("id", id).param("campaignId", campaignId)
                .param("contactId", contactId).param("stepId", stepId).param("stepOrder", stepOrder).param("mailboxId", mailboxId)
                .param("scheduledAt", ts(scheduledAt)).param("now", ts(now)).update();
    }

    record Sent(int stepOrder, String mailboxId, String messageId, String subject) {}

    List<Sent> thread(long workspaceId, String campaignId, String contactId) {
        return jdbc.sql(THREAD).param("workspaceId", workspaceId).param("campaignId", campaignId).param("contactId", contactId)
                .query((rs, n) -> new Sent(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4))).list();
    }

    boolean reserveDay(long workspaceId, String scope, LocalDate day, int limit) {
        return jdbc.sql(RESERVE_DAY).param("workspaceId", workspaceId).param("scope", scope).param("day", day).param("limit", limit)
                .query(Integer.class).optional().isPresent();
    }

    void releaseDay(long workspaceId, String scope, LocalDate day) {
        jdbc.sql(RELEASE_DAY).param("workspaceId", workspaceId).param("scope", scope).param("day", day).update();
    }

    int usedToday(long workspaceId, String scope, LocalDate day) {
        return jdbc.sql(USED_TODAY).param("workspaceId", workspaceId).param("scope", scope).param("day", day).query(Integer.class).single();
    }

    /** Empty when the slot was taken; otherwise the mailbox is reserved until {@code nextAt}. */
    Optional<Instant> reservePace(long workspaceId, String mailboxId, Instant now, Instant nextAt) {
        return jdbc.sql(RESERVE_PACE).param("workspaceId", workspaceId).param("mailboxId", mailboxId).param("now", ts(now))
                .param("nextAt", ts(nextAt)).query((rs, n) -> rs.getTimestamp(1).toInstant()).optional();
    }

    Optional<Instant> paceOf(long workspaceId, String mailboxId) {
        return jdbc.sql(PACE_OF).param("workspaceId", workspaceId).param("mailboxId", mailboxId)
                .query((rs, n) -> rs.getTimestamp(1).toInstant()).optional();
    }

    Optional<Instant> mailboxPausedUntil(long workspaceId, String mailboxId) {
        return jdbc.sql(MAILBOX_STATE).param("workspaceId", workspaceId).param("mailboxId", mailboxId)
                .query((rs, n) -> Optional.ofNullable(rs.getTimestamp(2)).map(Timestamp::toInstant)).optional().flatMap(o -> o);
    }

    int mailboxFailed(long workspaceId, String mailboxId, String error, Instant now) {
        return jdbc.sql(MAILBOX_FAILED).param("workspaceId", workspaceId).param("mailboxId", mailboxId).param("error", error)
                .param("now", ts(now)).query(Integer.class).single();
    }

    void pauseMailbox(long workspaceId, String mailboxId, Instant until) {
        jdbc.sql(MAILBOX_PAUSE).param("workspaceId", workspaceId).param("mailboxId", mailboxId).param("until", ts(until)).update();
    }

    void mailboxOk(long workspaceId, String mailboxId, Instant now) {
        jdbc.sql(MAILBOX_OK).param("workspaceId", workspaceId).param("mailboxId", mailboxId).param("now", ts(now)).update();
    }

    void count(long workspaceId, String campaignId, LocalDate day, int stepOrder, String variantId, String mailboxId, String what) {
        if (!COUNTERS.contains(what)) throw new IllegalArgumentException("no counter " + what);
        jdbc.sql(COUNT.formatted(what)).param("workspaceId", workspaceId).param("campaignId", campaignId).param("day", day)
                .param("stepOrder", stepOrder).param("variantId", variantId == null ? "" : variantId)
                .param("mailboxId", mailboxId == null ? "" : mailboxId).update();
    }

    static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static SendRow map(ResultSet rs, int n) throws SQLException {
        return new SendRow(rs.getLong("workspace_id"), rs.getString("id"), rs.getString("campaign_id"), rs.getString("contact_id"),
                rs.getString("step_id"), rs.getInt("step_order"), rs.getString("mailbox_id"), rs.getString("variant_id"),
                rs.getString("status"), rs.getTimestamp("scheduled_at").toInstant(), rs.getInt("attempts"), rs.getString("message_id"),
                rs.getString("subject"), rs.getString("locked_by"));
    }
}
