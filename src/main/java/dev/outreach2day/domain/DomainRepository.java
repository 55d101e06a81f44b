package dev.outreach2day.domain;

import dev.outreach2day.platform.Ids;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class DomainRepository {

    record DomainRow(long workspaceId, String id, String name, String status, String source, String registrar,
            String dnsProvider, String dnsZoneId, List<String> nameservers, String redirectUrl, String dkimSelector,
            String dkimPrivateKey, String dkimPublicKey, String dmarcPolicy, String dnsStatusJson, Instant dnsCheckedAt,
            String lastError, String orderId, Instant expiresAt, Instant createdAt) {}

    record RecordRow(String id, String domainId, String type, String name, String value, int ttl, Integer priority,
            boolean managed, String purpose) {
        DnsProvider.RecordSpec spec() {
            return new DnsProvider.RecordSpec(type, name, value, ttl, priority);
        }
    }

    private static final String COLUMNS = """
            workspace_id, id, name, status, source, registrar, dns_provider, dns_zone_id, nameservers, redirect_url,
            dkim_selector, dkim_private_key, dkim_public_key, dmarc_policy, dns_status::text AS dns_status, dns_checked_at,
            last_error, order_id, expires_at, created_at
            """;

    private static final String INSERT = """
            INSERT INTO domains (workspace_id, id, name, status, source, registrar, dns_provider, dns_zone_id, nameservers,
                                 redirect_url, dkim_selector, dkim_private_key, dkim_public_key, order_id, expires_at)
            VALUES (:workspaceId, :id, :name, :status, :source, :registrar, :dnsProvider, :zoneId, :nameservers::text[],
                    :redirectUrl, :selector, :privateKey, :publicKey, :orderId, :expiresAt)
            """;

    private static final String LIST = "SELECT " + COLUMNS + """
             FROM domains WHERE workspace_id = :workspaceId AND status <> 'removed' ORDER BY name
            """;

    private static final String FIND_BY_NAME = "SELECT " + COLUMNS + """
             FROM domains WHERE workspace_id = :workspaceId AND name = :name AND status <> 'removed'
            """;

    /** Which of the names are held by a workspace other than :workspaceId. */
    private static final String HELD_ELSEWHERE = """
            SELECT name FROM domains WHERE name = ANY(:names) AND status <> 'removed' AND workspace_id <> :workspaceId
            """;

    private static final String HELD_HERE = """
            SELECT name FROM domains WHERE name = ANY(:names) AND status <> 'removed' AND workspace_id = :workspaceId
            """;

    /** The redirect of a host (the domain itself or www.), for the Host-header redirect filter. */
    private static final String REDIRECT_OF = """
            SELECT redirect_url FROM domains WHERE name = :name AND status IN ('active', 'pending')
            """;

    private static final String SET_REDIRECT = """
            UPDATE domains SET redirect_url = :redirectUrl, updated_at = now()
             WHERE workspace_id = :workspaceId AND name = ANY(:names) AND status <> 'removed'
            """;

    private static final String SET_STATUS = """
            UPDATE domains SET status = :status, updated_at = now() WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String SET_DNS_STATUS = """
            UPDATE domains SET dns_status = :json::jsonb, dns_checked_at = :checkedAt, last_error = :error, updated_at = now()
             WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String SET_DMARC = """
            UPDATE domains SET dmarc_policy = :policy, updated_at = now() WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String SET_SYNCED = """
            UPDATE domains SET dns_synced_at = now(), dns_zone_id = :zoneId, nameservers = :nameservers::text[], updated_at = now()
             WHERE workspace_id = :workspaceId AND id = :id
            """;

    /** Active and pending domains whose last check is older than :before, oldest first. */
    private static final String DUE_FOR_CHECK = "SELECT " + COLUMNS + """
             FROM domains
            WHERE status IN ('active', 'pending') AND (dns_checked_at IS NULL OR dns_checked_at < :before)
            ORDER BY dns_checked_at NULLS FIRST LIMIT :limit
            """;

    private static final String RECORDS = """
            SELECT id, domain_id, type, name, value, ttl, priority, managed, purpose
              FROM domain_dns_records WHERE workspace_id = :workspaceId AND domain_id = :domainId
             ORDER BY managed DESC, name, type, id
            """;

    private static final String INSERT_RECORD = """
            INSERT INTO domain_dns_records (workspace_id, id, domain_id, type, name, value, ttl, priority, managed, purpose)
            VALUES (:workspaceId, :id, :domainId, :type, :name, :value, :ttl, :priority, :managed, :purpose)
            """;

    private static final String UPDATE_RECORD = """
            UPDATE domain_dns_records SET type = :type, name = :name, value = :value, ttl = :ttl, priority = :priority,
                   updated_at = now()
             WHERE workspace_id = :workspaceId AND domain_id = :domainId AND id = :id AND managed = false
            """;

    private static final String DELETE_RECORD = """
            DELETE FROM domain_dns_records WHERE workspace_id = :workspaceId AND domain_id = :domainId AND id = :id AND managed = false
            """;

    private static final String DELETE_MANAGED = """
            DELETE FROM domain_dns_records WHERE workspace_id = :workspaceId AND domain_id = :domainId AND managed = true
            """;

    private final JdbcClient jdbc;

    DomainRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(DomainRow d) {
        jdbc.sql(INSERT).param("workspaceId", d.workspaceId()).param("id", d.id()).param("name", d.name())
                .param("status", d.status()).param("source", d.source()).param("registrar", d.registrar())
                .param("dnsProvider", d.dnsProvider()).param("zoneId", d.dnsZoneId())
                .param("nameservers", arrayLiteral(d.nameservers())).param("redirectUrl", d.redirectUrl())
                .param("selector", d.dkimSelector()).param("privateKey", d.dkimPrivateKey())
                .param("publicKey", d.dkimPublicKey()).param("orderId", d.orderId()).param("expiresAt", ts(d.expiresAt()))
                .update();
    }

    List<DomainRow> list(long workspaceId) {
        return jdbc.sql(LIST).param("workspaceId", workspaceId).query(DomainRepository::map).list();
    }

    Optional<DomainRow> findByName(long workspaceId, String name) {
        return jdbc.sql(FIND_BY_NAME).param("workspaceId", workspaceId).param("name", name).query(DomainRepository::map).optional();
    }

    List<String> heldElsewhere(long workspaceId, List<String> names) {
        return jdbc.sql(HELD_ELSEWHERE).param("workspaceId", workspaceId).param("names", names.toArray(String[]::new))
                .query(String.class).list();
    }

    List<String> heldHere(long workspaceId, List<String> names) {
        return jdbc.sql(HELD_HERE).param("workspaceId", workspaceId).param("names", names.toArray(String[]::new))
                .query(String.class).list();
    }

    Optional<String> redirectOf(String name) {
        return jdbc.sql(REDIRECT_OF).param("name", name).query((rs, n) -> Optional.ofNullable(rs.getString(1))).optional()
                .map(o -> o.orElse(""));
    }

    int setRedirect(long workspaceId, List<String> names, String redirectUrl) {
        return jdbc.sql(SET_REDIRECT).param("workspaceId", workspaceId).param("names", names.toArray(String[]::new))
                .param("redirectUrl", redirectUrl).update();
    }

    void setStatus(long workspaceId, String id, String status) {
        jdbc.sql(SET_STATUS).param("workspaceId", workspaceId).param("id", id).param("status", status).update();
    }

    void setDnsStatus(long workspaceId, String id, String json, Instant checkedAt, String error) {
        jdbc.sql(SET_DNS_STATUS).param("workspaceId", workspaceId).param("id", id).param("json", json)
                .param("checkedAt", ts(checkedAt)).param("error", error).update();
    }

    void setDmarcPolicy(long workspaceId, String id, String policy) {
        jdbc.sql(SET_DMARC).param("workspaceId", workspaceId).param("id", id).param("policy", policy).update();
    }

    void setSynced(long workspaceId, String id, String zoneId, List<String> nameservers) {
        jdbc.sql(SET_SYNCED).param("workspaceId", workspaceId).param("id", id).param("zoneId", zoneId)
                .param("nameservers", arrayLiteral(nameservers)).update();
    }

    List<DomainRow> dueForCheck(Instant before, int limit) {
        return jdbc.sql(DUE_FOR_CHECK).param("before", ts(before)).param("limit", limit).query(DomainRepository::map).list();
    }

    List<RecordRow> records(long workspaceId, String domainId) {
        return jdbc.sql(RECORDS).param("workspaceId", workspaceId).param("domainId", domainId)
                .query((rs, n) -> new RecordRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getInt(6), (Integer) rs.getObject(7), rs.getBoolean(8), rs.getString(9)))
                .list();
    }

    String insertRecord(long workspaceId, String domainId, DnsProvider.RecordSpec spec, boolean managed, String purpose) {
        String id = Ids.next("dns");
        jdbc.sql(INSERT_RECORD).param("workspaceId", workspaceId).param("id", id).param("domainId", domainId)
                .param("type", spec.type()).param("name", spec.name()).param("value", spec.value()).param("ttl", spec.ttl())
                .param("priority", spec.priority()).param("managed", managed).param("purpose", purpose).update();
        return id;
    }

    boolean updateRecord(long workspaceId, String domainId, String id, DnsProvider.RecordSpec spec) {
        return jdbc.sql(UPDATE_RECORD).param("workspaceId", workspaceId).param("domainId", domainId).param("id", id)
                .param("type", spec.type()).param("name", spec.name()).param("value", spec.value()).param("ttl", spec.ttl())
                .param("priority", spec.priority()).update() == 1;
    }

    boolean deleteRecord(long workspaceId, String domainId, String id) {
        return jdbc.sql(DELETE_RECORD).param("workspaceId", workspaceId).param("domainId", domainId).param("id", id).update() == 1;
    }

    void deleteManaged(long workspaceId, String domainId) {
        jdbc.sql(DELETE_MANAGED).param("workspaceId", workspaceId).param("domainId", domainId).update();
    }

    static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    static String arrayLiteral(List<String> values) {
        return "{" + String.join(",", values.stream().map(v -> "\"" + v.replace("\"", "") + "\"").toList()) + "}";
    }

    static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }

    private static DomainRow map(ResultSet rs, int n) throws SQLException {
        Array ns = rs.getArray("nameservers");
        return new DomainRow(rs.getLong("workspace_id"), rs.getString("id"), rs.getString("name"), rs.getString("status"),
                rs.getString("source"), rs.getString("registrar"), rs.getString("dns_provider"), rs.getString("dns_zone_id"),
                ns == null ? List.of() : List.of((String[]) ns.getArray()), rs.getString("redirect_url"),
                rs.getString("dkim_selector"), rs.getString("dkim_private_key"), rs.getString("dkim_public_key"),
                rs.getString("dmarc_policy"), rs.getString("dns_status"), instant(rs, "dns_checked_at"),
                rs.getString("last_error"), rs.getString("order_id"), instant(rs, "expires_at"), instant(rs, "created_at"));
    }

    static BigDecimal money(ResultSet rs, String col) throws SQLException {
        return rs.getBigDecimal(col);
    }
}
