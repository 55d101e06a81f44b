package dev.outreach2day.contact;

import dev.outreach2day.platform.Ids;
import java.io.StringReader;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * Loads one chunk of clean import rows: {@code COPY} into a temporary staging table, drop repeats
 * within the chunk, then one set-based merge into the campaign's contacts. Runs inside the
 * caller's transaction (the chunk's), so the chunk, its dead letters and the job's checkpoint
 * commit together or not at all.
 */
@Component
class ImportLoader {

    record Row(long rowNumber, ContactRules.Clean contact) {}

    record Result(long imported, long updated, long duplicates) {}

    private static final String STAGE = """
            CREATE TEMP TABLE IF NOT EXISTS import_stage (
                ord bigint, row_number bigint, id text, email text, first_name text, last_name text, company text, title text,
                phone text, timezone text, custom_fields jsonb) ON COMMIT DELETE ROWS
            """;

    private static final String COPY = """
            COPY import_stage (ord, row_number, id, email, first_name, last_name, company, title, phone, timezone, custom_fields)
            FROM STDIN (FORMAT csv)
            """;

    /** Repeats of an email within the chunk: the first occurrence wins. */
    private static final String DEDUPE = """
            DELETE FROM import_stage s USING import_stage t WHERE s.email = t.email AND s.ord > t.ord
            """;

    /**
     * The merge. A contact this import already wrote (an earlier chunk) is a duplicate within the
     * file and is left alone; an existing contact of the campaign is updated (dedupe=update, non-empty
     * incoming fields win, custom fields merged) or left alone (dedupe=skip). RETURNING tells inserts
     * from updates; rows not returned were duplicates.
     */
    private static final String MERGE = """
            INSERT INTO campaign_contacts AS c (workspace_id, id, campaign_id, email, first_name, last_name, company, title, phone,
                                                timezone, custom_fields, change_seq, last_import_id)
            SELECT :workspaceId, s.id, :campaignId, s.email, s.first_name, s.last_name, s.company, s.title, s.phone, s.timezone,
                   COALESCE(s.custom_fields, '{}'::jsonb), CAST(:base AS bigint) + s.ord, :importId
              FROM import_stage s ORDER BY s.ord
            ON CONFLICT (workspace_id, campaign_id, email) DO UPDATE
               SET first_name = COALESCE(EXCLUDED.first_name, c.first_name), last_name = COALESCE(EXCLUDED.last_name, c.last_name),
                   company = COALESCE(EXCLUDED.company, c.company), title = COALESCE(EXCLUDED.title, c.title),
                   phone = COALESCE(EXCLUDED.phone, c.phone), timezone = COALESCE(EXCLUDED.timezone, c.timezone),
                   custom_fields = contact_merge_fields(c.custom_fields, EXCLUDED.custom_fields),
                   change_seq = EXCLUDED.change_seq, last_import_id = :importId, updated_at = now()
             WHERE :dedupe = 'update' AND c.last_import_id IS DISTINCT FROM :importId
            RETURNING (c.xmax = 0) AS inserted
            """;

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final ContactRepository contacts;
    private final ObjectMapper json;

    ImportLoader(DataSource dataSource, JdbcClient jdbc, ContactRepository contacts, ObjectMapper json) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.contacts = contacts;
        this.json = json;
    }

    /** Must run inside a transaction. */
    Result load(long workspaceId, String campaignId, String importId, String dedupe, List<Row> rows) {
        if (rows.isEmpty()) return new Result(0, 0, 0);
        jdbc.sql(STAGE).update();
        var csv = new StringBuilder(rows.size() * 120);
        int ord = 0;
        for (Row r : rows) {
            var c = r.contact();
            ord++;
            csv.append(ord).append(',').append(r.rowNumber()).append(',');
            field(csv, Ids.next("ctc")).append(',');
            field(csv, c.email()).append(',');
            field(csv, c.firstName()).append(',');
            field(csv, c.lastName()).append(',');
            field(csv, c.company()).append(',');
            field(csv, c.title()).append(',');
            field(csv, c.phone()).append(',');
            field(csv, c.timezone()).append(',');
            field(csv, c.customFields() == null || c.customFields().isEmpty() ? null : json.writeValueAsString(c.customFields()));
            csv.append('\n');
        }
        Connection con = DataSourceUtils.getConnection(dataSource);
        try {
            new CopyManager(con.unwrap(BaseConnection.class)).copyIn(COPY, new StringReader(csv.toString()));
        } catch (Exception e) {
            throw new IllegalStateException("COPY into the import staging table failed: " + e.getMessage(), e);
        } finally {
            DataSourceUtils.releaseConnection(con, dataSource);
        }
        long inChunkDuplicates = jdbc.sql(DEDUPE).update();
        long base = contacts.reserve(workspaceId, campaignId, ord);
        List<Boolean> merged = jdbc.sql(MERGE).param("workspaceId", workspaceId).param("campaignId", campaignId).param("base", base)
                .param("importId", importId).param("dedupe", dedupe).query(Boolean.class).list();
        long inserted = merged.stream().filter(Boolean::booleanValue).count();
        long updated = merged.size() - inserted;
        long staged = rows.size() - inChunkDuplicates;
        return new Result(inserted, updated, inChunkDuplicates + (staged - merged.size()));
    }

    /** A CSV field for COPY: NULL unquoted and empty, everything else quoted with inner quotes doubled. */
    private static StringBuilder field(StringBuilder sb, String value) {
        if (value == null) return sb;
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"') sb.append('"');
            sb.append(ch);
        }
        return sb.append('"');
    }

}
