package dev.outreach2day.delivery;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.outreach2day.campaign.Campaigns;
import dev.outreach2day.contact.Contacts;
import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.Cursors;
import dev.outreach2day.platform.Paging;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What a campaign did: stats from counters kept as sends happen, and the sends themselves. */
@Tag(name = "Campaigns")
@RestController
class ResultsController {

    static final Set<String> SEND_STATUSES = Set.of("planned", "in_flight", "sent", "failed", "bounced", "skipped", "unknown");

    private static final String TOTALS = """
            SELECT COALESCE(sum(sent),0) sent, COALESCE(sum(failed),0) failed, COALESCE(sum(bounced),0) bounced,
                   COALESCE(sum(skipped),0) skipped, COALESCE(sum(unknown),0) unknown, COALESCE(sum(opened),0) opened,
                   COALESCE(sum(clicked),0) clicked, COALESCE(sum(replied),0) replied, COALESCE(sum(interested),0) interested,
                   COALESCE(sum(unsubscribed),0) unsubscribed
              FROM campaign_stats WHERE workspace_id = :workspaceId AND campaign_id = :campaignId
            """;

    /** The same sums per step, variant, mailbox or day: :dimension is one of a fixed list, never input. */
    private static final String BY = """
            SELECT %s AS k, sum(sent) sent, sum(failed) failed, sum(bounced) bounced, sum(skipped) skipped, sum(unknown) unknown,
                   sum(opened) opened, sum(clicked) clicked, sum(replied) replied, sum(interested) interested,
                   sum(unsubscribed) unsubscribed
              FROM campaign_stats WHERE workspace_id = :workspaceId AND campaign_id = :campaignId %s
             GROUP BY 1 ORDER BY 1
            """;

    private static final String SENDS = """
            SELECT s.id, s.status, s.reason, s.scheduled_at, s.sent_at, s.message_id, s.step_id, s.step_order, s.variant_id, s.subsequence_id,
                   s.attempts, s.mailbox_id, m.address AS mailbox, c.id AS contact_id, c.email, c.first_name, c.last_name
              FROM sends s
              JOIN campaign_contacts c ON c.workspace_id = s.workspace_id AND c.id = s.contact_id
              LEFT JOIN mailboxes m ON m.workspace_id = s.workspace_id AND m.id = s.mailbox_id
             WHERE s.workspace_id = :workspaceId AND s.campaign_id = :campaignId
               AND (CAST(:status AS text) IS NULL OR s.status = :status)
               AND (CAST(:after AS text) IS NULL OR s.id > :after)
             ORDER BY s.id LIMIT :limit
            """;

    record Counts(long sent, long failed, long bounced, long skipped, long unknown, long opened, long clicked, long replied,
            long interested, long unsubscribed) {}

    record Rates(double bounceRate, double replyRate, double unsubscribeRate, double openRate, double clickRate) {}

    /** [doc] */
    record CampaignStatsSendsOut(long sent, long failed, long bounced, long skipped, long unknown, long opened, long clicked,
            long replied, long interested, long unsubscribed, Rates rates) {}

    /** [doc] */
    record CampaignStatsCampaignOut(String id, String name, String status, Map<String, Long> contacts) {}

    record Breakdown(String key, Counts counts) {}

    /** [doc] */
    record CampaignStatsOut(CampaignStatsCampaignOut campaign, CampaignStatsSendsOut sends, List<Breakdown> steps,
            List<Breakdown> variants, List<Breakdown> mailboxes, List<Breakdown> daily) {}

    /** [doc] */
    record CampaignSendContactOut(String id, String email, String firstName, String lastName) {}

    /** [doc] */
    /** subsequenceId: the subsequence the step belongs to (null: the main sequence); order is within it. */
    record CampaignSendStepOut(String id, int order, String variantId, String subsequenceId) {}

    /** [doc] */
    record CampaignSendOut(String id, CampaignSendContactOut contact, CampaignSendStepOut step, String mailbox, String mailboxId,
            @JsonProperty("message_id") String messageId, String status, String reason, int attempts, Instant scheduledAt,
            Instant sentAt) {}

    /** [doc] */
    record CampaignSendsPageOut(List<CampaignSendOut> sends, String next_cursor) {}

    private final Campaigns campaigns;
    private final Contacts contacts;
    private final Cursors cursors;
    private final JdbcClient jdbc;

    ResultsController(Campaigns campaigns, Contacts contacts, Cursors cursors, JdbcClient jdbc) {
        this.campaigns = campaigns;
        this.contacts = contacts;
        this.cursors = cursors;
        this.jdbc = jdbc;
    }

    @Operation(summary = "Public Get Campaign Stats",
            description = "Totals and rates, by step, variant, mailbox and day, from counters updated as sends happen.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/stats")
    CampaignStatsOut stats(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("campaign_id") String id) {
        long ws = caller.workspace(workspaceId);
        return statsOf(ws, campaigns.forSending(ws, id).orElseThrow(() -> new ApiException.NotFound("Campaign " + id)));
    }

    /** The stats of a campaign the caller may see (also behind the public share page). */
    CampaignStatsOut statsOf(long ws, Campaigns.SendingCampaign c) {
        String id = c.id();
        Counts t = jdbc.sql(TOTALS).param("workspaceId", ws).param("campaignId", id).query((rs, n) -> counts(rs)).single();
        long delivered = Math.max(1, t.sent());
        var rates = new Rates(round(t.bounced() / (double) Math.max(1, t.sent() + t.bounced())), round(t.replied() / (double) delivered),
                round(t.unsubscribed() / (double) delivered), round(t.opened() / (double) delivered), round(t.clicked() / (double) delivered));
        var contactCounts = contacts.countsByStatus(ws, id);
        return new CampaignStatsOut(new CampaignStatsCampaignOut(c.id(), c.name(), c.status(), contactCounts),
                new CampaignStatsSendsOut(t.sent(), t.failed(), t.bounced(), t.skipped(), t.unknown(), t.opened(), t.clicked(),
                        t.replied(), t.interested(), t.unsubscribed(), rates),
                by(ws, id, "step_order::text", "AND step_order > 0"), by(ws, id, "variant_id", "AND variant_id <> ''"),
                by(ws, id, "mailbox_id", "AND mailbox_id <> ''"), by(ws, id, "day::text", ""));
    }

    @Operation(summary = "Public List Campaign Sends", description = "Every planned and past send, oldest first; status filter, cursor.")
    @RequiredScope(Scope.READ)
    @GetMapping("/campaigns/{campaign_id}/sends")
    CampaignSendsPageOut sends(Caller caller, @RequestParam(required = false) Long workspaceId, @PathVariable("campaign_id") String id,
            @RequestParam(required = false) String status, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        long ws = caller.workspace(workspaceId);
        campaigns.forSending(ws, id).orElseThrow(() -> new ApiException.NotFound("Campaign " + id));
        if (status != null && !SEND_STATUSES.contains(status)) {
            throw ApiException.Invalid.query("status", "status must be one of " + SEND_STATUSES.stream().sorted().toList(), "enum");
        }
        int n = Paging.limit(limit);
        var after = cursors.decode("sends:" + id, ws, cursor);
        var rows = jdbc.sql(SENDS).param("workspaceId", ws).param("campaignId", id).param("status", status)
                .param("after", after == null ? null : after.getFirst()).param("limit", n + 1)
                .query((rs, i) -> new CampaignSendOut(rs.getString("id"),
                        new CampaignSendContactOut(rs.getString("contact_id"), rs.getString("email"), rs.getString("first_name"),
                                rs.getString("last_name")),
                        new CampaignSendStepOut(rs.getString("step_id"), rs.getInt("step_order"), rs.getString("variant_id"),
                                rs.getString("subsequence_id")),
                        rs.getString("mailbox"), rs.getString("mailbox_id"), rs.getString("message_id"), rs.getString("status"),
                        rs.getString("reason"), rs.getInt("attempts"), instant(rs, "scheduled_at"), instant(rs, "sent_at")))
                .list();
        String next = rows.size() > n ? cursors.encode("sends:" + id, ws, rows.get(n - 1).id()) : null;
        return new CampaignSendsPageOut(rows.stream().limit(n).toList(), next);
    }

    private List<Breakdown> by(long ws, String id, String dimension, String filter) {
        return jdbc.sql(BY.formatted(dimension, filter)).param("workspaceId", ws).param("campaignId", id)
                .query((rs, n) -> new Breakdown(rs.getString("k"), counts(rs))).list();
    }

    private static Counts counts(ResultSet rs) throws SQLException {
        return new Counts(rs.getLong("sent"), rs.getLong("failed"), rs.getLong("bounced"), rs.getLong("skipped"),
                rs.getLong("unknown"), rs.getLong("opened"), rs.getLong("clicked"), rs.getLong("replied"), rs.getLong("interested"),
                rs.getLong("unsubscribed"));
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    private static Instant instant(ResultSet rs, String col) throws SQLException {
        var t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }
}
