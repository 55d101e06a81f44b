package dev.outreach2day.delivery;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
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
            String subject, String lockedBy, String subsequenceId) {}

    private static final String COLUMNS = """
            s.workspace_id, s.id, s.campaign_id, s.contact_id, s.step_id, s.step_order, s.mailbox_id, s.variant_id, s.status,
            s.scheduled_at, s.attempts, s.message_id, s.subject, s.locked_by, s.subsequence_id
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

    /**
     * Sent; also from 'unknown' (the reaper was early, the SMTP server did accept it). Returns the
     * status it had, so a send the reaper had counted as unknown is moved, not counted twice.
     */

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
            RETURNING workspace_id, campaign_id, step_order, COALESCE(variant_id, '') AS variant_id, COALESCE(mailbox_id, '') AS mailbox_id,
                      subsequence_id
            """;

    /** The contact's sent emails of this campaign (main sequence and subsequences), in the order sent: its thread. */
    private static final String THREAD = """
            SELECT step_order, mailbox_id, message_id, subject FROM sends
             WHERE workspace_id = :workspaceId AND contact_id = :contactId AND campaign_id = :campaignId AND status = 'sent'
             ORDER BY sent_at, step_order
            """;

    /**
     * A subsequence email accepted by SMTP: sent (also from unknown, when the reaper was early),
     * returning the status it had. Subsequence emails are few; they are recorded one by one.
     */
    private static final String MARK_SUBSEQUENCE_SENT = """
            WITH before AS (
                SELECT status FROM sends WHERE workspace_id = :workspaceId AND id = :id AND status IN ('in_flight', 'unknown')
                   AND locked_by = :node FOR UPDATE)
            UPDATE sends s SET status = 'sent', sent_at = :now, smtp_reply = '250 accepted', reason = NULL, locked_by = NULL,
                   locked_until = NULL, updated_at = :now
              FROM before WHERE s.workspace_id = :workspaceId AND s.id = :id
            RETURNING before.status
            """;

    /** The member's progress: the step it was sent, and completed after the last one. */
    private static final String MEMBER_PROGRESS = """
            UPDATE subsequence_members SET current_step = :step, status = CASE WHEN :last THEN 'completed' ELSE status END, updated_at = :now
             WHERE workspace_id = :workspaceId AND subsequence_id = :subsequenceId AND contact_id = :contactId AND status = 'active'
            """;

    private static final String END_MEMBER = """
            UPDATE subsequence_members SET status = :status, stop_reason = :reason, updated_at = :now
             WHERE workspace_id = :workspaceId AND subsequence_id = :subsequenceId AND contact_id = :contactId AND status = 'active'
            """;

    private static final String PLAN_SUBSEQUENCE_SEND = """
            INSERT INTO sends (workspace_id, id, campaign_id, contact_id, step_id, step_order, mailbox_id, subsequence_id, status,
                               scheduled_at, created_at, updated_at)
            VALUES (:workspaceId, :id, :campaignId, :contactId, :stepId, :stepOrder, :mailboxId, :subsequenceId, 'planned', :at, :now, :now)
            ON CONFLICT (workspace_id, contact_id, step_id) DO NOTHING
            """;

    private static final String SUBSEQUENCE_COUNT = """
            INSERT INTO subsequence_stats (workspace_id, subsequence_id, step_order, %1$s) VALUES (:workspaceId, :subsequenceId, :stepOrder, 1)
            ON CONFLICT (workspace_id, subsequence_id, step_order) DO UPDATE SET %1$s = subsequence_stats.%1$s + 1
            """;

    private static final String SUBSEQUENCE_UNCOUNT_UNKNOWN = """
            UPDATE subsequence_stats SET unknown = greatest(unknown - 1, 0)
             WHERE workspace_id = :workspaceId AND subsequence_id = :subsequenceId AND step_order = :stepOrder
            """;

    private static final String RELEASE_DAY = """
            UPDATE delivery_day_counts SET used = used - 1 WHERE workspace_id = :workspaceId AND scope = :scope AND day = :day AND used > 0
            """;

    private static final String PACE_OF = "SELECT next_at FROM delivery_pacing WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId";

    /** Everything the mailbox check reads, for several mailboxes (parallel arrays of ids and cap scopes) in one round trip. */
    private static final String MAILBOX_SNAPSHOTS = """
            SELECT m.id, st.paused_until, COALESCE(st.consecutive_failures, 0), COALESCE(dm.used, 0), COALESCE(dc.used, 0),
                   pc.next_at, pc.last_at
              FROM unnest(CAST(:ids AS text[]), CAST(:mailboxScopes AS text[]), CAST(:campaignScopes AS text[]))
                   AS m(id, mailbox_scope, campaign_scope)
              LEFT JOIN delivery_mailbox_state st ON st.workspace_id = :workspaceId AND st.mailbox_id = m.id
              LEFT JOIN delivery_day_counts dm ON dm.workspace_id = :workspaceId AND dm.scope = m.mailbox_scope AND dm.day = :day
              LEFT JOIN delivery_day_counts dc ON dc.workspace_id = :workspaceId AND dc.scope = m.campaign_scope AND dc.day = :day
              LEFT JOIN delivery_pacing pc ON pc.workspace_id = :workspaceId AND pc.mailbox_id = m.id
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

    /** The counters a stats row has; count() takes its column from this list only. */
    static final java.util.Set<String> COUNTERS =
            java.util.Set.of("sent", "failed", "bounced", "skipped", "unknown", "opened", "clicked", "replied", "interested", "unsubscribed");

    private static final String COUNT = """
            INSERT INTO campaign_stats (workspace_id, campaign_id, day, step_order, variant_id, mailbox_id, %1$s)
            VALUES (:workspaceId, :campaignId, :day, :stepOrder, :variantId, :mailboxId, 1)
            ON CONFLICT (workspace_id, campaign_id, day, step_order, variant_id, mailbox_id) DO UPDATE
               SET %1$s = campaign_stats.%1$s + 1
            """;

    /** V12__send_functions.sql: the reservation, all or nothing, in one round trip. */
    private static final String RESERVE_SEND = """
            SELECT coalesce(delivery_reserve_send(:workspaceId, :id, :node, :mailboxId, :variantId, :subject, :messageId,
                                         :inReplyTo, :now, :nextAt, :leaseEnd, :day, CAST(:scopes AS text[]),
                                         CAST(:limits AS integer[]), CAST(:reasons AS text[]), CAST(:links AS text[])), '')
            """;

    /** V29__reserve_sends_in_groups.sql: several reservations in one transaction and one round trip. */
    private static final String RESERVE_SENDS = """
            SELECT send_id, coalesce(refused, '') FROM delivery_reserve_sends(:node, CAST(:workspaceIds AS bigint[]),
                   CAST(:sendIds AS text[]), CAST(:mailboxIds AS text[]), CAST(:variantIds AS text[]), CAST(:subjects AS text[]),
                   CAST(:messageIds AS text[]), CAST(:inReplyTos AS text[]), CAST(:nows AS timestamptz[]),
                   CAST(:nextAts AS timestamptz[]), CAST(:leaseEnds AS timestamptz[]), CAST(:days AS date[]),
                   CAST(:capSends AS integer[]), CAST(:capScopes AS text[]), CAST(:capLimits AS integer[]),
                   CAST(:capReasons AS text[]), CAST(:linkSends AS integer[]), CAST(:linkUrls AS text[]))
            """;

    /** V12__send_functions.sql: a group of accepted sends recorded in one transaction and one round trip. */
    private static final String RECORD_SENT = """
            SELECT send_id, before FROM delivery_record_sent(:node, CAST(:workspaceIds AS bigint[]), CAST(:sendIds AS text[]),
                   CAST(:campaignIds AS text[]), CAST(:contactIds AS text[]), CAST(:stepOrders AS integer[]), CAST(:variantIds AS text[]),
                   CAST(:mailboxIds AS text[]), CAST(:mailboxOk AS boolean[]), CAST(:sentAt AS timestamptz[]), CAST(:days AS date[]),
                   CAST(:nextIds AS text[]), CAST(:nextStepIds AS text[]), CAST(:nextStepOrders AS integer[]),
                   CAST(:nextAt AS timestamptz[]), CAST(:contactStatuses AS text[]))
            """;

    private final JdbcClient jdbc;

    SendQueue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** One daily cap a send takes a slot of: its scope, the limit, and the deferral reason when full. */
    record DayCap(String scope, int limit, String reason) {}

    /**
     * Reserves the send: the mailbox's gap slot until {@code nextAt}, a slot of each cap today, the
     * send in flight with what it rendered, and its links; all or nothing. Empty when reserved,
     * otherwise why not ("mailbox_gap", a cap's reason, or "claim_lost").
     */
    Optional<String> reserveSend(SendRow s, String node, String mailboxId, String variantId, String subject, String messageId,
            String inReplyTo, Instant now, Instant nextAt, Instant leaseEnd, LocalDate day, List<DayCap> caps, List<String> links) {
        return Optional.of(jdbc.sql(RESERVE_SEND).param("workspaceId", s.workspaceId()).param("id", s.id())
                .param("node", node).param("mailboxId", mailboxId).param("variantId", variantId).param("subject", subject)
                .param("messageId", messageId).param("inReplyTo", inReplyTo).param("now", ts(now)).param("nextAt", ts(nextAt))
                .param("leaseEnd", ts(leaseEnd)).param("day", day)
                .param("scopes", caps.stream().map(DayCap::scope).toArray(String[]::new))
                .param("limits", caps.stream().map(DayCap::limit).toArray(Integer[]::new))
                .param("reasons", caps.stream().map(DayCap::reason).toArray(String[]::new))
                .param("links", links.toArray(String[]::new)).query(String.class).single()).filter(r -> !r.isEmpty());
    }

    /**
     * One send's reservation, as {@link #reserveSend} takes it: the mailbox and what the send rendered,
     * the time it was reserved at and the end of the gap it leaves, its lease, today's caps and its
     * tracked links.
     */
    record Reservation(SendRow send, String mailboxId, String variantId, String subject, String messageId, String inReplyTo,
            Instant now, Instant nextAt, Instant leaseEnd, LocalDate day, List<DayCap> caps, List<String> links) {}

    /** {@link #reserveSend} for one reservation. */
    Optional<String> reserveSend(String node, Reservation r) {
        return reserveSend(r.send(), node, r.mailboxId(), r.variantId(), r.subject(), r.messageId(), r.inReplyTo(), r.now(),
                r.nextAt(), r.leaseEnd(), r.day(), r.caps(), r.links());
    }

    /**
     * Reserves several sends in one transaction (V29): set-based when the group can be taken whole,
     * otherwise each on its own with {@link #reserveSend}'s rules. One entry per reservation, in their
     * order: empty when reserved, otherwise why not, as {@link #reserveSend} says.
     */
    List<Optional<String>> reserveSends(String node, List<Reservation> group) {
        int n = group.size();
        var ws = new Long[n];
        var ids = new String[n];
        var mailboxes = new String[n];
        var variants = new String[n];
        var subjects = new String[n];
        var messageIds = new String[n];
        var inReplyTos = new String[n];
        var nows = new String[n]; // ISO-8601 instants and dates, cast in SQL
        var nextAts = new String[n];
        var leaseEnds = new String[n];
        var days = new String[n];
        var capSends = new ArrayList<Integer>();
        var capScopes = new ArrayList<String>();
        var capLimits = new ArrayList<Integer>();
        var capReasons = new ArrayList<String>();
        var linkSends = new ArrayList<Integer>();
        var linkUrls = new ArrayList<String>();
        for (int i = 0; i < n; i++) {
            Reservation r = group.get(i);
            ws[i] = r.send().workspaceId();
            ids[i] = r.send().id();
            mailboxes[i] = r.mailboxId();
            variants[i] = r.variantId();
            subjects[i] = r.subject();
            messageIds[i] = r.messageId();
            inReplyTos[i] = r.inReplyTo();
            nows[i] = r.now().toString();
            nextAts[i] = r.nextAt().toString();
            leaseEnds[i] = r.leaseEnd().toString();
            days[i] = r.day().toString();
            for (DayCap c : r.caps()) {
                capSends.add(i + 1);
                capScopes.add(c.scope());
                capLimits.add(c.limit());
                capReasons.add(c.reason());
            }
            for (String url : r.links()) {
                linkSends.add(i + 1);
                linkUrls.add(url);
            }
        }
        var refused = new HashMap<String, String>();
        jdbc.sql(RESERVE_SENDS).param("node", node).param("workspaceIds", ws).param("sendIds", ids).param("mailboxIds", mailboxes)
                .param("variantIds", variants).param("subjects", subjects).param("messageIds", messageIds)
                .param("inReplyTos", inReplyTos).param("nows", nows).param("nextAts", nextAts).param("leaseEnds", leaseEnds)
                .param("days", days).param("capSends", capSends.toArray(Integer[]::new))
                .param("capScopes", capScopes.toArray(String[]::new)).param("capLimits", capLimits.toArray(Integer[]::new))
                .param("capReasons", capReasons.toArray(String[]::new)).param("linkSends", linkSends.toArray(Integer[]::new))
                .param("linkUrls", linkUrls.toArray(String[]::new))
                .query((rs, i) -> refused.put(rs.getString(1), rs.getString(2))).list();
        var out = new ArrayList<Optional<String>>(n);
        for (Reservation r : group) {
            String why = refused.get(r.send().id());
            if (why == null) throw new IllegalStateException("no reservation outcome for send " + r.send().id());
            out.add(Optional.of(why).filter(w -> !w.isEmpty()));
        }
        return out;
    }

    /** The next step to plan after a sent email: its send id, step, and when. */
    record NextSend(String id, String stepId, int stepOrder, Instant at) {}

    /**
     * An accepted send to record: when it was sent (and that UTC day, for the counters), its
     * variant and mailbox, whether the mailbox's failure streak must be reset, the next step to
     * plan (null after the last), and the contact's status at this step.
     */
    record SentSend(SendRow send, Instant sentAt, LocalDate day, String variantId, String mailboxId, boolean mailboxOk,
            NextSend next, String contactStatus, String messageId) {}

    /**
     * Records accepted sends together (sent, counted, mailbox streak reset, next step planned, the
     * contacts' progress), in one transaction. Returns the status each recorded send had (in_flight,
     * or unknown when the reaper had given up on it) by send id; a send missing from the map was
     * not this process's to record.
     */
    java.util.Map<String, String> recordSent(String node, List<SentSend> sent) {
        var out = new java.util.HashMap<String, String>();
        if (sent.isEmpty()) return out;
        // one lock order for every process: counters, then sends
        sent = sent.stream().sorted(java.util.Comparator.comparingLong((SentSend x) -> x.send().workspaceId())
                .thenComparing(x -> x.send().campaignId()).thenComparing(x -> x.day())
                .thenComparingInt(x -> x.send().stepOrder()).thenComparing(x -> x.variantId() == null ? "" : x.variantId())
                .thenComparing(x -> x.mailboxId() == null ? "" : x.mailboxId()).thenComparing(x -> x.send().id())).toList();
        int n = sent.size();
        var ws = new Long[n];
        var ids = new String[n];
        var campaigns = new String[n];
        var contacts = new String[n];
        var steps = new Integer[n];
        var variants = new String[n];
        var mailboxes = new String[n];
        var ok = new Boolean[n];
        var at = new String[n]; // ISO-8601 instants and dates, cast to timestamptz[] / date[] in SQL
        var days = new String[n];
        var nextIds = new String[n];
        var nextSteps = new String[n];
        var nextOrders = new Integer[n];
        var nextAt = new String[n];
        var statuses = new String[n];
        for (int i = 0; i < n; i++) {
            SentSend x = sent.get(i);
            ws[i] = x.send().workspaceId();
            ids[i] = x.send().id();
            campaigns[i] = x.send().campaignId();
            contacts[i] = x.send().contactId();
            steps[i] = x.send().stepOrder();
            variants[i] = x.variantId();
            mailboxes[i] = x.mailboxId();
            ok[i] = x.mailboxOk();
            at[i] = x.sentAt().toString();
            days[i] = x.day().toString();
            nextIds[i] = x.next() == null ? null : x.next().id();
            nextSteps[i] = x.next() == null ? null : x.next().stepId();
            nextOrders[i] = x.next() == null ? null : x.next().stepOrder();
            nextAt[i] = x.next() == null ? null : x.next().at().toString();
            statuses[i] = x.contactStatus();
        }
        jdbc.sql(RECORD_SENT).param("node", node).param("workspaceIds", ws).param("sendIds", ids).param("campaignIds", campaigns)
                .param("contactIds", contacts).param("stepOrders", steps).param("variantIds", variants).param("mailboxIds", mailboxes)
                .param("mailboxOk", ok).param("sentAt", at).param("days", days).param("nextIds", nextIds)
                .param("nextStepIds", nextSteps).param("nextStepOrders", nextOrders).param("nextAt", nextAt)
                .param("contactStatuses", statuses)
                .query((rs, i) -> out.put(rs.getString(1), rs.getString(2))).list();
        return out;
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
    /** Takes back an 'unknown' the reaper counted (on the day it reaped) for a send that turned out sent. */
    boolean markFinal(SendRow s, String node, String status, String reason, String reply, Instant now) {
        return jdbc.sql(MARK_FINAL).param("workspaceId", s.workspaceId()).param("id", s.id()).param("node", node)
                .param("status", status).param("reason", reason).param("reply", reply).param("now", ts(now)).update() == 1;
    }

    boolean retryLater(SendRow s, String node, Instant until, String reason, String reply, Instant now) {
        return jdbc.sql(RETRY_LATER).param("workspaceId", s.workspaceId()).param("id", s.id()).param("node", node)
                .param("until", ts(until)).param("reason", reason).param("reply", reply).param("now", ts(now)).update() == 1;
    }

    record Reaped(long workspaceId, String campaignId, int stepOrder, String variantId, String mailboxId, String subsequenceId) {}

    List<Reaped> reap(Instant now) {
        return jdbc.sql(REAP).param("now", ts(now)).query((rs, n) -> new Reaped(rs.getLong(1), rs.getString(2), rs.getInt(3),
                rs.getString(4), rs.getString(5), rs.getString(6))).list();
    }

    /** Marks a subsequence email sent; the status it had (in_flight or unknown), empty when it was not this process's. */
    Optional<String> markSubsequenceSent(SendRow s, String node, Instant now) {
        return jdbc.sql(MARK_SUBSEQUENCE_SENT).param("workspaceId", s.workspaceId()).param("id", s.id()).param("node", node)
                .param("now", ts(now)).query(String.class).optional();
    }

    void memberProgress(SendRow s, boolean last, Instant now) {
        jdbc.sql(MEMBER_PROGRESS).param("workspaceId", s.workspaceId()).param("subsequenceId", s.subsequenceId())
                .param("contactId", s.contactId()).param("step", s.stepOrder()).param("last", last).param("now", ts(now)).update();
    }

    /** Ends the contact's membership of the send's subsequence, if it is still active there. */
    void endMember(SendRow s, String status, String reason, Instant now) {
        jdbc.sql(END_MEMBER).param("workspaceId", s.workspaceId()).param("subsequenceId", s.subsequenceId())
                .param("contactId", s.contactId()).param("status", status).param("reason", reason).param("now", ts(now)).update();
    }

    void planSubsequenceSend(SendRow after, NextSend next, String mailboxId, Instant now) {
        jdbc.sql(PLAN_SUBSEQUENCE_SEND).param("workspaceId", after.workspaceId()).param("id", next.id())
                .param("campaignId", after.campaignId()).param("contactId", after.contactId()).param("stepId", next.stepId())
                .param("stepOrder", next.stepOrder()).param("mailboxId", mailboxId).param("subsequenceId", after.subsequenceId())
                .param("at", ts(next.at())).param("now", ts(now)).update();
    }

    /** Counts a subsequence email's outcome in its subsequence's counters (the campaign's are the main sequence's). */
    void countSubsequence(long workspaceId, String subsequenceId, int stepOrder, String what) {
        if (!java.util.Set.of("sent", "failed", "bounced", "skipped", "unknown").contains(what)) throw new IllegalArgumentException("no counter " + what);
        jdbc.sql(SUBSEQUENCE_COUNT.formatted(what)).param("workspaceId", workspaceId).param("subsequenceId", subsequenceId)
                .param("stepOrder", stepOrder).update();
    }

    void uncountSubsequenceUnknown(long workspaceId, String subsequenceId, int stepOrder) {
        jdbc.sql(SUBSEQUENCE_UNCOUNT_UNKNOWN).param("workspaceId", workspaceId).param("subsequenceId", subsequenceId)
                .param("stepOrder", stepOrder).update();
    }

    record Sent(int stepOrder, String mailboxId, String messageId, String subject) {}

    List<Sent> thread(long workspaceId, String campaignId, String contactId) {
        return jdbc.sql(THREAD).param("workspaceId", workspaceId).param("campaignId", campaignId).param("contactId", contactId)
                .query((rs, n) -> new Sent(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4))).list();
    }

    void releaseDay(long workspaceId, String scope, LocalDate day) {
        jdbc.sql(RELEASE_DAY).param("workspaceId", workspaceId).param("scope", scope).param("day", day).update();
    }

    Optional<Instant> paceOf(long workspaceId, String mailboxId) {
        return jdbc.sql(PACE_OF).param("workspaceId", workspaceId).param("mailboxId", mailboxId)
                .query((rs, n) -> rs.getTimestamp(1).toInstant()).optional();
    }

    /**
     * A mailbox's sending state for the checks: paused until (null: not paused), failures in a row,
     * used today in total and in this campaign, when the gap after its last send ends (null: never
     * sent) and when that send was reserved (the same time: it left no gap, so a send that leaves
     * none either may go at once).
     */
    record MailboxSnapshot(Instant pausedUntil, int failures, int usedToday, int usedInCampaignToday, Instant nextAt, Instant lastAt) {

        /** The last send left no gap. */
        boolean lastGapZero() {
            return nextAt != null && lastAt != null && !nextAt.isAfter(lastAt);
        }

        /** The gap after the mailbox's last send still runs at {@code now} (for a send that leaves none when {@code zeroGap}). */
        boolean inGap(Instant now, boolean zeroGap) {
            return nextAt != null && nextAt.isAfter(now) && !(zeroGap && lastGapZero());
        }

        /**
         * This state after a reservation at {@code now} that leaves the mailbox free again at {@code next}, as the
         * reservation writes it (the count in the campaign is read only when the campaign caps the mailbox, and then
         * the reservation takes a slot of that cap too).
         */
        MailboxSnapshot reserved(Instant now, Instant next) {
            return new MailboxSnapshot(pausedUntil, failures, usedToday + 1, usedInCampaignToday + 1, later(nextAt, next), later(lastAt, now));
        }

        private static Instant later(Instant a, Instant b) {
            return a == null || b.isAfter(a) ? b : a;
        }
    }

    /** The mailbox's state for the checks, in one round trip (see {@link #mailboxSnapshots}). */
    MailboxSnapshot mailboxSnapshot(long workspaceId, String mailboxId, String mailboxScope, String campaignScope, LocalDate day) {
        return mailboxSnapshots(workspaceId, List.of(mailboxId), List.of(mailboxScope), List.of(campaignScope), day).get(mailboxId);
    }

    /** Several mailboxes' states by id, in one round trip; the scopes are each mailbox's daily caps (in total, in the campaign). */
    java.util.Map<String, MailboxSnapshot> mailboxSnapshots(long workspaceId, List<String> mailboxIds, List<String> mailboxScopes,
            List<String> campaignScopes, LocalDate day) {
        var out = new java.util.HashMap<String, MailboxSnapshot>();
        if (mailboxIds.isEmpty()) return out;
        jdbc.sql(MAILBOX_SNAPSHOTS).param("workspaceId", workspaceId).param("ids", mailboxIds.toArray(String[]::new))
                .param("mailboxScopes", mailboxScopes.toArray(String[]::new)).param("campaignScopes", campaignScopes.toArray(String[]::new))
                .param("day", day)
                .query((rs, n) -> out.put(rs.getString(1), new MailboxSnapshot(instant(rs.getTimestamp(2)), rs.getInt(3), rs.getInt(4),
                        rs.getInt(5), instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)))))
                .list();
        return out;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    int mailboxFailed(long workspaceId, String mailboxId, String error, Instant now) {
        return jdbc.sql(MAILBOX_FAILED).param("workspaceId", workspaceId).param("mailboxId", mailboxId).param("error", error)
                .param("now", ts(now)).query(Integer.class).single();
    }

    void pauseMailbox(long workspaceId, String mailboxId, Instant until) {
        jdbc.sql(MAILBOX_PAUSE).param("workspaceId", workspaceId).param("mailboxId", mailboxId).param("until", ts(until)).update();
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
                rs.getString("subject"), rs.getString("locked_by"), rs.getString("subsequence_id"));
    }
}
