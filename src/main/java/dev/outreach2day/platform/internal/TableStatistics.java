package dev.outreach2day.platform.internal;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Runs {@code ANALYZE} on a table of ours as soon as it has at least doubled (at least {@value
 * #MIN_CHANGES} rows written) since PostgreSQL last gathered its statistics.
 *
 * <p>Why: PostgreSQL keeps the plan of a prepared statement (and of every statement inside our
 * PL/pgSQL functions) once it decides a generic plan is as cheap as a custom one — and on an
 * empty or tiny table, without statistics, every index that starts with {@code workspace_id}
 * looks equally cheap. Measured here: the sync's lookup by (workspace, mailbox, Message-ID) kept
 * a plan on {@code unibox_messages_thread} that read every message of the workspace, and
 * {@code delivery_reserve_send}'s update by primary key kept one on the partial index {@code
 * sends_due} (474 rows read and filtered per send), for as long as those tables went without
 * statistics: autovacuum gathers them only after a minute or more. An {@code ANALYZE} makes every
 * cached plan on the table be made again, now with the table's real size.
 *
 * <p>A table is analysed again only after it doubles, so a growing table costs a handful of
 * analyses (autovacuum keeps doing its own on top). Several processes may do this at once:
 * {@code ANALYZE} neither blocks reads and writes nor changes data.
 */
@Component
class TableStatistics {

    private static final Logger log = LoggerFactory.getLogger(TableStatistics.class);

    /** Fewer rows written than this never start an analysis: tiny tables plan well enough. */
    static final int MIN_CHANGES = 200;

    private static final String GROWN = """
            SELECT format('%I.%I', s.schemaname, s.relname)
              FROM pg_stat_user_tables s
              JOIN pg_class c ON c.oid = s.relid
             WHERE s.schemaname = current_schema()
               AND s.n_mod_since_analyze >= GREATEST(:min, c.reltuples)
             ORDER BY s.n_mod_since_analyze DESC
            """;

    private final JdbcClient jdbc;

    TableStatistics(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Scheduled(initialDelayString = "PT2S", fixedDelayString = "PT2S")
    void analyzeGrownTables() {
        try {
            analyzeGrown();
        } catch (RuntimeException e) {
            log.debug("Table statistics round failed: {}", e.getMessage());
        }
    }

    /** Analyses every table that doubled since its last analysis; returns their names. */
    List<String> analyzeGrown() {
        List<String> tables = jdbc.sql(GROWN).param("min", MIN_CHANGES).query(String.class).list();
        for (String table : tables) {
            // the name comes from the catalog, quoted by format('%I'): not user input
            jdbc.sql("ANALYZE " + table).update();
            log.debug("Analysed {}: it has doubled since its statistics were gathered", table);
        }
        return tables;
    }
}
