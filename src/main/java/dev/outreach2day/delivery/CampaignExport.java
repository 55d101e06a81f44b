package dev.outreach2day.delivery;

import dev.outreach2day.campaign.Campaigns;
import dev.outreach2day.delivery.ResultsController.Breakdown;
import dev.outreach2day.delivery.ResultsController.Counts;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * A campaign's results as CSV: one row per contact (who, where in the sequence, what their sends
 * did) or one row per step (the stats counters). Contacts are read in keyset pages, so a large
 * campaign is streamed, never held in memory at once.
 */
@Component
class CampaignExport {

    static final int PAGE = 1000;

    private static final List<String> CONTACT_HEADER = List.of("id", "email", "firstName", "lastName", "company", "title", "phone",
            "timezone", "status", "currentStep", "lastSentAt", "replyIntent", "sent", "opened", "clicked", "replied");

    private static final List<String> STEP_HEADER = List.of("step", "subject", "sent", "failed", "bounced", "skipped", "unknown",
            "opened", "clicked", "replied", "interested", "unsubscribed");

    /** The campaign's custom-field names (one per name ignoring case), for the header. */
    private static final String CUSTOM_KEYS = """
            SELECT min(k) FROM campaign_contacts c, jsonb_object_keys(c.custom_fields) AS k
             WHERE c.workspace_id = :workspaceId AND c.campaign_id = :campaignId
             GROUP BY lower(k) ORDER BY lower(k)
            """;

    /**
     * A keyset page of contacts with what their sends did: sent (accepted by SMTP), opened and
     * clicked (counted tracking hits set opened_at/clicked_at) from the sends (index sends_contact),
     * replies from the contact's reply outcome.
     */
    private static final String CONTACTS = """
            SELECT c.id, c.email, c.first_name, c.last_name, c.company, c.title, c.phone, c.timezone, c.status, c.current_step,
                   c.last_sent_at, c.reply_intent, c.custom_fields::text AS custom_fields,
                   COALESCE(s.sent, 0) AS sent, COALESCE(s.opened, 0) AS opened, COALESCE(s.clicked, 0) AS clicked,
                   COALESCE(o.replies, 0) AS replied
              FROM campaign_contacts c
              LEFT JOIN LATERAL (
                    SELECT count(*) FILTER (WHERE x.status = 'sent') AS sent, count(x.opened_at) AS opened,
                           count(x.clicked_at) AS clicked
                      FROM sends x
                     WHERE x.workspace_id = c.workspace_id AND x.contact_id = c.id AND x.campaign_id = c.campaign_id) s ON true
              LEFT JOIN campaign_contact_outcomes o
                     ON o.workspace_id = c.workspace_id AND o.campaign_id = c.campaign_id AND o.contact_id = c.id
             WHERE c.workspace_id = :workspaceId AND c.campaign_id = :campaignId AND c.id > :after
             ORDER BY c.id
             LIMIT :limit
            """;

    private static final TypeReference<TreeMap<String, String>> FIELDS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final ObjectMapper json;
    private final ResultsController results;

    CampaignExport(JdbcClient jdbc, ObjectMapper json, ResultsController results) {
        this.jdbc = jdbc;
        this.json = json;
        this.results = results;
    }

    /** Writes the contacts CSV (header, then one row per contact in id order); returns how many contacts. */
    long contacts(long workspaceId, String campaignId, Appendable out) {
        List<String> customKeys = jdbc.sql(CUSTOM_KEYS).param("workspaceId", workspaceId).param("campaignId", campaignId)
                .query(String.class).list();
        var header = new ArrayList<>(CONTACT_HEADER);
        header.addAll(customKeys);
        CsvCells.row(out, header);
        long n = 0;
        String after = "";
        while (true) {
            List<List<String>> rows = jdbc.sql(CONTACTS).param("workspaceId", workspaceId).param("campaignId", campaignId)
                    .param("after", after).param("limit", PAGE).query((rs, i) -> contactRow(rs, customKeys)).list();
            for (List<String> row : rows) CsvCells.row(out, row.subList(1, row.size()));
            n += rows.size();
            if (rows.size() < PAGE) return n;
            after = rows.getLast().getFirst();
        }
    }

    /** Writes the steps CSV: every step of the campaign in order with its counters (zero before anything was sent). */
    void steps(long workspaceId, Campaigns.SendingCampaign c, Appendable out) {
        CsvCells.row(out, STEP_HEADER);
        List<Breakdown> byStep = results.statsOf(workspaceId, c).steps();
        for (var step : c.steps()) {
            Counts k = byStep.stream().filter(b -> b.key().equals(String.valueOf(step.order()))).map(Breakdown::counts).findFirst()
                    .orElse(new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
            CsvCells.row(out, List.of(String.valueOf(step.order()), step.subject() == null ? "" : step.subject(),
                    String.valueOf(k.sent()), String.valueOf(k.failed()), String.valueOf(k.bounced()), String.valueOf(k.skipped()),
                    String.valueOf(k.unknown()), String.valueOf(k.opened()), String.valueOf(k.clicked()),
                    String.valueOf(k.replied()), String.valueOf(k.interested()), String.valueOf(k.unsubscribed())));
        }
    }

    /** The row's values, preceded by the contact id (the keyset position, left out of the CSV row). */
    private List<String> contactRow(ResultSet rs, List<String> customKeys) throws SQLException {
        var row = new ArrayList<String>(CONTACT_HEADER.size() + customKeys.size() + 1);
        row.add(rs.getString("id"));
        row.add(rs.getString("id"));
        for (String col : List.of("email", "first_name", "last_name", "company", "title", "phone", "timezone", "status")) {
            row.add(rs.getString(col));
        }
        row.add(String.valueOf(rs.getInt("current_step")));
        var lastSent = rs.getTimestamp("last_sent_at");
        row.add(lastSent == null ? "" : lastSent.toInstant().toString());
        row.add(rs.getString("reply_intent"));
        row.add(String.valueOf(rs.getLong("sent")));
        row.add(String.valueOf(rs.getLong("opened")));
        row.add(String.valueOf(rs.getLong("clicked")));
        row.add(String.valueOf(rs.getLong("replied")));
        Map<String, String> fields = json.readValue(rs.getString("custom_fields"), FIELDS);
        for (String key : customKeys) {
            String value = null;
            for (var e : fields.entrySet()) {
                if (e.getKey().equalsIgnoreCase(key)) value = e.getValue();
            }
            row.add(value);
        }
        return row;
    }
}
