package dev.outreach2day.campaign;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/** The subsequence tables of V22__subsequences.sql: definitions, steps, routes, members. */
@Repository
class SubsequenceStore {

    record VariantJson(String id, String subject, String bodyHtml, String bodyText, BigDecimal weight) {}

    record StepRow(String id, int order, String subject, String bodyHtml, String bodyText, long delaySeconds,
            List<VariantJson> variants) {}

    record SubsequenceRow(long workspaceId, String id, String campaignId, String name, List<String> replyIntents,
            Integer noReplyAfterStep, long noReplyWaitSeconds, String status, boolean deleted, Instant createdAt, Instant updatedAt) {}

    record Counts(long enrolled, long active, long completed, long stopped, long moved) {}

    record StepStats(int order, long sent, long failed, long bounced, long skipped, long unknown) {}

    private static final String COLUMNS = """
            workspace_id, id, campaign_id, name, reply_intents, no_reply_after_step, no_reply_wait_seconds, status,
            deleted_at IS NOT NULL AS deleted, created_at, updated_at
            """;

    private static final String INSERT = """
            INSERT INTO campaign_subsequences (workspace_id, id, campaign_id, name, reply_intents, no_reply_after_step,
                                               no_reply_wait_seconds, status, created_at, updated_at)
            VALUES (:workspaceId, :id, :campaignId, :name, CAST(:intents AS text[]), :afterStep, :wait, :status, :now, :now)
            """;

    private static final String FIND = "SELECT " + COLUMNS + " FROM campaign_subsequences WHERE workspace_id = :workspaceId AND id = :id";

    private static final String LOCK = FIND + " AND deleted_at IS NULL FOR UPDATE";

    private static final String OF_CAMPAIGN = "SELECT " + COLUMNS + """
             FROM campaign_subsequences WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND deleted_at IS NULL
             ORDER BY id
            """;

    private static final String COUNT_OF_CAMPAIGN = """
            SELECT count(*) FROM campaign_subsequences WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND deleted_at IS NULL
            """;

    private static final String UPDATE = """
            UPDATE campaign_subsequences SET name = :name, reply_intents = CAST(:intents AS text[]), no_reply_after_step = :afterStep,
                   no_reply_wait_seconds = :wait, status = :status, updated_at = :now
             WHERE workspace_id = :workspaceId AND id = :id AND deleted_at IS NULL
            """;

    private static final String DELETE = """
            UPDATE campaign_subsequences SET deleted_at = :now, updated_at = :now WHERE workspace_id = :workspaceId AND id = :id AND deleted_at IS NULL
            """;

    private static final String STEPS = """
            SELECT id, step_order, subject, body_html, body_text, delay_seconds, variants FROM subsequence_steps
             WHERE workspace_id = :workspaceId AND subsequence_id = :subsequenceId ORDER BY step_order
            """;

    /** Steps are saved as a whole: a position keeps its step id (planned sends of it stay valid), the rest go. */
    private static final String UPSERT_STEP = """
            INSERT INTO subsequence_steps (workspace_id, id, subsequence_id, step_order, subject, body_html, body_text, delay_seconds, variants)
            VALUES (:workspaceId, :id, :subsequenceId, :order, :subject, :bodyHtml, :bodyText, :delay, CAST(:variants AS jsonb))
            ON CONFLICT (workspace_id, id) DO UPDATE SET step_order = EXCLUDED.step_order, subject = EXCLUDED.subject,
                   body_html = EXCLUDED.body_html, body_text = EXCLUDED.body_text, delay_seconds = EXCLUDED.delay_seconds,
                   variants = EXCLUDED.variants
            """;

    private static final String DELETE_STEPS_AFTER = """
            DELETE FROM subsequence_steps WHERE workspace_id = :workspaceId AND subsequence_id = :subsequenceId AND step_order > :last
            """;

    private static final String ROUTES = """
            SELECT r.intent, r.subsequence_id FROM subsequence_routes r
             WHERE r.workspace_id = :workspaceId AND r.campaign_id = :campaignId ORDER BY r.intent
            """;

    /** The subsequence an intent routes to, if it is live (not deleted, not paused). */
    private static final String ROUTE = """
            SELECT s.id FROM subsequence_routes r
              JOIN campaign_subsequences s ON s.workspace_id = r.workspace_id AND s.id = r.subsequence_id
             WHERE r.workspace_id = :workspaceId AND r.campaign_id = :campaignId AND r.intent = :intent
               AND s.deleted_at IS NULL AND s.status = 'active'
            """;

    private static final String SET_ROUTE = """
            INSERT INTO subsequence_routes (workspace_id, campaign_id, intent, subsequence_id) VALUES (:workspaceId, :campaignId, :intent, :subsequenceId)
            ON CONFLICT (workspace_id, campaign_id, intent) DO UPDATE SET subsequence_id = EXCLUDED.subsequence_id
            """;

    private static final String SET_ROUTE_IF_FREE = """
            INSERT INTO subsequence_routes (workspace_id, campaign_id, intent, subsequence_id) VALUES (:workspaceId, :campaignId, :intent, :subsequenceId)
            ON CONFLICT (workspace_id, campaign_id, intent) DO NOTHING
            """;

    private static final String REMOVE_ROUTE = """
            DELETE FROM subsequence_routes WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND intent = :intent
            """;

    private static final String REMOVE_ROUTES_OF = """
            DELETE FROM subsequence_routes WHERE workspace_id = :workspaceId AND subsequence_id = :subsequenceId
            """;

    private static final String COUNTS = """
            SELECT count(*), count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'completed'),
                   count(*) FILTER (WHERE status = 'stopped'), count(*) FILTER (WHERE status = 'moved')
              FROM subsequence_members WHERE workspace_id = :workspaceId AND subsequence_id = :subsequenceId
            """;

    private static final String STEP_STATS = """
            SELECT step_order, sent, failed, bounced, skipped, unknown FROM subsequence_stats
             WHERE workspace_id = :workspaceId AND subsequence_id = :subsequenceId ORDER BY step_order
            """;

    private static final String STOP_MEMBERS = """
            UPDATE subsequence_members SET status = 'stopped', stop_reason = :reason, updated_at = :now
             WHERE workspace_id = :workspaceId AND subsequence_id = :subsequenceId AND status = 'active'
            """;

    // ---- enrolment ----

    /**
     * The campaign's contact change counter (contact/V11__contact_progress.sql), locked first (before
     * the subsequence and the contact row): every writer of contact progress (the engine's group commit, reply handling)
     * takes the counter first and the contact rows after it, and enrolment must too, or the two
     * orders could deadlock.
     */
    private static final String LOCK_COUNTER = """
            SELECT value FROM contact_change_counters WHERE workspace_id = :workspaceId AND campaign_id = :campaignId FOR UPDATE
            """;

    /** The contact's row, locked: one enrolment decision per contact at a time. */
    private static final String LOCK_CONTACT = """
            SELECT status, current_step FROM campaign_contacts
             WHERE workspace_id = :workspaceId AND id = :contactId AND campaign_id = :campaignId FOR UPDATE
            """;

    /** The mailbox of the contact's thread: the one that sent its first email. */
    private static final String THREAD_MAILBOX = """
            SELECT mailbox_id FROM sends
             WHERE workspace_id = :workspaceId AND contact_id = :contactId AND campaign_id = :campaignId AND status = 'sent'
               AND mailbox_id IS NOT NULL
             ORDER BY sent_at LIMIT 1
            """;

    private static final String MEMBER = """
            SELECT status FROM subsequence_members WHERE workspace_id = :workspaceId AND subsequence_id = :subsequenceId AND contact_id = :contactId
            """;

    private static final String ACTIVE_MEMBERSHIP = """
            SELECT subsequence_id, campaign_id, current_step FROM subsequence_members
             WHERE workspace_id = :workspaceId AND contact_id = :contactId AND status = 'active'
            """;

    private static final String END_ACTIVE = """
            UPDATE subsequence_members SET status = :status, stop_reason = :reason, updated_at = :now
             WHERE workspace_id = :workspaceId AND contact_id = :contactId AND status = 'active'
            RETURNING subsequence_id
            """;

    private static final String INSERT_MEMBER = """
            INSERT INTO subsequence_members (workspace_id, subsequence_id, contact_id, campaign_id, mailbox_id, status, reason,
                                             current_step, entered_at, updated_at)
            VALUES (:workspaceId, :subsequenceId, :contactId, :campaignId, :mailboxId, 'active', :reason, 0, :now, :now)
            """;

    private static final String PLAN_SEND = """
            INSERT INTO sends (workspace_id, id, campaign_id, contact_id, step_id, step_order, mailbox_id, subsequence_id, status,
                               scheduled_at, created_at, updated_at)
            VALUES (:workspaceId, :id, :campaignId, :contactId, :stepId, :order, :mailboxId, :subsequenceId, 'planned', :at, :now, :now)
            ON CONFLICT (workspace_id, contact_id, step_id) DO NOTHING
            """;

    /**
     * The contacts a "no reply after step N" subsequence takes now: sent step N of the main
     * sequence at least the wait ago, no reply, not ended by a bounce, an unsubscribe or a stop,
     * never in this subsequence and in no other one now.
     */
    private static final String NO_REPLY_DUE = """
            SELECT s.contact_id FROM sends s
              JOIN campaign_contacts c ON c.workspace_id = s.workspace_id AND c.id = s.contact_id
             WHERE s.workspace_id = :workspaceId AND s.campaign_id = :campaignId AND s.subsequence_id IS NULL
               AND s.step_order = :step AND s.status = 'sent' AND s.sent_at <= :sentBefore
               AND c.reply_intent IS NULL AND c.status IN ('in_progress', 'completed')
               AND (CAST(:contactIds AS text[]) IS NULL OR s.contact_id = ANY (CAST(:contactIds AS text[])))
               AND NOT EXISTS (SELECT 1 FROM subsequence_members m WHERE m.workspace_id = s.workspace_id AND m.contact_id = s.contact_id
                                 AND (m.subsequence_id = :subsequenceId OR m.status = 'active'))
             ORDER BY s.contact_id
             LIMIT :limit
            """;

    /** Contacts of the campaign whose reply intent is one the subsequence accepts (sync), with that intent. */
    private static final String INTENT_MATCHES = """
            SELECT c.id, c.reply_intent FROM campaign_contacts c
             WHERE c.workspace_id = :workspaceId AND c.campaign_id = :campaignId AND c.reply_intent = ANY (CAST(:intents AS text[]))
               AND (CAST(:contactIds AS text[]) IS NULL OR c.id = ANY (CAST(:contactIds AS text[])))
               AND NOT EXISTS (SELECT 1 FROM subsequence_members m WHERE m.workspace_id = c.workspace_id AND m.contact_id = c.id
                                 AND m.subsequence_id = :subsequenceId)
             ORDER BY c.id
             LIMIT :limit
            """;

    /** Live "no reply after step" subsequences of campaigns that still send. */
    private static final String NO_REPLY_SUBSEQUENCES = """
            SELECT s.workspace_id, s.id, s.campaign_id, s.name, s.reply_intents, s.no_reply_after_step, s.no_reply_wait_seconds,
                   s.status, s.deleted_at IS NOT NULL AS deleted, s.created_at, s.updated_at
              FROM campaign_subsequences s JOIN campaigns c ON c.workspace_id = s.workspace_id AND c.id = s.campaign_id
             WHERE s.deleted_at IS NULL AND s.status = 'active' AND s.no_reply_after_step IS NOT NULL
               AND c.deleted_at IS NULL AND c.status IN ('active', 'completed')
             ORDER BY s.workspace_id, s.id
            """;

    private final JdbcClient jdbc;
    private final ObjectMapper json;

    SubsequenceStore(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(SubsequenceRow s, Instant now) {
        jdbc.sql(INSERT).param("workspaceId", s.workspaceId()).param("id", s.id()).param("campaignId", s.campaignId())
                .param("name", s.name()).param("intents", s.replyIntents().toArray(String[]::new))
                .param("afterStep", s.noReplyAfterStep()).param("wait", s.noReplyWaitSeconds()).param("status", s.status())
                .param("now", ts(now)).update();
    }

    Optional<SubsequenceRow> find(long workspaceId, String id) {
        return jdbc.sql(FIND).param("workspaceId", workspaceId).param("id", id).query(this::map).optional();
    }

    Optional<SubsequenceRow> lock(long workspaceId, String id) {
        return jdbc.sql(LOCK).param("workspaceId", workspaceId).param("id", id).query(this::map).optional();
    }

    List<SubsequenceRow> ofCampaign(long workspaceId, String campaignId) {
        return jdbc.sql(OF_CAMPAIGN).param("workspaceId", workspaceId).param("campaignId", campaignId).query(this::map).list();
    }

    long countOfCampaign(long workspaceId, String campaignId) {
        return jdbc.sql(COUNT_OF_CAMPAIGN).param("workspaceId", workspaceId).param("campaignId", campaignId).query(Long.class).single();
    }

    void update(SubsequenceRow s, Instant now) {
        jdbc.sql(UPDATE).param("workspaceId", s.workspaceId()).param("id", s.id()).param("name", s.name())
                .param("intents", s.replyIntents().toArray(String[]::new)).param("afterStep", s.noReplyAfterStep())
                .param("wait", s.noReplyWaitSeconds()).param("status", s.status()).param("now", ts(now)).update();
    }

    boolean delete(long workspaceId, String id, Instant now) {
        return jdbc.sql(DELETE).param("workspaceId", workspaceId).param("id", id).param("now", ts(now)).update() == 1;
    }

    List<StepRow> steps(long workspaceId, String subsequenceId) {
        return jdbc.sql(STEPS).param("workspaceId", workspaceId).param("subsequenceId", subsequenceId).query((rs, n) -> new StepRow(
                rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getLong(6),
                json.readValue(rs.getString(7), new TypeReference<List<VariantJson>>() {}))).list();
    }

    void saveSteps(long workspaceId, String subsequenceId, List<StepRow> steps) {
        for (StepRow s : steps) {
            jdbc.sql(UPSERT_STEP).param("workspaceId", workspaceId).param("id", s.id()).param("subsequenceId", subsequenceId)
                    .param("order", s.order()).param("subject", s.subject()).param("bodyHtml", s.bodyHtml())
                    .param("bodyText", s.bodyText()).param("delay", s.delaySeconds())
                    .param("variants", json.writeValueAsString(s.variants())).update();
        }
        jdbc.sql(DELETE_STEPS_AFTER).param("workspaceId", workspaceId).param("subsequenceId", subsequenceId)
                .param("last", steps.size()).update();
    }

    Map<String, String> routes(long workspaceId, String campaignId) {
        var out = new LinkedHashMap<String, String>();
        jdbc.sql(ROUTES).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .query((rs, n) -> out.put(rs.getString(1), rs.getString(2))).list();
        return out;
    }

    Optional<String> route(long workspaceId, String campaignId, String intent) {
        return jdbc.sql(ROUTE).param("workspaceId", workspaceId).param("campaignId", campaignId).param("intent", intent)
                .query(String.class).optional();
    }

    void setRoute(long workspaceId, String campaignId, String intent, String subsequenceId, boolean onlyIfFree) {
        jdbc.sql(onlyIfFree ? SET_ROUTE_IF_FREE : SET_ROUTE).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .param("intent", intent).param("subsequenceId", subsequenceId).update();
    }

    void removeRoute(long workspaceId, String campaignId, String intent) {
        jdbc.sql(REMOVE_ROUTE).param("workspaceId", workspaceId).param("campaignId", campaignId).param("intent", intent).update();
    }

    void removeRoutesOf(long workspaceId, String subsequenceId) {
        jdbc.sql(REMOVE_ROUTES_OF).param("workspaceId", workspaceId).param("subsequenceId", subsequenceId).update();
    }

    Counts counts(long workspaceId, String subsequenceId) {
        return jdbc.sql(COUNTS).param("workspaceId", workspaceId).param("subsequenceId", subsequenceId)
                .query((rs, n) -> new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5))).single();
    }

    List<StepStats> stepStats(long workspaceId, String subsequenceId) {
        return jdbc.sql(STEP_STATS).param("workspaceId", workspaceId).param("subsequenceId", subsequenceId)
                .query((rs, n) -> new StepStats(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)))
                .list();
    }

    int stopMembers(long workspaceId, String subsequenceId, String reason, Instant now) {
        return jdbc.sql(STOP_MEMBERS).param("workspaceId", workspaceId).param("subsequenceId", subsequenceId).param("reason", reason)
                .param("now", ts(now)).update();
    }

    record LockedContact(String status, int currentStep) {}

    void lockCounter(long workspaceId, String campaignId) {
        jdbc.sql(LOCK_COUNTER).param("workspaceId", workspaceId).param("campaignId", campaignId).query(Long.class).optional();
    }

    Optional<LockedContact> lockContact(long workspaceId, String campaignId, String contactId) {
        return jdbc.sql(LOCK_CONTACT).param("workspaceId", workspaceId).param("campaignId", campaignId).param("contactId", contactId)
                .query((rs, n) -> new LockedContact(rs.getString(1), rs.getInt(2))).optional();
    }

    Optional<String> threadMailbox(long workspaceId, String campaignId, String contactId) {
        return jdbc.sql(THREAD_MAILBOX).param("workspaceId", workspaceId).param("campaignId", campaignId).param("contactId", contactId)
                .query(String.class).optional();
    }

    Optional<String> memberStatus(long workspaceId, String subsequenceId, String contactId) {
        return jdbc.sql(MEMBER).param("workspaceId", workspaceId).param("subsequenceId", subsequenceId).param("contactId", contactId)
                .query(String.class).optional();
    }

    record ActiveMembership(String subsequenceId, String campaignId, int currentStep) {}

    Optional<ActiveMembership> activeMembership(long workspaceId, String contactId) {
        return jdbc.sql(ACTIVE_MEMBERSHIP).param("workspaceId", workspaceId).param("contactId", contactId)
                .query((rs, n) -> new ActiveMembership(rs.getString(1), rs.getString(2), rs.getInt(3))).optional();
    }

    Optional<String> endActive(long workspaceId, String contactId, String status, String reason, Instant now) {
        return jdbc.sql(END_ACTIVE).param("workspaceId", workspaceId).param("contactId", contactId).param("status", status)
                .param("reason", reason).param("now", ts(now)).query(String.class).optional();
    }

    void insertMember(long workspaceId, String subsequenceId, String contactId, String campaignId, String mailboxId, String reason,
            Instant now) {
        jdbc.sql(INSERT_MEMBER).param("workspaceId", workspaceId).param("subsequenceId", subsequenceId).param("contactId", contactId)
                .param("campaignId", campaignId).param("mailboxId", mailboxId).param("reason", reason).param("now", ts(now)).update();
    }

    void planSend(long workspaceId, String sendId, String campaignId, String contactId, StepRow step, String mailboxId,
            String subsequenceId, Instant at, Instant now) {
        jdbc.sql(PLAN_SEND).param("workspaceId", workspaceId).param("id", sendId).param("campaignId", campaignId)
                .param("contactId", contactId).param("stepId", step.id()).param("order", step.order()).param("mailboxId", mailboxId)
                .param("subsequenceId", subsequenceId).param("at", ts(at)).param("now", ts(now)).update();
    }

    List<String> noReplyDue(long workspaceId, String campaignId, String subsequenceId, int step, Instant sentBefore,
            List<String> contactIds, int limit) {
        return jdbc.sql(NO_REPLY_DUE).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .param("subsequenceId", subsequenceId).param("step", step).param("sentBefore", ts(sentBefore))
                .param("contactIds", contactIds == null ? null : contactIds.toArray(String[]::new)).param("limit", limit)
                .query(String.class).list();
    }

    /** Contact id → its reply intent, in id order. */
    Map<String, String> intentMatches(long workspaceId, String campaignId, String subsequenceId, List<String> intents,
            List<String> contactIds, int limit) {
        var out = new LinkedHashMap<String, String>();
        jdbc.sql(INTENT_MATCHES).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .param("subsequenceId", subsequenceId).param("intents", intents.toArray(String[]::new))
                .param("contactIds", contactIds == null ? null : contactIds.toArray(String[]::new)).param("limit", limit)
                .query((rs, n) -> out.put(rs.getString(1), rs.getString(2))).list();
        return out;
    }

    List<SubsequenceRow> noReplySubsequences() {
        return jdbc.sql(NO_REPLY_SUBSEQUENCES).query(this::map).list();
    }

    private SubsequenceRow map(ResultSet rs, int n) throws SQLException {
        Array intents = rs.getArray("reply_intents");
        int after = rs.getInt("no_reply_after_step");
        Integer afterStep = rs.wasNull() ? null : after;
        return new SubsequenceRow(rs.getLong("workspace_id"), rs.getString("id"), rs.getString("campaign_id"), rs.getString("name"),
                intents == null ? List.of() : new ArrayList<>(Arrays.asList((String[]) intents.getArray())), afterStep,
                rs.getLong("no_reply_wait_seconds"), rs.getString("status"), rs.getBoolean("deleted"),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
