package dev.outreach2day.delivery;

import dev.outreach2day.unibox.CampaignSends;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The Unibox's lookup of the campaign send a message answers. Our Message-IDs are
 * {@code <snd_….random@sending-domain>}, so the send id is read from the id itself and the send
 * is then found by primary key and must carry exactly that Message-ID (no extra index on the
 * sends table, which every send updates).
 */
@Component
class SentEmails implements CampaignSends {

    private static final Pattern OURS = Pattern.compile("<(snd_[0-9a-z]{26})\\.[0-9a-f]+@[^<>\\s]+>");

    private static final String FIND = """
            SELECT s.id, s.campaign_id, s.contact_id, c.email, s.mailbox_id, s.step_order, s.variant_id, s.message_id, s.subject
              FROM sends s JOIN campaign_contacts c ON c.workspace_id = s.workspace_id AND c.id = s.contact_id
             WHERE s.workspace_id = :workspaceId AND s.id = ANY(:ids) AND s.message_id = ANY(:messageIds)
               AND s.status IN ('sent', 'unknown', 'bounced', 'in_flight')
             ORDER BY s.step_order DESC LIMIT 1
            """;

    private final JdbcClient jdbc;

    SentEmails(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<SentEmail> find(long workspaceId, List<String> messageIds) {
        var ids = new ArrayList<String>();
        var ours = new ArrayList<String>();
        for (String m : messageIds) {
            var matcher = m == null ? null : OURS.matcher(m.strip());
            if (matcher != null && matcher.matches()) {
                ids.add(matcher.group(1));
                ours.add(m.strip());
            }
        }
        if (ids.isEmpty()) return Optional.empty();
        return jdbc.sql(FIND).param("workspaceId", workspaceId).param("ids", ids.toArray(String[]::new))
                .param("messageIds", ours.toArray(String[]::new))
                .query((rs, n) -> new SentEmail(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getInt(6), rs.getString(7), rs.getString(8), rs.getString(9)))
                .optional();
    }
}
