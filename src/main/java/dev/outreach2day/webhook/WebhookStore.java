package dev.outreach2day.webhook;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Subscriptions, events and deliveries as the API reads and changes them. */
@Repository
class WebhookStore {

    record Subscription(long workspaceId, String id, String url, List<String> eventTypes, List<String> campaignIds, String description,
            String secret, String oldSecret, Instant oldSecretUntil, String status, String disabledReason, Instant failingSince,
            Instant createdAt, Instant updatedAt) {}

    record Event(String id, String type, String campaignId, String payload, Instant createdAt) {}

    record Delivery(String id, String subscriptionId, String eventId, String eventType, String status, int attempts, Instant nextAttemptAt,
            Integer lastStatus, String lastError, String lastResponse, Instant createdAt, Instant firstAttemptAt, Instant deliveredAt) {}

    private static final String SUB_COLUMNS = """
            workspace_id, id, url, event_types, campaign_ids, description, secret, old_secret, old_secret_until, status, disabled_reason,
            failing_since, created_at, updated_at
            """;

    private final JdbcClient jdbc;

    WebhookStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(long ws, String id, String url, List<String> types, List<String> campaigns, String description, String sealedSecret,
            Instant now) {
        jdbc.sql("""
                INSERT INTO webhook_subscriptions (workspace_id, id, url, event_types, campaign_ids, description, secret, status, created_at,
                                                   updated_at)
                VALUES (:ws, :id, :url, CAST(:types AS text[]), CAST(:campaigns AS text[]), :description, :secret, 'active', :now, :now)
                """).param("ws", ws).param("id", id).param("url", url).param("types", types.toArray(String[]::new))
                .param("campaigns", campaigns.toArray(String[]::new)).param("description", description).param("secret", sealedSecret)
                .param("now", Timestamp.from(now)).update();
    }

    Optional<Subscription> find(long ws, String id) {
        return jdbc.sql("SELECT " + SUB_COLUMNS + " FROM webhook_subscriptions WHERE workspace_id = :ws AND id = :id").param("ws", ws)
                .param("id", id).query(WebhookStore::sub).optional();
    }

    List<Subscription> list(long ws) {
        return jdbc.sql("SELECT " + SUB_COLUMNS + " FROM webhook_subscriptions WHERE workspace_id = :ws ORDER BY id").param("ws", ws)
                .query(WebhookStore::sub).list();
    }

    void update(long ws, String id, String url, List<String> types, List<String> campaigns, String description, Instant now) {
        jdbc.sql("""
                UPDATE webhook_subscriptions SET url = :url, event_types = CAST(:types AS text[]), campaign_ids = CAST(:campaigns AS text[]),
                       description = :description, updated_at = :now
                 WHERE workspace_id = :ws AND id = :id
                """).param("ws", ws).param("id", id).param("url", url).param("types", types.toArray(String[]::new))
                .param("campaigns", campaigns.toArray(String[]::new)).param("description", description)
                .param("now", Timestamp.from(now)).update();
    }

    boolean delete(long ws, String id) {
        jdbc.sql("DELETE FROM webhook_deliveries WHERE workspace_id = :ws AND subscription_id = :id").param("ws", ws).param("id", id).update();
        return jdbc.sql("DELETE FROM webhook_subscriptions WHERE workspace_id = :ws AND id = :id").param("ws", ws).param("id", id)
                .update() == 1;
    }

    void setStatus(long ws, String id, String status, String reason, Instant now) {
        jdbc.sql("""
                UPDATE webhook_subscriptions SET status = :status, disabled_reason = :reason,
                       failing_since = CASE WHEN :status = 'active' THEN NULL ELSE failing_since END, updated_at = :now
                 WHERE workspace_id = :ws AND id = :id
                """).param("ws", ws).param("id", id).param("status", status).param("reason", reason).param("now", Timestamp.from(now))
                .update();
    }

    void rotate(long ws, String id, String sealedNew, String sealedOld, Instant oldUntil, Instant now) {
        jdbc.sql("""
                UPDATE webhook_subscriptions SET secret = :secret, old_secret = :old, old_secret_until = :until, updated_at = :now
                 WHERE workspace_id = :ws AND id = :id
                """).param("ws", ws).param("id", id).param("secret", sealedNew).param("old", sealedOld).param("until", Timestamp.from(oldUntil))
                .param("now", Timestamp.from(now)).update();
    }

    List<Event> events(long ws, String before, String type, int limit) {
        return jdbc.sql("""
                SELECT id, type, campaign_id, payload::text AS payload, created_at FROM webhook_events
                 WHERE workspace_id = :ws AND (CAST(:before AS text) IS NULL OR id < :before) AND (CAST(:type AS text) IS NULL OR type = :type)
                 ORDER BY id DESC LIMIT :limit
                """).param("ws", ws).param("before", before).param("type", type).param("limit", limit).query(WebhookStore::event).list();
    }

    Optional<Event> event(long ws, String id) {
        return jdbc.sql("SELECT id, type, campaign_id, payload::text AS payload, created_at FROM webhook_events WHERE workspace_id = :ws AND id = :id")
                .param("ws", ws).param("id", id).query(WebhookStore::event).optional();
    }

    /**
     * A subscription's deliveries, newest event first, after the delivery {@code before} (a
     * delivery id is {@code dlv_<event ulid>_<subscription id>}, so this is the event order).
     */
    List<Delivery> deliveries(long ws, String subscriptionId, String before, String status, int limit) {
        return jdbc.sql("""
                SELECT d.id, d.subscription_id, d.event_id, e.type, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error,
                       d.last_response, d.created_at, d.first_attempt_at, d.delivered_at
                  FROM webhook_deliveries d JOIN webhook_events e ON e.workspace_id = d.workspace_id AND e.id = d.event_id
                 WHERE d.workspace_id = :ws AND d.subscription_id = :sub
                   AND (CAST(:before AS text) IS NULL OR d.event_id < 'evt_' || split_part(substr(CAST(:before AS text), 5), '_', 1))
                   AND (CAST(:status AS text) IS NULL OR d.status = :status)
                 ORDER BY d.event_id DESC LIMIT :limit
                """).param("ws", ws).param("sub", subscriptionId).param("before", before).param("status", status).param("limit", limit)
                .query(WebhookStore::delivery).list();
    }

    private static Subscription sub(ResultSet rs, int n) throws SQLException {
        return new Subscription(rs.getLong("workspace_id"), rs.getString("id"), rs.getString("url"), strings(rs.getArray("event_types")),
                strings(rs.getArray("campaign_ids")), rs.getString("description"), rs.getString("secret"), rs.getString("old_secret"),
                instant(rs, "old_secret_until"), rs.getString("status"), rs.getString("disabled_reason"), instant(rs, "failing_since"),
                instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    private static Event event(ResultSet rs, int n) throws SQLException {
        return new Event(rs.getString("id"), rs.getString("type"), rs.getString("campaign_id"), rs.getString("payload"),
                instant(rs, "created_at"));
    }

    static Delivery delivery(ResultSet rs, int n) throws SQLException {
        int st = rs.getInt("last_status");
        Integer last = rs.wasNull() ? null : st;
        return new Delivery(rs.getString("id"), rs.getString("subscription_id"), rs.getString("event_id"), rs.getString("type"),
                rs.getString("status"), rs.getInt("attempts"), instant(rs, "next_attempt_at"), last, rs.getString("last_error"),
                rs.getString("last_response"), instant(rs, "created_at"), instant(rs, "first_attempt_at"), instant(rs, "delivered_at"));
    }

    static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }

    static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : List.of((String[]) a.getArray());
    }
}
