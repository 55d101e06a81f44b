package dev.outreach2day.campaign;

import dev.outreach2day.campaign.CampaignSettings.Schedule;
import dev.outreach2day.campaign.CampaignSettings.StopRules;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.ObjectMapper;

@Repository
class CampaignRepository {

    record CampaignRow(long workspaceId, String id, String name, String priority, String status, String statusBeforeArchive,
            Schedule schedule, StopRules stopRules, boolean textOnly, Instant launchedAt, Instant completedAt,
            Instant createdAt, Instant updatedAt, boolean trackOpens, boolean trackClicks, String trackingDomain) {}

    record StepRow(String id, String campaignId, int order, String subject, String bodyHtml, String bodyText, long delaySeconds,
            List<VariantRow> variants, Instant createdAt, Instant updatedAt) {}

    record VariantRow(String id, String stepId, int position, String subject, String bodyHtml, String bodyText, BigDecimal weight) {}

    record AttachedRow(String mailboxId, Integer dailyLimit, BigDecimal weight, boolean paused, Instant createdAt) {}

    record JobRow(String id, String campaignId, String status, Integer requestedLimit, int enrolled, int skippedSuppressed,
            int skippedDuplicate, int skippedInvalid, String error, Instant createdAt, Instant finishedAt) {}

    private static final String CAMPAIGN_COLUMNS = """
            workspace_id, id, name, priority, status, status_before_archive, schedule::text AS schedule,
            stop_rules::text AS stop_rules, text_only, launched_at, completed_at, created_at, updated_at,
            track_opens, track_clicks, tracking_domain
            """;

    private static final String INSERT_CAMPAIGN = """
            INSERT INTO campaigns (workspace_id, id, name, priority, status, schedule, stop_rules)
            VALUES (:workspaceId, :id, :name, :priority, 'draft', :schedule::jsonb, :stopRules::jsonb)
            """;

    private static final String FIND_CAMPAIGN = "SELECT " + CAMPAIGN_COLUMNS + """
             FROM campaigns WHERE workspace_id = :workspaceId AND id = :id AND deleted_at IS NULL
            """;

    private static final String LOCK_CAMPAIGN = "SELECT " + CAMPAIGN_COLUMNS + """
             FROM campaigns WHERE workspace_id = :workspaceId AND id = :id AND deleted_at IS NULL FOR UPDATE
            """;

    /** Keyset page, newest first; :status null = all but deleted. */
    private static final String PAGE_CAMPAIGNS = "SELECT " + CAMPAIGN_COLUMNS + """
             FROM campaigns
            WHERE workspace_id = :workspaceId AND deleted_at IS NULL
              AND (CAST(:status AS text) IS NULL OR status = :status)
              AND (CAST(:before AS text) IS NULL OR id < :before)
            ORDER BY id DESC LIMIT :limit
            """;

    private static final String UPDATE_CAMPAIGN = """
            UPDATE campaigns SET name = :name, priority = :priority, text_only = :textOnly, track_opens = :trackOpens,
                   track_clicks = :trackClicks, tracking_domain = :trackingDomain, updated_at = now()
             WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String SET_STATUS = """
            UPDATE campaigns SET status = :status, status_before_archive = :beforeArchive, updated_at = now(),
                   launched_at = CASE WHEN :status = 'active' AND launched_at IS NULL THEN now() ELSE launched_at END,
                   completed_at = CASE WHEN :status = 'completed' THEN now() ELSE completed_at END
             WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String SET_SCHEDULE = """
            UPDATE campaigns SET schedule = :schedule::jsonb, updated_at = now() WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String SET_STOP_RULES = """
            UPDATE campaigns SET stop_rules = :rules::jsonb, updated_at = now() WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String SOFT_DELETE = """
            UPDATE campaigns SET deleted_at = now(), updated_at = now() WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String STEPS = """
            SELECT id, campaign_id, step_order, subject, body_html, body_text, delay_seconds, created_at, updated_at
              FROM campaign_steps WHERE workspace_id = :workspaceId AND campaign_id = :campaignId ORDER BY step_order
            """;

    private static final String VARIANTS = """
            SELECT v.id, v.step_id, v.position, v.subject, v.body_html, v.body_text, v.weight
              FROM campaign_variants v JOIN campaign_steps s ON s.workspace_id = v.workspace_id AND s.id = v.step_id
             WHERE v.workspace_id = :workspaceId AND s.campaign_id = :campaignId ORDER BY v.step_id, v.position
            """;

    /** Opens a gap at :order (shifts that step and the ones after it up by one); checked at commit. */
    private static final String SHIFT_UP = """
            UPDATE campaign_steps SET step_order = step_order + 1, updated_at = now()
             WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND step_order >= :order
            """;

    private static final String SHIFT_DOWN = """
            UPDATE campaign_steps SET step_order = step_order - 1, updated_at = now()
             WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND step_order > :order
            """;

    private static final String INSERT_STEP = """
            INSERT INTO campaign_steps (workspace_id, id, campaign_id, step_order, subject, body_html, body_text, delay_seconds)
            VALUES (:workspaceId, :id, :campaignId, :order, :subject, :bodyHtml, :bodyText, :delaySeconds)
            """;

    private static final String UPDATE_STEP = """
            UPDATE campaign_steps SET step_order = :order, subject = :subject, body_html = :bodyHtml, body_text = :bodyText,
                   delay_seconds = :delaySeconds, updated_at = now()
             WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String DELETE_STEP = "DELETE FROM campaign_steps WHERE workspace_id = :workspaceId AND id = :id";

    private static final String DELETE_VARIANTS = "DELETE FROM campaign_variants WHERE workspace_id = :workspaceId AND step_id = :stepId";

    private static final String INSERT_VARIANT = """
            INSERT INTO campaign_variants (workspace_id, id, step_id, position, subject, body_html, body_text, weight)
            VALUES (:workspaceId, :id, :stepId, :position, :subject, :bodyHtml, :bodyText, :weight)
            """;

    private static final String ATTACHED = """
            SELECT mailbox_id, daily_limit, weight, paused, created_at FROM campaign_mailboxes
             WHERE workspace_id = :workspaceId AND campaign_id = :campaignId ORDER BY created_at, mailbox_id
            """;

    private static final String ATTACH = """
            INSERT INTO campaign_mailboxes (workspace_id, campaign_id, mailbox_id, daily_limit, weight)
            VALUES (:workspaceId, :campaignId, :mailboxId, :dailyLimit, :weight)
            ON CONFLICT (workspace_id, campaign_id, mailbox_id) DO UPDATE
               SET daily_limit = COALESCE(EXCLUDED.daily_limit, campaign_mailboxes.daily_limit),
                   weight = CASE WHEN :weightGiven THEN EXCLUDED.weight ELSE campaign_mailboxes.weight END
            """;

    private static final String UPDATE_POLICY = """
            UPDATE campaign_mailboxes
               SET daily_limit = CASE WHEN :setLimit THEN :dailyLimit ELSE daily_limit END,
                   weight = COALESCE(:weight, weight), paused = COALESCE(:paused, paused)
             WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND mailbox_id = :mailboxId
            """;

    private static final String DETACH = """
            DELETE FROM campaign_mailboxes WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND mailbox_id = :mailboxId
            """;

    /** Mailboxes of :ids attached to an active or paused campaign. */
    private static final String MAILBOXES_IN_USE = """
            SELECT DISTINCT cm.mailbox_id || ' (campaign ' || c.id || ')'
              FROM campaign_mailboxes cm JOIN campaigns c ON c.workspace_id = cm.workspace_id AND c.id = cm.campaign_id
             WHERE cm.workspace_id = :workspaceId AND cm.mailbox_id = ANY(:ids) AND c.status IN ('active', 'paused')
               AND c.deleted_at IS NULL
            """;

    private static final String SENT_TODAY = """
            SELECT count(*) FROM sends WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND mailbox_id = :mailboxId
               AND status IN ('sent', 'in_flight', 'unknown') AND sent_at >= :dayStart
            """;

    private static final String INSERT_JOB = """
            INSERT INTO launch_jobs (workspace_id, id, campaign_id, status, requested_limit) VALUES (:workspaceId, :id, :campaignId, 'running', :limit)
            """;

    private static final String FINISH_JOB = """
            UPDATE launch_jobs SET status = :status, enrolled = :enrolled, skipped_suppressed = :suppressed,
                   skipped_duplicate = :duplicate, skipped_invalid = :invalid, error = :error, finished_at = now()
             WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String FIND_JOB = """
            SELECT id, campaign_id, status, requested_limit, enrolled, skipped_suppressed, skipped_duplicate, skipped_invalid,
                   error, created_at, finished_at
              FROM launch_jobs WHERE workspace_id = :workspaceId AND campaign_id = :campaignId AND id = :id
            """;

    /** First sends of a batch of contacts in one statement (ids and contact ids as parallel arrays). */
    private static final String INSERT_FIRST_SENDS = """
            INSERT INTO sends (workspace_id, id, campaign_id, contact_id, step_id, step_order, status, scheduled_at)
            SELECT :workspaceId, t.id, :campaignId, t.contact_id, :stepId, :stepOrder, 'planned', :scheduledAt
              FROM unnest(CAST(:ids AS text[]), CAST(:contactIds AS text[])) AS t(id, contact_id)
            ON CONFLICT (workspace_id, contact_id, step_id) DO NOTHING
            """;

    private static final String SKIP_PLANNED_OF_STEP = """
            UPDATE sends SET status = 'skipped', reason = :reason, updated_at = now()
             WHERE workspace_id = :workspaceId AND step_id = :stepId AND status = 'planned'
            """;

    /** Active campaigns with nothing planned or in flight and no contact still waiting or in progress. */
    private static final String FINISHED_ACTIVE = """
            SELECT c.workspace_id, c.id FROM campaigns c
             WHERE c.status = 'active' AND c.deleted_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM sends s WHERE s.workspace_id = c.workspace_id AND s.campaign_id = c.id
                                 AND s.status IN ('planned', 'in_flight'))
               AND NOT EXISTS (SELECT 1 FROM campaign_contacts k WHERE k.workspace_id = c.workspace_id AND k.campaign_id = c.id
                                 AND k.status IN ('not_started', 'in_progress'))
             LIMIT 100
            """;

    /**
     * A duplicate's mailboxes: the source's attachments with their per-campaign policy (daily
     * limit, weight, paused), leaving out mailboxes deleted since they were attached. Attached
     * "now", a microsecond apart, so the copy lists them in the source's order.
     */
    private static final String COPY_MAILBOXES = """
            INSERT INTO campaign_mailboxes (workspace_id, campaign_id, mailbox_id, daily_limit, weight, paused, created_at)
            SELECT cm.workspace_id, :toCampaignId, cm.mailbox_id, cm.daily_limit, cm.weight, cm.paused,
                   now() + row_number() OVER (ORDER BY cm.created_at, cm.mailbox_id) * interval '1 microsecond'
              FROM campaign_mailboxes cm
              JOIN mailboxes m ON m.workspace_id = cm.workspace_id AND m.id = cm.mailbox_id
             WHERE cm.workspace_id = :workspaceId AND cm.campaign_id = :fromCampaignId AND m.status <> 'deleted'
             ORDER BY cm.created_at, cm.mailbox_id
            """;

    private final JdbcClient jdbc;
    private final ObjectMapper json;

    CampaignRepository(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(long workspaceId, String id, String name, String priority, Schedule schedule, StopRules rules) {
        jdbc.sql(INSERT_CAMPAIGN).param("workspaceId", workspaceId).param("id", id).param("name", name)
                .param("priority", priority).param("schedule", json.writeValueAsString(schedule))
                .param("stopRules", json.writeValueAsString(rules)).update();
    }

    Optional<CampaignRow> find(long workspaceId, String id) {
        return jdbc.sql(FIND_CAMPAIGN).param("workspaceId", workspaceId).param("id", id).query(this::mapCampaign).optional();
    }

    Optional<CampaignRow> lock(long workspaceId, String id) {
        return jdbc.sql(LOCK_CAMPAIGN).param("workspaceId", workspaceId).param("id", id).query(this::mapCampaign).optional();
    }

    List<CampaignRow> page(long workspaceId, String status, String beforeId, int limit) {
        return jdbc.sql(PAGE_CAMPAIGNS).param("workspaceId", workspaceId).param("status", status).param("before", beforeId)
                .param("limit", limit).query(this::mapCampaign).list();
    }

    void update(long workspaceId, String id, String name, String priority, boolean textOnly, boolean trackOpens,
            boolean trackClicks, String trackingDomain) {
        jdbc.sql(UPDATE_CAMPAIGN).param("workspaceId", workspaceId).param("id", id).param("name", name)
                .param("priority", priority).param("textOnly", textOnly).param("trackOpens", trackOpens)
                .param("trackClicks", trackClicks).param("trackingDomain", trackingDomain).update();
    }

    void setStatus(long workspaceId, String id, String status, String beforeArchive) {
        jdbc.sql(SET_STATUS).param("workspaceId", workspaceId).param("id", id).param("status", status)
                .param("beforeArchive", beforeArchive).update();
    }

    void setSchedule(long workspaceId, String id, Schedule schedule) {
        jdbc.sql(SET_SCHEDULE).param("workspaceId", workspaceId).param("id", id).param("schedule", json.writeValueAsString(schedule)).update();
    }

    void setStopRules(long workspaceId, String id, StopRules rules) {
        jdbc.sql(SET_STOP_RULES).param("workspaceId", workspaceId).param("id", id).param("rules", json.writeValueAsString(rules)).update();
    }

    void softDelete(long workspaceId, String id) {
        jdbc.sql(SOFT_DELETE).param("workspaceId", workspaceId).param("id", id).update();
    }

    List<StepRow> steps(long workspaceId, String campaignId) {
        List<VariantRow> variants = jdbc.sql(VARIANTS).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .query((rs, n) -> new VariantRow(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getBigDecimal(7)))
                .list();
        return jdbc.sql(STEPS).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .query((rs, n) -> {
                    String id = rs.getString(1);
                    return new StepRow(id, rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5), rs.getString(6),
                            rs.getLong(7), variants.stream().filter(v -> v.stepId().equals(id)).toList(), instant(rs, "created_at"),
                            instant(rs, "updated_at"));
                })
                .list();
    }

    void shiftUp(long workspaceId, String campaignId, int order) {
        jdbc.sql(SHIFT_UP).param("workspaceId", workspaceId).param("campaignId", campaignId).param("order", order).update();
    }

    void shiftDown(long workspaceId, String campaignId, int order) {
        jdbc.sql(SHIFT_DOWN).param("workspaceId", workspaceId).param("campaignId", campaignId).param("order", order).update();
    }

    void insertStep(long workspaceId, String campaignId, String id, int order, String subject, String bodyHtml, String bodyText,
            long delaySeconds) {
        jdbc.sql(INSERT_STEP).param("workspaceId", workspaceId).param("id", id).param("campaignId", campaignId)
                .param("order", order).param("subject", subject).param("bodyHtml", bodyHtml).param("bodyText", bodyText)
                .param("delaySeconds", delaySeconds).update();
    }

    void updateStep(long workspaceId, String id, int order, String subject, String bodyHtml, String bodyText, long delaySeconds) {
        jdbc.sql(UPDATE_STEP).param("workspaceId", workspaceId).param("id", id).param("order", order).param("subject", subject)
                .param("bodyHtml", bodyHtml).param("bodyText", bodyText).param("delaySeconds", delaySeconds).update();
    }

    void deleteStep(long workspaceId, String id) {
        jdbc.sql(DELETE_STEP).param("workspaceId", workspaceId).param("id", id).update();
    }

    void replaceVariants(long workspaceId, String stepId, List<VariantRow> variants) {
        jdbc.sql(DELETE_VARIANTS).param("workspaceId", workspaceId).param("stepId", stepId).update();
        for (VariantRow v : variants) {
            jdbc.sql(INSERT_VARIANT).param("workspaceId", workspaceId).param("id", v.id()).param("stepId", stepId)
                    .param("position", v.position()).param("subject", v.subject()).param("bodyHtml", v.bodyHtml())
                    .param("bodyText", v.bodyText()).param("weight", v.weight()).update();
        }
    }

    int copyMailboxes(long workspaceId, String fromCampaignId, String toCampaignId) {
        return jdbc.sql(COPY_MAILBOXES).param("workspaceId", workspaceId).param("fromCampaignId", fromCampaignId)
                .param("toCampaignId", toCampaignId).update();
    }

    List<AttachedRow> attached(long workspaceId, String campaignId) {
        return jdbc.sql(ATTACHED).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .query((rs, n) -> new AttachedRow(rs.getString(1), (Integer) rs.getObject(2), rs.getBigDecimal(3), rs.getBoolean(4),
                        instant(rs, "created_at")))
                .list();
    }

    void attach(long workspaceId, String campaignId, String mailboxId, Integer dailyLimit, BigDecimal weight) {
        jdbc.sql(ATTACH).param("workspaceId", workspaceId).param("campaignId", campaignId).param("mailboxId", mailboxId)
                .param("dailyLimit", dailyLimit).param("weight", weight == null ? BigDecimal.ONE : weight)
                .param("weightGiven", weight != null).update();
    }

    int updatePolicy(long workspaceId, String campaignId, String mailboxId, boolean setLimit, Integer dailyLimit, BigDecimal weight,
            Boolean paused) {
        return jdbc.sql(UPDATE_POLICY).param("workspaceId", workspaceId).param("campaignId", campaignId).param("mailboxId", mailboxId)
                .param("setLimit", setLimit).param("dailyLimit", dailyLimit).param("weight", weight).param("paused", paused).update();
    }

    int detach(long workspaceId, String campaignId, String mailboxId) {
        return jdbc.sql(DETACH).param("workspaceId", workspaceId).param("campaignId", campaignId).param("mailboxId", mailboxId).update();
    }

    List<String> mailboxesInUse(long workspaceId, List<String> ids) {
        return jdbc.sql(MAILBOXES_IN_USE).param("workspaceId", workspaceId).param("ids", ids.toArray(String[]::new))
                .query(String.class).list();
    }

    long sentToday(long workspaceId, String campaignId, String mailboxId, Instant dayStart) {
        return jdbc.sql(SENT_TODAY).param("workspaceId", workspaceId).param("campaignId", campaignId).param("mailboxId", mailboxId)
                .param("dayStart", Timestamp.from(dayStart)).query(Long.class).single();
    }

    void insertJob(long workspaceId, String id, String campaignId, Integer limit) {
        jdbc.sql(INSERT_JOB).param("workspaceId", workspaceId).param("id", id).param("campaignId", campaignId).param("limit", limit).update();
    }

    void finishJob(long workspaceId, String id, String status, int enrolled, int suppressed, int duplicate, int invalid, String error) {
        jdbc.sql(FINISH_JOB).param("workspaceId", workspaceId).param("id", id).param("status", status).param("enrolled", enrolled)
                .param("suppressed", suppressed).param("duplicate", duplicate).param("invalid", invalid).param("error", error).update();
    }

    Optional<JobRow> findJob(long workspaceId, String campaignId, String id) {
        return jdbc.sql(FIND_JOB).param("workspaceId", workspaceId).param("campaignId", campaignId).param("id", id)
                .query((rs, n) -> new JobRow(rs.getString(1), rs.getString(2), rs.getString(3), (Integer) rs.getObject(4), rs.getInt(5),
                        rs.getInt(6), rs.getInt(7), rs.getInt(8), rs.getString(9), instant(rs, "created_at"), instant(rs, "finished_at")))
                .optional();
    }

    /** Plans the first send of each contact (ids.get(i) for contactIds.get(i)); returns how many were new. */
    int insertFirstSends(long workspaceId, List<String> ids, String campaignId, List<String> contactIds, String stepId, int stepOrder,
            Instant scheduledAt) {
        if (ids.size() != contactIds.size()) throw new IllegalArgumentException("one id per contact");
        if (ids.isEmpty()) return 0;
        return jdbc.sql(INSERT_FIRST_SENDS).param("workspaceId", workspaceId).param("ids", ids.toArray(String[]::new))
                .param("campaignId", campaignId).param("contactIds", contactIds.toArray(String[]::new)).param("stepId", stepId)
                .param("stepOrder", stepOrder).param("scheduledAt", Timestamp.from(scheduledAt)).update();
    }

    List<String[]> finishedActive() {
        return jdbc.sql(FINISHED_ACTIVE).query((rs, n) -> new String[] {Long.toString(rs.getLong(1)), rs.getString(2)}).list();
    }

    int skipPlannedOfStep(long workspaceId, String stepId, String reason) {
        return jdbc.sql(SKIP_PLANNED_OF_STEP).param("workspaceId", workspaceId).param("stepId", stepId).param("reason", reason).update();
    }

    private CampaignRow mapCampaign(ResultSet rs, int n) throws SQLException {
        return new CampaignRow(rs.getLong("workspace_id"), rs.getString("id"), rs.getString("name"), rs.getString("priority"),
                rs.getString("status"), rs.getString("status_before_archive"),
                json.readValue(rs.getString("schedule"), Schedule.class), json.readValue(rs.getString("stop_rules"), StopRules.class),
                rs.getBoolean("text_only"), instant(rs, "launched_at"), instant(rs, "completed_at"), instant(rs, "created_at"),
                instant(rs, "updated_at"), rs.getBoolean("track_opens"), rs.getBoolean("track_clicks"), rs.getString("tracking_domain"));
    }

    static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }
}
