package dev.outreach2day.contact;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/** Import jobs and their dead letters. */
@Repository
class ImportStore {

    record Job(long workspaceId, String id, String campaignId, String status, String filePath, String fileName, long fileBytes,
            String charset, char delimiter, boolean hasHeader, List<String> headers, List<List<String>> sampleRows,
            Map<String, String> mapping, String dedupe, long totalRows, long checkpointRow, long imported, long updated,
            long duplicates, long suppressed, long invalid, boolean cancelRequested, String error, Instant createdAt,
            Instant startedAt, Instant finishedAt) {

        long processed() {
            return imported + updated + duplicates + suppressed + invalid;
        }
    }

    record DeadLetter(long rowNumber, Map<String, String> raw, String reason, String detail, boolean replayed) {}

    private static final String COLUMNS = """
            workspace_id, id, campaign_id, status, file_path, file_name, file_bytes, charset, delimiter, has_header,
            headers::text AS headers, sample_rows::text AS sample_rows, mapping::text AS mapping, dedupe, total_rows,
            checkpoint_row, imported, updated, duplicates, suppressed, invalid, cancel_requested, error, created_at,
            started_at, finished_at
            """;

    private static final String INSERT = """
            INSERT INTO import_jobs (workspace_id, id, campaign_id, status, file_path, file_name, file_bytes, charset, delimiter,
                                     has_header, headers, sample_rows, mapping, dedupe, total_rows)
            VALUES (:workspaceId, :id, :campaignId, :status, :filePath, :fileName, :fileBytes, :charset, :delimiter, :hasHeader,
                    :headers::jsonb, :sampleRows::jsonb, :mapping::jsonb, :dedupe, :totalRows)
            """;

    private static final String FIND = "SELECT " + COLUMNS + " FROM import_jobs WHERE workspace_id = :workspaceId AND id = :id";

    private static final String CONFIRM = """
            UPDATE import_jobs SET mapping = :mapping::jsonb, status = 'queued'
             WHERE workspace_id = :workspaceId AND id = :id AND status = 'awaiting_mapping'
            """;

    /** The next runnable job: queued, or running with an expired lease (its process died); resumes from its checkpoint. */
    private static final String CLAIM = """
            UPDATE import_jobs j SET status = 'running', locked_by = :node, locked_until = :leaseEnd,
                   started_at = COALESCE(j.started_at, :now)
             WHERE (workspace_id, id) = (SELECT workspace_id, id FROM import_jobs
                                          WHERE status = 'queued' OR (status = 'running' AND locked_until < :now)
                                          ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING j.workspace_id, j.id
            """;

    private static final String HEARTBEAT = """
            UPDATE import_jobs SET locked_until = :leaseEnd WHERE workspace_id = :workspaceId AND id = :id AND locked_by = :node
            RETURNING cancel_requested
            """;

    /** One committed chunk: counters and checkpoint move together, in the chunk's transaction. */
    private static final String ADVANCE = """
            UPDATE import_jobs SET checkpoint_row = :checkpoint, imported = imported + :imported, updated = updated + :updated,
                   duplicates = duplicates + :duplicates, suppressed = suppressed + :suppressed, invalid = invalid + :invalid
             WHERE workspace_id = :workspaceId AND id = :id AND locked_by = :node
            """;

    private static final String FINISH = """
            UPDATE import_jobs SET status = :status, error = :error, finished_at = :now, locked_by = NULL, locked_until = NULL
             WHERE workspace_id = :workspaceId AND id = :id
            """;

    private static final String REQUEST_CANCEL = """
            UPDATE import_jobs SET cancel_requested = true,
                   status = CASE WHEN status IN ('awaiting_mapping', 'queued') THEN 'cancelled' ELSE status END,
                   finished_at = CASE WHEN status IN ('awaiting_mapping', 'queued') THEN :now ELSE finished_at END
             WHERE workspace_id = :workspaceId AND id = :id AND status IN ('awaiting_mapping', 'queued', 'running')
            """;

    private static final String ADD_DEAD = """
            INSERT INTO import_dead_letters (workspace_id, import_id, row_number, raw, reason, detail)
            VALUES (:workspaceId, :importId, :rowNumber, :raw::jsonb, :reason, :detail)
            ON CONFLICT DO NOTHING
            """;

    private static final String DEAD = """
            SELECT row_number, raw::text AS raw, reason, detail, replayed FROM import_dead_letters
             WHERE workspace_id = :workspaceId AND import_id = :importId AND (:all OR NOT replayed)
             ORDER BY row_number LIMIT :limit
            """;

    private static final String DEAD_COUNTS = """
            SELECT reason, count(*) FROM import_dead_letters WHERE workspace_id = :workspaceId AND import_id = :importId AND NOT replayed
             GROUP BY reason ORDER BY count(*) DESC
            """;

    private static final String MARK_REPLAYED = """
            UPDATE import_dead_letters SET replayed = true WHERE workspace_id = :workspaceId AND import_id = :importId AND row_number = :rowNumber
            """;

    private static final String ADJUST = """
            UPDATE import_jobs SET imported = imported + :imported, updated = updated + :updated, duplicates = duplicates + :duplicates,
                   invalid = invalid + :invalid WHERE workspace_id = :workspaceId AND id = :id
            """;

    private final JdbcClient jdbc;
    private final ObjectMapper json;

    ImportStore(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(Job j) {
        jdbc.sql(INSERT).param("workspaceId", j.workspaceId()).param("id", j.id()).param("campaignId", j.campaignId())
                .param("status", j.status()).param("filePath", j.filePath()).param("fileName", j.fileName())
                .param("fileBytes", j.fileBytes()).param("charset", j.charset()).param("delimiter", String.valueOf(j.delimiter()))
                .param("hasHeader", j.hasHeader()).param("headers", json.writeValueAsString(j.headers()))
                .param("sampleRows", json.writeValueAsString(j.sampleRows()))
                .param("mapping", j.mapping() == null ? null : json.writeValueAsString(j.mapping())).param("dedupe", j.dedupe())
                .param("totalRows", j.totalRows()).update();
    }

    Optional<Job> find(long workspaceId, String id) {
        return jdbc.sql(FIND).param("workspaceId", workspaceId).param("id", id).query(this::map).optional();
    }

    boolean confirm(long workspaceId, String id, Map<String, String> mapping) {
        return jdbc.sql(CONFIRM).param("workspaceId", workspaceId).param("id", id).param("mapping", json.writeValueAsString(mapping))
                .update() == 1;
    }


    Optional<String> claimId(String node, Instant now, Instant leaseEnd) {
        return jdbc.sql(CLAIM).param("node", node).param("now", Timestamp.from(now)).param("leaseEnd", Timestamp.from(leaseEnd))
                .query((rs, n) -> rs.getLong(1) + ":" + rs.getString(2)).optional();
    }

    /** Renews the lease; returns whether a cancel was requested (empty: the lease was lost). */
    Optional<Boolean> heartbeat(long workspaceId, String id, String node, Instant leaseEnd) {
        return jdbc.sql(HEARTBEAT).param("workspaceId", workspaceId).param("id", id).param("node", node)
                .param("leaseEnd", Timestamp.from(leaseEnd)).query(Boolean.class).optional();
    }

    int advance(long workspaceId, String id, String node, long checkpoint, long imported, long updated, long duplicates,
            long suppressed, long invalid) {
        return jdbc.sql(ADVANCE).param("workspaceId", workspaceId).param("id", id).param("node", node).param("checkpoint", checkpoint)
                .param("imported", imported).param("updated", updated).param("duplicates", duplicates)
                .param("suppressed", suppressed).param("invalid", invalid).update();
    }

    void finish(long workspaceId, String id, String status, String error, Instant now) {
        jdbc.sql(FINISH).param("workspaceId", workspaceId).param("id", id).param("status", status).param("error", error)
                .param("now", Timestamp.from(now)).update();
    }

    boolean requestCancel(long workspaceId, String id, Instant now) {
        return jdbc.sql(REQUEST_CANCEL).param("workspaceId", workspaceId).param("id", id).param("now", Timestamp.from(now)).update() == 1;
    }

    void addDeadLetter(long workspaceId, String importId, long rowNumber, Map<String, String> raw, String reason, String detail) {
        jdbc.sql(ADD_DEAD).param("workspaceId", workspaceId).param("importId", importId).param("rowNumber", rowNumber)
                .param("raw", json.writeValueAsString(raw)).param("reason", reason).param("detail", detail).update();
    }

    List<DeadLetter> deadLetters(long workspaceId, String importId, boolean all, int limit) {
        return jdbc.sql(DEAD).param("workspaceId", workspaceId).param("importId", importId).param("all", all).param("limit", limit)
                .query((rs, n) -> new DeadLetter(rs.getLong(1), json.readValue(rs.getString(2), new TypeReference<Map<String, String>>() {}),
                        rs.getString(3), rs.getString(4), rs.getBoolean(5)))
                .list();
    }

    List<Object[]> deadCounts(long workspaceId, String importId) {
        return jdbc.sql(DEAD_COUNTS).param("workspaceId", workspaceId).param("importId", importId)
                .query((rs, n) -> new Object[] {rs.getString(1), rs.getLong(2)}).list();
    }

    void markReplayed(long workspaceId, String importId, long rowNumber) {
        jdbc.sql(MARK_REPLAYED).param("workspaceId", workspaceId).param("importId", importId).param("rowNumber", rowNumber).update();
    }

    void adjust(long workspaceId, String id, long imported, long updated, long duplicates, long invalid) {
        jdbc.sql(ADJUST).param("workspaceId", workspaceId).param("id", id).param("imported", imported).param("updated", updated)
                .param("duplicates", duplicates).param("invalid", invalid).update();
    }

    private Job map(ResultSet rs, int n) throws SQLException {
        String mapping = rs.getString("mapping");
        return new Job(rs.getLong("workspace_id"), rs.getString("id"), rs.getString("campaign_id"), rs.getString("status"),
                rs.getString("file_path"), rs.getString("file_name"), rs.getLong("file_bytes"), rs.getString("charset"),
                rs.getString("delimiter").charAt(0), rs.getBoolean("has_header"),
                json.readValue(rs.getString("headers"), new TypeReference<List<String>>() {}),
                json.readValue(rs.getString("sample_rows"), new TypeReference<List<List<String>>>() {}),
                mapping == null ? null : json.readValue(mapping, new TypeReference<Map<String, String>>() {}), rs.getString("dedupe"),
                rs.getLong("total_rows"), rs.getLong("checkpoint_row"), rs.getLong("imported"), rs.getLong("updated"),
                rs.getLong("duplicates"), rs.getLong("suppressed"), rs.getLong("invalid"), rs.getBoolean("cancel_requested"),
                rs.getString("error"), instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "finished_at"));
    }

    private static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }
}
