package dev.outreach2day.delivery;

import dev.outreach2day.delivery.SendQueue.SendRow;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Planned step-1 sends claimed by a node, written straight to the queue, as the engine holds them before reserving. */
final class ClaimedSends {

    private final JdbcClient jdbc;
    private final long ws;
    private final String campaignId;
    private final String prefix;
    private int seq;

    /** Sends of {@code campaignId}; their ids start with {@code prefix} (and so does their step's). */
    ClaimedSends(JdbcClient jdbc, long ws, String campaignId, String prefix) {
        this.jdbc = jdbc;
        this.ws = ws;
        this.campaignId = campaignId;
        this.prefix = prefix;
    }

    /** A new send planned at {@code at}, claimed by {@code node} for an hour from then. */
    SendRow claimed(String node, Instant at) {
        String id = "snd_" + prefix + "_" + ws + "_" + (++seq);
        String step = "stp_" + prefix;
        jdbc.sql("""
                INSERT INTO sends (workspace_id, id, campaign_id, contact_id, step_id, step_order, status, scheduled_at, locked_by, locked_until)
                VALUES (:ws, :id, :c, :contact, :step, 1, 'planned', :at, :node, :lease)""")
                .param("ws", ws).param("id", id).param("c", campaignId).param("contact", "cnt_" + id).param("step", step)
                .param("at", Timestamp.from(at)).param("node", node).param("lease", Timestamp.from(at.plus(Duration.ofHours(1)))).update();
        return new SendRow(ws, id, campaignId, "cnt_" + id, step, 1, null, null, "planned", at, 0, null, null, node, null);
    }
}
