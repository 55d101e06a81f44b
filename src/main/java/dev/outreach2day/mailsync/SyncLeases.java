package dev.outreach2day.mailsync;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Which process syncs which mailbox ({@code mailsync_mailboxes}), and where each folder stands ({@code mailsync_folders}). */
@Repository
class SyncLeases {

    record FolderState(String folder, String kind, Long uidValidity, long lastUid, Long uidNext, int messages, Instant syncedAt) {}

    record MailboxState(String mailboxId, String lockedBy, Instant lockedUntil, Instant syncedAt, Instant nextSyncAt, String lastError,
            int failures) {}

    /** Takes the mailbox when it is due and nobody holds it; true when this process has it now. */
    private static final String TAKE = """
            INSERT INTO mailsync_mailboxes AS m (workspace_id, mailbox_id, locked_by, locked_until)
            VALUES (:workspaceId, :mailboxId, :node, :until)
            ON CONFLICT (workspace_id, mailbox_id) DO UPDATE SET locked_by = :node, locked_until = :until
             WHERE (m.locked_until IS NULL OR m.locked_until < :now) AND (:force OR m.next_sync_at IS NULL OR m.next_sync_at <= :now)
            RETURNING 1
            """;

    private static final String RELEASE = """
            UPDATE mailsync_mailboxes SET locked_by = NULL, locked_until = NULL, synced_at = :now, next_sync_at = :next,
                   last_error = :error, failures = CASE WHEN CAST(:error AS text) IS NULL THEN 0 ELSE failures + 1 END
             WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId AND locked_by = :node
            """;

    private static final String FOLDERS = """
            SELECT folder, kind, uidvalidity, last_uid, uidnext, messages, synced_at FROM mailsync_folders
             WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId ORDER BY folder
            """;

    private static final String SAVE_FOLDER = """
            INSERT INTO mailsync_folders AS f (workspace_id, mailbox_id, folder, kind, uidvalidity, last_uid, uidnext, messages, synced_at)
            VALUES (:workspaceId, :mailboxId, :folder, :kind, :uidValidity, :lastUid, :uidNext, :added, :now)
            ON CONFLICT (workspace_id, mailbox_id, folder) DO UPDATE
               SET kind = :kind, uidvalidity = :uidValidity, last_uid = :lastUid, uidnext = :uidNext,
                   messages = CASE WHEN :reset THEN :added ELSE f.messages + :added END, synced_at = :now
            """;

    private static final String MAILBOXES = """
            SELECT mailbox_id, locked_by, locked_until, synced_at, next_sync_at, last_error, failures FROM mailsync_mailboxes
             WHERE workspace_id = :workspaceId ORDER BY mailbox_id
            """;

    /** Takes (or renews) the IDLE watch of a mailbox; not when another live process watches it or IDLE is known to be missing. */
    private static final String WATCH = """
            INSERT INTO mailsync_mailboxes AS m (workspace_id, mailbox_id, watched_by, watch_until) VALUES (:workspaceId, :mailboxId, :node, :until)
            ON CONFLICT (workspace_id, mailbox_id) DO UPDATE SET watched_by = :node, watch_until = :until
             WHERE (m.watched_by = :node OR m.watch_until IS NULL OR m.watch_until < :now) AND m.idle IS DISTINCT FROM false
            RETURNING 1
            """;

    private static final String UNWATCH = """
            UPDATE mailsync_mailboxes SET watched_by = NULL, watch_until = NULL WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId
               AND watched_by = :node
            """;

    private static final String SET_IDLE = """
            UPDATE mailsync_mailboxes SET idle = :idle WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId
            """;

    /** New mail announced: the mailbox is due now. */
    private static final String DUE_NOW = """
            UPDATE mailsync_mailboxes SET next_sync_at = :now WHERE workspace_id = :workspaceId AND mailbox_id = :mailboxId
            """;

    /** Every mailbox's turn: when its next round is due, whether it ever had one, and until when a process holds it. */
    private static final String TURNS = """
            SELECT workspace_id, mailbox_id, next_sync_at, synced_at IS NOT NULL, locked_until FROM mailsync_mailboxes
            """;

    /** A mailbox's turn; {@code nextSyncAt} null: due now. */
    record Turn(Instant nextSyncAt, boolean everSynced, Instant lockedUntil) {}

    private final JdbcClient jdbc;

    SyncLeases(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Each mailbox's turn, by "workspace:mailbox" (a mailbox without a row has never been synced and is due). */
    Map<String, Turn> turns() {
        var out = new HashMap<String, Turn>();
        jdbc.sql(TURNS).query((RowCallbackHandler) rs -> out.put(rs.getLong(1) + ":" + rs.getString(2),
                new Turn(instant(rs.getTimestamp(3)), rs.getBoolean(4), instant(rs.getTimestamp(5)))));
        return out;
    }

    /** {@code force}: even when its next round is not due yet (never while another process holds it). */
    boolean take(long ws, String mailboxId, String node, Instant now, Instant until, boolean force) {
        return jdbc.sql(TAKE).param("force", force).param("workspaceId", ws).param("mailboxId", mailboxId).param("node", node).param("now", ts(now))
                .param("until", ts(until)).query(Integer.class).optional().isPresent();
    }

    boolean watch(long ws, String mailboxId, String node, Instant now, Instant until) {
        return jdbc.sql(WATCH).param("workspaceId", ws).param("mailboxId", mailboxId).param("node", node).param("now", ts(now))
                .param("until", ts(until)).query(Integer.class).optional().isPresent();
    }

    void unwatch(long ws, String mailboxId, String node) {
        jdbc.sql(UNWATCH).param("workspaceId", ws).param("mailboxId", mailboxId).param("node", node).update();
    }

    void setIdle(long ws, String mailboxId, boolean idle) {
        jdbc.sql(SET_IDLE).param("workspaceId", ws).param("mailboxId", mailboxId).param("idle", idle).update();
    }

    void dueNow(long ws, String mailboxId, Instant now) {
        jdbc.sql(DUE_NOW).param("workspaceId", ws).param("mailboxId", mailboxId).param("now", ts(now)).update();
    }

    void release(long ws, String mailboxId, String node, Instant now, Instant next, String error) {
        jdbc.sql(RELEASE).param("workspaceId", ws).param("mailboxId", mailboxId).param("node", node).param("now", ts(now))
                .param("next", ts(next)).param("error", error).update();
    }

    List<FolderState> folders(long ws, String mailboxId) {
        return jdbc.sql(FOLDERS).param("workspaceId", ws).param("mailboxId", mailboxId).query((rs, n) -> new FolderState(
                rs.getString(1), rs.getString(2), (Long) rs.getObject(3), rs.getLong(4), (Long) rs.getObject(5), rs.getInt(6),
                instant(rs.getTimestamp(7)))).list();
    }

    Optional<FolderState> folder(long ws, String mailboxId, String folder) {
        return folders(ws, mailboxId).stream().filter(f -> f.folder().equals(folder)).findFirst();
    }

    /** The folder's position after a round; {@code reset} when UIDVALIDITY changed (the count starts again). */
    void saveFolder(long ws, String mailboxId, String folder, String kind, long uidValidity, long lastUid, Long uidNext, int added,
            boolean reset, Instant now) {
        jdbc.sql(SAVE_FOLDER).param("workspaceId", ws).param("mailboxId", mailboxId).param("folder", folder).param("kind", kind)
                .param("uidValidity", uidValidity).param("lastUid", lastUid).param("uidNext", uidNext).param("added", added)
                .param("reset", reset).param("now", ts(now)).update();
    }

    List<MailboxState> mailboxes(long ws) {
        return jdbc.sql(MAILBOXES).param("workspaceId", ws).query((rs, n) -> new MailboxState(rs.getString(1), rs.getString(2),
                instant(rs.getTimestamp(3)), instant(rs.getTimestamp(4)), instant(rs.getTimestamp(5)), rs.getString(6), rs.getInt(7)))
                .list();
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
