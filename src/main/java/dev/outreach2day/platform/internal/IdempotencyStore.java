package dev.outreach2day.platform.internal;

import java.time.Duration;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code idempotency_keys} table: one row per (workspace, key), kept for 24 h. */
@Repository
class IdempotencyStore {

    /**
     * Claims the key for this request. Succeeds when the key is new, when its stored response has
     * expired, or when a 'running' claim was abandoned (its process died) longer ago than the
     * lease. RETURNING tells the caller whether it now owns the row.
     */
    private static final String CLAIM = """
            INSERT INTO idempotency_keys (workspace_id, idem_key, request_hash, state, created_at, expires_at)
            VALUES (:workspaceId, :key, :hash, 'running', now(), now() + make_interval(hours => :hours))
            ON CONFLICT (workspace_id, idem_key) DO UPDATE
               SET request_hash = EXCLUDED.request_hash, state = 'running', response_status = NULL,
                   response_content_type = NULL, response_body = NULL,
                   created_at = now(), expires_at = EXCLUDED.expires_at
             WHERE idempotency_keys.expires_at < now()
                OR (idempotency_keys.state = 'running' AND idempotency_keys.created_at < now() - make_interval(secs => :leaseSeconds))
            RETURNING idem_key
            """;

    private static final String FIND = """
            SELECT request_hash, state, response_status, response_content_type, response_body
              FROM idempotency_keys
             WHERE workspace_id = :workspaceId AND idem_key = :key
            """;

    private static final String COMPLETE = """
            UPDATE idempotency_keys
               SET state = 'done', response_status = :status, response_content_type = :contentType, response_body = :body
             WHERE workspace_id = :workspaceId AND idem_key = :key AND state = 'running'
            """;

    private static final String RELEASE = """
            DELETE FROM idempotency_keys WHERE workspace_id = :workspaceId AND idem_key = :key AND state = 'running'
            """;

    private static final String PURGE_EXPIRED = "DELETE FROM idempotency_keys WHERE expires_at < now()";

    private final JdbcClient jdbc;

    IdempotencyStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Stored(byte[] requestHash, String state, Integer status, String contentType, byte[] body) {}

    boolean claim(long workspaceId, String key, byte[] hash, int hours, Duration lease) {
        return jdbc.sql(CLAIM)
                .param("workspaceId", workspaceId).param("key", key).param("hash", hash)
                .param("hours", hours).param("leaseSeconds", (double) lease.toSeconds())
                .query(String.class).optional().isPresent();
    }

    Optional<Stored> find(long workspaceId, String key) {
        return jdbc.sql(FIND).param("workspaceId", workspaceId).param("key", key)
                .query((rs, n) -> new Stored(rs.getBytes(1), rs.getString(2), (Integer) rs.getObject(3),
                        rs.getString(4), rs.getBytes(5)))
                .optional();
    }

    void complete(long workspaceId, String key, int status, String contentType, byte[] body) {
        jdbc.sql(COMPLETE).param("workspaceId", workspaceId).param("key", key).param("status", status)
                .param("contentType", contentType).param("body", body).update();
    }

    void release(long workspaceId, String key) {
        jdbc.sql(RELEASE).param("workspaceId", workspaceId).param("key", key).update();
    }

    int purgeExpired() {
        return jdbc.sql(PURGE_EXPIRED).update();
    }
}
