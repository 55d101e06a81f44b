package dev.outreach2day.suppression;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code suppressions} table. */
@Repository
class SuppressionStore {

    record Entry(String id, String kind, String value, String campaignId, String reason, String source, Instant createdAt,
            Instant updatedAt) {}

    private static final String COLUMNS = "id, kind, value, campaign_id, reason, source, created_at, updated_at";

    /** Inserts or updates one entry; RETURNING whether it was new. */
    private static final String UPSERT = """
            INSERT INTO suppressions AS s (workspace_id, id, kind, value, campaign_id, reason, source, created_at, updated_at)
            VALUES (:workspaceId, :id, :kind, :value, :campaignId, :reason, :source, :now, :now)
            ON CONFLICT (workspace_id, kind, value, campaign_id) DO UPDATE
               SET reason = COALESCE(EXCLUDED.reason, s.reason), updated_at = EXCLUDED.updated_at
            RETURNING (xmax = 0) AS created
            """;

    /** The entries that match any of the addresses (by address or by domain), for this campaign or every campaign. */
    private static final String MATCHING = "SELECT " + COLUMNS + """
              FROM suppressions
             WHERE workspace_id = :workspaceId AND campaign_id IN ('', :campaignId)
               AND ((kind = 'email' AND value = ANY(:emails)) OR (kind = 'domain' AND value = ANY(:domains)))
            """;

    private static final String PAGE = "SELECT " + COLUMNS + """
              FROM suppressions
             WHERE workspace_id = :workspaceId AND (CAST(:before AS text) IS NULL OR id < :before)
               AND (CAST(:q AS text) IS NULL OR value LIKE '%' || :q || '%' ESCAPE '\\')
             ORDER BY id DESC LIMIT :limit
            """;

    private static final String DELETE = "DELETE FROM suppressions WHERE workspace_id = :workspaceId AND id = :id RETURNING " + COLUMNS;

    private final JdbcClient jdbc;

    SuppressionStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    boolean upsert(long ws, String id, String kind, String value, String campaignId, String reason, String source, Instant now) {
        return Boolean.TRUE.equals(jdbc.sql(UPSERT).param("workspaceId", ws).param("id", id).param("kind", kind).param("value", value)
                .param("campaignId", campaignId == null ? "" : campaignId).param("reason", reason).param("source", source)
                .param("now", Timestamp.from(now)).query(Boolean.class).single());
    }

    List<Entry> matching(long ws, String campaignId, Collection<String> emails, Collection<String> domains) {
        return jdbc.sql(MATCHING).param("workspaceId", ws).param("campaignId", campaignId == null ? "" : campaignId)
                .param("emails", emails.toArray(String[]::new)).param("domains", domains.toArray(String[]::new))
                .query(SuppressionStore::map).list();
    }

    List<Entry> page(long ws, String before, String q, int limit) {
        String like = q == null ? null : q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return jdbc.sql(PAGE).param("workspaceId", ws).param("before", before).param("q", like).param("limit", limit)
                .query(SuppressionStore::map).list();
    }

    Optional<Entry> delete(long ws, String id) {
        return jdbc.sql(DELETE).param("workspaceId", ws).param("id", id).query(SuppressionStore::map).optional();
    }

    private static Entry map(ResultSet rs, int n) throws SQLException {
        String campaign = rs.getString("campaign_id");
        return new Entry(rs.getString("id"), rs.getString("kind"), rs.getString("value"), campaign.isEmpty() ? null : campaign,
                rs.getString("reason"), rs.getString("source"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }
}
