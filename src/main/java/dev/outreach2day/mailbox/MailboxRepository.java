package dev.outreach2day.mailbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class MailboxRepository {

    record Server(String host, int port, String security, String username, String password) {}

    record MailboxRow(long workspaceId, String id, String address, String domain, String provider, String firstName,
            String lastName, String status, String warmupStatus, int dailyLimit, String signature, String forwardTo,
            Server smtp, Server imap, String lastError, Instant lastCheckedAt, Instant createdAt) {}

    private static final String COLUMNS = """
            workspace_id, id, address, domain, provider, first_name, last_name, status, warmup_status, daily_limit,
            signature, forward_to, smtp_host, smtp_port, smtp_security, smtp_username, smtp_password,
            imap_host, imap_port, imap_security, imap_username, imap_password, last_error, last_checked_at, created_at
            """;

    private static final String INSERT = """
            INSERT INTO mailboxes (workspace_id, id, address, domain, provider, first_name, last_name, status, daily_limit,
                                   signature, smtp_host, smtp_port, smtp_security, smtp_username, smtp_password,
                                   imap_host, imap_port, imap_security, imap_username, imap_password, last_checked_at)
            VALUES (:workspaceId, :id, :address, :domain, :provider, :firstName, :lastName, 'active', :dailyLimit,
                    :signature, :smtpHost, :smtpPort, :smtpSecurity, :smtpUsername, :smtpPassword,
                    :imapHost, :imapPort, :imapSecurity, :imapUsername, :imapPassword, now())
            """;

    private static final String LIST = "SELECT " + COLUMNS + """
             FROM mailboxes WHERE workspace_id = :workspaceId AND status <> 'deleted' ORDER BY address
            """;

    private static final String BY_IDS = "SELECT " + COLUMNS + """
             FROM mailboxes WHERE workspace_id = :workspaceId AND id = ANY(:ids) AND status <> 'deleted'
            """;

    /** Live mailboxes of every workspace that have IMAP credentials (what the inbox sync reads). */
    private static final String SYNCABLE = """
            SELECT workspace_id, id, address FROM mailboxes
             WHERE status = 'active' AND imap_host IS NOT NULL AND imap_password IS NOT NULL
             ORDER BY workspace_id, id
            """;

    private static final String BY_ADDRESSES = "SELECT " + COLUMNS + """
             FROM mailboxes WHERE workspace_id = :workspaceId AND address = ANY(:addresses) AND status <> 'deleted'
            """;

    /** Addresses already used by a live mailbox in any workspace. */
    private static final String TAKEN = "SELECT address FROM mailboxes WHERE address = ANY(:addresses) AND status <> 'deleted'";

    private static final String COUNT_LIVE = "SELECT count(*) FROM mailboxes WHERE workspace_id = :workspaceId AND status <> 'deleted'";

    private static final String COUNT_ON_DOMAIN = """
            SELECT count(*) FROM mailboxes WHERE workspace_id = :workspaceId AND domain = :domain AND status <> 'deleted'
            """;

    private static final String UPDATE_PROFILE = """
            UPDATE mailboxes
               SET first_name = COALESCE(:firstName, first_name), last_name = COALESCE(:lastName, last_name),
                   signature = CASE WHEN :setSignature THEN :signature ELSE signature END,
                   forward_to = CASE WHEN :setForward THEN :forwardTo ELSE forward_to END,
                   daily_limit = COALESCE(:dailyLimit, daily_limit), updated_at = now()
             WHERE workspace_id = :workspaceId AND address = ANY(:addresses) AND status <> 'deleted'
            """;

    /** Soft delete: the row stays for history, the credentials go. */
    private static final String DELETE = """
            UPDATE mailboxes SET status = 'deleted', smtp_password = NULL, imap_password = NULL, deleted_at = now(), updated_at = now()
             WHERE workspace_id = :workspaceId AND id = ANY(:ids) AND status <> 'deleted'
            """;

    private static final String SET_HEALTH = """
            UPDATE mailboxes SET status = :status, last_error = :error, last_checked_at = now(), updated_at = now()
             WHERE workspace_id = :workspaceId AND id = :id AND status <> 'deleted'
            """;

    private static final String DUE_FOR_CHECK = "SELECT " + COLUMNS + """
             FROM mailboxes WHERE status <> 'deleted' AND (last_checked_at IS NULL OR last_checked_at < :before)
             ORDER BY last_checked_at NULLS FIRST LIMIT :limit
            """;

    private static final String LIVE_LOCAL = "SELECT " + COLUMNS + " FROM mailboxes WHERE provider = 'local' AND status <> 'deleted'";

    /** The built-in server's ports may change between starts (O2D_MAIL_*_PORT=0): keep local rows current. */
    private static final String REPOINT_LOCAL = """
            UPDATE mailboxes SET smtp_host = :host, smtp_port = :smtpPort, imap_host = :host, imap_port = :imapPort
             WHERE provider = 'local' AND status <> 'deleted' AND (smtp_port <> :smtpPort OR imap_port <> :imapPort OR smtp_host <> :host)
            """;

    private final JdbcClient jdbc;

    MailboxRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(MailboxRow m) {
        jdbc.sql(INSERT).param("workspaceId", m.workspaceId()).param("id", m.id()).param("address", m.address())
                .param("domain", m.domain()).param("provider", m.provider()).param("firstName", m.firstName())
                .param("lastName", m.lastName()).param("dailyLimit", m.dailyLimit()).param("signature", m.signature())
                .param("smtpHost", m.smtp().host()).param("smtpPort", m.smtp().port()).param("smtpSecurity", m.smtp().security())
                .param("smtpUsername", m.smtp().username()).param("smtpPassword", m.smtp().password())
                .param("imapHost", m.imap().host()).param("imapPort", m.imap().port()).param("imapSecurity", m.imap().security())
                .param("imapUsername", m.imap().username()).param("imapPassword", m.imap().password())
                .update();
    }

    List<MailboxRow> list(long workspaceId) {
        return jdbc.sql(LIST).param("workspaceId", workspaceId).query(MailboxRepository::map).list();
    }

    List<MailboxRow> byAddresses(long workspaceId, List<String> addresses) {
        return jdbc.sql(BY_ADDRESSES).param("workspaceId", workspaceId).param("addresses", addresses.toArray(String[]::new))
                .query(MailboxRepository::map).list();
    }

    List<String[]> syncable() {
        return jdbc.sql(SYNCABLE).query((rs, n) -> new String[] {Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3)}).list();
    }

    List<MailboxRow> byIds(long workspaceId, List<String> ids) {
        return jdbc.sql(BY_IDS).param("workspaceId", workspaceId).param("ids", ids.toArray(String[]::new))
                .query(MailboxRepository::map).list();
    }

    List<String> taken(List<String> addresses) {
        return jdbc.sql(TAKEN).param("addresses", addresses.toArray(String[]::new)).query(String.class).list();
    }

    long countLive(long workspaceId) {
        return jdbc.sql(COUNT_LIVE).param("workspaceId", workspaceId).query(Long.class).single();
    }

    long countOnDomain(long workspaceId, String domain) {
        return jdbc.sql(COUNT_ON_DOMAIN).param("workspaceId", workspaceId).param("domain", domain).query(Long.class).single();
    }

    int updateProfile(long workspaceId, List<String> addresses, String firstName, String lastName, boolean setSignature,
            String signature, boolean setForward, String forwardTo, Integer dailyLimit) {
        return jdbc.sql(UPDATE_PROFILE).param("workspaceId", workspaceId).param("addresses", addresses.toArray(String[]::new))
                .param("firstName", firstName).param("lastName", lastName).param("setSignature", setSignature)
                .param("signature", signature).param("setForward", setForward).param("forwardTo", forwardTo)
                .param("dailyLimit", dailyLimit).update();
    }

    int delete(long workspaceId, List<String> ids) {
        return jdbc.sql(DELETE).param("workspaceId", workspaceId).param("ids", ids.toArray(String[]::new)).update();
    }

    void setHealth(long workspaceId, String id, String status, String error) {
        jdbc.sql(SET_HEALTH).param("workspaceId", workspaceId).param("id", id).param("status", status).param("error", error).update();
    }

    void setWarmupStatus(long workspaceId, String id, String status) {
        jdbc.sql("UPDATE mailboxes SET warmup_status = :status WHERE workspace_id = :workspaceId AND id = :id AND warmup_status <> :status")
                .param("workspaceId", workspaceId).param("id", id).param("status", status).update();
    }

    List<MailboxRow> dueForCheck(Instant before, int limit) {
        return jdbc.sql(DUE_FOR_CHECK).param("before", Timestamp.from(before)).param("limit", limit)
                .query(MailboxRepository::map).list();
    }

    List<MailboxRow> liveLocal() {
        return jdbc.sql(LIVE_LOCAL).query(MailboxRepository::map).list();
    }

    int repointLocal(String host, int smtpPort, int imapPort) {
        return jdbc.sql(REPOINT_LOCAL).param("host", host).param("smtpPort", smtpPort).param("imapPort", imapPort).update();
    }

    private static MailboxRow map(ResultSet rs, int n) throws SQLException {
        return new MailboxRow(rs.getLong("workspace_id"), rs.getString("id"), rs.getString("address"), rs.getString("domain"),
                rs.getString("provider"), rs.getString("first_name"), rs.getString("last_name"), rs.getString("status"),
                rs.getString("warmup_status"), rs.getInt("daily_limit"), rs.getString("signature"), rs.getString("forward_to"),
                new Server(rs.getString("smtp_host"), rs.getInt("smtp_port"), rs.getString("smtp_security"),
                        rs.getString("smtp_username"), rs.getString("smtp_password")),
                new Server(rs.getString("imap_host"), rs.getInt("imap_port"), rs.getString("imap_security"),
                        rs.getString("imap_username"), rs.getString("imap_password")),
                rs.getString("last_error"), instant(rs, "last_checked_at"), instant(rs, "created_at"));
    }

    static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }

    Optional<MailboxRow> find(long workspaceId, String address) {
        return byAddresses(workspaceId, List.of(address)).stream().findFirst();
    }
}
