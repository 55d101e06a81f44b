package dev.outreach2day.workspace;

import dev.outreach2day.platform.Scope;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class ApiKeyRepository {

    record ApiKeyRow(String id, long workspaceId, long accountId, String name, byte[] secretHash, String lookupPrefix,
            String last4, Set<Scope> scopes, Instant expiresAt, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {}

    private static final String COLUMNS = """
            id, workspace_id, account_id, name, secret_hash, lookup_prefix, last4, scopes,
            expires_at, created_at, last_used_at, revoked_at
            """;

    private static final String INSERT = """
            INSERT INTO api_keys (workspace_id, id, account_id, name, lookup_prefix, secret_hash, last4, scopes, expires_at, created_at)
            VALUES (:workspaceId, :id, :accountId, :name, :lookupPrefix, :secretHash, :last4, :scopes::text[], :expiresAt, :createdAt)
            """;

    /** The authentication lookup: unique index on lookup_prefix. */
    private static final String FIND_BY_PREFIX = "SELECT " + COLUMNS + " FROM api_keys WHERE lookup_prefix = :prefix";

    private static final String FIND_BY_ID = "SELECT " + COLUMNS + " FROM api_keys WHERE workspace_id = :workspaceId AND id = :id";

    /** Keys still usable: not revoked, not expired; newest first. */
    private static final String LIST_ACTIVE = "SELECT " + COLUMNS + """
             FROM api_keys
            WHERE workspace_id = :workspaceId AND revoked_at IS NULL AND expires_at > :now
            ORDER BY id DESC
            """;

    private static final String COUNT_ACTIVE = """
            SELECT count(*) FROM api_keys WHERE workspace_id = :workspaceId AND revoked_at IS NULL AND expires_at > :now
            """;

    private static final String REVOKE = """
            UPDATE api_keys SET revoked_at = :now WHERE workspace_id = :workspaceId AND id = :id AND revoked_at IS NULL
            """;

    private static final String TOUCH = "UPDATE api_keys SET last_used_at = :now WHERE workspace_id = :workspaceId AND id = :id";

    private final JdbcClient jdbc;

    ApiKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(ApiKeyRow row) {
        jdbc.sql(INSERT)
                .param("workspaceId", row.workspaceId()).param("id", row.id()).param("accountId", row.accountId())
                .param("name", row.name()).param("lookupPrefix", row.lookupPrefix()).param("secretHash", row.secretHash())
                .param("last4", row.last4()).param("scopes", toArrayLiteral(row.scopes()))
                .param("expiresAt", ts(row.expiresAt())).param("createdAt", ts(row.createdAt()))
                .update();
    }

    Optional<ApiKeyRow> findByLookupPrefix(String prefix) {
        return jdbc.sql(FIND_BY_PREFIX).param("prefix", prefix).query(ApiKeyRepository::map).optional();
    }

    Optional<ApiKeyRow> findById(long workspaceId, String id) {
        return jdbc.sql(FIND_BY_ID).param("workspaceId", workspaceId).param("id", id).query(ApiKeyRepository::map).optional();
    }

    List<ApiKeyRow> listActive(long workspaceId, Instant now) {
        return jdbc.sql(LIST_ACTIVE).param("workspaceId", workspaceId).param("now", ts(now)).query(ApiKeyRepository::map).list();
    }

    long countActive(long workspaceId, Instant now) {
        return jdbc.sql(COUNT_ACTIVE).param("workspaceId", workspaceId).param("now", ts(now)).query(Long.class).single();
    }

    boolean revoke(long workspaceId, String id, Instant now) {
        return jdbc.sql(REVOKE).param("workspaceId", workspaceId).param("id", id).param("now", ts(now)).update() == 1;
    }

    void touch(long workspaceId, String id, Instant now) {
        jdbc.sql(TOUCH).param("workspaceId", workspaceId).param("id", id).param("now", ts(now)).update();
    }

    static java.sql.Timestamp ts(Instant i) {
        return i == null ? null : java.sql.Timestamp.from(i);
    }

    private static String toArrayLiteral(Set<Scope> scopes) {
        return "{" + String.join(",", scopes.stream().sorted().map(Scope::wire).toList()) + "}";
    }

    private static ApiKeyRow map(ResultSet rs, int n) throws SQLException {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Array array = rs.getArray("scopes");
        for (String s : (String[]) array.getArray()) {
            Scope.parse(s).ifPresent(scopes::add);
        }
        return new ApiKeyRow(rs.getString("id"), rs.getLong("workspace_id"), rs.getLong("account_id"), rs.getString("name"),
                rs.getBytes("secret_hash"), rs.getString("lookup_prefix"), rs.getString("last4"), scopes,
                instant(rs, "expires_at"), instant(rs, "created_at"), instant(rs, "last_used_at"), instant(rs, "revoked_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        var ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }
}
