package dev.outreach2day.sequencer;

import dev.outreach2day.platform.SecretVault;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The sequencer tables: connections (keys sealed by the vault), exports and their items (the runner's queue). */
@Repository
class SequencerStore {

    /** A connection row; the key stays sealed here ({@link #apiKey} opens it), so toString shows nothing secret. */
    record Connection(long workspaceId, String id, String provider, String name, String keyHint, String account, Instant validatedAt,
            Instant createdAt, Instant updatedAt) {}

    record Export(long workspaceId, String id, String connectionId, String provider, String status, Integer dailyLimit,
            boolean enableWarmup, int warmupPerDay, int warmupRampup, Instant createdAt, Instant updatedAt, Instant finishedAt) {}

    record Item(long workspaceId, String exportId, int seq, String connectionId, String mailboxId, String mailbox, String status,
            String reason, String error, String externalId, int attempts, Instant nextAttemptAt, boolean uncertain) {}

    /** Counts of an export's items by state, for the list. */
    record Counts(int total, int completed, int failed, int skipped, int pending) {}

    private static final String CONNECTION_COLUMNS = """
            workspace_id, id, provider, name, key_hint, account, validated_at, created_at, updated_at
            """;

    private static final String INSERT_CONNECTION = """
            INSERT INTO sequencer_connections (workspace_id, id, provider, name, api_key, key_hint, account, validated_at, created_at,
                                               updated_at)
            VALUES (:ws, :id, :provider, :name, :key, :hint, :account, :now, :now, :now)
            """;

    private static final String CONNECTION = "SELECT " + CONNECTION_COLUMNS + " FROM sequencer_connections WHERE workspace_id = :ws AND id = :id";

    /** Newest first; the cursor is the last id of the previous page (ids sort by creation time). */
    private static final String CONNECTIONS = "SELECT " + CONNECTION_COLUMNS + """
             FROM sequencer_connections
            WHERE workspace_id = :ws AND (CAST(:after AS text) IS NULL OR id < :after)
            ORDER BY id DESC LIMIT :limit
            """;

    private static final String API_KEY = "SELECT api_key FROM sequencer_connections WHERE workspace_id = :ws AND id = :id";

    private static final String RENAME = """
            UPDATE sequencer_connections SET name = :name, updated_at = :now WHERE workspace_id = :ws AND id = :id
            """;

    private static final String REKEY = """
            UPDATE sequencer_connections SET api_key = :key, key_hint = :hint, account = :account, validated_at = :now, updated_at = :now
             WHERE workspace_id = :ws AND id = :id
            """;

    private static final String DELETE_CONNECTION = "DELETE FROM sequencer_connections WHERE workspace_id = :ws AND id = :id";

    /** Work of a deleted connection cannot run: its queued items fail, saying why. */
    private static final String FAIL_PENDING_OF_CONNECTION = """
            UPDATE sequencer_export_items SET status = 'failed', reason = 'CONNECTION_DELETED',
                   error = 'the sequencer connection was deleted before this mailbox was exported', locked_by = NULL, locked_until = NULL,
                   updated_at = :now
             WHERE workspace_id = :ws AND connection_id = :id AND status IN ('queued', 'running')
            RETURNING export_id
            """;

    private static final String EXPORTED = """
            SELECT mailbox_id FROM sequencer_export_items
             WHERE workspace_id = :ws AND connection_id = :id AND status IN ('queued', 'running', 'completed') AND mailbox_id IS NOT NULL
            """;

    private static final String INSERT_EXPORT = """
            INSERT INTO sequencer_exports (workspace_id, id, connection_id, provider, status, daily_limit, enable_warmup, warmup_per_day,
                                           warmup_rampup, created_at, updated_at)
            VALUES (:ws, :id, :connection, :provider, 'queued', :dailyLimit, :warmup, :warmupPerDay, :warmupRampup, :now, :now)
            """;

    /**
     * A queued item, unless the mailbox already holds its place for this connection (the partial
     * unique index): then nothing is inserted and the caller records it as skipped.
     */
    private static final String INSERT_QUEUED_ITEM = """
            INSERT INTO sequencer_export_items (workspace_id, export_id, seq, connection_id, mailbox_id, mailbox, status, next_attempt_at,
                                                updated_at)
            VALUES (:ws, :export, :seq, :connection, :mailboxId, :mailbox, 'queued', :now, :now)
            ON CONFLICT (workspace_id, connection_id, mailbox_id) WHERE status IN ('queued', 'running', 'completed') DO NOTHING
            """;

    private static final String INSERT_FINAL_ITEM = """
            INSERT INTO sequencer_export_items (workspace_id, export_id, seq, connection_id, mailbox_id, mailbox, status, reason, error,
                                                next_attempt_at, updated_at)
            VALUES (:ws, :export, :seq, :connection, :mailboxId, :mailbox, :status, :reason, :error, :now, :now)
            """;

    private static final String EXPORT_COLUMNS = """
            workspace_id, id, connection_id, provider, status, daily_limit, enable_warmup, warmup_per_day, warmup_rampup, created_at,
            updated_at, finished_at
            """;

    private static final String EXPORT = "SELECT " + EXPORT_COLUMNS + " FROM sequencer_exports WHERE workspace_id = :ws AND id = :id";

    private static final String EXPORTS = "SELECT " + EXPORT_COLUMNS + """
             FROM sequencer_exports
            WHERE workspace_id = :ws AND (CAST(:after AS text) IS NULL OR id < :after)
            ORDER BY id DESC LIMIT :limit
            """;

    private static final String ITEM_COLUMNS = """
            workspace_id, export_id, seq, connection_id, mailbox_id, mailbox, status, reason, error, external_id, attempts, next_attempt_at,
            uncertain
            """;

    private static final String ITEMS = "SELECT " + ITEM_COLUMNS
            + " FROM sequencer_export_items WHERE workspace_id = :ws AND export_id = :export ORDER BY seq";

    private static final String COUNTS = """
            SELECT count(*) AS total,
                   count(*) FILTER (WHERE status = 'completed') AS completed,
                   count(*) FILTER (WHERE status = 'failed') AS failed,
                   count(*) FILTER (WHERE status = 'skipped') AS skipped,
                   count(*) FILTER (WHERE status IN ('queued', 'running')) AS pending
              FROM sequencer_export_items WHERE workspace_id = :ws AND export_id = :export
            """;

    /**
     * The runner's claim, for any workspace: due queued items, and running items whose lease ran
     * out (a process died holding them; while running, next_attempt_at is the lease's end, so one
     * index serves both). A reclaimed running item is uncertain: its create may have reached the
     * provider, so the runner asks before creating again.
     */
    private static final String CLAIM = """
            WITH due AS (
                SELECT workspace_id, export_id, seq FROM sequencer_export_items
                 WHERE status IN ('queued', 'running') AND next_attempt_at <= :now
                 ORDER BY next_attempt_at LIMIT :limit
                   FOR UPDATE SKIP LOCKED)
            UPDATE sequencer_export_items i
               SET uncertain = i.uncertain OR i.status = 'running', status = 'running', attempts = i.attempts + 1, locked_by = :node,
                   locked_until = :until, next_attempt_at = :until, updated_at = :now
              FROM due
             WHERE i.workspace_id = due.workspace_id AND i.export_id = due.export_id AND i.seq = due.seq
            RETURNING i.workspace_id, i.export_id, i.seq, i.connection_id, i.mailbox_id, i.mailbox, i.status, i.reason, i.error,
                      i.external_id, i.attempts, i.next_attempt_at, i.uncertain
            """;

    /**
     * Extends this process's lease on an item just before it is worked (a batch is worked one item
     * after another, so the last ones would otherwise wait with a shortening lease); false when the
     * lease was lost to another process, which then owns the item.
     */
    private static final String RENEW = """
            UPDATE sequencer_export_items SET locked_until = :until, next_attempt_at = :until
             WHERE workspace_id = :ws AND export_id = :export AND seq = :seq AND locked_by = :node AND status = 'running'
               AND locked_until > :now
            """;

    /** The latest export of a mailbox to a connection that created it (its settings are reused by reconnect). */
    private static final String LAST_COMPLETED_EXPORT = """
            SELECT e.workspace_id, e.id, e.connection_id, e.provider, e.status, e.daily_limit, e.enable_warmup, e.warmup_per_day,
                   e.warmup_rampup, e.created_at, e.updated_at, e.finished_at
              FROM sequencer_export_items i
              JOIN sequencer_exports e ON e.workspace_id = i.workspace_id AND e.id = i.export_id
             WHERE i.workspace_id = :ws AND i.connection_id = :connection AND i.mailbox_id = :mailbox AND i.status = 'completed'
             ORDER BY e.id DESC LIMIT 1
            """;

    /** The account exists at the provider: remembered at once, so a failing warmup call never leads to a second create. */
    private static final String SAVE_EXTERNAL_ID = """
            UPDATE sequencer_export_items SET external_id = :externalId, uncertain = false, updated_at = :now
             WHERE workspace_id = :ws AND export_id = :export AND seq = :seq AND locked_by = :node
            """;

    /** The end of an attempt; only by the process that holds the lease (one whose lease was taken over changes nothing). */
    private static final String FINISH = """
            UPDATE sequencer_export_items
               SET status = :status, reason = :reason, error = :error, next_attempt_at = :next, uncertain = :uncertain, locked_by = NULL,
                   locked_until = NULL, updated_at = :now
             WHERE workspace_id = :ws AND export_id = :export AND seq = :seq AND locked_by = :node
            """;

    /** An export's state from its items: running while any is pending, then completed, failed (all failed) or partial. */
    private static final String REFRESH_EXPORT = """
            UPDATE sequencer_exports e
               SET status = CASE WHEN c.pending > 0 THEN (CASE WHEN c.started > 0 THEN 'running' ELSE 'queued' END)
                                 WHEN c.failed = 0 THEN 'completed'
                                 WHEN c.failed = c.total THEN 'failed'
                                 ELSE 'partial' END,
                   finished_at = CASE WHEN c.pending = 0 THEN coalesce(e.finished_at, :now) END,
                   updated_at = :now
              FROM (SELECT count(*) AS total,
                           count(*) FILTER (WHERE status IN ('queued', 'running')) AS pending,
                           count(*) FILTER (WHERE status = 'running' OR attempts > 0) AS started,
                           count(*) FILTER (WHERE status = 'failed') AS failed
                      FROM sequencer_export_items WHERE workspace_id = :ws AND export_id = :export) c
             WHERE e.workspace_id = :ws AND e.id = :export
            """;

    private final JdbcClient jdbc;
    private final SecretVault vault;

    SequencerStore(JdbcClient jdbc, SecretVault vault) {
        this.jdbc = jdbc;
        this.vault = vault;
    }

    static String vaultContext(String connectionId) {
        return "sequencer:" + connectionId;
    }

    /** "…abcd" for keys long enough that four characters give nothing away; "…" otherwise. */
    static String hint(String apiKey) {
        String k = apiKey.strip();
        return k.length() >= 16 ? "…" + k.substring(k.length() - 4) : "…";
    }

    void insertConnection(long ws, String id, String provider, String name, String apiKey, String account, Instant now) {
        jdbc.sql(INSERT_CONNECTION).param("ws", ws).param("id", id).param("provider", provider).param("name", name)
                .param("key", vault.encrypt(apiKey, vaultContext(id))).param("hint", hint(apiKey)).param("account", account)
                .param("now", ts(now)).update();
    }

    Optional<Connection> connection(long ws, String id) {
        return jdbc.sql(CONNECTION).param("ws", ws).param("id", id).query(SequencerStore::connection).optional();
    }

    List<Connection> connections(long ws, String after, int limit) {
        return jdbc.sql(CONNECTIONS).param("ws", ws).param("after", after).param("limit", limit).query(SequencerStore::connection).list();
    }

    /** The connection's key in clear, for a call to its provider only. */
    Optional<String> apiKey(long ws, String id) {
        return jdbc.sql(API_KEY).param("ws", ws).param("id", id).query(String.class).optional()
                .map(sealed -> vault.decrypt(sealed, vaultContext(id)));
    }

    void rename(long ws, String id, String name, Instant now) {
        jdbc.sql(RENAME).param("ws", ws).param("id", id).param("name", name).param("now", ts(now)).update();
    }

    void rekey(long ws, String id, String apiKey, String account, Instant now) {
        jdbc.sql(REKEY).param("ws", ws).param("id", id).param("key", vault.encrypt(apiKey, vaultContext(id))).param("hint", hint(apiKey))
                .param("account", account).param("now", ts(now)).update();
    }

    /** Deletes the connection; returns the exports whose pending items were failed by it. */
    Set<String> deleteConnection(long ws, String id, Instant now) {
        var exports = new HashSet<>(jdbc.sql(FAIL_PENDING_OF_CONNECTION).param("ws", ws).param("id", id).param("now", ts(now))
                .query(String.class).list());
        jdbc.sql(DELETE_CONNECTION).param("ws", ws).param("id", id).update();
        return exports;
    }

    /** Mailboxes already exported (or being exported) to this connection. */
    Set<String> exported(long ws, String connectionId) {
        return new HashSet<>(jdbc.sql(EXPORTED).param("ws", ws).param("id", connectionId).query(String.class).list());
    }

    void insertExport(long ws, String id, Connection c, Integer dailyLimit, boolean warmup, int warmupPerDay, int warmupRampup, Instant now) {
        jdbc.sql(INSERT_EXPORT).param("ws", ws).param("id", id).param("connection", c.id()).param("provider", c.provider())
                .param("dailyLimit", dailyLimit).param("warmup", warmup).param("warmupPerDay", warmupPerDay)
                .param("warmupRampup", warmupRampup).param("now", ts(now)).update();
    }

    /** True when queued; false when the mailbox is already exported to the connection (nothing inserted). */
    boolean insertQueued(long ws, String exportId, int seq, String connectionId, String mailboxId, String mailbox, Instant now) {
        return jdbc.sql(INSERT_QUEUED_ITEM).param("ws", ws).param("export", exportId).param("seq", seq).param("connection", connectionId)
                .param("mailboxId", mailboxId).param("mailbox", mailbox).param("now", ts(now)).update() == 1;
    }

    void insertFinal(long ws, String exportId, int seq, String connectionId, String mailboxId, String mailbox, String status, String reason,
            String error, Instant now) {
        jdbc.sql(INSERT_FINAL_ITEM).param("ws", ws).param("export", exportId).param("seq", seq).param("connection", connectionId)
                .param("mailboxId", mailboxId).param("mailbox", mailbox).param("status", status).param("reason", reason)
                .param("error", error).param("now", ts(now)).update();
    }

    Optional<Export> export(long ws, String id) {
        return jdbc.sql(EXPORT).param("ws", ws).param("id", id).query(SequencerStore::export).optional();
    }

    List<Export> exports(long ws, String after, int limit) {
        return jdbc.sql(EXPORTS).param("ws", ws).param("after", after).param("limit", limit).query(SequencerStore::export).list();
    }

    List<Item> items(long ws, String exportId) {
        return jdbc.sql(ITEMS).param("ws", ws).param("export", exportId).query(SequencerStore::item).list();
    }

    Counts counts(long ws, String exportId) {
        return jdbc.sql(COUNTS).param("ws", ws).param("export", exportId).query((rs, n) -> new Counts(rs.getInt("total"),
                rs.getInt("completed"), rs.getInt("failed"), rs.getInt("skipped"), rs.getInt("pending"))).single();
    }

    List<Item> claim(String node, Instant now, Instant until, int limit) {
        return jdbc.sql(CLAIM).param("node", node).param("now", ts(now)).param("until", ts(until)).param("limit", limit)
                .query(SequencerStore::item).list();
    }

    boolean renew(Item i, String node, Instant now, Instant until) {
        return jdbc.sql(RENEW).param("ws", i.workspaceId()).param("export", i.exportId()).param("seq", i.seq()).param("node", node)
                .param("now", ts(now)).param("until", ts(until)).update() == 1;
    }

    Optional<Export> lastCompletedExport(long ws, String connectionId, String mailboxId) {
        return jdbc.sql(LAST_COMPLETED_EXPORT).param("ws", ws).param("connection", connectionId).param("mailbox", mailboxId)
                .query(SequencerStore::export).optional();
    }

    void saveExternalId(Item i, String node, String externalId, Instant now) {
        jdbc.sql(SAVE_EXTERNAL_ID).param("ws", i.workspaceId()).param("export", i.exportId()).param("seq", i.seq()).param("node", node)
                .param("externalId", externalId).param("now", ts(now)).update();
    }

    boolean finish(Item i, String node, String status, String reason, String error, Instant next, boolean uncertain, Instant now) {
        return jdbc.sql(FINISH).param("ws", i.workspaceId()).param("export", i.exportId()).param("seq", i.seq()).param("node", node)
                .param("status", status).param("reason", reason).param("error", error).param("next", ts(next)).param("uncertain", uncertain)
                .param("now", ts(now)).update() == 1;
    }

    void refreshExport(long ws, String exportId, Instant now) {
        jdbc.sql(REFRESH_EXPORT).param("ws", ws).param("export", exportId).param("now", ts(now)).update();
    }

    // ---- mapping ----

    static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Connection connection(ResultSet rs, int n) throws SQLException {
        return new Connection(rs.getLong("workspace_id"), rs.getString("id"), rs.getString("provider"), rs.getString("name"),
                rs.getString("key_hint"), rs.getString("account"), instant(rs, "validated_at"), instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    private static Export export(ResultSet rs, int n) throws SQLException {
        Integer limit = rs.getObject("daily_limit", Integer.class);
        return new Export(rs.getLong("workspace_id"), rs.getString("id"), rs.getString("connection_id"), rs.getString("provider"),
                rs.getString("status"), limit, rs.getBoolean("enable_warmup"), rs.getInt("warmup_per_day"),
                rs.getInt("warmup_rampup"), instant(rs, "created_at"), instant(rs, "updated_at"), instant(rs, "finished_at"));
    }

    private static Item item(ResultSet rs, int n) throws SQLException {
        return new Item(rs.getLong("workspace_id"), rs.getString("export_id"), rs.getInt("seq"), rs.getString("connection_id"),
                rs.getString("mailbox_id"), rs.getString("mailbox"), rs.getString("status"), rs.getString("reason"), rs.getString("error"),
                rs.getString("external_id"), rs.getInt("attempts"), instant(rs, "next_attempt_at"), rs.getBoolean("uncertain"));
    }
}
